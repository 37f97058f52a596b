// The pod garbage collector over the in-process API, on a manual clock: pods of a deleted node
// go when its quarantine ends (not before, not if it comes back), marked Failed with the
// DisruptionTarget condition; terminated pods beyond the threshold go Evicted-first and
// oldest-first; terminating pods go when unscheduled or on an out-of-service node.

#include "batchtestutil.h"
#include "engine/controllers/podgc/podgccontroller.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

constexpr auto Quarantine = 40s;
constexpr auto Period = 15s;

/// Forwards to the controllers' client and remembers every DELETE (path and body).
class RecordingClient final : public kube::ApiClient {
public:
    explicit RecordingClient(kube::ApiClient& inner)
        : ApiClient("pilothouse-controllers"), m_inner(inner) {}

    Result<kube::ApiResponse> send(const kube::ApiRequest& request) override {
        if (request.method == "DELETE") {
            std::lock_guard lock(m_mutex);
            m_deletes[request.path] = request.body;
        }
        return m_inner.send(request);
    }
    Result<std::unique_ptr<kube::EventStream>> openWatch(const kube::ApiRequest& request) override {
        return m_inner.openWatch(request);
    }

    /// The body of the DELETE of `path`, or "" when there was none.
    [[nodiscard]] std::string deleteBody(const std::string& path) const {
        std::lock_guard lock(m_mutex);
        auto it = m_deletes.find(path);
        return it == m_deletes.end() ? std::string() : it->second;
    }

private:
    kube::ApiClient& m_inner;
    mutable std::mutex m_mutex;
    std::map<std::string, std::string> m_deletes;
};

/// The controller, counting the passes it completed so the test knows when one has run, and
/// telling the test what its own informers have seen (they may lag behind the test's observer).
class ObservedPodGC final : public PodGCController {
public:
    ObservedPodGC(kube::ApiClient& client, Options options, std::function<void()> onChange)
        : PodGCController(client, std::move(options)), m_onChange(std::move(onChange)) {}

    void setUp(SharedInformers& informers) override {
        PodGCController::setUp(informers);
        m_pods = &informers.forResource(kube::resources::Pods);
        m_nodes = &informers.forResource(kube::resources::Nodes);
        // Added after the controller's own handlers, so called after them.
        for (kube::Informer* informer : {m_pods, m_nodes}) {
            kube::InformerHandlers handlers;
            handlers.onAdd = [this](const kube::ObjectPtr&) { m_onChange(); };
            handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr&) {
                m_onChange();
            };
            handlers.onDelete = [this, informer](const kube::ObjectPtr& object) {
                if (informer == m_nodes) {
                    std::lock_guard lock(m_mutex);
                    m_deletedNodes.insert(std::string(kube::name(*object)));
                }
                m_onChange();
            };
            informer->addHandlers(std::move(handlers));
        }
    }

    /// Runs a pass that starts after this call; settled() tells when it is done.
    uint64_t requestSettle() {
        uint64_t ticket = ++m_requested;
        resync();
        return ticket;
    }
    [[nodiscard]] bool settled(uint64_t ticket) const { return m_completed.load() >= ticket; }

    /// The pod as the controller's informer has it (empty when it has none).
    [[nodiscard]] json::object cachedPod(const std::string& name) const {
        kube::ObjectPtr pod = m_pods->cache().get("default/" + name);
        return pod ? *pod : json::object();
    }
    [[nodiscard]] bool cachesNode(const std::string& name) const {
        return m_nodes->cache().get(name) != nullptr;
    }
    /// Whether the controller's handlers have seen the node's deletion.
    [[nodiscard]] bool sawNodeDeleted(const std::string& name) const {
        std::lock_guard lock(m_mutex);
        return m_deletedNodes.contains(name);
    }

protected:
    Status reconcile(const std::string& key) override {
        const uint64_t ticket = m_requested.load();
        Status status = PodGCController::reconcile(key);
        m_completed.store(std::max(m_completed.load(), ticket));
        m_onChange();
        return status;
    }

private:
    std::function<void()> m_onChange;
    kube::Informer* m_pods = nullptr;
    kube::Informer* m_nodes = nullptr;
    std::atomic<uint64_t> m_requested{0};
    std::atomic<uint64_t> m_completed{0};
    mutable std::mutex m_mutex;
    std::set<std::string> m_deletedNodes;
};

json::array readyConditions(TimePoint at, const std::string& ready) {
    return json::array{
        json::object{{"type", "Ready"},
                     {"status", ready},
                     {"lastHeartbeatTime", formatTime(at)},
                     {"lastTransitionTime", formatTime(at)},
                     {"reason", ready == "True" ? "KubeletReady" : "KubeletNotReady"},
                     {"message", "kubelet status"}}};
}

std::string phaseOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

