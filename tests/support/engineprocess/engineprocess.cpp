#include "tests/support/engineprocess/engineprocess.h"

#include "core/random.h"

#include <csignal>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pilot::testsupport {

EngineProcess::EngineProcess(std::string binary, std::vector<std::string> extraArgs)
    : m_binary(std::move(binary)), m_extraArgs(std::move(extraArgs)) {}

EngineProcess::~EngineProcess() {
    stop();
}

bool EngineProcess::start(std::chrono::seconds limit) {
    m_dir = std::filesystem::temp_directory_path() / ("pilot-engine-" + randomHex(6));
    std::filesystem::create_directories(m_dir);
    int out[2];
    if (pipe(out) != 0) {
        return false;
    }
    std::vector<std::string> args = {m_binary, "--data-dir", m_dir.string(), "--listen",
                                     "127.0.0.1:0"};
    args.insert(args.end(), m_extraArgs.begin(), m_extraArgs.end());
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    // fork + exec rather than posix_spawn: the engine must die with the test (PR_SET_PDEATHSIG),
    // or a crashed test leaves an engine holding CTest's output pipe until the timeout. Only
    // async-signal-safe calls between fork and exec.
    const pid_t parent = getpid();
    m_pid = fork();
    if (m_pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127); // the test is gone already
        }
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(out[1]);
    if (m_pid < 0) {
        close(out[0]);
        m_pid = -1;
        return false;
    }
    m_stdout = out[0];
    return readReadyLine(limit);
}

void EngineProcess::stop() {
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        int status = 0;
        waitpid(m_pid, &status, 0);
        m_pid = -1;
    }
    if (m_stdout >= 0) {
        close(m_stdout);
        m_stdout = -1;
    }
    if (!m_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
        m_dir.clear();
    }
}

bool EngineProcess::readReadyLine(std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::string buffer;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd fd{m_stdout, POLLIN, 0};
        if (poll(&fd, 1, 1000) <= 0) {
            continue;
        }
        char chunk[4096];
        ssize_t n = read(m_stdout, chunk, sizeof chunk);
        if (n <= 0) {
            return false; // the engine exited
        }
        buffer.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            if (!line.starts_with("ready ")) {
                continue;
            }
            m_api = field(line, "api=");
            m_registry = field(line, "registry=");
            m_kubeconfig = field(line, "kubeconfig=");
            return !m_kubeconfig.empty();
        }
    }
    return false;
}

std::string EngineProcess::field(const std::string& line, const std::string& prefix) {
    size_t at = line.find(" " + prefix);
    if (at == std::string::npos) {
        return {};
    }
    at += prefix.size() + 1;
    return line.substr(at, line.find(' ', at) - at);
}

} // namespace pilot::testsupport
