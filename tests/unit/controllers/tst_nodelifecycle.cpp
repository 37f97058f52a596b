// The node lifecycle and taint eviction controllers over the in-process API, on a manual clock:
// silent nodes become Unknown, get tainted and have their pods marked not ready; pods are
// evicted at once, after their tolerationSeconds, or never; recovery removes the taints and
// cancels pending evictions; Ready=False, unschedulable and a one-node cluster; plus the
// health check and the eviction rate limit on their own.

#include "batchtestutil.h"
#include "engine/controllers/nodelifecycle/nodehealth.h"
#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"
#include "engine/controllers/nodelifecycle/nodetaints.h"
#include "engine/controllers/nodelifecycle/ratelimitedqueue.h"
#include "engine/controllers/nodelifecycle/tainteviction.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

constexpr auto Grace = 40s;

json::array healthyConditions(TimePoint heartbeat, const std::string& ready = "True") {
    std::string at = formatTime(heartbeat);
    auto condition = [&](const char* type, const std::string& status, const char* reason) {
        return json::object{{"type", type},
                            {"status", status},
                            {"lastHeartbeatTime", at},
                            {"lastTransitionTime", at},
                            {"reason", reason},
                            {"message", reason}};
    };
    return json::array{
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        condition("PIDPressure", "False", "KubeletHasSufficientPID"),
        condition("Ready", ready, ready == "True" ? "KubeletReady" : "KubeletNotReady")};
}

