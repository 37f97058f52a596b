#include "engine/server/controllerset.h"

namespace pilot::server {

void addBuiltinControllers(controllers::ControllerManager& manager, kube::ApiClient& client) {
    // Controllers are added here as they land (Engine II).
    (void)manager;
    (void)client;
}

} // namespace pilot::server
