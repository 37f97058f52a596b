#include "nodeagent/agent/agentbackend.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::agent {
namespace json = boost::json;

std::string AgentBackend::podList() {
    json::array items;
    for (const auto& pod : m_pods.pods()) {
        items.push_back(*pod);
    }
    return json::serialize(json::object{{"kind", "PodList"},
                                        {"apiVersion", "v1"},
                                        {"metadata", json::object()},
                                        {"items", std::move(items)}});
}

Result<ServedContainer> AgentBackend::container(const std::string& ns, const std::string& pod,
                                                const std::string& container, bool previous) {
    kube::ObjectPtr object = m_pods.pod(ns, pod);
    if (!object) {
        return fail(ErrorCode::NotFound, fmt::format("pod \"{}/{}\" not found", ns, pod));
    }
    bool inSpec = false;
    const json::object* spec = kube::objectAt(*object, "spec");
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
        if (const json::array* cs = spec ? kube::arrayAt(*spec, list) : nullptr) {
            for (const json::value& c : *cs) {
                inSpec =
                    inSpec || (c.is_object() && kube::stringAt(c.as_object(), "name") == container);
            }
        }
    }
    if (!inSpec) {
        return fail(ErrorCode::NotFound,
                    fmt::format("container {:?} in pod {:?} is not available", container, pod));
    }
    auto location = m_pods.locate(ns, pod, container, previous);
    if (!location) {
        if (previous) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("previous terminated container {:?} in pod {:?} not found",
                                    container, pod));
        }
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container {:?} in pod {:?} is waiting to start: ContainerCreating",
                                container, pod));
    }
    ServedContainer out;
    out.containerId = location->containerId;
    out.logPath = location->logPath;
    out.running = previous ? false : isRunning(location->containerId);
    return out;
}

bool AgentBackend::isRunning(const std::string& containerId) {
    auto status = m_runtime.containerStatus(containerId);
    return status && status->state == ContainerState::Running;
}

Result<std::unique_ptr<ExecSession>> AgentBackend::exec(const std::string& containerId,
                                                        ExecOptions options) {
    return m_runtime.exec(containerId, std::move(options));
}

std::string AgentBackend::statsSummary() {
    return json::serialize(m_stats.summary());
}

std::string AgentBackend::resourceMetrics() {
    return m_stats.resourceMetrics();
}

std::string AgentBackend::metrics() {
    return m_stats.agentMetrics();
}

} // namespace pilot::agent
