#include "nodeagent/runtime/containermonitor.h"

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"
#include "nodeagent/runtime/subprocess.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <thread>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

constexpr size_t LauncherOutputKept = 4096;
constexpr auto DrainAfterExit = std::chrono::seconds(2);

json::array toArray(const std::vector<std::string>& strings) {
    json::array out;
    for (const std::string& s : strings) {
        out.emplace_back(s);
    }
    return out;
}

std::vector<std::string> fromArray(const json::object& o, std::string_view key) {
    return kube::stringsAt(o, key);
}

std::string timeText(TimePoint t) {
    return t == TimePoint{} ? std::string() : formatNanoTime(t);
}

TimePoint parseTimeText(const std::string& text) {
    if (text.empty()) {
        return {};
    }
    auto t = parseTime(text);
    return t ? *t : TimePoint{};
}

json::object specToJson(const MonitorSpec& spec) {
    json::object o{{"argv", toArray(spec.argv)},      {"env", toArray(spec.env)},
                   {"workingDir", spec.workingDir},   {"logPath", spec.logPath},
                   {"logMaxBytes", spec.logMaxBytes}, {"logMaxFiles", spec.logMaxFiles},
                   {"pidFile", spec.pidFile},         {"startArgv", toArray(spec.startArgv)},
                   {"exitDir", spec.exitDir},         {"exitName", spec.exitName}};
    if (spec.uid) {
        o["uid"] = *spec.uid;
    }
    if (spec.gid) {
        o["gid"] = *spec.gid;
    }
    json::array groups;
    for (uint32_t g : spec.groups) {
        groups.emplace_back(g);
    }
    o["groups"] = std::move(groups);
    return o;
}

MonitorSpec specFromJson(const json::object& o) {
    MonitorSpec spec;
    spec.argv = fromArray(o, "argv");
    spec.env = fromArray(o, "env");
    spec.workingDir = kube::stringAt(o, "workingDir");
    spec.logPath = kube::stringAt(o, "logPath");
    if (auto v = kube::integerAt(o, "logMaxBytes")) {
        spec.logMaxBytes = static_cast<uint64_t>(*v);
    }
    if (auto v = kube::integerAt(o, "logMaxFiles")) {
        spec.logMaxFiles = static_cast<int>(*v);
    }
    spec.pidFile = kube::stringAt(o, "pidFile");
    spec.startArgv = fromArray(o, "startArgv");
    spec.exitDir = kube::stringAt(o, "exitDir");
    spec.exitName = kube::stringAt(o, "exitName");
    if (auto v = kube::integerAt(o, "uid")) {
        spec.uid = static_cast<uint32_t>(*v);
    }
    if (auto v = kube::integerAt(o, "gid")) {
        spec.gid = static_cast<uint32_t>(*v);
    }
    if (const json::array* groups = kube::arrayAt(o, "groups")) {
        for (const json::value& g : *groups) {
            if (auto v = kube::asInteger(g)) {
                spec.groups.push_back(static_cast<uint32_t>(*v));
            }
        }
    }
    return spec;
}

json::object stateToJson(const MonitorState& state) {
    return json::object{{"status", monitorStatusName(state.status)},
                        {"pid", state.pid},
                        {"pidStartTicks", state.pidStartTicks},
                        {"monitorPid", state.monitorPid},
                        {"monitorStartTicks", state.monitorStartTicks},
                        {"createdAt", timeText(state.createdAt)},
                        {"startedAt", timeText(state.startedAt)},
                        {"finishedAt", timeText(state.finishedAt)},
                        {"exitCode", state.exitCode},
                        {"signal", state.signal},
                        {"message", state.message}};
}

MonitorState stateFromJson(const json::object& o) {
    MonitorState state;
    std::string status = kube::stringAt(o, "status");
    state.status = status == "running"  ? MonitorStatus::Running
                   : status == "exited" ? MonitorStatus::Exited
                                        : MonitorStatus::Created;
    state.pid = static_cast<pid_t>(kube::integerAt(o, "pid").value_or(0));
    state.pidStartTicks = static_cast<uint64_t>(kube::integerAt(o, "pidStartTicks").value_or(0));
    state.monitorPid = static_cast<pid_t>(kube::integerAt(o, "monitorPid").value_or(0));
    state.monitorStartTicks =
        static_cast<uint64_t>(kube::integerAt(o, "monitorStartTicks").value_or(0));
    state.createdAt = parseTimeText(kube::stringAt(o, "createdAt"));
    state.startedAt = parseTimeText(kube::stringAt(o, "startedAt"));
    state.finishedAt = parseTimeText(kube::stringAt(o, "finishedAt"));
    state.exitCode = static_cast<int>(kube::integerAt(o, "exitCode").value_or(0));
    state.signal = static_cast<int>(kube::integerAt(o, "signal").value_or(0));
    state.message = kube::stringAt(o, "message");
    return state;
}

