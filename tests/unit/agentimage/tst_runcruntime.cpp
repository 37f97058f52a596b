// Integration: RuncRuntime end to end as root: pull from docker-registry, a CNI sandbox,
// containers under runc and the container monitor, exec, stop, logs, adoption by a new instance.

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/runc/runcruntime.h"
#include "tests/unit/agentimage/support/nettest.h"
#include "tests/unit/agentimage/support/registryprocess.h"
#include "tests/unit/agentimage/support/testimage.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent::runc {
namespace {

namespace fs = std::filesystem;
using testing::RegistryProcess;
using testing::TarEntry;

constexpr const char* Page = "<h1>hello from a runc pod</h1>\n";

std::string readFile(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The content of a CRI log, as `stdout:line` / `stderr:line` entries.
std::vector<std::string> logLines(const std::string& path) {
    std::vector<std::string> out;
    std::istringstream lines(readFile(path));
    std::string line;
    while (std::getline(lines, line)) {
        auto record = parseCriLine(line);
        if (record) {
            out.push_back(std::string(record->stream == LogStream::Stdout ? "stdout:" : "stderr:") +
                          std::string(record->content));
        }
    }
    return out;
}

/// Collects container events; waits for one with a deadline.
class Events {
public:
    std::function<void(const ContainerEvent&)> handler() {
        return [this](const ContainerEvent& event) {
            std::lock_guard lock(m_mutex);
            m_exited.insert(event.containerId);
            m_changed.notify_all();
        };
    }
    bool waitForExit(const std::string& id, std::chrono::seconds limit) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, limit, [&] { return m_exited.contains(id); });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::set<std::string> m_exited;
};

class RuncRuntimeTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "the runc runtime needs root";
        }
        if (!testing::haveProgram("/usr/sbin/runc") && !testing::haveProgram("/usr/bin/runc")) {
            GTEST_SKIP() << "runc is not installed";
        }
        char pattern[] = "/tmp/pilot-runc-XXXXXX";
        m_dir = ::mkdtemp(pattern);
        m_registry = std::make_unique<RegistryProcess>();
        ASSERT_TRUE(m_registry->start()) << m_registry->error();
        testing::ImageSpec spec;
        spec.architecture = image::hostPlatform().architecture;
        spec.layers.push_back(testing::makeLayer(testing::busyboxRootfs(Page)));
        spec.layers.push_back(testing::makeLayer(
            {TarEntry::file("etc/.wh.group", ""), TarEntry::file("etc/motd", "second layer\n"),
             TarEntry::file("etc/group", "root:x:0:\nwww:x:1000:\nstaff:x:50:www\n")},
            testing::TarCompression::Zstd));
        spec.cmd = {"sh"};
        ASSERT_TRUE(push(spec, "library/busybox:1.36"));
        m_spec = spec;
    }

    void TearDown() override {
        if (m_runtime) {
            if (auto sandboxes = m_runtime->listSandboxes()) {
                for (const auto& sandbox : *sandboxes) {
                    (void)m_runtime->removeSandbox(sandbox.id);
                }
            }
            std::string bridge = m_runtime->network().plan().bridge;
            m_runtime.reset();
            (void)testing::runProgram({"/usr/sbin/ip", "link", "delete", bridge});
        }
        m_registry.reset();
        std::error_code ignored;
        if (!m_dir.empty()) {
            fs::remove_all(m_dir, ignored);
        }
        for (const char* controller : {"memory", "cpu", "cpuacct", "pids", "devices", "freezer",
                                       "blkio", "cpuset", "systemd", "unified", ""}) {
            ::rmdir((std::string("/sys/fs/cgroup/") + controller + cgroupParent()).c_str());
        }
    }

    std::string cgroupParent() const { return "/pilothouse-test-" + m_dir.filename().string(); }

    bool push(const testing::ImageSpec& spec, const std::string& repoTag) {
        std::string layout = (m_dir / ("layout-" + std::to_string(m_layouts++))).string();
        testing::writeOciLayout(layout, "v", spec);
        return m_registry->push(layout, "v", repoTag);
    }

    RuncRuntimeOptions options() const {
        RuncRuntimeOptions o;
        o.rootDir = (m_dir / "runtime").string();
        o.imageDir = (m_dir / "images").string();
        o.monitorCommand = {PILOT_TEST_MONITOR, "container-monitor"};
        o.registry.mirrors.push_back({"docker.io", "http://" + m_registry->host()});
        o.network.dataDir = (m_dir / "network").string();
        o.network.nodeName = "runc-" + m_dir.filename().string();
        o.network.netnsDir = (m_dir / "netns").string();
        o.cgroupParent = cgroupParent();
        return o;
    }

    /// A new runtime over the fixture's directories (a restarted agent when one existed).
    RuncRuntime& startRuntime() {
        m_runtime.reset();
        m_runtime = std::make_unique<RuncRuntime>(options());
        auto started = m_runtime->start();
        EXPECT_TRUE(started) << started.error().message;
        m_runtime->setEventHandler(m_events.handler());
        return *m_runtime;
    }

    SandboxConfig sandboxConfig(const std::string& name, std::vector<PortMapping> ports = {}) {
        SandboxConfig config;
        config.podUid = "uid-" + name;
        config.podName = name;
        config.podNamespace = "default";
        config.hostname = name;
        config.ports = std::move(ports);
        config.logDirectory = (m_dir / "logs" / name).string();
        config.labels = {{"io.kubernetes.pod.name", name},
                         {"io.kubernetes.pod.uid", "uid-" + name}};
        return config;
    }

    ContainerConfig containerConfig(const std::string& name, std::vector<std::string> command,
                                    std::vector<std::string> args = {}) {
        ContainerConfig config;
        config.name = name;
        config.image = "busybox:1.36";
        config.command = std::move(command);
        config.args = std::move(args);
        config.logPath = (m_dir / "logs" / (name + ".log")).string();
        config.labels = {{"io.kubernetes.container.name", name}};
        return config;
    }

    /// Runs a container to completion and returns its status (exit code, logs at logPath).
    ContainerStatus runToExit(const std::string& sandbox, const ContainerConfig& config) {
        auto id = m_runtime->createContainer(sandbox, config);
        EXPECT_TRUE(id) << id.error().message;
        if (!id) {
            return {};
        }
        auto started = m_runtime->startContainer(*id);
        EXPECT_TRUE(started) << started.error().message;
        EXPECT_TRUE(m_events.waitForExit(*id, std::chrono::seconds(20))) << config.name;
        auto status = m_runtime->containerStatus(*id);
        EXPECT_TRUE(status);
        return status.value_or(ContainerStatus{});
    }

    fs::path m_dir;
    int m_layouts = 0;
    std::unique_ptr<RegistryProcess> m_registry;
    testing::ImageSpec m_spec;
    std::unique_ptr<RuncRuntime> m_runtime;
    Events m_events;
};

