#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"
#include "nodeagent/runtime/subprocess.h"

#include <memory>

namespace pilot::agent {

/// Starts `spawn` as an interactive exec session (Runtime::exec): stdin, stdout and stderr on
/// pipes, or all three on a pseudo-terminal when `options.tty` (then `TERM` defaults to xterm and
/// resize() sets the window size). One thread per session copies output to `options.output` and
/// calls `options.onExit` once, after the output is drained. The callbacks may destroy the session
/// (the destructor then detaches instead of joining). The destructor kills a process still
/// running.
[[nodiscard]] Result<std::unique_ptr<ExecSession>> startExecSession(SpawnSpec spawn,
                                                                    ExecOptions options);

} // namespace pilot::agent
