#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/common/expectations.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/job/backoff.h"
#include "engine/controllers/job/finalizerexpectations.h"
#include "engine/controllers/job/indexedjob.h"
#include "engine/controllers/job/jobutil.h"
#include "engine/controllers/job/writtenversions.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Runs Jobs to completion as upstream's Job controller (Kubernetes 1.32): creates pods from
/// the template (`generateName: <job>-`, the `batch.kubernetes.io/job-tracking` finalizer, a
/// controller reference) up to `parallelism` and the completions still missing, in slow-start
/// batches; Indexed Jobs give each pod an index (annotation and label
/// `batch.kubernetes.io/job-completion-index`, `JOB_COMPLETION_INDEX`, hostname `<job>-<i>`,
/// generateName `<job>-<i>-`) and report `completedIndexes`. Finished pods are counted through
/// `status.uncountedTerminatedPods` before their finalizer is removed. Failures re-create pods
/// after an exponential back-off (10 s doubling, at most 10 min); more than `backoffLimit`
/// failures, or `activeDeadlineSeconds` passed, fail the Job (FailureTarget, active pods
/// deleted, then Failed once none is left); enough successes complete it (SuccessCriteriaMet,
/// then Complete). `suspend` deletes active pods (Suspended condition); resuming resets
/// `startTime`. Writes active/ready/terminating/succeeded/failed/start and completion times and
/// records SuccessfulCreate, SuccessfulDelete, Completed, BackoffLimitExceeded,
/// DeadlineExceeded, Suspended and Resumed Events. `podFailurePolicy` rules (FailJob: the Job
/// fails with reason PodFailurePolicy; Ignore: the failure is not counted; Count) and the
/// `successPolicy` of Indexed Jobs (SuccessCriteriaMet with reason SuccessPolicy, remaining
/// pods terminated) are evaluated (jobpolicies.h), and so are `backoffLimitPerIndex` and
/// `maxFailedIndexes` of Indexed Jobs (per-index failure counts in pod annotations,
/// `status.failedIndexes`, FailIndex; FailedIndexes / MaxFailedIndexesExceeded). With
/// `backoffLimitPerIndex` each index has its own back-off (from its failure count and its last
/// failed pod's finish), and an index's last failed pod keeps the tracking finalizer until its
/// replacement exists, so deleting that pod does not lose the index's failure count.
class JobController : public QueueController {
public:
    struct Options {
        int workers = 2;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// How long pod events are batched before a sync (upstream: 1 s).
        std::chrono::nanoseconds syncBatchPeriod = std::chrono::seconds(1);
        /// Called for a look at `key` at time `at` on the clock (back-off over, deadline
        /// reached). null: the queue's own timer (right with the system clock); tests that move
        /// a manual clock enqueue the key themselves once they pass `at`.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit JobController(kube::ApiClient& client);
    JobController(kube::ApiClient& client, Options options);
    ~JobController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    /// syncJobCtx: what one sync of one Job works on.
    struct SyncContext {
        std::string key;
        boost::json::object job; ///< The working copy; its status is `status`.
        job::JobSpec spec;
        job::JobStatus status;
        std::vector<kube::ObjectPtr> pods;
        std::vector<kube::ObjectPtr> activePods;
        std::optional<job::JobCondition> finishedCondition;
        int64_t succeeded = 0;
        int64_t failed = 0;
        job::OrderedIntervals prevSucceededIndexes;
        job::OrderedIntervals succeededIndexes;
        /// Set for Indexed Jobs with backoffLimitPerIndex: the indexes that failed for good.
        std::optional<job::OrderedIntervals> failedIndexes;
        /// With backoffLimitPerIndex: each waiting index's last failed pod, whose finalizer
        /// stays until its replacement is created.
        std::map<int, kube::ObjectPtr> podsWithDelayedDeletion;
        job::BackoffRecord newBackoffRecord;
        std::set<std::string> expectedRmFinalizers;
        std::set<std::string> uncountedSucceeded;
        std::set<std::string> uncountedFailed;
        int64_t terminating = 0;
        int64_t ready = 0;
    };

