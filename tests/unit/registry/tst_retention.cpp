#include "engine/registry/management/doublestar.h"
#include "engine/registry/management/retentionpolicy.h"
#include "tests/unit/registry/managementtestutil.h"

#include "kube/jsonutil.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

using namespace management;
using namespace std::chrono_literals;
namespace json = boost::json;

constexpr int64_t Day = 86400;
constexpr int64_t Now = 1'800'000'000;

// -- doublestar ---------------------------------------------------------------------------

struct GlobCase {
    std::string pattern;
    std::string text;
    bool matches;
};

class DoublestarTest : public ::testing::TestWithParam<GlobCase> {};

TEST_P(DoublestarTest, Matches) {
    const GlobCase& c = GetParam();
    EXPECT_EQ(doublestarMatch(c.pattern, c.text), c.matches) << c.pattern << " vs " << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, DoublestarTest,
    ::testing::Values(
        GlobCase{"**", "anything/at/all", true}, GlobCase{"", "x", true},
        GlobCase{"*", "busybox", true}, GlobCase{"*", "a/b", false}, GlobCase{"v*", "v1.2", true},
        GlobCase{"v*", "latest", false}, GlobCase{"1.?", "1.2", true},
        GlobCase{"1.?", "1.22", false}, GlobCase{"{latest,stable}", "stable", true},
        GlobCase{"{latest,stable}", "dev", false}, GlobCase{"release-[0-9]*", "release-3a", true},
        GlobCase{"release-[!0-9]*", "release-3a", false}, GlobCase{"apps/**/web", "apps/web", true},
        GlobCase{"apps/**/web", "apps/a/b/web", true}, GlobCase{"apps/*", "apps/a/b", false},
        GlobCase{"[abc", "a", false}, GlobCase{"\\*", "*", true}, GlobCase{"\\*", "a", false}));

// -- rule evaluation ----------------------------------------------------------------------

Artifact artifact(std::string digest, std::vector<std::string> tags, int64_t pushedDaysAgo,
                  int64_t pulledDaysAgo = -1) {
    Artifact a;
    a.repository = "p/app";
    a.digest = std::move(digest);
    a.tags = std::move(tags);
    a.pushed = Now - pushedDaysAgo * Day;
    a.pulled = pulledDaysAgo < 0 ? 0 : Now - pulledDaysAgo * Day;
    return a;
}

RetentionPolicy policyFrom(std::string_view text) {
    auto policy = parseRetentionPolicy(kube::parseJsonText(text));
    EXPECT_TRUE(policy.has_value()) << (policy ? "" : policy.error().message);
    return policy ? *policy : RetentionPolicy{};
}

std::string rule(std::string_view templ, int64_t count, std::string_view tagDecoration = "matches",
                 std::string_view tagPattern = "**", std::string_view extras = "",
                 std::string_view repoDecoration = "repoMatches",
                 std::string_view repoPattern = "**") {
    return fmt::format(
        R"({{"action":"retain","template":"{}","params":{{"{}":{}}},)"
        R"("tag_selectors":[{{"kind":"doublestar","decoration":"{}","pattern":"{}","extras":"{}"}}],)"
        R"("scope_selectors":{{"repository":[{{"kind":"doublestar","decoration":"{}","pattern":"{}"}}]}}}})",
        templ, templ, count, tagDecoration, tagPattern, extras, repoDecoration, repoPattern);
}

std::string policyText(const std::vector<std::string>& rules) {
    std::string joined;
    for (const std::string& r : rules) {
        joined += (joined.empty() ? "" : ",") + r;
    }
    return fmt::format(
        R"({{"algorithm":"or","rules":[{}],"trigger":{{"kind":"Schedule","settings":{{"cron":""}}}},"scope":{{"level":"project","ref":1}}}})",
        joined);
}

struct EvalCase {
    std::string name;
    std::vector<std::string> rules;
    std::string repositoryPath;
    /// Digests expected to be retained, in artifact order.
    std::vector<std::string> retained;
    bool covered = true;
};

