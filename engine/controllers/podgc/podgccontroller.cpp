#include "engine/controllers/podgc/podgccontroller.h"

#include "core/log.h"
#include "engine/controllers/common/podutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "pod-garbage-collector";
constexpr std::string_view TaintOutOfService = "node.kubernetes.io/out-of-service";

std::string phaseOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

std::string nodeNameOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
}

/// Not Pending, Running or Unknown (upstream's isPodTerminated: a pod without a phase counts).
bool isTerminated(const json::object& pod) {
    const std::string phase = phaseOf(pod);
    return phase != "Pending" && phase != "Running" && phase != "Unknown";
}

/// A status condition by type, or nullptr.
const json::object* conditionOf(const json::object& object, std::string_view type) {
    const json::object* status = kube::objectAt(object, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    for (size_t i = 0; conditions && i < conditions->size(); ++i) {
        const json::object* c = (*conditions)[i].if_object();
        if (c && kube::stringAt(*c, "type") == type) {
            return c;
        }
    }
    return nullptr;
}

bool isNodeReady(const json::object& node) {
    const json::object* ready = conditionOf(node, "Ready");
    return ready && kube::stringAt(*ready, "status") == "True";
}

bool hasTaintKey(const json::object& node, std::string_view key) {
    const json::object* spec = kube::objectAt(node, "spec");
    const json::array* taints = spec ? kube::arrayAt(*spec, "taints") : nullptr;
    for (size_t i = 0; taints && i < taints->size(); ++i) {
        const json::object* taint = (*taints)[i].if_object();
        if (taint && kube::stringAt(*taint, "key") == key) {
            return true;
        }
    }
    return false;
}

/// Evicted by a kubelet (eviction.PodIsEvicted).
bool isEvicted(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    return kube::stringAt(status, "phase") == "Failed" &&
           kube::stringAt(status, "reason") == "Evicted";
}

/// byEvictionAndCreationTimestamp: Evicted pods first, then the oldest, then by name.
void sortForDeletion(std::vector<kube::ObjectPtr>& pods) {
    auto created = [](const json::object& pod) { return creationTime(pod).value_or(TimePoint{}); };
    std::stable_sort(pods.begin(), pods.end(),
                     [&](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         const bool aEvicted = isEvicted(*a);
                         const bool bEvicted = isEvicted(*b);
                         if (aEvicted != bEvicted) {
                             return aEvicted;
                         }
                         const TimePoint aCreated = created(*a);
                         const TimePoint bCreated = created(*b);
                         if (aCreated != bCreated) {
                             return aCreated < bCreated;
                         }
                         return kube::name(*a) < kube::name(*b);
                     });
}

} // namespace

PodGCController::PodGCController(kube::ApiClient& client) : PodGCController(client, Options{}) {}

PodGCController::PodGCController(kube::ApiClient& client, Options options)
    // One worker: passes never overlap, as upstream's single gc loop.
    : QueueController(std::string(Component), 1), m_client(client), m_options(std::move(options)),
      m_clock(m_options.clock ? *m_options.clock : m_systemClock) {}

PodGCController::~PodGCController() {
    stop();
}

void PodGCController::setUp(SharedInformers& informers) {
    m_nodes = &informers.forResource(kube::resources::Nodes);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers nodes;
    nodes.onAdd = [this](const kube::ObjectPtr& node) {
        std::lock_guard lock(m_mutex);
        m_quarantine.erase(std::string(kube::name(*node)));
    };
    nodes.onDelete = [this](const kube::ObjectPtr& node) {
        quarantine(std::string(kube::name(*node)), m_clock.now());
    };
    m_nodes->addHandlers(std::move(nodes));
}

void PodGCController::start() {
    QueueController::start();
    requestPass(m_clock.now());
}

void PodGCController::resync() {
    enqueue(std::string(PassKey));
}

void PodGCController::requestPass(TimePoint at) {
    const TimePoint now = m_clock.now();
    {
        std::lock_guard lock(m_mutex);
        if (m_nextPass && *m_nextPass > now && *m_nextPass <= at) {
            return; // that pass asks for the next one
        }
        m_nextPass = at;
    }
    if (at <= now) {
        enqueue(std::string(PassKey));
        return;
    }
    if (m_options.requeueAt) {
        m_options.requeueAt(std::string(PassKey), at);
        return;
    }
    enqueueAfter(std::string(PassKey), at - now);
}

