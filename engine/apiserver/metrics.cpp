#include "engine/apiserver/metrics.h"

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numeric>
#include <sstream>
#include <type_traits>
#include <utility>

namespace pilot::apiserver {

namespace {

/// kube-apiserver's apiserver_request_duration_seconds buckets.
constexpr std::array<double, 23> RequestDurationBounds = {
    0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0,
    3.0,   4.0,   5.0,  6.0, 8.0, 10,  15,  20,  30,  45,   60};

/// Verbs kube-apiserver reports; anything else is "other".
constexpr std::array<std::string_view, 14> ValidVerbs = {
    "APPLY", "CONNECT", "CREATE", "DELETE", "DELETECOLLECTION", "GET",   "LIST",
    "PATCH", "POST",    "PROXY",  "PUT",    "UPDATE",           "WATCH", "WATCHLIST"};

/// Subresources whose requests kube-apiserver reports as CONNECT.
constexpr std::array<std::string_view, 5> ConnectSubresources = {"log", "exec", "portforward",
                                                                 "attach", "proxy"};

const std::vector<std::string> RequestLabelNames = {
    "verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"};
const std::vector<std::string> LongRunningLabelNames = {
    "verb", "group", "version", "resource", "subresource", "scope", "component"};

std::string upper(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::toupper(c); });
    return out;
}

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view value) {
    return std::ranges::find(set, value) != set.end();
}

/// kube-apiserver's dry_run label: empty without dryRun, "All" for valid values, else "invalid".
std::string dryRunLabel(const std::vector<std::string>& values) {
    if (values.empty()) {
        return {};
    }
    bool valid = std::ranges::all_of(values, [](const std::string& v) { return v == "All"; });
    return valid ? "All" : "invalid";
}

bool isApplyPatch(std::string_view contentType) {
    std::string_view media = contentType.substr(0, contentType.find(';'));
    while (!media.empty() && media.back() == ' ') {
        media.remove_suffix(1);
    }
    return media == "application/apply-patch+yaml";
}

std::vector<std::string> longRunningKey(const RequestLabels& l) {
    return {l.verb, l.group, l.version, l.resource, l.subresource, l.scope, l.component};
}

std::vector<std::string> requestKey(const RequestLabels& l) {
    return {l.verb, l.dryRun, l.group, l.version, l.resource, l.subresource, l.scope, l.component};
}

void observe(store::Distribution& d, double value) {
    if (d.buckets.empty()) {
        d.buckets.assign(d.upperBounds.size() + 1, 0);
    }
    auto bucket = std::ranges::lower_bound(d.upperBounds, value) - d.upperBounds.begin();
    ++d.buckets[static_cast<size_t>(bucket)];
    d.sum += value;
}

std::string_view typeName(MetricType type) {
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "untyped";
}

std::string escapeHelp(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

/// `{a="1",b="2"}` (empty without labels), `extra` appended last (the histogram's `le`).
std::string labelText(const std::vector<std::pair<std::string_view, std::string_view>>& labels,
                      std::string_view extraName = {}, std::string_view extraValue = {}) {
    if (labels.empty() && extraName.empty()) {
        return {};
    }
    std::string out = "{";
    bool first = true;
    auto add = [&](std::string_view name, std::string_view value) {
        if (!first) {
            out += ',';
        }
        first = false;
        out += name;
        out += "=\"";
        out += escapeLabelValue(value);
        out += '"';
    };
    for (const auto& [name, value] : labels) {
        add(name, value);
    }
    if (!extraName.empty()) {
        add(extraName, extraValue);
    }
    out += '}';
    return out;
}

void renderFamily(const MetricFamily& family, std::string& out) {
    // Labels in name order, samples in the order of their values in that label order.
    std::vector<size_t> order(family.labelNames.size());
    std::iota(order.begin(), order.end(), 0);
    std::ranges::sort(
        order, [&](size_t a, size_t b) { return family.labelNames[a] < family.labelNames[b]; });
    auto sortedLabels = [&](const std::vector<std::string>& values) {
        std::vector<std::pair<std::string_view, std::string_view>> labels;
        for (size_t i : order) {
            labels.emplace_back(family.labelNames[i], i < values.size()
                                                          ? std::string_view(values[i])
                                                          : std::string_view());
        }
        return labels;
    };
    auto sortKey = [&](const std::vector<std::string>& values) {
        std::vector<std::string_view> key;
        for (size_t i : order) {
            key.emplace_back(i < values.size() ? std::string_view(values[i]) : "");
        }
        return key;
    };

    auto inOrder = [&](const auto& samples) {
        using Entry = typename std::remove_cvref_t<decltype(samples)>::value_type;
        std::vector<std::pair<std::vector<std::string_view>, const Entry*>> rows;
        for (const Entry& entry : samples) {
            rows.emplace_back(sortKey(entry.first), &entry);
        }
        std::ranges::sort(rows, {}, &decltype(rows)::value_type::first);
        std::vector<const Entry*> entries;
        for (const auto& row : rows) {
            entries.push_back(row.second);
        }
        return entries;
    };

    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, escapeHelp(family.help),
                       family.name, typeName(family.type));
    if (family.type != MetricType::Histogram) {
        for (const auto* entry : inOrder(family.values)) {
            out += fmt::format("{}{} {}\n", family.name, labelText(sortedLabels(entry->first)),
                               formatMetricValue(entry->second));
        }
        return;
    }
    for (const auto* entry : inOrder(family.histograms)) {
        const store::Distribution& d = entry->second;
        auto labels = sortedLabels(entry->first);
        uint64_t cumulative = 0;
        for (size_t i = 0; i < d.upperBounds.size(); ++i) {
            cumulative += i < d.buckets.size() ? d.buckets[i] : 0;
            out += fmt::format("{}_bucket{} {}\n", family.name,
                               labelText(labels, "le", formatMetricValue(d.upperBounds[i])),
                               cumulative);
        }
        const uint64_t count = d.count();
        out += fmt::format("{}_bucket{} {}\n", family.name, labelText(labels, "le", "+Inf"), count);
        out +=
            fmt::format("{}_sum{} {}\n", family.name, labelText(labels), formatMetricValue(d.sum));
        out += fmt::format("{}_count{} {}\n", family.name, labelText(labels), count);
    }
}

