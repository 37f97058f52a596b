// The PersistentVolume binder, the local-path provisioner and the PVC/PV protection
// controllers over the in-process API with the storage admission hooks: which volume a claim
// gets, pre-binding, provisioning under Immediate and WaitForFirstConsumer, Delete and Retain
// reclaim, the protection finalizers and the events kubectl describe shows.

#include "engine/controllers/volume/localpathprovisioner.h"
#include "engine/controllers/volume/persistentvolumecontroller.h"
#include "engine/controllers/volume/pvcprotectioncontroller.h"
#include "engine/controllers/volume/pvprotectioncontroller.h"
#include "storagetestutil.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using apiserver::test::claim;
using apiserver::test::StorageClasses;
using namespace std::chrono_literals;

namespace {

const kube::ApiResource& Claims = kube::resources::PersistentVolumeClaims;
const kube::ApiResource& Volumes = kube::resources::PersistentVolumes;

json::object volume(const std::string& name, const std::string& size,
                    const std::string& storageClass,
                    json::array modes = json::array{"ReadWriteOnce"}) {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "PersistentVolume"},
        {"metadata", json::object{{"name", name}}},
        {"spec", json::object{{"capacity", json::object{{"storage", size}}},
                              {"accessModes", std::move(modes)},
                              {"storageClassName", storageClass},
                              {"persistentVolumeReclaimPolicy", "Retain"},
                              {"hostPath", json::object{{"path", "/srv/" + name}}}}}};
}

json::object storageClass(const std::string& name, const std::string& reclaimPolicy,
                          const std::string& bindingMode) {
    return json::object{
        {"apiVersion", "storage.k8s.io/v1"},        {"kind", "StorageClass"},
        {"metadata", json::object{{"name", name}}}, {"provisioner", "pilothouse.io/local-path"},
        {"reclaimPolicy", reclaimPolicy},           {"volumeBindingMode", bindingMode}};
}

json::object podUsing(const std::string& name, const std::string& claimName,
                      const std::string& node = {}) {
    json::object p = apiserver::test::pod(name, node);
    p["spec"].as_object()["volumes"] = json::array{json::object{
        {"name", "data"}, {"persistentVolumeClaim", json::object{{"claimName", claimName}}}}};
    return p;
}

