#include "nodeagent/runtime/process/processruntime.h"

#include "core/log.h"
#include "core/random.h"
#include "kube/jsonutil.h"
#include "nodeagent/runtime/containermonitor.h"
#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/execsession.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"
#include "nodeagent/runtime/subprocess.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

constexpr const char* Component = "process-runtime";
constexpr auto UsageCacheFor = std::chrono::milliseconds(900);

template <typename T>
json::array toArray(const std::vector<T>& in) {
    json::array out;
    for (const auto& v : in) {
        out.emplace_back(v);
    }
    return out;
}

std::string timeText(TimePoint t) {
    return formatNanoTime(t);
}

TimePoint timeFrom(const json::object& o, std::string_view key) {
    auto t = parseTime(kube::stringAt(o, key));
    return t ? *t : TimePoint{};
}

bool isDirectory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool hasEnv(const std::vector<std::string>& env, std::string_view key) {
    for (const auto& e : env) {
        if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
            return true;
        }
    }
    return false;
}

std::string stripTrailingSlash(std::string path) {
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

} // namespace

ProcessRuntime::ProcessRuntime(ProcessRuntimeOptions options)
    : m_options(std::move(options)),
      m_containers([](const Container&, const MonitorState& state, StopSignal signal) {
          // The container's process leads its own session and process group.
          ::kill(-state.pid, signal == StopSignal::Graceful ? SIGTERM : SIGKILL);
      }) {}

ProcessRuntime::~ProcessRuntime() {
    m_containers.stopWatchingExits();
}

std::string ProcessRuntime::version() const {
    return "process://0.1.0";
}

Status ProcessRuntime::start() {
    for (const std::string& dir : {sandboxesDir(), containersDir(), exitsDir()}) {
        if (auto made = makeDirectories(dir, 0711); !made) {
            return made;
        }
    }
    load();
    return m_containers.watchExits(exitsDir());
}

void ProcessRuntime::load() {
    std::lock_guard lock(m_mutex);
    for (const std::string& id : listDirectory(sandboxesDir())) {
        auto value = readJsonFile(sandboxesDir() + "/" + id + "/sandbox.json");
        if (!value || !value->is_object()) {
            continue;
        }
        const json::object& o = value->as_object();
        Sandbox sandbox;
        sandbox.status.id = id;
        sandbox.status.state =
            kube::stringAt(o, "state") == "ready" ? SandboxState::Ready : SandboxState::NotReady;
        sandbox.status.createdAt = timeFrom(o, "createdAt");
        sandbox.status.labels = labelsFromJson(kube::objectAt(o, "labels"));
        sandbox.hostname = kube::stringAt(o, "hostname");
        sandbox.directory = sandboxesDir() + "/" + id;
        m_sandboxes[id] = std::move(sandbox);
    }
    m_containers.load(containersDir(), [](const json::object& o, Container& c) {
        c.argv = kube::stringsAt(o, "argv");
        c.env = kube::stringsAt(o, "env");
        c.workingDir = kube::stringAt(o, "workingDir");
        if (auto v = kube::integerAt(o, "uid")) {
            c.uid = static_cast<uint32_t>(*v);
        }
        if (auto v = kube::integerAt(o, "gid")) {
            c.gid = static_cast<uint32_t>(*v);
        }
        if (const json::array* groups = kube::arrayAt(o, "groups")) {
            for (const json::value& g : *groups) {
                if (g.is_int64() && g.as_int64() >= 0) {
                    c.groups.push_back(static_cast<uint32_t>(g.as_int64()));
                }
            }
        }
    });
}

// --- Images: the process runtime has none. ----------------------------------------------------

Result<ImageInfo> ProcessRuntime::pullImage(const std::string& image,
                                            const std::vector<RegistryCredential>&) {
    return ImageInfo{.id = "", .repoTags = {image}, .repoDigests = {}, .sizeBytes = 0};
}

std::optional<ImageInfo> ProcessRuntime::imageStatus(const std::string& image) {
    return ImageInfo{.id = "", .repoTags = {image}, .repoDigests = {}, .sizeBytes = 0};
}

Result<std::vector<ImageInfo>> ProcessRuntime::listImages() {
    return std::vector<ImageInfo>{};
}

Status ProcessRuntime::removeImage(const std::string&) {
    return {};
}

// --- Sandboxes. --------------------------------------------------------------------------------

