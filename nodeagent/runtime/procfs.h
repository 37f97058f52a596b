#pragma once

#include "core/clock.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

/// Readers for Linux /proc: process identity (pid plus start time, so a recycled pid is never
/// mistaken for the process it replaced), sessions and CPU/memory usage.
namespace pilot::agent {

/// The fields of /proc/PID/stat the agent uses.
struct ProcStat {
    pid_t pid = 0;
    char state = '?'; ///< R, S, D, Z, T, ...
    pid_t ppid = 0;
    pid_t pgrp = 0;
    pid_t session = 0;
    uint64_t utimeTicks = 0;
    uint64_t stimeTicks = 0;
    uint64_t cutimeTicks = 0; ///< CPU of children it has waited for.
    uint64_t cstimeTicks = 0;
    uint64_t startTicks = 0; ///< Since boot, in clock ticks.
    uint64_t rssPages = 0;
};

[[nodiscard]] std::optional<ProcStat> readProcStat(pid_t pid);
/// Every process visible in /proc.
[[nodiscard]] std::vector<ProcStat> listProcesses();
/// The start time of `pid` in clock ticks since boot; nullopt when it does not exist.
[[nodiscard]] std::optional<uint64_t> processStartTicks(pid_t pid);
/// Whether `pid` exists, is not a zombie and (when `startTicks` is not 0) started at that tick.
[[nodiscard]] bool isProcessAlive(pid_t pid, uint64_t startTicks = 0);
/// Clock ticks per second (sysconf(_SC_CLK_TCK)).
[[nodiscard]] uint64_t clockTicksPerSecond();
/// The wall-clock time of a start tick (boot time from /proc/stat plus the ticks).
[[nodiscard]] TimePoint startTicksToTime(uint64_t startTicks);
/// Bytes per page.
[[nodiscard]] uint64_t pageSize();

} // namespace pilot::agent
