#pragma once

// Internal to pilot::client: a watch response read incrementally from its own connection.

#include "kube/client/eventstream.h"
#include "kube/client/tlsconnection.h"

#include <cstdint>
#include <memory>
#include <mutex>

namespace pilot::kube {

/// Reads the chunked body of a `200 OK` watch response that `connection` has started
/// (TlsConnection::startStreaming), decoding newline-framed events as bytes arrive. `next` runs
/// the connection's io_context on the caller's thread for at most the timeout; `close` stops it
/// from any thread.
class HttpEventStream final : public EventStream {
public:
    HttpEventStream(std::unique_ptr<TlsConnection> connection,
                    std::unique_ptr<TlsConnection::ResponseParser> parser);
    ~HttpEventStream() override;

    [[nodiscard]] StreamRead next(std::chrono::milliseconds timeout) override;
    void close() override;

private:
    void startRead();
    std::size_t onChunk(std::uint64_t remain, std::string_view data, boost::system::error_code& ec);

    std::unique_ptr<TlsConnection> m_connection;
    std::unique_ptr<TlsConnection::ResponseParser> m_parser;
    std::function<std::size_t(std::uint64_t, std::string_view, boost::system::error_code&)>
        m_chunkCallback;
    WatchEventDecoder m_decoder;
    bool m_reading = false;
    bool m_finished = false;
    boost::system::error_code m_error;

    std::mutex m_mutex; // guards m_closed and the io_context's restart/stop
    bool m_closed = false;
};

} // namespace pilot::kube
