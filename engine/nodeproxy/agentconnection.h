#pragma once

#include "core/error.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pilot::nodeproxy {

/// Where a node's agent listens, from its Node object.
struct AgentEndpoint {
    std::string host;
    uint16_t port = 0;
};

/// The status line and headers of an agent's response; `body` only for non-2xx/101 answers
/// (read whole, bounded).
struct ResponseHead {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string contentType;
    std::string body;
};

/// One HTTPS connection from the engine to a node agent, presenting the engine's kubelet-client
/// certificate. Opening and the request/response head are synchronous (the caller is a worker
/// thread; the operations run on `io`, bounded by a timeout); afterwards the stream is read and
/// written asynchronously on `io` by the log stream or the exec tunnel that owns it.
class AgentConnection : public std::enable_shared_from_this<AgentConnection> {
public:
    using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    AgentConnection(boost::asio::io_context& io, boost::asio::ssl::context& tls);

    /// Connects and completes the TLS handshake.
    [[nodiscard]] Status open(const AgentEndpoint& endpoint, std::chrono::milliseconds timeout);
    /// Sends a request without a body and reads the response head. For an error status the
    /// (short) body is read too.
    [[nodiscard]] Result<ResponseHead>
    request(boost::beast::http::request<boost::beast::http::empty_body>& request,
            std::chrono::milliseconds timeout);

    Stream& stream() { return m_stream; }
    /// Bytes read past the response head (the body's or the upgraded protocol's first bytes).
    boost::beast::flat_buffer& buffer() { return m_buffer; }
    /// The parser that read the response head, to go on with the body (Beast converts it to
    /// another body type). Null before request().
    using HeadParser = boost::beast::http::response_parser<boost::beast::http::string_body>;
    [[nodiscard]] std::unique_ptr<HeadParser> takeHeadParser() { return std::move(m_parser); }
    [[nodiscard]] std::string endpointText() const { return m_endpoint; }
    /// Closes the socket (thread-safe: posted to the connection's executor).
    void close();

private:
    Stream m_stream;
    boost::beast::flat_buffer m_buffer;
    std::string m_endpoint;
    std::unique_ptr<HeadParser> m_parser;
};

} // namespace pilot::nodeproxy
