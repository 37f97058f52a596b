#pragma once

#include "core/clock.h"
#include "engine/scheduler/filters.h"
#include "engine/scheduler/podinfo.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

namespace pilot::scheduler {

/// A pod in the scheduling queue with its attempt history.
struct QueuedPodInfo {
    PodInfoPtr pod;
    TimePoint timestamp;      ///< When it (re-)entered the queue; orders pods of one priority.
    TimePoint initialAttempt; ///< First time it was popped.
    int attempts = 0;         ///< Times it was popped.
    /// Plugins that rejected it last time: only cluster events that may help them move it.
    PluginSet unschedulablePlugins = 0;
};

/// Cluster changes that may make parked pods schedulable.
enum class ClusterEvent {
    NodeAdd,
    NodeUpdate, ///< Labels, taints, unschedulable or allocatable changed.
    AssignedPodAdd,
    AssignedPodUpdate,
    AssignedPodDelete,
    NamespaceUpdate,
    VolumeChange, ///< A PersistentVolumeClaim, PersistentVolume or StorageClass changed.
};

/// Upstream's PriorityQueue: an active queue ordered by priority then time, a back-off queue
/// (1 s doubling to 10 s per attempt), and unschedulable pods parked until a cluster event that
/// may help them (or 5 minutes) moves them back. Pods with scheduling gates wait until the
/// gates are removed. Thread-safe; pop() blocks.
class SchedulingQueue {
public:
    struct Options {
        std::chrono::milliseconds initialBackoff{1000};
        std::chrono::milliseconds maxBackoff{10000};
        std::chrono::seconds maxInUnschedulable{300};
    };

    explicit SchedulingQueue(const Clock& clock);
    SchedulingQueue(const Clock& clock, Options options);

    /// A new pending pod (or one seen again): into the active queue unless it is known.
    void add(const PodInfoPtr& pod);
    /// A pending pod changed. A parked pod whose spec changed goes back to be tried again.
    void update(const PodInfoPtr& pod);
    /// The pod was deleted, bound or is no longer ours.
    void remove(const std::string& key);

    /// The next pod to schedule; blocks until one is ready or the queue is closed (nullopt).
    [[nodiscard]] std::optional<QueuedPodInfo> pop();
    /// Like pop(), but gives up after `timeout` (nullopt; see closed()).
    [[nodiscard]] std::optional<QueuedPodInfo> popFor(std::chrono::milliseconds timeout);
    /// The next ready pod without blocking (after flushing completed back-offs).
    [[nodiscard]] std::optional<QueuedPodInfo> tryPop();

    /// A popped pod did not fit. It is parked until a cluster event, or goes to back-off when
    /// such an event arrived while it was being scheduled (cycle `podCycle`) or it changed.
    void addUnschedulable(QueuedPodInfo info, int64_t podCycle);
    /// A popped pod failed for another reason (API error): retried after its back-off.
    void addBackoff(QueuedPodInfo info);
    /// A popped pod was assumed for binding: it leaves the queue.
    void done(const std::string& key);

    /// Moves parked pods that the event may help to the active queue (or back-off when their
    /// back-off has not run out).
    void moveAllToActiveOrBackoff(ClusterEvent event);
    /// Moves pods whose back-off ran out to the active queue; parked pods older than
    /// maxInUnschedulable too.
    void flush();

    /// The number of pods popped so far.
    [[nodiscard]] int64_t schedulingCycle() const;
    /// When a pod's back-off ends.
    [[nodiscard]] TimePoint backoffExpiry(const QueuedPodInfo& info) const;

    void close();
    [[nodiscard]] bool closed() const;

    struct Sizes {
        size_t active = 0;
        size_t backoff = 0;
        size_t unschedulable = 0;
        size_t gated = 0;
        size_t inFlight = 0;
    };
    [[nodiscard]] Sizes sizes() const;
    /// Whether the pod with this key waits in the unschedulable set.
    [[nodiscard]] bool isUnschedulable(const std::string& key) const;

private:
    enum class Where { Active, Backoff, Unschedulable, Gated, InFlight };
    struct Entry {
        QueuedPodInfo info;
        Where where = Where::Active;
        TimePoint parkedAt;
        TimePoint backoffAt; ///< Its key in m_backoff while there.
        bool updatedInFlight = false;
        bool deletedInFlight = false;
    };
    using ActiveKey = std::tuple<int64_t, TimePoint, std::string>; // -priority, timestamp, key

    void toActiveLocked(Entry& entry, const std::string& key);
    void toBackoffLocked(Entry& entry, const std::string& key);
    void detachLocked(Entry& entry, const std::string& key);
    void flushLocked();
    std::optional<QueuedPodInfo> takeLocked();
    static bool eventMayHelp(ClusterEvent event, PluginSet plugins);

    const Clock& m_clock;
    Options m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_ready;
    std::unordered_map<std::string, Entry> m_entries;
    std::set<ActiveKey> m_active;
    std::set<std::pair<TimePoint, std::string>> m_backoff;
    std::set<std::string> m_unschedulableKeys;
    size_t m_gated = 0;
    size_t m_inFlight = 0;
    int64_t m_cycle = 0;
    /// Per plugin bit (and one slot for "any"), the cycle of the last event that may help it.
    int64_t m_moveCycle[33];
    TimePoint m_lastLeftoverFlush;
    bool m_closed = false;
};

} // namespace pilot::scheduler
