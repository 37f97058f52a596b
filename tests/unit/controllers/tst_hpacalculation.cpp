// The HorizontalPodAutoscaler's arithmetic, table by table against upstream's podautoscaler:
// replica counts from pod metrics (tolerance, missing and unready pods, requests) and the
// normalisation of a recommendation (stabilisation windows, min/max, scaling policies).

#include "engine/controllers/hpa/hpaspec.h"
#include "engine/controllers/hpa/metricsclient.h"
#include "engine/controllers/hpa/replicacalculator.h"
#include "engine/controllers/hpa/scalehistory.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers::hpa {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

const TimePoint Now = TimePoint(std::chrono::seconds(1893553445));

/// A pod as the calculator sees it; times are seconds before Now.
struct TestPod {
    std::string name;
    std::string phase = "Running";
    std::string ready = "True"; ///< The Ready condition's status; "" for none.
    int startedAgo = 600;
    int readyChangedAgo = 540;
    std::optional<std::string> cpuRequest = "1";
    std::optional<std::string> memoryRequest = "256Mi";
    bool deleting = false;
};

kube::ObjectPtr makePod(const TestPod& p) {
    json::object requests;
    if (p.cpuRequest) {
        requests["cpu"] = *p.cpuRequest;
    }
    if (p.memoryRequest) {
        requests["memory"] = *p.memoryRequest;
    }
    json::object metadata{{"name", p.name}, {"namespace", "default"}};
    if (p.deleting) {
        metadata["deletionTimestamp"] = formatTime(Now);
    }
    json::object status{{"phase", p.phase},
                        {"startTime", formatTime(Now - std::chrono::seconds(p.startedAgo))}};
    if (!p.ready.empty()) {
        status["conditions"] = json::array{json::object{
            {"type", "Ready"},
            {"status", p.ready},
            {"lastTransitionTime", formatTime(Now - std::chrono::seconds(p.readyChangedAgo))}}};
    }
    return std::make_shared<const json::object>(json::object{
        {"metadata", std::move(metadata)},
        {"spec",
         json::object{{"containers", json::array{json::object{
                                         {"name", "main"},
                                         {"resources", json::object{{"requests", requests}}}}}}}},
        {"status", std::move(status)}});
}

PodList makePods(const std::vector<TestPod>& pods) {
    PodList out;
    for (const TestPod& p : pods) {
        out.push_back(makePod(p));
    }
    return out;
}

/// Samples taken at Now over a 10 s window, in thousandths.
PodMetricsInfo makeMetrics(const std::map<std::string, int64_t>& values) {
    PodMetricsInfo out;
    for (const auto& [pod, value] : values) {
        out[pod] = PodMetric{value, Now, 10s};
    }
    return out;
}

TestPod pod(std::string name) {
    TestPod p;
    p.name = std::move(name);
    return p;
}

TestPod unready(std::string name, int startedAgo, int changedAgo) {
    TestPod p = pod(std::move(name));
    p.ready = "False";
    p.startedAgo = startedAgo;
    p.readyChangedAgo = changedAgo;
    return p;
}

struct UtilizationCase {
    std::string name;
    int32_t current;
    int32_t target;
    std::vector<TestPod> pods;
    std::map<std::string, int64_t> metrics; ///< millicores (or millibytes for memory)
    int32_t expectReplicas;
    int32_t expectUtilization;
    std::string resource = "cpu";
    std::string expectError;
};

class UtilizationReplicas : public ::testing::TestWithParam<UtilizationCase> {};

TEST_P(UtilizationReplicas, MatchUpstream) {
    const UtilizationCase& c = GetParam();
    auto result = utilizationReplicas(c.current, c.target, c.resource, "", makeMetrics(c.metrics),
                                      makePods(c.pods), Now, CalculatorOptions{});
    if (!c.expectError.empty()) {
        ASSERT_FALSE(result) << "replicas " << result->replicas;
        EXPECT_EQ(result.error().message, c.expectError);
        return;
    }
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->replicas, c.expectReplicas);
    EXPECT_EQ(result->utilization, c.expectUtilization);
}

