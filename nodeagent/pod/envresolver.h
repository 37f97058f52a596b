#pragma once

#include "core/error.h"
#include "nodeagent/volume/downwardapi.h"
#include "nodeagent/volume/volumesources.h"

#include <boost/json/object.hpp>

#include <string>
#include <utility>
#include <vector>

namespace pilot::agent {

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct EnvContext {
    PodNetworkInfo network;
    boost::json::object nodeAllocatable; ///< resourceFieldRef without limits.
    EnvList serviceEnv;                  ///< KUBERNETES_SERVICE_HOST, ... (added last).
};

struct ResolvedEnv {
    EnvList vars; ///< In definition order (envFrom, then env), each name once, last value wins.
    /// envFrom keys skipped as invalid names, for kubelet's InvalidEnvironmentVariableNames
    /// event: one message per source.
    std::vector<std::string> skippedMessages;
};

/// kubelet's makeEnvironmentVariables for one container: envFrom (configMapRef/secretRef with
/// prefix and optional), then env with value (`$(VAR)` expanded against what is defined so
/// far and the service variables) or valueFrom (fieldRef, resourceFieldRef, configMapKeyRef,
/// secretKeyRef, optional). The error is kubelet's CreateContainerConfigError message
/// (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`).
[[nodiscard]] Result<ResolvedEnv> resolveEnvironment(const boost::json::object& pod,
                                                     const boost::json::object& container,
                                                     VolumeSources& sources,
                                                     const EnvContext& context);

/// command/args with `$(VAR)` expanded against the container's final environment.
[[nodiscard]] std::vector<std::string> expandCommand(const std::vector<std::string>& words,
                                                     const EnvList& env);

} // namespace pilot::agent
