#include "nodeagent/pod/podstatus.h"

#include "kube/jsonutil.h"
#include "kube/quantity.h"

#include <fmt/format.h>

#include <map>

namespace pilot::agent {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

const json::array& emptyArray() {
    static const json::array empty;
    return empty;
}

const json::array& arrayOr(const json::object* o, std::string_view key) {
    const json::array* a = o ? kube::arrayAt(*o, key) : nullptr;
    return a ? *a : emptyArray();
}

const json::object* statusFor(const json::array& statuses, std::string_view name) {
    for (const json::value& s : statuses) {
        if (s.is_object() && stringAt(s.as_object(), "name") == name) {
            return &s.as_object();
        }
    }
    return nullptr;
}

json::object terminated(const ContainerStatus& status, const std::string& kind) {
    json::object t{{"exitCode", status.exitCode}};
    if (!status.reason.empty()) {
        t["reason"] = status.reason;
    }
    if (!status.message.empty()) {
        t["message"] = status.message;
    }
    t["startedAt"] = formatTime(status.startedAt);
    t["finishedAt"] = formatTime(status.finishedAt);
    t["containerID"] = kind + "://" + status.id;
    return t;
}

/// Go's fmt %s of a []string: `[a b]`.
std::string goList(const std::vector<std::string>& names) {
    std::string out = "[";
    for (size_t i = 0; i < names.size(); ++i) {
        out += (i ? " " : "") + names[i];
    }
    return out + "]";
}

json::object condition(std::string type, bool status, std::string reason = {},
                       std::string message = {}) {
    json::object c{{"type", std::move(type)}, {"status", status ? "True" : "False"}};
    if (!reason.empty()) {
        c["reason"] = std::move(reason);
    }
    if (!message.empty()) {
        c["message"] = std::move(message);
    }
    return c;
}

bool statusTrue(const json::object* s, std::string_view key) {
    return s && kube::boolAt(*s, key).value_or(false);
}

json::object initializedCondition(const json::object& spec, const json::array& initStatuses,
                                  const json::array& statuses, const std::string& phase) {
    const json::array& inits = arrayOr(&spec, "initContainers");
    std::vector<std::string> unknown;
    std::vector<std::string> incomplete;
    for (const json::value& c : inits) {
        const json::object& container = c.as_object();
        std::string name = stringAt(container, "name");
        const json::object* status = statusFor(initStatuses, name);
        if (!status) {
            unknown.push_back(name);
            continue;
        }
        if (isRestartableInitContainer(container)) {
            if (!statusTrue(status, "started")) {
                incomplete.push_back(name);
            }
            continue;
        }
        if (!statusTrue(status, "ready")) {
            incomplete.push_back(name);
        }
    }
    if (phase == "Succeeded" && unknown.empty()) {
        return condition("Initialized", true, "PodCompleted");
    }
    // A regular container that started means the pod was initialized before (sidecars may be
    // restarting now).
    for (const json::value& c : arrayOr(&spec, "containers")) {
        const json::object* status = statusFor(statuses, stringAt(c.as_object(), "name"));
        const json::object* state = status ? objectAt(*status, "state") : nullptr;
        const json::object* last = status ? objectAt(*status, "lastState") : nullptr;
        if ((state && (objectAt(*state, "running") || objectAt(*state, "terminated"))) ||
            (last && objectAt(*last, "terminated"))) {
            return condition("Initialized", true);
        }
    }
    std::vector<std::string> messages;
    if (!unknown.empty()) {
        messages.push_back("containers with unknown status: " + goList(unknown));
    }
    if (!incomplete.empty()) {
        messages.push_back("containers with incomplete status: " + goList(incomplete));
    }
    if (!messages.empty()) {
        std::string message = messages[0];
        for (size_t i = 1; i < messages.size(); ++i) {
            message += ", " + messages[i];
        }
        return condition("Initialized", false, "ContainersNotInitialized", message);
    }
    return condition("Initialized", true);
}

json::object containersReadyCondition(const json::object& spec, const json::array& initStatuses,
                                      const json::array& statuses, const std::string& phase) {
    std::vector<std::string> unknown;
    std::vector<std::string> unready;
    for (const json::value& c : arrayOr(&spec, "initContainers")) {
        if (!isRestartableInitContainer(c.as_object())) {
            continue;
        }
        std::string name = stringAt(c.as_object(), "name");
        const json::object* status = statusFor(initStatuses, name);
        if (!status) {
            unknown.push_back(name);
        } else if (!statusTrue(status, "ready")) {
            unready.push_back(name);
        }
    }
    for (const json::value& c : arrayOr(&spec, "containers")) {
        std::string name = stringAt(c.as_object(), "name");
        const json::object* status = statusFor(statuses, name);
        if (!status) {
            unknown.push_back(name);
        } else if (!statusTrue(status, "ready")) {
            unready.push_back(name);
        }
    }
    if (phase == "Succeeded" && unknown.empty()) {
        return condition("ContainersReady", false, "PodCompleted");
    }
    if (phase == "Failed") {
        return condition("ContainersReady", false, "PodFailed");
    }
    std::vector<std::string> messages;
    if (!unknown.empty()) {
        messages.push_back("containers with unknown status: " + goList(unknown));
    }
    if (!unready.empty()) {
        messages.push_back("containers with unready status: " + goList(unready));
    }
    if (!messages.empty()) {
        std::string message = messages[0];
        for (size_t i = 1; i < messages.size(); ++i) {
            message += ", " + messages[i];
        }
        return condition("ContainersReady", false, "ContainersNotReady", message);
    }
    return condition("ContainersReady", true);
}

json::object readyCondition(const json::object& spec, const json::object& containersReady,
                            const json::array& existingConditions) {
    if (stringAt(containersReady, "status") != "True") {
        json::object ready = containersReady;
        ready["type"] = "Ready";
        return ready;
    }
    std::vector<std::string> problems;
    for (const json::value& gate : arrayOr(&spec, "readinessGates")) {
        std::string type = stringAt(gate.as_object(), "conditionType");
        const json::object* found = nullptr;
        for (const json::value& c : existingConditions) {
            if (c.is_object() && stringAt(c.as_object(), "type") == type) {
                found = &c.as_object();
            }
        }
        if (!found) {
            problems.push_back(fmt::format(
                "corresponding condition of pod readiness gate {:?} does not exist.", type));
        } else if (stringAt(*found, "status") != "True") {
            problems.push_back(fmt::format("the status of pod readiness gate {:?} is not \"True\", "
                                           "but {}",
                                           type, stringAt(*found, "status")));
        }
    }
    if (!problems.empty()) {
        std::string message = problems[0];
        for (size_t i = 1; i < problems.size(); ++i) {
            message += ", " + problems[i];
        }
        return condition("Ready", false, "ReadinessGatesNotReady", message);
    }
    return condition("Ready", true);
}

bool hasResource(const json::object* list, const char* name) {
    if (!list) {
        return false;
    }
    const json::value* v = list->if_contains(name);
    if (!v) {
        return false;
    }
    auto q = kube::Quantity::fromJson(*v);
    return q && !q->isZero();
}

} // namespace

