#include "engine/scheduler/schedulingqueue.h"

#include <algorithm>

namespace pilot::scheduler {

namespace {

constexpr PluginSet AllPlugins = ~PluginSet(0);
constexpr size_t AnySlot = 32;
constexpr auto LeftoverFlushInterval = std::chrono::seconds(30);

PluginSet interestedPlugins(ClusterEvent event) {
    switch (event) {
    case ClusterEvent::NodeAdd:
    case ClusterEvent::NodeUpdate:
        return AllPlugins;
    case ClusterEvent::AssignedPodDelete:
        return bit(Plugin::NodeResourcesFit) | bit(Plugin::NodePorts) |
               bit(Plugin::InterPodAffinity) | bit(Plugin::PodTopologySpread);
    case ClusterEvent::AssignedPodAdd:
    case ClusterEvent::AssignedPodUpdate:
        return bit(Plugin::InterPodAffinity) | bit(Plugin::PodTopologySpread);
    case ClusterEvent::NamespaceUpdate:
        return bit(Plugin::InterPodAffinity);
    case ClusterEvent::VolumeChange:
        return bit(Plugin::VolumeBinding);
    }
    return AllPlugins;
}

bool specOrLabelsChanged(const PodInfo& before, const PodInfo& after) {
    if (before.labels != after.labels || before.priority != after.priority ||
        before.gated != after.gated) {
        return true;
    }
    const auto* a = before.object ? before.object->if_contains("spec") : nullptr;
    const auto* b = after.object ? after.object->if_contains("spec") : nullptr;
    if (a == nullptr || b == nullptr) {
        return a != b;
    }
    return *a != *b;
}

} // namespace

SchedulingQueue::SchedulingQueue(const Clock& clock) : SchedulingQueue(clock, Options{}) {}

SchedulingQueue::SchedulingQueue(const Clock& clock, Options options)
    : m_clock(clock), m_options(options), m_lastLeftoverFlush(clock.now()) {
    std::fill(std::begin(m_moveCycle), std::end(m_moveCycle), -1);
}

TimePoint SchedulingQueue::backoffExpiry(const QueuedPodInfo& info) const {
    auto duration = m_options.initialBackoff;
    for (int i = 1; i < info.attempts && duration < m_options.maxBackoff; ++i) {
        duration *= 2;
    }
    duration = std::min(duration, m_options.maxBackoff);
    return info.timestamp + duration;
}

void SchedulingQueue::detachLocked(Entry& entry, const std::string& key) {
    switch (entry.where) {
    case Where::Active:
        m_active.erase(
            ActiveKey{-static_cast<int64_t>(entry.info.pod->priority), entry.info.timestamp, key});
        break;
    case Where::Backoff:
        m_backoff.erase({entry.backoffAt, key});
        break;
    case Where::Unschedulable:
        m_unschedulableKeys.erase(key);
        break;
    case Where::Gated:
        --m_gated;
        break;
    case Where::InFlight:
        --m_inFlight;
        break;
    }
}

void SchedulingQueue::toActiveLocked(Entry& entry, const std::string& key) {
    if (entry.info.pod->gated) {
        entry.where = Where::Gated;
        ++m_gated;
        return;
    }
    entry.where = Where::Active;
    m_active.emplace(-static_cast<int64_t>(entry.info.pod->priority), entry.info.timestamp, key);
    m_ready.notify_one();
}

void SchedulingQueue::toBackoffLocked(Entry& entry, const std::string& key) {
    if (entry.info.pod->gated) {
        entry.where = Where::Gated;
        ++m_gated;
        return;
    }
    entry.where = Where::Backoff;
    entry.backoffAt = backoffExpiry(entry.info);
    m_backoff.emplace(entry.backoffAt, key);
    m_ready.notify_one();
}

void SchedulingQueue::add(const PodInfoPtr& pod) {
    {
        std::lock_guard lock(m_mutex);
        if (m_entries.contains(pod->key)) {
            // Known already (a re-list): treat as an update.
        } else {
            Entry& entry = m_entries[pod->key];
            entry.info.pod = pod;
            entry.info.timestamp = m_clock.now();
            toActiveLocked(entry, pod->key);
            return;
        }
    }
    update(pod);
}

void SchedulingQueue::update(const PodInfoPtr& pod) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(pod->key);
    if (it == m_entries.end()) {
        Entry& entry = m_entries[pod->key];
        entry.info.pod = pod;
        entry.info.timestamp = m_clock.now();
        toActiveLocked(entry, pod->key);
        return;
    }
    Entry& entry = it->second;
    const std::string& key = it->first;
    PodInfoPtr old = entry.info.pod;
    switch (entry.where) {
    case Where::InFlight:
        entry.updatedInFlight = entry.updatedInFlight || specOrLabelsChanged(*old, *pod);
        entry.info.pod = pod;
        return;
    case Where::Active:
        detachLocked(entry, key);
        entry.info.pod = pod;
        toActiveLocked(entry, key);
        return;
    case Where::Backoff:
        entry.info.pod = pod;
        if (pod->gated) {
            detachLocked(entry, key);
            toBackoffLocked(entry, key);
        }
        return;
    case Where::Gated:
        entry.info.pod = pod;
        if (!pod->gated) {
            detachLocked(entry, key);
            entry.info.timestamp = m_clock.now();
            toActiveLocked(entry, key);
        }
        return;
    case Where::Unschedulable:
        entry.info.pod = pod;
        if (specOrLabelsChanged(*old, *pod)) {
            detachLocked(entry, key);
            if (m_clock.now() >= backoffExpiry(entry.info)) {
                toActiveLocked(entry, key);
            } else {
                toBackoffLocked(entry, key);
            }
        }
        return;
    }
}

