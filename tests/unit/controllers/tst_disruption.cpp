// The disruption controller keeps PodDisruptionBudgets' status as upstream does: the numbers
// `kubectl get pdb` shows and the eviction API decides with.
#include "batchtestutil.h"
#include "workloadtestutil.h"

#include "engine/controllers/disruption/disruptioncontroller.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace pilot::controllers::test {
namespace {

using namespace std::chrono_literals;
using apiserver::test::at;

class DisruptionTest : public ::testing::Test {
protected:
    void SetUp() override {
        DisruptionController::Options options;
        options.clock = &clock;
        options.requeueAt = timers.hookFor(&m_controller);
        auto controller = std::make_unique<DisruptionController>(cluster.controllerClient, options);
        m_controller = controller.get();
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::move(controller));
        cluster.start(std::move(controllers));
    }

    /// A Running pod on node-1, Ready or not, optionally controlled by `owner`.
    json::object runPod(const std::string& name, bool ready, const json::object* owner = nullptr,
                        const std::string& ownerKind = "ReplicaSet",
                        const std::string& app = "web") {
        json::object metadata{{"name", name}, {"labels", json::object{{"app", app}}}};
        if (owner) {
            metadata["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                                   {"kind", ownerKind},
                                                                   {"name", kube::name(*owner)},
                                                                   {"uid", kube::uid(*owner)},
                                                                   {"controller", true}}};
        }
        json::object pod{
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", std::move(metadata)},
            {"spec",
             json::object{{"nodeName", "node-1"},
                          {"containers",
                           json::array{json::object{{"name", "main"}, {"image", "nginx:1.25"}}}}}}};
        (void)cluster.create(kube::resources::Pods, pod);
        return setReady(name, ready);
    }

    json::object setReady(const std::string& name, bool ready) {
        return cluster.setPodStatus(name, "10.0.0.1", ready);
    }

    json::object budget(const std::string& name, json::object spec) {
        spec["selector"] = json::object{{"matchLabels", json::object{{"app", "web"}}}};
        return cluster.create(PodDisruptionBudgets,
                              json::object{{"apiVersion", "policy/v1"},
                                           {"kind", "PodDisruptionBudget"},
                                           {"metadata", json::object{{"name", name}}},
                                           {"spec", std::move(spec)}});
    }

    /// A ReplicaSet (or Deployment, with `resource`) object of `replicas`, not reconciled by
    /// anything: only its scale matters here.
    json::object workload(const kube::ApiResource& resource, const std::string& kind,
                          const std::string& name, int64_t replicas,
                          const json::object* owner = nullptr) {
        json::object metadata{{"name", name}};
        if (owner) {
            metadata["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                                   {"kind", "Deployment"},
                                                                   {"name", kube::name(*owner)},
                                                                   {"uid", kube::uid(*owner)},
                                                                   {"controller", true}}};
        }
        json::object labels{{"app", "web"}};
        return cluster.create(
            resource,
            json::object{
                {"apiVersion", "apps/v1"},
                {"kind", kind},
                {"metadata", std::move(metadata)},
                {"spec",
                 json::object{
                     {"replicas", replicas},
                     {"selector", json::object{{"matchLabels", labels}}},
                     {"template",
                      json::object{{"metadata", json::object{{"labels", labels}}},
                                   {"spec", json::object{{"containers",
                                                          json::array{json::object{
                                                              {"name", "main"},
                                                              {"image", "nginx:1.25"}}}}}}}}}}});
    }

    /// Waits until the budget's status has these numbers (and was written for its generation).
    bool waitForStatus(const std::string& name, int64_t expected, int64_t current, int64_t desired,
                       int64_t allowed) {
        return cluster.observer.waitUntil([&] {
            json::object pdb = cluster.observer.object("poddisruptionbudgets", name);
            return !pdb.empty() && statusOf(pdb, "expectedPods") == expected &&
                   statusOf(pdb, "currentHealthy") == current &&
                   statusOf(pdb, "desiredHealthy") == desired &&
                   statusOf(pdb, "disruptionsAllowed") == allowed &&
                   statusOf(pdb, "observedGeneration") == kube::generation(pdb);
        });
    }

    json::object pdbNamed(const std::string& name) {
        return cluster.observer.object("poddisruptionbudgets", name);
    }

    std::string describe(const std::string& name) { return json::serialize(pdbNamed(name)); }

    // Declared before the cluster: the controller reads them until the cluster stops it.
    SteppingClock clock{apiserver::test::testEpoch()};
    ManualTimers timers{clock};
    ObservedCluster cluster{{&kube::resources::Pods, &PodDisruptionBudgets,
                             &kube::resources::ReplicaSets, &kube::resources::Deployments,
                             &kube::resources::Events}};

