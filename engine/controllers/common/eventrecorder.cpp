#include "engine/controllers/common/eventrecorder.h"
#include "core/threadname.h"

#include "core/log.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr size_t MaxQueued = 1000;
constexpr size_t MaxRemembered = 4096;
/// Names tried for one Event before it is dropped as a duplicate.
constexpr int MaxNameAttempts = 64;

json::object objectReference(const json::object& object) {
    json::object ref{{"kind", kube::kind(object)},
                     {"name", kube::name(object)},
                     {"uid", kube::uid(object)},
                     {"apiVersion", kube::apiVersion(object)},
                     {"resourceVersion", kube::resourceVersion(object)}};
    if (!kube::namespaceOf(object).empty()) {
        ref["namespace"] = kube::namespaceOf(object);
    }
    return ref;
}

} // namespace

EventRecorder::EventRecorder(kube::ApiClient& client, std::string component, const Clock* clock)
    : m_client(client), m_component(std::move(component)), m_clock(clock ? *clock : m_systemClock) {
    m_thread = std::thread([this] {
        setThreadName("event-recorder");
        run();
    });
}

EventRecorder::~EventRecorder() {
    stop();
}

void EventRecorder::record(const json::object& object, std::string_view type,
                           std::string_view reason, std::string message) {
    std::lock_guard lock(m_mutex);
    if (m_stopping) {
        return;
    }
    if (m_queue.size() >= MaxQueued) {
        log::warn(m_component, "dropping event {} for {}/{}: too many queued", reason,
                  kube::namespaceOf(object), kube::name(object));
        return;
    }
    m_queue.push_back(Pending{objectReference(object), std::string(type), std::string(reason),
                              std::move(message), m_clock.now()});
    m_wake.notify_one();
}

void EventRecorder::flush() {
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return (m_queue.empty() && !m_busy) || m_stopped; });
}

void EventRecorder::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
    }
    m_idle.notify_all();
}

void EventRecorder::run() {
    std::unique_lock lock(m_mutex);
    while (true) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty()) {
            return; // Stopping with nothing left.
        }
        Pending event = std::move(m_queue.front());
        m_queue.pop_front();
        m_busy = true;
        lock.unlock();
        write(event);
        lock.lock();
        m_busy = false;
        if (m_queue.empty()) {
            m_idle.notify_all();
        }
    }
}

void EventRecorder::write(const Pending& event) {
    std::string ns = kube::stringAt(event.involved, "namespace");
    if (ns.empty()) {
        ns = "default";
    }
    std::string timestamp = formatTime(event.at);
    std::string key = fmt::format("{}\x1f{}\x1f{}\x1f{}", kube::stringAt(event.involved, "uid"),
                                  event.type, event.reason, event.message);
    if (auto it = m_sent.find(key); it != m_sent.end()) {
        Sent& sent = it->second;
        json::object patch{
            {"count", sent.count + 1},
            {"lastTimestamp", timestamp},
        };
        auto patched = m_client.patch(kube::resources::Events, sent.ns, sent.name,
                                      kube::PatchType::Merge, json::serialize(patch));
        if (patched) {
            ++sent.count;
            return;
        }
        m_sent.erase(it); // Expired or removed: record it afresh.
    }
    // Named by time as client-go names Events. Two Events of one instant (a coarse or a test
    // clock, several recorders) would share a name, so names from this recorder never go
    // backwards, and a name taken already (by another recorder) moves on to the next one.
    int64_t nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(event.at.time_since_epoch()).count();
    nanos = std::max(nanos, m_lastNanos + 1);
    const std::string involvedName = kube::stringAt(event.involved, "name");
    json::object object{
        {"apiVersion", "v1"},
        {"kind", "Event"},
        {"metadata", json::object{{"namespace", ns}}},
        {"involvedObject", event.involved},
        {"reason", event.reason},
        {"message", event.message},
        {"source", json::object{{"component", m_component}}},
        {"firstTimestamp", timestamp},
        {"lastTimestamp", timestamp},
        {"count", 1},
        {"type", event.type},
        {"reportingComponent", m_component},
        {"reportingInstance", ""},
    };
    std::string name;
    kube::ApiResult<json::object> created = std::unexpected(kube::ApiError{});
    for (int attempt = 0; attempt < MaxNameAttempts; ++attempt, ++nanos) {
        name = fmt::format("{}.{:x}", involvedName, nanos);
        object["metadata"].as_object()["name"] = name;
        created = m_client.create(kube::resources::Events, ns, object);
        if (created || !kube::isAlreadyExists(created.error())) {
            break;
        }
    }
    m_lastNanos = nanos;
    if (!created) {
        log::warn(m_component, "could not record event {} for {}/{}: {}", event.reason, ns,
                  kube::stringAt(event.involved, "name"), created.error().message);
        return;
    }
    if (m_sent.size() >= MaxRemembered) {
        m_sent.clear();
    }
    m_sent[key] = Sent{ns, name, 1};
}

} // namespace pilot::controllers
