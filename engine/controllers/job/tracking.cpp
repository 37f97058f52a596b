// Counting finished pods through status.uncountedTerminatedPods and the tracking finalizer, and
// the terminal conditions (job_controller.go's trackJobStatusAndRemoveFinalizers and below).

#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/job/jobpolicies.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

/// The status keeps at most this many uncounted uids (about 20 KB); the rest wait for the next
/// sync.
constexpr size_t MaxUncountedPods = 500;

/// cleanUncountedPodsWithoutFinalizers: uids whose finalizer is gone move from the uncounted
/// lists to the counters. Returns whether anything moved.
bool cleanUncountedPodsWithoutFinalizers(job::JobStatus& status,
                                         const std::set<std::string>& uidsWithFinalizer) {
    bool updated = false;
    auto keep = [&](std::vector<std::string>& uncounted, int64_t& counter) {
        std::vector<std::string> still;
        for (const std::string& uid : uncounted) {
            if (uidsWithFinalizer.contains(uid)) {
                still.push_back(uid);
            }
        }
        if (still.size() != uncounted.size()) {
            updated = true;
            counter += static_cast<int64_t>(uncounted.size() - still.size());
            uncounted = std::move(still);
        }
    };
    keep(status.uncountedSucceeded, status.succeeded);
    keep(status.uncountedFailed, status.failed);
    return updated;
}

bool isSuccessCriteriaMet(const std::optional<job::JobCondition>& condition) {
    return condition && condition->type == job::SuccessCriteriaMet;
}

} // namespace

bool JobController::canRemoveFinalizer(const SyncContext& ctx, const json::object& pod,
                                       bool considerFailed) {
    if (kube::hasDeletionTimestamp(ctx.job) || ctx.finishedCondition ||
        job::podPhase(pod) == "Succeeded") {
        return true;
    }
    if (!considerFailed) {
        return false;
    }
    // backoffLimitPerIndex: an index's last failed pod stays until its replacement exists.
    auto delayed = ctx.podsWithDelayedDeletion.find(job::completionIndex(pod));
    return delayed == ctx.podsWithDelayedDeletion.end() ||
           kube::uid(*delayed->second) != kube::uid(pod);
}

