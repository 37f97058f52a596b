#include "engine/registry/server/registryserver.h"

#include "core/log.h"
#include "core/threadname.h"
#include "engine/registry/distribution/ocierror.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <list>
#include <mutex>
#include <optional>
#include <thread>

namespace pilot::registry {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr auto HandshakeTimeout = std::chrono::seconds(10);
constexpr auto ShutdownTimeout = std::chrono::seconds(2);
constexpr size_t HeaderLimit = 64 * 1024;
/// A refused request's body is read and dropped up to this much so that the client sees the
/// answer; beyond it the connection is closed instead.
constexpr uint64_t DrainLimit = 64ull * 1024 * 1024;

using Stream = beast::ssl_stream<beast::tcp_stream>;

/// What the stop() path needs to reach a connection from outside its coroutine.
struct Tracked {
    Stream* stream = nullptr;
    bool idle = false; // waiting for the next request (touched on the connection's strand)
};

enum class BodyOutcome { Complete, Refused, Failed };

} // namespace

struct RegistryServer::Impl {
    RegistryServerOptions options;
    RegistryTlsConfigurer tls;
    RegistryHandler handler;

    // Declared before the io_context: connection coroutines still suspended when it is
    // destroyed untrack themselves from this list.
    std::mutex connectionsMutex;
    std::list<std::pair<net::any_io_executor, std::shared_ptr<Tracked>>> connections;

    /// One io_context per I/O thread, each connection on one of them: a connection's reads,
    /// writes and completions never cross threads (no strand, no cross-thread wake-ups per TLS
    /// record).
    std::vector<std::unique_ptr<net::io_context>> contexts;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
    size_t nextContext = 0;
    ssl::context sslContext{ssl::context::tls_server};
    std::optional<tcp::acceptor> acceptor;
    std::unique_ptr<net::thread_pool> blocking;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};
    bool started = false;

    Impl(RegistryServerOptions o, RegistryTlsConfigurer t, RegistryHandler h)
        : options(std::move(o)), tls(std::move(t)), handler(std::move(h)) {}

    net::awaitable<void> acceptLoop();
    net::awaitable<void> serve(tcp::socket socket);
    net::awaitable<BodyOutcome> readBody(Stream& stream, beast::flat_buffer& buffer,
                                         http::request_parser<http::buffer_body>& parser,
                                         BodySink* sink, std::vector<char>& chunk, uint64_t limit);
    net::awaitable<bool> writeResponse(Stream& stream, bool head, RegistryResponse& response,
                                       bool keepAlive, std::vector<char>& chunk);

    /// Runs `fn` on the blocking pool and resumes the caller on its own executor.
    template <typename F>
    net::awaitable<std::invoke_result_t<F>> offload(F fn) {
        using R = std::invoke_result_t<F>;
        co_return co_await net::co_spawn(
            *blocking, [&fn]() -> net::awaitable<R> { co_return fn(); }, net::use_awaitable);
    }
};

namespace {

RegistryRequest requestFrom(const http::request_parser<http::buffer_body>& parser) {
    const auto& head = parser.get();
    RegistryRequest request;
    request.method = std::string(head.method_string());
    request.target = std::string(head.target());
    for (const auto& field : head) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (parser.chunked()) {
        request.contentLength = std::nullopt;
    } else if (auto length = parser.content_length()) {
        request.contentLength = *length;
    } else {
        request.contentLength = 0;
    }
    return request;
}

void applyHeaders(http::fields& fields, const RegistryResponse& response) {
    for (const auto& [name, value] : response.headers) {
        fields.set(name, value);
    }
    fields.set("Docker-Distribution-API-Version", "registry/2.0");
}

} // namespace

net::awaitable<void> RegistryServer::Impl::acceptLoop() {
    for (;;) {
        net::io_context& context = *contexts[nextContext++ % contexts.size()];
        auto [ec, socket] =
            co_await acceptor->async_accept(context, net::as_tuple(net::use_awaitable));
        if (stopping) {
            co_return;
        }
        if (ec) {
            if (ec == net::error::operation_aborted) {
                co_return;
            }
            continue; // e.g. out of descriptors for a moment
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        net::any_io_executor executor = socket.get_executor();
        net::co_spawn(executor, serve(std::move(socket)), net::detached);
    }
}

net::awaitable<BodyOutcome>
RegistryServer::Impl::readBody(Stream& stream, beast::flat_buffer& buffer,
                               http::request_parser<http::buffer_body>& parser, BodySink* sink,
                               std::vector<char>& chunk, uint64_t limit) {
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    chunk.resize(options.chunkSize);
    uint64_t total = 0;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data();
        parser.get().body().size = chunk.size();
        beast::get_lowest_layer(stream).expires_after(options.ioTimeout);
        co_await http::async_read(stream, buffer, parser, token);
        if (ec == http::error::need_buffer) {
            ec = {};
        }
        if (ec) {
            co_return BodyOutcome::Failed;
        }
        size_t got = chunk.size() - parser.get().body().size;
        total += got;
        if (sink != nullptr && got > 0 && !sink->write(std::string_view(chunk.data(), got))) {
            co_return BodyOutcome::Refused;
        }
        if (sink == nullptr && total > limit) {
            co_return BodyOutcome::Refused;
        }
    }
    co_return BodyOutcome::Complete;
}

