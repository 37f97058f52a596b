// ContainerTable: the monitored-container table the process and runc runtimes share. Containers
// run under the real container monitor (the test helper binary), so statuses and stops are the
// ones a pod would see.
#include "nodeagent/runtime/containertable.h"

#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include <unistd.h>

using namespace pilot;
using namespace pilot::agent;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// A runtime's container record: the shared fields and one of its own.
struct TestContainer : MonitoredContainer {
    std::string flavour;
};

/// Polls `condition` until it holds or 20 s pass.
template <typename F>
bool eventually(F condition) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

class ContainerTableTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "ctable-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
        m_table = makeTable();
    }
    void TearDown() override {
        for (const TestContainer& c : m_table->all()) {
            (void)m_table->stop(c, 0s);
        }
        m_table.reset();
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    /// Signals the container's process group, as the process runtime does, and records what
    /// it was asked to send.
    std::unique_ptr<ContainerTable<TestContainer>> makeTable() {
        return std::make_unique<ContainerTable<TestContainer>>(
            [this](const TestContainer&, const MonitorState& state, StopSignal signal) {
                {
                    std::lock_guard lock(m_mutex);
                    m_signals.push_back(signal);
                }
                ::kill(-state.pid, signal == StopSignal::Graceful ? SIGTERM : SIGKILL);
            },
            [](const TestContainer& c, ContainerStatus& status) {
                status.imageId = "flavour:" + c.flavour;
            });
    }

    /// Asserts that `id` has exited with `exitCode`.
    void expectExited(const std::string& id, int exitCode) {
        auto status = m_table->status(id);
        ASSERT_TRUE(status);
        EXPECT_EQ(status->state, ContainerState::Exited);
        EXPECT_EQ(status->exitCode, exitCode);
    }

    std::string containersDir() const { return (m_dir / "containers").string(); }
    std::string exitsDir() const { return (m_dir / "exits").string(); }

    TestContainer add(const std::string& id, const std::string& sandboxId = "sb1") {
        TestContainer c;
        c.id = id;
        c.sandboxId = sandboxId;
        c.name = "main-" + id;
        c.image = "busybox:1.36";
        c.logPath = (m_dir / "logs" / (id + ".log")).string();
        c.labels = {{"io.kubernetes.container.name", c.name}};
        // State files keep microseconds, as Kubernetes times do.
        c.createdAt =
            std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
        c.directory = containersDir() + "/" + id;
        c.flavour = "vanilla";
        EXPECT_TRUE(makeDirectories(c.directory));
        m_table->insert(c);
        return c;
    }

    /// Starts `argv` for the container under a real monitor, as the process runtime does.
    MonitorState start(const TestContainer& c, std::vector<std::string> argv) {
        MonitorSpec spec;
        spec.argv = std::move(argv);
        spec.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
        spec.workingDir = m_dir.string();
        spec.logPath = c.logPath;
        spec.exitDir = exitsDir();
        spec.exitName = c.id;
        auto state = spawnMonitor({PILOT_TEST_MONITOR, "container-monitor"}, c.monitorDir(), spec);
        EXPECT_TRUE(state) << (state ? "" : state.error().message);
        return state ? *state : MonitorState{};
    }

    ContainerStatus waitExited(const std::string& id) {
        ContainerStatus last;
        EXPECT_TRUE(eventually([&] {
            auto status = m_table->status(id);
            last = status ? *status : ContainerStatus{};
            return status && status->state == ContainerState::Exited;
        }));
        return last;
    }

    std::vector<StopSignal> signals() {
        std::lock_guard lock(m_mutex);
        return m_signals;
    }

    fs::path m_dir;
    std::unique_ptr<ContainerTable<TestContainer>> m_table;
    std::mutex m_mutex;
    std::vector<StopSignal> m_signals;
};

} // namespace

TEST_F(ContainerTableTest, StatusFollowsTheMonitorFromCreatedToRunningToExited) {
    TestContainer c = add("c1");
    auto created = m_table->status("c1");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->state, ContainerState::Created);
    EXPECT_EQ(created->name, "main-c1");
    EXPECT_EQ(created->sandboxId, "sb1");
    EXPECT_EQ(created->logPath, c.logPath);
    EXPECT_EQ(created->labels, c.labels);
    EXPECT_EQ(created->createdAt, c.createdAt);
    EXPECT_EQ(created->imageId, "flavour:vanilla") << "the runtime's completion applies";

    MonitorState started = start(c, {"sh", "-c", "sleep 1; exit 3"});
    auto running = m_table->status("c1");
    ASSERT_TRUE(running);
    EXPECT_EQ(running->state, ContainerState::Running);
    EXPECT_EQ(running->pid, started.pid);

    ContainerStatus exited = waitExited("c1");
    EXPECT_EQ(exited.exitCode, 3);
    EXPECT_EQ(exited.reason, "Error");
    EXPECT_GE(exited.finishedAt, exited.startedAt);
    EXPECT_EQ(exited.imageId, "flavour:vanilla");
}

