#include "nodeagent/pod/podmanager.h"

#include "core/log.h"
#include "core/threadname.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <algorithm>

namespace pilot::agent {
namespace json = boost::json;

namespace {

constexpr const char* Component = "pods";

int attemptOf(const Labels& labels) {
    auto it = labels.find(labels::RestartCount);
    if (it == labels.end()) {
        return 0;
    }
    return std::atoi(it->second.c_str());
}

std::string labelOf(const Labels& labels, const char* key) {
    auto it = labels.find(key);
    return it == labels.end() ? std::string() : it->second;
}

} // namespace

PodManager::PodManager(kube::ApiClient& client, Runtime& runtime, Executor& executor,
                       EventSink& events, VolumeSources& sources, PodManagerOptions options,
                       const Clock* clock)
    : m_client(client), m_runtime(runtime), m_executor(executor), m_events(events),
      m_sources(sources), m_options(std::move(options)), m_clock(clock ? *clock : m_systemClock) {
    m_volumes = std::make_unique<VolumeManager>(m_sources, m_options.podsDir, &m_clock);
    m_probes = std::make_unique<ProbeManager>(
        m_runtime, m_executor, [this](const std::string& uid) { m_queue.add(uid); },
        [this](const ProbeEvent& event) { onProbeEvent(event); }, &m_clock);
    m_backoff = std::make_unique<CrashBackoff>(m_clock);
    m_worker = std::make_unique<PodWorker>(PodWorkerDeps{m_client, m_runtime, *m_volumes, m_sources,
                                                         *m_probes, m_events, *m_backoff, m_clock},
                                           m_options.worker);
}

PodManager::~PodManager() {
    stop();
}

Status PodManager::adopt() {
    auto sandboxes = m_runtime.listSandboxes();
    if (!sandboxes) {
        return std::unexpected(sandboxes.error());
    }
    auto containers = m_runtime.listContainers();
    if (!containers) {
        return std::unexpected(containers.error());
    }
    std::lock_guard lock(m_mutex);
    auto stateFor = [&](const std::string& uid, const Labels& labels) -> PodState& {
        auto& state = m_states[uid];
        if (!state) {
            state = std::make_shared<PodState>();
            state->uid = uid;
            state->ns = labelOf(labels, labels::PodNamespace);
            state->name = labelOf(labels, labels::PodName);
            m_keys[uid] = state->ns + "/" + state->name;
        }
        return *state;
    };
    for (const SandboxStatus& sandbox : *sandboxes) {
        std::string uid = labelOf(sandbox.labels, labels::PodUid);
        if (uid.empty()) {
            continue;
        }
        PodState& state = stateFor(uid, sandbox.labels);
        // The newest ready sandbox wins; older ones go when the pod is cleaned up.
        if (state.sandboxId.empty() || sandbox.state == SandboxState::Ready) {
            state.sandboxId = sandbox.id;
            state.sandboxReady = sandbox.state == SandboxState::Ready;
            state.podIp = sandbox.ip.empty() ? m_options.worker.nodeIp : sandbox.ip;
        }
    }
    // Per pod and container name, the highest attempt is current, the next one previous.
    std::map<std::pair<std::string, std::string>, std::vector<const ContainerStatus*>> attempts;
    for (const ContainerStatus& c : *containers) {
        std::string uid = labelOf(c.labels, labels::PodUid);
        std::string name = labelOf(c.labels, labels::ContainerName);
        if (uid.empty() || name.empty()) {
            continue;
        }
        stateFor(uid, c.labels);
        attempts[{uid, name}].push_back(&c);
    }
    size_t adopted = 0;
    for (auto& [key, list] : attempts) {
        std::sort(list.begin(), list.end(), [](const ContainerStatus* a, const ContainerStatus* b) {
            return attemptOf(a->labels) > attemptOf(b->labels);
        });
        ContainerRecord& rec = m_states[key.first]->containers[key.second];
        rec.currentId = list[0]->id;
        rec.attempt = attemptOf(list[0]->labels);
        rec.image = labelOf(list[0]->labels, labels::Image);
        if (list.size() > 1) {
            rec.previousId = list[1]->id;
        }
        for (size_t i = 2; i < list.size(); ++i) {
            (void)m_runtime.removeContainer(list[i]->id); // Older attempts than kubelet keeps.
        }
        ++adopted;
    }
    log::info(Component, "adopted {} pods and {} containers from the {} runtime", m_states.size(),
              adopted, m_runtime.kind());
    return {};
}

void PodManager::start() {
    m_runtime.setEventHandler([this](const ContainerEvent& event) { onContainerEvent(event); });
    kube::InformerOptions options;
    options.resource = kube::resources::Pods;
    options.fieldSelector = "spec.nodeName=" + m_options.nodeName;
    m_informer = std::make_unique<kube::Informer>(m_client, std::move(options));
    kube::InformerHandlers handlers;
    handlers.onAdd = [this](const kube::ObjectPtr& pod) { enqueue(pod); };
    handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& pod) {
        enqueue(pod);
    };
    handlers.onDelete = [this](const kube::ObjectPtr& pod) { enqueue(pod); };
    m_informer->addHandlers(std::move(handlers));
    m_informer->start();
    m_dispatcher = std::thread([this] {
        setThreadName("pod-dispatch");
        dispatch();
    });
}

