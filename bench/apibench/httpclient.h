#pragma once

#include "core/error.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::bench {

namespace net = boost::asio;

/// Where a server listens: `http://H:P` or `https://H:P`.
struct Endpoint {
    std::string host;
    std::string port;
    bool tls = false;

    [[nodiscard]] static Result<Endpoint> parse(std::string_view url);
    [[nodiscard]] std::string url() const;
};

/// A response, or a transport failure (status 0 and `error` set).
struct Response {
    unsigned status = 0;
    std::string body;
    std::string error;

    [[nodiscard]] bool transportFailed() const { return status == 0; }
};

/// Client TLS for the engine: trusts `caFile`, presents `certFile`/`keyFile`.
[[nodiscard]] Result<std::unique_ptr<net::ssl::context>>
makeClientTls(const std::string& caFile, const std::string& certFile, const std::string& keyFile);

/// One keep-alive HTTP/1.1 connection, plain or TLS. Reconnects on the next request after the
/// server closed it or a request failed. Use from one coroutine at a time (its strand).
class HttpClient {
public:
    using Clock = std::chrono::steady_clock;
    /// Called for each record of a streamed body; returning false ends the stream.
    using LineHandler = std::function<bool(std::string_view line)>;
    /// How a streamed body is cut into records: JSON watch events end with a newline; protobuf
    /// watch events are frames with a 4-byte big-endian length in front.
    enum class Framing { Lines, LengthPrefixed };

    HttpClient(net::any_io_executor executor, Endpoint endpoint, net::ssl::context* tls);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Opens the connection (TCP, then the TLS handshake); empty on success, else the error.
    net::awaitable<std::string> connect();

    /// Sends one request and reads the whole response.
    net::awaitable<Response> request(boost::beast::http::verb verb, std::string target,
                                     std::string body = {},
                                     std::string_view accept = "application/json");

    /// Sends a GET whose response body is a stream of records (a watch) and hands each record
    /// to `onLine` until the handler returns false, the server ends the body or `deadline`
    /// passes. `onHeaders` runs once the status line arrived. Lines are asked for as JSON,
    /// length-prefixed frames as Kubernetes protobuf. The connection is closed afterwards.
    net::awaitable<Response> stream(std::string target, std::function<void(unsigned)> onHeaders,
                                    LineHandler onLine, Clock::time_point deadline,
                                    Framing framing = Framing::Lines);

    void close();
    [[nodiscard]] const net::any_io_executor& executor() const { return m_executor; }
    [[nodiscard]] std::uint64_t reconnects() const { return m_reconnects; }

private:
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    template <typename Stream>
    net::awaitable<Response> exchange(Stream& stream, boost::beast::http::verb verb,
                                      const std::string& target, std::string body,
                                      std::string_view accept);
    template <typename Stream>
    net::awaitable<Response> readLines(Stream& stream, const std::string& target,
                                       const std::function<void(unsigned)>& onHeaders,
                                       const LineHandler& onLine, Framing framing);

    boost::beast::tcp_stream& tcp();

    net::any_io_executor m_executor;
    Endpoint m_endpoint;
    net::ssl::context* m_tls;
    std::optional<boost::beast::tcp_stream> m_plain;
    std::optional<TlsStream> m_secure;
    boost::beast::flat_buffer m_buffer;
    bool m_connected = false;
    bool m_everConnected = false;
    std::uint64_t m_reconnects = 0;
};

} // namespace pilot::bench
