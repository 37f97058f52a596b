// The StatefulSet controller over the in-process API, the test standing in for the node agent
// (marking pods Running and Ready): ordered and parallel pod management, claims from
// volumeClaimTemplates and their retention policy, partitioned rolling updates, OnDelete,
// ControllerRevisions with rollback and history limit, and what kubectl reads in the status.

#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/statefulset/statefulsetcontroller.h"
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
    &kube::resources::Pods, &kube::resources::StatefulSets, &ControllerRevisions,
    &kube::resources::PersistentVolumeClaims, &kube::resources::Events};

struct SetSpec {
    int64_t replicas = 3;
    std::string image = "nginx:1.25";
    bool parallel = false;
    bool claims = false;
    std::string whenDeleted; ///< Retention policy; empty: the default (Retain).
    std::string whenScaled;
    std::optional<int64_t> partition;
    bool onDelete = false;
    std::optional<int64_t> historyLimit;
    std::optional<int64_t> start;
};

json::object containers(const std::string& image) {
    return json::object{
        {"containers", json::array{json::object{{"name", "nginx"}, {"image", image}}}}};
}

/// The StatefulSet `web` of the Kubernetes docs: headless service `nginx`, pods `app: web`.
json::object statefulSet(const SetSpec& s) {
    json::object spec{
        {"replicas", s.replicas},
        {"serviceName", "nginx"},
        {"selector", json::object{{"matchLabels", json::object{{"app", "web"}}}}},
        {"template",
         json::object{{"metadata", json::object{{"labels", json::object{{"app", "web"}}}}},
                      {"spec", containers(s.image)}}},
    };
    if (s.parallel) {
        spec["podManagementPolicy"] = "Parallel";
    }
    if (s.claims) {
        spec["volumeClaimTemplates"] = json::array{json::object{
            {"metadata", json::object{{"name", "www"}}},
            {"spec",
             json::object{
                 {"accessModes", json::array{"ReadWriteOnce"}},
                 {"resources", json::object{{"requests", json::object{{"storage", "1Gi"}}}}}}}}};
    }
    if (!s.whenDeleted.empty() || !s.whenScaled.empty()) {
        json::object policy;
        if (!s.whenDeleted.empty()) {
            policy["whenDeleted"] = s.whenDeleted;
        }
        if (!s.whenScaled.empty()) {
            policy["whenScaled"] = s.whenScaled;
        }
        spec["persistentVolumeClaimRetentionPolicy"] = policy;
    }
    if (s.onDelete) {
        spec["updateStrategy"] = json::object{{"type", "OnDelete"}};
    } else if (s.partition) {
        spec["updateStrategy"] =
            json::object{{"type", "RollingUpdate"},
                         {"rollingUpdate", json::object{{"partition", *s.partition}}}};
    }
    if (s.historyLimit) {
        spec["revisionHistoryLimit"] = *s.historyLimit;
    }
    if (s.start) {
        spec["ordinals"] = json::object{{"start", *s.start}};
    }
    return json::object{{"apiVersion", "apps/v1"},
                        {"kind", "StatefulSet"},
                        {"metadata", json::object{{"name", "web"}}},
                        {"spec", std::move(spec)}};
}

std::string label(const json::object& object, std::string_view key) {
    auto value = kube::label(object, key);
    return value ? std::string(*value) : std::string();
}

std::string revisionOf(const json::object& pod) {
    return label(pod, "controller-revision-hash");
}

std::string imageOf(const json::object& pod) {
    const json::array* list = kube::arrayAt(*kube::objectAt(pod, "spec"), "containers");
    return list && !list->empty() ? kube::stringAt(list->front().as_object(), "image") : "";
}

bool runningAndReady(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase") == "Running" &&
           kube::stringAt(condition(pod, "Ready"), "status") == "True" &&
           !kube::hasDeletionTimestamp(pod);
}

int64_t ordinalOf(std::string_view name) {
    auto dash = name.rfind('-');
    return std::stoll(std::string(name.substr(dash + 1)));
}

