#include "engine/nodeproxy/agentconnection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fmt/format.h>

#include <future>

namespace pilot::nodeproxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr size_t ErrorBodyLimit = 64 * 1024;

/// Runs `start(done)` on the connection's executor and waits for `done(ec)`.
template <typename Start>
boost::system::error_code runOn(net::any_io_executor executor, Start start) {
    std::promise<boost::system::error_code> promise;
    auto future = promise.get_future();
    net::post(executor,
              [&] { start([&promise](boost::system::error_code ec) { promise.set_value(ec); }); });
    return future.get();
}

} // namespace

AgentConnection::AgentConnection(net::io_context& io, net::ssl::context& tls)
    : m_stream(net::make_strand(io), tls) {}

Status AgentConnection::open(const AgentEndpoint& endpoint, std::chrono::milliseconds timeout) {
    m_endpoint = fmt::format("{}:{}", endpoint.host, endpoint.port);
    boost::system::error_code ec;
    auto address = net::ip::make_address(endpoint.host, ec);
    tcp::resolver::results_type resolved;
    if (ec) {
        tcp::resolver resolver(m_stream.get_executor());
        resolved = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
        if (ec) {
            return fail(ErrorCode::Unavailable, fmt::format("cannot resolve node address {}: {}",
                                                            endpoint.host, ec.message()));
        }
    }
    auto& lowest = beast::get_lowest_layer(m_stream);
    ec = runOn(m_stream.get_executor(), [&](auto done) {
        lowest.expires_after(timeout);
        if (resolved.empty()) {
            lowest.async_connect(tcp::endpoint(address, endpoint.port),
                                 [done](boost::system::error_code e) { done(e); });
        } else {
            lowest.async_connect(
                resolved, [done](boost::system::error_code e, const tcp::endpoint&) { done(e); });
        }
    });
    if (ec) {
        return fail(
            ErrorCode::Unavailable,
            fmt::format("cannot connect to the node agent at {}: {}", m_endpoint, ec.message()));
    }
    ec = runOn(m_stream.get_executor(), [&](auto done) {
        lowest.expires_after(timeout);
        m_stream.async_handshake(net::ssl::stream_base::client,
                                 [done](boost::system::error_code e) { done(e); });
    });
    if (ec) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("TLS handshake with the node agent at {} failed: {}", m_endpoint,
                                ec.message()));
    }
    return {};
}

Result<ResponseHead> AgentConnection::request(http::request<http::empty_body>& request,
                                              std::chrono::milliseconds timeout) {
    auto& lowest = beast::get_lowest_layer(m_stream);
    request.set(http::field::host, m_endpoint);
    auto ec = runOn(m_stream.get_executor(), [&](auto done) {
        lowest.expires_after(timeout);
        http::async_write(m_stream, request,
                          [done](boost::system::error_code e, size_t) { done(e); });
    });
    if (ec) {
        return fail(ErrorCode::Unavailable, fmt::format("cannot send to the node agent at {}: {}",
                                                        m_endpoint, ec.message()));
    }
    m_parser = std::make_unique<HeadParser>();
    HeadParser& parser = *m_parser;
    parser.body_limit(ErrorBodyLimit);
    ec = runOn(m_stream.get_executor(), [&](auto done) {
        lowest.expires_after(timeout);
        http::async_read_header(m_stream, m_buffer, parser,
                                [done](boost::system::error_code e, size_t) { done(e); });
    });
    if (ec) {
        return fail(ErrorCode::Unavailable, fmt::format("no answer from the node agent at {}: {}",
                                                        m_endpoint, ec.message()));
    }
    ResponseHead head;
    const auto& message = parser.get();
    head.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
        head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    head.contentType = std::string(message[http::field::content_type]);
    bool error = head.status != 101 && (head.status < 200 || head.status >= 300);
    if (error && !parser.is_done()) {
        ec = runOn(m_stream.get_executor(), [&](auto done) {
            lowest.expires_after(timeout);
            http::async_read(m_stream, m_buffer, parser,
                             [done](boost::system::error_code e, size_t) { done(e); });
        });
        head.body = parser.get().body();
    }
    if (!error) {
        lowest.expires_never();
    }
    return head;
}

void AgentConnection::close() {
    net::post(m_stream.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        beast::get_lowest_layer(self->m_stream)
            .socket()
            .shutdown(tcp::socket::shutdown_both, ignored);
        beast::get_lowest_layer(self->m_stream).socket().close(ignored);
    });
}

} // namespace pilot::nodeproxy
