#include "nodeagent/image/httpconnection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>

#include <openssl/ssl.h>

#include <optional>
#include <strings.h>
#include <vector>

namespace pilot::agent::image {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr size_t ChunkSize = 256 * 1024;

bool staleError(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
}

bool isIpAddress(const std::string& host) {
    boost::system::error_code ec;
    (void)net::ip::make_address(host, ec);
    return !ec;
}

} // namespace

std::string HttpResponseHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
            return value;
        }
    }
    return {};
}

std::vector<std::string> HttpResponseHead::headerValues(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
            out.push_back(value);
        }
    }
    return out;
}

struct HttpConnection::Impl {
    net::io_context io;
    ssl::context& tls;
    std::chrono::milliseconds connectTimeout;
    std::chrono::milliseconds readTimeout;
    RegistryEndpoint endpoint;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    std::optional<http::response_parser<http::buffer_body>> parser;
    std::vector<char> chunk;
    bool reusable = false;
    bool tlsFailed = false;
    bool stale = false;

    Impl(ssl::context& context, std::chrono::milliseconds connect, std::chrono::milliseconds read)
        : tls(context), connectTimeout(connect), readTimeout(read) {}

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

    void runUntil(const bool& done) {
        io.restart();
        while (!done && io.run_one() > 0) {
        }
    }

    Error failure(std::string_view what, const boost::system::error_code& ec) {
        reusable = false;
        ErrorCode code = ec == beast::error::timeout ? ErrorCode::Timeout : ErrorCode::Unavailable;
        return Error{code, fmt::format("{} {}: {}", what, endpoint.url(), ec.message())};
    }

    template <typename Op>
    boost::system::error_code run(Op op) {
        boost::system::error_code ec;
        bool done = false;
        auto handler = [&](boost::system::error_code e, auto&&...) {
            ec = e;
            done = true;
        };
        if (secure) {
            op(*secure, handler);
        } else {
            op(*plain, handler);
        }
        runUntil(done);
        return ec;
    }

    void close() {
        boost::system::error_code ignored;
        if (secure || plain) {
            lowest().socket().close(ignored);
        }
        reusable = false;
    }
};

HttpConnection::HttpConnection(ssl::context& tls, std::chrono::milliseconds connectTimeout,
                               std::chrono::milliseconds readTimeout)
    : m_impl(std::make_unique<Impl>(tls, connectTimeout, readTimeout)) {}

HttpConnection::~HttpConnection() {
    m_impl->close();
}

bool HttpConnection::reusable() const {
    return m_impl->reusable;
}

bool HttpConnection::tlsFailed() const {
    return m_impl->tlsFailed;
}

bool HttpConnection::failedAsStale() const {
    return m_impl->stale;
}

const RegistryEndpoint& HttpConnection::endpoint() const {
    return m_impl->endpoint;
}

Status HttpConnection::connect(const RegistryEndpoint& endpoint) {
    Impl& d = *m_impl;
    d.close();
    d.endpoint = endpoint;
    d.tlsFailed = false;
    d.buffer.clear();
    // Beast reads at most the buffer's free capacity per call (at least 512 bytes): without
    // room, a blob would arrive in slices of a few KiB at a tenth of the loopback speed.
    d.buffer.reserve(ChunkSize);
    d.plain.reset();
    d.secure.reset();
    if (endpoint.https()) {
        d.secure.emplace(d.io, d.tls);
    } else {
        d.plain.emplace(d.io);
    }
    tcp::resolver resolver(d.io);
    boost::system::error_code ec;
    bool done = false;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(endpoint.host, endpoint.port,
                           [&](boost::system::error_code e, tcp::resolver::results_type r) {
                               ec = e;
                               endpoints = std::move(r);
                               done = true;
                           });
    d.runUntil(done);
    if (ec) {
        return std::unexpected(d.failure("cannot resolve", ec));
    }
    done = false;
    d.lowest().expires_after(d.connectTimeout);
    d.lowest().async_connect(endpoints, [&](boost::system::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    d.runUntil(done);
    if (ec) {
        return std::unexpected(d.failure("cannot connect to", ec));
    }
    d.lowest().socket().set_option(tcp::no_delay(true), ec);
    if (d.secure) {
        if (!isIpAddress(endpoint.host)) {
            SSL_set_tlsext_host_name(d.secure->native_handle(), endpoint.host.c_str());
        }
        if (endpoint.skipVerify) {
            d.secure->set_verify_mode(ssl::verify_none);
        } else {
            d.secure->set_verify_mode(ssl::verify_peer);
            d.secure->set_verify_callback(ssl::host_name_verification(endpoint.host));
        }
        done = false;
        d.lowest().expires_after(d.connectTimeout);
        d.secure->async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
            ec = e;
            done = true;
        });
        d.runUntil(done);
        if (ec) {
            d.tlsFailed = true;
            return std::unexpected(d.failure("TLS handshake with", ec));
        }
    }
    d.reusable = true;
    return {};
}

