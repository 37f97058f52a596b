#pragma once

#include "core/clock.h"
#include "kube/client/apiclient.h"
#include "nodeagent/pod/crashbackoff.h"
#include "nodeagent/pod/envresolver.h"
#include "nodeagent/pod/eventsink.h"
#include "nodeagent/pod/podstate.h"
#include "nodeagent/probe/probemanager.h"
#include "nodeagent/runtime/runtime.h"
#include "nodeagent/volume/volumemanager.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace pilot::agent {

struct PodWorkerConfig {
    std::string nodeName;
    std::string nodeIp;
    std::string logsDir; ///< DATA/logs: <ns>_<name>_<uid>/<container>/<attempt>.log
    /// The node's allocatable resources (resourceFieldRef without limits).
    std::function<boost::json::object()> nodeAllocatable;
    /// Service variables every container gets (KUBERNETES_SERVICE_HOST, ...).
    std::function<EnvList(const std::string& ns)> serviceEnv;
    std::chrono::seconds volumeRefresh{60};
    std::chrono::seconds resync{60};
};

struct PodWorkerDeps {
    kube::ApiClient& client;
    Runtime& runtime;
    VolumeManager& volumes;
    VolumeSources& sources;
    ProbeManager& probes;
    EventSink& events;
    CrashBackoff& backoff;
    const Clock& clock;
};

/// What a sync decided.
struct SyncResult {
    std::optional<std::chrono::nanoseconds> requeueAfter; ///< Sync again then (back-off, probes).
    bool forget = false; ///< The pod is gone and cleaned up: drop its state.
};

/// One pod's state machine, kubelet's SyncPod: volumes -> sandbox -> init containers in order
/// (sidecars, restartPolicy Always, must be started before the next) -> containers -> restarts
/// with back-off, probes, lifecycle hooks; graceful termination (preStop, SIGTERM, grace period,
/// SIGKILL) when the pod is being deleted, then the final DELETE (gracePeriodSeconds=0, uid
/// precondition); status written to pods/status as kubelet writes it. Called for one pod at a
/// time (the work queue guarantees it); blocking (API, runtime, hooks).
class PodWorker {
public:
    PodWorker(PodWorkerDeps deps, PodWorkerConfig config);

    /// Brings the pod's containers towards its spec. `pod` null: the pod no longer exists in the
    /// API; everything of it is stopped and removed.
    [[nodiscard]] SyncResult sync(PodState& state, const boost::json::object* pod);

    /// The CRI log path of a container attempt.
    [[nodiscard]] std::string logPath(const PodState& state, const std::string& container,
                                      int attempt) const;
    /// The directory of a pod's logs (removed with the pod).
    [[nodiscard]] std::string podLogDir(const PodState& state) const;

private:
    [[nodiscard]] SyncResult terminate(PodState& state, const boost::json::object& pod);
    void cleanup(PodState& state, std::chrono::seconds grace);
    void refreshContainers(PodState& state);
    [[nodiscard]] bool ensureVolumes(PodState& state, const boost::json::object& pod);
    [[nodiscard]] bool ensureSandbox(PodState& state, const boost::json::object& pod);
    /// Starts (or restarts, honouring back-off) a container; returns when to sync again if it
    /// waits for back-off.
    std::optional<TimePoint> startWithBackoff(PodState& state, const boost::json::object& pod,
                                              const boost::json::object& container);
    [[nodiscard]] bool startContainer(PodState& state, const boost::json::object& pod,
                                      const boost::json::object& container, int attempt);
    void killContainer(PodState& state, const boost::json::object& pod,
                       const boost::json::object& container, std::chrono::seconds grace,
                       const std::string& message, bool runPreStop = true);
    void killAll(PodState& state, const boost::json::object& pod, std::chrono::seconds grace);
    void ensureProbes(PodState& state, const boost::json::object& pod);
    [[nodiscard]] boost::json::object computeStatus(PodState& state,
                                                    const boost::json::object& pod);
    void patchStatus(PodState& state, const boost::json::object& pod);
    void event(const boost::json::object& pod, std::string_view type, std::string_view reason,
               std::string message);

    PodWorkerDeps m_deps;
    PodWorkerConfig m_config;
};

/// Go's time.Duration.String() for whole seconds: `10s`, `1m20s`, `5m0s`.
[[nodiscard]] std::string goDuration(std::chrono::seconds duration);

} // namespace pilot::agent
