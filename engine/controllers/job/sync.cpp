// JobController::syncJob and the pod management under it (job_controller.go's syncJob and
// manageJob).

#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/job/jobpolicies.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

const OwnerKind JobKind{"batch/v1", "Job"};
constexpr int64_t MaxPodCreateDeletePerSync = 500;
constexpr std::string_view JobControllerName = "kubernetes.io/job-controller";

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

/// addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the index label.
void addCompletionIndexEnv(json::object& podSpec) {
    for (std::string_view list : {"initContainers", "containers"}) {
        json::array* containers = kube::mutableArray(podSpec, list);
        if (containers == nullptr) {
            continue;
        }
        for (json::value& c : *containers) {
            json::object* container = c.if_object();
            if (container == nullptr) {
                continue;
            }
            json::value& env = (*container)["env"];
            if (!env.is_array()) {
                env = json::array();
            }
            bool present = std::ranges::any_of(env.get_array(), [](const json::value& e) {
                return e.is_object() &&
                       kube::stringAt(e.get_object(), "name") == job::CompletionIndexEnv;
            });
            if (present) {
                continue;
            }
            env.get_array().push_back(json::object{
                {"name", job::CompletionIndexEnv},
                {"valueFrom",
                 json::object{
                     {"fieldRef",
                      json::object{{"fieldPath", fmt::format("metadata.labels['{}']",
                                                             job::CompletionIndexAnnotation)}}}}}});
        }
    }
}

std::vector<std::string> podKeys(const std::vector<kube::ObjectPtr>& pods) {
    std::vector<std::string> keys;
    keys.reserve(pods.size());
    for (const kube::ObjectPtr& pod : pods) {
        keys.push_back(kube::objectKey(*pod));
    }
    return keys;
}

} // namespace

bool JobController::isPodFailed(const json::object& pod, const job::JobSpec& spec) const {
    std::string phase = job::podPhase(pod);
    if (phase == "Failed") {
        return true;
    }
    if (spec.podReplacementPolicy == "Failed" || spec.hasPodFailurePolicy) {
        return false; // onlyReplaceFailedPods
    }
    // Deleted pods count as failed: orphans may never reach the Failed phase.
    return kube::hasDeletionTimestamp(pod) && phase != "Succeeded";
}

bool JobController::pastActiveDeadline(const SyncContext& ctx) const {
    if (!ctx.spec.activeDeadlineSeconds || ctx.status.startTime.empty() || ctx.spec.suspend) {
        return false;
    }
    auto start = parseTime(ctx.status.startTime);
    return start && m_clock.now() - *start >= std::chrono::seconds(*ctx.spec.activeDeadlineSeconds);
}

bool JobController::pastBackoffLimitOnFailure(const SyncContext& ctx) const {
    if (ctx.spec.restartPolicy != "OnFailure") {
        return false;
    }
    int64_t restarts = 0;
    for (const kube::ObjectPtr& pod : ctx.pods) {
        std::string phase = job::podPhase(*pod);
        if (phase != "Running" && phase != "Pending") {
            continue;
        }
        const json::object* status = kube::objectAt(*pod, "status");
        for (std::string_view list : {"initContainerStatuses", "containerStatuses"}) {
            const json::array* statuses = status ? kube::arrayAt(*status, list) : nullptr;
            for (const json::value& s : statuses ? *statuses : json::array()) {
                if (s.is_object()) {
                    restarts += kube::integerAt(s.get_object(), "restartCount").value_or(0);
                }
            }
        }
    }
    if (ctx.spec.backoffLimit == 0) {
        return restarts > 0;
    }
    return restarts >= ctx.spec.backoffLimit;
}

