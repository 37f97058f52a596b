#pragma once

#include "bench/apibench/histogram.h"
#include "bench/apibench/httpclient.h"
#include "core/error.h"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace pilot::bench {

struct Server;

/// Which operation of a run this is: `seq` is unique across the run, `clientSeq` counts the
/// operations of one client.
struct OpContext {
    std::size_t client = 0;
    std::uint64_t seq = 0;
    std::uint64_t clientSeq = 0;
};

/// One request of a run; a 2xx status counts as success.
using Operation = std::function<net::awaitable<Response>(HttpClient&, const OpContext&)>;

/// Latencies and outcomes of a run.
struct RunStats {
    Histogram latency;
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::map<unsigned, std::uint64_t> failuresByStatus; ///< status 0: transport failure
    std::string firstFailure;
    std::chrono::nanoseconds elapsed{};

    void add(const Response& response, std::chrono::nanoseconds latency);
    void merge(const RunStats& other);
    /// Successful operations per second of wall time.
    [[nodiscard]] double rate() const;
    /// "12 failed (503: 10, transport: 2); first: ..." or empty when all succeeded.
    [[nodiscard]] std::string failureSummary() const;
};

/// A fixed set of keep-alive connections to one server, driven by coroutines on an io_context
/// run by `threads` threads. Each connection lives on its own strand.
class ClientPool {
public:
    using Task = std::function<net::awaitable<void>(HttpClient&, std::size_t client)>;

    ClientPool(const Server& server, std::size_t clients, std::size_t threads);
    ~ClientPool();

    /// Connects every client (TCP and TLS) before any timed work starts.
    [[nodiscard]] Status connectAll();

    /// Each client sends back-to-back until `duration` has passed or `maxOps` operations were
    /// started in total. Latency is from send to the complete response.
    RunStats closedLoop(std::chrono::nanoseconds duration, std::uint64_t maxOps,
                        const Operation& op);

    /// Open loop: operation i is due at start + i / rate, whatever happened before; client
    /// i % clients sends it. Latency counts from the due time, so a stalled server shows up as
    /// latency instead of a lower send rate (no coordinated omission).
    RunStats openLoop(double rate, std::chrono::nanoseconds duration, const Operation& op);

    /// Runs `task` once per client concurrently; returns when all have finished.
    void runEach(const Task& task);

    [[nodiscard]] std::size_t size() const { return m_clients.size(); }

private:
    void run();

    net::io_context m_io;
    std::vector<std::unique_ptr<HttpClient>> m_clients;
    std::size_t m_threads;
};

} // namespace pilot::bench
