#include "nodeagent/node/nodestatus.h"

#include "engine/apiserver/inprocessclient.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "nodeagent/node/nodemanager.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace pilot;
using namespace pilot::agent;
namespace json = boost::json;

namespace {

SystemInfo machine() {
    SystemInfo info;
    info.cpuCount = 4;
    info.memoryTotalBytes = 8LL << 30;
    info.memoryAvailableBytes = 4LL << 30;
    info.fsCapacityBytes = 100LL << 30;
    info.fsAvailableBytes = 50LL << 30;
    info.pidMax = 4194304;
    info.processCount = 300;
    info.machineId = "3d1219c7c4c5404aaa1f6d2a48adfda4";
    info.systemUuid = "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4";
    info.bootId = "b";
    info.kernelVersion = "6.1.0-18-amd64";
    info.osImage = "Debian GNU/Linux 12 (bookworm)";
    info.operatingSystem = "linux";
    info.architecture = "amd64";
    return info;
}

EvictionThresholds kubelet() {
    return EvictionThresholds::kubeletDefaults();
}

NodeIdentity identity() {
    return NodeIdentity{"n1", "10.0.0.5", 10250, "process://0.1.0", "v1.32.0"};
}

const json::object& condition(const json::array& conditions, std::string_view type) {
    for (const auto& c : conditions) {
        if (kube::stringAt(c.as_object(), "type") == type) {
            return c.as_object();
        }
    }
    static json::object none;
    return none;
}

} // namespace

TEST(NodeStatus, CapacityAndAllocatableAsKubeletReportsThem) {
    SystemInfo info = machine();
    json::object capacity = nodeCapacity(info);
    EXPECT_EQ(kube::stringAt(capacity, "cpu"), "4");
    EXPECT_EQ(kube::stringAt(capacity, "memory"), "8Gi");
    EXPECT_EQ(kube::stringAt(capacity, "pods"), "110");
    EXPECT_EQ(kube::stringAt(capacity, "ephemeral-storage"), "100Gi");
    json::object allocatable = nodeAllocatable(info, EvictionThresholds::kubeletDefaults());
    EXPECT_EQ(kube::stringAt(allocatable, "memory"), "8092Mi"); // 8Gi - 100Mi
    EXPECT_EQ(kube::stringAt(allocatable, "ephemeral-storage"),
              "90Gi"); // less nodefs.available<10%
}

TEST(NodeStatus, LabelsAndNodeInfoHaveEveryFieldClientsRequire) {
    json::object labels = nodeLabels(identity(), machine());
    EXPECT_EQ(kube::stringAt(labels, "kubernetes.io/hostname"), "n1");
    EXPECT_EQ(kube::stringAt(labels, "kubernetes.io/os"), "linux");
    EXPECT_EQ(kube::stringAt(labels, "kubernetes.io/arch"), "amd64");
    EXPECT_EQ(kube::stringAt(labels, "beta.kubernetes.io/arch"), "amd64");
    json::object info = nodeInfoFields(identity(), machine());
    for (const char* field : {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
                              "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion",
                              "operatingSystem", "architecture"}) {
        EXPECT_TRUE(info.contains(field)) << field;
    }
    EXPECT_EQ(kube::stringAt(info, "containerRuntimeVersion"), "process://0.1.0");
}

TEST(NodeStatus, HealthyConditionsCarryKubeletsReasons) {
    TimePoint now = std::chrono::system_clock::now();
    json::array conditions = nodeConditions(machine(), kubelet(), nullptr, now, "");
    ASSERT_EQ(conditions.size(), 4u);
    EXPECT_EQ(kube::stringAt(conditions[0].as_object(), "type"), "MemoryPressure");
    EXPECT_EQ(kube::stringAt(conditions[3].as_object(), "type"), "Ready");
    const auto& ready = condition(conditions, "Ready");
    EXPECT_EQ(kube::stringAt(ready, "status"), "True");
    EXPECT_EQ(kube::stringAt(ready, "reason"), "KubeletReady");
    EXPECT_EQ(kube::stringAt(ready, "message"), "kubelet is posting ready status");
    EXPECT_EQ(kube::stringAt(condition(conditions, "MemoryPressure"), "reason"),
              "KubeletHasSufficientMemory");
    EXPECT_EQ(kube::stringAt(condition(conditions, "DiskPressure"), "reason"),
              "KubeletHasNoDiskPressure");
    EXPECT_EQ(kube::stringAt(condition(conditions, "PIDPressure"), "reason"),
              "KubeletHasSufficientPID");
}

