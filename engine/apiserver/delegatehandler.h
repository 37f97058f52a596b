#pragma once

#include "engine/apiserver/verbs.h"

namespace pilot::apiserver {

/// Serves requests ApiHandler hands over after routing them: the pod subresources a node agent
/// answers (`log`, `exec`, `attach`, `portforward`; engine/nodeproxy) and resources that are
/// computed rather than stored (metrics.k8s.io; engine/metricsapi). Called on the worker pool;
/// may block while it reaches an agent.
class DelegateHandler {
public:
    virtual ~DelegateHandler() = default;
    [[nodiscard]] virtual HandlerResult handle(VerbContext& ctx) = 0;
};

} // namespace pilot::apiserver
