#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"

#include "engine/controllers/common/podutil.h"

#include "core/log.h"
#include "engine/controllers/nodelifecycle/nodetaints.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view NodeNameIndex = "spec.nodeName";
constexpr std::string_view ExcludeDisruptionLabel = "node.kubernetes.io/exclude-disruption";
constexpr int NodeHealthUpdateRetry = 5;

/// The condition statuses that map to a NoSchedule taint (nodeConditionToTaintKeyStatusMap).
std::string noScheduleTaintFor(std::string_view type, std::string_view status) {
    if (type == "Ready") {
        return status == "False"     ? std::string(TaintNotReady)
               : status == "Unknown" ? std::string(TaintUnreachable)
                                     : std::string();
    }
    if (status != "True") {
        return {};
    }
    if (type == "MemoryPressure") {
        return "node.kubernetes.io/memory-pressure";
    }
    if (type == "DiskPressure") {
        return "node.kubernetes.io/disk-pressure";
    }
    if (type == "NetworkUnavailable") {
        return "node.kubernetes.io/network-unavailable";
    }
    if (type == "PIDPressure") {
        return "node.kubernetes.io/pid-pressure";
    }
    return {};
}

bool isControllerNoScheduleTaint(std::string_view key) {
    return key == TaintUnschedulable || key == TaintNotReady || key == TaintUnreachable ||
           key == "node.kubernetes.io/memory-pressure" ||
           key == "node.kubernetes.io/disk-pressure" ||
           key == "node.kubernetes.io/network-unavailable" ||
           key == "node.kubernetes.io/pid-pressure";
}

/// The reference upstream's RecordNodeStatusChange uses: the node's name stands in for its uid.
json::object nodeReference(std::string_view name, std::string_view uid) {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Node"},
                        {"metadata", json::object{{"name", name}, {"uid", uid}}}};
}

} // namespace

NodeLifecycleController::NodeLifecycleController(kube::ApiClient& client)
    : NodeLifecycleController(client, Options{}) {}

NodeLifecycleController::NodeLifecycleController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      // Events carry real time: they are named by their timestamp, and two recorders writing
      // about one pod at the same instant of a manual clock would pick the same name.
      m_events(client, std::string(Component), nullptr) {}

NodeLifecycleController::~NodeLifecycleController() {
    stop();
}

void NodeLifecycleController::stop() {
    QueueController::stop();
    m_events.stop();
}

void NodeLifecycleController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Pods, std::string(NodeNameIndex),
                       kube::fieldIndex("spec.nodeName"));
    m_nodes = &informers.forResource(kube::resources::Nodes);
    m_leases = &informers.forResource(kube::resources::Leases);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers nodes;
    nodes.onAdd = [this](const kube::ObjectPtr& node) { enqueue(std::string(kube::name(*node))); };
    nodes.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& node) {
        enqueue(std::string(kube::name(*node)));
    };
    nodes.onDelete = [this](const kube::ObjectPtr& node) {
        enqueue(std::string(kube::name(*node)));
    };
    m_nodes->addHandlers(std::move(nodes));

    auto onLease = [this](const kube::ObjectPtr& lease) {
        if (kube::namespaceOf(*lease) == NodeLeaseNamespace) {
            enqueue(std::string(kube::name(*lease)));
        }
    };
    kube::InformerHandlers leases;
    leases.onAdd = onLease;
    leases.onUpdate = [onLease](const kube::ObjectPtr&, const kube::ObjectPtr& lease) {
        onLease(lease);
    };
    m_leases->addHandlers(std::move(leases));

    // Pods newly bound to a node that is not Ready are marked not ready too (processPod), and
    // so are pods whose Ready report arrives after their node was found silent (a last kubelet
    // update racing the node's transition would otherwise leave them Ready). A node that
    // reports NotReady itself has a live kubelet whose pod reports stand, as upstream.
    auto silent = [this](const std::string& node) {
        std::lock_guard lock(m_mutex);
        auto health = m_health.find(node);
        return health != m_health.end() &&
               readyStatus(json::object{{"status", health->second.status}}) == "Unknown";
    };
    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) {
        if (!kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName").empty()) {
            enqueue(kube::objectKey(*pod));
        }
    };
    pods.onUpdate = [this, silent](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        std::string node = kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName");
        bool rebound = node != kube::stringAt(kube::objectAt(*old, "spec"), "nodeName");
        bool becameReady = !rebound && isPodReady(*pod) && !isPodReady(*old) && silent(node);
        if (!node.empty() && (rebound || becameReady)) {
            enqueue(kube::objectKey(*pod));
        }
    };
    m_pods->addHandlers(std::move(pods));
}

