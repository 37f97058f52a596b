#include "kube/client/tlsconnection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <fmt/format.h>

#include <openssl/ssl.h>

namespace pilot::kube {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

bool isIpAddress(const std::string& host) {
    boost::system::error_code ec;
    (void)net::ip::make_address(host, ec);
    return !ec;
}

bool staleConnectionError(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
}

} // namespace

Result<ServerAddress> parseServerUrl(std::string_view url) {
    constexpr std::string_view Scheme = "https://";
    if (!url.starts_with(Scheme)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("server {}: only https:// servers are supported", url));
    }
    std::string_view rest = url.substr(Scheme.size());
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    ServerAddress address;
    if (slash != std::string_view::npos) {
        address.basePath = std::string(rest.substr(slash));
        while (!address.basePath.empty() && address.basePath.back() == '/') {
            address.basePath.pop_back();
        }
    }
    std::string_view host = authority;
    std::string_view port;
    if (authority.starts_with('[')) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return fail(ErrorCode::InvalidArgument, fmt::format("server {}: bad IPv6 host", url));
        }
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = authority.substr(close + 2);
        }
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("server {}: no host", url));
    }
    address.host = std::string(host);
    address.port = port.empty() ? "443" : std::string(port);
    address.hostHeader = std::string(authority);
    return address;
}

std::string percentEncode(std::string_view text, bool keepSlash) {
    static constexpr char Hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' ||
            (keepSlash && (c == '/' || c == ':'))) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(Hex[u >> 4]);
            out.push_back(Hex[u & 0xF]);
        }
    }
    return out;
}

std::string requestTarget(const ServerAddress& address, const ApiRequest& request) {
    std::string target = address.basePath + percentEncode(request.path, true);
    char separator = '?';
    for (const auto& [key, value] : request.query) {
        target += separator;
        target += percentEncode(key, false);
        target += '=';
        target += percentEncode(value, false);
        separator = '&';
    }
    return target;
}

TlsConnection::TlsConnection(ssl::context& tls, std::string verifyName)
    : m_stream(m_io, tls), m_verifyName(std::move(verifyName)) {}

TlsConnection::~TlsConnection() {
    abort();
}

void TlsConnection::abort() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(m_stream).socket().close(ignored);
    m_reusable = false;
}

void TlsConnection::runUntil(const bool& done) {
    m_io.restart();
    while (!done && m_io.run_one() > 0) {
    }
}

Error TlsConnection::failure(std::string_view what, const boost::system::error_code& ec) {
    m_reusable = false;
    ErrorCode code = ec == beast::error::timeout ? ErrorCode::Timeout : ErrorCode::Unavailable;
    return Error{code, fmt::format("{} {}: {}", what, m_endpoint, ec.message())};
}

Status TlsConnection::connect(const ServerAddress& address, std::chrono::milliseconds timeout) {
    m_endpoint = address.hostHeader;
    m_stale = false;
    auto& tcpStream = beast::get_lowest_layer(m_stream);
    tcp::resolver resolver(m_io);
    boost::system::error_code ec;
    bool done = false;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(address.host, address.port,
                           [&](boost::system::error_code e, tcp::resolver::results_type r) {
                               ec = e;
                               endpoints = std::move(r);
                               done = true;
                           });
    runUntil(done);
    if (ec) {
        return std::unexpected(failure("cannot resolve", ec));
    }
    done = false;
    tcpStream.expires_after(timeout);
    tcpStream.async_connect(endpoints, [&](boost::system::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    runUntil(done);
    if (ec) {
        return std::unexpected(failure("cannot connect to", ec));
    }
    tcpStream.socket().set_option(tcp::no_delay(true), ec);
    if (!m_verifyName.empty()) {
        if (!isIpAddress(m_verifyName)) {
            SSL_set_tlsext_host_name(m_stream.native_handle(), m_verifyName.c_str());
        }
        m_stream.set_verify_callback(ssl::host_name_verification(m_verifyName));
    }
    done = false;
    tcpStream.expires_after(timeout);
    m_stream.async_handshake(ssl::stream_base::client, [&](boost::system::error_code e) {
        ec = e;
        done = true;
    });
    runUntil(done);
    if (ec) {
        return std::unexpected(failure("TLS handshake with", ec));
    }
    m_reusable = true;
    return {};
}

Result<ApiResponse> TlsConnection::roundTrip(HttpRequest& request,
                                             std::chrono::milliseconds timeout) {
    ResponseParser parser;
    if (auto status = startStreaming(request, parser, timeout); !status) {
        return std::unexpected(status.error());
    }
    if (auto status = readRest(parser, timeout); !status) {
        return std::unexpected(status.error());
    }
    http::response<http::string_body> response = parser.release();
    ApiResponse out;
    out.status = static_cast<int>(response.result_int());
    out.contentType = std::string(response[http::field::content_type]);
    for (const auto& field : response) {
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    m_reusable = m_reusable && response.keep_alive();
    return out;
}

Status TlsConnection::startStreaming(HttpRequest& request, ResponseParser& parser,
                                     std::chrono::milliseconds timeout) {
    m_stale = false;
    auto& tcpStream = beast::get_lowest_layer(m_stream);
    boost::system::error_code ec;
    bool done = false;
    tcpStream.expires_after(timeout);
    http::async_write(m_stream, request, [&](boost::system::error_code e, size_t) {
        ec = e;
        done = true;
    });
    runUntil(done);
    if (ec) {
        m_stale = staleConnectionError(ec);
        return std::unexpected(failure("cannot send a request to", ec));
    }
    parser.body_limit(boost::none);
    done = false;
    tcpStream.expires_after(timeout);
    http::async_read_header(m_stream, m_buffer, parser, [&](boost::system::error_code e, size_t) {
        ec = e;
        done = true;
    });
    runUntil(done);
    if (ec) {
        m_stale = staleConnectionError(ec) && !parser.got_some();
        return std::unexpected(failure("no response from", ec));
    }
    return {};
}

Status TlsConnection::readRest(ResponseParser& parser, std::chrono::milliseconds timeout) {
    boost::system::error_code ec;
    bool done = false;
    beast::get_lowest_layer(m_stream).expires_after(timeout);
    http::async_read(m_stream, m_buffer, parser, [&](boost::system::error_code e, size_t) {
        ec = e;
        done = true;
    });
    runUntil(done);
    if (ec) {
        return std::unexpected(failure("incomplete response from", ec));
    }
    return {};
}

} // namespace pilot::kube
