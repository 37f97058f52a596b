// The DaemonSet controller over the in-process API with the real scheduler binding its pods and
// the test standing in for the node agents (marking bound pods Running and Ready, finishing
// graceful deletions): pods on exactly the eligible nodes, reactions to node changes, rolling
// updates within maxUnavailable and maxSurge, OnDelete, rollback and history, failed pods.

#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/daemonset/daemonsetcontroller.h"
#include "engine/scheduler/scheduler.h"
#include "workloadtestutil.h"

#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

const std::vector<const kube::ApiResource*> Watched{
    &kube::resources::Pods, &kube::resources::DaemonSets, &ControllerRevisions,
    &kube::resources::Nodes, &kube::resources::Events};

struct NodeSpec {
    std::string name;
    std::string role = "worker"; ///< The `role` label; empty: none.
    json::array taints;
    bool unschedulable = false;
};

json::object taint(const std::string& key, const std::string& effect) {
    return json::object{{"key", key}, {"effect", effect}};
}

json::object node(const NodeSpec& n) {
    json::object labels{{"kubernetes.io/hostname", n.name}};
    if (!n.role.empty()) {
        labels["role"] = n.role;
    }
    json::object spec;
    if (!n.taints.empty()) {
        spec["taints"] = n.taints;
    }
    if (n.unschedulable) {
        spec["unschedulable"] = true;
    }
    json::object allocatable{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata", json::object{{"name", n.name}, {"labels", labels}}},
        {"spec", spec},
        {"status", json::object{{"allocatable", allocatable}, {"capacity", allocatable}}}};
}

struct DsSpec {
    std::string image = "fluentd:1.16";
    bool workersOnly = true; ///< nodeSelector role=worker.
    std::string strategy = "RollingUpdate";
    std::optional<json::value> maxUnavailable;
    std::optional<json::value> maxSurge;
    std::optional<int64_t> historyLimit;
};

json::object containers(const std::string& image) {
    return json::object{
        {"containers", json::array{json::object{{"name", "fluentd"}, {"image", image}}}}};
}

json::object daemonSet(const DsSpec& s) {
    json::object podSpec = containers(s.image);
    if (s.workersOnly) {
        podSpec["nodeSelector"] = json::object{{"role", "worker"}};
    }
    json::object strategy{{"type", s.strategy}};
    if (s.maxUnavailable || s.maxSurge) {
        json::object rolling;
        if (s.maxUnavailable) {
            rolling["maxUnavailable"] = *s.maxUnavailable;
        }
        if (s.maxSurge) {
            rolling["maxSurge"] = *s.maxSurge;
        }
        strategy["rollingUpdate"] = rolling;
    }
    json::object spec{
        {"selector", json::object{{"matchLabels", json::object{{"app", "fluentd"}}}}},
        {"template",
         json::object{{"metadata", json::object{{"labels", json::object{{"app", "fluentd"}}}}},
                      {"spec", podSpec}}},
        {"updateStrategy", strategy},
    };
    if (s.historyLimit) {
        spec["revisionHistoryLimit"] = *s.historyLimit;
    }
    return json::object{{"apiVersion", "apps/v1"},
                        {"kind", "DaemonSet"},
                        {"metadata", json::object{{"name", "fluentd"}}},
                        {"spec", std::move(spec)}};
}

std::string label(const json::object& object, std::string_view key) {
    auto value = kube::label(object, key);
    return value ? std::string(*value) : std::string();
}

std::string nodeOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
}

std::string imageOf(const json::object& pod) {
    const json::array* list = kube::arrayAt(*kube::objectAt(pod, "spec"), "containers");
    return list && !list->empty() ? kube::stringAt(list->front().as_object(), "image") : "";
}

std::string phaseOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

bool available(const json::object& pod) {
    return phaseOf(pod) == "Running" &&
           kube::stringAt(condition(pod, "Ready"), "status") == "True" &&
           !kube::hasDeletionTimestamp(pod);
}

