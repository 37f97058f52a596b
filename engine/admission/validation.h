#pragma once

// Validation building blocks shared by the admission sources. Private to pilot::admission.
// Each function appends the errors kube-apiserver's validation would report for the same input,
// in the same order and with the same texts.

#include "engine/admission/fielderrors.h"

#include <boost/json/object.hpp>

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::admission::detail {

/// Which name syntax `metadata.name` must follow.
enum class NameRule {
    Subdomain,    // RFC 1123 subdomain (most kinds)
    Label,        // RFC 1123 label (namespaces)
    Dns1035Label, // RFC 1035 label (services)
    PathSegment,  // anything usable in a URL path segment (RBAC kinds)
};

/// ValidateObjectMeta: name/generateName, namespace syntax, labels, annotations, owner
/// references and finalizers. `namespaced` decides whether metadata.namespace is checked.
void validateObjectMeta(const boost::json::object& object, bool namespaced, NameRule rule,
                        Errors& errors);
/// The messages of a name check (generateName is checked as a prefix).
[[nodiscard]] std::vector<std::string> nameErrors(std::string_view name, NameRule rule,
                                                  bool prefix);

/// ValidateLabels: keys as qualified names, values as label values; all errors at `path`.
void validateLabels(const boost::json::object* labels, const std::string& path, Errors& errors);
/// ValidateAnnotations: keys as (case-insensitive) qualified names, total size <= 256 KiB.
void validateAnnotations(const boost::json::object* annotations, const std::string& path,
                         Errors& errors);
/// ValidateLabelSelector (matchLabels, matchExpressions operators and values).
void validateLabelSelector(const boost::json::object* selector, const std::string& path,
                           Errors& errors);
/// Whether a metav1.LabelSelector selects these labels; a missing selector selects nothing.
/// nullopt when the selector cannot be parsed.
[[nodiscard]] std::optional<bool> selectorMatches(const boost::json::object* selector,
                                                  const boost::json::object* labels);
/// Whether a selector has no requirement at all (`{}`).
[[nodiscard]] bool selectorEmpty(const boost::json::object* selector);
/// Whether every entry of a plain label map (Service/RC selector) is present in `labels`.
[[nodiscard]] bool mapSelectorMatches(const boost::json::object& selector,
                                      const boost::json::object* labels);

/// ValidateNonnegativeField for an optional integer member.
void validateNonNegative(const boost::json::object& o, std::string_view member,
                         const std::string& path, Errors& errors);
/// ValidateImmutableField: `Invalid value: <valueText>: field is immutable` when changed.
void validateImmutable(const boost::json::value* now, const boost::json::value* before,
                       const std::string& path, std::string_view valueText, Errors& errors);

struct PodSpecRules {
    /// A template (pod template spec) rather than a Pod.
    bool podTemplate = false;
    /// Skip the generic restartPolicy check (jobs report their own, clearer error).
    bool jobTemplate = false;
    /// Extra names volume mounts may refer to (StatefulSet volumeClaimTemplates).
    std::set<std::string> extraVolumes;
};

/// ValidatePodSpec: volumes, containers, init containers, restart and DNS policy, node
/// selector, tolerations.
void validatePodSpec(const boost::json::object& spec, const std::string& path,
                     const PodSpecRules& rules, Errors& errors);
/// ValidatePodTemplateSpec: template labels/annotations and the pod spec below `path`.
void validatePodTemplateSpec(const boost::json::object* tmpl, const std::string& path,
                             const PodSpecRules& rules, Errors& errors);

// Per-kind validation; `old` is nullptr on create.
void validatePod(const boost::json::object& pod, const boost::json::object* old, Errors& errors);
void validateWorkload(std::string_view plural, const boost::json::object& object,
                      const boost::json::object* old, Errors& errors);
void validateJobKind(std::string_view plural, const boost::json::object& object,
                     const boost::json::object* old, Errors& errors);
void validateCoreKind(std::string_view plural, const boost::json::object& object,
                      const boost::json::object* old, Errors& errors);

} // namespace pilot::admission::detail
