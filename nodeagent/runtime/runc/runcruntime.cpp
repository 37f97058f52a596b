#include "nodeagent/runtime/runc/runcruntime.h"

#include "core/log.h"
#include "core/random.h"
#include "kube/jsonutil.h"
#include "nodeagent/runtime/containermonitor.h"
#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/execsession.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"
#include "nodeagent/runtime/runc/ocispec.h"
#include "nodeagent/runtime/runc/rootfs.h"
#include "nodeagent/runtime/runc/sandboxfiles.h"
#include "nodeagent/runtime/subprocess.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <set>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

namespace pilot::agent::runc {

namespace json = boost::json;

namespace {

constexpr const char* Component = "runc-runtime";
constexpr auto RuncTimeout = std::chrono::seconds(60);

TimePoint timeFrom(const json::object& o, std::string_view key) {
    auto t = parseTime(kube::stringAt(o, key));
    return t ? *t : TimePoint{};
}

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
        text.pop_back();
    }
    return text;
}

/// `runc version 1.1.5+ds1` -> `1.1.5+ds1`.
std::string parseRuncVersion(const std::string& output) {
    constexpr std::string_view Prefix = "runc version ";
    size_t at = output.find(Prefix);
    if (at == std::string::npos) {
        return "unknown";
    }
    size_t start = at + Prefix.size();
    size_t end = output.find('\n', start);
    return output.substr(start, end - start);
}

} // namespace

RuncRuntime::RuncRuntime(RuncRuntimeOptions options)
    : m_options(std::move(options)),
      m_containers(
          [this](const Container& c, const MonitorState& state, StopSignal stop) {
              signal(c, state, stop);
          },
          [this](const Container& c, ContainerStatus& status) { completeStatus(c, status); }) {}

RuncRuntime::~RuncRuntime() {
    m_containers.stopWatchingExits();
}

