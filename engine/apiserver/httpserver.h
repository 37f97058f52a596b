#pragma once

#include "core/error.h"
#include "engine/apiserver/http.h"

#include <functional>
#include <memory>
#include <string>

struct ssl_ctx_st;
struct ssl_st;

namespace pilot::apiserver {

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    size_t ioThreads = 2;
    size_t workerThreads = 64;
    size_t bodyLimit = 3 * 1024 * 1024;
    std::chrono::seconds readTimeout{60};
    /// Picks the requests whose handler runs straight on the I/O thread that read them instead
    /// of the worker pool: only those that never block (they may defer) and are quick, so the
    /// request skips two thread hand-offs. Unset: none.
    std::function<bool(const Request&)> runsInline;
};

/// Sets up the server side of TLS on a fresh SSL_CTX (certificates, client verification).
using TlsConfigurer = std::function<Status(ssl_ctx_st* ctx)>;
/// Establishes the user of a request from its TLS connection and headers; leaves it unset when
/// the request is anonymous.
using Authenticate = std::function<void(Request& request, ssl_st* ssl)>;

/// HTTPS/1.1 server on Boost.Beast. I/O runs on a small io_context pool; handlers run on a
/// worker pool (they may block on the store), so no I/O thread ever blocks, except those
/// `runsInline` picks. A deferred result holds no thread until it resumes. Bodies above the
/// limit get 413, slow or half-closed connections time out, and nothing a client sends can
/// crash it.
class HttpServer {
public:
    HttpServer(HttpServerOptions options, TlsConfigurer tls, Authenticate authenticate,
               Handler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts serving; returns the bound port.
    [[nodiscard]] Result<uint16_t> start();
    /// Stops accepting, lets in-flight requests finish (bounded), and joins all threads.
    void stop();

    struct Impl; // shared with the connection sessions in httpserver.cpp

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace pilot::apiserver