Status JobController::syncJob(const std::string& key) {
    kube::ObjectPtr shared = m_jobs->cache().get(key);
    if (!shared) {
        m_expectations.erase(key);
        m_finalizerExpectations.erase(key);
        m_backoff.remove(key);
        m_written.forget(key);
        return {};
    }
    if (m_written.behind(key, *shared)) {
        // Our last status write has not reached the cache: its counters and conditions are
        // out of date. The update event brings the key back.
        return fail(ErrorCode::Conflict, "waiting for the cache to catch up with the status");
    }
    SyncContext ctx;
    ctx.key = key;
    ctx.job = *shared;
    ctx.spec = job::JobSpec::fromJob(ctx.job);
    if (ctx.spec.managedBy && *ctx.spec.managedBy != JobControllerName) {
        return {}; // Another controller's Job.
    }
    if (job::isJobFinished(ctx.job)) {
        m_backoff.remove(key);
        return {};
    }
    if (ctx.spec.completionMode != "NonIndexed" && ctx.spec.completionMode != "Indexed") {
        m_events.warning(ctx.job, "UnknownCompletionMode",
                         "Skipped Job sync because completion mode is unknown");
        return {};
    }
    ctx.status = job::JobStatus::fromJob(ctx.job);
    const TimePoint now = m_clock.now();

    // Expectations first: a pod that arrives after this check is seen by the next sync. The
    // same holds for finalizer removals: the informer updates its cache before it clears an
    // expectation, so a pod whose expectation is gone by now shows its finalizer gone in the
    // list below. Read after the list, a removal observed in between left a stale pod with its
    // finalizer and no expectation, and the pod was counted a second time.
    const bool satisfiedExpectations = m_expectations.satisfied(key);
    ctx.expectedRmFinalizers = m_finalizerExpectations.expectedUids(key);
    auto pods = podsForJob(ctx.job);
    if (!pods) {
        return std::unexpected(pods.error());
    }
    ctx.pods = std::move(*pods);
    for (const kube::ObjectPtr& pod : ctx.pods) {
        if (isPodActive(*pod)) {
            ctx.activePods.push_back(pod);
            ctx.ready += isPodReady(*pod) ? 1 : 0;
        }
        ctx.terminating += job::isPodTerminating(*pod) ? 1 : 0;
    }
    ctx.uncountedSucceeded = {ctx.status.uncountedSucceeded.begin(),
                              ctx.status.uncountedSucceeded.end()};
    ctx.uncountedFailed = {ctx.status.uncountedFailed.begin(), ctx.status.uncountedFailed.end()};
    int64_t active = static_cast<int64_t>(ctx.activePods.size());

    // getNewFinishedPods: finished pods still holding the finalizer and not counted yet.
    std::vector<kube::ObjectPtr> newSucceeded;
    std::vector<kube::ObjectPtr> newFailed;
    const int completions = static_cast<int>(ctx.spec.completions.value_or(0));
    for (const kube::ObjectPtr& pod : ctx.pods) {
        std::string uid(kube::uid(*pod));
        if (!job::hasTrackingFinalizer(*pod) || ctx.expectedRmFinalizers.contains(uid)) {
            continue;
        }
        if (ctx.spec.indexed) {
            int ix = job::completionIndex(*pod);
            if (ix == job::UnknownCompletionIndex || ix >= completions) {
                continue;
            }
        }
        if (job::podPhase(*pod) == "Succeeded" && !ctx.uncountedSucceeded.contains(uid)) {
            newSucceeded.push_back(pod);
        } else if (isPodFailed(*pod, ctx.spec) && !ctx.uncountedFailed.contains(uid)) {
            newFailed.push_back(pod);
        }
    }
    ctx.succeeded = ctx.status.succeeded + static_cast<int64_t>(newSucceeded.size()) +
                    static_cast<int64_t>(ctx.uncountedSucceeded.size());
    // nonIgnoredFailedPodsCount: failures the pod failure policy ignores do not count.
    const json::object* failurePolicy =
        kube::objectAt(kube::objectAt(ctx.job, "spec"), "podFailurePolicy");
    int64_t newFailedCounted = static_cast<int64_t>(newFailed.size());
    if (failurePolicy != nullptr) {
        for (const kube::ObjectPtr& pod : newFailed) {
            if (!job::matchPodFailurePolicy(failurePolicy, *pod).countFailed) {
                --newFailedCounted;
            }
        }
    }
    ctx.failed =
        ctx.status.failed + newFailedCounted + static_cast<int64_t>(ctx.uncountedFailed.size());

    // First start; a suspended Job has not started.
    if (ctx.status.startTime.empty() && !ctx.spec.suspend) {
        ctx.status.startTime = formatTime(now);
    }
    ctx.newBackoffRecord = m_backoff.newRecord(key, newSucceeded, newFailed);

    std::optional<Error> manageError;
    if (const job::JobCondition* met = ctx.status.find(job::SuccessCriteriaMet);
        met && met->status == "True") {
        ctx.finishedCondition = *met;
    }
    if (!ctx.finishedCondition) {
        const job::JobCondition* target = ctx.status.find(job::FailureTarget);
        if (target && target->status == "True") {
            ctx.finishedCondition =
                job::newCondition(job::Failed, target->reason, target->message, now);
        } else if (failurePolicy != nullptr) {
            // getFailJobMessage: a failed pod matching a FailJob rule fails the Job; the
            // interim FailureTarget records why before the finalizers go.
            for (const kube::ObjectPtr& pod : ctx.pods) {
                if (!isPodFailed(*pod, ctx.spec)) {
                    continue;
                }
                if (auto message = job::matchPodFailurePolicy(failurePolicy, *pod).failJobMessage) {
                    ctx.finishedCondition = job::newCondition(
                        job::FailureTarget, job::ReasonPodFailurePolicy, *message, now);
                    break;
                }
            }
        }
    }
    if (!ctx.finishedCondition) {
        if (ctx.failed > ctx.spec.backoffLimit || pastBackoffLimitOnFailure(ctx)) {
            ctx.finishedCondition =
                job::newCondition(job::FailureTarget, job::ReasonBackoffLimitExceeded,
                                  "Job has reached the specified backoff limit", now);
        } else if (pastActiveDeadline(ctx)) {
            ctx.finishedCondition =
                job::newCondition(job::FailureTarget, job::ReasonDeadlineExceeded,
                                  "Job was active longer than specified deadline", now);
        } else if (ctx.spec.activeDeadlineSeconds && !ctx.spec.suspend) {
            if (auto start = parseTime(ctx.status.startTime)) {
                requeueAt(key, *start + std::chrono::seconds(*ctx.spec.activeDeadlineSeconds));
            }
        }
    }
    if (ctx.spec.indexed) {
        // calculateSucceededIndexes
        ctx.prevSucceededIndexes =
            job::OrderedIntervals::parse(ctx.status.completedIndexes, completions);
        std::set<int> newIndexes;
        for (const kube::ObjectPtr& pod : ctx.pods) {
            int ix = job::completionIndex(*pod);
            if (job::podPhase(*pod) == "Succeeded" && ix != job::UnknownCompletionIndex &&
                ix < completions && job::hasTrackingFinalizer(*pod)) {
                newIndexes.insert(ix);
            }
        }
        ctx.succeededIndexes = ctx.prevSucceededIndexes.withOrderedIndexes(
            std::vector<int>(newIndexes.begin(), newIndexes.end()));
        ctx.succeeded = ctx.succeededIndexes.total();
        const json::object* jobSpec = kube::objectAt(ctx.job, "spec");
        if (auto perIndex = jobSpec ? kube::integerAt(*jobSpec, "backoffLimitPerIndex")
                                    : std::optional<int64_t>()) {
            // calculateFailedIndexes
            job::OrderedIntervals previous =
                job::OrderedIntervals::parse(ctx.status.failedIndexes.value_or(""), completions);
            std::set<int> newFailedIndexes;
            for (const kube::ObjectPtr& pod : ctx.pods) {
                // A pod without the finalizer was counted (its index too) by an earlier sync.
                int ix = job::completionIndex(*pod);
                if (ix != job::UnknownCompletionIndex && ix < completions && !previous.has(ix) &&
                    job::hasTrackingFinalizer(*pod) &&
                    job::isIndexFailed(failurePolicy, *perIndex, *pod,
                                       isPodFailed(*pod, ctx.spec))) {
                    newFailedIndexes.insert(ix);
                }
            }
            ctx.failedIndexes = previous.withOrderedIndexes(
                std::vector<int>(newFailedIndexes.begin(), newFailedIndexes.end()));
            int failedTotal = ctx.failedIndexes->total();
            std::optional<int64_t> maxFailed = kube::integerAt(*jobSpec, "maxFailedIndexes");
            if (ctx.finishedCondition) {
                // Already finishing.
            } else if (maxFailed && failedTotal > *maxFailed) {
                ctx.finishedCondition = job::newCondition(
                    job::FailureTarget, job::ReasonMaxFailedIndexesExceeded,
                    "Job has exceeded the specified maximal number of failed indexes", now);
            } else if (failedTotal > 0 &&
                       failedTotal + ctx.succeededIndexes.total() >= completions) {
                ctx.finishedCondition = job::newCondition(
                    job::FailureTarget, job::ReasonFailedIndexes, "Job has failed indexes", now);
            }
            ctx.podsWithDelayedDeletion = job::podsWithDelayedDeletionPerIndex(
                ctx.pods, ctx.activePods, ctx.expectedRmFinalizers, completions,
                ctx.succeededIndexes, *ctx.failedIndexes,
                [&](const json::object& pod) { return isPodFailed(pod, ctx.spec); });
        }
        if (!ctx.finishedCondition) {
            if (auto message = job::matchSuccessPolicy(
                    kube::objectAt(kube::objectAt(ctx.job, "spec"), "successPolicy"), completions,
                    ctx.succeededIndexes)) {
                ctx.finishedCondition = job::newCondition(job::SuccessCriteriaMet,
                                                          job::ReasonSuccessPolicy, *message, now);
            }
        }
    }

    bool suspendConditionChanged = false;
    if (ctx.finishedCondition) {
        auto [deleted, deletedReady] = deleteActivePods(ctx, ctx.activePods, manageError);
        if (deleted != active || !satisfiedExpectations) {
            // Finalizers may remain, or pods may be missing from the cache: not finished yet.
            ctx.finishedCondition.reset();
        }
        active -= deleted;
        ctx.terminating += deleted;
        ctx.ready -= deletedReady;
    } else {
        bool manageJobCalled = false;
        if (satisfiedExpectations && !kube::hasDeletionTimestamp(ctx.job)) {
            auto managed = manageJob(ctx, manageError);
            active = managed.value_or(active);
            manageJobCalled = true;
        }
        bool complete = ctx.spec.completions ? ctx.succeeded >= *ctx.spec.completions && active == 0
                                             : ctx.succeeded > 0 && active == 0;
        if (complete) {
            ctx.finishedCondition =
                job::newCondition(job::SuccessCriteriaMet, job::ReasonCompletionsReached,
                                  "Reached expected number of succeeded pods", now);
        } else if (manageJobCalled) {
            if (ctx.spec.suspend) {
                if (ctx.status.ensureCondition(job::Suspended, "True", "JobSuspended",
                                               "Job suspended", now)) {
                    suspendConditionChanged = true;
                    m_events.normal(ctx.job, "Suspended", "Job suspended");
                }
            } else if (ctx.status.ensureCondition(job::Suspended, "False", "JobResumed",
                                                  "Job resumed", now)) {
                suspendConditionChanged = true;
                m_events.normal(ctx.job, "Resumed", "Job resumed");
                // activeDeadlineSeconds counts from the resume.
                ctx.status.startTime = formatTime(now);
            }
        }
    }

    bool needsStatusUpdate = suspendConditionChanged || active != ctx.status.active ||
                             ctx.status.ready != ctx.ready ||
                             ctx.status.terminating != ctx.terminating;
    ctx.status.active = active;
    ctx.status.ready = ctx.ready;
    ctx.status.terminating = ctx.terminating;
    if (Status tracked = trackJobStatusAndRemoveFinalizers(ctx, needsStatusUpdate); !tracked) {
        return fail(tracked.error().code, "tracking status: " + tracked.error().message);
    }
    if (manageError) {
        return std::unexpected(*manageError);
    }
    return {};
}