std::vector<std::string> RuncRuntime::runcArgs(std::initializer_list<std::string> args) const {
    std::vector<std::string> argv = {m_runc, "--root", runcRoot()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

Status RuncRuntime::runRunc(std::initializer_list<std::string> args,
                            std::chrono::milliseconds timeout) const {
    CommandSpec spec;
    spec.argv = runcArgs(args);
    spec.timeout = timeout;
    spec.mergeStderr = true;
    auto result = runCommand(spec);
    if (!result) {
        return std::unexpected(result.error());
    }
    if (result->exitCode != 0) {
        return fail(result->timedOut ? ErrorCode::Timeout : ErrorCode::Internal,
                    fmt::format("runc {}: {}", *args.begin(), trim(result->output)));
    }
    return {};
}

Status RuncRuntime::start() {
    for (const std::string& dir : {m_options.rootDir, sandboxesDir(), containersDir(), exitsDir(),
                                   runcRoot(), m_options.rootDir + "/empty"}) {
        if (auto made = makeDirectories(dir, 0711); !made) {
            return made;
        }
    }
    auto runc = findExecutable(m_options.runcBinary, currentEnvironment(), "/");
    if (!runc) {
        return fail(ErrorCode::Unavailable, "runc runtime: " + runc.error().message);
    }
    m_runc = *runc;
    CommandSpec versionSpec;
    versionSpec.argv = {m_runc, "--version"};
    versionSpec.timeout = std::chrono::seconds(10);
    auto version = runCommand(versionSpec);
    if (!version || version->exitCode != 0) {
        return fail(ErrorCode::Unavailable, "runc runtime: `runc --version` failed");
    }
    m_version = "runc://" + parseRuncVersion(version->output);

    image::ImageManagerOptions imageOptions;
    imageOptions.root = m_options.imageDir;
    imageOptions.registry = m_options.registry;
    auto images = image::ImageManager::open(imageOptions);
    if (!images) {
        return std::unexpected(images.error());
    }
    m_images = std::move(*images);
    auto network = network::CniNetwork::open(m_options.network);
    if (!network) {
        return std::unexpected(network.error());
    }
    m_network = std::move(*network);
    m_cgroups = std::make_unique<Cgroups>(m_options.cgroupParent);
    if (!m_cgroups->usable()) {
        log::warn(Component, "cannot create cgroups under {}: container limits and stats are off",
                  m_options.cgroupParent);
    }
    load();
    if (auto watching = m_containers.watchExits(exitsDir()); !watching) {
        return watching;
    }
    log::info(Component, "{} ready: {} sandboxes, {} containers adopted; pod network {} on {}",
              m_version, m_sandboxes.size(), m_containers.size(), m_network->plan().subnet,
              m_network->plan().bridge);
    return {};
}

void RuncRuntime::load() {
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
        sandbox.status.ip = kube::stringAt(o, "ip");
        sandbox.status.createdAt = timeFrom(o, "createdAt");
        sandbox.status.labels = labelsFromJson(kube::objectAt(o, "labels"));
        sandbox.hostname = kube::stringAt(o, "hostname");
        sandbox.hostNetwork = kube::boolAt(o, "hostNetwork").value_or(false);
        sandbox.podUid = kube::stringAt(o, "podUid");
        sandbox.podName = kube::stringAt(o, "podName");
        sandbox.podNamespace = kube::stringAt(o, "podNamespace");
        sandbox.netns = kube::stringAt(o, "netns");
        sandbox.directory = sandboxesDir() + "/" + id;
        m_sandboxes[id] = std::move(sandbox);
    }
    m_containers.load(containersDir(), [](const json::object& o, Container& c) {
        c.imageId = kube::stringAt(o, "imageId");
        c.imageRef = kube::stringAt(o, "imageRef");
        c.stopSignal = kube::stringAt(o, "stopSignal");
        c.cgroupPath = kube::stringAt(o, "cgroupPath");
    });
}

Status RuncRuntime::saveContainer(const Container& c) const {
    json::object o = monitoredContainerJson(c);
    o["imageId"] = c.imageId;
    o["imageRef"] = c.imageRef;
    o["stopSignal"] = c.stopSignal;
    o["cgroupPath"] = c.cgroupPath;
    return writeFileAtomically(c.directory + "/container.json", json::serialize(o), 0600, true);
}

// --- Images. -----------------------------------------------------------------------------------

Result<ImageInfo> RuncRuntime::pullImage(const std::string& image,
                                         const std::vector<RegistryCredential>& credentials) {
    auto record = m_images->pull(image, credentials);
    if (!record) {
        return std::unexpected(record.error());
    }
    return image::toImageInfo(*record);
}

std::optional<ImageInfo> RuncRuntime::imageStatus(const std::string& image) {
    auto record = m_images->find(image);
    if (!record) {
        return std::nullopt;
    }
    return image::toImageInfo(*record);
}

Result<std::vector<ImageInfo>> RuncRuntime::listImages() {
    std::vector<ImageInfo> out;
    for (const auto& record : m_images->list()) {
        out.push_back(image::toImageInfo(record));
    }
    return out;
}

Status RuncRuntime::removeImage(const std::string& imageId) {
    auto record = m_images->find(imageId);
    if (!record) {
        return {}; // CRI: removing an absent image succeeds.
    }
    {
        std::lock_guard lock(m_mutex);
        if (m_creating.contains(record->id)) {
            return fail(ErrorCode::Conflict,
                        fmt::format("image {} is used by a container being created", record->id));
        }
        for (const Container& c : m_containers.all()) {
            if (c.imageId == record->id) {
                return fail(
                    ErrorCode::Conflict,
                    fmt::format("image {} is used by container {} ({})", record->id, c.name, c.id));
            }
        }
    }
    return m_images->remove(record->id);
}

std::string RuncRuntime::imageFsPath() const {
    return m_images->options().root;
}

Result<ImageGcResult> RuncRuntime::garbageCollectImages(uint64_t bytesToFree,
                                                        std::chrono::seconds minAge) {
    std::set<std::string> inUse;
    {
        std::lock_guard lock(m_mutex);
        inUse.insert(m_creating.begin(), m_creating.end());
        for (const Container& c : m_containers.all()) {
            inUse.insert(c.imageId);
        }
    }
    auto collected = m_images->garbageCollect(inUse, bytesToFree, minAge);
    if (!collected) {
        return std::unexpected(collected.error());
    }
    return ImageGcResult{std::move(collected->removedImages), collected->freedBytes};
}

// --- Containers. -------------------------------------------------------------------------------

std::vector<std::string> RuncRuntime::unsupportedFeatures(const ContainerConfig& config) const {
    std::vector<std::string> out;
    if (config.tty) {
        out.push_back("tty (the container runs without a terminal)");
    }
    if (config.stdinOpen) {
        out.push_back("stdin (the container's stdin is /dev/null)");
    }
    if (!m_cgroups->usable() &&
        (config.resources.cpuLimitMilli > 0 || config.resources.memoryLimitBytes > 0)) {
        out.push_back("resource limits (this host does not allow creating cgroups)");
    }
    return out;
}

Result<std::string> RuncRuntime::prepareContainer(const Sandbox& sandbox,
                                                  const ContainerConfig& config,
                                                  const image::ImageRecord& image, Container& c) {
    const image::ImageRecord* record = &image;
    auto imageConfig = m_images->config(*record);
    if (!imageConfig) {
        return std::unexpected(imageConfig.error());
    }
    c.imageId = record->id;
    c.imageRef = record->repoDigests.empty() ? record->id : record->repoDigests.front();
    c.stopSignal = imageConfig->stopSignal;
    std::string bundle = c.directory + "/bundle";
    std::string rootfs = bundle + "/rootfs";
    for (const std::string& dir : {rootfs, c.directory + "/upper", c.directory + "/work"}) {
        if (auto made = makeDirectories(dir, 0755); !made) {
            return std::unexpected(made.error());
        }
    }
    if (auto mounted = mountOverlay(m_images->layerDirectories(*record), c.directory + "/upper",
                                    c.directory + "/work", rootfs, m_options.rootDir + "/empty");
        !mounted) {
        return std::unexpected(mounted.error());
    }
    std::string passwd = readFileInRoot(rootfs, "/etc/passwd").value_or("");
    std::string group = readFileInRoot(rootfs, "/etc/group").value_or("");
    auto user = resolveUser(imageConfig->user, config.runAsUser, config.runAsGroup,
                            config.supplementalGroups, passwd, group);
    if (!user) {
        return std::unexpected(user.error());
    }
    auto args = containerArgs(config, *imageConfig);
    if (!args) {
        return std::unexpected(args.error());
    }
    SpecContext context;
    context.user = *user;
    context.args = std::move(*args);
    context.env = mergeEnv(imageConfig->env, config.env,
                           sandbox.hostNetwork ? trim(readFile("/etc/hostname").value_or(""))
                                               : sandbox.hostname);
    context.workingDir = !config.workingDir.empty()         ? config.workingDir
                         : !imageConfig->workingDir.empty() ? imageConfig->workingDir
                                                            : "/";
    if (auto made = makeDirectoryInRoot(rootfs, context.workingDir); !made) {
        return std::unexpected(made.error());
    }
    context.hostname = sandbox.hostname;
    context.hostNetwork = sandbox.hostNetwork;
    context.netnsPath = sandbox.netns;
    context.hostsPath = sandbox.directory + "/hosts";
    context.resolvPath = sandbox.directory + "/resolv.conf";
    context.hostnamePath = sandbox.directory + "/hostname";
    if (::access((sandbox.directory + "/shm").c_str(), F_OK) == 0) {
        context.shmPath = sandbox.directory + "/shm";
    }
    c.cgroupPath = m_cgroups->pathFor(c.id);
    context.cgroupsPath = c.cgroupPath;
    context.cgroupV2 = m_cgroups->v2();
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_max != RLIM_INFINITY) {
        context.openFilesLimit = files.rlim_max;
    }
    auto spec = buildOciSpec(config, context);
    if (!spec) {
        return std::unexpected(spec.error());
    }
    if (auto written = writeFileAtomically(bundle + "/config.json", json::serialize(*spec), 0600);
        !written) {
        return std::unexpected(written.error());
    }
    return c.id;
}

