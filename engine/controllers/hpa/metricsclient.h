#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/apiclient.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers::hpa {

/// metrics.k8s.io PodMetrics, as metrics-server (and the engine's metricsapi) serve them.
inline const kube::ApiResource PodMetricsResource{"metrics.k8s.io", "v1beta1", "pods", true};

/// One pod's usage of a resource in thousandths (millicores, millibytes), with the sample's
/// time and window.
struct PodMetric {
    int64_t value = 0;
    TimePoint timestamp{};
    std::chrono::nanoseconds window{};
};

/// By pod name.
using PodMetricsInfo = std::map<std::string, PodMetric>;

struct ResourceMetrics {
    PodMetricsInfo metrics;
    TimePoint timestamp{}; ///< The first item's timestamp.
};

/// Per-pod values of `resource` from PodMetrics items, as upstream's resource metrics client
/// reads them: the sum over the containers (a pod with no containers, or a container without
/// the resource, is left out), or only `container`'s value when one is named (InvalidArgument
/// "container X not present in metrics for pod NS/NAME" when a pod lacks it).
[[nodiscard]] Result<PodMetricsInfo> podMetricsOf(const std::vector<boost::json::object>& items,
                                                  std::string_view resource,
                                                  std::string_view container = {});

/// Lists the PodMetrics of the pods `selector` matches in `ns` and reads them with podMetricsOf.
/// Errors carry upstream's words: "unable to fetch metrics from resource metrics API: ...",
/// "no metrics returned from resource metrics API", "failed to get container metrics: ...".
[[nodiscard]] Result<ResourceMetrics>
fetchResourceMetrics(kube::ApiClient& client, std::string_view ns, const std::string& selector,
                     std::string_view resource, std::string_view container = {});

} // namespace pilot::controllers::hpa
