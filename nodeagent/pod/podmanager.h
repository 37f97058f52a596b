#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/client/workqueue.h"
#include "nodeagent/pod/crashbackoff.h"
#include "nodeagent/pod/eventsink.h"
#include "nodeagent/pod/podstate.h"
#include "nodeagent/pod/podworker.h"
#include "nodeagent/probe/probemanager.h"
#include "nodeagent/runtime/executor.h"
#include "nodeagent/runtime/runtime.h"
#include "nodeagent/volume/volumemanager.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pilot::agent {

/// Where one container's process and logs are, for logs/exec/stats.
struct ContainerLocation {
    std::string podUid;
    std::string containerId;
    std::string logPath;
    bool running = false;
};

/// A pod's containers as last synced.
struct PodContainers {
    std::string uid;
    std::string ns;
    std::string name;
    TimePoint startTime{};
    struct Entry {
        std::string name;
        std::string currentId;
        std::string currentLog;
        std::string previousId;
        std::string previousLog;
        bool running = false;
        TimePoint startedAt{};
    };
    std::vector<Entry> containers;
};

struct PodManagerOptions {
    std::string nodeName;
    std::string podsDir; ///< DATA/pods (volumes)
    PodWorkerConfig worker;
};

/// The agent's pods: an informer on pods with `spec.nodeName=<node>`, a work queue keyed by pod
/// uid, and pod workers (PodWorker::sync) run on the executor, at most one per pod at a time.
/// Pods are synced when they change, when one of their containers exits (runtime events), when a
/// probe result changes, after back-off, and at least every resync period. At start it adopts the
/// sandboxes and containers the runtime already has (by their labels), so a restarted agent keeps
/// them running with their restart counts.
class PodManager {
public:
    PodManager(kube::ApiClient& client, Runtime& runtime, Executor& executor, EventSink& events,
               VolumeSources& sources, PodManagerOptions options, const Clock* clock = nullptr);
    ~PodManager();
    PodManager(const PodManager&) = delete;
    PodManager& operator=(const PodManager&) = delete;

    /// Rebuilds pod state from the runtime's sandboxes and containers. Before start().
    [[nodiscard]] Status adopt();
    /// Starts the informer and the dispatcher.
    void start();
    /// Waits for the informer's first list; then pods the runtime has but the API does not are
    /// queued for removal.
    [[nodiscard]] bool waitForSync(std::chrono::steady_clock::time_point deadline);
    void stop();

    /// The pods bound to this node (the informer's view).
    [[nodiscard]] std::vector<kube::ObjectPtr> pods() const;
    [[nodiscard]] kube::ObjectPtr pod(const std::string& ns, const std::string& name) const;
    /// A container's current (or, with `previous`, the attempt before) process and log.
    [[nodiscard]] std::optional<ContainerLocation> locate(const std::string& ns,
                                                          const std::string& pod,
                                                          const std::string& container,
                                                          bool previous) const;
    /// Every pod's containers as of their last sync.
    [[nodiscard]] std::vector<PodContainers> snapshot() const;
    /// Pods with at least one running container.
    [[nodiscard]] size_t runningPods() const;

    [[nodiscard]] ProbeManager& probes() { return *m_probes; }

private:
    void enqueue(const kube::ObjectPtr& pod);
    void dispatch();
    void process(const std::string& uid);
    void publish(const PodState& state);
    void onContainerEvent(const ContainerEvent& event);
    void onProbeEvent(const ProbeEvent& event);

    kube::ApiClient& m_client;
    Runtime& m_runtime;
    Executor& m_executor;
    EventSink& m_events;
    VolumeSources& m_sources;
    PodManagerOptions m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;

    std::unique_ptr<VolumeManager> m_volumes;
    std::unique_ptr<ProbeManager> m_probes;
    std::unique_ptr<CrashBackoff> m_backoff;
    std::unique_ptr<PodWorker> m_worker;
    std::unique_ptr<kube::Informer> m_informer;
    kube::WorkQueue m_queue;
    std::thread m_dispatcher;
    std::atomic<bool> m_stopping{false};

    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<PodState>> m_states; // by uid
    std::map<std::string, std::string> m_keys;                 // uid -> namespace/name
    std::map<std::string, PodContainers> m_published;          // uid -> last synced containers
};

} // namespace pilot::agent
