// End to end in-process: the Scheduler run by a ControllerManager over InProcessApiClient and
// the memory store binds pods, writes events and conditions, and preempts.

#include "engine/apiserver/inprocessclient.h"
#include "engine/controllers/framework/controllermanager.h"
#include "engine/scheduler/scheduler.h"
#include "kube/client/informer.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <functional>
#include <mutex>

namespace pilot::scheduler::test {
namespace {

using namespace std::chrono_literals;

/// Watches a resource and waits, with a deadline, for its cache to satisfy a predicate.
class Watcher {
public:
    Watcher(kube::ApiClient& client, const kube::ApiResource& resource)
        : m_informer(client, kube::InformerOptions{.resource = resource}) {
        auto notify = [this] {
            std::lock_guard lock(m_mutex);
            ++m_version;
            m_changed.notify_all();
        };
        m_informer.addHandlers(
            {[notify](const kube::ObjectPtr&) { notify(); },
             [notify](const kube::ObjectPtr&, const kube::ObjectPtr&) { notify(); },
             [notify](const kube::ObjectPtr&) { notify(); }});
        m_informer.start();
        EXPECT_TRUE(m_informer.waitForSync(std::chrono::steady_clock::now() + 10s));
    }
    ~Watcher() { m_informer.stop(); }

    bool waitUntil(const std::function<bool(const kube::IndexedCache&)>& done,
                   std::chrono::milliseconds timeout = 15s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(m_mutex);
        while (!done(m_informer.cache())) {
            if (m_changed.wait_until(lock, deadline) == std::cv_status::timeout) {
                return done(m_informer.cache());
            }
        }
        return true;
    }
    [[nodiscard]] const kube::IndexedCache& cache() const { return m_informer.cache(); }

private:
    kube::Informer m_informer;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    uint64_t m_version = 0;
};

std::string nodeOf(const kube::ObjectPtr& pod) {
    return pod ? kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName") : std::string();
}

const json::object* condition(const kube::ObjectPtr& pod, std::string_view type) {
    const json::array* conditions =
        pod ? kube::arrayAt(*kube::objectAt(*pod, "status"), "conditions") : nullptr;
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        if (kube::stringAt(c.as_object(), "type") == type) {
            return &c.as_object();
        }
    }
    return nullptr;
}

/// The core/v1 events about one object, as kubectl reads them.
std::vector<kube::ObjectPtr> eventsFor(const kube::IndexedCache& events, std::string_view name,
                                       std::string_view reason = {}) {
    std::vector<kube::ObjectPtr> out;
    for (const kube::ObjectPtr& e : events.list()) {
        const json::object* involved = kube::objectAt(*e, "involvedObject");
        if (kube::stringAt(involved, "name") == name &&
            (reason.empty() || kube::stringAt(*e, "reason") == reason)) {
            out.push_back(e);
        }
    }
    return out;
}

class SchedulerEndToEnd : public ::testing::Test {
protected:
    void SetUp() override {
        env.createNamespace("default");
        client = std::make_unique<apiserver::InProcessApiClient>(*env.handler, "test");
        pods = std::make_unique<Watcher>(*client, kube::resources::Pods);
        events = std::make_unique<Watcher>(*client, kube::resources::Events);
    }
    void TearDown() override {
        if (manager) {
            manager->stop();
        }
        events.reset();
        pods.reset();
    }

    void startScheduler() {
        manager = std::make_unique<controllers::ControllerManager>(*client);
        auto owned = std::make_unique<Scheduler>(*client);
        scheduler = owned.get();
        manager->add(std::move(owned));
        ASSERT_TRUE(manager->start());
    }
    void createNode(const json::object& node) {
        auto created = client->create(kube::resources::Nodes, "", node);
        ASSERT_TRUE(created) << created.error().message;
        if (!kube::objectAt(*created, "status") ||
            !kube::objectAt(*kube::objectAt(*created, "status"), "allocatable")) {
            json::object withStatus = *created;
            withStatus["status"] = node.at("status");
            auto updated = client->updateStatus(kube::resources::Nodes, withStatus);
            ASSERT_TRUE(updated) << updated.error().message;
        }
    }
    void createPod(json::object pod) {
        json::object& meta = pod["metadata"].as_object();
        meta.erase("uid");
        meta.erase("resourceVersion");
        meta.erase("creationTimestamp");
        pod.erase("status");
        auto created = client->create(kube::resources::Pods, "default", pod);
        ASSERT_TRUE(created) << created.error().message;
    }
    kube::ObjectPtr pod(const std::string& name) { return pods->cache().get("default/" + name); }
    bool waitBound(const std::string& name) {
        return pods->waitUntil(
            [&](const kube::IndexedCache& c) { return !nodeOf(c.get("default/" + name)).empty(); });
    }

