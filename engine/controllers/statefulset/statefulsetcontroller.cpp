#include "engine/controllers/statefulset/statefulsetcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "engine/controllers/statefulset/statefulsetutil.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {
namespace json = boost::json;
using namespace statefulset;

namespace {

constexpr std::string_view Component = "statefulset-controller";
constexpr std::string_view NamespaceIndex = "namespace";

} // namespace

StatefulSetController::StatefulSetController(kube::ApiClient& client)
    : StatefulSetController(client, Options{}) {}

StatefulSetController::StatefulSetController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

StatefulSetController::~StatefulSetController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void StatefulSetController::stop() {
    QueueController::stop();
    m_events.stop();
}

void StatefulSetController::setUp(SharedInformers& informers) {
    for (const kube::ApiResource* resource :
         {&kube::resources::StatefulSets, &kube::resources::Pods,
          &kube::resources::PersistentVolumeClaims, &ControllerRevisions}) {
        informers.addIndex(*resource, std::string(NamespaceIndex), kube::namespaceIndex());
    }
    m_sets = &informers.forResource(kube::resources::StatefulSets);
    m_pods = &informers.forResource(kube::resources::Pods);
    m_claims = &informers.forResource(kube::resources::PersistentVolumeClaims);
    m_revisions = &informers.forResource(ControllerRevisions);
    m_podControl = std::make_unique<StatefulPodControl>(m_client, m_events, m_claims->cache());
    m_control = std::make_unique<StatefulSetControl>(m_client, *m_podControl, m_clock);

    kube::InformerHandlers sets = enqueueHandlers();
    sets.onDelete = [this](const kube::ObjectPtr& set) {
        m_control->forget(*set);
        enqueue(kube::objectKey(*set));
    };
    m_sets->addHandlers(std::move(sets));

    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) { onPodAdded(pod); };
    pods.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        onPodUpdated(old, pod);
    };
    pods.onDelete = [this](const kube::ObjectPtr& pod) { onPodDeleted(pod); };
    m_pods->addHandlers(std::move(pods));
}

kube::ObjectPtr StatefulSetController::resolveControllerRef(std::string_view ns,
                                                            const json::object* ref) const {
    return controllers::resolveControllerRef(m_sets->cache(), statefulSetKind().kind, ns, ref);
}

std::vector<kube::ObjectPtr> StatefulSetController::setsSelecting(const json::object& pod) const {
    return ownersSelecting(m_sets->cache().byIndex(NamespaceIndex, kube::namespaceOf(pod)), pod);
}

void StatefulSetController::onPodAdded(const kube::ObjectPtr& pod) {
    if (kube::hasDeletionTimestamp(*pod)) {
        onPodDeleted(pod);
        return;
    }
    if (const json::object* ref = kube::controllerRef(*pod)) {
        if (kube::ObjectPtr set = resolveControllerRef(kube::namespaceOf(*pod), ref)) {
            enqueue(kube::objectKey(*set));
        }
        return;
    }
    for (const kube::ObjectPtr& set : setsSelecting(*pod)) {
        enqueue(kube::objectKey(*set));
    }
}

void StatefulSetController::onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*pod)) {
        return; // A re-list delivers unchanged objects as updates.
    }
    routePodUpdate(*this, *this, *old, *pod);
}

void StatefulSetController::onPodDeleted(const kube::ObjectPtr& pod) {
    if (kube::ObjectPtr set =
            resolveControllerRef(kube::namespaceOf(*pod), kube::controllerRef(*pod))) {
        enqueue(kube::objectKey(*set));
    }
}

Status StatefulSetController::reconcile(const std::string& key) {
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

Result<std::vector<kube::ObjectPtr>>
StatefulSetController::claimRevisions(const json::object& set,
                                      const kube::LabelSelector& selector) {
    ControllerRefManager refs(m_client, kube::resources::StatefulSets, ControllerRevisions, set,
                              statefulSetKind(), selector);
    return refs.claim(m_revisions->cache().byIndex(NamespaceIndex, kube::namespaceOf(set)));
}

Result<std::vector<kube::ObjectPtr>>
StatefulSetController::claimPods(const json::object& set, const kube::LabelSelector& selector) {
    // Only pods named like the set's members are claimed.
    std::vector<kube::ObjectPtr> members;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(set))) {
        if (isMemberOf(set, *pod)) {
            members.push_back(pod);
        }
    }
    ControllerRefManager refs(m_client, kube::resources::StatefulSets, kube::resources::Pods, set,
                              statefulSetKind(), selector);
    return refs.claim(members);
}

Status StatefulSetController::sync(const std::string& key) {
    kube::ObjectPtr cached = m_sets->cache().get(key);
    if (!cached) {
        return {};
    }
    const json::object& set = *cached;
    auto selector = specSelector(set);
    if (!selector) {
        // Validation should have refused it; retrying will not help.
        log::warn(Component, "{}: invalid selector: {}", key, selector.error().message);
        return {};
    }
    auto revisions = claimRevisions(set, *selector);
    if (!revisions) {
        return std::unexpected(revisions.error());
    }
    auto pods = claimPods(set, *selector);
    if (!pods) {
        return std::unexpected(pods.error());
    }
    auto status = m_control->updateStatefulSet(set, *pods, std::move(*revisions));
    if (!status) {
        return std::unexpected(status.error());
    }
    // One more look once pods had time to become available (clock skew, minReadySeconds).
    const int64_t minReady = minReadySeconds(set);
    if (minReady > 0 && status->availableReplicas != replicas(set)) {
        enqueueAfter(key, std::chrono::seconds(minReady));
    }
    return {};
}

} // namespace pilot::controllers