private:
    QueueController* m_controller = nullptr;
};

TEST_F(DisruptionTest, minAvailableCountsReadyPodsThatAreNotTerminating) {
    runPod("web-1", true);
    runPod("web-2", true);
    runPod("web-3", false);
    runPod("other", true, nullptr, "ReplicaSet", "other");
    budget("web", json::object{{"minAvailable", 2}});

    ASSERT_TRUE(waitForStatus("web", 3, 2, 2, 0)) << describe("web");
    json::object allowed = condition(pdbNamed("web"), "DisruptionAllowed");
    EXPECT_EQ(kube::stringAt(allowed, "status"), "False");
    EXPECT_EQ(kube::stringAt(allowed, "reason"), "InsufficientPods");
    EXPECT_EQ(kube::integerAt(allowed, "observedGeneration"), 1);
    EXPECT_EQ(kube::stringAt(allowed, "lastTransitionTime"), formatTime(clock.now()));

    setReady("web-3", true);
    ASSERT_TRUE(waitForStatus("web", 3, 3, 2, 1)) << describe("web");
    allowed = condition(pdbNamed("web"), "DisruptionAllowed");
    EXPECT_EQ(kube::stringAt(allowed, "status"), "True");
    EXPECT_EQ(kube::stringAt(allowed, "reason"), "SufficientPods");

    // A terminating pod is no longer healthy, though still there (finalizer).
    cluster.patch(
        kube::resources::Pods, "web-1",
        json::object{{"metadata", json::object{{"finalizers", json::array{"test/keep"}}}}});
    cluster.remove(kube::resources::Pods, "web-1");
    ASSERT_TRUE(waitForStatus("web", 3, 2, 2, 0)) << describe("web");
}

TEST_F(DisruptionTest, minAvailablePercentageIsTakenOfTheControllersScale) {
    json::object rs = workload(kube::resources::ReplicaSets, "ReplicaSet", "web-rs", 4);
    runPod("web-1", true, &rs);
    runPod("web-2", true, &rs);
    budget("web", json::object{{"minAvailable", "50%"}});
    // Four pods are expected (the ReplicaSet's replicas), two of which must be healthy.
    ASSERT_TRUE(waitForStatus("web", 4, 2, 2, 0)) << describe("web");

    runPod("web-3", true, &rs);
    ASSERT_TRUE(waitForStatus("web", 4, 3, 2, 1)) << describe("web");
}

TEST_F(DisruptionTest, maxUnavailableIsTakenOfTheDeploymentsScale) {
    json::object d = workload(kube::resources::Deployments, "Deployment", "web", 3);
    json::object rs = workload(kube::resources::ReplicaSets, "ReplicaSet", "web-5d8f", 3, &d);
    runPod("web-1", true, &rs);
    runPod("web-2", true, &rs);
    runPod("web-3", true, &rs);
    budget("web", json::object{{"maxUnavailable", 1}});
    ASSERT_TRUE(waitForStatus("web", 3, 3, 2, 1)) << describe("web");

    // A new spec is a new generation, observed in status; 34% of 3 rounds up to 2.
    cluster.patch(PodDisruptionBudgets, "web",
                  json::object{{"spec", json::object{{"maxUnavailable", "34%"}}}});
    ASSERT_TRUE(waitForStatus("web", 3, 3, 1, 2)) << describe("web");
    EXPECT_EQ(statusOf(pdbNamed("web"), "observedGeneration"), 2);

    setReady("web-2", false);
    setReady("web-3", false);
    ASSERT_TRUE(waitForStatus("web", 3, 1, 1, 0)) << describe("web");
}