class VolumeTest : public ::testing::Test {
protected:
    void startControllers() {
        std::vector<std::unique_ptr<Controller>> controllers;
        PersistentVolumeController::Options binder;
        binder.resyncPeriod = 200ms; // WaitForPodScheduled shows up on a resync
        controllers.push_back(
            std::make_unique<PersistentVolumeController>(cluster.controllerClient, binder));
        LocalPathProvisioner::Options provisioner;
        provisioner.dataPath = dir.path.string();
        controllers.push_back(
            std::make_unique<LocalPathProvisioner>(cluster.controllerClient, provisioner));
        controllers.push_back(std::make_unique<PvcProtectionController>(cluster.controllerClient));
        controllers.push_back(std::make_unique<PvProtectionController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
    }

    /// Creates the volumes and waits until the binder made them Available.
    void createAvailable(const std::vector<json::object>& volumes) {
        for (const json::object& v : volumes) {
            cluster.create(Volumes, v);
        }
        ASSERT_TRUE(cluster.view.waitUntil([&] {
            return std::ranges::all_of(volumes, [&](const json::object& v) {
                return phaseOf(cluster.view.get("persistentvolumes", std::string(kube::name(v)),
                                                false)) == "Available";
            });
        }));
    }

    bool waitForPhase(const std::string& claimName, const std::string& phase) {
        return cluster.view.waitUntil([&] {
            return phaseOf(cluster.view.get("persistentvolumeclaims", claimName)) == phase;
        });
    }

    /// Waits until the claim is Bound and the test has seen its volume Bound too.
    bool waitForBound(const std::string& claimName) {
        return cluster.view.waitUntil([&] {
            json::object c = claimNamed(claimName);
            std::string pv = field(c, "spec.volumeName");
            return phaseOf(c) == "Bound" && !pv.empty() && phaseOf(volumeNamed(pv)) == "Bound";
        });
    }

    /// What the scheduler's VolumeBinding does once it placed a pod using the claim.
    void selectNode(const std::string& claimName, const std::string& node) {
        cluster.patch(
            Claims, claimName,
            json::object{
                {"metadata",
                 json::object{{"annotations",
                               json::object{{"volume.kubernetes.io/selected-node", node}}}}}});
    }

    json::object claimNamed(const std::string& name) {
        return cluster.view.get("persistentvolumeclaims", name);
    }
    json::object volumeNamed(const std::string& name) {
        return cluster.view.get("persistentvolumes", name, false);
    }

    TempDir dir;
    StorageCluster cluster;
};

TEST_F(VolumeTest, bindsTheSmallestFittingVolumeOfTheClaimsClass) {
    startControllers();
    createAvailable({volume("small", "1Gi", "manual"), volume("mid", "5Gi", "manual"),
                     volume("big", "10Gi", "manual"), volume("other", "4Gi", "fast")});
    json::object created = cluster.create(Claims, claim("data", "3Gi", "manual"));
    ASSERT_TRUE(waitForBound("data"));

    json::object c = claimNamed("data");
    EXPECT_EQ(field(c, "spec.volumeName"), "mid");
    EXPECT_EQ(json::serialize(c["status"].as_object()["capacity"]), R"({"storage":"5Gi"})");
    EXPECT_EQ(json::serialize(c["status"].as_object()["accessModes"]), R"(["ReadWriteOnce"])");
    EXPECT_EQ(kube::annotation(c, "pv.kubernetes.io/bind-completed"), "yes");
    EXPECT_EQ(kube::annotation(c, "pv.kubernetes.io/bound-by-controller"), "yes");
    json::object v = volumeNamed("mid");
    EXPECT_EQ(field(v, "spec.claimRef.uid"), std::string(kube::uid(created)));
    EXPECT_EQ(field(v, "spec.claimRef.name"), "data");
    EXPECT_EQ(field(v, "spec.claimRef.namespace"), "default");
    EXPECT_EQ(field(v, "spec.claimRef.kind"), "PersistentVolumeClaim");
    EXPECT_EQ(kube::annotation(v, "pv.kubernetes.io/bound-by-controller"), "yes");
    EXPECT_FALSE(field(v, "status.lastPhaseTransitionTime").empty());
    for (const char* name : {"small", "big", "other"}) {
        EXPECT_EQ(phaseOf(volumeNamed(name)), "Available") << name;
    }
}

TEST_F(VolumeTest, selectorsAndAccessModesNarrowTheChoice) {
    startControllers();
    json::object gold = volume("gold", "10Gi", "manual");
    gold["metadata"].as_object()["labels"] = json::object{{"tier", "gold"}};
    json::object silver = volume("silver", "2Gi", "manual");
    silver["metadata"].as_object()["labels"] = json::object{{"tier", "silver"}};
    createAvailable(
        {gold, silver, volume("shared", "2Gi", "manual", json::array{"ReadWriteMany"}),
         volume("both", "1Gi", "manual", json::array{"ReadWriteOnce", "ReadOnlyMany"})});

    json::object picky = claim("picky", "1Gi", "manual");
    picky["spec"].as_object()["selector"] =
        json::object{{"matchLabels", json::object{{"tier", "gold"}}}};
    cluster.create(Claims, picky);
    json::object many = claim("many", "1Gi", "manual");
    many["spec"].as_object()["accessModes"] = json::array{"ReadWriteMany"};
    cluster.create(Claims, many);
    ASSERT_TRUE(waitForBound("picky"));
    ASSERT_TRUE(waitForBound("many"));
    EXPECT_EQ(field(claimNamed("picky"), "spec.volumeName"), "gold");
    EXPECT_EQ(field(claimNamed("many"), "spec.volumeName"), "shared");

    // Volumes offering exactly the modes asked for come before smaller ones offering more.
    cluster.create(Claims, claim("once", "1Gi", "manual"));
    ASSERT_TRUE(waitForBound("once"));
    EXPECT_EQ(field(claimNamed("once"), "spec.volumeName"), "silver");
}

TEST_F(VolumeTest, preBoundClaimsAndVolumesGetEachOther) {
    startControllers();
    json::object reserved = volume("reserved", "8Gi", "manual");
    reserved["spec"].as_object()["claimRef"] =
        json::object{{"namespace", "default"}, {"name", "owner"}};
    createAvailable({volume("small", "2Gi", "manual"), volume("named", "6Gi", "manual"),
                     volume("tiny", "1Gi", "manual"), reserved});

    json::object wanting = claim("wanting", "1Gi", "manual");
    wanting["spec"].as_object()["volumeName"] = "named";
    cluster.create(Claims, wanting);
    cluster.create(Claims, claim("owner", "1Gi", "manual"));
    ASSERT_TRUE(waitForBound("wanting"));
    ASSERT_TRUE(waitForBound("owner"));
    EXPECT_EQ(field(claimNamed("owner"), "spec.volumeName"), "reserved");
    // A claim that named its volume was not bound by the controller; the volume was.
    EXPECT_FALSE(kube::annotation(claimNamed("wanting"), "pv.kubernetes.io/bound-by-controller"));
    EXPECT_EQ(kube::annotation(volumeNamed("named"), "pv.kubernetes.io/bound-by-controller"),
              "yes");
    // A volume the user reserved was not.
    EXPECT_EQ(kube::annotation(claimNamed("owner"), "pv.kubernetes.io/bound-by-controller"), "yes");
    EXPECT_FALSE(kube::annotation(volumeNamed("reserved"), "pv.kubernetes.io/bound-by-controller"));

    json::object tooBig = claim("toobig", "5Gi", "manual");
    tooBig["spec"].as_object()["volumeName"] = "tiny";
    cluster.create(Claims, tooBig);
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent(
                   "toobig",
                   "VolumeMismatch: Cannot bind to requested volume \"tiny\": requested PV is "
                   "too small") &&
               phaseOf(claimNamed("toobig")) == "Pending";
    }));
    EXPECT_EQ(phaseOf(volumeNamed("tiny")), "Available");
}

