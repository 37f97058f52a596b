#pragma once

#include "core/error.h"
#include "engine/registry/distribution/distribution.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

struct ssl_ctx_st;

namespace pilot::registry {

struct RegistryServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 0;
    /// Threads running the listener's own io_context (not the API server's).
    size_t ioThreads = 2;
    /// Threads for the blocking steps of a request (fsync, SQLite).
    size_t blockingThreads = 4;
    /// The most of a request or response body held in memory per connection at once.
    size_t chunkSize = 1024 * 1024;
    /// An idle keep-alive connection is closed after this long.
    std::chrono::seconds idleTimeout{120};
    /// A request whose body or a response whose reader stalls this long is abandoned.
    std::chrono::seconds ioTimeout{60};
};

/// Sets up the server side of TLS on a fresh SSL_CTX.
using RegistryTlsConfigurer = std::function<Status(ssl_ctx_st* ctx)>;
/// Starts handling one request (Distribution::begin's contract): the response, or a body sink.
using RegistryHandler = std::function<Dispatch(const RegistryRequest& request)>;

/// The registry's HTTPS/1.1 listener (Boost.Beast, one C++20 coroutine per connection on its
/// own small io_context pool). Bodies stream: a request body is read in chunks of at most
/// `chunkSize` straight into the Distribution's sink (an upload file), and blob responses are
/// read from their file in chunks as the client takes them, so memory stays flat however large
/// the blob. Steps that may block (Distribution::begin, BodySink::finish) run on a separate
/// blocking pool. Every response carries `Docker-Distribution-API-Version: registry/2.0`.
class RegistryServer {
public:
    RegistryServer(RegistryServerOptions options, RegistryTlsConfigurer tls,
                   Distribution& distribution);
    /// Serves `handler` instead of one Distribution (the registry service routes /v2/,
    /// /api/v2.0 and /service/token).
    RegistryServer(RegistryServerOptions options, RegistryTlsConfigurer tls,
                   RegistryHandler handler);
    ~RegistryServer();
    RegistryServer(const RegistryServer&) = delete;
    RegistryServer& operator=(const RegistryServer&) = delete;

    /// Binds and starts serving; returns the bound port.
    [[nodiscard]] Result<uint16_t> start();
    /// Stops accepting, closes idle connections, lets requests in flight finish (bounded), and
    /// joins every thread.
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace pilot::registry