Result<std::string> RuncRuntime::createContainer(const std::string& sandboxId,
                                                 const ContainerConfig& config) {
    auto sandbox = findSandbox(sandboxId);
    if (!sandbox) {
        return std::unexpected(sandbox.error());
    }
    if (sandbox->status.state != SandboxState::Ready) {
        return fail(ErrorCode::InvalidArgument, fmt::format("sandbox {} is not ready", sandboxId));
    }
    Container c;
    c.id = randomHex(32);
    c.sandboxId = sandboxId;
    c.name = config.name;
    c.image = config.image;
    c.labels = config.labels;
    c.createdAt = std::chrono::system_clock::now();
    c.directory = containersDir() + "/" + c.id;
    c.logPath = config.logPath.empty() ? c.directory + "/container.log" : config.logPath;
    // The image must stay while its layers are being mounted: removeImage and GC see it here.
    std::optional<image::ImageRecord> record;
    {
        std::lock_guard lock(m_mutex);
        record = m_images->find(config.image);
        if (record) {
            m_creating.insert(record->id);
        }
    }
    if (!record) {
        return fail(ErrorCode::NotFound,
                    fmt::format("container {}: image \"{}\" is not present; pull it first",
                                config.name, config.image));
    }
    auto doneCreating = [&] { m_creating.erase(m_creating.find(record->id)); };
    auto prepared = prepareContainer(*sandbox, config, *record, c);
    if (prepared) {
        if (auto saved = saveContainer(c); !saved) {
            prepared = std::unexpected(saved.error());
        }
    }
    if (!prepared) {
        (void)unmountIfMounted(c.directory + "/bundle/rootfs");
        (void)removeTree(c.directory);
        {
            std::lock_guard lock(m_mutex);
            doneCreating();
        }
        return std::unexpected(
            Error{prepared.error().code,
                  fmt::format("container {}: {}", config.name, prepared.error().message)});
    }
    m_images->markUsed(c.imageId);
    std::string id = c.id;
    m_containers.insert(std::move(c));
    std::lock_guard lock(m_mutex);
    doneCreating();
    return id;
}

