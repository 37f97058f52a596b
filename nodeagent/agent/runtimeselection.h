#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"
#include "nodeagent/runtime/runtimefactory.h"

#include <memory>
#include <string>

namespace pilot::agent {

/// The runtime for `--runtime KIND`: `process`; `runc` (only when the runc runtime is linked,
/// see runtimefactory.h); `auto` = runc when runcRuntimeAvailable() (root on Linux with runc
/// installed) and linked, else process. `options.rootDir` is filled in as DATA/runtime/<kind>.
[[nodiscard]] Result<std::unique_ptr<Runtime>> selectRuntime(const std::string& kind,
                                                             RuntimeOptions options);

/// Whether this build links the runc runtime.
[[nodiscard]] bool runcRuntimeLinked();

} // namespace pilot::agent
