#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

/// Starting host processes from the multi-threaded agent (fork, then only async-signal-safe calls
/// until exec) with exec failures reported to the caller, as a container runtime must.
namespace pilot::agent {

/// How to start one process. File descriptors -1 mean /dev/null; the child gets only 0, 1, 2
/// and `keepFds` (renumbered from 3 in order), everything else is closed.
struct SpawnSpec {
    std::vector<std::string>
        argv;                     ///< argv[0] is looked up in the PATH of `env` when it has no `/`.
    std::vector<std::string> env; ///< `KEY=VALUE`, the complete environment.
    std::string workingDir;       ///< Empty: unchanged.
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    std::vector<uint32_t> groups;
    bool newSession = true; ///< setsid(): own session and process group (pid = pgid = sid).
    int stdinFd = -1;
    int stdoutFd = -1;
    int stderrFd = -1;
    bool controllingTty = false; ///< stdin is a terminal to become the controlling one.
    std::vector<int> keepFds;
};

/// Forks and execs; returns the pid once exec succeeded. NotFound when the executable is missing
/// (`exec: "x": executable file not found in $PATH`), Forbidden without permission, Internal
/// for other failures; the message is what runc would say.
[[nodiscard]] Result<pid_t> spawnProcess(const SpawnSpec& spec);

/// The executable `name` resolves to (PATH search as execvp does, relative names against
/// `workingDir`), or an error message as spawnProcess reports it.
[[nodiscard]] Result<std::string> findExecutable(const std::string& name,
                                                 const std::vector<std::string>& env,
                                                 const std::string& workingDir);

/// The host's default PATH for containers that set none.
inline constexpr const char* DefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The agent's own environment as `KEY=VALUE` strings.
[[nodiscard]] std::vector<std::string> currentEnvironment();

struct CommandSpec {
    std::vector<std::string> argv;
    std::optional<std::vector<std::string>> env; ///< nullopt: the agent's environment.
    std::string workingDir;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    std::vector<uint32_t> groups;
    std::string input;                    ///< Written to stdin, which is then closed.
    std::chrono::milliseconds timeout{0}; ///< 0: none. On expiry the process group is killed.
    size_t outputLimit = 1 << 20;         ///< Per stream; the rest is read and dropped.
    bool mergeStderr = false;             ///< stderr goes to `output` too.
};

struct CommandResult {
    int exitCode = -1; ///< 128+N when killed by signal N.
    int signal = 0;
    std::string output;
    std::string errorOutput;
    bool timedOut = false;
};

/// Runs a command to completion (or its timeout) and collects its output. Fails only when it could
/// not be started (see spawnProcess).
[[nodiscard]] Result<CommandResult> runCommand(const CommandSpec& spec);

/// An exit status from waitpid as an exit code: the code, or 128+signal.
[[nodiscard]] int exitCodeFromWaitStatus(int status);

/// A pidfd for `pid` (poll(2) reports it readable once the process exited), or -1.
[[nodiscard]] int openPidFd(pid_t pid);

} // namespace pilot::agent