TEST_F(VolumeTest, claimsWithoutAVolumeOrClassAreReported) {
    startControllers();
    cluster.create(Claims, claim("nothing", "1Gi", ""));
    cluster.create(Claims, claim("unknown", "1Gi", "missing"));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent("nothing",
                                     "FailedBinding: no persistent volumes available for this "
                                     "claim and no storage class is set") &&
               cluster.view.hasEvent(
                   "unknown",
                   "ProvisioningFailed: storageclass.storage.k8s.io \"missing\" not found") &&
               phaseOf(claimNamed("nothing")) == "Pending";
    }));
}

TEST_F(VolumeTest, theDefaultClassWaitsForAConsumerAndProvisionsOnItsNode) {
    startControllers();
    ASSERT_TRUE(cluster.view.waitUntil(
        [&] { return cluster.view.exists("storageclasses", "standard", false); }));
    json::object sc = cluster.view.get("storageclasses", "standard", false);
    EXPECT_EQ(kube::annotation(sc, "storageclass.kubernetes.io/is-default-class"), "true");
    EXPECT_EQ(kube::stringAt(sc, "provisioner"), "pilothouse.io/local-path");
    EXPECT_EQ(kube::stringAt(sc, "reclaimPolicy"), "Delete");
    EXPECT_EQ(kube::stringAt(sc, "volumeBindingMode"), "WaitForFirstConsumer");

    // Alone, the claim waits for a pod, as with upstream's local-path-provisioner.
    json::object created = cluster.create(Claims, claim("data", "2Gi"));
    EXPECT_EQ(field(created, "spec.storageClassName"), "standard");
    std::string pvName = fmt::format("pvc-{}", kube::uid(created));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent(
            "data", "WaitForFirstConsumer: waiting for first consumer to be created before "
                    "binding");
    }));
    EXPECT_EQ(phaseOf(claimNamed("data")), "Pending");
    EXPECT_FALSE(cluster.view.exists("persistentvolumes", pvName, false));

    // A pod uses it; once the scheduler picked its node the volume is made there.
    cluster.create(kube::resources::Pods, podUsing("app", "data"));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent("data",
                                     "WaitForPodScheduled: waiting for pod app to be scheduled");
    }));
    EXPECT_EQ(phaseOf(claimNamed("data")), "Pending");
    selectNode("data", "node-1");
    ASSERT_TRUE(waitForBound("data"));
    json::object c = claimNamed("data");
    EXPECT_EQ(field(c, "spec.volumeName"), pvName);
    EXPECT_EQ(kube::annotation(c, "volume.kubernetes.io/storage-provisioner"),
              "pilothouse.io/local-path");
    EXPECT_EQ(kube::annotation(c, "volume.beta.kubernetes.io/storage-provisioner"),
              "pilothouse.io/local-path");

    json::object pv = volumeNamed(pvName);
    std::filesystem::path path = dir.path / fmt::format("{}_default_data", pvName);
    EXPECT_EQ(field(pv, "spec.local.path"), path.string());
    EXPECT_EQ(json::serialize(pv["spec"].as_object()["nodeAffinity"]),
              R"({"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":)"
              R"("kubernetes.io/hostname","operator":"In","values":["node-1"]}]}]}})");
    EXPECT_EQ(field(pv, "spec.persistentVolumeReclaimPolicy"), "Delete");
    EXPECT_EQ(field(pv, "spec.storageClassName"), "standard");
    EXPECT_EQ(json::serialize(pv["spec"].as_object()["capacity"]), R"({"storage":"2Gi"})");
    EXPECT_EQ(kube::annotation(pv, "pv.kubernetes.io/provisioned-by"), "pilothouse.io/local-path");
    EXPECT_TRUE(kube::hasFinalizer(pv, "kubernetes.io/pv-protection"));
    EXPECT_TRUE(std::filesystem::is_directory(path));
    // Two controllers record these, each on its own thread: wait for all of them.
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent(
                   "data", "ExternalProvisioning: Waiting for a volume to be created either by "
                           "the external provisioner 'pilothouse.io/local-path' or manually by "
                           "the system administrator. If volume creation is delayed, please "
                           "verify that the provisioner is running and correctly registered.") &&
               cluster.view.hasEvent("data", "Provisioning: External provisioner is provisioning "
                                             "volume for claim \"default/data\"") &&
               cluster.view.hasEvent("data", fmt::format("ProvisioningSucceeded: Successfully "
                                                         "provisioned volume {}",
                                                         pvName));
    }));

    cluster.remove(kube::resources::Pods, "app", 0);
    cluster.remove(Claims, "data");
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return !cluster.view.exists("persistentvolumes", pvName, false) &&
               !cluster.view.exists("persistentvolumeclaims", "data");
    }));
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(VolumeTest, retainedVolumesStayReleasedWithTheirData) {
    startControllers();
    cluster.create(StorageClasses, storageClass("keep", "Retain", "Immediate"));
    json::object created = cluster.create(Claims, claim("data", "1Gi", "keep"));
    ASSERT_TRUE(waitForBound("data"));
    std::string pvName = fmt::format("pvc-{}", kube::uid(created));
    std::filesystem::path path = dir.path / fmt::format("{}_default_data", pvName);
    std::filesystem::create_directories(path / "db");

    cluster.remove(Claims, "data");
    ASSERT_TRUE(cluster.view.waitUntil([&] { return phaseOf(volumeNamed(pvName)) == "Released"; }));
    EXPECT_EQ(field(volumeNamed(pvName), "spec.claimRef.name"), "data");
    EXPECT_TRUE(std::filesystem::is_directory(path / "db"));
}

