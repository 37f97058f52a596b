// A Job's podFailurePolicy and successPolicy: the rule matching case by case, and end to end
// over the in-process API (FailJob fails the Job with reason PodFailurePolicy, Ignore leaves
// the failure uncounted, a success policy completes an Indexed Job early).

#include "batchtestutil.h"
#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/job/jobpolicies.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;

namespace {

// --- matchPodFailurePolicy ---

json::object failedPod(std::string_view extraStatus) {
    return obj(
        fmt::format(R"({{"metadata":{{"name":"p","namespace":"ns"}},"status":{{"phase":"Failed",)"
                    R"("containerStatuses":[)"
                    R"({{"name":"main","state":{{"terminated":{{"exitCode":42}}}}}},)"
                    R"({{"name":"side","state":{{"terminated":{{"exitCode":0}}}}}}]{}}}}})",
                    extraStatus));
}

struct FailureCase {
    std::string name;
    std::string policy;
    std::string extraStatus; ///< appended to the pod's status
    bool countFailed;
    std::string action;
    std::string failJobMessage; ///< empty: none
};

class PodFailurePolicyMatching : public ::testing::TestWithParam<FailureCase> {};

TEST_P(PodFailurePolicyMatching, matchesUpstream) {
    const FailureCase& c = GetParam();
    json::object policy = obj(c.policy);
    job::PodFailurePolicyMatch match =
        job::matchPodFailurePolicy(&policy, failedPod(c.extraStatus));
    EXPECT_EQ(match.countFailed, c.countFailed);
    EXPECT_EQ(match.action, c.action);
    EXPECT_EQ(match.failJobMessage.value_or(""), c.failJobMessage);
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, PodFailurePolicyMatching,
    ::testing::Values(
        FailureCase{"exitCodeInFailsJob",
                    R"({"rules":[{"action":"FailJob","onExitCodes":{"operator":"In",)"
                    R"("values":[42]}}]})",
                    "", true, "FailJob",
                    "Container main for pod ns/p failed with exit code 42 matching FailJob rule "
                    "at index 0"},
        FailureCase{"exitCodeNotInSkipsListedCodes",
                    R"({"rules":[{"action":"FailJob","onExitCodes":{"operator":"NotIn",)"
                    R"("values":[42]}}]})",
                    "", true, "", ""},
        FailureCase{"otherContainerNameDoesNotMatch",
                    R"({"rules":[{"action":"FailJob","onExitCodes":{"containerName":"side",)"
                    R"("operator":"NotIn","values":[1]}}]})",
                    "", true, "", ""},
        FailureCase{"disruptionIsIgnored",
                    R"({"rules":[{"action":"Ignore","onPodConditions":[)"
                    R"({"type":"DisruptionTarget"}]},{"action":"FailJob","onExitCodes":)"
                    R"({"operator":"In","values":[42]}}]})",
                    R"(,"conditions":[{"type":"DisruptionTarget","status":"True"}])", false,
                    "Ignore", ""},
        FailureCase{"conditionFailsJob",
                    R"({"rules":[{"action":"FailJob","onPodConditions":[)"
                    R"({"type":"ConfigIssue","status":"True"}]}]})",
                    R"(,"conditions":[{"type":"ConfigIssue","status":"True"}])", true, "FailJob",
                    "Pod ns/p has condition ConfigIssue matching FailJob rule at index 0"},
        FailureCase{"conditionWithOtherStatusDoesNotMatch",
                    R"({"rules":[{"action":"Ignore","onPodConditions":[)"
                    R"({"type":"DisruptionTarget"}]}]})",
                    R"(,"conditions":[{"type":"DisruptionTarget","status":"False"}])", true, "",
                    ""},
        FailureCase{"countIsCounted",
                    R"({"rules":[{"action":"Count","onExitCodes":{"operator":"In",)"
                    R"("values":[42]}},{"action":"FailJob","onExitCodes":{"operator":"In",)"
                    R"("values":[42]}}]})",
                    "", true, "Count", ""},
        FailureCase{"initContainerExitCode",
                    R"({"rules":[{"action":"FailJob","onExitCodes":{"operator":"In",)"
                    R"("values":[7]}}]})",
                    R"(,"initContainerStatuses":[{"name":"init",)"
                    R"("state":{"terminated":{"exitCode":7}}}])",
                    true, "FailJob",
                    "Container init for pod ns/p failed with exit code 7 matching FailJob rule at "
                    "index 0"}),
    [](const ::testing::TestParamInfo<FailureCase>& test) { return test.param.name; });

// --- matchSuccessPolicy ---

struct SuccessCase {
    std::string name;
    std::string policy;
    std::string succeeded;
    std::string message; ///< empty: not met
};

class SuccessPolicyMatching : public ::testing::TestWithParam<SuccessCase> {};

TEST_P(SuccessPolicyMatching, matchesUpstream) {
    const SuccessCase& c = GetParam();
    json::object policy = obj(c.policy);
    auto message =
        job::matchSuccessPolicy(&policy, 10, job::OrderedIntervals::parse(c.succeeded, 10));
    EXPECT_EQ(message.value_or(""), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, SuccessPolicyMatching,
    ::testing::Values(
        SuccessCase{"allRequiredIndexes", R"({"rules":[{"succeededIndexes":"0,2-3"}]})", "0-4",
                    "Matched rules at index 0"},
        SuccessCase{"missingRequiredIndex", R"({"rules":[{"succeededIndexes":"0,2-3"}]})", "0,2",
                    ""},
        SuccessCase{"countWithinIndexes",
                    R"({"rules":[{"succeededIndexes":"5-9","succeededCount":2}]})", "0,6,9",
                    "Matched rules at index 0"},
        SuccessCase{"countOutsideIndexesDoesNotHelp",
                    R"({"rules":[{"succeededIndexes":"5-9","succeededCount":2}]})", "0-4,6", ""},
        SuccessCase{"countAlone", R"({"rules":[{"succeededIndexes":"9"},{"succeededCount":3}]})",
                    "1,2,4", "Matched rules at index 1"},
        SuccessCase{"nothingSucceeded", R"({"rules":[{"succeededCount":1}]})", "", ""}),
    [](const ::testing::TestParamInfo<SuccessCase>& test) { return test.param.name; });

// --- end to end ---

class JobPolicyDriver {
public:
    JobPolicyDriver() {
        JobController::Options options;
        options.clock = &cluster.clock;
        options.syncBatchPeriod = std::chrono::nanoseconds(0);
        options.requeueAt = cluster.timers.hookFor(&m_jobs);
        auto jobs = std::make_unique<JobController>(cluster.controllerClient, options);
        m_jobs = jobs.get();
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::move(jobs));
        cluster.start(std::move(controllers));
    }

    void create(json::object spec) {
        spec["template"] = busyboxPodTemplate();
        (void)cluster.create(kube::resources::Jobs,
                             json::object{{"apiVersion", "batch/v1"},
                                          {"kind", "Job"},
                                          {"metadata", json::object{{"name", "work"}}},
                                          {"spec", std::move(spec)}});
    }
    json::object job() { return cluster.observer.object("jobs", "work"); }
    std::vector<json::object> active() {
        return cluster.observer.activePodsOf(std::string(kube::uid(job())));
    }
    bool waitFor(const std::function<bool()>& pred) { return cluster.observer.waitUntil(pred); }
    json::object condition(std::string_view type) { return jobCondition(job(), type); }
    /// Waits for `count` active pods and returns them.
    std::vector<json::object> waitActive(size_t count) {
        std::vector<json::object> pods;
        EXPECT_TRUE(waitFor([&] {
            pods = active();
            return pods.size() >= count;
        }));
        return pods;
    }

    BatchCluster cluster;

private:
    QueueController* m_jobs = nullptr;
};

TEST(JobPolicies, failJobRuleFailsTheJobWithReasonPodFailurePolicy) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"backoffLimit":6,"podFailurePolicy":{"rules":[)"
                      R"({"action":"FailJob","onExitCodes":{"operator":"In","values":[1]}}]}})"));
    std::vector<json::object> pods = driver.waitActive(1);
    ASSERT_FALSE(pods.empty());
    markFailed(driver.cluster.client, pods.front(), driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Failed"), "status") == "True";
    })) << json::serialize(driver.job());
    std::string message = fmt::format(
        "Container main for pod default/{} failed with exit code 1 matching FailJob rule at "
        "index 0",
        kube::name(pods.front()));
    for (std::string_view type : {"FailureTarget", "Failed"}) {
        json::object c = driver.condition(type);
        EXPECT_EQ(kube::stringAt(c, "reason"), "PodFailurePolicy") << type;
        EXPECT_EQ(kube::stringAt(c, "message"), message) << type;
    }
    EXPECT_EQ(statusOf(driver.job(), "failed"), 1);
}