std::vector<std::string> taintsOf(const json::object& node) {
    std::vector<std::string> out;
    const json::object* spec = kube::objectAt(node, "spec");
    if (const json::array* taints = spec ? kube::arrayAt(*spec, "taints") : nullptr) {
        for (const json::value& t : *taints) {
            out.push_back(kube::stringAt(t.as_object(), "key") + ":" +
                          kube::stringAt(t.as_object(), "effect"));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

json::object toleration(const std::string& key, std::optional<int64_t> seconds) {
    json::object t{{"operator", "Exists"}, {"effect", "NoExecute"}};
    if (!key.empty()) {
        t["key"] = key;
    }
    if (seconds) {
        t["tolerationSeconds"] = *seconds;
    }
    return t;
}

class NodeLifecycleTest : public ::testing::Test {
public:
    NodeLifecycleTest() { cluster.env.createNamespace("kube-node-lease"); }
    // The controllers use the clock and the timers: stop them first.
    ~NodeLifecycleTest() override { cluster.manager.reset(); }

    void start() {
        NodeLifecycleController::Options options;
        options.monitorGracePeriod = Grace;
        options.clock = &clock;
        options.requeueAt = wakingHook(&lifecycle);
        TaintEvictionController::Options evictionOptions;
        evictionOptions.clock = &clock;
        evictionOptions.requeueAt = wakingHook(&eviction);
        std::vector<std::unique_ptr<Controller>> controllers;
        auto lifecycleController =
            std::make_unique<NodeLifecycleController>(cluster.controllerClient, options);
        auto evictionController =
            std::make_unique<TaintEvictionController>(cluster.controllerClient, evictionOptions);
        lifecycle = lifecycleController.get();
        eviction = evictionController.get();
        controllers.push_back(std::move(lifecycleController));
        controllers.push_back(std::move(evictionController));
        cluster.start(std::move(controllers));
    }

    /// A Ready node (with a Lease if `lease`), once the controller has looked at it; returns
    /// when the controller will look again (its grace period's end). A node meant to go silent
    /// gets no Lease: the controller could see its creation only after the test moved the
    /// clock, which would count as a sign of life then.
    TimePoint addNode(const std::string& name, bool lease = true) {
        json::object node{{"apiVersion", "v1"},
                          {"kind", "Node"},
                          {"metadata", json::object{{"name", name}}},
                          {"status", json::object{{"conditions", healthyConditions(clock.now())}}}};
        cluster.create(kube::resources::Nodes, node);
        if (lease) {
            createLease(name);
        }
        EXPECT_TRUE(cluster.observer.waitUntil([&] { return timers.next(name).has_value(); }))
            << name << " was never looked at";
        return timers.next(name).value_or(clock.now());
    }

    void createLease(const std::string& name) {
        json::object lease{
            {"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", json::object{{"name", name}, {"namespace", "kube-node-lease"}}},
            {"spec", json::object{{"holderIdentity", name},
                                  {"leaseDurationSeconds", 40},
                                  {"renewTime", formatMicroTime(clock.now())}}}};
        cluster.create(kube::resources::Leases, lease, "kube-node-lease");
    }

    /// What a kubelet posts: conditions with a fresh heartbeat.
    void postStatus(const std::string& name, const std::string& ready) {
        cluster.patch(
            kube::resources::Nodes, name,
            json::object{
                {"status", json::object{{"conditions", healthyConditions(clock.now(), ready)}}}},
            "status");
    }

    json::object node(const std::string& name) {
        return cluster.observer.clusterGet("nodes", name).value_or(json::object());
    }
    json::object pod(const std::string& name) { return cluster.observer.object("pods", name); }

    bool waitForTaints(const std::string& name, std::vector<std::string> want) {
        std::sort(want.begin(), want.end());
        return cluster.observer.waitUntil([&] { return taintsOf(node(name)) == want; });
    }
    bool waitDeleted(const std::string& podName) {
        return cluster.observer.waitUntil([&] { return kube::hasDeletionTimestamp(pod(podName)); });
    }
    bool hasEvent(const std::string& name, const std::string& text) {
        auto events = cluster.observer.events(name);
        return std::find(events.begin(), events.end(), text) != events.end();
    }
    bool waitForEvent(const std::string& name, const std::string& text) {
        return cluster.observer.waitUntil([&] { return hasEvent(name, text); });
    }

    /// A pod on `node`, Running and Ready, with these NoExecute tolerations (the API adds the
    /// default not-ready/unreachable ones for 300 s where it has none).
    void runPod(const std::string& name, const std::string& nodeName,
                json::array tolerations = {}) {
        json::object pod{
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", json::object{{"name", name}}},
            {"spec",
             json::object{{"nodeName", nodeName},
                          {"containers",
                           json::array{json::object{{"name", "main"}, {"image", "nginx:1.25"}}}}}}};
        if (!tolerations.empty()) {
            pod["spec"].as_object()["tolerations"] = std::move(tolerations);
        }
        cluster.create(kube::resources::Pods, pod);
        cluster.setPodStatus(name, "10.0.0.9", true);
        ASSERT_TRUE(cluster.observer.waitUntil([&] { return isPodReadyNow(name); }));
    }
    bool isPodReadyNow(const std::string& name) {
        json::object c = condition(pod(name), "Ready");
        return kube::stringAt(c, "status") == "True";
    }

    /// Two nodes in one zone; `silent` stops heartbeating, `healthy` was seen later. Returns
    /// when the controller gives up on `silent`.
    TimePoint silenceOneOfTwo() {
        TimePoint silentDeadline = addNode("silent", false);
        timers.advance(Grace / 2);
        addNode("healthy");
        return silentDeadline;
    }

    /// What a kubelet does between status updates: renew the Lease. Returns once the
    /// controller has seen it (it asked to look again a grace period later).
    void heartbeat(const std::string& name) {
        const TimePoint now = clock.now();
        cluster.patch(kube::resources::Leases, name,
                      json::object{{"spec", json::object{{"renewTime", formatMicroTime(now)}}}}, {},
                      "kube-node-lease");
        EXPECT_TRUE(cluster.observer.waitUntil([&] {
            std::lock_guard lock(m_requestsMutex);
            return m_lastRequest[name] >= now + Grace;
        })) << name
            << ": the renewal was not seen";
    }

    /// Moves the clock to `to` in steps shorter than the grace period, `alive` renewing its
    /// Lease before each.
    void advanceKeeping(const std::string& alive, TimePoint to) {
        while (clock.now() < to) {
            heartbeat(alive);
            timers.advanceTo(std::min(to, clock.now() + Grace / 2));
        }
    }

    std::function<void(const std::string&, TimePoint)> wakingHook(QueueController** controller) {
        auto record = timers.hookFor(controller);
        return [this, record](const std::string& key, TimePoint at) {
            record(key, at);
            {
                std::lock_guard lock(m_requestsMutex);
                m_lastRequest[key] = std::max(m_lastRequest[key], at);
            }
            cluster.observer.wake();
        };
    }

    ObservedCluster cluster{{&kube::resources::Pods, &kube::resources::Nodes,
                             &kube::resources::Leases, &kube::resources::Events}};
    SteppingClock clock{apiserver::test::testEpoch()};
    ManualTimers timers{clock};
    QueueController* lifecycle = nullptr;
    QueueController* eviction = nullptr;

private:
    std::mutex m_requestsMutex;
    std::map<std::string, TimePoint> m_lastRequest; // the latest look asked for, by key
};

} // namespace

// --- Pure parts. ----------------------------------------------------------------------------

TEST(NodeHealth, heartbeatsOrLeaseRenewalsKeepANodeAliveSilenceMakesItUnknown) {
    const TimePoint t0 = apiserver::test::testEpoch();
    const NodeHealthTimes times{40s, 60s};
    json::object node{
        {"metadata", json::object{{"name", "n"}, {"creationTimestamp", formatTime(t0)}}},
        {"status", json::object{{"conditions", healthyConditions(t0)}}}};
    auto lease = [](TimePoint renew) {
        return json::object{{"spec", json::object{{"renewTime", formatMicroTime(renew)}}}};
    };
    std::optional<NodeHealth> health;
    json::object l0 = lease(t0);
    EXPECT_FALSE(checkNodeHealth(node, &l0, health, t0, times).statusChanged);
    // Only the Lease moves: alive.
    json::object l1 = lease(t0 + 30s);
    EXPECT_FALSE(checkNodeHealth(node, &l1, health, t0 + 30s, times).statusChanged);
    EXPECT_FALSE(checkNodeHealth(node, &l1, health, t0 + 70s, times).statusChanged)
        << "40 s after the renewal seen at 30 s: not yet";
    NodeHealthCheck silent = checkNodeHealth(node, &l1, health, t0 + 71s, times);
    ASSERT_TRUE(silent.statusChanged);
    for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
        json::object c = condition(silent.node, type);
        EXPECT_EQ(kube::stringAt(c, "status"), "Unknown") << type;
        EXPECT_EQ(kube::stringAt(c, "reason"), "NodeStatusUnknown") << type;
        EXPECT_EQ(kube::stringAt(c, "message"), "Kubelet stopped posting node status.") << type;
        EXPECT_EQ(kube::stringAt(c, "lastTransitionTime"), formatTime(t0 + 71s)) << type;
        EXPECT_EQ(kube::stringAt(c, "lastHeartbeatTime"), formatTime(t0)) << type;
    }

    // A node that never posted Ready gets the startup grace, then made-up Unknown conditions.
    json::object fresh{
        {"metadata", json::object{{"name", "m"}, {"creationTimestamp", formatTime(t0)}}}};
    std::optional<NodeHealth> freshHealth;
    EXPECT_FALSE(checkNodeHealth(fresh, nullptr, freshHealth, t0 + 60s, times).statusChanged);
    NodeHealthCheck never = checkNodeHealth(fresh, nullptr, freshHealth, t0 + 61s, times);
    ASSERT_TRUE(never.statusChanged);
    json::object ready = condition(never.node, "Ready");
    EXPECT_EQ(kube::stringAt(ready, "reason"), "NodeStatusNeverUpdated");
    EXPECT_EQ(kube::stringAt(ready, "message"), "Kubelet never posted node status.");
}

TEST(RateLimitedQueue, releasesOneNodePerTenSecondsAndNoneWhenStopped) {
    const TimePoint t0 = apiserver::test::testEpoch();
    RateLimitedQueue queue(0.1, t0);
    EXPECT_TRUE(queue.add("a", t0));
    EXPECT_TRUE(queue.add("b", t0));
    EXPECT_FALSE(queue.add("a", t0)) << "already queued";
    EXPECT_EQ(queue.takeReady(t0), std::vector<std::string>{"a"});
    EXPECT_TRUE(queue.takeReady(t0 + 9s).empty());
    EXPECT_EQ(queue.nextAttempt(t0 + 9s), t0 + 10s);
    EXPECT_EQ(queue.takeReady(t0 + 10s), std::vector<std::string>{"b"});

    queue.add("c", t0 + 30s);
    queue.swapLimiter(0, t0 + 30s);
    EXPECT_TRUE(queue.takeReady(t0 + 100s).empty());
    EXPECT_FALSE(queue.nextAttempt(t0 + 100s).has_value());
    queue.swapLimiter(0.1, t0 + 100s);
    EXPECT_TRUE(queue.takeReady(t0 + 100s).empty())
        << "a bucket swapped in for a stopped one starts empty";
    EXPECT_EQ(queue.takeReady(t0 + 110s), std::vector<std::string>{"c"});
}

// --- The controllers. -----------------------------------------------------------------------

TEST_F(NodeLifecycleTest, aSilentNodeBecomesUnknownTaintedAndItsPodsNotReady) {
    start();
    TimePoint deadline = silenceOneOfTwo();
    runPod("web", "silent");
    timers.advanceTo(deadline);

    ASSERT_TRUE(cluster.observer.waitUntil(
        [&] { return kube::stringAt(condition(node("silent"), "Ready"), "status") == "Unknown"; }));
    json::object silent = node("silent");
    for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
        json::object c = condition(silent, type);
        EXPECT_EQ(kube::stringAt(c, "status"), "Unknown") << type;
        EXPECT_EQ(kube::stringAt(c, "reason"), "NodeStatusUnknown") << type;
        EXPECT_EQ(kube::stringAt(c, "message"), "Kubelet stopped posting node status.") << type;
        EXPECT_EQ(kube::stringAt(c, "lastTransitionTime"), formatTime(deadline)) << type;
    }
    EXPECT_TRUE(waitForTaints("silent", {"node.kubernetes.io/unreachable:NoSchedule",
                                         "node.kubernetes.io/unreachable:NoExecute"}))
        << json::serialize(node("silent"));
    json::object tainted = node("silent");
    for (const json::value& t : *kube::arrayAt(*kube::objectAt(tainted, "spec"), "taints")) {
        EXPECT_EQ(kube::stringAt(t.as_object(), "timeAdded"), formatTime(deadline));
    }
    EXPECT_TRUE(cluster.observer.waitUntil([&] { return !isPodReadyNow("web"); }));
    EXPECT_EQ(kube::stringAt(condition(pod("web"), "Ready"), "lastTransitionTime"),
              formatTime(deadline));
    EXPECT_TRUE(waitForEvent("silent", "NodeNotReady: Node silent status is now: NodeNotReady"));
    EXPECT_TRUE(waitForEvent("web", "NodeNotReady: Node is not ready"));
    EXPECT_TRUE(waitForEvent("silent", "RegisteredNode: Registered Node silent in Controller"));

    // The other node is untouched.
    EXPECT_EQ(kube::stringAt(condition(node("healthy"), "Ready"), "status"), "True");
    EXPECT_TRUE(taintsOf(node("healthy")).empty());
}