TEST_F(VolumeTest, releasedVolumesNobodyCanReclaimFail) {
    startControllers();
    json::object deletable = volume("deletable", "1Gi", "manual");
    deletable["spec"].as_object()["persistentVolumeReclaimPolicy"] = "Delete";
    json::object recyclable = volume("recyclable", "1Gi", "slow");
    recyclable["spec"].as_object()["persistentVolumeReclaimPolicy"] = "Recycle";
    createAvailable({deletable, recyclable});
    cluster.create(Claims, claim("a", "1Gi", "manual"));
    cluster.create(Claims, claim("b", "1Gi", "slow"));
    ASSERT_TRUE(waitForBound("a"));
    ASSERT_TRUE(waitForBound("b"));
    cluster.remove(Claims, "a");
    cluster.remove(Claims, "b");
    std::string deleteMessage = "error getting deleter volume plugin for volume \"deletable\": "
                                "no deletable volume plugin matched";
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return phaseOf(volumeNamed("deletable")) == "Failed" &&
               phaseOf(volumeNamed("recyclable")) == "Failed" &&
               cluster.view.hasEvent("deletable", "VolumeFailedDelete: " + deleteMessage) &&
               cluster.view.hasEvent("recyclable",
                                     "VolumeFailedRecycle: No recycler plugin found for the "
                                     "volume!");
    }));
    EXPECT_EQ(field(volumeNamed("deletable"), "status.message"), deleteMessage);
}