Status RuncRuntime::startContainer(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    std::string stateDir = c->monitorDir();
    if (readMonitorState(stateDir)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container {} was started already", containerId));
    }
    MonitorSpec spec;
    spec.argv = runcArgs({"run", "--detach", "--bundle", c->directory + "/bundle", "--pid-file",
                          c->directory + "/pid", c->id});
    spec.env = currentEnvironment();
    spec.workingDir = c->directory;
    spec.logPath = c->logPath;
    spec.pidFile = c->directory + "/pid";
    spec.exitDir = exitsDir();
    spec.exitName = c->id;
    auto state = spawnMonitor(m_options.monitorCommand, stateDir, spec);
    if (!state) {
        return std::unexpected(state.error());
    }
    if (state->status == MonitorStatus::Exited && state->pid == 0) {
        (void)runRunc({"delete", "--force", c->id}, RuncTimeout);
        return fail(ErrorCode::Internal, trim(state->message));
    }
    return {};
}

void RuncRuntime::completeStatus(const Container& c, ContainerStatus& status) const {
    status.imageRef = c.imageRef;
    status.imageId = c.imageId;
    status.message = trim(std::move(status.message)); // runc's output ends in a newline.
    if (status.state == ContainerState::Exited && status.reason == "Error") {
        auto usage = m_cgroups->usage(c.cgroupPath);
        if (usage && usage->oomKills > 0) {
            status.reason = "OOMKilled";
        }
    }
}