Status JobController::trackJobStatusAndRemoveFinalizers(SyncContext& ctx, bool needsFlush) {
    const bool indexed = ctx.spec.indexed;
    const int completions = static_cast<int>(ctx.spec.completions.value_or(0));
    std::vector<kube::ObjectPtr> pods = ctx.pods;
    if (indexed) {
        // Completed indexes go in in order.
        std::stable_sort(pods.begin(), pods.end(),
                         [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                             return job::completionIndex(*a) < job::completionIndex(*b);
                         });
    }
    std::set<std::string> uidsWithFinalizer;
    for (const kube::ObjectPtr& pod : pods) {
        std::string uid(kube::uid(*pod));
        if (job::hasTrackingFinalizer(*pod) && !ctx.expectedRmFinalizers.contains(uid)) {
            uidsWithFinalizer.insert(uid);
        }
    }
    if (cleanUncountedPodsWithoutFinalizers(ctx.status, uidsWithFinalizer)) {
        needsFlush = true;
    }
    std::vector<kube::ObjectPtr> podsToRemoveFinalizer;
    std::vector<int> newSucceededIndexes;
    bool reachedMaxUncountedPods = false;
    for (const kube::ObjectPtr& pod : pods) {
        std::string uid(kube::uid(*pod));
        if (!job::hasTrackingFinalizer(*pod) || ctx.expectedRmFinalizers.contains(uid)) {
            continue; // Counted by an earlier sync.
        }
        const bool considerFailed = isPodFailed(*pod, ctx.spec);
        if (!canRemoveFinalizer(ctx, *pod, considerFailed)) {
            continue;
        }
        podsToRemoveFinalizer.push_back(pod);
        if (job::podPhase(*pod) == "Succeeded" && !ctx.uncountedFailed.contains(uid)) {
            if (indexed) {
                // The index is enough to never count a success twice.
                int ix = job::completionIndex(*pod);
                if (ix != job::UnknownCompletionIndex && ix < completions &&
                    !ctx.prevSucceededIndexes.has(ix)) {
                    newSucceededIndexes.push_back(ix);
                    needsFlush = true;
                }
            } else if (!ctx.uncountedSucceeded.contains(uid)) {
                needsFlush = true;
                ctx.status.uncountedSucceeded.push_back(uid);
            }
        } else if (considerFailed ||
                   (ctx.finishedCondition && !isSuccessCriteriaMet(ctx.finishedCondition))) {
            // Once the Job failed, every pod that did not succeed counts as failed.
            int ix = job::completionIndex(*pod);
            if (!ctx.uncountedFailed.contains(uid) &&
                (!indexed || (ix != job::UnknownCompletionIndex && ix < completions)) &&
                job::matchPodFailurePolicy(
                    kube::objectAt(kube::objectAt(ctx.job, "spec"), "podFailurePolicy"), *pod)
                    .countFailed) {
                needsFlush = true;
                ctx.status.uncountedFailed.push_back(uid);
            }
        }
        if (newSucceededIndexes.size() + ctx.status.uncountedSucceeded.size() +
                ctx.status.uncountedFailed.size() >=
            MaxUncountedPods) {
            reachedMaxUncountedPods = true;
            break;
        }
    }
    if (indexed) {
        ctx.succeededIndexes = ctx.succeededIndexes.withOrderedIndexes(newSucceededIndexes);
        std::string text = ctx.succeededIndexes.toString();
        if (text != ctx.status.completedIndexes) {
            needsFlush = true;
        }
        ctx.status.succeeded = ctx.succeededIndexes.total();
        ctx.status.completedIndexes = text;
        std::optional<std::string> failedText;
        if (ctx.failedIndexes) {
            failedText = ctx.failedIndexes->toString();
        }
        if (failedText != ctx.status.failedIndexes) {
            ctx.status.failedIndexes = std::move(failedText);
            needsFlush = true;
        }
    }
    const TimePoint now = m_clock.now();
    if (ctx.finishedCondition && ctx.finishedCondition->type == job::FailureTarget) {
        // Record why the Job fails before the finalizers go; Failed follows once no pod is left.
        ctx.status.conditions.push_back(*ctx.finishedCondition);
        needsFlush = true;
        ctx.finishedCondition = job::newCondition(job::Failed, ctx.finishedCondition->reason,
                                                  ctx.finishedCondition->message, now);
    }
    if (isSuccessCriteriaMet(ctx.finishedCondition)) {
        if (const job::JobCondition* met = ctx.status.find(job::SuccessCriteriaMet);
            met == nullptr || met->status != "True") {
            ctx.status.conditions.push_back(*ctx.finishedCondition);
            needsFlush = true;
        }
        ctx.finishedCondition = job::newCondition(job::Complete, ctx.finishedCondition->reason,
                                                  ctx.finishedCondition->message, now);
    }
    Status flushed = flushUncountedAndRemoveFinalizers(ctx, podsToRemoveFinalizer,
                                                       uidsWithFinalizer, needsFlush);
    if (!flushed) {
        return flushed;
    }
    const bool jobFinished = !reachedMaxUncountedPods && enactJobFinished(ctx);
    if (jobFinished) {
        needsFlush = true;
    }
    if (!needsFlush) {
        return {};
    }
    if (Status written = writeStatus(ctx); !written) {
        return fail(written.error().code,
                    "removing uncounted pods from status: " + written.error().message);
    }
    if (jobFinished) {
        recordJobFinished(ctx);
    }
    return {};
}

