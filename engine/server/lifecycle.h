#pragma once

#include "core/error.h"
#include "engine/apiserver/resourceservice.h"

namespace pilot::server {

/// The objects the API server itself promises before it serves: the built-in namespaces and
/// the system PriorityClasses. Namespace deletion and garbage collection are controllers
/// (engine/controllers/namespace, engine/controllers/garbagecollector) talking to the API, so
/// they run in `--controllers-only` processes too.
class Lifecycle {
public:
    explicit Lifecycle(apiserver::ResourceService& service);

    /// Creates default, kube-system, kube-public and kube-node-lease and the system
    /// PriorityClasses (system-node-critical, system-cluster-critical) when missing.
    [[nodiscard]] Status bootstrap();

private:
    apiserver::ResourceService& m_service;
};

} // namespace pilot::server
