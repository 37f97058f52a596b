#include "bench/apibench/clientpool.h"

#include "bench/apibench/servers.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace pilot::bench {

namespace {

using SteadyClock = std::chrono::steady_clock;

/// Lets clients be spawned before the first operation is due.
constexpr auto StartDelay = std::chrono::milliseconds(20);

void rethrow(const std::exception_ptr& error) {
    if (error) {
        std::rethrow_exception(error);
    }
}

} // namespace

void RunStats::add(const Response& response, std::chrono::nanoseconds latency) {
    if (response.status >= 200 && response.status < 300) {
        ++ok;
        this->latency.record(latency);
        return;
    }
    ++failed;
    ++failuresByStatus[response.status];
    if (firstFailure.empty()) {
        std::string detail = response.transportFailed() ? response.error : response.body;
        if (detail.size() > 300) {
            detail = detail.substr(0, 300) + "...";
        }
        firstFailure = fmt::format("{}: {}", response.status, detail);
    }
}

void RunStats::merge(const RunStats& other) {
    latency.merge(other.latency);
    ok += other.ok;
    failed += other.failed;
    for (auto [status, count] : other.failuresByStatus) {
        failuresByStatus[status] += count;
    }
    if (firstFailure.empty()) {
        firstFailure = other.firstFailure;
    }
}

double RunStats::rate() const {
    double seconds = std::chrono::duration<double>(elapsed).count();
    return seconds > 0 ? static_cast<double>(ok) / seconds : 0;
}

std::string RunStats::failureSummary() const {
    if (failed == 0) {
        return {};
    }
    std::string byStatus;
    for (auto [status, count] : failuresByStatus) {
        byStatus +=
            fmt::format("{}{}: {}", byStatus.empty() ? "" : ", ",
                        status == 0 ? std::string("transport") : std::to_string(status), count);
    }
    return fmt::format("{} of {} failed ({}); first: {}", failed, failed + ok, byStatus,
                       firstFailure);
}

ClientPool::ClientPool(const Server& server, std::size_t clients, std::size_t threads)
    : m_threads(std::max<std::size_t>(threads, 1)) {
    m_clients.reserve(clients);
    for (std::size_t i = 0; i < clients; ++i) {
        m_clients.push_back(std::make_unique<HttpClient>(net::make_strand(m_io), server.endpoint,
                                                         server.tls.get()));
    }
}

ClientPool::~ClientPool() = default;

void ClientPool::run() {
    std::vector<std::thread> helpers;
    for (std::size_t i = 1; i < m_threads; ++i) {
        helpers.emplace_back([this] { m_io.run(); });
    }
    m_io.run();
    for (std::thread& helper : helpers) {
        helper.join();
    }
    m_io.restart();
}

void ClientPool::runEach(const Task& task) {
    for (std::size_t i = 0; i < m_clients.size(); ++i) {
        HttpClient& client = *m_clients[i];
        net::co_spawn(client.executor(), task(client, i), rethrow);
    }
    run();
}

Status ClientPool::connectAll() {
    std::mutex mutex;
    std::string firstError;
    std::size_t failures = 0;
    runEach([&](HttpClient& client, std::size_t) -> net::awaitable<void> {
        std::string error = co_await client.connect();
        if (!error.empty()) {
            std::lock_guard lock(mutex);
            ++failures;
            if (firstError.empty()) {
                firstError = std::move(error);
            }
        }
    });
    if (failures > 0) {
        return fail(ErrorCode::Unavailable, fmt::format("{} of {} connections failed; first: {}",
                                                        failures, m_clients.size(), firstError));
    }
    return {};
}

RunStats ClientPool::closedLoop(std::chrono::nanoseconds duration, std::uint64_t maxOps,
                                const Operation& op) {
    std::vector<RunStats> perClient(m_clients.size());
    std::atomic<std::uint64_t> next{0};
    auto start = SteadyClock::now();
    auto deadline = start + duration;
    runEach([&](HttpClient& client, std::size_t index) -> net::awaitable<void> {
        RunStats& stats = perClient[index];
        for (std::uint64_t local = 0; SteadyClock::now() < deadline; ++local) {
            std::uint64_t seq = next.fetch_add(1);
            if (seq >= maxOps) {
                break;
            }
            auto sent = SteadyClock::now();
            Response response = co_await op(client, OpContext{index, seq, local});
            stats.add(response, SteadyClock::now() - sent);
        }
    });
    RunStats total;
    for (const RunStats& stats : perClient) {
        total.merge(stats);
    }
    total.elapsed = SteadyClock::now() - start;
    return total;
}

RunStats ClientPool::openLoop(double rate, std::chrono::nanoseconds duration, const Operation& op) {
    std::vector<RunStats> perClient(m_clients.size());
    auto total = static_cast<std::uint64_t>(rate * std::chrono::duration<double>(duration).count());
    auto start = SteadyClock::now() + StartDelay;
    auto dueAt = [start, rate](std::uint64_t seq) {
        return start + std::chrono::duration_cast<SteadyClock::duration>(
                           std::chrono::duration<double>(static_cast<double>(seq) / rate));
    };
    runEach([&](HttpClient& client, std::size_t index) -> net::awaitable<void> {
        RunStats& stats = perClient[index];
        net::steady_timer timer(client.executor());
        std::uint64_t local = 0;
        for (std::uint64_t seq = index; seq < total; seq += m_clients.size(), ++local) {
            auto due = dueAt(seq);
            if (SteadyClock::now() < due) {
                timer.expires_at(due);
                co_await timer.async_wait(net::use_awaitable);
            }
            Response response = co_await op(client, OpContext{index, seq, local});
            stats.add(response, SteadyClock::now() - due);
        }
    });
    RunStats result;
    for (const RunStats& stats : perClient) {
        result.merge(stats);
    }
    result.elapsed = SteadyClock::now() - start;
    return result;
}

} // namespace pilot::bench