MetricFamily counter(std::string name, std::string help, double value) {
    MetricFamily f{std::move(name), std::move(help), MetricType::Counter, {}, {}, {}};
    f.values[{}] = value;
    return f;
}

MetricFamily gauge(std::string name, std::string help, double value) {
    MetricFamily f{std::move(name), std::move(help), MetricType::Gauge, {}, {}, {}};
    f.values[{}] = value;
    return f;
}

MetricFamily histogram(std::string name, std::string help, const store::Distribution& d) {
    MetricFamily f{std::move(name), std::move(help), MetricType::Histogram, {}, {}, {}};
    if (!d.buckets.empty()) {
        f.histograms[{}] = d;
    }
    return f;
}

/// `/registry/apps/deployments` -> `deployments.apps`; `/registry/core/pods` -> `pods`.
std::string qualifiedResource(std::string_view prefix) {
    constexpr std::string_view Registry = "/registry/";
    if (prefix.starts_with(Registry)) {
        prefix.remove_prefix(Registry.size());
    }
    size_t slash = prefix.find('/');
    if (slash == std::string_view::npos) {
        return std::string(prefix);
    }
    std::string_view group = prefix.substr(0, slash);
    std::string_view plural = prefix.substr(slash + 1);
    if (group == "core") {
        return std::string(plural);
    }
    return fmt::format("{}.{}", plural, group);
}

} // namespace

std::string escapeLabelValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string formatMetricValue(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    return fmt::format("{}", value);
}

std::string renderMetrics(std::vector<MetricFamily> families) {
    std::ranges::stable_sort(families, {}, &MetricFamily::name);
    std::string out;
    for (size_t i = 0; i < families.size();) {
        MetricFamily merged = std::move(families[i]);
        size_t j = i + 1;
        for (; j < families.size() && families[j].name == merged.name; ++j) {
            merged.values.merge(families[j].values);
            merged.histograms.merge(families[j].histograms);
        }
        i = j;
        if (merged.values.empty() && merged.histograms.empty()) {
            continue;
        }
        renderFamily(merged, out);
    }
    return out;
}

RequestLabels requestLabels(const Request& request, const RequestInfo& info) {
    RequestLabels l;
    l.dryRun = dryRunLabel(request.params("dryRun"));
    const std::string method = upper(request.method);
    if (!info.isResourceRequest) {
        l.verb = method == "GET" || method == "HEAD" ? "GET" : method;
        const std::string& path = request.path;
        if (path == "/openapi/v3") {
            l.subresource = "openapi/v3";
        } else if (path.starts_with("/openapi/v3/")) {
            l.subresource = "openapi/v3/";
        } else {
            l.subresource = path;
        }
        // Discovery is recorded by the apiserver component; health and OpenAPI by none.
        if (path == "/api" || path == "/apis" || path.starts_with("/api/") ||
            path.starts_with("/apis/")) {
            l.component = "apiserver";
        }
    } else {
        l.group = info.group;
        l.version = info.version;
        l.resource = info.resource;
        l.subresource = info.subresource;
        l.component = "apiserver";
        if (!info.name.empty() || method == "POST") {
            l.scope = "resource";
        } else if (!info.ns.empty()) {
            l.scope = "namespace";
        } else {
            l.scope = "cluster";
        }
        if (method == "GET" || method == "HEAD") {
            l.verb = l.scope == "resource" ? "GET" : "LIST";
        } else {
            l.verb = method;
        }
        if (info.verb == "watch") {
            l.verb = "WATCH";
        } else if (method == "PATCH" && isApplyPatch(request.contentType)) {
            l.verb = "APPLY";
        } else if (contains(ConnectSubresources, info.subresource)) {
            l.verb = "CONNECT";
        }
    }
    if (!contains(ValidVerbs, l.verb)) {
        l.verb = "other";
    }
    return l;
}

