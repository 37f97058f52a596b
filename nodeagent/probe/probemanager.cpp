#include "nodeagent/probe/probemanager.h"

#include "kube/jsonutil.h"

namespace pilot::agent {
namespace json = boost::json;

namespace {

int64_t field(const json::object& probe, std::string_view name, int64_t fallback) {
    int64_t value = kube::integerAt(probe, name).value_or(fallback);
    return value > 0 ? value : fallback;
}

const char* probeField(ProbeKind kind) {
    switch (kind) {
    case ProbeKind::Liveness:
        return "livenessProbe";
    case ProbeKind::Readiness:
        return "readinessProbe";
    case ProbeKind::Startup:
        return "startupProbe";
    }
    return "readinessProbe";
}

} // namespace

std::string_view probeKindName(ProbeKind kind) {
    switch (kind) {
    case ProbeKind::Liveness:
        return "Liveness";
    case ProbeKind::Readiness:
        return "Readiness";
    case ProbeKind::Startup:
        return "Startup";
    }
    return "Readiness";
}

ProbeManager::ProbeManager(Runtime& runtime, Executor& executor,
                           std::function<void(const std::string&)> onChange,
                           std::function<void(const ProbeEvent&)> onEvent, const Clock* clock)
    : m_runtime(runtime), m_executor(executor), m_onChange(std::move(onChange)),
      m_onEvent(std::move(onEvent)), m_clock(clock ? *clock : m_systemClock) {}

ProbeManager::~ProbeManager() {
    stop();
}

void ProbeManager::stop() {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    m_workers.clear();
    m_byId.clear();
}

ProbeManager::Key ProbeManager::key(const std::string& podUid, const std::string& container,
                                    ProbeKind kind) {
    return podUid + "/" + container + "/" + std::string(probeKindName(kind));
}

void ProbeManager::addContainer(const ProbeTarget& target) {
    std::vector<std::pair<uint64_t, std::chrono::nanoseconds>> toSchedule;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        for (ProbeKind kind : {ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness}) {
            const json::object* probe = kube::objectAt(target.container, probeField(kind));
            Key k = key(target.podUid, target.containerName, kind);
            auto existing = m_workers.find(k);
            if (existing != m_workers.end()) {
                if (existing->second->target.containerId == target.containerId) {
                    continue;
                }
                m_byId.erase(existing->second->id);
                m_workers.erase(existing);
            }
            if (!probe) {
                continue;
            }
            auto worker = std::make_shared<Worker>();
            worker->id = m_nextId++;
            worker->kind = kind;
            worker->target = target;
            worker->probe = *probe;
            worker->result =
                kind == ProbeKind::Liveness ? ProbeResult::Success : ProbeResult::Failure;
            m_workers[k] = worker;
            m_byId[worker->id] = worker;
            // The first probe after initialDelaySeconds from the container's start.
            auto delay = std::chrono::seconds(field(*probe, "initialDelaySeconds", 0)) -
                         (m_clock.now() - target.startedAt);
            toSchedule.emplace_back(
                worker->id, std::max(std::chrono::nanoseconds(0),
                                     std::chrono::duration_cast<std::chrono::nanoseconds>(delay)));
        }
    }
    for (auto [id, delay] : toSchedule) {
        schedule(id, delay);
    }
}

void ProbeManager::removeContainer(const std::string& podUid, const std::string& containerName) {
    std::lock_guard lock(m_mutex);
    for (ProbeKind kind : {ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness}) {
        auto it = m_workers.find(key(podUid, containerName, kind));
        if (it != m_workers.end()) {
            m_byId.erase(it->second->id);
            m_workers.erase(it);
        }
    }
}

void ProbeManager::removePod(const std::string& podUid) {
    std::lock_guard lock(m_mutex);
    std::string prefix = podUid + "/";
    for (auto it = m_workers.lower_bound(prefix);
         it != m_workers.end() && it->first.starts_with(prefix);) {
        m_byId.erase(it->second->id);
        it = m_workers.erase(it);
    }
}

