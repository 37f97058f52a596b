#include "engine/apiserver/apihandler.h"

#include "core/log.h"
#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/metrics.h"
#include "engine/apiserver/protobufanswer.h"
#include "engine/apiserver/tokenrequest.h"
#include "engine/apiserver/verbs.h"
#include "kube/types/openapi.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

const std::string VersionJson = R"({"major":"1","minor":"32","gitVersion":"v1.32.0-pilothouse",)"
                                R"("gitCommit":"","gitTreeState":"clean","buildDate":"",)"
                                R"("goVersion":"","compiler":"gc","platform":"linux/amd64"})";

bool anonymousPath(const std::string& path) {
    return path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/version" ||
           path == "/version/";
}

HandlerResult textResponse(int status, std::string body) {
    HandlerResult result;
    result.response.status = status;
    result.response.contentType = "text/plain; charset=utf-8";
    result.response.body = std::move(body);
    return result;
}

bool verbAllowed(const std::vector<std::string>& verbs, const std::string& verb) {
    return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

/// Whether a request is recorded in the metrics. As in kube-apiserver, requests for unknown
/// resources and paths are not (their labels would be whatever a client sends); nor are
/// anonymous requests for non-resource paths.
bool recordedInMetrics(const RequestInfo& info, const kube::TypeRegistry& types, int status) {
    if (!info.isResourceRequest) {
        return status != 404 && status != 401;
    }
    kube::ResourceTypePtr type = types.byResource(info.group, info.version, info.resource);
    return type && (info.subresource.empty() || type->subresource(info.subresource));
}

} // namespace

HandlerResult jsonResponse(int status, std::string body) {
    HandlerResult result;
    result.response.status = status;
    result.response.contentType = "application/json";
    result.response.body = std::move(body);
    return result;
}

HandlerResult errorResponse(const ApiError& error) {
    HandlerResult result = jsonResponse(error.code, statusJson(error));
    if (error.retryAfterSeconds > 0) {
        result.response.headers.emplace_back("Retry-After",
                                             std::to_string(error.retryAfterSeconds));
    }
    return result;
}

ApiHandler::ApiHandler(ResourceService& service, std::shared_ptr<kube::TypeRegistry> types,
                       ApiMetrics& metrics)
    : m_service(service), m_types(std::move(types)), m_metrics(metrics), m_discovery(*m_types) {}

HandlerResult ApiHandler::handle(Request& request) {
    auto started = std::chrono::steady_clock::now();
    const std::string* watchParam = request.param("watch");
    bool watch = watchParam && parseBool(*watchParam).value_or(false);
    RequestInfo info = parseRequestInfo(request.method, request.path, watch);

    HandlerResult result;
    if (!request.user && !anonymousPath(request.path)) {
        result = errorResponse(unauthorized());
    } else if (info.isResourceRequest) {
        result = handleResource(request, info);
    } else {
        result = handleNonResource(request, info);
    }
    if (result.deferred) {
        // Only resource requests defer, and whether those are recorded does not depend on
        // their status: decided now, recorded when it completes (the request is gone by then).
        if (!info.isResourceRequest || !recordedInMetrics(info, *m_types, 0)) {
            return result;
        }
        return observedWhenDone(std::move(result),
                                std::make_shared<const RequestLabels>(requestLabels(request, info)),
                                started);
    }
    const int status = result.stream ? result.stream->status() : result.response.status;
    if (!recordedInMetrics(info, *m_types, status)) {
        return result;
    }
    RequestLabels labels = requestLabels(request, info);
    observe(result, std::move(labels), started);
    return result;
}

bool ApiHandler::runsInline(const Request& request) const {
    if (request.method != "POST" || !request.user) {
        return false;
    }
    RequestInfo info = parseRequestInfo(request.method, request.path, false);
    if (!info.isResourceRequest || info.verb != "create" || !info.subresource.empty() ||
        !info.name.empty()) {
        return false;
    }
    kube::ResourceTypePtr type = m_types->byResource(info.group, info.version, info.resource);
    return type && type->stored && !m_service.createWritesOnAdmission(*type, info.ns);
}

void ApiHandler::observe(HandlerResult& result, RequestLabels labels,
                         std::chrono::steady_clock::time_point started) {
    if (result.stream) {
        result.stream =
            m_metrics.trackLongRunning(std::move(result.stream), std::move(labels), started);
    } else {
        m_metrics.observeRequest(labels, result.response.status,
                                 std::chrono::steady_clock::now() - started);
    }
}

HandlerResult ApiHandler::observedWhenDone(HandlerResult result,
                                           std::shared_ptr<const RequestLabels> labels,
                                           std::chrono::steady_clock::time_point started) {
    result.deferred = [this, inner = std::move(result.deferred), labels, started](Resume resume) {
        inner([this, resume = std::move(resume), labels, started](Continuation next) {
            resume([this, next = std::move(next), labels, started] {
                HandlerResult done = next();
                if (done.deferred) {
                    return observedWhenDone(std::move(done), labels, started);
                }
                observe(done, *labels, started);
                return done;
            });
        });
    };
    return result;
}

