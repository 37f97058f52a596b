#pragma once

#include "core/error.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace pilot::bench {

/// A server started for the benchmark. One of its output streams (stdout or stderr) is read by a
/// background thread that copies every line to a log file and lets the caller wait for a line;
/// the other stream goes straight to the same log. The destructor stops the process (SIGTERM,
/// then SIGKILL after 10 s) and reaps it.
class ChildProcess {
public:
    enum class Watched { Stdout, Stderr };

    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] static Result<std::unique_ptr<ChildProcess>>
    start(const std::vector<std::string>& argv, const std::string& logPath, Watched watched);

    /// Waits for an output line containing `needle` and returns it; fails on timeout or exit.
    [[nodiscard]] Result<std::string> waitForLine(const std::string& needle,
                                                  std::chrono::milliseconds timeout);

    /// False once the process has exited; `exitDescription()` then says how.
    [[nodiscard]] bool running();
    [[nodiscard]] std::string exitDescription() const { return m_exit; }
    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] const std::string& logPath() const { return m_logPath; }
    void stop();

private:
    ChildProcess() = default;
    void readOutput(int fd);

    pid_t m_pid = -1;
    std::string m_logPath;
    std::string m_exit;
    std::thread m_reader;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<std::string> m_lines;
    bool m_eof = false;
};

/// Resident and peak resident memory of a process from /proc/PID/status, in KiB.
struct MemoryUsage {
    long rssKb = 0;
    long hwmKb = 0;
};
[[nodiscard]] Result<MemoryUsage> readMemory(pid_t pid);

/// User plus system CPU time a process has used so far, in seconds; negative if unknown.
[[nodiscard]] double cpuSeconds(pid_t pid);

/// A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot take port 0).
[[nodiscard]] Result<int> freeLoopbackPort();

/// A fresh directory under $TMPDIR (or /tmp) named after `prefix`.
[[nodiscard]] Result<std::string> makeTempDir(const std::string& prefix);

} // namespace pilot::bench
