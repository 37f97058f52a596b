#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

/// How the agent constructs its runtime. The process runtime is always linked; the runc runtime
/// (nodeagent/runtime/runc, target `pilot_agent_runc`) plugs in by defining `makeRuncRuntime`
/// and `runcRuntimeAvailable`: the agent library compiles its calls only when that target exists
/// (compile definition `PILOT_HAVE_RUNC_RUNTIME`).
namespace pilot::agent {

struct RuntimeOptions {
    std::string dataDir;  ///< The agent's --data-dir.
    std::string rootDir;  ///< DATA/runtime/<kind>: the runtime's own state, created by the caller.
    std::string nodeName; ///< --node-name.
    std::string nodeIp;   ///< The node's InternalIP.
    /// The command that runs a container monitor: {agent binary, "container-monitor"}.
    std::vector<std::string> monitorCommand;
    /// --registry-mirror entries: registry host (`docker.io`) -> mirror URL.
    std::vector<std::pair<std::string, std::string>> registryMirrors;
    /// Registry trust for image pulls: extra CA certificates (PEM: --registry-ca and the
    /// kubeconfig cluster's CA), --insecure-registry hosts, and whether loopback registries
    /// count as insecure (Docker's default; off with --registry-verify-loopback).
    std::string registryCaPem;
    std::vector<std::string> insecureRegistries;
    bool registryLoopbackInsecure = true;
};

/// Defined by the runc runtime library. Unavailable when runc cannot be used here (not root, no
/// runc binary, no overlay support...), with a message saying why.
[[nodiscard]] Result<std::unique_ptr<Runtime>> makeRuncRuntime(const RuntimeOptions& options);
/// Whether `--runtime auto` should pick runc on this host (root on Linux, runc installed).
[[nodiscard]] bool runcRuntimeAvailable();

} // namespace pilot::agent
