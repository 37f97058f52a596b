#pragma once

#include "core/clock.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace pilot::controllers {

/// What the node lifecycle controller last saw of a node's heartbeats (upstream's
/// nodeHealthData): when it last saw a sign of life, by its own clock, and the status and Lease
/// renewal that sign was.
struct NodeHealth {
    TimePoint probeTimestamp;
    TimePoint readyTransitionTimestamp;
    boost::json::object status;              ///< the node's `status` when last seen
    std::optional<TimePoint> leaseRenewTime; ///< the Lease's `spec.renewTime` when last renewed
};

/// The outcome of one look at a node (tryUpdateNodeHealth before its write).
struct NodeHealthCheck {
    std::chrono::nanoseconds gracePeriod{};
    /// The Ready condition as posted (a made-up Unknown one when the node never posted it).
    boost::json::object observedReady;
    /// The Ready condition after marking the node Unknown (nullopt: the node has none).
    std::optional<boost::json::object> currentReady;
    /// The node with its conditions set to Unknown when it went silent; `statusChanged` says
    /// whether that changed its Ready condition (and so needs writing).
    boost::json::object node;
    bool statusChanged = false;
};

struct NodeHealthTimes {
    std::chrono::nanoseconds monitorGracePeriod;
    std::chrono::nanoseconds startupGracePeriod; ///< for nodes that never posted Ready
};

/// Updates `health` from the node and its Lease (`lease` null: none) as upstream's
/// tryUpdateNodeHealth does: a changed Ready heartbeat or a newer Lease renewTime is a sign of
/// life at `now`. When none came within the grace period, the node's Ready, MemoryPressure,
/// DiskPressure and PIDPressure conditions become Unknown (reason NodeStatusUnknown, message
/// "Kubelet stopped posting node status.", transition `now`; missing ones are added with
/// NodeStatusNeverUpdated / "Kubelet never posted node status.").
[[nodiscard]] NodeHealthCheck checkNodeHealth(const boost::json::object& node,
                                              const boost::json::object* lease,
                                              std::optional<NodeHealth>& health, TimePoint now,
                                              const NodeHealthTimes& times);

} // namespace pilot::controllers
