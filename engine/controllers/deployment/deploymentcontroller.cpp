#include "engine/controllers/deployment/deploymentcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>

namespace pilot::controllers {
namespace json = boost::json;
using namespace deployment;

namespace {

constexpr std::string_view Component = "deployment-controller";
constexpr std::string_view NamespaceIndex = "namespace";
const OwnerKind DeploymentKind{"apps/v1", "Deployment"};

Result<kube::LabelSelector> selectorOf(const json::object& object) {
    const json::object* spec = kube::objectAt(object, "spec");
    return kube::LabelSelector::fromJson(spec ? spec->if_contains("selector") : nullptr);
}

} // namespace

DeploymentController::RsList DeploymentController::Sets::all() const {
    RsList sets = oldRSs;
    sets.push_back(newRS);
    return sets;
}

DeploymentController::DeploymentController(kube::ApiClient& client)
    : DeploymentController(client, Options{}) {}

DeploymentController::DeploymentController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

DeploymentController::~DeploymentController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void DeploymentController::stop() {
    QueueController::stop();
    m_events.stop();
}

void DeploymentController::setUp(SharedInformers& informers) {
    for (const kube::ApiResource* resource :
         {&kube::resources::Deployments, &kube::resources::ReplicaSets, &kube::resources::Pods}) {
        informers.addIndex(*resource, std::string(NamespaceIndex), kube::namespaceIndex());
    }
    m_deployments = &informers.forResource(kube::resources::Deployments);
    m_sets = &informers.forResource(kube::resources::ReplicaSets);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers deployments = enqueueHandlers();
    m_deployments->addHandlers(std::move(deployments));

    kube::InformerHandlers sets;
    sets.onAdd = [this](const kube::ObjectPtr& rs) { onReplicaSetAdded(rs); };
    sets.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& rs) {
        onReplicaSetUpdated(old, rs);
    };
    sets.onDelete = [this](const kube::ObjectPtr& rs) { onReplicaSetDeleted(rs); };
    m_sets->addHandlers(std::move(sets));

    kube::InformerHandlers pods;
    pods.onDelete = [this](const kube::ObjectPtr& pod) { onPodDeleted(pod); };
    m_pods->addHandlers(std::move(pods));
}

kube::ObjectPtr DeploymentController::resolveControllerRef(std::string_view ns,
                                                           const json::object* ref) const {
    return controllers::resolveControllerRef(m_deployments->cache(), DeploymentKind.kind, ns, ref);
}

std::vector<kube::ObjectPtr>
DeploymentController::deploymentsSelecting(const json::object& rs) const {
    std::vector<kube::ObjectPtr> result;
    for (const kube::ObjectPtr& d :
         m_deployments->cache().byIndex(NamespaceIndex, kube::namespaceOf(rs))) {
        auto selector = selectorOf(*d);
        if (selector && !selector->empty() && selector->matches(kube::labels(rs))) {
            result.push_back(d);
        }
    }
    return result;
}

void DeploymentController::onReplicaSetAdded(const kube::ObjectPtr& rs) {
    if (kube::hasDeletionTimestamp(*rs)) {
        onReplicaSetDeleted(rs);
        return;
    }
    if (const json::object* ref = kube::controllerRef(*rs)) {
        if (kube::ObjectPtr d = resolveControllerRef(kube::namespaceOf(*rs), ref)) {
            enqueue(kube::objectKey(*d));
        }
        return;
    }
    // An orphan: whoever selects it may adopt it.
    for (const kube::ObjectPtr& d : deploymentsSelecting(*rs)) {
        enqueue(kube::objectKey(*d));
    }
}

void DeploymentController::onReplicaSetUpdated(const kube::ObjectPtr& old,
                                               const kube::ObjectPtr& rs) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*rs)) {
        return;
    }
    (void)routeOwnedUpdate(
        *old, *rs,
        [this](std::string_view ns, const json::object* ref) {
            return resolveControllerRef(ns, ref);
        },
        [this](const json::object& owned) { return deploymentsSelecting(owned); },
        [this](const kube::ObjectPtr& d) { enqueue(kube::objectKey(*d)); });
}

void DeploymentController::onReplicaSetDeleted(const kube::ObjectPtr& rs) {
    if (kube::ObjectPtr d =
            resolveControllerRef(kube::namespaceOf(*rs), kube::controllerRef(*rs))) {
        enqueue(kube::objectKey(*d));
    }
}

void DeploymentController::onPodDeleted(const kube::ObjectPtr& pod) {
    // Only Recreate waits for pods to go away before it creates the new set.
    const json::object* ref = kube::controllerRef(*pod);
    if (ref == nullptr || kube::stringAt(*ref, "kind") != "ReplicaSet") {
        return;
    }
    kube::ObjectPtr rs =
        m_sets->cache().get(kube::objectKey(kube::namespaceOf(*pod), kube::stringAt(*ref, "name")));
    if (!rs || kube::uid(*rs) != kube::stringAt(*ref, "uid")) {
        return;
    }
    kube::ObjectPtr d = resolveControllerRef(kube::namespaceOf(*rs), kube::controllerRef(*rs));
    if (d && isRecreate(*d)) {
        enqueue(kube::objectKey(*d));
    }
}