/// kubectl's `rollout status` for a StatefulSet, message for message (without the newline).
std::string stsRolloutStatus(const json::object& sts) {
    const json::object* spec = kube::objectAt(sts, "spec");
    if (spec == nullptr) {
        return "not found";
    }
    if (statusOf(sts, "observedGeneration") == 0 ||
        kube::generation(sts) > statusOf(sts, "observedGeneration")) {
        return "Waiting for statefulset spec update to be observed...";
    }
    const int64_t replicas = specReplicasOf(sts);
    if (statusOf(sts, "readyReplicas") < replicas) {
        return fmt::format("Waiting for {} pods to be ready...",
                           replicas - statusOf(sts, "readyReplicas"));
    }
    const json::object* rolling =
        kube::objectAt(kube::objectAt(*spec, "updateStrategy"), "rollingUpdate");
    if (rolling != nullptr) {
        int64_t partition = kube::integerAt(*rolling, "partition").value_or(0);
        if (statusOf(sts, "updatedReplicas") < replicas - partition) {
            return fmt::format("Waiting for partitioned roll out to finish: {} out of {} new pods "
                               "have been updated...",
                               statusOf(sts, "updatedReplicas"), replicas - partition);
        }
        return fmt::format("partitioned roll out complete: {} new pods have been updated...",
                           statusOf(sts, "updatedReplicas"));
    }
    std::string current = kube::stringAt(kube::objectAt(sts, "status"), "currentRevision");
    std::string update = kube::stringAt(kube::objectAt(sts, "status"), "updateRevision");
    if (current != update) {
        return fmt::format("waiting for statefulset rolling update to complete {} pods at "
                           "revision {}...",
                           statusOf(sts, "updatedReplicas"), update);
    }
    return fmt::format("statefulset rolling update complete {} pods at revision {}...",
                       statusOf(sts, "currentReplicas"), current);
}

/// One cluster with the StatefulSet controller; optionally the stand-in node agent.
class StsDriver {
public:
    explicit StsDriver(bool autoReady = true) {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<StatefulSetController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
        if (autoReady) {
            ready = std::make_unique<AutoReady>(cluster.client, cluster.observer);
        }
    }

    Observer& observer() { return cluster.observer; }

    json::object create(const SetSpec& spec) {
        json::object created = cluster.create(kube::resources::StatefulSets, statefulSet(spec));
        remember(created);
        return created;
    }

    json::object set() { return observer().get("statefulsets", "web").value_or(json::object()); }

    /// A merge patch of the set; later waits need its generation observed.
    void patch(const json::object& body) {
        remember(cluster.patch(kube::resources::StatefulSets, "web", body));
    }
    void setImage(const std::string& image) {
        patch(json::object{
            {"spec", json::object{{"template", json::object{{"spec", containers(image)}}}}}});
    }
    void scale(int64_t replicas) {
        patch(json::object{{"spec", json::object{{"replicas", replicas}}}});
    }
    void remember(const json::object& written) {
        m_generation = std::max(m_generation, kube::generation(written));
    }

    /// The set's live pods by ordinal.
    std::map<int64_t, json::object> pods() {
        std::map<int64_t, json::object> out;
        std::string uid(kube::uid(set()));
        for (json::object& pod : observer().activePods()) {
            if (!uid.empty() && ownerUid(pod) == uid) {
                out.emplace(ordinalOf(kube::name(pod)), std::move(pod));
            }
        }
        return out;
    }

    /// The set's revisions, lowest revision number first.
    std::vector<json::object> revisions() {
        std::string uid(kube::uid(set()));
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

    /// The status reflects the newest spec, every replica is Ready at the update revision and
    /// the test has seen that revision (its informer may lag behind the pods' and the set's).
    bool settled(int64_t replicas) {
        json::object s = set();
        if (s.empty() || kube::generation(s) < m_generation ||
            statusOf(s, "observedGeneration") < kube::generation(s)) {
            return false;
        }
        std::string update = kube::stringAt(kube::objectAt(s, "status"), "updateRevision");
        auto known = revisions();
        if (std::none_of(known.begin(), known.end(),
                         [&](const json::object& r) { return kube::name(r) == update; })) {
            return false;
        }
        auto live = pods();
        if (static_cast<int64_t>(live.size()) != replicas || statusOf(s, "replicas") != replicas ||
            statusOf(s, "readyReplicas") != replicas) {
            return false;
        }
        return std::all_of(live.begin(), live.end(), [&](const auto& entry) {
            return runningAndReady(entry.second) && revisionOf(entry.second) == update;
        });
    }

    bool waitSettled(int64_t replicas, std::chrono::seconds limit = 30s) {
        return observer().waitUntil([&] { return settled(replicas); }, limit);
    }

    /// Reads a pod straight from the API (not through a possibly lagging informer).
    std::optional<json::object> getPod(const std::string& name) {
        auto pod = cluster.client.get(kube::resources::Pods, "default", name);
        return pod ? std::optional<json::object>(*pod) : std::nullopt;
    }

    ObservedCluster cluster{Watched};
    std::unique_ptr<AutoReady> ready;

private:
    int64_t m_generation = 0;
};

/// Watches pod events of `web` and checks an ordering rule at each creation and deletion; the
/// rules see the observer's state at the moment of the event.
class PodOrder {
public:
    using Rule = std::function<std::string(int64_t ordinal, const json::object& pod,
                                           const std::map<int64_t, json::object>& others)>;