const std::vector<Artifact>& sampleArtifacts() {
    // a: v1, pushed 30 days ago, pulled 1 day ago
    // b: v2 + latest, pushed 10 days ago, never pulled
    // c: v3, pushed 2 days ago, pulled 20 days ago
    // d: untagged, pushed 1 day ago
    // e: dev-1, pushed 5 days ago
    static const std::vector<Artifact> artifacts{
        artifact("a", {"v1"}, 30, 1), artifact("b", {"latest", "v2"}, 10),
        artifact("c", {"v3"}, 2, 20), artifact("d", {}, 1), artifact("e", {"dev-1"}, 5)};
    return artifacts;
}

class RetentionEvalTest : public ::testing::TestWithParam<EvalCase> {};

TEST_P(RetentionEvalTest, RetainsWhatTheRulesKeep) {
    const EvalCase& c = GetParam();
    RetentionPolicy policy = policyFrom(policyText(c.rules));
    RetentionVerdict verdict = evaluateRetention(policy, c.repositoryPath, sampleArtifacts(), Now);
    EXPECT_EQ(verdict.covered, c.covered);
    std::vector<std::string> retained;
    for (size_t i = 0; i < sampleArtifacts().size(); ++i) {
        if (verdict.retain[i]) {
            retained.push_back(sampleArtifacts()[i].digest);
        }
    }
    EXPECT_EQ(retained, c.retained);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RetentionEvalTest,
    ::testing::Values(
        EvalCase{"latestPushed2", {rule("latestPushedK", 2)}, "app", {"c", "d"}},
        EvalCase{"latestPushed2TaggedOnly",
                 {rule("latestPushedK", 2, "matches", "**", R"({\"untagged\":false})")},
                 "app",
                 {"c", "e"}},
        EvalCase{"latestPulled1", {rule("latestPulledN", 1)}, "app", {"a"}},
        EvalCase{"pushedWithin7Days", {rule("nDaysSinceLastPush", 7)}, "app", {"c", "d", "e"}},
        EvalCase{"pulledWithin7Days", {rule("nDaysSinceLastPull", 7)}, "app", {"a"}},
        EvalCase{"alwaysVTags", {rule("always", 0, "matches", "v*")}, "app", {"a", "b", "c", "d"}},
        // Harbor's `excludes` selects untagged artifacts unless extras say untagged:true.
        EvalCase{
            "excludesDev", {rule("always", 0, "excludes", "dev-*")}, "app", {"a", "b", "c", "d"}},
        EvalCase{"excludesDevNotUntagged",
                 {rule("always", 0, "excludes", "dev-*", R"({\"untagged\":true})")},
                 "app",
                 {"a", "b", "c"}},
        EvalCase{"nothing", {rule("nothing", 0)}, "app", {}},
        EvalCase{"orOfRules",
                 {rule("latestPushedK", 1, "matches", "v*", R"({\"untagged\":false})"),
                  rule("always", 0, "matches", "latest")},
                 "app",
                 {"b", "c", "d"}}, // the second rule's `matches` also keeps untagged d
        EvalCase{"repositoryNotMatched",
                 {rule("latestPushedK", 1, "matches", "**", "", "repoMatches", "other")},
                 "app",
                 {"a", "b", "c", "d", "e"},
                 false},
        EvalCase{"repositoryExcluded",
                 {rule("latestPushedK", 1, "matches", "**", "", "repoExcludes", "app")},
                 "app",
                 {"a", "b", "c", "d", "e"},
                 false}),
    [](const ::testing::TestParamInfo<EvalCase>& test) { return test.param.name; });

