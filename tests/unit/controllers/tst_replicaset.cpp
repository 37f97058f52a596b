// The ReplicaSet controller (and the ReplicationController flavour of it) over the in-process
// API: pods created, adopted, released and deleted as upstream does, expectations, status,
// ReplicaFailure and Events; plus the pure parts (deletion order, slow start, expectations,
// the pod-template hash).

#include "engine/controllers/common/expectations.h"
#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/replicaset/podranking.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"
#include "engine/controllers/replicaset/replicationmanager.h"
#include "engine/controllers/replicaset/slowstartbatch.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

json::object replicaSet(const std::string& name, int64_t replicas, int64_t minReadySeconds = 0) {
    json::object container{{"name", "main"}, {"image", "nginx:1.25"}};
    json::object podSpec{{"containers", json::array{container}}};
    json::object templateLabels{{"app", name}, {"tier", "web"}};
    json::object tmpl{{"metadata", json::object{{"labels", templateLabels}}}, {"spec", podSpec}};
    json::object spec{{"replicas", replicas},
                      {"selector", json::object{{"matchLabels", json::object{{"app", name}}}}},
                      {"template", tmpl}};
    if (minReadySeconds > 0) {
        spec["minReadySeconds"] = minReadySeconds;
    }
    return json::object{{"apiVersion", "apps/v1"},
                        {"kind", "ReplicaSet"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", std::move(spec)}};
}

json::object orphanPod(const std::string& name, json::object labels) {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}},
        {"spec", json::object{{"containers", json::array{json::object{{"name", "main"},
                                                                      {"image", "nginx:1.25"}}}}}}};
}

class ReplicaSetTest : public ::testing::Test {
public:
    void startController() {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<ReplicaSetController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
    }

    /// Waits until the set has `n` active pods and its status says so.
    bool waitForPods(const std::string& name, int64_t n) {
        return cluster.observer.waitUntil([&] {
            auto rs = cluster.observer.get("replicasets", name);
            return rs && static_cast<int64_t>(cluster.podsOf(*rs).size()) == n &&
                   statusOf(*rs, "replicas") == n &&
                   statusOf(*rs, "observedGeneration") == kube::generation(*rs);
        });
    }

    void scale(const std::string& name, int64_t replicas) {
        cluster.patch(kube::resources::ReplicaSets, name,
                      json::object{{"spec", json::object{{"replicas", replicas}}}},
                      kube::PatchType::Merge);
    }

    WorkloadCluster cluster;
};

} // namespace

// --- Pure parts. ----------------------------------------------------------------------------

TEST(SlowStartBatch, triesInDoublingBatchesAndStopsAfterTheFirstFailingBatch) {
    struct Case {
        int64_t count;
        int64_t failFrom; // the 1-based call that starts failing; 0: never
        int64_t calls;
        int64_t successes;
    };
    for (const Case& c :
         {Case{10, 0, 10, 10}, Case{10, 1, 1, 0}, Case{10, 2, 3, 1}, Case{10, 4, 7, 3},
          Case{10, 8, 10, 7}, Case{0, 0, 0, 0}, Case{5, 5, 5, 4}}) {
        int64_t calls = 0;
        BatchOutcome outcome = slowStartBatch(c.count, 1, [&]() -> Status {
            ++calls;
            if (c.failFrom > 0 && calls >= c.failFrom) {
                return fail(ErrorCode::Forbidden, "exceeded quota");
            }
            return {};
        });
        EXPECT_EQ(calls, c.calls) << "count " << c.count << " failFrom " << c.failFrom;
        EXPECT_EQ(outcome.successes, c.successes) << "count " << c.count;
        EXPECT_EQ(outcome.error.has_value(), c.failFrom > 0 && c.failFrom <= c.count);
    }
}

