#include "engine/controllers/daemonset/daemonsetutil.h"

#include "engine/controllers/common/podutil.h"
#include "engine/scheduler/nodeselector.h"
#include "engine/scheduler/taints.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pilot::controllers::daemonset {
namespace json = boost::json;

namespace {

const json::object* specOf(const json::object& object) {
    return kube::objectAt(object, "spec");
}

const json::object* rollingUpdate(const json::object& ds) {
    if (!isRollingUpdate(ds)) {
        return nullptr;
    }
    return kube::objectAt(kube::objectAt(specOf(ds), "updateStrategy"), "rollingUpdate");
}

/// intstr.GetScaledValueFromIntOrPercent with rounding up.
Result<int64_t> scaledValueRoundUp(const json::value* value, int64_t total,
                                   std::string_view field) {
    if (value == nullptr || value->is_null()) {
        return 0;
    }
    if (auto integer = kube::asInteger(*value)) {
        return *integer;
    }
    if (const json::string* text = value->if_string(); text && text->ends_with('%')) {
        std::string_view digits(text->data(), text->size() - 1);
        int64_t percent = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), percent);
        if (ec == std::errc() && ptr == digits.data() + digits.size()) {
            return (percent * total + 99) / 100;
        }
    }
    return fail(ErrorCode::InvalidArgument, fmt::format("invalid value for IntOrString {}: {}",
                                                        field, json::serialize(*value)));
}

/// Adds `toleration`, replacing a toleration with the same key, operator, value and effect.
void addOrUpdateToleration(json::array& tolerations, const json::object& toleration) {
    auto same = [&](const json::object& t) {
        for (std::string_view field : {"key", "operator", "value", "effect"}) {
            if (kube::stringAt(t, field) != kube::stringAt(toleration, field)) {
                return false;
            }
        }
        return true;
    };
    for (json::value& existing : tolerations) {
        if (existing.is_object() && same(existing.as_object())) {
            existing = toleration;
            return;
        }
    }
    tolerations.push_back(toleration);
}

/// The pod a daemon would run on `nodeName` (upstream NewPod), for the predicates.
json::object newPod(const json::object& ds, std::string_view nodeName) {
    const json::object* tmpl = kube::objectAt(specOf(ds), "template");
    const json::object* tmplSpec = kube::objectAt(tmpl, "spec");
    json::object spec = tmplSpec ? *tmplSpec : json::object();
    spec["nodeName"] = nodeName;
    addDaemonPodTolerations(spec);
    return json::object{{"spec", std::move(spec)}};
}

/// nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both match the node.
bool matchesRequiredAffinity(const json::object& podSpec, const json::object& node) {
    const json::object none;
    const json::object* nodeLabels = kube::labels(node);
    if (const json::object* selector = kube::objectAt(podSpec, "nodeSelector")) {
        if (!kube::LabelSelector::fromSet(*selector).matches(nodeLabels)) {
            return false;
        }
    }
    const json::object* affinity = kube::objectAt(podSpec, "affinity");
    const json::object* nodeAffinity = kube::objectAt(affinity, "nodeAffinity");
    const json::object* required =
        kube::objectAt(nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
    if (required == nullptr) {
        return true;
    }
    return scheduler::nodeSelectorOf(*required).matches(nodeLabels ? *nodeLabels : none,
                                                        kube::name(node));
}

} // namespace

const OwnerKind& daemonSetKind() {
    static const OwnerKind kind{"apps/v1", "DaemonSet"};
    return kind;
}

int64_t minReadySeconds(const json::object& ds) {
    const json::object* spec = specOf(ds);
    return spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
}

int64_t revisionHistoryLimit(const json::object& ds) {
    const json::object* spec = specOf(ds);
    return spec ? kube::integerAt(*spec, "revisionHistoryLimit").value_or(10) : 10;
}

bool isRollingUpdate(const json::object& ds) {
    std::string type = kube::stringAt(kube::objectAt(specOf(ds), "updateStrategy"), "type");
    return type.empty() || type == "RollingUpdate";
}

std::optional<int64_t> templateGeneration(const json::object& ds) {
    auto annotation = kube::annotation(ds, TemplateGenerationAnnotation);
    if (!annotation) {
        return std::nullopt;
    }
    int64_t value = 0;
    auto [ptr, ec] =
        std::from_chars(annotation->data(), annotation->data() + annotation->size(), value);
    if (ec == std::errc() && ptr == annotation->data() + annotation->size()) {
        return value;
    }
    return std::nullopt;
}

bool allowsSurge(const json::object& ds) {
    auto surge = surgeCount(ds, 1);
    return surge && *surge != 0;
}

Result<int64_t> surgeCount(const json::object& ds, int64_t desired) {
    const json::object* rolling = rollingUpdate(ds);
    if (rolling == nullptr) {
        return 0;
    }
    return scaledValueRoundUp(rolling->if_contains("maxSurge"), desired, "maxSurge");
}

Result<int64_t> unavailableCount(const json::object& ds, int64_t desired) {
    const json::object* rolling = rollingUpdate(ds);
    if (rolling == nullptr) {
        return 0;
    }
    return scaledValueRoundUp(rolling->if_contains("maxUnavailable"), desired, "maxUnavailable");
}

