#include "engine/controllers/hpa/metricsclient.h"
#include "kube/goduration.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace pilot::controllers::hpa {
namespace json = boost::json;

namespace {

const json::array EmptyArray;

/// The resource's usage in thousandths, if the container reports it.
std::optional<int64_t> usageOf(const json::object& container, std::string_view resource) {
    const json::object* usage = kube::objectAt(container, "usage");
    const json::value* value = usage ? usage->if_contains(resource) : nullptr;
    if (value == nullptr || value->is_null()) {
        return std::nullopt;
    }
    auto quantity = kube::Quantity::fromJson(*value);
    if (!quantity) {
        return std::nullopt;
    }
    return quantity->milliValue();
}

PodMetric sampleOf(const json::object& item, int64_t value) {
    PodMetric metric;
    metric.value = value;
    if (auto at = parseTime(kube::stringAt(item, "timestamp"))) {
        metric.timestamp = *at;
    }
    metric.window = kube::parseGoDuration(kube::stringAt(item, "window"))
                        .value_or(std::chrono::nanoseconds::zero());
    return metric;
}

} // namespace

Result<PodMetricsInfo> podMetricsOf(const std::vector<json::object>& items,
                                    std::string_view resource, std::string_view container) {
    PodMetricsInfo out;
    for (const json::object& item : items) {
        const json::array* containers = kube::arrayAt(item, "containers");
        std::string name(kube::name(item));
        if (!container.empty()) {
            bool found = false;
            for (const json::value& c : containers ? *containers : EmptyArray) {
                const json::object* o = c.if_object();
                if (o == nullptr || kube::stringAt(*o, "name") != container) {
                    continue;
                }
                found = true;
                if (auto value = usageOf(*o, resource)) {
                    out[name] = sampleOf(item, *value);
                }
                break;
            }
            if (!found) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("container {} not present in metrics for pod {}/{}",
                                        container, kube::namespaceOf(item), name));
            }
            continue;
        }
        if (containers == nullptr || containers->empty()) {
            continue;
        }
        int64_t sum = 0;
        bool missing = false;
        for (const json::value& c : *containers) {
            const json::object* o = c.if_object();
            std::optional<int64_t> value = o ? usageOf(*o, resource) : std::nullopt;
            if (!value) {
                missing = true;
                break;
            }
            sum += *value;
        }
        if (!missing) {
            out[name] = sampleOf(item, sum);
        }
    }
    return out;
}

Result<ResourceMetrics> fetchResourceMetrics(kube::ApiClient& client, std::string_view ns,
                                             const std::string& selector, std::string_view resource,
                                             std::string_view container) {
    kube::ListOptions options;
    options.labelSelector = selector;
    auto listed = client.list(PodMetricsResource, ns, options);
    if (!listed) {
        return fail(listed.error().kind,
                    "unable to fetch metrics from resource metrics API: " + listed.error().message);
    }
    if (listed->items.empty()) {
        return fail(ErrorCode::NotFound, "no metrics returned from resource metrics API");
    }
    auto metrics = podMetricsOf(listed->items, resource, container);
    if (!metrics) {
        return fail(metrics.error().code,
                    "failed to get container metrics: " + metrics.error().message);
    }
    ResourceMetrics out;
    out.metrics = std::move(*metrics);
    if (auto at = parseTime(kube::stringAt(listed->items.front(), "timestamp"))) {
        out.timestamp = *at;
    }
    return out;
}

} // namespace pilot::controllers::hpa