Result<int64_t> JobController::manageJob(SyncContext& ctx, std::optional<Error>& error) {
    int64_t active = static_cast<int64_t>(ctx.activePods.size());
    const int completions = static_cast<int>(ctx.spec.completions.value_or(0));
    if (ctx.spec.suspend) {
        std::vector<kube::ObjectPtr> victims = job::activePodsForRemoval(
            ctx.activePods, ctx.spec.indexed, completions, ctx.activePods.size());
        m_expectations.expectDeletions(ctx.key, podKeys(victims));
        auto [removed, removedReady] = deleteJobPods(ctx, victims, error);
        ctx.terminating += removed;
        ctx.ready -= removedReady;
        return active - removed;
    }
    int64_t wantActive = 0;
    if (!ctx.spec.completions) {
        // Any success means the work is done: let what runs finish, start nothing new.
        wantActive = ctx.succeeded > 0 ? active : ctx.spec.parallelism;
    } else {
        wantActive = std::clamp(*ctx.spec.completions - ctx.succeeded, int64_t{0},
                                std::max(ctx.spec.parallelism, int64_t{0}));
    }
    int64_t rmAtLeast = std::max(active - wantActive, int64_t{0});
    std::vector<kube::ObjectPtr> victims = job::activePodsForRemoval(
        ctx.activePods, ctx.spec.indexed, completions, static_cast<size_t>(rmAtLeast));
    if (victims.size() > MaxPodCreateDeletePerSync) {
        victims.resize(MaxPodCreateDeletePerSync);
    }
    if (!victims.empty()) {
        // Deletions and creations never happen in the same sync; deletions come first.
        m_expectations.expectDeletions(ctx.key, podKeys(victims));
        auto [removed, removedReady] = deleteJobPods(ctx, victims, error);
        ctx.terminating += removed;
        ctx.ready -= removedReady;
        return active - removed;
    }
    // podReplacementPolicy Failed: terminating pods are replaced only once they are gone.
    const bool onlyReplaceFailedPods =
        ctx.spec.podReplacementPolicy == "Failed" || ctx.spec.hasPodFailurePolicy;
    int64_t terminating = onlyReplaceFailedPods ? ctx.terminating : 0;
    int64_t diff = wantActive - terminating - active;
    if (diff <= 0) {
        return active;
    }
    const TimePoint now = m_clock.now();
    // With backoffLimitPerIndex each index waits on its own (below), not on the Job's failures.
    const bool perIndexBackoff = ctx.failedIndexes.has_value();
    if (!perIndexBackoff) {
        std::chrono::nanoseconds remaining = ctx.newBackoffRecord.remainingTime(now);
        if (remaining > std::chrono::nanoseconds(0)) {
            requeueAt(ctx.key, now + std::max(remaining, m_options.syncBatchPeriod));
            return active;
        }
    }
    diff = std::min(diff, MaxPodCreateDeletePerSync);
    std::vector<int> indexes;
    if (ctx.spec.indexed) {
        // Failed indexes are not run again; with onlyReplaceFailedPods neither are the indexes
        // of terminating pods.
        std::set<int> notPending;
        if (ctx.failedIndexes) {
            for (const auto& interval : ctx.failedIndexes->intervals()) {
                for (int ix = interval.first; ix <= interval.last; ++ix) {
                    notPending.insert(ix);
                }
            }
        }
        if (onlyReplaceFailedPods) {
            for (const kube::ObjectPtr& pod : ctx.pods) {
                if (int ix = job::completionIndex(*pod);
                    job::isPodTerminating(*pod) && ix != job::UnknownCompletionIndex) {
                    notPending.insert(ix);
                }
            }
        }
        job::OrderedIntervals done = ctx.succeededIndexes.withOrderedIndexes(
            std::vector<int>(notPending.begin(), notPending.end()));
        indexes =
            job::firstPendingIndexes(ctx.activePods, done, static_cast<int>(diff), completions);
        if (perIndexBackoff) {
            // getPodCreationInfoForIndependentIndexes: the indexes whose back-off is over; when
            // none is, a look once the first one's ends.
            std::vector<int> ready;
            std::optional<std::chrono::nanoseconds> soonest;
            for (int ix : indexes) {
                auto delayed = ctx.podsWithDelayedDeletion.find(ix);
                std::chrono::nanoseconds remaining = job::remainingTimePerIndex(
                    delayed == ctx.podsWithDelayedDeletion.end() ? nullptr : delayed->second.get(),
                    now);
                if (remaining <= std::chrono::nanoseconds(0)) {
                    ready.push_back(ix);
                } else if (!soonest || remaining < *soonest) {
                    soonest = remaining;
                }
            }
            if (ready.empty() && soonest) {
                requeueAt(ctx.key, now + std::max(*soonest, m_options.syncBatchPeriod));
                return active;
            }
            indexes = std::move(ready);
        }
        diff = static_cast<int64_t>(indexes.size());
    }
    return active + createPods(ctx, diff, std::move(indexes), error);
}

