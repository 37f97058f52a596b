#pragma once

#include "core/error.h"
#include "nodeagent/image/registryhosts.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace pilot::agent::image {

/// A response header; the body is read separately (streamed or whole).
struct HttpResponseHead {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    bool hasContentLength = false;
    uint64_t contentLength = 0;

    /// The first header of that name (case-insensitive), or "".
    [[nodiscard]] std::string header(std::string_view name) const;
    /// Every value of a header (WWW-Authenticate may repeat).
    [[nodiscard]] std::vector<std::string> headerValues(std::string_view name) const;
};

struct HttpRequestSpec {
    std::string method = "GET";
    std::string target; ///< Path and query, already encoded.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// Receives body bytes as they arrive; a failure stops the transfer and is returned.
using BodySink = std::function<Status(const char* data, size_t size)>;

/// One blocking HTTP/1.1 connection (plain or TLS) over Boost.Beast, with every step bounded by
/// a timeout. Used by one thread at a time; bodies stream in bounded chunks so blobs of any size
/// never sit whole in memory.
class HttpConnection {
public:
    /// `tls` must outlive the connection; it is ignored for http endpoints.
    HttpConnection(boost::asio::ssl::context& tls, std::chrono::milliseconds connectTimeout,
                   std::chrono::milliseconds readTimeout);
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    /// Resolves, connects and (for https) completes the handshake. A TLS failure is reported
    /// with ErrorCode::Unavailable and `tlsFailed()` set.
    [[nodiscard]] Status connect(const RegistryEndpoint& endpoint);
    /// Sends a request and reads the response header. The body must then be consumed with
    /// readBody/readBodyString (or the connection dropped) before the next request.
    [[nodiscard]] Result<HttpResponseHead> send(const HttpRequestSpec& request);
    /// The next piece of the body (at most 256 KiB, valid until the next call); an empty view
    /// once the body is complete.
    [[nodiscard]] Result<std::string_view> nextChunk();
    /// Streams the rest of the body into `sink`.
    [[nodiscard]] Status readBody(const BodySink& sink);
    /// Reads the body whole; InvalidArgument when it exceeds `limit` bytes.
    [[nodiscard]] Result<std::string> readBodyString(size_t limit);

    [[nodiscard]] bool reusable() const;
    [[nodiscard]] bool tlsFailed() const;
    [[nodiscard]] const RegistryEndpoint& endpoint() const;
    /// Whether the last send failed in a way that suggests a stale keep-alive connection.
    [[nodiscard]] bool failedAsStale() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace pilot::agent::image
