#pragma once

#include "core/error.h"

#include <functional>
#include <string>

namespace pilot::server {

/// `pilothouse-engine --controllers-only --kubeconfig FILE`: runs the built-in controllers and
/// the scheduler against the API server FILE names (any Kubernetes-compatible one) until
/// `waitForStop` returns. With a `volumeDir`, the local-path provisioner keeps its volumes there.
[[nodiscard]] Status runControllersOnly(const std::string& kubeconfig, const std::string& context,
                                        const std::string& volumeDir,
                                        const std::function<void()>& waitForStop);

} // namespace pilot::server
