#pragma once

// Internal to pilot::client: one blocking HTTPS connection over Boost.Beast, used by
// HttpApiClient for pooled requests and, one per stream, for watches.

#include "core/error.h"
#include "kube/client/apiclient.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace pilot::kube {

/// The parts of a kubeconfig `server` URL.
struct ServerAddress {
    std::string host;       ///< Without brackets for IPv6.
    std::string port;       ///< Defaults to 443.
    std::string basePath;   ///< Prefix before every API path (no trailing slash), often empty.
    std::string hostHeader; ///< `host:port` as sent in the Host header.
};

/// Parses `https://host[:port][/prefix]`. InvalidArgument for other schemes or a missing host.
[[nodiscard]] Result<ServerAddress> parseServerUrl(std::string_view url);

/// Percent-encodes a path (keeping `/`) or a query component.
[[nodiscard]] std::string percentEncode(std::string_view text, bool keepSlash);

/// The request target for an ApiRequest: base path, encoded path and query.
[[nodiscard]] std::string requestTarget(const ServerAddress& address, const ApiRequest& request);

/// One TLS connection driven synchronously on the calling thread (its own io_context; every
/// operation bounded by a timeout through the TCP stream's expiry). Used by one thread at a
/// time.
class TlsConnection {
public:
    using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
    using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

    /// `verifyName`: the name the server certificate must carry (empty: no name check).
    TlsConnection(boost::asio::ssl::context& tls, std::string verifyName);
    ~TlsConnection();
    TlsConnection(const TlsConnection&) = delete;
    TlsConnection& operator=(const TlsConnection&) = delete;

    /// Resolves, connects and completes the TLS handshake.
    [[nodiscard]] Status connect(const ServerAddress& address, std::chrono::milliseconds timeout);
    /// Writes a request and reads the whole response.
    [[nodiscard]] Result<ApiResponse> roundTrip(HttpRequest& request,
                                                std::chrono::milliseconds timeout);
    /// Writes a request and reads only the response header into `parser`.
    [[nodiscard]] Status startStreaming(HttpRequest& request, ResponseParser& parser,
                                        std::chrono::milliseconds timeout);
    /// After startStreaming: reads the rest of a (short, error) response body.
    [[nodiscard]] Status readRest(ResponseParser& parser, std::chrono::milliseconds timeout);

    /// Whether the connection may carry another request (keep-alive, no error so far).
    [[nodiscard]] bool reusable() const { return m_reusable; }
    /// Whether the last failure looks like the server having closed an idle connection, so the
    /// request can be retried on a fresh one.
    [[nodiscard]] bool failedAsStale() const { return m_stale; }

    boost::asio::io_context& io() { return m_io; }
    boost::beast::ssl_stream<boost::beast::tcp_stream>& stream() { return m_stream; }
    boost::beast::flat_buffer& buffer() { return m_buffer; }
    /// Closes the socket without a TLS shutdown.
    void abort();

private:
    /// Runs the io_context until the started operation's handler ran.
    void runUntil(const bool& done);
    [[nodiscard]] Error failure(std::string_view what, const boost::system::error_code& ec);

    boost::asio::io_context m_io;
    boost::beast::ssl_stream<boost::beast::tcp_stream> m_stream;
    boost::beast::flat_buffer m_buffer;
    std::string m_verifyName;
    std::string m_endpoint;
    bool m_reusable = false;
    bool m_stale = false;
};

} // namespace pilot::kube