std::string statePath(const std::string& stateDir) {
    return stateDir + "/state.json";
}

// --- The monitor process. ----------------------------------------------------------------------

class Monitor {
public:
    Monitor(std::string stateDir, MonitorSpec spec)
        : m_stateDir(std::move(stateDir)), m_spec(std::move(spec)),
          m_log(m_spec.logPath, m_spec.logMaxBytes, m_spec.logMaxFiles) {}

    int run();

private:
    void writeState();
    void report();
    void exitWith(int exitCode, int signal, std::string message);
    void handleSignals();
    void reap();
    void launcherExited(int status);
    void adoptContainer();
    void startContainer();
    void readPipe(int& fd, LogStream stream);
    void finish();

    std::string m_stateDir;
    MonitorSpec m_spec;
    CriLogWriter m_log;
    MonitorState m_state;
    int m_syncFd = -1;
    int m_signalFd = -1;
    int m_out = -1;
    int m_err = -1;
    pid_t m_child = 0; // exec mode: the container; launcher mode: the launcher until it exits
    bool m_launching = false;
    bool m_startFailed = false;
    std::string m_launcherOutput;
    std::map<pid_t, int> m_reaped; // children reaped before we knew who they were
    std::optional<std::chrono::steady_clock::time_point> m_drainUntil;
};

void Monitor::writeState() {
    auto written =
        writeFileAtomically(statePath(m_stateDir), json::serialize(stateToJson(m_state)));
    if (!written) {
        fmt::print(stderr, "container-monitor: {}\n", written.error().message);
    }
}

void Monitor::report() {
    if (m_syncFd < 0) {
        return;
    }
    std::string line = json::serialize(stateToJson(m_state)) + "\n";
    [[maybe_unused]] ssize_t n = ::write(m_syncFd, line.data(), line.size());
    ::close(m_syncFd);
    m_syncFd = -1;
}

void Monitor::exitWith(int exitCode, int signal, std::string message) {
    if (m_state.status == MonitorStatus::Exited) {
        return;
    }
    m_state.status = MonitorStatus::Exited;
    m_state.exitCode = exitCode;
    m_state.signal = signal;
    if (!message.empty()) {
        m_state.message = std::move(message);
    }
    m_state.finishedAt = std::chrono::system_clock::now();
    if (m_state.startedAt == TimePoint{} && m_state.pid != 0) {
        m_state.startedAt = m_state.finishedAt;
    }
    m_drainUntil = std::chrono::steady_clock::now() + DrainAfterExit;
}

void Monitor::launcherExited(int status) {
    // What the launcher wrote may still be in the pipes: read it before judging its exit.
    for (int* fd : {&m_out, &m_err}) {
        while (*fd >= 0) {
            int before = *fd;
            size_t kept = m_launcherOutput.size();
            readPipe(*fd, fd == &m_out ? LogStream::Stdout : LogStream::Stderr);
            if (*fd == before && m_launcherOutput.size() == kept) {
                break; // EAGAIN: nothing more for now.
            }
        }
    }
    m_launching = false;
    int code = exitCodeFromWaitStatus(status);
    if (code != 0) {
        std::string output = m_launcherOutput;
        while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) {
            output.pop_back();
        }
        exitWith(128, 0,
                 fmt::format("{} exited with {}{}{}", m_spec.argv[0], code,
                             output.empty() ? "" : ": ", output));
        writeState();
        report();
        return;
    }
    adoptContainer();
}

void Monitor::adoptContainer() {
    auto text = readFile(m_spec.pidFile);
    pid_t pid = 0;
    if (text) {
        pid = static_cast<pid_t>(std::strtol(text->c_str(), nullptr, 10));
    }
    if (pid <= 0) {
        exitWith(128, 0, fmt::format("no container pid in {}", m_spec.pidFile));
        writeState();
        report();
        return;
    }
    m_state.pid = pid;
    m_state.pidStartTicks = processStartTicks(pid).value_or(0);
    if (auto it = m_reaped.find(pid); it != m_reaped.end()) {
        m_state.startedAt = std::chrono::system_clock::now();
        exitWith(exitCodeFromWaitStatus(it->second),
                 WIFSIGNALED(it->second) ? WTERMSIG(it->second) : 0, "");
        writeState();
        report();
        return;
    }
    if (m_spec.startArgv.empty()) {
        m_state.status = MonitorStatus::Running;
        m_state.startedAt = std::chrono::system_clock::now();
    }
    writeState();
    report();
}

