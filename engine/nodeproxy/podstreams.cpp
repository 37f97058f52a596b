#include "engine/nodeproxy/podstreams.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/read.hpp>

namespace pilot::nodeproxy {

namespace net = boost::asio;
namespace http = boost::beast::http;

namespace {
constexpr size_t PendingLimit = 1024 * 1024;
}

LogStream::LogStream(std::shared_ptr<AgentConnection> connection,
                     std::unique_ptr<AgentConnection::HeadParser> head)
    : m_connection(std::move(connection)), m_head(std::move(head)) {}

void LogStream::start(std::function<void()> wake) {
    m_wake = std::move(wake);
    net::post(m_connection->stream().get_executor(), [self = shared_from_this()] {
        self->m_parser.emplace(std::move(*self->m_head));
        self->m_head.reset();
        self->m_parser->body_limit(boost::none);
        self->read();
    });
}

void LogStream::read() {
    if (m_parser->is_done()) {
        std::lock_guard lock(m_mutex);
        m_finished = true;
        m_wake();
        return;
    }
    m_parser->get().body().data = m_chunk.data();
    m_parser->get().body().size = m_chunk.size();
    http::async_read_some(m_connection->stream(), m_connection->buffer(), *m_parser,
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                              size_t got = self->m_chunk.size() - self->m_parser->get().body().size;
                              if (ec == http::error::need_buffer) {
                                  ec = {};
                              }
                              bool again = false;
                              {
                                  std::lock_guard lock(self->m_mutex);
                                  self->m_pending.append(self->m_chunk.data(), got);
                                  if (ec || self->m_parser->is_done()) {
                                      self->m_finished = true;
                                  } else if (self->m_pending.size() > PendingLimit) {
                                      self->m_paused = true;
                                  } else {
                                      again = true;
                                  }
                              }
                              if (got > 0 || !again) {
                                  self->m_wake();
                              }
                              if (again) {
                                  self->read();
                              }
                          });
}

std::string LogStream::next(bool& finished) {
    std::lock_guard lock(m_mutex);
    std::string out = std::move(m_pending);
    m_pending.clear();
    finished = m_finished;
    if (m_paused && !m_finished) {
        m_paused = false;
        net::post(m_connection->stream().get_executor(),
                  [self = shared_from_this()] { self->read(); });
    }
    return out;
}

void LogStream::cancel() {
    m_connection->close();
}

ExecTunnel::ExecTunnel(std::shared_ptr<AgentConnection> connection,
                       std::vector<std::pair<std::string, std::string>> headers)
    : m_connection(std::move(connection)), m_headers(std::move(headers)) {}

void ExecTunnel::start(std::function<void(std::string)> toClient, std::function<void()> closed) {
    m_toClient = std::move(toClient);
    m_closed = std::move(closed);
    net::post(m_connection->stream().get_executor(), [self = shared_from_this()] {
        auto& buffer = self->m_connection->buffer();
        if (buffer.size() > 0) {
            self->m_toClient(boost::beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
        }
        self->read();
    });
}

void ExecTunnel::read() {
    m_connection->stream().async_read_some(
        net::buffer(m_chunk), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
            if (n > 0) {
                self->m_toClient(std::string(self->m_chunk.data(), n));
            }
            if (ec) {
                return self->finish();
            }
            self->read();
        });
}

void ExecTunnel::write(std::string data) {
    net::post(m_connection->stream().get_executor(),
              [self = shared_from_this(), data = std::move(data)]() mutable {
                  self->m_out.push_back(std::move(data));
                  self->writeNext();
              });
}

void ExecTunnel::writeNext() {
    if (m_writing || m_out.empty() || m_finished) {
        return;
    }
    m_writing = true;
    net::async_write(m_connection->stream(), net::buffer(m_out.front()),
                     [self = shared_from_this()](boost::system::error_code ec, size_t) {
                         self->m_writing = false;
                         self->m_out.pop_front();
                         if (ec) {
                             return self->finish();
                         }
                         self->writeNext();
                     });
}

void ExecTunnel::finish() {
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_connection->close();
    if (m_closed) {
        m_closed();
    }
}

void ExecTunnel::close() {
    net::post(m_connection->stream().get_executor(), [self = shared_from_this()] {
        self->m_finished = true;
        self->m_connection->close();
    });
}

} // namespace pilot::nodeproxy