Status ProcessRuntime::saveSandbox(const Sandbox& sandbox) {
    json::object o{{"id", sandbox.status.id},
                   {"state", sandbox.status.state == SandboxState::Ready ? "ready" : "notready"},
                   {"createdAt", timeText(sandbox.status.createdAt)},
                   {"hostname", sandbox.hostname},
                   {"labels", labelsToJson(sandbox.status.labels)}};
    return writeFileAtomically(sandbox.directory + "/sandbox.json", json::serialize(o));
}

Result<SandboxStatus> ProcessRuntime::runSandbox(const SandboxConfig& config) {
    Sandbox sandbox;
    sandbox.status.id = randomHex(32);
    sandbox.status.state = SandboxState::Ready;
    sandbox.status.createdAt = std::chrono::system_clock::now();
    sandbox.status.labels = config.labels;
    sandbox.hostname = config.hostname;
    sandbox.directory = sandboxesDir() + "/" + sandbox.status.id;
    if (auto made = makeDirectories(sandbox.directory, 0755); !made) {
        return std::unexpected(made.error());
    }
    if (auto saved = saveSandbox(sandbox); !saved) {
        return std::unexpected(saved.error());
    }
    std::lock_guard lock(m_mutex);
    m_sandboxes[sandbox.status.id] = sandbox;
    return sandbox.status;
}

Status ProcessRuntime::stopSandbox(const std::string& sandboxId) {
    {
        std::lock_guard lock(m_mutex);
        if (!m_sandboxes.contains(sandboxId)) {
            return fail(ErrorCode::NotFound, fmt::format("sandbox {} not found", sandboxId));
        }
    }
    for (const Container& c : m_containers.inSandbox(sandboxId)) {
        (void)m_containers.stop(c, std::chrono::seconds(0));
    }
    std::lock_guard lock(m_mutex);
    auto it = m_sandboxes.find(sandboxId);
    if (it != m_sandboxes.end() && it->second.status.state != SandboxState::NotReady) {
        it->second.status.state = SandboxState::NotReady;
        return saveSandbox(it->second);
    }
    return {};
}

Status ProcessRuntime::removeSandbox(const std::string& sandboxId) {
    if (auto stopped = stopSandbox(sandboxId);
        !stopped && stopped.error().code != ErrorCode::NotFound) {
        return stopped;
    }
    for (const Container& c : m_containers.inSandbox(sandboxId)) {
        (void)removeContainer(c.id);
    }
    std::lock_guard lock(m_mutex);
    auto it = m_sandboxes.find(sandboxId);
    if (it == m_sandboxes.end()) {
        return {};
    }
    auto removed = removeTree(it->second.directory);
    m_sandboxes.erase(it);
    return removed;
}

Result<std::vector<SandboxStatus>> ProcessRuntime::listSandboxes() {
    std::lock_guard lock(m_mutex);
    std::vector<SandboxStatus> out;
    for (const auto& [id, sandbox] : m_sandboxes) {
        out.push_back(sandbox.status);
    }
    return out;
}

// --- Containers. -------------------------------------------------------------------------------

std::string ProcessRuntime::mapWorkingDir(const ContainerConfig& config,
                                          const std::string& fallback) {
    if (config.workingDir.empty()) {
        return fallback;
    }
    std::string wanted = stripTrailingSlash(config.workingDir);
    // The longest mount path that contains the working directory wins.
    const Mount* best = nullptr;
    for (const Mount& m : config.mounts) {
        std::string path = stripTrailingSlash(m.containerPath);
        bool inside = wanted == path ||
                      (wanted.size() > path.size() && wanted.compare(0, path.size(), path) == 0 &&
                       (path == "/" || wanted[path.size()] == '/'));
        if (inside && (!best || path.size() > stripTrailingSlash(best->containerPath).size())) {
            best = &m;
        }
    }
    if (best) {
        std::string path = stripTrailingSlash(best->containerPath);
        std::string rest = wanted.substr(path == "/" ? 0 : path.size());
        return stripTrailingSlash(best->hostPath + rest);
    }
    if (isDirectory(wanted)) {
        return wanted;
    }
    return fallback;
}

