#pragma once

#include "core/clock.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

/// Pod status exactly as kubelet writes it (pkg/kubelet/kubelet_pods.go, pkg/kubelet/status):
/// container statuses, phase, conditions and QoS class. Pure functions of what the agent knows.
namespace pilot::agent {

/// One container as the agent sees it.
struct ContainerView {
    std::string name;
    std::string image; ///< As reported (the spec's image for the process runtime).
    std::string imageId;
    std::string runtimeKind;                 ///< `containerID` prefix: `process`, `runc`.
    std::optional<ContainerStatus> current;  ///< The newest attempt.
    std::optional<ContainerStatus> previous; ///< The attempt before it (lastState).
    int restartCount = 0;
    std::string waitingReason; ///< Overrides the state (CrashLoopBackOff, ContainerCreating...).
    std::string waitingMessage;
    bool ready = false;
    bool started = false;
};

/// A `containerStatuses[]` entry: name, state, lastState, ready, restartCount, image, imageID,
/// containerID, started.
[[nodiscard]] boost::json::object containerStatusJson(const ContainerView& view);

/// kubelet's getPhase over status entries.
[[nodiscard]] std::string podPhase(const boost::json::object& spec,
                                   const boost::json::array& initStatuses,
                                   const boost::json::array& containerStatuses, bool podIsTerminal);

/// Guaranteed, Burstable or BestEffort from the containers' requests and limits.
[[nodiscard]] std::string qosClass(const boost::json::object& spec);

struct PodStatusInput {
    const boost::json::object* pod = nullptr;  ///< Spec, and the status being replaced.
    std::vector<ContainerView> initContainers; ///< In spec order.
    std::vector<ContainerView> containers;     ///< In spec order.
    bool sandboxReady = false;
    std::string hostIp;
    std::string podIp;
    TimePoint startTime{};
    TimePoint now{};
    bool podIsTerminal = false; ///< Nothing will run again (deleted, or run to completion).
};

/// The status the agent writes: phase, conditions (PodReadyToStartContainers, Initialized,
/// Ready, ContainersReady, then the others the pod already had, e.g. PodScheduled), hostIP(s),
/// podIP(s), startTime, initContainerStatuses, containerStatuses, qosClass. Transition times are
/// kept from the old status while a condition's status is unchanged; a terminal phase never goes
/// back.
[[nodiscard]] boost::json::object computePodStatus(const PodStatusInput& input);

/// Whether the pod has a regular container that ever started (the pod was initialized).
[[nodiscard]] bool isRestartableInitContainer(const boost::json::object& container);

} // namespace pilot::agent