namespace {

/// addIndexFailureCountAnnotation: the failure counts of the index so far, from the pod being
/// replaced (`lastFailed`, the index's pod with delayed deletion; null: none).
void addIndexFailureCounts(const json::object& jobObject, const json::object* lastFailed,
                           json::object& podMeta) {
    const json::object* failurePolicy =
        kube::objectAt(kube::objectAt(jobObject, "spec"), "podFailurePolicy");
    auto [failures, ignored] = job::newIndexFailureCounts(failurePolicy, lastFailed);
    json::object* annotations = kube::ensureObject(podMeta, "annotations");
    annotations->insert_or_assign(job::IndexFailureCountAnnotation, std::to_string(failures));
    if (ignored > 0) {
        annotations->insert_or_assign(job::IndexIgnoredFailureCountAnnotation,
                                      std::to_string(ignored));
    }
}

} // namespace

int64_t JobController::createPods(SyncContext& ctx, int64_t count, std::vector<int> indexes,
                                  std::optional<Error>& error) {
    if (count <= 0) {
        return 0;
    }
    const json::object* spec = kube::objectAt(ctx.job, "spec");
    const json::object* tmpl = kube::objectAt(spec, "template");
    const json::object* tmplMeta = kube::objectAt(tmpl, "metadata");
    const json::object* labels = kube::objectAt(tmplMeta, "labels");
    if (labels == nullptr || labels->empty()) {
        error = Error{ErrorCode::InvalidArgument, "unable to create pods, no labels"};
        return 0;
    }
    // GetPodFromTemplate, with the tracking finalizer and, for Indexed Jobs, the index env.
    json::object meta{{"labels", *labels}};
    if (const json::object* annotations = kube::objectAt(tmplMeta, "annotations")) {
        meta["annotations"] = *annotations;
    }
    json::array finalizers;
    if (const json::array* existing = tmplMeta ? kube::arrayAt(*tmplMeta, "finalizers") : nullptr) {
        finalizers = *existing;
    }
    if (!std::ranges::any_of(finalizers, [](const json::value& f) {
            return f.is_string() && f.get_string() == job::TrackingFinalizer;
        })) {
        finalizers.emplace_back(job::TrackingFinalizer);
    }
    meta["finalizers"] = std::move(finalizers);
    meta["ownerReferences"] = json::array{newControllerRef(ctx.job, JobKind)};
    json::object podSpec;
    if (const json::object* s = kube::objectAt(tmpl, "spec")) {
        podSpec = *s;
    }
    if (ctx.spec.indexed) {
        addCompletionIndexEnv(podSpec);
    }
    const std::string jobName(kube::name(ctx.job));

    m_expectations.expectCreations(ctx.key, count);
    int64_t created = 0;
    int64_t attempted = 0;
    size_t nextIndex = 0;
    // Slow start: batches of 1, 2, 4, ...; a failed batch stops the rest.
    for (int64_t batch = std::min<int64_t>(count, 1); attempted < count;
         batch = std::min(2 * batch, count - attempted)) {
        bool batchFailed = false;
        for (int64_t i = 0; i < batch; ++i, ++attempted) {
            json::object podMeta = meta;
            json::object thisSpec = podSpec;
            podMeta["generateName"] = jobName + "-";
            if (nextIndex < indexes.size()) {
                int ix = indexes[nextIndex++];
                std::string text = std::to_string(ix);
                kube::ensureObject(podMeta, "annotations")
                    ->insert_or_assign(job::CompletionIndexAnnotation, text);
                kube::ensureObject(podMeta, "labels")
                    ->insert_or_assign(job::CompletionIndexAnnotation, text);
                thisSpec["hostname"] = fmt::format("{}-{}", jobName, ix);
                podMeta["generateName"] = job::podGenerateNameWithIndex(jobName, ix);
                if (ctx.failedIndexes) {
                    auto replaced = ctx.podsWithDelayedDeletion.find(ix);
                    addIndexFailureCounts(ctx.job,
                                          replaced == ctx.podsWithDelayedDeletion.end()
                                              ? nullptr
                                              : replaced->second.get(),
                                          podMeta);
                }
            }
            json::object pod{{"apiVersion", "v1"},
                             {"kind", "Pod"},
                             {"metadata", std::move(podMeta)},
                             {"spec", std::move(thisSpec)}};
            auto result = m_client.create(kube::resources::Pods, kube::namespaceOf(ctx.job), pod);
            if (result) {
                ++created;
                m_events.normal(ctx.job, "SuccessfulCreate",
                                fmt::format("Created pod: {}", kube::name(*result)));
                continue;
            }
            if (namespaceTerminating(result.error())) {
                continue; // Every create will fail; the expectation stays until it expires.
            }
            m_expectations.creationObserved(ctx.key);
            m_events.warning(ctx.job, "FailedCreate",
                             fmt::format("Error creating: {}", result.error().message));
            if (!error) {
                error = result.error().toError();
            }
            batchFailed = true;
        }
        if (batchFailed) {
            // Creations never tried will not be observed either.
            for (int64_t skipped = count - attempted; skipped > 0; --skipped) {
                m_expectations.creationObserved(ctx.key);
            }
            break;
        }
    }
    return created;
}

