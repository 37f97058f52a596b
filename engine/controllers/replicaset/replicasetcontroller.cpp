#include "engine/controllers/replicaset/replicasetcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "engine/controllers/replicaset/podranking.h"
#include "engine/controllers/replicaset/replicasetstatus.h"
#include "engine/controllers/replicaset/slowstartbatch.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <set>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view NamespaceIndex = "namespace";
constexpr std::string_view OwnerUidIndex = "ownerUid";
constexpr int64_t SlowStartInitialBatchSize = 1;

/// Whether a create failed because the namespace is going away (nothing to retry).
bool namespaceTerminating(const kube::ApiError& error) {
    if (const json::object* details = kube::objectAt(error.status, "details")) {
        if (const json::array* causes = kube::arrayAt(*details, "causes")) {
            for (const json::value& c : *causes) {
                if (c.is_object() &&
                    kube::stringAt(c.get_object(), "reason") == "NamespaceTerminating") {
                    return true;
                }
            }
        }
    }
    return error.code == 403 &&
           error.message.find("because it is being terminated") != std::string::npos;
}

/// The pod a set's template describes (controller.GetPodFromTemplate).
Result<json::object> podFromTemplate(const json::object& set, const OwnerKind& owner) {
    const json::object* tmpl = kube::objectAt(kube::objectAt(set, "spec"), "template");
    const json::object* tmplMeta = kube::objectAt(tmpl, "metadata");
    const json::object* labels = kube::objectAt(tmplMeta, "labels");
    if (labels == nullptr || labels->empty()) {
        return fail(ErrorCode::InvalidArgument, "unable to create pods, no labels");
    }
    json::object meta{{"generateName", fmt::format("{}-", kube::name(set))}, {"labels", *labels}};
    if (const json::object* annotations = kube::objectAt(tmplMeta, "annotations")) {
        meta["annotations"] = *annotations;
    }
    if (const json::array* finalizers =
            tmplMeta ? kube::arrayAt(*tmplMeta, "finalizers") : nullptr) {
        meta["finalizers"] = *finalizers;
    }
    meta["ownerReferences"] = json::array{newControllerRef(set, owner)};
    json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
    if (const json::object* spec = kube::objectAt(tmpl, "spec")) {
        pod["spec"] = *spec;
    }
    return pod;
}

} // namespace

const ReplicaSetFlavor& replicaSetFlavor() {
    static const ReplicaSetFlavor flavor{kube::resources::ReplicaSets,
                                         OwnerKind{"apps/v1", "ReplicaSet"},
                                         "replicaset-controller", false};
    return flavor;
}

const ReplicaSetFlavor& replicationControllerFlavor() {
    static const ReplicaSetFlavor flavor{
        kube::ApiResource{"", "v1", "replicationcontrollers", true},
        OwnerKind{"v1", "ReplicationController"}, "replication-controller", true};
    return flavor;
}

ReplicaSetController::ReplicaSetController(kube::ApiClient& client)
    : ReplicaSetController(client, replicaSetFlavor(), Options{}) {}

ReplicaSetController::ReplicaSetController(kube::ApiClient& client, Options options)
    : ReplicaSetController(client, replicaSetFlavor(), options) {}

ReplicaSetController::ReplicaSetController(kube::ApiClient& client, const ReplicaSetFlavor& flavor,
                                           Options options)
    : QueueController(flavor.component, options.workers), m_client(client), m_flavor(flavor),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_expectations(m_clock), m_events(client, flavor.component, &m_clock) {}

ReplicaSetController::~ReplicaSetController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void ReplicaSetController::stop() {
    QueueController::stop();
    m_events.stop();
}

