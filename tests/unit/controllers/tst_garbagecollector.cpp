// The garbage collector and the namespace controller over the in-process API: dependents of
// deleted owners go (background), foreground owners wait for blocking dependents, orphaning
// strips owner references, dangling references are handled as upstream; a terminating
// namespace is emptied, reports upstream's deletion conditions, and is finalized.

#include "engine/controllers/framework/controllermanager.h"
#include "engine/controllers/garbagecollector/garbagecollector.h"
#include "engine/controllers/namespace/namespaceconditions.h"
#include "engine/controllers/namespace/namespacecontroller.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;

namespace {

constexpr std::chrono::seconds Deadline{10};

json::object ownerRef(const json::object& owner, bool controller = true, bool block = true) {
    return json::object{{"apiVersion", kube::stringAt(owner, "apiVersion")},
                        {"kind", kube::stringAt(owner, "kind")},
                        {"name", kube::name(owner)},
                        {"uid", kube::uid(owner)},
                        {"controller", controller},
                        {"blockOwnerDeletion", block}};
}

json::object ownedBy(json::object object, const std::vector<json::object>& owners) {
    json::array refs;
    for (const json::object& o : owners) {
        refs.emplace_back(o);
    }
    object["metadata"].as_object()["ownerReferences"] = std::move(refs);
    return object;
}

json::object withFinalizer(json::object object, const std::string& finalizer) {
    object["metadata"].as_object()["finalizers"] = json::array{json::string(finalizer)};
    return object;
}

json::object configMap(const std::string& name) {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", json::object{{"name", name}}},
                        {"data", json::object{{"k", "v"}}}};
}

json::object deployment(const std::string& name) {
    return obj(
        fmt::format(R"({{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"{0}"}},)"
                    R"("spec":{{"replicas":0,"selector":{{"matchLabels":{{"app":"{0}"}}}},)"
                    R"("template":{{"metadata":{{"labels":{{"app":"{0}"}}}},)"
                    R"("spec":{{"containers":[{{"name":"c","image":"busybox"}}]}}}}}}}})",
                    name));
}

json::object replicaSet(const std::string& name) {
    json::object rs = deployment(name);
    rs["kind"] = "ReplicaSet";
    return rs;
}

json::object pod(const std::string& name) {
    return obj(fmt::format(R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{}"}},)"
                           R"("spec":{{"containers":[{{"name":"c","image":"busybox"}}]}}}})",
                           name));
}

const kube::ApiResource& resourceOf(const std::string& plural) {
    static const std::map<std::string, const kube::ApiResource*> byPlural{
        {"namespaces", &kube::resources::Namespaces},
        {"configmaps", &kube::resources::ConfigMaps},
        {"pods", &kube::resources::Pods},
        {"nodes", &kube::resources::Nodes},
        {"deployments", &kube::resources::Deployments},
        {"replicasets", &kube::resources::ReplicaSets},
        {"leases", &kube::resources::Leases}};
    return *byPlural.at(plural);
}

/// The collector's client, with another writer racing it once: the first merge patch of the
/// object `name` that sets `field` finds the object changed just before (a label added by
/// someone else), so its resourceVersion precondition fails with a Conflict.
class RacingClient final : public kube::ApiClient {
public:
    RacingClient(kube::ApiClient& inner, std::string name, std::string field)
        : ApiClient("pilothouse-controllers"), m_inner(inner), m_name(std::move(name)),
          m_field(std::move(field)) {}

    Result<kube::ApiResponse> send(const kube::ApiRequest& request) override {
        const bool ours = request.method == "PATCH" && request.path.ends_with("/" + m_name) &&
                          request.body.find("\"" + m_field + "\"") != std::string::npos;
        if (ours) {
            ++m_patches;
            if (!m_raced.exchange(true)) {
                kube::ApiRequest label;
                label.method = "PATCH";
                label.path = request.path;
                label.contentType = "application/merge-patch+json";
                label.body = R"({"metadata":{"labels":{"touched":"yes"}}})";
                auto raced = m_inner.send(label);
                EXPECT_TRUE(raced && raced->status == 200);
            }
        }
        auto response = m_inner.send(request);
        if (ours && response && response->status == 409) {
            ++m_conflicts;
        }
        return response;
    }
    Result<std::unique_ptr<kube::EventStream>> openWatch(const kube::ApiRequest& request) override {
        return m_inner.openWatch(request);
    }

