#include "engine/apiserver/httpserver.h"
#include "core/threadname.h"

#include "core/log.h"
#include "engine/apiserver/apierror.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

#include <atomic>
#include <deque>
#include <iterator>
#include <mutex>
#include <thread>

namespace pilot::apiserver {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto HandshakeTimeout = std::chrono::seconds(10);
constexpr size_t HeaderLimit = 1024 * 1024;
constexpr size_t DrainLimit = 64 * 1024 * 1024;

class Session;

} // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    TlsConfigurer tls;
    Authenticate authenticate;
    Handler handler;

    net::io_context io;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    ssl::context sslContext{ssl::context::tls_server};
    std::unique_ptr<tcp::acceptor> acceptor;
    /// Handlers run here, off the I/O threads (they may wait for a store commit).
    net::io_context workers;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> workersWork;
    std::vector<std::thread> workerThreads;
    std::vector<std::thread> ioThreads;
    std::atomic<bool> stopping{false};
    /// Open sessions, so stop() can close idle keep-alive connections at once instead of
    /// waiting for their read timeout.
    std::mutex sessionsMutex;
    std::vector<std::weak_ptr<Session>> sessions;

    void accept();
    void track(const std::shared_ptr<Session>& session);
    void closeIdleSessions();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, HttpServer::Impl& server)
        : m_stream(std::move(socket), server.sslContext), m_server(server),
          m_ticker(m_stream.get_executor()) {}

    /// On stop: a connection waiting for its next request closes now; a watch ends cleanly.
    void stopIfIdle() {
        net::post(m_stream.get_executor(), [self = shared_from_this()] {
            if (self->m_responseStream) {
                self->finishStream();
            } else if (self->m_tunnel) {
                self->endTunnel();
            } else if (self->m_awaitingRequest) {
                self->close();
            }
        });
    }

    void run() {
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] {
            beast::get_lowest_layer(self->m_stream).expires_after(HandshakeTimeout);
            self->m_stream.async_handshake(ssl::stream_base::server,
                                           [self](beast::error_code ec) { self->onHandshake(ec); });
        });
    }

