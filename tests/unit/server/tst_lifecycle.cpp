#include "engine/server/lifecycle.h"

#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;
using pilot::server::Lifecycle;

namespace {

constexpr auto Deadline = std::chrono::seconds(3);

/// Re-checks a condition whenever one of the given resources changes, until it holds or the
/// deadline passes: waits on watch events, never on a timer.
class ChangeWaiter {
public:
    ChangeWaiter(ResourceService& service, const std::vector<kube::ResourceTypePtr>& types) {
        for (const kube::ResourceTypePtr& type : types) {
            auto cache = service.cacheFor(*type);
            auto watcher = cache->watch(watchcache::Filter{}, cache->revision(), size_t{1} << 20);
            if (!watcher) {
                ADD_FAILURE() << "cannot watch " << type->plural;
                continue;
            }
            // A watcher notifies when its queue becomes non-empty: drain it each time so the
            // next change notifies again.
            (*watcher)->setNotify([this, raw = watcher->get()] {
                std::vector<watchcache::WatchEvent> drained;
                (void)raw->poll(drained);
                std::lock_guard lock(m_mutex);
                ++m_changes;
                m_changed.notify_all();
            });
            m_watchers.push_back(*watcher);
        }
    }
    ~ChangeWaiter() {
        for (auto& watcher : m_watchers) {
            watcher->stop();
        }
    }
    ChangeWaiter(const ChangeWaiter&) = delete;
    ChangeWaiter& operator=(const ChangeWaiter&) = delete;

    [[nodiscard]] bool waitFor(const std::function<bool()>& condition) {
        auto deadline = std::chrono::steady_clock::now() + Deadline;
        std::unique_lock lock(m_mutex);
        while (true) {
            uint64_t seen = m_changes;
            lock.unlock();
            bool satisfied = condition();
            lock.lock();
            if (satisfied) {
                return true;
            }
            if (!m_changed.wait_until(lock, deadline, [&] { return m_changes != seen; })) {
                lock.unlock();
                return condition();
            }
        }
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    uint64_t m_changes = 0;
    std::vector<std::shared_ptr<watchcache::Watcher>> m_watchers;
};

/// An ownerReference to `owner`; at most one per object may be the controller.
json::object ownerRef(const json::object& owner, bool controller = true) {
    return json::object{{"apiVersion", str(owner, "apiVersion")},
                        {"kind", str(owner, "kind")},
                        {"name", str(owner, "metadata.name")},
                        {"uid", str(owner, "metadata.uid")},
                        {"controller", controller},
                        {"blockOwnerDeletion", true}};
}

json::object ownedBy(json::object object, std::vector<json::object> owners) {
    json::array refs;
    for (json::object& o : owners) {
        refs.emplace_back(std::move(o));
    }
    object["metadata"].as_object()["ownerReferences"] = std::move(refs);
    return object;
}

json::object withFinalizer(json::object object, const std::string& finalizer) {
    object["metadata"].as_object()["finalizers"] = json::array{json::string(finalizer)};
    return object;
}

class LifecycleTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(lifecycle.bootstrap()); }
    void TearDown() override { lifecycle.stop(); }

    ResourceService& svc() { return *env.service; }

