#pragma once

#include "core/clock.h"
#include "nodeagent/pod/podmanager.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <string>

namespace pilot::agent {

/// Node and container usage for kubelet's `/stats/summary` (what `kubectl top` reads through
/// metrics pipelines) and `/metrics/resource` (what metrics-server scrapes): cumulative CPU from
/// /proc/stat and the runtime, working set from /proc/meminfo and the runtime, filesystem from
/// statvfs. Instantaneous CPU (usageNanoCores) is the rate between this and the previous sample
/// (at least a second apart). Thread-safe.
class StatsProvider {
public:
    StatsProvider(std::string nodeName, std::string dataDir, Runtime& runtime, PodManager& pods,
                  const Clock* clock = nullptr);

    /// kubelet's Summary API document.
    [[nodiscard]] boost::json::object summary();
    /// kubelet's resource metrics in the Prometheus text format.
    [[nodiscard]] std::string resourceMetrics();
    /// The agent's own metrics (kubelet_* and process_*).
    [[nodiscard]] std::string agentMetrics();
    /// Takes a CPU sample of the node and every running container, so that rates are known
    /// when the next scrape arrives (the agent calls it periodically).
    void sample();

private:
    struct CpuSample {
        TimePoint at{};
        uint64_t usageNanoSeconds = 0;
    };
    struct ContainerUsage {
        std::string ns;
        std::string pod;
        std::string podUid;
        std::string container;
        TimePoint startedAt{};
        ContainerStats stats;
        uint64_t nanoCores = 0;
    };
    struct NodeUsage {
        TimePoint at{};
        uint64_t cpuNanoSeconds = 0;
        uint64_t nanoCores = 0;
        int64_t memoryTotal = 0;
        int64_t memoryAvailable = 0;
        int64_t fsCapacity = 0;
        int64_t fsAvailable = 0;
        int64_t inodes = 0;
        int64_t inodesFree = 0;
    };
    [[nodiscard]] NodeUsage nodeUsage();
    [[nodiscard]] std::vector<ContainerUsage> containerUsage();
    [[nodiscard]] uint64_t rate(const std::string& key, TimePoint at, uint64_t cumulative);

    std::string m_nodeName;
    std::string m_dataDir;
    Runtime& m_runtime;
    PodManager& m_pods;
    SystemClock m_systemClock;
    const Clock& m_clock;
    TimePoint m_startedAt;
    std::mutex m_mutex;
    std::map<std::string, std::pair<CpuSample, CpuSample>> m_samples; // key -> (older, newer)
};

} // namespace pilot::agent