/// kubectl's `rollout status` for a DaemonSet (without the newline).
std::string dsRolloutStatus(const json::object& ds) {
    if (kube::objectAt(ds, "spec") == nullptr) {
        return "not found";
    }
    if (kube::generation(ds) > statusOf(ds, "observedGeneration")) {
        return "Waiting for daemon set spec update to be observed...";
    }
    const int64_t desired = statusOf(ds, "desiredNumberScheduled");
    if (statusOf(ds, "updatedNumberScheduled") < desired) {
        return fmt::format("Waiting for daemon set \"{}\" rollout to finish: {} out of {} new pods "
                           "have been updated...",
                           kube::name(ds), statusOf(ds, "updatedNumberScheduled"), desired);
    }
    if (statusOf(ds, "numberAvailable") < desired) {
        return fmt::format("Waiting for daemon set \"{}\" rollout to finish: {} of {} updated pods "
                           "are available...",
                           kube::name(ds), statusOf(ds, "numberAvailable"), desired);
    }
    return fmt::format("daemon set \"{}\" successfully rolled out", kube::name(ds));
}

/// The node agents of every node at once: bound pods become Running and Ready; pods being
/// deleted are finished off (the final delete with grace 0).
class NodeAgents {
public:
    NodeAgents(kube::ApiClient& client, Observer& observer)
        : m_client(client), m_observer(observer) {
        m_thread = std::thread([this] { run(); });
    }
    ~NodeAgents() {
        m_stop = true;
        m_observer.wake();
        m_thread.join();
    }

private:
    void run() {
        while (!m_stop) {
            json::object target;
            bool finish = false;
            bool found = false;
            m_observer.waitUntil(
                [&] {
                    if (m_stop) {
                        return true;
                    }
                    for (json::object& pod : m_observer.list("pods")) {
                        if (kube::hasDeletionTimestamp(pod)) {
                            target = std::move(pod);
                            found = finish = true;
                            return true;
                        }
                        // Each pod is started once: the cache may still show it Pending
                        // after it started, and a later Failed must not be undone.
                        if (!nodeOf(pod).empty() && phaseOf(pod) == "Pending" &&
                            !m_started.contains(std::string(kube::uid(pod)))) {
                            target = std::move(pod);
                            found = true;
                            return true;
                        }
                    }
                    return false;
                },
                5s);
            if (!found || m_stop) {
                continue;
            }
            if (finish) {
                kube::DeleteOptions options;
                options.gracePeriodSeconds = 0;
                auto removed = m_client.remove(kube::resources::Pods, kube::namespaceOf(target),
                                               kube::name(target), options);
                EXPECT_TRUE(removed || kube::isNotFound(removed.error()))
                    << removed.error().message;
                continue;
            }
            m_started.emplace(kube::uid(target));
            markReady(m_client, target);
        }
    }

    kube::ApiClient& m_client;
    Observer& m_observer;
    std::atomic<bool> m_stop{false};
    std::set<std::string> m_started; // uids; agent thread only
    std::thread m_thread;
};

/// One cluster: the scheduler, the DaemonSet controller and the node agents.
class DsDriver {
public:
    DsDriver() {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<scheduler::Scheduler>(cluster.controllerClient));
        controllers.push_back(std::make_unique<DaemonSetController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
        agents = std::make_unique<NodeAgents>(cluster.client, cluster.observer);
    }

    Observer& observer() { return cluster.observer; }

    void addNode(const NodeSpec& spec) { cluster.create(kube::resources::Nodes, node(spec)); }
    void patchNode(const std::string& name, const json::object& body) {
        cluster.patch(kube::resources::Nodes, name, body);
    }

    void create(const DsSpec& spec) {
        remember(cluster.create(kube::resources::DaemonSets, daemonSet(spec)));
    }
    json::object ds() { return observer().get("daemonsets", "fluentd").value_or(json::object()); }
    void patch(const json::object& body) {
        remember(cluster.patch(kube::resources::DaemonSets, "fluentd", body));
    }
    void setImage(const std::string& image) {
        patch(json::object{
            {"spec", json::object{{"template", json::object{{"spec", containers(image)}}}}}});
    }
    void remember(const json::object& written) {
        m_generation = std::max(m_generation, kube::generation(written));
    }

