#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

/// The container monitor: one small process per container, in the spirit of conmon, so that
/// containers outlive the agent and their output and exit codes are never lost.
///
/// Interface
/// ---------
/// The monitor is a hidden subcommand of the agent binary:
///
///     pilothouse-agent container-monitor STATE_DIR
///
/// with STATE_DIR/monitor.json holding a MonitorSpec and fd 3 a "sync pipe". `spawnMonitor`
/// does all of that: it writes the spec, double-forks into a new session (the monitor is not the
/// agent's child and no signal to the agent's process group reaches it), and waits until the
/// monitor reports on the sync pipe that the container process runs (or why it could not start).
///
/// The monitor
/// - is a child subreaper (PR_SET_CHILD_SUBREAPER), so processes re-parented below it are reaped
///   by it, and a container created by a launcher (`runc create`) becomes its child;
/// - runs the process with stdout/stderr on pipes and copies them into the CRI log file
///   (`2016-10-06T00:17:09.669794202Z stdout F text`, `P` for parts of long lines), rotating it
///   at `logMaxBytes` into `log.1` ... `log.<logMaxFiles-1>`; stdin is /dev/null;
/// - records state in STATE_DIR/state.json (replaced atomically, see MonitorState), its own
///   diagnostics in STATE_DIR/monitor.log;
/// - when the container's process exits: in exec mode SIGKILLs what is left of its session,
///   drains the pipes (at most 2 s more), writes the final state, then creates the empty file
///   `exitDir/exitName` (watch exitDir with ExitWatcher) and exits.
///
/// Two modes:
/// - exec mode (`pidFile` empty): `argv` is the container's process, exec'd directly in a new
///   session (pid = process group = session id) with `env`, `workingDir` and optional
///   uid/gid/groups. An exec failure ends as state `exited`, exitCode 128, with runc's message
///   (`exec: "x": executable file not found in $PATH`).
/// - launcher mode (`pidFile` set): `argv` creates the container and exits, e.g.
///   `runc --root R create --bundle B --pid-file P ID`; its stdout/stderr are the log pipes, so
///   the container inherits them. When it exits 0 the pid in `pidFile` is the container. With
///   `startArgv` (`runc --root R start ID`) the state stays `created` until
///   `startMonitoredContainer()`; without it the container counts as running at once (use
///   `runc run --detach --pid-file P ...`). A launcher failure ends as `exited`, exitCode 128,
///   message = its last output.
///
/// Stopping a container is the runtime's business (kill(2) of the process group, `runc kill`);
/// the monitor only observes the exit.
namespace pilot::agent {

/// The subcommand name that makes the agent binary a container monitor.
inline constexpr std::string_view ContainerMonitorSubcommand = "container-monitor";

struct MonitorSpec {
    std::vector<std::string> argv;
    std::vector<std::string> env; ///< `KEY=VALUE`, the complete environment of argv.
    std::string workingDir;       ///< Empty: STATE_DIR.
    std::string logPath;          ///< CRI log file (its directory is created).
    uint64_t logMaxBytes = 10 * 1024 * 1024;
    int logMaxFiles = 5;
    std::string pidFile; ///< Launcher mode when set.
    std::vector<std::string> startArgv;
    std::string exitDir; ///< Where the exit marker goes; empty: none.
    std::string exitName;
    std::optional<uint32_t> uid; ///< Exec mode: run as this user (the monitor must be root).
    std::optional<uint32_t> gid;
    std::vector<uint32_t> groups;
};

enum class MonitorStatus { Created, Running, Exited };

/// STATE_DIR/state.json. Times are RFC 3339 with nanoseconds in the file.
struct MonitorState {
    MonitorStatus status = MonitorStatus::Created;
    pid_t pid = 0; ///< The container's process (0 before it exists).
    uint64_t pidStartTicks = 0;
    pid_t monitorPid = 0;
    uint64_t monitorStartTicks = 0;
    TimePoint createdAt{};
    TimePoint startedAt{};
    TimePoint finishedAt{};
    int exitCode = 0; ///< 128+N when killed by signal N.
    int signal = 0;
    std::string message;
};

/// {agent binary, "container-monitor"} for the running process (/proc/self/exe).
[[nodiscard]] std::vector<std::string> containerMonitorCommand();

/// Starts a monitor for `spec` with state in `stateDir` (created if needed) and waits, at most
/// `timeout`, for its first report: the state once the container runs (exec mode, launcher
/// without startArgv), is created (launcher with startArgv), or has failed to start (`exited`).
/// Fails when the monitor itself could not run.
[[nodiscard]] Result<MonitorState>
spawnMonitor(const std::vector<std::string>& monitorCommand, const std::string& stateDir,
             const MonitorSpec& spec, std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Reads STATE_DIR/state.json; NotFound when the monitor has not written one.
[[nodiscard]] Result<MonitorState> readMonitorState(const std::string& stateDir);

/// Whether the monitor of `state` still runs.
[[nodiscard]] bool isMonitorAlive(const MonitorState& state);

/// Launcher mode with startArgv: asks the monitor to run startArgv and waits until the state
/// leaves `created`. FailedPrecondition-like InvalidArgument when the container is not created.
[[nodiscard]] Result<MonitorState>
startMonitoredContainer(const std::string& stateDir,
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Polls the state until it is `exited` or the monitor is gone, at most `timeout`. Returns the
/// last state read.
[[nodiscard]] Result<MonitorState> waitForMonitorExit(const std::string& stateDir,
                                                      std::chrono::milliseconds timeout);

/// The body of `pilothouse-agent container-monitor STATE_DIR`; returns the process exit code.
[[nodiscard]] int runContainerMonitor(const std::string& stateDir);

[[nodiscard]] std::string_view monitorStatusName(MonitorStatus status);

} // namespace pilot::agent