TEST(JobPolicies, ignoredFailuresAreNotCounted) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"backoffLimit":0,"podFailurePolicy":{"rules":[)"
                      R"({"action":"Ignore","onExitCodes":{"operator":"In","values":[1]}}]}})"));
    std::vector<json::object> pods = driver.waitActive(1);
    ASSERT_FALSE(pods.empty());
    std::string first(kube::uid(pods.front()));
    markFailed(driver.cluster.client, pods.front(), driver.cluster.clock.now());
    // Once the controller took the failure into account (the tracking finalizer is gone)...
    std::string failedName(kube::name(pods.front()));
    ASSERT_TRUE(driver.waitFor([&] {
        json::object pod = driver.cluster.observer.object("pods", failedName);
        return pod.empty() || kube::finalizers(pod).empty();
    }));
    driver.cluster.timers.advance(std::chrono::seconds(10));
    // ... backoffLimit 0 would have failed the Job on a counted failure: a replacement comes.
    ASSERT_TRUE(driver.waitFor([&] {
        for (const json::object& pod : driver.active()) {
            if (kube::uid(pod) != first) {
                return true;
            }
        }
        return false;
    })) << json::serialize(driver.job());
    EXPECT_EQ(statusOf(driver.job(), "failed"), 0);
    EXPECT_TRUE(driver.condition("Failed").empty());
}

