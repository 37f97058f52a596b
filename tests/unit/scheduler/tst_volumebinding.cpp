// VolumeBinding end to end in-process: the Scheduler with the PV controller and the local-path
// provisioner. WaitForFirstConsumer claims are provisioned on the node the pod lands on; bound
// local volumes pin their pods; unbound Immediate or missing claims make the pod unschedulable
// with upstream's messages.

#include "engine/apiserver/inprocessclient.h"
#include "engine/controllers/framework/controllermanager.h"
#include "engine/controllers/volume/localpathprovisioner.h"
#include "engine/controllers/volume/persistentvolumecontroller.h"
#include "engine/scheduler/scheduler.h"
#include "kube/client/informer.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>

namespace pilot::scheduler::test {
namespace {

using namespace std::chrono_literals;

const kube::ApiResource StorageClasses{"storage.k8s.io", "v1", "storageclasses", false};

/// Informers on the resources a test reads, and a wait that re-checks after every change.
class View {
public:
    View(kube::ApiClient& client, const std::vector<kube::ApiResource>& resources) {
        for (const kube::ApiResource& resource : resources) {
            auto informer = std::make_unique<kube::Informer>(
                client, kube::InformerOptions{.resource = resource});
            auto notify = [this] {
                std::lock_guard lock(m_mutex);
                m_changed.notify_all();
            };
            informer->addHandlers(
                {[notify](const kube::ObjectPtr&) { notify(); },
                 [notify](const kube::ObjectPtr&, const kube::ObjectPtr&) { notify(); },
                 [notify](const kube::ObjectPtr&) { notify(); }});
            informer->start();
            EXPECT_TRUE(informer->waitForSync(std::chrono::steady_clock::now() + 10s));
            m_informers[resource.resource] = std::move(informer);
        }
    }
    ~View() {
        for (auto& [name, informer] : m_informers) {
            informer->stop();
        }
    }
    bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 15s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(m_mutex);
        while (!done()) {
            if (m_changed.wait_until(lock, deadline) == std::cv_status::timeout) {
                return done();
            }
        }
        return true;
    }
    [[nodiscard]] kube::ObjectPtr get(const std::string& plural, const std::string& key) const {
        return m_informers.at(plural)->cache().get(key);
    }
    [[nodiscard]] std::vector<kube::ObjectPtr> list(const std::string& plural) const {
        return m_informers.at(plural)->cache().list();
    }

private:
    std::map<std::string, std::unique_ptr<kube::Informer>> m_informers;
    std::mutex m_mutex;
    std::condition_variable m_changed;
};

json::object claim(const std::string& name, const std::string& storageClass) {
    return parse(fmt::format(
        R"({{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{{"name":"{}"}},)"
        R"("spec":{{"accessModes":["ReadWriteOnce"],"storageClassName":"{}",)"
        R"("resources":{{"requests":{{"storage":"1Gi"}}}}}}}})",
        name, storageClass));
}

json::object podWithClaim(const std::string& name, const std::string& claimName) {
    return parse(fmt::format(
        R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{}"}},"spec":{{)"
        R"("containers":[{{"name":"c","image":"busybox"}}],)"
        R"("volumes":[{{"name":"data","persistentVolumeClaim":{{"claimName":"{}"}}}}]}}}})",
        name, claimName));
}

class VolumeBindingTest : public ::testing::Test {
protected:
    VolumeBindingTest() {
        std::random_device random;
        dataDir = std::filesystem::temp_directory_path() /
                  fmt::format("pilot-volumebinding-{:x}{:x}", random(), random());
        env.createNamespace("default");
        for (const char* node : {"node-a", "node-b"}) {
            json::object built = TestNode(node).cpu("4").memory("8Gi").pods("110").build();
            auto created = client.create(kube::resources::Nodes, "", built);
            EXPECT_TRUE(created) << created.error().message;
            json::object withStatus = *created;
            withStatus["status"] = built.at("status");
            EXPECT_TRUE(client.updateStatus(kube::resources::Nodes, withStatus));
        }
        createClass("local-wffc", "WaitForFirstConsumer",
                    std::string(controllers::LocalPathProvisioner::DefaultName));
        createClass("manual", "Immediate", "kubernetes.io/no-provisioner");

        manager = std::make_unique<controllers::ControllerManager>(client);
        manager->add(std::make_unique<Scheduler>(client));
        manager->add(std::make_unique<controllers::PersistentVolumeController>(client));
        controllers::LocalPathProvisioner::Options provisioner;
        provisioner.dataPath = dataDir.string();
        provisioner.defaultClassName = "";
        manager->add(std::make_unique<controllers::LocalPathProvisioner>(client, provisioner));
        auto started = manager->start();
        EXPECT_TRUE(started) << started.error().message;
    }
    ~VolumeBindingTest() override {
        manager.reset();
        std::error_code ec;
        std::filesystem::remove_all(dataDir, ec);
    }

