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
    EXPECT_EQ(options->evictionHard.hard.size(), 4u); // kubelet's defaults
    EXPECT_FALSE(parseAgentOptions({"--node-name", "n", "--data-dir", "/d"}));
    EXPECT_FALSE(parseAgentOptions(
        {"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d", "--runtime", "docker"}));
    EXPECT_FALSE(parseAgentOptions(
        {"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d", "--port", "70000"}));
    EXPECT_FALSE(parseAgentOptions({"--bogus"}));
    EXPECT_TRUE(parseAgentOptions({"--version"})->version);
    EXPECT_TRUE(parseAgentOptions({"--help"})->help);
}

TEST(AgentOptions, EvictionHardReplacesKubeletsThresholds) {
    auto options = parseAgentOptions({"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d",
                                      "--eviction-hard", "nodefs.available<1Gi"});
    ASSERT_TRUE(options) << options.error().message;
    ASSERT_EQ(options->evictionHard.hard.size(), 1u);
    EXPECT_EQ(options->evictionHard.hard[0].signal, EvictionSignal::NodeFsAvailable);
    EXPECT_EQ(options->evictionHard.hard[0].quantity, 1LL << 30);
    auto bad = parseAgentOptions({"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d",
                                  "--eviction-hard=nodefs.used>1Gi"});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("--eviction-hard"), std::string::npos);
}

TEST(AgentOptions, RegistryTrustFlags) {
    auto options = parseAgentOptions({"--kubeconfig", "/k", "--node-name", "n", "--data-dir", "/d",
                                      "--registry-ca", "/etc/pilothouse/registry-ca.pem",
                                      "--insecure-registry", "Registry.Example:5000",
                                      "--insecure-registry=10.0.0.5", "--insecure-registry",
                                      "[::1]:5000", "--registry-verify-loopback"});
    ASSERT_TRUE(options) << options.error().message;
    EXPECT_EQ(options->registryCa, "/etc/pilothouse/registry-ca.pem");
    EXPECT_EQ(options->insecureRegistries,
              (std::vector<std::string>{"registry.example:5000", "10.0.0.5", "[::1]:5000"}))
        << "repeatable, host names lower-cased as image references normalise them";
    EXPECT_TRUE(options->registryVerifyLoopback);

    auto defaults = parseAgentOptions({"--kubeconfig=/k", "--node-name=n", "--data-dir=/d"});
    ASSERT_TRUE(defaults);
    EXPECT_TRUE(defaults->registryCa.empty());
    EXPECT_TRUE(defaults->insecureRegistries.empty());
    EXPECT_FALSE(defaults->registryVerifyLoopback) << "loopback registries insecure, as Docker";

    auto explicitFalse = parseAgentOptions(
        {"--kubeconfig=/k", "--node-name=n", "--data-dir=/d", "--registry-verify-loopback=false"});
    ASSERT_TRUE(explicitFalse);
    EXPECT_FALSE(explicitFalse->registryVerifyLoopback);
    auto explicitTrue = parseAgentOptions(
        {"--kubeconfig=/k", "--node-name=n", "--data-dir=/d", "--registry-verify-loopback=true"});
    ASSERT_TRUE(explicitTrue);
    EXPECT_TRUE(explicitTrue->registryVerifyLoopback);
}

TEST(AgentOptions, RegistryTrustFlagErrorsNameTheFlag) {
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"--insecure-registry", "http://r.example:5000"}, "without a scheme"},
        {{"--insecure-registry", "r.example:5000/v2"}, "without a path"},
        {{"--insecure-registry", "r.example:"}, "with a port after the colon"},
        {{"--insecure-registry", "r.example:99999"}, "with a port 1-65535"},
        {{"--insecure-registry", "r.example:http"}, "with a port 1-65535"},
        {{"--insecure-registry", ":5000"}, "with a host name or address"},
        {{"--insecure-registry", "[::1"}, "IPv6 in brackets"},
        {{"--insecure-registry", ""}, "with a host name or address"},
        {{"--insecure-registry"}, "--insecure-registry needs a value"},
        {{"--registry-ca"}, "--registry-ca needs a value"},
        {{"--registry-ca="}, "--registry-ca: expected a file name"},
        {{"--registry-verify-loopback=yes"}, "expected true or false"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args = {"--kubeconfig", "/k", "--node-name", "n",
                                         "--data-dir",   "/d"};
        args.insert(args.end(), c.args.begin(), c.args.end());
        auto parsed = parseAgentOptions(args);
        ASSERT_FALSE(parsed) << c.args[0];
        EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(parsed.error().message.find(c.message), std::string::npos)
            << parsed.error().message;
        EXPECT_NE(parsed.error().message.find(c.args[0].substr(0, c.args[0].find('='))),
                  std::string::npos)
            << "the message names the flag: " << parsed.error().message;
    }
}

TEST(AgentOptions, UsageDocumentsTheRegistryTrustFlags) {
    std::string usage = agentUsage();
    for (const char* flag :
         {"--registry-ca FILE", "--insecure-registry HOST[:PORT]", "--registry-verify-loopback"}) {
        EXPECT_NE(usage.find(flag), std::string::npos) << flag;
    }
}