TEST_F(NodeLifecycleTest, podsAreEvictedAtOnceAfterTheirTolerationOrNever) {
    start();
    TimePoint deadline = silenceOneOfTwo();
    runPod("impatient", "silent", json::array{toleration("node.kubernetes.io/unreachable", 0)});
    runPod("default", "silent"); // the API's 300 s tolerations
    runPod("forever", "silent", json::array{toleration("", std::nullopt)});
    runPod("elsewhere", "healthy");
    timers.advanceTo(deadline);

    ASSERT_TRUE(waitDeleted("impatient")) << json::serialize(pod("impatient")) << "\n"
                                          << json::serialize(node("silent"));
    json::object target = condition(pod("impatient"), "DisruptionTarget");
    EXPECT_EQ(kube::stringAt(target, "status"), "True");
    EXPECT_EQ(kube::stringAt(target, "reason"), "DeletionByTaintManager");
    EXPECT_EQ(kube::stringAt(target, "message"), "Taint manager: deleting due to NoExecute taint");
    EXPECT_TRUE(waitForEvent("impatient",
                             "TaintManagerEviction: Marking for deletion Pod default/impatient"));

    // The default toleration holds the pod for 300 s from the taint.
    ASSERT_TRUE(
        cluster.observer.waitUntil([&] { return timers.next("e:default/default").has_value(); }));
    EXPECT_EQ(*timers.next("e:default/default"), deadline + 300s);
    advanceKeeping("healthy", deadline + 299s);
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("default")));
    advanceKeeping("healthy", deadline + 300s);
    ASSERT_TRUE(waitDeleted("default"));
    EXPECT_TRUE(
        waitForEvent("default", "TaintManagerEviction: Marking for deletion Pod default/default"));

    // Tolerating forever, or on a healthy node: never.
    advanceKeeping("healthy", deadline + 1h);
    EXPECT_FALSE(timers.next("e:default/forever").has_value());
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("forever")));
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("elsewhere")));
}

