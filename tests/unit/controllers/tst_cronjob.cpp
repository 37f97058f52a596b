// The CronJob controller over the in-process API with a manual clock: Jobs at the scheduled
// times (names, annotation, labels, owner), looks asked for exactly at the next scheduled time,
// Allow/Forbid/Replace, missed times with and without startingDeadlineSeconds, history
// limits, suspend, time zones, and Jobs made by `kubectl create job --from=cronjob/...`. The
// test stands in for the Job controller by writing the finished Jobs' status.

#include "batchtestutil.h"
#include "engine/controllers/cronjob/cronjobcontroller.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

TimePoint at(std::string_view rfc3339) {
    auto parsed = parseTime(rfc3339);
    EXPECT_TRUE(parsed) << rfc3339;
    return parsed ? *parsed : TimePoint();
}

/// `<name>-<minutes since the epoch>` for a scheduled time.
std::string jobNameFor(const std::string& cronJob, std::string_view scheduled) {
    return fmt::format("{}-{}", cronJob,
                       at(scheduled).time_since_epoch() / std::chrono::minutes(1));
}

class CronDriver {
public:
    CronDriver() {
        CronJobController::Options options;
        options.clock = &cluster.clock;
        options.localZone = cron::TimeZone(); // kube-controller-manager in UTC
        options.requeueAt = cluster.timers.hookFor(&m_controller);
        auto controller = std::make_unique<CronJobController>(cluster.controllerClient, options);
        m_controller = controller.get();
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::move(controller));
        cluster.start(std::move(controllers));
    }

    json::object create(const std::string& name, json::object spec) {
        spec["jobTemplate"] = json::object{
            {"metadata", json::object{{"labels", json::object{{"team", "batch"}}},
                                      {"annotations", json::object{{"note", "from-template"}}}}},
            {"spec", json::object{{"template", busyboxPodTemplate()}}}};
        return cluster.create(kube::resources::CronJobs,
                              json::object{{"apiVersion", "batch/v1"},
                                           {"kind", "CronJob"},
                                           {"metadata", json::object{{"name", name}}},
                                           {"spec", std::move(spec)}});
    }

    json::object cronJob(const std::string& name) {
        return cluster.observer.object("cronjobs", name);
    }
    json::object job(const std::string& name) { return cluster.observer.object("jobs", name); }
    /// Names of the Jobs that are not being deleted, sorted.
    std::vector<std::string> jobNames() {
        std::vector<std::string> out;
        for (const json::object& j : cluster.observer.list("jobs")) {
            if (!kube::hasDeletionTimestamp(j)) {
                out.emplace_back(kube::name(j));
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    std::vector<std::string> activeNames(const std::string& cronJob) {
        std::vector<std::string> out;
        json::object object = this->cronJob(cronJob);
        const json::object* status = kube::objectAt(object, "status");
        if (const json::array* active = status ? kube::arrayAt(*status, "active") : nullptr) {
            for (const json::value& ref : *active) {
                out.push_back(kube::stringAt(ref.as_object(), "name"));
            }
        }
        return out;
    }
    std::string statusField(const std::string& cronJob, std::string_view field) {
        return kube::stringAt(kube::objectAt(this->cronJob(cronJob), "status"), field);
    }
    bool waitFor(const std::function<bool()>& pred) { return cluster.observer.waitUntil(pred); }
    bool waitForLook(const std::string& cronJob, std::string_view time) {
        return waitFor(
            [&] { return cluster.timers.requested("default/" + cronJob, at(time) + 100ms); });
    }
    bool hasEvent(const std::string& name, const std::string& text) {
        return waitFor([&] { return cluster.observer.hasEvent(name, text); });
    }

    /// What the Job controller would write once the Job ran from `started` to now.
    void finishJob(const std::string& name, bool succeeded, TimePoint started) {
        std::string now = formatTime(cluster.clock.now());
        json::object status{
            {"startTime", formatTime(started)},
            {"conditions", json::array{json::object{{"type", succeeded ? "Complete" : "Failed"},
                                                    {"status", "True"},
                                                    {"lastTransitionTime", now}}}}};
        if (succeeded) {
            status["completionTime"] = now;
            status["succeeded"] = 1;
        } else {
            status["failed"] = 1;
        }
        cluster.mergePatch(kube::resources::Jobs, name, json::object{{"status", status}}, "status");
    }

    BatchCluster cluster;

private:
    QueueController* m_controller = nullptr;
};

TEST(CronJobController, CreatesJobsOnScheduleAndLooksAgainAtTheNextTime) {
    CronDriver driver;
    json::object cj = driver.create(
        "nightly", json::object{{"schedule", "*/5 * * * *"}, {"concurrencyPolicy", "Allow"}});
    // Created at 03:04:05: the first run is at 03:05, and that is when it looks again.
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:05:00Z"));
    EXPECT_TRUE(driver.jobNames().empty());
    driver.cluster.timers.advanceTo(at("2030-01-02T03:05:00Z") + 100ms);

    const std::string first = "nightly-31559225";
    ASSERT_EQ(first, jobNameFor("nightly", "2030-01-02T03:05:00Z"));
    ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly").size() == 1; }));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.job(first).empty(); }));
    json::object job = driver.job(first);
    EXPECT_EQ(kube::annotation(job, "batch.kubernetes.io/cronjob-scheduled-timestamp").value_or(""),
              "2030-01-02T03:05:00Z");
    EXPECT_EQ(kube::annotation(job, "note").value_or(""), "from-template");
    EXPECT_EQ(kube::label(job, "team").value_or(""), "batch");
    const json::object* owner = kube::controllerRef(job);
    ASSERT_NE(owner, nullptr);
    EXPECT_EQ(kube::stringAt(*owner, "kind"), "CronJob");
    EXPECT_EQ(kube::stringAt(*owner, "uid"), kube::uid(cj));
    EXPECT_EQ(driver.activeNames("nightly"), std::vector<std::string>{first});
    json::object cronJob = driver.cronJob("nightly");
    json::object ref =
        kube::arrayAt(*kube::objectAt(cronJob, "status"), "active")->at(0).as_object();
    EXPECT_EQ(kube::stringAt(ref, "kind"), "Job");
    EXPECT_EQ(kube::stringAt(ref, "apiVersion"), "batch/v1");
    EXPECT_EQ(kube::stringAt(ref, "namespace"), "default");
    EXPECT_EQ(kube::stringAt(ref, "uid"), kube::uid(job));
    EXPECT_EQ(driver.statusField("nightly", "lastScheduleTime"), "2030-01-02T03:05:00Z");
    EXPECT_TRUE(driver.hasEvent("nightly", "SuccessfulCreate: Created job " + first));
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:10:00Z"));

    // Allow: the next run starts while the first still runs.
    driver.cluster.timers.advanceTo(at("2030-01-02T03:10:00Z") + 100ms);
    const std::string second = jobNameFor("nightly", "2030-01-02T03:10:00Z");
    ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly").size() == 2; }));
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.jobNames() == std::vector<std::string>{first, second};
    }));
}

