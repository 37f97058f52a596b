// DefaultStorageClass and StorageObjectInUseProtection admission.

#include "admissionenv.h"

#include "kube/objectmeta.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

json::object storageClass(const std::string& name, bool isDefault) {
    json::object meta{{"name", name}};
    if (isDefault) {
        meta["annotations"] = json::object{{"storageclass.kubernetes.io/is-default-class", "true"}};
    }
    return json::object{{"apiVersion", "storage.k8s.io/v1"},
                        {"kind", "StorageClass"},
                        {"metadata", std::move(meta)},
                        {"provisioner", "example.com/disk"}};
}

class StorageAdmissionTest : public ::testing::Test {
protected:
    StorageAdmissionTest() {
        addStorageAndQuotaHooks(env);
        env.createNamespace("default");
    }

    json::object mustCreate(const kube::ApiResource& resource, const json::object& object) {
        auto created = client.create(resource, resource.namespaced ? "default" : "", object);
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }

    std::string classOf(const json::object& claim) {
        const json::object* spec = kube::objectAt(claim, "spec");
        const json::value* name = spec ? spec->if_contains("storageClassName") : nullptr;
        return name ? json::serialize(*name) : "<unset>";
    }

    ApiEnv env;
    InProcessApiClient client{*env.handler, "tester"};
};

TEST_F(StorageAdmissionTest, claimsWithoutAClassGetTheDefaultOne) {
    mustCreate(kube::resources::PersistentVolumeClaims, claim("before", "1Gi"));
    mustCreate(StorageClasses, storageClass("slow", false));
    mustCreate(StorageClasses, storageClass("standard", true));

    json::object plain = mustCreate(kube::resources::PersistentVolumeClaims, claim("a", "1Gi"));
    EXPECT_EQ(classOf(plain), "\"standard\"");
    json::object none = mustCreate(kube::resources::PersistentVolumeClaims, claim("b", "1Gi", ""));
    EXPECT_EQ(classOf(none), "\"\"");
    json::object named =
        mustCreate(kube::resources::PersistentVolumeClaims, claim("c", "1Gi", "slow"));
    EXPECT_EQ(classOf(named), "\"slow\"");
    json::object beta = claim("d", "1Gi");
    beta["metadata"].as_object()["annotations"] =
        json::object{{"volume.beta.kubernetes.io/storage-class", "slow"}};
    EXPECT_EQ(classOf(mustCreate(kube::resources::PersistentVolumeClaims, beta)), "<unset>");
    // Only new claims are defaulted.
    auto before = client.get(kube::resources::PersistentVolumeClaims, "default", "before");
    ASSERT_TRUE(before);
    EXPECT_EQ(classOf(*before), "<unset>");
}

TEST_F(StorageAdmissionTest, theNewestDefaultClassWins) {
    mustCreate(StorageClasses, storageClass("old", true));
    env.clock.advance(std::chrono::seconds(5));
    mustCreate(StorageClasses, storageClass("new", true));
    EXPECT_EQ(classOf(mustCreate(kube::resources::PersistentVolumeClaims, claim("a", "1Gi"))),
              "\"new\"");
}

TEST_F(StorageAdmissionTest, claimsAndVolumesGetTheirProtectionFinalizers) {
    json::object c = mustCreate(kube::resources::PersistentVolumeClaims, claim("data", "1Gi"));
    EXPECT_TRUE(kube::hasFinalizer(c, "kubernetes.io/pvc-protection"));
    json::object pv{
        {"apiVersion", "v1"},
        {"kind", "PersistentVolume"},
        {"metadata", json::object{{"name", "pv1"}, {"finalizers", json::array{"example.com/x"}}}},
        {"spec", json::object{{"capacity", json::object{{"storage", "1Gi"}}},
                              {"accessModes", json::array{"ReadWriteOnce"}},
                              {"hostPath", json::object{{"path", "/tmp/pv1"}}}}}};
    json::object created = mustCreate(kube::resources::PersistentVolumes, pv);
    EXPECT_EQ(json::serialize(created["metadata"].as_object()["finalizers"]),
              R"(["example.com/x","kubernetes.io/pv-protection"])");
}

} // namespace
