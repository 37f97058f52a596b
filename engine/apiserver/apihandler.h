#pragma once

#include "engine/apiserver/delegatehandler.h"
#include "engine/apiserver/discovery.h"
#include "engine/apiserver/http.h"
#include "engine/apiserver/requestinfo.h"
#include "engine/apiserver/resourceservice.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace pilot::auth {
class ServiceAccountTokens;
}

namespace pilot::apiserver {

class ApiMetrics;
struct RequestLabels;

/// Routes HTTP requests to discovery, OpenAPI, health and the resource verbs. Stateless apart
/// from its collaborators; called concurrently from the worker pool.
class ApiHandler {
public:
    ApiHandler(ResourceService& service, std::shared_ptr<kube::TypeRegistry> types,
               ApiMetrics& metrics);

    [[nodiscard]] HandlerResult handle(Request& request);
    /// Whether `request` may be handled on the I/O thread that read it: a create, whose
    /// handler defers its store write and so never blocks, unless its admission may write
    /// (quota charging).
    [[nodiscard]] bool runsInline(const Request& request) const;

    /// Readiness, as reported by /readyz.
    void setReady(bool ready) { m_ready = ready; }
    /// Serves `serviceaccounts/token` with tokens signed by `tokens` (set before serving; until
    /// then that subresource answers 404).
    void setServiceAccountTokens(std::shared_ptr<const auth::ServiceAccountTokens> tokens) {
        m_serviceAccountTokens = std::move(tokens);
    }

    /// Serves pods/log, pods/exec, pods/attach and pods/portforward (set before serving).
    void setConnectHandler(std::shared_ptr<DelegateHandler> handler) {
        m_connect = std::move(handler);
    }
    /// Serves a resource that is not stored (`stored: false` in its schema file), such as
    /// metrics.k8s.io `nodes` and `pods`. Set before serving; until then it answers 503 as an
    /// unavailable aggregated API would.
    void setVirtualResource(const std::string& group, const std::string& resource,
                            std::shared_ptr<DelegateHandler> handler) {
        m_virtual[group + "/" + resource] = std::move(handler);
    }

private:
    [[nodiscard]] HandlerResult handleNonResource(Request& request, const RequestInfo& info);
    /// A resource request, answered in protobuf where the client prefers it.
    [[nodiscard]] HandlerResult handleResource(Request& request, const RequestInfo& info);
    [[nodiscard]] HandlerResult routeResource(Request& request, const RequestInfo& info);
    /// Records a complete result in the metrics (a stream when it ends).
    void observe(HandlerResult& result, RequestLabels labels,
                 std::chrono::steady_clock::time_point started);
    /// Wraps a deferred result so that it is recorded when it completes.
    [[nodiscard]] HandlerResult observedWhenDone(HandlerResult result,
                                                 std::shared_ptr<const RequestLabels> labels,
                                                 std::chrono::steady_clock::time_point started);

    ResourceService& m_service;
    std::shared_ptr<kube::TypeRegistry> m_types;
    ApiMetrics& m_metrics;
    Discovery m_discovery;
    std::atomic<bool> m_ready{false};
    std::shared_ptr<const auth::ServiceAccountTokens> m_serviceAccountTokens;
    std::shared_ptr<DelegateHandler> m_connect;
    std::map<std::string, std::shared_ptr<DelegateHandler>> m_virtual;
};

/// A JSON response with the given status.
[[nodiscard]] HandlerResult jsonResponse(int status, std::string body);
/// The Status response for an error.
[[nodiscard]] HandlerResult errorResponse(const ApiError& error);

} // namespace pilot::apiserver