    json::object create(const kube::ResourceTypePtr& type, json::object object,
                        const std::string& ns = "default") {
        auto created = svc().create(*type, type->namespaced ? ns : "", std::move(object), {});
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }
    bool exists(const kube::ResourceTypePtr& type, const std::string& name,
                const std::string& ns = "default") {
        return svc().get(*type, type->namespaced ? ns : "", name).has_value();
    }
    json::object current(const kube::ResourceTypePtr& type, const std::string& name,
                         const std::string& ns = "default") {
        auto got = svc().get(*type, type->namespaced ? ns : "", name);
        return got ? parseObject(**got) : json::object();
    }
    void remove(const kube::ResourceTypePtr& type, const std::string& name,
                const std::string& policy = {}, const std::string& ns = "default") {
        DeleteOptions options;
        options.propagationPolicy = policy;
        auto outcome = svc().remove(*type, type->namespaced ? ns : "", name, options);
        ASSERT_TRUE(outcome) << outcome.error().message;
    }
    void dropFinalizer(const kube::ResourceTypePtr& type, const std::string& name,
                       const std::string& finalizer, const std::string& ns = "default") {
        auto updated = svc().guaranteedUpdate(
            *type, ns, name,
            [&](const json::object& c) -> ApiResult<json::object> {
                json::object next = c;
                json::array kept;
                for (const json::value& f : next["metadata"].as_object()["finalizers"].as_array()) {
                    if (f.as_string() != finalizer) {
                        kept.push_back(f);
                    }
                }
                next["metadata"].as_object()["finalizers"] = std::move(kept);
                return next;
            },
            {});
        ASSERT_TRUE(updated) << updated.error().message;
    }
    /// Returns once the lifecycle has observed every configmap written so far: a later
    /// configmap whose owner never existed is collected only after it was observed.
    void waitUntilConfigMapsObserved() {
        json::object ghost = configMap("ghost-owner");
        ghost["metadata"].as_object()["uid"] = "44444444-4444-4444-8444-444444444444";
        (void)create(configmaps, ownedBy(configMap("zz-sync"), {ownerRef(ghost)}));
        ASSERT_TRUE(waiter.waitFor([&] { return !exists(configmaps, "zz-sync"); }));
    }
    std::vector<std::string> namesIn(const kube::ResourceTypePtr& type, const std::string& ns) {
        watchcache::ListRequest request;
        request.filter.ns = ns;
        auto page = svc().cacheFor(*type)->list(request);
        std::vector<std::string> out;
        if (page) {
            for (const auto& item : page->items) {
                out.push_back(item->name);
            }
        }
        return out;
    }

    ApiEnv env;
    kube::ResourceTypePtr namespaces = env.type("", "namespaces");
    kube::ResourceTypePtr configmaps = env.type("", "configmaps");
    kube::ResourceTypePtr pods = env.type("", "pods");
    kube::ResourceTypePtr nodes = env.type("", "nodes");
    kube::ResourceTypePtr deployments = env.type("apps", "deployments");
    kube::ResourceTypePtr replicasets = env.type("apps", "replicasets");
    kube::ResourceTypePtr leases = env.type("coordination.k8s.io", "leases");
    Lifecycle lifecycle{*env.service};
    ChangeWaiter waiter{*env.service,
                        {namespaces, configmaps, pods, nodes, deployments, replicasets, leases}};
};

// --- bootstrap ---

TEST_F(LifecycleTest, bootstrapCreatesTheBuiltinNamespaces) {
    for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
        SCOPED_TRACE(name);
        json::object ns = current(namespaces, name);
        EXPECT_EQ(str(ns, "metadata.name"), name);
        EXPECT_EQ(str(ns, "status.phase"), "Active");
        EXPECT_NE(str(ns, "metadata.uid"), "");
    }
    int64_t before = env.store->currentRevision();
    ASSERT_TRUE(lifecycle.bootstrap());
    EXPECT_EQ(env.store->currentRevision(), before) << "a second bootstrap writes nothing";
}

TEST(LifecycleBootstrap, keepsNamespacesThatAlreadyExist) {
    ApiEnv env;
    auto nsType = env.type("", "namespaces");
    auto created = env.service->create(
        *nsType, "", obj(R"({"metadata":{"name":"default","labels":{"mine":"yes"}}})"), {});
    ASSERT_TRUE(created);
    Lifecycle lifecycle(*env.service);
    ASSERT_TRUE(lifecycle.bootstrap());
    auto got = env.service->get(*nsType, "", "default");
    ASSERT_TRUE(got);
    json::object ns = parseObject(**got);
    EXPECT_EQ(str(ns, "metadata.uid"), str(*created, "metadata.uid"));
    EXPECT_EQ(str(ns, "metadata.labels.mine"), "yes");
    EXPECT_TRUE(env.service->get(*nsType, "", "kube-node-lease"));
}

