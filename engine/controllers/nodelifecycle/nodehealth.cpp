#include "engine/controllers/nodelifecycle/nodehealth.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/nodelifecycle/nodetaints.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;

namespace {

std::string member(const json::object* o, std::string_view key) {
    return o ? kube::stringAt(*o, key) : std::string();
}

std::optional<TimePoint> renewTimeOf(const json::object* lease) {
    const json::object* spec = lease ? kube::objectAt(*lease, "spec") : nullptr;
    std::string text = member(spec, "renewTime");
    if (text.empty()) {
        return std::nullopt;
    }
    auto parsed = parseTime(text);
    return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

json::object statusOf(const json::object& node) {
    const json::object* status = kube::objectAt(node, "status");
    return status ? *status : json::object();
}

} // namespace

NodeHealthCheck checkNodeHealth(const json::object& node, const json::object* lease,
                                std::optional<NodeHealth>& health, TimePoint now,
                                const NodeHealthTimes& times) {
    NodeHealthCheck check;
    check.node = node;
    const TimePoint created = creationTime(node).value_or(now);
    const std::string createdText(kube::creationTimestamp(node));
    const json::object* ready = conditionOf(node, "Ready");
    if (ready == nullptr) {
        // Never posted: pretend an Unknown condition since creation, with the longer grace.
        check.observedReady = json::object{{"type", "Ready"},
                                           {"status", "Unknown"},
                                           {"lastHeartbeatTime", createdText},
                                           {"lastTransitionTime", createdText}};
        check.gracePeriod = times.startupGracePeriod;
        if (health) {
            health->status = statusOf(node);
        } else {
            health = NodeHealth{created, created, statusOf(node), std::nullopt};
        }
    } else {
        check.observedReady = *ready;
        check.gracePeriod = times.monitorGracePeriod;
    }

    const json::object* savedReady = nullptr;
    json::object savedNode;
    if (health) {
        savedNode = json::object{{"status", health->status}};
        savedReady = conditionOf(savedNode, "Ready");
    }
    const std::optional<TimePoint> savedLease = health ? health->leaseRenewTime : std::nullopt;
    if (!health) {
        health = NodeHealth{now, now, statusOf(node), std::nullopt};
    } else if ((savedReady == nullptr) != (ready == nullptr)) {
        // First Ready seen (or, wrongly, Ready gone): start counting from now.
        health = NodeHealth{now, now, statusOf(node), savedLease};
    } else if (savedReady && ready &&
               member(savedReady, "lastHeartbeatTime") != member(ready, "lastHeartbeatTime")) {
        TimePoint transition =
            member(savedReady, "lastTransitionTime") != member(ready, "lastTransitionTime")
                ? now
                : health->readyTransitionTimestamp;
        // Upstream drops the saved Lease here, which makes the next unchanged Lease count as a
        // renewal; keeping it makes the grace period end when it should.
        health = NodeHealth{now, transition, statusOf(node), savedLease};
    }
    if (std::optional<TimePoint> renewed = renewTimeOf(lease);
        renewed && (!savedLease || *savedLease < *renewed)) {
        health->leaseRenewTime = renewed;
        health->probeTimestamp = now;
    }

    if (now > health->probeTimestamp + check.gracePeriod) {
        json::object* status = kube::ensureObject(check.node, "status");
        json::array* conditions = status ? kube::mutableArray(*status, "conditions") : nullptr;
        if (status && conditions == nullptr) {
            (*status)["conditions"] = json::array();
            conditions = &(*status)["conditions"].as_array();
        }
        for (std::string_view type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
            json::object* condition = nullptr;
            for (json::value& c : *conditions) {
                if (c.is_object() && kube::stringAt(c.get_object(), "type") == type) {
                    condition = &c.get_object();
                }
            }
            if (condition == nullptr) {
                conditions->push_back(
                    json::object{{"type", type},
                                 {"status", "Unknown"},
                                 {"lastHeartbeatTime", createdText},
                                 {"lastTransitionTime", formatTime(now)},
                                 {"reason", "NodeStatusNeverUpdated"},
                                 {"message", "Kubelet never posted node status."}});
            } else if (kube::stringAt(*condition, "status") != "Unknown") {
                (*condition)["status"] = "Unknown";
                (*condition)["reason"] = "NodeStatusUnknown";
                (*condition)["message"] = "Kubelet stopped posting node status.";
                (*condition)["lastTransitionTime"] = formatTime(now);
            }
        }
    }
    if (const json::object* current = conditionOf(check.node, "Ready")) {
        check.currentReady = *current;
        check.statusChanged = !kube::jsonEqual(*current, check.observedReady);
    }
    return check;
}

} // namespace pilot::controllers
