#include "engine/controllers/job/jobcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "job-controller";
constexpr std::string_view NamespaceIndex = "namespace";
/// Orphan-pod keys share the queue with Job keys; `:` is in no namespace name.
constexpr std::string_view OrphanPrefix = "pod:";
const OwnerKind JobKind{"batch/v1", "Job"};

} // namespace

JobController::JobController(kube::ApiClient& client) : JobController(client, Options{}) {}

JobController::JobController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(std::move(options)), m_clock(m_options.clock ? *m_options.clock : m_systemClock),
      m_expectations(m_clock), m_events(client, std::string(Component)) {}

JobController::~JobController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void JobController::stop() {
    QueueController::stop();
    m_events.stop();
}

void JobController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Jobs, std::string(NamespaceIndex), kube::namespaceIndex());
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_jobs = &informers.forResource(kube::resources::Jobs);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers jobs;
    jobs.onAdd = [this](const kube::ObjectPtr& j) { enqueue(kube::objectKey(*j)); };
    jobs.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& j) {
        onJobUpdated(old, j);
    };
    jobs.onDelete = [this](const kube::ObjectPtr& j) {
        enqueue(kube::objectKey(*j));
        cleanupPodFinalizers(*j);
    };
    m_jobs->addHandlers(std::move(jobs));

    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) { onPodAdded(pod); };
    pods.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        onPodUpdated(old, pod);
    };
    pods.onDelete = [this](const kube::ObjectPtr& pod) { onPodDeleted(pod, true); };
    m_pods->addHandlers(std::move(pods));
}

void JobController::enqueueBatched(const std::string& key) {
    if (m_options.syncBatchPeriod <= std::chrono::nanoseconds(0)) {
        enqueue(key);
        return;
    }
    enqueueAfter(key, m_options.syncBatchPeriod);
}

void JobController::enqueueOrphanPod(const json::object& pod) {
    enqueue(std::string(OrphanPrefix) + kube::objectKey(pod));
}

void JobController::requeueAt(const std::string& key, TimePoint at) {
    if (m_options.requeueAt) {
        m_options.requeueAt(key, at);
        return;
    }
    enqueueAfter(key, std::max(at - m_clock.now(), std::chrono::nanoseconds(0)));
}

kube::ObjectPtr JobController::resolveControllerRef(std::string_view ns,
                                                    const json::object* ref) const {
    return controllers::resolveControllerRef(m_jobs->cache(), JobKind.kind, ns, ref);
}

std::vector<kube::ObjectPtr> JobController::jobsSelecting(const json::object& pod) const {
    return ownersSelecting(m_jobs->cache().byIndex(NamespaceIndex, kube::namespaceOf(pod)), pod);
}

void JobController::onPodAdded(const kube::ObjectPtr& pod) {
    if (kube::hasDeletionTimestamp(*pod)) {
        onPodDeleted(pod, false);
        return;
    }
    if (const json::object* ref = kube::controllerRef(*pod)) {
        kube::ObjectPtr j = resolveControllerRef(kube::namespaceOf(*pod), ref);
        if (!j) {
            return;
        }
        std::string key = kube::objectKey(*j);
        m_expectations.creationObserved(key);
        enqueueBatched(key);
        return;
    }
    if (job::hasTrackingFinalizer(*pod)) {
        enqueueOrphanPod(*pod);
    }
    for (const kube::ObjectPtr& j : jobsSelecting(*pod)) {
        enqueueBatched(kube::objectKey(*j));
    }
}

void JobController::onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*pod)) {
        return;
    }
    if (kube::hasDeletionTimestamp(*pod)) {
        onPodDeleted(pod, false);
        return;
    }
    const bool finalizerRemoved = !job::hasTrackingFinalizer(*pod);
    const OwnedUpdate routed = routeOwnedUpdate(
        *old, *pod,
        [this](std::string_view ns, const json::object* ref) {
            return resolveControllerRef(ns, ref);
        },
        [this](const json::object& owned) { return jobsSelecting(owned); },
        [&](const kube::ObjectPtr& j) {
            std::string key = kube::objectKey(*j);
            if (finalizerRemoved) {
                // A no-op for a Job that did not remove it.
                m_finalizerExpectations.observed(key, std::string(kube::uid(*pod)));
            }
            enqueueBatched(key);
        });
    if (routed.orphan && !finalizerRemoved) {
        enqueueOrphanPod(*pod);
    }
}

void JobController::onPodDeleted(const kube::ObjectPtr& pod, bool final) {
    const json::object* ref = kube::controllerRef(*pod);
    const bool hasFinalizer = job::hasTrackingFinalizer(*pod);
    if (ref == nullptr) {
        if (hasFinalizer) {
            enqueueOrphanPod(*pod);
        }
        return;
    }
    kube::ObjectPtr j = resolveControllerRef(kube::namespaceOf(*pod), ref);
    if (!j || job::isJobFinished(*j)) {
        if (hasFinalizer) {
            enqueueOrphanPod(*pod);
        }
        return;
    }
    std::string key = kube::objectKey(*j);
    m_expectations.deletionObserved(key, kube::objectKey(*pod));
    if (final || !hasFinalizer) {
        m_finalizerExpectations.observed(key, std::string(kube::uid(*pod)));
    }
    enqueueBatched(key);
}