TEST_F(RuncRuntimeTest, ServesAPodOverItsIpExecsStopsAndIsAdoptedAfterARestart) {
    auto& runtime = startRuntime();
    EXPECT_TRUE(runtime.version().starts_with("runc://1.")) << runtime.version();
    EXPECT_EQ(runtime.kind(), "runc");

    auto image = runtime.pullImage("busybox:1.36", {});
    ASSERT_TRUE(image) << image.error().message;
    EXPECT_EQ(image->id, testing::imageIdOf(m_spec));
    auto present = runtime.imageStatus("docker.io/library/busybox:1.36");
    ASSERT_TRUE(present);
    EXPECT_EQ(present->id, image->id);

    int hostPort = 20000 + ::getpid() % 20000;
    auto sandbox = runtime.runSandbox(sandboxConfig("web", {{"TCP", 8080, hostPort, ""}}));
    ASSERT_TRUE(sandbox) << sandbox.error().message;
    ASSERT_FALSE(sandbox->ip.empty());
    EXPECT_EQ(sandbox->state, SandboxState::Ready);

    // A shell as PID 1 that handles SIGTERM (PID 1 ignores signals it has no handler for).
    auto config =
        containerConfig("httpd", {"sh", "-c"},
                        {"trap 'echo got SIGTERM; exit 0' TERM; httpd -f -p 8080 -h /www & wait"});
    config.env = {{"GREETING", "hi"}};
    auto id = runtime.createContainer(sandbox->id, config);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(runtime.containerStatus(*id)->state, ContainerState::Created);
    ASSERT_TRUE(runtime.startContainer(*id));
    auto running = runtime.containerStatus(*id);
    ASSERT_TRUE(running);
    EXPECT_EQ(running->state, ContainerState::Running);
    EXPECT_GT(running->pid, 0);
    EXPECT_EQ(running->imageId, image->id);
    EXPECT_TRUE(running->imageRef.starts_with("docker.io/library/busybox@sha256:"));

    auto page = testing::httpGetWithin(sandbox->ip, 8080, "/index.html", std::chrono::seconds(10));
    ASSERT_TRUE(page) << "the pod IP " << sandbox->ip << " does not answer";
    EXPECT_NE(page->find(Page), std::string::npos);
    auto viaHostPort = testing::httpGet(runtime.network().plan().gateway, hostPort, "/index.html");
    ASSERT_TRUE(viaHostPort) << "hostPort " << hostPort;
    EXPECT_NE(viaHostPort->find(Page), std::string::npos);

    auto echo = runtime.execSync(*id, {"echo", "hello"}, std::chrono::seconds(10));
    ASSERT_TRUE(echo) << echo.error().message;
    EXPECT_EQ(echo->exitCode, 0);
    EXPECT_EQ(echo->output, "hello\n");
    auto inside =
        runtime.execSync(*id,
                         {"sh", "-c",
                          "echo $GREETING $HOSTNAME; id -u; cat /etc/hostname; cat /etc/motd; "
                          "grep -c staff /etc/group; exit 3"},
                         std::chrono::seconds(10));
    ASSERT_TRUE(inside);
    EXPECT_EQ(inside->exitCode, 3);
    EXPECT_EQ(inside->output, "hi web\n0\nweb\nsecond layer\n1\n");
    auto hosts = runtime.execSync(*id, {"cat", "/etc/hosts"}, std::chrono::seconds(10));
    ASSERT_TRUE(hosts);
    EXPECT_NE(hosts->output.find(sandbox->ip + "\tweb"), std::string::npos) << hosts->output;

    // Interactive exec: stdin in, output and exit code out; with a terminal too.
    for (bool tty : {false, true}) {
        std::mutex mutex;
        std::condition_variable done;
        std::string output;
        std::optional<int> exitCode;
        ExecOptions exec;
        exec.command = {"sh", "-c", "read line; echo got $line; tty; exit 4"};
        exec.tty = tty;
        exec.stdinOpen = true;
        exec.output = [&](StreamKind, std::string_view data) {
            std::lock_guard lock(mutex);
            output += data;
        };
        exec.onExit = [&](int code) {
            std::lock_guard lock(mutex);
            exitCode = code;
            done.notify_all();
        };
        auto session = runtime.exec(*id, std::move(exec));
        ASSERT_TRUE(session) << session.error().message;
        (*session)->writeStdin("ping\n");
        std::unique_lock lock(mutex);
        ASSERT_TRUE(
            done.wait_for(lock, std::chrono::seconds(15), [&] { return exitCode.has_value(); }))
            << "tty=" << tty << " output so far: " << output;
        EXPECT_EQ(*exitCode, 4);
        EXPECT_NE(output.find("got ping"), std::string::npos) << output;
        EXPECT_NE(output.find(tty ? "/dev/pts/" : "not a tty"), std::string::npos) << output;
    }

    auto stats = runtime.containerStats(*id);
    ASSERT_TRUE(stats);
    EXPECT_GT(stats->memoryWorkingSetBytes, 0u);

    // A restarted agent adopts the sandbox and the running container.
    auto& adopted = startRuntime();
    auto sandboxes = adopted.listSandboxes();
    ASSERT_TRUE(sandboxes);
    ASSERT_EQ(sandboxes->size(), 1u);
    EXPECT_EQ((*sandboxes)[0].id, sandbox->id);
    EXPECT_EQ((*sandboxes)[0].ip, sandbox->ip);
    EXPECT_EQ((*sandboxes)[0].labels.at("io.kubernetes.pod.name"), "web");
    auto containers = adopted.listContainers();
    ASSERT_TRUE(containers);
    ASSERT_EQ(containers->size(), 1u);
    EXPECT_EQ((*containers)[0].id, *id);
    EXPECT_EQ((*containers)[0].state, ContainerState::Running);
    EXPECT_EQ((*containers)[0].pid, running->pid);
    EXPECT_EQ((*containers)[0].labels.at("io.kubernetes.container.name"), "httpd");
    EXPECT_TRUE(adopted.imageStatus("busybox:1.36"));
    EXPECT_TRUE(testing::httpGet(sandbox->ip, 8080, "/index.html"));
    // The agent's first image GC runs right after the restart, as kubelet's: the adopted
    // container keeps its image even with nothing else protecting it.
    auto collected = adopted.garbageCollectImages(0, std::chrono::seconds(0));
    ASSERT_TRUE(collected) << collected.error().message;
    EXPECT_TRUE(collected->removedImages.empty());
    EXPECT_TRUE(adopted.imageStatus("busybox:1.36"));

    // SIGTERM stops httpd well within the grace period.
    auto before = std::chrono::steady_clock::now();
    ASSERT_TRUE(adopted.stopContainer(*id, std::chrono::seconds(20)));
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
    EXPECT_TRUE(m_events.waitForExit(*id, std::chrono::seconds(10)));
    auto stopped = adopted.containerStatus(*id);
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->state, ContainerState::Exited);
    EXPECT_EQ(stopped->exitCode, 0);
    EXPECT_EQ(stopped->reason, "Completed");
    EXPECT_EQ(logLines(config.logPath), std::vector<std::string>{"stdout:got SIGTERM"});
    EXPECT_FALSE(testing::httpGet(sandbox->ip, 8080, "/", std::chrono::milliseconds(500)));

    auto inUse = adopted.removeImage(image->id);
    ASSERT_FALSE(inUse);
    EXPECT_EQ(inUse.error().code, ErrorCode::Conflict);

    ASSERT_TRUE(adopted.removeContainer(*id));
    EXPECT_EQ(adopted.containerStatus(*id).error().code, ErrorCode::NotFound);
    ASSERT_TRUE(adopted.stopSandbox(sandbox->id));
    EXPECT_EQ(adopted.listSandboxes()->at(0).state, SandboxState::NotReady);
    ASSERT_TRUE(adopted.removeSandbox(sandbox->id));
    EXPECT_TRUE(adopted.listSandboxes()->empty());
    EXPECT_TRUE(fs::is_empty(m_dir / "runtime/containers"));
    EXPECT_TRUE(fs::is_empty(m_dir / "runtime/sandboxes"));
    EXPECT_TRUE(fs::is_empty(m_dir / "netns"));
    // Once its container is gone, the image is garbage.
    collected = adopted.garbageCollectImages(0, std::chrono::seconds(0));
    ASSERT_TRUE(collected) << collected.error().message;
    EXPECT_EQ(collected->removedImages, std::vector<std::string>{image->id});
    EXPECT_FALSE(adopted.imageStatus("busybox:1.36"));
    EXPECT_TRUE(adopted.removeImage(image->id)) << "removing an absent image succeeds (CRI)";
}