TEST(JobPolicies, successPolicyCompletesAnIndexedJobEarly) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"completionMode":"Indexed","completions":3,"parallelism":3,)"
                      R"("successPolicy":{"rules":[{"succeededIndexes":"0"}]}})"));
    std::vector<json::object> pods = driver.waitActive(3);
    ASSERT_EQ(pods.size(), 3U);
    for (const json::object& pod : pods) {
        if (kube::annotation(pod, "batch.kubernetes.io/job-completion-index") == "0") {
            markSucceeded(driver.cluster.client, pod, driver.cluster.clock.now());
        }
    }
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Complete"), "status") == "True";
    })) << json::serialize(driver.job());
    for (std::string_view type : {"SuccessCriteriaMet", "Complete"}) {
        json::object c = driver.condition(type);
        EXPECT_EQ(kube::stringAt(c, "reason"), "SuccessPolicy") << type;
        EXPECT_EQ(kube::stringAt(c, "message"), "Matched rules at index 0") << type;
    }
    EXPECT_EQ(kube::stringAt(kube::objectAt(driver.job(), "status"), "completedIndexes"), "0");
    EXPECT_EQ(statusOf(driver.job(), "failed"), 0) << "the terminated pods are not failures";
    EXPECT_TRUE(driver.waitFor([&] { return driver.active().empty(); }));
}

} // namespace

namespace {

const std::string JobKey = "default/work";

/// The active pod of `index` other than `except`, or an empty object.
json::object podOfIndex(JobPolicyDriver& driver, std::string_view index,
                        std::string_view except = {}) {
    for (json::object& pod : driver.active()) {
        if (kube::annotation(pod, "batch.kubernetes.io/job-completion-index") == index &&
            kube::uid(pod) != except) {
            return pod;
        }
    }
    return {};
}

TEST(JobPolicies, backoffLimitPerIndexFailsOnlyThatIndex) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"completionMode":"Indexed","completions":2,"parallelism":2,)"
                      R"("backoffLimitPerIndex":1})"));
    json::object first;
    ASSERT_TRUE(driver.waitFor([&] {
        first = podOfIndex(driver, "0");
        return !first.empty() && !podOfIndex(driver, "1").empty();
    }));
    EXPECT_EQ(kube::annotation(first, "batch.kubernetes.io/job-index-failure-count"), "0");
    const TimePoint failedAt = driver.cluster.clock.now();
    markFailed(driver.cluster.client, first, failedAt);
    // The index's replacement waits 10 s after the failure.
    ASSERT_TRUE(driver.waitFor([&] {
        return driver.cluster.timers.requested(JobKey, failedAt + std::chrono::seconds(10));
    }));
    EXPECT_EQ(kube::stringAt(kube::objectAt(driver.job(), "status"), "failedIndexes"), "")
        << "one failure is within the per-index limit";
    EXPECT_EQ(statusOf(driver.job(), "failed"), 0)
        << "the failed pod is counted once its replacement exists";
    driver.cluster.timers.advance(std::chrono::seconds(10));
    json::object second;
    ASSERT_TRUE(driver.waitFor([&] {
        second = podOfIndex(driver, "0", kube::uid(first));
        return !second.empty();
    }));
    EXPECT_EQ(kube::annotation(second, "batch.kubernetes.io/job-index-failure-count"), "1");
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 1; }));
    markFailed(driver.cluster.client, second, driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(kube::objectAt(driver.job(), "status"), "failedIndexes") == "0";
    })) << json::serialize(driver.job());
    markSucceeded(driver.cluster.client, podOfIndex(driver, "1"), driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Failed"), "status") == "True";
    })) << json::serialize(driver.job());
    json::object failed = driver.condition("Failed");
    EXPECT_EQ(kube::stringAt(failed, "reason"), "FailedIndexes");
    EXPECT_EQ(kube::stringAt(failed, "message"), "Job has failed indexes");
    EXPECT_EQ(kube::stringAt(kube::objectAt(driver.job(), "status"), "completedIndexes"), "1");
    EXPECT_EQ(statusOf(driver.job(), "failed"), 2);
}