std::vector<std::string> ProcessRuntime::unsupportedFeatures(const ContainerConfig& config) const {
    std::vector<std::string> out;
    if (config.command.empty()) {
        out.push_back(config.args.empty() ? "the image's entrypoint (no command given)"
                                          : "the image's entrypoint (args run as the command)");
    }
    bool root = ::geteuid() == 0;
    if (config.runAsUser && !root && *config.runAsUser != static_cast<int64_t>(::geteuid())) {
        out.push_back(fmt::format("runAsUser {}", *config.runAsUser));
    }
    if (config.runAsGroup && !root && *config.runAsGroup != static_cast<int64_t>(::getegid())) {
        out.push_back(fmt::format("runAsGroup {}", *config.runAsGroup));
    }
    if (!config.capabilitiesAdd.empty()) {
        std::string caps;
        for (const auto& c : config.capabilitiesAdd) {
            caps += (caps.empty() ? "" : ",") + c;
        }
        out.push_back("capabilities " + caps);
    }
    if (config.privileged) {
        out.push_back("privileged");
    }
    if (config.readOnlyRootFilesystem) {
        out.push_back("readOnlyRootFilesystem");
    }
    if (config.resources.cpuLimitMilli > 0 || config.resources.memoryLimitBytes > 0) {
        out.push_back("resource limits");
    }
    if (config.tty || config.stdinOpen) {
        out.push_back("stdin/tty");
    }
    for (const Mount& m : config.mounts) {
        if (stripTrailingSlash(m.containerPath) != stripTrailingSlash(m.hostPath)) {
            out.push_back(fmt::format("container path {} (the volume is at {})", m.containerPath,
                                      m.hostPath));
        }
    }
    if (!config.workingDir.empty() && mapWorkingDir(config, "") == "") {
        out.push_back(fmt::format("workingDir {}", config.workingDir));
    }
    return out;
}

Result<std::string> ProcessRuntime::createContainer(const std::string& sandboxId,
                                                    const ContainerConfig& config) {
    Container c;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_sandboxes.find(sandboxId);
        if (it == m_sandboxes.end()) {
            return fail(ErrorCode::NotFound, fmt::format("sandbox {} not found", sandboxId));
        }
        if (it->second.status.state != SandboxState::Ready) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("sandbox {} is not ready", sandboxId));
        }
        c.workingDir = mapWorkingDir(config, it->second.directory);
        c.env.reserve(config.env.size() + 3);
        for (const auto& [k, v] : config.env) {
            c.env.push_back(k + "=" + v);
        }
        if (!hasEnv(c.env, "PATH")) {
            const char* path = std::getenv("PATH");
            c.env.push_back(std::string("PATH=") + (path && *path ? path : DefaultPath));
        }
        if (!hasEnv(c.env, "HOSTNAME")) {
            c.env.push_back("HOSTNAME=" + it->second.hostname);
        }
        if (!hasEnv(c.env, "HOME")) {
            const char* home = std::getenv("HOME");
            c.env.push_back(std::string("HOME=") + (home && *home ? home : "/"));
        }
    }
    c.argv = config.command;
    c.argv.insert(c.argv.end(), config.args.begin(), config.args.end());
    if (c.argv.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container {:?} has no command, and the process runtime cannot run "
                                "the image's entrypoint",
                                config.name));
    }
    bool root = ::geteuid() == 0;
    if (root && config.runAsUser) {
        c.uid = static_cast<uint32_t>(*config.runAsUser);
        c.gid = static_cast<uint32_t>(config.runAsGroup.value_or(*config.runAsUser));
        for (int64_t g : config.supplementalGroups) {
            c.groups.push_back(static_cast<uint32_t>(g));
        }
    }
    c.id = randomHex(32);
    c.sandboxId = sandboxId;
    c.name = config.name;
    c.image = config.image;
    c.logPath = config.logPath;
    c.labels = config.labels;
    c.createdAt = std::chrono::system_clock::now();
    c.directory = containersDir() + "/" + c.id;
    if (auto made = makeDirectories(c.directory, 0700); !made) {
        return std::unexpected(made.error());
    }
    json::object o = monitoredContainerJson(c);
    o["argv"] = toArray(c.argv);
    o["env"] = toArray(c.env);
    o["workingDir"] = c.workingDir;
    if (c.uid) {
        o["uid"] = *c.uid;
    }
    if (c.gid) {
        o["gid"] = *c.gid;
    }
    if (!c.groups.empty()) {
        o["groups"] = toArray(c.groups);
    }
    if (auto saved = writeFileAtomically(c.directory + "/container.json", json::serialize(o), 0600);
        !saved) {
        return std::unexpected(saved.error());
    }
    std::string id = c.id;
    m_containers.insert(std::move(c));
    return id;
}