TEST(CronJobController, ForbidSkipsWhileAJobRuns) {
    CronDriver driver;
    driver.create("nightly",
                  json::object{{"schedule", "*/5 * * * *"}, {"concurrencyPolicy", "Forbid"}});
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:05:00Z"));
    driver.cluster.timers.advanceTo(at("2030-01-02T03:05:00Z") + 100ms);
    const std::string first = jobNameFor("nightly", "2030-01-02T03:05:00Z");
    ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly").size() == 1; }));

    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:10:00Z"));
    driver.cluster.timers.advanceTo(at("2030-01-02T03:10:00Z") + 100ms);
    EXPECT_TRUE(driver.hasEvent("nightly",
                                "JobAlreadyActive: Not starting job because prior "
                                "execution is running and concurrency policy is Forbid"));
    EXPECT_TRUE(
        driver.waitFor([&] { return driver.jobNames() == std::vector<std::string>{first}; }));

    // Once the first finishes, the run it held back (03:10, no starting deadline) starts.
    driver.finishJob(first, true, at("2030-01-02T03:05:00Z"));
    const std::string held = jobNameFor("nightly", "2030-01-02T03:10:00Z");
    ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly") == std::vector{held}; }));
    EXPECT_TRUE(driver.hasEvent("nightly", "SawCompletedJob: Saw completed job: " + first +
                                               ", condition: Complete"));
    EXPECT_EQ(driver.statusField("nightly", "lastScheduleTime"), "2030-01-02T03:10:00Z");
    EXPECT_EQ(driver.statusField("nightly", "lastSuccessfulTime"),
              formatTime(driver.cluster.clock.now()));
    EXPECT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:15:00Z"));
}