void ReplicaSetController::setUp(SharedInformers& informers) {
    informers.addIndex(m_flavor.resource, std::string(NamespaceIndex), kube::namespaceIndex());
    informers.addIndex(m_flavor.resource, std::string(OwnerUidIndex), kube::ownerUidIndex());
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_sets = &informers.forResource(m_flavor.resource);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers sets = enqueueHandlers();
    sets.onDelete = [this](const kube::ObjectPtr& set) {
        std::string key = kube::objectKey(*set);
        m_expectations.erase(key);
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
}

Result<kube::LabelSelector> ReplicaSetController::selectorOf(const json::object& set) const {
    const json::object* spec = kube::objectAt(set, "spec");
    const json::value* selector = spec ? spec->if_contains("selector") : nullptr;
    if (m_flavor.mapSelector) {
        const json::object* map = selector ? selector->if_object() : nullptr;
        return kube::LabelSelector::fromSet(map ? *map : json::object());
    }
    return kube::LabelSelector::fromJson(selector);
}

kube::ObjectPtr ReplicaSetController::resolveControllerRef(std::string_view ns,
                                                           const json::object* ref) const {
    return controllers::resolveControllerRef(m_sets->cache(), m_flavor.owner.kind, ns, ref);
}

std::vector<kube::ObjectPtr> ReplicaSetController::setsSelecting(const json::object& pod) const {
    return ownersSelecting(m_sets->cache().byIndex(NamespaceIndex, kube::namespaceOf(pod)), pod,
                           [this](const json::object& set) { return selectorOf(set); });
}

void ReplicaSetController::onPodAdded(const kube::ObjectPtr& pod) {
    if (kube::hasDeletionTimestamp(*pod)) {
        // Seen for the first time already on its way out (e.g. after a re-list).
        onPodDeleted(pod);
        return;
    }
    if (const json::object* ref = kube::controllerRef(*pod)) {
        kube::ObjectPtr set = resolveControllerRef(kube::namespaceOf(*pod), ref);
        if (!set) {
            return;
        }
        std::string key = kube::objectKey(*set);
        m_expectations.creationObserved(key);
        enqueue(key);
        return;
    }
    for (const kube::ObjectPtr& set : setsSelecting(*pod)) {
        enqueue(kube::objectKey(*set));
    }
}

void ReplicaSetController::onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*pod)) {
        return; // A re-list delivers unchanged objects as updates.
    }
    if (kube::hasDeletionTimestamp(*pod)) {
        // Graceful deletion started: count it as deleted now, the DELETED event won't count
        // twice. If the labels changed too, the old owner may be waiting for it as well.
        onPodDeleted(pod);
        if (labelsChanged(*old, *pod)) {
            onPodDeleted(old);
        }
        return;
    }
    routePodUpdate(*this, *this, *old, *pod);
}

void ReplicaSetController::onPodDeleted(const kube::ObjectPtr& pod) {
    kube::ObjectPtr set = resolveControllerRef(kube::namespaceOf(*pod), kube::controllerRef(*pod));
    if (!set) {
        return;
    }
    std::string key = kube::objectKey(*set);
    m_expectations.deletionObserved(key, kube::objectKey(*pod));
    enqueue(key);
}

Status ReplicaSetController::reconcile(const std::string& key) {
    Status status = syncReplicaSet(key);
    if (!status && status.error().code == ErrorCode::Conflict) {
        // The cache was behind an object just written: look again shortly, without the
        // warning an unexpected failure gets.
        log::debug(m_flavor.component, "{}: {} (requeued)", key, status.error().message);
        queue().addRateLimited(key);
        return {};
    }
    return status;
}

Status ReplicaSetController::syncReplicaSet(const std::string& key) {
    kube::ObjectPtr cached = m_sets->cache().get(key);
    if (!cached) {
        m_expectations.erase(key);
        return {};
    }
    const json::object& set = *cached;
    const bool needsSync = m_expectations.satisfied(key);
    auto selector = selectorOf(set);
    if (!selector) {
        // Validation should have refused it; retrying will not help.
        log::warn(m_flavor.component, "{}: invalid selector: {}", key, selector.error().message);
        return {};
    }
    std::vector<kube::ObjectPtr> active;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(set))) {
        if (isPodActive(*pod)) {
            active.push_back(pod);
        }
    }
    ControllerRefManager refs(m_client, m_flavor.resource, kube::resources::Pods, set,
                              m_flavor.owner, *selector);
    auto claimed = refs.claim(active);
    if (!claimed) {
        return std::unexpected(claimed.error());
    }

    std::optional<Error> manageError;
    if (needsSync && !kube::hasDeletionTimestamp(set)) {
        manageError = manageReplicas(*claimed, set, key);
    }
    json::object status = calculateReplicaSetStatus(set, *claimed, manageError, m_clock.now());
    auto updated = writeStatus(set, std::move(status));
    if (!updated) {
        return std::unexpected(updated.error());
    }
    // A last resort against clock skew: look again once pods had time to become available.
    const json::object* spec = kube::objectAt(*updated, "spec");
    int64_t minReady = spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
    if (!manageError && minReady > 0 &&
        statusCount(*updated, "readyReplicas") == specReplicas(*updated) &&
        statusCount(*updated, "availableReplicas") != specReplicas(*updated)) {
        enqueueAfter(key, std::chrono::seconds(minReady));
    }
    if (manageError) {
        return std::unexpected(*manageError);
    }
    return {};
}

