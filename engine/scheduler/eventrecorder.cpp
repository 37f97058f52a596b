#include "engine/scheduler/eventrecorder.h"

#include "core/log.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <unistd.h>

namespace pilot::scheduler {

namespace json = boost::json;

namespace {

std::string hostName() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof(buffer) - 1) != 0 || buffer[0] == '\0') {
        return "localhost";
    }
    return buffer;
}

} // namespace

json::object podReference(const PodInfo& pod) {
    json::object ref{{"kind", "Pod"},
                     {"namespace", pod.ns},
                     {"name", pod.name},
                     {"uid", pod.uid},
                     {"apiVersion", "v1"}};
    if (!pod.resourceVersion.empty()) {
        ref["resourceVersion"] = pod.resourceVersion;
    }
    return ref;
}

EventRecorder::EventRecorder(kube::ApiClient& client, const Clock& clock, std::string controller)
    : m_client(client), m_clock(clock), m_controller(std::move(controller)),
      m_instance(m_controller + "-" + hostName()) {}

void EventRecorder::record(const PodInfo& regarding, std::string_view type, std::string_view reason,
                           std::string_view action, std::string_view note, const PodInfo* related) {
    TimePoint now = m_clock.now();
    std::string seriesKey =
        fmt::format("{}\x1f{}\x1f{}", regarding.resourceVersion, reason, action);
    if (related != nullptr) {
        seriesKey += '\x1f';
        seriesKey += related->uid;
    }
    {
        std::unique_lock lock(m_mutex);
        auto& perPod = m_series[regarding.uid];
        auto it = perPod.find(seriesKey);
        if (it != perPod.end()) {
            Series series = it->second;
            series.count = ++it->second.count;
            lock.unlock();
            json::object patch{
                {"series", json::object{{"count", series.count},
                                        {"lastObservedTime", formatMicroTime(now)}}}};
            auto patched = m_client.patch(EventsV1, series.ns, series.eventName,
                                          kube::PatchType::Merge, json::serialize(patch));
            if (patched || !kube::isNotFound(patched.error())) {
                return;
            }
            // The event expired: record it anew.
            std::lock_guard relock(m_mutex);
            m_series[regarding.uid].erase(seriesKey);
        }
    }
    auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    std::string name = fmt::format("{}.{:x}", regarding.name, nanos);
    json::object event{{"apiVersion", "events.k8s.io/v1"},
                       {"kind", "Event"},
                       {"metadata", json::object{{"name", name}, {"namespace", regarding.ns}}},
                       {"eventTime", formatMicroTime(now)},
                       {"reportingController", m_controller},
                       {"reportingInstance", m_instance},
                       {"action", action},
                       {"reason", reason},
                       {"regarding", podReference(regarding)},
                       {"note", note},
                       {"type", type}};
    if (related != nullptr) {
        event["related"] = podReference(*related);
    }
    auto created = m_client.create(EventsV1, regarding.ns, event);
    if (!created) {
        log::warn("scheduler", "event {} for pod {}: {}", reason, regarding.key,
                  created.error().message);
        return;
    }
    std::lock_guard lock(m_mutex);
    m_series[regarding.uid][seriesKey] = Series{name, regarding.ns, 1};
}

void EventRecorder::forget(const std::string& podUid) {
    std::lock_guard lock(m_mutex);
    m_series.erase(podUid);
}

} // namespace pilot::scheduler
