// How the engine picks the container and the agent endpoint for pods/log and pods/exec, with
// kube-apiserver's wording for the errors kubectl shows.

#include "apitestutil.h"
#include "engine/nodeproxy/nodeproxy.h"

#include <gtest/gtest.h>

namespace pilot::apiserver::test {
namespace {

using nodeproxy::agentEndpoint;
using nodeproxy::targetContainer;

TEST(NodeProxyTarget, ContainerDefaultsOnlyWhenThereIsOne) {
    json::object single = obj(R"({"metadata":{"name":"web"},
        "spec":{"containers":[{"name":"app"}]}})");
    std::string none;
    EXPECT_EQ(targetContainer(single, nullptr).value(), "app");
    EXPECT_EQ(targetContainer(single, &none).value(), "app");

    json::object several = obj(R"({"metadata":{"name":"web"},
        "spec":{"initContainers":[{"name":"setup"}],
                "containers":[{"name":"app"},{"name":"sidecar"}]}})");
    auto missing = targetContainer(several, nullptr);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, 400);
    EXPECT_EQ(missing.error().message,
              "a container name must be specified for pod web, choose one of: [app sidecar] or "
              "one of the init containers: [setup]");
    std::string init = "setup";
    EXPECT_EQ(targetContainer(several, &init).value(), "setup");
    std::string wrong = "db";
    auto invalid = targetContainer(several, &wrong);
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().message, "container db is not valid for pod web");
}

TEST(NodeProxyTarget, AgentEndpointFromTheNodeStatus) {
    json::object node = obj(R"({"metadata":{"name":"n1"},"status":{
        "addresses":[{"type":"Hostname","address":"box"},{"type":"InternalIP","address":"10.0.0.5"}],
        "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}}})");
    auto endpoint = agentEndpoint(node);
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    EXPECT_EQ(endpoint->host, "10.0.0.5") << "InternalIP is preferred";
    EXPECT_EQ(endpoint->port, 10250);

    json::object hostOnly = obj(R"({"metadata":{"name":"n2"},"status":{
        "addresses":[{"type":"Hostname","address":"box"}],
        "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}}})");
    EXPECT_EQ(agentEndpoint(hostOnly).value().host, "box");

    json::object noPort = obj(R"({"metadata":{"name":"n3"},"status":{
        "addresses":[{"type":"InternalIP","address":"10.0.0.5"}]}})");
    auto refused = agentEndpoint(noPort);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("node n3 has not reported its agent's port"),
              std::string::npos);
}

} // namespace
} // namespace pilot::apiserver::test
