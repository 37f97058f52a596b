#include "nodeagent/runtime/execsession.h"

#include "core/threadname.h"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace pilot::agent {
namespace {

class HostExecSession final : public ExecSession {
public:
    HostExecSession(pid_t pid, int stdinFd, int stdoutFd, int stderrFd, bool tty,
                    ExecOptions options)
        : m_pid(pid), m_stdin(stdinFd), m_stdout(stdoutFd), m_stderr(stderrFd), m_tty(tty),
          m_options(std::move(options)) {
        ::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK);
        m_pidFd = openPidFd(pid);
        for (int fd : {m_stdin, m_stdout, m_stderr}) {
            if (fd >= 0) {
                ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
            }
        }
        m_thread = std::thread([this] {
            setThreadName("exec-session");
            run();
        });
    }

    ~HostExecSession() override {
        terminate();
        if (m_thread.get_id() == std::this_thread::get_id()) {
            m_thread.detach(); // Destroyed from our own callback: the thread ends right after.
        } else if (m_thread.joinable()) {
            m_thread.join();
        }
        for (int fd : {m_wake[0], m_wake[1], m_pidFd}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }

    void writeStdin(std::string_view data) override {
        std::lock_guard lock(m_mutex);
        if (m_stdinClosed) {
            return;
        }
        m_input.append(data);
        wake();
    }

    void closeStdin() override {
        std::lock_guard lock(m_mutex);
        m_stdinClosed = true;
        wake();
    }

    void resize(uint16_t columns, uint16_t rows) override {
        if (!m_tty || m_stdout < 0) {
            return;
        }
        winsize size{};
        size.ws_col = columns;
        size.ws_row = rows;
        ::ioctl(m_stdout, TIOCSWINSZ, &size);
    }

    void terminate() override {
        if (!m_exited.load()) {
            ::kill(-m_pid, SIGKILL);
            ::kill(m_pid, SIGKILL);
        }
    }

private:
    void wake() {
        char c = 0;
        [[maybe_unused]] ssize_t n = ::write(m_wake[1], &c, 1);
    }

    void run() {
        int status = 0;
        bool reaped = false;
        char buffer[16384];
        int out = m_stdout;
        int err = m_stderr;
        while (out >= 0 || err >= 0 || !reaped) {
            pollfd fds[5];
            int count = 0;
            int outIndex = -1, errIndex = -1, inIndex = -1, pidIndex = -1;
            fds[count++] = {m_wake[0], POLLIN, 0};
            if (out >= 0) {
                outIndex = count;
                fds[count++] = {out, POLLIN, 0};
            }
            if (err >= 0) {
                errIndex = count;
                fds[count++] = {err, POLLIN, 0};
            }
            bool wantInput = false;
            {
                std::lock_guard lock(m_mutex);
                wantInput = m_stdin >= 0 && (!m_input.empty() || m_stdinClosed);
            }
            if (wantInput) {
                inIndex = count;
                fds[count++] = {m_stdin, POLLOUT, 0};
            }
            if (!reaped && m_pidFd >= 0) {
                pidIndex = count;
                fds[count++] = {m_pidFd, POLLIN, 0};
            }
            // Once the process is gone, output still buffered is read; a background process
            // holding the pipe open does not keep the session alive for more than a moment.
            int timeout = reaped ? 200 : (m_pidFd >= 0 ? -1 : 200);
            int ready = ::poll(fds, static_cast<nfds_t>(count), timeout);
            if (ready < 0 && errno == EINTR) {
                continue;
            }
            if (ready == 0 && reaped) {
                break;
            }
            if (fds[0].revents & POLLIN) {
                while (::read(m_wake[0], buffer, sizeof buffer) > 0) {
                }
            }
            auto pump = [&](int& fd, int index, StreamKind kind) {
                if (index < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) {
                    return;
                }
                ssize_t n = ::read(fd, buffer, sizeof buffer);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                    return;
                }
                if (n <= 0) {
                    if (fd == m_stdin) {
                        m_stdin = -1; // A terminal: input and output share the descriptor.
                    }
                    ::close(fd);
                    fd = -1;
                    return;
                }
                if (m_options.output) {
                    m_options.output(kind, std::string_view(buffer, static_cast<size_t>(n)));
                }
            };
            pump(out, outIndex, StreamKind::Stdout);
            pump(err, errIndex, StreamKind::Stderr);
            if (inIndex >= 0 && (fds[inIndex].revents & (POLLOUT | POLLERR | POLLHUP))) {
                std::lock_guard lock(m_mutex);
                if (!m_input.empty() && !(fds[inIndex].revents & (POLLERR | POLLHUP))) {
                    ssize_t n = ::write(m_stdin, m_input.data(), m_input.size());
                    if (n > 0) {
                        m_input.erase(0, static_cast<size_t>(n));
                    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        m_input.clear();
                        m_stdinClosed = true;
                    }
                } else {
                    m_input.clear();
                    m_stdinClosed = true;
                }
                if (m_input.empty() && m_stdinClosed && m_stdin >= 0) {
                    if (m_tty) {
                        // A terminal has no half-close: send end-of-file (^D) instead.
                        char eof = 4;
                        [[maybe_unused]] ssize_t n = ::write(m_stdin, &eof, 1);
                    } else {
                        ::close(m_stdin);
                    }
                    m_stdin = -1;
                }
            }
            if (!reaped && (m_pidFd < 0 || (pidIndex >= 0 && (fds[pidIndex].revents & POLLIN)))) {
                if (::waitpid(m_pid, &status, m_pidFd < 0 ? WNOHANG : 0) == m_pid) {
                    reaped = true;
                    m_exited = true;
                }
            }
        }
        for (int fd : {out, err}) {
            if (fd >= 0 && fd != m_stdin) {
                ::close(fd);
            }
        }
        {
            std::lock_guard lock(m_mutex);
            if (m_stdin >= 0) {
                ::close(m_stdin);
                m_stdin = -1;
            }
        }
        if (!reaped) {
            ::waitpid(m_pid, &status, 0);
            m_exited = true;
        }
        if (m_options.onExit) {
            m_options.onExit(exitCodeFromWaitStatus(status));
        }
    }

