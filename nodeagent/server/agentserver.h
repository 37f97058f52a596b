#pragma once

#include "core/error.h"
#include "nodeagent/server/serverbackend.h"

#include <cstdint>
#include <memory>
#include <string>

namespace pilot::agent {

struct AgentServerOptions {
    std::string host = "0.0.0.0";
    uint16_t port = 10250;      ///< 0 picks a free port.
    std::string certificatePem; ///< Serving certificate (chain) and key.
    std::string keyPem;
    /// Client certificates must chain to this CA (the cluster CA from the kubeconfig).
    std::string clientCaPem;
};

/// The agent's HTTPS server with kubelet's endpoints, so an API server can proxy to it as
/// kube-apiserver proxies to a kubelet:
/// - `/containerLogs/{ns}/{pod}/{container}` (follow, tailLines, previous, timestamps,
///   sinceSeconds, sinceTime, limitBytes), chunked while following;
/// - `/exec/{ns}/{pod}/{container}?command=...&stdin&stdout&stderr&tty` as a WebSocket with
///   `v5.channel.k8s.io` or `v4.channel.k8s.io` (channel byte, status JSON on channel 3);
/// - `/stats/summary`, `/metrics/resource`, `/metrics`, `/pods`;
/// - `/healthz`, `/livez`, `/readyz` (also without a client certificate).
/// Everything else needs a client certificate issued by the cluster CA whose organisation is
/// `system:masters` or whose common name is `kube-apiserver-kubelet-client`: 401 without one,
/// 403 for others. One I/O thread (one io_context) serves every connection.
class AgentServer {
public:
    AgentServer(AgentServerOptions options, ServerBackend& backend);
    ~AgentServer();
    AgentServer(const AgentServer&) = delete;
    AgentServer& operator=(const AgentServer&) = delete;

    /// Binds and starts the I/O thread; returns the bound port.
    [[nodiscard]] Result<uint16_t> start();
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

/// Whether a client certificate subject may use the agent's API (see AgentServer).
[[nodiscard]] bool isAuthorizedClient(const std::string& commonName,
                                      const std::vector<std::string>& organizations);

} // namespace pilot::agent
