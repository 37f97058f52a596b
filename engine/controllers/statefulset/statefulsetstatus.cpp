#include "engine/controllers/statefulset/statefulsetstatus.h"

#include "engine/controllers/statefulset/statefulsetutil.h"
#include "kube/jsonutil.h"

namespace pilot::controllers::statefulset {
namespace json = boost::json;

StatefulSetStatus StatefulSetStatus::of(const json::object& set) {
    StatefulSetStatus s;
    const json::object* status = kube::objectAt(set, "status");
    if (status == nullptr) {
        return s;
    }
    auto count = [&](std::string_view field) {
        return kube::integerAt(*status, field).value_or(0);
    };
    s.observedGeneration = count("observedGeneration");
    s.replicas = count("replicas");
    s.readyReplicas = count("readyReplicas");
    s.currentReplicas = count("currentReplicas");
    s.updatedReplicas = count("updatedReplicas");
    s.availableReplicas = count("availableReplicas");
    s.currentRevision = kube::stringAt(*status, "currentRevision");
    s.updateRevision = kube::stringAt(*status, "updateRevision");
    s.collisionCount = kube::integerAt(*status, "collisionCount");
    if (const json::array* conditions = kube::arrayAt(*status, "conditions")) {
        s.conditions = *conditions;
    }
    return s;
}

json::object StatefulSetStatus::toJson() const {
    json::object out;
    if (observedGeneration != 0) {
        out["observedGeneration"] = observedGeneration;
    }
    out["replicas"] = replicas;
    if (readyReplicas != 0) {
        out["readyReplicas"] = readyReplicas;
    }
    if (currentReplicas != 0) {
        out["currentReplicas"] = currentReplicas;
    }
    if (updatedReplicas != 0) {
        out["updatedReplicas"] = updatedReplicas;
    }
    if (!currentRevision.empty()) {
        out["currentRevision"] = currentRevision;
    }
    if (!updateRevision.empty()) {
        out["updateRevision"] = updateRevision;
    }
    if (collisionCount) {
        out["collisionCount"] = *collisionCount;
    }
    if (!conditions.empty()) {
        out["conditions"] = conditions;
    }
    out["availableReplicas"] = availableReplicas;
    return out;
}

void countReplicas(StatefulSetStatus& status, const std::vector<kube::ObjectPtr>& pods,
                   int64_t minReadySeconds, const std::string& currentRevision,
                   const std::string& updateRevision, TimePoint now) {
    for (const kube::ObjectPtr& pod : pods) {
        if (!pod) {
            continue;
        }
        if (isCreated(*pod)) {
            ++status.replicas;
        }
        if (isRunningAndReady(*pod)) {
            ++status.readyReplicas;
            if (isRunningAndAvailable(*pod, minReadySeconds, now)) {
                ++status.availableReplicas;
            }
        }
        if (isCreated(*pod) && !isTerminating(*pod)) {
            std::string revision = podRevision(*pod);
            if (revision == currentRevision) {
                ++status.currentReplicas;
            }
            if (revision == updateRevision) {
                ++status.updatedReplicas;
            }
        }
    }
}

void completeRollingUpdate(const json::object& set, StatefulSetStatus& status) {
    const int64_t wanted = replicas(set);
    if (updateStrategyType(set) == "RollingUpdate" && status.updatedReplicas == wanted &&
        status.readyReplicas == wanted && status.replicas == wanted) {
        status.currentReplicas = status.updatedReplicas;
        status.currentRevision = status.updateRevision;
    }
}

bool inconsistentStatus(const json::object& set, const StatefulSetStatus& status) {
    StatefulSetStatus old = StatefulSetStatus::of(set);
    return status.observedGeneration > old.observedGeneration || status.replicas != old.replicas ||
           status.currentReplicas != old.currentReplicas ||
           status.readyReplicas != old.readyReplicas ||
           status.updatedReplicas != old.updatedReplicas ||
           status.currentRevision != old.currentRevision ||
           status.availableReplicas != old.availableReplicas ||
           status.updateRevision != old.updateRevision ||
           status.collisionCount.value_or(0) != old.collisionCount.value_or(0);
}

} // namespace pilot::controllers::statefulset