    std::atomic<int> m_patches{0};
    std::atomic<int> m_conflicts{0};

private:
    kube::ApiClient& m_inner;
    std::string m_name;
    std::string m_field;
    std::atomic<bool> m_raced{false};
};

class GarbageCollectorTest : public ::testing::Test {
protected:
    GarbageCollectorTest()
        : view(client,
               {&kube::resources::Namespaces, &kube::resources::ConfigMaps, &kube::resources::Pods,
                &kube::resources::Nodes, &kube::resources::Deployments,
                &kube::resources::ReplicaSets, &kube::resources::Leases}) {
        env.createNamespace("default");
        env.createNamespace("kube-node-lease");
        view.start();
    }
    ~GarbageCollectorTest() override {
        manager.reset();
        view.stop();
    }

    /// `collectorClient`: what the garbage collector talks through (the controllers' client).
    void startControllers(kube::ApiClient* collectorClient = nullptr) {
        manager = std::make_unique<ControllerManager>(controllerClient);
        manager->add(std::make_unique<GarbageCollector>(collectorClient ? *collectorClient
                                                                        : controllerClient));
        NamespaceController::Options options;
        options.firstRecheck = std::chrono::milliseconds(20);
        manager->add(std::make_unique<NamespaceController>(controllerClient, options));
        auto started = manager->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    json::object create(const std::string& plural, const json::object& object,
                        const std::string& ns = "default") {
        const kube::ApiResource& resource = resourceOf(plural);
        auto created = client.create(resource, resource.namespaced ? ns : "", object);
        EXPECT_TRUE(created) << created.error().message;
        if (!created) {
            return json::object();
        }
        // Later checks read the test's informers: let them see it first (unless something
        // deletes it at once).
        std::string name(kube::name(*created));
        (void)view.waitUntil(
            [&] { return kube::uid(current(plural, name, ns)) == kube::uid(*created); },
            std::chrono::seconds(1));
        return *created;
    }
    void remove(const std::string& plural, const std::string& name, const std::string& policy = {},
                const std::string& ns = "default") {
        const kube::ApiResource& resource = resourceOf(plural);
        kube::DeleteOptions options;
        options.propagationPolicy = policy;
        auto removed = client.remove(resource, resource.namespaced ? ns : "", name, options);
        ASSERT_TRUE(removed) << removed.error().message;
    }
    void dropFinalizers(const std::string& plural, const std::string& name,
                        const std::string& ns = "default") {
        auto patched = client.patch(resourceOf(plural), ns, name, kube::PatchType::Merge,
                                    R"({"metadata":{"finalizers":null}})");
        ASSERT_TRUE(patched) << patched.error().message;
    }
    /// The object as the test's informers last saw it (empty when absent).
    json::object current(const std::string& plural, const std::string& name,
                         const std::string& ns = "default") {
        std::optional<json::object> found = resourceOf(plural).namespaced
                                                ? view.get(plural, name, ns)
                                                : view.clusterGet(plural, name);
        return found.value_or(json::object());
    }
    bool exists(const std::string& plural, const std::string& name,
                const std::string& ns = "default") {
        return !current(plural, name, ns).empty();
    }
    bool waitGone(const std::string& plural, const std::string& name,
                  const std::string& ns = "default") {
        return view.waitUntil([&] { return !exists(plural, name, ns); }, Deadline);
    }
    size_t countIn(const std::string& plural, const std::string& ns) {
        size_t n = 0;
        for (const json::object& o : view.list(plural)) {
            n += kube::namespaceOf(o) == ns ? 1 : 0;
        }
        return n;
    }
    /// Returns once the collector has seen every configmap written so far: a configmap whose
    /// owner never existed, created last, is collected only after the ones before it were seen.
    void waitUntilConfigMapsObserved() {
        json::object ghost = configMap("ghost-owner");
        ghost["metadata"].as_object()["uid"] = "44444444-4444-4444-8444-444444444444";
        (void)create("configmaps", ownedBy(configMap("zz-sync"), {ownerRef(ghost)}));
        ASSERT_TRUE(waitGone("configmaps", "zz-sync"));
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerClient{*env.handler, "pilothouse-controllers"};
    Observer view;
    std::unique_ptr<RacingClient> racing; // outlives the controllers: the destructor stops them
    std::unique_ptr<ControllerManager> manager;
};

// --- garbage collection ---

TEST_F(GarbageCollectorTest, backgroundDeletionCollectsDependents) {
    startControllers();
    json::object owner = create("configmaps", configMap("owner"));
    (void)create("configmaps", ownedBy(configMap("dep1"), {ownerRef(owner)}));
    (void)create("configmaps", ownedBy(configMap("dep2"), {ownerRef(owner)}));
    (void)create("configmaps", configMap("unrelated"));

    remove("configmaps", "owner", "Background");
    EXPECT_TRUE(view.waitUntil(
        [&] { return !exists("configmaps", "dep1") && !exists("configmaps", "dep2"); }, Deadline));
    EXPECT_TRUE(exists("configmaps", "unrelated"));
}

TEST_F(GarbageCollectorTest, deletionCascadesThroughDeploymentReplicaSetAndPods) {
    startControllers();
    json::object d = create("deployments", deployment("web"));
    json::object rs = create("replicasets", ownedBy(replicaSet("web-abc"), {ownerRef(d)}));
    (void)create("pods", ownedBy(pod("web-abc-1"), {ownerRef(rs)}));
    (void)create("pods", ownedBy(pod("web-abc-2"), {ownerRef(rs)}));

    remove("deployments", "web"); // the kind's default: background
    EXPECT_TRUE(view.waitUntil(
        [&] { return !exists("replicasets", "web-abc") && countIn("pods", "default") == 0; },
        Deadline));
}

TEST_F(GarbageCollectorTest, dependentsOfMissingOwnersAreCollected) {
    startControllers();
    json::object ghost = configMap("ghost");
    ghost["metadata"].as_object()["uid"] = "00000000-0000-4000-8000-000000000000";
    (void)create("configmaps", ownedBy(configMap("orphaned"), {ownerRef(ghost)}));
    EXPECT_TRUE(waitGone("configmaps", "orphaned"));

    // Same name, another uid: the owner it names is gone too.
    json::object recreated = create("configmaps", configMap("owner"));
    json::object stale = recreated;
    stale["metadata"].as_object()["uid"] = "11111111-1111-4111-8111-111111111111";
    (void)create("configmaps", ownedBy(configMap("stale-dep"), {ownerRef(stale)}));
    EXPECT_TRUE(waitGone("configmaps", "stale-dep"));
    EXPECT_TRUE(exists("configmaps", "owner"));
}

TEST_F(GarbageCollectorTest, aLiveOwnerKeepsTheDependentWhichLosesTheDanglingReference) {
    startControllers();
    json::object a = create("configmaps", configMap("owner-a"));
    json::object b = create("configmaps", configMap("owner-b"));
    (void)create("configmaps", ownedBy(configMap("both"), {ownerRef(a), ownerRef(b, false)}));
    (void)create("configmaps", ownedBy(configMap("only-a"), {ownerRef(a)}));

    remove("configmaps", "owner-a", "Background");
    ASSERT_TRUE(view.waitUntil(
        [&] {
            json::object both = current("configmaps", "both");
            const json::array* refs = kube::ownerReferences(both);
            return !exists("configmaps", "only-a") && refs && refs->size() == 1;
        },
        Deadline))
        << json::serialize(current("configmaps", "both")) << "\n"
        << json::serialize(current("configmaps", "only-a"));
    json::object both = current("configmaps", "both");
    const json::array* refs = kube::ownerReferences(both);
    EXPECT_EQ(kube::stringAt(refs->at(0).as_object(), "uid"), kube::uid(b));
}

TEST_F(GarbageCollectorTest, clusterScopedOwnerOfANamespacedDependent) {
    // The node agent's Lease is owned by its Node (kube-api-compat.md §9).
    startControllers();
    json::object node = create("nodes", obj(R"({"apiVersion":"v1","kind":"Node",)"
                                            R"("metadata":{"name":"node-1"}})"));
    json::object lease = obj(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
                             R"("metadata":{"name":"node-1"},)"
                             R"("spec":{"holderIdentity":"node-1","leaseDurationSeconds":40}})");
    (void)create("leases", ownedBy(lease, {ownerRef(node)}), "kube-node-lease");
    // A later lease whose owner never existed: once it is collected, node-1's was checked.
    json::object ghostNode = node;
    ghostNode["metadata"].as_object()["name"] = "node-ghost";
    ghostNode["metadata"].as_object()["uid"] = "22222222-2222-4222-8222-222222222222";
    json::object sentinel = lease;
    sentinel["metadata"].as_object()["name"] = "zz-sentinel";
    (void)create("leases", ownedBy(sentinel, {ownerRef(ghostNode)}), "kube-node-lease");
    ASSERT_TRUE(waitGone("leases", "zz-sentinel", "kube-node-lease"));
    EXPECT_TRUE(exists("leases", "node-1", "kube-node-lease"));

    remove("nodes", "node-1");
    EXPECT_TRUE(waitGone("leases", "node-1", "kube-node-lease"));
}

TEST_F(GarbageCollectorTest, clusterScopedDependentOfANamespacedOwnerIsNotCollected) {
    // Upstream (1.20+): such a reference cannot be resolved; the dependent is kept and an
    // OwnerRefInvalidNamespace Warning is recorded.
    startControllers();
    json::object owner = create("configmaps", configMap("owner"));
    (void)create("nodes", ownedBy(obj(R"({"apiVersion":"v1","kind":"Node",)"
                                      R"("metadata":{"name":"node-1"}})"),
                                  {ownerRef(owner)}));
    json::object ghost = obj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"ghost",)"
                             R"("uid":"33333333-3333-4333-8333-333333333333"}})");
    (void)create("nodes", ownedBy(obj(R"({"apiVersion":"v1","kind":"Node",)"
                                      R"("metadata":{"name":"zz-sentinel"}})"),
                                  {ownerRef(ghost)}));
    ASSERT_TRUE(waitGone("nodes", "zz-sentinel"));
    EXPECT_TRUE(exists("nodes", "node-1"));
}

