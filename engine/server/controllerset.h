#pragma once

#include "engine/controllers/framework/controllermanager.h"

namespace pilot::server {

/// Adds every built-in controller (and the scheduler) to `manager`, each talking to the API
/// through `client`: the ControllerManager's populate function. The same set runs in-process
/// in the engine and standalone with `--controllers-only`.
void addBuiltinControllers(controllers::ControllerManager& manager, kube::ApiClient& client);

/// The Lease every engine and `--controllers-only` process campaigns for.
[[nodiscard]] controllers::ControllerManagerOptions controllerManagerOptions();

} // namespace pilot::server