// --- namespace deletion ---

TEST_F(LifecycleTest, deletedNamespaceIsEmptiedThenFinalized) {
    lifecycle.start();
    (void)create(namespaces, obj(R"({"metadata":{"name":"team"}})"));
    (void)create(configmaps, configMap("a"), "team");
    (void)create(configmaps, configMap("b"), "team");
    (void)create(deployments, deployment("web"), "team");
    (void)create(pods, pod("unbound"), "team");
    (void)create(configmaps, configMap("elsewhere"), "default");

    remove(namespaces, "team");
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(namespaces, "team"); }))
        << "namespace still there: " << json::serialize(current(namespaces, "team"));
    EXPECT_TRUE(namesIn(configmaps, "team").empty());
    EXPECT_TRUE(namesIn(deployments, "team").empty());
    EXPECT_TRUE(namesIn(pods, "team").empty());
    EXPECT_TRUE(exists(configmaps, "elsewhere")) << "other namespaces are untouched";
}

TEST_F(LifecycleTest, namespaceStaysTerminatingWhileContentIsFinalizing) {
    lifecycle.start();
    (void)create(namespaces, obj(R"({"metadata":{"name":"team"}})"));
    (void)create(configmaps, withFinalizer(configMap("held"), "example.com/hold"), "team");
    (void)create(configmaps, configMap("free"), "team");

    remove(namespaces, "team");
    ASSERT_TRUE(waiter.waitFor([&] {
        return !exists(configmaps, "free", "team") &&
               kube::hasDeletionTimestamp(current(configmaps, "held", "team"));
    }));
    json::object ns = current(namespaces, "team");
    EXPECT_EQ(str(ns, "status.phase"), "Terminating");
    auto refused = svc().create(*configmaps, "team", configMap("late"), {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 403);

    dropFinalizer(configmaps, "held", "example.com/hold", "team");
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(namespaces, "team"); }));
    EXPECT_FALSE(exists(configmaps, "held", "team"));
}

TEST_F(LifecycleTest, namespaceDeletedBeforeStartIsFinishedOnStart) {
    (void)create(namespaces, obj(R"({"metadata":{"name":"team"}})"));
    (void)create(configmaps, configMap("a"), "team");
    remove(namespaces, "team");
    ASSERT_TRUE(exists(namespaces, "team"));
    lifecycle.start();
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(namespaces, "team"); }));
    EXPECT_FALSE(exists(configmaps, "a", "team"));
}

// --- garbage collection ---

TEST_F(LifecycleTest, backgroundDeletionCollectsDependents) {
    lifecycle.start();
    json::object owner = create(configmaps, configMap("owner"));
    (void)create(configmaps, ownedBy(configMap("dep1"), {ownerRef(owner)}));
    (void)create(configmaps, ownedBy(configMap("dep2"), {ownerRef(owner)}));
    (void)create(configmaps, configMap("unrelated"));

    remove(configmaps, "owner", "Background");
    EXPECT_TRUE(
        waiter.waitFor([&] { return !exists(configmaps, "dep1") && !exists(configmaps, "dep2"); }));
    EXPECT_TRUE(exists(configmaps, "unrelated"));
}

TEST_F(LifecycleTest, deletionCascadesThroughDeploymentReplicaSetAndPods) {
    lifecycle.start();
    json::object d = create(deployments, deployment("web"));
    json::object rsBody = deployment("web-abc");
    rsBody["kind"] = "ReplicaSet";
    json::object rs = create(replicasets, ownedBy(rsBody, {ownerRef(d)}));
    (void)create(pods, ownedBy(pod("web-abc-1"), {ownerRef(rs)}));
    (void)create(pods, ownedBy(pod("web-abc-2"), {ownerRef(rs)}));

    remove(deployments, "web"); // kind default: background
    EXPECT_TRUE(waiter.waitFor(
        [&] { return !exists(replicasets, "web-abc") && namesIn(pods, "default").empty(); }));
}

