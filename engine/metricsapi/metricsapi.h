#pragma once

#include "core/clock.h"
#include "engine/apiserver/delegatehandler.h"
#include "engine/apiserver/resourceservice.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pilot::metricsapi {

/// CPU and memory of one node, pod or container at one moment, as an agent's statistics
/// (kubelet's Summary API, `/stats/summary`) report them.
struct UsageSample {
    std::optional<uint64_t> usageNanoCores;       ///< The agent's own rate, when it computes one.
    std::optional<uint64_t> usageCoreNanoSeconds; ///< Cumulative CPU time.
    std::optional<uint64_t> workingSetBytes;
    std::chrono::system_clock::time_point time{};
};

struct ContainerUsage {
    std::string name;
    UsageSample usage;
};

struct PodUsage {
    std::string ns;
    std::string name;
    std::vector<ContainerUsage> containers;
};

/// One agent's `/stats/summary`, reduced to what the metrics API serves.
struct NodeSummary {
    std::string nodeName;
    UsageSample node;
    std::vector<PodUsage> pods;
};

/// Parses kubelet's Summary API document. InvalidArgument when it is not one.
[[nodiscard]] Result<NodeSummary> parseSummary(std::string_view json);

/// CPU in nanocores from two samples of the same thing: the agent's own rate when given, else
/// the cumulative CPU time's rate between `previous` and `current`; nullopt when neither works
/// (first sample, counter reset).
[[nodiscard]] std::optional<uint64_t> cpuNanoCores(const UsageSample& current,
                                                   const UsageSample* previous);

/// Fetches a node agent's Summary API document (`/stats/summary`).
using SummaryFetcher = std::function<Result<std::string>(const boost::json::object& node)>;

/// Serves `metrics.k8s.io/v1beta1` NodeMetrics (`nodes`) and PodMetrics (`pods`) as
/// metrics-server does: usage from every node agent's statistics, CPU in nanocores averaged over
/// the agent's window (or between two scrapes), memory as the working set. Agents are scraped
/// on demand, at most once per `resolution`; an agent that does not answer leaves its node and
/// pods out of lists and 404 on get, as with metrics-server. Thread-safe.
class MetricsApi final : public apiserver::DelegateHandler {
public:
    MetricsApi(apiserver::ResourceService& service, SummaryFetcher fetch, const Clock& clock,
               std::chrono::milliseconds resolution = std::chrono::seconds(10));

    [[nodiscard]] apiserver::HandlerResult handle(apiserver::VerbContext& ctx) override;

private:
    struct Scrape {
        NodeSummary summary;
        std::chrono::steady_clock::time_point at{};
    };
    struct Snapshot {
        std::map<std::string, Scrape> current;  ///< by node name
        std::map<std::string, Scrape> previous; ///< the scrape before, for rates
    };

    /// The latest scrape of every node the agents answered for, refreshed when older than the
    /// resolution.
    [[nodiscard]] std::shared_ptr<const Snapshot> snapshot();
    [[nodiscard]] apiserver::HandlerResult nodes(apiserver::VerbContext& ctx);
    [[nodiscard]] apiserver::HandlerResult pods(apiserver::VerbContext& ctx);

    apiserver::ResourceService& m_service;
    SummaryFetcher m_fetch;
    const Clock& m_clock;
    std::chrono::milliseconds m_resolution;
    std::mutex m_mutex; // serialises scrapes
    std::shared_ptr<const Snapshot> m_snapshot;
    std::chrono::steady_clock::time_point m_scrapedAt{};
};

} // namespace pilot::metricsapi
