#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace pilot::registry::management {

/// Runs management jobs (garbage collection, retention executions) one at a time on its own
/// thread, in the order posted, so that long jobs never hold up a request thread. Thread-safe.
class JobRunner {
public:
    explicit JobRunner(std::string threadName);
    /// Finishes the job in progress; jobs not started yet are dropped (their records say
    /// they were interrupted when the registry opens next).
    ~JobRunner();
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    /// Finishes the job in progress, drops the queued ones and ends the thread. Idempotent.
    void stop();

    void post(std::function<void()> job);
    /// Blocks until no job is queued or running.
    void waitIdle();

private:
    void run();

    std::string m_threadName;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<std::function<void()>> m_jobs;
    bool m_busy = false;
    bool m_stopping = false;
    std::thread m_thread;
};

/// Stop requests for the runs of one kind of job (garbage collection runs, retention
/// executions), by run id: the API asks with `request`; the run polls `requested` at each of
/// its cancellation points (between two deletions, never inside one) and ends there with status
/// Stopped, then calls `forget`. Thread-safe.
class StopRequests {
public:
    void request(int64_t id);
    /// Whether run `id` was asked to stop. Calls the checkpoint observer first, outside the
    /// lock: a run is at a cancellation point whenever it asks.
    [[nodiscard]] bool requested(int64_t id);
    void forget(int64_t id);
    /// Called with the run's id at each cancellation point (tests pause a run there). Set it
    /// before runs start.
    void setObserver(std::function<void(int64_t id)> observer);

private:
    std::mutex m_mutex;
    std::set<int64_t> m_ids;
    std::function<void(int64_t)> m_observer;
};

} // namespace pilot::registry::management
