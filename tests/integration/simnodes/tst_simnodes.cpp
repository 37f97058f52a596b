// Simulated nodes against a real pilothouse-engine: registration, leases and the kubelet's side
// of pod status and deletion as clients observe it.

#include "tests/support/simnodes/simnodes.h"

#include "kube/client/apiresource.h"
#include "kube/client/httpclient.h"
#include "kube/jsonutil.h"
#include "tests/support/engineprocess/engineprocess.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace pilot;
namespace json = boost::json;

namespace {

class SimNodesTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(engine.start()) << "pilothouse-engine did not print its ready line";
        auto created = kube::HttpApiClient::fromKubeconfigFile(engine.kubeconfig());
        ASSERT_TRUE(created) << created.error().message;
        client = std::move(*created);
        testsupport::SimulatedNodeOptions options;
        options.count = 2;
        options.labels = {{"pool", "sim"}};
        nodes = std::make_unique<testsupport::SimulatedNodes>(*client, options);
        ASSERT_TRUE(nodes->start());
    }
    void TearDown() override {
        nodes.reset();
        engine.stop();
    }

    /// Watches the pod until `done` holds for it (true) or its deletion (deleted = true).
    bool waitForPod(const std::string& name, const std::function<bool(const json::object*)>& done) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        kube::ListOptions list;
        list.fieldSelector = "metadata.name=" + name;
        auto listed = client->list(kube::resources::Pods, "default", list);
        if (!listed) {
            return false;
        }
        for (const auto& item : listed->items) {
            if (done(&item)) {
                return true;
            }
        }
        if (listed->items.empty() && done(nullptr)) {
            return true;
        }
        kube::WatchOptions watch;
        watch.fieldSelector = list.fieldSelector;
        watch.resourceVersion = listed->resourceVersion;
        auto stream = client->watch(kube::resources::Pods, "default", watch);
        if (!stream) {
            return false;
        }
        while (std::chrono::steady_clock::now() < deadline) {
            auto read = (*stream)->next(std::chrono::seconds(1));
            if (read.status == kube::StreamRead::Status::Event) {
                if (read.event.type == kube::WatchEventType::Bookmark) {
                    continue;
                }
                bool deleted = read.event.type == kube::WatchEventType::Deleted;
                if (done(deleted ? nullptr : &read.event.object)) {
                    return true;
                }
            } else if (read.status != kube::StreamRead::Status::Timeout) {
                return false;
            }
        }
        return false;
    }

    static json::object pod(const std::string& name, const std::string& restartPolicy) {
        return json::object{{"apiVersion", "v1"},
                            {"kind", "Pod"},
                            {"metadata", {{"name", name}}},
                            {"spec",
                             {{"nodeName", "sim-node-1"},
                              {"restartPolicy", restartPolicy},
                              {"containers", json::array{json::object{
                                                 {"name", "main"}, {"image", "busybox:1.36"}}}}}}};
    }

    testsupport::EngineProcess engine{PILOT_ENGINE_PATH};
    std::unique_ptr<kube::HttpApiClient> client;
    std::unique_ptr<testsupport::SimulatedNodes> nodes;
};

std::string phaseOf(const json::object* pod) {
    return pod ? kube::stringAt(kube::objectAt(*pod, "status"), "phase") : std::string();
}

TEST_F(SimNodesTest, NodesRegisterReadyWithLeases) {
    auto listed = client->list(kube::resources::Nodes, "", {});
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->items.size(), 2u);
    for (const json::object& node : listed->items) {
        const json::object* status = kube::objectAt(node, "status");
        ASSERT_NE(status, nullptr);
        EXPECT_EQ(kube::stringAt(kube::objectAt(*status, "allocatable"), "cpu"), "4");
        bool ready = false;
        for (const json::value& c : *kube::arrayAt(*status, "conditions")) {
            ready = ready || (kube::stringAt(c.as_object(), "type") == "Ready" &&
                              kube::stringAt(c.as_object(), "status") == "True");
        }
        EXPECT_TRUE(ready);
        EXPECT_EQ(
            kube::stringAt(kube::objectAt(*kube::objectAt(node, "metadata"), "labels"), "pool"),
            "sim");
    }
    auto lease = client->get(kube::resources::Leases, "kube-node-lease", "sim-node-0");
    ASSERT_TRUE(lease) << lease.error().message;
    EXPECT_EQ(kube::stringAt(kube::objectAt(*lease, "spec"), "holderIdentity"), "sim-node-0");
}

TEST_F(SimNodesTest, BoundPodsRunAndDeletedPodsGo) {
    ASSERT_TRUE(client->create(kube::resources::Pods, "default", pod("web", "Always")));
    EXPECT_TRUE(waitForPod("web", [](const json::object* p) { return phaseOf(p) == "Running"; }));
    auto live = client->get(kube::resources::Pods, "default", "web");
    ASSERT_TRUE(live);
    const json::object* status = kube::objectAt(*live, "status");
    EXPECT_FALSE(kube::stringAt(status, "podIP").empty());
    EXPECT_EQ(kube::stringAt(status, "hostIP"), "10.250.0.2");

    // Deleting a bound pod waits for the node's final delete, which the simulated node sends.
    ASSERT_TRUE(client->remove(kube::resources::Pods, "default", "web"));
    EXPECT_TRUE(waitForPod("web", [](const json::object* p) { return p == nullptr; }));

    ASSERT_TRUE(client->create(kube::resources::Pods, "default", pod("once", "Never")));
    EXPECT_TRUE(
        waitForPod("once", [](const json::object* p) { return phaseOf(p) == "Succeeded"; }));
}

} // namespace