    PodOrder(Observer& observer, Rule onCreate, Rule onDelete)
        : m_observer(observer), m_onCreate(std::move(onCreate)), m_onDelete(std::move(onDelete)) {
        m_subscription =
            observer.onChange([this](const std::string& plural, const kube::ObjectPtr& object) {
                if (plural == "pods") {
                    changed(*object);
                }
            });
    }

    std::vector<std::string> created;
    std::vector<std::string> deleted;
    std::vector<std::string> violations;

private:
    void changed(const json::object& pod) {
        const std::string name(kube::name(pod));
        if (!name.starts_with("web-")) {
            return;
        }
        std::map<int64_t, json::object> others;
        for (json::object& p : m_observer.activePods()) {
            if (kube::name(p).starts_with("web-") && kube::name(p) != name) {
                others.emplace(ordinalOf(kube::name(p)), std::move(p));
            }
        }
        const bool present = m_observer.get("pods", name).has_value();
        const std::string uid(kube::uid(pod));
        if (present && m_seen.insert(uid).second) {
            created.push_back(name);
            if (m_onCreate) {
                check(m_onCreate(ordinalOf(name), pod, others), "create", name);
            }
        } else if (!present && m_gone.insert(uid).second) {
            deleted.push_back(name);
            if (m_onDelete) {
                check(m_onDelete(ordinalOf(name), pod, others), "delete", name);
            }
        }
    }
    void check(const std::string& problem, std::string_view what, const std::string& name) {
        if (!problem.empty()) {
            violations.push_back(fmt::format("{} {}: {}", what, name, problem));
        }
    }

    Observer& m_observer;
    Rule m_onCreate;
    Rule m_onDelete;
    std::set<std::string> m_seen;
    std::set<std::string> m_gone;
    std::unique_ptr<Observer::Subscription> m_subscription;
};

/// OrderedReady creation: every lower ordinal is Running and Ready.
std::string predecessorsReady(int64_t ordinal, const json::object&,
                              const std::map<int64_t, json::object>& others) {
    for (int64_t k = 0; k < ordinal; ++k) {
        auto it = others.find(k);
        if (it == others.end() || !runningAndReady(it->second)) {
            return fmt::format("web-{} not Running and Ready", k);
        }
    }
    return {};
}

/// OrderedReady scale-down: nothing above is left, everything below is Ready.
std::string highestFirstWhileHealthy(int64_t ordinal, const json::object&,
                                     const std::map<int64_t, json::object>& others) {
    for (const auto& [k, pod] : others) {
        if (k > ordinal) {
            return fmt::format("web-{} still there", k);
        }
        if (!runningAndReady(pod)) {
            return fmt::format("web-{} not Ready", k);
        }
    }
    return {};
}

bool hasEvent(Observer& observer, const std::string& text) {
    auto events = observer.events("web");
    return std::find(events.begin(), events.end(), text) != events.end();
}

} // namespace

