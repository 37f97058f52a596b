#include "engine/server/controllerset.h"

namespace pilot::server {

void addBuiltinControllers(controllers::ControllerManager& manager, kube::ApiClient& client) {
    // Controllers are added here as they land (Engine II).
    (void)manager;
    (void)client;
}

controllers::ControllerManagerOptions controllerManagerOptions() {
    controllers::ControllerManagerOptions options;
    options.leaderElection = controllers::LeaderElectionOptions{};
    return options;
}

} // namespace pilot::server
