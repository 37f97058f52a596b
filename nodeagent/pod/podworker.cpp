#include "nodeagent/pod/podworker.h"

#include "core/base64.h"
#include "core/log.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"
#include "nodeagent/pod/expansion.h"
#include "nodeagent/pod/podstatus.h"
#include "nodeagent/runtime/fileutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace pilot::agent {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

constexpr const char* Component = "pod";
constexpr auto MinimumGrace = std::chrono::seconds(2);
constexpr auto RetryAfterError = std::chrono::seconds(5);

const json::array& emptyArray() {
    static const json::array empty;
    return empty;
}

const json::array& containersOf(const json::object& pod, std::string_view list) {
    const json::object* spec = objectAt(pod, "spec");
    const json::array* a = spec ? kube::arrayAt(*spec, list) : nullptr;
    return a ? *a : emptyArray();
}

std::string restartPolicyOf(const json::object& pod) {
    std::string policy = stringAt(objectAt(pod, "spec"), "restartPolicy");
    return policy.empty() ? "Always" : policy;
}

std::string podDescription(const PodState& s) {
    return fmt::format("{}_{}({})", s.name, s.ns, s.uid);
}

std::chrono::seconds podGrace(const json::object& pod) {
    if (const json::object* meta = kube::metadataOf(pod)) {
        if (auto deletion = kube::integerAt(*meta, "deletionGracePeriodSeconds")) {
            return std::chrono::seconds(std::max<int64_t>(*deletion, 0));
        }
    }
    const json::object* spec = objectAt(pod, "spec");
    auto fromSpec = spec ? kube::integerAt(*spec, "terminationGracePeriodSeconds") : std::nullopt;
    return std::chrono::seconds(std::max<int64_t>(fromSpec.value_or(30), 0));
}

int64_t milliOf(const json::object* list, const char* name) {
    if (!list) {
        return 0;
    }
    const json::value* v = list->if_contains(name);
    if (!v) {
        return 0;
    }
    auto q = kube::Quantity::fromJson(*v);
    return q ? q->milliValue() : 0;
}

int64_t bytesOf(const json::object* list, const char* name) {
    if (!list) {
        return 0;
    }
    const json::value* v = list->if_contains(name);
    if (!v) {
        return 0;
    }
    auto q = kube::Quantity::fromJson(*v);
    return q ? q->value() : 0;
}

bool exitedWith(const ContainerRecord& rec, int code) {
    return rec.current && rec.current->state == ContainerState::Exited &&
           rec.current->exitCode == code;
}

ContainerState stateOf(const ContainerRecord& rec) {
    if (!rec.current) {
        return ContainerState::Unknown;
    }
    return rec.current->state;
}

/// Runs the tasks at once and waits for all (graceful stops of several containers).
void runParallel(std::vector<std::function<void()>> tasks) {
    if (tasks.size() == 1) {
        tasks[0]();
        return;
    }
    std::vector<std::thread> threads;
    for (auto& task : tasks) {
        threads.emplace_back(std::move(task));
    }
    for (auto& t : threads) {
        t.join();
    }
}

} // namespace

std::string goDuration(std::chrono::seconds duration) {
    int64_t s = duration.count();
    if (s < 60) {
        return fmt::format("{}s", s);
    }
    if (s < 3600) {
        return fmt::format("{}m{}s", s / 60, s % 60);
    }
    return fmt::format("{}h{}m{}s", s / 3600, (s % 3600) / 60, s % 60);
}

PodWorker::PodWorker(PodWorkerDeps deps, PodWorkerConfig config)
    : m_deps(deps), m_config(std::move(config)) {}

std::string PodWorker::podLogDir(const PodState& state) const {
    return fmt::format("{}/{}_{}_{}", m_config.logsDir, state.ns, state.name, state.uid);
}

std::string PodWorker::logPath(const PodState& state, const std::string& container,
                               int attempt) const {
    return fmt::format("{}/{}/{}.log", podLogDir(state), container, attempt);
}

void PodWorker::event(const json::object& pod, std::string_view type, std::string_view reason,
                      std::string message) {
    m_deps.events.record(pod, type, reason, std::move(message));
}

void PodWorker::refreshContainers(PodState& state) {
    for (auto& [name, rec] : state.containers) {
        rec.current.reset();
        rec.previous.reset();
        if (!rec.currentId.empty()) {
            if (auto status = m_deps.runtime.containerStatus(rec.currentId)) {
                rec.current = *status;
            } else {
                rec.currentId.clear(); // Removed behind our back.
            }
        }
        if (!rec.previousId.empty()) {
            if (auto status = m_deps.runtime.containerStatus(rec.previousId)) {
                rec.previous = *status;
            } else {
                rec.previousId.clear();
            }
        }
    }
}

