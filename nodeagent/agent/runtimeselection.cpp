#include "nodeagent/agent/runtimeselection.h"

#include "core/log.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/process/processruntime.h"

namespace pilot::agent {

bool runcRuntimeLinked() {
#ifdef PILOT_HAVE_RUNC_RUNTIME
    return true;
#else
    return false;
#endif
}

namespace {

Result<std::unique_ptr<Runtime>> makeProcessRuntime(RuntimeOptions options) {
    options.rootDir = options.dataDir + "/runtime/process";
    auto runtime = std::make_unique<ProcessRuntime>(
        ProcessRuntimeOptions{options.rootDir, options.monitorCommand});
    if (auto started = runtime->start(); !started) {
        return std::unexpected(started.error());
    }
    return std::unique_ptr<Runtime>(std::move(runtime));
}

Result<std::unique_ptr<Runtime>> makeRunc(RuntimeOptions options) {
#ifdef PILOT_HAVE_RUNC_RUNTIME
    options.rootDir = options.dataDir + "/runtime/runc";
    if (auto made = makeDirectories(options.rootDir, 0711); !made) {
        return std::unexpected(made.error());
    }
    return makeRuncRuntime(options);
#else
    (void)options;
    return fail(ErrorCode::Unavailable, "this pilothouse-agent was built without the runc runtime");
#endif
}

} // namespace

Result<std::unique_ptr<Runtime>> selectRuntime(const std::string& kind, RuntimeOptions options) {
    if (kind == "process") {
        return makeProcessRuntime(std::move(options));
    }
    if (kind == "runc") {
        return makeRunc(std::move(options));
    }
#ifdef PILOT_HAVE_RUNC_RUNTIME
    if (runcRuntimeAvailable()) {
        auto runtime = makeRunc(options);
        if (runtime) {
            return runtime;
        }
        log::warn("agent", "runc runtime unavailable ({}); using the process runtime",
                  runtime.error().message);
    }
#endif
    return makeProcessRuntime(std::move(options));
}

} // namespace pilot::agent