TEST_F(NodeLifecycleTest, recoveryRemovesTheTaintsAndCancelsPendingEvictions) {
    start();
    TimePoint deadline = silenceOneOfTwo();
    runPod("default", "silent");
    timers.advanceTo(deadline);
    ASSERT_TRUE(waitForTaints("silent", {"node.kubernetes.io/unreachable:NoSchedule",
                                         "node.kubernetes.io/unreachable:NoExecute"}));
    ASSERT_TRUE(
        cluster.observer.waitUntil([&] { return timers.next("e:default/default").has_value(); }));

    advanceKeeping("healthy", deadline + 60s);
    postStatus("silent", "True");
    EXPECT_TRUE(waitForTaints("silent", {}));
    EXPECT_TRUE(waitForEvent("default",
                             "TaintManagerEviction: Cancelling deletion of Pod default/default"));
    advanceKeeping("healthy", deadline + 301s);
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("default")));
}

TEST_F(NodeLifecycleTest, readyFalseTaintsNotReadyAndUnschedulableIsMirroredAsATaint) {
    start();
    silenceOneOfTwo();
    postStatus("silent", "False");
    EXPECT_TRUE(waitForTaints("silent", {"node.kubernetes.io/not-ready:NoSchedule",
                                         "node.kubernetes.io/not-ready:NoExecute"}));
    postStatus("silent", "True");
    EXPECT_TRUE(waitForTaints("silent", {}));

    cluster.patch(kube::resources::Nodes, "healthy",
                  json::object{{"spec", json::object{{"unschedulable", true}}}});
    EXPECT_TRUE(waitForTaints("healthy", {"node.kubernetes.io/unschedulable:NoSchedule"}));
    cluster.patch(kube::resources::Nodes, "healthy",
                  json::object{{"spec", json::object{{"unschedulable", nullptr}}}});
    EXPECT_TRUE(waitForTaints("healthy", {}));
}