bool PodWorker::ensureVolumes(PodState& state, const json::object& pod) {
    TimePoint now = m_deps.clock.now();
    if (state.volumes && now - state.volumesAt < m_config.volumeRefresh) {
        return true;
    }
    PodVolumeContext context;
    context.network = {m_config.nodeIp, state.podIp.empty() ? m_config.nodeIp : state.podIp};
    if (m_config.nodeAllocatable) {
        context.nodeAllocatable = m_config.nodeAllocatable();
    }
    auto volumes = m_deps.volumes.setUp(pod, context);
    if (!volumes) {
        event(pod, "Warning", "FailedMount", volumes.error().message);
        return state.volumes.has_value(); // A failed refresh keeps the volumes that work.
    }
    state.volumes = std::move(*volumes);
    state.volumesAt = now;
    return true;
}

bool PodWorker::ensureSandbox(PodState& state, const json::object& pod) {
    if (!state.sandboxId.empty()) {
        auto sandboxes = m_deps.runtime.listSandboxes();
        if (sandboxes) {
            for (const SandboxStatus& s : *sandboxes) {
                if (s.id == state.sandboxId && s.state == SandboxState::Ready) {
                    state.sandboxReady = true;
                    return true;
                }
            }
        }
        // The sandbox died: every container restarts in a new one.
        event(pod, "Normal", "SandboxChanged",
              "Pod sandbox changed, it will be killed and re-created.");
        for (auto& [name, rec] : state.containers) {
            if (!rec.currentId.empty()) {
                (void)m_deps.runtime.stopContainer(rec.currentId, std::chrono::seconds(0));
            }
        }
        (void)m_deps.runtime.removeSandbox(state.sandboxId);
        state.sandboxId.clear();
    }
    const json::object* spec = objectAt(pod, "spec");
    SandboxConfig config;
    config.podUid = state.uid;
    config.podName = state.name;
    config.podNamespace = state.ns;
    config.hostname = stringAt(spec, "hostname");
    if (config.hostname.empty()) {
        config.hostname = state.name.substr(0, 63);
    }
    config.hostNetwork = kube::boolAt(*spec, "hostNetwork").value_or(false);
    for (const json::value& c : containersOf(pod, "containers")) {
        if (const json::array* ports = kube::arrayAt(c.as_object(), "ports")) {
            for (const json::value& p : *ports) {
                const json::object& port = p.as_object();
                PortMapping mapping;
                mapping.protocol =
                    stringAt(port, "protocol").empty() ? "TCP" : stringAt(port, "protocol");
                mapping.containerPort =
                    static_cast<int>(kube::integerAt(port, "containerPort").value_or(0));
                mapping.hostPort = static_cast<int>(kube::integerAt(port, "hostPort").value_or(0));
                mapping.hostIP = stringAt(port, "hostIP");
                config.ports.push_back(mapping);
            }
        }
    }
    if (const json::object* dns = objectAt(spec, "dnsConfig")) {
        config.dnsServers = kube::stringsAt(*dns, "nameservers");
        config.dnsSearches = kube::stringsAt(*dns, "searches");
    }
    if (const json::array* aliases = spec ? kube::arrayAt(*spec, "hostAliases") : nullptr) {
        for (const json::value& a : *aliases) {
            config.hostAliases.emplace_back(stringAt(a.as_object(), "ip"),
                                            kube::stringsAt(a.as_object(), "hostnames"));
        }
    }
    config.logDirectory = podLogDir(state);
    config.labels = {{labels::PodUid, state.uid},
                     {labels::PodName, state.name},
                     {labels::PodNamespace, state.ns}};
    auto sandbox = m_deps.runtime.runSandbox(config);
    if (!sandbox) {
        event(pod, "Warning", "FailedCreatePodSandBox",
              "Failed to create pod sandbox: " + sandbox.error().message);
        state.sandboxReady = false;
        return false;
    }
    state.sandboxId = sandbox->id;
    state.sandboxReady = sandbox->state == SandboxState::Ready;
    state.podIp = sandbox->ip.empty() ? m_config.nodeIp : sandbox->ip;
    return state.sandboxReady;
}

