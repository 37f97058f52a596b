#include "bench/apibench/httpclient.h"

#include "kube/types/protowire.h"

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
constexpr std::size_t StreamChunk = 256 * 1024;

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
                                               const LineHandler& onLine, Framing framing) {
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, m_endpoint.host);
    req.set(http::field::accept, framing == Framing::Lines
                                     ? "application/json"
                                     : "application/vnd.kubernetes.protobuf,application/json");
    co_await http::async_write(stream, req, token);
    if (ec) {
        co_return Response{0, {}, describe(ec, "send " + target)};
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    co_await http::async_read_header(stream, m_buffer, parser, token);
    if (ec) {
        co_return Response{0, {}, describe(ec, "receive headers of " + target)};
    }
    Response result{parser.get().result_int(), {}, {}};
    if (onHeaders) {
        onHeaders(result.status);
    }
    // Lines are cut straight from the chunk bodies as Beast's parser meets them: one large
    // socket read feeds many events, with no copy into a body buffer (a watcher reads
    // hundreds of thousands of events a second in the fan-out phase).
    std::string partial;
    bool stopped = false;
    auto cutLines = [&](std::string_view body) {
        std::size_t start = 0;
        for (auto end = body.find('\n'); end != std::string_view::npos && !stopped;
             end = body.find('\n', start)) {
            std::string_view line = body.substr(start, end - start);
            if (!partial.empty()) {
                partial.append(line);
                line = partial;
            }
            stopped = !onLine(line);
            partial.clear();
            start = end + 1;
        }
        if (!stopped) {
            partial.append(body.substr(start));
        }
    };
    // Frames whole inside one chunk are handed on in place; only a frame cut by a chunk's end
    // is gathered in `partial`.
    auto cutFrames = [&](std::string_view body) {
        while (!stopped && !body.empty()) {
            if (!partial.empty()) {
                if (partial.size() < 4) {
                    std::size_t take = std::min(4 - partial.size(), body.size());
                    partial.append(body.substr(0, take));
                    body.remove_prefix(take);
                    if (partial.size() < 4) {
                        return;
                    }
                }
                std::size_t whole = 4 + std::size_t{kube::protowire::frameLength(partial)};
                std::size_t take = std::min(whole - partial.size(), body.size());
                partial.append(body.substr(0, take));
                body.remove_prefix(take);
                if (partial.size() < whole) {
                    return;
                }
                stopped = !onLine(std::string_view(partial).substr(4));
                partial.clear();
                continue;
            }
            std::optional<std::string_view> frame = kube::protowire::nextFrame(body);
            if (!frame) {
                partial.append(body);
                return;
            }
            stopped = !onLine(*frame);
        }
    };
    auto onChunkBody = [&](std::uint64_t, std::string_view body,
                           beast::error_code&) -> std::size_t {
        if (stopped || result.status != 200) {
            result.body.append(body);
            return body.size();
        }
        if (framing == Framing::Lines) {
            cutLines(body);
        } else {
            cutFrames(body);
        }
        return body.size();
    };
    parser.on_chunk_body(onChunkBody); // kept by reference: lives until the loop ends
    while (!parser.is_done() && !stopped) {
        std::size_t used = m_buffer.size() > 0 ? parser.put(m_buffer.data(), ec) : 0;
        m_buffer.consume(used);
        if (ec == http::error::need_more) {
            ec = {};
        } else if (ec) {
            result.error = describe(ec, "stream " + target);
            co_return result;
        }
        if (parser.is_done() || stopped || (used > 0 && m_buffer.size() > 0)) {
            continue;
        }
        std::size_t read = co_await stream.async_read_some(m_buffer.prepare(StreamChunk), token);
        if (ec) {
            result.error = describe(ec, "stream " + target);
            co_return result;
        }
        m_buffer.commit(read);
    }
    if (result.status != 200 && result.body.empty()) {
        result.body = std::move(parser.get().body());
    }
    co_return result;
}

net::awaitable<Response> HttpClient::stream(std::string target,
                                            std::function<void(unsigned)> onHeaders,
                                            LineHandler onLine, Clock::time_point deadline,
                                            Framing framing) {
    if (!m_connected) {
        if (std::string error = co_await connect(); !error.empty()) {
            co_return Response{0, {}, std::move(error)};
        }
    }
    tcp().expires_at(deadline);
    // Plain if/else: GCC 12 miscompiles co_await inside a conditional expression.
    Response result;
    if (m_secure) {
        result = co_await readLines(*m_secure, target, onHeaders, onLine, framing);
    } else {
        result = co_await readLines(*m_plain, target, onHeaders, onLine, framing);
    }
    close();
    co_return result;
}

} // namespace pilot::bench