TEST_F(GarbageCollectorTest, foregroundDeletionRemovesDependentsFirst) {
    startControllers();
    json::object owner = create("deployments", deployment("fg"));
    (void)create("configmaps",
                 withFinalizer(ownedBy(configMap("held"), {ownerRef(owner)}), "example.com/hold"));
    (void)create("configmaps", ownedBy(configMap("free"), {ownerRef(owner)}));
    waitUntilConfigMapsObserved();

    remove("deployments", "fg", "Foreground");
    ASSERT_TRUE(view.waitUntil(
        [&] {
            return !exists("configmaps", "free") &&
                   kube::hasDeletionTimestamp(current("configmaps", "held"));
        },
        Deadline));
    json::object waiting = current("deployments", "fg");
    EXPECT_TRUE(kube::hasDeletionTimestamp(waiting)) << "the owner stays visible while blocked";
    EXPECT_TRUE(kube::hasFinalizer(waiting, "foregroundDeletion"));

    dropFinalizers("configmaps", "held");
    EXPECT_TRUE(view.waitUntil(
        [&] { return !exists("configmaps", "held") && !exists("deployments", "fg"); }, Deadline));
}

TEST_F(GarbageCollectorTest, foregroundDeletionWaitsOnlyForBlockingDependents) {
    startControllers();
    json::object owner = create("configmaps", configMap("free-owner"));
    (void)create("configmaps",
                 withFinalizer(ownedBy(configMap("bystander"), {ownerRef(owner, true, false)}),
                               "example.com/hold"));
    waitUntilConfigMapsObserved();

    remove("configmaps", "free-owner", "Foreground");
    EXPECT_TRUE(waitGone("configmaps", "free-owner"));
    EXPECT_TRUE(view.waitUntil(
        [&] { return kube::hasDeletionTimestamp(current("configmaps", "bystander")); }, Deadline));
    dropFinalizers("configmaps", "bystander");
    EXPECT_TRUE(waitGone("configmaps", "bystander"));
}

