#include "engine/controllers/replicaset/replicasetstatus.h"

#include "engine/controllers/common/podutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view ReplicaFailure = "ReplicaFailure";

void setCount(json::object& status, std::string_view field, int64_t value) {
    if (value == 0) {
        status.erase(field);
    } else {
        status[field] = value;
    }
}

bool fullyLabeled(const json::object& pod, const json::object* templateLabels) {
    if (templateLabels == nullptr) {
        return true;
    }
    const json::object* labels = kube::labels(pod);
    for (const auto& [key, value] : *templateLabels) {
        const json::value* have = labels ? labels->if_contains(key) : nullptr;
        if (have == nullptr || *have != value) {
            return false;
        }
    }
    return true;
}

const json::object* templateLabelsOf(const json::object& set) {
    const json::object* tmpl = kube::objectAt(kube::objectAt(set, "spec"), "template");
    return kube::objectAt(kube::objectAt(tmpl, "metadata"), "labels");
}

} // namespace

int64_t specReplicas(const json::object& object) {
    const json::object* spec = kube::objectAt(object, "spec");
    return spec ? kube::integerAt(*spec, "replicas").value_or(1) : 1;
}

int64_t statusCount(const json::object& object, std::string_view field) {
    const json::object* status = kube::objectAt(object, "status");
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

json::object calculateReplicaSetStatus(const json::object& set,
                                       const std::vector<kube::ObjectPtr>& activePods,
                                       const std::optional<Error>& manageError, TimePoint now) {
    const json::object* current = kube::objectAt(set, "status");
    json::object status = current ? *current : json::object();
    const json::object* spec = kube::objectAt(set, "spec");
    const int64_t minReadySeconds =
        spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
    const json::object* templateLabels = templateLabelsOf(set);

    int64_t labeled = 0;
    int64_t ready = 0;
    int64_t available = 0;
    for (const kube::ObjectPtr& pod : activePods) {
        if (fullyLabeled(*pod, templateLabels)) {
            ++labeled;
        }
        if (isPodReady(*pod)) {
            ++ready;
            if (isPodAvailable(*pod, minReadySeconds, now)) {
                ++available;
            }
        }
    }

    json::array conditions;
    bool hasFailure = false;
    if (const json::array* existing = kube::arrayAt(status, "conditions")) {
        conditions = *existing;
    }
    for (const json::value& c : conditions) {
        hasFailure = hasFailure ||
                     (c.is_object() && kube::stringAt(c.get_object(), "type") == ReplicaFailure);
    }
    if (manageError && !hasFailure) {
        const int64_t diff = static_cast<int64_t>(activePods.size()) - specReplicas(set);
        std::string reason = diff < 0 ? "FailedCreate" : (diff > 0 ? "FailedDelete" : "");
        conditions.push_back(json::object{{"type", ReplicaFailure},
                                          {"status", "True"},
                                          {"lastTransitionTime", formatTime(now)},
                                          {"reason", reason},
                                          {"message", manageError->message}});
    } else if (!manageError && hasFailure) {
        kube::eraseIf(conditions, [](const json::value& c) {
            return c.is_object() && kube::stringAt(c.get_object(), "type") == ReplicaFailure;
        });
    }
    if (conditions.empty()) {
        status.erase("conditions");
    } else {
        status["conditions"] = std::move(conditions);
    }

    status["replicas"] = static_cast<int64_t>(activePods.size());
    setCount(status, "fullyLabeledReplicas", labeled);
    setCount(status, "readyReplicas", ready);
    setCount(status, "availableReplicas", available);
    return status;
}

bool replicaSetStatusChanged(const json::object& set, const json::object& newStatus) {
    for (std::string_view field :
         {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas"}) {
        if (statusCount(set, field) != kube::integerAt(newStatus, field).value_or(0)) {
            return true;
        }
    }
    if (kube::generation(set) != statusCount(set, "observedGeneration")) {
        return true;
    }
    const json::object* current = kube::objectAt(set, "status");
    const json::value* before = current ? current->if_contains("conditions") : nullptr;
    const json::value* after = newStatus.if_contains("conditions");
    json::value empty = json::array();
    return !kube::jsonEqual(before ? *before : empty, after ? *after : empty);
}

} // namespace pilot::controllers
