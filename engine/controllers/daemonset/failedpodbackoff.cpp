#include "engine/controllers/daemonset/failedpodbackoff.h"

#include <algorithm>

namespace pilot::controllers::daemonset {

namespace {
constexpr size_t GarbageThreshold = 1024;
}

bool FailedPodBackoff::expired(const Entry& entry, TimePoint now) {
    return now - entry.lastUpdate > 2 * std::chrono::duration_cast<std::chrono::milliseconds>(Max);
}

bool FailedPodBackoff::inBackoffSinceUpdate(const std::string& key, TimePoint now) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end() || expired(it->second, now)) {
        return false;
    }
    return now - it->second.lastUpdate < it->second.backoff;
}

std::chrono::milliseconds FailedPodBackoff::delay(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    return it == m_entries.end() ? std::chrono::milliseconds(0) : it->second.backoff;
}

void FailedPodBackoff::next(const std::string& key, TimePoint now) {
    std::lock_guard lock(m_mutex);
    if (m_entries.size() >= GarbageThreshold) {
        collectGarbageLocked(now);
    }
    auto it = m_entries.find(key);
    if (it == m_entries.end() || expired(it->second, now)) {
        m_entries[key] = Entry{Initial, m_clock.now()};
        return;
    }
    it->second.backoff = std::min<std::chrono::milliseconds>(2 * it->second.backoff, Max);
    it->second.lastUpdate = m_clock.now();
}

void FailedPodBackoff::collectGarbageLocked(TimePoint now) {
    std::erase_if(m_entries, [&](const auto& entry) { return expired(entry.second, now); });
}

} // namespace pilot::controllers::daemonset