TEST(StatefulSetController, OrderedReadyCreatesInOrderAndScalesDownFromTheTop) {
    StsDriver driver(false);
    PodOrder order(driver.observer(), predecessorsReady, highestFirstWhileHealthy);
    AutoReady ready(driver.cluster.client, driver.observer());
    driver.create(SetSpec{.replicas = 3});
    ASSERT_TRUE(driver.waitSettled(3)) << stsRolloutStatus(driver.set());

    EXPECT_EQ(order.created, (std::vector<std::string>{"web-0", "web-1", "web-2"}));
    json::object set = driver.set();
    const std::string revision = kube::stringAt(kube::objectAt(set, "status"), "updateRevision");
    EXPECT_EQ(revision, kube::stringAt(kube::objectAt(set, "status"), "currentRevision"));
    EXPECT_TRUE(revision.starts_with("web-")) << revision;
    EXPECT_EQ(statusOf(set, "currentReplicas"), 3);
    EXPECT_EQ(statusOf(set, "updatedReplicas"), 3);
    EXPECT_EQ(statusOf(set, "availableReplicas"), 3);
    EXPECT_EQ(statusOf(set, "observedGeneration"), 1);
    EXPECT_EQ(stsRolloutStatus(set),
              "partitioned roll out complete: 3 new pods have been updated...");
    for (const auto& [ordinal, pod] : driver.pods()) {
        const std::string name = fmt::format("web-{}", ordinal);
        EXPECT_EQ(label(pod, "statefulset.kubernetes.io/pod-name"), name);
        EXPECT_EQ(label(pod, "apps.kubernetes.io/pod-index"), std::to_string(ordinal));
        EXPECT_EQ(revisionOf(pod), revision);
        EXPECT_EQ(label(pod, "app"), "web");
        EXPECT_EQ(kube::stringAt(kube::objectAt(pod, "spec"), "hostname"), name);
        EXPECT_EQ(kube::stringAt(kube::objectAt(pod, "spec"), "subdomain"), "nginx");
        EXPECT_EQ(kube::generateName(pod), "web-");
        const json::object* ref = kube::controllerRef(pod);
        ASSERT_NE(ref, nullptr);
        EXPECT_EQ(kube::stringAt(*ref, "kind"), "StatefulSet");
        EXPECT_EQ(kube::stringAt(*ref, "name"), "web");
    }
    // The revision's data is the template patch kubectl applies on rollback.
    auto revisions = driver.revisions();
    ASSERT_EQ(revisions.size(), 1U);
    EXPECT_EQ(kube::name(revisions[0]), revision);
    EXPECT_EQ(revisionNumber(revisions[0]), 1);
    const json::object* data = revisions[0]["data"].if_object();
    ASSERT_NE(data, nullptr);
    const json::object* tmpl = kube::objectAt(kube::objectAt(*data, "spec"), "template");
    ASSERT_NE(tmpl, nullptr);
    EXPECT_EQ(kube::stringAt(*tmpl, "$patch"), "replace");
    EXPECT_EQ(label(revisions[0], "app"), "web");
    EXPECT_FALSE(label(revisions[0], "controller.kubernetes.io/hash").empty());
    EXPECT_TRUE(driver.observer().waitUntil([&] {
        return hasEvent(driver.observer(),
                        "SuccessfulCreate: create Pod web-2 in StatefulSet web successful");
    }));

    driver.scale(1);
    ASSERT_TRUE(driver.waitSettled(1)) << stsRolloutStatus(driver.set());
    // The status can settle before the observer delivered the last pod's deletion.
    ASSERT_TRUE(driver.observer().waitUntil([&] { return order.deleted.size() >= 2; }));
    EXPECT_EQ(order.deleted, (std::vector<std::string>{"web-2", "web-1"}));
    EXPECT_TRUE(order.violations.empty()) << fmt::format("{}", fmt::join(order.violations, "; "));
    EXPECT_TRUE(driver.observer().waitUntil([&] {
        return hasEvent(driver.observer(),
                        "SuccessfulDelete: delete Pod web-1 in StatefulSet web successful");
    }));
}