    /// The DaemonSet's pods that are not terminating, by node (unbound ones under "").
    std::map<std::string, std::vector<json::object>> podsByNode() {
        std::map<std::string, std::vector<json::object>> out;
        std::string uid(kube::uid(ds()));
        for (json::object& pod : observer().activePods()) {
            if (!uid.empty() && ownerUid(pod) == uid) {
                out[nodeOf(pod)].push_back(std::move(pod));
            }
        }
        return out;
    }

    std::vector<json::object> revisions() {
        std::string uid(kube::uid(ds()));
        std::vector<json::object> out;
        for (json::object& r : observer().list("controllerrevisions")) {
            if (ownerUid(r) == uid) {
                out.push_back(std::move(r));
            }
        }
        std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
            return revisionNumber(a) < revisionNumber(b);
        });
        return out;
    }

    /// Exactly one available pod on each of `nodes` with `image`, none elsewhere, the status
    /// says so for the newest generation, and the test has seen the pods' revision (its
    /// informer may lag behind the pods').
    bool runsOn(const std::set<std::string>& nodes, const std::string& image) {
        json::object d = ds();
        if (d.empty() || kube::generation(d) < m_generation ||
            dsRolloutStatus(d) != "daemon set \"fluentd\" successfully rolled out" ||
            statusOf(d, "desiredNumberScheduled") != static_cast<int64_t>(nodes.size()) ||
            statusOf(d, "currentNumberScheduled") != static_cast<int64_t>(nodes.size())) {
            return false;
        }
        auto byNode = podsByNode();
        if (byNode.size() != nodes.size()) {
            return false;
        }
        auto known = revisions();
        for (const auto& [nodeName, pods] : byNode) {
            if (!nodes.contains(nodeName) || pods.size() != 1 || !available(pods.front()) ||
                imageOf(pods.front()) != image) {
                return false;
            }
            const std::string hash = label(pods.front(), "controller-revision-hash");
            if (std::none_of(known.begin(), known.end(), [&](const json::object& r) {
                    return label(r, "controller-revision-hash") == hash;
                })) {
                return false;
            }
        }
        return true;
    }
    bool waitRunsOn(const std::set<std::string>& nodes, const std::string& image,
                    std::chrono::seconds limit = 30s) {
        return observer().waitUntil([&] { return runsOn(nodes, image); }, limit);
    }

    ObservedCluster cluster{Watched};
    std::unique_ptr<NodeAgents> agents;

private:
    int64_t m_generation = 0;
};

/// Tracks, at every pod change, how many of `nodes` lack an available daemon pod and how
/// many carry more than one live pod.
class Availability {
public:
    Availability(DsDriver& driver, std::set<std::string> nodes)
        : m_driver(driver), m_nodes(std::move(nodes)) {
        m_subscription =
            driver.observer().onChange([this](const std::string& plural, const kube::ObjectPtr&) {
                if (plural == "pods") {
                    sample();
                }
            });
    }
    std::atomic<int> maxUnavailable{0};
    std::atomic<int> maxDoubled{0};

private:
    void sample() {
        std::map<std::string, int> live;
        std::set<std::string> up;
        for (json::object& pod : m_driver.observer().activePods()) {
            if (!kube::name(pod).starts_with("fluentd-")) {
                continue;
            }
            ++live[nodeOf(pod)];
            if (available(pod)) {
                up.insert(nodeOf(pod));
            }
        }
        int unavailable = 0;
        int doubled = 0;
        for (const std::string& n : m_nodes) {
            unavailable += up.contains(n) ? 0 : 1;
            doubled += live[n] > 1 ? 1 : 0;
        }
        maxUnavailable = std::max(maxUnavailable.load(), unavailable);
        maxDoubled = std::max(maxDoubled.load(), doubled);
    }

    DsDriver& m_driver;
    std::set<std::string> m_nodes;
    std::unique_ptr<Observer::Subscription> m_subscription;
};

bool hasEvent(Observer& observer, const std::string& text) {
    auto events = observer.events("fluentd");
    return std::find(events.begin(), events.end(), text) != events.end();
}

} // namespace

