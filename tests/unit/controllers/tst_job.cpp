// The Job and TTL-after-finished controllers over the in-process API, with the test standing
// in for the node agent (pods run, then succeed or fail when the test says so) and moving a
// manual clock: completions within parallelism, Indexed Jobs, the back-off limit, the active
// deadline, suspend and resume, and deletion after ttlSecondsAfterFinished.

#include "batchtestutil.h"
#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/ttlafterfinished/ttlafterfinishedcontroller.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

/// One cluster with the Job and TTL controllers on the test's clock and timers.
class JobDriver {
public:
    JobDriver() {
        JobController::Options jobOptions;
        jobOptions.clock = &cluster.clock;
        jobOptions.syncBatchPeriod = std::chrono::nanoseconds(0);
        jobOptions.requeueAt = cluster.timers.hookFor(&m_jobs);
        auto jobs = std::make_unique<JobController>(cluster.controllerClient, jobOptions);
        m_jobs = jobs.get();
        TtlAfterFinishedController::Options ttlOptions;
        ttlOptions.clock = &cluster.clock;
        ttlOptions.requeueAt = cluster.timers.hookFor(&m_ttl);
        auto ttl =
            std::make_unique<TtlAfterFinishedController>(cluster.controllerClient, ttlOptions);
        m_ttl = ttl.get();
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::move(jobs));
        controllers.push_back(std::move(ttl));
        cluster.start(std::move(controllers));
    }

    json::object create(json::object spec, const std::string& name = "work") {
        if (!spec.contains("template")) {
            spec["template"] = busyboxPodTemplate();
        }
        return cluster.create(kube::resources::Jobs,
                              json::object{{"apiVersion", "batch/v1"},
                                           {"kind", "Job"},
                                           {"metadata", json::object{{"name", name}}},
                                           {"spec", std::move(spec)}});
    }

    json::object job(const std::string& name = "work") {
        return cluster.observer.object("jobs", name);
    }
    std::string uid(const std::string& name = "work") { return std::string(kube::uid(job(name))); }
    std::vector<json::object> active(const std::string& name = "work") {
        return cluster.observer.activePodsOf(uid(name));
    }
    bool hasCondition(std::string_view type, const std::string& name = "work") {
        return kube::stringAt(jobCondition(job(name), type), "status") == "True";
    }
    bool waitFor(const std::function<bool()>& pred) { return cluster.observer.waitUntil(pred); }

    /// Waits for `count` running pods, then finishes the first of them. Pods it finished
    /// before are skipped even while the observer still shows them running.
    bool finishOne(bool succeeded, size_t count = 1) {
        json::object target;
        bool found = waitFor([&] {
            std::vector<json::object> pods;
            for (json::object& pod : active()) {
                if (!m_finished.contains(std::string(kube::uid(pod)))) {
                    pods.push_back(std::move(pod));
                }
            }
            if (pods.size() < count) {
                return false;
            }
            target = pods.front();
            return true;
        });
        if (found) {
            m_finished.insert(std::string(kube::uid(target)));
            markFinished(cluster.client, target, succeeded, cluster.clock.now());
        }
        return found;
    }

    BatchCluster cluster;

private:
    QueueController* m_jobs = nullptr;
    QueueController* m_ttl = nullptr;
    std::set<std::string> m_finished;
};

std::vector<std::string> finalizersOf(const json::object& pod) {
    std::vector<std::string> out;
    for (std::string_view f : kube::finalizers(pod)) {
        out.emplace_back(f);
    }
    return out;
}

TEST(CompletedIndexes, CompressLikeUpstream) {
    using job::OrderedIntervals;
    EXPECT_EQ(OrderedIntervals().withOrderedIndexes({0, 1, 2, 5}).toString(), "0-2,5");
    EXPECT_EQ(OrderedIntervals().withOrderedIndexes({3, 4}).toString(), "3,4");
    OrderedIntervals parsed = OrderedIntervals::parse("0-2,5,7-9", 9);
    EXPECT_EQ(parsed.toString(), "0-2,5,7,8"); // indexes past completions are dropped
    EXPECT_EQ(parsed.total(), 6);
    EXPECT_TRUE(parsed.has(5));
    EXPECT_FALSE(parsed.has(6));
    EXPECT_EQ(parsed.withOrderedIndexes({3, 4, 6}).toString(), "0-8");
    EXPECT_EQ(OrderedIntervals::parse("x,1-2,4", 10).toString(), "1,2,4");
}