TEST(PodDeletionOrder, followsUpstreamPreferences) {
    const TimePoint now = apiserver::test::testEpoch() + 10000s;
    auto pod = [&](json::object extra) {
        json::object p = orphanPod("p", json::object{{"app", "x"}});
        json::object& meta = p["metadata"].as_object();
        meta["uid"] = extra.contains("uid") ? extra["uid"] : json::value("u");
        meta["creationTimestamp"] = formatTime(apiserver::test::testEpoch());
        if (extra.contains("created")) {
            meta["creationTimestamp"] = extra["created"];
        }
        if (extra.contains("cost")) {
            meta["annotations"] =
                json::object{{"controller.kubernetes.io/pod-deletion-cost", extra["cost"]}};
        }
        if (extra.contains("node")) {
            p["spec"].as_object()["nodeName"] = extra["node"];
        }
        json::object status{{"phase", extra.contains("phase") ? extra["phase"] : "Pending"}};
        if (extra.contains("readySince")) {
            status["conditions"] =
                json::array{json::object{{"type", "Ready"},
                                         {"status", "True"},
                                         {"lastTransitionTime", extra["readySince"]}}};
        }
        if (extra.contains("restarts")) {
            status["containerStatuses"] =
                json::array{json::object{{"name", "main"}, {"restartCount", extra["restarts"]}}};
        }
        p["status"] = std::move(status);
        return std::make_shared<const json::object>(std::move(p));
    };
    const std::string old = formatTime(apiserver::test::testEpoch());
    const std::string recent = formatTime(now - 5s);
    struct Case {
        std::string what;
        json::object first; // deleted first
        json::object second;
        int firstRank = 0;
        int secondRank = 0;
    };
    std::vector<Case> cases{
        {"unscheduled before scheduled", {}, {{"node", "n1"}}},
        {"pending before running", {{"node", "n1"}}, {{"node", "n1"}, {"phase", "Running"}}},
        {"not ready before ready",
         {{"node", "n1"}, {"phase", "Running"}},
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}}},
        {"lower deletion cost first",
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}, {"cost", "-5"}},
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}}},
        {"crowded node first",
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}},
         {{"node", "n2"}, {"phase", "Running"}, {"readySince", old}},
         3,
         1},
        {"ready more recently first",
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", recent}},
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}}},
        {"more restarts first",
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}, {"restarts", 4}},
         {{"node", "n1"}, {"phase", "Running"}, {"readySince", old}, {"restarts", 1}}},
        {"newer first", {{"created", recent}}, {{"created", old}}},
    };
    for (const Case& c : cases) {
        RankedPod a{pod(c.first), c.firstRank};
        RankedPod b{pod(c.second), c.secondRank};
        EXPECT_TRUE(deletesBefore(a, b, now)) << c.what;
        EXPECT_FALSE(deletesBefore(b, a, now)) << c.what;
    }
    // podsToDelete picks the first ones in that order.
    std::vector<kube::ObjectPtr> pods{
        pod({{"node", "n1"}, {"phase", "Running"}, {"uid", "a"}}), pod({{"uid", "b"}}),
        pod({{"node", "n1"}, {"phase", "Running"}, {"readySince", old}, {"uid", "c"}})};
    auto victims = podsToDelete(pods, pods, 2, now);
    ASSERT_EQ(victims.size(), 2U);
    EXPECT_EQ(kube::uid(*victims[0]), "b");
    EXPECT_EQ(kube::uid(*victims[1]), "a");
}

TEST(Expectations, waitForEveryExpectedAddAndDeleteOrTheTimeout) {
    ManualClock clock(apiserver::test::testEpoch());
    Expectations expectations(clock);
    EXPECT_TRUE(expectations.satisfied("default/web")) << "no record: act";
    expectations.expectCreations("default/web", 2);
    EXPECT_FALSE(expectations.satisfied("default/web"));
    expectations.creationObserved("default/web");
    EXPECT_FALSE(expectations.satisfied("default/web"));
    expectations.creationObserved("default/web");
    EXPECT_TRUE(expectations.satisfied("default/web"));

    expectations.expectDeletions("default/web", {"default/a", "default/b"});
    expectations.deletionObserved("default/web", "default/a");
    expectations.deletionObserved("default/web", "default/a"); // Terminating, then DELETED.
    expectations.deletionObserved("default/web", "default/other");
    EXPECT_FALSE(expectations.satisfied("default/web")) << "b is still expected";
    expectations.deletionObserved("default/web", "default/b");
    EXPECT_TRUE(expectations.satisfied("default/web"));

    expectations.expectCreations("default/web", 1);
    clock.advance(Expectations::Timeout + 1s);
    EXPECT_TRUE(expectations.satisfied("default/web")) << "expired";
}

