#include "engine/server/controllersonly.h"

#include "core/log.h"
#include "engine/server/controllerset.h"
#include "kube/client/httpclient.h"

#include <iostream>

namespace pilot::server {

Status runControllersOnly(const std::string& kubeconfig, const std::string& context,
                          const std::string& volumeDir, const std::function<void()>& waitForStop) {
    kube::HttpClientOptions options;
    options.fieldManager = "pilothouse-controller-manager";
    auto client = kube::HttpApiClient::fromKubeconfigFile(kubeconfig, context, options);
    if (!client) {
        return std::unexpected(client.error());
    }
    controllers::ControllerManager manager(**client, builtinControllers({.volumeDir = volumeDir}),
                                           controllerManagerOptions());
    if (auto status = manager.start(); !status) {
        return status;
    }
    std::cout << "ready controllers=" << (*client)->server() << std::endl;
    log::info("controllers", "running against {}", (*client)->server());
    waitForStop();
    manager.stop();
    return {};
}

} // namespace pilot::server