TEST(StatefulSetController, OrderedReadyWaitsForEachPodAndStopsOnAnUnhealthyOne) {
    StsDriver driver(false);
    driver.create(SetSpec{.replicas = 3});
    // web-0 exists (the status counts it) but is not Ready: web-1 is not created.
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object s = driver.set();
        return statusOf(s, "replicas") == 1 && statusOf(s, "observedGeneration") == 1;
    }));
    EXPECT_TRUE(driver.getPod("web-0"));
    EXPECT_FALSE(driver.getPod("web-1"));

    // Ready one at a time: each one lets the next be created.
    for (int ordinal = 0; ordinal < 3; ++ordinal) {
        const std::string name = fmt::format("web-{}", ordinal);
        ASSERT_TRUE(driver.observer().waitUntil([&] { return driver.pods().contains(ordinal); }))
            << name;
        markReady(driver.cluster.client, driver.pods().at(ordinal));
    }
    ASSERT_TRUE(driver.waitSettled(3));

    // web-0 turns unhealthy; scaling down to 1 waits for it.
    json::object notReady{
        {"status", json::object{{"conditions", json::array{json::object{{"type", "Ready"},
                                                                        {"status", "False"}}}}}}};
    driver.cluster.patch(kube::resources::Pods, "web-0", notReady, "status");
    ASSERT_TRUE(
        driver.observer().waitUntil([&] { return statusOf(driver.set(), "readyReplicas") == 2; }));
    driver.scale(1);
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        return statusOf(driver.set(), "observedGeneration") == kube::generation(driver.set()) &&
               kube::generation(driver.set()) == 2;
    }));
    EXPECT_TRUE(driver.getPod("web-2")) << "scaled down past an unhealthy pod";
    EXPECT_TRUE(driver.getPod("web-1"));

    markReady(driver.cluster.client, driver.pods().at(0));
    ASSERT_TRUE(driver.waitSettled(1));
    EXPECT_FALSE(driver.getPod("web-1"));
    EXPECT_FALSE(driver.getPod("web-2"));
}

TEST(StatefulSetController, ParallelCreatesAndDeletesAllAtOnce) {
    StsDriver driver(false);
    driver.create(SetSpec{.replicas = 4, .parallel = true});
    // Nobody marks them Ready, yet all four exist.
    ASSERT_TRUE(driver.observer().waitUntil([&] { return driver.pods().size() == 4; }));
    for (const auto& [ordinal, pod] : driver.pods()) {
        EXPECT_FALSE(runningAndReady(pod)) << ordinal;
    }
    ASSERT_TRUE(
        driver.observer().waitUntil([&] { return statusOf(driver.set(), "replicas") == 4; }));
    EXPECT_EQ(statusOf(driver.set(), "readyReplicas"), 0);

    driver.scale(1);
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto pods = driver.pods();
        return pods.size() == 1 && pods.contains(0);
    }));
    EXPECT_TRUE(
        driver.observer().waitUntil([&] { return statusOf(driver.set(), "replicas") == 1; }));
}

TEST(StatefulSetController, OrdinalsStartNamesPodsFromIt) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 2, .start = 5});
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto pods = driver.pods();
        return pods.size() == 2 && pods.contains(5) && pods.contains(6) &&
               statusOf(driver.set(), "readyReplicas") == 2;
    }));
    EXPECT_EQ(label(driver.pods().at(6), "apps.kubernetes.io/pod-index"), "6");
}

TEST(StatefulSetController, ClaimsAreCreatedBeforeTheirPodsAndRetainedByDefault) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 2, .claims = true});
    ASSERT_TRUE(driver.waitSettled(2));
    // The claims come from another informer than the pods and the set.
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        return driver.observer().get("persistentvolumeclaims", "www-web-0") &&
               driver.observer().get("persistentvolumeclaims", "www-web-1");
    }));
    for (int ordinal = 0; ordinal < 2; ++ordinal) {
        const std::string claimName = fmt::format("www-web-{}", ordinal);
        auto claim = driver.observer().get("persistentvolumeclaims", claimName);
        ASSERT_TRUE(claim) << claimName;
        EXPECT_EQ(label(*claim, "app"), "web");
        EXPECT_EQ(kube::ownerReferences(*claim), nullptr) << "Retain: no owners";
        // The pod mounts its own claim.
        json::object pod = driver.pods().at(ordinal);
        const json::array* volumes = kube::arrayAt(*kube::objectAt(pod, "spec"), "volumes");
        ASSERT_NE(volumes, nullptr);
        bool mounted = false;
        for (const json::value& v : *volumes) {
            if (kube::stringAt(v.as_object(), "name") == "www") {
                mounted = kube::stringAt(kube::objectAt(v.as_object(), "persistentVolumeClaim"),
                                         "claimName") == claimName;
            }
        }
        EXPECT_TRUE(mounted) << claimName;
        // Created first: an older resourceVersion than the pod's, and the Event before.
        EXPECT_LT(std::stoll(std::string(kube::resourceVersion(*claim))),
                  std::stoll(std::string(kube::resourceVersion(*driver.cluster.client.get(
                      kube::resources::Pods, "default", fmt::format("web-{}", ordinal))))));
    }
    const std::string claimEvent =
        "SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success";
    const std::string podEvent = "SuccessfulCreate: create Pod web-0 in StatefulSet web successful";
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        return hasEvent(driver.observer(), claimEvent) && hasEvent(driver.observer(), podEvent);
    }));
    auto events = driver.observer().events("web");
    EXPECT_LT(std::find(events.begin(), events.end(), claimEvent) - events.begin(),
              std::find(events.begin(), events.end(), podEvent) - events.begin());

    driver.scale(1);
    ASSERT_TRUE(driver.waitSettled(1));
    EXPECT_TRUE(driver.observer().get("persistentvolumeclaims", "www-web-1"))
        << "whenScaled Retain keeps the claim";
}

