// CronJobController's sync: active-list bookkeeping, the scheduling decision, Job creation and
// history clean-up (cronjob_controllerv2.go's syncCronJob and cleanupFinishedJobs).

#include "engine/controllers/cronjob/cronjobcontroller.h"
#include "engine/controllers/job/jobutil.h"
#include "kube/client/apierror.h"
#include "kube/goquote.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view NamespaceIndex = "namespace";

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

/// An ObjectReference to a Job, as client-go's reference.GetReference writes it.
json::object jobReference(const json::object& job) {
    return json::object{{"kind", "Job"},
                        {"namespace", kube::namespaceOf(job)},
                        {"name", kube::name(job)},
                        {"uid", kube::uid(job)},
                        {"apiVersion", "batch/v1"},
                        {"resourceVersion", kube::resourceVersion(job)}};
}

/// byJobStartTime: started before unstarted, earlier first, then by name.
bool startedBefore(const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
    std::string startA = job::JobStatus::fromJob(*a).startTime;
    std::string startB = job::JobStatus::fromJob(*b).startTime;
    auto timeA = startA.empty() ? std::nullopt : std::optional(parseTime(startA));
    auto timeB = startB.empty() ? std::nullopt : std::optional(parseTime(startB));
    bool hasA = timeA && *timeA;
    bool hasB = timeB && *timeB;
    if (hasA != hasB) {
        return hasA;
    }
    if (!hasA || **timeA == **timeB) {
        return kube::name(*a) < kube::name(*b);
    }
    return **timeA < **timeB;
}

} // namespace

std::vector<kube::ObjectPtr>
CronJobController::jobsToBeReconciled(const json::object& cronJob) const {
    // Every Job naming the CronJob as controller, even if its labels no longer match.
    std::vector<kube::ObjectPtr> out;
    for (const kube::ObjectPtr& j :
         m_jobs->cache().byIndex(NamespaceIndex, kube::namespaceOf(cronJob))) {
        const json::object* ref = kube::controllerRef(*j);
        if (ref != nullptr && kube::stringAt(*ref, "name") == kube::name(cronJob)) {
            out.push_back(j);
        }
    }
    return out;
}

