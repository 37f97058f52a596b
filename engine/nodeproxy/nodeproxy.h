#pragma once

#include "core/error.h"
#include "engine/apiserver/delegatehandler.h"
#include "engine/nodeproxy/agentconnection.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace pilot::nodeproxy {

struct NodeProxyOptions {
    /// The engine's client credential towards agents (CN kube-apiserver-kubelet-client,
    /// O system:masters), PEM.
    std::string clientCertificatePem;
    std::string clientKeyPem;
    std::chrono::milliseconds connectTimeout{10000};
};

/// Proxies pods/log, pods/exec and pods/attach to the node agent running the pod, as
/// kube-apiserver proxies them to a kubelet: validates the pod and container the way upstream
/// does, then forwards to the agent's `/containerLogs/...` (streamed, `follow` stays open) or
/// `/exec/...`, `/attach/...` (the WebSocket upgrade is passed through and the connection becomes
/// a byte tunnel). Agents are reached at their Node's InternalIP (else ExternalIP, else
/// Hostname) and `status.daemonEndpoints.kubeletEndpoint.Port`; their serving certificates are
/// not verified (kube-apiserver's default without --kubelet-certificate-authority).
/// One I/O thread carries every proxied stream.
class NodeProxy final : public apiserver::DelegateHandler {
public:
    [[nodiscard]] static Result<std::shared_ptr<NodeProxy>> create(NodeProxyOptions options);
    ~NodeProxy() override;
    NodeProxy(const NodeProxy&) = delete;
    NodeProxy& operator=(const NodeProxy&) = delete;

    [[nodiscard]] apiserver::HandlerResult handle(apiserver::VerbContext& ctx) override;

    /// GETs `target` from an agent and returns the whole body of a 200 answer (statistics for
    /// the metrics API); any other answer is an error naming the agent.
    [[nodiscard]] Result<std::string> fetch(const AgentEndpoint& endpoint,
                                            const std::string& target);

private:
    explicit NodeProxy(NodeProxyOptions options);

    [[nodiscard]] Result<std::shared_ptr<AgentConnection>> connect(const AgentEndpoint& endpoint);
    [[nodiscard]] apiserver::HandlerResult
    logs(apiserver::VerbContext& ctx, const std::string& container, const AgentEndpoint& endpoint);
    [[nodiscard]] apiserver::HandlerResult stream(apiserver::VerbContext& ctx,
                                                  const std::string& container,
                                                  const AgentEndpoint& endpoint);

    NodeProxyOptions m_options;
    boost::asio::io_context m_io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> m_work;
    boost::asio::ssl::context m_tls{boost::asio::ssl::context::tls_client};
    std::thread m_thread;
};

/// The container a log or exec request addresses: the `container` parameter, or the only
/// container, else a 400 naming the choices as kube-apiserver words it.
[[nodiscard]] std::expected<std::string, apiserver::ApiError>
targetContainer(const boost::json::object& pod, const std::string* requested);

/// Where the agent of `node` listens; 400-style error when the node has not reported one.
[[nodiscard]] std::expected<AgentEndpoint, apiserver::ApiError>
agentEndpoint(const boost::json::object& node);

} // namespace pilot::nodeproxy