TEST(NodeStatus, PressureAndNotReadyTurnConditionsAndKeepTransitionTimes) {
    TimePoint t0 = std::chrono::system_clock::now();
    json::array first = nodeConditions(machine(), kubelet(), nullptr, t0, "");
    SystemInfo starving = machine();
    starving.memoryAvailableBytes = 10 << 20;
    starving.fsAvailableBytes = 1LL << 30;
    TimePoint t1 = t0 + std::chrono::seconds(30);
    json::array second =
        nodeConditions(starving, kubelet(), &first, t1, "container runtime is down");
    EXPECT_EQ(kube::stringAt(condition(second, "MemoryPressure"), "status"), "True");
    EXPECT_EQ(kube::stringAt(condition(second, "MemoryPressure"), "reason"),
              "KubeletHasInsufficientMemory");
    EXPECT_EQ(kube::stringAt(condition(second, "DiskPressure"), "reason"),
              "KubeletHasDiskPressure");
    EXPECT_EQ(kube::stringAt(condition(second, "Ready"), "status"), "False");
    EXPECT_EQ(kube::stringAt(condition(second, "Ready"), "reason"), "KubeletNotReady");
    EXPECT_EQ(kube::stringAt(condition(second, "Ready"), "message"), "container runtime is down");
    EXPECT_EQ(kube::stringAt(condition(second, "Ready"), "lastTransitionTime"), formatTime(t1));
    // PIDPressure did not change: its transition time stays, its heartbeat moves.
    EXPECT_EQ(kube::stringAt(condition(second, "PIDPressure"), "lastTransitionTime"),
              formatTime(t0));
    EXPECT_EQ(kube::stringAt(condition(second, "PIDPressure"), "lastHeartbeatTime"),
              formatTime(t1));
}

TEST(NodeStatus, OnlyRealChangesCountAsChanges) {
    TimePoint t0 = std::chrono::system_clock::now();
    json::object a = nodeStatus(identity(), machine(), kubelet(), nullptr, t0, "", {});
    json::array conditions = *kube::arrayAt(a, "conditions");
    json::object b = nodeStatus(identity(), machine(), kubelet(), &conditions,
                                t0 + std::chrono::seconds(10), "", {});
    EXPECT_FALSE(nodeStatusChanged(a, b));
    json::object c = nodeStatus(identity(), machine(), kubelet(), &conditions,
                                t0 + std::chrono::seconds(20), "down", {});
    EXPECT_TRUE(nodeStatusChanged(a, c));
    EXPECT_EQ(kube::asInteger(*kube::at(json::value(a), "daemonEndpoints.kubeletEndpoint.Port")),
              10250);
}

TEST(NodeStatus, ConditionsAnotherWriterAddedAreNotChanges) {
    TimePoint t0 = std::chrono::system_clock::now();
    json::object reported = nodeStatus(identity(), machine(), kubelet(), nullptr, t0, "", {});
    json::object server = reported;
    server["conditions"].as_array().push_back(
        json::object{{"type", "NetworkUnavailable"}, {"status", "False"}});
    server["volumesInUse"] = json::array{"kubernetes.io/csi/x"};
    EXPECT_FALSE(nodeStatusChanged(server, reported));
}

namespace {

/// A NodeManager against an in-process API server: what it writes is what a user reads back.
class NodeManagerTest : public ::testing::Test {
protected:
    NodeManagerTest() {
        NodeManagerOptions options;
        options.identity = identity();
        options.dataDir = std::filesystem::temp_directory_path().string();
        options.eviction = {}; // No pressure, however full this machine's disk.
        options.notReadyMessage = [this] { return notReady; };
        options.images = [this] { return images; };
        manager = std::make_unique<NodeManager>(client, std::move(options), &clock);
    }

