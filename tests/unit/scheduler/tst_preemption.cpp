// Preemption: which pods are evicted and which node the preemptor is nominated to.

#include "engine/scheduler/preemption.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace pilot::scheduler::test {
namespace {

struct PreemptionCase {
    std::string name;
    std::vector<json::object> nodes;
    std::vector<json::object> pods;
    json::object pod;
    std::string nominated;            ///< expected node; empty: preemption does not help
    std::vector<std::string> victims; ///< expected victims, sorted by name
    std::string message;              ///< expected FailedScheduling message
};

std::vector<PreemptionCase> cases() {
    return {
        {"lower_priority_pod_evicted_higher_kept",
         {TestNode("n1").cpu("4")},
         {TestPod("low").priority(1).cpu("2").node("n1"),
          TestPod("mid").priority(5).cpu("2").node("n1")},
         TestPod("p").priority(10).cpu("2"),
         "n1",
         {"low"},
         "0/1 nodes are available: 1 Insufficient cpu."},
        {"reprieves_the_most_important_first",
         {TestNode("n1").cpu("4")},
         {TestPod("a").priority(1).cpu("1").node("n1").started("2030-01-01T00:00:01Z"),
          TestPod("b").priority(1).cpu("1").node("n1").started("2030-01-01T00:00:02Z"),
          TestPod("c").priority(1).cpu("2").node("n1").started("2030-01-01T00:00:03Z")},
         TestPod("p").priority(10).cpu("2"),
         "n1",
         {"c"},
         "0/1 nodes are available: 1 Insufficient cpu."},
        {"node_with_lowest_priority_victims_chosen",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("2")},
         {TestPod("important").priority(5).cpu("2").node("n1"),
          TestPod("cheap").priority(1).cpu("2").node("n2")},
         TestPod("p").priority(10).cpu("2"),
         "n2",
         {"cheap"},
         "0/2 nodes are available: 2 Insufficient cpu."},
        {"node_with_fewest_victims_chosen",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("2")},
         {TestPod("x1").priority(1).cpu("1").node("n1"),
          TestPod("x2").priority(1).cpu("1").node("n1"),
          TestPod("y1").priority(1).cpu("2").node("n2")},
         TestPod("p").priority(10).cpu("2"),
         "n2",
         {"y1"},
         "0/2 nodes are available: 2 Insufficient cpu."},
        {"equal_priority_is_not_preempted",
         {TestNode("n1").cpu("2")},
         {TestPod("peer").priority(10).cpu("2").node("n1")},
         TestPod("p").priority(10).cpu("1"),
         "",
         {},
         "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No "
         "preemption victims found for incoming pod."},
        {"still_no_room_after_evicting",
         {TestNode("n1").cpu("4")},
         {TestPod("high").priority(100).cpu("3").node("n1"),
          TestPod("low").priority(1).cpu("1").node("n1")},
         TestPod("p").priority(10).cpu("2"),
         "",
         {},
         "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 "
         "Insufficient cpu."},
        {"anti_affinity_resolved_by_eviction",
         {TestNode("n1")},
         {TestPod("w").priority(1).label("app", "web").node("n1")},
         TestPod("p").priority(10).label("app", "web").antiAffinity("app", "web"),
         "n1",
         {"w"},
         "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."},
        {"unresolvable_nodes_skipped",
         {TestNode("tainted").cpu("2").taint("dedicated", "x", "NoSchedule"),
          TestNode("n1").cpu("2")},
         {TestPod("t").priority(1).cpu("2").node("tainted"),
          TestPod("l").priority(1).cpu("2").node("n1")},
         TestPod("p").priority(10).cpu("2"),
         "n1",
         {"l"},
         "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
         "{dedicated: x}."},
    };
}

class Preemption : public ::testing::TestWithParam<PreemptionCase> {};

TEST_P(Preemption, ChoosesVictims) {
    const PreemptionCase& c = GetParam();
    SchedulerCache cache;
    fill(cache, c.nodes, c.pods);
    GenericScheduler algorithm(AlgorithmOptions{.seed = 3});
    Preemptor preemptor(algorithm.random());
    CycleOutcome outcome = scheduleWithPreemption(algorithm, preemptor, *podInfo(c.pod), cache);
    ASSERT_TRUE(outcome.result.node.empty());
    ASSERT_TRUE(outcome.preemption);
    EXPECT_EQ(outcome.preemption->nominatedNode, c.nominated);
    std::vector<std::string> victims;
    for (const PodInfoPtr& v : outcome.preemption->victims) {
        victims.push_back(v->name);
    }
    std::sort(victims.begin(), victims.end());
    EXPECT_EQ(victims, c.victims);
    EXPECT_EQ(outcome.message, c.message);
}

INSTANTIATE_TEST_SUITE_P(Victims, Preemption, ::testing::ValuesIn(cases()),
                         [](const auto& param) { return param.param.name; });

TEST(PreemptionRules, TerminatingVictimOnNominatedNodeMeansWait) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1").cpu("2")},
         {TestPod("going").priority(1).cpu("2").node("n1").terminating()});
    json::object pod = TestPod("p").priority(10).cpu("2");
    pod["status"].as_object()["nominatedNodeName"] = "n1";
    GenericScheduler algorithm(AlgorithmOptions{.seed = 3});
    Preemptor preemptor(algorithm.random());
    CycleOutcome outcome = scheduleWithPreemption(algorithm, preemptor, *podInfo(pod), cache);
    ASSERT_TRUE(outcome.preemption);
    EXPECT_TRUE(outcome.preemption->nominatedNode.empty());
    EXPECT_EQ(outcome.message, "0/1 nodes are available: 1 Insufficient cpu. preemption: not "
                               "eligible due to a terminating pod on the nominated node.");
}

TEST(PreemptionRules, NominatedPodsReserveTheirRoom) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1").cpu("4"), TestNode("n2").cpu("4")},
         {TestPod("other").cpu("2").node("n2")});
    PodInfoPtr waiting = podInfo(TestPod("waiting").priority(10).cpu("3"));
    cache.setNomination(waiting, "n1");
    GenericScheduler algorithm(AlgorithmOptions{.seed = 3});
    // Lower priority: n1 is reserved for the nominated pod; n2 has room.
    PodInfoPtr lower = podInfo(TestPod("lower").priority(5).cpu("2"));
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(algorithm.schedule(*lower, cache).node, "n2");
    }
    // Higher priority ignores the reservation.
    PodInfoPtr higher = podInfo(TestPod("higher").priority(20).cpu("3"));
    EXPECT_EQ(algorithm.schedule(*higher, cache).node, "n1");
    // Once the nomination is gone the room is free again.
    cache.clearNomination(waiting->uid);
    PodInfoPtr big = podInfo(TestPod("big").priority(5).cpu("3"));
    EXPECT_EQ(algorithm.schedule(*big, cache).node, "n1");
}

TEST(PreemptionRules, NominatedNodeTriedFirst) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1"), TestNode("n2"), TestNode("n3")});
    json::object pod = TestPod("p");
    pod["status"].as_object()["nominatedNodeName"] = "n3";
    GenericScheduler algorithm(AlgorithmOptions{.seed = 3});
    ScheduleResult result = algorithm.schedule(*podInfo(pod), cache);
    EXPECT_EQ(result.node, "n3");
    EXPECT_EQ(result.evaluatedNodes, 1u);
}

} // namespace
} // namespace pilot::scheduler::test
