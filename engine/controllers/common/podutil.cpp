#include "engine/controllers/common/podutil.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

const json::object* readyCondition(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        if (const json::object* condition = c.if_object();
            condition && kube::stringAt(*condition, "type") == "Ready") {
            return condition;
        }
    }
    return nullptr;
}

} // namespace

bool isPodActive(const json::object& pod) {
    std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
    return phase != "Succeeded" && phase != "Failed" && !kube::hasDeletionTimestamp(pod);
}

bool isPodReady(const json::object& pod) {
    const json::object* condition = readyCondition(pod);
    return condition && kube::stringAt(*condition, "status") == "True";
}

std::optional<TimePoint> podReadyTime(const json::object& pod) {
    const json::object* condition = readyCondition(pod);
    if (!condition || kube::stringAt(*condition, "status") != "True") {
        return std::nullopt;
    }
    auto parsed = parseTime(kube::stringAt(*condition, "lastTransitionTime"));
    return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

bool isPodAvailable(const json::object& pod, int64_t minReadySeconds, TimePoint now) {
    if (!isPodReady(pod)) {
        return false;
    }
    if (minReadySeconds <= 0) {
        return true;
    }
    std::optional<TimePoint> since = podReadyTime(pod);
    return since && *since + std::chrono::seconds(minReadySeconds) < now;
}

std::optional<std::chrono::seconds> availabilityRecheck(const json::object& owner,
                                                        const json::object& oldPod,
                                                        const json::object& pod) {
    const json::object* spec = kube::objectAt(owner, "spec");
    const int64_t minReady = spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
    if (minReady <= 0 || isPodReady(oldPod) || !isPodReady(pod)) {
        return std::nullopt;
    }
    return std::chrono::seconds(minReady + 1);
}

int64_t maxContainerRestarts(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    const json::array* statuses = status ? kube::arrayAt(*status, "containerStatuses") : nullptr;
    int64_t restarts = 0;
    if (statuses == nullptr) {
        return restarts;
    }
    for (const json::value& s : *statuses) {
        if (const json::object* container = s.if_object()) {
            restarts = std::max(restarts, kube::integerAt(*container, "restartCount").value_or(0));
        }
    }
    return restarts;
}

std::optional<TimePoint> creationTime(const json::object& object) {
    std::string_view text = kube::creationTimestamp(object);
    if (text.empty()) {
        return std::nullopt;
    }
    auto parsed = parseTime(text);
    return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

} // namespace pilot::controllers