TEST(RetentionPolicyTest, RejectsWhatHarborRejects) {
    EXPECT_FALSE(parseRetentionPolicy(kube::parseJsonText(policyText({rule("latestK", 1)}))));
    std::string noScope = R"({"algorithm":"or","rules":[]})";
    EXPECT_FALSE(parseRetentionPolicy(kube::parseJsonText(noScope)));
    std::vector<std::string> many(16, rule("always", 0));
    auto tooMany = parseRetentionPolicy(kube::parseJsonText(policyText(many)));
    ASSERT_FALSE(tooMany.has_value());
    EXPECT_NE(tooMany.error().message.find("at most 15"), std::string::npos);
    std::string missingCount = R"({"algorithm":"or","scope":{"level":"project","ref":1},)"
                               R"("rules":[{"template":"latestPushedK","params":{}}]})";
    EXPECT_FALSE(parseRetentionPolicy(kube::parseJsonText(missingCount)));
}

TEST(RetentionPolicyTest, RoundTripsThroughJson) {
    RetentionPolicy policy = policyFrom(policyText({rule("latestPushedK", 3, "matches", "v*")}));
    json::object out = retentionPolicyJson(policy);
    RetentionPolicy again = policyFrom(json::serialize(out));
    ASSERT_EQ(again.rules.size(), 1u);
    EXPECT_EQ(again.rules[0].templateName, "latestPushedK");
    EXPECT_EQ(again.rules[0].count, 3);
    EXPECT_EQ(again.rules[0].tagSelectors[0].pattern, "v*");
    EXPECT_EQ(again.projectId, 1);
}

// -- executions ---------------------------------------------------------------------------

class RetentionRunTest : public ManagementFixture {
protected:
    /// The audit log's delete entries, oldest first, as "username type resource".
    std::vector<std::string> auditedDeletes() {
        AuditQuery query;
        query.operations = {"delete"};
        query.oldestFirst = true;
        auto page = mgmt->audit().query(query);
        EXPECT_TRUE(page.has_value()) << (page ? "" : page.error().message);
        std::vector<std::string> out;
        for (const AuditEntry& entry : page ? page->items : std::vector<AuditEntry>()) {
            out.push_back(entry.username + " " + entry.resourceType + " " + entry.resource);
            EXPECT_EQ(entry.project, "proj");
        }
        return out;
    }
    RetentionExecution executionOf(int64_t policy, int64_t id) {
        auto execution = mgmt->retention().execution(policy, id);
        EXPECT_TRUE(execution.has_value() && execution->has_value());
        return execution && *execution ? **execution : RetentionExecution{};
    }
};

TEST_F(RetentionRunTest, DryRunListsCandidatesAndRunDeletesThem) {
    Image v1 = pushImage("proj/app", "1", "v1");
    clock.advance(1h);
    Image v2 = pushImage("proj/app", "2", "v2");
    clock.advance(1h);
    Image v3 = pushImage("proj/app", "3", "v3");
    Image other = pushImage("proj/keep", "k", "v1");
    RetentionPolicy policy = policyFrom(
        policyText({rule("latestPushedK", 2, "matches", "**", "", "repoMatches", "app")}));
    auto id = mgmt->retention().create(policy, "proj");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    EXPECT_EQ(mgmt->retention().create(policy, "proj").error().code, ErrorCode::Conflict);

    auto dry = mgmt->retention().execute(*id, true, "MANUAL");
    ASSERT_TRUE(dry.has_value()) << dry.error().message;
    mgmt->waitForJobs();
    auto tasks = mgmt->retention().tasks(*dry, 0, 10);
    ASSERT_TRUE(tasks.has_value());
    ASSERT_EQ(tasks->items.size(), 1u) << "one task per covered repository";
    EXPECT_EQ(tasks->items[0].repository, "proj/app");
    EXPECT_EQ(tasks->items[0].total, 3);
    EXPECT_EQ(tasks->items[0].retained, 2);
    auto log = mgmt->retention().taskLog(*dry, tasks->items[0].id);
    ASSERT_TRUE(log.has_value() && log->has_value());
    EXPECT_NE((*log)->find(v1.manifest.str()), std::string::npos);
    EXPECT_NE((*log)->find("DEL"), std::string::npos);
    EXPECT_TRUE(storage->manifests().byTag("proj/app", "v1")->has_value()) << "dry run";
    auto execution = mgmt->retention().execution(*id, *dry);
    ASSERT_TRUE(execution.has_value() && execution->has_value());
    EXPECT_EQ((*execution)->status, "Success");
    EXPECT_TRUE((*execution)->dryRun);

    auto real = mgmt->retention().execute(*id, false, "MANUAL");
    ASSERT_TRUE(real.has_value());
    mgmt->waitForJobs();
    EXPECT_FALSE(storage->manifests().byTag("proj/app", "v1")->has_value());
    EXPECT_TRUE(storage->manifests().byTag("proj/app", "v2")->has_value());
    EXPECT_TRUE(storage->manifests().byTag("proj/app", "v3")->has_value());
    EXPECT_TRUE(storage->manifests().byTag("proj/keep", "v1")->has_value()) << "not in scope";
    auto executions = mgmt->retention().executions(*id, 0, 10);
    ASSERT_TRUE(executions.has_value());
    EXPECT_EQ(executions->total, 2);
    EXPECT_EQ(executions->items[0].id, *real) << "newest first";
    (void)v2;
    (void)v3;
    (void)other;
}

