#pragma once

#include "core/clock.h"
#include "kube/client/apiclient.h"

#include <boost/json/object.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace pilot::controllers {

/// Records core/v1 Events about objects, as client-go's event recorder does for a controller:
/// an Event named `<object>.<hex unix nanos>` in the object's namespace (the next free name after
/// it when another Event of the same instant took it) with `involvedObject`,
/// `reason`, `message`, `type`, `source.component`, `reportingComponent`, first/last timestamps
/// and `count`. A repeat of the same (object, type, reason, message) patches the earlier Event's
/// `count` and `lastTimestamp` instead of creating another. Writes happen on the recorder's own
/// thread so callers never wait on the API; events are dropped (with a log line) when more than
/// 1000 are queued or the API refuses them. Thread-safe.
class EventRecorder {
public:
    /// `component` is the source, e.g. `replicaset-controller`. `clock` null: the system clock.
    EventRecorder(kube::ApiClient& client, std::string component, const Clock* clock = nullptr);
    ~EventRecorder();
    EventRecorder(const EventRecorder&) = delete;
    EventRecorder& operator=(const EventRecorder&) = delete;

    /// `type` is `Normal` or `Warning`. `object` needs apiVersion, kind and metadata.
    void record(const boost::json::object& object, std::string_view type, std::string_view reason,
                std::string message);
    void normal(const boost::json::object& object, std::string_view reason, std::string message) {
        record(object, "Normal", reason, std::move(message));
    }
    void warning(const boost::json::object& object, std::string_view reason, std::string message) {
        record(object, "Warning", reason, std::move(message));
    }

    /// Waits until every event recorded so far was written (or dropped).
    void flush();
    /// Writes what is queued and stops the thread; later records are dropped.
    void stop();

private:
    struct Pending {
        boost::json::object involved;
        std::string type;
        std::string reason;
        std::string message;
        TimePoint at;
    };
    struct Sent {
        std::string ns;
        std::string name;
        int64_t count = 1;
    };

    void run();
    void write(const Pending& event);

    kube::ApiClient& m_client;
    std::string m_component;
    SystemClock m_systemClock;
    const Clock& m_clock;

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Pending> m_queue;
    bool m_busy = false;
    bool m_stopping = false;
    bool m_stopped = false;
    std::map<std::string, Sent> m_sent; // by (uid, type, reason, message); writer thread only
    int64_t m_lastNanos = 0;            // the time in the last Event name; writer thread only
    std::thread m_thread;
};

} // namespace pilot::controllers