TEST(TemplateHash, isStableSafeEncodedAndIgnoresEmptyFields) {
    json::object tmpl = obj(R"({"metadata":{"labels":{"app":"web"}},
        "spec":{"containers":[{"name":"main","image":"nginx:1.25"}]}})");
    json::object reordered = obj(R"({"spec":{"containers":[{"image":"nginx:1.25","name":"main"}]},
        "metadata":{"annotations":{},"labels":{"app":"web"},"creationTimestamp":null}})");
    std::string hash = computeTemplateHash(tmpl, std::nullopt);
    EXPECT_EQ(hash, computeTemplateHash(reordered, std::nullopt));
    EXPECT_TRUE(std::regex_match(hash, std::regex("[bcdfghjklmnpqrstvwxz2456789]{1,10}"))) << hash;
    // The decimal FNV-32a sum through the safe alphabet.
    EXPECT_EQ(hash, safeEncodeString(std::to_string(fnv32a(canonicalJson(tmpl)))));
    EXPECT_EQ(safeEncodeString("0123456789"), "456789bcdf");
    EXPECT_EQ(fnv32a(""), 2166136261U);
    EXPECT_EQ(fnv32a("a"), 0xe40c292cU);
    EXPECT_NE(hash, computeTemplateHash(tmpl, 1));
    EXPECT_NE(computeTemplateHash(tmpl, 1), computeTemplateHash(tmpl, 2));
    json::object other = tmpl;
    other["spec"].as_object()["containers"].as_array()[0].as_object()["image"] = "nginx:1.26";
    EXPECT_NE(hash, computeTemplateHash(other, std::nullopt));

    json::value withHash = tmpl;
    withHash.as_object()["metadata"].as_object()["labels"].as_object()["pod-template-hash"] = hash;
    json::value reorderedValue = reordered;
    EXPECT_TRUE(equalIgnoreHash(&withHash, &reorderedValue));
    json::value plain = tmpl;
    EXPECT_TRUE(equalIgnoreHash(&withHash, &plain));
    json::value changed = other;
    EXPECT_FALSE(equalIgnoreHash(&withHash, &changed));
}

// --- Against the API. -----------------------------------------------------------------------

TEST_F(ReplicaSetTest, createsOwnedPodsFromTheTemplateAndReportsThem) {
    startController();
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 3));
    ASSERT_TRUE(waitForPods("web", 3));

    std::set<std::string> names;
    for (const json::object& pod : cluster.podsOf(rs)) {
        std::string name(kube::name(pod));
        names.insert(name);
        EXPECT_TRUE(std::regex_match(name, std::regex("web-[bcdfghjklmnpqrstvwxz2456789]{5}")))
            << name;
        EXPECT_EQ(kube::label(pod, "tier"), "web") << "template labels";
        const json::object* ref = kube::controllerRef(pod);
        ASSERT_NE(ref, nullptr);
        EXPECT_EQ(kube::stringAt(*ref, "apiVersion"), "apps/v1");
        EXPECT_EQ(kube::stringAt(*ref, "kind"), "ReplicaSet");
        EXPECT_EQ(kube::stringAt(*ref, "name"), "web");
        EXPECT_EQ(kube::boolAt(*ref, "blockOwnerDeletion"), true);
    }
    EXPECT_EQ(names.size(), 3U);

    json::object current = cluster.observer.object("replicasets", "web");
    EXPECT_EQ(statusOf(current, "replicas"), 3);
    EXPECT_EQ(statusOf(current, "fullyLabeledReplicas"), 3);
    EXPECT_EQ(statusOf(current, "observedGeneration"), 1);
    EXPECT_FALSE(kube::objectAt(current, "status")->contains("readyReplicas"))
        << "zero counts are omitted, as upstream";

    ASSERT_TRUE(
        cluster.observer.waitUntil([&] { return cluster.observer.events("web").size() == 3; }));
    for (const std::string& event : cluster.observer.events("web")) {
        std::string created = event.substr(event.find(": ") + 2);
        EXPECT_TRUE(event.starts_with("SuccessfulCreate: Created pod: web-")) << event;
        EXPECT_TRUE(names.contains(created.substr(std::string("Created pod: ").size()))) << event;
    }
    auto events = cluster.client.list(kube::resources::Events, "default");
    ASSERT_TRUE(events);
    const json::object& first = events->items.front();
    EXPECT_EQ(kube::stringAt(first, "type"), "Normal");
    EXPECT_EQ(kube::stringAt(kube::objectAt(first, "source"), "component"),
              "replicaset-controller");
    EXPECT_EQ(kube::stringAt(kube::objectAt(first, "involvedObject"), "kind"), "ReplicaSet");
    EXPECT_EQ(kube::stringAt(kube::objectAt(first, "involvedObject"), "uid"), kube::uid(rs));
    EXPECT_EQ(kube::integerAt(first, "count"), 1);
}

