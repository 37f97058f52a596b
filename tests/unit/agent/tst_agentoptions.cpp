#include "nodeagent/agent/agentoptions.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::agent;

TEST(AgentOptions, ParsesTheDocumentedCommandLine) {
    auto options =
        parseAgentOptions({"--kubeconfig", "/k", "--node-name", "n1", "--data-dir", "/d",
                           "--runtime", "process", "--node-ip", "10.0.0.2", "--port", "0",
                           "--registry-mirror", "docker.io=https://127.0.0.1:5000"});
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->kubeconfig, "/k");
    EXPECT_EQ(options->nodeName, "n1");
    EXPECT_EQ(options->runtime, "process");
    EXPECT_EQ(options->nodeIp, "10.0.0.2");
    EXPECT_EQ(options->port, 0);
    ASSERT_EQ(options->registryMirrors.size(), 1u);
    EXPECT_EQ(options->registryMirrors[0].first, "docker.io");
    EXPECT_EQ(options->registryMirrors[0].second, "https://127.0.0.1:5000");
}

TEST(AgentOptions, DefaultsAndErrors) {
    auto options = parseAgentOptions({"--kubeconfig=/k", "--node-name=n", "--data-dir=/d"});
    ASSERT_TRUE(options);
    EXPECT_EQ(options->runtime, "auto");
    EXPECT_EQ(options->port, 10250);
    EXPECT_FALSE(parseAgentOptions({"--node-name", "n", "--data-dir", "/d"}));
    EXPECT_FALSE(parseAgentOptions(
        {"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d", "--runtime", "docker"}));
    EXPECT_FALSE(parseAgentOptions(
        {"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d", "--port", "70000"}));
    EXPECT_FALSE(parseAgentOptions({"--bogus"}));
    EXPECT_TRUE(parseAgentOptions({"--version"})->version);
    EXPECT_TRUE(parseAgentOptions({"--help"})->help);
}