TEST(CronJobController, ReplaceDeletesTheRunningJob) {
    CronDriver driver;
    driver.create("nightly",
                  json::object{{"schedule", "*/5 * * * *"}, {"concurrencyPolicy", "Replace"}});
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:05:00Z"));
    driver.cluster.timers.advanceTo(at("2030-01-02T03:05:00Z") + 100ms);
    const std::string first = jobNameFor("nightly", "2030-01-02T03:05:00Z");
    ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly").size() == 1; }));

    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:10:00Z"));
    driver.cluster.timers.advanceTo(at("2030-01-02T03:10:00Z") + 100ms);
    const std::string second = jobNameFor("nightly", "2030-01-02T03:10:00Z");
    ASSERT_TRUE(driver.waitFor([&] {
        return driver.activeNames("nightly") == std::vector{second} &&
               driver.jobNames() == std::vector{second};
    }));
    EXPECT_TRUE(driver.hasEvent("nightly", "SuccessfulDelete: Deleted job " + first));
}

TEST(CronJobController, StartsOnlyTheMostRecentMissedTime) {
    CronDriver driver;
    driver.create("nightly", json::object{{"schedule", "*/5 * * * *"}});
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:05:00Z"));
    // The controller was away for an hour: eleven runs were missed, only 04:00 starts.
    driver.cluster.timers.advanceTo(at("2030-01-02T04:00:30Z"));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.activeNames("nightly").empty(); }));
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.jobNames() ==
               std::vector<std::string>{jobNameFor("nightly", "2030-01-02T04:00:00Z")};
    }));
    EXPECT_EQ(driver.statusField("nightly", "lastScheduleTime"), "2030-01-02T04:00:00Z");
    EXPECT_TRUE(driver.waitForLook("nightly", "2030-01-02T04:05:00Z"));
}

TEST(CronJobController, StartingDeadlineSkipsRunsTooLateToStart) {
    CronDriver driver;
    driver.create("nightly",
                  json::object{{"schedule", "*/5 * * * *"}, {"startingDeadlineSeconds", 20}});
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:05:00Z"));
    // 03:05 is 25 s past: too late. Nothing starts; the next look is at 03:10.
    driver.cluster.timers.advanceTo(at("2030-01-02T03:05:25Z"));
    ASSERT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:10:00Z"));
    EXPECT_TRUE(driver.jobNames().empty());
    EXPECT_TRUE(driver.statusField("nightly", "lastScheduleTime").empty());
    // 03:10 seen 15 s late is still within the deadline.
    driver.cluster.timers.advanceTo(at("2030-01-02T03:10:15Z"));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.activeNames("nightly").empty(); }));
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.jobNames() ==
               std::vector<std::string>{jobNameFor("nightly", "2030-01-02T03:10:00Z")};
    }));
}

TEST(CronJobController, WarnsAboutTooManyMissedTimes) {
    CronDriver driver;
    driver.create("minutely", json::object{{"schedule", "* * * * *"}});
    ASSERT_TRUE(driver.waitForLook("minutely", "2030-01-02T03:05:00Z"));
    driver.cluster.timers.advanceTo(at("2030-01-02T06:30:10Z"));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.activeNames("minutely").empty(); }));
    EXPECT_TRUE(driver.hasEvent("minutely",
                                "TooManyMissedTimes: too many missed start times. Set or decrease "
                                ".spec.startingDeadlineSeconds or check clock skew"));
    // It still starts the most recent one.
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.jobNames() ==
               std::vector<std::string>{jobNameFor("minutely", "2030-01-02T06:30:00Z")};
    }));
}

TEST(CronJobController, KeepsTheConfiguredHistory) {
    CronDriver driver;
    driver.create("nightly", json::object{{"schedule", "*/5 * * * *"},
                                          {"successfulJobsHistoryLimit", 1},
                                          {"failedJobsHistoryLimit", 1}});
    std::vector<std::string> names;
    const std::vector<std::string> times = {"2030-01-02T03:05:00Z", "2030-01-02T03:10:00Z",
                                            "2030-01-02T03:15:00Z", "2030-01-02T03:20:00Z"};
    for (size_t i = 0; i < times.size(); ++i) {
        ASSERT_TRUE(driver.waitForLook("nightly", times[i])) << times[i];
        driver.cluster.timers.advanceTo(at(times[i]) + 100ms);
        names.push_back(jobNameFor("nightly", times[i]));
        ASSERT_TRUE(driver.waitFor([&] { return !driver.job(names.back()).empty(); }));
        // Two successes, then two failures.
        driver.finishJob(names.back(), i < 2, at(times[i]));
        ASSERT_TRUE(driver.waitFor([&] { return driver.activeNames("nightly").empty(); }));
    }
    // The older success and the older failure went, oldest start first.
    ASSERT_TRUE(driver.waitFor([&] {
        return driver.jobNames() == std::vector<std::string>{names[1], names[3]};
    }));
    EXPECT_TRUE(driver.hasEvent("nightly", "SuccessfulDelete: Deleted job " + names[0]));
    EXPECT_TRUE(driver.hasEvent("nightly", "SuccessfulDelete: Deleted job " + names[2]));
}