TEST(DaemonSetController, RunsOnePodOnEachEligibleNode) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.addNode({"n2"});
    driver.addNode({"n3"});
    driver.addNode({.name = "tainted", .taints = json::array{taint("dedicated", "NoSchedule")}});
    driver.addNode({.name = "other", .role = ""});
    // A cordoned node: daemon pods tolerate node.kubernetes.io/unschedulable.
    driver.addNode({.name = "cordoned",
                    .taints = json::array{taint("node.kubernetes.io/unschedulable", "NoSchedule")},
                    .unschedulable = true});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2", "n3", "cordoned"}, "fluentd:1.16"))
        << dsRolloutStatus(driver.ds());

    json::object ds = driver.ds();
    EXPECT_EQ(statusOf(ds, "desiredNumberScheduled"), 4);
    EXPECT_EQ(statusOf(ds, "currentNumberScheduled"), 4);
    EXPECT_EQ(statusOf(ds, "numberReady"), 4);
    EXPECT_EQ(statusOf(ds, "numberAvailable"), 4);
    EXPECT_EQ(statusOf(ds, "updatedNumberScheduled"), 4);
    EXPECT_EQ(statusOf(ds, "numberMisscheduled"), 0);
    EXPECT_FALSE(kube::objectAt(ds, "status")->contains("numberUnavailable"));
    EXPECT_EQ(statusOf(ds, "observedGeneration"), 1);

    auto revisions = driver.revisions();
    ASSERT_EQ(revisions.size(), 1U);
    const std::string hash = label(revisions[0], "controller-revision-hash");
    EXPECT_EQ(kube::name(revisions[0]), "fluentd-" + hash);
    EXPECT_EQ(revisionNumber(revisions[0]), 1);

    for (const auto& [nodeName, pods] : driver.podsByNode()) {
        const json::object& pod = pods.front();
        EXPECT_EQ(kube::generateName(pod), "fluentd-");
        EXPECT_TRUE(kube::name(pod).starts_with("fluentd-"));
        EXPECT_EQ(label(pod, "controller-revision-hash"), hash);
        EXPECT_EQ(label(pod, "pod-template-generation"), "1");
        EXPECT_EQ(kube::stringAt(*kube::controllerRef(pod), "kind"), "DaemonSet");
        // Bound by the scheduler through the node affinity the controller set.
        const json::object* required =
            kube::objectAt(kube::objectAt(kube::objectAt(*kube::objectAt(pod, "spec"), "affinity"),
                                          "nodeAffinity"),
                           "requiredDuringSchedulingIgnoredDuringExecution");
        ASSERT_NE(required, nullptr);
        const json::object& field =
            kube::arrayAt(kube::arrayAt(*required, "nodeSelectorTerms")->front().as_object(),
                          "matchFields")
                ->front()
                .as_object();
        EXPECT_EQ(kube::stringAt(field, "key"), "metadata.name");
        EXPECT_EQ(kube::stringAt(field, "operator"), "In");
        EXPECT_EQ(kube::stringsAt(field, "values"), std::vector<std::string>{nodeName});
        std::set<std::string> tolerations;
        for (const json::value& t : *kube::arrayAt(*kube::objectAt(pod, "spec"), "tolerations")) {
            const json::object& o = t.as_object();
            EXPECT_FALSE(o.contains("tolerationSeconds"));
            tolerations.insert(kube::stringAt(o, "key") + ":" + kube::stringAt(o, "operator") +
                               ":" + kube::stringAt(o, "effect"));
        }
        EXPECT_EQ(tolerations,
                  (std::set<std::string>{"node.kubernetes.io/not-ready:Exists:NoExecute",
                                         "node.kubernetes.io/unreachable:Exists:NoExecute",
                                         "node.kubernetes.io/disk-pressure:Exists:NoSchedule",
                                         "node.kubernetes.io/memory-pressure:Exists:NoSchedule",
                                         "node.kubernetes.io/pid-pressure:Exists:NoSchedule",
                                         "node.kubernetes.io/unschedulable:Exists:NoSchedule"}));
    }
    EXPECT_TRUE(driver.observer().waitUntil([&] {
        auto events = driver.observer().events("fluentd");
        return std::count_if(events.begin(), events.end(), [](const std::string& e) {
                   return e.starts_with("SuccessfulCreate: Created pod: fluentd-");
               }) == 4;
    })) << fmt::format("{}", fmt::join(driver.observer().events("fluentd"), "\n"));
}

