// pilot-simnodes: simulated nodes for tests and demos, against any API server.
//   pilot-simnodes --kubeconfig FILE [--count N] [--prefix NAME] [--cpu Q] [--memory Q]
// Prints `ready nodes=N` once the nodes are registered; runs until SIGTERM/SIGINT.
#include "kube/client/httpclient.h"
#include "tests/support/simnodes/simnodes.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include <signal.h>

int main(int argc, char** argv) {
    std::string kubeconfig;
    pilot::testsupport::SimulatedNodeOptions options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        std::string value = argv[i + 1];
        if (arg == "--kubeconfig") {
            kubeconfig = value;
        } else if (arg == "--count") {
            options.count = std::stoi(value);
        } else if (arg == "--prefix") {
            options.namePrefix = value;
        } else if (arg == "--cpu") {
            options.cpu = value;
        } else if (arg == "--memory") {
            options.memory = value;
        } else {
            std::fprintf(stderr, "pilot-simnodes: unknown argument %s\n", arg.c_str());
            return 2;
        }
    }
    if (kubeconfig.empty()) {
        std::fprintf(stderr, "usage: pilot-simnodes --kubeconfig FILE [--count N] [--prefix P] "
                             "[--cpu Q] [--memory Q]\n");
        return 2;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    pilot::kube::HttpClientOptions clientOptions;
    clientOptions.fieldManager = "pilot-simnodes";
    auto client = pilot::kube::HttpApiClient::fromKubeconfigFile(kubeconfig, {}, clientOptions);
    if (!client) {
        std::fprintf(stderr, "pilot-simnodes: %s\n", client.error().message.c_str());
        return 1;
    }
    pilot::testsupport::SimulatedNodes nodes(**client, options);
    if (auto status = nodes.start(); !status) {
        std::fprintf(stderr, "pilot-simnodes: %s\n", status.error().message.c_str());
        return 1;
    }
    std::cout << "ready nodes=" << options.count << std::endl;
    int received = 0;
    sigwait(&signals, &received);
    nodes.stop();
    return 0;
}
