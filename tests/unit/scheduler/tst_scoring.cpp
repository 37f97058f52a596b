// Scoring: which feasible node wins under upstream's default score plugins and weights.

#include "engine/scheduler/genericscheduler.h"
#include "engine/scheduler/scoring.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace pilot::scheduler::test {
namespace {

struct ScoringCase {
    std::string name;
    std::vector<json::object> nodes;
    std::vector<json::object> pods;
    json::object pod;
    std::set<std::string> best; ///< the nodes with the highest total score
};

std::vector<ScoringCase> cases() {
    return {
        {"least_allocated_prefers_emptier_node",
         {TestNode("busy"), TestNode("idle")},
         {TestPod("a").cpu("3").memory("6Gi").node("busy")},
         TestPod("p").cpu("500m").memory("1Gi"),
         {"idle"}},
        {"best_effort_pods_spread_by_nonzero_requests",
         {TestNode("n1"), TestNode("n2")},
         {TestPod("a").node("n1"), TestPod("b").node("n1")},
         TestPod("p"),
         {"n2"}},
        {"balanced_allocation_prefers_even_use",
         // Equal free share overall, but n2 would be lopsided (all cpu, no memory).
         {TestNode("n1").cpu("4").memory("4Gi"), TestNode("n2").cpu("4").memory("4Gi")},
         {TestPod("a").cpu("1").memory("1Gi").node("n1"),
          TestPod("b").cpu("2").memory("0").node("n2")},
         TestPod("p").cpu("1").memory("1Gi"),
         {"n1"}},
        {"preferred_node_affinity",
         {TestNode("n1").label("disk", "ssd"), TestNode("n2").label("disk", "hdd"),
          TestNode("n3").label("disk", "ssd").label("zone", "a")},
         {},
         TestPod("p").affinity(
             R"({"nodeAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
             {"weight":10,"preference":{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}},
             {"weight":5,"preference":{"matchExpressions":[{"key":"zone","operator":"Exists"}]}}]}})"),
         {"n3"}},
        {"prefer_no_schedule_taint_avoided",
         {TestNode("n1").taint("soft", "x", "PreferNoSchedule"), TestNode("n2")},
         {},
         TestPod("p"),
         {"n2"}},
        {"prefer_no_schedule_tolerated",
         {TestNode("n1").taint("soft", "x", "PreferNoSchedule"),
          TestNode("n2").taint("other", "y", "PreferNoSchedule")},
         {},
         TestPod("p").toleration("soft", "Equal", "x", "PreferNoSchedule"),
         {"n1"}},
        {"preferred_pod_affinity",
         {TestNode("n1").label("zone", "a"), TestNode("n2").label("zone", "b"),
          TestNode("n3").label("zone", "b")},
         {TestPod("cache").label("app", "cache").node("n1")},
         TestPod("p").affinity(
             R"({"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
             {"weight":50,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"cache"}},
              "topologyKey":"zone"}}]}})"),
         {"n1"}},
        {"preferred_pod_anti_affinity",
         {TestNode("n1").label("zone", "a"), TestNode("n2").label("zone", "a"),
          TestNode("n3").label("zone", "b")},
         {TestPod("w").label("app", "web").node("n1")},
         TestPod("p")
             .label("app", "web")
             .affinity(
                 R"({"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
             {"weight":100,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"web"}},
              "topologyKey":"zone"}}]}})"),
         {"n3"}},
        {"existing_pods_preferred_affinity_attracts",
         {TestNode("n1"), TestNode("n2"), TestNode("n3")},
         {TestPod("friend").node("n2").affinity(
             R"({"podAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[
             {"weight":80,"podAffinityTerm":{"labelSelector":{"matchLabels":{"app":"web"}},
              "topologyKey":"kubernetes.io/hostname"}}]}})")},
         TestPod("p").label("app", "web"),
         {"n2"}},
        {"spread_schedule_anyway",
         {TestNode("a1").label("zone", "a"), TestNode("a2").label("zone", "a"),
          TestNode("b1").label("zone", "b")},
         {TestPod("w1").label("app", "web").node("a1"),
          TestPod("w2").label("app", "web").node("a2")},
         TestPod("p").label("app", "web").spread(1, "zone", "ScheduleAnyway", "app", "web"),
         {"b1"}},
        {"image_locality",
         {TestNode("n1").image("registry.example/big:2", 800LL * 1024 * 1024), TestNode("n2")},
         {},
         TestPod("p").image("registry.example/big:2"),
         {"n1"}},
    };
}

class Scoring : public ::testing::TestWithParam<ScoringCase> {};

TEST_P(Scoring, PicksBestNode) {
    const ScoringCase& c = GetParam();
    SchedulerCache cache;
    fill(cache, c.nodes, c.pods);
    PodInfoPtr pod = podInfo(c.pod);
    std::vector<const NodeInfo*> nodes(cache.nodes().begin(), cache.nodes().end());
    std::vector<int64_t> totals;
    scoreNodes(*pod, nodes, cache, ScoreWeights{}, totals);
    int64_t best = *std::max_element(totals.begin(), totals.end());
    std::set<std::string> winners;
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (totals[i] == best) {
            winners.insert(nodes[i]->name());
        }
    }
    EXPECT_EQ(winners, c.best);

    GenericScheduler algorithm(AlgorithmOptions{.seed = 11});
    for (int i = 0; i < 5; ++i) {
        ScheduleResult result = algorithm.schedule(*pod, cache);
        EXPECT_TRUE(c.best.contains(result.node)) << result.node;
    }
}

INSTANTIATE_TEST_SUITE_P(Plugins, Scoring, ::testing::ValuesIn(cases()),
                         [](const auto& param) { return param.param.name; });

TEST(ScoringMath, LeastAllocatedAndBalancedMatchUpstreamFormulas) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1").cpu("4").memory("8Gi")},
         {TestPod("a").cpu("1").memory("2Gi").node("n1")});
    PodInfoPtr pod = podInfo(TestPod("p").cpu("1").memory("2Gi"));
    const NodeInfo& node = *cache.nodeInfo("n1");
    // cpu (4000-2000)*100/4000 = 50, memory (8-4)*100/8 = 50
    EXPECT_EQ(leastAllocatedScore(*pod, node), 50);
    // fractions 0.5 and 0.5: no deviation
    EXPECT_EQ(balancedAllocationScore(*pod, node), 100);
    PodInfoPtr cpuHeavy = podInfo(TestPod("q").cpu("3").memory("0"));
    // cpu 4000/4000 = 1.0, memory 2/8 = 0.25 -> std 0.375 -> 62
    EXPECT_EQ(balancedAllocationScore(*cpuHeavy, node), 62);
}

TEST(ScoringMath, RandomTieBreakReachesEveryBestNode) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1"), TestNode("n2"), TestNode("n3")});
    GenericScheduler algorithm(AlgorithmOptions{.seed = 5});
    std::map<std::string, int> picks;
    PodInfoPtr pod = podInfo(TestPod("p"));
    for (int i = 0; i < 300; ++i) {
        ++picks[algorithm.schedule(*pod, cache).node];
    }
    ASSERT_EQ(picks.size(), 3u);
    for (const auto& [node, count] : picks) {
        EXPECT_GT(count, 50) << node;
    }
}

} // namespace
} // namespace pilot::scheduler::test
