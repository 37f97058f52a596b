// Table-driven placements per filter plugin: where a pod may go, and when it fits nowhere the
// FailedScheduling message kube-scheduler would write.

#include "engine/scheduler/filters.h"
#include "engine/scheduler/genericscheduler.h"
#include "engine/scheduler/preemption.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <gtest/gtest.h>

#include <set>

namespace pilot::scheduler::test {
namespace {

struct PlacementCase {
    std::string name;
    std::vector<json::object> nodes;
    std::vector<json::object> pods; ///< already bound
    json::object pod;
    std::set<std::string> fits; ///< every node the pod may go to; empty: none
    std::string message;        ///< FailedScheduling message when it fits nowhere
};

std::set<std::string> feasibleNodes(const PodInfo& pod, const SchedulerCache& cache) {
    CycleState state = prepareCycle(pod, cache);
    std::set<std::string> out;
    for (const NodeInfo* node : cache.nodes()) {
        NodeStatus status;
        if (filterNode(state, *node, nullptr, status)) {
            out.insert(node->name());
        }
    }
    return out;
}

json::array containers(std::initializer_list<std::pair<std::string, std::string>> cpus,
                       bool sidecar = false) {
    json::array out;
    int i = 0;
    for (const auto& [name, cpu] : cpus) {
        json::object c{{"name", name + std::to_string(i++)},
                       {"image", "busybox"},
                       {"resources", json::object{{"requests", json::object{{"cpu", cpu}}}}}};
        if (sidecar && name == "sidecar") {
            c["restartPolicy"] = "Always";
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<PlacementCase> resourceCases() {
    return {
        {"cpu_fits_bigger_node",
         {TestNode("n1").cpu("1"), TestNode("n2").cpu("4")},
         {},
         TestPod("p").cpu("2"),
         {"n2"},
         {}},
        {"cpu_counts_bound_pods",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("2")},
         {TestPod("a").cpu("1500m").node("n1")},
         TestPod("p").cpu("1"),
         {"n2"},
         {}},
        {"insufficient_cpu_without_victims",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("2")},
         {TestPod("a").cpu("1500m").node("n1"), TestPod("b").cpu("1500m").node("n2")},
         TestPod("p").cpu("1"),
         {},
         "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 "
         "No preemption victims found for incoming pod."},
        {"request_above_allocatable_is_not_helped_by_preemption",
         {TestNode("n1").cpu("1"), TestNode("n2").cpu("1"), TestNode("n3").cpu("1")},
         {},
         TestPod("p").cpu("2"),
         {},
         "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 "
         "Preemption is not helpful for scheduling."},
        {"insufficient_memory",
         {TestNode("n1").memory("1Gi")},
         {TestPod("a").memory("512Mi").node("n1")},
         TestPod("p").memory("768Mi"),
         {},
         "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: "
         "1 No preemption victims found for incoming pod."},
        {"cpu_and_memory_both_reported",
         {TestNode("n1").cpu("1").memory("1Gi")},
         {TestPod("a").cpu("500m").memory("512Mi").node("n1")},
         TestPod("p").cpu("800m").memory("768Mi"),
         {},
         "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 "
         "nodes are available: 1 No preemption victims found for incoming pod."},
        {"too_many_pods",
         {TestNode("n1").pods("1"), TestNode("n2").pods("2")},
         {TestPod("a").node("n1"), TestPod("b").node("n2")},
         TestPod("p"),
         {"n2"},
         {}},
        {"extended_resource",
         {TestNode("n1").set("example.com/gpu", "1"), TestNode("n2").set("example.com/gpu", "2"),
          TestNode("n3")},
         {},
         TestPod("p").request("example.com/gpu", "2"),
         {"n2"},
         {}},
        {"extended_resource_missing_everywhere",
         {TestNode("n1"), TestNode("n2")},
         {},
         TestPod("p").request("example.com/gpu", "1"),
         {},
         "0/2 nodes are available: 2 Insufficient example.com/gpu. preemption: 0/2 nodes are "
         "available: 2 Preemption is not helpful for scheduling."},
        {"ephemeral_storage",
         {TestNode("n1").set("ephemeral-storage", "1Gi"),
          TestNode("n2").set("ephemeral-storage", "10Gi")},
         {},
         TestPod("p").request("ephemeral-storage", "2Gi"),
         {"n2"},
         {}},
        {"init_container_max_counts",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("3")},
         {},
         TestPod("p").cpu("1").spec("initContainers", containers({{"init", "3"}})),
         {"n2"},
         {}},
        {"sidecar_runs_beside_later_init_containers",
         // sum(app 1, sidecar 1) = 2; init after the sidecar: 1.5 + 1 = 2.5 -> 2.5 cpu
         {TestNode("n1").cpu("2400m"), TestNode("n2").cpu("2500m")},
         {},
         TestPod("p").cpu("1").spec("initContainers",
                                    containers({{"sidecar", "1"}, {"init", "1500m"}}, true)),
         {"n2"},
         {}},
        {"overhead_added",
         {TestNode("n1").cpu("2"), TestNode("n2").cpu("3")},
         {},
         TestPod("p").cpu("1500m").spec("overhead", json::object{{"cpu", "1"}}),
         {"n2"},
         {}},
    };
}

std::vector<PlacementCase> nodeCases() {
    return {
        {"unschedulable_node_skipped",
         {TestNode("n1").unschedulable(), TestNode("n2")},
         {},
         TestPod("p"),
         {"n2"},
         {}},
        {"unschedulable_tolerated",
         {TestNode("n1").unschedulable(), TestNode("n2")},
         {},
         TestPod("p").toleration("node.kubernetes.io/unschedulable", "Exists", "", "NoSchedule"),
         {"n1", "n2"},
         {}},
        {"all_unschedulable",
         {TestNode("n1").unschedulable()},
         {},
         TestPod("p"),
         {},
         "0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are "
         "available: 1 Preemption is not helpful for scheduling."},
        {"node_selector",
         {TestNode("n1").label("disk", "ssd"), TestNode("n2").label("disk", "hdd"), TestNode("n3")},
         {},
         TestPod("p").nodeSelector("disk", "ssd"),
         {"n1"},
         {}},
        {"node_selector_matches_nothing",
         {TestNode("n1"), TestNode("n2")},
         {},
         TestPod("p").nodeSelector("disk", "nvme"),
         {},
         "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. "
         "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."},
        {"affinity_in_and_not_in",
         {TestNode("n1").label("zone", "a"), TestNode("n2").label("zone", "b"),
          TestNode("n3").label("zone", "c")},
         {},
         TestPod("p").affinity(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
             {"nodeSelectorTerms":[{"matchExpressions":[
                 {"key":"zone","operator":"In","values":["a","b"]},
                 {"key":"zone","operator":"NotIn","values":["b"]}]}]}}})"),
         {"n1"},
         {}},
        {"affinity_exists_and_does_not_exist",
         {TestNode("n1").label("gpu", "yes"), TestNode("n2").label("gpu", "yes").label("old", "1"),
          TestNode("n3")},
         {},
         TestPod("p").affinity(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
             {"nodeSelectorTerms":[{"matchExpressions":[
                 {"key":"gpu","operator":"Exists"},
                 {"key":"old","operator":"DoesNotExist"}]}]}}})"),
         {"n1"},
         {}},
        {"affinity_gt_lt",
         {TestNode("n1").label("cores", "4"), TestNode("n2").label("cores", "16"),
          TestNode("n3").label("cores", "64"), TestNode("n4").label("cores", "many")},
         {},
         TestPod("p").affinity(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
             {"nodeSelectorTerms":[{"matchExpressions":[
                 {"key":"cores","operator":"Gt","values":["8"]},
                 {"key":"cores","operator":"Lt","values":["32"]}]}]}}})"),
         {"n2"},
         {}},
        {"affinity_terms_are_ored_and_match_fields",
         {TestNode("n1").label("zone", "a"), TestNode("n2"), TestNode("n3")},
         {},
         TestPod("p").affinity(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
             {"nodeSelectorTerms":[
                 {"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]},
                 {"matchFields":[{"key":"metadata.name","operator":"In","values":["n3"]}]}]}}})"),
         {"n1", "n3"},
         {}},
        {"untolerated_taint",
         {TestNode("cp").taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
          TestNode("n1").taint("dedicated", "gpu", "NoExecute"), TestNode("n2")},
         {},
         TestPod("p"),
         {"n2"},
         {}},
        {"toleration_equal_and_exists",
         {TestNode("n1").taint("dedicated", "gpu", "NoSchedule"),
          TestNode("n2").taint("dedicated", "db", "NoSchedule"),
          TestNode("n3").taint("special", "x", "NoExecute")},
         {},
         TestPod("p")
             .toleration("dedicated", "Equal", "gpu", "NoSchedule")
             .toleration("special", "Exists", "", ""),
         {"n1", "n3"},
         {}},
        {"prefer_no_schedule_does_not_filter",
         {TestNode("n1").taint("soft", "x", "PreferNoSchedule")},
         {},
         TestPod("p"),
         {"n1"},
         {}},
        {"taint_message",
         {TestNode("cp").taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
          TestNode("n1").taint("dedicated", "gpu", "NoSchedule")},
         {},
         TestPod("p"),
         {},
         "0/2 nodes are available: 1 node(s) had untolerated taint "
         "{dedicated: gpu}, 1 node(s) had untolerated taint "
         "{node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 2 "
         "Preemption is not helpful for scheduling."},
        {"host_port_conflict",
         {TestNode("n1"), TestNode("n2")},
         {TestPod("a").hostPort(8080).node("n1")},
         TestPod("p").hostPort(8080),
         {"n2"},
         {}},
        {"host_port_message",
         {TestNode("n1")},
         {TestPod("a").hostPort(8080).node("n1")},
         TestPod("p").hostPort(8080),
         {},
         "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod "
         "ports. preemption: 0/1 nodes are available: 1 No preemption victims found for "
         "incoming pod."},
        {"mixed_reasons_sorted_as_upstream",
         {TestNode("cp").taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"),
          TestNode("n1").cpu("2"), TestNode("n2").cpu("2")},
         {TestPod("a").cpu("1500m").node("n1"), TestPod("b").cpu("1500m").node("n2")},
         TestPod("p").cpu("1"),
         {},
         "0/3 nodes are available: 1 node(s) had untolerated taint "
         "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes "
         "are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims "
         "found for incoming pod."},
        {"preemption_policy_never",
         {TestNode("n1").cpu("1")},
         {TestPod("a").cpu("1").node("n1")},
         TestPod("p").cpu("1").priority(100).spec("preemptionPolicy", "Never"),
         {},
         "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
         "preemptionPolicy=Never."},
    };
}

