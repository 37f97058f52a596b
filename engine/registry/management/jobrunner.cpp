#include "engine/registry/management/jobrunner.h"

#include "core/threadname.h"

namespace pilot::registry::management {

JobRunner::JobRunner(std::string threadName)
    : m_threadName(std::move(threadName)), m_thread([this] { run(); }) {}

JobRunner::~JobRunner() {
    stop();
}

void JobRunner::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_jobs.clear();
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void JobRunner::post(std::function<void()> job) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void JobRunner::waitIdle() {
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_jobs.empty() && !m_busy; });
}

void JobRunner::run() {
    setThreadName(m_threadName);
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_stopping) {
            m_idle.notify_all();
            return;
        }
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_busy = true;
        lock.unlock();
        job();
        lock.lock();
        m_busy = false;
        if (m_jobs.empty()) {
            m_idle.notify_all();
        }
    }
}

void StopRequests::request(int64_t id) {
    std::lock_guard lock(m_mutex);
    m_ids.insert(id);
}

bool StopRequests::requested(int64_t id) {
    std::function<void(int64_t)> observer;
    {
        std::lock_guard lock(m_mutex);
        observer = m_observer;
    }
    if (observer) {
        observer(id);
    }
    std::lock_guard lock(m_mutex);
    return m_ids.contains(id);
}

void StopRequests::forget(int64_t id) {
    std::lock_guard lock(m_mutex);
    m_ids.erase(id);
}

void StopRequests::setObserver(std::function<void(int64_t id)> observer) {
    std::lock_guard lock(m_mutex);
    m_observer = std::move(observer);
}

} // namespace pilot::registry::management