bool isRestartableInitContainer(const json::object& container) {
    return stringAt(container, "restartPolicy") == "Always";
}

json::object containerStatusJson(const ContainerView& view) {
    json::object state;
    bool waiting = false;
    if (!view.waitingReason.empty()) {
        json::object w{{"reason", view.waitingReason}};
        if (!view.waitingMessage.empty()) {
            w["message"] = view.waitingMessage;
        }
        state["waiting"] = std::move(w);
        waiting = true;
    } else if (view.current && view.current->state == ContainerState::Running) {
        state["running"] = json::object{{"startedAt", formatTime(view.current->startedAt)}};
    } else if (view.current && view.current->state == ContainerState::Exited) {
        state["terminated"] = terminated(*view.current, view.runtimeKind);
    } else {
        state["waiting"] = json::object{{"reason", "ContainerCreating"}};
        waiting = true;
    }
    json::object lastState;
    if (waiting && view.current && view.current->state == ContainerState::Exited) {
        lastState["terminated"] = terminated(*view.current, view.runtimeKind);
    } else if (view.previous && view.previous->state == ContainerState::Exited) {
        lastState["terminated"] = terminated(*view.previous, view.runtimeKind);
    }
    json::object out{{"name", view.name},
                     {"state", std::move(state)},
                     {"lastState", std::move(lastState)},
                     {"ready", view.ready},
                     {"restartCount", view.restartCount},
                     {"image", view.image},
                     {"imageID", view.imageId}};
    if (view.current) {
        out["containerID"] = view.runtimeKind + "://" + view.current->id;
    }
    out["started"] = view.started;
    return out;
}

