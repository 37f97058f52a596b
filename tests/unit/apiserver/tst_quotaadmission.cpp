// The ResourceQuota admission step over the in-process API: charges on create (and dry runs
// that do not), upstream's refusal messages, scopes, storage classes and concurrent creates.

#include "admissionenv.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

class QuotaAdmissionTest : public ::testing::Test {
protected:
    QuotaAdmissionTest() {
        addStorageAndQuotaHooks(env);
        env.createNamespace("default");
    }

    void addQuota(const std::string& name, std::string_view hard) {
        auto created = client.create(ResourceQuotas, "default", resourceQuota(name, hard));
        ASSERT_TRUE(created) << created.error().message;
        initQuotaStatus(client, name);
    }

    /// Creates and expects success.
    void mustCreate(const kube::ApiResource& resource, const json::object& object) {
        auto created = client.create(resource, "default", object);
        EXPECT_TRUE(created) << created.error().message;
    }

    /// Creates and returns the refusal's message (expects a 403).
    std::string refusal(const kube::ApiResource& resource, const json::object& object,
                        bool dryRun = false) {
        kube::WriteOptions options;
        options.dryRun = dryRun;
        auto created = client.create(resource, "default", object, options);
        EXPECT_FALSE(created) << "created " << json::serialize(object);
        if (created) {
            return {};
        }
        EXPECT_EQ(created.error().code, 403) << created.error().message;
        EXPECT_EQ(created.error().reason, "Forbidden");
        return created.error().message;
    }

    ApiEnv env;
    InProcessApiClient client{*env.handler, "tester"};
};

TEST_F(QuotaAdmissionTest, objectCountsAreChargedAndLimited) {
    addQuota("counts", R"({"pods":"2","count/configmaps":"1","configmaps":"5"})");
    mustCreate(kube::resources::Pods, pod("a"));
    mustCreate(kube::resources::Pods, pod("b"));
    EXPECT_EQ(quotaUsed(client, "counts").at("pods"), "2");

    EXPECT_EQ(refusal(kube::resources::Pods, pod("c")),
              "pods \"c\" is forbidden: exceeded quota: counts, requested: pods=1, used: "
              "pods=2, limited: pods=2");
    mustCreate(kube::resources::ConfigMaps, configMap("one"));
    EXPECT_EQ(refusal(kube::resources::ConfigMaps, configMap("two")),
              "configmaps \"two\" is forbidden: exceeded quota: counts, requested: "
              "count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1");
    auto used = quotaUsed(client, "counts");
    EXPECT_EQ(used.at("count/configmaps"), "1");
    EXPECT_EQ(used.at("configmaps"), "1");
    EXPECT_EQ(used.at("pods"), "2");
}

TEST_F(QuotaAdmissionTest, generatedNamesAreReportedByTheirPrefix) {
    addQuota("q", R"({"pods":"0"})");
    json::object p = pod("");
    p["metadata"] = json::object{{"generateName", "web-7d4b9c-"}};
    EXPECT_EQ(refusal(kube::resources::Pods, p),
              "pods \"web-7d4b9c-\" is forbidden: exceeded quota: q, requested: pods=1, used: "
              "pods=0, limited: pods=0");
}

TEST_F(QuotaAdmissionTest, computeQuotasNeedRequestsAndLimits) {
    addQuota("compute", R"({"requests.cpu":"1","limits.memory":"1Gi","pods":"10"})");
    json::object p = podWithResources("bare");
    json::object init{{"name", "setup"}, {"image", "busybox"}};
    p["spec"].as_object()["initContainers"] = json::array{init};
    EXPECT_EQ(refusal(kube::resources::Pods, p),
              "pods \"bare\" is forbidden: failed quota: compute: must specify limits.memory for: "
              "main,setup; requests.cpu for: main,setup");
    // Limits alone do: requests default to them.
    mustCreate(kube::resources::Pods,
               podWithResources("sized", R"({"limits":{"cpu":"500m","memory":"512Mi"}})"));
    auto used = quotaUsed(client, "compute");
    EXPECT_EQ(used.at("requests.cpu"), "500m");
    EXPECT_EQ(used.at("limits.memory"), "512Mi");
    EXPECT_EQ(used.at("pods"), "1");

    EXPECT_EQ(refusal(kube::resources::Pods,
                      podWithResources("big", R"({"limits":{"cpu":"600m","memory":"600Mi"}})")),
              "pods \"big\" is forbidden: exceeded quota: compute, requested: "
              "limits.memory=600Mi,requests.cpu=600m, used: limits.memory=512Mi,requests.cpu=500m, "
              "limited: limits.memory=1Gi,requests.cpu=1");
}

