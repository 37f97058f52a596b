#pragma once

#include "engine/quota/resourcelist.h"

#include <boost/json/object.hpp>

namespace pilot::quota {

/// A pod's effective requests (upstream's resourcehelper.PodRequests): the containers and
/// sidecars (init containers with `restartPolicy: Always`) summed, raised per resource to the
/// largest step of the init sequence (an init container plus the sidecars started before it),
/// plus `spec.overhead` unless `withOverhead` is false (LimitRanger leaves it out).
[[nodiscard]] ResourceList podRequests(const boost::json::object& pod, bool withOverhead = true);
/// The same for limits (resourcehelper.PodLimits); overhead is added only to resources that
/// have a limit.
[[nodiscard]] ResourceList podLimits(const boost::json::object& pod, bool withOverhead = true);
/// QoS class BestEffort: no container requests or limits any cpu or memory.
[[nodiscard]] bool isBestEffort(const boost::json::object& pod);

} // namespace pilot::quota