std::string podPhase(const json::object& spec, const json::array& initStatuses,
                     const json::array& containerStatuses, bool podIsTerminal) {
    int pendingRestartableInit = 0;
    int pendingRegularInit = 0;
    int failedInitialization = 0;
    for (const json::value& c : arrayOr(&spec, "initContainers")) {
        const json::object& container = c.as_object();
        if (isRestartableInitContainer(container)) {
            continue;
        }
        const json::object* status = statusFor(initStatuses, stringAt(container, "name"));
        if (!status) {
            ++pendingRegularInit;
            continue;
        }
        const json::object* state = objectAt(*status, "state");
        const json::object* last = objectAt(*status, "lastState");
        if (objectAt(state, "running")) {
            ++pendingRegularInit;
        } else if (const json::object* t = objectAt(state, "terminated")) {
            if (kube::integerAt(*t, "exitCode").value_or(0) != 0) {
                ++failedInitialization;
            }
        } else if (objectAt(state, "waiting")) {
            if (const json::object* lt = objectAt(last, "terminated")) {
                if (kube::integerAt(*lt, "exitCode").value_or(0) != 0) {
                    ++failedInitialization;
                }
            } else {
                ++pendingRegularInit;
            }
        } else {
            ++pendingRegularInit;
        }
    }
    int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
    for (const json::value& c : arrayOr(&spec, "initContainers")) {
        const json::object& container = c.as_object();
        if (!isRestartableInitContainer(container)) {
            continue;
        }
        const json::object* status = statusFor(initStatuses, stringAt(container, "name"));
        if (!status) {
            ++unknown;
            continue;
        }
        const json::object* state = objectAt(*status, "state");
        if (objectAt(state, "running")) {
            if (!statusTrue(status, "started")) {
                ++pendingRestartableInit;
            }
            ++running;
        } else if (objectAt(state, "terminated")) {
            // Terminated sidecars do not count for the phase.
        } else if (objectAt(state, "waiting")) {
            if (!objectAt(objectAt(*status, "lastState"), "terminated")) {
                ++pendingRestartableInit;
                ++waiting;
            }
        } else {
            ++pendingRestartableInit;
            ++unknown;
        }
    }
    for (const json::value& c : arrayOr(&spec, "containers")) {
        const json::object* status = statusFor(containerStatuses, stringAt(c.as_object(), "name"));
        if (!status) {
            ++unknown;
            continue;
        }
        const json::object* state = objectAt(*status, "state");
        if (objectAt(state, "running")) {
            ++running;
        } else if (const json::object* t = objectAt(state, "terminated")) {
            ++stopped;
            if (kube::integerAt(*t, "exitCode").value_or(0) == 0) {
                ++succeeded;
            }
        } else if (objectAt(state, "waiting")) {
            if (objectAt(objectAt(*status, "lastState"), "terminated")) {
                ++stopped;
            } else {
                ++waiting;
            }
        } else {
            ++unknown;
        }
    }
    std::string restartPolicy = stringAt(spec, "restartPolicy");
    if (restartPolicy.empty()) {
        restartPolicy = "Always";
    }
    if (failedInitialization > 0 && restartPolicy == "Never") {
        return "Failed";
    }
    if (pendingRegularInit > 0 || pendingRestartableInit > 0) {
        return "Pending";
    }
    if (waiting > 0) {
        return "Pending";
    }
    if (running > 0 && unknown == 0) {
        return "Running";
    }
    if (running == 0 && stopped > 0 && unknown == 0) {
        if (podIsTerminal) {
            return stopped == succeeded ? "Succeeded" : "Failed";
        }
        if (restartPolicy == "Always") {
            return "Running";
        }
        if (stopped == succeeded) {
            return "Succeeded";
        }
        if (restartPolicy == "Never") {
            return "Failed";
        }
        return "Running";
    }
    return "Pending";
}