TEST(StatefulSetController, RetentionPolicyDeleteOwnsClaimsBySetAndScaledDownPods) {
    StsDriver driver;
    driver.create(
        SetSpec{.replicas = 3, .claims = true, .whenDeleted = "Delete", .whenScaled = "Delete"});
    ASSERT_TRUE(driver.waitSettled(3));
    const std::string setUid(kube::uid(driver.set()));
    auto ownedBy = [&](const std::string& claimName, const std::string& uid) {
        auto claim = driver.observer().get("persistentvolumeclaims", claimName);
        const json::array* refs = claim ? kube::ownerReferences(*claim) : nullptr;
        if (refs == nullptr || refs->size() != 1) {
            return false;
        }
        const json::object& ref = refs->front().as_object();
        return kube::stringAt(ref, "uid") == uid && kube::boolAt(ref, "controller") == true;
    };
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        return ownedBy("www-web-0", setUid) && ownedBy("www-web-1", setUid) &&
               ownedBy("www-web-2", setUid);
    }));
    auto claim = driver.observer().get("persistentvolumeclaims", "www-web-0");
    const json::object& ref = kube::ownerReferences(*claim)->front().as_object();
    EXPECT_EQ(kube::stringAt(ref, "kind"), "StatefulSet");
    EXPECT_EQ(kube::stringAt(ref, "apiVersion"), "apps/v1");
    EXPECT_EQ(kube::boolAt(ref, "blockOwnerDeletion"), true);

    std::map<int64_t, std::string> podUids;
    for (const auto& [ordinal, pod] : driver.pods()) {
        podUids[ordinal] = std::string(kube::uid(pod));
    }
    driver.scale(1);
    ASSERT_TRUE(driver.waitSettled(1));
    // Scaled-down claims now belong to their (deleted) pods, for the garbage collector.
    EXPECT_TRUE(driver.observer().waitUntil([&] {
        return ownedBy("www-web-1", podUids[1]) && ownedBy("www-web-2", podUids[2]) &&
               ownedBy("www-web-0", setUid);
    }));
}