TEST(CompletedIndexes, PendingIndexesSkipSucceededAndActive) {
    using job::OrderedIntervals;
    auto pod = [](int index) {
        return std::make_shared<const json::object>(json::object{
            {"metadata",
             json::object{{"annotations", json::object{{"batch.kubernetes.io/job-completion-index",
                                                        std::to_string(index)}}}}}});
    };
    OrderedIntervals succeeded = OrderedIntervals::parse("0,1,4", 8);
    EXPECT_EQ(job::firstPendingIndexes({pod(2)}, succeeded, 3, 8), (std::vector<int>{3, 5, 6}));
    EXPECT_EQ(job::firstPendingIndexes({}, succeeded, 10, 6), (std::vector<int>{2, 3, 5}));
    EXPECT_EQ(job::podGenerateNameWithIndex("work", 3), "work-3-");
    EXPECT_EQ(job::podGenerateNameWithIndex(std::string(60, 'a'), 12).size(), 58U);
}

TEST(JobController, RunsCompletionsNeverMoreThanParallelismAtOnce) {
    JobDriver driver;
    std::atomic<size_t> mostActive{0};
    std::string jobUid;
    std::mutex uidMutex;
    size_t listener =
        driver.cluster.observer.listen([&](const std::string& plural, const kube::ObjectPtr&) {
            if (plural != "pods") {
                return;
            }
            std::lock_guard lock(uidMutex);
            size_t n = driver.cluster.observer.activePodsOf(jobUid).size();
            mostActive = std::max(mostActive.load(), n);
        });
    json::object created = driver.create(json::object{{"completions", 5}, {"parallelism", 2}});
    {
        std::lock_guard lock(uidMutex);
        jobUid = std::string(kube::uid(created));
    }
    for (int i = 0; i < 5; ++i) {
        // While more completions remain than parallelism, two pods run.
        size_t expected = std::min<size_t>(2, 5 - i);
        ASSERT_TRUE(driver.finishOne(true, expected)) << "completion " << i;
        ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "succeeded") == i + 1; }))
            << "completion " << i;
    }
    ASSERT_TRUE(driver.waitFor([&] { return driver.hasCondition("Complete"); }));
    driver.cluster.observer.unlisten(listener);
    EXPECT_LE(mostActive.load(), 2U);

    json::object job = driver.job();
    EXPECT_EQ(statusOf(job, "succeeded"), 5);
    EXPECT_EQ(statusOf(job, "active"), 0);
    EXPECT_EQ(statusOf(job, "failed"), 0);
    // SuccessCriteriaMet comes first, then Complete, both for the same reason.
    json::object met = jobCondition(job, "SuccessCriteriaMet");
    json::object complete = jobCondition(job, "Complete");
    EXPECT_EQ(kube::stringAt(met, "reason"), "CompletionsReached");
    EXPECT_EQ(kube::stringAt(complete, "reason"), "CompletionsReached");
    EXPECT_EQ(kube::stringAt(complete, "message"), "Reached expected number of succeeded pods");
    const json::object* status = kube::objectAt(job, "status");
    EXPECT_FALSE(kube::stringAt(*status, "startTime").empty());
    EXPECT_FALSE(kube::stringAt(*status, "completionTime").empty());
    EXPECT_TRUE(kube::objectAt(*status, "uncountedTerminatedPods")->empty());

    // Every pod came from the template with the Job's labels, and was let go once counted.
    auto pods = driver.cluster.observer.podsOf(jobUid);
    ASSERT_EQ(pods.size(), 5U) << [&] {
        std::string out;
        for (const json::object& pod : pods) {
            out += json::serialize(pod) + "\n";
        }
        return out;
    }();
    for (const json::object& pod : pods) {
        EXPECT_EQ(kube::generateName(pod), "work-");
        EXPECT_EQ(kube::label(pod, "batch.kubernetes.io/job-name").value_or(""), "work");
        EXPECT_EQ(kube::label(pod, "job-name").value_or(""), "work");
        EXPECT_EQ(kube::label(pod, "batch.kubernetes.io/controller-uid").value_or(""), jobUid);
        EXPECT_EQ(kube::label(pod, "controller-uid").value_or(""), jobUid);
    }
    // Counted pods lose the tracking finalizer.
    EXPECT_TRUE(driver.waitFor([&] {
        return std::ranges::all_of(
            driver.cluster.observer.podsOf(jobUid),
            [](const json::object& pod) { return finalizersOf(pod).empty(); });
    }));
    EXPECT_TRUE(driver.waitFor([&] {
        auto events = driver.cluster.observer.events("work");
        return std::count_if(events.begin(), events.end(),
                             [](const std::string& e) {
                                 return e.starts_with("SuccessfulCreate: Created pod: work-");
                             }) == 5 &&
               driver.cluster.observer.hasEvent("work", "Completed: Job completed");
    }));
}

