#include "kube/client/httpeventstream.h"

#include <boost/beast/http/read.hpp>

namespace pilot::kube {

namespace beast = boost::beast;
namespace http = boost::beast::http;

HttpEventStream::HttpEventStream(std::unique_ptr<TlsConnection> connection,
                                 std::unique_ptr<TlsConnection::ResponseParser> parser)
    : m_connection(std::move(connection)), m_parser(std::move(parser)) {
    m_chunkCallback = [this](std::uint64_t remain, std::string_view data,
                             boost::system::error_code& ec) { return onChunk(remain, data, ec); };
    m_parser->on_chunk_body(m_chunkCallback);
    // Bytes of the body that arrived with the header are already in the parser's body.
    m_decoder.feed(m_parser->get().body());
    m_parser->get().body().clear();
    m_finished = m_parser->is_done();
}

HttpEventStream::~HttpEventStream() {
    m_connection->abort();
}

std::size_t HttpEventStream::onChunk(std::uint64_t, std::string_view data,
                                     boost::system::error_code&) {
    m_decoder.feed(data);
    return data.size();
}

void HttpEventStream::startRead() {
    m_reading = true;
    beast::get_lowest_layer(m_connection->stream()).expires_never();
    http::async_read_some(m_connection->stream(), m_connection->buffer(), *m_parser,
                          [this](boost::system::error_code ec, std::size_t) {
                              m_reading = false;
                              // A body without chunked framing lands in the parser's body.
                              std::string& body = m_parser->get().body();
                              if (!body.empty()) {
                                  m_decoder.feed(body);
                                  body.clear();
                              }
                              if (ec) {
                                  m_finished = true;
                                  if (ec != http::error::end_of_stream &&
                                      ec != boost::asio::error::eof) {
                                      m_error = ec;
                                  }
                              } else if (m_parser->is_done()) {
                                  m_finished = true;
                              }
                          });
}

StreamRead HttpEventStream::next(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    StreamRead read;
    while (true) {
        {
            std::lock_guard lock(m_mutex);
            if (m_closed) {
                return read; // End
            }
        }
        if (auto event = m_decoder.next()) {
            if (!*event) {
                read.status = StreamRead::Status::Failed;
                read.error = event->error();
                return read;
            }
            read.status = StreamRead::Status::Event;
            read.event = std::move(**event);
            return read;
        }
        if (m_finished) {
            if (m_error) {
                read.status = StreamRead::Status::Failed;
                read.error =
                    Error{ErrorCode::Unavailable, "watch stream broken: " + m_error.message()};
            }
            return read; // End
        }
        if (!m_reading) {
            startRead();
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            read.status = StreamRead::Status::Timeout;
            return read;
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_closed) {
                return read;
            }
            m_connection->io().restart();
        }
        m_connection->io().run_one_for(deadline - now);
    }
}

void HttpEventStream::close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_connection->io().stop();
}

} // namespace pilot::kube
