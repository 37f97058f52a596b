#pragma once

#include "core/clock.h"
#include "kube/client/ratelimiter.h"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

namespace pilot::kube {

/// A rate-limited work queue of object keys, as client-go's: a key queued twice is handed out
/// once; a key being processed (between get() and done()) is never handed to a second worker,
/// and if it is added meanwhile it is queued again at done(). Delayed adds (addAfter,
/// addRateLimited) become ready at their time on `clock`. Thread-safe.
///
/// Unlike client-go, shutDown() makes get() return nullopt at once, dropping queued keys, so
/// workers stop promptly.
class WorkQueue {
public:
    /// `limiter` null: defaultControllerRateLimiter(clock). `clock` null: the system clock.
    explicit WorkQueue(std::unique_ptr<RateLimiter> limiter = nullptr,
                       const Clock* clock = nullptr);
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    void add(const std::string& key);
    /// Adds `key` once `delay` has passed on the clock (at once when not positive). A key already
    /// waiting keeps the earlier time.
    void addAfter(const std::string& key, std::chrono::nanoseconds delay);
    /// addAfter with the rate limiter's delay for this key (a retry after a failure).
    void addRateLimited(const std::string& key);
    /// The key succeeded: clears its retry back-off.
    void forget(const std::string& key);
    [[nodiscard]] int numRequeues(const std::string& key) const;

    /// The next ready key, blocking until there is one; nullopt once shut down.
    [[nodiscard]] std::optional<std::string> get();
    /// The next ready key without blocking; nullopt when none is ready (or shut down).
    [[nodiscard]] std::optional<std::string> tryGet();
    /// Processing of a key from get() finished.
    void done(const std::string& key);

    void shutDown();
    [[nodiscard]] bool shuttingDown() const;
    /// Keys ready to be handed out (delayed keys not yet due are not counted).
    [[nodiscard]] std::size_t len() const;

private:
    void addLocked(const std::string& key);
    void promoteDueLocked();
    [[nodiscard]] std::optional<std::string> takeLocked();

    std::unique_ptr<RateLimiter> m_limiter;
    const Clock& m_clock;

    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::string> m_queue;
    std::set<std::string, std::less<>> m_dirty;
    std::set<std::string, std::less<>> m_processing;
    std::map<std::string, TimePoint, std::less<>> m_waitingByKey;
    std::set<std::pair<TimePoint, std::string>> m_waiting;
    bool m_shuttingDown = false;
};

} // namespace pilot::kube