TEST_F(RetentionRunTest, ScheduledPolicyRunsWhenItsCronFires) {
    pushImage("proj/app", "1", "v1");
    RetentionPolicy policy = policyFrom(policyText({rule("nothing", 0)}));
    policy.cron = "0 0 * * * *";
    auto id = mgmt->retention().create(policy, "proj");
    ASSERT_TRUE(id.has_value());
    TimePoint start = clock.now();
    mgmt->tick(start);
    EXPECT_EQ(mgmt->retention().executions(*id, 0, 10)->total, 0);
    clock.advance(61min);
    mgmt->tick(clock.now());
    mgmt->waitForJobs();
    auto executions = mgmt->retention().executions(*id, 0, 10);
    ASSERT_EQ(executions->total, 1);
    EXPECT_EQ(executions->items[0].trigger, "SCHEDULE");
    EXPECT_FALSE(storage->manifests().byTag("proj/app", "v1")->has_value());
}

TEST_F(RetentionRunTest, DeletionsAreAuditedWithHarborsJobServiceAsOperator) {
    Image v1 = pushImage("proj/app", "1", "v1");
    clock.advance(1h);
    Image v2 = pushImage("proj/app", "2", "v2");
    clock.advance(1h);
    pushImage("proj/app", "3", "v3");
    auto id = mgmt->retention().create(policyFrom(policyText({rule("latestPushedK", 1)})), "proj");
    ASSERT_TRUE(id.has_value()) << id.error().message;

    ASSERT_TRUE(mgmt->retention().execute(*id, true, "MANUAL").has_value());
    mgmt->waitForJobs();
    EXPECT_TRUE(auditedDeletes().empty()) << "a dry run deletes nothing";

    ASSERT_TRUE(mgmt->retention().execute(*id, false, "MANUAL").has_value());
    mgmt->waitForJobs();
    EXPECT_EQ(auditedDeletes(), (std::vector<std::string>{
                                    "harbor-jobservice artifact proj/app:" + v1.manifest.str(),
                                    "harbor-jobservice artifact proj/app:" + v2.manifest.str()}));
}