bool PodManager::waitForSync(std::chrono::steady_clock::time_point deadline) {
    if (!m_informer || !m_informer->waitForSync(deadline)) {
        return false;
    }
    // Pods the runtime still runs but the API no longer has: queue them for removal.
    std::vector<std::string> uids;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [uid, state] : m_states) {
            uids.push_back(uid);
        }
    }
    for (const std::string& uid : uids) {
        m_queue.add(uid);
    }
    return true;
}

void PodManager::stop() {
    if (m_stopping.exchange(true)) {
        return;
    }
    m_runtime.setEventHandler(nullptr);
    m_queue.shutDown();
    if (m_informer) {
        m_informer->stop();
    }
    if (m_dispatcher.joinable()) {
        m_dispatcher.join();
    }
    m_probes->stop();
}

void PodManager::enqueue(const kube::ObjectPtr& pod) {
    std::string uid(kube::uid(*pod));
    {
        std::lock_guard lock(m_mutex);
        m_keys[uid] = kube::objectKey(*pod);
    }
    m_queue.add(uid);
}

void PodManager::dispatch() {
    while (auto uid = m_queue.get()) {
        std::string key = *uid;
        m_executor.post([this, key] { process(key); });
    }
}

void PodManager::process(const std::string& uid) {
    if (m_stopping) {
        m_queue.done(uid);
        return;
    }
    std::shared_ptr<PodState> state;
    std::string key;
    {
        std::lock_guard lock(m_mutex);
        auto& slot = m_states[uid];
        if (!slot) {
            slot = std::make_shared<PodState>();
            slot->uid = uid;
        }
        state = slot;
        auto it = m_keys.find(uid);
        if (it != m_keys.end()) {
            key = it->second;
        }
    }
    kube::ObjectPtr pod = key.empty() ? nullptr : m_informer->cache().get(key);
    if (pod && kube::uid(*pod) != uid) {
        pod = nullptr; // Replaced by a new pod of the same name.
    }
    SyncResult result;
    try {
        result = m_worker->sync(*state, pod ? pod.get() : nullptr);
    } catch (const std::exception& e) {
        log::error(Component, "sync of pod {} ({}) threw: {}", key, uid, e.what());
        result.requeueAfter = std::chrono::seconds(5);
    }
    if (result.forget) {
        std::lock_guard lock(m_mutex);
        m_states.erase(uid);
        m_keys.erase(uid);
        m_published.erase(uid);
    } else {
        publish(*state);
        if (result.requeueAfter) {
            m_queue.addAfter(uid, *result.requeueAfter);
        }
    }
    m_queue.done(uid);
}