INSTANTIATE_TEST_SUITE_P(
    Table, UtilizationReplicas,
    ::testing::Values(
        // 90% of the request against 50%: 1.8 x 3 pods = 5.4, rounded up.
        UtilizationCase{"ScaleUp",
                        3,
                        50,
                        {pod("a"), pod("b"), pod("c")},
                        {{"a", 900}, {"b", 900}, {"c", 900}},
                        6,
                        90},
        UtilizationCase{"WithinToleranceKeepsCount",
                        3,
                        50,
                        {pod("a"), pod("b"), pod("c")},
                        {{"a", 540}, {"b", 540}, {"c", 540}},
                        3,
                        54},
        UtilizationCase{"JustOutsideTolerance",
                        3,
                        50,
                        {pod("a"), pod("b"), pod("c")},
                        {{"a", 560}, {"b", 560}, {"c", 560}},
                        4,
                        56},
        UtilizationCase{"ScaleDown",
                        3,
                        50,
                        {pod("a"), pod("b"), pod("c")},
                        {{"a", 100}, {"b", 100}, {"c", 100}},
                        1,
                        10},
        // c has no sample: 0% while scaling up, so 1800m over 3 cores = 60%, 1.2 x 3.
        UtilizationCase{"MissingPodCountsAsIdleOnScaleUp",
                        3,
                        50,
                        {pod("a"), pod("b"), pod("c")},
                        {{"a", 900}, {"b", 900}},
                        4,
                        90},
        // d has no sample: 100% while scaling down, so 1300m over 4 cores = 32%, 0.64 x 4.
        UtilizationCase{"MissingPodCountsAsFullOnScaleDown",
                        4,
                        50,
                        {pod("a"), pod("b"), pod("c"), pod("d")},
                        {{"a", 100}, {"b", 100}, {"c", 100}},
                        3,
                        10},
        // c started a minute ago and is not ready: ignored for its sample, 0% for the rescale.
        UtilizationCase{"UnreadyPodInInitialisationIsIdleOnScaleUp",
                        3,
                        50,
                        {pod("a"), pod("b"), unready("c", 60, 50)},
                        {{"a", 900}, {"b", 900}, {"c", 900}},
                        4,
                        90},
        // Counting the unready pods as idle would turn a scale up into a scale down: keep.
        UtilizationCase{"UnreadyPodsThatWouldReverseTheDirectionKeepCount",
                        3,
                        50,
                        {pod("a"), unready("b", 60, 50), unready("c", 60, 50)},
                        {{"a", 600}, {"b", 0}, {"c", 0}},
                        3,
                        60},
        // Ready, but the sample was taken less than a window after it became ready.
        UtilizationCase{"SampleFromBeforeReadinessIsIgnored",
                        2,
                        50,
                        {pod("a"), TestPod{"b", "Running", "True", 60, 5}},
                        {{"a", 1500}, {"b", 900}},
                        3,
                        150},
        // Unready for long, after having been ready: its sample counts (it is cpu-hungry).
        UtilizationCase{"LongUnreadyPodThatWasReadyCounts",
                        2,
                        50,
                        {pod("a"), unready("b", 600, 120)},
                        {{"a", 900}, {"b", 900}},
                        4,
                        90},
        // Unready since its start, past the initialisation period: never ready, ignored.
        UtilizationCase{"NeverReadyPodIsIgnored",
                        2,
                        50,
                        {pod("a"), unready("b", 600, 595)},
                        {{"a", 1500}, {"b", 900}},
                        3,
                        150},
        UtilizationCase{"FailedAndDeletingPodsAreIgnored",
                        3,
                        50,
                        {pod("a"), TestPod{"b", "Failed"}, TestPod{.name = "c", .deleting = true}},
                        {{"a", 900}, {"b", 900}, {"c", 900}},
                        2,
                        90},
        UtilizationCase{"PendingPodIsIdleOnScaleUp",
                        2,
                        50,
                        {pod("a"), TestPod{"b", "Pending", ""}},
                        {{"a", 1500}},
                        3,
                        150},
        // Readiness does not matter for memory.
        UtilizationCase{
            "UnreadyPodsCountForMemory",
            2,
            50,
            {pod("a"), unready("b", 60, 50)},
            {{"a", 128LL * 1024 * 1024 * 1000 * 2}, {"b", 128LL * 1024 * 1024 * 1000 * 2}},
            4,
            100,
            "memory"},
        UtilizationCase{"MissingRequestIsAnError",
                        2,
                        50,
                        {pod("a"), TestPod{.name = "b", .cpuRequest = std::nullopt}},
                        {{"a", 900}, {"b", 900}},
                        0,
                        0,
                        "cpu",
                        "missing request for cpu in container main of Pod b"},
        UtilizationCase{"NoPodsIsAnError",
                        2,
                        50,
                        {},
                        {{"a", 900}},
                        0,
                        0,
                        "cpu",
                        "no pods returned by selector while calculating replica count"},
        UtilizationCase{"NoUsableSampleIsAnError",
                        2,
                        50,
                        {unready("a", 60, 50)},
                        {{"a", 900}},
                        0,
                        0,
                        "cpu",
                        "did not receive metrics for targeted pods (pods might be unready)"}),
    [](const ::testing::TestParamInfo<UtilizationCase>& param) { return param.param.name; });