bool PodWorker::startContainer(PodState& state, const json::object& pod,
                               const json::object& container, int attempt) {
    std::string name = stringAt(container, "name");
    ContainerRecord& rec = state.containers[name];
    std::string image = stringAt(container, "image");
    const json::object* spec = objectAt(pod, "spec");

    // Image.
    std::string pullPolicy = stringAt(container, "imagePullPolicy");
    if (pullPolicy.empty()) {
        pullPolicy = image.find('@') == std::string::npos &&
                             (image.find(':') == std::string::npos || image.ends_with(":latest"))
                         ? "Always"
                         : "IfNotPresent";
    }
    // The process runtime has no images: nothing is pulled and every image counts as present.
    bool imageless = m_deps.runtime.kind() == "process";
    bool present = imageless || m_deps.runtime.imageStatus(image).has_value();
    if (pullPolicy == "Never" && !present) {
        rec.waitingReason = "ErrImageNeverPull";
        rec.waitingMessage =
            fmt::format("Container image {:?} is not present with pull policy of Never", image);
        event(pod, "Warning", "ErrImageNeverPull", rec.waitingMessage);
        return false;
    }
    if (!imageless && (pullPolicy == "Always" || !present)) {
        event(pod, "Normal", "Pulling", fmt::format("Pulling image {:?}", image));
        std::vector<RegistryCredential> credentials;
        if (const json::array* secrets =
                spec ? kube::arrayAt(*spec, "imagePullSecrets") : nullptr) {
            for (const json::value& s : *secrets) {
                auto secret = m_deps.sources.secret(state.ns, stringAt(s.as_object(), "name"));
                if (!secret) {
                    continue;
                }
                std::string config = stringAt(objectAt(*secret, "data"), ".dockerconfigjson");
                auto decoded = base64Decode(config);
                boost::system::error_code ec;
                json::value parsed = kube::parseJsonText(decoded.value_or("{}"), ec);
                const json::object* auths =
                    !ec && parsed.is_object() ? objectAt(parsed.as_object(), "auths") : nullptr;
                for (const auto& [server, entry] : auths ? *auths : json::object()) {
                    if (!entry.is_object()) {
                        continue;
                    }
                    RegistryCredential credential;
                    credential.server = std::string(server);
                    credential.username = stringAt(entry.as_object(), "username");
                    credential.password = stringAt(entry.as_object(), "password");
                    credential.identityToken = stringAt(entry.as_object(), "identitytoken");
                    if (std::string auth = stringAt(entry.as_object(), "auth"); !auth.empty()) {
                        std::string pair = base64Decode(auth).value_or("");
                        credential.username = pair.substr(0, pair.find(':'));
                        credential.password = pair.find(':') == std::string::npos
                                                  ? ""
                                                  : pair.substr(pair.find(':') + 1);
                    }
                    credentials.push_back(std::move(credential));
                }
            }
        }
        auto started = m_deps.clock.now();
        auto pulled = m_deps.runtime.pullImage(image, credentials);
        if (!pulled) {
            std::string key = state.uid + "/" + name + "/pull";
            bool inBackoff = m_deps.backoff.inBackoffSince(key, m_deps.clock.now());
            m_deps.backoff.next(key, m_deps.clock.now());
            rec.waitingReason = inBackoff ? "ImagePullBackOff" : "ErrImagePull";
            rec.waitingMessage = inBackoff ? fmt::format("Back-off pulling image {:?}: {}", image,
                                                         pulled.error().message)
                                           : pulled.error().message;
            event(pod, "Warning", "Failed",
                  fmt::format("Failed to pull image {:?}: {}", image, pulled.error().message));
            event(pod, "Warning", "Failed", "Error: " + rec.waitingReason);
            return false;
        }
        auto took = std::chrono::duration<double>(m_deps.clock.now() - started).count();
        event(pod, "Normal", "Pulled",
              fmt::format("Successfully pulled image {:?} in {:.3f}s ({:.3f}s including waiting). "
                          "Image size: {} bytes.",
                          image, took, took, pulled->sizeBytes));
    } else {
        event(pod, "Normal", "Pulled",
              fmt::format("Container image {:?} already present on machine", image));
    }

    // Environment, command and mounts.
    EnvContext envContext;
    envContext.network = {m_config.nodeIp, state.podIp};
    if (m_config.nodeAllocatable) {
        envContext.nodeAllocatable = m_config.nodeAllocatable();
    }
    if (m_config.serviceEnv && kube::boolAt(*spec, "enableServiceLinks").value_or(true)) {
        envContext.serviceEnv = m_config.serviceEnv(state.ns);
    } else if (m_config.serviceEnv) {
        envContext.serviceEnv = m_config.serviceEnv("");
    }
    auto env = resolveEnvironment(pod, container, m_deps.sources, envContext);
    if (!env) {
        rec.waitingReason = "CreateContainerConfigError";
        rec.waitingMessage = env.error().message;
        event(pod, "Warning", "Failed", "Error: " + env.error().message);
        return false;
    }
    for (const std::string& message : env->skippedMessages) {
        event(pod, "Warning", "InvalidEnvironmentVariableNames", message);
    }
    ContainerConfig config;
    config.name = name;
    config.image = image;
    config.command = expandCommand(kube::stringsAt(container, "command"), env->vars);
    config.args = expandCommand(kube::stringsAt(container, "args"), env->vars);
    config.env = env->vars;
    config.workingDir = stringAt(container, "workingDir");
    if (const json::array* mounts = kube::arrayAt(container, "volumeMounts")) {
        for (const json::value& m : *mounts) {
            const json::object& mount = m.as_object();
            std::string volume = stringAt(mount, "name");
            const std::string* found = nullptr;
            if (state.volumes) {
                auto it = state.volumes->paths.find(volume);
                found = it == state.volumes->paths.end() ? nullptr : &it->second;
            }
            if (!found) {
                rec.waitingReason = "CreateContainerConfigError";
                rec.waitingMessage = fmt::format(
                    "cannot find volume {:?} to mount into container {:?}", volume, name);
                event(pod, "Warning", "Failed", "Error: " + rec.waitingMessage);
                return false;
            }
            std::string hostPath = *found;
            std::string subPath = stringAt(mount, "subPath");
            if (std::string expr = stringAt(mount, "subPathExpr"); !expr.empty()) {
                subPath = expandVariables(expr, lookupIn(env->vars));
            }
            if (!subPath.empty()) {
                if (subPath.front() == '/' || subPath.find("..") != std::string::npos) {
                    rec.waitingReason = "CreateContainerConfigError";
                    rec.waitingMessage = fmt::format("invalid subPath {:?}", subPath);
                    event(pod, "Warning", "Failed", "Error: " + rec.waitingMessage);
                    return false;
                }
                hostPath += "/" + subPath;
                (void)makeDirectories(hostPath, 0755);
            }
            config.mounts.push_back(Mount{hostPath, stringAt(mount, "mountPath"),
                                          kube::boolAt(mount, "readOnly").value_or(false)});
        }
    }
    const json::object* podSecurity = objectAt(spec, "securityContext");
    const json::object* security = objectAt(container, "securityContext");
    auto securityInt = [&](const char* field) -> std::optional<int64_t> {
        if (security) {
            if (auto v = kube::integerAt(*security, field)) {
                return v;
            }
        }
        return podSecurity ? kube::integerAt(*podSecurity, field) : std::nullopt;
    };
    config.runAsUser = securityInt("runAsUser");
    config.runAsGroup = securityInt("runAsGroup");
    if (podSecurity) {
        if (const json::array* groups = kube::arrayAt(*podSecurity, "supplementalGroups")) {
            for (const json::value& g : *groups) {
                if (auto v = kube::asInteger(g)) {
                    config.supplementalGroups.push_back(*v);
                }
            }
        }
    }
    if (security) {
        config.privileged = kube::boolAt(*security, "privileged").value_or(false);
        config.readOnlyRootFilesystem =
            kube::boolAt(*security, "readOnlyRootFilesystem").value_or(false);
        if (const json::object* caps = objectAt(*security, "capabilities")) {
            config.capabilitiesAdd = kube::stringsAt(*caps, "add");
            config.capabilitiesDrop = kube::stringsAt(*caps, "drop");
        }
    }
    config.tty = kube::boolAt(container, "tty").value_or(false);
    config.stdinOpen = kube::boolAt(container, "stdin").value_or(false);
    const json::object* resources = objectAt(container, "resources");
    config.resources.cpuRequestMilli = milliOf(objectAt(resources, "requests"), "cpu");
    config.resources.cpuLimitMilli = milliOf(objectAt(resources, "limits"), "cpu");
    config.resources.memoryLimitBytes = bytesOf(objectAt(resources, "limits"), "memory");
    config.logPath = logPath(state, name, attempt);
    config.attempt = attempt;
    config.labels = {{labels::PodUid, state.uid},
                     {labels::PodName, state.name},
                     {labels::PodNamespace, state.ns},
                     {labels::ContainerName, name},
                     {labels::RestartCount, std::to_string(attempt)},
                     {labels::Image, image}};

    if (!state.warnedContainers.contains(name)) {
        auto unsupported = m_deps.runtime.unsupportedFeatures(config);
        if (!unsupported.empty()) {
            std::string list;
            for (const auto& item : unsupported) {
                list += (list.empty() ? "" : "; ") + item;
            }
            event(pod, "Warning", "RuntimeLimitation",
                  fmt::format("container {}: the {} runtime cannot provide: {}", name,
                              m_deps.runtime.kind(), list));
        }
        state.warnedContainers.insert(name);
    }

    auto id = m_deps.runtime.createContainer(state.sandboxId, config);
    if (!id) {
        rec.waitingReason = "CreateContainerError";
        rec.waitingMessage = id.error().message;
        event(pod, "Warning", "Failed", "Error: " + id.error().message);
        return false;
    }
    event(pod, "Normal", "Created", fmt::format("Created container: {}", name));
    // The new attempt replaces the current one; the one before is kept for `logs --previous`.
    if (!rec.previousId.empty()) {
        (void)m_deps.runtime.removeContainer(rec.previousId);
        std::string oldLog = logPath(state, name, rec.attempt - 1);
        ::unlink(oldLog.c_str());
    }
    rec.previousId = rec.currentId;
    rec.currentId = *id;
    rec.attempt = attempt;
    rec.image = image;
    rec.waitingReason.clear();
    rec.waitingMessage.clear();
    rec.postStartFailed = false;
    auto started = m_deps.runtime.startContainer(*id);
    refreshContainers(state);
    if (!started) {
        event(pod, "Warning", "Failed", "Error: " + started.error().message);
        // The runtime reports the container as exited (StartError); back-off applies.
        m_deps.backoff.next(state.uid + "/" + name, m_deps.clock.now());
        return false;
    }
    event(pod, "Normal", "Started", fmt::format("Started container {}", name));
    const json::object* lifecycle = objectAt(container, "lifecycle");
    if (const json::object* postStart = objectAt(lifecycle, "postStart")) {
        HandlerContext context{&m_deps.runtime, *id, state.podIp, &container};
        if (auto ran = runHandler(*postStart, context, std::chrono::seconds(30)); !ran) {
            rec.postStartFailed = true;
            event(pod, "Warning", "FailedPostStartHook", ran.error().message);
            killContainer(state, pod, container, podGrace(pod), "FailedPostStartHook", false);
            refreshContainers(state);
            return false;
        }
    }
    return true;
}