void addDaemonPodTolerations(json::object& podSpec) {
    json::array* tolerations = kube::mutableArray(podSpec, "tolerations");
    if (tolerations == nullptr) {
        podSpec["tolerations"] = json::array();
        tolerations = &podSpec["tolerations"].as_array();
    }
    auto exists = [](std::string_view key, std::string_view effect) {
        return json::object{{"key", key}, {"operator", "Exists"}, {"effect", effect}};
    };
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/not-ready", "NoExecute"));
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/unreachable", "NoExecute"));
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/disk-pressure", "NoSchedule"));
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/memory-pressure", "NoSchedule"));
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/pid-pressure", "NoSchedule"));
    addOrUpdateToleration(*tolerations, exists("node.kubernetes.io/unschedulable", "NoSchedule"));
    if (kube::boolAt(podSpec, "hostNetwork").value_or(false)) {
        addOrUpdateToleration(*tolerations,
                              exists("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
}

NodeFit nodeShouldRunDaemonPod(const json::object& node, const json::object& ds) {
    const std::string nodeName(kube::name(node));
    const json::object* tmplSpec = kube::objectAt(kube::objectAt(specOf(ds), "template"), "spec");
    if (std::string wanted = kube::stringAt(tmplSpec, "nodeName");
        !wanted.empty() && wanted != nodeName) {
        return {};
    }
    json::object pod = newPod(ds, nodeName);
    const json::object& podSpec = pod["spec"].as_object();
    if (!matchesRequiredAffinity(podSpec, node)) {
        return {};
    }
    const json::object* nodeSpec = specOf(node);
    std::vector<scheduler::Taint> taints =
        scheduler::taintsOf(nodeSpec ? kube::arrayAt(*nodeSpec, "taints") : nullptr);
    std::vector<scheduler::Toleration> tolerations =
        scheduler::tolerationsOf(kube::arrayAt(podSpec, "tolerations"));
    if (scheduler::firstUntoleratedTaint(taints, tolerations) == nullptr) {
        return {true, true};
    }
    // Pods already there stay unless a NoExecute taint evicts them.
    const bool evicted = std::any_of(taints.begin(), taints.end(), [&](const scheduler::Taint& t) {
        return t.effect == "NoExecute" && !scheduler::tolerated(tolerations, t);
    });
    return {false, !evicted};
}

json::object createPodTemplate(const json::object& ds, std::optional<int64_t> generation,
                               const std::string& hash) {
    const json::object* tmpl = kube::objectAt(specOf(ds), "template");
    json::object out = tmpl ? *tmpl : json::object();
    if (json::object* spec = kube::ensureObject(out, "spec")) {
        addDaemonPodTolerations(*spec);
    }
    json::object* meta = kube::ensureObject(out, "metadata");
    json::object* labels = meta ? kube::ensureObject(*meta, "labels") : nullptr;
    if (labels != nullptr) {
        if (generation) {
            (*labels)[TemplateGenerationLabel] = std::to_string(*generation);
        }
        if (!hash.empty()) {
            (*labels)[HashLabel] = hash;
        }
    }
    return out;
}

void replaceNodeNameAffinity(json::object& podSpec, const std::string& nodeName) {
    json::object term{
        {"matchFields",
         json::array{json::object{
             {"key", "metadata.name"}, {"operator", "In"}, {"values", json::array{nodeName}}}}}};
    json::object* affinity = kube::ensureObject(podSpec, "affinity");
    json::object* nodeAffinity = affinity ? kube::ensureObject(*affinity, "nodeAffinity") : nullptr;
    if (nodeAffinity == nullptr) {
        return;
    }
    json::object* required =
        kube::ensureObject(*nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution");
    if (required == nullptr) {
        return;
    }
    (*required)["nodeSelectorTerms"] = json::array{std::move(term)};
}

std::optional<std::string> targetNodeName(const json::object& pod) {
    const json::object* spec = specOf(pod);
    if (std::string node = kube::stringAt(spec, "nodeName"); !node.empty()) {
        return node;
    }
    const json::object* required =
        kube::objectAt(kube::objectAt(kube::objectAt(spec, "affinity"), "nodeAffinity"),
                       "requiredDuringSchedulingIgnoredDuringExecution");
    const json::array* terms = required ? kube::arrayAt(*required, "nodeSelectorTerms") : nullptr;
    if (terms == nullptr) {
        return std::nullopt;
    }
    for (const json::value& t : *terms) {
        const json::array* fields =
            t.is_object() ? kube::arrayAt(t.as_object(), "matchFields") : nullptr;
        if (fields == nullptr) {
            continue;
        }
        for (const json::value& f : *fields) {
            if (!f.is_object() || kube::stringAt(f.as_object(), "key") != "metadata.name" ||
                kube::stringAt(f.as_object(), "operator") != "In") {
                continue;
            }
            std::vector<std::string> values = kube::stringsAt(f.as_object(), "values");
            if (values.size() != 1) {
                return std::nullopt;
            }
            return values.front();
        }
    }
    return std::nullopt;
}

bool isPodUpdated(const json::object& pod, const std::string& hash,
                  std::optional<int64_t> generation) {
    auto podGeneration = kube::label(pod, TemplateGenerationLabel);
    const bool templateMatches =
        generation && podGeneration && *podGeneration == std::to_string(*generation);
    auto podHash = kube::label(pod, HashLabel);
    const bool hashMatches = !hash.empty() && podHash && *podHash == hash;
    return hashMatches || templateMatches;
}

void sortByCreationAndPhase(std::vector<kube::ObjectPtr>& pods) {
    std::stable_sort(pods.begin(), pods.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         const bool aScheduled = !kube::stringAt(specOf(*a), "nodeName").empty();
                         const bool bScheduled = !kube::stringAt(specOf(*b), "nodeName").empty();
                         if (aScheduled != bScheduled) {
                             return aScheduled;
                         }
                         auto ta = creationTime(*a);
                         auto tb = creationTime(*b);
                         if (ta != tb) {
                             return ta < tb;
                         }
                         return kube::name(*a) < kube::name(*b);
                     });
}

} // namespace pilot::controllers::daemonset
