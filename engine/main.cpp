// pilothouse-engine: the bundled Kubernetes-compatible control plane.
#include "core/log.h"
#include "engine/server/allocator.h"
#include "engine/server/controllersonly.h"
#include "engine/server/engine.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <signal.h>

namespace {

constexpr const char* Usage =
    "Usage: pilothouse-engine --data-dir DIR [--listen HOST:PORT] [--registry-listen HOST:PORT]\n"
    "                         [--store URL]\n"
    "\n"
    "Runs the Pilothouse control plane: a Kubernetes-compatible API server over HTTPS.\n"
    "\n"
    "  --data-dir DIR          state, certificates and admin.kubeconfig (required)\n"
    "  --listen HOST:PORT      API address (default 127.0.0.1:6443; port 0 picks a free port)\n"
    "  --registry-listen H:P   OCI registry address (default: the API host, port 0)\n"
    "  --store URL             sqlite://PATH (default sqlite://DIR/state.db)\n"
    "  --disable-controllers   serve the API only; run the controllers and the scheduler\n"
    "                          in another process with --controllers-only\n"
    "\n"
    "       pilothouse-engine --controllers-only --kubeconfig FILE [--context NAME]\n"
    "                         [--data-dir DIR]\n"
    "\n"
    "Runs only the controllers and the scheduler, against the API server FILE names; with\n"
    "--data-dir the local-path provisioner keeps volumes in DIR/volumes.\n"
    "  --version               print the version and exit\n"
    "  --help                  this text\n";

} // namespace

int main(int argc, char** argv) {
    pilot::server::configureAllocator();
    pilot::server::EngineOptions options;
    bool controllersOnly = false;
    std::string kubeconfig;
    std::string context;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&](const char* name) -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "pilothouse-engine: %s needs a value\n", name);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(Usage, stdout);
            return 0;
        }
        if (arg == "--version") {
            std::puts("pilothouse-engine 0.1.0 (Kubernetes API v1.32)");
            return 0;
        }
        if (arg == "--data-dir") {
            options.dataDir = value("--data-dir");
        } else if (arg == "--listen") {
            options.listen = value("--listen");
        } else if (arg == "--registry-listen") {
            options.registryListen = value("--registry-listen");
        } else if (arg == "--store") {
            options.storeUrl = value("--store");
        } else if (arg == "--test-cronjob-time-scale") {
            // Testing only (not in --help): CronJob schedules fire this many times faster.
            options.cronJobTimeScale =
                std::strtod(value("--test-cronjob-time-scale").c_str(), nullptr);
            if (!(options.cronJobTimeScale >= 1.0)) {
                std::fprintf(stderr, "pilothouse-engine: --test-cronjob-time-scale needs >= 1\n");
                return 2;
            }
        } else if (arg == "--disable-controllers") {
            options.controllers = false;
        } else if (arg == "--controllers-only") {
            controllersOnly = true;
        } else if (arg == "--kubeconfig") {
            kubeconfig = value("--kubeconfig");
        } else if (arg == "--context") {
            context = value("--context");
        } else {
            std::fprintf(stderr, "pilothouse-engine: unknown argument %s\n%s", arg.c_str(), Usage);
            return 2;
        }
    }
    if (controllersOnly && kubeconfig.empty()) {
        std::fprintf(stderr, "pilothouse-engine: --controllers-only needs --kubeconfig\n%s", Usage);
        return 2;
    }
    if (options.dataDir.empty() && !controllersOnly) {
        std::fprintf(stderr, "pilothouse-engine: --data-dir is required\n%s", Usage);
        return 2;
    }

    // Block the stop signals before any thread starts, then wait for them synchronously.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto waitForStop = [&signals] {
        // While waiting for a stop signal, hand memory freed by bursts (large LIST responses,
        // request parsing on many threads) back to the system every few seconds.
        int received = -1;
        while (received < 0) {
            timespec interval{5, 0};
            received = sigtimedwait(&signals, nullptr, &interval);
            if (received < 0) {
                pilot::server::releaseFreeMemory();
            }
        }
        pilot::log::info("engine", "received {}, shutting down", strsignal(received));
    };

    if (controllersOnly) {
        if (auto status = pilot::server::runControllersOnly(
                kubeconfig, context, options.dataDir.empty() ? "" : options.dataDir + "/volumes",
                waitForStop);
            !status) {
            pilot::log::error("controllers", "{}", status.error().message);
            return 1;
        }
        return 0;
    }

    pilot::server::Engine engine(options);
    if (auto status = engine.start(); !status) {
        pilot::log::error("engine", "start failed: {}", status.error().message);
        return 1;
    }
    std::cout << engine.readyLine() << std::endl;
    pilot::log::info("engine", "serving the Kubernetes API at {}", engine.apiUrl());
    const pilot::server::HeapStats heap = pilot::server::heapStats();
    pilot::log::info("engine", "memory allocator: {} {}", heap.allocator, heap.version);

    waitForStop();
    engine.stop();
    return 0;
}
