#include "nodeagent/runtime/process/processruntime.h"

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/fileutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <unistd.h>

using namespace pilot;
using namespace pilot::agent;
namespace fs = std::filesystem;

namespace {

/// Polls `condition` until it holds or `limit` passes (what a user would wait for, bounded).
template <typename F>
bool eventually(F condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

class ProcessRuntimeTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "procrt-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
        m_runtime = makeRuntime();
    }
    void TearDown() override {
        if (m_runtime) {
            if (auto containers = m_runtime->listContainers()) {
                for (const auto& c : *containers) {
                    (void)m_runtime->removeContainer(c.id);
                }
            }
        }
        m_runtime.reset();
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    std::unique_ptr<ProcessRuntime> makeRuntime() {
        auto runtime = std::make_unique<ProcessRuntime>(ProcessRuntimeOptions{
            (m_dir / "runtime").string(), {PILOT_TEST_MONITOR, "container-monitor"}});
        EXPECT_TRUE(runtime->start());
        return runtime;
    }

    std::string sandbox() {
        SandboxConfig config;
        config.podUid = "uid-1";
        config.podName = "web";
        config.podNamespace = "demo";
        config.hostname = "web";
        config.labels = {{"io.kubernetes.pod.uid", "uid-1"}};
        auto status = m_runtime->runSandbox(config);
        EXPECT_TRUE(status);
        EXPECT_EQ(status->state, SandboxState::Ready);
        return status->id;
    }

    ContainerConfig container(std::vector<std::string> command, std::string name = "main") {
        ContainerConfig config;
        config.name = name;
        config.image = "busybox:1.36";
        config.command = std::move(command);
        config.env = {{"GREETING", "hello"}};
        config.logPath = (m_dir / "logs" / name / "0.log").string();
        config.labels = {{"io.kubernetes.container.name", name}};
        return config;
    }

    std::string run(const ContainerConfig& config) {
        auto id = m_runtime->createContainer(m_sandbox, config);
        EXPECT_TRUE(id) << (id ? "" : id.error().message);
        auto started = m_runtime->startContainer(*id);
        EXPECT_TRUE(started) << (started ? "" : started.error().message);
        return *id;
    }

    ContainerStatus waitExited(const std::string& id) {
        ContainerStatus last;
        EXPECT_TRUE(eventually([&] {
            auto s = m_runtime->containerStatus(id);
            last = s ? *s : ContainerStatus{};
            return s && s->state == ContainerState::Exited;
        }));
        return last;
    }

    std::vector<std::string> logContents(const std::string& name) {
        auto text = readFile((m_dir / "logs" / name / "0.log").string());
        std::vector<std::string> out;
        if (!text) {
            return out;
        }
        std::string_view rest = *text;
        while (!rest.empty()) {
            size_t nl = rest.find('\n');
            if (auto record = parseCriLine(rest.substr(0, nl))) {
                out.emplace_back(record->content);
            }
            if (nl == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(nl + 1);
        }
        return out;
    }

    fs::path m_dir;
    std::unique_ptr<ProcessRuntime> m_runtime;
    std::string m_sandbox;
};

} // namespace

TEST_F(ProcessRuntimeTest, RunsTheCommandWithItsEnvironmentAndLogsItsOutput) {
    m_sandbox = sandbox();
    std::string id = run(container({"sh", "-c", "echo $GREETING from $HOSTNAME; exit 4"}));
    ContainerStatus status = waitExited(id);
    EXPECT_EQ(status.exitCode, 4);
    EXPECT_EQ(status.reason, "Error");
    EXPECT_NE(status.startedAt, TimePoint{});
    EXPECT_GE(status.finishedAt, status.startedAt);
    EXPECT_EQ(status.labels.at("io.kubernetes.container.name"), "main");
    EXPECT_TRUE(eventually([&] { return logContents("main").size() == 1; }));
    EXPECT_EQ(logContents("main"), std::vector<std::string>{"hello from web"});
}

TEST_F(ProcessRuntimeTest, WorkingDirInsideAVolumeRunsInTheVolumesHostDirectory) {
    m_sandbox = sandbox();
    fs::create_directories(m_dir / "volumes" / "content" / "sub");
    ContainerConfig config = container({"sh", "-c", "pwd"});
    config.workingDir = "/www/sub";
    config.mounts = {Mount{(m_dir / "volumes" / "content").string(), "/www", false}};
    EXPECT_EQ(ProcessRuntime::mapWorkingDir(config, "/fallback"),
              (m_dir / "volumes" / "content" / "sub").string());
    std::string id = run(config);
    EXPECT_EQ(waitExited(id).exitCode, 0);
    EXPECT_TRUE(eventually([&] { return !logContents("main").empty(); }));
    EXPECT_EQ(logContents("main").front(), (m_dir / "volumes" / "content" / "sub").string());

    auto unsupported = m_runtime->unsupportedFeatures(config);
    ASSERT_FALSE(unsupported.empty());
    EXPECT_NE(unsupported.back().find("container path /www"), std::string::npos);
}

TEST_F(ProcessRuntimeTest, UnsupportedFeaturesNameWhatTheSpecNeeds) {
    ContainerConfig config = container({});
    config.args = {"httpd"};
    config.capabilitiesAdd = {"NET_ADMIN"};
    config.resources.memoryLimitBytes = 64 << 20;
    auto unsupported = m_runtime->unsupportedFeatures(config);
    std::set<std::string> got(unsupported.begin(), unsupported.end());
    EXPECT_TRUE(got.contains("the image's entrypoint (args run as the command)"));
    EXPECT_TRUE(got.contains("capabilities NET_ADMIN"));
    EXPECT_TRUE(got.contains("resource limits"));
}

TEST_F(ProcessRuntimeTest, StopSendsTermThenKillsAfterTheGracePeriod) {
    m_sandbox = sandbox();
    std::string polite = run(container(
        {"sh", "-c", "trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.05; done"},
        "polite"));
    std::string stubborn = run(container(
        {"sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.05; done"}, "stubborn"));
    ASSERT_TRUE(eventually([&] { return !logContents("polite").empty(); }));
    ASSERT_TRUE(eventually([&] { return !logContents("stubborn").empty(); }));
    EXPECT_EQ(m_runtime->containerStatus(polite)->state, ContainerState::Running);

    ASSERT_TRUE(m_runtime->stopContainer(polite, std::chrono::seconds(10)));
    auto status = m_runtime->containerStatus(polite);
    EXPECT_EQ(status->state, ContainerState::Exited);
    EXPECT_EQ(status->exitCode, 0);
    EXPECT_EQ(status->reason, "Completed");
    auto lines = logContents("polite");
    EXPECT_NE(std::find(lines.begin(), lines.end(), "bye"), lines.end());

    auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(m_runtime->stopContainer(stubborn, std::chrono::seconds(1)));
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
    status = m_runtime->containerStatus(stubborn);
    EXPECT_EQ(status->state, ContainerState::Exited);
    EXPECT_EQ(status->exitCode, 137);
}

TEST_F(ProcessRuntimeTest, MissingCommandIsAStartError) {
    m_sandbox = sandbox();
    auto id = m_runtime->createContainer(m_sandbox, container({"httpd-not-on-this-host"}));
    ASSERT_TRUE(id);
    auto started = m_runtime->startContainer(*id);
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find("executable file not found in $PATH"),
              std::string::npos);
    auto status = m_runtime->containerStatus(*id);
    EXPECT_EQ(status->state, ContainerState::Exited);
    EXPECT_EQ(status->reason, "StartError");
    EXPECT_EQ(status->exitCode, 128);
}

