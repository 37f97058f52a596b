// The LimitRanger admission step: container defaults (and the annotation noting them), then
// min / max / maxLimitRequestRatio for containers, pods and claims, with upstream's messages.

#include "admissionenv.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

json::object limitRange(const std::string& name, std::string_view limits) {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "LimitRange"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", json::object{{"limits", json::parse(limits)}}}};
}

class LimitRangeAdmissionTest : public ::testing::Test {
protected:
    LimitRangeAdmissionTest() {
        addStorageAndQuotaHooks(env);
        env.createNamespace("default");
    }

    void addLimitRange(std::string_view limits) {
        auto created = client.create(LimitRanges, "default", limitRange("limits", limits));
        ASSERT_TRUE(created) << created.error().message;
    }

    std::string refusal(const kube::ApiResource& resource, const json::object& object) {
        auto created = client.create(resource, "default", object);
        EXPECT_FALSE(created) << "created " << json::serialize(object);
        if (created) {
            return {};
        }
        EXPECT_EQ(created.error().code, 403) << created.error().message;
        return created.error().message;
    }

    ApiEnv env;
    InProcessApiClient client{*env.handler, "tester"};
};

TEST_F(LimitRangeAdmissionTest, containersGetTheDefaultsTheyLeftOut) {
    addLimitRange(R"([{"type":"Container","default":{"cpu":"500m","memory":"256Mi"},)"
                  R"("defaultRequest":{"cpu":"0.1"}}])");
    json::object p = podWithResources("web", R"({"limits":{"memory":"1Gi"}})");
    json::object init{{"name", "setup"}, {"image", "busybox"}};
    p["spec"].as_object()["initContainers"] = json::array{init};
    auto created = client.create(kube::resources::Pods, "default", p);
    ASSERT_TRUE(created) << created.error().message;

    const json::object* annotations =
        kube::objectAt(kube::objectAt(*created, "metadata"), "annotations");
    ASSERT_NE(annotations, nullptr);
    EXPECT_EQ(kube::stringAt(*annotations, "kubernetes.io/limit-ranger"),
              "LimitRanger plugin set: cpu request for container main; cpu limit for container "
              "main; cpu, memory request for init container setup; cpu, memory limit for init "
              "container setup");
    const json::object& spec = created->at("spec").as_object();
    const json::object& main = spec.at("containers").as_array()[0].as_object();
    // The container's own limit stays; its request came from it (pod defaulting) before.
    EXPECT_EQ(
        json::serialize(main.at("resources")),
        R"({"limits":{"memory":"1Gi","cpu":"500m"},"requests":{"memory":"1Gi","cpu":"100m"}})");
    const json::object& setup = spec.at("initContainers").as_array()[0].as_object();
    EXPECT_EQ(
        json::serialize(setup.at("resources")),
        R"({"requests":{"cpu":"100m","memory":"256Mi"},"limits":{"cpu":"500m","memory":"256Mi"}})");
}

TEST_F(LimitRangeAdmissionTest, qosClassFollowsTheDefaultedResources) {
    // Upstream computes status.qosClass after admission: a pod without resources that gets
    // equal requests and limits from the LimitRange is Guaranteed, not BestEffort.
    addLimitRange(R"([{"type":"Container","default":{"cpu":"100m","memory":"64Mi"},)"
                  R"("defaultRequest":{"cpu":"100m","memory":"64Mi"}}])");
    auto created = client.create(kube::resources::Pods, "default", podWithResources("g", "{}"));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(kube::stringAt(kube::objectAt(*created, "status"), "qosClass"), "Guaranteed");
}