TEST_F(DisruptionTest, aPodWhoseControllerCannotBeFoundFailsSafe) {
    json::object gone{{"metadata", json::object{{"name", "gone"}, {"uid", "0000-gone"}}}};
    runPod("web-1", true, &gone);
    budget("web", json::object{{"maxUnavailable", "50%"}});

    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return kube::stringAt(condition(pdbNamed("web"), "DisruptionAllowed"), "reason") ==
               "SyncFailed";
    })) << describe("web");
    json::object failed = condition(pdbNamed("web"), "DisruptionAllowed");
    EXPECT_EQ(kube::stringAt(failed, "status"), "False");
    EXPECT_EQ(kube::stringAt(failed, "message"), "found no controllers for pod \"web-1\"");
    EXPECT_EQ(statusOf(pdbNamed("web"), "disruptionsAllowed"), 0);
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        for (const std::string& e : cluster.observer.events("web")) {
            if (e == "CalculateExpectedPodCountFailed: Failed to calculate the number of "
                     "expected pods: found no controllers for pod \"web-1\"") {
                return true;
            }
        }
        return false;
    }));
}

TEST_F(DisruptionTest, evictedPodsThatAreNotDeletedCountAgainAfterTheDeletionTimeout) {
    runPod("web-1", true);
    runPod("web-2", true);
    budget("web", json::object{{"minAvailable", 1}});
    ASSERT_TRUE(waitForStatus("web", 2, 2, 1, 1)) << describe("web");

    // What an eviction whose pod deletion never happened leaves behind.
    TimePoint evictedAt = clock.now();
    cluster.patch(
        PodDisruptionBudgets, "web",
        json::object{{"status", json::object{{"disruptedPods",
                                              json::object{{"web-1", formatTime(evictedAt)}}}}}},
        "status");
    ASSERT_TRUE(waitForStatus("web", 2, 1, 1, 0)) << describe("web");
    EXPECT_EQ(kube::stringAt(*at(pdbNamed("web"), "status.disruptedPods")->if_object(), "web-1"),
              formatTime(evictedAt));
    EXPECT_TRUE(cluster.observer.waitUntil(
        [&] { return timers.requested("default/web", evictedAt + 2min); }));

    timers.advance(2min - 1s);
    timers.advance(2s);
    ASSERT_TRUE(waitForStatus("web", 2, 2, 1, 1)) << describe("web");
    EXPECT_EQ(at(pdbNamed("web"), "status.disruptedPods"), nullptr);
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        std::vector<std::string> events = cluster.observer.events("web-1");
        return std::find(events.begin(), events.end(),
                         "NotDeleted: Pod was expected by PDB default/default to be deleted but "
                         "it wasn't") != events.end();
    }));
}

TEST_F(DisruptionTest, evictionsSpendTheBudgetTheControllerComputed) {
    runPod("web-1", true);
    runPod("web-2", true);
    budget("web", json::object{{"minAvailable", 1}});
    ASSERT_TRUE(waitForStatus("web", 2, 2, 1, 1)) << describe("web");

    auto evict = [&](const std::string& name) {
        kube::ApiRequest request;
        request.method = "POST";
        request.path = "/api/v1/namespaces/default/pods/" + name + "/eviction";
        request.contentType = "application/json";
        request.body = R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":")" +
                       name + R"(","namespace":"default"}})";
        auto response = cluster.client.send(request);
        EXPECT_TRUE(response);
        return response ? response->status : 0;
    };
    EXPECT_EQ(evict("web-1"), 201);
    EXPECT_EQ(evict("web-2"), 429);
    // The evicted pod is terminating: the controller settles on one healthy pod, none to spare.
    // (It may first count web-1 out as recently evicted, before the pod is terminating.)
    ASSERT_TRUE(waitForStatus("web", 2, 1, 1, 0)) << describe("web");
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        return at(pdbNamed("web"), "status.disruptedPods") == nullptr;
    })) << describe("web");
    EXPECT_EQ(statusOf(pdbNamed("web"), "disruptionsAllowed"), 0);
}

} // namespace
} // namespace pilot::controllers::test