TEST(StatefulSetController, PartitionedRollingUpdateGoesFromTheTopDownToThePartition) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 4, .partition = 2});
    ASSERT_TRUE(driver.waitSettled(4));
    const std::string oldRevision =
        kube::stringAt(kube::objectAt(driver.set(), "status"), "currentRevision");

    // A pod is deleted for the update only when every higher one is updated and Ready.
    PodOrder order(driver.observer(), nullptr,
                   [](int64_t ordinal, const json::object& pod,
                      const std::map<int64_t, json::object>& others) {
                       for (const auto& [k, other] : others) {
                           if (k > ordinal &&
                               (!runningAndReady(other) || revisionOf(other) == revisionOf(pod))) {
                               return fmt::format("web-{} not updated and Ready", k);
                           }
                       }
                       return std::string();
                   });
    driver.setImage("nginx:1.26");
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object s = driver.set();
        auto pods = driver.pods();
        return statusOf(s, "observedGeneration") == 2 && statusOf(s, "updatedReplicas") == 2 &&
               statusOf(s, "readyReplicas") == 4 && pods.size() == 4 &&
               std::all_of(pods.begin(), pods.end(),
                           [](const auto& p) { return runningAndReady(p.second); });
    })) << stsRolloutStatus(driver.set());
    json::object set = driver.set();
    const std::string newRevision = kube::stringAt(kube::objectAt(set, "status"), "updateRevision");
    EXPECT_NE(newRevision, oldRevision);
    EXPECT_EQ(kube::stringAt(kube::objectAt(set, "status"), "currentRevision"), oldRevision);
    EXPECT_EQ(statusOf(set, "currentReplicas"), 2);
    EXPECT_EQ(stsRolloutStatus(set),
              "partitioned roll out complete: 2 new pods have been updated...");
    auto pods = driver.pods();
    EXPECT_EQ(imageOf(pods.at(0)), "nginx:1.25");
    EXPECT_EQ(imageOf(pods.at(1)), "nginx:1.25");
    EXPECT_EQ(revisionOf(pods.at(1)), oldRevision);
    EXPECT_EQ(imageOf(pods.at(2)), "nginx:1.26");
    EXPECT_EQ(imageOf(pods.at(3)), "nginx:1.26");
    EXPECT_EQ(revisionOf(pods.at(3)), newRevision);
    EXPECT_EQ(order.deleted, (std::vector<std::string>{"web-3", "web-2"}));

    // Partition 0: the rest follow, top down, and the update completes.
    driver.patch(json::object{
        {"spec", json::object{{"updateStrategy",
                               json::object{{"rollingUpdate", json::object{{"partition", 0}}}}}}}});
    ASSERT_TRUE(driver.waitSettled(4));
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object s = driver.set();
        return kube::stringAt(kube::objectAt(s, "status"), "currentRevision") == newRevision &&
               statusOf(s, "currentReplicas") == 4;
    }));
    EXPECT_EQ(order.deleted, (std::vector<std::string>{"web-3", "web-2", "web-1", "web-0"}));
    EXPECT_TRUE(order.violations.empty()) << fmt::format("{}", fmt::join(order.violations, "; "));
}

TEST(StatefulSetController, OnDeleteUpdatesOnlyPodsSomeoneDeletes) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 2, .onDelete = true});
    ASSERT_TRUE(driver.waitSettled(2));
    const std::string oldRevision =
        kube::stringAt(kube::objectAt(driver.set(), "status"), "updateRevision");
    driver.setImage("nginx:1.26");
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        json::object s = driver.set();
        return statusOf(s, "observedGeneration") == 2 &&
               kube::stringAt(kube::objectAt(s, "status"), "updateRevision") != oldRevision;
    }));
    EXPECT_EQ(imageOf(*driver.getPod("web-0")), "nginx:1.25");
    EXPECT_EQ(imageOf(*driver.getPod("web-1")), "nginx:1.25");
    EXPECT_EQ(statusOf(driver.set(), "updatedReplicas"), 0);

    driver.cluster.remove(kube::resources::Pods, "web-1");
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto pods = driver.pods();
        return pods.contains(1) && imageOf(pods.at(1)) == "nginx:1.26" &&
               runningAndReady(pods.at(1)) && statusOf(driver.set(), "updatedReplicas") == 1;
    }));
    EXPECT_EQ(imageOf(driver.pods().at(0)), "nginx:1.25");
}

TEST(StatefulSetController, RolloutUndoReusesTheEarlierRevision) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 2});
    ASSERT_TRUE(driver.waitSettled(2));
    const std::string first =
        kube::stringAt(kube::objectAt(driver.set(), "status"), "updateRevision");
    driver.setImage("nginx:1.26");
    ASSERT_TRUE(driver.waitSettled(2));
    const std::string second =
        kube::stringAt(kube::objectAt(driver.set(), "status"), "updateRevision");
    ASSERT_NE(first, second);
    ASSERT_EQ(driver.revisions().size(), 2U);

    EXPECT_EQ(kubectlRolloutUndo(driver.cluster.client, kube::resources::StatefulSets, "web"),
              "rolled back");
    driver.remember(
        driver.cluster.client.get(kube::resources::StatefulSets, "default", "web").value());
    ASSERT_TRUE(driver.waitSettled(2));
    json::object set = driver.set();
    EXPECT_EQ(kube::stringAt(kube::objectAt(set, "status"), "updateRevision"), first);
    for (const auto& [ordinal, pod] : driver.pods()) {
        EXPECT_EQ(imageOf(pod), "nginx:1.25");
        EXPECT_EQ(revisionOf(pod), first);
    }
    // No third revision: the first one came back as number 3.
    ASSERT_TRUE(driver.observer().waitUntil([&] {
        auto revisions = driver.revisions();
        return revisions.size() == 2 && kube::name(revisions.back()) == first &&
               revisionNumber(revisions.back()) == 3;
    }));
    EXPECT_EQ(kubectlRolloutUndo(driver.cluster.client, kube::resources::StatefulSets, "web", 3),
              "skipped rollback (current template already matches revision 3)");
}

