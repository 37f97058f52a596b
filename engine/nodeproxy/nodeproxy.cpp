#include "engine/nodeproxy/nodeproxy.h"

#include "core/log.h"
#include "core/threadname.h"
#include "engine/apiserver/apierror.h"
#include "engine/apiserver/apihandler.h"
#include "engine/nodeproxy/podstreams.h"
#include "kube/client/tlsconnection.h"
#include "kube/jsonutil.h"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/parse.hpp>
#include <openssl/ssl.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <future>

namespace pilot::nodeproxy {

namespace json = boost::json;
namespace net = boost::asio;
namespace http = boost::beast::http;
using apiserver::ApiError;
using apiserver::HandlerResult;

namespace {

constexpr size_t FetchLimit = 32 * 1024 * 1024;

constexpr std::array<std::string_view, 8> LogParams = {
    "follow",     "previous",  "sinceSeconds", "sinceTime",
    "timestamps", "tailLines", "limitBytes",   "insecureSkipTLSVerifyBackend"};

std::vector<std::string> containerNames(const json::object& pod, std::string_view list) {
    std::vector<std::string> names;
    const json::object* spec = kube::objectAt(pod, "spec");
    const json::array* containers = spec ? kube::arrayAt(*spec, list) : nullptr;
    if (!containers) {
        return names;
    }
    for (const json::value& c : *containers) {
        if (const auto* o = c.if_object()) {
            names.emplace_back(kube::stringAt(*o, "name"));
        }
    }
    return names;
}

std::string joinNames(const std::vector<std::string>& names) {
    return fmt::format("[{}]", fmt::join(names, " "));
}

std::string_view reasonFor(int code) {
    switch (code) {
    case 400:
        return "BadRequest";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "NotFound";
    case 409:
        return "Conflict";
    case 429:
        return "TooManyRequests";
    case 503:
        return "ServiceUnavailable";
    case 504:
        return "Timeout";
    default:
        return "InternalError";
    }
}

/// An agent's error answer as the Status kube-apiserver makes of a kubelet's: the code kept, the
/// message its (JSON Status or plain text) body.
HandlerResult relayError(const ResponseHead& head) {
    ApiError e;
    e.code = head.status;
    e.reason = std::string(reasonFor(head.status));
    std::string body = head.body.substr(0, 1024);
    boost::system::error_code ec;
    json::value parsed = kube::parseJsonText(body, ec);
    if (!ec && parsed.is_object() && parsed.as_object().contains("message")) {
        e.message = kube::stringAt(parsed.as_object(), "message");
        std::string reason = kube::stringAt(parsed.as_object(), "reason");
        if (!reason.empty()) {
            e.reason = reason;
        }
    } else {
        body.erase(body.find_last_not_of(" \n\r\t") + 1);
        e.message = body;
    }
    return apiserver::errorResponse(e);
}

std::string encodedPath(std::string_view endpoint, const std::string& ns, const std::string& pod,
                        const std::string& container) {
    return fmt::format("/{}/{}/{}/{}", endpoint, kube::percentEncode(ns, false),
                       kube::percentEncode(pod, false), kube::percentEncode(container, false));
}

} // namespace

std::expected<std::string, ApiError> targetContainer(const json::object& pod,
                                                     const std::string* requested) {
    std::string podName = kube::stringAt(kube::objectAt(pod, "metadata"), "name");
    std::vector<std::string> containers = containerNames(pod, "containers");
    std::vector<std::string> init = containerNames(pod, "initContainers");
    std::vector<std::string> ephemeral = containerNames(pod, "ephemeralContainers");
    if (requested && !requested->empty()) {
        auto has = [&](const std::vector<std::string>& names) {
            return std::ranges::find(names, *requested) != names.end();
        };
        if (has(containers) || has(init) || has(ephemeral)) {
            return *requested;
        }
        return std::unexpected(apiserver::badRequest(
            fmt::format("container {} is not valid for pod {}", *requested, podName)));
    }
    if (containers.size() == 1) {
        return containers.front();
    }
    std::string message =
        fmt::format("a container name must be specified for pod {}, choose one of: {}", podName,
                    joinNames(containers));
    if (!init.empty()) {
        message += " or one of the init containers: " + joinNames(init);
    }
    return std::unexpected(apiserver::badRequest(std::move(message)));
}

std::expected<AgentEndpoint, ApiError> agentEndpoint(const json::object& node) {
    std::string name = kube::stringAt(kube::objectAt(node, "metadata"), "name");
    int64_t port = 0;
    const json::object* status = kube::objectAt(node, "status");
    const json::object* kubelet =
        kube::objectAt(kube::objectAt(status, "daemonEndpoints"), "kubeletEndpoint");
    if (kubelet) {
        port = kube::integerAt(*kubelet, "Port").value_or(0);
    }
    if (port <= 0 || port > 65535) {
        return std::unexpected(
            apiserver::badRequest(fmt::format("node {} has not reported its agent's port "
                                              "(status.daemonEndpoints.kubeletEndpoint.Port)",
                                              name)));
    }
    const json::array* addresses = status ? kube::arrayAt(*status, "addresses") : nullptr;
    for (std::string_view wanted : {"InternalIP", "ExternalIP", "Hostname"}) {
        if (!addresses) {
            break;
        }
        for (const json::value& a : *addresses) {
            const auto* o = a.if_object();
            if (o && kube::stringAt(*o, "type") == wanted) {
                std::string address = kube::stringAt(*o, "address");
                if (!address.empty()) {
                    return AgentEndpoint{address, static_cast<uint16_t>(port)};
                }
            }
        }
    }
    return std::unexpected(
        apiserver::badRequest(fmt::format("node {} has no address to reach its agent", name)));
}

Result<std::shared_ptr<NodeProxy>> NodeProxy::create(NodeProxyOptions options) {
    std::shared_ptr<NodeProxy> proxy(new NodeProxy(std::move(options)));
    boost::system::error_code ec;
    const NodeProxyOptions& o = proxy->m_options;
    proxy->m_tls.use_certificate_chain(net::buffer(o.clientCertificatePem), ec);
    if (!ec) {
        proxy->m_tls.use_private_key(net::buffer(o.clientKeyPem), net::ssl::context::pem, ec);
    }
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    "node proxy: unusable client credential: " + ec.message());
    }
    proxy->m_tls.set_verify_mode(net::ssl::verify_none);
    SSL_CTX_set_min_proto_version(proxy->m_tls.native_handle(), TLS1_2_VERSION);
    proxy->m_work.emplace(proxy->m_io.get_executor());
    proxy->m_thread = std::thread([p = proxy.get()] {
        setThreadName("node-proxy");
        p->m_io.run();
    });
    return proxy;
}

