// The controller framework over the in-process client: leader election on a Lease, and a
// queue-driven controller run by the manager.

#include "engine/apiserver/inprocessclient.h"
#include "engine/controllers/framework/controllermanager.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>

using namespace pilot;
using namespace pilot::controllers;
namespace json = boost::json;

namespace {

/// Records facts from other threads; waits for a condition with a deadline.
class Signals {
public:
    void note(const std::string& fact) {
        {
            std::lock_guard lock(m_mutex);
            m_facts.insert(fact);
        }
        m_changed.notify_all();
    }
    bool waitFor(const std::string& fact, std::chrono::seconds limit = std::chrono::seconds(10)) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, limit, [&] { return m_facts.contains(fact); });
    }
    bool has(const std::string& fact) {
        std::lock_guard lock(m_mutex);
        return m_facts.contains(fact);
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::set<std::string> m_facts;
};

LeaderElectionOptions fastElection(const std::string& identity) {
    LeaderElectionOptions options;
    options.identity = identity;
    options.leaseDuration = std::chrono::milliseconds(1000);
    options.renewDeadline = std::chrono::milliseconds(600);
    options.retryPeriod = std::chrono::milliseconds(50);
    return options;
}

class ControllerFrameworkTest : public ::testing::Test {
protected:
    void SetUp() override {
        env.createNamespace("kube-system");
        env.createNamespace("default");
    }
    apiserver::test::ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "framework-test"};
};

TEST_F(ControllerFrameworkTest, OneLeaderAtATimeAndAReleaseHandsOver) {
    Signals signals;
    auto elector = [&](const std::string& id) {
        return std::make_unique<LeaderElector>(
            client, fastElection(id), [&signals, id] { signals.note(id + " leads"); },
            [&signals, id] { signals.note(id + " stopped"); });
    };
    auto a = elector("a");
    a->start();
    ASSERT_TRUE(signals.waitFor("a leads"));
    auto b = elector("b");
    b->start();
    // b keeps campaigning while a renews: several lease durations pass without a takeover.
    EXPECT_FALSE(signals.waitFor("b leads", std::chrono::seconds(2)));
    EXPECT_TRUE(a->isLeader());
    EXPECT_FALSE(b->isLeader());

    auto lease =
        client.get(kube::resources::Leases, "kube-system", "pilothouse-controller-manager");
    ASSERT_TRUE(lease);
    EXPECT_EQ(kube::stringAt(kube::objectAt(*lease, "spec"), "holderIdentity"), "a");

    a->stop(); // releases the Lease
    EXPECT_TRUE(signals.has("a stopped"));
    ASSERT_TRUE(signals.waitFor("b leads", std::chrono::seconds(3)));
    lease = client.get(kube::resources::Leases, "kube-system", "pilothouse-controller-manager");
    ASSERT_TRUE(lease);
    EXPECT_EQ(kube::stringAt(kube::objectAt(*lease, "spec"), "holderIdentity"), "b");
    EXPECT_EQ(kube::integerAt(*kube::objectAt(*lease, "spec"), "leaseTransitions").value_or(0), 1);
    b->stop();
}

/// Reconciles ConfigMaps by noting their keys.
class NotingController : public QueueController {
public:
    explicit NotingController(Signals& signals)
        : QueueController("noting", 2), m_signals(signals) {}
    void setUp(SharedInformers& informers) override {
        kube::InformerHandlers handlers;
        handlers.onAdd = [this](const kube::ObjectPtr& o) {
            enqueue(std::string(kube::namespaceOf(*o)) + "/" + std::string(kube::name(*o)));
        };
        informers.forResource(kube::resources::ConfigMaps).addHandlers(std::move(handlers));
    }

protected:
    Status reconcile(const std::string& key) override {
        if (key == "default/flaky" && m_failures++ < 2) {
            return fail(ErrorCode::Unavailable, "not yet");
        }
        m_signals.note("reconciled " + key);
        return {};
    }

private:
    Signals& m_signals;
    int m_failures = 0;
};

TEST_F(ControllerFrameworkTest, ManagerRunsControllersOnlyWhileLeading) {
    Signals signals;
    auto cm = [](const std::string& name) {
        return json::object{
            {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}};
    };
    ASSERT_TRUE(client.create(kube::resources::ConfigMaps, "default", cm("before")));
    ControllerManagerOptions options;
    options.leaderElection = fastElection("manager");
    ControllerManager manager(
        client,
        [&signals](ControllerManager& m, kube::ApiClient&) {
            m.add(std::make_unique<NotingController>(signals));
        },
        options);
    ASSERT_TRUE(manager.start());
    EXPECT_TRUE(signals.waitFor("reconciled default/before"));
    ASSERT_TRUE(client.create(kube::resources::ConfigMaps, "default", cm("flaky")));
    // Failed reconciles are retried with back-off until they succeed.
    EXPECT_TRUE(signals.waitFor("reconciled default/flaky"));
    EXPECT_TRUE(manager.running());
    manager.stop();
    EXPECT_FALSE(manager.running());
}

} // namespace

TEST_F(ControllerFrameworkTest, MetadataReadersShareAFullInformerInsteadOfCachingTwice) {
    SharedInformers informers(client);
    // A full informer exists: metadata readers get it (one copy of every pod in memory).
    kube::Informer& pods = informers.forResource(kube::resources::Pods);
    EXPECT_EQ(&informers.forMetadata(kube::resources::Pods), &pods);
    informers.addMetadataIndex(kube::resources::Pods, "test.ownerUid", kube::ownerUidIndex());

    // No full informer: a metadata-only one, which stays the shared one for metadata readers
    // even once a full informer is created later.
    kube::Informer& maps = informers.forMetadata(kube::resources::ConfigMaps);
    kube::Informer& fullMaps = informers.forResource(kube::resources::ConfigMaps);
    EXPECT_NE(&maps, &fullMaps);
    EXPECT_EQ(&informers.forMetadata(kube::resources::ConfigMaps), &maps);

    json::object pod{{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata",
                      {{"name", "p"},
                       {"namespace", "default"},
                       {"ownerReferences", json::array{{{"apiVersion", "apps/v1"},
                                                        {"kind", "ReplicaSet"},
                                                        {"name", "rs"},
                                                        {"uid", "owner-1"}}}}}},
                     {"spec", {{"containers", json::array{{{"name", "c"}, {"image", "i"}}}}}}};
    ASSERT_TRUE(client.create(kube::resources::Pods, "default", pod));
    informers.start();
    ASSERT_TRUE(informers.waitForSync(std::chrono::steady_clock::now() + std::chrono::seconds(10)));
    // The metadata index lives on the shared full informer, whose objects keep their spec.
    auto owned = pods.cache().byIndex("test.ownerUid", "owner-1");
    ASSERT_EQ(owned.size(), 1u);
    EXPECT_TRUE(owned.front()->contains("spec"));
    informers.stop();
}