struct AverageValueCase {
    std::string name;
    int32_t current;
    int64_t targetMilli;
    std::vector<TestPod> pods;
    std::map<std::string, int64_t> metrics;
    int32_t expectReplicas;
    int64_t expectUsage;
};

class AverageValueReplicas : public ::testing::TestWithParam<AverageValueCase> {};

TEST_P(AverageValueReplicas, MatchUpstream) {
    const AverageValueCase& c = GetParam();
    auto result = averageValueReplicas(c.current, c.targetMilli, "memory", makeMetrics(c.metrics),
                                       makePods(c.pods), Now, CalculatorOptions{});
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->replicas, c.expectReplicas);
    EXPECT_EQ(result->usage, c.expectUsage);
}

constexpr int64_t Mi = 1024LL * 1024 * 1000; // one MiB in millibytes

INSTANTIATE_TEST_SUITE_P(
    Table, AverageValueReplicas,
    ::testing::Values(AverageValueCase{"TwiceTheTarget",
                                       2,
                                       100 * Mi,
                                       {pod("a"), pod("b")},
                                       {{"a", 200 * Mi}, {"b", 200 * Mi}},
                                       4,
                                       200 * Mi},
                      AverageValueCase{"WithinTolerance",
                                       2,
                                       100 * Mi,
                                       {pod("a"), pod("b")},
                                       {{"a", 105 * Mi}, {"b", 105 * Mi}},
                                       2,
                                       105 * Mi},
                      // b is missing: counted at exactly the target on a scale down.
                      AverageValueCase{"MissingPodAtTargetOnScaleDown",
                                       3,
                                       100 * Mi,
                                       {pod("a"), pod("b"), pod("c")},
                                       {{"a", 10 * Mi}, {"c", 10 * Mi}},
                                       2,
                                       10 * Mi}),
    [](const ::testing::TestParamInfo<AverageValueCase>& param) { return param.param.name; });

TEST(HpaMetrics, PodMetricsSumContainersAndSkipIncompletePods) {
    auto items = std::vector<json::object>{
        json::parse(R"({"metadata":{"name":"a","namespace":"default"},
            "timestamp":"2030-01-02T03:04:05Z","window":"10s",
            "containers":[{"name":"main","usage":{"cpu":"250m","memory":"64Mi"}},
                          {"name":"side","usage":{"cpu":"50000000n","memory":"1Mi"}}]})")
            .as_object(),
        json::parse(R"({"metadata":{"name":"b","namespace":"default"},
            "timestamp":"2030-01-02T03:04:05Z","window":"1m0s",
            "containers":[{"name":"main","usage":{"memory":"64Mi"}}]})")
            .as_object(),
        json::parse(R"({"metadata":{"name":"c","namespace":"default"},"containers":[]})")
            .as_object()};
    auto cpu = podMetricsOf(items, "cpu");
    ASSERT_TRUE(cpu);
    ASSERT_EQ(cpu->size(), 1u) << "b lacks cpu, c has no containers";
    EXPECT_EQ(cpu->at("a").value, 300);
    EXPECT_EQ(cpu->at("a").window, 10s);
    EXPECT_EQ(formatTime(cpu->at("a").timestamp), "2030-01-02T03:04:05Z");
    auto memory = podMetricsOf(items, "memory", "main");
    ASSERT_FALSE(memory) << "c has no container main";
    EXPECT_EQ(memory.error().message, "container main not present in metrics for pod default/c");
    items.pop_back();
    memory = podMetricsOf(items, "memory", "main");
    ASSERT_TRUE(memory);
    EXPECT_EQ(memory->at("b").value, 64 * Mi);
    EXPECT_EQ(memory->at("b").window, 60s);
}