    void createClass(const std::string& name, const std::string& mode,
                     const std::string& provisioner) {
        auto created = client.create(StorageClasses, "",
                                     json::object{{"apiVersion", "storage.k8s.io/v1"},
                                                  {"kind", "StorageClass"},
                                                  {"metadata", json::object{{"name", name}}},
                                                  {"provisioner", provisioner},
                                                  {"volumeBindingMode", mode}});
        ASSERT_TRUE(created) << created.error().message;
    }
    void create(const kube::ApiResource& resource, const json::object& object) {
        auto created = client.create(resource, resource.namespaced ? "default" : "", object);
        ASSERT_TRUE(created) << created.error().message;
    }
    std::string nodeOf(const std::string& pod) {
        kube::ObjectPtr p = view.get("pods", "default/" + pod);
        return p ? kube::stringAt(kube::objectAt(*p, "spec"), "nodeName") : std::string();
    }
    /// Whether a FailedScheduling event about the pod says `message` (an earlier attempt may
    /// have raced with the claim's arrival in the scheduler's cache and said something else).
    bool saidFailedScheduling(const std::string& pod, const std::string& message) {
        for (const kube::ObjectPtr& e : view.list("events")) {
            if (kube::stringAt(kube::objectAt(*e, "involvedObject"), "name") == pod &&
                kube::stringAt(*e, "reason") == "FailedScheduling" &&
                kube::stringAt(*e, "message") == message) {
                return true;
            }
        }
        return false;
    }
    std::string failedScheduling(const std::string& pod) {
        for (const kube::ObjectPtr& e : view.list("events")) {
            if (kube::stringAt(kube::objectAt(*e, "involvedObject"), "name") == pod &&
                kube::stringAt(*e, "reason") == "FailedScheduling") {
                return kube::stringAt(*e, "message");
            }
        }
        return {};
    }

    apiserver::test::ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "test"};
    std::filesystem::path dataDir;
    View view{client,
              {kube::resources::Pods, kube::resources::Events,
               kube::resources::PersistentVolumeClaims, kube::resources::PersistentVolumes}};
    std::unique_ptr<controllers::ControllerManager> manager;
};

TEST_F(VolumeBindingTest, waitForFirstConsumerClaimIsProvisionedOnThePodsNode) {
    create(kube::resources::PersistentVolumeClaims, claim("data", "local-wffc"));
    create(kube::resources::Pods, podWithClaim("app", "data"));
    ASSERT_TRUE(view.waitUntil([&] {
        kube::ObjectPtr pvc = view.get("persistentvolumeclaims", "default/data");
        return !nodeOf("app").empty() && pvc &&
               kube::stringAt(kube::objectAt(*pvc, "status"), "phase") == "Bound";
    })) << failedScheduling("app");
    std::string node = nodeOf("app");
    kube::ObjectPtr pvc = view.get("persistentvolumeclaims", "default/data");
    EXPECT_EQ(kube::annotation(*pvc, "volume.kubernetes.io/selected-node").value_or(""), node);
    std::string volumeName = kube::stringAt(kube::objectAt(*pvc, "spec"), "volumeName");
    ASSERT_TRUE(
        view.waitUntil([&] { return view.get("persistentvolumes", volumeName) != nullptr; }));
    kube::ObjectPtr pv = view.get("persistentvolumes", volumeName);
    const json::value pvValue(*pv);
    const json::value* value = kube::at(pvValue, "spec.nodeAffinity.required.nodeSelectorTerms");
    ASSERT_NE(value, nullptr);
    EXPECT_NE(json::serialize(*value).find(node), std::string::npos) << json::serialize(*value);

    // A second pod of the same claim follows the volume to its node.
    create(kube::resources::Pods, podWithClaim("again", "data"));
    ASSERT_TRUE(view.waitUntil([&] { return !nodeOf("again").empty(); }));
    EXPECT_EQ(nodeOf("again"), node);
}