TEST_F(VolumeTest, waitForFirstConsumerProvisionsOnTheSelectedNode) {
    startControllers();
    cluster.create(StorageClasses, storageClass("local", "Delete", "WaitForFirstConsumer"));
    json::object created = cluster.create(Claims, claim("data", "1Gi", "local"));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent(
            "data", "WaitForFirstConsumer: waiting for first consumer to be created before "
                    "binding");
    }));
    cluster.create(kube::resources::Pods, podUsing("app", "data"));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.hasEvent("data",
                                     "WaitForPodScheduled: waiting for pod app to be scheduled");
    }));
    EXPECT_EQ(phaseOf(claimNamed("data")), "Pending");

    // What the scheduler's volume binding does once it picked a node.
    cluster.patch(
        Claims, "data",
        json::object{{"metadata", json::object{{"annotations",
                                                json::object{{"volume.kubernetes.io/selected-node",
                                                              "node-1"}}}}}});
    ASSERT_TRUE(waitForBound("data"));
    json::object pv = volumeNamed(fmt::format("pvc-{}", kube::uid(created)));
    EXPECT_EQ(field(pv, "spec.local.path"),
              (dir.path / fmt::format("pvc-{}_default_data", kube::uid(created))).string());
    EXPECT_EQ(json::serialize(pv["spec"].as_object()["nodeAffinity"]),
              R"({"required":{"nodeSelectorTerms":[{"matchExpressions":[{"key":)"
              R"("kubernetes.io/hostname","operator":"In","values":["node-1"]}]}]}})");
}

TEST_F(VolumeTest, aClaimInUseStaysUntilItsPodIsGone) {
    startControllers();
    ASSERT_TRUE(cluster.view.waitUntil(
        [&] { return cluster.view.exists("storageclasses", "standard", false); }));
    json::object created = cluster.create(Claims, claim("data", "1Gi", "standard"));
    cluster.create(kube::resources::Pods, podUsing("app", "data", "node-1"));
    selectNode("data", "node-1");
    ASSERT_TRUE(waitForBound("data"));
    std::string pvName = fmt::format("pvc-{}", kube::uid(created));
    cluster.create(Claims, claim("spare", "1Gi", ""));
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return cluster.view.exists("pods", "app") &&
               kube::hasFinalizer(claimNamed("spare"), "kubernetes.io/pvc-protection");
    }));

    cluster.remove(Claims, "data");
    // The protection controller handles claims one at a time, in order: once the spare claim
    // deleted after it is gone, the claim in use was looked at and kept.
    cluster.remove(Claims, "spare");
    ASSERT_TRUE(cluster.view.waitUntil(
        [&] { return !cluster.view.exists("persistentvolumeclaims", "spare"); }));
    json::object c = claimNamed("data");
    EXPECT_TRUE(kube::hasDeletionTimestamp(c));
    EXPECT_TRUE(kube::hasFinalizer(c, "kubernetes.io/pvc-protection"));
    EXPECT_EQ(phaseOf(volumeNamed(pvName)), "Bound");

    cluster.remove(kube::resources::Pods, "app", 0);
    ASSERT_TRUE(cluster.view.waitUntil([&] {
        return !cluster.view.exists("persistentvolumeclaims", "data") &&
               !cluster.view.exists("persistentvolumes", pvName, false);
    }));
}

TEST_F(VolumeTest, aBoundVolumeStaysUntilItsClaimIsGone) {
    startControllers();
    createAvailable({volume("static", "1Gi", "manual"), volume("spare", "1Gi", "other")});
    cluster.create(Claims, claim("data", "1Gi", "manual"));
    ASSERT_TRUE(waitForBound("data"));

    cluster.remove(Volumes, "static");
    // One volume at a time, in order: once the unused one deleted after it is gone, the bound
    // one was looked at and kept.
    cluster.remove(Volumes, "spare");
    ASSERT_TRUE(cluster.view.waitUntil(
        [&] { return !cluster.view.exists("persistentvolumes", "spare", false); }));
    json::object v = volumeNamed("static");
    EXPECT_TRUE(kube::hasDeletionTimestamp(v));
    EXPECT_TRUE(kube::hasFinalizer(v, "kubernetes.io/pv-protection"));

    cluster.remove(Claims, "data");
    // The view's claims and volumes come from two informers: wait for both.
    EXPECT_TRUE(cluster.view.waitUntil([&] {
        return !cluster.view.exists("persistentvolumes", "static", false) &&
               !cluster.view.exists("persistentvolumeclaims", "data");
    }));
}

} // namespace
