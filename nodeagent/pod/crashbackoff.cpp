#include "nodeagent/pod/crashbackoff.h"

namespace pilot::agent {

CrashBackoff::CrashBackoff(const Clock& clock, std::chrono::seconds initial,
                           std::chrono::seconds max)
    : m_clock(clock), m_initial(initial), m_max(max) {}

bool CrashBackoff::expired(const Entry& entry, TimePoint eventTime) const {
    return eventTime - entry.lastUpdate > 2 * m_max;
}

bool CrashBackoff::inBackoffSince(const std::string& key, TimePoint exitedAt) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end() || expired(it->second, exitedAt)) {
        return false;
    }
    return m_clock.now() - exitedAt < it->second.backoff;
}

void CrashBackoff::next(const std::string& key, TimePoint exitedAt) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end() || expired(it->second, exitedAt)) {
        m_entries[key] = Entry{m_initial, m_clock.now()};
        return;
    }
    it->second.backoff = std::min(it->second.backoff * 2, m_max);
    it->second.lastUpdate = m_clock.now();
}

std::chrono::seconds CrashBackoff::get(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    return it == m_entries.end() ? std::chrono::seconds(0) : it->second.backoff;
}

TimePoint CrashBackoff::readyAt(const std::string& key, TimePoint exitedAt) const {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        return exitedAt;
    }
    return exitedAt + it->second.backoff;
}

void CrashBackoff::forget(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_entries.erase(key);
}

void CrashBackoff::forgetPrefix(const std::string& prefix) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_entries.lower_bound(prefix);
         it != m_entries.end() && it->first.starts_with(prefix);) {
        it = m_entries.erase(it);
    }
}

} // namespace pilot::agent
