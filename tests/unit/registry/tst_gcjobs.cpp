#include "engine/registry/management/gcjobs.h"
#include "engine/registry/management/harborschedule.h"
#include "engine/registry/management/retentionpolicy.h"
#include "tests/unit/registry/managementtestutil.h"

#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

using namespace management;
using namespace std::chrono_literals;

class GcJobsTest : public ManagementFixture {
protected:
    GcJob waitFor(int64_t id) {
        mgmt->waitForJobs();
        auto job = mgmt->gc().get(id);
        EXPECT_TRUE(job.has_value() && job->has_value());
        return job && *job ? **job : GcJob{};
    }
};

TEST_F(GcJobsTest, RunFreesUnreferencedBlobsOutsideTheWindowAndKeepsTheRest) {
    Image gone = pushImage("p/app", "gone", "v1");
    Image kept = pushImage("p/app", "kept", "v2");
    ASSERT_TRUE(storage->manifests().remove("p/app", gone.manifest));
    clock.advance(3h);
    Digest fresh = pushBlob(*storage, "p/app", "uploaded just now, its manifest still coming");

    auto dry = mgmt->gc().start(GcParameters{.dryRun = true}, "MANUAL");
    ASSERT_TRUE(dry.has_value()) << dry.error().message;
    GcJob dryJob = waitFor(*dry);
    EXPECT_EQ(dryJob.status, "Success");
    EXPECT_NE(dryJob.parameters.find("\"dry_run\":true"), std::string::npos) << dryJob.parameters;
    std::string dryLog = **mgmt->gc().log(*dry);
    EXPECT_NE(dryLog.find(gone.blobs[1].str()), std::string::npos) << dryLog;
    EXPECT_TRUE(storage->blobs().stat("p/app", gone.blobs[1])->has_value()) << "dry run";

    auto real = mgmt->gc().start(GcParameters{}, "MANUAL");
    ASSERT_TRUE(real.has_value());
    EXPECT_EQ(waitFor(*real).status, "Success");
    EXPECT_FALSE(storage->blobs().stat("p/app", gone.blobs[1])->has_value());
    for (const Digest& blob : kept.blobs) {
        EXPECT_TRUE(storage->blobs().stat("p/app", blob)->has_value()) << "referenced";
    }
    EXPECT_TRUE(storage->blobs().stat("p/app", fresh)->has_value()) << "inside the window";
    std::string log = **mgmt->gc().log(*real);
    EXPECT_NE(log.find("frees up"), std::string::npos) << log;

    auto history = mgmt->gc().list(0, 10);
    ASSERT_TRUE(history.has_value());
    EXPECT_EQ(history->total, 2);
    EXPECT_EQ(history->items[0].id, *real);
    EXPECT_EQ(history->items[0].kind, "MANUAL");
}

TEST_F(GcJobsTest, DeleteUntaggedRemovesOldUntaggedArtifactsOnly) {
    Image old = pushImage("p/app", "old", "");
    Image tagged = pushImage("p/app", "tagged", "v1");
    clock.advance(3h);
    Image recent = pushImage("p/app", "recent", "");
    auto id = mgmt->gc().start(GcParameters{.deleteUntagged = true}, "MANUAL");
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(waitFor(*id).status, "Success");
    EXPECT_FALSE(storage->manifests().byDigest("p/app", old.manifest)->has_value());
    EXPECT_FALSE(storage->blobs().stat("p/app", old.blobs[1])->has_value());
    EXPECT_TRUE(storage->manifests().byDigest("p/app", tagged.manifest)->has_value());
    EXPECT_TRUE(storage->manifests().byDigest("p/app", recent.manifest)->has_value())
        << "pushed inside the window (a multi-platform push in progress)";
    std::string log = **mgmt->gc().log(*id);
    EXPECT_NE(log.find(old.manifest.str()), std::string::npos) << log;
    // As in Harbor, whose GC job deletes them outside any request: the run's log says what
    // went, the audit log has no entry for it.
    AuditQuery deletes;
    deletes.operations = {"delete"};
    EXPECT_EQ(mgmt->audit().query(deletes)->total, 0);
}

TEST_F(GcJobsTest, StopEndsARunningRunBeforeItsNextDeletion) {
    std::vector<Image> untagged;
    for (const char* seed : {"u1", "u2", "u3"}) {
        untagged.push_back(pushImage("p/app", seed, ""));
    }
    clock.advance(3h);
    // Cancellation points: the start, before deleting u1, before deleting u2.
    CheckpointGate gate(3);
    mgmt->gc().setCheckpointObserver(gate.observer());
    auto id = mgmt->gc().start(GcParameters{.deleteUntagged = true}, "MANUAL");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    ASSERT_TRUE(gate.waitPaused());
    EXPECT_EQ((*mgmt->gc().get(*id))->status, "Running");
    ASSERT_TRUE(mgmt->gc().stop(*id));
    EXPECT_EQ((*mgmt->gc().get(*id))->status, "Running") << "until its next cancellation point";
    gate.release();
    GcJob stopped = waitFor(*id);
    EXPECT_EQ(stopped.status, "Stopped");
    EXPECT_FALSE(storage->manifests().byDigest("p/app", untagged[0].manifest)->has_value());
    EXPECT_TRUE(storage->manifests().byDigest("p/app", untagged[1].manifest)->has_value());
    EXPECT_TRUE(storage->manifests().byDigest("p/app", untagged[2].manifest)->has_value());
    EXPECT_TRUE(storage->blobs().stat("p/app", untagged[0].blobs[1])->has_value())
        << "the blob sweep never started";
    std::string log = **mgmt->gc().log(*id);
    EXPECT_NE(log.find("received the stop signal, quit GC job."), std::string::npos) << log;
    EXPECT_EQ(log.find("success to run gc"), std::string::npos) << log;

    auto next = mgmt->gc().start(GcParameters{}, "MANUAL");
    ASSERT_TRUE(next.has_value()) << "a stopped run does not block the next";
    EXPECT_EQ(waitFor(*next).status, "Success");
    EXPECT_FALSE(storage->blobs().stat("p/app", untagged[0].blobs[1])->has_value());
    ASSERT_TRUE(mgmt->gc().stop(*next)) << "a finished run: nothing to do";
    EXPECT_EQ(waitFor(*next).status, "Success");
    EXPECT_EQ(mgmt->gc().stop(*next + 100).error().code, ErrorCode::NotFound);
}