TEST_F(LifecycleTest, dependentsOfMissingOwnersAreCollected) {
    lifecycle.start();
    json::object ghost = configMap("ghost");
    ghost["metadata"].as_object()["uid"] = "00000000-0000-4000-8000-000000000000";
    ghost["apiVersion"] = "v1";
    ghost["kind"] = "ConfigMap";
    (void)create(configmaps, ownedBy(configMap("orphaned"), {ownerRef(ghost)}));
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(configmaps, "orphaned"); }));

    // Same name, different uid: the owner it names is gone too.
    json::object recreated = create(configmaps, configMap("owner"));
    json::object stale = recreated;
    stale["metadata"].as_object()["uid"] = "11111111-1111-4111-8111-111111111111";
    (void)create(configmaps, ownedBy(configMap("stale-dep"), {ownerRef(stale)}));
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(configmaps, "stale-dep"); }));
    EXPECT_TRUE(exists(configmaps, "owner"));
}

TEST_F(LifecycleTest, dependentWithALiveOwnerSurvives) {
    lifecycle.start();
    json::object a = create(configmaps, configMap("owner-a"));
    json::object b = create(configmaps, configMap("owner-b"));
    (void)create(configmaps, ownedBy(configMap("both"), {ownerRef(a), ownerRef(b, false)}));
    (void)create(configmaps, ownedBy(configMap("only-a"), {ownerRef(a)}));

    remove(configmaps, "owner-a", "Background");
    // Both dependents are checked on the same deletion event: once only-a is gone, both were.
    ASSERT_TRUE(waiter.waitFor([&] { return !exists(configmaps, "only-a"); }));
    EXPECT_TRUE(exists(configmaps, "both"));
}

TEST_F(LifecycleTest, clusterScopedOwnerOfANamespacedDependent) {
    // The node agent's Lease is owned by its Node (kube-api-compat.md §9).
    lifecycle.start();
    json::object node = create(nodes, obj(R"({"apiVersion":"v1","kind":"Node",)"
                                          R"("metadata":{"name":"node-1"}})"));
    json::object lease = obj(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",)"
                             R"("metadata":{"name":"node-1"},)"
                             R"("spec":{"holderIdentity":"node-1","leaseDurationSeconds":40}})");
    (void)create(leases, ownedBy(lease, {ownerRef(node)}), "kube-node-lease");
    // A dependent whose cluster-scoped owner is alive is left alone. A later lease (same watch,
    // later key) whose owner never existed: once it is collected, node-1's lease was checked.
    json::object ghostNode = node;
    ghostNode["metadata"].as_object()["name"] = "node-ghost";
    ghostNode["metadata"].as_object()["uid"] = "22222222-2222-4222-8222-222222222222";
    json::object sentinel = lease;
    sentinel["metadata"].as_object()["name"] = "zz-sentinel";
    (void)create(leases, ownedBy(sentinel, {ownerRef(ghostNode)}), "kube-node-lease");
    ASSERT_TRUE(waiter.waitFor([&] { return !exists(leases, "zz-sentinel", "kube-node-lease"); }));
    EXPECT_TRUE(exists(leases, "node-1", "kube-node-lease"));

    remove(nodes, "node-1");
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(leases, "node-1", "kube-node-lease"); }));
}

TEST_F(LifecycleTest, clusterScopedDependentOfANamespacedOwnerIsNotCollected) {
    // Upstream (1.20+): such an owner reference cannot be resolved, so the dependent is kept
    // (an OwnerRefInvalidNamespace event is recorded) rather than deleted.
    lifecycle.start();
    json::object owner = create(configmaps, configMap("owner"));
    json::object node = obj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"}})");
    (void)create(nodes, ownedBy(node, {ownerRef(owner)}));
    // A later node (same watch, later key) whose owner never existed: once it is collected,
    // node-1 has been checked too.
    json::object ghost = obj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"ghost",)"
                             R"("uid":"33333333-3333-4333-8333-333333333333"}})");
    json::object sentinel = node;
    sentinel["metadata"].as_object()["name"] = "zz-sentinel";
    (void)create(nodes, ownedBy(sentinel, {ownerRef(ghost)}));
    ASSERT_TRUE(waiter.waitFor([&] { return !exists(nodes, "zz-sentinel"); }));
    EXPECT_TRUE(exists(nodes, "node-1"));
}