void PodGCController::quarantine(const std::string& node, TimePoint now) {
    TimePoint end;
    {
        std::lock_guard lock(m_mutex);
        auto [it, added] = m_quarantine.try_emplace(node, now + m_options.quarantineTime);
        if (!added) {
            return;
        }
        end = it->second;
    }
    log::debug(Component, "node {} is missing: its pods go at {} unless it comes back", node,
               formatTime(end));
    requestPass(end);
}

Status PodGCController::reconcile(const std::string& /*key*/) {
    const TimePoint now = m_clock.now();
    {
        std::lock_guard lock(m_mutex);
        if (m_nextPass && *m_nextPass <= now) {
            m_nextPass.reset();
        }
    }
    pass();
    TimePoint next = now + m_options.checkPeriod;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [node, end] : m_quarantine) {
            next = std::min(next, std::max(end, now));
        }
    }
    requestPass(next);
    return {};
}

void PodGCController::pass() {
    m_deleted.clear();
    const std::vector<kube::ObjectPtr> pods = m_pods->cache().list();
    if (m_options.terminatedPodThreshold > 0) {
        gcTerminated(pods);
    }
    gcTerminating(pods);
    gcOrphaned(pods, m_clock.now());
    gcUnscheduledTerminating(pods);
}

void PodGCController::gcTerminated(const std::vector<kube::ObjectPtr>& pods) {
    std::vector<kube::ObjectPtr> terminated;
    for (const kube::ObjectPtr& pod : pods) {
        if (isTerminated(*pod)) {
            terminated.push_back(pod);
        }
    }
    const auto excess = static_cast<std::ptrdiff_t>(terminated.size()) -
                        static_cast<std::ptrdiff_t>(m_options.terminatedPodThreshold);
    if (excess <= 0) {
        return;
    }
    log::info(Component, "garbage collecting {} terminated pods", excess);
    sortForDeletion(terminated);
    for (std::ptrdiff_t i = 0; i < excess; ++i) {
        if (Status deleted = markFailedAndDelete(*terminated[i], nullptr); !deleted) {
            log::warn(Component, "{}", deleted.error().message);
        }
    }
}

void PodGCController::gcTerminating(const std::vector<kube::ObjectPtr>& pods) {
    std::vector<kube::ObjectPtr> terminating;
    for (const kube::ObjectPtr& pod : pods) {
        if (!kube::hasDeletionTimestamp(*pod)) {
            continue;
        }
        kube::ObjectPtr node = m_nodes->cache().get(nodeNameOf(*pod));
        if (node && !isNodeReady(*node) && hasTaintKey(*node, TaintOutOfService)) {
            terminating.push_back(pod);
        }
    }
    if (terminating.empty()) {
        return;
    }
    log::info(Component, "garbage collecting {} pods terminating on nodes tainted with {}",
              terminating.size(), TaintOutOfService);
    sortForDeletion(terminating);
    for (const kube::ObjectPtr& pod : terminating) {
        if (Status deleted = markFailedAndDelete(*pod, nullptr); !deleted) {
            log::warn(Component, "{}", deleted.error().message);
        }
    }
}

void PodGCController::gcOrphaned(const std::vector<kube::ObjectPtr>& pods, TimePoint now) {
    std::set<std::string> existing;
    for (std::string& name : m_nodes->cache().keys()) {
        existing.insert(std::move(name));
    }
    for (const kube::ObjectPtr& pod : pods) {
        std::string node = nodeNameOf(*pod);
        if (!node.empty() && !existing.contains(node)) {
            quarantine(node, now);
        }
    }
    const std::set<std::string> deletedNodes = discoverDeletedNodes(existing, now);
    if (deletedNodes.empty()) {
        return;
    }
    json::object condition{{"type", "DisruptionTarget"},
                           {"status", "True"},
                           {"reason", "DeletionByPodGC"},
                           {"message", "PodGC: node no longer exists"}};
    for (const kube::ObjectPtr& pod : pods) {
        const std::string node = nodeNameOf(*pod);
        if (!deletedNodes.contains(node)) {
            continue;
        }
        log::info(Component, "pod {} is bound to node {}, which no longer exists: deleting it",
                  kube::objectKey(*pod), node);
        if (Status deleted = markFailedAndDelete(*pod, &condition); !deleted) {
            log::warn(Component, "{}", deleted.error().message);
        }
    }
}