TEST(JobController, RunningPodsCarryTheTrackingFinalizer) {
    JobDriver driver;
    driver.create(json::object{{"completions", 1}, {"parallelism", 1}});
    ASSERT_TRUE(driver.waitFor([&] { return driver.active().size() == 1; }));
    json::object pod = driver.active().front();
    EXPECT_EQ(finalizersOf(pod), std::vector<std::string>{"batch.kubernetes.io/job-tracking"});
    EXPECT_TRUE(driver.waitFor([&] {
        return statusOf(driver.job(), "active") == 1 &&
               kube::objectAt(driver.job(), "status")->contains("ready");
    }));
}

TEST(JobController, IndexedJobGivesEachPodItsIndex) {
    JobDriver driver;
    driver.create(
        json::object{{"completions", 4}, {"parallelism", 4}, {"completionMode", "Indexed"}});
    ASSERT_TRUE(driver.waitFor([&] { return driver.active().size() == 4; }));
    std::map<std::string, json::object> byIndex;
    for (json::object& pod : driver.active()) {
        std::string index(
            kube::annotation(pod, "batch.kubernetes.io/job-completion-index").value_or("?"));
        EXPECT_EQ(kube::label(pod, "batch.kubernetes.io/job-completion-index").value_or(""), index);
        EXPECT_EQ(kube::generateName(pod), "work-" + index + "-");
        const json::object* spec = kube::objectAt(pod, "spec");
        EXPECT_EQ(kube::stringAt(*spec, "hostname"), "work-" + index);
        const json::object& container = kube::arrayAt(*spec, "containers")->at(0).as_object();
        json::object env = kube::arrayAt(container, "env")->at(0).as_object();
        EXPECT_EQ(kube::stringAt(env, "name"), "JOB_COMPLETION_INDEX");
        EXPECT_EQ(apiserver::test::str(env, "valueFrom.fieldRef.fieldPath"),
                  "metadata.labels['batch.kubernetes.io/job-completion-index']");
        byIndex[index] = std::move(pod);
    }
    ASSERT_EQ(byIndex.size(), 4U);
    ASSERT_EQ(byIndex.begin()->first, "0");

    auto completedIndexes = [&] {
        return kube::stringAt(kube::objectAt(driver.job(), "status"), "completedIndexes");
    };
    markSucceeded(driver.cluster.client, byIndex["2"], driver.cluster.clock.now());
    EXPECT_TRUE(driver.waitFor([&] { return completedIndexes() == "2"; }));
    markSucceeded(driver.cluster.client, byIndex["3"], driver.cluster.clock.now());
    EXPECT_TRUE(driver.waitFor([&] { return completedIndexes() == "2,3"; }));
    // A failed index is run again under the same index.
    markFailed(driver.cluster.client, byIndex["0"], driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 1; }))
        << json::serialize(driver.job());
    driver.cluster.timers.advance(10s);
    json::object rerun;
    ASSERT_TRUE(driver.waitFor([&] {
        for (json::object& pod : driver.active()) {
            if (kube::annotation(pod, "batch.kubernetes.io/job-completion-index") == "0" &&
                kube::uid(pod) != kube::uid(byIndex["0"])) {
                rerun = std::move(pod);
                return true;
            }
        }
        return false;
    }));
    markSucceeded(driver.cluster.client, rerun, driver.cluster.clock.now());
    markSucceeded(driver.cluster.client, byIndex["1"], driver.cluster.clock.now());
    EXPECT_TRUE(driver.waitFor([&] { return completedIndexes() == "0-3"; }));
    EXPECT_TRUE(driver.waitFor([&] { return driver.hasCondition("Complete"); }));
    EXPECT_EQ(statusOf(driver.job(), "succeeded"), 4);
}