std::vector<PlacementCase> podCases() {
    auto zoneNodes = [] {
        return std::vector<json::object>{TestNode("a1").label("zone", "a"),
                                         TestNode("a2").label("zone", "a"),
                                         TestNode("b1").label("zone", "b"),
                                         TestNode("b2").label("zone", "b"), TestNode("nozone")};
    };
    return {
        {"required_affinity_follows_matching_pod_zone",
         zoneNodes(),
         {TestPod("db").label("app", "db").node("b1")},
         TestPod("p").affinity(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
             {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}})"),
         {"b1", "b2"},
         {}},
        {"required_affinity_no_match",
         zoneNodes(),
         {},
         TestPod("p").affinity(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
             {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}})"),
         {},
         "0/5 nodes are available: 5 node(s) didn't match pod affinity rules. preemption: 0/5 "
         "nodes are available: 5 Preemption is not helpful for scheduling."},
        {"first_pod_with_self_affinity_goes_where_the_key_exists",
         zoneNodes(),
         {},
         TestPod("p")
             .label("app", "web")
             .affinity(
                 R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
             {"labelSelector":{"matchLabels":{"app":"web"}},"topologyKey":"zone"}]}})"),
         {"a1", "a2", "b1", "b2"},
         {}},
        {"affinity_in_other_namespace_does_not_count",
         zoneNodes(),
         {TestPod("db", "other").label("app", "db").node("b1")},
         TestPod("p").affinity(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
             {"labelSelector":{"matchLabels":{"app":"db"}},"topologyKey":"zone"}]}})"),
         {},
         "0/5 nodes are available: 5 node(s) didn't match pod affinity rules. preemption: 0/5 "
         "nodes are available: 5 Preemption is not helpful for scheduling."},
        {"affinity_namespaces_list",
         zoneNodes(),
         {TestPod("db", "other").label("app", "db").node("a2")},
         TestPod("p").affinity(R"({"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[
             {"labelSelector":{"matchLabels":{"app":"db"}},"namespaces":["other"],
              "topologyKey":"zone"}]}})"),
         {"a1", "a2"},
         {}},
        {"anti_affinity_on_hostname",
         {TestNode("n1"), TestNode("n2"), TestNode("n3")},
         {TestPod("w1").label("app", "web").node("n1"),
          TestPod("w2").label("app", "web").node("n3")},
         TestPod("p").label("app", "web").antiAffinity("app", "web"),
         {"n2"},
         {}},
        {"anti_affinity_on_zone",
         zoneNodes(),
         {TestPod("w1").label("app", "web").node("a1")},
         TestPod("p").label("app", "web").antiAffinity("app", "web", "zone"),
         {"b1", "b2", "nozone"},
         {}},
        {"anti_affinity_message",
         {TestNode("n1"), TestNode("n2")},
         {TestPod("w1").label("app", "web").node("n1"),
          TestPod("w2").label("app", "web").node("n2")},
         TestPod("p").label("app", "web").antiAffinity("app", "web"),
         {},
         "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: "
         "0/2 nodes are available: 2 No preemption victims found for incoming pod."},
        {"existing_pods_anti_affinity",
         {TestNode("n1"), TestNode("n2")},
         {TestPod("loner").label("app", "loner").antiAffinity("app", "web").node("n1")},
         TestPod("p").label("app", "web"),
         {"n2"},
         {}},
        {"existing_pods_anti_affinity_message",
         {TestNode("n1")},
         {TestPod("loner").label("app", "loner").antiAffinity("app", "web").node("n1")},
         TestPod("p").label("app", "web"),
         {},
         "0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. "
         "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."},
        {"spread_do_not_schedule_prefers_emptier_zone",
         zoneNodes(),
         {TestPod("w1").label("app", "web").node("a1"),
          TestPod("w2").label("app", "web").node("a2")},
         TestPod("p").label("app", "web").spread(1, "zone", "DoNotSchedule", "app", "web"),
         {"b1", "b2"},
         {}},
        {"spread_message_and_missing_label",
         {TestNode("a1").label("zone", "a"), TestNode("b1").label("zone", "b"), TestNode("nozone")},
         {TestPod("w1").label("app", "web").node("a1"),
          TestPod("w2").label("app", "web").node("a1"), TestPod("x").cpu("4").node("b1")},
         TestPod("p").label("app", "web").cpu("1").spread(1, "zone", "DoNotSchedule", "app", "web"),
         {},
         "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology "
         "spread constraints, 1 node(s) didn't match pod topology spread constraints (missing "
         "required label). preemption: 0/3 nodes are available: 1 Preemption is not helpful "
         "for scheduling, 2 No preemption victims found for incoming pod."},
        {"spread_terminating_pods_not_counted",
         {TestNode("a1").label("zone", "a"), TestNode("b1").label("zone", "b")},
         {TestPod("w1").label("app", "web").node("a1").terminating()},
         TestPod("p").label("app", "web").spread(1, "zone", "DoNotSchedule", "app", "web"),
         {"a1", "b1"},
         {}},
    };
}