    // Events and lookups (jobcontroller.cpp).
    void onPodAdded(const kube::ObjectPtr& pod);
    void onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod);
    void onPodDeleted(const kube::ObjectPtr& pod, bool final);
    void onJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& job);
    void enqueueBatched(const std::string& key);
    void enqueueOrphanPod(const boost::json::object& pod);
    void requeueAt(const std::string& key, TimePoint at);
    /// Pods controlled by `job` that still hold the finalizer go to the orphan queue.
    void cleanupPodFinalizers(const boost::json::object& job);
    [[nodiscard]] kube::ObjectPtr resolveControllerRef(std::string_view ns,
                                                       const boost::json::object* ref) const;
    [[nodiscard]] std::vector<kube::ObjectPtr> jobsSelecting(const boost::json::object& pod) const;
    [[nodiscard]] Status syncOrphanPod(const std::string& podKey);
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>> podsForJob(const boost::json::object& job);

    // The sync and pod management (sync.cpp).
    [[nodiscard]] Status syncJob(const std::string& key);
    /// Brings the number of active pods towards what the job wants; returns the new active
    /// count.
    [[nodiscard]] Result<int64_t> manageJob(SyncContext& ctx, std::optional<Error>& error);
    [[nodiscard]] int64_t createPods(SyncContext& ctx, int64_t count, std::vector<int> indexes,
                                     std::optional<Error>& error);
    /// Deletes pods keeping their finalizers (the job failed: they are counted as failed);
    /// returns the number deleted and how many of them were ready.
    std::pair<int64_t, int64_t> deleteActivePods(const SyncContext& ctx,
                                                 const std::vector<kube::ObjectPtr>& pods,
                                                 std::optional<Error>& error);
    /// Removes the finalizer, then deletes (suspend, surplus pods: not counted).
    std::pair<int64_t, int64_t> deleteJobPods(const SyncContext& ctx,
                                              const std::vector<kube::ObjectPtr>& pods,
                                              std::optional<Error>& error);
    [[nodiscard]] bool pastActiveDeadline(const SyncContext& ctx) const;
    [[nodiscard]] bool pastBackoffLimitOnFailure(const SyncContext& ctx) const;
    [[nodiscard]] bool isPodFailed(const boost::json::object& pod, const job::JobSpec& spec) const;

    // Status tracking (tracking.cpp).
    [[nodiscard]] Status trackJobStatusAndRemoveFinalizers(SyncContext& ctx, bool needsFlush);
    [[nodiscard]] Status
    flushUncountedAndRemoveFinalizers(SyncContext& ctx,
                                      const std::vector<kube::ObjectPtr>& podsToRemoveFinalizer,
                                      std::set<std::string>& uidsWithFinalizer, bool& needsFlush);
    [[nodiscard]] std::vector<bool>
    removeTrackingFinalizers(const std::string& key, const std::vector<kube::ObjectPtr>& pods,
                             std::optional<Error>& error);
    /// canRemoveFinalizer: the Job is going away or finishing, the pod succeeded, or it failed
    /// and is not an index's pod with delayed deletion.
    [[nodiscard]] static bool
    canRemoveFinalizer(const SyncContext& ctx, const boost::json::object& pod, bool considerFailed);
    [[nodiscard]] bool enactJobFinished(SyncContext& ctx);
    void recordJobFinished(const SyncContext& ctx);
    /// PUTs the status; `ctx.job` becomes what the server stored.
    [[nodiscard]] Status writeStatus(SyncContext& ctx);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    Expectations m_expectations;
    job::FinalizerExpectations m_finalizerExpectations;
    job::BackoffStore m_backoff;
    job::WrittenVersions m_written;
    EventRecorder m_events;
    kube::Informer* m_jobs = nullptr;
    kube::Informer* m_pods = nullptr;
};

} // namespace pilot::controllers