TEST_F(ProcessRuntimeTest, ExecSyncRunsInTheContainersEnvironment) {
    m_sandbox = sandbox();
    std::string id = run(container({"sleep", "1000"}));
    auto result =
        m_runtime->execSync(id, {"sh", "-c", "echo $GREETING; exit 2"}, std::chrono::seconds(10));
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exitCode, 2);
    EXPECT_EQ(result->output, "hello\n");

    auto slow = m_runtime->execSync(id, {"sleep", "30"}, std::chrono::milliseconds(200));
    ASSERT_TRUE(slow);
    EXPECT_TRUE(slow->timedOut);

    auto missing = m_runtime->execSync(id, {"no-such-probe-binary"}, std::chrono::seconds(5));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->exitCode, 127);
}

TEST_F(ProcessRuntimeTest, InteractiveExecCarriesStdinAndOutput) {
    m_sandbox = sandbox();
    std::string id = run(container({"sleep", "1000"}));
    std::mutex mutex;
    std::condition_variable cv;
    std::string output;
    std::optional<int> exitCode;
    ExecOptions options;
    options.command = {"sh", "-c", "read line; echo got $line; echo err >&2; exit 5"};
    options.stdinOpen = true;
    options.output = [&](StreamKind kind, std::string_view data) {
        std::lock_guard lock(mutex);
        output += (kind == StreamKind::Stdout ? "" : "[err]") + std::string(data);
    };
    options.onExit = [&](int code) {
        std::lock_guard lock(mutex);
        exitCode = code;
        cv.notify_all();
    };
    auto session = m_runtime->exec(id, std::move(options));
    ASSERT_TRUE(session) << session.error().message;
    (*session)->writeStdin("hi\n");
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return exitCode.has_value(); }));
    EXPECT_EQ(*exitCode, 5);
    EXPECT_NE(output.find("got hi\n"), std::string::npos) << output;
    EXPECT_NE(output.find("[err]err\n"), std::string::npos) << output;
}