void NodeLifecycleController::resync() {
    for (const std::string& name : m_nodes->cache().keys()) {
        enqueue(name);
    }
    enqueue(std::string(TaintPassKey));
}

void NodeLifecycleController::requeueAt(const std::string& key, TimePoint at) {
    const TimePoint now = m_clock.now();
    if (at <= now) {
        enqueue(key);
        return;
    }
    if (m_options.requeueAt) {
        m_options.requeueAt(key, at);
        return;
    }
    enqueueAfter(key, at - now);
}

Status NodeLifecycleController::reconcile(const std::string& key) {
    if (key == TaintPassKey) {
        return taintingPass();
    }
    if (key.find('/') != std::string::npos) {
        return syncPod(key);
    }
    return syncNode(key);
}

Status NodeLifecycleController::syncNode(const std::string& name) {
    kube::ObjectPtr cached = m_nodes->cache().get(name);
    const TimePoint now = m_clock.now();
    if (!cached) {
        std::optional<std::string> uid;
        {
            std::lock_guard lock(m_mutex);
            if (auto known = m_knownNodes.find(name); known != m_knownNodes.end()) {
                uid = known->second;
                m_knownNodes.erase(known);
            }
            m_health.erase(name);
            m_readiness.erase(name);
            m_nodesToRetry.erase(name);
        }
        if (uid) {
            m_events.normal(nodeReference(name, *uid), "RemovingNode",
                            fmt::format("Removing Node {} from Controller", name));
            handleDisruption();
        }
        return {};
    }
    json::object node = *cached;
    bool added = false;
    {
        std::lock_guard lock(m_mutex);
        added = m_knownNodes.emplace(name, std::string(kube::uid(node))).second;
        ensureZoneLocked(zoneKey(node), now);
    }
    if (added) {
        m_events.normal(nodeReference(name, kube::uid(node)), "RegisteredNode",
                        fmt::format("Registered Node {} in Controller", name));
        auto reachable = markReachable(node);
        if (!reachable) {
            return std::unexpected(reachable.error());
        }
        node = std::move(*reachable);
    }

    auto check = updateHealth(node);
    if (!check) {
        log::warn(Component, "node {}: cannot update its health: {} (no pods will be evicted)",
                  name, check.error().message);
        return std::unexpected(check.error());
    }
    const std::string observed = kube::stringAt(check->observedReady, "status");
    const std::string current =
        check->currentReady ? kube::stringAt(*check->currentReady, "status") : std::string();
    bool readinessChanged = false;
    if (kube::label(node, ExcludeDisruptionLabel)) {
        std::lock_guard lock(m_mutex);
        readinessChanged = m_readiness.erase(name) > 0;
    } else {
        readinessChanged = recordReadiness(node, current);
    }

    Status podsMarked;
    if (check->currentReady) {
        auto tainted = taintBasedEviction(node, observed);
        if (!tainted) {
            log::warn(Component, "node {}: cannot update its NoExecute taints: {}", name,
                      tainted.error().message);
        } else {
            node = std::move(*tainted);
        }
        bool retry = false;
        {
            std::lock_guard lock(m_mutex);
            retry = m_nodesToRetry.contains(name);
        }
        if ((current != "True" && observed == "True") || (retry && observed != "True")) {
            if (current != "True" && observed == "True") {
                m_events.normal(nodeReference(name, name), "NodeNotReady",
                                fmt::format("Node {} status is now: NodeNotReady", name));
            }
            podsMarked = markPodsNotReady(m_pods->cache().byIndex(NodeNameIndex, name), name);
        }
        std::lock_guard lock(m_mutex);
        if (podsMarked) {
            m_nodesToRetry.erase(name);
        } else {
            m_nodesToRetry.insert(name);
        }
    }
    auto tainted = noScheduleTaintingPass(node);
    Status labelled = reconcileNodeLabels(tainted ? *tainted : node);
    if (readinessChanged || added) {
        handleDisruption();
    }

    // Look again when the grace period ends, unless a sign of life comes first.
    TimePoint deadline;
    {
        std::lock_guard lock(m_mutex);
        deadline = m_health[name].probeTimestamp + check->gracePeriod;
    }
    if (deadline >= now) {
        requeueAt(name, deadline + RecheckSlack);
    }
    if (!podsMarked) {
        return podsMarked;
    }
    if (!tainted) {
        return std::unexpected(tainted.error());
    }
    return labelled;
}