TEST(JobPolicies, failIndexRuleCountsAgainstMaxFailedIndexes) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"completionMode":"Indexed","completions":3,"parallelism":3,)"
                      R"("backoffLimitPerIndex":5,"maxFailedIndexes":0,)"
                      R"("podFailurePolicy":{"rules":[{"action":"FailIndex",)"
                      R"("onExitCodes":{"operator":"In","values":[1]}}]}})"));
    std::vector<json::object> pods = driver.waitActive(3);
    ASSERT_EQ(pods.size(), 3U);
    markFailed(driver.cluster.client, pods.front(), driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Failed"), "status") == "True";
    })) << json::serialize(driver.job());
    json::object failed = driver.condition("Failed");
    EXPECT_EQ(kube::stringAt(failed, "reason"), "MaxFailedIndexesExceeded");
    EXPECT_EQ(kube::stringAt(failed, "message"),
              "Job has exceeded the specified maximal number of failed indexes");
    EXPECT_EQ(
        kube::stringAt(kube::objectAt(driver.job(), "status"), "failedIndexes"),
        kube::annotation(pods.front(), "batch.kubernetes.io/job-completion-index").value_or("?"));
}

TEST(JobPolicies, backoffLimitPerIndexDelaysEachIndexOnItsOwn) {
    using std::chrono::seconds;
    JobPolicyDriver driver;
    driver.create(obj(R"({"completionMode":"Indexed","completions":2,"parallelism":2,)"
                      R"("backoffLimitPerIndex":3})"));
    json::object zero;
    json::object one;
    ASSERT_TRUE(driver.waitFor([&] {
        zero = podOfIndex(driver, "0");
        one = podOfIndex(driver, "1");
        return !zero.empty() && !one.empty();
    }));
    ManualTimers& timers = driver.cluster.timers;
    const TimePoint firstFailure = driver.cluster.clock.now();
    markFailed(driver.cluster.client, zero, firstFailure);
    ASSERT_TRUE(
        driver.waitFor([&] { return timers.requested(JobKey, firstFailure + seconds(10)); }));
    timers.advance(seconds(5));
    const TimePoint secondFailure = driver.cluster.clock.now();
    markFailed(driver.cluster.client, one, secondFailure);
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "active") == 0; }))
        << json::serialize(driver.job());

    // Index 1's failure does not hold index 0 back (a Job-wide back-off would wait 20 s after
    // the second failure).
    timers.advanceTo(firstFailure + seconds(10));
    json::object zeroAgain;
    ASSERT_TRUE(driver.waitFor([&] {
        zeroAgain = podOfIndex(driver, "0", kube::uid(zero));
        return !zeroAgain.empty();
    })) << json::serialize(driver.job());
    EXPECT_EQ(kube::annotation(zeroAgain, "batch.kubernetes.io/job-index-failure-count"), "1");
    // Index 1 waits 10 s after its own failure.
    ASSERT_TRUE(
        driver.waitFor([&] { return timers.lastRequested(JobKey) > firstFailure + seconds(10); }));
    EXPECT_EQ(timers.lastRequested(JobKey), secondFailure + seconds(10));
    EXPECT_TRUE(podOfIndex(driver, "1").empty()) << "index 1 is still backing off";
    timers.advanceTo(secondFailure + seconds(10));
    json::object oneAgain;
    ASSERT_TRUE(driver.waitFor([&] {
        oneAgain = podOfIndex(driver, "1", kube::uid(one));
        return !oneAgain.empty();
    })) << json::serialize(driver.job());
    EXPECT_EQ(kube::annotation(oneAgain, "batch.kubernetes.io/job-index-failure-count"), "1");

    // The index's second failure doubles its delay: 20 s.
    const TimePoint thirdFailure = driver.cluster.clock.now();
    markFailed(driver.cluster.client, zeroAgain, thirdFailure);
    ASSERT_TRUE(driver.waitFor([&] {
        return timers.requested(JobKey, thirdFailure + seconds(20));
    })) << "last requested look: "
        << (timers.lastRequested(JobKey).value_or(TimePoint()) - thirdFailure).count() << " ns";
    timers.advanceTo(thirdFailure + seconds(20));
    ASSERT_TRUE(driver.waitFor([&] {
        json::object third = podOfIndex(driver, "0", kube::uid(zeroAgain));
        return kube::annotation(third, "batch.kubernetes.io/job-index-failure-count") == "2";
    })) << json::serialize(driver.job());
    EXPECT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 3; }))
        << json::serialize(driver.job());
}