    pid_t m_pid;
    int m_stdin;
    int m_stdout;
    int m_stderr;
    bool m_tty;
    ExecOptions m_options;
    int m_wake[2] = {-1, -1};
    int m_pidFd = -1;
    std::mutex m_mutex;
    std::string m_input;
    bool m_stdinClosed = false;
    std::atomic<bool> m_exited{false};
    std::thread m_thread;
};

} // namespace

Result<std::unique_ptr<ExecSession>> startExecSession(SpawnSpec spawn, ExecOptions options) {
    if (options.command.empty() && spawn.argv.empty()) {
        return fail(ErrorCode::InvalidArgument, "exec: no command");
    }
    if (spawn.argv.empty()) {
        spawn.argv = options.command;
    }
    if (options.tty) {
        int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
            if (master >= 0) {
                ::close(master);
            }
            return fail(ErrorCode::Internal, fmt::format("openpty: {}", std::strerror(errno)));
        }
        const char* name = ::ptsname(master);
        int slave = name ? ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (slave < 0) {
            ::close(master);
            return fail(ErrorCode::Internal, fmt::format("open pty: {}", std::strerror(errno)));
        }
        bool hasTerm = false;
        for (const auto& e : spawn.env) {
            hasTerm = hasTerm || e.starts_with("TERM=");
        }
        if (!hasTerm) {
            spawn.env.push_back("TERM=xterm");
        }
        spawn.stdinFd = slave;
        spawn.stdoutFd = slave;
        spawn.stderrFd = slave;
        spawn.controllingTty = true;
        spawn.newSession = true;
        auto pid = spawnProcess(spawn);
        ::close(slave);
        if (!pid) {
            ::close(master);
            return std::unexpected(pid.error());
        }
        int input = ::fcntl(master, F_DUPFD_CLOEXEC, 0);
        return std::unique_ptr<ExecSession>(
            new HostExecSession(*pid, input, master, -1, true, std::move(options)));
    }
    int in[2] = {-1, -1}, out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        return fail(ErrorCode::Internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    if (options.stdinOpen && ::pipe2(in, O_CLOEXEC) != 0) {
        return fail(ErrorCode::Internal, fmt::format("pipe: {}", std::strerror(errno)));
    }
    spawn.stdinFd = in[0];
    spawn.stdoutFd = out[1];
    spawn.stderrFd = err[1];
    auto pid = spawnProcess(spawn);
    for (int fd : {in[0], out[1], err[1]}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    if (!pid) {
        for (int fd : {in[1], out[0], err[0]}) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
        return std::unexpected(pid.error());
    }
    return std::unique_ptr<ExecSession>(
        new HostExecSession(*pid, in[1], out[0], err[0], false, std::move(options)));
}

} // namespace pilot::agent