std::optional<TimePoint> PodWorker::startWithBackoff(PodState& state, const json::object& pod,
                                                     const json::object& container) {
    std::string name = stringAt(container, "name");
    ContainerRecord& rec = state.containers[name];
    std::string key = state.uid + "/" + name;
    if (rec.current && rec.current->state == ContainerState::Exited) {
        TimePoint exitedAt = rec.current->finishedAt;
        if (m_deps.backoff.inBackoffSince(key, exitedAt)) {
            auto wait = m_deps.backoff.get(key);
            std::string message = fmt::format("back-off {} restarting failed container={} pod={}",
                                              goDuration(wait), name, podDescription(state));
            if (rec.waitingReason != "CrashLoopBackOff" || rec.waitingMessage != message) {
                event(pod, "Warning", "BackOff",
                      fmt::format("Back-off restarting failed container {} in pod {}", name,
                                  podDescription(state)));
            }
            rec.waitingReason = "CrashLoopBackOff";
            rec.waitingMessage = message;
            return m_deps.backoff.readyAt(key, exitedAt);
        }
        m_deps.backoff.next(key, exitedAt);
    }
    if (!startContainer(state, pod, container, rec.attempt + 1)) {
        if (rec.waitingReason == "ErrImagePull" || rec.waitingReason == "ImagePullBackOff") {
            return m_deps.backoff.readyAt(state.uid + "/" + name + "/pull", m_deps.clock.now());
        }
        return m_deps.clock.now() + RetryAfterError;
    }
    return std::nullopt;
}

