#include "nodeagent/runtime/containertable.h"

#include "kube/jsonutil.h"
#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/procfs.h"

#include <boost/json.hpp>

namespace pilot::agent {

namespace json = boost::json;

namespace {

constexpr auto ExitingMonitorWait = std::chrono::seconds(5);
constexpr auto KillWait = std::chrono::seconds(10);

} // namespace

ContainerStatus monitoredContainerStatus(const MonitoredContainer& c) {
    ContainerStatus status;
    status.id = c.id;
    status.sandboxId = c.sandboxId;
    status.name = c.name;
    status.createdAt = c.createdAt;
    status.logPath = c.logPath;
    status.labels = c.labels;
    auto state = readMonitorState(c.monitorDir());
    if (!state) {
        status.state = ContainerState::Created;
        return status;
    }
    status.pid = state->pid;
    status.startedAt = state->startedAt;
    status.finishedAt = state->finishedAt;
    switch (state->status) {
    case MonitorStatus::Created:
        status.state = ContainerState::Created;
        break;
    case MonitorStatus::Running:
        if (isProcessAlive(state->pid, state->pidStartTicks) || isMonitorAlive(*state)) {
            status.state = ContainerState::Running;
            break;
        }
        // The process and its monitor vanished together (a reboot): the exit code is lost.
        status.state = ContainerState::Exited;
        status.exitCode = 137;
        status.reason = "ContainerStatusUnknown";
        status.message = "The container could not be located when the pod was terminated";
        status.finishedAt = state->startedAt;
        break;
    case MonitorStatus::Exited:
        status.state = ContainerState::Exited;
        status.exitCode = state->exitCode;
        status.message = state->message;
        // The monitor ends a start that failed as exit code 128 with no container process.
        if (state->exitCode == 128 && state->pid == 0) {
            status.reason = "StartError";
        } else {
            status.reason = state->exitCode == 0 ? "Completed" : "Error";
        }
        break;
    }
    return status;
}

Status stopMonitoredContainer(const MonitoredContainer& c, std::chrono::seconds grace,
                              const std::function<void(const MonitorState&, StopSignal)>& signal) {
    std::string stateDir = c.monitorDir();
    auto state = readMonitorState(stateDir);
    if (!state || state->status == MonitorStatus::Exited) {
        return {};
    }
    if (state->pid == 0 || !isProcessAlive(state->pid, state->pidStartTicks)) {
        if (isMonitorAlive(*state)) {
            (void)waitForMonitorExit(stateDir, ExitingMonitorWait);
        }
        return {};
    }
    if (grace.count() > 0) {
        signal(*state, StopSignal::Graceful);
        auto after = waitForMonitorExit(stateDir, grace);
        if (after && (after->status == MonitorStatus::Exited || !isMonitorAlive(*after))) {
            return {};
        }
    }
    if (isProcessAlive(state->pid, state->pidStartTicks)) {
        signal(*state, StopSignal::Kill);
    }
    auto after = waitForMonitorExit(stateDir, KillWait);
    if (after && after->status != MonitorStatus::Exited && isMonitorAlive(*after)) {
        return fail(ErrorCode::Timeout, fmt::format("container {} did not stop", c.id));
    }
    return {};
}

json::object labelsToJson(const Labels& labels) {
    json::object out;
    for (const auto& [k, v] : labels) {
        out[k] = v;
    }
    return out;
}

Labels labelsFromJson(const json::object* json) {
    Labels out;
    if (json == nullptr) {
        return out;
    }
    for (const auto& [k, v] : *json) {
        if (v.is_string()) {
            out[std::string(k)] = std::string(v.as_string());
        }
    }
    return out;
}

json::object monitoredContainerJson(const MonitoredContainer& c) {
    return json::object{{"id", c.id},
                        {"sandboxId", c.sandboxId},
                        {"name", c.name},
                        {"image", c.image},
                        {"logPath", c.logPath},
                        {"labels", labelsToJson(c.labels)},
                        {"createdAt", formatNanoTime(c.createdAt)}};
}

void readMonitoredContainer(const json::object& o, MonitoredContainer& c) {
    c.sandboxId = kube::stringAt(o, "sandboxId");
    c.name = kube::stringAt(o, "name");
    c.image = kube::stringAt(o, "image");
    c.logPath = kube::stringAt(o, "logPath");
    c.labels = labelsFromJson(kube::objectAt(o, "labels"));
    auto created = parseTime(kube::stringAt(o, "createdAt"));
    c.createdAt = created ? *created : TimePoint{};
}

} // namespace pilot::agent