std::set<std::string> PodGCController::discoverDeletedNodes(const std::set<std::string>& existing,
                                                            TimePoint now) {
    std::vector<std::string> ended;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_quarantine.begin(); it != m_quarantine.end();) {
            if (it->second <= now) {
                ended.push_back(it->first);
                it = m_quarantine.erase(it);
            } else {
                ++it;
            }
        }
    }
    std::set<std::string> deleted;
    for (const std::string& node : ended) {
        if (existing.contains(node)) {
            continue;
        }
        // The informer may lag: only the server's word that the node is gone counts.
        auto fetched = m_client.get(kube::resources::Nodes, "", node);
        if (fetched) {
            continue;
        }
        if (kube::isNotFound(fetched.error())) {
            deleted.insert(node);
            continue;
        }
        // Quarantined again at the next pass if its pods are still there.
        log::warn(Component, "cannot get node {}: {}", node, fetched.error().message);
    }
    return deleted;
}

void PodGCController::gcUnscheduledTerminating(const std::vector<kube::ObjectPtr>& pods) {
    for (const kube::ObjectPtr& pod : pods) {
        if (!kube::hasDeletionTimestamp(*pod) || !nodeNameOf(*pod).empty()) {
            continue;
        }
        log::info(Component, "pod {} is terminating and was never scheduled: deleting it",
                  kube::objectKey(*pod));
        if (Status deleted = markFailedAndDelete(*pod, nullptr); !deleted) {
            log::warn(Component, "{}", deleted.error().message);
        }
    }
}

Status PodGCController::markFailedAndDelete(const json::object& pod,
                                            const json::object* condition) {
    const std::string key = kube::objectKey(pod);
    if (!m_deleted.insert(key).second) {
        return {}; // deleted earlier in this pass
    }
    const std::string ns(kube::namespaceOf(pod));
    const std::string name(kube::name(pod));
    log::info(Component, "force deleting pod {}", key);
    const std::string phase = phaseOf(pod);
    if (phase != "Succeeded" && phase != "Failed") {
        // Without a kubelet (an orphaned pod) nothing else would ever finish the pod.
        json::object status{{"phase", "Failed"}};
        if (condition != nullptr) {
            json::object added = *condition;
            // As UpdatePodCondition: a condition whose status stays keeps its transition time.
            const json::object* existing = conditionOf(pod, kube::stringAt(*condition, "type"));
            added["lastTransitionTime"] =
                existing && kube::stringAt(*existing, "status") == kube::stringAt(added, "status")
                    ? json::value(kube::stringAt(*existing, "lastTransitionTime"))
                    : json::value(formatTime(m_clock.now()));
            status["conditions"] = json::array{std::move(added)};
        }
        json::object patch{{"metadata", json::object{{"uid", kube::uid(pod)}}},
                           {"status", std::move(status)}};
        kube::PatchOptions options;
        options.subresource = "status";
        auto patched =
            m_client.patch(kube::resources::Pods, ns, name, kube::PatchType::StrategicMerge,
                           json::serialize(patch), options);
        if (!patched) {
            if (kube::isNotFound(patched.error())) {
                return {};
            }
            return fail(patched.error().kind, fmt::format("pod {}: cannot mark it Failed: {}", key,
                                                          patched.error().message));
        }
    }
    kube::DeleteOptions options;
    options.gracePeriodSeconds = 0;
    auto removed = m_client.remove(kube::resources::Pods, ns, name, options);
    if (!removed && !kube::isNotFound(removed.error())) {
        return fail(removed.error().kind,
                    fmt::format("pod {}: cannot delete it: {}", key, removed.error().message));
    }
    return {};
}

} // namespace pilot::controllers