void PodManager::publish(const PodState& state) {
    PodContainers published;
    published.uid = state.uid;
    published.ns = state.ns;
    published.name = state.name;
    published.startTime = state.startTime;
    for (const auto& [name, rec] : state.containers) {
        PodContainers::Entry entry;
        entry.name = name;
        entry.currentId = rec.currentId;
        entry.previousId = rec.previousId;
        if (rec.current) {
            entry.currentLog = rec.current->logPath;
            entry.running = rec.current->state == ContainerState::Running;
            entry.startedAt = rec.current->startedAt;
        }
        if (rec.previous) {
            entry.previousLog = rec.previous->logPath;
        }
        if (entry.currentLog.empty() && rec.attempt >= 0) {
            entry.currentLog = m_worker->logPath(state, name, rec.attempt);
        }
        if (entry.previousLog.empty() && rec.attempt >= 1 && !rec.previousId.empty()) {
            entry.previousLog = m_worker->logPath(state, name, rec.attempt - 1);
        }
        published.containers.push_back(std::move(entry));
    }
    std::lock_guard lock(m_mutex);
    m_published[state.uid] = std::move(published);
}

std::vector<kube::ObjectPtr> PodManager::pods() const {
    if (!m_informer) {
        return {};
    }
    return m_informer->cache().list();
}

kube::ObjectPtr PodManager::pod(const std::string& ns, const std::string& name) const {
    if (!m_informer) {
        return nullptr;
    }
    return m_informer->cache().get(kube::objectKey(ns, name));
}

std::optional<ContainerLocation> PodManager::locate(const std::string& ns, const std::string& pod,
                                                    const std::string& container,
                                                    bool previous) const {
    std::lock_guard lock(m_mutex);
    for (const auto& [uid, published] : m_published) {
        if (published.ns != ns || published.name != pod) {
            continue;
        }
        for (const auto& entry : published.containers) {
            if (entry.name != container) {
                continue;
            }
            ContainerLocation location;
            location.podUid = uid;
            if (previous) {
                if (entry.previousId.empty()) {
                    return std::nullopt;
                }
                location.containerId = entry.previousId;
                location.logPath = entry.previousLog;
                return location;
            }
            if (entry.currentId.empty()) {
                return std::nullopt;
            }
            location.containerId = entry.currentId;
            location.logPath = entry.currentLog;
            location.running = entry.running;
            return location;
        }
    }
    return std::nullopt;
}

std::vector<PodContainers> PodManager::snapshot() const {
    std::lock_guard lock(m_mutex);
    std::vector<PodContainers> out;
    out.reserve(m_published.size());
    for (const auto& [uid, published] : m_published) {
        out.push_back(published);
    }
    return out;
}

size_t PodManager::runningPods() const {
    std::lock_guard lock(m_mutex);
    size_t count = 0;
    for (const auto& [uid, published] : m_published) {
        count += std::any_of(published.containers.begin(), published.containers.end(),
                             [](const PodContainers::Entry& e) { return e.running; });
    }
    return count;
}

void PodManager::onContainerEvent(const ContainerEvent& event) {
    auto status = m_runtime.containerStatus(event.containerId);
    if (!status) {
        return;
    }
    std::string uid = labelOf(status->labels, labels::PodUid);
    if (!uid.empty()) {
        m_queue.add(uid);
    }
}

void PodManager::onProbeEvent(const ProbeEvent& event) {
    std::shared_ptr<PodState> state;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_states.find(event.podUid);
        if (it == m_states.end()) {
            return;
        }
        state = it->second;
    }
    std::string key = state->ns + "/" + state->name;
    kube::ObjectPtr pod = m_informer ? m_informer->cache().get(key) : nullptr;
    if (!pod) {
        return;
    }
    // kubelet's wording (pkg/kubelet/prober/prober.go).
    std::string_view kind = probeKindName(event.kind);
    switch (event.result) {
    case ProbeResult::Warning:
        m_events.record(*pod, "Warning", "ProbeWarning",
                        fmt::format("{} probe warning: {}", kind, event.message));
        return;
    case ProbeResult::Unknown:
        m_events.record(
            *pod, "Warning", "Unhealthy",
            fmt::format("{} probe errored and resulted in unknown state: {}", kind, event.message));
        return;
    case ProbeResult::Success:
    case ProbeResult::Failure:
        break;
    }
    m_events.record(*pod, "Warning", "Unhealthy",
                    fmt::format("{} probe failed: {}", kind, event.message));
}

} // namespace pilot::agent