TEST_F(ContainerTableTest, ExitReasonsAreKubelets) {
    TestContainer ok = add("ok");
    TestContainer missing = add("missing");
    start(ok, {"true"});
    start(missing, {"/nonexistent/command"});
    ContainerStatus completed = waitExited("ok");
    EXPECT_EQ(completed.exitCode, 0);
    EXPECT_EQ(completed.reason, "Completed");
    ContainerStatus failed = waitExited("missing");
    EXPECT_EQ(failed.exitCode, 128);
    EXPECT_EQ(failed.reason, "StartError");
    EXPECT_NE(failed.message.find("/nonexistent/command"), std::string::npos) << failed.message;
}

TEST_F(ContainerTableTest, AContainerWhoseProcessAndMonitorVanishedIsUnknownWith137) {
    TestContainer c = add("c1");
    MonitorState started = start(c, {"sleep", "60"});
    // A reboot, as far as the state file can tell: both die and nobody records an exit.
    ::kill(started.monitorPid, SIGKILL);
    ASSERT_TRUE(eventually([&] { return !isMonitorAlive(started); }));
    ::kill(started.pid, SIGKILL);
    ASSERT_TRUE(eventually([&] { return !isProcessAlive(started.pid, started.pidStartTicks); }));

    auto status = m_table->status("c1");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, ContainerState::Exited);
    EXPECT_EQ(status->exitCode, 137);
    EXPECT_EQ(status->reason, "ContainerStatusUnknown");
    EXPECT_EQ(status->finishedAt, status->startedAt);
    EXPECT_TRUE(m_table->stop(c, 1s)) << "nothing is left to stop";
}

TEST_F(ContainerTableTest, StopSendsTheGracefulSignalFirst) {
    TestContainer c = add("c1");
    start(c, {"sleep", "60"});
    auto stopped = m_table->stop("c1", 10s);
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_EQ(signals(), std::vector<StopSignal>{StopSignal::Graceful});
    expectExited("c1", 128 + SIGTERM);
}

TEST_F(ContainerTableTest, StopKillsWhatOutlivesTheGracePeriod) {
    TestContainer c = add("c1");
    std::string ready = (m_dir / "ignoring-term").string();
    start(c, {"sh", "-c", "trap '' TERM; touch " + ready + "; while :; do sleep 0.1; done"});
    ASSERT_TRUE(eventually([&] { return fs::exists(ready); }));
    auto begun = std::chrono::steady_clock::now();
    auto stopped = m_table->stop(c, 1s);
    ASSERT_TRUE(stopped) << stopped.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - begun, 1s);
    EXPECT_EQ(signals(), (std::vector<StopSignal>{StopSignal::Graceful, StopSignal::Kill}));
    expectExited("c1", 128 + SIGKILL);
}

TEST_F(ContainerTableTest, StopWithoutGraceKillsAtOnceAndLeavesStoppedContainersAlone) {
    TestContainer never = add("never");
    TestContainer c = add("c1");
    start(c, {"sleep", "60"});
    ASSERT_TRUE(m_table->stop(c, 0s));
    EXPECT_EQ(signals(), std::vector<StopSignal>{StopSignal::Kill});
    EXPECT_EQ(waitExited("c1").exitCode, 128 + SIGKILL);

    EXPECT_TRUE(m_table->stop(c, 10s)) << "an exited container";
    EXPECT_TRUE(m_table->stop(never, 10s)) << "a container that never started";
    EXPECT_EQ(signals().size(), 1u) << "neither is signalled";
    auto unknown = m_table->stop("nope", 1s);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_F(ContainerTableTest, LookupsCopyAndFilterBySandbox) {
    add("a", "sb1");
    add("b", "sb2");
    add("c", "sb1");
    EXPECT_EQ(m_table->size(), 3u);
    std::vector<std::string> inSb1;
    for (const TestContainer& c : m_table->inSandbox("sb1")) {
        inSb1.push_back(c.id);
    }
    EXPECT_EQ(inSb1, (std::vector<std::string>{"a", "c"}));
    auto statuses = m_table->statuses();
    ASSERT_EQ(statuses.size(), 3u);
    EXPECT_EQ(statuses[1].id, "b");
    EXPECT_EQ(statuses[1].state, ContainerState::Created);

    m_table->erase("b");
    auto gone = m_table->find("b");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::NotFound);
    EXPECT_EQ(gone.error().message, "container b not found");
    auto status = m_table->status("b");
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::NotFound);
}