class PodGCTest : public ::testing::Test {
public:
    // The controller uses the clock and the timers: stop it first.
    ~PodGCTest() override { cluster.manager.reset(); }

    void start(int terminatedThreshold = 12500) {
        PodGCController::Options options;
        options.terminatedPodThreshold = terminatedThreshold;
        options.checkPeriod = Period;
        options.quarantineTime = Quarantine;
        options.clock = &clock;
        auto record = timers.hookFor(&queueController);
        options.requeueAt = [this, record](const std::string& key, TimePoint at) {
            record(key, at);
            cluster.observer.wake();
        };
        auto controller = std::make_unique<ObservedPodGC>(recording, std::move(options),
                                                          [this] { cluster.observer.wake(); });
        gc = controller.get();
        queueController = controller.get();
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::move(controller));
        cluster.start(std::move(controllers));
        settle();
    }

    /// Waits for a pass that starts now, on the clock as it is.
    void settle() {
        const uint64_t ticket = gc->requestSettle();
        ASSERT_TRUE(cluster.observer.waitUntil([&] { return gc->settled(ticket); }))
            << "no pass ran";
    }

    /// A node, once the controller (if started) has it too.
    void addNode(const std::string& name, const std::string& ready = "True",
                 json::array taints = {}) {
        json::object node{
            {"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", json::object{{"name", name}}},
            {"status", json::object{{"conditions", readyConditions(clock.now(), ready)}}}};
        if (!taints.empty()) {
            node["spec"] = json::object{{"taints", std::move(taints)}};
        }
        cluster.create(kube::resources::Nodes, node);
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            return cluster.observer.clusterGet("nodes", name).has_value() &&
                   (gc == nullptr || gc->cachesNode(name));
        }));
    }

    /// Deletes a node; returns once the controller has seen it go.
    void removeNode(const std::string& name) {
        cluster.remove(kube::resources::Nodes, name, "");
        ASSERT_TRUE(cluster.observer.waitUntil([&] { return gc->sawNodeDeleted(name); }))
            << "the controller never saw " << name << " go";
    }

    /// A pod (bound to `node` unless empty) in `phase`, as its node agent reported it.
    void addPod(const std::string& name, const std::string& node, const std::string& phase,
                json::array finalizers = {}) {
        json::object metadata{{"name", name}};
        if (!finalizers.empty()) {
            metadata["finalizers"] = std::move(finalizers);
        }
        json::object spec{
            {"containers", json::array{json::object{{"name", "main"}, {"image", "nginx:1.25"}}}}};
        if (!node.empty()) {
            spec["nodeName"] = node;
        }
        cluster.create(kube::resources::Pods, json::object{{"apiVersion", "v1"},
                                                           {"kind", "Pod"},
                                                           {"metadata", std::move(metadata)},
                                                           {"spec", std::move(spec)}});
        if (phase == "Running") {
            cluster.setPodStatus(name, "10.0.0.7", true);
        }
        if (phase != "Pending") {
            setPhase(name, phase);
        }
        ASSERT_TRUE(cluster.observer.waitUntil([&] { return phaseOf(pod(name)) == phase; }));
    }

    /// What the node agent reports; returns once the controller (if started) has seen it.
    void setPhase(const std::string& name, const std::string& phase) {
        cluster.patch(kube::resources::Pods, name,
                      json::object{{"status", json::object{{"phase", phase}}}}, "status");
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            return phaseOf(pod(name)) == phase &&
                   (gc == nullptr || phaseOf(gc->cachedPod(name)) == phase);
        }));
    }

    /// `kubectl delete pod --wait=false`: the pod may stay for its grace period; returns once
    /// the controller (if started) has seen it terminating.
    void startDeleting(const std::string& name) {
        cluster.remove(kube::resources::Pods, name);
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            return kube::hasDeletionTimestamp(pod(name)) &&
                   (gc == nullptr || kube::hasDeletionTimestamp(gc->cachedPod(name)));
        }));
    }

    json::object pod(const std::string& name) { return cluster.observer.object("pods", name); }
    bool exists(const std::string& name) { return cluster.observer.get("pods", name).has_value(); }
    bool waitGone(const std::string& name) {
        return cluster.observer.waitUntil([&] { return !exists(name); });
    }

    /// The last state of every pod the observer saw, deleted ones included.
    std::map<std::string, json::object> lastSeen() {
        std::lock_guard lock(m_seenMutex);
        return m_seen;
    }
    std::string deleteBody(const std::string& podName) {
        return recording.deleteBody("/api/v1/namespaces/default/pods/" + podName);
    }

    ObservedCluster cluster{{&kube::resources::Pods, &kube::resources::Nodes}};
    RecordingClient recording{cluster.controllerClient};
    SteppingClock clock{apiserver::test::testEpoch()};
    ManualTimers timers{clock};
    QueueController* queueController = nullptr;
    ObservedPodGC* gc = nullptr;

