#include "engine/scheduler/scheduler.h"
#include "core/threadname.h"

#include "core/log.h"
#include "engine/scheduler/podupdates.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::scheduler {

namespace json = boost::json;

namespace {

/// How long the scheduling loop waits for a pod before applying cache changes anyway.
constexpr auto IdleApplyInterval = std::chrono::milliseconds(200);

std::string nodeNameOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
}

std::string_view schedulerNameOf(const json::object& pod) {
    const json::object* spec = kube::objectAt(pod, "spec");
    const json::value* name = spec != nullptr ? spec->if_contains("schedulerName") : nullptr;
    return name != nullptr && name->is_string() && !name->get_string().empty()
               ? std::string_view(name->get_string())
               : DefaultSchedulerName;
}

std::string nominatedNameOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "nominatedNodeName");
}

bool labelsDiffer(const json::object& a, const json::object& b) {
    const json::object* la = kube::labels(a);
    const json::object* lb = kube::labels(b);
    if (la == nullptr || lb == nullptr) {
        return (la == nullptr ? 0 : la->size()) != (lb == nullptr ? 0 : lb->size());
    }
    return *la != *lb;
}

} // namespace

Scheduler::Scheduler(kube::ApiClient& client, SchedulerOptions options)
    : m_client(client), m_options(std::move(options)),
      m_clock(m_options.clock != nullptr ? *m_options.clock : m_systemClock),
      m_queue(m_clock, m_options.queue), m_algorithm(m_options.algorithm),
      m_preemptor(m_algorithm.random()), m_recorder(client, m_clock, m_options.schedulerName),
      m_workers(m_options.apiWorkers) {
    m_resolver = [this](std::string_view className) { return priorityOf(className); };
    m_algorithm.setVolumeBinding(&m_volumeBinding);
}

Scheduler::~Scheduler() {
    stop();
}

std::optional<int32_t> Scheduler::priorityOf(std::string_view className) const {
    std::lock_guard lock(m_priorityMutex);
    auto it = m_priorityClasses.find(std::string(className));
    if (it == m_priorityClasses.end()) {
        return std::nullopt;
    }
    return it->second;
}

bool Scheduler::responsibleFor(const PodInfo& pod) const {
    return pod.schedulerName == m_options.schedulerName && !pod.terminating && !pod.finished;
}

void Scheduler::post(CacheOp op) {
    std::lock_guard lock(m_inboxMutex);
    m_inbox.push_back(std::move(op));
}

void Scheduler::setUp(controllers::SharedInformers& informers) {
    m_volumeBinding.setUp(informers,
                          [this] { m_queue.moveAllToActiveOrBackoff(ClusterEvent::VolumeChange); });
    informers.forResource(kube::resources::Pods)
        .addHandlers(
            {[this](const kube::ObjectPtr& o) { onPodAdd(o); },
             [this](const kube::ObjectPtr& p, const kube::ObjectPtr& o) { onPodUpdate(p, o); },
             [this](const kube::ObjectPtr& o) { onPodDelete(o); }});

    auto nodeChanged = [this](const kube::ObjectPtr& previous, const kube::ObjectPtr& object) {
        NodeSpecPtr node = makeNodeSpec(object);
        bool relevant =
            previous == nullptr || schedulingRelevantChange(*makeNodeSpec(previous), *node);
        post(CacheOp{CacheOp::Kind::UpsertNode, nullptr, node, {}, {}});
        if (relevant) {
            m_queue.moveAllToActiveOrBackoff(previous == nullptr ? ClusterEvent::NodeAdd
                                                                 : ClusterEvent::NodeUpdate);
        }
    };
    informers.forResource(kube::resources::Nodes)
        .addHandlers(
            {[nodeChanged](const kube::ObjectPtr& o) { nodeChanged(nullptr, o); }, nodeChanged,
             [this](const kube::ObjectPtr& o) {
                 post(CacheOp{
                     CacheOp::Kind::RemoveNode, nullptr, nullptr, std::string(kube::name(*o)), {}});
             }});

    auto namespaceChanged = [this](const kube::ObjectPtr& previous, const kube::ObjectPtr& object) {
        const json::object* labels = kube::labels(*object);
        post(CacheOp{CacheOp::Kind::SetNamespace, nullptr, nullptr,
                     std::string(kube::name(*object)),
                     labels != nullptr ? *labels : json::object()});
        if (previous != nullptr && labelsDiffer(*previous, *object)) {
            m_queue.moveAllToActiveOrBackoff(ClusterEvent::NamespaceUpdate);
        }
    };
    informers.forResource(kube::resources::Namespaces)
        .addHandlers(
            {[namespaceChanged](const kube::ObjectPtr& o) { namespaceChanged(nullptr, o); },
             namespaceChanged,
             [this](const kube::ObjectPtr& o) {
                 post(CacheOp{CacheOp::Kind::RemoveNamespace,
                              nullptr,
                              nullptr,
                              std::string(kube::name(*o)),
                              {}});
             }});

    auto classChanged = [this](const kube::ObjectPtr& object) {
        auto value = kube::integerAt(*object, "value");
        std::lock_guard lock(m_priorityMutex);
        m_priorityClasses[std::string(kube::name(*object))] =
            static_cast<int32_t>(value.value_or(0));
    };
    informers.forResource(PriorityClasses)
        .addHandlers(
            {classChanged,
             [classChanged](const kube::ObjectPtr&, const kube::ObjectPtr& o) { classChanged(o); },
             [this](const kube::ObjectPtr& o) {
                 std::lock_guard lock(m_priorityMutex);
                 m_priorityClasses.erase(std::string(kube::name(*o)));
             }});
}