void PodWorker::killContainer(PodState& state, const json::object& pod,
                              const json::object& container, std::chrono::seconds grace,
                              const std::string& message, bool runPreStop) {
    std::string name = stringAt(container, "name");
    ContainerRecord& rec = state.containers[name];
    if (rec.currentId.empty()) {
        return;
    }
    auto status = m_deps.runtime.containerStatus(rec.currentId);
    if (!status || status->state != ContainerState::Running) {
        m_deps.probes.removeContainer(state.uid, name);
        return;
    }
    auto started = m_deps.clock.now();
    const json::object* preStop = objectAt(objectAt(container, "lifecycle"), "preStop");
    if (runPreStop && preStop) {
        HandlerContext context{&m_deps.runtime, rec.currentId, state.podIp, &container};
        if (auto ran = runHandler(*preStop, context, grace); !ran) {
            event(pod, "Warning", "FailedPreStopHook",
                  fmt::format("PreStopHook failed: {}", ran.error().message));
        }
    }
    auto spent = std::chrono::duration_cast<std::chrono::seconds>(m_deps.clock.now() - started);
    auto remaining =
        std::max(grace - spent, runPreStop && preStop ? MinimumGrace : std::chrono::seconds(0));
    if (grace.count() > 0) {
        remaining = std::max(remaining, std::min(grace, MinimumGrace));
    }
    event(pod, "Normal", "Killing", message);
    if (auto stopped = m_deps.runtime.stopContainer(rec.currentId, remaining); !stopped) {
        log::warn(Component, "stop {} of {}: {}", name, podDescription(state),
                  stopped.error().message);
    }
    m_deps.probes.removeContainer(state.uid, name);
}

void PodWorker::killAll(PodState& state, const json::object& pod, std::chrono::seconds grace) {
    // Regular containers first, all at once; then sidecars in reverse order, as kubelet does.
    std::vector<std::function<void()>> regular;
    for (const json::value& c : containersOf(pod, "containers")) {
        const json::object* container = &c.as_object();
        std::string name = stringAt(*container, "name");
        if (stateOf(state.containers[name]) == ContainerState::Running) {
            regular.push_back([this, &state, &pod, container, grace, name] {
                killContainer(state, pod, *container, grace,
                              fmt::format("Stopping container {}", name));
            });
        }
    }
    if (!regular.empty()) {
        runParallel(std::move(regular));
    }
    const json::array& inits = containersOf(pod, "initContainers");
    for (auto it = inits.rbegin(); it != inits.rend(); ++it) {
        const json::object& container = it->as_object();
        std::string name = stringAt(container, "name");
        if (stateOf(state.containers[name]) == ContainerState::Running) {
            killContainer(state, pod, container, grace, fmt::format("Stopping container {}", name));
        }
    }
}