TEST_F(ContainerTableTest, ARestartedRuntimeLoadsWhatItSaved) {
    TestContainer c = add("c1");
    c.flavour = "mint";
    boost::json::object json = monitoredContainerJson(c);
    json["flavour"] = c.flavour;
    ASSERT_TRUE(writeFileAtomically(c.directory + "/container.json", boost::json::serialize(json)));
    ASSERT_TRUE(makeDirectories(containersDir() + "/half-written"));
    ASSERT_TRUE(writeFileAtomically(containersDir() + "/half-written/container.json", "{\"id\":"));
    start(c, {"sleep", "60"});

    m_table = makeTable();
    m_table->load(containersDir(), [](const boost::json::object& o, TestContainer& loaded) {
        loaded.flavour = std::string(o.at("flavour").as_string());
    });
    EXPECT_EQ(m_table->size(), 1u) << "unreadable records are skipped";
    auto loaded = m_table->find("c1");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->sandboxId, c.sandboxId);
    EXPECT_EQ(loaded->name, c.name);
    EXPECT_EQ(loaded->image, c.image);
    EXPECT_EQ(loaded->logPath, c.logPath);
    EXPECT_EQ(loaded->labels, c.labels);
    EXPECT_EQ(loaded->createdAt, c.createdAt);
    EXPECT_EQ(loaded->directory, c.directory);
    EXPECT_EQ(loaded->flavour, "mint");
    auto status = m_table->status("c1");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, ContainerState::Running) << "the container outlived its table";
    EXPECT_EQ(status->imageId, "flavour:mint");
}

TEST_F(ContainerTableTest, ExitEventsNameTheContainerAndItsSandbox) {
    // A marker of a container the table does not know, left from before: consumed, no event.
    ASSERT_TRUE(makeDirectories(exitsDir()));
    ASSERT_TRUE(writeFileAtomically(exitsDir() + "/stranger", ""));
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<ContainerEvent> events;
    m_table->setEventHandler([&](const ContainerEvent& event) {
        std::lock_guard lock(mutex);
        events.push_back(event);
        changed.notify_all();
    });
    ASSERT_TRUE(m_table->watchExits(exitsDir()));

    TestContainer c = add("c1", "sb7");
    start(c, {"true"});
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return !events.empty(); }));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].containerId, "c1");
    EXPECT_EQ(events[0].sandboxId, "sb7");
    EXPECT_EQ(events[0].state, ContainerState::Exited);
    EXPECT_FALSE(fs::exists(exitsDir() + "/stranger"));
}

TEST_F(ContainerTableTest, ANullHandlerWaitsForTheRunningCallSoItsOwnerMayGo) {
    // The pod manager sets a null handler when it stops, then is destroyed: an exit reported at
    // that moment must not run into it afterwards.
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false, release = false;
    std::atomic<bool> finished{false};
    m_table->setEventHandler([&](const ContainerEvent&) {
        std::unique_lock lock(mutex);
        entered = true;
        changed.notify_all();
        changed.wait_for(lock, 20s, [&] { return release; });
        finished = true;
    });
    ASSERT_TRUE(m_table->watchExits(exitsDir()));
    start(add("c1"), {"true"});
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(changed.wait_for(lock, 20s, [&] { return entered; }));
    }
    std::atomic<bool> finishedFirst{false};
    std::thread stopping([&] {
        m_table->setEventHandler(nullptr);
        finishedFirst = finished.load();
    });
    // Give a wrong implementation the time to return early; the right one cannot.
    std::this_thread::sleep_for(100ms);
    {
        std::lock_guard lock(mutex);
        release = true;
    }
    changed.notify_all();
    stopping.join();
    EXPECT_TRUE(finishedFirst) << "setEventHandler returned while the old handler still ran";
}