TEST(HpaSpec, BehaviorDefaultsAsTheApiServerFillsThem) {
    auto spec = HpaSpec::fromObject(json::parse(R"({"spec":{
        "scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
        "maxReplicas":5,
        "metrics":[{"type":"Resource","resource":{"name":"memory",
            "target":{"type":"AverageValue","averageValue":"100Mi"}}}],
        "behavior":{"scaleDown":{"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}}})")
                                        .as_object());
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->minReplicas, 1);
    EXPECT_EQ(spec->maxReplicas, 5);
    ASSERT_EQ(spec->metrics.size(), 1u);
    EXPECT_EQ(spec->metrics[0].name, "memory");
    EXPECT_EQ(spec->metrics[0].target.averageValue->milliValue(), 100 * Mi);
    ASSERT_TRUE(spec->behavior);
    const ScalingRules& up = spec->behavior->scaleUp;
    EXPECT_EQ(up.stabilizationWindowSeconds, 0);
    EXPECT_EQ(up.selectPolicy, "Max");
    ASSERT_EQ(up.policies.size(), 2u);
    EXPECT_EQ(up.policies[0].type, "Pods");
    EXPECT_EQ(up.policies[0].value, 4);
    EXPECT_EQ(up.policies[1].type, "Percent");
    EXPECT_EQ(up.policies[1].value, 100);
    EXPECT_EQ(up.policies[1].periodSeconds, 15);
    const ScalingRules& down = spec->behavior->scaleDown;
    EXPECT_EQ(down.stabilizationWindowSeconds, std::nullopt) << "the controller's 300 s applies";
    ASSERT_EQ(down.policies.size(), 1u);
    EXPECT_EQ(down.policies[0].type, "Pods");
    EXPECT_EQ(down.policies[0].periodSeconds, 60);

    auto bad = HpaSpec::fromObject(json::parse(R"({"spec":{"maxReplicas":5,
        "metrics":[{"type":"Resource","resource":{"name":"cpu",
            "target":{"type":"AverageValue","averageValue":"lots"}}}]}})")
                                       .as_object());
    ASSERT_FALSE(bad);
    EXPECT_TRUE(bad.error().message.starts_with("spec.metrics[0].resource.target.averageValue"))
        << bad.error().message;
}

/// One sync in a normalisation scenario: at `at` seconds, the target has `current` replicas and
/// the metrics ask for `desired`; the result and the conditions' reasons.
struct Step {
    int at;
    int32_t current;
    int32_t desired;
    int32_t expect;
    std::string ableToScale;
    std::string scalingLimited;
};

struct NormalizeCase {
    std::string name;
    std::string spec; ///< JSON of hpa.spec
    std::vector<Step> steps;
};

class Normalization : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(Normalization, MatchesUpstream) {
    const NormalizeCase& c = GetParam();
    auto spec =
        HpaSpec::fromObject(json::object{{"spec", json::parse(c.spec).as_object()}}).value();
    ScaleHistory history;
    bool first = true;
    for (const Step& step : c.steps) {
        TimePoint now = Now + std::chrono::seconds(step.at);
        if (first) {
            history.recordInitialRecommendation("default/web", step.current, now);
            first = false;
        }
        Normalized n = history.normalize("default/web", spec, step.current, step.desired, now);
        EXPECT_EQ(n.replicas, step.expect) << "at " << step.at;
        EXPECT_EQ(n.ableToScale.reason, step.ableToScale) << "at " << step.at;
        EXPECT_EQ(n.scalingLimited.reason, step.scalingLimited) << "at " << step.at;
        EXPECT_EQ(n.scalingLimited.status,
                  step.scalingLimited == "DesiredWithinRange" ? "False" : "True");
        if (n.replicas != step.current) {
            history.storeScaleEvent("default/web", spec.behavior, step.current, n.replicas, now);
        }
    }
}

const std::string Bounds = R"("minReplicas":2,"maxReplicas":10)";

