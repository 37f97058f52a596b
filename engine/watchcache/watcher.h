#pragma once

#include "engine/watchcache/cachedobject.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::watchcache {

/// Which objects a list or watch wants: an optional namespace and name (fast paths) plus an
/// arbitrary predicate built from label and field selectors.
struct Filter {
    std::string ns;   // empty: all namespaces
    std::string name; // empty: all names
    std::function<bool(const CachedObject&)> predicate;

    [[nodiscard]] bool matches(const CachedObject& object) const {
        if (!ns.empty() && object.ns != ns) {
            return false;
        }
        if (!name.empty() && object.name != name) {
            return false;
        }
        return !predicate || predicate(object);
    }
};

/// One watch stream's queue. The cache pushes events on the store's writer thread; the HTTP
/// session drains them on its own thread. A watcher whose queue overflows (a client that does
/// not keep up) is closed, as kube-apiserver does; the client re-watches from its last RV.
class Watcher {
public:
    Watcher(Filter filter, size_t capacity);

    /// Moves up to `maxEvents` queued events into `out`. Returns false once the watcher is
    /// closed and drained.
    bool poll(std::vector<WatchEvent>& out, size_t maxEvents = SIZE_MAX);
    /// Called (without locks held, on the writer thread) when events become available in an
    /// empty queue or the watcher closes. Must not block. The consumer polls until the queue is
    /// empty; events added meanwhile do not call it again.
    void setNotify(std::function<void()> notify);
    /// Closes the watcher; the cache drops it at its next event.
    void stop();
    [[nodiscard]] bool stopped() const;
    [[nodiscard]] const Filter& filter() const { return m_filter; }

    /// Producer side: filters one event (including selector transitions: an object that stops
    /// matching yields DELETED, one that starts matching yields ADDED) and queues it.
    void offer(const WatchEvent& event);
    /// Producer side: queues an event unconditionally (initial ADDED events, replay).
    void push(WatchEvent event);

private:
    void notify();

    Filter m_filter;
    size_t m_capacity;
    mutable std::mutex m_mutex;
    std::deque<WatchEvent> m_queue;
    bool m_stopped = false;
    std::function<void()> m_notify;
};

} // namespace pilot::watchcache