HandlerResult ApiHandler::handleNonResource(Request& request, const RequestInfo& info) {
    const std::string& path = request.path;
    if (request.method != "GET" && request.method != "HEAD") {
        return errorResponse(methodNotSupported(path, request.method));
    }
    if (path == "/healthz" || path == "/livez") {
        return textResponse(200, "ok");
    }
    if (path == "/readyz") {
        return m_ready ? textResponse(200, "ok") : textResponse(503, "not ready");
    }
    if (path == "/version" || path == "/version/") {
        return jsonResponse(200, VersionJson);
    }
    if (path == "/metrics") {
        HandlerResult result = textResponse(200, m_metrics.render());
        result.response.contentType = "text/plain; version=0.0.4; charset=utf-8";
        return result;
    }
    if (path == "/api" || path == "/apis") {
        std::string version = aggregatedDiscoveryVersion(request.accept);
        if (!version.empty()) {
            HandlerResult result =
                jsonResponse(200, m_discovery.aggregated(path == "/api", version));
            result.response.contentType =
                "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList";
            return result;
        }
        return jsonResponse(200,
                            path == "/api" ? m_discovery.coreVersions() : m_discovery.groupList());
    }
    if (!info.apiPrefix.empty() && !info.version.empty()) {
        std::string doc = m_discovery.resourceList(info.group, info.version);
        if (!doc.empty()) {
            return jsonResponse(200, std::move(doc));
        }
        return errorResponse(pathNotFound());
    }
    if (info.apiPrefix == "apis" && !info.group.empty()) {
        std::string doc = m_discovery.group(info.group);
        if (!doc.empty()) {
            return jsonResponse(200, std::move(doc));
        }
        return errorResponse(pathNotFound());
    }
    if (path == "/openapi/v3") {
        return jsonResponse(200, kube::openApiV3Root(*m_types));
    }
    if (path.starts_with("/openapi/v3/")) {
        std::string doc = kube::openApiV3GroupVersion(*m_types, path.substr(12));
        if (doc.empty()) {
            return errorResponse(pathNotFound());
        }
        HandlerResult result = jsonResponse(200, std::move(doc));
        if (request.param("hash")) {
            result.response.headers.emplace_back("Cache-Control", "public, immutable");
        }
        return result;
    }
    if (path == "/openapi/v2") {
        return jsonResponse(200, kube::openApiV2(*m_types));
    }
    return errorResponse(pathNotFound());
}

HandlerResult ApiHandler::handleResource(Request& request, const RequestInfo& info) {
    if (prefersProtobuf(request)) {
        return protobufAnswer(routeResource(request, info), m_types);
    }
    return routeResource(request, info);
}

HandlerResult ApiHandler::routeResource(Request& request, const RequestInfo& info) {
    kube::ResourceTypePtr type = m_types->byResource(info.group, info.version, info.resource);
    if (!type) {
        return errorResponse(pathNotFound());
    }
    if (!type->namespaced && !info.ns.empty()) {
        return errorResponse(pathNotFound());
    }
    // Namespaced resources are addressed across namespaces only to list and watch them.
    if (type->namespaced && info.ns.empty() && info.verb != "list" && info.verb != "watch") {
        return errorResponse(pathNotFound());
    }
    if (!info.subresource.empty() && !type->subresource(info.subresource)) {
        return errorResponse(pathNotFound());
    }
    VerbContext ctx{request, info, type, m_service};
    if (!type->stored) {
        if (!verbAllowed(type->verbs, info.verb)) {
            return errorResponse(methodNotSupported(info.resource, info.verb));
        }
        if (type->gvk.kind == "SelfSubjectReview") {
            return handleSelfSubjectReview(ctx);
        }
        auto delegate = m_virtual.find(info.group + "/" + info.resource);
        if (delegate == m_virtual.end() || !delegate->second) {
            return errorResponse(
                serviceUnavailable("the server is currently unable to handle the request"));
        }
        return delegate->second->handle(ctx);
    }
    if (info.subresource == "token" && type->gvk.kind == "ServiceAccount" &&
        info.verb == "create") {
        return handleTokenRequest(ctx, m_serviceAccountTokens.get());
    }
    if (m_connect && type->gvk.kind == "Pod" &&
        (info.subresource == "log" || info.subresource == "exec" || info.subresource == "attach" ||
         info.subresource == "portforward")) {
        return m_connect->handle(ctx);
    }
    if (!info.subresource.empty() && info.subresource != "status") {
        return handleSubresource(ctx);
    }
    const std::string& verb = info.verb;
    const std::vector<std::string>& verbs =
        info.subresource.empty() ? type->verbs : type->subresource(info.subresource)->verbs;
    if (!verbAllowed(verbs, verb == "watch" ? (info.name.empty() ? "watch" : "get") : verb) &&
        !(verb == "watch" && verbAllowed(verbs, "watch"))) {
        return errorResponse(methodNotSupported(info.resource, verb));
    }
    if (verb == "get") {
        return handleGet(ctx);
    }
    if (verb == "list") {
        return handleList(ctx);
    }
    if (verb == "watch") {
        return handleWatch(ctx);
    }
    if (verb == "create") {
        if (!info.name.empty()) {
            return errorResponse(methodNotSupported(info.resource, "create"));
        }
        return handleCreate(ctx);
    }
    if (verb == "update") {
        return handleUpdate(ctx);
    }
    if (verb == "patch") {
        return handlePatch(ctx);
    }
    if (verb == "delete") {
        return handleDelete(ctx);
    }
    if (verb == "deletecollection") {
        return handleDeleteCollection(ctx);
    }
    return errorResponse(methodNotSupported(info.resource, request.method));
}

} // namespace pilot::apiserver
