#include "engine/server/controllersonly.h"

#include "core/log.h"
#include "engine/server/controllerset.h"
#include "kube/client/httpclient.h"
#include "kube/client/kubeconfig.h"

#include <iostream>

namespace pilot::server {

Status runControllersOnly(const std::string& kubeconfig, const std::string& context,
                          const std::string& volumeDir, const std::function<void()>& waitForStop) {
    kube::HttpClientOptions options;
    options.fieldManager = "pilothouse-controller-manager";
    auto config = kube::loadKubeconfig(kubeconfig, context);
    if (!config) {
        return std::unexpected(config.error());
    }
    auto client = kube::HttpApiClient::fromKubeconfig(*config, options);
    if (!client) {
        return std::unexpected(client.error());
    }
    // The root-CA publisher publishes the CA this process trusts the API server with, as
    // kube-controller-manager does with its --root-ca-file.
    controllers::ControllerManager manager(
        **client,
        builtinControllers({.volumeDir = volumeDir, .caPem = config->certificateAuthorityPem}),
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