void Monitor::startContainer() {
    if (m_state.status != MonitorStatus::Created || m_spec.startArgv.empty() || m_state.pid == 0) {
        return;
    }
    SpawnSpec spawn;
    spawn.argv = m_spec.startArgv;
    spawn.env = m_spec.env;
    spawn.workingDir = m_spec.workingDir.empty() ? m_stateDir : m_spec.workingDir;
    spawn.stdoutFd = 2;
    spawn.stderrFd = 2;
    auto pid = spawnProcess(spawn);
    int code = 128;
    if (pid) {
        int status = 0;
        while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
        }
        code = exitCodeFromWaitStatus(status);
    }
    if (code == 0) {
        m_state.status = MonitorStatus::Running;
        m_state.startedAt = std::chrono::system_clock::now();
        writeState();
        return;
    }
    m_startFailed = true;
    m_state.message =
        pid ? fmt::format("{} exited with {}", m_spec.startArgv[0], code) : pid.error().message;
    ::kill(m_state.pid, SIGKILL);
}

void Monitor::reap() {
    while (true) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0) {
            return;
        }
        if (m_launching && pid == m_child) {
            launcherExited(status);
            continue;
        }
        bool isContainer = m_spec.pidFile.empty() ? pid == m_child : pid == m_state.pid;
        if (isContainer && m_state.status != MonitorStatus::Exited) {
            if (m_spec.pidFile.empty()) {
                // The process group dies with its leader, as a PID namespace does with its init.
                ::kill(-pid, SIGKILL);
            }
            if (m_startFailed) {
                exitWith(128, 0, "");
            } else {
                exitWith(exitCodeFromWaitStatus(status), WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                         "");
            }
            writeState();
            continue;
        }
        if (m_reaped.size() < 1024) {
            m_reaped[pid] = status;
        }
    }
}

void Monitor::handleSignals() {
    signalfd_siginfo info{};
    while (::read(m_signalFd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGUSR1) {
            startContainer();
        }
    }
    reap();
}

void Monitor::readPipe(int& fd, LogStream stream) {
    char buffer[16384];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        ::close(fd);
        fd = -1;
        return;
    }
    std::string_view data(buffer, static_cast<size_t>(n));
    if (m_launching) {
        m_launcherOutput.append(data);
        if (m_launcherOutput.size() > LauncherOutputKept) {
            m_launcherOutput.erase(0, m_launcherOutput.size() - LauncherOutputKept);
        }
    }
    m_log.write(stream, data, std::chrono::system_clock::now());
}

void Monitor::finish() {
    m_log.flush(std::chrono::system_clock::now());
    writeState();
    report();
    if (!m_spec.exitDir.empty() && !m_spec.exitName.empty()) {
        (void)makeDirectories(m_spec.exitDir);
        (void)writeFileAtomically(m_spec.exitDir + "/" + m_spec.exitName, "");
    }
}