private:
    std::mutex m_seenMutex;
    std::map<std::string, json::object> m_seen;
    std::unique_ptr<Observer::Subscription> m_subscription =
        cluster.observer.onChange([this](const std::string& plural, const kube::ObjectPtr& o) {
            if (plural == "pods") {
                std::lock_guard lock(m_seenMutex);
                m_seen[std::string(kube::name(*o))] = *o;
            }
        });
};

} // namespace

TEST_F(PodGCTest, podsOfADeletedNodeGoWhenItsQuarantineEndsNotBefore) {
    addNode("worker");
    addNode("other");
    addPod("web", "worker", "Running");
    addPod("done", "worker", "Succeeded");
    addPod("stays", "other", "Running");
    start();

    // Between two periods, so that only the node's deletion explains a pass at its end.
    const TimePoint deleted = clock.now() + 7s;
    timers.advanceTo(deleted);
    removeNode("worker");

    // Passes during the quarantine leave the pods alone.
    timers.advanceTo(deleted + Quarantine - 1s);
    settle();
    EXPECT_TRUE(exists("web"));
    EXPECT_TRUE(exists("done"));
    EXPECT_EQ(kube::stringAt(kube::objectAt(pod("web"), "status"), "phase"), "Running");
    EXPECT_TRUE(condition(pod("web"), "DisruptionTarget").empty());

    // The quarantine's end, before the next period, brings them down.
    timers.advanceTo(deleted + Quarantine);
    ASSERT_TRUE(waitGone("web"));
    ASSERT_TRUE(waitGone("done"));
    EXPECT_TRUE(exists("stays"));

    std::map<std::string, json::object> seen = lastSeen();
    const json::object& web = seen["web"];
    EXPECT_EQ(kube::stringAt(kube::objectAt(web, "status"), "phase"), "Failed");
    json::object target = condition(web, "DisruptionTarget");
    EXPECT_EQ(kube::stringAt(target, "status"), "True");
    EXPECT_EQ(kube::stringAt(target, "reason"), "DeletionByPodGC");
    EXPECT_EQ(kube::stringAt(target, "message"), "PodGC: node no longer exists");
    EXPECT_EQ(kube::stringAt(target, "lastTransitionTime"), formatTime(deleted + Quarantine));
    EXPECT_EQ(kube::stringAt(condition(web, "Ready"), "status"), "True")
        << "the other conditions stay as they were";
    // A pod that had finished is deleted as it is.
    const json::object& done = seen["done"];
    EXPECT_EQ(kube::stringAt(kube::objectAt(done, "status"), "phase"), "Succeeded");
    EXPECT_TRUE(condition(done, "DisruptionTarget").empty());
    for (const char* name : {"web", "done"}) {
        json::object body = obj(deleteBody(name));
        EXPECT_EQ(kube::integerAt(body, "gracePeriodSeconds"), 0) << name;
    }
}

TEST_F(PodGCTest, aNodeThatComesBackWithinTheQuarantineKeepsItsPods) {
    addNode("worker");
    addPod("web", "worker", "Running");
    start();

    const TimePoint deleted = clock.now() + 5s;
    timers.advanceTo(deleted);
    removeNode("worker");
    timers.advanceTo(deleted + 10s);
    addNode("worker");

    timers.advanceTo(deleted + Quarantine);
    settle();
    timers.advanceTo(deleted + 3 * Quarantine);
    settle();
    ASSERT_TRUE(exists("web"));
    EXPECT_FALSE(kube::hasDeletionTimestamp(pod("web")));
    EXPECT_EQ(kube::stringAt(kube::objectAt(pod("web"), "status"), "phase"), "Running");
    EXPECT_TRUE(condition(pod("web"), "DisruptionTarget").empty());
    EXPECT_TRUE(deleteBody("web").empty());
}

TEST_F(PodGCTest, podsBoundToANodeThatNeverExistedGoAfterTheQuarantine) {
    addPod("lost", "ghost", "Pending");
    start();
    EXPECT_TRUE(exists("lost")) << "the first sight of a missing node starts its quarantine";

    timers.advanceTo(clock.now() + Quarantine - 1s);
    settle();
    EXPECT_TRUE(exists("lost"));

    timers.advanceTo(clock.now() + 1s);
    ASSERT_TRUE(waitGone("lost"));
    json::object lost = lastSeen()["lost"];
    EXPECT_EQ(kube::stringAt(kube::objectAt(lost, "status"), "phase"), "Failed");
    EXPECT_EQ(kube::stringAt(condition(lost, "DisruptionTarget"), "reason"), "DeletionByPodGC");
}

