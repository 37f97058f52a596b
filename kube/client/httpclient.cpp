#include "kube/client/httpclient.h"

#include "kube/client/httpeventstream.h"
#include "kube/client/tlsconnection.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <fmt/format.h>

#include <mutex>
#include <vector>

namespace pilot::kube {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;

namespace {

Result<std::unique_ptr<ssl::context>> makeTlsContext(const Kubeconfig& config) {
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (config.insecureSkipTlsVerify) {
        tls->set_verify_mode(ssl::verify_none, ec);
    } else {
        tls->set_verify_mode(ssl::verify_peer, ec);
        if (config.certificateAuthorityPem.empty()) {
            tls->set_default_verify_paths(ec);
        } else {
            tls->add_certificate_authority(net::buffer(config.certificateAuthorityPem), ec);
        }
        if (ec) {
            return fail(ErrorCode::InvalidArgument,
                        "certificate-authority: not a usable PEM certificate: " + ec.message());
        }
    }
    if (!config.clientCertificatePem.empty()) {
        tls->use_certificate_chain(net::buffer(config.clientCertificatePem), ec);
        if (ec) {
            return fail(ErrorCode::InvalidArgument,
                        "client-certificate: not a usable PEM certificate: " + ec.message());
        }
        tls->use_private_key(net::buffer(config.clientKeyPem), ssl::context::pem, ec);
        if (ec) {
            return fail(ErrorCode::InvalidArgument,
                        "client-key: not a usable PEM private key: " + ec.message());
        }
    }
    return tls;
}

http::verb verbOf(const std::string& method) {
    http::verb verb = http::string_to_verb(method);
    return verb == http::verb::unknown ? http::verb::get : verb;
}

} // namespace

struct HttpApiClient::Impl {
    Kubeconfig config;
    HttpClientOptions options;
    ServerAddress address;
    std::unique_ptr<ssl::context> tls;
    std::string verifyName;
    std::string defaultNamespace;

    std::mutex poolMutex;
    std::vector<std::unique_ptr<TlsConnection>> idle;

    [[nodiscard]] TlsConnection::HttpRequest buildRequest(const ApiRequest& request) const;
    /// An idle pooled connection (`reused` set) or a new connected one.
    [[nodiscard]] Result<std::unique_ptr<TlsConnection>> acquire(bool allowReuse, bool& reused);
    void release(std::unique_ptr<TlsConnection> connection);
};

TlsConnection::HttpRequest HttpApiClient::Impl::buildRequest(const ApiRequest& request) const {
    TlsConnection::HttpRequest out{verbOf(request.method), requestTarget(address, request), 11};
    out.set(http::field::host, address.hostHeader);
    out.set(http::field::user_agent, options.userAgent);
    if (!request.accept.empty()) {
        out.set(http::field::accept, request.accept);
    }
    if (!config.token.empty()) {
        out.set(http::field::authorization, "Bearer " + config.token);
    }
    for (const auto& [name, value] : request.headers) {
        out.set(name, value);
    }
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
        request.method == "PATCH") {
        if (!request.contentType.empty()) {
            out.set(http::field::content_type, request.contentType);
        }
        out.body() = request.body;
    }
    out.keep_alive(true);
    out.prepare_payload();
    return out;
}

Result<std::unique_ptr<TlsConnection>> HttpApiClient::Impl::acquire(bool allowReuse, bool& reused) {
    reused = false;
    if (allowReuse) {
        std::lock_guard lock(poolMutex);
        if (!idle.empty()) {
            std::unique_ptr<TlsConnection> connection = std::move(idle.back());
            idle.pop_back();
            reused = true;
            return connection;
        }
    }
    auto connection = std::make_unique<TlsConnection>(*tls, verifyName);
    if (auto status = connection->connect(address, options.connectTimeout); !status) {
        return std::unexpected(status.error());
    }
    return connection;
}

void HttpApiClient::Impl::release(std::unique_ptr<TlsConnection> connection) {
    if (!connection->reusable()) {
        return;
    }
    std::lock_guard lock(poolMutex);
    if (idle.size() < options.maxIdleConnections) {
        idle.push_back(std::move(connection));
    }
}

HttpApiClient::HttpApiClient(std::unique_ptr<Impl> impl, std::string fieldManager)
    : ApiClient(std::move(fieldManager)), m_impl(std::move(impl)) {}

HttpApiClient::~HttpApiClient() = default;

Result<std::unique_ptr<HttpApiClient>> HttpApiClient::fromKubeconfig(const Kubeconfig& config,
                                                                     HttpClientOptions options) {
    auto address = parseServerUrl(config.server);
    if (!address) {
        return std::unexpected(address.error());
    }
    auto tls = makeTlsContext(config);
    if (!tls) {
        return std::unexpected(tls.error());
    }
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    impl->address = std::move(*address);
    impl->tls = std::move(*tls);
    if (!config.insecureSkipTlsVerify) {
        impl->verifyName = config.tlsServerName.empty() ? impl->address.host : config.tlsServerName;
    }
    impl->defaultNamespace = config.namespaceName.empty() ? "default" : config.namespaceName;
    std::string fieldManager = options.fieldManager;
    impl->options = std::move(options);
    return std::unique_ptr<HttpApiClient>(new HttpApiClient(std::move(impl), fieldManager));
}

Result<std::unique_ptr<HttpApiClient>>
HttpApiClient::fromKubeconfigFile(const std::string& path, std::string_view context,
                                  HttpClientOptions options) {
    auto config = loadKubeconfig(path, context);
    if (!config) {
        return std::unexpected(config.error());
    }
    return fromKubeconfig(*config, std::move(options));
}

const std::string& HttpApiClient::defaultNamespace() const {
    return m_impl->defaultNamespace;
}

const std::string& HttpApiClient::server() const {
    return m_impl->config.server;
}

Result<ApiResponse> HttpApiClient::send(const ApiRequest& request) {
    Impl& d = *m_impl;
    bool allowReuse = true;
    while (true) {
        bool reused = false;
        auto connection = d.acquire(allowReuse, reused);
        if (!connection) {
            return std::unexpected(connection.error());
        }
        TlsConnection::HttpRequest raw = d.buildRequest(request);
        Result<ApiResponse> response = (*connection)->roundTrip(raw, d.options.requestTimeout);
        if (!response && reused && (*connection)->failedAsStale()) {
            // The server closed the idle connection before it saw this request: retry once on
            // a fresh connection.
            allowReuse = false;
            continue;
        }
        if (response) {
            d.release(std::move(*connection));
        }
        return response;
    }
}

Result<std::unique_ptr<EventStream>> HttpApiClient::openWatch(const ApiRequest& request) {
    Impl& d = *m_impl;
    bool reused = false;
    auto connection = d.acquire(false, reused);
    if (!connection) {
        return std::unexpected(connection.error());
    }
    TlsConnection::HttpRequest raw = d.buildRequest(request);
    auto parser = std::make_unique<TlsConnection::ResponseParser>();
    if (auto status = (*connection)->startStreaming(raw, *parser, d.options.requestTimeout);
        !status) {
        return std::unexpected(status.error());
    }
    int code = static_cast<int>(parser->get().result_int());
    if (code != 200) {
        if (auto status = (*connection)->readRest(*parser, d.options.requestTimeout); !status) {
            return std::unexpected(status.error());
        }
        return singleEventStream(errorEventForResponse(code, parser->get().body()));
    }
    return std::unique_ptr<EventStream>(
        std::make_unique<HttpEventStream>(std::move(*connection), std::move(parser)));
}

} // namespace pilot::kube