void Scheduler::onPodAdd(const kube::ObjectPtr& object) {
    if (nodeNameOf(*object).empty() && schedulerNameOf(*object) != m_options.schedulerName) {
        return; // another scheduler's pending pod: nothing to cache, nothing to queue
    }
    PodInfoPtr pod = makePodInfo(object, m_resolver);
    if (!pod->nodeName.empty()) {
        post(CacheOp{CacheOp::Kind::AddOrUpdatePod, pod, nullptr, {}, {}});
        m_queue.remove(pod->key);
        if (!pod->finished) {
            m_queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodAdd);
        }
        return;
    }
    if (!responsibleFor(*pod)) {
        return;
    }
    m_queue.add(pod);
    if (!pod->nominatedNodeName.empty()) {
        post(CacheOp{CacheOp::Kind::SetNomination, pod, nullptr, pod->nominatedNodeName, {}});
    }
}

void Scheduler::onPodUpdate(const kube::ObjectPtr& previous, const kube::ObjectPtr& object) {
    PodInfoPtr pod = makePodInfo(object, m_resolver);
    if (!pod->nodeName.empty()) {
        post(CacheOp{CacheOp::Kind::AddOrUpdatePod, pod, nullptr, {}, {}});
        if (nodeNameOf(*previous).empty()) {
            // Bound: by us (confirming the assumed pod) or by someone else.
            m_queue.remove(pod->key);
            post(CacheOp{CacheOp::Kind::ClearNomination, nullptr, nullptr, pod->uid, {}});
            m_queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodAdd);
        } else if (pod->finished) {
            m_queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodDelete);
        } else if (labelsDiffer(*previous, *object)) {
            m_queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodUpdate);
        }
        return;
    }
    if (!responsibleFor(*pod)) {
        m_queue.remove(pod->key);
        post(CacheOp{CacheOp::Kind::ClearNomination, nullptr, nullptr, pod->uid, {}});
        return;
    }
    m_queue.update(pod);
    if (pod->nominatedNodeName != nominatedNameOf(*previous)) {
        post(CacheOp{pod->nominatedNodeName.empty() ? CacheOp::Kind::ClearNomination
                                                    : CacheOp::Kind::SetNomination,
                     pod,
                     nullptr,
                     pod->nominatedNodeName.empty() ? pod->uid : pod->nominatedNodeName,
                     {}});
    }
}

void Scheduler::onPodDelete(const kube::ObjectPtr& last) {
    std::string uid(kube::uid(*last));
    m_recorder.forget(uid);
    if (!nodeNameOf(*last).empty()) {
        post(CacheOp{CacheOp::Kind::RemovePod, nullptr, nullptr, uid, {}});
        m_queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodDelete);
        return;
    }
    m_queue.remove(kube::objectKey(*last));
    post(CacheOp{CacheOp::Kind::ClearNomination, nullptr, nullptr, uid, {}});
}

