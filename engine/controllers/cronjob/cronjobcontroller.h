#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/cronjob/cronjobutil.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/job/writtenversions.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/cron/timezone.h"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Creates Jobs from CronJobs as upstream's CronJob controller (v2, Kubernetes 1.32): at each
/// time `spec.schedule` fires (in `spec.timeZone`, else the controller's zone) it creates
/// `<cronjob>-<minutes since the epoch>` from the job template, with the template's labels and
/// annotations, `batch.kubernetes.io/cronjob-scheduled-timestamp` and a controller reference;
/// only the most recent missed time is started, not before startingDeadlineSeconds ran out
/// (MissSchedule otherwise); more than 100 missed times warn TooManyMissedTimes;
/// concurrencyPolicy Allow/Forbid/Replace; suspend; `status.active`, `lastScheduleTime`,
/// `lastSuccessfulTime`; finished Jobs beyond successfulJobsHistoryLimit/failedJobsHistoryLimit
/// are deleted, oldest first. Each CronJob is looked at again exactly when it next fires (no
/// polling). Events: SuccessfulCreate, SawCompletedJob, SuccessfulDelete, MissSchedule,
/// JobAlreadyActive, UnexpectedJob, MissingJob, UnknownTimeZone, UnparseableSchedule,
/// InvalidSchedule, FailedCreate, FailedDelete.
class CronJobController : public QueueController {
public:
    struct Options {
        int workers = 1;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// The zone schedules without a timeZone are read in (kube-controller-manager's local
        /// zone). null: the process's zone.
        std::optional<cron::TimeZone> localZone;
        /// Called for a look at `key` at `at` on the clock (the next scheduled time). null:
        /// the queue's own timer. Tests moving a manual clock enqueue the key themselves once
        /// they pass `at`.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit CronJobController(kube::ApiClient& client);
    CronJobController(kube::ApiClient& client, Options options);
    ~CronJobController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    /// What syncCronJob decided besides the status: when to look again, whether to write.
    struct SyncOutcome {
        std::optional<TimePoint> requeueAt;
        bool updateStatus = false;
        std::optional<Error> error;
    };

    // Events (cronjobcontroller.cpp).
    void onJobAdded(const kube::ObjectPtr& job);
    void onJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& job);
    void onJobDeleted(const kube::ObjectPtr& job);
    void onCronJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& cronJob);
    [[nodiscard]] kube::ObjectPtr resolveControllerRef(std::string_view ns,
                                                       const boost::json::object* ref) const;
    void requeueAt(const std::string& key, TimePoint at);

    // The sync (sync.cpp).
    [[nodiscard]] std::vector<kube::ObjectPtr>
    jobsToBeReconciled(const boost::json::object& cronJob) const;
    [[nodiscard]] SyncOutcome syncCronJob(boost::json::object& cronJob,
                                          cronjob::CronJobStatus& status,
                                          const std::vector<kube::ObjectPtr>& jobs);
    [[nodiscard]] bool cleanupFinishedJobs(const boost::json::object& cronJob,
                                           cronjob::CronJobStatus& status,
                                           const std::vector<kube::ObjectPtr>& jobs);
    [[nodiscard]] bool removeOldestJobs(const boost::json::object& cronJob,
                                        cronjob::CronJobStatus& status,
                                        std::vector<kube::ObjectPtr> jobs, int64_t keep);
    /// Deletes a Job (Background) and drops it from the active list.
    [[nodiscard]] bool deleteJob(const boost::json::object& cronJob, cronjob::CronJobStatus& status,
                                 const boost::json::object& job);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    cron::TimeZone m_localZone;
    job::WrittenVersions m_written;
    EventRecorder m_events;
    kube::Informer* m_cronJobs = nullptr;
    kube::Informer* m_jobs = nullptr;
};

} // namespace pilot::controllers
