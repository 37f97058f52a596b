#pragma once

#include "core/clock.h"
#include "nodeagent/probe/prober.h"
#include "nodeagent/runtime/executor.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace pilot::agent {

enum class ProbeKind { Liveness, Readiness, Startup };

[[nodiscard]] std::string_view probeKindName(ProbeKind kind); ///< `Liveness`, ...

/// A running container to probe.
struct ProbeTarget {
    std::string podUid;
    std::string containerName;
    std::string containerId;
    std::string podIp;
    boost::json::object container; ///< Its spec: probes and named ports.
    TimePoint startedAt{};
};

/// A failed (or errored) probe, for the pod's `Unhealthy` Warning event, or a probe that
/// succeeded with a warning (`ProbeWarning`).
struct ProbeEvent {
    std::string podUid;
    std::string containerName;
    ProbeKind kind = ProbeKind::Readiness;
    ProbeResult result = ProbeResult::Failure;
    std::string message;
};

/// kubelet's prober workers: one per (container, probe kind), run on the executor at the
/// probe's period after its initialDelaySeconds. Results follow kubelet: readiness starts
/// failed, liveness succeeded, startup not yet succeeded; a result changes after
/// successThreshold/failureThreshold consecutive outcomes; liveness and readiness wait until the
/// startup probe succeeded; a failed liveness or startup probe holds (stops probing) until a new
/// container replaces the failed one. Result changes call `onChange(podUid)`. Thread-safe.
class ProbeManager {
public:
    ProbeManager(Runtime& runtime, Executor& executor,
                 std::function<void(const std::string& podUid)> onChange,
                 std::function<void(const ProbeEvent&)> onEvent, const Clock* clock = nullptr);
    ~ProbeManager();

    /// Starts the workers of a running container; a call with the same containerId is a no-op,
    /// a new containerId restarts them with initial results.
    void addContainer(const ProbeTarget& target);
    void removeContainer(const std::string& podUid, const std::string& containerName);
    void removePod(const std::string& podUid);
    /// Stops scheduling (agent shutdown).
    void stop();

    /// Readiness: true without a readiness probe.
    [[nodiscard]] bool isReady(const std::string& podUid, const std::string& containerName) const;
    /// Startup: true without a startup probe.
    [[nodiscard]] bool isStarted(const std::string& podUid, const std::string& containerName) const;
    /// Why the container must be restarted (its liveness or startup probe failed), if it must.
    [[nodiscard]] std::optional<std::string> restartReason(const std::string& podUid,
                                                           const std::string& containerName,
                                                           const std::string& containerId) const;

private:
    struct Worker {
        uint64_t id = 0;
        ProbeKind kind = ProbeKind::Readiness;
        ProbeTarget target;
        boost::json::object probe;
        ProbeResult result = ProbeResult::Failure;
        ProbeResult last = ProbeResult::Unknown;
        int run = 0;
        bool onHold = false;
        std::string lastMessage;
    };
    using Key = std::string; // podUid/containerName/kind

    void schedule(uint64_t id, std::chrono::nanoseconds delay);
    void tick(uint64_t id);
    [[nodiscard]] static Key key(const std::string& podUid, const std::string& container,
                                 ProbeKind kind);

    Runtime& m_runtime;
    Executor& m_executor;
    std::function<void(const std::string&)> m_onChange;
    std::function<void(const ProbeEvent&)> m_onEvent;
    SystemClock m_systemClock;
    const Clock& m_clock;

    mutable std::mutex m_mutex;
    std::map<Key, std::shared_ptr<Worker>> m_workers;
    std::map<uint64_t, std::shared_ptr<Worker>> m_byId;
    uint64_t m_nextId = 1;
    bool m_stopped = false;
};

} // namespace pilot::agent
