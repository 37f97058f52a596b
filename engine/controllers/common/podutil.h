#pragma once

#include "core/clock.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

/// Pod state as the workload controllers judge it (k8s.io/kubernetes/pkg/api/v1/pod and
/// pkg/controller's IsPodActive). All readers tolerate missing fields.
namespace pilot::controllers {

/// Not Succeeded, not Failed and not being deleted: counts toward a controller's replicas.
[[nodiscard]] bool isPodActive(const boost::json::object& pod);
/// The `Ready` condition is `True`.
[[nodiscard]] bool isPodReady(const boost::json::object& pod);
/// When the pod last became ready (the Ready condition's lastTransitionTime), if it is ready.
[[nodiscard]] std::optional<TimePoint> podReadyTime(const boost::json::object& pod);
/// Ready for at least `minReadySeconds` at `now` (ready is enough when minReadySeconds is 0).
[[nodiscard]] bool isPodAvailable(const boost::json::object& pod, int64_t minReadySeconds,
                                  TimePoint now);
/// When `pod` just turned ready (not in `oldPod`) and its owner's `spec.minReadySeconds` is
/// set: how long until it counts as available, plus a second against the rounding of the
/// Ready condition's time, for one more look at the owner then. nullopt otherwise.
[[nodiscard]] std::optional<std::chrono::seconds>
availabilityRecheck(const boost::json::object& owner, const boost::json::object& oldPod,
                    const boost::json::object& pod);
/// The highest restartCount among the pod's containers.
[[nodiscard]] int64_t maxContainerRestarts(const boost::json::object& pod);
/// `metadata.creationTimestamp` parsed; nullopt when absent or malformed.
[[nodiscard]] std::optional<TimePoint> creationTime(const boost::json::object& object);

} // namespace pilot::controllers
