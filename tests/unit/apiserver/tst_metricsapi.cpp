// The metrics.k8s.io API over the in-process stack: what `kubectl top` reads, computed from
// node agents' Summary API documents.

#include "engine/metricsapi/metricsapi.h"
#include "handlertestutil.h"

#include <fmt/format.h>

#include <map>

namespace pilot::apiserver::test {
namespace {

using metricsapi::cpuNanoCores;
using metricsapi::parseSummary;
using metricsapi::UsageSample;

std::string summaryJson(const std::string& node, uint64_t nodeCpuSeconds, uint64_t podCpuSeconds,
                        bool withRate) {
    std::string rate = withRate ? R"("usageNanoCores": 250000000,)" : "";
    return fmt::format(R"({{
      "node": {{"nodeName": "{0}",
               "cpu": {{"time": "2026-01-01T00:00:{3:02}Z", {4}
                        "usageCoreNanoSeconds": {1}}},
               "memory": {{"time": "2026-01-01T00:00:{3:02}Z", "workingSetBytes": 2097152}}}},
      "pods": [{{"podRef": {{"name": "web", "namespace": "default", "uid": "u1"}},
                "containers": [{{"name": "app",
                                "cpu": {{"time": "2026-01-01T00:00:{3:02}Z", {4}
                                         "usageCoreNanoSeconds": {2}}},
                                "memory": {{"workingSetBytes": 1048576}}}}]}}]
    }})",
                       node, nodeCpuSeconds, podCpuSeconds, nodeCpuSeconds / 1000000000, rate);
}

TEST(MetricsSummary, ParsesNodeAndContainerUsage) {
    auto summary = parseSummary(summaryJson("n1", 5000000000, 1000000000, true));
    ASSERT_TRUE(summary) << summary.error().message;
    EXPECT_EQ(summary->nodeName, "n1");
    EXPECT_EQ(summary->node.usageNanoCores, 250000000u);
    EXPECT_EQ(summary->node.workingSetBytes, 2097152u);
    ASSERT_EQ(summary->pods.size(), 1u);
    EXPECT_EQ(summary->pods[0].ns, "default");
    ASSERT_EQ(summary->pods[0].containers.size(), 1u);
    EXPECT_EQ(summary->pods[0].containers[0].name, "app");
    EXPECT_EQ(summary->pods[0].containers[0].usage.workingSetBytes, 1048576u);
    EXPECT_FALSE(parseSummary("[]"));
    EXPECT_FALSE(parseSummary(R"({"pods": []})"));
}

TEST(MetricsSummary, CpuRateFromTheAgentOrBetweenTwoSamples) {
    auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
    UsageSample first{std::nullopt, 1000000000, 0, t0};
    UsageSample second{std::nullopt, 1500000000, 0, t0 + std::chrono::seconds(2)};
    EXPECT_EQ(cpuNanoCores(first, nullptr), std::nullopt) << "one sample gives no rate";
    EXPECT_EQ(cpuNanoCores(second, &first), 250000000u) << "0.5 s of CPU over 2 s = 250m";
    UsageSample reset{std::nullopt, 10, 0, t0 + std::chrono::seconds(3)};
    EXPECT_EQ(cpuNanoCores(reset, &second), std::nullopt) << "a counter reset gives no rate";
    UsageSample own{123, 0, 0, t0};
    EXPECT_EQ(cpuNanoCores(own, nullptr), 123u) << "the agent's own rate wins";
}

class MetricsApiTest : public ApiHandlerTest {
protected:
    void SetUp() override {
        ApiHandlerTest::SetUp();
        api = std::make_shared<metricsapi::MetricsApi>(
            *env.service,
            [this](const json::object& node) -> Result<std::string> {
                std::string name = str(node, "metadata.name");
                ++scrapes[name];
                auto it = documents.find(name);
                if (it == documents.end()) {
                    return fail(ErrorCode::Unavailable, "agent down");
                }
                return it->second;
            },
            env.clock, std::chrono::milliseconds(0));
        env.handler->setVirtualResource("metrics.k8s.io", "nodes", api);
        env.handler->setVirtualResource("metrics.k8s.io", "pods", api);
        for (const char* name : {"n1", "n2"}) {
            mustPost("/api/v1/nodes",
                     obj(fmt::format(R"({{"metadata":{{"name":"{}",
                "labels":{{"zone":"{}"}}}},
                "status":{{"conditions":[{{"type":"Ready","status":"True"}}]}}}})",
                                     name, name == std::string("n1") ? "a" : "b")));
        }
        json::object web = pod("web", "n1");
        web["metadata"].as_object()["labels"] = json::object{{"app", "web"}};
        mustPost(Pods, web);
        mustPost(Pods, pod("other", "n2"));
    }

    std::shared_ptr<metricsapi::MetricsApi> api;
    std::map<std::string, std::string> documents;
    std::map<std::string, int> scrapes;
};