private:
    void onHandshake(beast::error_code ec) {
        if (ec) {
            return close();
        }
        doRead();
    }

    void doRead() {
        if (m_server.stopping) {
            return shutdown();
        }
        m_parser.emplace();
        m_parser->body_limit(m_server.options.bodyLimit);
        m_parser->header_limit(HeaderLimit);
        beast::get_lowest_layer(m_stream).expires_after(m_server.options.readTimeout);
        m_awaitingRequest = true;
        http::async_read(
            m_stream, m_buffer, *m_parser,
            [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
    }

    void onRead(beast::error_code ec) {
        m_awaitingRequest = false;
        if (ec == http::error::body_limit) {
            return rejectAndDrain(tooLarge(m_server.options.bodyLimit));
        }
        if (ec == http::error::header_limit) {
            ApiError e = badRequest("request header too large");
            e.code = 431;
            e.reason = "RequestHeaderFieldsTooLarge";
            return rejectAndDrain(e);
        }
        if (ec) {
            // EOF, timeout, TLS failure, malformed HTTP: nothing useful can be answered.
            if (ec != http::error::end_of_stream && ec != net::error::eof &&
                ec != beast::error::timeout && m_parser && m_parser->got_some() &&
                ec.category() == http::make_error_code(http::error::bad_target).category()) {
                return rejectAndDrain(badRequest("malformed HTTP request: " + ec.message()));
            }
            return close();
        }
        beast::get_lowest_layer(m_stream).expires_never();
        http::request<http::string_body> raw = m_parser->release();
        m_keepAlive = raw.keep_alive();

        auto request = std::make_shared<Request>();
        request->method = std::string(raw.method_string());
        std::string_view target = raw.target();
        size_t q = target.find('?');
        request->path = percentDecode(target.substr(0, q), false);
        if (q != std::string_view::npos) {
            request->query = parseQuery(target.substr(q + 1));
        }
        for (const auto& field : raw) {
            request->headers.emplace_back(std::string(field.name_string()),
                                          std::string(field.value()));
        }
        request->contentType = std::string(raw[http::field::content_type]);
        request->accept = std::string(raw[http::field::accept]);
        request->userAgent = std::string(raw[http::field::user_agent]);
        request->websocketUpgrade = beast::iequals(raw[http::field::upgrade], "websocket");
        request->body = std::move(raw.body());
        m_server.authenticate(*request, m_stream.native_handle());

        m_requestLine = request->method + " " + request->path;
        if (m_server.options.runsInline && m_server.options.runsInline(*request)) {
            deliver(guarded([&] { return m_server.handler(*request); }));
            return;
        }
        net::post(m_server.workers, [self = shared_from_this(), request] {
            self->deliver(self->guarded([&] { return self->m_server.handler(*request); }));
        });
    }

    /// Runs one step of a handler, turning an exception into a 500.
    template <typename Step>
    HandlerResult guarded(Step&& step) const {
        try {
            return step();
        } catch (const std::exception& e) {
            log::error("http", "handler failed for {}: {}", m_requestLine, e.what());
            ApiError error = internalError(e.what());
            HandlerResult result;
            result.response = Response{error.code, "application/json", statusJson(error), {}};
            return result;
        }
    }

    /// Sends a handler's result; a deferred one first waits for its resumption, then runs the
    /// continuation on this connection's executor (never on the thread that resumed it).
    /// Called from any thread.
    void deliver(HandlerResult result) {
        if (result.deferred) {
            // Until it resumes, the request keeps the I/O threads running through stop().
            auto work = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(
                m_server.io.get_executor());
            Resume resume = [self = shared_from_this(), work](Continuation next) {
                net::post(self->m_stream.get_executor(), [self, work, next = std::move(next)] {
                    self->deliver(self->guarded(next));
                });
            };
            HandlerResult started = guarded([&] {
                result.deferred(std::move(resume));
                return HandlerResult{};
            });
            if (!started.response.body.empty()) {
                deliver(std::move(started)); // the wait could not even start
            }
            return;
        }
        net::dispatch(m_stream.get_executor(),
                      [self = shared_from_this(), result = std::move(result)]() mutable {
                          if (result.tunnel) {
                              self->startTunnel(std::move(result.tunnel));
                          } else if (result.stream) {
                              self->startStream(std::move(result.stream));
                          } else {
                              self->writeResponse(std::move(result.response));
                          }
                      });
    }

    void writeResponse(Response response) {
        auto res = std::make_shared<http::response<http::string_body>>();
        res->result(static_cast<unsigned>(response.status));
        res->version(11);
        res->set(http::field::content_type, response.contentType);
        res->set("Audit-Id", std::to_string(reinterpret_cast<uintptr_t>(this)));
        for (const auto& [k, v] : response.headers) {
            res->set(k, v);
        }
        res->body() = std::move(response.body);
        res->keep_alive(m_keepAlive && !m_server.stopping);
        res->prepare_payload();
        bool keep = res->keep_alive();
        http::async_write(m_stream, *res,
                          [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
                              if (ec) {
                                  return self->close();
                              }
                              if (!keep) {
                                  return self->shutdown();
                              }
                              self->doRead();
                          });
    }

    /// Answers an unreadable request, then reads and discards what the client still sends
    /// (bounded) so that it sees the answer instead of a reset connection.
    void rejectAndDrain(const ApiError& error) {
        auto res = std::make_shared<http::response<http::string_body>>();
        res->result(static_cast<unsigned>(error.code));
        res->version(11);
        res->set(http::field::content_type, "application/json");
        res->set(http::field::connection, "close");
        res->body() = statusJson(error);
        res->prepare_payload();
        http::async_write(
            m_stream, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
                if (ec) {
                    return self->close();
                }
                beast::get_lowest_layer(self->m_stream).expires_after(std::chrono::seconds(5));
                self->drain();
            });
    }

    void drain() {
        m_stream.async_read_some(net::buffer(m_drainBuffer),
                                 [self = shared_from_this()](beast::error_code ec, size_t n) {
                                     self->m_drained += n;
                                     if (ec || self->m_drained > DrainLimit) {
                                         return self->close();
                                     }
                                     self->drain();
                                 });
    }

    void startStream(std::shared_ptr<ResponseStream> stream) {
        m_responseStream = std::move(stream);
        auto header = std::make_shared<http::response<http::empty_body>>();
        header->result(static_cast<unsigned>(m_responseStream->status()));
        header->version(11);
        header->set(http::field::content_type, m_responseStream->contentType());
        header->set(http::field::cache_control, "no-cache, private");
        header->set(http::field::connection, "close");
        header->chunked(true);
        auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
        m_writing = true;
        http::async_write_header(
            m_stream, *serializer,
            [self = shared_from_this(), header, serializer](beast::error_code ec, size_t) {
                self->m_writing = false;
                if (ec) {
                    return self->endStream();
                }
                std::weak_ptr<Session> weak = self;
                self->m_responseStream->start([weak] {
                    if (auto s = weak.lock()) {
                        net::post(s->m_stream.get_executor(), [s] { s->pump(); });
                    }
                });
                self->watchForDisconnect();
                self->tick();
                self->pump();
            });
    }

    /// Switches the connection to a byte tunnel: 101, then client bytes go to the tunnel and the
    /// tunnel's bytes to the client, in order, until either side closes.
    void startTunnel(std::shared_ptr<Tunnel> tunnel) {
        auto header = std::make_shared<http::response<http::empty_body>>();
        header->result(http::status::switching_protocols);
        header->version(11);
        for (const auto& [k, v] : tunnel->headers()) {
            header->set(k, v);
        }
        auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*header);
        m_tunnel = std::move(tunnel);
        m_writing = true;
        http::async_write_header(
            m_stream, *serializer,
            [self = shared_from_this(), header, serializer](beast::error_code ec, size_t) {
                self->m_writing = false;
                if (ec) {
                    return self->endTunnel();
                }
                beast::get_lowest_layer(self->m_stream).expires_never();
                std::weak_ptr<Session> weak = self;
                self->m_tunnel->start(
                    [weak](std::string data) {
                        if (auto s = weak.lock()) {
                            net::post(s->m_stream.get_executor(),
                                      [s, data = std::move(data)]() mutable {
                                          s->m_tunnelOut.push_back(std::move(data));
                                          s->writeTunnel();
                                      });
                        }
                    },
                    [weak] {
                        if (auto s = weak.lock()) {
                            net::post(s->m_stream.get_executor(), [s] {
                                s->m_upstreamClosed = true;
                                s->writeTunnel();
                            });
                        }
                    });
                if (self->m_buffer.size() > 0) {
                    self->m_tunnel->write(beast::buffers_to_string(self->m_buffer.data()));
                    self->m_buffer.consume(self->m_buffer.size());
                }
                self->readTunnel();
            });
    }

    void readTunnel() {
        m_stream.async_read_some(net::buffer(m_drainBuffer), [self = shared_from_this()](
                                                                 beast::error_code ec, size_t n) {
            if (!self->m_tunnel) {
                return;
            }
            if (ec) {
                self->m_clientGone = true;
                return self->endTunnel();
            }
            self->m_tunnel->write(std::string(self->m_drainBuffer.data(), n));
            self->readTunnel();
        });
    }

    void writeTunnel() {
        if (m_writing || !m_tunnel) {
            return;
        }
        if (m_tunnelOut.empty()) {
            if (m_upstreamClosed) {
                endTunnel();
            }
            return;
        }
        auto buffer = std::make_shared<std::string>(std::move(m_tunnelOut.front()));
        m_tunnelOut.pop_front();
        m_writing = true;
        net::async_write(m_stream, net::buffer(*buffer),
                         [self = shared_from_this(), buffer](beast::error_code ec, size_t) {
                             self->m_writing = false;
                             if (ec) {
                                 self->m_clientGone = true;
                                 return self->endTunnel();
                             }
                             self->writeTunnel();
                         });
    }

    void endTunnel() {
        if (m_tunnel) {
            m_tunnel->close();
            m_tunnel.reset();
        }
        m_tunnelOut.clear();
        if (m_clientGone) {
            return close();
        }
        shutdown();
    }

    void watchForDisconnect() {
        m_stream.async_read_some(net::buffer(m_drainBuffer),
                                 [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (ec) {
                                         self->m_clientGone = true;
                                         self->endStream();
                                         return;
                                     }
                                     if (self->m_responseStream) {
                                         self->watchForDisconnect();
                                     }
                                 });
    }

    void tick() {
        m_ticker.expires_after(std::chrono::seconds(1));
        m_ticker.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || !self->m_responseStream) {
                return;
            }
            if (self->m_server.stopping) {
                return self->finishStream();
            }
            self->pump();
            self->tick();
        });
    }

    void pump() {
        if (m_writing || !m_responseStream) {
            return;
        }
        bool finished = false;
        std::string data = m_responseStream->next(finished);
        if (data.empty()) {
            if (finished) {
                finishStream();
            }
            return;
        }
        // The chunk framed in one buffer: written as a sequence of pieces, the TLS stream
        // sends a batch larger than one record as three writes, two of them a record and a
        // system call for a few bytes of framing.
        auto buffer = std::make_shared<std::string>();
        buffer->reserve(data.size() + 20);
        fmt::format_to(std::back_inserter(*buffer), "{:x}\r\n", data.size());
        buffer->append(data);
        buffer->append("\r\n");
        m_writing = true;
        net::async_write(
            m_stream, net::buffer(*buffer),
            [self = shared_from_this(), buffer, finished](beast::error_code ec, size_t) {
                self->m_writing = false;
                if (ec) {
                    return self->endStream();
                }
                if (finished) {
                    return self->finishStream();
                }
                self->pump();
            });
    }

    void finishStream() {
        if (!m_responseStream || m_writing) {
            return;
        }
        m_writing = true;
        net::async_write(m_stream, http::make_chunk_last(),
                         [self = shared_from_this()](beast::error_code, size_t) {
                             self->m_writing = false;
                             self->endStream();
                         });
    }

    void endStream() {
        if (m_responseStream) {
            m_responseStream->cancel();
            m_responseStream.reset();
        }
        m_ticker.cancel();
        if (m_clientGone) {
            return close();
        }
        shutdown();
    }

    void shutdown() {
        beast::get_lowest_layer(m_stream).expires_after(std::chrono::seconds(2));
        m_stream.async_shutdown([self = shared_from_this()](beast::error_code) { self->close(); });
    }

    void close() {
        beast::error_code ignored;
        beast::get_lowest_layer(m_stream).socket().close(ignored);
        m_ticker.cancel();
        if (m_tunnel) {
            m_tunnel->close();
            m_tunnel.reset();
        }
        if (m_responseStream) {
            m_responseStream->cancel();
            m_responseStream.reset();
        }
    }

    bool m_awaitingRequest = false;
    beast::ssl_stream<beast::tcp_stream> m_stream;
    HttpServer::Impl& m_server;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    bool m_keepAlive = true;
    std::string m_requestLine; // method and path of the request being served, for logs
    std::shared_ptr<ResponseStream> m_responseStream;
    std::shared_ptr<Tunnel> m_tunnel;
    std::deque<std::string> m_tunnelOut;
    bool m_upstreamClosed = false;
    net::steady_timer m_ticker;
    bool m_writing = false;
    bool m_clientGone = false;
    std::array<char, 65536> m_drainBuffer{};
    size_t m_drained = 0;
};

} // namespace

