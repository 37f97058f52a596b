#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
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

} // namespace pilot::registry::management