Status ProcessRuntime::startContainer(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    if (readMonitorState(c->monitorDir())) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container {} was started already", containerId));
    }
    MonitorSpec spec;
    spec.argv = c->argv;
    spec.env = c->env;
    spec.workingDir = c->workingDir;
    spec.logPath = c->logPath.empty() ? c->directory + "/container.log" : c->logPath;
    spec.exitDir = exitsDir();
    spec.exitName = c->id;
    spec.uid = c->uid;
    spec.gid = c->gid;
    spec.groups = c->groups;
    auto state = spawnMonitor(m_options.monitorCommand, c->monitorDir(), spec);
    if (!state) {
        return std::unexpected(state.error());
    }
    if (state->status == MonitorStatus::Exited && state->exitCode == 128 && state->pid == 0) {
        return fail(ErrorCode::Internal, state->message);
    }
    return {};
}

Result<ContainerStatus> ProcessRuntime::containerStatus(const std::string& containerId) {
    return m_containers.status(containerId);
}

Result<std::vector<ContainerStatus>> ProcessRuntime::listContainers() {
    return m_containers.statuses();
}

Status ProcessRuntime::stopContainer(const std::string& containerId, std::chrono::seconds grace) {
    return m_containers.stop(containerId, grace);
}

Status ProcessRuntime::removeContainer(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return {};
    }
    if (auto stopped = m_containers.stop(*c, std::chrono::seconds(0)); !stopped) {
        return stopped;
    }
    auto removed = removeTree(c->directory);
    m_containers.erase(containerId);
    return removed;
}

Result<ExecResult> ProcessRuntime::execSync(const std::string& containerId,
                                            const std::vector<std::string>& command,
                                            std::chrono::milliseconds timeout) {
    auto c = m_containers.findRunning(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    CommandSpec spec;
    spec.argv = command;
    spec.env = c->env;
    spec.workingDir = c->workingDir;
    spec.uid = c->uid;
    spec.gid = c->gid;
    spec.groups = c->groups;
    spec.timeout = timeout;
    spec.mergeStderr = true;
    spec.outputLimit = 10 * 1024;
    auto result = runCommand(spec);
    if (!result) {
        // Like runc: a command that cannot be exec'd is exit code 126/127 with the message.
        ExecResult failed;
        failed.exitCode = result.error().code == ErrorCode::NotFound ? 127 : 126;
        failed.output = result.error().message;
        return failed;
    }
    ExecResult out;
    out.exitCode = result->exitCode;
    out.output = std::move(result->output);
    out.timedOut = result->timedOut;
    return out;
}

Result<std::unique_ptr<ExecSession>> ProcessRuntime::exec(const std::string& containerId,
                                                          ExecOptions options) {
    auto c = m_containers.findRunning(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    SpawnSpec spawn;
    spawn.argv = options.command;
    spawn.env = c->env;
    spawn.workingDir = c->workingDir;
    spawn.uid = c->uid;
    spawn.gid = c->gid;
    spawn.groups = c->groups;
    return startExecSession(std::move(spawn), std::move(options));
}

ProcessRuntime::Usage ProcessRuntime::usageOfSession(pid_t session) {
    std::lock_guard lock(m_usageMutex);
    auto now = std::chrono::steady_clock::now();
    if (now - m_usageTakenAt > UsageCacheFor) {
        m_usageBySession.clear();
        uint64_t page = pageSize();
        for (const ProcStat& p : listProcesses()) {
            Usage& u = m_usageBySession[p.session];
            u.cpuTicks += p.utimeTicks + p.stimeTicks + p.cutimeTicks + p.cstimeTicks;
            u.rssBytes += p.rssPages * page;
        }
        m_usageTakenAt = now;
    }
    auto it = m_usageBySession.find(session);
    return it == m_usageBySession.end() ? Usage{} : it->second;
}

Result<ContainerStats> ProcessRuntime::containerStats(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    ContainerStats stats;
    stats.timestamp = std::chrono::system_clock::now();
    auto state = readMonitorState(c->monitorDir());
    if (!state || state->status != MonitorStatus::Running ||
        !isProcessAlive(state->pid, state->pidStartTicks)) {
        return stats;
    }
    Usage usage = usageOfSession(state->pid);
    stats.cpuUsageCoreNanoSeconds = usage.cpuTicks * (1000000000ULL / clockTicksPerSecond());
    stats.memoryRssBytes = usage.rssBytes;
    stats.memoryWorkingSetBytes = usage.rssBytes;
    return stats;
}

void ProcessRuntime::setEventHandler(std::function<void(const ContainerEvent&)> handler) {
    m_containers.setEventHandler(std::move(handler));
}

} // namespace pilot::agent