TEST_F(ProcessRuntimeTest, TtyExecRunsOnATerminal) {
    m_sandbox = sandbox();
    std::string id = run(container({"sleep", "1000"}));
    std::mutex mutex;
    std::condition_variable cv;
    std::string output;
    std::optional<int> exitCode;
    ExecOptions options;
    options.command = {"sh", "-c", "test -t 0 && echo terminal"};
    options.tty = true;
    options.stdinOpen = true;
    options.output = [&](StreamKind, std::string_view data) {
        std::lock_guard lock(mutex);
        output += data;
    };
    options.onExit = [&](int code) {
        std::lock_guard lock(mutex);
        exitCode = code;
        cv.notify_all();
    };
    auto session = m_runtime->exec(id, std::move(options));
    ASSERT_TRUE(session) << session.error().message;
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return exitCode.has_value(); }));
    EXPECT_EQ(*exitCode, 0);
    EXPECT_NE(output.find("terminal"), std::string::npos) << output;
}

TEST_F(ProcessRuntimeTest, StatsCountTheCpuOfTheContainersProcesses) {
    m_sandbox = sandbox();
    std::string id = run(container({"sh", "-c", "while true; do :; done"}));
    EXPECT_TRUE(eventually([&] {
        auto stats = m_runtime->containerStats(id);
        return stats && stats->cpuUsageCoreNanoSeconds >= 50'000'000 &&
               stats->memoryWorkingSetBytes > 0;
    }));
}

TEST_F(ProcessRuntimeTest, ARestartedRuntimeAdoptsRunningContainersAndHearsTheirExit) {
    m_sandbox = sandbox();
    std::string fifo = (m_dir / "gate").string();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string id = run(container({"sh", "-c", "read x < " + fifo + "; exit 9"}));
    ASSERT_EQ(m_runtime->containerStatus(id)->state, ContainerState::Running);

    m_runtime.reset(); // The agent goes away; the container does not.
    m_runtime = makeRuntime();
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<ContainerEvent> events;
    m_runtime->setEventHandler([&](const ContainerEvent& e) {
        std::lock_guard lock(mutex);
        events.push_back(e);
        cv.notify_all();
    });
    auto sandboxes = m_runtime->listSandboxes();
    ASSERT_EQ(sandboxes->size(), 1u);
    EXPECT_EQ(sandboxes->front().labels.at("io.kubernetes.pod.uid"), "uid-1");
    auto containers = m_runtime->listContainers();
    ASSERT_EQ(containers->size(), 1u);
    EXPECT_EQ(containers->front().id, id);
    EXPECT_EQ(containers->front().state, ContainerState::Running);

    std::ofstream(fifo) << "go\n";
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return !events.empty(); }));
    EXPECT_EQ(events.front().containerId, id);
    EXPECT_EQ(events.front().sandboxId, m_sandbox);
    EXPECT_EQ(m_runtime->containerStatus(id)->exitCode, 9);
}

TEST_F(ProcessRuntimeTest, RemovingASandboxStopsAndRemovesItsContainers) {
    m_sandbox = sandbox();
    std::string id = run(container({"sleep", "1000"}));
    ASSERT_TRUE(m_runtime->removeSandbox(m_sandbox));
    EXPECT_FALSE(m_runtime->containerStatus(id));
    EXPECT_TRUE(m_runtime->listSandboxes()->empty());
}