TEST_F(PodGCTest, unscheduledTerminatingPodsAreMarkedFailedAndForceDeleted) {
    const json::array hold{"example.com/hold"};
    addPod("stuck", "", "Pending", hold);
    addPod("waiting", "", "Pending");
    start();
    startDeleting("stuck");

    settle();
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return kube::stringAt(kube::objectAt(pod("stuck"), "status"), "phase") == "Failed";
    }));
    EXPECT_TRUE(condition(pod("stuck"), "DisruptionTarget").empty());
    EXPECT_EQ(kube::integerAt(obj(deleteBody("stuck")), "gracePeriodSeconds"), 0);
    // The finalizer's owner lets go: the pod is gone at once, no grace period left.
    cluster.patch(kube::resources::Pods, "stuck",
                  json::object{{"metadata", json::object{{"finalizers", nullptr}}}});
    EXPECT_TRUE(waitGone("stuck"));

    EXPECT_TRUE(exists("waiting")) << "a pending pod that is not being deleted stays";
    EXPECT_EQ(kube::stringAt(kube::objectAt(pod("waiting"), "status"), "phase"), "Pending");
}

TEST_F(PodGCTest, terminatingPodsGoOnlyFromNotReadyOutOfServiceNodes) {
    const json::array outOfService{json::object{{"key", "node.kubernetes.io/out-of-service"},
                                                {"value", "nodeshutdown"},
                                                {"effect", "NoExecute"}}};
    addNode("down", "False", outOfService);
    addNode("notready", "False");
    addNode("ready", "True", outOfService);
    for (const char* node : {"down", "notready", "ready"}) {
        addPod(std::string("leaving-") + node, node, "Running");
        startDeleting(std::string("leaving-") + node);
    }
    addPod("running-down", "down", "Running");
    start();

    ASSERT_TRUE(waitGone("leaving-down"));
    EXPECT_EQ(kube::stringAt(kube::objectAt(lastSeen()["leaving-down"], "status"), "phase"),
              "Failed");
    EXPECT_EQ(kube::integerAt(obj(deleteBody("leaving-down")), "gracePeriodSeconds"), 0);
    settle();
    EXPECT_TRUE(exists("leaving-notready")) << "not ready without the taint: left to its kubelet";
    EXPECT_TRUE(exists("leaving-ready")) << "tainted but ready: left to its kubelet";
    EXPECT_TRUE(exists("running-down")) << "not terminating: left alone";
    EXPECT_EQ(kube::stringAt(kube::objectAt(pod("running-down"), "status"), "phase"), "Running");
}

TEST_F(PodGCTest, terminatedPodsBeyondTheThresholdGoEvictedFirstThenOldestFirst) {
    // Created a minute apart; names run against age so that the order can only come from time.
    const std::vector<std::pair<std::string, std::string>> pods{
        {"running", "Running"}, {"t5", "Succeeded"}, {"t4", "Failed"},        {"t3", "Succeeded"},
        {"t2", "Succeeded"},    {"t1", "Failed"},    {"t0-evicted", "Failed"}};
    for (const auto& [name, phase] : pods) {
        addPod(name, "", phase);
        cluster.env.clock.advance(1min);
    }
    cluster.patch(kube::resources::Pods, "t0-evicted",
                  json::object{{"status", json::object{{"reason", "Evicted"}}}}, "status");
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return kube::stringAt(kube::objectAt(pod("t0-evicted"), "status"), "reason") == "Evicted";
    }));
    start(3);

    for (const char* name : {"t0-evicted", "t5", "t4"}) {
        EXPECT_TRUE(waitGone(name)) << name;
    }
    settle();
    for (const char* name : {"running", "t3", "t2", "t1"}) {
        EXPECT_TRUE(exists(name)) << name;
    }
    std::map<std::string, json::object> seen = lastSeen();
    EXPECT_EQ(kube::stringAt(kube::objectAt(seen["t5"], "status"), "phase"), "Succeeded")
        << "a finished pod is deleted as it is";
    EXPECT_EQ(kube::integerAt(obj(deleteBody("t5")), "gracePeriodSeconds"), 0);

    // A later pass finds nothing more to do until another pod finishes.
    timers.advance(Period);
    settle();
    EXPECT_TRUE(exists("t3"));
    setPhase("running", "Succeeded");
    timers.advance(Period);
    EXPECT_TRUE(waitGone("running")) << "it was created first";
    EXPECT_TRUE(exists("t3"));
}

TEST_F(PodGCTest, aPassRunsEveryCheckPeriod) {
    start();
    const TimePoint first = clock.now();
    EXPECT_EQ(timers.next(std::string(PodGCController::PassKey)), first + Period);
    timers.advanceTo(first + Period);
    EXPECT_TRUE(cluster.observer.waitUntil(
        [&] { return timers.next(std::string(PodGCController::PassKey)) == first + 2 * Period; }));
}
