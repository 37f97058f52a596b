#include "engine/apiserver/metrics.h"

#include <fmt/format.h>

namespace pilot::apiserver {

void ApiMetrics::observeRequest(const std::string& verb, const std::string& resource, int code,
                                std::chrono::microseconds latency) {
    double seconds = static_cast<double>(latency.count()) / 1e6;
    std::lock_guard lock(m_mutex);
    ++m_requests[{verb, resource, code}];
    Histogram& h = m_latency[{verb, resource}];
    for (size_t i = 0; i < Buckets.size(); ++i) {
        if (seconds <= Buckets[i]) {
            ++h.counts[i];
        }
    }
    ++h.count;
    h.sum += seconds;
}

void ApiMetrics::setGauge(const std::string& name, const std::string& help, double value) {
    std::lock_guard lock(m_mutex);
    m_gauges[name] = {help, value};
}

std::string ApiMetrics::render() const {
    std::lock_guard lock(m_mutex);
    std::string out;
    out += "# HELP apiserver_request_total Counter of API requests by verb, resource and code.\n";
    out += "# TYPE apiserver_request_total counter\n";
    for (const auto& [key, count] : m_requests) {
        const auto& [verb, resource, code] = key;
        out +=
            fmt::format("apiserver_request_total{{verb=\"{}\",resource=\"{}\",code=\"{}\"}} {}\n",
                        verb, resource, code, count);
    }
    out += "# HELP apiserver_request_duration_seconds Response latency by verb and resource.\n";
    out += "# TYPE apiserver_request_duration_seconds histogram\n";
    for (const auto& [key, h] : m_latency) {
        const auto& [verb, resource] = key;
        for (size_t i = 0; i < Buckets.size(); ++i) {
            out += fmt::format("apiserver_request_duration_seconds_bucket{{verb=\"{}\",resource="
                               "\"{}\",le=\"{}\"}} {}\n",
                               verb, resource, Buckets[i], h.counts[i]);
        }
        out += fmt::format("apiserver_request_duration_seconds_bucket{{verb=\"{}\",resource=\"{}"
                           "\",le=\"+Inf\"}} {}\n",
                           verb, resource, h.count);
        out += fmt::format(
            "apiserver_request_duration_seconds_sum{{verb=\"{}\",resource=\"{}\"}} {}\n", verb,
            resource, h.sum);
        out += fmt::format(
            "apiserver_request_duration_seconds_count{{verb=\"{}\",resource=\"{}\"}} {}\n", verb,
            resource, h.count);
    }
    for (const auto& [name, gauge] : m_gauges) {
        out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, gauge.first, name, name,
                           gauge.second);
    }
    return out;
}

} // namespace pilot::apiserver
