#include "engine/controllers/daemonset/daemonsetcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "engine/controllers/daemonset/daemonsetutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;
using namespace daemonset;

namespace {

constexpr std::string_view Component = "daemonset-controller";
constexpr std::string_view NamespaceIndex = "namespace";

bool sameMember(const json::object* a, const json::object* b, std::string_view member) {
    const json::value* va = a ? a->if_contains(member) : nullptr;
    const json::value* vb = b ? b->if_contains(member) : nullptr;
    const json::value none;
    return kube::jsonEqual(va ? *va : none, vb ? *vb : none);
}

} // namespace

DaemonSetController::DaemonSetController(kube::ApiClient& client)
    : DaemonSetController(client, Options{}) {}

DaemonSetController::DaemonSetController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock), m_history(client), m_creations(m_clock),
      m_deletions(m_clock), m_failedPodsBackoff(m_clock) {}

DaemonSetController::~DaemonSetController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void DaemonSetController::stop() {
    QueueController::stop();
    m_events.stop();
}

void DaemonSetController::setUp(SharedInformers& informers) {
    for (const kube::ApiResource* resource :
         {&kube::resources::DaemonSets, &kube::resources::Pods, &ControllerRevisions}) {
        informers.addIndex(*resource, std::string(NamespaceIndex), kube::namespaceIndex());
    }
    m_sets = &informers.forResource(kube::resources::DaemonSets);
    m_pods = &informers.forResource(kube::resources::Pods);
    m_nodes = &informers.forResource(kube::resources::Nodes);
    m_revisions = &informers.forResource(ControllerRevisions);

    kube::InformerHandlers sets = enqueueHandlers();
    sets.onDelete = [this](const kube::ObjectPtr& ds) {
        std::string key = kube::objectKey(*ds);
        m_creations.erase(key);
        m_deletions.erase(key);
        m_history.forget(*ds);
        enqueue(key);
    };
    m_sets->addHandlers(std::move(sets));

    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) { onPodAdded(pod); };
    pods.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        onPodUpdated(old, pod);
    };
    pods.onDelete = [this](const kube::ObjectPtr& pod) { onPodDeleted(pod); };
    m_pods->addHandlers(std::move(pods));

    kube::InformerHandlers nodes;
    nodes.onAdd = [this](const kube::ObjectPtr& node) { onNodeAdded(node); };
    nodes.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& node) {
        onNodeUpdated(old, node);
    };
    nodes.onDelete = [this](const kube::ObjectPtr&) { enqueueAll(); };
    m_nodes->addHandlers(std::move(nodes));

    kube::InformerHandlers revisions;
    auto revisionChanged = [this](const kube::ObjectPtr& revision) {
        if (kube::ObjectPtr ds = resolveControllerRef(kube::namespaceOf(*revision),
                                                      kube::controllerRef(*revision))) {
            enqueue(kube::objectKey(*ds));
        }
    };
    revisions.onAdd = revisionChanged;
    revisions.onUpdate = [revisionChanged](const kube::ObjectPtr&, const kube::ObjectPtr& r) {
        revisionChanged(r);
    };
    revisions.onDelete = revisionChanged;
    m_revisions->addHandlers(std::move(revisions));
}

kube::ObjectPtr DaemonSetController::resolveControllerRef(std::string_view ns,
                                                          const json::object* ref) const {
    return controllers::resolveControllerRef(m_sets->cache(), daemonSetKind().kind, ns, ref);
}

std::vector<kube::ObjectPtr> DaemonSetController::setsSelecting(const json::object& pod) const {
    return ownersSelecting(m_sets->cache().byIndex(NamespaceIndex, kube::namespaceOf(pod)), pod);
}

void DaemonSetController::onPodAdded(const kube::ObjectPtr& pod) {
    if (kube::hasDeletionTimestamp(*pod)) {
        onPodDeleted(pod);
        return;
    }
    if (const json::object* ref = kube::controllerRef(*pod)) {
        if (kube::ObjectPtr ds = resolveControllerRef(kube::namespaceOf(*pod), ref)) {
            std::string key = kube::objectKey(*ds);
            m_creations.creationObserved(key);
            enqueue(key);
        }
        return;
    }
    for (const kube::ObjectPtr& ds : setsSelecting(*pod)) {
        enqueue(kube::objectKey(*ds));
    }
}

void DaemonSetController::onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*pod)) {
        return; // A re-list delivers unchanged objects as updates.
    }
    if (kube::hasDeletionTimestamp(*pod)) {
        // Graceful deletion started: count it as deleted now.
        onPodDeleted(pod);
        if (labelsChanged(*old, *pod)) {
            onPodDeleted(old);
        }
        return;
    }
    routePodUpdate(*this, *this, *old, *pod);
}

void DaemonSetController::onPodDeleted(const kube::ObjectPtr& pod) {
    kube::ObjectPtr ds = resolveControllerRef(kube::namespaceOf(*pod), kube::controllerRef(*pod));
    if (!ds) {
        return;
    }
    std::string key = kube::objectKey(*ds);
    m_deletions.deletionObserved(key, kube::objectKey(*pod));
    enqueue(key);
}