void SchedulingQueue::remove(const std::string& key) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end()) {
        return;
    }
    if (it->second.where == Where::InFlight) {
        it->second.deletedInFlight = true;
        return;
    }
    detachLocked(it->second, key);
    m_entries.erase(it);
}

std::optional<QueuedPodInfo> SchedulingQueue::takeLocked() {
    if (m_active.empty()) {
        return std::nullopt;
    }
    auto first = m_active.begin();
    std::string key = std::get<2>(*first);
    m_active.erase(first);
    Entry& entry = m_entries.at(key);
    entry.where = Where::InFlight;
    entry.updatedInFlight = false;
    entry.deletedInFlight = false;
    ++m_inFlight;
    ++entry.info.attempts;
    if (entry.info.attempts == 1) {
        entry.info.initialAttempt = m_clock.now();
    }
    ++m_cycle;
    return entry.info;
}

void SchedulingQueue::flushLocked() {
    TimePoint now = m_clock.now();
    while (!m_backoff.empty() && m_backoff.begin()->first <= now) {
        std::string key = m_backoff.begin()->second;
        m_backoff.erase(m_backoff.begin());
        Entry& entry = m_entries.at(key);
        toActiveLocked(entry, key);
    }
    if (now - m_lastLeftoverFlush < LeftoverFlushInterval && now >= m_lastLeftoverFlush) {
        return;
    }
    m_lastLeftoverFlush = now;
    for (auto it = m_unschedulableKeys.begin(); it != m_unschedulableKeys.end();) {
        Entry& entry = m_entries.at(*it);
        if (now - entry.parkedAt < m_options.maxInUnschedulable) {
            ++it;
            continue;
        }
        std::string key = *it;
        it = m_unschedulableKeys.erase(it);
        if (now >= backoffExpiry(entry.info)) {
            toActiveLocked(entry, key);
        } else {
            toBackoffLocked(entry, key);
        }
    }
}

void SchedulingQueue::flush() {
    std::lock_guard lock(m_mutex);
    flushLocked();
}

std::optional<QueuedPodInfo> SchedulingQueue::tryPop() {
    std::lock_guard lock(m_mutex);
    if (m_closed) {
        return std::nullopt;
    }
    flushLocked();
    return takeLocked();
}

std::optional<QueuedPodInfo> SchedulingQueue::pop() {
    while (true) {
        if (auto info = popFor(std::chrono::hours(1))) {
            return info;
        }
        if (closed()) {
            return std::nullopt;
        }
    }
}