Result<DeploymentController::RsList> DeploymentController::claimReplicaSets(const json::object& d) {
    auto selector = selectorOf(d);
    if (!selector) {
        return std::unexpected(selector.error());
    }
    std::vector<kube::ObjectPtr> candidates =
        m_sets->cache().byIndex(NamespaceIndex, kube::namespaceOf(d));
    ControllerRefManager refs(m_client, kube::resources::Deployments, kube::resources::ReplicaSets,
                              d, DeploymentKind, *selector);
    return refs.claim(candidates);
}

DeploymentController::PodMap DeploymentController::podMap(const json::object& d,
                                                          const RsList& sets) const {
    PodMap pods;
    for (const kube::ObjectPtr& rs : sets) {
        pods[std::string(kube::uid(*rs))];
    }
    auto selector = selectorOf(d);
    if (!selector) {
        return pods;
    }
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(d))) {
        if (!selector->matches(kube::labels(*pod))) {
            continue;
        }
        const json::object* ref = kube::controllerRef(*pod);
        if (ref == nullptr) {
            continue;
        }
        if (auto it = pods.find(kube::stringAt(*ref, "uid")); it != pods.end()) {
            it->second.push_back(pod);
        }
    }
    return pods;
}

Status DeploymentController::reconcile(const std::string& key) {
    Status status = syncDeployment(key);
    if (!status && status.error().code == ErrorCode::Conflict) {
        // The cache was behind an object this controller just wrote: look again shortly,
        // without the warning an unexpected failure gets.
        log::debug(Component, "{}: {} (requeued)", key, status.error().message);
        queue().addRateLimited(key);
        return {};
    }
    return status;
}

Status DeploymentController::syncDeployment(const std::string& key) {
    kube::ObjectPtr cached = m_deployments->cache().get(key);
    if (!cached) {
        return {}; // Deleted; the garbage collector removes its ReplicaSets.
    }
    json::object d = *cached;
    const json::object* spec = kube::objectAt(d, "spec");
    const json::value* selector = spec ? spec->if_contains("selector") : nullptr;
    if (selector && selector->is_object() && selector->get_object().empty()) {
        m_events.warning(d, "SelectingAll",
                         "This deployment is selecting all pods. A non-empty selector is "
                         "required.");
        if (statusInt(d, "observedGeneration") < kube::generation(d)) {
            DeploymentStatus status = DeploymentStatus::of(d);
            status.observedGeneration = kube::generation(d);
            d["status"] = status.toJson();
            return writeStatus(d);
        }
        return {};
    }

    auto sets = claimReplicaSets(d);
    if (!sets) {
        return std::unexpected(sets.error());
    }
    PodMap pods = podMap(d, *sets);
    if (kube::hasDeletionTimestamp(d)) {
        return syncStatusOnly(d, *sets);
    }
    if (Status paused = checkPausedConditions(d); !paused) {
        return paused;
    }
    if (isPaused(d)) {
        return sync(d, *sets);
    }
    auto scaling = isScalingEvent(d, *sets);
    if (!scaling) {
        return std::unexpected(scaling.error());
    }
    if (*scaling) {
        return sync(d, *sets);
    }
    if (isRecreate(d)) {
        return rolloutRecreate(d, *sets, pods);
    }
    if (isRollingUpdate(d)) {
        return rolloutRolling(d, *sets);
    }
    log::warn(Component, "{}: unexpected deployment strategy type {}", key,
              kube::stringAt(kube::objectAt(spec, "strategy"), "type"));
    return {};
}

Status DeploymentController::writeStatus(json::object& d) {
    auto written = m_client.updateStatus(kube::resources::Deployments, d);
    if (!written) {
        return std::unexpected(written.error().toError());
    }
    // Upstream's status strategy keeps metadata changes, which is how the revision annotation
    // is written. A server that keeps only `status` on status writes needs a patch for it.
    auto wanted = kube::annotation(d, RevisionAnnotation);
    auto stored = kube::annotation(*written, RevisionAnnotation);
    if (wanted && stored != wanted) {
        json::object patch{
            {"metadata",
             json::object{{"annotations", json::object{{RevisionAnnotation, *wanted}}}}}};
        auto patched =
            m_client.patch(kube::resources::Deployments, kube::namespaceOf(d), kube::name(d),
                           kube::PatchType::Merge, json::serialize(patch));
        if (!patched) {
            return std::unexpected(patched.error().toError());
        }
        d = std::move(*patched);
        return {};
    }
    d = std::move(*written);
    return {};
}

} // namespace pilot::controllers