void DaemonSetController::onNodeAdded(const kube::ObjectPtr& node) {
    for (const kube::ObjectPtr& ds : m_sets->cache().list()) {
        if (nodeShouldRunDaemonPod(*node, *ds).shouldRun) {
            enqueue(kube::objectKey(*ds));
        }
    }
}

void DaemonSetController::onNodeUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& node) {
    // Only labels and taints decide where daemon pods run.
    if (sameMember(kube::metadataOf(*old), kube::metadataOf(*node), "labels") &&
        sameMember(kube::objectAt(*old, "spec"), kube::objectAt(*node, "spec"), "taints")) {
        return;
    }
    for (const kube::ObjectPtr& ds : m_sets->cache().list()) {
        NodeFit before = nodeShouldRunDaemonPod(*old, *ds);
        NodeFit after = nodeShouldRunDaemonPod(*node, *ds);
        if (before.shouldRun != after.shouldRun ||
            before.shouldContinueRunning != after.shouldContinueRunning) {
            enqueue(kube::objectKey(*ds));
        }
    }
}

void DaemonSetController::enqueueAll() {
    for (const kube::ObjectPtr& ds : m_sets->cache().list()) {
        enqueue(kube::objectKey(*ds));
    }
}

bool DaemonSetController::expectationsSatisfied(const std::string& key) const {
    return m_creations.satisfied(key) && m_deletions.satisfied(key);
}

DaemonSetController::NodePods DaemonSetController::nodeToDaemonPods(const PodList& pods,
                                                                    bool includeDeletedTerminal) {
    NodePods out;
    for (const kube::ObjectPtr& pod : pods) {
        std::string phase = kube::stringAt(kube::objectAt(*pod, "status"), "phase");
        const bool terminal = phase == "Succeeded" || phase == "Failed";
        if (!includeDeletedTerminal && terminal && kube::hasDeletionTimestamp(*pod)) {
            continue; // The node agent or the pod GC finishes it; nothing left to do.
        }
        if (auto node = targetNodeName(*pod)) {
            out[*node].push_back(pod);
        }
    }
    return out;
}

Result<DaemonSetController::PodList>
DaemonSetController::claimPods(const json::object& ds, const kube::LabelSelector& selector) {
    ControllerRefManager refs(m_client, kube::resources::DaemonSets, kube::resources::Pods, ds,
                              daemonSetKind(), selector);
    return refs.claim(m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(ds)));
}

Status DaemonSetController::reconcile(const std::string& key) {
    Status status = sync(key);
    if (!status && (status.error().code == ErrorCode::Conflict ||
                    status.error().code == ErrorCode::AlreadyExists)) {
        // The cache was behind an object just written: look again shortly, without the
        // warning an unexpected failure gets.
        log::debug(Component, "{}: {} (requeued)", key, status.error().message);
        queue().addRateLimited(key);
        return {};
    }
    return status;
}

Status DaemonSetController::sync(const std::string& key) {
    kube::ObjectPtr cached = m_sets->cache().get(key);
    if (!cached) {
        m_creations.erase(key);
        m_deletions.erase(key);
        return {};
    }
    const json::object& ds = *cached;
    auto selector = specSelector(ds);
    if (!selector) {
        log::warn(Component, "{}: invalid selector: {}", key, selector.error().message);
        return {};
    }
    if (selector->empty()) {
        m_events.warning(ds, "SelectingAll",
                         "This daemon set is selecting all pods. A non-empty selector is "
                         "required.");
        return {};
    }
    if (kube::hasDeletionTimestamp(ds)) {
        // Its revisions may be going away with it: leave everything to the garbage collector.
        return {};
    }
    // Expectations are checked before the pods are read: a creation observed in between is
    // then in the snapshot, never missing from it.
    const bool satisfied = expectationsSatisfied(key);
    std::vector<kube::ObjectPtr> nodes = m_nodes->cache().list();
    auto pods = claimPods(ds, *selector);
    if (!pods) {
        return std::unexpected(pods.error());
    }
    auto history = constructHistory(ds, *selector, *pods);
    if (!history) {
        return std::unexpected(history.error());
    }
    auto hashLabel = kube::label(*history->current, HashLabel);
    const std::string hash = hashLabel ? std::string(*hashLabel) : std::string();

    if (!satisfied) {
        // Only the counts: this generation has not been acted on yet.
        return updateStatus(ds, nodes, *pods, hash, false);
    }
    Status updated = manage(ds, nodes, *pods, hash);
    if (updated && expectationsSatisfied(key) && isRollingUpdate(ds)) {
        // A fresh look: the manage step may just have created or deleted pods.
        auto current = claimPods(ds, *selector);
        updated = current ? rollingUpdate(ds, nodes, *current, hash)
                          : Status(std::unexpected(current.error()));
    }
    if (updated) {
        updated = cleanupHistory(ds, *pods, history->old);
    }
    Status written = updateStatus(ds, nodes, *pods, hash, true);
    if (!updated) {
        return updated;
    }
    return written;
}

} // namespace pilot::controllers