void HttpServer::Impl::accept() {
    acceptor->async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
        if (stopping) {
            return;
        }
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            auto session = std::make_shared<Session>(std::move(socket), *this);
            track(session);
            session->run();
        }
        accept();
    });
}

void HttpServer::Impl::track(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(sessionsMutex);
    if (sessions.size() >= 64 && (sessions.size() & (sessions.size() - 1)) == 0) {
        std::erase_if(sessions, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    }
    sessions.push_back(session);
}

void HttpServer::Impl::closeIdleSessions() {
    std::vector<std::shared_ptr<Session>> open;
    {
        std::lock_guard lock(sessionsMutex);
        for (const std::weak_ptr<Session>& weak : sessions) {
            if (auto session = weak.lock()) {
                open.push_back(std::move(session));
            }
        }
        sessions.clear();
    }
    for (const auto& session : open) {
        session->stopIfIdle();
    }
}

HttpServer::HttpServer(HttpServerOptions options, TlsConfigurer tls, Authenticate authenticate,
                       Handler handler)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    m_impl->tls = std::move(tls);
    m_impl->authenticate = std::move(authenticate);
    m_impl->handler = std::move(handler);
}

HttpServer::~HttpServer() {
    stop();
}

Result<uint16_t> HttpServer::start() {
    Impl& d = *m_impl;
    if (auto status = d.tls(d.sslContext.native_handle()); !status) {
        return std::unexpected(status.error());
    }
    beast::error_code ec;
    auto address =
        net::ip::make_address(d.options.host == "localhost" ? "127.0.0.1" : d.options.host, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument, "invalid listen address " + d.options.host);
    }
    tcp::endpoint endpoint(address, d.options.port);
    d.acceptor = std::make_unique<tcp::acceptor>(net::make_strand(d.io));
    d.acceptor->open(endpoint.protocol(), ec);
    if (!ec) {
        d.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        d.acceptor->bind(endpoint, ec);
    }
    if (!ec) {
        d.acceptor->listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return fail(ErrorCode::Unavailable, "cannot listen on " + d.options.host + ":" +
                                                std::to_string(d.options.port) + ": " +
                                                ec.message());
    }
    uint16_t port = d.acceptor->local_endpoint().port();
    d.workersWork.emplace(d.workers.get_executor());
    for (size_t i = 0; i < d.options.workerThreads; ++i) {
        d.workerThreads.emplace_back([&d] {
            setThreadName("api-worker");
            d.workers.run();
        });
    }
    d.work.emplace(d.io.get_executor());
    d.accept();
    for (size_t i = 0; i < d.options.ioThreads; ++i) {
        d.ioThreads.emplace_back([&d] {
            setThreadName("api-io");
            d.io.run();
        });
    }
    return port;
}

void HttpServer::stop() {
    Impl& d = *m_impl;
    if (d.stopping.exchange(true)) {
        return;
    }
    if (d.acceptor) {
        net::post(d.acceptor->get_executor(), [&d] {
            beast::error_code ignored;
            d.acceptor->close(ignored);
        });
    }
    d.closeIdleSessions();
    d.workersWork.reset(); // workers finish what is queued, then return
    for (std::thread& t : d.workerThreads) {
        t.join();
    }
    d.workerThreads.clear();
    d.work.reset();
    // Let in-flight responses go out, then stop.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    std::thread stopper([&d, deadline] {
        while (!d.io.stopped() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        d.io.stop();
    });
    for (std::thread& t : d.ioThreads) {
        t.join();
    }
    stopper.join();
    d.ioThreads.clear();
}

} // namespace pilot::apiserver