std::pair<int64_t, int64_t>
JobController::deleteActivePods(const SyncContext& ctx, const std::vector<kube::ObjectPtr>& pods,
                                std::optional<Error>& error) {
    int64_t deleted = 0;
    int64_t deletedReady = 0;
    for (const kube::ObjectPtr& pod : pods) {
        auto removed =
            m_client.remove(kube::resources::Pods, kube::namespaceOf(*pod), kube::name(*pod));
        if (removed) {
            m_events.normal(ctx.job, "SuccessfulDelete",
                            fmt::format("Deleted pod: {}", kube::name(*pod)));
        } else if (!kube::isNotFound(removed.error())) {
            m_events.warning(ctx.job, "FailedDelete",
                             fmt::format("Error deleting: {}", removed.error().message));
            if (!error) {
                error = removed.error().toError();
            }
            continue;
        }
        ++deleted;
        deletedReady += isPodReady(*pod) ? 1 : 0;
    }
    return {deleted, deletedReady};
}

std::pair<int64_t, int64_t> JobController::deleteJobPods(const SyncContext& ctx,
                                                         const std::vector<kube::ObjectPtr>& pods,
                                                         std::optional<Error>& error) {
    int64_t deleted = 0;
    int64_t deletedReady = 0;
    for (const kube::ObjectPtr& pod : pods) {
        std::string ns(kube::namespaceOf(*pod));
        std::string name(kube::name(*pod));
        auto failDelete = [&](const kube::ApiError& failure) {
            // No DELETED event will come for this one.
            m_expectations.deletionObserved(ctx.key, kube::objectKey(*pod));
            if (kube::isNotFound(failure)) {
                return false;
            }
            if (!error) {
                error = failure.toError();
            }
            return true;
        };
        if (job::hasTrackingFinalizer(*pod)) {
            auto patched =
                m_client.patch(kube::resources::Pods, ns, name, kube::PatchType::StrategicMerge,
                               job::removeTrackingFinalizerPatch());
            if (!patched) {
                if (!failDelete(patched.error())) {
                    ++deleted;
                }
                continue;
            }
        }
        auto removed = m_client.remove(kube::resources::Pods, ns, name);
        if (removed) {
            m_events.normal(ctx.job, "SuccessfulDelete", fmt::format("Deleted pod: {}", name));
        } else if (failDelete(removed.error())) {
            m_events.warning(ctx.job, "FailedDelete",
                             fmt::format("Error deleting: {}", removed.error().message));
            continue;
        }
        ++deleted;
        deletedReady += isPodReady(*pod) ? 1 : 0;
    }
    return {deleted, deletedReady};
}

} // namespace pilot::controllers