net::awaitable<bool> RegistryServer::Impl::writeResponse(Stream& stream, bool head,
                                                         RegistryResponse& response, bool keepAlive,
                                                         std::vector<char>& chunk) {
    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    beast::get_lowest_layer(stream).expires_after(options.ioTimeout);
    if (response.file && !head) {
        FileBody& file = *response.file;
        http::response<http::buffer_body> res{static_cast<http::status>(response.status), 11};
        applyHeaders(res, response);
        res.keep_alive(keepAlive);
        res.content_length(file.length);
        res.body().data = nullptr;
        res.body().more = true;
        http::response_serializer<http::buffer_body> serializer{res};
        co_await http::async_write_header(stream, serializer, token);
        if (ec) {
            co_return false;
        }
        chunk.resize(options.chunkSize);
        uint64_t offset = file.offset;
        uint64_t left = file.length;
        while (left > 0) {
            size_t want = static_cast<size_t>(std::min<uint64_t>(left, chunk.size()));
            // A read from the page cache; cheaper here than a hop to the blocking pool.
            auto got = readAt(file.fd.get(), offset, chunk.data(), want, "blob");
            if (!got || *got == 0) {
                log::error("registry", "reading a blob being served: {}",
                           got ? "file shorter than recorded" : got.error().message);
                co_return false;
            }
            res.body().data = chunk.data();
            res.body().size = *got;
            res.body().more = left - *got > 0;
            beast::get_lowest_layer(stream).expires_after(options.ioTimeout);
            co_await http::async_write(stream, serializer, token);
            if (ec == http::error::need_buffer) {
                ec = {};
            }
            if (ec) {
                co_return false;
            }
            offset += *got;
            left -= *got;
        }
        if (file.length == 0) {
            res.body().data = nullptr;
            res.body().more = false;
            co_await http::async_write(stream, serializer, token);
            if (ec) {
                co_return false;
            }
        }
        co_return true;
    }
    if (head || response.contentLength) {
        http::response<http::empty_body> res{static_cast<http::status>(response.status), 11};
        applyHeaders(res, response);
        res.keep_alive(keepAlive);
        uint64_t length = response.contentLength ? *response.contentLength
                          : response.file        ? response.file->length
                                                 : response.body.size();
        if (response.status != 204 && response.status >= 200) {
            res.content_length(length);
        }
        co_await http::async_write(stream, res, token);
        co_return !ec;
    }
    http::response<http::string_body> res{static_cast<http::status>(response.status), 11};
    applyHeaders(res, response);
    res.keep_alive(keepAlive);
    res.body() = std::move(response.body);
    res.prepare_payload();
    co_await http::async_write(stream, res, token);
    co_return !ec;
}

net::awaitable<void> RegistryServer::Impl::serve(tcp::socket socket) {
    Stream stream(std::move(socket), sslContext);
    auto tracked = std::make_shared<Tracked>();
    tracked->stream = &stream;
    std::list<std::pair<net::any_io_executor, std::shared_ptr<Tracked>>>::iterator entry;
    {
        std::lock_guard lock(connectionsMutex);
        entry = connections.emplace(connections.end(), stream.get_executor(), tracked);
    }
    struct Untrack {
        Impl& impl;
        decltype(entry)& it;
        ~Untrack() {
            std::lock_guard lock(impl.connectionsMutex);
            impl.connections.erase(it);
        }
    } untrack{*this, entry};

    beast::error_code ec;
    auto token = net::redirect_error(net::use_awaitable, ec);
    beast::get_lowest_layer(stream).expires_after(HandshakeTimeout);
    co_await stream.async_handshake(ssl::stream_base::server, token);
    if (ec) {
        co_return;
    }
    beast::flat_buffer buffer;
    std::vector<char> chunk;
    try {
        while (!stopping) {
            http::request_parser<http::buffer_body> parser;
            parser.header_limit(HeaderLimit);
            parser.body_limit(std::numeric_limits<uint64_t>::max());
            beast::get_lowest_layer(stream).expires_after(options.idleTimeout);
            tracked->idle = true;
            co_await http::async_read_header(stream, buffer, parser, token);
            tracked->idle = false;
            if (ec) {
                if (ec == http::error::header_limit || ec == http::error::bad_target ||
                    ec == http::error::bad_method || ec == http::error::bad_version) {
                    RegistryResponse bad =
                        errorResponse(ec == http::error::header_limit ? 431 : 400,
                                      OciError::Unsupported, "unreadable request: " + ec.message());
                    co_await writeResponse(stream, false, bad, false, chunk);
                }
                break;
            }
            RegistryRequest request = requestFrom(parser);
            bool head = request.method == "HEAD";
            bool keepAlive = parser.get().keep_alive() && !stopping;
            bool expectContinue = beast::iequals(parser.get()[http::field::expect], "100-continue");
            Dispatch dispatch = co_await offload([this, &request] { return handler(request); });
            RegistryResponse response;
            if (dispatch.body) {
                if (expectContinue) {
                    http::response<http::empty_body> proceed{http::status::continue_, 11};
                    co_await http::async_write(stream, proceed, token);
                    if (ec) {
                        break;
                    }
                }
                BodyOutcome outcome =
                    co_await readBody(stream, buffer, parser, dispatch.body.get(), chunk, 0);
                if (outcome == BodyOutcome::Failed) {
                    // The client went away or stalled mid-body: the sink rolls back as it dies.
                    co_await offload([&dispatch] {
                        dispatch.body.reset();
                        return 0;
                    });
                    break;
                }
                if (outcome == BodyOutcome::Refused) {
                    keepAlive = false; // the rest of the body was never read
                }
                response = co_await offload([&dispatch] {
                    RegistryResponse r = dispatch.body->finish();
                    dispatch.body.reset();
                    return r;
                });
            } else {
                response = std::move(dispatch.response);
                if (!parser.is_done()) {
                    if (expectContinue) {
                        keepAlive = false; // the client waits for us before sending the body
                    } else if (co_await readBody(stream, buffer, parser, nullptr, chunk,
                                                 DrainLimit) != BodyOutcome::Complete) {
                        keepAlive = false;
                    }
                }
            }
            log::debug("registry", "{} {} -> {}", request.method, request.target, response.status);
            bool written = co_await writeResponse(stream, head, response, keepAlive, chunk);
            if (!written || !keepAlive) {
                break;
            }
            if (chunk.capacity() > 0 && !stopping) {
                // Hand the chunk buffer back between requests: idle connections hold nothing.
                std::vector<char>().swap(chunk);
            }
        }
    } catch (const std::exception& e) {
        log::error("registry", "connection failed: {}", e.what());
    }
    beast::get_lowest_layer(stream).expires_after(ShutdownTimeout);
    co_await stream.async_shutdown(token);
    beast::get_lowest_layer(stream).close();
}