int Monitor::run() {
    m_state.monitorPid = ::getpid();
    m_state.monitorStartTicks = processStartTicks(m_state.monitorPid).value_or(0);
    m_state.createdAt = std::chrono::system_clock::now();
    if (::fcntl(3, F_GETFD) >= 0) {
        m_syncFd = 3;
        ::fcntl(m_syncFd, F_SETFD, FD_CLOEXEC);
    }
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    ::prctl(PR_SET_NAME, "pilot-monitor");
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    m_signalFd = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    if (m_spec.argv.empty()) {
        exitWith(128, 0, "no command");
        finish();
        return 0;
    }
    if (auto opened = m_log.open(); !opened) {
        fmt::print(stderr, "container-monitor: {}\n", opened.error().message);
    }
    int outPipe[2], errPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
        exitWith(128, 0, fmt::format("pipe: {}", std::strerror(errno)));
        finish();
        return 0;
    }
    SpawnSpec spawn;
    spawn.argv = m_spec.argv;
    spawn.env = m_spec.env;
    spawn.workingDir = m_spec.workingDir.empty() ? m_stateDir : m_spec.workingDir;
    spawn.stdoutFd = outPipe[1];
    spawn.stderrFd = errPipe[1];
    if (m_spec.pidFile.empty()) {
        spawn.uid = m_spec.uid;
        spawn.gid = m_spec.gid;
        spawn.groups = m_spec.groups;
    }
    auto pid = spawnProcess(spawn);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    m_out = outPipe[0];
    m_err = errPipe[0];
    ::fcntl(m_out, F_SETFL, O_NONBLOCK);
    ::fcntl(m_err, F_SETFL, O_NONBLOCK);
    if (!pid) {
        exitWith(128, 0, pid.error().message);
        ::close(m_out);
        ::close(m_err);
        m_out = m_err = -1;
        finish();
        return 0;
    }
    m_child = *pid;
    if (m_spec.pidFile.empty()) {
        m_state.pid = *pid;
        m_state.pidStartTicks = processStartTicks(*pid).value_or(0);
        m_state.status = MonitorStatus::Running;
        m_state.startedAt = std::chrono::system_clock::now();
        writeState();
        report();
    } else {
        m_launching = true;
        writeState();
    }

    while (true) {
        if (m_state.status == MonitorStatus::Exited) {
            bool drained = m_out < 0 && m_err < 0;
            if (drained || (m_drainUntil && std::chrono::steady_clock::now() >= *m_drainUntil)) {
                break;
            }
        }
        pollfd fds[3];
        int count = 0;
        int outIndex = -1, errIndex = -1;
        fds[count++] = {m_signalFd, POLLIN, 0};
        if (m_out >= 0) {
            outIndex = count;
            fds[count++] = {m_out, POLLIN, 0};
        }
        if (m_err >= 0) {
            errIndex = count;
            fds[count++] = {m_err, POLLIN, 0};
        }
        int timeout = 1000;
        if (m_state.status == MonitorStatus::Exited && m_drainUntil) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *m_drainUntil - std::chrono::steady_clock::now());
            timeout = static_cast<int>(std::max<int64_t>(0, left.count()));
        }
        int ready = ::poll(fds, static_cast<nfds_t>(count), timeout);
        if (ready < 0 && errno != EINTR) {
            break;
        }
        if (ready > 0 && (fds[0].revents & POLLIN)) {
            handleSignals();
        }
        if (outIndex >= 0 && (fds[outIndex].revents & (POLLIN | POLLHUP | POLLERR))) {
            readPipe(m_out, LogStream::Stdout);
        }
        if (errIndex >= 0 && (fds[errIndex].revents & (POLLIN | POLLHUP | POLLERR))) {
            readPipe(m_err, LogStream::Stderr);
        }
        if (ready == 0 && !m_launching && m_state.status != MonitorStatus::Exited &&
            m_state.pid != 0 && !isProcessAlive(m_state.pid, m_state.pidStartTicks)) {
            // Not our child (never re-parented here) and gone: its exit code is lost.
            reap();
            if (m_state.status != MonitorStatus::Exited) {
                exitWith(255, 0, "the container process exited without the monitor as its parent");
                writeState();
            }
        }
    }
    finish();
    return 0;
}

} // namespace

std::string_view monitorStatusName(MonitorStatus status) {
    switch (status) {
    case MonitorStatus::Created:
        return "created";
    case MonitorStatus::Running:
        return "running";
    case MonitorStatus::Exited:
        return "exited";
    }
    return "created";
}