TEST_F(GarbageCollectorTest, foregroundDeletionWithoutDependentsFinishesAtOnce) {
    startControllers();
    (void)create("deployments", deployment("lonely"));
    remove("deployments", "lonely", "Foreground");
    EXPECT_TRUE(waitGone("deployments", "lonely"));
}

TEST_F(GarbageCollectorTest, orphanDeletionKeepsDependentsAndStripsTheOwnerReference) {
    startControllers();
    json::object owner = create("deployments", deployment("orph"));
    json::object other = create("configmaps", configMap("other-owner"));
    (void)create("configmaps", ownedBy(configMap("kept"), {ownerRef(owner)}));
    (void)create("configmaps",
                 ownedBy(configMap("shared"), {ownerRef(owner), ownerRef(other, false)}));
    waitUntilConfigMapsObserved();

    remove("deployments", "orph", "Orphan");
    ASSERT_TRUE(waitGone("deployments", "orph"));
    ASSERT_TRUE(view.waitUntil(
        [&] {
            json::object shared = current("configmaps", "shared");
            const json::array* refs = kube::ownerReferences(shared);
            return kube::ownerReferences(current("configmaps", "kept")) == nullptr && refs &&
                   refs->size() == 1;
        },
        Deadline));
    json::object kept = current("configmaps", "kept");
    ASSERT_FALSE(kept.empty()) << "orphaned dependents are not deleted";
    EXPECT_EQ(kube::ownerReferences(kept), nullptr);
    json::object shared = current("configmaps", "shared");
    const json::array* refs = kube::ownerReferences(shared);
    ASSERT_NE(refs, nullptr);
    ASSERT_EQ(refs->size(), 1U);
    EXPECT_EQ(kube::stringAt(refs->at(0).as_object(), "uid"), kube::uid(other));
}

