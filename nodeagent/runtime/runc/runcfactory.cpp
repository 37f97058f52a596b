// The runc runtime's entry points for the agent (nodeagent/runtime/runtimefactory.h).

#include "nodeagent/runtime/runc/runcruntime.h"
#include "nodeagent/runtime/runtimefactory.h"
#include "nodeagent/runtime/subprocess.h"

#include <fstream>
#include <string>
#include <unistd.h>

namespace pilot::agent {

Result<std::unique_ptr<Runtime>> makeRuncRuntime(const RuntimeOptions& options) {
    if (!runcRuntimeAvailable()) {
        return fail(ErrorCode::Unavailable,
                    "the runc runtime needs root, a runc binary in PATH and overlayfs");
    }
    runc::RuncRuntimeOptions o;
    o.rootDir = options.rootDir.empty() ? options.dataDir + "/runtime/runc" : options.rootDir;
    o.imageDir = options.dataDir + "/images";
    o.monitorCommand = options.monitorCommand;
    for (const auto& [domain, url] : options.registryMirrors) {
        o.registry.mirrors.push_back({domain == "index.docker.io" ? "docker.io" : domain, url});
    }
    o.registry.caPem = options.registryCaPem;
    o.registry.insecureRegistries = options.insecureRegistries;
    o.registry.loopbackInsecure = options.registryLoopbackInsecure;
    o.network.dataDir = options.dataDir + "/network";
    o.network.nodeName = options.nodeName;
    auto runtime = std::make_unique<runc::RuncRuntime>(std::move(o));
    if (auto started = runtime->start(); !started) {
        return std::unexpected(started.error());
    }
    return runtime;
}

bool runcRuntimeAvailable() {
    if (::geteuid() != 0) {
        return false;
    }
    if (!findExecutable("runc", currentEnvironment(), "/")) {
        return false;
    }
    std::ifstream filesystems("/proc/filesystems");
    std::string line;
    while (std::getline(filesystems, line)) {
        if (line.find("overlay") != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace pilot::agent