/// A response stream counted as a long-running request while it lives.
class LongRunningStream final : public ResponseStream {
public:
    LongRunningStream(ApiMetrics& metrics, std::shared_ptr<ResponseStream> inner,
                      RequestLabels labels, std::chrono::steady_clock::time_point started)
        : m_metrics(metrics), m_inner(std::move(inner)), m_labels(std::move(labels)),
          m_started(started) {}
    ~LongRunningStream() override {
        m_metrics.longRunningEnded(m_labels, m_inner->status(),
                                   std::chrono::steady_clock::now() - m_started);
    }
    LongRunningStream(const LongRunningStream&) = delete;
    LongRunningStream& operator=(const LongRunningStream&) = delete;

    [[nodiscard]] int status() const override { return m_inner->status(); }
    [[nodiscard]] std::string contentType() const override { return m_inner->contentType(); }
    void start(std::function<void()> wake) override { m_inner->start(std::move(wake)); }
    [[nodiscard]] std::string next(bool& finished) override { return m_inner->next(finished); }
    void cancel() override { m_inner->cancel(); }

private:
    ApiMetrics& m_metrics;
    std::shared_ptr<ResponseStream> m_inner;
    RequestLabels m_labels;
    std::chrono::steady_clock::time_point m_started;
};

ApiMetrics::ApiMetrics() {
    m_requests.name = "apiserver_request_total";
    m_requests.help = "[STABLE] Counter of apiserver requests broken out for each verb, dry run "
                      "value, group, version, resource, scope, component, and HTTP response code.";
    m_requests.type = MetricType::Counter;
    m_requests.labelNames = RequestLabelNames;
    m_requests.labelNames.emplace_back("code");

    m_durations.name = "apiserver_request_duration_seconds";
    m_durations.help = "[STABLE] Response latency distribution in seconds for each verb, dry run "
                       "value, group, version, resource, subresource, scope and component.";
    m_durations.type = MetricType::Histogram;
    m_durations.labelNames = RequestLabelNames;

    m_longRunning.name = "apiserver_longrunning_requests";
    m_longRunning.help = "[STABLE] Gauge of all active long-running apiserver requests broken out "
                         "by verb, group, version, resource, scope and component. Not all "
                         "requests are tracked this way.";
    m_longRunning.type = MetricType::Gauge;
    m_longRunning.labelNames = LongRunningLabelNames;
}

void ApiMetrics::observeRequest(const RequestLabels& labels, int code,
                                std::chrono::steady_clock::duration elapsed) {
    std::lock_guard lock(m_mutex);
    countRequest(labels, code, elapsed);
}

void ApiMetrics::countRequest(const RequestLabels& labels, int code,
                              std::chrono::steady_clock::duration elapsed) {
    std::vector<std::string> key = requestKey(labels);
    store::Distribution& d = m_durations.histograms[key];
    if (d.upperBounds.empty()) {
        d.upperBounds.assign(RequestDurationBounds.begin(), RequestDurationBounds.end());
    }
    observe(d, std::chrono::duration<double>(elapsed).count());
    key.push_back(std::to_string(code));
    m_requests.values[key] += 1;
}

std::shared_ptr<ResponseStream>
ApiMetrics::trackLongRunning(std::shared_ptr<ResponseStream> stream, RequestLabels labels,
                             std::chrono::steady_clock::time_point started) {
    {
        std::lock_guard lock(m_mutex);
        m_longRunning.values[longRunningKey(labels)] += 1;
    }
    return std::make_shared<LongRunningStream>(*this, std::move(stream), std::move(labels),
                                               started);
}

void ApiMetrics::longRunningEnded(const RequestLabels& labels, int code,
                                  std::chrono::steady_clock::duration elapsed) {
    // One critical section: a scrape never sees the stream closed but not yet counted.
    std::lock_guard lock(m_mutex);
    m_longRunning.values[longRunningKey(labels)] -= 1;
    countRequest(labels, code, elapsed);
}