Result<NodeHealthCheck> NodeLifecycleController::updateHealth(json::object& node) {
    const std::string name(kube::name(node));
    const NodeHealthTimes times{m_options.monitorGracePeriod, m_options.startupGracePeriod};
    for (int attempt = 0;; ++attempt) {
        kube::ObjectPtr lease = m_leases->cache().get(kube::objectKey(NodeLeaseNamespace, name));
        const TimePoint now = m_clock.now();
        std::optional<NodeHealth> health;
        NodeHealthCheck check;
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_health.find(name); it != m_health.end()) {
                health = it->second;
            }
            check = checkNodeHealth(node, lease.get(), health, now, times);
            m_health[name] = *health;
        }
        if (!check.statusChanged) {
            return check;
        }
        auto written = m_client.updateStatus(kube::resources::Nodes, check.node);
        if (written) {
            const json::object* status = kube::objectAt(*written, "status");
            std::lock_guard lock(m_mutex);
            NodeHealth& saved = m_health[name];
            saved.status = status ? *status : json::object();
            saved.readyTransitionTimestamp = now;
            node = std::move(*written);
            check.node = node;
            return check;
        }
        if (kube::isNotFound(written.error()) || attempt + 1 >= NodeHealthUpdateRetry) {
            return std::unexpected(written.error().toError());
        }
        auto fresh = m_client.get(kube::resources::Nodes, "", name);
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        node = std::move(*fresh);
    }
}

Result<json::object> NodeLifecycleController::taintBasedEviction(const json::object& node,
                                                                 const std::string& observed) {
    const TimePoint now = m_clock.now();
    if (observed == "False") {
        // Straight from unreachable to not-ready, without waiting for the rate limit.
        if (hasTaint(node, unreachableNoExecute())) {
            return swapNodeTaints(m_client, node, {notReadyNoExecute()}, {unreachableNoExecute()},
                                  now);
        }
        if (markForTainting(node, observed)) {
            enqueue(std::string(TaintPassKey));
        }
        return node;
    }
    if (observed == "Unknown") {
        if (hasTaint(node, notReadyNoExecute())) {
            return swapNodeTaints(m_client, node, {unreachableNoExecute()}, {notReadyNoExecute()},
                                  now);
        }
        if (markForTainting(node, observed)) {
            enqueue(std::string(TaintPassKey));
        }
        return node;
    }
    if (observed == "True") {
        return markReachable(node);
    }
    return node;
}

bool NodeLifecycleController::markForTainting(const json::object& node, const std::string& status) {
    const std::string name(kube::name(node));
    const TimePoint now = m_clock.now();
    std::lock_guard lock(m_mutex);
    const std::string zone = zoneKey(node);
    ensureZoneLocked(zone, now);
    RateLimitedQueue& queue = m_tainters.at(zone);
    if ((status == "False" && !hasTaint(node, notReadyNoExecute())) ||
        (status == "Unknown" && !hasTaint(node, unreachableNoExecute()))) {
        queue.remove(name);
    }
    return queue.add(name, now);
}

Result<json::object> NodeLifecycleController::markReachable(const json::object& node) {
    auto updated = swapNodeTaints(m_client, node, {}, {unreachableNoExecute(), notReadyNoExecute()},
                                  m_clock.now());
    if (!updated) {
        return updated;
    }
    std::lock_guard lock(m_mutex);
    if (auto queue = m_tainters.find(zoneKey(node)); queue != m_tainters.end()) {
        queue->second.remove(std::string(kube::name(node)));
    }
    return updated;
}

Result<json::object> NodeLifecycleController::noScheduleTaintingPass(const json::object& node) {
    std::vector<TaintSpec> wanted;
    const json::object* status = kube::objectAt(node, "status");
    if (const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr) {
        for (const json::value& c : *conditions) {
            if (const json::object* condition = c.if_object()) {
                std::string key = noScheduleTaintFor(kube::stringAt(*condition, "type"),
                                                     kube::stringAt(*condition, "status"));
                if (!key.empty()) {
                    wanted.push_back(TaintSpec{std::move(key), "NoSchedule"});
                }
            }
        }
    }
    const json::object* spec = kube::objectAt(node, "spec");
    if (spec && kube::boolAt(*spec, "unschedulable").value_or(false)) {
        wanted.push_back(TaintSpec{std::string(TaintUnschedulable), "NoSchedule"});
    }
    std::vector<TaintSpec> stale;
    if (const json::array* taints = spec ? kube::arrayAt(*spec, "taints") : nullptr) {
        for (const json::value& t : *taints) {
            const json::object* taint = t.if_object();
            if (taint == nullptr || kube::stringAt(*taint, "effect") != "NoSchedule" ||
                !isControllerNoScheduleTaint(kube::stringAt(*taint, "key"))) {
                continue;
            }
            TaintSpec existing{kube::stringAt(*taint, "key"), "NoSchedule"};
            if (std::find(wanted.begin(), wanted.end(), existing) == wanted.end()) {
                stale.push_back(std::move(existing));
            }
        }
    }
    return swapNodeTaints(m_client, node, wanted, stale, m_clock.now());
}

