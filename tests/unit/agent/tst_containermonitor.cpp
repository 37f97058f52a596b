#include "nodeagent/runtime/containermonitor.h"

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace pilot;
using namespace pilot::agent;
namespace fs = std::filesystem;

namespace {

class ContainerMonitorTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "monitor-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    MonitorSpec spec(std::vector<std::string> argv) {
        MonitorSpec s;
        s.argv = std::move(argv);
        s.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "GREETING=hello"};
        s.workingDir = m_dir.string();
        s.logPath = (m_dir / "logs" / "0.log").string();
        s.exitDir = (m_dir / "exits").string();
        s.exitName = "c1";
        return s;
    }

    std::string stateDir() const { return (m_dir / "state").string(); }

    Result<MonitorState> spawn(const MonitorSpec& s) {
        return spawnMonitor({PILOT_TEST_MONITOR, "container-monitor"}, stateDir(), s);
    }

    MonitorState waitExited() {
        auto state = waitForMonitorExit(stateDir(), std::chrono::seconds(20));
        EXPECT_TRUE(state) << (state ? "" : state.error().message);
        return state ? *state : MonitorState{};
    }

    /// The monitor writes the exit marker last, once everything else is on disk.
    bool waitMarker() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            if (fs::exists(m_dir / "exits" / "c1")) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    std::vector<CriLogRecord> records(std::string& storage) {
        auto text = readFile((m_dir / "logs" / "0.log").string());
        storage = text ? *text : "";
        std::vector<CriLogRecord> out;
        std::string_view rest = storage;
        while (!rest.empty()) {
            size_t nl = rest.find('\n');
            auto record = parseCriLine(rest.substr(0, nl));
            EXPECT_TRUE(record) << rest.substr(0, nl);
            if (record) {
                out.push_back(*record);
            }
            if (nl == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(nl + 1);
        }
        return out;
    }

    fs::path m_dir;
};

} // namespace

TEST_F(ContainerMonitorTest, RunsTheCommandAndCopiesItsOutputIntoTheCriLog) {
    auto started = spawn(spec({"sh", "-c", "echo $GREETING; echo oops >&2; printf tail"}));
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_NE(started->pid, 0);
    EXPECT_NE(started->monitorPid, 0);
    ASSERT_TRUE(waitMarker());
    MonitorState state = waitExited();
    EXPECT_EQ(state.status, MonitorStatus::Exited);
    EXPECT_EQ(state.exitCode, 0);
    EXPECT_GE(state.finishedAt, state.startedAt);
    std::string storage;
    auto got = records(storage);
    ASSERT_EQ(got.size(), 3u);
    std::map<std::string, std::string> byContent;
    for (const auto& r : got) {
        byContent[std::string(r.content)] = r.stream == LogStream::Stdout ? "stdout" : "stderr";
    }
    EXPECT_EQ(byContent["hello"], "stdout");
    EXPECT_EQ(byContent["oops"], "stderr");
    EXPECT_EQ(byContent["tail"], "stdout");
}

TEST_F(ContainerMonitorTest, RecordsExitCodesAndSignals) {
    auto started = spawn(spec({"sh", "-c", "exit 3"}));
    ASSERT_TRUE(started);
    ASSERT_TRUE(waitMarker());
    EXPECT_EQ(waitExited().exitCode, 3);

    fs::remove(m_dir / "exits" / "c1");
    started = spawn(spec({"sleep", "1000"}));
    ASSERT_TRUE(started);
    ASSERT_EQ(started->status, MonitorStatus::Running);
    ASSERT_TRUE(isProcessAlive(started->pid, started->pidStartTicks));
    ::kill(-started->pid, SIGKILL);
    ASSERT_TRUE(waitMarker());
    MonitorState state = waitExited();
    EXPECT_EQ(state.exitCode, 137);
    EXPECT_EQ(state.signal, SIGKILL);
}

TEST_F(ContainerMonitorTest, ExecFailureEndsAsExitCode128WithRuncsMessage) {
    auto started = spawn(spec({"no-such-binary-in-pilothouse-tests"}));
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_EQ(started->status, MonitorStatus::Exited);
    EXPECT_EQ(started->exitCode, 128);
    EXPECT_EQ(started->message,
              "exec: \"no-such-binary-in-pilothouse-tests\": executable file not found in $PATH");
    EXPECT_TRUE(waitMarker());
}