TEST(JobController, FailsAfterTheBackoffLimitWithExponentialDelays) {
    JobDriver driver;
    driver.create(json::object{{"completions", 1}, {"backoffLimit", 2}});
    const std::string key = "default/work";

    // First failure: the replacement waits 10 s after the pod finished.
    TimePoint failedAt = driver.cluster.clock.now();
    ASSERT_TRUE(driver.finishOne(false));
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 1; }));
    ASSERT_TRUE(
        driver.waitFor([&] { return driver.cluster.timers.requested(key, failedAt + 10s); }));
    EXPECT_TRUE(driver.waitFor([&] { return driver.active().empty(); }));
    driver.cluster.timers.advance(5s);
    EXPECT_EQ(driver.cluster.observer.podsOf(driver.uid()).size(), 1U); // no replacement yet
    driver.cluster.timers.advanceTo(failedAt + 10s);

    // Second failure: 20 s.
    ASSERT_TRUE(driver.waitFor([&] { return driver.active().size() == 1; }));
    failedAt = driver.cluster.clock.now();
    ASSERT_TRUE(driver.finishOne(false));
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 2; }));
    ASSERT_TRUE(
        driver.waitFor([&] { return driver.cluster.timers.requested(key, failedAt + 20s); }));
    driver.cluster.timers.advanceTo(failedAt + 20s);

    // Third failure: more than backoffLimit (2) failures fail the Job.
    ASSERT_TRUE(driver.finishOne(false));
    ASSERT_TRUE(driver.waitFor([&] { return driver.hasCondition("Failed"); }));
    json::object job = driver.job();
    EXPECT_EQ(statusOf(job, "failed"), 3);
    EXPECT_EQ(statusOf(job, "active"), 0);
    for (std::string_view type : {"FailureTarget", "Failed"}) {
        json::object c = jobCondition(job, type);
        EXPECT_EQ(kube::stringAt(c, "reason"), "BackoffLimitExceeded") << type;
        EXPECT_EQ(kube::stringAt(c, "message"), "Job has reached the specified backoff limit");
    }
    EXPECT_TRUE(jobCondition(job, "Complete").empty());
    EXPECT_TRUE(kube::stringAt(kube::objectAt(job, "status"), "completionTime").empty());
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.cluster.observer.hasEvent(
            "work", "BackoffLimitExceeded: Job has reached the specified backoff limit");
    }));
}

TEST(JobController, ActiveDeadlineFailsTheJobAndDeletesItsPods) {
    JobDriver driver;
    driver.create(
        json::object{{"completions", 2}, {"parallelism", 2}, {"activeDeadlineSeconds", 30}});
    ASSERT_TRUE(driver.waitFor([&] { return driver.active().size() == 2; }));
    TimePoint start = driver.cluster.clock.now();
    ASSERT_TRUE(driver.waitFor(
        [&] { return driver.cluster.timers.requested("default/work", start + 30s); }));
    driver.cluster.timers.advance(29s);
    EXPECT_FALSE(driver.hasCondition("FailureTarget"));
    driver.cluster.timers.advance(1s);

    ASSERT_TRUE(driver.waitFor([&] { return driver.hasCondition("Failed"); }));
    json::object job = driver.job();
    json::object failed = jobCondition(job, "Failed");
    EXPECT_EQ(kube::stringAt(failed, "reason"), "DeadlineExceeded");
    EXPECT_EQ(kube::stringAt(failed, "message"), "Job was active longer than specified deadline");
    EXPECT_EQ(kube::stringAt(jobCondition(job, "FailureTarget"), "reason"), "DeadlineExceeded");
    EXPECT_EQ(statusOf(job, "failed"), 2); // the deleted pods count as failed
    EXPECT_EQ(statusOf(job, "active"), 0);
    EXPECT_TRUE(
        driver.waitFor([&] { return driver.cluster.observer.podsOf(driver.uid()).empty(); }));
    EXPECT_TRUE(driver.waitFor([&] {
        auto events = driver.cluster.observer.events("work");
        return driver.cluster.observer.hasEvent(
                   "work", "DeadlineExceeded: Job was active longer than specified deadline") &&
               std::count_if(events.begin(), events.end(), [](const std::string& e) {
                   return e.starts_with("SuccessfulDelete: Deleted pod: work-");
               }) == 2;
    }));
}

