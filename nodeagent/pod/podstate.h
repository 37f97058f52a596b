#pragma once

#include "core/clock.h"
#include "nodeagent/runtime/runtime.h"
#include "nodeagent/volume/volumemanager.h"

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>

namespace pilot::agent {

/// What the agent remembers about one container of a pod between syncs.
struct ContainerRecord {
    std::string currentId;                  ///< The newest attempt (empty before the first).
    int attempt = -1;                       ///< Its restart count; -1 before the first attempt.
    std::string previousId;                 ///< The attempt before (lastState, `logs --previous`).
    std::string image;                      ///< The image the current attempt was started with.
    std::optional<ContainerStatus> current; ///< Refreshed from the runtime every sync.
    std::optional<ContainerStatus> previous;
    std::string waitingReason; ///< A start failure shown until the next attempt.
    std::string waitingMessage;
    bool postStartFailed = false;
};

/// What the agent remembers about one pod (by uid) between syncs. Rebuilt from the runtime's
/// labels when the agent restarts.
struct PodState {
    std::string uid;
    std::string ns;
    std::string name;
    std::string sandboxId;
    bool sandboxReady = false;
    std::string podIp;
    TimePoint startTime{};
    std::map<std::string, ContainerRecord> containers; ///< By container name.
    std::optional<PodVolumes> volumes;
    TimePoint volumesAt{};
    boost::json::object lastSentStatus;
    boost::json::object lastPod; ///< The newest pod object seen.
    bool terminal = false;       ///< Ran to completion or failed: nothing starts again.
    std::string terminalReason;  ///< e.g. DeadlineExceeded.
    std::string terminalMessage;
    std::set<std::string> warnedContainers; ///< Runtime limitations already reported.
};

/// Labels every sandbox and container carries, so a restarted agent can find them.
namespace labels {
inline constexpr const char* PodUid = "io.kubernetes.pod.uid";
inline constexpr const char* PodName = "io.kubernetes.pod.name";
inline constexpr const char* PodNamespace = "io.kubernetes.pod.namespace";
inline constexpr const char* ContainerName = "io.kubernetes.container.name";
inline constexpr const char* RestartCount = "io.kubernetes.container.restartCount";
inline constexpr const char* Image = "io.kubernetes.container.image";
} // namespace labels

} // namespace pilot::agent