TEST_F(QuotaAdmissionTest, quotasApplyOnceTheControllerCountedThem) {
    auto created =
        client.create(ResourceQuotas, "default", resourceQuota("new", R"({"pods":"3"})"));
    ASSERT_TRUE(created) << created.error().message;
    // No status yet: as upstream, the quota does not limit (nor charge) anything.
    mustCreate(kube::resources::Pods, pod("early"));
    EXPECT_TRUE(quotaUsed(client, "new").empty());

    // Hard limits known but no usage for them: refused until the controller has counted.
    (*created)["status"] = json::object{{"hard", json::object{{"pods", "3"}}},
                                        {"used", json::object{{"configmaps", "0"}}}};
    ASSERT_TRUE(client.updateStatus(ResourceQuotas, *created));
    EXPECT_EQ(refusal(kube::resources::Pods, pod("p")),
              "pods \"p\" is forbidden: status unknown for quota: new, resources: pods");
    // Kinds the quota does not track are not concerned.
    mustCreate(kube::resources::ConfigMaps, configMap("c"));
}

TEST_F(QuotaAdmissionTest, dryRunIsCheckedButNotCharged) {
    addQuota("q", R"({"pods":"1"})");
    kube::WriteOptions dry;
    dry.dryRun = true;
    auto created = client.create(kube::resources::Pods, "default", pod("a"), dry);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(quotaUsed(client, "q").at("pods"), "0");
    mustCreate(kube::resources::Pods, pod("a"));
    EXPECT_EQ(quotaUsed(client, "q").at("pods"), "1");
    EXPECT_EQ(refusal(kube::resources::Pods, pod("b"), true),
              "pods \"b\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, "
              "limited: pods=1");
}

TEST_F(QuotaAdmissionTest, scopesSelectWhichPodsAreCharged) {
    addQuota("besteffort", R"({"pods":"1"})");
    auto q = client.get(ResourceQuotas, "default", "besteffort");
    ASSERT_TRUE(q);
    (*q)["spec"].as_object()["scopes"] = json::array{"BestEffort"};
    ASSERT_TRUE(client.update(ResourceQuotas, *q));
    addQuota("high", R"({"pods":"1"})");
    q = client.get(ResourceQuotas, "default", "high");
    ASSERT_TRUE(q);
    (*q)["spec"].as_object()["scopeSelector"] = json::parse(
        R"({"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]})");
    ASSERT_TRUE(client.update(ResourceQuotas, *q));

    mustCreate(kube::resources::Pods, pod("free1"));
    EXPECT_EQ(refusal(kube::resources::Pods, pod("free2")),
              "pods \"free2\" is forbidden: exceeded quota: besteffort, requested: pods=1, used: "
              "pods=1, limited: pods=1");
    // Not best effort: only quotas without that scope apply.
    mustCreate(kube::resources::Pods, podWithResources("sized1", R"({"requests":{"cpu":"100m"}})"));
    mustCreate(kube::resources::Pods, podWithResources("sized2", R"({"requests":{"cpu":"100m"}})"));
    EXPECT_EQ(quotaUsed(client, "besteffort").at("pods"), "1");
    EXPECT_EQ(quotaUsed(client, "high").at("pods"), "0");
}