    apiserver::test::ApiEnv env;
    std::unique_ptr<apiserver::InProcessApiClient> client;
    std::unique_ptr<Watcher> pods;
    std::unique_ptr<Watcher> events;
    std::unique_ptr<controllers::ControllerManager> manager;
    Scheduler* scheduler = nullptr;
};

TEST_F(SchedulerEndToEnd, BindsPodsAndRecordsScheduledEvents) {
    for (int i = 1; i <= 3; ++i) {
        createNode(TestNode("node-" + std::to_string(i)).cpu("2"));
    }
    startScheduler();
    for (int i = 0; i < 6; ++i) {
        createPod(TestPod("web-" + std::to_string(i)).cpu("500m"));
    }
    std::map<std::string, int> perNode;
    for (int i = 0; i < 6; ++i) {
        std::string name = "web-" + std::to_string(i);
        ASSERT_TRUE(waitBound(name)) << name;
        std::string node = nodeOf(pod(name));
        ++perNode[node];
        // The binding sets spec.nodeName, then the PodScheduled condition in status.
        ASSERT_TRUE(pods->waitUntil([&](const kube::IndexedCache& c) {
            const json::object* scheduled = condition(c.get("default/" + name), "PodScheduled");
            return scheduled != nullptr && kube::stringAt(*scheduled, "status") == "True";
        }));
        std::string note = "Successfully assigned default/" + name + " to " + node;
        ASSERT_TRUE(events->waitUntil(
            [&](const kube::IndexedCache& c) { return !eventsFor(c, name, "Scheduled").empty(); }));
        kube::ObjectPtr event = eventsFor(events->cache(), name, "Scheduled").front();
        EXPECT_EQ(kube::stringAt(*event, "message"), note);
        EXPECT_EQ(kube::stringAt(*event, "type"), "Normal");
        EXPECT_EQ(kube::stringAt(*event, "reportingComponent"), "default-scheduler");
        EXPECT_EQ(kube::stringAt(*event, "action"), "Binding");
    }
    // LeastAllocated spreads six half-cpu pods over three 2-cpu nodes: two each.
    ASSERT_EQ(perNode.size(), 3u);
    for (const auto& [node, count] : perNode) {
        EXPECT_EQ(count, 2) << node;
    }
    EXPECT_EQ(scheduler->stats().bound, 6u);
}

TEST_F(SchedulerEndToEnd, UnschedulablePodGetsConditionAndEventThenFitsOnNewNode) {
    createNode(TestNode("control-plane")
                   .cpu("4")
                   .taint("node-role.kubernetes.io/control-plane", "", "NoSchedule"));
    createNode(TestNode("small-1").cpu("1"));
    createNode(TestNode("small-2").cpu("1"));
    startScheduler();
    createPod(TestPod("big").cpu("2"));
    const std::string message =
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are "
        "available: 3 Preemption is not helpful for scheduling.";
    ASSERT_TRUE(pods->waitUntil([&](const kube::IndexedCache& c) {
        const json::object* scheduled = condition(c.get("default/big"), "PodScheduled");
        return scheduled != nullptr && kube::stringAt(*scheduled, "status") == "False";
    }));
    const json::object* scheduled = condition(pod("big"), "PodScheduled");
    EXPECT_EQ(kube::stringAt(*scheduled, "reason"), "Unschedulable");
    EXPECT_EQ(kube::stringAt(*scheduled, "message"), message);
    ASSERT_TRUE(events->waitUntil([&](const kube::IndexedCache& c) {
        return !eventsFor(c, "big", "FailedScheduling").empty();
    }));
    kube::ObjectPtr event = eventsFor(events->cache(), "big", "FailedScheduling").front();
    EXPECT_EQ(kube::stringAt(*event, "type"), "Warning");
    EXPECT_EQ(kube::stringAt(*event, "message"), message);

    // A node with room arrives: the parked pod is retried (after its 1 s back-off) and bound.
    createNode(TestNode("large").cpu("8"));
    ASSERT_TRUE(waitBound("big"));
    EXPECT_EQ(nodeOf(pod("big")), "large");
}

TEST_F(SchedulerEndToEnd, LeavesPodsOfOtherSchedulersAlone) {
    createNode(TestNode("node-1"));
    startScheduler();
    createPod(TestPod("custom").spec("schedulerName", "my-scheduler"));
    createPod(TestPod("ordinary"));
    ASSERT_TRUE(waitBound("ordinary"));
    // Both pods were delivered to the scheduler in order; only ours was touched.
    EXPECT_TRUE(nodeOf(pod("custom")).empty());
    EXPECT_EQ(condition(pod("custom"), "PodScheduled"), nullptr);
    EXPECT_TRUE(eventsFor(events->cache(), "custom").empty());
}

TEST_F(SchedulerEndToEnd, PodsBoundElsewhereAreLeftAloneButCounted) {
    createNode(TestNode("node-1").cpu("2"));
    createNode(TestNode("node-2").cpu("2"));
    createPod(TestPod("pinned").cpu("2").node("node-1"));
    startScheduler();
    createPod(TestPod("next").cpu("1"));
    ASSERT_TRUE(waitBound("next"));
    EXPECT_EQ(nodeOf(pod("next")), "node-2");
    EXPECT_EQ(nodeOf(pod("pinned")), "node-1");
    ASSERT_TRUE(events->waitUntil(
        [&](const kube::IndexedCache& c) { return !eventsFor(c, "next", "Scheduled").empty(); }));
    EXPECT_TRUE(eventsFor(events->cache(), "pinned").empty());
}

TEST_F(SchedulerEndToEnd, AntiAffinitySpreadsAGroupAcrossNodes) {
    for (int i = 1; i <= 3; ++i) {
        createNode(TestNode("node-" + std::to_string(i)));
    }
    startScheduler();
    for (int i = 0; i < 3; ++i) {
        createPod(TestPod("db-" + std::to_string(i)).label("app", "db").antiAffinity("app", "db"));
    }
    std::set<std::string> nodes;
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(waitBound("db-" + std::to_string(i)));
        nodes.insert(nodeOf(pod("db-" + std::to_string(i))));
    }
    EXPECT_EQ(nodes.size(), 3u);
    createPod(TestPod("db-3").label("app", "db").antiAffinity("app", "db"));
    ASSERT_TRUE(pods->waitUntil([&](const kube::IndexedCache& c) {
        const json::object* scheduled = condition(c.get("default/db-3"), "PodScheduled");
        return scheduled != nullptr && kube::stringAt(*scheduled, "status") == "False";
    }));
    EXPECT_EQ(kube::stringAt(*condition(pod("db-3"), "PodScheduled"), "message"),
              "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. "
              "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming "
              "pod.");
}