void ApiMetrics::addCollector(Collector collector) {
    std::lock_guard lock(m_mutex);
    m_collectors.push_back(std::move(collector));
}

std::string ApiMetrics::render() const {
    std::vector<MetricFamily> families;
    std::vector<Collector> collectors;
    {
        std::lock_guard lock(m_mutex);
        families = {m_requests, m_durations, m_longRunning};
        collectors = m_collectors;
    }
    for (const Collector& collect : collectors) {
        collect(families);
    }
    return renderMetrics(std::move(families));
}

std::vector<MetricFamily> storeMetrics(const store::StoreStats& stats) {
    std::vector<MetricFamily> out;
    out.push_back(histogram("pilothouse_store_commit_duration_seconds",
                            "Seconds from a write being queued to the store to the durable "
                            "(fsync'd) commit of its transaction, per committed write.",
                            stats.commitLatency));
    out.push_back(histogram("pilothouse_store_batch_size",
                            "Writes committed per store transaction (group commit).",
                            stats.batchSize));
    out.push_back(counter("pilothouse_store_commits_total",
                          "Write transactions the store committed (one log fsync each).",
                          static_cast<double>(stats.commits)));
    out.push_back(counter("pilothouse_store_writes_total", "Writes the store committed.",
                          static_cast<double>(stats.writes)));
    out.push_back(counter("pilothouse_store_rejected_writes_total",
                          "Writes that failed their precondition (exists, not found, conflict).",
                          static_cast<double>(stats.rejectedWrites)));
    out.push_back(counter("pilothouse_store_compacted_events_total",
                          "History events removed by compaction.",
                          static_cast<double>(stats.compactedEvents)));
    return out;
}

std::vector<MetricFamily> cacheMetrics(const std::vector<watchcache::ResourceCount>& counts) {
    MetricFamily objects{"apiserver_storage_objects",
                         "[STABLE] Number of stored objects at the time of last check split by "
                         "kind. In case of a fetching error, the value will be -1.",
                         MetricType::Gauge,
                         {"resource"},
                         {},
                         {}};
    MetricFamily watchers{"pilothouse_watch_cache_watchers",
                          "Watchers registered with the watch cache per resource, the engine's "
                          "own controllers included.",
                          MetricType::Gauge,
                          {"resource"},
                          {},
                          {}};
    for (const watchcache::ResourceCount& c : counts) {
        std::string resource = qualifiedResource(c.prefix);
        objects.values[{resource}] += static_cast<double>(c.objects);
        watchers.values[{resource}] += static_cast<double>(c.watchers);
    }
    std::vector<MetricFamily> out;
    out.push_back(std::move(objects));
    out.push_back(std::move(watchers));
    return out;
}

std::vector<MetricFamily> processMetrics() {
    std::vector<MetricFamily> out;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double pageSize = static_cast<double>(sysconf(_SC_PAGESIZE));

    std::ifstream statFile("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    if (size_t close = stat.rfind(')'); close != std::string::npos && ticks > 0) {
        std::istringstream fields(stat.substr(close + 2));
        std::vector<std::string> f{std::istream_iterator<std::string>(fields),
                                   std::istream_iterator<std::string>()};
        if (f.size() > 21) {
            const double utime = std::strtod(f[11].c_str(), nullptr);
            const double stime = std::strtod(f[12].c_str(), nullptr);
            const double startTicks = std::strtod(f[19].c_str(), nullptr);
            out.push_back(counter("process_cpu_seconds_total",
                                  "Total user and system CPU time spent in seconds.",
                                  (utime + stime) / ticks));
            out.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                std::strtod(f[20].c_str(), nullptr)));
            out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                                std::strtod(f[21].c_str(), nullptr) * pageSize));
            std::ifstream procStat("/proc/stat");
            for (std::string line; std::getline(procStat, line);) {
                if (line.starts_with("btime ")) {
                    const double boot = std::strtod(line.c_str() + 6, nullptr);
                    out.push_back(gauge("process_start_time_seconds",
                                        "Start time of the process since unix epoch in seconds.",
                                        boot + startTicks / ticks));
                    break;
                }
            }
        }
    }
    std::error_code ec;
    size_t fds = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        ++fds;
    }
    if (!ec) {
        out.push_back(gauge("process_open_fds", "Number of open file descriptors.",
                            static_cast<double>(fds)));
    }
    if (rlimit limit{}; getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.",
                            limit.rlim_cur == RLIM_INFINITY ? INFINITY
                                                            : static_cast<double>(limit.rlim_cur)));
    }
    return out;
}

} // namespace pilot::apiserver