std::vector<PlacementCase> allCases() {
    std::vector<PlacementCase> all = resourceCases();
    for (auto& c : nodeCases()) {
        all.push_back(std::move(c));
    }
    for (auto& c : podCases()) {
        all.push_back(std::move(c));
    }
    return all;
}

class Placement : public ::testing::TestWithParam<PlacementCase> {};

TEST_P(Placement, PlacesOrExplains) {
    const PlacementCase& c = GetParam();
    SchedulerCache cache;
    fill(cache, c.nodes, c.pods);
    PodInfoPtr pod = podInfo(c.pod);
    ASSERT_TRUE(pod->parseError.empty()) << pod->parseError;

    EXPECT_EQ(feasibleNodes(*pod, cache), c.fits);

    GenericScheduler algorithm(AlgorithmOptions{.seed = 7});
    Preemptor preemptor(algorithm.random());
    for (int attempt = 0; attempt < 6; ++attempt) {
        CycleOutcome outcome = scheduleWithPreemption(algorithm, preemptor, *pod, cache);
        if (c.fits.empty()) {
            EXPECT_TRUE(outcome.result.node.empty());
            EXPECT_EQ(outcome.message, c.message);
            EXPECT_EQ(outcome.reason, "Unschedulable");
        } else {
            EXPECT_TRUE(c.fits.contains(outcome.result.node)) << outcome.result.node;
            EXPECT_TRUE(outcome.message.empty()) << outcome.message;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Plugins, Placement, ::testing::ValuesIn(allCases()),
                         [](const auto& param) { return param.param.name; });

TEST(Filters, NodeNameOnlyMatchesItsNode) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1"), TestNode("n2")});
    PodInfoPtr pod = podInfo(TestPod("p").node("n2"));
    EXPECT_EQ(feasibleNodes(*pod, cache), (std::set<std::string>{"n2"}));
    CycleState state = prepareCycle(*pod, cache);
    NodeStatus status;
    ASSERT_FALSE(filterNode(state, *cache.nodeInfo("n1"), nullptr, status));
    EXPECT_EQ(status.reasons,
              std::vector<std::string>{"node(s) didn't match the requested node name"});
}

TEST(Filters, NoNodesIsASchedulerError) {
    SchedulerCache cache;
    GenericScheduler algorithm;
    Preemptor preemptor(algorithm.random());
    CycleOutcome outcome =
        scheduleWithPreemption(algorithm, preemptor, *podInfo(TestPod("p")), cache);
    EXPECT_EQ(outcome.message, "no nodes available to schedule pods");
    EXPECT_EQ(outcome.reason, "SchedulerError");
}

TEST(Filters, AssumedPodsCountUntilForgotten) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1").cpu("2")});
    PodInfoPtr first = podInfo(TestPod("first").cpu("1500m"));
    cache.assumePod(withNodeName(first, "n1"));
    PodInfoPtr second = podInfo(TestPod("second").cpu("1"));
    EXPECT_TRUE(feasibleNodes(*second, cache).empty());
    // The informer confirms the binding: still counted once.
    cache.addOrUpdatePod(podInfo(TestPod("first").cpu("1500m").node("n1")));
    EXPECT_FALSE(cache.isAssumed(first->uid));
    EXPECT_EQ(cache.nodeInfo("n1")->requested().milliCpu, 1500);
    EXPECT_TRUE(feasibleNodes(*second, cache).empty());
    // A failed binding forgets an assumed pod; a confirmed one stays.
    cache.forgetPod(first->uid);
    EXPECT_TRUE(feasibleNodes(*second, cache).empty());
    PodInfoPtr third = podInfo(TestPod("third").cpu("1500m"));
    cache.removePod(first->uid);
    cache.assumePod(withNodeName(third, "n1"));
    EXPECT_TRUE(feasibleNodes(*second, cache).empty());
    cache.forgetPod(third->uid);
    EXPECT_EQ(feasibleNodes(*second, cache), (std::set<std::string>{"n1"}));
}