TEST(DaemonSetController, FollowsNodesAddedRelabelledTaintedAndRemoved) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));

    driver.addNode({"n2"});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.16"));

    // Relabelled out of the selector: its pod goes.
    driver.patchNode(
        "n2", json::object{{"metadata", json::object{{"labels", json::object{{"role", "gpu"}}}}}});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));
    // Misscheduled until the node agent has finished the pod off.
    EXPECT_TRUE(driver.observer().waitUntil(
        [&] { return statusOf(driver.ds(), "numberMisscheduled") == 0; }));

    // A NoSchedule taint keeps the running pod but counts it as misscheduled.
    driver.addNode({"n3"});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n3"}, "fluentd:1.16"));
    const std::string n3Pod(kube::name(driver.podsByNode().at("n3").front()));
    driver.patchNode(
        "n3",
        json::object{
            {"spec", json::object{{"taints", json::array{taint("maintenance", "NoSchedule")}}}}});
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object d = driver.ds();
        return statusOf(d, "desiredNumberScheduled") == 1 &&
               statusOf(d, "numberMisscheduled") == 1 && statusOf(d, "currentNumberScheduled") == 1;
    }));
    auto byNode = driver.podsByNode();
    ASSERT_TRUE(byNode.contains("n3"));
    EXPECT_EQ(kube::name(byNode.at("n3").front()), n3Pod);

    // A NoExecute taint evicts.
    driver.patchNode(
        "n1",
        json::object{
            {"spec", json::object{{"taints", json::array{taint("maintenance", "NoExecute")}}}}});
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object d = driver.ds();
        return !driver.podsByNode().contains("n1") && statusOf(d, "desiredNumberScheduled") == 0 &&
               statusOf(d, "numberMisscheduled") == 1;
    }));

    // A removed node no longer counts.
    driver.cluster.remove(kube::resources::Nodes, "n3");
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object d = driver.ds();
        return statusOf(d, "numberMisscheduled") == 0 && statusOf(d, "desiredNumberScheduled") == 0;
    }));
}

TEST(DaemonSetController, RollingUpdateNeverExceedsMaxUnavailable) {
    DsDriver driver;
    const std::set<std::string> nodes{"n1", "n2", "n3", "n4"};
    for (const std::string& n : nodes) {
        driver.addNode({n});
    }
    driver.create(DsSpec{.maxUnavailable = json::value(1)});
    ASSERT_TRUE(driver.waitRunsOn(nodes, "fluentd:1.16"));
    const std::string oldHash = label(driver.revisions().front(), "controller-revision-hash");

    Availability watch(driver, nodes);
    driver.setImage("fluentd:1.17");
    ASSERT_TRUE(driver.waitRunsOn(nodes, "fluentd:1.17")) << dsRolloutStatus(driver.ds());
    EXPECT_EQ(watch.maxUnavailable, 1) << "one node at a time";
    EXPECT_EQ(watch.maxDoubled, 0);

    auto revisions = driver.revisions();
    ASSERT_EQ(revisions.size(), 2U);
    EXPECT_EQ(label(revisions[0], "controller-revision-hash"), oldHash);
    const std::string newHash = label(revisions[1], "controller-revision-hash");
    EXPECT_NE(newHash, oldHash);
    EXPECT_EQ(revisionNumber(revisions[1]), 2);
    for (const auto& [nodeName, pods] : driver.podsByNode()) {
        EXPECT_EQ(label(pods.front(), "controller-revision-hash"), newHash);
        EXPECT_EQ(label(pods.front(), "pod-template-generation"), "2");
    }
}