void PodWorker::ensureProbes(PodState& state, const json::object& pod) {
    for (const char* list : {"initContainers", "containers"}) {
        for (const json::value& c : containersOf(pod, list)) {
            const json::object& container = c.as_object();
            std::string name = stringAt(container, "name");
            const ContainerRecord& rec = state.containers[name];
            if (rec.current && rec.current->state == ContainerState::Running) {
                m_deps.probes.addContainer(ProbeTarget{state.uid, name, rec.currentId, state.podIp,
                                                       container, rec.current->startedAt});
            } else {
                m_deps.probes.removeContainer(state.uid, name);
            }
        }
    }
}

json::object PodWorker::computeStatus(PodState& state, const json::object& pod) {
    PodStatusInput input;
    input.pod = &pod;
    input.sandboxReady = state.sandboxReady && !state.terminal;
    input.hostIp = m_config.nodeIp;
    input.podIp = state.podIp.empty() ? m_config.nodeIp : state.podIp;
    input.startTime = state.startTime;
    input.now = m_deps.clock.now();
    input.podIsTerminal = state.terminal;
    std::string kind(m_deps.runtime.kind());
    bool initializing = false;
    for (const json::value& c : containersOf(pod, "initContainers")) {
        const json::object& container = c.as_object();
        std::string name = stringAt(container, "name");
        const ContainerRecord& rec = state.containers[name];
        ContainerView view;
        view.name = name;
        view.image = stringAt(container, "image");
        view.runtimeKind = kind;
        view.current = rec.current;
        view.previous = rec.previous;
        view.restartCount = std::max(rec.attempt, 0);
        view.waitingReason = rec.waitingReason;
        view.waitingMessage = rec.waitingMessage;
        if (rec.current) {
            view.imageId = rec.current->imageRef;
        }
        bool running = rec.current && rec.current->state == ContainerState::Running;
        if (isRestartableInitContainer(container)) {
            view.started =
                running && m_deps.probes.isStarted(state.uid, name) && !rec.postStartFailed;
            view.ready = view.started && m_deps.probes.isReady(state.uid, name);
        } else {
            view.ready = exitedWith(rec, 0);
            view.started = running;
        }
        if (!rec.current && view.waitingReason.empty()) {
            view.waitingReason = "PodInitializing";
        }
        if (!view.ready && !isRestartableInitContainer(container)) {
            initializing = true;
        }
        input.initContainers.push_back(std::move(view));
    }
    for (const json::value& c : containersOf(pod, "containers")) {
        const json::object& container = c.as_object();
        std::string name = stringAt(container, "name");
        const ContainerRecord& rec = state.containers[name];
        ContainerView view;
        view.name = name;
        view.image = stringAt(container, "image");
        view.runtimeKind = kind;
        view.current = rec.current;
        view.previous = rec.previous;
        view.restartCount = std::max(rec.attempt, 0);
        view.waitingReason = rec.waitingReason;
        view.waitingMessage = rec.waitingMessage;
        if (rec.current) {
            view.imageId = rec.current->imageRef;
        }
        bool running = rec.current && rec.current->state == ContainerState::Running;
        view.started = running && m_deps.probes.isStarted(state.uid, name) && !rec.postStartFailed;
        view.ready = view.started && m_deps.probes.isReady(state.uid, name);
        if (!rec.current && view.waitingReason.empty()) {
            view.waitingReason = initializing ? "PodInitializing" : "ContainerCreating";
        }
        input.containers.push_back(std::move(view));
    }
    json::object status = computePodStatus(input);
    if (!state.terminalReason.empty()) {
        status["reason"] = state.terminalReason;
        status["message"] = state.terminalMessage;
    }
    return status;
}