std::vector<std::string> containerMonitorCommand() {
    char path[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    std::string binary = n > 0 ? std::string(path, static_cast<size_t>(n)) : "pilothouse-agent";
    return {binary, std::string(ContainerMonitorSubcommand)};
}

Result<MonitorState> spawnMonitor(const std::vector<std::string>& monitorCommand,
                                  const std::string& stateDir, const MonitorSpec& spec,
                                  std::chrono::milliseconds timeout) {
    if (monitorCommand.empty()) {
        return fail(ErrorCode::InvalidArgument, "no container monitor command");
    }
    if (auto made = makeDirectories(stateDir, 0700); !made) {
        return std::unexpected(made.error());
    }
    if (auto written = writeFileAtomically(stateDir + "/monitor.json",
                                           json::serialize(specToJson(spec)), 0600);
        !written) {
        return std::unexpected(written.error());
    }
    ::unlink(statePath(stateDir).c_str());

    std::vector<std::string> args = monitorCommand;
    args.push_back(stateDir);
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    std::string logFile = stateDir + "/monitor.log";
    int logFd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) {
        ::close(logFd);
        ::close(devNull);
        return fail(ErrorCode::Internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    const char* binary = args[0].c_str();
    pid_t child = ::fork();
    if (child < 0) {
        int error = errno;
        for (int fd : {logFd, devNull, sync[0], sync[1]}) {
            ::close(fd);
        }
        return fail(ErrorCode::Internal, fmt::format("fork: {}", std::strerror(error)));
    }
    if (child == 0) {
        // Async-signal-safe calls only from here on.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig = 1; sig < NSIG; ++sig) {
            ::signal(sig, SIG_DFL);
        }
        ::setsid();
        pid_t grandchild = ::fork();
        if (grandchild != 0) {
            ::_exit(grandchild < 0 ? 1 : 0);
        }
        int base = 64;
        int syncCopy = ::fcntl(sync[1], F_DUPFD, base);
        int nullCopy = ::fcntl(devNull, F_DUPFD, base);
        int logCopy = ::fcntl(logFd >= 0 ? logFd : devNull, F_DUPFD, base);
        ::dup2(nullCopy, 0);
        ::dup2(nullCopy, 1);
        ::dup2(logCopy, 2);
        ::dup2(syncCopy, 3);
        ::syscall(SYS_close_range, 4, ~0U, 0);
        ::execv(binary, argv.data());
        ::_exit(127);
    }
    ::close(sync[1]);
    ::close(logFd);
    ::close(devNull);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    std::string reportText;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::close(sync[0]);
            return fail(ErrorCode::Timeout,
                        fmt::format("container monitor in {} did not report within {} ms", stateDir,
                                    timeout.count()));
        }
        pollfd fd{sync[0], POLLIN, 0};
        int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            continue;
        }
        ssize_t n = ::read(sync[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        reportText.append(buffer, static_cast<size_t>(n));
    }
    ::close(sync[0]);
    boost::system::error_code ec;
    json::value value = kube::parseJsonText(reportText, ec);
    if (ec || !value.is_object()) {
        auto log = readFile(logFile);
        return fail(ErrorCode::Internal,
                    fmt::format("container monitor in {} failed to start{}{}", stateDir,
                                log && !log->empty() ? ": " : "", log ? *log : ""));
    }
    return stateFromJson(value.as_object());
}

Result<MonitorState> readMonitorState(const std::string& stateDir) {
    auto value = readJsonFile(statePath(stateDir));
    if (!value) {
        return std::unexpected(value.error());
    }
    if (!value->is_object()) {
        return fail(ErrorCode::InvalidArgument, statePath(stateDir) + ": not an object");
    }
    return stateFromJson(value->as_object());
}

bool isMonitorAlive(const MonitorState& state) {
    return isProcessAlive(state.monitorPid, state.monitorStartTicks);
}

Result<MonitorState> startMonitoredContainer(const std::string& stateDir,
                                             std::chrono::milliseconds timeout) {
    auto state = readMonitorState(stateDir);
    if (!state) {
        return state;
    }
    if (state->status != MonitorStatus::Created) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container in {} is {}, not created", stateDir,
                                monitorStatusName(state->status)));
    }
    if (!isMonitorAlive(*state)) {
        return fail(ErrorCode::Unavailable, fmt::format("the monitor of {} is gone", stateDir));
    }
    ::kill(state->monitorPid, SIGUSR1);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
        state = readMonitorState(stateDir);
        if (state && state->status != MonitorStatus::Created) {
            return state;
        }
        if (state && !isMonitorAlive(*state)) {
            return fail(ErrorCode::Unavailable, fmt::format("the monitor of {} is gone", stateDir));
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
    return fail(ErrorCode::Timeout, fmt::format("container in {} did not start", stateDir));
}

Result<MonitorState> waitForMonitorExit(const std::string& stateDir,
                                        std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(2);
    while (true) {
        auto state = readMonitorState(stateDir);
        if (!state || state->status == MonitorStatus::Exited || !isMonitorAlive(*state) ||
            std::chrono::steady_clock::now() >= deadline) {
            return state;
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

int runContainerMonitor(const std::string& stateDir) {
    auto value = readJsonFile(stateDir + "/monitor.json");
    if (!value || !value->is_object()) {
        fmt::print(stderr, "container-monitor: cannot read {}/monitor.json: {}\n", stateDir,
                   value ? "not an object" : value.error().message);
        return 2;
    }
    Monitor monitor(stateDir, specFromJson(value->as_object()));
    return monitor.run();
}

} // namespace pilot::agent
