#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pilot::apiserver {

/// Request counters and latency histograms by verb/resource/code, exposed in the Prometheus
/// text format at /metrics.
class ApiMetrics {
public:
    void observeRequest(const std::string& verb, const std::string& resource, int code,
                        std::chrono::microseconds latency);
    void setGauge(const std::string& name, const std::string& help, double value);
    [[nodiscard]] std::string render() const;

private:
    static constexpr std::array<double, 12> Buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                       0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
    struct Histogram {
        std::array<uint64_t, Buckets.size()> counts{};
        uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::tuple<std::string, std::string, int>, uint64_t> m_requests;
    std::map<std::pair<std::string, std::string>, Histogram> m_latency;
    std::map<std::string, std::pair<std::string, double>> m_gauges;
};

} // namespace pilot::apiserver