bool ProbeManager::isReady(const std::string& podUid, const std::string& containerName) const {
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(key(podUid, containerName, ProbeKind::Readiness));
    return it == m_workers.end() || it->second->result == ProbeResult::Success;
}

bool ProbeManager::isStarted(const std::string& podUid, const std::string& containerName) const {
    std::lock_guard lock(m_mutex);
    auto it = m_workers.find(key(podUid, containerName, ProbeKind::Startup));
    return it == m_workers.end() || it->second->result == ProbeResult::Success;
}

std::optional<std::string> ProbeManager::restartReason(const std::string& podUid,
                                                       const std::string& containerName,
                                                       const std::string& containerId) const {
    std::lock_guard lock(m_mutex);
    for (ProbeKind kind : {ProbeKind::Startup, ProbeKind::Liveness}) {
        auto it = m_workers.find(key(podUid, containerName, kind));
        if (it != m_workers.end() && it->second->onHold &&
            it->second->target.containerId == containerId) {
            return std::string(kind == ProbeKind::Startup ? "startup" : "liveness");
        }
    }
    return std::nullopt;
}

void ProbeManager::schedule(uint64_t id, std::chrono::nanoseconds delay) {
    m_executor.postAfter(delay, [this, id] { tick(id); });
}

void ProbeManager::tick(uint64_t id) {
    std::shared_ptr<Worker> worker;
    bool startupPending = false;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_byId.find(id);
        if (m_stopped || it == m_byId.end()) {
            return; // Removed or replaced: this timer is stale.
        }
        worker = it->second;
        if (worker->onHold) {
            return;
        }
        if (worker->kind != ProbeKind::Startup) {
            auto startup = m_workers.find(
                key(worker->target.podUid, worker->target.containerName, ProbeKind::Startup));
            startupPending =
                startup != m_workers.end() && startup->second->result != ProbeResult::Success;
        }
    }
    auto period = std::chrono::seconds(field(worker->probe, "periodSeconds", 10));
    if (startupPending) {
        schedule(id, period);
        return;
    }
    HandlerContext context{&m_runtime, worker->target.containerId, worker->target.podIp,
                           &worker->target.container};
    ProbeOutcome outcome = runProbe(worker->probe, context);

    bool changed = false;
    bool reschedule = true;
    std::optional<ProbeEvent> event;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_byId.find(id);
        if (m_stopped || it == m_byId.end()) {
            return;
        }
        if (outcome.result != ProbeResult::Success) {
            event = ProbeEvent{worker->target.podUid, worker->target.containerName, worker->kind,
                               outcome.result, outcome.message};
        }
        // kubelet: a warning counts as a success; an error (Unknown) is thrown away.
        ProbeResult result =
            outcome.result == ProbeResult::Warning ? ProbeResult::Success : outcome.result;
        if (result != ProbeResult::Unknown) {
            if (result == worker->last) {
                ++worker->run;
            } else {
                worker->last = result;
                worker->run = 1;
            }
            int64_t threshold = result == ProbeResult::Success
                                    ? field(worker->probe, "successThreshold", 1)
                                    : field(worker->probe, "failureThreshold", 3);
            if (worker->run >= threshold && worker->result != result) {
                worker->result = result;
                changed = true;
            }
            if (worker->kind == ProbeKind::Startup && worker->result == ProbeResult::Success) {
                reschedule = false; // Done for this container.
            }
            if ((worker->kind == ProbeKind::Liveness || worker->kind == ProbeKind::Startup) &&
                worker->result == ProbeResult::Failure &&
                worker->run >= field(worker->probe, "failureThreshold", 3)) {
                worker->onHold = true; // Until a new container replaces this one.
                reschedule = false;
                changed = true;
            }
            worker->lastMessage = outcome.message;
        }
    }
    if (event && m_onEvent) {
        m_onEvent(*event);
    }
    if (changed && m_onChange) {
        m_onChange(worker->target.podUid);
    }
    if (reschedule) {
        schedule(id, period);
    }
}

} // namespace pilot::agent