TEST(DaemonSetController, RollingUpdateWithMaxSurgeKeepsEveryNodeAvailable) {
    DsDriver driver;
    const std::set<std::string> nodes{"n1", "n2", "n3"};
    for (const std::string& n : nodes) {
        driver.addNode({n});
    }
    driver.create(DsSpec{.maxUnavailable = json::value(0), .maxSurge = json::value(1)});
    ASSERT_TRUE(driver.waitRunsOn(nodes, "fluentd:1.16"));

    Availability watch(driver, nodes);
    driver.setImage("fluentd:1.17");
    ASSERT_TRUE(driver.waitRunsOn(nodes, "fluentd:1.17")) << dsRolloutStatus(driver.ds());
    EXPECT_EQ(watch.maxUnavailable, 0) << "surge replaces without a gap";
    EXPECT_EQ(watch.maxDoubled, 1) << "one extra pod at a time";
}

TEST(DaemonSetController, OnDeleteReplacesOnlyDeletedPods) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.addNode({"n2"});
    driver.create(DsSpec{.strategy = "OnDelete"});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.16"));

    driver.setImage("fluentd:1.17");
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object d = driver.ds();
        return statusOf(d, "observedGeneration") == 2 && driver.revisions().size() == 2;
    }));
    auto listed = driver.cluster.client.list(kube::resources::Pods, "default");
    ASSERT_TRUE(listed);
    for (const json::object& pod : listed->items) {
        EXPECT_EQ(imageOf(pod), "fluentd:1.16") << kube::name(pod);
    }
    EXPECT_EQ(statusOf(driver.ds(), "updatedNumberScheduled"), 0);

    const std::string victim(kube::name(driver.podsByNode().at("n2").front()));
    driver.cluster.remove(kube::resources::Pods, victim);
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto byNode = driver.podsByNode();
        return byNode.contains("n2") && byNode.at("n2").size() == 1 &&
               imageOf(byNode.at("n2").front()) == "fluentd:1.17" &&
               available(byNode.at("n2").front()) &&
               statusOf(driver.ds(), "updatedNumberScheduled") == 1;
    }));
    EXPECT_EQ(imageOf(driver.podsByNode().at("n1").front()), "fluentd:1.16");
}

TEST(DaemonSetController, RolloutUndoReusesTheEarlierRevision) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.addNode({"n2"});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.16"));
    driver.setImage("fluentd:1.17");
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.17"));
    auto revisions = driver.revisions();
    ASSERT_EQ(revisions.size(), 2U);
    const std::string first(kube::name(revisions[0]));
    const std::string firstHash = label(revisions[0], "controller-revision-hash");

    EXPECT_EQ(kubectlRolloutUndo(driver.cluster.client, kube::resources::DaemonSets, "fluentd"),
              "rolled back");
    driver.remember(
        driver.cluster.client.get(kube::resources::DaemonSets, "default", "fluentd").value());
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.16"));
    for (const auto& [nodeName, pods] : driver.podsByNode()) {
        EXPECT_EQ(label(pods.front(), "controller-revision-hash"), firstHash);
    }
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto now = driver.revisions();
        return now.size() == 2 && kube::name(now.back()) == first &&
               revisionNumber(now.back()) == 3;
    }));
}

TEST(DaemonSetController, RevisionHistoryLimitKeepsTheNewestRevisions) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.create(DsSpec{.historyLimit = 1});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));
    for (const std::string image : {"fluentd:1.17", "fluentd:1.18", "fluentd:1.19"}) {
        driver.setImage(image);
        ASSERT_TRUE(driver.waitRunsOn({"n1"}, image)) << image;
    }
    ASSERT_TRUE(driver.observer().waitUntil([&] { return driver.revisions().size() == 2; }));
    auto revisions = driver.revisions();
    EXPECT_EQ(revisionNumber(revisions[0]), 3);
    EXPECT_EQ(revisionNumber(revisions[1]), 4);
}

