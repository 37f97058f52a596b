// Object metadata, labels, annotations and label selectors
// (k8s.io/apimachinery/pkg/api/validation and pkg/apis/meta/v1/validation).

#include "engine/admission/jsonaccess.h"
#include "engine/admission/validation.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace pilot::admission::detail {
namespace json = boost::json;

namespace {

constexpr size_t TotalAnnotationSizeLimit = 256 * 1024;

std::vector<std::string> pathSegmentErrors(std::string_view name, bool prefix) {
    if (!prefix) {
        for (std::string_view illegal : {".", ".."}) {
            if (name == illegal) {
                return {fmt::format("may not be '{}'", illegal)};
            }
        }
    }
    std::vector<std::string> errs;
    for (std::string_view illegal : {"/", "%"}) {
        if (name.find(illegal) != std::string_view::npos) {
            errs.push_back(fmt::format("may not contain '{}'", illegal));
        }
    }
    return errs;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

void validateOwnerReferences(const json::object& metadata, Errors& errors) {
    const json::array* owners = arrayAt(metadata, "ownerReferences");
    if (owners == nullptr) {
        return;
    }
    const std::string path = "metadata.ownerReferences";
    int controllers = 0;
    for (const json::value& o : *owners) {
        const json::object* owner = o.if_object();
        if (owner == nullptr) {
            continue;
        }
        std::string apiVersion = stringAt(*owner, "apiVersion");
        std::string version = apiVersion.substr(
            apiVersion.find('/') == std::string::npos ? 0 : apiVersion.find('/') + 1);
        if (version.empty()) {
            errors.invalid(child(path, "apiVersion"), goQuote(apiVersion),
                           "version must not be empty");
        }
        for (std::string_view field : {"kind", "name", "uid"}) {
            if (stringAt(*owner, field).empty()) {
                errors.invalid(child(path, field), goQuote(stringAt(*owner, field)),
                               "must not be empty");
            }
        }
        if (boolAt(*owner, "controller").value_or(false)) {
            ++controllers;
        }
    }
    if (controllers > 1) {
        errors.invalid(path, "[]v1.OwnerReference{...}",
                       "Only one reference can have Controller set to true");
    }
}

void validateFinalizers(const json::object& metadata, Errors& errors) {
    const std::string path = "metadata.finalizers";
    std::vector<std::string> finalizers = stringsAt(metadata, "finalizers");
    for (const std::string& finalizer : finalizers) {
        errors.invalidEach(path, finalizer, kube::validateQualifiedName(finalizer));
    }
    auto present = [&](std::string_view f) {
        return std::find(finalizers.begin(), finalizers.end(), f) != finalizers.end();
    };
    if (present("orphan") && present("foregroundDeletion")) {
        errors.invalid(path, goStringSlice(arrayAt(metadata, "finalizers")),
                       "finalizer orphan and foregroundDeletion cannot be both set");
    }
}

} // namespace

std::vector<std::string> nameErrors(std::string_view name, NameRule rule, bool prefix) {
    std::string masked(name);
    if (prefix && rule != NameRule::PathSegment && !masked.empty() && masked.back() == '-') {
        // maskTrailingDash: a generateName may end in '-'.
        masked.back() = 'a';
    }
    switch (rule) {
    case NameRule::Subdomain:
        return kube::validateDns1123Subdomain(masked);
    case NameRule::Label:
        return kube::validateDns1123Label(masked);
    case NameRule::Dns1035Label:
        return kube::validateDns1035Label(masked);
    case NameRule::PathSegment:
        return pathSegmentErrors(name, prefix);
    }
    return {};
}

void validateObjectMeta(const json::object& object, bool namespaced, NameRule rule,
                        Errors& errors) {
    static const json::object Empty;
    const json::object* metadata = objectAt(object, "metadata");
    const json::object& meta = metadata == nullptr ? Empty : *metadata;
    std::string generateName = stringAt(meta, "generateName");
    std::string name = stringAt(meta, "name");
    if (!generateName.empty()) {
        errors.invalidEach("metadata.generateName", generateName,
                           nameErrors(generateName, rule, true));
    }
    if (name.empty()) {
        // The server fills the name in from generateName before storing.
        if (generateName.empty()) {
            errors.required("metadata.name", "name or generateName is required");
        }
    } else {
        errors.invalidEach("metadata.name", name, nameErrors(name, rule, false));
    }
    std::string ns = stringAt(meta, "namespace");
    if (namespaced && !ns.empty()) {
        errors.invalidEach("metadata.namespace", ns, kube::validateDns1123Label(ns));
    }
    validateLabels(objectAt(meta, "labels"), "metadata.labels", errors);
    validateAnnotations(objectAt(meta, "annotations"), "metadata.annotations", errors);
    validateOwnerReferences(meta, errors);
    validateFinalizers(meta, errors);
}

void validateLabels(const json::object* labels, const std::string& path, Errors& errors) {
    if (labels == nullptr) {
        return;
    }
    for (const std::string& k : sortedKeys(*labels)) {
        errors.invalidEach(path, k, kube::validateQualifiedName(k));
        const json::value& v = labels->at(k);
        std::string value = v.is_string() ? std::string(v.get_string()) : "";
        errors.invalidEach(path, value, kube::validateLabelValue(value));
    }
}

void validateAnnotations(const json::object* annotations, const std::string& path, Errors& errors) {
    if (annotations == nullptr) {
        return;
    }
    size_t total = 0;
    for (const std::string& k : sortedKeys(*annotations)) {
        errors.invalidEach(path, k, kube::validateQualifiedName(lower(k)));
        const json::value& v = annotations->at(k);
        total += k.size() + (v.is_string() ? v.get_string().size() : 0);
    }
    if (total > TotalAnnotationSizeLimit) {
        errors.tooLong(path, TotalAnnotationSizeLimit);
    }
}

void validateLabelSelector(const json::object* selector, const std::string& path, Errors& errors) {
    if (selector == nullptr) {
        return;
    }
    validateLabels(objectAt(*selector, "matchLabels"), child(path, "matchLabels"), errors);
    const json::array* expressions = arrayAt(*selector, "matchExpressions");
    if (expressions == nullptr) {
        return;
    }
    for (size_t i = 0; i < expressions->size(); ++i) {
        const std::string exprPath = index(child(path, "matchExpressions"), i);
        const json::object* expr = (*expressions)[i].if_object();
        if (expr == nullptr) {
            continue;
        }
        std::string op = stringAt(*expr, "operator");
        const json::array* values = arrayAt(*expr, "values");
        size_t valueCount = values == nullptr ? 0 : values->size();
        if (op == "In" || op == "NotIn") {
            if (valueCount == 0) {
                errors.required(child(exprPath, "values"),
                                "must be specified when `operator` is 'In' or 'NotIn'");
            }
        } else if (op == "Exists" || op == "DoesNotExist") {
            if (valueCount > 0) {
                errors.forbidden(child(exprPath, "values"),
                                 "may not be specified when `operator` is 'Exists' or "
                                 "'DoesNotExist'");
            }
        } else {
            errors.invalid(child(exprPath, "operator"), goQuote(op),
                           "not a valid selector operator");
        }
        std::string k = stringAt(*expr, "key");
        errors.invalidEach(child(exprPath, "key"), k, kube::validateQualifiedName(k));
        if (values != nullptr) {
            for (size_t v = 0; v < values->size(); ++v) {
                std::string value =
                    (*values)[v].is_string() ? std::string((*values)[v].get_string()) : "";
                errors.invalidEach(index(child(exprPath, "values"), v), value,
                                   kube::validateLabelValue(value));
            }
        }
    }
}

std::optional<bool> selectorMatches(const json::object* selector, const json::object* labels) {
    if (selector == nullptr) {
        return false;
    }
    json::value value = *selector;
    Result<kube::LabelSelector> parsed = kube::LabelSelector::fromJson(&value);
    if (!parsed) {
        return std::nullopt;
    }
    return parsed->matches(labels);
}

bool selectorEmpty(const json::object* selector) {
    if (selector == nullptr) {
        return false;
    }
    const json::object* ml = objectAt(*selector, "matchLabels");
    const json::array* me = arrayAt(*selector, "matchExpressions");
    return (ml == nullptr || ml->empty()) && (me == nullptr || me->empty());
}

bool mapSelectorMatches(const json::object& selector, const json::object* labels) {
    for (const auto& entry : selector) {
        const json::value* have = labels == nullptr ? nullptr : labels->if_contains(entry.key());
        if (have == nullptr || !kube::jsonEqual(*have, entry.value())) {
            return false;
        }
    }
    return true;
}

void validateNonNegative(const json::object& o, std::string_view member, const std::string& path,
                         Errors& errors) {
    std::optional<int64_t> value = integerAt(o, member);
    if (value && *value < 0) {
        errors.invalid(path, std::to_string(*value), "must be greater than or equal to 0");
    }
}

void validateImmutable(const json::value* now, const json::value* before, const std::string& path,
                       std::string_view valueText, Errors& errors) {
    static const json::value Null;
    const json::value& a = now == nullptr ? Null : *now;
    const json::value& b = before == nullptr ? Null : *before;
    if (!kube::jsonEqual(a, b)) {
        errors.invalid(path, valueText, "field is immutable");
    }
}

} // namespace pilot::admission::detail