NodeProxy::NodeProxy(NodeProxyOptions options) : m_options(std::move(options)) {}

NodeProxy::~NodeProxy() {
    m_work.reset();
    m_io.stop();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

Result<std::shared_ptr<AgentConnection>> NodeProxy::connect(const AgentEndpoint& endpoint) {
    auto connection = std::make_shared<AgentConnection>(m_io, m_tls);
    if (auto status = connection->open(endpoint, m_options.connectTimeout); !status) {
        return std::unexpected(status.error());
    }
    return connection;
}

Result<std::string> NodeProxy::fetch(const AgentEndpoint& endpoint, const std::string& target) {
    auto connection = connect(endpoint);
    if (!connection) {
        return std::unexpected(connection.error());
    }
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::connection, "close");
    auto head = (*connection)->request(request, m_options.connectTimeout);
    if (!head) {
        (*connection)->close();
        return std::unexpected(head.error());
    }
    if (head->status != 200) {
        (*connection)->close();
        return fail(ErrorCode::Unavailable,
                    fmt::format("the node agent at {} answered {} to {}: {}",
                                (*connection)->endpointText(), head->status, target,
                                head->body.substr(0, 200)));
    }
    auto parser = (*connection)->takeHeadParser();
    parser->body_limit(FetchLimit);
    boost::system::error_code ec;
    auto& stream = (*connection)->stream();
    std::promise<boost::system::error_code> done;
    auto future = done.get_future();
    boost::beast::get_lowest_layer(stream).expires_after(m_options.connectTimeout);
    net::post(stream.get_executor(), [&] {
        http::async_read(stream, (*connection)->buffer(), *parser,
                         [&done](boost::system::error_code e, size_t) { done.set_value(e); });
    });
    ec = future.get();
    (*connection)->close();
    if (ec) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("reading {} from the node agent at {}: {}", target,
                                (*connection)->endpointText(), ec.message()));
    }
    return std::move(parser->get().body());
}