INSTANTIATE_TEST_SUITE_P(
    Table, Normalization,
    ::testing::Values(
        NormalizeCase{"WithoutBehaviorAtMostDoubleOrFourMore",
                      "{" + Bounds + "}",
                      {{0, 2, 9, 4, "ReadyForNewScale", "ScaleUpLimit"},
                       {15, 4, 9, 8, "ReadyForNewScale", "ScaleUpLimit"},
                       {30, 8, 12, 10, "ReadyForNewScale", "TooManyReplicas"}}},
        NormalizeCase{"WithoutBehaviorMinimum",
                      "{" + Bounds + "}",
                      {{0, 3, 3, 3, "ReadyForNewScale", "DesiredWithinRange"},
                       {301, 3, 1, 2, "ReadyForNewScale", "TooFewReplicas"}}},
        // Five minutes of the highest recommendation before a scale down.
        NormalizeCase{"ScaleDownStabilisationWindow",
                      "{" + Bounds + "}",
                      {{0, 6, 6, 6, "ReadyForNewScale", "DesiredWithinRange"},
                       {15, 6, 3, 6, "ScaleDownStabilized", "DesiredWithinRange"},
                       {120, 6, 4, 6, "ScaleDownStabilized", "DesiredWithinRange"},
                       {300, 6, 3, 6, "ScaleDownStabilized", "DesiredWithinRange"},
                       {301, 6, 3, 4, "ScaleDownStabilized", "DesiredWithinRange"},
                       {421, 4, 3, 3, "ReadyForNewScale", "DesiredWithinRange"}}},
        NormalizeCase{"PodsPolicyLimitsScaleUpPerPeriod",
                      "{" + Bounds +
                          R"(,"behavior":{"scaleUp":{"policies":[
                          {"type":"Pods","value":2,"periodSeconds":60}]}}})",
                      {{0, 2, 9, 4, "ReadyForNewScale", "ScaleUpLimit"},
                       {30, 4, 9, 4, "ReadyForNewScale", "ScaleUpLimit"},
                       {61, 4, 9, 6, "ReadyForNewScale", "ScaleUpLimit"}}},
        NormalizeCase{"PercentPolicyLimitsScaleDown",
                      "{" + Bounds +
                          R"(,"behavior":{"scaleDown":{"stabilizationWindowSeconds":0,
                          "policies":[{"type":"Percent","value":50,"periodSeconds":60}]}}})",
                      {{0, 9, 2, 4, "ReadyForNewScale", "ScaleDownLimit"},
                       {30, 4, 2, 4, "ReadyForNewScale", "ScaleDownLimit"},
                       {61, 4, 2, 2, "ReadyForNewScale", "DesiredWithinRange"}}},
        // Of 4 more pods and 100% more, Min takes the smaller change; Max the larger.
        NormalizeCase{"SelectPolicyMin",
                      "{" + Bounds + R"(,"behavior":{"scaleUp":{"selectPolicy":"Min"}}})",
                      {{0, 3, 10, 6, "ReadyForNewScale", "ScaleUpLimit"}}},
        NormalizeCase{"SelectPolicyMax",
                      "{" + Bounds + R"(,"behavior":{"scaleUp":{"selectPolicy":"Max"}}})",
                      {{0, 3, 10, 7, "ReadyForNewScale", "ScaleUpLimit"}}},
        NormalizeCase{"ScaleDownDisabled",
                      "{" + Bounds +
                          R"(,"behavior":{"scaleDown":{"selectPolicy":"Disabled",
                          "stabilizationWindowSeconds":0}}})",
                      {{0, 5, 2, 5, "ReadyForNewScale", "ScaleDownLimit"}}},
        // A scale-up window: no higher than the lowest recommendation of the last minute.
        NormalizeCase{"ScaleUpStabilisationWindow",
                      "{" + Bounds +
                          R"(,"behavior":{"scaleUp":{"stabilizationWindowSeconds":60}}})",
                      {{0, 3, 3, 3, "ReadyForNewScale", "DesiredWithinRange"},
                       {15, 3, 6, 3, "ScaleUpStabilized", "DesiredWithinRange"},
                       {45, 3, 6, 3, "ScaleUpStabilized", "DesiredWithinRange"},
                       {61, 3, 6, 6, "ReadyForNewScale", "DesiredWithinRange"}}},
        // With a behavior but no scale-down window, the controller's 300 s apply.
        NormalizeCase{"BehaviorDefaultScaleDownWindow",
                      "{" + Bounds + R"(,"behavior":{}})",
                      {{0, 5, 5, 5, "ReadyForNewScale", "DesiredWithinRange"},
                       {60, 5, 2, 5, "ScaleDownStabilized", "DesiredWithinRange"},
                       {301, 5, 2, 2, "ReadyForNewScale", "DesiredWithinRange"}}}),
    [](const ::testing::TestParamInfo<NormalizeCase>& param) { return param.param.name; });

} // namespace
} // namespace pilot::controllers::hpa