void Scheduler::applyInbox() {
    std::vector<CacheOp> ops;
    {
        std::lock_guard lock(m_inboxMutex);
        ops.swap(m_inbox);
    }
    for (CacheOp& op : ops) {
        switch (op.kind) {
        case CacheOp::Kind::UpsertNode:
            m_cache.upsertNode(std::move(op.node));
            break;
        case CacheOp::Kind::RemoveNode:
            m_cache.removeNode(op.name);
            break;
        case CacheOp::Kind::AddOrUpdatePod:
            m_cache.addOrUpdatePod(op.pod);
            break;
        case CacheOp::Kind::RemovePod:
            m_cache.removePod(op.name);
            break;
        case CacheOp::Kind::ForgetPod:
            m_cache.forgetPod(op.name);
            break;
        case CacheOp::Kind::SetNomination:
            m_cache.setNomination(op.pod, op.name);
            break;
        case CacheOp::Kind::ClearNomination:
            m_cache.clearNomination(op.name);
            break;
        case CacheOp::Kind::SetNamespace:
            m_cache.setNamespaceLabels(op.name, std::move(op.labels));
            break;
        case CacheOp::Kind::RemoveNamespace:
            m_cache.removeNamespace(op.name);
            break;
        }
    }
}

void Scheduler::start() {
    if (m_running.exchange(true)) {
        return;
    }
    m_workers.start();
    m_volumeBinding.start();
    m_thread = std::thread([this] {
        setThreadName("scheduler");
        run();
    });
}

void Scheduler::stop() {
    if (!m_running.exchange(false)) {
        return;
    }
    m_queue.close();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    m_volumeBinding.stop();
    m_workers.stop();
}

void Scheduler::run() {
    while (m_running) {
        std::optional<QueuedPodInfo> info = m_queue.popFor(IdleApplyInterval);
        applyInbox();
        if (info) {
            scheduleOne(std::move(*info));
        } else if (m_queue.closed()) {
            return;
        }
    }
}

void Scheduler::scheduleOne(QueuedPodInfo info) {
    ++m_attempts;
    PodInfoPtr pod = info.pod;
    if (m_cache.pod(pod->uid) != nullptr) {
        m_queue.done(pod->key); // bound meanwhile, or still assumed from an earlier attempt
        return;
    }
    int64_t cycle = m_queue.schedulingCycle();
    CycleOutcome outcome = scheduleWithPreemption(m_algorithm, m_preemptor, *pod, m_cache);
    if (outcome.result.node.empty()) {
        handleFailure(std::move(info), std::move(outcome), cycle);
        return;
    }
    PodInfoPtr assumed = withNodeName(pod, outcome.result.node);
    m_cache.assumePod(assumed);
    m_cache.clearNomination(pod->uid);
    ++m_assumed;
    std::string key = pod->key;
    const NodeInfo* nodeInfo = m_cache.nodeInfo(outcome.result.node);
    NodeSpecPtr node = nodeInfo != nullptr ? nodeInfo->nodePtr() : nullptr;
    m_workers.submit(key, [this, info = std::move(info), assumed = std::move(assumed),
                           volumes = std::move(outcome.result.volumes),
                           node = std::move(node)]() mutable {
        bind(std::move(info), std::move(assumed), std::move(volumes), std::move(node));
    });
}

void Scheduler::bind(QueuedPodInfo info, PodInfoPtr assumed, PodVolumes volumes, NodeSpecPtr node) {
    if (volumes.toBind.empty() || node == nullptr) {
        bindToNode(std::move(info), std::move(assumed));
        return;
    }
    // PreBind: the pod's WaitForFirstConsumer claims are bound to the node first.
    std::string key = info.pod->key;
    m_volumeBinding.bindPodVolumes(
        m_client, volumes, *node, m_options.volumeBindTimeout,
        [this, key, info, assumed](Status status) mutable {
            if (!status) {
                bindingFailed(info, assumed->nodeName,
                              fmt::format("running PreBind plugin \"VolumeBinding\": {}",
                                          status.error().message));
                return;
            }
            m_workers.submit(
                key, [this, info = std::move(info), assumed = std::move(assumed)]() mutable {
                    bindToNode(std::move(info), std::move(assumed));
                });
        });
}