HandlerResult NodeProxy::handle(apiserver::VerbContext& ctx) {
    const std::string& sub = ctx.info.subresource;
    if (sub == "portforward") {
        return apiserver::errorResponse(
            apiserver::badRequest("port forwarding is not supported by this server"));
    }
    auto cached = ctx.service.get(*ctx.type, ctx.info.ns, ctx.info.name);
    if (!cached) {
        return apiserver::errorResponse(cached.error());
    }
    boost::system::error_code ec;
    json::value parsed = kube::parseJsonText((*cached)->json.str(), ec);
    if (ec || !parsed.is_object()) {
        return apiserver::errorResponse(apiserver::internalError("stored pod is not JSON"));
    }
    const json::object& pod = parsed.as_object();
    auto container = targetContainer(pod, ctx.request.param("container"));
    if (!container) {
        return apiserver::errorResponse(container.error());
    }
    std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
    if (sub != "log" && (phase == "Succeeded" || phase == "Failed")) {
        return apiserver::errorResponse(apiserver::badRequest(fmt::format(
            "cannot {} into a container in a completed pod; current phase is {}", sub, phase)));
    }
    std::string nodeName = kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
    if (nodeName.empty()) {
        return apiserver::errorResponse(apiserver::badRequest(
            fmt::format("pod {} does not have a host assigned", ctx.info.name)));
    }
    kube::ResourceTypePtr nodeType = ctx.service.types().byKind("", "v1", "Node");
    auto node = ctx.service.get(*nodeType, "", nodeName);
    if (!node) {
        return apiserver::errorResponse(node.error());
    }
    json::value nodeJson = kube::parseJsonText((*node)->json.str(), ec);
    if (ec || !nodeJson.is_object()) {
        return apiserver::errorResponse(apiserver::internalError("stored node is not JSON"));
    }
    auto endpoint = agentEndpoint(nodeJson.as_object());
    if (!endpoint) {
        return apiserver::errorResponse(endpoint.error());
    }
    if (sub == "log") {
        return logs(ctx, *container, *endpoint);
    }
    return stream(ctx, *container, *endpoint);
}

HandlerResult NodeProxy::logs(apiserver::VerbContext& ctx, const std::string& container,
                              const AgentEndpoint& endpoint) {
    std::string target = encodedPath("containerLogs", ctx.info.ns, ctx.info.name, container);
    char separator = '?';
    for (std::string_view name : LogParams) {
        if (const std::string* value = ctx.request.param(name)) {
            target += fmt::format("{}{}={}", separator, name, kube::percentEncode(*value, false));
            separator = '&';
        }
    }
    auto connection = connect(endpoint);
    if (!connection) {
        return apiserver::errorResponse(apiserver::fromError(connection.error()));
    }
    http::request<http::empty_body> request{http::verb::get, target, 11};
    auto head = (*connection)->request(request, m_options.connectTimeout);
    if (!head) {
        (*connection)->close();
        return apiserver::errorResponse(apiserver::fromError(head.error()));
    }
    if (head->status != 200) {
        (*connection)->close();
        return relayError(*head);
    }
    HandlerResult result;
    result.stream = std::make_shared<LogStream>(*connection, (*connection)->takeHeadParser());
    return result;
}

HandlerResult NodeProxy::stream(apiserver::VerbContext& ctx, const std::string& container,
                                const AgentEndpoint& endpoint) {
    if (!ctx.request.websocketUpgrade) {
        return apiserver::errorResponse(apiserver::badRequest(
            "Upgrade request required: this server speaks the WebSocket channel protocols "
            "(v5.channel.k8s.io, v4.channel.k8s.io)"));
    }
    std::string target = encodedPath(ctx.info.subresource, ctx.info.ns, ctx.info.name, container);
    char separator = '?';
    for (const auto& [name, value] : ctx.request.query) {
        if (name == "container") {
            continue;
        }
        target += fmt::format("{}{}={}", separator, kube::percentEncode(name, false),
                              kube::percentEncode(value, false));
        separator = '&';
    }
    auto connection = connect(endpoint);
    if (!connection) {
        return apiserver::errorResponse(apiserver::fromError(connection.error()));
    }
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::upgrade, "websocket");
    request.set(http::field::connection, "Upgrade");
    for (std::string_view name : {"Sec-WebSocket-Key", "Sec-WebSocket-Version",
                                  "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions"}) {
        if (const std::string* value = ctx.request.header(name)) {
            request.set(name, *value);
        }
    }
    auto head = (*connection)->request(request, m_options.connectTimeout);
    if (!head) {
        (*connection)->close();
        return apiserver::errorResponse(apiserver::fromError(head.error()));
    }
    if (head->status != 101) {
        (*connection)->close();
        return relayError(*head);
    }
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [name, value] : head->headers) {
        if (boost::beast::iequals(name, "Upgrade") || boost::beast::iequals(name, "Connection") ||
            name.starts_with("Sec-WebSocket") || name.starts_with("sec-websocket")) {
            headers.emplace_back(name, value);
        }
    }
    HandlerResult result;
    result.tunnel = std::make_shared<ExecTunnel>(*connection, std::move(headers));
    return result;
}

} // namespace pilot::nodeproxy
