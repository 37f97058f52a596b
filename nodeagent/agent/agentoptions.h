#pragma once

#include "core/error.h"
#include "nodeagent/node/eviction.h"

#include <string>
#include <utility>
#include <vector>

namespace pilot::agent {

/// The command line of pilothouse-agent (architecture.md section 2).
struct AgentOptions {
    std::string kubeconfig;
    std::string context;
    std::string nodeName;
    std::string dataDir;
    std::string runtime = "auto"; ///< auto, runc or process.
    std::string nodeIp;           ///< Empty: the first non-loopback IPv4 address.
    int port = 10250;             ///< The agent's HTTPS port; 0 picks a free one.
    std::vector<std::pair<std::string, std::string>> registryMirrors; ///< host -> URL
    /// --registry-ca: a PEM bundle trusted for registries besides the system store and the
    /// kubeconfig cluster's CA (which signs the bundled registry's certificate).
    std::string registryCa;
    /// --insecure-registry (repeatable): `host[:port]` reached with unverified TLS, then HTTP.
    std::vector<std::string> insecureRegistries;
    /// --registry-verify-loopback: loopback registries need a trusted certificate like any
    /// other; without it they count as insecure, as Docker treats them.
    bool registryVerifyLoopback = false;
    /// --eviction-hard: the thresholds behind the pressure conditions; kubelet's defaults.
    EvictionThresholds evictionHard = EvictionThresholds::kubeletDefaults();
    int imageGcHighThreshold = 85; ///< Percent of the image filesystem; 100 disables image GC.
    int imageGcLowThreshold = 80;
    bool help = false;
    bool version = false;
};

/// The usage text for --help.
[[nodiscard]] const char* agentUsage();
/// The --version line.
[[nodiscard]] const char* agentVersion();

/// Parses argv (without the program name). InvalidArgument names the bad argument.
[[nodiscard]] Result<AgentOptions> parseAgentOptions(const std::vector<std::string>& args);

} // namespace pilot::agent
