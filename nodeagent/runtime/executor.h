#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <tuple>
#include <vector>

/// Where the agent's blocking work runs: pod syncs, probes, API writes, runtime calls. The agent
/// keeps RSS small by having no thread per pod: work is posted here and timed work (probe
/// periods, back-off, heartbeats) is posted with a delay.
namespace pilot::agent {

class Executor {
public:
    virtual ~Executor() = default;
    /// Runs `task` on a worker thread soon.
    virtual void post(std::function<void()> task) = 0;
    /// Runs `task` on a worker thread once `delay` has passed.
    virtual void postAfter(std::chrono::nanoseconds delay, std::function<void()> task) = 0;
};

/// An elastic pool: a thread is added when every thread is busy (up to `maxThreads`), and a
/// thread idle for `idleTimeout` ends (down to one). Threads get small stacks. One timer thread
/// holds delayed tasks. stop() drops queued tasks, waits for running ones, and joins everything;
/// tasks posted afterwards are dropped.
class WorkerPool final : public Executor {
public:
    explicit WorkerPool(size_t maxThreads = 32, size_t stackBytes = 512 * 1024,
                        std::chrono::milliseconds idleTimeout = std::chrono::seconds(30));
    ~WorkerPool() override;
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void post(std::function<void()> task) override;
    void postAfter(std::chrono::nanoseconds delay, std::function<void()> task) override;
    void stop();

    [[nodiscard]] size_t threadCount() const;

private:
    static void* threadMain(void* self);
    void work();
    void timers();
    void spawnLocked();

    size_t m_maxThreads;
    size_t m_stackBytes;
    std::chrono::milliseconds m_idleTimeout;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_allDone;
    std::deque<std::function<void()>> m_tasks;
    size_t m_threads = 0;
    size_t m_idle = 0;
    bool m_stopping = false;

    using Timed =
        std::tuple<std::chrono::steady_clock::time_point, uint64_t, std::function<void()>>;
    struct Later {
        bool operator()(const Timed& a, const Timed& b) const {
            return std::get<0>(a) > std::get<0>(b) ||
                   (std::get<0>(a) == std::get<0>(b) && std::get<1>(a) > std::get<1>(b));
        }
    };
    std::priority_queue<Timed, std::vector<Timed>, Later> m_timed;
    uint64_t m_sequence = 0;
    std::condition_variable m_timerWake;
    std::thread m_timerThread;
};

} // namespace pilot::agent