TEST_F(ContainerMonitorTest, KillsTheRestOfTheSessionWhenTheMainProcessExits) {
    std::string pidFile = (m_dir / "bg.pid").string();
    auto started = spawn(spec({"sh", "-c", "sleep 1000 & echo $! > " + pidFile + "; exit 0"}));
    ASSERT_TRUE(started);
    ASSERT_TRUE(waitMarker());
    auto text = readFile(pidFile);
    ASSERT_TRUE(text);
    pid_t background = static_cast<pid_t>(std::stol(*text));
    EXPECT_FALSE(isProcessAlive(background));
}

TEST_F(ContainerMonitorTest, ContainerOutlivesTheProcessThatStartedItAndItsExitCodeIsKept) {
    std::string fifo = (m_dir / "gate").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    MonitorSpec s = spec({"sh", "-c", "echo started; read line < " + fifo + "; exit 7"});
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    // A stand-in for the agent: it starts the container, reports the pid, and dies by SIGKILL.
    pid_t agent = ::fork();
    ASSERT_GE(agent, 0);
    if (agent == 0) {
        auto started = spawnMonitor({PILOT_TEST_MONITOR, "container-monitor"}, stateDir(), s);
        pid_t pid = started ? started->pid : 0;
        [[maybe_unused]] ssize_t n = ::write(report[1], &pid, sizeof pid);
        ::kill(::getpid(), SIGKILL);
    }
    ::close(report[1]);
    pid_t containerPid = 0;
    ASSERT_EQ(::read(report[0], &containerPid, sizeof containerPid),
              static_cast<ssize_t>(sizeof containerPid));
    ::close(report[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(agent, &status, 0), agent);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_NE(containerPid, 0);

    auto state = readMonitorState(stateDir());
    ASSERT_TRUE(state);
    EXPECT_EQ(state->status, MonitorStatus::Running);
    EXPECT_TRUE(isProcessAlive(containerPid, state->pidStartTicks));
    EXPECT_TRUE(isMonitorAlive(*state));
    auto monitorStat = readProcStat(state->monitorPid);
    ASSERT_TRUE(monitorStat);
    EXPECT_NE(monitorStat->session, ::getsid(0));

    // Let the container finish; the monitor records the exit code with nobody else watching.
    int gate = ::open(fifo.c_str(), O_WRONLY);
    ASSERT_GE(gate, 0);
    ASSERT_EQ(::write(gate, "go\n", 3), 3);
    ::close(gate);
    ASSERT_TRUE(waitMarker());
    MonitorState finished = waitExited();
    EXPECT_EQ(finished.exitCode, 7);
    std::string storage;
    auto got = records(storage);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front().content, "started");
}

TEST_F(ContainerMonitorTest, LauncherModeAdoptsTheContainerPidAndWaitsForStart) {
    std::string pidFile = (m_dir / "container.pid").string();
    std::string startedFlag = (m_dir / "started").string();
    MonitorSpec s =
        spec({"sh", "-c", "sleep 1000 > /dev/null 2>&1 & echo $! > " + pidFile + "; echo created"});
    s.pidFile = pidFile;
    s.startArgv = {"sh", "-c", "touch " + startedFlag};
    auto created = spawn(s);
    ASSERT_TRUE(created) << created.error().message;
    ASSERT_EQ(created->status, MonitorStatus::Created);
    ASSERT_TRUE(isProcessAlive(created->pid));
    EXPECT_EQ(created->startedAt, TimePoint{});

    auto running = startMonitoredContainer(stateDir());
    ASSERT_TRUE(running) << running.error().message;
    EXPECT_EQ(running->status, MonitorStatus::Running);
    EXPECT_TRUE(fs::exists(startedFlag));

    ::kill(running->pid, SIGTERM);
    ASSERT_TRUE(waitMarker());
    MonitorState state = waitExited();
    EXPECT_EQ(state.exitCode, 143);
    std::string storage;
    auto got = records(storage);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].content, "created");
}

TEST_F(ContainerMonitorTest, LauncherFailureIsReportedWithItsOutput) {
    MonitorSpec s = spec({"sh", "-c", "echo 'container_linux.go: boom' >&2; exit 1"});
    s.pidFile = (m_dir / "container.pid").string();
    auto state = spawn(s);
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(state->status, MonitorStatus::Exited);
    EXPECT_EQ(state->exitCode, 128);
    EXPECT_NE(state->message.find("container_linux.go: boom"), std::string::npos) << state->message;
    EXPECT_TRUE(waitMarker());
}