TEST(JobController, SuspendDeletesPodsAndResumeRestartsTheClock) {
    JobDriver driver;
    driver.create(json::object{{"completions", 2}, {"parallelism", 2}, {"suspend", true}});
    ASSERT_TRUE(driver.waitFor([&] { return driver.hasCondition("Suspended"); }));
    json::object job = driver.job();
    EXPECT_EQ(kube::stringAt(jobCondition(job, "Suspended"), "reason"), "JobSuspended");
    EXPECT_TRUE(kube::stringAt(kube::objectAt(job, "status"), "startTime").empty());
    EXPECT_TRUE(driver.active().empty());

    driver.cluster.timers.advance(1min);
    driver.cluster.mergePatch(kube::resources::Jobs, "work",
                              json::object{{"spec", json::object{{"suspend", false}}}});
    ASSERT_TRUE(driver.waitFor([&] { return driver.active().size() == 2; }));
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(jobCondition(driver.job(), "Suspended"), "status") == "False";
    }));
    EXPECT_EQ(kube::stringAt(jobCondition(driver.job(), "Suspended"), "reason"), "JobResumed");
    EXPECT_EQ(kube::stringAt(kube::objectAt(driver.job(), "status"), "startTime"),
              formatTime(driver.cluster.clock.now()));

    // Suspending a running Job deletes its pods without counting them as failures.
    driver.cluster.mergePatch(kube::resources::Jobs, "work",
                              json::object{{"spec", json::object{{"suspend", true}}}});
    ASSERT_TRUE(driver.waitFor([&] {
        return driver.hasCondition("Suspended") &&
               driver.cluster.observer.podsOf(driver.uid()).empty() &&
               statusOf(driver.job(), "active") == 0;
    }));
    EXPECT_EQ(statusOf(driver.job(), "failed"), 0);

    // Resuming again starts the clock anew.
    driver.cluster.timers.advance(1h);
    driver.cluster.mergePatch(kube::resources::Jobs, "work",
                              json::object{{"spec", json::object{{"suspend", false}}}});
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(kube::objectAt(driver.job(), "status"), "startTime") ==
               formatTime(driver.cluster.clock.now());
    }));
    EXPECT_TRUE(driver.waitFor([&] {
        BatchObserver& observer = driver.cluster.observer;
        return observer.eventCount("work", "Suspended: Job suspended") == 2 &&
               observer.eventCount("work", "Resumed: Job resumed") == 2;
    })) <<
        [&] {
            std::string out;
            for (const json::object& e : driver.cluster.observer.list("events")) {
                out += kube::stringAt(e, "reason") + "=" +
                       std::to_string(kube::integerAt(e, "count").value_or(-1)) + " ";
            }
            return out;
        }();
}

TEST(JobController, FinishedJobIsDeletedAfterItsTtl) {
    JobDriver driver;
    driver.create(json::object{{"completions", 1}, {"ttlSecondsAfterFinished", 60}});
    TimePoint finishedAt = driver.cluster.clock.now();
    ASSERT_TRUE(driver.finishOne(true));
    ASSERT_TRUE(driver.waitFor([&] { return driver.hasCondition("Complete"); }));
    ASSERT_TRUE(driver.waitFor(
        [&] { return driver.cluster.timers.requested("default/work", finishedAt + 60s); }));
    driver.cluster.timers.advance(59s);
    EXPECT_FALSE(kube::hasDeletionTimestamp(driver.job()));
    driver.cluster.timers.advance(1s);
    // Foreground deletion: the garbage collector removes the pods, then the Job.
    ASSERT_TRUE(driver.waitFor([&] {
        json::object job = driver.job();
        return job.empty() ||
               (kube::hasDeletionTimestamp(job) && kube::hasFinalizer(job, "foregroundDeletion"));
    }));
}

} // namespace