    json::object node() {
        auto got = client.get(kube::resources::Nodes, "", "n1");
        EXPECT_TRUE(got) << got.error().message;
        return got ? *got : json::object();
    }
    json::object ready() {
        json::object n = node();
        const json::array* conditions = kube::arrayAt(*kube::objectAt(n, "status"), "conditions");
        return conditions ? condition(*conditions, "Ready") : json::object();
    }
    /// What the node lifecycle controller writes when it stops hearing from the node.
    void markUnknown() {
        json::object patch{
            {"status", json::object{{"conditions", json::array{json::object{
                                                       {"type", "Ready"},
                                                       {"status", "Unknown"},
                                                       {"reason", "NodeStatusUnknown"},
                                                       {"message", "Kubelet stopped posting node "
                                                                   "status."}}}}}}};
        kube::PatchOptions options;
        options.subresource = "status";
        auto patched =
            client.patch(kube::resources::Nodes, "", "n1", kube::PatchType::StrategicMerge,
                         json::serialize(patch), options);
        ASSERT_TRUE(patched) << patched.error().message;
        ASSERT_EQ(kube::stringAt(ready(), "status"), "Unknown");
    }

    apiserver::test::ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "kubelet"};
    ManualClock clock{apiserver::test::testEpoch()};
    std::string notReady;
    std::vector<ImageInfo> images;
    std::unique_ptr<NodeManager> manager;
};

} // namespace

TEST_F(NodeManagerTest, WritesReadyAgainAtTheNextSyncWhenTheServerMarkedTheNodeUnknown) {
    ASSERT_TRUE(manager->registerNode());
    ASSERT_EQ(kube::stringAt(ready(), "status"), "True");
    markUnknown();
    // Well inside the 5-minute report interval: only the server's Node says a write is due.
    clock.advance(std::chrono::seconds(10));
    ASSERT_TRUE(manager->syncStatus());
    json::object condition = ready();
    EXPECT_EQ(kube::stringAt(condition, "status"), "True");
    EXPECT_EQ(kube::stringAt(condition, "reason"), "KubeletReady");
    EXPECT_EQ(kube::stringAt(condition, "message"), "kubelet is posting ready status");
    EXPECT_EQ(kube::stringAt(condition, "lastTransitionTime"), formatTime(clock.now()));
}

TEST_F(NodeManagerTest, WritesNothingWhileTheServerAgreesUntilTheReportInterval) {
    ASSERT_TRUE(manager->registerNode());
    std::string version(kube::resourceVersion(node()));
    for (int i = 0; i < 3; ++i) {
        clock.advance(std::chrono::seconds(10));
        ASSERT_TRUE(manager->syncStatus());
    }
    EXPECT_EQ(kube::resourceVersion(node()), version);
    // A change the agent sees is written at once.
    notReady = "container runtime is down";
    clock.advance(std::chrono::seconds(10));
    ASSERT_TRUE(manager->syncStatus());
    EXPECT_EQ(kube::stringAt(ready(), "status"), "False");
    EXPECT_EQ(kube::stringAt(ready(), "message"), "container runtime is down");
    version = std::string(kube::resourceVersion(node()));
    // Without changes, a heartbeat goes out every reportEvery (5 minutes).
    clock.advance(std::chrono::minutes(5));
    ASSERT_TRUE(manager->syncStatus());
    EXPECT_NE(kube::resourceVersion(node()), version);
    EXPECT_EQ(kube::stringAt(ready(), "lastHeartbeatTime"), formatTime(clock.now()));
}

TEST_F(NodeManagerTest, ClearsTheReportedImagesWhenTheLastImageIsGone) {
    images = {ImageInfo{"sha256:aaa", {"registry.local/app:1"}, {}, 1000},
              ImageInfo{"sha256:bbb", {"registry.local/db:2"}, {}, 2000}};
    ASSERT_TRUE(manager->registerNode());
    json::object registered = node();
    const json::array* reported = kube::arrayAt(*kube::objectAt(registered, "status"), "images");
    ASSERT_TRUE(reported);
    ASSERT_EQ(reported->size(), 2u);
    // Image garbage collection removed the last images: the next sync, well inside the report
    // interval, must clear status.images rather than leave the stale list on the Node.
    images.clear();
    clock.advance(std::chrono::seconds(10));
    ASSERT_TRUE(manager->syncStatus());
    json::object n = node();
    const json::value* left = kube::objectAt(n, "status")->if_contains("images");
    // As upstream: kubectl get node -o json shows no status.images at all.
    EXPECT_EQ(left, nullptr) << json::serialize(*left);
    // Nothing more to write until an image comes back.
    std::string version(kube::resourceVersion(n));
    clock.advance(std::chrono::seconds(10));
    ASSERT_TRUE(manager->syncStatus());
    EXPECT_EQ(kube::resourceVersion(node()), version);
}