TEST(ReplicaSetController, deletesSurplusPodsInUpstreamOrder) {
    // Four matching orphans of which the set wants two: it adopts them all and deletes the two
    // upstream deletes first. The controller starts after the pods are prepared, so its cache
    // already holds their final state.
    struct Case {
        std::string what;
        std::function<void(WorkloadCluster&, const std::vector<json::object>&)> prepare;
        std::function<bool(const json::object& pod)> survives;
    };
    auto isReady = [](const json::object& pod) { return !condition(pod, "Ready").empty(); };
    auto isRunning = [](const json::object& pod) {
        return kube::stringAt(kube::objectAt(pod, "status"), "phase") == "Running";
    };
    auto isBound = [](const json::object& pod) {
        return !kube::stringAt(kube::objectAt(pod, "spec"), "nodeName").empty();
    };
    auto setStatus = [](WorkloadCluster& cluster, const json::object& pod, json::object status) {
        kube::PatchOptions options;
        options.subresource = "status";
        auto patched = cluster.client.patch(
            kube::resources::Pods, "default", kube::name(pod), kube::PatchType::Merge,
            json::serialize(json::object{{"status", status}}), options);
        ASSERT_TRUE(patched) << patched.error().message;
    };
    std::vector<Case> cases{
        {"not ready pods go first",
         [](WorkloadCluster& cluster, const std::vector<json::object>& pods) {
             markReady(cluster.client, pods[0]);
             markReady(cluster.client, pods[2]);
         },
         isReady},
        {"pending pods go before running ones",
         [&](WorkloadCluster& cluster, const std::vector<json::object>& pods) {
             setStatus(cluster, pods[1], json::object{{"phase", "Running"}});
             setStatus(cluster, pods[2], json::object{{"phase", "Running"}});
         },
         isRunning},
        {"unscheduled pods go first",
         [](WorkloadCluster& cluster, const std::vector<json::object>& pods) {
             for (size_t i : {1U, 3U}) {
                 json::object binding{
                     {"apiVersion", "v1"},
                     {"kind", "Binding"},
                     {"metadata", json::object{{"name", kube::name(pods[i])}}},
                     {"target", json::object{{"kind", "Node"}, {"name", "node-1"}}}};
                 auto bound = cluster.env.send(
                     "POST",
                     fmt::format("/api/v1/namespaces/default/pods/{}/binding", kube::name(pods[i])),
                     json::serialize(binding));
                 ASSERT_EQ(bound.response.status, 201) << bound.response.body;
             }
         },
         isBound},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        WorkloadCluster cluster;
        std::vector<json::object> pods;
        for (int i = 0; i < 4; ++i) {
            pods.push_back(cluster.create(
                kube::resources::Pods, orphanPod(fmt::format("pod-{}", i),
                                                 json::object{{"app", "web"}, {"tier", "web"}})));
        }
        c.prepare(cluster, pods);
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<ReplicaSetController>(cluster.controllerClient));
        cluster.start(std::move(controllers));

        json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 2));
        // Two pods left, both adopted: the set's status (another informer) can say 2 while
        // the observer has seen only the first two adoptions.
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            json::object current = cluster.observer.object("replicasets", "web");
            return cluster.observer.activePods().size() == 2 && cluster.podsOf(rs).size() == 2 &&
                   statusOf(current, "replicas") == 2;
        }));
        EXPECT_EQ(cluster.controllerClient.podCreates(), 0);
        for (const json::object& pod : cluster.podsOf(rs)) {
            EXPECT_TRUE(c.survives(pod)) << kube::name(pod) << " survived";
        }
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            auto events = cluster.observer.events("web");
            return std::count_if(events.begin(), events.end(), [](const std::string& e) {
                       return e.starts_with("SuccessfulDelete: Deleted pod: pod-");
                   }) == 2;
        }));
    }
}