std::string qosClass(const json::object& spec) {
    bool anyRequestOrLimit = false;
    bool guaranteed = true;
    bool anyContainer = false;
    for (const char* list : {"initContainers", "containers"}) {
        for (const json::value& c : arrayOr(&spec, list)) {
            anyContainer = true;
            const json::object* resources = objectAt(c.as_object(), "resources");
            const json::object* requests = objectAt(resources, "requests");
            const json::object* limits = objectAt(resources, "limits");
            for (const char* name : {"cpu", "memory"}) {
                bool hasRequest = hasResource(requests, name);
                bool hasLimit = hasResource(limits, name);
                anyRequestOrLimit = anyRequestOrLimit || hasRequest || hasLimit;
                if (!hasLimit) {
                    guaranteed = false;
                    continue;
                }
                if (hasRequest) {
                    auto request = kube::Quantity::fromJson(requests->at(name));
                    auto limit = kube::Quantity::fromJson(limits->at(name));
                    if (!request || !limit || *request != *limit) {
                        guaranteed = false;
                    }
                }
            }
        }
    }
    if (!anyRequestOrLimit) {
        return "BestEffort";
    }
    return guaranteed && anyContainer ? "Guaranteed" : "Burstable";
}

json::object computePodStatus(const PodStatusInput& input) {
    const json::object& pod = *input.pod;
    const json::object* specPtr = objectAt(pod, "spec");
    static const json::object emptySpec;
    const json::object& spec = specPtr ? *specPtr : emptySpec;
    const json::object* old = objectAt(pod, "status");

    json::array initStatuses;
    for (const ContainerView& view : input.initContainers) {
        initStatuses.push_back(containerStatusJson(view));
    }
    json::array statuses;
    for (const ContainerView& view : input.containers) {
        statuses.push_back(containerStatusJson(view));
    }
    std::string phase = podPhase(spec, initStatuses, statuses, input.podIsTerminal);
    std::string oldPhase = stringAt(old, "phase");
    if (oldPhase == "Succeeded" || oldPhase == "Failed") {
        phase = oldPhase; // Terminal phases are final.
    }

    const json::array& existing = arrayOr(old, "conditions");
    json::object containersReady = containersReadyCondition(spec, initStatuses, statuses, phase);
    json::array conditions{
        condition("PodReadyToStartContainers", input.sandboxReady),
        initializedCondition(spec, initStatuses, statuses, phase),
        readyCondition(spec, containersReady, existing),
        containersReady,
    };
    std::string now = formatTime(input.now);
    for (json::value& c : conditions) {
        json::object& cond = c.as_object();
        cond["lastProbeTime"] = nullptr;
        cond["lastTransitionTime"] = now;
        for (const json::value& e : existing) {
            if (e.is_object() && stringAt(e.as_object(), "type") == stringAt(cond, "type") &&
                stringAt(e.as_object(), "status") == stringAt(cond, "status") &&
                !stringAt(e.as_object(), "lastTransitionTime").empty()) {
                cond["lastTransitionTime"] = stringAt(e.as_object(), "lastTransitionTime");
            }
        }
    }
    // Conditions owned by others (PodScheduled, DisruptionTarget, readiness gates) stay.
    for (const json::value& e : existing) {
        if (!e.is_object()) {
            continue;
        }
        std::string type = stringAt(e.as_object(), "type");
        if (type != "PodReadyToStartContainers" && type != "Initialized" && type != "Ready" &&
            type != "ContainersReady") {
            conditions.push_back(e);
        }
    }

    json::object status{{"phase", phase}, {"conditions", std::move(conditions)}};
    if (!input.hostIp.empty()) {
        status["hostIP"] = input.hostIp;
        status["hostIPs"] = json::array{json::object{{"ip", input.hostIp}}};
    }
    if (!input.podIp.empty()) {
        status["podIP"] = input.podIp;
        status["podIPs"] = json::array{json::object{{"ip", input.podIp}}};
    }
    std::string startTime = stringAt(old, "startTime");
    status["startTime"] = startTime.empty() ? formatTime(input.startTime) : startTime;
    if (!initStatuses.empty()) {
        status["initContainerStatuses"] = std::move(initStatuses);
    }
    status["containerStatuses"] = std::move(statuses);
    std::string qos = stringAt(old, "qosClass");
    status["qosClass"] = qos.empty() ? qosClass(spec) : qos;
    return status;
}

} // namespace pilot::agent