TEST_F(GarbageCollectorTest, aDependentChangedUnderTheCollectorsPatchIsPatchedAgain) {
    racing = std::make_unique<RacingClient>(controllerClient, "raced", "ownerReferences");
    startControllers(racing.get());
    json::object owner = create("deployments", deployment("orph"));
    (void)create("configmaps", ownedBy(configMap("raced"), {ownerRef(owner)}));
    waitUntilConfigMapsObserved();

    remove("deployments", "orph", "Orphan");
    ASSERT_TRUE(view.waitUntil(
        [&] {
            json::object raced = current("configmaps", "raced");
            return !raced.empty() && kube::ownerReferences(raced) == nullptr;
        },
        Deadline));
    EXPECT_EQ(racing->m_conflicts.load(), 1) << "the first patch met the other writer's change";
    EXPECT_EQ(racing->m_patches.load(), 2) << "read again and patched once more, guarded again";
    json::object raced = current("configmaps", "raced");
    EXPECT_EQ(kube::stringAt(*kube::labels(raced), "touched"), "yes")
        << "the other writer's change is kept";
    ASSERT_TRUE(waitGone("deployments", "orph"));
}

TEST_F(GarbageCollectorTest, ownerDeletedBeforeStartIsCollectedOnStart) {
    json::object owner = create("configmaps", configMap("owner"));
    (void)create("configmaps", ownedBy(configMap("dep"), {ownerRef(owner)}));
    remove("configmaps", "owner", "Background");
    ASSERT_TRUE(exists("configmaps", "dep"));
    startControllers();
    EXPECT_TRUE(waitGone("configmaps", "dep"));
}

