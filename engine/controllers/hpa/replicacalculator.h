#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/controllers/hpa/metricsclient.h"
#include "kube/client/indexedcache.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers::hpa {

using PodList = std::vector<kube::ObjectPtr>;

/// kube-controller-manager's defaults (--horizontal-pod-autoscaler-tolerance,
/// -cpu-initialization-period, -initial-readiness-delay).
struct CalculatorOptions {
    double tolerance = 0.1;
    std::chrono::nanoseconds cpuInitializationPeriod = std::chrono::minutes(5);
    std::chrono::nanoseconds delayOfInitialReadinessStatus = std::chrono::seconds(30);
};

/// How the pods behind a metric count (upstream's groupPods).
struct PodGroups {
    int readyPodCount = 0;
    /// Pending pods and, for cpu, pods not ready or still starting (their samples are ignored).
    std::set<std::string> unready;
    std::set<std::string> missing; ///< No metrics.
    std::set<std::string> ignored; ///< Being deleted, Failed or Succeeded.
};

[[nodiscard]] PodGroups groupPods(const PodList& pods, const PodMetricsInfo& metrics,
                                  std::string_view resource, TimePoint now,
                                  const CalculatorOptions& options);

/// Each pod's request of `resource` in thousandths: the sum over its containers (and restartable
/// init containers), or only `container`'s. InvalidArgument "missing request for cpu in container
/// main of Pod web-1" when a container has none.
[[nodiscard]] Result<std::map<std::string, int64_t>>
podRequests(const PodList& pods, std::string_view container, std::string_view resource);

struct UtilizationReplicas {
    int32_t replicas = 0;
    int32_t utilization = 0;    ///< Percent of the requests.
    int64_t rawUtilization = 0; ///< Average usage per pod, in thousandths.
};

/// The replica count for a target utilisation (percent of request) of `resource` over `pods`
/// (those the scale's selector matches) with their `metrics`, as upstream's
/// GetResourceReplicas: within the tolerance the count stays; missing pods count as using 0% on
/// a scale up and 100% on a scale down, unready ones 0% on a scale up; a change of direction
/// caused by those assumptions keeps the count.
[[nodiscard]] Result<UtilizationReplicas>
utilizationReplicas(int32_t currentReplicas, int32_t targetUtilization, std::string_view resource,
                    std::string_view container, PodMetricsInfo metrics, const PodList& pods,
                    TimePoint now, const CalculatorOptions& options);

struct UsageReplicas {
    int32_t replicas = 0;
    int64_t usage = 0; ///< Average usage per pod, in thousandths.
};

/// The replica count for a target average value (thousandths) of `resource`, as upstream's
/// GetRawResourceReplicas (missing pods count as the target on a scale down).
[[nodiscard]] Result<UsageReplicas>
averageValueReplicas(int32_t currentReplicas, int64_t targetUsage, std::string_view resource,
                     PodMetricsInfo metrics, const PodList& pods, TimePoint now,
                     const CalculatorOptions& options);

} // namespace pilot::controllers::hpa