TEST_F(VolumeBindingTest, boundLocalVolumePinsThePodToItsNode) {
    create(kube::resources::PersistentVolumes,
           parse(R"({"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"local-b"},)"
                 R"("spec":{"capacity":{"storage":"5Gi"},"accessModes":["ReadWriteOnce"],)"
                 R"("storageClassName":"manual","local":{"path":"/mnt/b"},)"
                 R"("nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[)"
                 R"({"key":"kubernetes.io/hostname","operator":"In","values":["node-b"]}]}]}}}})"));
    // The PV controller looks for volumes when a claim changes (and on its periodic resync).
    ASSERT_TRUE(view.waitUntil([&] {
        kube::ObjectPtr pv = view.get("persistentvolumes", "local-b");
        return pv && kube::stringAt(kube::objectAt(*pv, "status"), "phase") == "Available";
    }));
    create(kube::resources::PersistentVolumeClaims, claim("pinned", "manual"));
    ASSERT_TRUE(view.waitUntil([&] {
        kube::ObjectPtr pvc = view.get("persistentvolumeclaims", "default/pinned");
        return pvc && kube::stringAt(kube::objectAt(*pvc, "status"), "phase") == "Bound";
    })) << json::serialize(*view.get("persistentvolumes", "local-b"))
        << "\n"
        << json::serialize(*view.get("persistentvolumeclaims", "default/pinned"));
    for (int i = 0; i < 3; ++i) {
        create(kube::resources::Pods, podWithClaim(fmt::format("p{}", i), "pinned"));
    }
    ASSERT_TRUE(view.waitUntil(
        [&] { return !nodeOf("p0").empty() && !nodeOf("p1").empty() && !nodeOf("p2").empty(); }));
    EXPECT_EQ(nodeOf("p0"), "node-b");
    EXPECT_EQ(nodeOf("p1"), "node-b");
    EXPECT_EQ(nodeOf("p2"), "node-b");
}

struct UnschedulableCase {
    std::string name;
    std::string claimName; ///< Empty: no claim is created.
    std::string storageClass;
    std::string message;
};

class VolumeBindingUnschedulable : public VolumeBindingTest,
                                   public ::testing::WithParamInterface<UnschedulableCase> {};

TEST_P(VolumeBindingUnschedulable, podWaitsWithUpstreamsMessage) {
    const UnschedulableCase& c = GetParam();
    if (!c.storageClass.empty()) {
        create(kube::resources::PersistentVolumeClaims, claim(c.claimName, c.storageClass));
    }
    create(kube::resources::Pods, podWithClaim("waiting", c.claimName));
    EXPECT_TRUE(view.waitUntil([&] { return saidFailedScheduling("waiting", c.message); }))
        << failedScheduling("waiting");
    EXPECT_EQ(nodeOf("waiting"), "");
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, VolumeBindingUnschedulable,
    ::testing::Values(
        UnschedulableCase{"unboundImmediate", "nothing-to-bind", "manual",
                          "0/2 nodes are available: pod has unbound immediate "
                          "PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 "
                          "Preemption is not helpful for scheduling."},
        UnschedulableCase{"missingClaim", "nope", "",
                          "0/2 nodes are available: persistentvolumeclaim \"nope\" not found. "
                          "preemption: 0/2 nodes are available: 2 Preemption is not helpful for "
                          "scheduling."}),
    [](const ::testing::TestParamInfo<UnschedulableCase>& test) { return test.param.name; });

} // namespace
} // namespace pilot::scheduler::test
