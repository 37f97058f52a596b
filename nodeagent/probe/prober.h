#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

/// Running one probe or lifecycle handler (exec, httpGet, tcpSocket, sleep) with kubelet's
/// semantics and messages. gRPC probes are approximated (see probeGrpc).
namespace pilot::agent {

/// kubelet's probe.Result. Warning is a success with something to say (kubelet records it as a
/// `ProbeWarning` event); Unknown is an error that leaves the probe's state as it was.
enum class ProbeResult { Success, Warning, Failure, Unknown };

struct ProbeOutcome {
    ProbeResult result = ProbeResult::Unknown;
    std::string message; ///< Why it failed (or the warning), as kubelet words it.
};

struct HttpProbeTarget {
    std::string scheme = "HTTP"; ///< HTTP or HTTPS (certificates are not verified).
    std::string host;
    int port = 0;
    std::string path = "/";
    std::vector<std::pair<std::string, std::string>> headers;
};

/// GET with `User-Agent: kube-probe/1.32`; 200-399 is success.
[[nodiscard]] ProbeOutcome probeHttp(const HttpProbeTarget& target,
                                     std::chrono::milliseconds timeout);
/// A TCP connect.
[[nodiscard]] ProbeOutcome probeTcp(const std::string& host, int port,
                                    std::chrono::milliseconds timeout);

/// A `grpc` probe. kubelet calls grpc.health.v1.Health/Check on the port; this agent has no
/// gRPC client, so it tells only what a TCP connection can: a port that does not accept one fails
/// (kubelet's gRPC probe fails there too, with the same wording), an open port is a Warning (a
/// success that says the health service itself was not asked).
[[nodiscard]] ProbeOutcome probeGrpc(const std::string& host, int port, const std::string& service,
                                     std::chrono::milliseconds timeout);

/// Where handlers run: the container (exec) and its pod's address.
struct HandlerContext {
    Runtime* runtime = nullptr;
    std::string containerId;
    std::string podIp;
    const boost::json::object* container = nullptr; ///< The container spec (named ports).
};

/// A probe (`exec`, `httpGet`, `tcpSocket`, `grpc`) of a container spec, with its
/// timeoutSeconds.
[[nodiscard]] ProbeOutcome runProbe(const boost::json::object& probe,
                                    const HandlerContext& context);

/// A lifecycle handler (`exec`, `httpGet`, `tcpSocket`, `sleep`); the error says why it failed.
/// `limit` bounds exec and sleep handlers (the grace period for preStop).
[[nodiscard]] Status runHandler(const boost::json::object& handler, const HandlerContext& context,
                                std::chrono::milliseconds limit);

/// A port given as number or name (looked up in the container's ports); 0 when unknown.
[[nodiscard]] int resolvePort(const boost::json::value* port, const boost::json::object* container);

} // namespace pilot::agent
