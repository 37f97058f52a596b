#include "bench/apibench/httpclient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <vector>

namespace pilot::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto RequestTimeout = std::chrono::seconds(120);
constexpr std::size_t StreamChunk = 64 * 1024;

std::string describe(const beast::error_code& ec, std::string_view during) {
    return fmt::format("{}: {}", during, ec.message());
}

} // namespace

Result<Endpoint> Endpoint::parse(std::string_view url) {
    Endpoint endpoint;
    if (url.starts_with("https://")) {
        endpoint.tls = true;
        url.remove_prefix(8);
    } else if (url.starts_with("http://")) {
        url.remove_prefix(7);
    } else {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: not an http(s) URL", url));
    }
    if (auto slash = url.find('/'); slash != std::string_view::npos) {
        url = url.substr(0, slash);
    }
    auto colon = url.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == url.size()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: no port", url));
    }
    endpoint.host = std::string(url.substr(0, colon));
    endpoint.port = std::string(url.substr(colon + 1));
    if (endpoint.host.starts_with('[') && endpoint.host.ends_with(']')) {
        endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
    }
    return endpoint;
}

std::string Endpoint::url() const {
    return fmt::format("{}://{}:{}", tls ? "https" : "http", host, port);
}

Result<std::unique_ptr<net::ssl::context>>
makeClientTls(const std::string& caFile, const std::string& certFile, const std::string& keyFile) {
    auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    beast::error_code ec;
    context->load_verify_file(caFile, ec);
    if (!ec) {
        context->use_certificate_chain_file(certFile, ec);
    }
    if (!ec) {
        context->use_private_key_file(keyFile, net::ssl::context::pem, ec);
    }
    if (ec) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("client TLS from {}, {}, {}: {}", caFile, certFile, keyFile, ec.message()));
    }
    context->set_verify_mode(net::ssl::verify_peer);
    return context;
}

HttpClient::HttpClient(net::any_io_executor executor, Endpoint endpoint, net::ssl::context* tls)
    : m_executor(std::move(executor)), m_endpoint(std::move(endpoint)), m_tls(tls) {}

HttpClient::~HttpClient() {
    close();
}

beast::tcp_stream& HttpClient::tcp() {
    return m_secure ? beast::get_lowest_layer(*m_secure) : *m_plain;
}

void HttpClient::close() {
    if (m_secure || m_plain) {
        beast::error_code ignored;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
        tcp().socket().close(ignored);
    }
    m_secure.reset();
    m_plain.reset();
    m_buffer.clear();
    m_connected = false;
}

net::awaitable<std::string> HttpClient::connect() {
    close();
    if (m_everConnected) {
        ++m_reconnects;
    }
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    tcp::resolver resolver(m_executor);
    auto results = co_await resolver.async_resolve(m_endpoint.host, m_endpoint.port,
                                                   tcp::resolver::numeric_service, token);
    if (ec) {
        co_return describe(ec, "resolve " + m_endpoint.host);
    }
    if (m_endpoint.tls) {
        m_secure.emplace(m_executor, *m_tls);
    } else {
        m_plain.emplace(m_executor);
    }
    tcp().expires_after(RequestTimeout);
    co_await tcp().async_connect(results, token);
    if (ec) {
        close();
        co_return describe(ec, "connect " + m_endpoint.url());
    }
    tcp().socket().set_option(tcp::no_delay(true), ec);
    if (m_secure) {
        m_secure->set_verify_callback(net::ssl::host_name_verification(m_endpoint.host));
        co_await m_secure->async_handshake(net::ssl::stream_base::client, token);
        if (ec) {
            close();
            co_return describe(ec, "TLS handshake with " + m_endpoint.url());
        }
    }
    m_connected = true;
    m_everConnected = true;
    co_return std::string{};
}

template <typename Stream>
net::awaitable<Response> HttpClient::exchange(Stream& stream, http::verb verb,
                                              const std::string& target, std::string body,
                                              std::string_view accept) {
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, m_endpoint.host);
    req.set(http::field::accept, accept);
    req.keep_alive(true);
    if (!body.empty() || verb == http::verb::post || verb == http::verb::put) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
    }
    req.prepare_payload();

    tcp().expires_after(RequestTimeout);
    co_await http::async_write(stream, req, token);
    if (ec) {
        close();
        co_return Response{0, {}, describe(ec, "send " + target)};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    co_await http::async_read(stream, m_buffer, parser, token);
    if (ec) {
        close();
        co_return Response{0, {}, describe(ec, "receive " + target)};
    }
    auto& res = parser.get();
    if (!res.keep_alive()) {
        close();
    }
    co_return Response{res.result_int(), std::move(res.body()), {}};
}

net::awaitable<Response> HttpClient::request(http::verb verb, std::string target, std::string body,
                                             std::string_view accept) {
    if (!m_connected) {
        if (std::string error = co_await connect(); !error.empty()) {
            co_return Response{0, {}, std::move(error)};
        }
    }
    if (m_secure) {
        co_return co_await exchange(*m_secure, verb, target, std::move(body), accept);
    }
    co_return co_await exchange(*m_plain, verb, target, std::move(body), accept);
}

template <typename Stream>
net::awaitable<Response> HttpClient::readLines(Stream& stream, const std::string& target,
                                               const std::function<void(unsigned)>& onHeaders,
                                               const LineHandler& onLine) {
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, m_endpoint.host);
    req.set(http::field::accept, "application/json");
    co_await http::async_write(stream, req, token);
    if (ec) {
        co_return Response{0, {}, describe(ec, "send " + target)};
    }
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    co_await http::async_read_header(stream, m_buffer, parser, token);
    if (ec) {
        co_return Response{0, {}, describe(ec, "receive headers of " + target)};
    }
    Response result{parser.get().result_int(), {}, {}};
    if (onHeaders) {
        onHeaders(result.status);
    }
    std::vector<char> chunk(StreamChunk);
    std::string pending;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        // read_some returns as soon as some body arrived; read would wait for a full chunk buffer.
        co_await http::async_read_some(stream, m_buffer, parser, token);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            result.error = describe(ec, "stream " + target);
            co_return result;
        }
        pending.append(chunk.data(), chunk.size() - parser.get().body().size);
        if (result.status != 200) {
            continue;
        }
        std::size_t start = 0;
        for (auto end = pending.find('\n'); end != std::string::npos;
             end = pending.find('\n', start)) {
            if (!onLine(std::string_view(pending).substr(start, end - start))) {
                co_return result;
            }
            start = end + 1;
        }
        pending.erase(0, start);
    }
    if (result.status != 200) {
        result.body = std::move(pending);
    }
    co_return result;
}

net::awaitable<Response> HttpClient::stream(std::string target,
                                            std::function<void(unsigned)> onHeaders,
                                            LineHandler onLine, Clock::time_point deadline) {
    if (!m_connected) {
        if (std::string error = co_await connect(); !error.empty()) {
            co_return Response{0, {}, std::move(error)};
        }
    }
    tcp().expires_at(deadline);
    // Plain if/else: GCC 12 miscompiles co_await inside a conditional expression.
    Response result;
    if (m_secure) {
        result = co_await readLines(*m_secure, target, onHeaders, onLine);
    } else {
        result = co_await readLines(*m_plain, target, onHeaders, onLine);
    }
    close();
    co_return result;
}

} // namespace pilot::bench