std::optional<Error> ReplicaSetController::manageReplicas(const std::vector<kube::ObjectPtr>& pods,
                                                          const json::object& set,
                                                          const std::string& key) {
    int64_t diff = static_cast<int64_t>(pods.size()) - specReplicas(set);
    if (diff < 0) {
        int64_t wanted = std::min(-diff, m_options.burstReplicas);
        auto pod = podFromTemplate(set, m_flavor.owner);
        if (!pod) {
            return pod.error();
        }
        // Expect the creations before making them: their ADDED events may arrive first.
        m_expectations.expectCreations(key, wanted);
        BatchOutcome outcome =
            slowStartBatch(wanted, SlowStartInitialBatchSize, [&] { return createPod(set, *pod); });
        // Creations that failed or were never tried will not be observed.
        for (int64_t skipped = wanted - outcome.successes; skipped > 0; --skipped) {
            m_expectations.creationObserved(key);
        }
        return outcome.error;
    }
    if (diff == 0) {
        return std::nullopt;
    }
    int64_t surplus = std::min(diff, m_options.burstReplicas);
    std::vector<kube::ObjectPtr> victims =
        podsToDelete(pods, indirectlyRelatedPods(set), static_cast<size_t>(surplus), m_clock.now());
    std::vector<std::string> victimKeys;
    victimKeys.reserve(victims.size());
    for (const kube::ObjectPtr& pod : victims) {
        victimKeys.push_back(kube::objectKey(*pod));
    }
    m_expectations.expectDeletions(key, victimKeys);
    std::optional<Error> firstError;
    for (const kube::ObjectPtr& pod : victims) {
        auto removed =
            m_client.remove(kube::resources::Pods, kube::namespaceOf(*pod), kube::name(*pod));
        if (removed) {
            m_events.normal(set, "SuccessfulDelete",
                            fmt::format("Deleted pod: {}", kube::name(*pod)));
            continue;
        }
        // No DELETED event will come for this one.
        m_expectations.deletionObserved(key, kube::objectKey(*pod));
        if (kube::isNotFound(removed.error())) {
            continue;
        }
        m_events.warning(set, "FailedDelete",
                         fmt::format("Error deleting: {}", removed.error().message));
        if (!firstError) {
            firstError = Error{removed.error().kind,
                               fmt::format("unable to delete pods: {}", removed.error().message)};
        }
    }
    return firstError;
}

Status ReplicaSetController::createPod(const json::object& set, const json::object& pod) {
    auto created = m_client.create(kube::resources::Pods, kube::namespaceOf(set), pod);
    if (created) {
        m_events.normal(set, "SuccessfulCreate",
                        fmt::format("Created pod: {}", kube::name(*created)));
        return {};
    }
    if (namespaceTerminating(created.error())) {
        return {}; // Every create will fail; nothing to report or retry.
    }
    m_events.warning(set, "FailedCreate",
                     fmt::format("Error creating: {}", created.error().message));
    return std::unexpected(created.error().toError());
}

std::vector<kube::ObjectPtr>
ReplicaSetController::indirectlyRelatedPods(const json::object& set) const {
    const json::object* ref = kube::controllerRef(set);
    if (ref == nullptr) {
        return {};
    }
    std::string ownerUid = kube::stringAt(*ref, "uid");
    std::vector<kube::ObjectPtr> pods =
        m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(set));
    std::vector<kube::ObjectPtr> related;
    std::set<std::string, std::less<>> seen;
    for (const kube::ObjectPtr& sibling : m_sets->cache().byIndex(OwnerUidIndex, ownerUid)) {
        const json::object* siblingRef = kube::controllerRef(*sibling);
        if (siblingRef == nullptr || kube::stringAt(*siblingRef, "uid") != ownerUid ||
            kube::namespaceOf(*sibling) != kube::namespaceOf(set)) {
            continue;
        }
        auto selector = selectorOf(*sibling);
        if (!selector) {
            continue;
        }
        for (const kube::ObjectPtr& pod : pods) {
            if (selector->matches(kube::labels(*pod)) && seen.emplace(kube::uid(*pod)).second) {
                related.push_back(pod);
            }
        }
    }
    return related;
}

Result<json::object> ReplicaSetController::writeStatus(const json::object& set,
                                                       json::object status) {
    if (!replicaSetStatusChanged(set, status)) {
        return set;
    }
    status["observedGeneration"] = kube::generation(set);
    json::object candidate = set;
    for (int attempt = 0;; ++attempt) {
        candidate["status"] = status;
        auto written = m_client.updateStatus(m_flavor.resource, candidate);
        if (written) {
            return std::move(*written);
        }
        if (attempt >= 1) {
            return std::unexpected(written.error().toError());
        }
        // Retry once on the newest version (the status is ours to set whatever changed).
        auto fresh = m_client.get(m_flavor.resource, kube::namespaceOf(set), kube::name(set));
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        candidate = std::move(*fresh);
    }
}

} // namespace pilot::controllers
