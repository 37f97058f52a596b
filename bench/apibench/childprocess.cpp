#include "bench/apibench/childprocess.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pilot::bench {

namespace {

std::string describeStatus(int status) {
    if (WIFEXITED(status)) {
        return fmt::format("exited with status {}", WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status)) {
        return fmt::format("killed by signal {} ({})", WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
    }
    return "stopped";
}

} // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::start(const std::vector<std::string>& argv,
                                                          const std::string& logPath,
                                                          Watched watched) {
    if (argv.empty() || ::access(argv[0].c_str(), X_OK) != 0) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: not an executable", argv.empty() ? "" : argv[0]));
    }
    int log = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", logPath, std::strerror(errno)));
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        ::close(log);
        return fail(ErrorCode::Internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    int watchedFd = watched == Watched::Stdout ? STDOUT_FILENO : STDERR_FILENO;
    int otherFd = watched == Watched::Stdout ? STDERR_FILENO : STDOUT_FILENO;

    std::vector<char*> args;
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);

    std::unique_ptr<ChildProcess> child(new ChildProcess());
    child->m_logPath = logPath;
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls until exec. The server dies with the benchmark, even
        // when the benchmark crashes.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) {
            ::_exit(127);
        }
        ::dup2(pipeFds[1], watchedFd);
        ::dup2(log, otherFd);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    int forkError = errno;
    ::close(pipeFds[1]);
    ::close(log);
    if (pid < 0) {
        ::close(pipeFds[0]);
        return fail(ErrorCode::Internal,
                    fmt::format("start {}: {}", argv[0], std::strerror(forkError)));
    }
    child->m_pid = pid;
    child->m_reader = std::thread([raw = child.get(), fd = pipeFds[0]] { raw->readOutput(fd); });
    return child;
}

void ChildProcess::readOutput(int fd) {
    std::ofstream log(m_logPath, std::ios::app);
    std::string pending;
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t start = 0;
        std::vector<std::string> lines;
        for (auto end = pending.find('\n'); end != std::string::npos;
             end = pending.find('\n', start)) {
            lines.push_back(pending.substr(start, end - start));
            start = end + 1;
        }
        pending.erase(0, start);
        for (const std::string& line : lines) {
            log << line << '\n';
        }
        log.flush();
        std::lock_guard lock(m_mutex);
        for (std::string& line : lines) {
            m_lines.push_back(std::move(line));
        }
        m_changed.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(m_mutex);
    m_eof = true;
    m_changed.notify_all();
}

Result<std::string> ChildProcess::waitForLine(const std::string& needle,
                                              std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    std::size_t checked = 0;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (; checked < m_lines.size(); ++checked) {
            if (m_lines[checked].find(needle) != std::string::npos) {
                return m_lines[checked];
            }
        }
        if (m_eof) {
            return fail(ErrorCode::Unavailable,
                        fmt::format("process {} closed its output before '{}' (log: {})", m_pid,
                                    needle, m_logPath));
        }
        if (m_changed.wait_until(lock, deadline) == std::cv_status::timeout) {
            return fail(ErrorCode::Timeout, fmt::format("no '{}' from process {} within {} ms "
                                                        "(log: {})",
                                                        needle, m_pid, timeout.count(), m_logPath));
        }
    }
}

bool ChildProcess::running() {
    if (m_pid <= 0) {
        return false;
    }
    int status = 0;
    pid_t rc = ::waitpid(m_pid, &status, WNOHANG);
    if (rc == 0) {
        return true;
    }
    m_exit = rc == m_pid ? describeStatus(status) : "gone";
    m_pid = -1;
    return false;
}

void ChildProcess::stop() {
    if (running()) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        for (int i = 0; i < 1000; ++i) {
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_exit = describeStatus(status);
                m_pid = -1;
                break;
            }
            ::usleep(10'000);
        }
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
            m_exit = "killed after not stopping within 10 s";
            m_pid = -1;
        }
    }
    if (m_reader.joinable()) {
        m_reader.join();
    }
}

ChildProcess::~ChildProcess() {
    stop();
}

Result<MemoryUsage> readMemory(pid_t pid) {
    std::ifstream status(fmt::format("/proc/{}/status", pid));
    if (!status) {
        return fail(ErrorCode::NotFound, fmt::format("/proc/{}/status: cannot read", pid));
    }
    MemoryUsage usage;
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with("VmRSS:")) {
            usage.rssKb = std::strtol(line.c_str() + 6, nullptr, 10);
        } else if (line.starts_with("VmHWM:")) {
            usage.hwmKb = std::strtol(line.c_str() + 6, nullptr, 10);
        }
    }
    return usage;
}

double cpuSeconds(pid_t pid) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    auto close = text.rfind(')');
    if (close == std::string::npos) {
        return -1;
    }
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
        if (index >= 14) {
            ticks += std::strtod(field.c_str(), nullptr);
        }
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

Result<int> freeLoopbackPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(ErrorCode::Internal, fmt::format("socket: {}", std::strerror(errno)));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(fd);
        return fail(ErrorCode::Internal, fmt::format("bind: {}", std::strerror(errno)));
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

Result<std::string> makeTempDir(const std::string& prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = fmt::format("{}/{}.XXXXXX", base && *base ? base : "/tmp", prefix);
    if (::mkdtemp(pattern.data()) == nullptr) {
        return fail(ErrorCode::Internal,
                    fmt::format("mkdtemp {}: {}", pattern, std::strerror(errno)));
    }
    return pattern;
}

} // namespace pilot::bench
