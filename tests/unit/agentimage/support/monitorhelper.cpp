// Stands in for `pilothouse-agent container-monitor STATE_DIR` in the runc runtime's tests.
#include "nodeagent/runtime/containermonitor.h"

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
    if (argc != 3 || std::string_view(argv[1]) != pilot::agent::ContainerMonitorSubcommand) {
        std::fprintf(stderr, "usage: %s container-monitor STATE_DIR\n", argv[0]);
        return 2;
    }
    return pilot::agent::runContainerMonitor(argv[2]);
}
