#include "nodeagent/runtime/executor.h"

#include "core/log.h"
#include "core/threadname.h"

#include <pthread.h>

namespace pilot::agent {

WorkerPool::WorkerPool(size_t maxThreads, size_t stackBytes, std::chrono::milliseconds idleTimeout)
    : m_maxThreads(maxThreads < 1 ? 1 : maxThreads), m_stackBytes(stackBytes),
      m_idleTimeout(idleTimeout) {
    m_timerThread = std::thread([this] {
        setThreadName("agent-timers");
        timers();
    });
}

WorkerPool::~WorkerPool() {
    stop();
}

void WorkerPool::stop() {
    {
        std::unique_lock lock(m_mutex);
        if (m_stopping) {
            m_allDone.wait(lock, [this] { return m_threads == 0; });
            return;
        }
        m_stopping = true;
        m_tasks.clear();
        while (!m_timed.empty()) {
            m_timed.pop();
        }
    }
    m_wake.notify_all();
    m_timerWake.notify_all();
    if (m_timerThread.joinable()) {
        m_timerThread.join();
    }
    std::unique_lock lock(m_mutex);
    m_allDone.wait(lock, [this] { return m_threads == 0; });
}

size_t WorkerPool::threadCount() const {
    std::lock_guard lock(m_mutex);
    return m_threads;
}

void WorkerPool::post(std::function<void()> task) {
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
        return;
    }
    m_tasks.push_back(std::move(task));
    if (m_idle < m_tasks.size() && m_threads < m_maxThreads) {
        spawnLocked();
    }
    m_wake.notify_one();
}

void WorkerPool::postAfter(std::chrono::nanoseconds delay, std::function<void()> task) {
    if (delay.count() <= 0) {
        post(std::move(task));
        return;
    }
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
        return;
    }
    auto due = std::chrono::steady_clock::now() +
               std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay);
    bool earliest = m_timed.empty() || due < std::get<0>(m_timed.top());
    m_timed.emplace(due, m_sequence++, std::move(task));
    if (earliest) {
        m_timerWake.notify_one();
    }
}

void WorkerPool::spawnLocked() {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, m_stackBytes);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    if (pthread_create(&thread, &attr, &WorkerPool::threadMain, this) == 0) {
        ++m_threads;
    } else {
        log::warn("agent", "could not start a worker thread ({} running)", m_threads);
    }
    pthread_attr_destroy(&attr);
}

void* WorkerPool::threadMain(void* self) {
    setThreadName("agent-worker");
    static_cast<WorkerPool*>(self)->work();
    return nullptr;
}

void WorkerPool::work() {
    std::unique_lock lock(m_mutex);
    while (true) {
        ++m_idle;
        bool woke =
            m_wake.wait_for(lock, m_idleTimeout, [this] { return m_stopping || !m_tasks.empty(); });
        --m_idle;
        if (m_stopping || (!woke && m_threads > 1)) {
            break;
        }
        if (m_tasks.empty()) {
            continue;
        }
        auto task = std::move(m_tasks.front());
        m_tasks.pop_front();
        lock.unlock();
        task();
        task = nullptr; // Captured state is released outside the lock.
        lock.lock();
    }
    --m_threads;
    if (m_threads == 0) {
        m_allDone.notify_all();
    }
}

void WorkerPool::timers() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        if (m_timed.empty()) {
            m_timerWake.wait(lock);
            continue;
        }
        auto due = std::get<0>(m_timed.top());
        if (std::chrono::steady_clock::now() < due) {
            m_timerWake.wait_until(lock, due);
            continue;
        }
        auto task = std::move(std::get<2>(const_cast<Timed&>(m_timed.top())));
        m_timed.pop();
        m_tasks.push_back(std::move(task));
        if (m_idle < m_tasks.size() && m_threads < m_maxThreads) {
            spawnLocked();
        }
        m_wake.notify_one();
    }
}

} // namespace pilot::agent
