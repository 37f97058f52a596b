#pragma once

#include "engine/controllers/framework/controllermanager.h"

#include <string>

namespace pilot::server {

struct ControllerSetOptions {
    /// Where the local-path provisioner creates volume directories; empty: the provisioner
    /// (and the default StorageClass it brings) does not run here.
    std::string volumeDir;
    /// The cluster CA certificate (PEM file) the root-CA publisher puts into every namespace's
    /// `kube-root-ca.crt`; empty: the publisher does not run here.
    std::string caFile;
    /// The same as PEM text (e.g. a kubeconfig's certificate-authority-data); wins over caFile.
    std::string caPem;
    /// Testing only: the CronJob controller's clock runs this many times faster than the
    /// system clock (from the moment the controllers start); 1: the system clock.
    double cronJobTimeScale = 1.0;
};

/// The ControllerManager's populate function adding every built-in controller (and the
/// scheduler), each talking to the API through the client it is given. The same set runs
/// in-process in the engine and standalone with `--controllers-only`.
[[nodiscard]] controllers::ControllerManager::Populate
builtinControllers(ControllerSetOptions options);

/// The Lease every engine and `--controllers-only` process campaigns for.
[[nodiscard]] controllers::ControllerManagerOptions controllerManagerOptions();

} // namespace pilot::server
