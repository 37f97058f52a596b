#include "nodeagent/runtime/subprocess.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pilot::agent {
namespace {

std::string envValue(const std::vector<std::string>& env, std::string_view key) {
    for (const std::string& entry : env) {
        if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 &&
            entry[key.size()] == '=') {
            return entry.substr(key.size() + 1);
        }
    }
    return {};
}

bool isExecutableFile(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

void writeAll(int fd, const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
}

} // namespace

std::vector<std::string> currentEnvironment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        env.emplace_back(*e);
    }
    return env;
}

Result<std::string> findExecutable(const std::string& name, const std::vector<std::string>& env,
                                   const std::string& workingDir) {
    if (name.empty()) {
        return fail(ErrorCode::InvalidArgument, "exec: no command");
    }
    if (name.find('/') != std::string::npos) {
        std::string path = name[0] == '/' || workingDir.empty() ? name : workingDir + "/" + name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            return fail(
                ErrorCode::NotFound,
                fmt::format("exec: \"{}\": stat {}: no such file or directory", name, name));
        }
        if (!S_ISREG(st.st_mode) || ::access(path.c_str(), X_OK) != 0) {
            return fail(ErrorCode::Forbidden, fmt::format("exec: \"{}\": permission denied", name));
        }
        return path;
    }
    std::string pathVar = envValue(env, "PATH");
    if (pathVar.empty()) {
        pathVar = DefaultPath;
    }
    size_t start = 0;
    while (start <= pathVar.size()) {
        size_t end = pathVar.find(':', start);
        if (end == std::string::npos) {
            end = pathVar.size();
        }
        std::string dir = pathVar.substr(start, end - start);
        if (dir.empty()) {
            dir = ".";
        }
        std::string candidate = dir + "/" + name;
        if (dir[0] != '/' && !workingDir.empty()) {
            candidate = workingDir + "/" + candidate;
        }
        if (isExecutableFile(candidate)) {
            return candidate;
        }
        start = end + 1;
    }
    return fail(ErrorCode::NotFound,
                fmt::format("exec: \"{}\": executable file not found in $PATH", name));
}