TEST(JobPolicies, deletingAFailedPodKeepsItsIndexFailureCount) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"completionMode":"Indexed","completions":1,"parallelism":1,)"
                      R"("backoffLimitPerIndex":1})"));
    std::vector<json::object> pods = driver.waitActive(1);
    ASSERT_EQ(pods.size(), 1U);
    const std::string failedName(kube::name(pods.front()));
    const TimePoint failedAt = driver.cluster.clock.now();
    markFailed(driver.cluster.client, pods.front(), failedAt);
    // The user (or the pod GC) deletes the failed pod before its replacement exists...
    auto removed = driver.cluster.client.remove(kube::resources::Pods, "default", failedName);
    ASSERT_TRUE(removed) << removed.error().message;
    ASSERT_TRUE(driver.waitFor([&] {
        json::object pod = driver.cluster.observer.object("pods", failedName);
        return pod.empty() || kube::hasDeletionTimestamp(pod);
    }));
    ASSERT_TRUE(driver.waitFor([&] {
        return driver.cluster.timers.requested(JobKey, failedAt + std::chrono::seconds(10));
    }));
    // ... the tracking finalizer holds it while the index backs off ...
    json::object held = driver.cluster.observer.object("pods", failedName);
    ASSERT_FALSE(held.empty()) << "the failed pod is gone before its replacement exists";
    auto finalizers = kube::finalizers(held);
    EXPECT_NE(std::find(finalizers.begin(), finalizers.end(), "batch.kubernetes.io/job-tracking"),
              finalizers.end());
    // ... so the replacement still knows about the index's failure ...
    driver.cluster.timers.advance(std::chrono::seconds(10));
    json::object replacement;
    ASSERT_TRUE(driver.waitFor([&] {
        replacement = podOfIndex(driver, "0", kube::uid(pods.front()));
        return !replacement.empty();
    })) << json::serialize(driver.job());
    EXPECT_EQ(kube::annotation(replacement, "batch.kubernetes.io/job-index-failure-count"), "1");
    // ... and then the deleted pod goes, counted once.
    ASSERT_TRUE(
        driver.waitFor([&] { return driver.cluster.observer.object("pods", failedName).empty(); }));
    ASSERT_TRUE(driver.waitFor([&] { return statusOf(driver.job(), "failed") == 1; }));
    // Its second failure is over the per-index limit: the index, and so the Job, fail.
    markFailed(driver.cluster.client, replacement, driver.cluster.clock.now());
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Failed"), "status") == "True";
    })) << json::serialize(driver.job());
    EXPECT_EQ(kube::stringAt(driver.condition("Failed"), "reason"), "FailedIndexes");
    EXPECT_EQ(kube::stringAt(kube::objectAt(driver.job(), "status"), "failedIndexes"), "0");
    EXPECT_EQ(statusOf(driver.job(), "failed"), 2);
}

TEST(JobPolicies, failedPodDeletedBeforeTheJobSyncsStillCounts) {
    JobPolicyDriver driver;
    driver.create(obj(R"({"backoffLimit":0})"));
    std::vector<json::object> pods = driver.waitActive(1);
    ASSERT_EQ(pods.size(), 1U);
    markFailed(driver.cluster.client, pods.front(), driver.cluster.clock.now());
    auto removed =
        driver.cluster.client.remove(kube::resources::Pods, "default", kube::name(pods.front()));
    ASSERT_TRUE(removed) << removed.error().message;
    ASSERT_TRUE(driver.waitFor([&] {
        return kube::stringAt(driver.condition("Failed"), "status") == "True";
    })) << json::serialize(driver.job());
    EXPECT_EQ(kube::stringAt(driver.condition("Failed"), "reason"), "BackoffLimitExceeded");
    EXPECT_EQ(statusOf(driver.job(), "failed"), 1);
    EXPECT_TRUE(driver.waitFor([&] {
        return driver.cluster.observer.object("pods", std::string(kube::name(pods.front())))
            .empty();
    })) << "the counted pod's finalizer is removed";
}

} // namespace