TEST_F(RetentionRunTest, StopEndsARunningExecutionBeforeItsNextDeletion) {
    std::vector<Image> images;
    for (const char* tag : {"a", "b", "c", "d"}) {
        images.push_back(pushImage("proj/app", tag, tag));
        clock.advance(1h);
    }
    Image later = pushImage("proj/zzz", "z1", "old");
    clock.advance(1h);
    pushImage("proj/zzz", "z2", "new");
    auto id = mgmt->retention().create(policyFrom(policyText({rule("latestPushedK", 1)})), "proj");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    // Cancellation points: the start, proj/app, before deleting a, before deleting b.
    CheckpointGate gate(4);
    mgmt->retention().setCheckpointObserver(gate.observer());

    auto execution = mgmt->retention().execute(*id, false, "MANUAL");
    ASSERT_TRUE(execution.has_value()) << execution.error().message;
    ASSERT_TRUE(gate.waitPaused());
    EXPECT_EQ(executionOf(*id, *execution).status, "Running");
    ASSERT_TRUE(mgmt->retention().stop(*id, *execution));
    EXPECT_EQ(executionOf(*id, *execution).status, "Running") << "until its next deletion";
    gate.release();
    mgmt->waitForJobs();

    RetentionExecution stopped = executionOf(*id, *execution);
    EXPECT_EQ(stopped.status, "Stopped");
    EXPECT_NE(stopped.end, 0);
    EXPECT_FALSE(storage->manifests().byTag("proj/app", "a")->has_value()) << "deleted before";
    for (const char* kept : {"b", "c", "d"}) {
        EXPECT_TRUE(storage->manifests().byTag("proj/app", kept)->has_value()) << kept;
    }
    EXPECT_TRUE(storage->manifests().byDigest("proj/zzz", later.manifest)->has_value())
        << "the next repository is never started";
    auto tasks = mgmt->retention().tasks(*execution, 0, 10);
    ASSERT_TRUE(tasks.has_value());
    ASSERT_EQ(tasks->items.size(), 1u);
    EXPECT_EQ(tasks->items[0].repository, "proj/app");
    EXPECT_EQ(tasks->items[0].status, "Stopped");
    auto log = mgmt->retention().taskLog(*execution, tasks->items[0].id);
    ASSERT_TRUE(log.has_value() && log->has_value());
    EXPECT_NE((*log)->find("2 artifact(s) marked DEL were kept"), std::string::npos) << **log;
    EXPECT_EQ(auditedDeletes(), (std::vector<std::string>{"harbor-jobservice artifact proj/app:" +
                                                          images[0].manifest.str()}));

    // Stopping it again, or a finished execution, changes nothing; unknown ones are NotFound.
    ASSERT_TRUE(mgmt->retention().stop(*id, *execution));
    EXPECT_EQ(executionOf(*id, *execution).status, "Stopped");
    EXPECT_EQ(mgmt->retention().stop(*id, *execution + 100).error().code, ErrorCode::NotFound);
    auto again = mgmt->retention().execute(*id, false, "MANUAL");
    ASSERT_TRUE(again.has_value()) << "a stopped execution does not block the next";
    mgmt->waitForJobs();
    EXPECT_EQ(executionOf(*id, *again).status, "Success");
    ASSERT_TRUE(mgmt->retention().stop(*id, *again));
    EXPECT_EQ(executionOf(*id, *again).status, "Success");
}

TEST_F(RetentionRunTest, StopOfAQueuedExecutionEndsItAtOnce) {
    Image old = pushImage("proj/app", "1", "v1");
    clock.advance(1h);
    pushImage("proj/app", "2", "v2");
    auto id = mgmt->retention().create(policyFrom(policyText({rule("latestPushedK", 1)})), "proj");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    // A garbage collection holds the job thread at its first cancellation point.
    CheckpointGate gate(1);
    mgmt->gc().setCheckpointObserver(gate.observer());
    ASSERT_TRUE(mgmt->gc().start(GcParameters{}, "MANUAL").has_value());
    ASSERT_TRUE(gate.waitPaused());

    auto execution = mgmt->retention().execute(*id, false, "MANUAL");
    ASSERT_TRUE(execution.has_value()) << execution.error().message;
    ASSERT_TRUE(mgmt->retention().stop(*id, *execution));
    RetentionExecution stopped = executionOf(*id, *execution);
    EXPECT_EQ(stopped.status, "Stopped") << "at once, while it waits";
    EXPECT_NE(stopped.end, 0);
    gate.release();
    mgmt->waitForJobs();
    EXPECT_EQ(executionOf(*id, *execution).status, "Stopped");
    EXPECT_TRUE(storage->manifests().byDigest("proj/app", old.manifest)->has_value());
    EXPECT_EQ(mgmt->retention().tasks(*execution, 0, 10)->total, 0);
    EXPECT_TRUE(auditedDeletes().empty());
}

} // namespace
} // namespace pilot::registry::test