namespace {

EvictionThresholds evictionHard(std::string_view text) {
    auto parsed = parseEvictionHard(text);
    EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
    return parsed ? *parsed : EvictionThresholds{};
}

std::string evictionError(std::string_view text) {
    auto parsed = parseEvictionHard(text);
    EXPECT_FALSE(parsed) << text;
    return parsed ? std::string() : parsed.error().message;
}

} // namespace

TEST(NodeEviction, KubeletsDefaultsTurnDiskPressureOnAtEightyFivePercentOfOneFilesystem) {
    // The images share the data directory's filesystem, so imagefs.available<15% is the
    // first default threshold a filling disk crosses, as on a kubelet with one disk.
    SystemInfo info = machine();
    info.fsAvailableBytes = 16LL << 30; // of 100Gi
    EXPECT_FALSE(kubelet().diskPressure(info));
    info.fsAvailableBytes = 14LL << 30;
    EXPECT_TRUE(kubelet().diskPressure(info));
    info = machine();
    info.fsInodes = 1000;
    info.fsInodesFree = 40; // nodefs.inodesFree<5%
    EXPECT_TRUE(kubelet().diskPressure(info));
    EXPECT_FALSE(kubelet().memoryPressure(info));
    EXPECT_FALSE(kubelet().pidPressure(info)); // kubelet sets no pid.available by default.
}

TEST(NodeEviction, TheFlagReplacesTheDefaultsAndDecidesConditionsAndAllocatable) {
    SystemInfo full = machine();
    full.fsAvailableBytes = 512LL << 20; // 0.5 % of the disk left
    full.memoryAvailableBytes = 300LL << 20;
    // What the test clusters and kind run with: no disk thresholds at all.
    EvictionThresholds none = evictionHard("nodefs.available<0%,imagefs.available<0%");
    EXPECT_TRUE(none.hard.empty());
    json::array conditions = nodeConditions(full, none, nullptr, TimePoint{}, "");
    EXPECT_EQ(kube::stringAt(condition(conditions, "DiskPressure"), "status"), "False");
    EXPECT_EQ(kube::stringAt(condition(conditions, "MemoryPressure"), "status"), "False");
    json::object allocatable = nodeAllocatable(full, none);
    EXPECT_EQ(kube::stringAt(allocatable, "memory"), "8Gi");
    EXPECT_EQ(kube::stringAt(allocatable, "ephemeral-storage"), "100Gi");

    EvictionThresholds absolute =
        evictionHard(" memory.available<500Mi , nodefs.available<1Gi,pid.available<10%");
    ASSERT_EQ(absolute.hard.size(), 3u);
    conditions = nodeConditions(full, absolute, nullptr, TimePoint{}, "");
    EXPECT_EQ(kube::stringAt(condition(conditions, "MemoryPressure"), "status"), "True");
    EXPECT_EQ(kube::stringAt(condition(conditions, "DiskPressure"), "status"), "True");
    EXPECT_EQ(kube::stringAt(condition(conditions, "PIDPressure"), "status"), "False");
    allocatable = nodeAllocatable(full, absolute);
    EXPECT_EQ(kube::stringAt(allocatable, "memory"), "7692Mi"); // 8Gi - 500Mi
    EXPECT_EQ(kube::stringAt(allocatable, "ephemeral-storage"), "99Gi");
    full.processCount = full.pidMax - 1000; // pid.available < 10 % of pid_max
    EXPECT_TRUE(absolute.pidPressure(full));
}

TEST(NodeEviction, BadStatementsAreRefusedNamingThem) {
    EXPECT_NE(evictionError("memory.available>100Mi").find("\"memory.available>100Mi\""),
              std::string::npos);
    EXPECT_NE(evictionError("disk.available<1Gi").find("unknown signal"), std::string::npos);
    EXPECT_NE(evictionError("nodefs.available<ten").find("\"nodefs.available<ten\""),
              std::string::npos);
    EXPECT_NE(evictionError("nodefs.available<-1Gi").find("negative"), std::string::npos);
    EXPECT_NE(evictionError("nodefs.available<120%").find("percentage"), std::string::npos);
    EXPECT_NE(evictionError("nodefs.available<1Gi,nodefs.available<2Gi").find("twice"),
              std::string::npos);
    EXPECT_NE(evictionError("memory.available").find("SIGNAL<"), std::string::npos);
    EXPECT_TRUE(evictionHard("").hard.empty());
}