TEST_F(LimitRangeAdmissionTest, containerMinMaxAndRatioAreEnforced) {
    addLimitRange(R"([{"type":"Container","max":{"cpu":"500m"},"min":{"memory":"64Mi"},)"
                  R"("maxLimitRequestRatio":{"cpu":"2"}}])");
    EXPECT_EQ(refusal(kube::resources::Pods,
                      podWithResources("x", R"({"limits":{"cpu":"1","memory":"128Mi"}})")),
              "pods \"x\" is forbidden: maximum cpu usage per Container is 500m, but limit is 1");
    EXPECT_EQ(
        refusal(kube::resources::Pods,
                podWithResources("y", R"({"requests":{"cpu":"100m","memory":"32Mi"},)"
                                      R"("limits":{"cpu":"400m","memory":"128Mi"}})")),
        "pods \"y\" is forbidden: [minimum memory usage per Container is 64Mi, but request is "
        "32Mi, cpu max limit to request ratio per Container is 2, but provided ratio is "
        "4.000000]");
    // Defaulting turned max into the default limit and min into the default request, so a
    // bare container gets both and passes.
    auto bare = client.create(kube::resources::Pods, "default", podWithResources("z"));
    ASSERT_TRUE(bare) << bare.error().message;
    EXPECT_EQ(json::serialize(bare->at("spec").at("containers").at(0).at("resources")),
              R"({"requests":{"cpu":"500m","memory":"64Mi"},"limits":{"cpu":"500m"}})");
    auto ok = client.create(kube::resources::Pods, "default",
                            podWithResources("ok", R"({"requests":{"cpu":"250m","memory":"64Mi"},)"
                                                   R"("limits":{"cpu":"500m","memory":"64Mi"}})"));
    EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(LimitRangeAdmissionTest, podItemsLimitTheSumOfContainers) {
    addLimitRange(R"([{"type":"Pod","max":{"memory":"1Gi"}}])");
    json::object p = podWithResources("pair", R"({"limits":{"memory":"600Mi"}})");
    json::object second{{"name", "sidecar"},
                        {"image", "busybox"},
                        {"resources", json::parse(R"({"limits":{"memory":"600Mi"}})")}};
    p["spec"].as_object()["containers"].as_array().push_back(second);
    EXPECT_EQ(refusal(kube::resources::Pods, p),
              "pods \"pair\" is forbidden: maximum memory usage per Pod is 1Gi, but limit is "
              "1200Mi");
}

TEST_F(LimitRangeAdmissionTest, claimsAreCheckedAgainstPersistentVolumeClaimItems) {
    addLimitRange(R"([{"type":"PersistentVolumeClaim","min":{"storage":"1Gi"},)"
                  R"("max":{"storage":"2Gi"}}])");
    EXPECT_EQ(refusal(kube::resources::PersistentVolumeClaims, claim("big", "5Gi", "")),
              "persistentvolumeclaims \"big\" is forbidden: maximum storage usage per "
              "PersistentVolumeClaim is 2Gi, but request is 5Gi");
    EXPECT_EQ(refusal(kube::resources::PersistentVolumeClaims, claim("small", "500Mi", "")),
              "persistentvolumeclaims \"small\" is forbidden: minimum storage usage per "
              "PersistentVolumeClaim is 1Gi, but request is 500Mi");
    auto ok = client.create(kube::resources::PersistentVolumeClaims, "default",
                            claim("fits", "1536Mi", ""));
    EXPECT_TRUE(ok) << ok.error().message;
}

TEST_F(LimitRangeAdmissionTest, defaultsSatisfyAComputeQuota) {
    addLimitRange(R"([{"type":"Container","default":{"cpu":"200m","memory":"128Mi"}}])");
    auto q =
        client.create(ResourceQuotas, "default",
                      resourceQuota("compute", R"({"requests.cpu":"1","limits.memory":"1Gi"})"));
    ASSERT_TRUE(q) << q.error().message;
    initQuotaStatus(client, "compute");
    auto created = client.create(kube::resources::Pods, "default", podWithResources("bare"));
    ASSERT_TRUE(created) << created.error().message;
    auto used = quotaUsed(client, "compute");
    EXPECT_EQ(used.at("requests.cpu"), "200m");
    EXPECT_EQ(used.at("limits.memory"), "128Mi");
}

} // namespace