TEST_F(MetricsApiTest, NodeMetricsAsKubectlTopReadsThem) {
    documents["n1"] = summaryJson("n1", 5000000000, 1000000000, true);
    HandlerResult list = get("/apis/metrics.k8s.io/v1beta1/nodes");
    ASSERT_EQ(list.response.status, 200) << list.response.body;
    json::object body = bodyOf(list);
    EXPECT_EQ(str(body, "kind"), "NodeMetricsList");
    EXPECT_EQ(itemNames(body), std::vector<std::string>{"n1"}) << "n2's agent did not answer";
    const json::object& item = body.at("items").as_array().at(0).as_object();
    EXPECT_EQ(str(item, "usage.cpu"), "250000000n");
    EXPECT_EQ(str(item, "usage.memory"), "2048Ki");
    EXPECT_EQ(str(item, "metadata.labels.zone"), "a");
    EXPECT_EQ(str(item, "window"), "10s");

    HandlerResult one = get("/apis/metrics.k8s.io/v1beta1/nodes/n1");
    ASSERT_EQ(one.response.status, 200) << one.response.body;
    EXPECT_EQ(str(bodyOf(one), "kind"), "NodeMetrics");
    expectStatus(get("/apis/metrics.k8s.io/v1beta1/nodes/n2"), 404, "NotFound");
    HandlerResult selected =
        get("/apis/metrics.k8s.io/v1beta1/nodes", {{"labelSelector", "zone=b"}});
    EXPECT_TRUE(itemNames(bodyOf(selected)).empty());
}

TEST_F(MetricsApiTest, PodMetricsNeedTwoScrapesWithoutTheAgentsRate) {
    documents["n1"] = summaryJson("n1", 5000000000, 1000000000, false);
    HandlerResult first = get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods");
    ASSERT_EQ(first.response.status, 200) << first.response.body;
    EXPECT_TRUE(itemNames(bodyOf(first)).empty()) << "no rate from a single sample";

    documents["n1"] = summaryJson("n1", 7000000000, 1500000000, false);
    HandlerResult second =
        get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", {{"labelSelector", "app=web"}});
    json::object body = bodyOf(second);
    EXPECT_EQ(str(body, "kind"), "PodMetricsList");
    ASSERT_EQ(itemNames(body), std::vector<std::string>{"web"});
    const json::object& item = body.at("items").as_array().at(0).as_object();
    EXPECT_EQ(str(item, "metadata.namespace"), "default");
    const json::object& container = item.at("containers").as_array().at(0).as_object();
    EXPECT_EQ(str(container, "name"), "app");
    EXPECT_EQ(str(container, "usage.cpu"), "250000000n") << "0.5 s of CPU over 2 s";
    EXPECT_EQ(str(container, "usage.memory"), "1024Ki");
    EXPECT_EQ(scrapes["n1"], 2);
}

TEST_F(MetricsApiTest, OnlyReadVerbsAndUnavailableWithoutAHandler) {
    HandlerResult create = post("/apis/metrics.k8s.io/v1beta1/nodes", obj(R"({"metadata":{}})"));
    EXPECT_EQ(create.response.status, 405) << create.response.body;
    ApiEnv bare;
    HandlerResult r = bare.send("GET", "/apis/metrics.k8s.io/v1beta1/nodes");
    EXPECT_EQ(r.response.status, 503) << r.response.body;
}

TEST_F(MetricsApiTest, SelfSubjectReviewNamesTheCaller) {
    HandlerResult r = post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                           obj(R"({"apiVersion":"authentication.k8s.io/v1",
                                   "kind":"SelfSubjectReview","metadata":{}})"));
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    json::object review = bodyOf(r);
    EXPECT_EQ(str(review, "status.userInfo.username"), "admin");
    EXPECT_EQ(review.at("status").at("userInfo").at("groups").as_array().at(0).as_string(),
              "system:masters");
    EXPECT_EQ(get("/apis/authentication.k8s.io/v1/selfsubjectreviews").response.status, 405);
}

} // namespace
} // namespace pilot::apiserver::test
