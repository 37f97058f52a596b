// The ResourceQuota controller over the in-process API (with quota admission, as the engine
// runs it): status.hard and status.used for counts, compute, services and storage, scopes,
// replenishment when objects go away or finish, and the resync that corrects drift.

#include "engine/controllers/resourcequota/resourcequotacontroller.h"
#include "storagetestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using apiserver::test::claim;
using apiserver::test::podWithResources;
using apiserver::test::resourceQuota;
using apiserver::test::ResourceQuotas;
using namespace std::chrono_literals;

namespace {

json::object service(const std::string& name, const std::string& type, int ports) {
    json::array list;
    for (int i = 0; i < ports; ++i) {
        list.push_back(json::object{{"name", fmt::format("p{}", i)}, {"port", 80 + i}});
    }
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Service"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", json::object{{"type", type},
                                              {"selector", json::object{{"app", name}}},
                                              {"ports", std::move(list)}}}};
}

class ResourceQuotaTest : public ::testing::Test {
protected:
    void startController(std::chrono::milliseconds resync = 300000ms) {
        std::vector<std::unique_ptr<Controller>> controllers;
        ResourceQuotaController::Options options;
        options.resyncPeriod = resync;
        controllers.push_back(
            std::make_unique<ResourceQuotaController>(cluster.controllerClient, options));
        cluster.start(std::move(controllers));
    }

    /// `status.used` (or `status.hard`) of the quota as seen by the test's informer.
    std::map<std::string, std::string> statusOf(const std::string& name,
                                                std::string_view which = "used") {
        json::object q = cluster.view.get("resourcequotas", name);
        std::map<std::string, std::string> out;
        if (const json::object* list = kube::objectAt(kube::objectAt(q, "status"), which)) {
            for (const auto& entry : *list) {
                out[std::string(entry.key())] = std::string(entry.value().as_string());
            }
        }
        return out;
    }

    bool waitForUsed(const std::string& name, const std::string& resource,
                     const std::string& value) {
        return cluster.view.waitUntil([&] {
            auto used = statusOf(name);
            auto it = used.find(resource);
            return it != used.end() && it->second == value;
        });
    }

    void finish(const std::string& podName) {
        cluster.patch(kube::resources::Pods, podName,
                      json::object{{"status", json::object{{"phase", "Succeeded"}}}}, "status");
    }

    StorageCluster cluster;
};

TEST_F(ResourceQuotaTest, statusCountsWhatIsAlreadyThere) {
    startController();
    cluster.create(kube::resources::ConfigMaps, apiserver::test::configMap("a"));
    cluster.create(kube::resources::ConfigMaps, apiserver::test::configMap("b"));
    cluster.create(kube::resources::Pods,
                   podWithResources("sized", R"({"requests":{"cpu":"100m","memory":"64Mi"},)"
                                             R"("limits":{"cpu":"200m","memory":"64Mi"}})"));
    cluster.create(kube::resources::Pods, podWithResources("besteffort"));
    cluster.create(kube::resources::Pods,
                   podWithResources("done", R"({"requests":{"cpu":"1","memory":"1Gi"}})"));
    finish("done");
    cluster.create(kube::resources::Services, service("np", "NodePort", 2));
    cluster.create(kube::resources::Services, service("lb", "LoadBalancer", 1));
    cluster.create(kube::resources::PersistentVolumeClaims, claim("data", "1536Mi", "fast"));
    cluster.create(kube::resources::Deployments, apiserver::test::deployment("web"));

    cluster.create(ResourceQuotas,
                   resourceQuota("all", R"({"pods":"10","count/pods":"10","requests.cpu":"2",)"
                                        R"("limits.cpu":"2000m","cpu":"2","memory":"1Gi",)"
                                        R"("requests.memory":"1Gi","configmaps":"5",)"
                                        R"("count/configmaps":"5","services":"5",)"
                                        R"("services.nodeports":"5","services.loadbalancers":"2",)"
                                        R"("persistentvolumeclaims":"3","requests.storage":"10Gi",)"
                                        R"("fast.storageclass.storage.k8s.io/requests.storage":)"
                                        R"("5Gi","count/deployments.apps":"2",)"
                                        R"("count/jobs.batch":"2","resourcequotas":"1"})"));
    ASSERT_TRUE(cluster.view.waitUntil([&] { return statusOf("all").size() == 18; }));
    std::map<std::string, std::string> expected{
        {"pods", "2"},
        {"count/pods", "3"},
        {"requests.cpu", "100m"},
        {"limits.cpu", "200m"},
        {"cpu", "100m"},
        {"memory", "64Mi"},
        {"requests.memory", "64Mi"},
        {"configmaps", "2"},
        {"count/configmaps", "2"},
        {"services", "2"},
        {"services.nodeports", "3"},
        {"services.loadbalancers", "1"},
        {"persistentvolumeclaims", "1"},
        {"requests.storage", "1536Mi"},
        {"fast.storageclass.storage.k8s.io/requests.storage", "1536Mi"},
        {"count/deployments.apps", "1"},
        {"count/jobs.batch", "0"},
        {"resourcequotas", "1"}};
    EXPECT_EQ(statusOf("all"), expected);
    EXPECT_EQ(statusOf("all", "hard").at("limits.cpu"), "2");
    EXPECT_EQ(statusOf("all", "hard").size(), 18u);
}