void PodWorker::patchStatus(PodState& state, const json::object& pod) {
    json::object status = computeStatus(state, pod);
    if (kube::jsonEqual(status, state.lastSentStatus)) {
        return;
    }
    json::object patch{{"metadata", json::object{{"uid", state.uid}}}, {"status", status}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched =
        m_deps.client.patch(kube::resources::Pods, state.ns, state.name,
                            kube::PatchType::StrategicMerge, json::serialize(patch), options);
    if (!patched) {
        if (!kube::isNotFound(patched.error())) {
            log::warn(Component, "status of {}: {}", podDescription(state),
                      patched.error().message);
        }
        return;
    }
    state.lastSentStatus = std::move(status);
}

void PodWorker::cleanup(PodState& state, std::chrono::seconds grace) {
    if (!state.lastPod.empty()) {
        killAll(state, state.lastPod, grace);
    }
    for (auto& [name, rec] : state.containers) {
        for (const std::string& id : {rec.currentId, rec.previousId}) {
            if (!id.empty()) {
                (void)m_deps.runtime.stopContainer(id, std::chrono::seconds(0));
                (void)m_deps.runtime.removeContainer(id);
            }
        }
    }
    if (!state.sandboxId.empty()) {
        (void)m_deps.runtime.stopSandbox(state.sandboxId);
        (void)m_deps.runtime.removeSandbox(state.sandboxId);
    }
    // Sandboxes left by earlier agents or failed syncs.
    if (auto sandboxes = m_deps.runtime.listSandboxes()) {
        for (const SandboxStatus& s : *sandboxes) {
            auto it = s.labels.find(labels::PodUid);
            if (it != s.labels.end() && it->second == state.uid) {
                (void)m_deps.runtime.removeSandbox(s.id);
            }
        }
    }
    m_deps.probes.removePod(state.uid);
    m_deps.backoff.forgetPrefix(state.uid + "/");
    (void)m_deps.volumes.tearDown(state.uid);
    if (!state.name.empty()) {
        (void)removeTree(podLogDir(state));
    }
}

SyncResult PodWorker::terminate(PodState& state, const json::object& pod) {
    auto grace = podGrace(pod);
    refreshContainers(state);
    killAll(state, pod, grace);
    refreshContainers(state);
    state.terminal = true;
    patchStatus(state, pod);
    // The pod's containers are gone: tell the API it may remove the pod now.
    kube::DeleteOptions options;
    options.gracePeriodSeconds = 0;
    options.preconditionUid = state.uid;
    auto removed = m_deps.client.remove(kube::resources::Pods, state.ns, state.name, options);
    if (!removed && !kube::isNotFound(removed.error()) && !kube::isConflict(removed.error())) {
        log::warn(Component, "delete {}: {}", podDescription(state), removed.error().message);
        return SyncResult{RetryAfterError, false};
    }
    cleanup(state, std::chrono::seconds(0));
    return SyncResult{std::nullopt, true};
}

SyncResult PodWorker::sync(PodState& state, const json::object* podPtr) {
    if (!podPtr) {
        // Gone from the API (force-deleted, or deleted while the agent was away).
        refreshContainers(state);
        cleanup(state, std::chrono::seconds(0));
        return SyncResult{std::nullopt, true};
    }
    const json::object& pod = *podPtr;
    state.lastPod = pod;
    state.ns = std::string(kube::namespaceOf(pod));
    state.name = std::string(kube::name(pod));
    if (state.startTime == TimePoint{}) {
        auto existing = parseTime(stringAt(objectAt(pod, "status"), "startTime"));
        state.startTime = existing ? *existing : m_deps.clock.now();
    }
    if (kube::hasDeletionTimestamp(pod)) {
        return terminate(state, pod);
    }
    refreshContainers(state);
    std::string phase = stringAt(objectAt(pod, "status"), "phase");
    if ((phase == "Succeeded" || phase == "Failed") && !state.terminal) {
        state.terminal = true; // Decided before (maybe by an earlier agent).
    }
    if (state.terminal) {
        killAll(state, pod, podGrace(pod));
        if (!state.sandboxId.empty() && state.sandboxReady) {
            (void)m_deps.runtime.stopSandbox(state.sandboxId);
            state.sandboxReady = false;
        }
        refreshContainers(state);
        patchStatus(state, pod);
        return SyncResult{};
    }
    const json::object* spec = objectAt(pod, "spec");
    if (auto deadline = kube::integerAt(*spec, "activeDeadlineSeconds")) {
        if (m_deps.clock.now() - state.startTime >= std::chrono::seconds(*deadline)) {
            state.terminal = true;
            state.terminalReason = "DeadlineExceeded";
            state.terminalMessage = "Pod was active on the node longer than the specified deadline";
            event(pod, "Normal", "DeadlineExceeded", state.terminalMessage);
            killAll(state, pod, podGrace(pod));
            refreshContainers(state);
            patchStatus(state, pod);
            return SyncResult{};
        }
    }

    std::optional<TimePoint> wake;
    auto wakeAt = [&](TimePoint t) {
        if (!wake || t < *wake) {
            wake = t;
        }
    };
    if (!ensureVolumes(state, pod)) {
        patchStatus(state, pod);
        return SyncResult{std::chrono::duration_cast<std::chrono::nanoseconds>(RetryAfterError)};
    }
    if (!ensureSandbox(state, pod)) {
        patchStatus(state, pod);
        return SyncResult{std::chrono::duration_cast<std::chrono::nanoseconds>(RetryAfterError)};
    }
    std::string restartPolicy = restartPolicyOf(pod);

    // A running container whose liveness or startup probe failed, or whose image changed, is
    // killed here and restarted below like any exited container.
    auto checkRunning = [&](const json::object& container) {
        std::string name = stringAt(container, "name");
        ContainerRecord& rec = state.containers[name];
        if (stateOf(rec) != ContainerState::Running) {
            return;
        }
        if (auto reason = m_deps.probes.restartReason(state.uid, name, rec.currentId)) {
            killContainer(
                state, pod, container, podGrace(pod),
                fmt::format("Container {} failed {} probe, will be restarted", name, *reason));
            refreshContainers(state);
        } else if (!rec.image.empty() && rec.image != stringAt(container, "image")) {
            killContainer(state, pod, container, podGrace(pod),
                          fmt::format("Container {} definition changed, will be restarted", name));
            refreshContainers(state);
            m_deps.backoff.forget(state.uid + "/" + name);
            if (rec.current) {
                rec.current->finishedAt = {}; // Restart at once, not as a crash.
            }
        }
    };

    // Once a regular container ran, the pod was initialized: init containers are not re-run
    // and restarting sidecars no longer hold the regular containers back.
    bool initializedBefore = false;
    for (const json::value& c : containersOf(pod, "containers")) {
        initializedBefore =
            initializedBefore || state.containers[stringAt(c.as_object(), "name")].attempt >= 0;
    }
    bool initialized = true;
    for (const json::value& c : containersOf(pod, "initContainers")) {
        const json::object& container = c.as_object();
        std::string name = stringAt(container, "name");
        ContainerRecord& rec = state.containers[name];
        if (isRestartableInitContainer(container)) {
            checkRunning(container);
            ContainerState st = stateOf(rec);
            bool waitForIt = false;
            if (st == ContainerState::Running) {
                waitForIt = !m_deps.probes.isStarted(state.uid, name) || rec.postStartFailed;
            } else if (st == ContainerState::Created) {
                (void)m_deps.runtime.startContainer(rec.currentId);
                waitForIt = true;
            } else if (auto at = startWithBackoff(state, pod, container)) {
                wakeAt(*at);
                waitForIt = true;
            } else {
                waitForIt = kube::objectAt(container, "startupProbe") != nullptr;
            }
            if (waitForIt && !initializedBefore) {
                initialized = false;
                break;
            }
            continue;
        }
        if (initializedBefore || exitedWith(rec, 0)) {
            continue;
        }
        ContainerState st = stateOf(rec);
        initialized = false;
        if (st == ContainerState::Running || st == ContainerState::Created) {
            if (st == ContainerState::Created) {
                (void)m_deps.runtime.startContainer(rec.currentId);
            }
            break;
        }
        if (st == ContainerState::Exited && restartPolicy == "Never") {
            state.terminal = true; // A failed init container fails the pod.
            break;
        }
        if (auto at = startWithBackoff(state, pod, container)) {
            wakeAt(*at);
        }
        refreshContainers(state);
        if (exitedWith(rec, 0)) {
            initialized = true;
            continue; // Finished already (fast init containers): go on in this sync.
        }
        break;
    }

    if (initialized && !state.terminal) {
        bool anyWillRun = false;
        for (const json::value& c : containersOf(pod, "containers")) {
            const json::object& container = c.as_object();
            std::string name = stringAt(container, "name");
            ContainerRecord& rec = state.containers[name];
            checkRunning(container);
            ContainerState st = stateOf(rec);
            if (st == ContainerState::Running) {
                anyWillRun = true;
                continue;
            }
            if (st == ContainerState::Created) {
                (void)m_deps.runtime.startContainer(rec.currentId);
                anyWillRun = true;
                continue;
            }
            if (st == ContainerState::Exited) {
                bool restart = restartPolicy == "Always" ||
                               (restartPolicy == "OnFailure" && rec.current->exitCode != 0);
                if (!restart) {
                    continue;
                }
            }
            anyWillRun = true;
            if (auto at = startWithBackoff(state, pod, container)) {
                wakeAt(*at);
            }
        }
        refreshContainers(state);
        if (!anyWillRun && restartPolicy != "Always") {
            state.terminal = true; // Ran to completion.
        }
    }
    if (state.terminal) {
        killAll(state, pod, podGrace(pod));
        if (!state.sandboxId.empty()) {
            (void)m_deps.runtime.stopSandbox(state.sandboxId);
            state.sandboxReady = false;
        }
        refreshContainers(state);
    }
    ensureProbes(state, pod);
    patchStatus(state, pod);

    SyncResult result;
    auto resync = std::chrono::duration_cast<std::chrono::nanoseconds>(m_config.resync);
    result.requeueAfter = resync;
    if (wake) {
        auto delay =
            std::chrono::duration_cast<std::chrono::nanoseconds>(*wake - m_deps.clock.now());
        result.requeueAfter = std::clamp(delay, std::chrono::nanoseconds(0), resync);
    }
    return result;
}

} // namespace pilot::agent