CronJobController::SyncOutcome
CronJobController::syncCronJob(json::object& cronJob, cronjob::CronJobStatus& status,
                               const std::vector<kube::ObjectPtr>& jobs) {
    SyncOutcome out;
    const TimePoint now = m_clock.now();
    const std::string ns(kube::namespaceOf(cronJob));

    std::set<std::string> children;
    for (const kube::ObjectPtr& j : jobs) {
        std::string uid(kube::uid(*j));
        children.insert(uid);
        const bool found = status.inActiveList(uid);
        const bool finished = job::isJobFinished(*j);
        if (!found && !finished) {
            // Not in our list: our status write may not have been seen yet; ask the API.
            auto fresh = m_client.get(kube::resources::CronJobs, ns, kube::name(cronJob));
            if (!fresh) {
                out.error = fresh.error().toError();
                return out;
            }
            cronjob::CronJobStatus freshStatus = cronjob::CronJobStatus::fromCronJob(*fresh);
            if (freshStatus.inActiveList(uid)) {
                cronJob = std::move(*fresh);
                status = std::move(freshStatus);
                continue;
            }
            m_events.warning(
                cronJob, "UnexpectedJob",
                fmt::format("Saw a job that the controller did not create or forgot: {}",
                            kube::name(*j)));
        } else if (finished) {
            if (found) {
                std::optional<job::JobCondition> condition = job::finishedCondition(*j);
                status.removeFromActiveList(uid);
                m_events.normal(cronJob, "SawCompletedJob",
                                fmt::format("Saw completed job: {}, condition: {}", kube::name(*j),
                                            condition ? condition->type : ""));
                out.updateStatus = true;
            }
            if (job::isJobSucceeded(*j)) {
                std::string completed = job::JobStatus::fromJob(*j).completionTime;
                auto completedAt = parseTime(completed);
                auto lastSuccess = parseTime(status.lastSuccessfulTime);
                if (status.lastSuccessfulTime.empty() ||
                    (completedAt && lastSuccess && *completedAt > *lastSuccess)) {
                    status.lastSuccessfulTime = completed;
                    out.updateStatus = true;
                }
            }
        }
    }

    // Drop active entries whose Job is gone (checked against the API, not a slow cache).
    std::vector<json::object> activeCopy = status.active;
    for (const json::object& ref : activeCopy) {
        std::string uid = kube::stringAt(ref, "uid");
        if (children.contains(uid)) {
            continue;
        }
        auto fetched = m_client.get(kube::resources::Jobs, kube::stringAt(ref, "namespace"),
                                    kube::stringAt(ref, "name"));
        if (!fetched && kube::isNotFound(fetched.error())) {
            m_events.normal(
                cronJob, "MissingJob",
                fmt::format("Active job went missing: {}", kube::stringAt(ref, "name")));
            status.removeFromActiveList(uid);
            out.updateStatus = true;
        } else if (!fetched) {
            out.error = fetched.error().toError();
            return out;
        }
    }

    if (kube::hasDeletionTimestamp(cronJob)) {
        return out; // Being deleted: status only.
    }
    const json::object* spec = kube::objectAt(cronJob, "spec");
    if (spec == nullptr) {
        return out;
    }
    if (const json::value* tz = spec->if_contains("timeZone"); tz && tz->is_string()) {
        std::string zone(tz->get_string());
        if (auto loaded = cron::TimeZone::load(zone); !loaded) {
            m_events.warning(cronJob, "UnknownTimeZone",
                             fmt::format("invalid timeZone: {}: {}", kube::goQuote(zone),
                                         loaded.error().message));
            return out;
        }
    }
    if (kube::boolAt(*spec, "suspend").value_or(false)) {
        return out;
    }
    const std::string scheduleText = kube::stringAt(spec, "schedule");
    if (scheduleText.find("TZ") != std::string::npos) {
        m_events.warning(cronJob, "UnsupportedSchedule",
                         fmt::format("CRON_TZ or TZ used in schedule {} is not officially "
                                     "supported, see https://kubernetes.io/docs/concepts/"
                                     "workloads/controllers/cron-jobs/ for more details",
                                     kube::goQuote(scheduleText)));
    }
    auto schedule = cron::Schedule::parse(cronjob::formatSchedule(cronJob));
    if (!schedule) {
        m_events.warning(cronJob, "UnparseableSchedule",
                         fmt::format("unparseable schedule: {} : {}", kube::goQuote(scheduleText),
                                     schedule.error().message));
        return out;
    }

    // nextScheduleTime: the most recent unmet time, if any.
    cronJob["status"] = status.toJson();
    spec = kube::objectAt(cronJob, "spec"); // adding "status" may have moved the members
    cronjob::RecentSchedule recent =
        cronjob::mostRecentScheduleTime(cronJob, now, *schedule, m_localZone, true);
    if (!recent.mostRecent || *recent.mostRecent > now) {
        if (recent.error) {
            m_events.warning(cronJob, "InvalidSchedule",
                             fmt::format("invalid schedule: {} : {}", scheduleText, *recent.error));
            return out;
        }
        // Nothing due (a look before the time, e.g. after a restart): wait for the next one.
        out.requeueAt = cronjob::nextLookTime(cronJob, now, *schedule, m_localZone);
        return out;
    }
    if (recent.missed == cronjob::Missed::Many) {
        m_events.warning(cronJob, "TooManyMissedTimes",
                         "too many missed start times. Set or decrease "
                         ".spec.startingDeadlineSeconds or check clock skew");
    }
    const TimePoint scheduledTime = *recent.mostRecent;

    std::optional<int64_t> deadline = kube::integerAt(*spec, "startingDeadlineSeconds");
    if (deadline && scheduledTime + std::chrono::seconds(*deadline) < now) {
        m_events.warning(cronJob, "MissSchedule",
                         fmt::format("Missed scheduled time to start a job: {}",
                                     cronjob::formatRfc1123z(scheduledTime)));
        out.requeueAt = cronjob::nextLookTime(cronJob, now, *schedule, m_localZone);
        return out;
    }
    const std::string name = cronjob::jobName(kube::name(cronJob), scheduledTime);
    auto lastSchedule = parseTime(status.lastScheduleTime);
    if (status.inActiveListByName(ns, name) ||
        (!status.lastScheduleTime.empty() && lastSchedule && *lastSchedule == scheduledTime)) {
        // Already started for this time.
        out.requeueAt = cronjob::nextLookTime(cronJob, now, *schedule, m_localZone);
        return out;
    }
    const std::string policy = kube::stringAt(*spec, "concurrencyPolicy");
    if (policy == "Forbid" && !status.active.empty()) {
        // The cache may miss a Job that is active, so Forbid may still overlap rarely.
        m_events.normal(cronJob, "JobAlreadyActive",
                        "Not starting job because prior execution is running and concurrency "
                        "policy is Forbid");
        out.requeueAt = cronjob::nextLookTime(cronJob, now, *schedule, m_localZone);
        return out;
    }
    if (policy == "Replace") {
        std::vector<json::object> activeRefs = status.active;
        for (const json::object& ref : activeRefs) {
            auto running = m_client.get(kube::resources::Jobs, kube::stringAt(ref, "namespace"),
                                        kube::stringAt(ref, "name"));
            if (!running) {
                m_events.warning(cronJob, "FailedGet",
                                 fmt::format("Get job: {}", running.error().message));
                out.error = running.error().toError();
                return out;
            }
            if (!deleteJob(cronJob, status, *running)) {
                out.error = Error{ErrorCode::Internal,
                                  fmt::format("could not replace job {}/{}",
                                              kube::namespaceOf(*running), kube::name(*running))};
                return out;
            }
            out.updateStatus = true;
        }
    }

    // The annotation reads in the CronJob's zone (UTC without one).
    cron::TimeZone annotationZone;
    if (const json::value* tz = spec->if_contains("timeZone"); tz && tz->is_string()) {
        annotationZone = cron::TimeZone::load(tz->get_string()).value_or(cron::TimeZone());
    }
    json::object request = cronjob::jobFromTemplate(cronJob, scheduledTime, annotationZone);
    auto created = m_client.create(kube::resources::Jobs, ns, request);
    json::object jobResponse;
    if (created) {
        jobResponse = std::move(*created);
        m_events.normal(cronJob, "SuccessfulCreate",
                        fmt::format("Created job {}", kube::name(jobResponse)));
    } else if (namespaceTerminating(created.error())) {
        out.error = created.error().toError();
        return out;
    } else if (kube::isAlreadyExists(created.error())) {
        // Created earlier but the status write was lost, or someone else made it.
        auto existing = m_client.get(kube::resources::Jobs, ns, name);
        if (!existing) {
            out.error = existing.error().toError();
            return out;
        }
        const json::object* ref = kube::controllerRef(*existing);
        if (ref == nullptr || kube::stringAt(*ref, "uid") != kube::uid(cronJob) ||
            status.inActiveList(kube::uid(*existing))) {
            return out;
        }
        jobResponse = std::move(*existing);
    } else {
        m_events.warning(cronJob, "FailedCreate",
                         fmt::format("Error creating job: {}", created.error().message));
        out.error = created.error().toError();
        return out;
    }

    // The deterministic name is the lock against creating the same run twice if this status
    // write is lost.
    status.active.push_back(jobReference(jobResponse));
    status.lastScheduleTime = formatTime(scheduledTime);
    out.updateStatus = true;
    cronJob["status"] = status.toJson();
    out.requeueAt = cronjob::nextLookTime(cronJob, now, *schedule, m_localZone);
    return out;
}

