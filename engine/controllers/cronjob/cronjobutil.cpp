#include "engine/controllers/cronjob/cronjobutil.h"

#include "engine/controllers/common/controllerref.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>

namespace pilot::controllers::cronjob {
namespace json = boost::json;

namespace {

constexpr std::chrono::milliseconds NextScheduleDelta{100};
constexpr int64_t ManyMissed = 100;

std::optional<TimePoint> parsed(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    auto t = parseTime(text);
    return t ? std::optional<TimePoint>(*t) : std::nullopt;
}

} // namespace

CronJobStatus CronJobStatus::fromCronJob(const json::object& cronJob) {
    CronJobStatus out;
    const json::object* status = kube::objectAt(cronJob, "status");
    if (status == nullptr) {
        return out;
    }
    if (const json::array* active = kube::arrayAt(*status, "active")) {
        for (const json::value& ref : *active) {
            if (ref.is_object()) {
                out.active.push_back(ref.get_object());
            }
        }
    }
    out.lastScheduleTime = kube::stringAt(*status, "lastScheduleTime");
    out.lastSuccessfulTime = kube::stringAt(*status, "lastSuccessfulTime");
    return out;
}

json::object CronJobStatus::toJson() const {
    json::object out;
    if (!active.empty()) {
        json::array refs;
        for (const json::object& ref : active) {
            refs.push_back(ref);
        }
        out["active"] = std::move(refs);
    }
    if (!lastScheduleTime.empty()) {
        out["lastScheduleTime"] = lastScheduleTime;
    }
    if (!lastSuccessfulTime.empty()) {
        out["lastSuccessfulTime"] = lastSuccessfulTime;
    }
    return out;
}

bool CronJobStatus::inActiveList(std::string_view uid) const {
    for (const json::object& ref : active) {
        if (kube::stringAt(ref, "uid") == uid) {
            return true;
        }
    }
    return false;
}

bool CronJobStatus::inActiveListByName(std::string_view ns, std::string_view name) const {
    for (const json::object& ref : active) {
        if (kube::stringAt(ref, "name") == name && kube::stringAt(ref, "namespace") == ns) {
            return true;
        }
    }
    return false;
}

void CronJobStatus::removeFromActiveList(std::string_view uid) {
    std::erase_if(active,
                  [&](const json::object& ref) { return kube::stringAt(ref, "uid") == uid; });
}

RecentSchedule mostRecentScheduleTime(const json::object& cronJob, TimePoint now,
                                      const cron::Schedule& schedule, const cron::TimeZone& zone,
                                      bool includeStartingDeadlineSeconds) {
    RecentSchedule out;
    out.earliest = parsed(kube::creationTimestamp(cronJob)).value_or(now);
    CronJobStatus status = CronJobStatus::fromCronJob(cronJob);
    if (auto last = parsed(status.lastScheduleTime)) {
        out.earliest = *last;
    }
    const json::object* spec = kube::objectAt(cronJob, "spec");
    std::optional<int64_t> deadline =
        spec ? kube::integerAt(*spec, "startingDeadlineSeconds") : std::nullopt;
    if (includeStartingDeadlineSeconds && deadline) {
        // Nothing older than the deadline will be scheduled.
        TimePoint schedulingDeadline = now - std::chrono::seconds(*deadline);
        if (schedulingDeadline > out.earliest) {
            out.earliest = schedulingDeadline;
        }
    }
    std::optional<TimePoint> t1 = schedule.next(out.earliest, zone);
    std::optional<TimePoint> t2 = t1 ? schedule.next(*t1, zone) : std::nullopt;
    if (t1 && now < *t1) {
        return out;
    }
    if (t1 && t2 && now < *t2) {
        out.mostRecent = t1;
        return out;
    }
    // A schedule such as `59 23 31 2 *` parses but never fires.
    int64_t between = 0;
    if (t1 && t2) {
        auto gap = std::chrono::duration_cast<std::chrono::nanoseconds>(*t2 - *t1);
        between = (gap + std::chrono::milliseconds(500)) / std::chrono::seconds(1);
    }
    if (between < 1) {
        out.error = "time difference between two schedules is less than 1 second";
        return out;
    }
    // Estimate how many times were missed from the interval between t1 and t2, start the
    // search one interval before the estimate (for uneven schedules like `30 6-16/4 * * 1-5`),
    // and walk forward to the last time not after now.
    int64_t elapsed = std::chrono::duration_cast<std::chrono::seconds>(now - *t1).count();
    int64_t missedCount = elapsed / between + 1;
    TimePoint potentialEarliest = *t1 + std::chrono::seconds((missedCount - 2) * between);
    std::optional<TimePoint> mostRecent;
    for (auto t = schedule.next(potentialEarliest, zone); t && *t <= now;
         t = schedule.next(*t, zone)) {
        mostRecent = t;
    }
    if (missedCount > ManyMissed) {
        out.missed = Missed::Many;
    } else if (missedCount > 0) {
        out.missed = Missed::Few;
    }
    out.mostRecent = mostRecent;
    return out;
}

std::optional<TimePoint> nextLookTime(const json::object& cronJob, TimePoint now,
                                      const cron::Schedule& schedule, const cron::TimeZone& zone) {
    RecentSchedule recent = mostRecentScheduleTime(cronJob, now, schedule, zone, false);
    TimePoint from = now;
    if (!recent.error) {
        if (recent.mostRecent) {
            from = *recent.mostRecent;
        } else if (recent.missed == Missed::None) {
            from = recent.earliest;
        }
    }
    std::optional<TimePoint> next = schedule.next(from, zone);
    if (!next) {
        return std::nullopt;
    }
    return *next + NextScheduleDelta;
}

std::string jobName(std::string_view cronJobName, TimePoint scheduledTime) {
    int64_t seconds =
        std::chrono::floor<std::chrono::seconds>(scheduledTime.time_since_epoch()).count();
    // Go's integer division truncates towards zero.
    return fmt::format("{}-{}", cronJobName, seconds / 60);
}

json::object jobFromTemplate(const json::object& cronJob, TimePoint scheduledTime,
                             const cron::TimeZone& annotationZone) {
    const json::object* spec = kube::objectAt(cronJob, "spec");
    const json::object* tmpl = kube::objectAt(spec, "jobTemplate");
    const json::object* tmplMeta = kube::objectAt(tmpl, "metadata");
    json::object labels;
    if (const json::object* l = kube::objectAt(tmplMeta, "labels")) {
        labels = *l;
    }
    json::object annotations;
    if (const json::object* a = kube::objectAt(tmplMeta, "annotations")) {
        annotations = *a;
    }
    annotations[ScheduledTimestampAnnotation] = annotationZone.formatRfc3339(scheduledTime);
    json::object meta{{"name", jobName(kube::name(cronJob), scheduledTime)},
                      {"labels", std::move(labels)},
                      {"annotations", std::move(annotations)},
                      {"ownerReferences",
                       json::array{newControllerRef(cronJob, OwnerKind{"batch/v1", "CronJob"})}}};
    json::object job{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(meta)}};
    if (const json::object* jobSpec = kube::objectAt(tmpl, "spec")) {
        job["spec"] = *jobSpec;
    }
    return job;
}

std::string formatSchedule(const json::object& cronJob) {
    const json::object* spec = kube::objectAt(cronJob, "spec");
    std::string schedule = kube::stringAt(spec, "schedule");
    if (schedule.find("TZ") != std::string::npos) {
        return schedule;
    }
    const json::value* tz = spec ? spec->if_contains("timeZone") : nullptr;
    if (tz == nullptr || !tz->is_string()) {
        return schedule;
    }
    std::string zone(tz->get_string());
    if (!cron::TimeZone::load(zone)) {
        return schedule;
    }
    return fmt::format("TZ={} {}", zone, schedule);
}

std::string formatRfc1123z(TimePoint t) {
    static constexpr std::array<std::string_view, 7> Days{"Sun", "Mon", "Tue", "Wed",
                                                          "Thu", "Fri", "Sat"};
    static constexpr std::array<std::string_view, 12> Months{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    cron::CivilTime c = cron::TimeZone().civil(t);
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", Days[c.weekday], c.day,
                       Months[c.month - 1], c.year, c.hour, c.minute, c.second);
}

} // namespace pilot::controllers::cronjob
