// The pods printer: READY, STATUS and RESTARTS computed as kube-apiserver's printPod does.

#include "engine/printers/printutil.h"

#include <fmt/format.h>

#include <map>

namespace pilot::printers::detail {
namespace json = boost::json;

namespace {

bool isRestartableInitContainer(const json::object* container) {
    return container != nullptr && str(*container, {"restartPolicy"}) == "Always";
}

bool hasCondition(const json::object& pod, std::string_view type) {
    const json::array* conditions = findArray(pod, {"status", "conditions"});
    if (conditions == nullptr) {
        return false;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition != nullptr && str(*condition, {"type"}) == type &&
            str(*condition, {"status"}) == "True") {
            return true;
        }
    }
    return false;
}

std::string terminatedReason(const json::object& terminated, std::string_view prefix) {
    std::string reason = str(terminated, {"reason"});
    if (!reason.empty()) {
        return std::string(prefix) + reason;
    }
    int64_t signal = integer(terminated, {"signal"});
    if (signal != 0) {
        return fmt::format("{}Signal:{}", prefix, signal);
    }
    return fmt::format("{}ExitCode:{}", prefix, integer(terminated, {"exitCode"}));
}

// Keeps the latest lastState.terminated.finishedAt seen.
void noteRestart(const json::object& status, std::optional<TimePoint>& latest) {
    std::optional<TimePoint> finished =
        timeOf(find(status, {"lastState", "terminated", "finishedAt"}));
    if (finished && (!latest || *latest < *finished)) {
        latest = finished;
    }
}

std::string readinessGates(const json::object& pod) {
    const json::array* gates = findArray(pod, {"spec", "readinessGates"});
    if (gates == nullptr || gates->empty()) {
        return "<none>";
    }
    const json::array* conditions = findArray(pod, {"status", "conditions"});
    int trueConditions = 0;
    for (const json::value& g : *gates) {
        const json::object* gate = g.if_object();
        if (gate == nullptr || conditions == nullptr) {
            continue;
        }
        std::string type = str(*gate, {"conditionType"});
        for (const json::value& c : *conditions) {
            const json::object* condition = c.if_object();
            if (condition != nullptr && str(*condition, {"type"}) == type) {
                if (str(*condition, {"status"}) == "True") {
                    ++trueConditions;
                }
                break;
            }
        }
    }
    return fmt::format("{}/{}", trueConditions, gates->size());
}

json::array podCells(const json::object& pod, TimePoint now) {
    const json::array* containers = findArray(pod, {"spec", "containers"});
    const json::array* initContainers = findArray(pod, {"spec", "initContainers"});
    int64_t restarts = 0;
    int64_t restartableInitRestarts = 0;
    int64_t total = containers == nullptr ? 0 : static_cast<int64_t>(containers->size());
    int64_t ready = 0;
    std::optional<TimePoint> lastRestart;
    std::optional<TimePoint> lastRestartableInitRestart;

    std::string phase = str(pod, {"status", "phase"});
    std::string reason = phase;
    std::string statusReason = str(pod, {"status", "reason"});
    if (!statusReason.empty()) {
        reason = statusReason;
    }
    if (const json::array* conditions = findArray(pod, {"status", "conditions"})) {
        for (const json::value& c : *conditions) {
            const json::object* condition = c.if_object();
            if (condition != nullptr && str(*condition, {"type"}) == "PodScheduled" &&
                str(*condition, {"reason"}) == "SchedulingGated") {
                reason = "SchedulingGated";
            }
        }
    }

    std::map<std::string, const json::object*, std::less<>> initByName;
    size_t initCount = initContainers == nullptr ? 0 : initContainers->size();
    if (initContainers != nullptr) {
        for (const json::value& c : *initContainers) {
            const json::object* container = c.if_object();
            if (container == nullptr) {
                continue;
            }
            initByName[str(*container, {"name"})] = container;
            if (isRestartableInitContainer(container)) {
                ++total;
            }
        }
    }

    bool initializing = false;
    if (const json::array* statuses = findArray(pod, {"status", "initContainerStatuses"})) {
        for (size_t i = 0; i < statuses->size(); ++i) {
            const json::object* status = (*statuses)[i].if_object();
            if (status == nullptr) {
                continue;
            }
            restarts += integer(*status, {"restartCount"});
            noteRestart(*status, lastRestart);
            auto spec = initByName.find(str(*status, {"name"}));
            bool restartable = spec != initByName.end() && isRestartableInitContainer(spec->second);
            if (restartable) {
                restartableInitRestarts += integer(*status, {"restartCount"});
                noteRestart(*status, lastRestartableInitRestart);
            }
            const json::object* terminated = findObject(*status, {"state", "terminated"});
            const json::object* waiting = findObject(*status, {"state", "waiting"});
            if (terminated != nullptr && integer(*terminated, {"exitCode"}) == 0) {
                continue;
            }
            if (restartable && boolean(*status, {"started"})) {
                if (boolean(*status, {"ready"})) {
                    ++ready;
                }
                continue;
            }
            if (terminated != nullptr) {
                reason = terminatedReason(*terminated, "Init:");
            } else if (waiting != nullptr && !str(*waiting, {"reason"}).empty() &&
                       str(*waiting, {"reason"}) != "PodInitializing") {
                reason = "Init:" + str(*waiting, {"reason"});
            } else {
                reason = fmt::format("Init:{}/{}", i, initCount);
            }
            initializing = true;
            break;
        }
    }

    if (!initializing || hasCondition(pod, "Initialized")) {
        restarts = restartableInitRestarts;
        lastRestart = lastRestartableInitRestart;
        bool hasRunning = false;
        if (const json::array* statuses = findArray(pod, {"status", "containerStatuses"})) {
            for (size_t i = statuses->size(); i-- > 0;) {
                const json::object* status = (*statuses)[i].if_object();
                if (status == nullptr) {
                    continue;
                }
                restarts += integer(*status, {"restartCount"});
                noteRestart(*status, lastRestart);
                const json::object* waiting = findObject(*status, {"state", "waiting"});
                const json::object* terminated = findObject(*status, {"state", "terminated"});
                if (waiting != nullptr && !str(*waiting, {"reason"}).empty()) {
                    reason = str(*waiting, {"reason"});
                } else if (terminated != nullptr) {
                    reason = terminatedReason(*terminated, "");
                } else if (boolean(*status, {"ready"}) &&
                           findObject(*status, {"state", "running"}) != nullptr) {
                    hasRunning = true;
                    ++ready;
                }
            }
        }
        if (reason == "Completed" && hasRunning) {
            reason = hasCondition(pod, "Ready") ? "Running" : "NotReady";
        }
    }

    bool deleting = find(pod, {"metadata", "deletionTimestamp"}) != nullptr &&
                    !find(pod, {"metadata", "deletionTimestamp"})->is_null();
    if (deleting && statusReason == "NodeLost") {
        reason = "Unknown";
    } else if (deleting && phase != "Succeeded" && phase != "Failed") {
        reason = "Terminating";
    }

    std::string restartText = std::to_string(restarts);
    if (restarts != 0 && lastRestart) {
        restartText = fmt::format(
            "{} ({} ago)", restarts,
            formatAge(std::chrono::duration_cast<std::chrono::seconds>(now - *lastRestart)));
    }

    std::string podIP;
    if (const json::array* ips = findArray(pod, {"status", "podIPs"}); ips && !ips->empty()) {
        if (const json::object* first = (*ips)[0].if_object()) {
            podIP = str(*first, {"ip"});
        }
    }
    std::string node = str(pod, {"spec", "nodeName"});
    std::string nominated = str(pod, {"status", "nominatedNodeName"});

    json::array cells;
    cells.emplace_back(str(pod, {"metadata", "name"}));
    cells.emplace_back(fmt::format("{}/{}", ready, total));
    cells.emplace_back(reason);
    cells.emplace_back(restartText);
    cells.emplace_back(age(pod, now));
    cells.emplace_back(podIP.empty() ? "<none>" : podIP);
    cells.emplace_back(node.empty() ? "<none>" : node);
    cells.emplace_back(nominated.empty() ? "<none>" : nominated);
    cells.emplace_back(readinessGates(pod));
    return cells;
}

} // namespace

void addPodPrinter(PrinterMap& printers) {
    addPrinter(
        printers, "pods",
        {nameColumn(),
         column("Ready", "string",
                "The aggregate readiness state of this pod for accepting traffic."),
         column("Status", "string", "The aggregate status of the containers in this pod."),
         column("Restarts", "string",
                "The number of times the containers in this pod have been restarted and when "
                "the last container in this pod has restarted."),
         ageColumn(),
         column("IP", "string",
                "podIP address allocated to the pod. Routable at least within the cluster.", 1),
         column("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
         column("Nominated Node", "string",
                "nominatedNodeName is set when this pod preempts other pods on the node.", 1),
         column("Readiness Gates", "string",
                "If specified, all readiness gates will be evaluated for pod readiness.", 1)},
        podCells);
}

} // namespace pilot::printers::detail