TEST_F(ReplicaSetTest, scalingDownRemovesPodsAndScalingUpAddsThem) {
    startController();
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 1));
    ASSERT_TRUE(waitForPods("web", 1));
    for (int64_t replicas : {5, 2, 0, 3}) {
        scale("web", replicas);
        ASSERT_TRUE(waitForPods("web", replicas)) << replicas;
    }
}

TEST_F(ReplicaSetTest, adoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
    json::object orphan =
        cluster.create(kube::resources::Pods, orphanPod("stray", json::object{{"app", "web"}}));
    json::object unrelated =
        cluster.create(kube::resources::Pods, orphanPod("other", json::object{{"app", "db"}}));
    startController();
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 2));
    ASSERT_TRUE(waitForPods("web", 2));
    auto adopted = cluster.observer.get("pods", "stray");
    ASSERT_TRUE(adopted);
    EXPECT_EQ(ownerUid(*adopted), kube::uid(rs)) << "the orphan was adopted";
    EXPECT_EQ(ownerUid(cluster.observer.object("pods", "other")), "");
    EXPECT_EQ(cluster.controllerClient.podCreates(), 1) << "only one pod was missing";
    // The adopted pod lacks the template's tier label.
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return statusOf(cluster.observer.object("replicasets", "web"), "fullyLabeledReplicas") == 1;
    }));

    // Relabel it: released, and replaced.
    cluster.patch(
        kube::resources::Pods, "stray",
        json::object{{"metadata", json::object{{"labels", json::object{{"app", "gone"}}}}}});
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto pod = cluster.observer.get("pods", "stray");
        return pod && ownerUid(*pod).empty();
    }));
    json::object released = cluster.observer.object("pods", "stray");
    const json::array* refs = kube::ownerReferences(released);
    EXPECT_TRUE(refs == nullptr || refs->empty());
    ASSERT_TRUE(waitForPods("web", 2));
    EXPECT_EQ(cluster.controllerClient.podCreates(), 2);
}

TEST_F(ReplicaSetTest, expectationsPreventCreatingTwiceWhileItsPodsAreNotInTheCacheYet) {
    startController();
    // The controller's pod informer falls behind: it sees none of the pods it creates.
    cluster.controllerClient.holdPodEvents(true);
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 3));
    ASSERT_TRUE(cluster.observer.waitUntil([&] { return cluster.podsOf(rs).size() == 3; }));
    // More syncs while the creations are unobserved: a spec change (which the controller
    // must acknowledge in status.observedGeneration) and a label change.
    scale("web", 4);
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return statusOf(cluster.observer.object("replicasets", "web"), "observedGeneration") == 2;
    }));
    cluster.patch(kube::resources::ReplicaSets, "web",
                  json::object{{"metadata", json::object{{"labels", json::object{{"x", "y"}}}}}});
    EXPECT_EQ(cluster.podsOf(rs).size(), 3U) << "nothing created while creations are unobserved";
    EXPECT_EQ(cluster.controllerClient.podCreates(), 3);

    cluster.controllerClient.holdPodEvents(false);
    ASSERT_TRUE(waitForPods("web", 4));
    EXPECT_EQ(cluster.controllerClient.podCreates(), 4) << "exactly the missing pod was added";
}

TEST_F(ReplicaSetTest, countsReadyAndAvailableReplicasHonouringMinReadySeconds) {
    startController();
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 2, 1));
    ASSERT_TRUE(waitForPods("web", 2));
    for (const json::object& pod : cluster.podsOf(rs)) {
        markReady(cluster.client, pod);
    }
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return statusOf(cluster.observer.object("replicasets", "web"), "readyReplicas") == 2;
    }));
    auto current = cluster.observer.object("replicasets", "web");
    EXPECT_LT(statusOf(current, "availableReplicas"), 2) << "not ready for minReadySeconds yet";
    // Nothing changes in the API after this point: the controller must come back by itself.
    ASSERT_TRUE(cluster.observer.waitUntil(
        [&] {
            return statusOf(cluster.observer.object("replicasets", "web"), "availableReplicas") ==
                   2;
        },
        10s));
}