TEST(StatefulSetController, RevisionHistoryLimitKeepsTheNewestRevisions) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 1, .historyLimit = 1});
    ASSERT_TRUE(driver.waitSettled(1));
    for (const std::string image : {"nginx:1.26", "nginx:1.27", "nginx:1.28"}) {
        driver.setImage(image);
        ASSERT_TRUE(driver.waitSettled(1)) << image;
    }
    // The live revision plus one of history; the oldest are gone.
    ASSERT_TRUE(driver.observer().waitUntil([&] { return driver.revisions().size() == 2; }));
    auto revisions = driver.revisions();
    EXPECT_EQ(revisionNumber(revisions[0]), 3);
    EXPECT_EQ(revisionNumber(revisions[1]), 4);
    EXPECT_EQ(kube::name(revisions[1]),
              kube::stringAt(kube::objectAt(driver.set(), "status"), "updateRevision"));
}

TEST(StatefulSetController, RevisionNumbersStayUniqueWhileItsRevisionCacheLags) {
    StsDriver driver;
    driver.create(SetSpec{.replicas = 1});
    ASSERT_TRUE(driver.waitSettled(1));
    // The controller's revision informer falls behind: it sees none of the revisions it writes.
    driver.cluster.controllerClient.holdEvents("controllerrevisions", true);
    for (const std::string image : {"nginx:1.26", "nginx:1.27"}) {
        driver.setImage(image);
        ASSERT_TRUE(driver.waitSettled(1)) << image;
    }
    driver.cluster.controllerClient.holdEvents("controllerrevisions", false);
    auto numbers = [&] {
        std::vector<int64_t> out;
        for (const json::object& r : driver.revisions()) {
            out.push_back(revisionNumber(r));
        }
        return out;
    };
    EXPECT_EQ(numbers(), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(kube::name(driver.revisions().back()),
              kube::stringAt(kube::objectAt(driver.set(), "status"), "updateRevision"));
    EXPECT_EQ(kubectlRolloutUndo(driver.cluster.client, kube::resources::StatefulSets, "web", 2),
              "rolled back");
}

TEST(StatefulSetController, FailedPodsAreReplaced) {
    // Readiness by hand: a stand-in that revives any pod would also revive the failed one.
    StsDriver driver(false);
    driver.create(SetSpec{.replicas = 2});
    auto readyWhenCreated = [&](int64_t ordinal, const std::string& notUid) {
        EXPECT_TRUE(driver.observer().waitUntil([&] {
            auto pods = driver.pods();
            return pods.contains(ordinal) && kube::uid(pods.at(ordinal)) != notUid;
        }));
        markReady(driver.cluster.client, driver.pods().at(ordinal));
    };
    readyWhenCreated(0, "");
    readyWhenCreated(1, "");
    ASSERT_TRUE(driver.waitSettled(2));

    const std::string failedUid(kube::uid(driver.pods().at(1)));
    driver.cluster.patch(kube::resources::Pods, "web-1",
                         json::object{{"status", json::object{{"phase", "Failed"}}}}, "status");
    readyWhenCreated(1, failedUid);
    ASSERT_TRUE(driver.waitSettled(2));
    EXPECT_NE(kube::uid(driver.pods().at(1)), failedUid);
    EXPECT_TRUE(driver.observer().waitUntil([&] {
        return hasEvent(driver.observer(),
                        "SuccessfulDelete: delete Pod web-1 in StatefulSet web successful");
    }));
}