Result<HttpResponseHead> HttpConnection::send(const HttpRequestSpec& spec) {
    Impl& d = *m_impl;
    d.stale = false;
    http::request<http::string_body> request;
    http::verb verb = http::string_to_verb(spec.method);
    request.method(verb == http::verb::unknown ? http::verb::get : verb);
    request.target(spec.target);
    request.version(11);
    request.set(http::field::host, d.endpoint.hostHeader);
    for (const auto& [name, value] : spec.headers) {
        request.set(name, value);
    }
    request.body() = spec.body;
    request.prepare_payload();
    d.lowest().expires_after(d.readTimeout);
    auto ec =
        d.run([&](auto& stream, auto handler) { http::async_write(stream, request, handler); });
    if (ec) {
        d.stale = staleError(ec);
        return std::unexpected(d.failure("cannot send a request to", ec));
    }
    d.parser.emplace();
    d.parser->body_limit(boost::none);
    if (request.method() == http::verb::head) {
        d.parser->skip(true);
    }
    d.lowest().expires_after(d.readTimeout);
    ec = d.run([&](auto& stream, auto handler) {
        http::async_read_header(stream, d.buffer, *d.parser, handler);
    });
    if (ec) {
        d.stale = staleError(ec) && !d.parser->got_some();
        return std::unexpected(d.failure("no response from", ec));
    }
    const auto& message = d.parser->get();
    HttpResponseHead head;
    head.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
        head.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (auto length = d.parser->content_length()) {
        head.hasContentLength = true;
        head.contentLength = *length;
    }
    d.reusable = message.keep_alive();
    return head;
}

Result<std::string_view> HttpConnection::nextChunk() {
    Impl& d = *m_impl;
    if (!d.parser) {
        return std::string_view();
    }
    if (d.chunk.size() != ChunkSize) {
        d.chunk.resize(ChunkSize);
    }
    while (!d.parser->is_done()) {
        auto& body = d.parser->get().body();
        body.data = d.chunk.data();
        body.size = d.chunk.size();
        d.lowest().expires_after(d.readTimeout);
        auto ec = d.run([&](auto& stream, auto handler) {
            http::async_read_some(stream, d.buffer, *d.parser, handler);
        });
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            d.parser.reset();
            return std::unexpected(d.failure("incomplete response from", ec));
        }
        size_t got = d.chunk.size() - d.parser->get().body().size;
        if (got > 0) {
            return std::string_view(d.chunk.data(), got);
        }
    }
    d.parser.reset();
    return std::string_view();
}

Status HttpConnection::readBody(const BodySink& sink) {
    while (true) {
        auto chunk = nextChunk();
        if (!chunk) {
            return std::unexpected(chunk.error());
        }
        if (chunk->empty()) {
            return {};
        }
        if (auto status = sink(chunk->data(), chunk->size()); !status) {
            m_impl->close();
            m_impl->parser.reset();
            return status;
        }
    }
}

Result<std::string> HttpConnection::readBodyString(size_t limit) {
    std::string out;
    auto status = readBody([&](const char* data, size_t size) -> Status {
        if (out.size() + size > limit) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("response from {} larger than {} bytes", m_impl->endpoint.url(),
                                    limit));
        }
        out.append(data, size);
        return {};
    });
    if (!status) {
        return std::unexpected(status.error());
    }
    return out;
}

} // namespace pilot::agent::image