TEST_F(ReplicaSetTest, reportsCreateFailuresAsReplicaFailureUntilCreatesSucceed) {
    const std::string quota = "pods \"web-x\" is forbidden: exceeded quota: compute, requested: "
                              "pods=1, used: pods=0, limited: pods=0";
    cluster.controllerClient.failPodCreates(quota);
    startController();
    cluster.create(kube::resources::ReplicaSets, replicaSet("web", 3));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return !condition(cluster.observer.object("replicasets", "web"), "ReplicaFailure").empty();
    }));
    json::object failure =
        condition(cluster.observer.object("replicasets", "web"), "ReplicaFailure");
    EXPECT_EQ(kube::stringAt(failure, "status"), "True");
    EXPECT_EQ(kube::stringAt(failure, "reason"), "FailedCreate");
    EXPECT_EQ(kube::stringAt(failure, "message"), quota);
    EXPECT_FALSE(kube::stringAt(failure, "lastTransitionTime").empty());
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto events = cluster.observer.events("web");
        return !events.empty() && events.front() == "FailedCreate: Error creating: " + quota;
    }));

    cluster.controllerClient.failPodCreates("");
    ASSERT_TRUE(waitForPods("web", 3));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return condition(cluster.observer.object("replicasets", "web"), "ReplicaFailure").empty();
    }));
}

TEST_F(ReplicaSetTest, terminatingPodsDoNotCountAndAreReplaced) {
    startController();
    json::object rs = cluster.create(kube::resources::ReplicaSets, replicaSet("web", 2));
    ASSERT_TRUE(waitForPods("web", 2));
    // A bound pod is deleted gracefully: it stays, Terminating, until its node agent is done.
    json::object pod = cluster.podsOf(rs).front();
    json::object binding{{"apiVersion", "v1"},
                         {"kind", "Binding"},
                         {"metadata", json::object{{"name", kube::name(pod)}}},
                         {"target", json::object{{"kind", "Node"}, {"name", "node-1"}}}};
    auto bound = cluster.env.send(
        "POST", fmt::format("/api/v1/namespaces/default/pods/{}/binding", kube::name(pod)),
        json::serialize(binding));
    ASSERT_EQ(bound.response.status, 201) << bound.response.body;
    ASSERT_TRUE(cluster.client.remove(kube::resources::Pods, "default", kube::name(pod)));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto terminating = cluster.observer.get("pods", std::string(kube::name(pod)));
        return terminating && kube::hasDeletionTimestamp(*terminating);
    }));
    ASSERT_TRUE(waitForPods("web", 2));
    EXPECT_EQ(cluster.controllerClient.podCreates(), 3) << "a replacement was created";
    EXPECT_TRUE(cluster.observer.get("pods", std::string(kube::name(pod)))) << "still terminating";
}

TEST_F(ReplicaSetTest, replicationControllersUseTheSameEngine) {
    std::vector<std::unique_ptr<Controller>> controllers;
    controllers.push_back(std::make_unique<ReplicationManager>(cluster.controllerClient));
    cluster.start(std::move(controllers));
    json::object rc = cluster.create(ReplicationControllers, obj(R"({
        "apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"legacy"},
        "spec":{"replicas":2,"selector":{"app":"legacy"},
          "template":{"metadata":{"labels":{"app":"legacy"}},
            "spec":{"containers":[{"name":"main","image":"nginx:1.25"}]}}}})"));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto current = cluster.observer.get("replicationcontrollers", "legacy");
        return current && cluster.podsOf(rc).size() == 2 && statusOf(*current, "replicas") == 2 &&
               statusOf(*current, "observedGeneration") == 1;
    }));
    std::vector<json::object> pods = cluster.podsOf(rc);
    const json::object* ref = kube::controllerRef(pods.front());
    ASSERT_NE(ref, nullptr);
    EXPECT_EQ(kube::stringAt(*ref, "apiVersion"), "v1");
    EXPECT_EQ(kube::stringAt(*ref, "kind"), "ReplicationController");
    EXPECT_TRUE(std::string(kube::name(pods.front())).starts_with("legacy-"));
    ASSERT_TRUE(
        cluster.observer.waitUntil([&] { return cluster.observer.events("legacy").size() == 2; }));
    auto events = cluster.client.list(kube::resources::Events, "default");
    ASSERT_TRUE(events && !events->items.empty());
    EXPECT_EQ(kube::stringAt(kube::objectAt(events->items.front(), "source"), "component"),
              "replication-controller");
}
