#pragma once

#include "engine/apiserver/http.h"
#include "engine/apiserver/requestinfo.h"
#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::apiserver {

enum class MetricType { Counter, Gauge, Histogram };

/// One metric family of the Prometheus text format: its samples keyed by their label values,
/// given in the order of `labelNames`.
struct MetricFamily {
    std::string name;
    std::string help;
    MetricType type = MetricType::Gauge;
    std::vector<std::string> labelNames;
    /// Counters and gauges.
    std::map<std::vector<std::string>, double> values;
    /// Histograms (each with its bucket bounds; `le` is added on rendering).
    std::map<std::vector<std::string>, store::Distribution> histograms;
};

/// Renders families in the Prometheus text format 0.0.4 the way client_golang does: families
/// sorted by name, each with HELP and TYPE, labels sorted by name, samples sorted by their
/// label values, histogram buckets cumulative and closed by `+Inf`. Families without samples
/// are left out. Families of the same name are merged (the first one's HELP and TYPE win).
[[nodiscard]] std::string renderMetrics(std::vector<MetricFamily> families);

/// A label value escaped for the text format (backslash, double quote, newline).
[[nodiscard]] std::string escapeLabelValue(std::string_view value);

/// A sample value as Go's strconv.FormatFloat(v, 'g', -1, 64) spells the usual ones
/// ("1", "0.005", "+Inf", "NaN").
[[nodiscard]] std::string formatMetricValue(double value);

/// The labels kube-apiserver records a request under (apiserver_request_total and friends).
struct RequestLabels {
    std::string verb;
    std::string dryRun;
    std::string group;
    std::string version;
    std::string resource;
    std::string subresource;
    std::string scope;
    std::string component;
};

/// The labels of a request as kube-apiserver 1.32 derives them: the verb from the HTTP method
/// (GET of a collection is LIST; WATCH, APPLY for apply patches, CONNECT for log, exec, attach,
/// portforward and proxy; a DELETE of a collection stays DELETE), scope `resource` for a named
/// object or a create, `namespace` within a namespace, else `cluster`. Non-resource requests
/// carry their path in `subresource` (`/healthz`, `/apis`, `openapi/v3/`).
[[nodiscard]] RequestLabels requestLabels(const Request& request, const RequestInfo& info);

/// Request counters and latencies by verb/resource/code, open long-running requests, plus the
/// families collectors add at each scrape; rendered at /metrics. Thread-safe.
class ApiMetrics {
public:
    /// Adds families computed afresh at each scrape (store, caches, process).
    using Collector = std::function<void(std::vector<MetricFamily>& out)>;

    ApiMetrics();

    /// Counts a finished request in apiserver_request_total and observes its duration.
    void observeRequest(const RequestLabels& labels, int code,
                        std::chrono::steady_clock::duration elapsed);

    /// Wraps a streaming response (a watch): it counts in apiserver_longrunning_requests while
    /// the returned stream lives, and as a request (with its whole duration) once it is
    /// destroyed, as kube-apiserver counts a watch when it ends. Must not outlive this object.
    [[nodiscard]] std::shared_ptr<ResponseStream>
    trackLongRunning(std::shared_ptr<ResponseStream> stream, RequestLabels labels,
                     std::chrono::steady_clock::time_point started);

    /// Registers a collector; it is called without this object's lock held.
    void addCollector(Collector collector);

    /// Every family in the text format.
    [[nodiscard]] std::string render() const;

private:
    friend class LongRunningStream;
    void longRunningEnded(const RequestLabels& labels, int code,
                          std::chrono::steady_clock::duration elapsed);
    /// With m_mutex held.
    void countRequest(const RequestLabels& labels, int code,
                      std::chrono::steady_clock::duration elapsed);

    mutable std::mutex m_mutex;
    MetricFamily m_requests;
    MetricFamily m_durations;
    MetricFamily m_longRunning;
    std::vector<Collector> m_collectors;
};

/// The store's write path: commit latency and batch size histograms, write and commit counters.
[[nodiscard]] std::vector<MetricFamily> storeMetrics(const store::StoreStats& stats);

/// apiserver_storage_objects (resource `pods`, `deployments.apps`) and the watchers per cache.
[[nodiscard]] std::vector<MetricFamily>
cacheMetrics(const std::vector<watchcache::ResourceCount>& counts);

/// process_* families from /proc/self, as client_golang's process collector reports them.
[[nodiscard]] std::vector<MetricFamily> processMetrics();

} // namespace pilot::apiserver
