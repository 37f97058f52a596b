#pragma once

#include "core/clock.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Computes the `endpoints.kubernetes.io/last-change-trigger-time` of a Service's endpoints
/// (upstream's TriggerTimeTracker): the Service's creation time the first time it is synced,
/// afterwards the earliest of the changes seen since the previous sync — a pod's Ready
/// transition time newer than last time, or the Service's creation time if that changed.
/// Nothing (nullopt) when no such change happened. Thread-safe; one Service is synced by one
/// worker at a time.
class TriggerTimeTracker {
public:
    [[nodiscard]] std::optional<TimePoint> compute(const boost::json::object& service,
                                                   const std::vector<kube::ObjectPtr>& pods);
    /// Forgets a deleted Service.
    void erase(const std::string& serviceKey);

private:
    struct State {
        std::map<std::string, TimePoint> podTimes;
        std::optional<TimePoint> serviceTime;
    };

    std::mutex m_mutex;
    std::map<std::string, State> m_states;
};

} // namespace pilot::controllers