TEST(Filters, NodeRelabelMovesTopologyCounts) {
    SchedulerCache cache;
    fill(cache, {TestNode("n1").label("zone", "a"), TestNode("n2").label("zone", "b")},
         {TestPod("w1").label("app", "web").node("n1")});
    PodInfoPtr pod = podInfo(TestPod("p").label("app", "web").antiAffinity("app", "web", "zone"));
    EXPECT_EQ(feasibleNodes(*pod, cache), (std::set<std::string>{"n2"}));
    cache.upsertNode(makeNodeSpec(share(TestNode("n1").label("zone", "b"))));
    EXPECT_EQ(feasibleNodes(*pod, cache), (std::set<std::string>{}));
    cache.upsertNode(makeNodeSpec(share(TestNode("n1").label("zone", "c"))));
    EXPECT_EQ(feasibleNodes(*pod, cache), (std::set<std::string>{"n2"}));
}

TEST(Filters, PodsBeforeTheirNodeAreCountedWhenItArrives) {
    SchedulerCache cache;
    cache.addOrUpdatePod(podInfo(TestPod("w1").label("app", "web").cpu("3").node("n1")));
    fill(cache, {TestNode("n1"), TestNode("n2")});
    PodInfoPtr pod = podInfo(TestPod("p").label("app", "web").cpu("2").antiAffinity("app", "web"));
    EXPECT_EQ(feasibleNodes(*pod, cache), (std::set<std::string>{"n2"}));
    EXPECT_EQ(cache.nodeInfo("n1")->requested().milliCpu, 3000);
}