TEST(CronJobController, SuspendedCronJobStartsNothingUntilResumed) {
    CronDriver driver;
    driver.create("nightly", json::object{{"schedule", "*/5 * * * *"}, {"suspend", true}});
    driver.cluster.timers.advanceTo(at("2030-01-02T03:12:00Z"));
    EXPECT_FALSE(driver.cluster.timers.next("default/nightly").has_value());
    EXPECT_TRUE(driver.jobNames().empty());
    driver.cluster.mergePatch(kube::resources::CronJobs, "nightly",
                              json::object{{"spec", json::object{{"suspend", false}}}});
    // Resumed without a starting deadline: the most recent missed time (03:10) runs now.
    ASSERT_TRUE(driver.waitFor([&] { return !driver.activeNames("nightly").empty(); }));
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.jobNames() ==
               std::vector<std::string>{jobNameFor("nightly", "2030-01-02T03:10:00Z")};
    }));
    EXPECT_TRUE(driver.waitForLook("nightly", "2030-01-02T03:15:00Z"));
}

TEST(CronJobController, SchedulesInTheCronJobsTimeZone) {
    CronDriver driver;
    // Created 2030-01-01 22:04:05 in New York (EST): the first 22:00 there is the next day.
    driver.create("tz", json::object{{"schedule", "0 22 * * *"}, {"timeZone", "America/New_York"}});
    driver.create("utc", json::object{{"schedule", "0 22 * * *"}});
    ASSERT_TRUE(driver.waitForLook("tz", "2030-01-03T03:00:00Z"));
    ASSERT_TRUE(driver.waitForLook("utc", "2030-01-02T22:00:00Z"));

    driver.cluster.timers.advanceTo(at("2030-01-03T03:00:00Z") + 100ms);
    const std::string name = "tz-31560660";
    ASSERT_EQ(name, jobNameFor("tz", "2030-01-03T03:00:00Z"));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.job(name).empty(); }));
    EXPECT_EQ(kube::annotation(driver.job(name), "batch.kubernetes.io/cronjob-scheduled-timestamp")
                  .value_or(""),
              "2030-01-02T22:00:00-05:00");
    EXPECT_TRUE(driver.waitForLook("tz", "2030-01-04T03:00:00Z"));
}

TEST(CronJobController, LeavesManuallyCreatedJobsAlone) {
    CronDriver driver;
    json::object cj = driver.create("nightly", json::object{{"schedule", "0 0 1 1 *"}});
    ASSERT_TRUE(driver.waitForLook("nightly", "2031-01-01T00:00:00Z"));
    // What `kubectl create job manual --from=cronjob/nightly` makes.
    json::object job{
        {"apiVersion", "batch/v1"},
        {"kind", "Job"},
        {"metadata",
         json::object{
             {"name", "manual"},
             {"annotations", json::object{{"cronjob.kubernetes.io/instantiate", "manual"}}},
             {"ownerReferences", json::array{json::object{{"apiVersion", "batch/v1"},
                                                          {"kind", "CronJob"},
                                                          {"name", "nightly"},
                                                          {"uid", kube::uid(cj)},
                                                          {"controller", true}}}}}},
        {"spec", json::object{{"template", busyboxPodTemplate()}}}};
    driver.cluster.create(kube::resources::Jobs, job);
    EXPECT_TRUE(driver.hasEvent(
        "nightly",
        "UnexpectedJob: Saw a job that the controller did not create or forgot: manual"));
    ASSERT_TRUE(driver.waitFor([&] { return !driver.job("manual").empty(); }));
    json::object seen = driver.job("manual");
    EXPECT_FALSE(kube::hasDeletionTimestamp(seen));
    EXPECT_EQ(kube::annotation(seen, "cronjob.kubernetes.io/instantiate").value_or(""), "manual");
    EXPECT_TRUE(driver.activeNames("nightly").empty());
}

} // namespace