TEST(DaemonSetController, RevisionNumbersStayUniqueWhileItsRevisionCacheLags) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));
    // The controller's revision informer falls behind: it sees none of the revisions it writes.
    driver.cluster.controllerClient.holdEvents("controllerrevisions", true);
    for (const std::string image : {"fluentd:1.17", "fluentd:1.18"}) {
        driver.setImage(image);
        ASSERT_TRUE(driver.waitRunsOn({"n1"}, image)) << image;
    }
    driver.cluster.controllerClient.holdEvents("controllerrevisions", false);
    std::vector<int64_t> numbers;
    for (const json::object& r : driver.revisions()) {
        numbers.push_back(revisionNumber(r));
    }
    EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(label(driver.revisions().back(), "controller-revision-hash"),
              label(driver.podsByNode().at("n1").front(), "controller-revision-hash"));
}

TEST(DaemonSetController, FailedPodsAreReplacedWithBackoff) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));

    // When each failed pod starts going away.
    std::mutex mutex;
    std::map<std::string, std::chrono::steady_clock::time_point> goneAt;
    auto subscription =
        driver.observer().onChange([&](const std::string& plural, const kube::ObjectPtr& pod) {
            if (plural == "pods" && phaseOf(*pod) == "Failed" &&
                (kube::hasDeletionTimestamp(*pod) ||
                 !driver.observer().get("pods", std::string(kube::name(*pod))))) {
                std::lock_guard lock(mutex);
                goneAt.try_emplace(std::string(kube::name(*pod)), std::chrono::steady_clock::now());
            }
        });
    auto fail = [&](const std::string& name) {
        driver.cluster.patch(kube::resources::Pods, name,
                             json::object{{"status", json::object{{"phase", "Failed"}}}}, "status");
    };
    auto replacedAfter = [&](const std::string& failed) {
        return driver.observer().waitUntil([&] {
            auto byNode = driver.podsByNode();
            return byNode.contains("n1") && byNode.at("n1").size() == 1 &&
                   kube::name(byNode.at("n1").front()) != failed &&
                   available(byNode.at("n1").front());
        });
    };

    const std::string first(kube::name(driver.podsByNode().at("n1").front()));
    fail(first);
    ASSERT_TRUE(replacedAfter(first));
    const std::string second(kube::name(driver.podsByNode().at("n1").front()));
    fail(second);
    ASSERT_TRUE(replacedAfter(second));

    std::map<std::string, std::chrono::steady_clock::time_point> seen;
    {
        std::lock_guard lock(mutex);
        seen = goneAt;
    }
    ASSERT_TRUE(seen.contains(first));
    ASSERT_TRUE(seen.contains(second));
    EXPECT_GE(seen[second] - seen[first], 800ms) << "the second kill waits out the back-off";
    const std::string event = fmt::format(
        "FailedDaemonPod: Found failed daemon pod default/{} on node n1, will try to kill it",
        first);
    EXPECT_TRUE(driver.observer().waitUntil([&] { return hasEvent(driver.observer(), event); }));
}

TEST(DaemonSetController, PodTemplateGenerationCountsTemplateChangesOnly) {
    DsDriver driver;
    driver.addNode({"n1"});
    driver.create(DsSpec{});
    ASSERT_TRUE(driver.waitRunsOn({"n1"}, "fluentd:1.16"));
    EXPECT_EQ(kube::annotation(driver.ds(), "deprecated.daemonset.template.generation"), "1");

    // A spec change outside the template moves metadata.generation only.
    driver.patch(json::object{{"spec", json::object{{"revisionHistoryLimit", 5}}}});
    driver.addNode({"n2"});
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.16"));
    EXPECT_EQ(kube::generation(driver.ds()), 2);
    EXPECT_EQ(label(driver.podsByNode().at("n2").front(), "pod-template-generation"), "1");

    driver.setImage("fluentd:1.17");
    ASSERT_TRUE(driver.waitRunsOn({"n1", "n2"}, "fluentd:1.17"));
    EXPECT_EQ(kube::generation(driver.ds()), 3);
    EXPECT_EQ(kube::annotation(driver.ds(), "deprecated.daemonset.template.generation"), "2");
    for (const auto& [node, pods] : driver.podsByNode()) {
        EXPECT_EQ(label(pods.front(), "pod-template-generation"), "2") << node;
    }
}