TEST_F(SchedulerEndToEnd, HighPriorityPodPreemptsLowerPriorityPods) {
    auto created = client->create(PriorityClasses, "",
                                  json::object{{"apiVersion", "scheduling.k8s.io/v1"},
                                               {"kind", "PriorityClass"},
                                               {"metadata", json::object{{"name", "high"}}},
                                               {"value", 1000}});
    ASSERT_TRUE(created) << created.error().message;
    createNode(TestNode("node-1").cpu("2"));
    startScheduler();
    for (int i = 0; i < 2; ++i) {
        createPod(
            TestPod("low-" + std::to_string(i)).cpu("1").spec("terminationGracePeriodSeconds", 0));
    }
    ASSERT_TRUE(waitBound("low-0"));
    ASSERT_TRUE(waitBound("low-1"));

    createPod(TestPod("urgent").cpu("1500m").spec("priorityClassName", "high"));
    ASSERT_TRUE(waitBound("urgent"));
    EXPECT_EQ(nodeOf(pod("urgent")), "node-1");
    // Both low pods had to go (1.5 cpu of 2 leaves no room for either).
    ASSERT_TRUE(pods->waitUntil([&](const kube::IndexedCache& c) {
        return !c.get("default/low-0") && !c.get("default/low-1");
    }));
    std::string urgentUid(kube::uid(*pod("urgent")));
    ASSERT_TRUE(events->waitUntil([&](const kube::IndexedCache& c) {
        return eventsFor(c, "low-0", "Preempted").size() == 1 &&
               eventsFor(c, "low-1", "Preempted").size() == 1;
    }));
    kube::ObjectPtr preempted = eventsFor(events->cache(), "low-0", "Preempted").front();
    EXPECT_EQ(kube::stringAt(*preempted, "message"),
              "Preempted by pod " + urgentUid + " on node node-1");
    // The preemptor was nominated to the node before it was bound there.
    kube::ObjectPtr failed = eventsFor(events->cache(), "urgent", "FailedScheduling").front();
    EXPECT_EQ(kube::stringAt(*failed, "message"), "0/1 nodes are available: 1 Insufficient cpu.");
    EXPECT_EQ(scheduler->stats().preemptions, 1u);
}

} // namespace
} // namespace pilot::scheduler::test