TEST_F(QuotaAdmissionTest, claimsAreChargedStorageOverallAndPerClass) {
    addQuota("storage", R"({"requests.storage":"10Gi","persistentvolumeclaims":"5",)"
                        R"("fast.storageclass.storage.k8s.io/requests.storage":"3Gi",)"
                        R"("fast.storageclass.storage.k8s.io/persistentvolumeclaims":"2"})");
    mustCreate(kube::resources::PersistentVolumeClaims, claim("a", "2Gi", "fast"));
    mustCreate(kube::resources::PersistentVolumeClaims, claim("b", "6Gi", "slow"));
    auto used = quotaUsed(client, "storage");
    EXPECT_EQ(used.at("requests.storage"), "8Gi");
    EXPECT_EQ(used.at("persistentvolumeclaims"), "2");
    EXPECT_EQ(used.at("fast.storageclass.storage.k8s.io/requests.storage"), "2Gi");
    EXPECT_EQ(used.at("fast.storageclass.storage.k8s.io/persistentvolumeclaims"), "1");

    EXPECT_EQ(refusal(kube::resources::PersistentVolumeClaims, claim("c", "2Gi", "fast")),
              "persistentvolumeclaims \"c\" is forbidden: exceeded quota: storage, requested: "
              "fast.storageclass.storage.k8s.io/requests.storage=2Gi, used: "
              "fast.storageclass.storage.k8s.io/requests.storage=2Gi, limited: "
              "fast.storageclass.storage.k8s.io/requests.storage=3Gi");
    EXPECT_EQ(refusal(kube::resources::PersistentVolumeClaims, claim("d", "3Gi", "slow")),
              "persistentvolumeclaims \"d\" is forbidden: exceeded quota: storage, requested: "
              "requests.storage=3Gi, used: requests.storage=8Gi, limited: requests.storage=10Gi");
}

TEST_F(QuotaAdmissionTest, servicesChargeNodePortsAndLoadBalancers) {
    addQuota("net", R"({"services":"10","services.nodeports":"2","services.loadbalancers":"1"})");
    auto service = [](const std::string& name, const std::string& type, int ports) {
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
    };
    mustCreate(kube::resources::Services, service("internal", "ClusterIP", 3));
    mustCreate(kube::resources::Services, service("lb", "LoadBalancer", 1));
    auto used = quotaUsed(client, "net");
    EXPECT_EQ(used.at("services"), "2");
    EXPECT_EQ(used.at("services.nodeports"), "1");
    EXPECT_EQ(used.at("services.loadbalancers"), "1");
    EXPECT_EQ(refusal(kube::resources::Services, service("np", "NodePort", 2)),
              "services \"np\" is forbidden: exceeded quota: net, requested: "
              "services.nodeports=2, used: services.nodeports=1, limited: services.nodeports=2");
}

TEST_F(QuotaAdmissionTest, concurrentCreatesNeverExceedTheQuota) {
    constexpr int Hard = 10;
    constexpr int Threads = 6;
    constexpr int PerThread = 5;
    addQuota("q", fmt::format(R"({{"configmaps":"{}"}})", Hard));
    std::atomic<int> accepted{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&, t] {
            InProcessApiClient own(*env.handler, fmt::format("writer-{}", t));
            for (int i = 0; i < PerThread; ++i) {
                auto created = own.create(kube::resources::ConfigMaps, "default",
                                          configMap(fmt::format("c-{}-{}", t, i)));
                if (created) {
                    ++accepted;
                } else if (created.error().code == 403 &&
                           created.error().message.find("exceeded quota: q") != std::string::npos) {
                    ++refused;
                }
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    EXPECT_EQ(accepted.load(), Hard);
    EXPECT_EQ(refused.load(), Threads * PerThread - Hard);
    auto list = client.list(kube::resources::ConfigMaps, "default");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->items.size(), static_cast<size_t>(Hard));
    EXPECT_EQ(quotaUsed(client, "q").at("configmaps"), std::to_string(Hard));
}

} // namespace