Result<pid_t> spawnProcess(const SpawnSpec& spec) {
    if (spec.argv.empty()) {
        return fail(ErrorCode::InvalidArgument, "exec: no command");
    }
    auto path = findExecutable(spec.argv[0], spec.env, spec.workingDir);
    if (!path) {
        return std::unexpected(path.error());
    }
    // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
    std::vector<char*> argv;
    for (const std::string& a : spec.argv) {
        argv.push_back(const_cast<char*>(a.c_str()));
    }
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : spec.env) {
        envp.push_back(const_cast<char*>(e.c_str()));
    }
    envp.push_back(nullptr);
    std::vector<gid_t> groups(spec.groups.begin(), spec.groups.end());
    const char* workingDir = spec.workingDir.empty() ? nullptr : spec.workingDir.c_str();
    const char* file = path->c_str();

    int errorPipe[2];
    if (::pipe2(errorPipe, O_CLOEXEC) != 0) {
        return fail(ErrorCode::Internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t pid = ::fork();
    if (pid < 0) {
        int error = errno;
        ::close(errorPipe[0]);
        ::close(errorPipe[1]);
        ::close(devNull);
        return fail(ErrorCode::Internal, fmt::format("fork: {}", std::strerror(error)));
    }
    if (pid == 0) {
        // Child.
        sigset_t all;
        sigemptyset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        for (int sig = 1; sig < NSIG; ++sig) {
            ::signal(sig, SIG_DFL);
        }
        struct Step {
            int code;
            int error;
        };
        auto die = [&](int code) {
            Step step{code, errno};
            writeAll(errorPipe[1], &step, sizeof step);
            ::_exit(127);
        };
        if (spec.newSession && ::setsid() < 0) {
            die(1);
        }
        // Move the wanted descriptors above every number we are about to assign.
        int in = spec.stdinFd >= 0 ? spec.stdinFd : devNull;
        int out = spec.stdoutFd >= 0 ? spec.stdoutFd : devNull;
        int err = spec.stderrFd >= 0 ? spec.stderrFd : devNull;
        int base = 100 + static_cast<int>(spec.keepFds.size());
        int moved[3] = {::fcntl(in, F_DUPFD_CLOEXEC, base), ::fcntl(out, F_DUPFD_CLOEXEC, base),
                        ::fcntl(err, F_DUPFD_CLOEXEC, base)};
        std::vector<int> keep;
        for (int fd : spec.keepFds) {
            keep.push_back(::fcntl(fd, F_DUPFD_CLOEXEC, base));
        }
        for (int i = 0; i < 3; ++i) {
            if (moved[i] < 0 || ::dup2(moved[i], i) < 0) {
                die(2);
            }
        }
        for (size_t i = 0; i < keep.size(); ++i) {
            if (keep[i] < 0 || ::dup2(keep[i], 3 + static_cast<int>(i)) < 0) {
                die(2);
            }
        }
        int firstClosed = 3 + static_cast<int>(keep.size());
        // The error pipe stays open (close-on-exec) until exec succeeds.
        if (errorPipe[1] < firstClosed) {
            int copy = ::fcntl(errorPipe[1], F_DUPFD_CLOEXEC, base + 10);
            errorPipe[1] = copy;
        }
        ::syscall(SYS_close_range, firstClosed, errorPipe[1] - 1, 0);
        ::syscall(SYS_close_range, errorPipe[1] + 1, ~0U, 0);
        if (spec.controllingTty && ::ioctl(0, TIOCSCTTY, 0) < 0) {
            die(3);
        }
        if (workingDir && ::chdir(workingDir) != 0) {
            die(4);
        }
        if (!groups.empty() || spec.gid) {
            if (::setgroups(groups.size(), groups.data()) != 0) {
                die(5);
            }
        }
        if (spec.gid && ::setgid(*spec.gid) != 0) {
            die(5);
        }
        if (spec.uid && ::setuid(*spec.uid) != 0) {
            die(6);
        }
        ::execve(file, argv.data(), envp.data());
        die(7);
    }
    ::close(errorPipe[1]);
    ::close(devNull);
    struct {
        int code;
        int error;
    } step{0, 0};
    ssize_t n;
    do {
        n = ::read(errorPipe[0], &step, sizeof step);
    } while (n < 0 && errno == EINTR);
    ::close(errorPipe[0]);
    if (n <= 0) {
        return pid; // Closed by a successful exec.
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::string what;
    switch (step.code) {
    case 1:
        what = "setsid";
        break;
    case 2:
        what = "set up stdio";
        break;
    case 3:
        what = "set controlling terminal";
        break;
    case 4:
        return fail(ErrorCode::NotFound,
                    fmt::format("chdir to cwd (\"{}\") set in config.json failed: {}",
                                spec.workingDir, std::strerror(step.error)));
    case 5:
        what = "set groups";
        break;
    case 6:
        what = "set user";
        break;
    default:
        return fail(step.error == EACCES ? ErrorCode::Forbidden : ErrorCode::Internal,
                    fmt::format("exec: \"{}\": {}", spec.argv[0], std::strerror(step.error)));
    }
    return fail(ErrorCode::Internal, fmt::format("{}: {}", what, std::strerror(step.error)));
}

int exitCodeFromWaitStatus(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return 255;
}

int openPidFd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

Result<CommandResult> runCommand(const CommandSpec& spec) {
    int outPipe[2], errPipe[2], inPipe[2];
    if (::pipe2(outPipe, O_CLOEXEC) != 0) {
        return fail(ErrorCode::Internal, "pipe failed");
    }
    if (::pipe2(errPipe, O_CLOEXEC) != 0) {
        ::close(outPipe[0]);
        ::close(outPipe[1]);
        return fail(ErrorCode::Internal, "pipe failed");
    }
    if (::pipe2(inPipe, O_CLOEXEC) != 0) {
        for (int fd : {outPipe[0], outPipe[1], errPipe[0], errPipe[1]}) {
            ::close(fd);
        }
        return fail(ErrorCode::Internal, "pipe failed");
    }
    SpawnSpec spawn;
    spawn.argv = spec.argv;
    spawn.env = spec.env ? *spec.env : currentEnvironment();
    spawn.workingDir = spec.workingDir;
    spawn.uid = spec.uid;
    spawn.gid = spec.gid;
    spawn.groups = spec.groups;
    spawn.stdinFd = inPipe[0];
    spawn.stdoutFd = outPipe[1];
    spawn.stderrFd = spec.mergeStderr ? outPipe[1] : errPipe[1];
    auto pid = spawnProcess(spawn);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    ::close(inPipe[0]);
    if (!pid) {
        ::close(outPipe[0]);
        ::close(errPipe[0]);
        ::close(inPipe[1]);
        return std::unexpected(pid.error());
    }
    int inFd = inPipe[1];
    if (spec.input.empty()) {
        ::close(inFd);
        inFd = -1;
    } else {
        ::fcntl(inFd, F_SETFL, O_NONBLOCK);
    }
    int pidFd = openPidFd(*pid);
    CommandResult result;
    size_t inputOffset = 0;
    auto deadline = std::chrono::steady_clock::now() + spec.timeout;
    int outFd = outPipe[0];
    int errFd = errPipe[0];
    bool exited = false;
    int status = 0;
    char buffer[16384];
    while (outFd >= 0 || errFd >= 0 || !exited) {
        pollfd fds[4];
        int count = 0;
        int outIndex = -1, errIndex = -1, inIndex = -1, pidIndex = -1;
        if (outFd >= 0) {
            outIndex = count;
            fds[count++] = {outFd, POLLIN, 0};
        }
        if (errFd >= 0) {
            errIndex = count;
            fds[count++] = {errFd, POLLIN, 0};
        }
        if (inFd >= 0) {
            inIndex = count;
            fds[count++] = {inFd, POLLOUT, 0};
        }
        if (!exited && pidFd >= 0) {
            pidIndex = count;
            fds[count++] = {pidFd, POLLIN, 0};
        }
        int wait = -1;
        if (spec.timeout.count() > 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            wait = left.count() < 0 ? 0 : static_cast<int>(left.count());
        }
        if (!exited && pidFd < 0 && outFd < 0 && errFd < 0) {
            ::waitpid(*pid, &status, 0); // No pidfd (old kernel): block for the exit.
            exited = true;
            break;
        }
        int ready = ::poll(fds, static_cast<nfds_t>(count), wait);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready == 0) {
            result.timedOut = true;
            ::kill(-*pid, SIGKILL);
            ::kill(*pid, SIGKILL);
            break;
        }
        auto drain = [&](int& fd, int index, std::string& sink) {
            if (index < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) {
                return;
            }
            ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n <= 0) {
                ::close(fd);
                fd = -1;
                return;
            }
            size_t room = spec.outputLimit > sink.size() ? spec.outputLimit - sink.size() : 0;
            sink.append(buffer, std::min(room, static_cast<size_t>(n)));
        };
        drain(outFd, outIndex, result.output);
        drain(errFd, errIndex, result.errorOutput);
        if (inIndex >= 0 && (fds[inIndex].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n =
                ::write(inFd, spec.input.data() + inputOffset, spec.input.size() - inputOffset);
            if (n > 0) {
                inputOffset += static_cast<size_t>(n);
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR) {
                inputOffset = spec.input.size();
            }
            if (inputOffset >= spec.input.size()) {
                ::close(inFd);
                inFd = -1;
            }
        }
        if (pidIndex >= 0 && (fds[pidIndex].revents & POLLIN)) {
            ::waitpid(*pid, &status, 0);
            exited = true;
            // Background processes may keep the pipes open: read what is there, then stop.
            if (outFd >= 0 || errFd >= 0) {
                for (int fd : {outFd, errFd}) {
                    if (fd >= 0) {
                        ::fcntl(fd, F_SETFL, O_NONBLOCK);
                    }
                }
                auto slurp = [&](int& fd, std::string& sink) {
                    while (fd >= 0) {
                        ssize_t n = ::read(fd, buffer, sizeof buffer);
                        if (n <= 0) {
                            ::close(fd);
                            fd = -1;
                            break;
                        }
                        size_t room =
                            spec.outputLimit > sink.size() ? spec.outputLimit - sink.size() : 0;
                        sink.append(buffer, std::min(room, static_cast<size_t>(n)));
                    }
                };
                slurp(outFd, result.output);
                slurp(errFd, result.errorOutput);
            }
        }
    }
    for (int fd : {outFd, errFd, inFd}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    if (!exited) {
        ::waitpid(*pid, &status, 0);
    }
    if (pidFd >= 0) {
        ::close(pidFd);
    }
    result.exitCode = exitCodeFromWaitStatus(status);
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
}

} // namespace pilot::agent