TEST_F(NodeLifecycleTest, aUserNoExecuteTaintEvictsPodsThatDoNotTolerateIt) {
    start();
    addNode("db");
    runPod("guest", "db");
    json::object owner{
        {"key", "dedicated"}, {"operator", "Equal"}, {"value", "db"}, {"effect", "NoExecute"}};
    runPod("owner", "db", json::array{owner});
    cluster.patch(kube::resources::Nodes, "db",
                  json::object{{"spec", json::object{{"taints", json::array{json::object{
                                                                    {"key", "dedicated"},
                                                                    {"value", "db"},
                                                                    {"effect", "NoExecute"}}}}}}});
    ASSERT_TRUE(waitDeleted("guest"));
    EXPECT_FALSE(timers.next("e:default/owner").has_value());
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("owner")));
}

TEST_F(NodeLifecycleTest, whenTheOnlyNodeGoesSilentItsPodsStay) {
    start();
    TimePoint deadline = addNode("solo", false);
    runPod("web", "solo", json::array{toleration("node.kubernetes.io/unreachable", 0)});
    timers.advanceTo(deadline);
    // Unknown, unschedulable and its pods not ready, but with every node down nothing is
    // evicted (upstream's "master disruption mode").
    ASSERT_TRUE(waitForTaints("solo", {"node.kubernetes.io/unreachable:NoSchedule"}));
    ASSERT_TRUE(cluster.observer.waitUntil([&] { return !isPodReadyNow("web"); }));
    EXPECT_EQ(kube::stringAt(condition(node("solo"), "Ready"), "status"), "Unknown");
    timers.advance(1h);
    EXPECT_EQ(taintsOf(node("solo")),
              std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule"});
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("web")));

    // Back: the taint goes.
    postStatus("solo", "True");
    EXPECT_TRUE(waitForTaints("solo", {}));
}

TEST_F(NodeLifecycleTest, betaOsAndArchLabelsFollowTheStableOnes) {
    start();
    addNode("n1");
    cluster.patch(
        kube::resources::Nodes, "n1",
        json::object{{"metadata", json::object{{"labels", json::object{
                                                              {"kubernetes.io/os", "linux"},
                                                              {"kubernetes.io/arch", "amd64"},
                                                              {"beta.kubernetes.io/arch", "arm64"},
                                                          }}}}});
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        json::object n = node("n1");
        return kube::label(n, "beta.kubernetes.io/os") == "linux" &&
               kube::label(n, "beta.kubernetes.io/arch") == "amd64";
    }));
}
