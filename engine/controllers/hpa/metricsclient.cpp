#include "engine/controllers/hpa/metricsclient.h"

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
    metric.window =
        parseGoDuration(kube::stringAt(item, "window")).value_or(std::chrono::nanoseconds::zero());
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

std::optional<std::chrono::nanoseconds> parseGoDuration(std::string_view text) {
    if (text == "0") {
        return std::chrono::nanoseconds::zero();
    }
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    long double total = 0;
    while (!text.empty()) {
        size_t digits = 0;
        while (digits < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
            ++digits;
        }
        if (digits == 0) {
            return std::nullopt;
        }
        long double number = 0;
        std::string numberText(text.substr(0, digits));
        char* end = nullptr;
        number = std::strtold(numberText.c_str(), &end);
        if (end != numberText.c_str() + numberText.size()) {
            return std::nullopt;
        }
        text.remove_prefix(digits);
        size_t unitLength = 0;
        while (unitLength < text.size() &&
               !std::isdigit(static_cast<unsigned char>(text[unitLength])) &&
               text[unitLength] != '.') {
            ++unitLength;
        }
        std::string_view unit = text.substr(0, unitLength);
        text.remove_prefix(unitLength);
        long double scale = 0;
        if (unit == "ns") {
            scale = 1;
        } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
            scale = 1e3L;
        } else if (unit == "ms") {
            scale = 1e6L;
        } else if (unit == "s") {
            scale = 1e9L;
        } else if (unit == "m") {
            scale = 60e9L;
        } else if (unit == "h") {
            scale = 3600e9L;
        } else {
            return std::nullopt;
        }
        total += number * scale;
    }
    auto nanos = static_cast<int64_t>(std::llround(total));
    return std::chrono::nanoseconds(negative ? -nanos : nanos);
}

} // namespace pilot::controllers::hpa
