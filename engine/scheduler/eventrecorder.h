#pragma once

#include "core/clock.h"
#include "engine/scheduler/podinfo.h"
#include "kube/client/apiclient.h"

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pilot::scheduler {

/// events.k8s.io/v1 Events, as kube-scheduler records them.
inline const kube::ApiResource EventsV1{"events.k8s.io", "v1", "events", true};

/// Records Events about pods the way kube-scheduler's events.k8s.io recorder does:
/// reportingController `default-scheduler`, reportingInstance `default-scheduler-<host>`, an
/// action, `regarding` the pod (and `related`, e.g. the preemptor). A repeat of the same event
/// (same pod version, reason and action) becomes a series on the first one (series.count)
/// instead of a new object. Calls the API synchronously: run it on an ApiWorkers thread.
class EventRecorder {
public:
    EventRecorder(kube::ApiClient& client, const Clock& clock, std::string controller);

    /// `type` is Normal or Warning.
    void record(const PodInfo& regarding, std::string_view type, std::string_view reason,
                std::string_view action, std::string_view note, const PodInfo* related = nullptr);
    /// Forgets the series kept for a pod that is gone.
    void forget(const std::string& podUid);

    [[nodiscard]] const std::string& controller() const { return m_controller; }
    [[nodiscard]] const std::string& instance() const { return m_instance; }

private:
    struct Series {
        std::string eventName;
        std::string ns;
        int count = 1;
    };

    kube::ApiClient& m_client;
    const Clock& m_clock;
    std::string m_controller;
    std::string m_instance;
    std::mutex m_mutex;
    /// pod uid -> (rv/reason/action -> series)
    std::unordered_map<std::string, std::unordered_map<std::string, Series>> m_series;
};

/// The ObjectReference of a pod as events carry it.
[[nodiscard]] boost::json::object podReference(const PodInfo& pod);

} // namespace pilot::scheduler
