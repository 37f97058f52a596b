// pilothouse-agent: the node agent (a kubelet for Pilothouse and any Kubernetes API server).
#include "core/log.h"
#include "nodeagent/agent/agent.h"
#include "nodeagent/agent/agentoptions.h"
#include "nodeagent/runtime/containermonitor.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <malloc.h>
#include <signal.h>

int main(int argc, char** argv) {
    // `pilothouse-agent container-monitor STATE_DIR`: the per-container monitor (hidden).
    if (argc == 3 && std::string_view(argv[1]) == pilot::agent::ContainerMonitorSubcommand) {
        return pilot::agent::runContainerMonitor(argv[2]);
    }
    // Few malloc arenas: the agent's RSS budget is small and its threads are many but idle.
    mallopt(M_ARENA_MAX, 2);
    auto options = pilot::agent::parseAgentOptions(std::vector<std::string>(argv + 1, argv + argc));
    if (!options) {
        std::fprintf(stderr, "pilothouse-agent: %s\n\n%s", options.error().message.c_str(),
                     pilot::agent::agentUsage());
        return 2;
    }
    if (options->help) {
        std::fputs(pilot::agent::agentUsage(), stdout);
        return 0;
    }
    if (options->version) {
        std::puts(pilot::agent::agentVersion());
        return 0;
    }
    // SIGTERM/SIGINT end the agent (containers keep running); waited for with sigwait so no
    // handler races the threads.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    pilot::agent::Agent agent(*options);
    std::atomic<bool> stopped{false};
    std::thread waiter([&] {
        int signal = 0;
        sigwait(&stopSignals, &signal);
        pilot::log::info("agent", "stopping on signal {}; containers keep running", signal);
        stopped = true;
        agent.stop();
    });
    auto started = agent.start();
    if (!started && !stopped) {
        pilot::log::error("agent", "{}", started.error().message);
        pthread_kill(waiter.native_handle(), SIGTERM);
        waiter.join();
        return 1;
    }
    if (started) {
        std::printf("%s\n", agent.readyLine().c_str());
        std::fflush(stdout);
    }
    waiter.join();
    return 0;
}