Result<ContainerStatus> RuncRuntime::containerStatus(const std::string& containerId) {
    return m_containers.status(containerId);
}

Result<std::vector<ContainerStatus>> RuncRuntime::listContainers() {
    return m_containers.statuses();
}

void RuncRuntime::signal(const Container& c, const MonitorState& state, StopSignal signal) const {
    if (signal == StopSignal::Graceful) {
        std::string name = c.stopSignal.empty() ? "TERM" : c.stopSignal;
        if (auto killed = runRunc({"kill", c.id, name}, RuncTimeout); !killed) {
            log::warn(Component, "container {}: {}", c.id, killed.error().message);
        }
        return;
    }
    if (auto killed = runRunc({"kill", c.id, "KILL"}, RuncTimeout); !killed) {
        ::kill(state.pid, SIGKILL); // runc lost track of it: kill the init directly.
    }
}

Status RuncRuntime::stopContainer(const std::string& containerId, std::chrono::seconds grace) {
    return m_containers.stop(containerId, grace);
}

Status RuncRuntime::removeContainer(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return {};
    }
    if (auto stopped = m_containers.stop(*c, std::chrono::seconds(0)); !stopped) {
        return stopped;
    }
    if (auto deleted = runRunc({"delete", "--force", c->id}, RuncTimeout); !deleted) {
        // Never created (start failed) or already deleted: nothing of runc's is left.
        log::debug(Component, "container {}: {}", c->id, deleted.error().message);
    }
    if (auto unmounted = unmountIfMounted(c->directory + "/bundle/rootfs"); !unmounted) {
        return unmounted;
    }
    auto removed = removeTree(c->directory);
    m_containers.erase(containerId);
    return removed;
}

Result<ExecResult> RuncRuntime::execSync(const std::string& containerId,
                                         const std::vector<std::string>& command,
                                         std::chrono::milliseconds timeout) {
    auto c = m_containers.findRunning(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    CommandSpec spec;
    spec.argv = runcArgs({"exec", c->id});
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.timeout = timeout;
    spec.mergeStderr = true;
    spec.outputLimit = 10 * 1024;
    auto result = runCommand(spec);
    if (!result) {
        return std::unexpected(result.error());
    }
    ExecResult out;
    out.exitCode = result->exitCode;
    out.output = std::move(result->output);
    out.timedOut = result->timedOut;
    return out;
}

Result<std::unique_ptr<ExecSession>> RuncRuntime::exec(const std::string& containerId,
                                                       ExecOptions options) {
    auto c = m_containers.findRunning(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    SpawnSpec spawn;
    spawn.argv = runcArgs({"exec"});
    if (options.tty) {
        spawn.argv.push_back("--tty");
    }
    spawn.argv.push_back(c->id);
    spawn.argv.insert(spawn.argv.end(), options.command.begin(), options.command.end());
    spawn.env = currentEnvironment();
    return startExecSession(std::move(spawn), std::move(options));
}

Result<ContainerStats> RuncRuntime::containerStats(const std::string& containerId) {
    auto c = m_containers.find(containerId);
    if (!c) {
        return std::unexpected(c.error());
    }
    ContainerStats stats;
    stats.timestamp = std::chrono::system_clock::now();
    auto usage = m_cgroups->usage(c->cgroupPath);
    if (!usage) {
        return stats; // Not started, already deleted, or no cgroups here.
    }
    stats.cpuUsageCoreNanoSeconds = usage->cpuNanoseconds;
    stats.memoryWorkingSetBytes = usage->memoryWorkingSetBytes;
    stats.memoryRssBytes = usage->memoryRssBytes;
    return stats;
}

void RuncRuntime::setEventHandler(std::function<void(const ContainerEvent&)> handler) {
    m_containers.setEventHandler(std::move(handler));
}

} // namespace pilot::agent::runc