TEST_F(GcJobsTest, StopOfAPendingRunEndsItAtOnce) {
    Image gone = pushImage("p/app", "gone", "v1");
    ASSERT_TRUE(storage->manifests().remove("p/app", gone.manifest));
    clock.advance(3h);
    // A retention execution holds the job thread at its first cancellation point.
    RetentionPolicy policy;
    policy.projectId = 2;
    auto policyId = mgmt->retention().create(policy, "proj");
    ASSERT_TRUE(policyId.has_value()) << policyId.error().message;
    CheckpointGate gate(1);
    mgmt->retention().setCheckpointObserver(gate.observer());
    ASSERT_TRUE(mgmt->retention().execute(*policyId, false, "MANUAL").has_value());
    ASSERT_TRUE(gate.waitPaused());

    auto id = mgmt->gc().start(GcParameters{}, "MANUAL");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    EXPECT_EQ((*mgmt->gc().get(*id))->status, "Pending");
    ASSERT_TRUE(mgmt->gc().stop(*id));
    EXPECT_EQ((*mgmt->gc().get(*id))->status, "Stopped") << "at once, while it waits";
    gate.release();
    EXPECT_EQ(waitFor(*id).status, "Stopped");
    EXPECT_TRUE(storage->blobs().stat("p/app", gone.blobs[1])->has_value()) << "it never ran";
    std::string log = **mgmt->gc().log(*id);
    EXPECT_NE(log.find("before the job started"), std::string::npos) << log;
}

TEST_F(GcJobsTest, ScheduleFiresOnItsCronAndNoneStopsIt) {
    auto hourly = HarborSchedule::make("Hourly", "");
    ASSERT_TRUE(hourly.has_value());
    EXPECT_EQ(hourly->cron, "0 0 * * * *");
    ASSERT_TRUE(mgmt->gc().setSchedule(*hourly, GcParameters{.deleteUntagged = true}));
    auto stored = mgmt->gc().schedule();
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->schedule.type, "Hourly");
    EXPECT_TRUE(stored->parameters.deleteUntagged);

    mgmt->tick(clock.now());
    EXPECT_EQ(mgmt->gc().list(0, 10)->total, 0);
    clock.advance(61min);
    mgmt->tick(clock.now());
    mgmt->waitForJobs();
    auto history = mgmt->gc().list(0, 10);
    ASSERT_EQ(history->total, 1);
    EXPECT_EQ(history->items[0].kind, "SCHEDULE");
    EXPECT_EQ(history->items[0].status, "Success");

    ASSERT_TRUE(mgmt->gc().setSchedule(*HarborSchedule::make("None", ""), GcParameters{}));
    clock.advance(2h);
    mgmt->tick(clock.now());
    mgmt->waitForJobs();
    EXPECT_EQ(mgmt->gc().list(0, 10)->total, 1);
}

TEST_F(GcJobsTest, ManualScheduleRunsNowAndBadCronsAreRefused) {
    ASSERT_TRUE(mgmt->gc().setSchedule(*HarborSchedule::make("Manual", ""), GcParameters{}));
    mgmt->waitForJobs();
    EXPECT_EQ(mgmt->gc().list(0, 10)->total, 1);
    EXPECT_FALSE(HarborSchedule::make("Custom", "not a cron").has_value());
    EXPECT_FALSE(HarborSchedule::make("Sometimes", "").has_value());
    auto custom = HarborSchedule::make("Custom", "0 30 2 * * *");
    ASSERT_TRUE(custom.has_value());
    TimePoint midnight = std::chrono::sys_days(std::chrono::year(2030) / 1 / 1);
    EXPECT_EQ(custom->next(midnight), midnight + 2h + 30min);
}

TEST_F(GcJobsTest, InterruptedRunsAreMarkedFailedOnReopen) {
    ASSERT_TRUE(storage->db().write([](DbConnection& db) -> Status {
        return db.exec("INSERT INTO gc_history(job_kind, parameters, status, created, updated, "
                       "log) VALUES('MANUAL', '{}', 'Running', 0, 0, '')");
    }));
    mgmt.reset();
    ManagementOptions options;
    options.background = false;
    mgmt = std::move(*RegistryManagement::open(*storage, options, &clock));
    auto history = mgmt->gc().list(0, 10);
    ASSERT_EQ(history->total, 1);
    EXPECT_EQ(history->items[0].status, "Error");
    EXPECT_TRUE(mgmt->gc().start(GcParameters{}, "MANUAL").has_value()) << "not blocked by it";
    mgmt->waitForJobs();
}

} // namespace
} // namespace pilot::registry::test