void Scheduler::bindingFailed(const QueuedPodInfo& info, const std::string& node,
                              std::string message) {
    const PodInfo& pod = *info.pod;
    ++m_bindFailures;
    post(CacheOp{CacheOp::Kind::ForgetPod, nullptr, nullptr, pod.uid, {}});
    m_queue.addBackoff(info);
    log::warn("scheduler", "binding pod {} to {}: {}", pod.key, node, message);
    PodInfoPtr podPtr = info.pod;
    m_workers.submit(pod.key, [this, podPtr, message = std::move(message)] {
        m_recorder.record(*podPtr, "Warning", "FailedScheduling", "Scheduling", message);
        updatePodScheduledCondition(m_client, *podPtr, "SchedulerError", message, std::nullopt,
                                    m_clock);
    });
}

void Scheduler::bindToNode(QueuedPodInfo info, PodInfoPtr assumed) {
    const PodInfo& pod = *info.pod;
    auto bound = bindPod(m_client, pod, assumed->nodeName);
    if (bound) {
        ++m_bound;
        m_queue.done(pod.key);
        m_recorder.record(
            pod, "Normal", "Scheduled", "Binding",
            fmt::format("Successfully assigned {}/{} to {}", pod.ns, pod.name, assumed->nodeName));
        return;
    }
    ++m_bindFailures;
    post(CacheOp{CacheOp::Kind::ForgetPod, nullptr, nullptr, pod.uid, {}});
    const kube::ApiError& error = bound.error();
    if (kube::isNotFound(error) || kube::isConflict(error)) {
        // Deleted, bound elsewhere or being deleted: nothing left to schedule.
        m_queue.done(pod.key);
        return;
    }
    m_queue.addBackoff(info);
    std::string message = fmt::format("running Bind plugin \"DefaultBinder\": {}", error.message);
    log::warn("scheduler", "binding pod {} to {}: {}", pod.key, assumed->nodeName, error.message);
    m_recorder.record(pod, "Warning", "FailedScheduling", "Scheduling", message);
    updatePodScheduledCondition(m_client, pod, "SchedulerError", message, std::nullopt, m_clock);
}

void Scheduler::handleFailure(QueuedPodInfo info, CycleOutcome outcome, int64_t cycle) {
    PodInfoPtr pod = info.pod;
    std::optional<std::string> nomination;
    if (!outcome.preemption) {
        m_queue.addBackoff(std::move(info));
    } else {
        ++m_unschedulable;
        const PreemptionResult& preemption = *outcome.preemption;
        if (!preemption.nominatedNode.empty()) {
            ++m_preemptions;
            nomination = preemption.nominatedNode;
            m_cache.setNomination(pod, preemption.nominatedNode);
            for (const PodInfoPtr& victim : preemption.victims) {
                if (victim->terminating) {
                    continue;
                }
                std::string node = preemption.nominatedNode;
                m_workers.submit(victim->key, [this, victim, pod, node] {
                    preemptVictim(m_client, m_recorder, *victim, *pod, node, m_clock);
                });
            }
            for (const PodInfoPtr& other : preemption.clearNominations) {
                m_cache.clearNomination(other->uid);
                m_workers.submit(other->key,
                                 [this, other] { clearNominatedNodeName(m_client, *other); });
            }
        } else if (preemption.clearOwnNomination && !pod->nominatedNodeName.empty()) {
            nomination = std::string();
            m_cache.clearNomination(pod->uid);
        }
        info.unschedulablePlugins = outcome.unschedulablePlugins;
        m_queue.addUnschedulable(std::move(info), cycle);
    }
    log::debug("scheduler", "pod {} unschedulable: {}", pod->key, outcome.message);
    m_workers.submit(pod->key, [this, pod, reason = std::move(outcome.reason),
                                message = std::move(outcome.message), nomination] {
        m_recorder.record(*pod, "Warning", "FailedScheduling", "Scheduling", message);
        updatePodScheduledCondition(m_client, *pod, reason, message, nomination, m_clock);
    });
}

Scheduler::Stats Scheduler::stats() const {
    return Stats{m_attempts.load(),     m_assumed.load(),       m_bound.load(),
                 m_bindFailures.load(), m_unschedulable.load(), m_preemptions.load()};
}

} // namespace pilot::scheduler
