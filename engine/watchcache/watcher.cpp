#include "engine/watchcache/watcher.h"

namespace pilot::watchcache {

Watcher::Watcher(Filter filter, size_t capacity)
    : m_filter(std::move(filter)), m_capacity(capacity) {}

bool Watcher::poll(std::vector<WatchEvent>& out, size_t maxEvents) {
    std::lock_guard lock(m_mutex);
    for (size_t taken = 0; !m_queue.empty() && taken < maxEvents; ++taken) {
        out.push_back(std::move(m_queue.front()));
        m_queue.pop_front();
    }
    return !(m_stopped && m_queue.empty());
}

void Watcher::setNotify(std::function<void()> notify) {
    bool pending = false;
    {
        std::lock_guard lock(m_mutex);
        m_notify = std::move(notify);
        pending = !m_queue.empty() || m_stopped;
    }
    if (pending) {
        this->notify();
    }
}

void Watcher::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        m_stopped = true;
    }
    notify();
}

bool Watcher::stopped() const {
    std::lock_guard lock(m_mutex);
    return m_stopped;
}

void Watcher::offer(const WatchEvent& event) {
    bool now = event.object && m_filter.matches(*event.object);
    bool before = event.previous && m_filter.matches(*event.previous);
    switch (event.type) {
    case EventType::Added:
        if (now) {
            push(event);
        }
        return;
    case EventType::Deleted:
        // The deleted object carries its last state; match on it (or on the state before).
        if (now || before) {
            push(event);
        }
        return;
    case EventType::Modified:
        if (now && before) {
            push(event);
        } else if (now) {
            push(WatchEvent{EventType::Added, event.revision, event.object, nullptr});
        } else if (before) {
            push(WatchEvent{EventType::Deleted, event.revision, event.object, event.previous});
        }
        return;
    }
}

void Watcher::push(WatchEvent event) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        if (m_queue.size() >= m_capacity) {
            m_stopped = true;
            m_queue.clear();
        } else {
            bool wasEmpty = m_queue.empty();
            m_queue.push_back(std::move(event));
            if (!wasEmpty) {
                // The consumer was told when the queue became non-empty and drains it until it
                // is empty again: one wake-up per burst, not per event.
                return;
            }
        }
    }
    notify();
}

void Watcher::notify() {
    std::function<void()> callback;
    {
        std::lock_guard lock(m_mutex);
        callback = m_notify;
    }
    if (callback) {
        callback();
    }
}

} // namespace pilot::watchcache