TEST_F(LifecycleTest, foregroundDeletionRemovesDependentsFirst) {
    lifecycle.start();
    json::object owner = create(deployments, deployment("fg"));
    (void)create(configmaps,
                 withFinalizer(ownedBy(configMap("held"), {ownerRef(owner)}), "example.com/hold"));
    (void)create(configmaps, ownedBy(configMap("free"), {ownerRef(owner)}));
    // The dependents exist before the owner is deleted, as they do when kubectl deletes.
    waitUntilConfigMapsObserved();

    remove(deployments, "fg", "Foreground");
    ASSERT_TRUE(waiter.waitFor([&] {
        return !exists(configmaps, "free") &&
               kube::hasDeletionTimestamp(current(configmaps, "held"));
    }));
    json::object waiting = current(deployments, "fg");
    EXPECT_TRUE(kube::hasDeletionTimestamp(waiting)) << "owner stays visible while blocked";
    EXPECT_TRUE(kube::hasFinalizer(waiting, "foregroundDeletion"));

    dropFinalizer(configmaps, "held", "example.com/hold");
    EXPECT_TRUE(waiter.waitFor([&] {
        return !exists(configmaps, "held") && !exists(deployments, "fg");
    })) << json::serialize(current(deployments, "fg"))
        << "\n"
        << json::serialize(current(configmaps, "held"));
}

TEST_F(LifecycleTest, foregroundDeletionWithoutDependentsFinishesAtOnce) {
    lifecycle.start();
    (void)create(deployments, deployment("lonely"));
    remove(deployments, "lonely", "Foreground");
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(deployments, "lonely"); }));
}

TEST_F(LifecycleTest, orphanDeletionKeepsDependentsAndStripsTheOwnerReference) {
    lifecycle.start();
    json::object owner = create(deployments, deployment("orph"));
    json::object other = create(configmaps, configMap("other-owner"));
    (void)create(configmaps, ownedBy(configMap("kept"), {ownerRef(owner)}));
    (void)create(configmaps,
                 ownedBy(configMap("shared"), {ownerRef(owner), ownerRef(other, false)}));
    waitUntilConfigMapsObserved();

    remove(deployments, "orph", "Orphan");
    ASSERT_TRUE(waiter.waitFor([&] { return !exists(deployments, "orph"); }));
    json::object kept = current(configmaps, "kept");
    ASSERT_FALSE(kept.empty()) << "orphaned dependents are not deleted";
    EXPECT_EQ(kube::ownerReferences(kept), nullptr);
    json::object shared = current(configmaps, "shared");
    const json::array* refs = kube::ownerReferences(shared);
    ASSERT_NE(refs, nullptr);
    ASSERT_EQ(refs->size(), 1U);
    EXPECT_EQ(str(refs->at(0).as_object(), "uid"), str(other, "metadata.uid"));
}

TEST_F(LifecycleTest, ownerDeletedBeforeStartIsCollectedOnStart) {
    json::object owner = create(configmaps, configMap("owner"));
    (void)create(configmaps, ownedBy(configMap("dep"), {ownerRef(owner)}));
    remove(configmaps, "owner", "Background");
    ASSERT_TRUE(exists(configmaps, "dep"));
    lifecycle.start();
    EXPECT_TRUE(waiter.waitFor([&] { return !exists(configmaps, "dep"); }));
}

TEST_F(LifecycleTest, stopIsIdempotent) {
    lifecycle.start();
    lifecycle.stop();
    lifecycle.stop();
    SUCCEED();
}

} // namespace
