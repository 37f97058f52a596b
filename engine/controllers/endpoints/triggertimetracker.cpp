#include "engine/controllers/endpoints/triggertimetracker.h"

#include "engine/controllers/common/podutil.h"
#include "kube/client/apiclient.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;

namespace {

/// The Ready condition's lastTransitionTime, whatever its status.
std::optional<TimePoint> podTriggerTime(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return std::nullopt;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition && kube::stringAt(*condition, "type") == "Ready") {
            auto parsed = parseTime(kube::stringAt(*condition, "lastTransitionTime"));
            return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
        }
    }
    return std::nullopt;
}

void keepEarliest(std::optional<TimePoint>& earliest, TimePoint candidate) {
    if (!earliest || candidate < *earliest) {
        earliest = candidate;
    }
}

} // namespace

std::optional<TimePoint> TriggerTimeTracker::compute(const json::object& service,
                                                     const std::vector<kube::ObjectPtr>& pods) {
    const std::string key = kube::objectKey(service);
    State previous;
    bool known = false;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_states.find(key); it != m_states.end()) {
            previous = it->second;
            known = true;
        }
    }
    State next;
    std::optional<TimePoint> earliestChange;
    for (const kube::ObjectPtr& pod : pods) {
        std::optional<TimePoint> at = podTriggerTime(*pod);
        if (!at) {
            continue;
        }
        std::string name(kube::name(*pod));
        auto before = previous.podTimes.find(name);
        if (before == previous.podTimes.end() || *at > before->second) {
            keepEarliest(earliestChange, *at);
        }
        next.podTimes.emplace(std::move(name), *at);
    }
    next.serviceTime = creationTime(service);
    if (next.serviceTime && (!previous.serviceTime || *next.serviceTime > *previous.serviceTime)) {
        keepEarliest(earliestChange, *next.serviceTime);
    }
    {
        std::lock_guard lock(m_mutex);
        m_states[key] = std::move(next);
    }
    if (!known) {
        return creationTime(service);
    }
    return earliestChange;
}

void TriggerTimeTracker::erase(const std::string& serviceKey) {
    std::lock_guard lock(m_mutex);
    m_states.erase(serviceKey);
}

} // namespace pilot::controllers
