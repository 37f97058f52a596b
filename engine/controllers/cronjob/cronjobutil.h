#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/cron/schedule.h"
#include "kube/cron/timezone.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// CronJob helpers (pkg/controller/cronjob/utils.go): which scheduled time is due, the Job a
/// CronJob creates for it, and the typed status.
namespace pilot::controllers::cronjob {

inline constexpr std::string_view ScheduledTimestampAnnotation =
    "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// `status` of a CronJob: `active` (ObjectReferences to Jobs), lastScheduleTime,
/// lastSuccessfulTime.
struct CronJobStatus {
    std::vector<boost::json::object> active;
    std::string lastScheduleTime;
    std::string lastSuccessfulTime;

    [[nodiscard]] static CronJobStatus fromCronJob(const boost::json::object& cronJob);
    [[nodiscard]] boost::json::object toJson() const;
    [[nodiscard]] bool inActiveList(std::string_view uid) const;
    [[nodiscard]] bool inActiveListByName(std::string_view ns, std::string_view name) const;
    void removeFromActiveList(std::string_view uid);
};

enum class Missed { None, Few, Many };

/// mostRecentScheduleTime's answer.
struct RecentSchedule {
    TimePoint earliest;                  ///< lastScheduleTime, else the creation time.
    std::optional<TimePoint> mostRecent; ///< The latest scheduled time not after now.
    Missed missed = Missed::None;
    std::optional<std::string> error; ///< A schedule that (almost) never fires.
};

/// The latest time the schedule fired at or before `now` since the CronJob last scheduled (or
/// was created), with startingDeadlineSeconds moving that start forward when asked; counts
/// missed times roughly (more than 100: Many) as upstream does.
[[nodiscard]] RecentSchedule mostRecentScheduleTime(const boost::json::object& cronJob,
                                                    TimePoint now, const cron::Schedule& schedule,
                                                    const cron::TimeZone& zone,
                                                    bool includeStartingDeadlineSeconds);

/// nextScheduleTimeDuration as an instant: when to look at the CronJob again (the next
/// scheduled time plus 100 ms against clock skew). nullopt: never.
[[nodiscard]] std::optional<TimePoint> nextLookTime(const boost::json::object& cronJob,
                                                    TimePoint now, const cron::Schedule& schedule,
                                                    const cron::TimeZone& zone);

/// `<cronjob>-<scheduled time in minutes since the epoch>`.
[[nodiscard]] std::string jobName(std::string_view cronJobName, TimePoint scheduledTime);

/// getJobFromTemplate2: the Job for `scheduledTime` with the template's labels and
/// annotations, the scheduled-timestamp annotation (RFC 3339 in the CronJob's time zone, UTC
/// without one), a controller reference and the template's spec.
[[nodiscard]] boost::json::object jobFromTemplate(const boost::json::object& cronJob,
                                                  TimePoint scheduledTime,
                                                  const cron::TimeZone& annotationZone);

/// The schedule spec as the controller parses it: `TZ=<timeZone> <schedule>` when the
/// CronJob names a known zone and the schedule has no TZ of its own (formatSchedule).
[[nodiscard]] std::string formatSchedule(const boost::json::object& cronJob);

/// Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`.
[[nodiscard]] std::string formatRfc1123z(TimePoint t);

} // namespace pilot::controllers::cronjob