bool CronJobController::cleanupFinishedJobs(const json::object& cronJob,
                                            cronjob::CronJobStatus& status,
                                            const std::vector<kube::ObjectPtr>& jobs) {
    const json::object* spec = kube::objectAt(cronJob, "spec");
    std::optional<int64_t> successfulLimit =
        spec ? kube::integerAt(*spec, "successfulJobsHistoryLimit") : std::nullopt;
    std::optional<int64_t> failedLimit =
        spec ? kube::integerAt(*spec, "failedJobsHistoryLimit") : std::nullopt;
    if (!successfulLimit && !failedLimit) {
        return false;
    }
    std::vector<kube::ObjectPtr> successful;
    std::vector<kube::ObjectPtr> failed;
    for (const kube::ObjectPtr& j : jobs) {
        std::optional<job::JobCondition> finished = job::finishedCondition(*j);
        if (finished && finished->type == job::Complete) {
            successful.push_back(j);
        } else if (finished && finished->type == job::Failed) {
            failed.push_back(j);
        }
    }
    bool update = false;
    if (successfulLimit && removeOldestJobs(cronJob, status, successful, *successfulLimit)) {
        update = true;
    }
    if (failedLimit && removeOldestJobs(cronJob, status, failed, *failedLimit)) {
        update = true;
    }
    return update;
}

bool CronJobController::removeOldestJobs(const json::object& cronJob,
                                         cronjob::CronJobStatus& status,
                                         std::vector<kube::ObjectPtr> jobs, int64_t keep) {
    int64_t toDelete = static_cast<int64_t>(jobs.size()) - keep;
    if (toDelete <= 0) {
        return false;
    }
    std::stable_sort(jobs.begin(), jobs.end(), startedBefore);
    bool update = false;
    for (int64_t i = 0; i < toDelete; ++i) {
        if (deleteJob(cronJob, status, *jobs[static_cast<size_t>(i)])) {
            update = true;
        }
    }
    return update;
}

bool CronJobController::deleteJob(const json::object& cronJob, cronjob::CronJobStatus& status,
                                  const json::object& j) {
    kube::DeleteOptions options;
    options.propagationPolicy = "Background";
    auto removed =
        m_client.remove(kube::resources::Jobs, kube::namespaceOf(j), kube::name(j), options);
    if (!removed) {
        m_events.warning(cronJob, "FailedDelete",
                         fmt::format("Deleted job: {}", removed.error().message));
        return false;
    }
    status.removeFromActiveList(kube::uid(j));
    m_events.normal(cronJob, "SuccessfulDelete", fmt::format("Deleted job {}", kube::name(j)));
    return true;
}

} // namespace pilot::controllers