Status NodeLifecycleController::reconcileNodeLabels(const json::object& node) {
    // The beta OS and architecture labels follow the stable ones (reconcileNodeLabels).
    json::object patchLabels;
    for (auto [stable, beta] : {std::pair{"kubernetes.io/os", "beta.kubernetes.io/os"},
                                std::pair{"kubernetes.io/arch", "beta.kubernetes.io/arch"}}) {
        std::optional<std::string_view> value = kube::label(node, stable);
        if (value && kube::label(node, beta) != value) {
            patchLabels[beta] = *value;
        }
    }
    if (patchLabels.empty()) {
        return {};
    }
    json::object patch{{"metadata", json::object{{"labels", std::move(patchLabels)}}}};
    auto patched = m_client.patch(kube::resources::Nodes, "", kube::name(node),
                                  kube::PatchType::Merge, json::serialize(patch));
    if (!patched && !kube::isNotFound(patched.error())) {
        return std::unexpected(patched.error().toError());
    }
    return {};
}

Status NodeLifecycleController::markPodsNotReady(const std::vector<kube::ObjectPtr>& pods,
                                                 const std::string& node) {
    std::optional<Error> firstError;
    const std::string now = formatTime(m_clock.now());
    for (const kube::ObjectPtr& cached : pods) {
        json::object pod = *cached;
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (kube::stringAt(kube::objectAt(pod, "spec"), "nodeName") != node) {
                break;
            }
            json::object* status = kube::mutableObject(pod, "status");
            json::array* conditions = status ? kube::mutableArray(*status, "conditions") : nullptr;
            json::object* ready = nullptr;
            for (size_t i = 0; conditions && i < conditions->size(); ++i) {
                json::value& c = (*conditions)[i];
                if (c.is_object() && kube::stringAt(c.get_object(), "type") == "Ready") {
                    ready = &c.get_object();
                    break;
                }
            }
            if (ready == nullptr || kube::stringAt(*ready, "status") == "False") {
                break;
            }
            (*ready)["status"] = "False";
            (*ready)["lastTransitionTime"] = now;
            auto written = m_client.updateStatus(kube::resources::Pods, pod);
            if (written) {
                m_events.warning(*written, "NodeNotReady", "Node is not ready");
                break;
            }
            if (kube::isNotFound(written.error())) {
                break;
            }
            if (kube::isConflict(written.error()) && attempt == 0) {
                auto fresh =
                    m_client.get(kube::resources::Pods, kube::namespaceOf(pod), kube::name(pod));
                if (fresh) {
                    pod = std::move(*fresh);
                    continue;
                }
            }
            if (!firstError) {
                firstError = written.error().toError();
            }
            break;
        }
    }
    if (firstError) {
        return fail(firstError->code, fmt::format("unable to mark all pods NotReady on node {}: {}",
                                                  node, firstError->message));
    }
    return {};
}

Status NodeLifecycleController::syncPod(const std::string& key) {
    kube::ObjectPtr pod = m_pods->cache().get(key);
    if (!pod) {
        return {};
    }
    const std::string nodeName = kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName");
    json::object status;
    {
        std::lock_guard lock(m_mutex);
        auto health = m_health.find(nodeName);
        if (health == m_health.end()) {
            return {}; // not looked at yet: the node's own sync handles its pods
        }
        status = health->second.status;
    }
    if (!m_nodes->cache().get(nodeName)) {
        return fail(ErrorCode::NotFound, fmt::format("node {} not found", nodeName));
    }
    json::object holder{{"status", std::move(status)}};
    const std::string ready = readyStatus(holder);
    if (ready.empty() || ready == "True") {
        return {};
    }
    return markPodsNotReady({pod}, nodeName);
}

} // namespace pilot::controllers