Status JobController::flushUncountedAndRemoveFinalizers(
    SyncContext& ctx, const std::vector<kube::ObjectPtr>& podsToRemoveFinalizer,
    std::set<std::string>& uidsWithFinalizer, bool& needsFlush) {
    if (needsFlush) {
        if (Status written = writeStatus(ctx); !written) {
            return fail(written.error().code,
                        "adding uncounted pods to status: " + written.error().message);
        }
        m_backoff.update(ctx.newBackoffRecord);
        needsFlush = false;
    }
    std::optional<Error> removeError;
    if (!podsToRemoveFinalizer.empty()) {
        std::vector<bool> removed =
            removeTrackingFinalizers(ctx.key, podsToRemoveFinalizer, removeError);
        for (size_t i = 0; i < podsToRemoveFinalizer.size(); ++i) {
            if (removed[i]) {
                uidsWithFinalizer.erase(std::string(kube::uid(*podsToRemoveFinalizer[i])));
            }
        }
    }
    // Counters follow the finalizers actually removed; flush the partial progress on failure.
    if (cleanUncountedPodsWithoutFinalizers(ctx.status, uidsWithFinalizer)) {
        needsFlush = true;
    }
    if (removeError && needsFlush) {
        if (Status written = writeStatus(ctx); !written) {
            return fail(written.error().code,
                        "removing uncounted pods from status: " + written.error().message);
        }
    }
    if (removeError) {
        return std::unexpected(*removeError);
    }
    return {};
}

std::vector<bool> JobController::removeTrackingFinalizers(const std::string& key,
                                                          const std::vector<kube::ObjectPtr>& pods,
                                                          std::optional<Error>& error) {
    std::vector<std::string> uids;
    uids.reserve(pods.size());
    for (const kube::ObjectPtr& pod : pods) {
        uids.emplace_back(kube::uid(*pod));
    }
    m_finalizerExpectations.expectRemoved(key, uids);
    std::vector<bool> removed(pods.size(), false);
    for (size_t i = 0; i < pods.size(); ++i) {
        const json::object& pod = *pods[i];
        auto patched =
            m_client.patch(kube::resources::Pods, kube::namespaceOf(pod), kube::name(pod),
                           kube::PatchType::StrategicMerge, job::removeTrackingFinalizerPatch());
        if (!patched) {
            // No update showing the finalizer gone will come.
            m_finalizerExpectations.observed(key, uids[i]);
            if (!kube::isNotFound(patched.error())) {
                if (!error) {
                    error = Error{patched.error().kind,
                                  "removing tracking finalizer: " + patched.error().message};
                }
                continue;
            }
        }
        removed[i] = true;
    }
    return removed;
}

bool JobController::enactJobFinished(SyncContext& ctx) {
    if (!ctx.finishedCondition) {
        return false;
    }
    if (!ctx.status.uncountedSucceeded.empty() || !ctx.status.uncountedFailed.empty()) {
        return false;
    }
    // Terminal conditions wait until no pod is terminating (1.31+ behaviour).
    if (ctx.terminating > 0) {
        return false;
    }
    const job::JobCondition& finished = *ctx.finishedCondition;
    ctx.status.ensureCondition(finished.type, finished.status, finished.reason, finished.message,
                               m_clock.now());
    if (finished.type == job::Complete) {
        ctx.status.completionTime = finished.lastTransitionTime;
    }
    return true;
}

void JobController::recordJobFinished(const SyncContext& ctx) {
    const job::JobCondition& finished = *ctx.finishedCondition;
    if (finished.type == job::Complete) {
        if (ctx.spec.completions && ctx.status.succeeded > *ctx.spec.completions) {
            m_events.warning(ctx.job, "TooManySucceededPods",
                             "Too many succeeded pods running after completion count reached");
        }
        m_events.normal(ctx.job, "Completed", "Job completed");
        return;
    }
    m_events.warning(ctx.job, finished.reason, finished.message);
}

Status JobController::writeStatus(SyncContext& ctx) {
    ctx.job["status"] = ctx.status.toJson();
    auto written = m_client.updateStatus(kube::resources::Jobs, ctx.job);
    if (!written) {
        return std::unexpected(written.error().toError());
    }
    ctx.job = std::move(*written);
    ctx.status = job::JobStatus::fromJob(ctx.job);
    m_written.remember(ctx.key, ctx.job);
    return {};
}

} // namespace pilot::controllers
