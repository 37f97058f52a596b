// /metrics: the Prometheus text renderer, the labels kube-apiserver records requests under, the
// request and long-running metrics as requests go through the handler, and the store, cache and
// process families.

#include "engine/apiserver/metrics.h"

#include "handlertestutil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace pilot::apiserver::test {
namespace {

using std::chrono::milliseconds;

bool has(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

/// The value of the sample written exactly as `series` (name and labels), or NaN when absent.
double sample(const std::string& text, const std::string& series) {
    size_t at = 0;
    while ((at = text.find(series + " ", at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') {
            return std::strtod(text.c_str() + at + series.size() + 1, nullptr);
        }
        at += series.size();
    }
    return std::nan("");
}

TEST(MetricsRender, familiesSortedWithHelpTypeAndSortedLabels) {
    MetricFamily requests{"b_requests_total", "Requests.", MetricType::Counter,
                          {"verb", "code"},   {},          {}};
    requests.values[{"POST", "201"}] = 2;
    requests.values[{"GET", "200"}] = 5;
    requests.values[{"GET", "404"}] = 1;
    MetricFamily temperature{"a_temperature", "Degrees.", MetricType::Gauge, {}, {}, {}};
    temperature.values[{}] = 21.5;
    MetricFamily empty{"c_unused", "Nothing yet.", MetricType::Gauge, {"x"}, {}, {}};

    EXPECT_EQ(renderMetrics({requests, empty, temperature}),
              "# HELP a_temperature Degrees.\n"
              "# TYPE a_temperature gauge\n"
              "a_temperature 21.5\n"
              "# HELP b_requests_total Requests.\n"
              "# TYPE b_requests_total counter\n"
              "b_requests_total{code=\"200\",verb=\"GET\"} 5\n"
              "b_requests_total{code=\"201\",verb=\"POST\"} 2\n"
              "b_requests_total{code=\"404\",verb=\"GET\"} 1\n");
}

TEST(MetricsRender, familiesOfOneNameAreMerged) {
    MetricFamily first{"objects", "Objects.", MetricType::Gauge, {"resource"}, {}, {}};
    first.values[{"pods"}] = 3;
    MetricFamily second = first;
    second.values.clear();
    second.values[{"configmaps"}] = 1;
    EXPECT_EQ(renderMetrics({first, second}), "# HELP objects Objects.\n"
                                              "# TYPE objects gauge\n"
                                              "objects{resource=\"configmaps\"} 1\n"
                                              "objects{resource=\"pods\"} 3\n");
}

TEST(MetricsRender, escapesLabelValuesAndHelp) {
    EXPECT_EQ(escapeLabelValue(R"(a\b"c)"
                               "\nd"),
              R"(a\\b\"c\nd)");
    MetricFamily f{"odd", "Back\\slash and\nnewline.", MetricType::Gauge, {"path"}, {}, {}};
    f.values[{"/x\"y\\z\n"}] = 1;
    EXPECT_EQ(renderMetrics({f}), "# HELP odd Back\\\\slash and\\nnewline.\n"
                                  "# TYPE odd gauge\n"
                                  "odd{path=\"/x\\\"y\\\\z\\n\"} 1\n");
}

TEST(MetricsRender, valuesAsGoFormatsThem) {
    EXPECT_EQ(formatMetricValue(1), "1");
    EXPECT_EQ(formatMetricValue(60), "60");
    EXPECT_EQ(formatMetricValue(0.005), "0.005");
    EXPECT_EQ(formatMetricValue(1.25), "1.25");
    EXPECT_EQ(formatMetricValue(1e-05), "1e-05");
    EXPECT_EQ(formatMetricValue(INFINITY), "+Inf");
    EXPECT_EQ(formatMetricValue(-INFINITY), "-Inf");
    EXPECT_EQ(formatMetricValue(std::nan("")), "NaN");
}

TEST(MetricsRender, histogramBucketsAreCumulative) {
    MetricFamily f{"latency_seconds", "Latency.", MetricType::Histogram, {"op"}, {}, {}};
    store::Distribution d;
    d.upperBounds = {0.1, 1, 10};
    d.buckets = {2, 0, 3, 1}; // 2 fast, 3 slow, 1 above every bound
    d.sum = 17.5;
    f.histograms[{"read"}] = d;
    EXPECT_EQ(renderMetrics({f}), "# HELP latency_seconds Latency.\n"
                                  "# TYPE latency_seconds histogram\n"
                                  "latency_seconds_bucket{op=\"read\",le=\"0.1\"} 2\n"
                                  "latency_seconds_bucket{op=\"read\",le=\"1\"} 2\n"
                                  "latency_seconds_bucket{op=\"read\",le=\"10\"} 5\n"
                                  "latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 6\n"
                                  "latency_seconds_sum{op=\"read\"} 17.5\n"
                                  "latency_seconds_count{op=\"read\"} 6\n");
}

TEST(ApiMetrics, requestDurationsInUpstreamBuckets) {
    ApiMetrics metrics;
    RequestLabels labels{"GET", "", "", "v1", "configmaps", "", "resource", "apiserver"};
    metrics.observeRequest(labels, 200, milliseconds(3));
    metrics.observeRequest(labels, 200, milliseconds(30));
    metrics.observeRequest(labels, 404, milliseconds(90));
    const std::string text = metrics.render();
    const std::string series =
        R"(component="apiserver",dry_run="",group="",resource="configmaps",scope="resource",)"
        R"(subresource="",verb="GET",version="v1")";
    EXPECT_TRUE(has(text, "apiserver_request_total{code=\"200\"," + series + "} 2")) << text;
    EXPECT_TRUE(has(text, "apiserver_request_total{code=\"404\"," + series + "} 1")) << text;
    const std::string bucket = "apiserver_request_duration_seconds_bucket{" + series;
    EXPECT_TRUE(has(text, bucket + ",le=\"0.005\"} 1")) << text;
    EXPECT_TRUE(has(text, bucket + ",le=\"0.025\"} 1")) << text;
    EXPECT_TRUE(has(text, bucket + ",le=\"0.05\"} 2")) << text;
    EXPECT_TRUE(has(text, bucket + ",le=\"0.1\"} 3")) << text;
    EXPECT_TRUE(has(text, bucket + ",le=\"60\"} 3")) << text;
    EXPECT_TRUE(has(text, bucket + ",le=\"+Inf\"} 3")) << text;
    EXPECT_TRUE(has(text, "apiserver_request_duration_seconds_count{" + series + "} 3")) << text;
    EXPECT_NEAR(sample(text, "apiserver_request_duration_seconds_sum{" + series + "}"), 0.123,
                1e-9);
}

TEST(ApiMetrics, collectorsAddFamiliesAtEachScrape) {
    ApiMetrics metrics;
    int scrapes = 0;
    metrics.addCollector([&scrapes](std::vector<MetricFamily>& out) {
        ++scrapes;
        MetricFamily f{"scrapes", "Scrapes.", MetricType::Counter, {}, {}, {}};
        f.values[{}] = scrapes;
        out.push_back(std::move(f));
    });
    EXPECT_TRUE(has(metrics.render(), "scrapes 1"));
    EXPECT_TRUE(has(metrics.render(), "scrapes 2"));
}

// -- labels ------------------------------------------------------------------------------------

struct LabelCase {
    std::string label;
    std::string method;
    std::string path;
    Query query;
    std::string contentType;
    RequestLabels expected;
};

void PrintTo(const LabelCase& c, std::ostream* os) {
    *os << c.method << " " << c.path;
}

RequestLabels core(std::string verb, std::string resource, std::string scope,
                   std::string subresource = {}, std::string dryRun = {}) {
    return RequestLabels{
        std::move(verb),        std::move(dryRun), "",         "v1", std::move(resource),
        std::move(subresource), std::move(scope),  "apiserver"};
}

RequestLabels nonResource(std::string verb, std::string path, std::string component = {}) {
    return RequestLabels{std::move(verb),     "", "", "", "", std::move(path), "",
                         std::move(component)};
}

class RequestLabelsTest : public ::testing::TestWithParam<LabelCase> {};

TEST_P(RequestLabelsTest, asKubeApiserverRecordsThem) {
    const LabelCase& c = GetParam();
    Request request;
    request.method = c.method;
    request.path = c.path;
    request.query = c.query;
    request.contentType = c.contentType;
    const std::string* watchParam = request.param("watch");
    RequestInfo info = parseRequestInfo(c.method, c.path, watchParam && *watchParam == "true");
    RequestLabels l = requestLabels(request, info);
    const RequestLabels& e = c.expected;
    EXPECT_EQ(l.verb, e.verb);
    EXPECT_EQ(l.dryRun, e.dryRun);
    EXPECT_EQ(l.group, e.group);
    EXPECT_EQ(l.version, e.version);
    EXPECT_EQ(l.resource, e.resource);
    EXPECT_EQ(l.subresource, e.subresource);
    EXPECT_EQ(l.scope, e.scope);
    EXPECT_EQ(l.component, e.component);
}

constexpr const char* Cm = "/api/v1/namespaces/default/configmaps";

INSTANTIATE_TEST_SUITE_P(
    Metrics, RequestLabelsTest,
    ::testing::Values(
        LabelCase{
            "create", "POST", Cm, {}, "application/json", core("POST", "configmaps", "resource")},
        LabelCase{"createDryRun",
                  "POST",
                  Cm,
                  {{"dryRun", "All"}},
                  "application/json",
                  core("POST", "configmaps", "resource", "", "All")},
        LabelCase{"createBadDryRun",
                  "POST",
                  Cm,
                  {{"dryRun", "Some"}},
                  "application/json",
                  core("POST", "configmaps", "resource", "", "invalid")},
        LabelCase{"listNamespace", "GET", Cm, {}, "", core("LIST", "configmaps", "namespace")},
        LabelCase{
            "listAll", "GET", "/api/v1/configmaps", {}, "", core("LIST", "configmaps", "cluster")},
        LabelCase{
            "get", "GET", std::string(Cm) + "/c", {}, "", core("GET", "configmaps", "resource")},
        LabelCase{
            "getClusterScoped", "GET", "/api/v1/nodes/n", {}, "", core("GET", "nodes", "resource")},
        LabelCase{
            "watch", "GET", Cm, {{"watch", "true"}}, "", core("WATCH", "configmaps", "namespace")},
        LabelCase{"legacyWatchPath",
                  "GET",
                  "/api/v1/watch/namespaces/default/configmaps",
                  {},
                  "",
                  core("WATCH", "configmaps", "namespace")},
        LabelCase{"update",
                  "PUT",
                  std::string(Cm) + "/c",
                  {},
                  "application/json",
                  core("PUT", "configmaps", "resource")},
        LabelCase{"mergePatch",
                  "PATCH",
                  std::string(Cm) + "/c",
                  {},
                  "application/merge-patch+json",
                  core("PATCH", "configmaps", "resource")},
        LabelCase{"apply",
                  "PATCH",
                  std::string(Cm) + "/c",
                  {{"fieldManager", "kubectl"}},
                  "application/apply-patch+yaml",
                  core("APPLY", "configmaps", "resource")},
        LabelCase{"delete",
                  "DELETE",
                  std::string(Cm) + "/c",
                  {},
                  "",
                  core("DELETE", "configmaps", "resource")},
        // kube-apiserver 1.32 reports a collection delete under the HTTP method too.
        LabelCase{
            "deleteCollection", "DELETE", Cm, {}, "", core("DELETE", "configmaps", "namespace")},
        LabelCase{"podLog",
                  "GET",
                  "/api/v1/namespaces/default/pods/p/log",
                  {},
                  "",
                  core("CONNECT", "pods", "resource", "log")},
        LabelCase{"statusUpdate",
                  "PUT",
                  "/apis/apps/v1/namespaces/default/deployments/d/status",
                  {},
                  "application/json",
                  RequestLabels{"PUT", "", "apps", "v1", "deployments", "status", "resource",
                                "apiserver"}},
        LabelCase{"unknownMethod",
                  "PROPFIND",
                  std::string(Cm) + "/c",
                  {},
                  "",
                  core("other", "configmaps", "resource")},
        LabelCase{"healthz", "GET", "/healthz", {}, "", nonResource("GET", "/healthz")},
        LabelCase{"discovery", "GET", "/apis", {}, "", nonResource("GET", "/apis", "apiserver")},
        LabelCase{"openApiRoot", "GET", "/openapi/v3", {}, "", nonResource("GET", "openapi/v3")},
        LabelCase{"openApiGroup",
                  "GET",
                  "/openapi/v3/apis/apps/v1",
                  {},
                  "",
                  nonResource("GET", "openapi/v3/")}),
    [](const ::testing::TestParamInfo<LabelCase>& labelCase) { return labelCase.param.label; });

// -- through the handler -----------------------------------------------------------------------

class MetricsHandlerTest : public ApiHandlerTest {
protected:
    std::string scrape() {
        HandlerResult r = get("/metrics");
        EXPECT_EQ(r.response.status, 200);
        EXPECT_EQ(r.response.contentType, "text/plain; version=0.0.4; charset=utf-8");
        return r.response.body;
    }
    static constexpr const char* WatchSeries =
        R"(apiserver_longrunning_requests{component="apiserver",group="",resource="configmaps",)"
        R"(scope="namespace",subresource="",verb="WATCH",version="v1"})";
    static constexpr const char* WatchCount =
        R"(apiserver_request_total{code="200",component="apiserver",dry_run="",group="",)"
        R"(resource="configmaps",scope="namespace",subresource="",verb="WATCH",version="v1"})";
};

TEST_F(MetricsHandlerTest, requestsCountedByVerbScopeAndCode) {
    (void)mustPost(ConfigMaps, configMap("c"));
    expectStatus(get(std::string(ConfigMaps) + "/missing"), 404, "NotFound");
    (void)get(ConfigMaps);
    const std::string text = scrape();
    EXPECT_EQ(sample(text, R"(apiserver_request_total{code="201",component="apiserver",)"
                           R"(dry_run="",group="",resource="configmaps",scope="resource",)"
                           R"(subresource="",verb="POST",version="v1"})"),
              1)
        << text;
    EXPECT_EQ(sample(text, R"(apiserver_request_total{code="404",component="apiserver",)"
                           R"(dry_run="",group="",resource="configmaps",scope="resource",)"
                           R"(subresource="",verb="GET",version="v1"})"),
              1)
        << text;
    EXPECT_EQ(sample(text, R"(apiserver_request_total{code="200",component="apiserver",)"
                           R"(dry_run="",group="",resource="configmaps",scope="namespace",)"
                           R"(subresource="",verb="LIST",version="v1"})"),
              1)
        << text;
}

TEST_F(MetricsHandlerTest, unknownResourcesAndPathsAreNotRecorded) {
    expectStatus(get("/api/v1/namespaces/default/bogons"), 404, "NotFound");
    expectStatus(get("/no/such/path"), 404, "NotFound");
    const std::string text = scrape();
    EXPECT_EQ(text.find("bogons"), std::string::npos) << text;
    EXPECT_EQ(text.find("/no/such/path"), std::string::npos) << text;
}

TEST_F(MetricsHandlerTest, longRunningGaugeRisesAndFallsWithWatches) {
    EXPECT_TRUE(std::isnan(sample(scrape(), WatchSeries)));
    auto first = watch(ConfigMaps, {});
    auto second = watch(ConfigMaps, {});
    {
        std::string text = scrape();
        EXPECT_EQ(sample(text, WatchSeries), 2) << text;
        // A watch is counted as a request once it ends, as kube-apiserver counts it.
        EXPECT_TRUE(std::isnan(sample(text, WatchCount))) << text;
    }
    {
        StreamReader reader(first); // the session drives and then drops the stream
        (void)mustPost(ConfigMaps, configMap("seen"));
        EXPECT_EQ(summaries(reader.events()), std::vector<std::string>{"ADDED seen"});
    }
    first.reset();
    EXPECT_EQ(sample(scrape(), WatchSeries), 1);
    second.reset();
    const std::string text = scrape();
    EXPECT_EQ(sample(text, WatchSeries), 0) << text;
    EXPECT_EQ(sample(text, WatchCount), 2) << text;
}

// -- store, caches, process --------------------------------------------------------------------

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pilot-metrics-XXXXXX");
        EXPECT_NE(mkdtemp(pattern.data()), nullptr);
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

TEST(StoreMetrics, sqliteCommitLatencyAndBatchSizes) {
    TempDir dir;
    auto store = store::makeSqliteStore(store::SqliteOptions{dir.file("state.db")});
    ASSERT_TRUE(store->open());
    for (int i = 0; i < 3; ++i) {
        auto written = store->write(
            store::Write{store::Write::Op::Create,
                         "/registry/core/configmaps/d/c" + std::to_string(i), "{}", 0});
        ASSERT_TRUE(written) << written.error().message;
    }
    auto rejected = store->write(
        store::Write{store::Write::Op::Create, "/registry/core/configmaps/d/c0", "{}", 0});
    ASSERT_FALSE(rejected);

    const store::StoreStats stats = store->stats();
    EXPECT_EQ(stats.commitLatency.count(), 3U); // committed writes only
    EXPECT_GT(stats.commitLatency.sum, 0);
    EXPECT_EQ(stats.batchSize.count(), stats.commits);
    EXPECT_EQ(stats.batchSize.sum, 3);

    const std::string text = renderMetrics(storeMetrics(stats));
    EXPECT_TRUE(has(text, "# TYPE pilothouse_store_commit_duration_seconds histogram")) << text;
    EXPECT_TRUE(has(text, "pilothouse_store_commit_duration_seconds_count 3")) << text;
    EXPECT_TRUE(has(text, "pilothouse_store_commit_duration_seconds_bucket{le=\"+Inf\"} 3"))
        << text;
    EXPECT_TRUE(has(text, "pilothouse_store_writes_total 3")) << text;
    EXPECT_TRUE(has(text, "pilothouse_store_rejected_writes_total 1")) << text;
    EXPECT_EQ(sample(text, "pilothouse_store_commits_total"), static_cast<double>(stats.commits));
    store->close();
}

TEST(StoreMetrics, storesWithoutDistributionsExposeCountersOnly) {
    store::StoreStats stats;
    stats.writes = 4;
    stats.commits = 4;
    const std::string text = renderMetrics(storeMetrics(stats));
    EXPECT_TRUE(has(text, "pilothouse_store_commits_total 4")) << text;
    EXPECT_EQ(text.find("pilothouse_store_commit_duration_seconds"), std::string::npos) << text;
}

TEST(CacheMetrics, storageObjectsByQualifiedResource) {
    const std::string text = renderMetrics(cacheMetrics({{"/registry/core/pods", 2, 1},
                                                         {"/registry/apps/deployments", 1, 0},
                                                         {"/registry/example.com/widgets", 0, 3}}));
    EXPECT_TRUE(has(text, "# TYPE apiserver_storage_objects gauge")) << text;
    EXPECT_TRUE(has(text, "apiserver_storage_objects{resource=\"deployments.apps\"} 1")) << text;
    EXPECT_TRUE(has(text, "apiserver_storage_objects{resource=\"pods\"} 2")) << text;
    EXPECT_TRUE(has(text, "apiserver_storage_objects{resource=\"widgets.example.com\"} 0")) << text;
    EXPECT_TRUE(has(text, "pilothouse_watch_cache_watchers{resource=\"widgets.example.com\"} 3"))
        << text;
}

TEST(ProcessMetrics, fromProcSelf) {
    const std::string text = renderMetrics(processMetrics());
    EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1024 * 1024) << text;
    EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0) << text;
    EXPECT_GT(sample(text, "process_open_fds"), 2) << text;
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const double started = sample(text, "process_start_time_seconds");
    EXPECT_LE(started, now + 1) << text;
    EXPECT_GT(started, now - 3600) << text; // this test binary started moments ago
}

} // namespace
} // namespace pilot::apiserver::test