// --- namespace deletion ---

TEST_F(GarbageCollectorTest, deletedNamespaceIsEmptiedThenFinalized) {
    startControllers();
    (void)create("namespaces", obj(R"({"metadata":{"name":"team"}})"));
    (void)create("configmaps", configMap("a"), "team");
    (void)create("configmaps", configMap("b"), "team");
    (void)create("deployments", deployment("web"), "team");
    (void)create("pods", pod("unbound"), "team");
    (void)create("configmaps", configMap("elsewhere"), "default");

    remove("namespaces", "team");
    EXPECT_TRUE(waitGone("namespaces", "team"));
    EXPECT_TRUE(view.waitUntil(
        [&] {
            return countIn("configmaps", "team") == 0 && countIn("deployments", "team") == 0 &&
                   countIn("pods", "team") == 0;
        },
        Deadline));
    EXPECT_TRUE(exists("configmaps", "elsewhere")) << "other namespaces are untouched";
}

TEST_F(GarbageCollectorTest, namespaceReportsWhatHoldsItWhileContentIsFinalizing) {
    startControllers();
    (void)create("namespaces", obj(R"({"metadata":{"name":"team"}})"));
    (void)create("configmaps", withFinalizer(configMap("held"), "example.com/hold"), "team");
    (void)create("configmaps", configMap("free"), "team");

    remove("namespaces", "team");
    auto condition = [&](std::string_view type) {
        json::object ns = current("namespaces", "team");
        if (const json::array* conditions =
                kube::arrayAt(*kube::objectAt(ns, "status"), "conditions")) {
            for (const json::value& c : *conditions) {
                if (kube::stringAt(c.as_object(), "type") == type) {
                    return c.as_object();
                }
            }
        }
        return json::object();
    };
    ASSERT_TRUE(view.waitUntil(
        [&] {
            return !exists("configmaps", "free", "team") &&
                   kube::stringAt(condition("NamespaceFinalizersRemaining"), "status") == "True";
        },
        Deadline));
    json::object ns = current("namespaces", "team");
    EXPECT_EQ(kube::stringAt(kube::objectAt(ns, "status"), "phase"), "Terminating");
    json::object remaining = condition("NamespaceContentRemaining");
    EXPECT_EQ(kube::stringAt(remaining, "reason"), "SomeResourcesRemain");
    EXPECT_EQ(kube::stringAt(remaining, "message"),
              "Some resources are remaining: configmaps. has 1 resource instances");
    EXPECT_EQ(kube::stringAt(condition("NamespaceFinalizersRemaining"), "message"),
              "Some content in the namespace has finalizers remaining: example.com/hold in 1 "
              "resource instances");
    json::object discovered = condition("NamespaceDeletionDiscoveryFailure");
    EXPECT_EQ(kube::stringAt(discovered, "status"), "False");
    EXPECT_EQ(kube::stringAt(discovered, "reason"), "ResourcesDiscovered");
    auto refused = client.create(kube::resources::ConfigMaps, "team", configMap("late"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 403);

    dropFinalizers("configmaps", "held", "team");
    EXPECT_TRUE(waitGone("namespaces", "team"));
    EXPECT_TRUE(waitGone("configmaps", "held", "team"));
}

TEST_F(GarbageCollectorTest, namespaceDeletedBeforeStartIsFinishedOnStart) {
    (void)create("namespaces", obj(R"({"metadata":{"name":"team"}})"));
    (void)create("configmaps", configMap("a"), "team");
    remove("namespaces", "team");
    ASSERT_TRUE(
        view.waitUntil([&] { return kube::hasDeletionTimestamp(current("namespaces", "team")); }));
    startControllers();
    EXPECT_TRUE(waitGone("namespaces", "team"));
    EXPECT_TRUE(waitGone("configmaps", "a", "team"));
}

// --- the conditions, case by case ---

struct ConditionCase {
    std::string name;
    NamespaceDeletionReport report;
    std::string type;
    std::string status;
    std::string reason;
    std::string message;
};

class NamespaceConditionsTest : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(NamespaceConditionsTest, matchesUpstream) {
    const ConditionCase& c = GetParam();
    json::array conditions;
    ASSERT_TRUE(updateNamespaceConditions(conditions, c.report, apiserver::test::testEpoch()));
    ASSERT_EQ(conditions.size(), 5U);
    const json::object* found = nullptr;
    for (const json::value& v : conditions) {
        if (kube::stringAt(v.as_object(), "type") == c.type) {
            found = &v.as_object();
        }
    }
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(kube::stringAt(*found, "status"), c.status);
    EXPECT_EQ(kube::stringAt(*found, "reason"), c.reason);
    EXPECT_EQ(kube::stringAt(*found, "message"), c.message);
    EXPECT_EQ(kube::stringAt(*found, "lastTransitionTime"), "2030-01-02T03:04:05Z");
    EXPECT_FALSE(updateNamespaceConditions(conditions, c.report, apiserver::test::testEpoch()))
        << "a second pass with the same outcome changes nothing";
}

NamespaceDeletionReport remainingReport() {
    NamespaceDeletionReport r;
    r.remainingByResource = {{"pods.", 2}, {"widgets.example.com", 1}};
    r.remainingByFinalizer = {{"example.com/a", 1}, {"example.com/b", 3}};
    return r;
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, NamespaceConditionsTest,
    ::testing::Values(
        ConditionCase{"cleanDiscovery",
                      {},
                      "NamespaceDeletionDiscoveryFailure",
                      "False",
                      "ResourcesDiscovered",
                      "All resources successfully discovered"},
        ConditionCase{"parsing",
                      {},
                      "NamespaceDeletionGroupVersionParsingFailure",
                      "False",
                      "ParsedGroupVersions",
                      "All legacy kube types successfully parsed"},
        ConditionCase{"contentDeleted",
                      {},
                      "NamespaceDeletionContentFailure",
                      "False",
                      "ContentDeleted",
                      "All content successfully deleted, may be waiting on finalization"},
        ConditionCase{"contentRemoved",
                      {},
                      "NamespaceContentRemaining",
                      "False",
                      "ContentRemoved",
                      "All content successfully removed"},
        ConditionCase{"noFinalizers",
                      {},
                      "NamespaceFinalizersRemaining",
                      "False",
                      "ContentHasNoFinalizers",
                      "All content-preserving finalizers finished"},
        ConditionCase{"discoveryFailed",
                      {.discoveryError = std::string("Discovery failed for some groups, 1 "
                                                     "failing: unable to retrieve the complete "
                                                     "list of server APIs: x/v1: boom")},
                      "NamespaceDeletionDiscoveryFailure",
                      "True",
                      "DiscoveryFailed",
                      "Discovery failed for some groups, 1 failing: unable to retrieve the "
                      "complete list of server APIs: x/v1: boom"},
        ConditionCase{"deleteFailed",
                      {.deleteErrors = {"zeta failed", "alpha failed"}},
                      "NamespaceDeletionContentFailure",
                      "True",
                      "ContentDeletionFailed",
                      "Failed to delete all resource types, 2 remaining: alpha failed, zeta "
                      "failed"},
        ConditionCase{"resourcesRemain", remainingReport(), "NamespaceContentRemaining", "True",
                      "SomeResourcesRemain",
                      "Some resources are remaining: pods. has 2 resource instances, "
                      "widgets.example.com has 1 resource instances"},
        ConditionCase{"finalizersRemain", remainingReport(), "NamespaceFinalizersRemaining", "True",
                      "SomeFinalizersRemain",
                      "Some content in the namespace has finalizers remaining: example.com/a in "
                      "1 resource instances, example.com/b in 3 resource instances"}),
    [](const ::testing::TestParamInfo<ConditionCase>& test) { return test.param.name; });

} // namespace