TEST_F(ResourceQuotaTest, usageIsGivenBackWhenObjectsGoOrFinish) {
    startController();
    cluster.create(ResourceQuotas, resourceQuota("q", R"({"pods":"2","requests.cpu":"1"})"));
    ASSERT_TRUE(waitForUsed("q", "pods", "0"));
    cluster.create(kube::resources::Pods, podWithResources("a", R"({"requests":{"cpu":"400m"}})"));
    cluster.create(kube::resources::Pods, podWithResources("b", R"({"requests":{"cpu":"400m"}})"));
    ASSERT_TRUE(waitForUsed("q", "requests.cpu", "800m")); // charged by admission
    auto refused = cluster.client.create(kube::resources::Pods, "default",
                                         podWithResources("c", R"({"requests":{"cpu":"100m"}})"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message,
              "pods \"c\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, "
              "limited: pods=2");

    finish("a");
    ASSERT_TRUE(waitForUsed("q", "requests.cpu", "400m"));
    EXPECT_EQ(statusOf("q").at("pods"), "1");
    cluster.remove(kube::resources::Pods, "b");
    ASSERT_TRUE(waitForUsed("q", "pods", "0"));
    EXPECT_EQ(statusOf("q").at("requests.cpu"), "0");
    auto accepted = cluster.client.create(kube::resources::Pods, "default",
                                          podWithResources("c", R"({"requests":{"cpu":"1"}})"));
    EXPECT_TRUE(accepted) << accepted.error().message;
}

TEST_F(ResourceQuotaTest, scopedQuotasCountOnlyTheirPods) {
    startController();
    cluster.create(kube::resources::Pods, podWithResources("free"));
    cluster.create(kube::resources::Pods,
                   podWithResources("sized", R"({"requests":{"memory":"32Mi"}})"));
    json::object bestEffort = resourceQuota("besteffort", R"({"pods":"5"})");
    bestEffort["spec"].as_object()["scopes"] = json::array{"BestEffort"};
    json::object other = resourceQuota("other", R"({"pods":"5","requests.memory":"1Gi"})");
    other["spec"].as_object()["scopes"] = json::array{"NotBestEffort", "NotTerminating"};
    cluster.create(ResourceQuotas, bestEffort);
    cluster.create(ResourceQuotas, other);
    ASSERT_TRUE(waitForUsed("besteffort", "pods", "1"));
    ASSERT_TRUE(waitForUsed("other", "requests.memory", "32Mi"));
    EXPECT_EQ(statusOf("other").at("pods"), "1");
}

TEST_F(ResourceQuotaTest, hardLimitChangesAndDriftAreCorrected) {
    startController(200ms);
    cluster.create(kube::resources::ConfigMaps, apiserver::test::configMap("a"));
    cluster.create(ResourceQuotas, resourceQuota("q", R"({"configmaps":"3"})"));
    ASSERT_TRUE(waitForUsed("q", "configmaps", "1"));

    cluster.patch(ResourceQuotas, "q",
                  json::object{{"spec", json::object{{"hard", json::object{{"configmaps", "4"},
                                                                           {"secrets", "2"}}}}}});
    ASSERT_TRUE(waitForUsed("q", "secrets", "0"));
    EXPECT_EQ(statusOf("q", "hard").at("configmaps"), "4");

    // A wrong count (a create that failed after it was charged) is put right by the resync.
    json::object drifted = cluster.patch(
        ResourceQuotas, "q",
        json::object{{"status",
                      json::object{{"used", json::object{{"configmaps", "3"}, {"secrets", "0"}}}}}},
        "status");
    EXPECT_EQ(field(drifted, "status.used.configmaps"), "3");
    ASSERT_TRUE(waitForUsed("q", "configmaps", "1"));
}

} // namespace