std::optional<QueuedPodInfo> SchedulingQueue::popFor(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(m_mutex);
    while (true) {
        if (m_closed) {
            return std::nullopt;
        }
        flushLocked();
        if (auto info = takeLocked()) {
            return info;
        }
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return std::nullopt;
        }
        auto wait = std::min(std::chrono::milliseconds(1000),
                             std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) +
                                 std::chrono::milliseconds(1));
        if (!m_backoff.empty()) {
            auto untilDue = std::chrono::duration_cast<std::chrono::milliseconds>(
                m_backoff.begin()->first - m_clock.now());
            wait = std::clamp(untilDue + std::chrono::milliseconds(1), std::chrono::milliseconds(1),
                              wait);
        }
        m_ready.wait_for(lock, wait);
    }
}

void SchedulingQueue::addUnschedulable(QueuedPodInfo info, int64_t podCycle) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(info.pod->key);
    if (it == m_entries.end() || it->second.where != Where::InFlight) {
        return;
    }
    Entry& entry = it->second;
    const std::string& key = it->first;
    --m_inFlight;
    if (entry.deletedInFlight) {
        m_entries.erase(it);
        return;
    }
    PodInfoPtr newest = entry.info.pod;
    bool changed = entry.updatedInFlight;
    entry.info = std::move(info);
    entry.info.pod = newest;
    entry.info.timestamp = m_clock.now();
    bool moved = m_moveCycle[AnySlot] >= podCycle && entry.info.unschedulablePlugins == 0;
    for (size_t b = 0; b < 32 && !moved; ++b) {
        if ((entry.info.unschedulablePlugins & (PluginSet(1) << b)) != 0 &&
            m_moveCycle[b] >= podCycle) {
            moved = true;
        }
    }
    if (changed || moved) {
        toBackoffLocked(entry, key);
        return;
    }
    entry.where = Where::Unschedulable;
    entry.parkedAt = entry.info.timestamp;
    m_unschedulableKeys.insert(key);
}

void SchedulingQueue::addBackoff(QueuedPodInfo info) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(info.pod->key);
    if (it == m_entries.end() || it->second.where != Where::InFlight) {
        return;
    }
    Entry& entry = it->second;
    --m_inFlight;
    if (entry.deletedInFlight) {
        m_entries.erase(it);
        return;
    }
    PodInfoPtr newest = entry.info.pod;
    entry.info = std::move(info);
    entry.info.pod = newest;
    entry.info.timestamp = m_clock.now();
    toBackoffLocked(entry, it->first);
}

void SchedulingQueue::done(const std::string& key) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.find(key);
    if (it == m_entries.end() || it->second.where != Where::InFlight) {
        return;
    }
    --m_inFlight;
    m_entries.erase(it);
}

bool SchedulingQueue::eventMayHelp(ClusterEvent event, PluginSet plugins) {
    return plugins == 0 || (plugins & interestedPlugins(event)) != 0;
}

void SchedulingQueue::moveAllToActiveOrBackoff(ClusterEvent event) {
    std::lock_guard lock(m_mutex);
    PluginSet interested = interestedPlugins(event);
    for (size_t b = 0; b < 32; ++b) {
        if ((interested & (PluginSet(1) << b)) != 0) {
            m_moveCycle[b] = m_cycle;
        }
    }
    m_moveCycle[AnySlot] = m_cycle;
    if (m_unschedulableKeys.empty()) {
        return;
    }
    TimePoint now = m_clock.now();
    for (auto it = m_unschedulableKeys.begin(); it != m_unschedulableKeys.end();) {
        Entry& entry = m_entries.at(*it);
        if (!eventMayHelp(event, entry.info.unschedulablePlugins)) {
            ++it;
            continue;
        }
        std::string key = *it;
        it = m_unschedulableKeys.erase(it);
        if (now >= backoffExpiry(entry.info)) {
            toActiveLocked(entry, key);
        } else {
            toBackoffLocked(entry, key);
        }
    }
}

int64_t SchedulingQueue::schedulingCycle() const {
    std::lock_guard lock(m_mutex);
    return m_cycle;
}

void SchedulingQueue::close() {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    m_ready.notify_all();
}

bool SchedulingQueue::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

SchedulingQueue::Sizes SchedulingQueue::sizes() const {
    std::lock_guard lock(m_mutex);
    return Sizes{m_active.size(), m_backoff.size(), m_unschedulableKeys.size(), m_gated,
                 m_inFlight};
}

bool SchedulingQueue::isUnschedulable(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    return m_unschedulableKeys.contains(key);
}

} // namespace pilot::scheduler
