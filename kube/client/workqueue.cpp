#include "kube/client/workqueue.h"

namespace pilot::kube {

namespace {

const Clock& systemClock() {
    static const SystemClock clock;
    return clock;
}

/// Upper bound of one blocking wait for a delayed key, so a clock that jumps (or a ManualClock
/// advanced by a test) is noticed.
constexpr auto MaxDelayedWait = std::chrono::seconds(1);

} // namespace

WorkQueue::WorkQueue(std::unique_ptr<RateLimiter> limiter, const Clock* clock)
    : m_limiter(std::move(limiter)), m_clock(clock ? *clock : systemClock()) {
    if (!m_limiter) {
        m_limiter = defaultControllerRateLimiter(m_clock);
    }
}

void WorkQueue::add(const std::string& key) {
    std::lock_guard lock(m_mutex);
    addLocked(key);
}

void WorkQueue::addLocked(const std::string& key) {
    if (m_shuttingDown || m_dirty.contains(key)) {
        return;
    }
    m_dirty.insert(key);
    if (m_processing.contains(key)) {
        return; // queued again by done()
    }
    m_queue.push_back(key);
    m_ready.notify_one();
}

void WorkQueue::addAfter(const std::string& key, std::chrono::nanoseconds delay) {
    std::lock_guard lock(m_mutex);
    if (m_shuttingDown) {
        return;
    }
    if (delay <= std::chrono::nanoseconds::zero()) {
        addLocked(key);
        return;
    }
    TimePoint readyAt = m_clock.now() + std::chrono::duration_cast<TimePoint::duration>(delay);
    if (auto it = m_waitingByKey.find(key); it != m_waitingByKey.end()) {
        if (it->second <= readyAt) {
            return;
        }
        m_waiting.erase({it->second, key});
        it->second = readyAt;
    } else {
        m_waitingByKey.emplace(key, readyAt);
    }
    m_waiting.emplace(readyAt, key);
    // A blocked get() may need to wake earlier than it planned.
    m_ready.notify_all();
}

void WorkQueue::addRateLimited(const std::string& key) {
    addAfter(key, m_limiter->when(key));
}

void WorkQueue::forget(const std::string& key) {
    m_limiter->forget(key);
}

int WorkQueue::numRequeues(const std::string& key) const {
    return m_limiter->numRequeues(key);
}

void WorkQueue::promoteDueLocked() {
    TimePoint now = m_clock.now();
    while (!m_waiting.empty() && m_waiting.begin()->first <= now) {
        std::string key = m_waiting.begin()->second;
        m_waiting.erase(m_waiting.begin());
        m_waitingByKey.erase(key);
        addLocked(key);
    }
}

std::optional<std::string> WorkQueue::takeLocked() {
    if (m_shuttingDown || m_queue.empty()) {
        return std::nullopt;
    }
    std::string key = std::move(m_queue.front());
    m_queue.pop_front();
    m_processing.insert(key);
    m_dirty.erase(key);
    return key;
}

std::optional<std::string> WorkQueue::get() {
    std::unique_lock lock(m_mutex);
    while (!m_shuttingDown) {
        promoteDueLocked();
        if (!m_queue.empty()) {
            return takeLocked();
        }
        if (m_waiting.empty()) {
            m_ready.wait(lock);
            continue;
        }
        auto untilDue = m_waiting.begin()->first - m_clock.now();
        m_ready.wait_for(lock, std::min<std::chrono::nanoseconds>(untilDue, MaxDelayedWait));
    }
    return std::nullopt;
}

std::optional<std::string> WorkQueue::tryGet() {
    std::lock_guard lock(m_mutex);
    promoteDueLocked();
    return takeLocked();
}

void WorkQueue::done(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_processing.erase(key);
    if (m_dirty.contains(key) && !m_shuttingDown) {
        m_queue.push_back(key);
        m_ready.notify_one();
    }
}

void WorkQueue::shutDown() {
    {
        std::lock_guard lock(m_mutex);
        m_shuttingDown = true;
    }
    m_ready.notify_all();
}

bool WorkQueue::shuttingDown() const {
    std::lock_guard lock(m_mutex);
    return m_shuttingDown;
}

std::size_t WorkQueue::len() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

} // namespace pilot::kube