TEST(Filters, PercentageOfNodesToScoreIsAdaptive) {
    GenericScheduler algorithm;
    EXPECT_EQ(algorithm.numFeasibleNodesToFind(50), 50);
    EXPECT_EQ(algorithm.numFeasibleNodesToFind(150), 100);   // 49% of 150 = 73 -> at least 100
    EXPECT_EQ(algorithm.numFeasibleNodesToFind(1000), 420);  // 42%
    EXPECT_EQ(algorithm.numFeasibleNodesToFind(5000), 500);  // 10%
    EXPECT_EQ(algorithm.numFeasibleNodesToFind(10000), 500); // floor of 5%
    GenericScheduler fixed(AlgorithmOptions{.percentageOfNodesToScore = 100});
    EXPECT_EQ(fixed.numFeasibleNodesToFind(5000), 5000);
}

TEST(Filters, SamplingStopsAfterEnoughFeasibleNodes) {
    SchedulerCache cache;
    std::vector<json::object> nodes;
    for (int i = 0; i < 1000; ++i) {
        nodes.push_back(TestNode("node-" + std::to_string(i)));
    }
    fill(cache, nodes);
    GenericScheduler algorithm(AlgorithmOptions{.seed = 3});
    ScheduleResult first = algorithm.schedule(*podInfo(TestPod("a")), cache);
    EXPECT_EQ(first.evaluatedNodes, 420u);
    EXPECT_EQ(first.feasibleNodes, 420u);
    // The next pod starts where the previous search stopped.
    ScheduleResult second = algorithm.schedule(*podInfo(TestPod("b")), cache);
    EXPECT_EQ(second.evaluatedNodes, 420u);
}

} // namespace
} // namespace pilot::scheduler::test