TEST_F(RuncRuntimeTest, CommandsUsersMountsAndLogsFollowKubernetes) {
    testing::ImageSpec entry = m_spec;
    entry.entrypoint = {"/bin/sh", "-c"};
    entry.cmd = {"echo default-cmd; id -u; id -G"};
    entry.user = "www";
    entry.workingDir = "/srv/app";
    ASSERT_TRUE(push(entry, "library/entry:1"));
    auto& runtime = startRuntime();
    ASSERT_TRUE(runtime.pullImage("entry:1", {}));
    ASSERT_TRUE(runtime.pullImage("busybox:1.36", {}));
    auto sandbox = runtime.runSandbox(sandboxConfig("jobs"));
    ASSERT_TRUE(sandbox) << sandbox.error().message;

    // No command, no args: ENTRYPOINT + CMD, as the image's user with its groups, in WORKDIR.
    auto plain = containerConfig("plain", {});
    plain.image = "entry:1";
    auto status = runToExit(sandbox->id, plain);
    EXPECT_EQ(status.exitCode, 0);
    EXPECT_EQ(status.reason, "Completed");
    EXPECT_EQ(logLines(plain.logPath),
              (std::vector<std::string>{"stdout:default-cmd", "stdout:1000", "stdout:1000 50"}));

    // args alone replace CMD and keep ENTRYPOINT; runAsUser overrides the image's user.
    auto args = containerConfig("args", {}, {"pwd; id -u; echo to-stderr >&2; exit 7"});
    args.image = "entry:1";
    args.runAsUser = 65534;
    status = runToExit(sandbox->id, args);
    EXPECT_EQ(status.exitCode, 7);
    EXPECT_EQ(status.reason, "Error");
    EXPECT_EQ(logLines(args.logPath),
              (std::vector<std::string>{"stdout:/srv/app", "stdout:65534", "stderr:to-stderr"}));

    // command replaces ENTRYPOINT and drops CMD.
    auto command = containerConfig("command", {"/bin/echo", "from-command"}, {"and-args"});
    command.image = "entry:1";
    status = runToExit(sandbox->id, command);
    EXPECT_EQ(logLines(command.logPath), std::vector<std::string>{"stdout:from-command and-args"});

    // A read-only volume and a read-only root filesystem.
    fs::create_directories(m_dir / "volume");
    std::ofstream(m_dir / "volume/data.txt") << "volume data\n";
    auto mounts = containerConfig(
        "mounts",
        {"sh", "-c",
         "cat /data/data.txt; touch /data/new 2>/dev/null || echo data-ro; "
         "touch /rootfile 2>/dev/null || echo root-ro; echo x > /dev/shm/ok && echo shm"});
    mounts.mounts = {{(m_dir / "volume").string(), "/data", true}};
    mounts.readOnlyRootFilesystem = true;
    status = runToExit(sandbox->id, mounts);
    EXPECT_EQ(status.exitCode, 0);
    EXPECT_EQ(logLines(mounts.logPath),
              (std::vector<std::string>{"stdout:volume data", "stdout:data-ro", "stdout:root-ro",
                                        "stdout:shm"}));
    EXPECT_FALSE(fs::exists(m_dir / "volume/new"));

    // Capabilities: containerd's default set has no NET_ADMIN; adding it works.
    auto caps = containerConfig("caps", {"sh", "-c", "ip link set lo mtu 1400 && echo changed"});
    status = runToExit(sandbox->id, caps);
    EXPECT_NE(status.exitCode, 0) << "NET_ADMIN is not granted by default";
    caps.name = "caps-added";
    caps.logPath = (m_dir / "logs/caps-added.log").string();
    caps.capabilitiesAdd = {"NET_ADMIN"};
    status = runToExit(sandbox->id, caps);
    EXPECT_EQ(status.exitCode, 0);
    EXPECT_EQ(logLines(caps.logPath), std::vector<std::string>{"stdout:changed"});

    // A PID 1 that ignores SIGTERM is killed when the grace period ends.
    auto stubborn = containerConfig("stubborn", {"sleep", "1000"});
    auto stubbornId = runtime.createContainer(sandbox->id, stubborn);
    ASSERT_TRUE(stubbornId);
    ASSERT_TRUE(runtime.startContainer(*stubbornId));
    auto before = std::chrono::steady_clock::now();
    ASSERT_TRUE(runtime.stopContainer(*stubbornId, std::chrono::seconds(1)));
    auto took = std::chrono::steady_clock::now() - before;
    EXPECT_GE(took, std::chrono::seconds(1));
    EXPECT_LT(took, std::chrono::seconds(8));
    EXPECT_EQ(runtime.containerStatus(*stubbornId)->exitCode, 128 + SIGKILL);

    // A command that does not exist fails to start, with runc's reason.
    auto missing = containerConfig("missing", {"/no/such/binary"});
    auto id = runtime.createContainer(sandbox->id, missing);
    ASSERT_TRUE(id) << id.error().message;
    auto started = runtime.startContainer(*id);
    ASSERT_FALSE(started);
    EXPECT_NE(started.error().message.find("/no/such/binary"), std::string::npos)
        << started.error().message;
    EXPECT_EQ(runtime.containerStatus(*id)->reason, "StartError");

    // An image that was never pulled is refused at creation.
    auto badImage = containerConfig("bad-image", {"true"});
    badImage.image = "busybox:9.9";
    auto refused = runtime.createContainer(sandbox->id, badImage);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::NotFound);
}

} // namespace
} // namespace pilot::agent::runc