void JobController::onJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& j) {
    std::string key = kube::objectKey(*j);
    if (kube::generation(*j) == kube::generation(*old)) {
        enqueueBatched(key);
    } else {
        enqueue(key);
    }
    if (job::isJobFinished(*j)) {
        cleanupPodFinalizers(*j);
    }
    // A changed activeDeadlineSeconds needs a look when the new deadline passes.
    job::JobSpec spec = job::JobSpec::fromJob(*j);
    job::JobSpec oldSpec = job::JobSpec::fromJob(*old);
    job::JobStatus status = job::JobStatus::fromJob(*j);
    if (status.startTime.empty() || !spec.activeDeadlineSeconds ||
        oldSpec.activeDeadlineSeconds == spec.activeDeadlineSeconds) {
        return;
    }
    if (auto start = parseTime(status.startTime)) {
        requeueAt(key, *start + std::chrono::seconds(*spec.activeDeadlineSeconds));
    }
}

void JobController::cleanupPodFinalizers(const json::object& j) {
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(j))) {
        const json::object* ref = kube::controllerRef(*pod);
        if (ref != nullptr && kube::stringAt(*ref, "uid") == kube::uid(j) &&
            job::hasTrackingFinalizer(*pod)) {
            enqueueOrphanPod(*pod);
        }
    }
}

Status JobController::reconcile(const std::string& key) {
    if (key.starts_with(OrphanPrefix)) {
        return syncOrphanPod(key.substr(OrphanPrefix.size()));
    }
    Status status = syncJob(key);
    if (!status && status.error().code == ErrorCode::Conflict) {
        // The cache was behind an object just written: look again shortly, quietly.
        log::debug(Component, "{}: {} (requeued)", key, status.error().message);
        queue().addRateLimited(key);
        return {};
    }
    return status;
}

Status JobController::syncOrphanPod(const std::string& podKey) {
    kube::ObjectPtr pod = m_pods->cache().get(podKey);
    if (!pod) {
        return {};
    }
    if (const json::object* ref = kube::controllerRef(*pod)) {
        if (kube::stringAt(*ref, "kind") != JobKind.kind ||
            kube::stringAt(*ref, "apiVersion") != JobKind.apiVersion) {
            return {}; // Not a Job's pod: not our finalizer to remove.
        }
        kube::ObjectPtr j = resolveControllerRef(kube::namespaceOf(*pod), ref);
        if (j && job::JobSpec::fromJob(*j).managedBy.value_or("kubernetes.io/job-controller") !=
                     "kubernetes.io/job-controller") {
            return {};
        }
        if (j && !job::isJobFinished(*j)) {
            return {}; // Adopted meanwhile.
        }
    }
    if (!job::hasTrackingFinalizer(*pod)) {
        return {};
    }
    auto patched =
        m_client.patch(kube::resources::Pods, kube::namespaceOf(*pod), kube::name(*pod),
                       kube::PatchType::StrategicMerge, job::removeTrackingFinalizerPatch());
    if (!patched && !kube::isNotFound(patched.error())) {
        return std::unexpected(patched.error().toError());
    }
    return {};
}

Result<std::vector<kube::ObjectPtr>> JobController::podsForJob(const json::object& j) {
    const json::object* spec = kube::objectAt(j, "spec");
    auto selector = kube::LabelSelector::fromJson(spec ? spec->if_contains("selector") : nullptr);
    if (!selector) {
        return fail(ErrorCode::InvalidArgument,
                    "couldn't convert Job selector: " + selector.error().message);
    }
    std::vector<kube::ObjectPtr> pods =
        m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(j));
    ControllerRefManager refs(m_client, kube::resources::Jobs, kube::resources::Pods, j, JobKind,
                              *selector);
    auto claimed = refs.claim(pods);
    if (!claimed) {
        return std::unexpected(claimed.error());
    }
    // Adopted pods get the tracking finalizer, as upstream's adoption patch adds it.
    for (kube::ObjectPtr& pod : *claimed) {
        if (job::hasTrackingFinalizer(*pod) || kube::hasDeletionTimestamp(*pod)) {
            continue;
        }
        bool adopted = true;
        for (const kube::ObjectPtr& before : pods) {
            if (kube::uid(*before) == kube::uid(*pod) && kube::controllerRef(*before) != nullptr) {
                adopted = false;
            }
        }
        if (!adopted) {
            continue;
        }
        json::array finalizers;
        for (std::string_view f : kube::finalizers(*pod)) {
            finalizers.emplace_back(f);
        }
        finalizers.emplace_back(job::TrackingFinalizer);
        json::object patch{
            {"metadata", json::object{{"finalizers", std::move(finalizers)},
                                      {"resourceVersion", kube::resourceVersion(*pod)}}}};
        auto patched =
            m_client.patch(kube::resources::Pods, kube::namespaceOf(*pod), kube::name(*pod),
                           kube::PatchType::Merge, json::serialize(patch));
        if (patched) {
            pod = std::make_shared<const json::object>(std::move(*patched));
        }
    }
    return std::move(*claimed);
}

} // namespace pilot::controllers