RegistryServer::RegistryServer(RegistryServerOptions options, RegistryTlsConfigurer tls,
                               Distribution& distribution)
    : RegistryServer(std::move(options), std::move(tls),
                     [&distribution](const RegistryRequest& request) {
                         return distribution.begin(request);
                     }) {}

RegistryServer::RegistryServer(RegistryServerOptions options, RegistryTlsConfigurer tls,
                               RegistryHandler handler)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(tls), std::move(handler))) {}

RegistryServer::~RegistryServer() {
    stop();
}

Result<uint16_t> RegistryServer::start() {
    Impl& d = *m_impl;
    if (auto status = d.tls(d.sslContext.native_handle()); !status) {
        return std::unexpected(status.error());
    }
    beast::error_code ec;
    auto address =
        net::ip::make_address(d.options.host == "localhost" ? "127.0.0.1" : d.options.host, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    "invalid registry listen address " + d.options.host);
    }
    tcp::endpoint endpoint(address, d.options.port);
    for (size_t i = 0; i < std::max<size_t>(d.options.ioThreads, 1); ++i) {
        d.contexts.push_back(std::make_unique<net::io_context>(1));
    }
    d.acceptor.emplace(*d.contexts.front());
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
        return fail(ErrorCode::Unavailable, "registry cannot listen on " + d.options.host + ":" +
                                                std::to_string(d.options.port) + ": " +
                                                ec.message());
    }
    uint16_t port = d.acceptor->local_endpoint().port();
    d.blocking = std::make_unique<net::thread_pool>(std::max<size_t>(d.options.blockingThreads, 1));
    net::co_spawn(d.acceptor->get_executor(), d.acceptLoop(), net::detached);
    for (auto& context : d.contexts) {
        d.work.push_back(net::make_work_guard(*context));
        d.threads.emplace_back([&context = *context] {
            setThreadName("registry-io");
            context.run();
        });
    }
    d.started = true;
    return port;
}

void RegistryServer::stop() {
    Impl& d = *m_impl;
    if (!d.started || d.stopping.exchange(true)) {
        return;
    }
    net::post(d.acceptor->get_executor(), [&d] {
        beast::error_code ignored;
        d.acceptor->close(ignored);
    });
    {
        // Connections waiting for their next request close now; those in the middle of one
        // finish it (the loop ends after the response).
        std::lock_guard lock(d.connectionsMutex);
        for (auto& [executor, tracked] : d.connections) {
            net::post(executor, [tracked] {
                if (tracked->idle) {
                    beast::get_lowest_layer(*tracked->stream).cancel();
                }
            });
        }
    }
    d.work.clear();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::thread stopper([&d, deadline] {
        auto running = [&d] {
            for (auto& context : d.contexts) {
                if (!context->stopped()) {
                    return true;
                }
            }
            return false;
        };
        while (running() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        for (auto& context : d.contexts) {
            context->stop();
        }
    });
    for (std::thread& t : d.threads) {
        t.join();
    }
    stopper.join();
    d.threads.clear();
    d.blocking->join();
}

} // namespace pilot::registry
