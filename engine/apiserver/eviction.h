#pragma once

#include "engine/apiserver/http.h"
#include "engine/apiserver/resourceservice.h"

#include <boost/json/object.hpp>

#include <string>

namespace pilot::apiserver {

/// `POST pods/<name>/eviction` as kube-apiserver's EvictionREST (policy/v1, Kubernetes 1.32):
/// pods that are terminal, Pending or already terminating are deleted at once; otherwise the
/// pod's one matching PodDisruptionBudget (none: delete; several: 500) must allow a disruption
/// (429 TooManyRequests when it does not, or when its status lags its generation), which is
/// recorded in the budget's status (disruptionsAllowed decremented, disruptedPods[pod] = now)
/// with an optimistic-concurrency update before the pod, marked with the DisruptionTarget
/// condition, is deleted with the eviction's deleteOptions. Unready pods follow the budget's
/// unhealthyPodEvictionPolicy. `dryRun` (query or deleteOptions) changes nothing.
[[nodiscard]] HandlerResult evictPod(ResourceService& service, const kube::ResourceType& pods,
                                     const std::string& ns, const std::string& name,
                                     const boost::json::object& eviction, bool dryRun);

} // namespace pilot::apiserver
