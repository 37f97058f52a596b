// SQLite-specific behaviour: persistence across reopen, group commit, batch limits, flushing on
// close, compaction of a backlog, and a bounded WAL.

#include "engine/store/store.h"

#include "tests/unit/store/storetestutil.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

namespace pilot::store::test {
namespace {

std::unique_ptr<Store> openSqlite(const std::string& path, int64_t retention = 10000,
                                  size_t maxBatch = 512, CommitObserver observer = {}) {
    auto store = makeSqliteStore(SqliteOptions{path, retention, maxBatch});
    if (observer) {
        store->setCommitObserver(std::move(observer));
    }
    auto opened = store->open();
    EXPECT_TRUE(opened) << opened.error().message;
    return store;
}

std::string keyFor(size_t i) {
    return "/registry/pods/default/p" + std::to_string(i);
}

TEST(SqliteStore, ReopenKeepsDataAndRevisionsContinue) {
    TempDir dir;
    const std::string path = dir.file("state.db");
    {
        auto store = openSqlite(path, 3);
        for (size_t i = 0; i < 6; ++i) {
            ASSERT_TRUE(store->write(makeCreate(keyFor(i), "v" + std::to_string(i))));
        }
        ASSERT_TRUE(store->write(makeUpdate(keyFor(1), "updated", 2)));
        ASSERT_TRUE(store->write(makeDelete(keyFor(2))));
        EXPECT_EQ(store->currentRevision(), 8);
        EXPECT_EQ(store->compactedRevision(), 5);
        store->close();
    }

    auto store = openSqlite(path, 3);
    EXPECT_EQ(store->currentRevision(), 8);
    EXPECT_EQ(store->compactedRevision(), 5);
    auto updated = store->get(keyFor(1));
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->value, "updated");
    EXPECT_EQ(updated->createRevision, 2);
    EXPECT_EQ(updated->modRevision, 7);
    EXPECT_EQ(store->get(keyFor(2)).error().code, ErrorCode::NotFound);

    auto listed = store->list("/registry/pods/");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->items.size(), 5U);
    EXPECT_EQ(listed->revision, 8);

    auto events = store->eventsSince(5, "");
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 3U);
    EXPECT_EQ(events->back().type, EventType::Delete);
    EXPECT_EQ(events->back().value, "v2");
    EXPECT_EQ(store->eventsSince(4, "").error().code, ErrorCode::Gone);

    auto next = store->write(makeCreate(keyFor(100), "new"));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->revision, 9);
}

TEST(SqliteStore, QueuedWritesShareOneTransaction) {
    TempDir dir;
    GateObserver gate;
    auto store = openSqlite(dir.file("group.db"), 10000, 512, gate.observer());

    // Hold the writer inside the first batch's observer call while 100 more writes queue up.
    gate.arm();
    Completions first(1);
    store->writeAsync(makeCreate(keyFor(0), "v"), first.slot(0));
    gate.waitHeld();
    constexpr size_t kQueued = 100;
    Completions queued(kQueued);
    for (size_t i = 0; i < kQueued; ++i) {
        store->writeAsync(makeCreate(keyFor(i + 1), "v"), queued.slot(i));
    }
    gate.release();
    first.waitAll();
    const auto& results = queued.waitAll();

    for (size_t i = 0; i < kQueued; ++i) {
        ASSERT_TRUE(results[i]) << results[i].error().message;
        EXPECT_EQ(results[i]->revision, static_cast<int64_t>(i + 2)) << "queue order kept";
    }
    const StoreStats stats = store->stats();
    EXPECT_EQ(stats.writes, kQueued + 1);
    EXPECT_EQ(stats.commits, 2U) << "one transaction (one fsync) for the 100 queued writes";
    EXPECT_LT(stats.commits, stats.writes);
    EXPECT_EQ(stats.largestBatch, kQueued);
    EXPECT_EQ(gate.batchSizes(), (std::vector<size_t>{1, kQueued}));
}

TEST(SqliteStore, BatchesNeverExceedMaxBatch) {
    TempDir dir;
    GateObserver gate;
    constexpr size_t kMaxBatch = 16;
    auto store = openSqlite(dir.file("limit.db"), 10000, kMaxBatch, gate.observer());

    gate.arm();
    Completions first(1);
    store->writeAsync(makeCreate(keyFor(0), "v"), first.slot(0));
    gate.waitHeld();
    constexpr size_t kQueued = 100;
    Completions queued(kQueued);
    for (size_t i = 0; i < kQueued; ++i) {
        store->writeAsync(makeCreate(keyFor(i + 1), "v"), queued.slot(i));
    }
    gate.release();
    queued.waitAll();

    const StoreStats stats = store->stats();
    EXPECT_EQ(stats.writes, kQueued + 1);
    EXPECT_EQ(stats.largestBatch, kMaxBatch);
    EXPECT_EQ(stats.commits, 1 + (kQueued + kMaxBatch - 1) / kMaxBatch);
}

TEST(SqliteStore, FailedPreconditionFailsAloneInsideABatch) {
    TempDir dir;
    GateObserver gate;
    auto store = openSqlite(dir.file("mixed.db"), 10000, 512, gate.observer());

    gate.arm();
    Completions first(1);
    store->writeAsync(makeCreate("/k/first", "v"), first.slot(0));
    gate.waitHeld();
    // All of these land in one batch; later writes see the effects of earlier ones.
    const Write writes[] = {
        makeCreate("/k/a", "a1"),       // ok, revision 2
        makeCreate("/k/a", "again"),    // AlreadyExists
        makeUpdate("/k/missing", "x"),  // NotFound
        makeUpdate("/k/a", "a2", 2),    // ok, revision 3: sees the create above
        makeUpdate("/k/a", "stale", 2), // Conflict: now at revision 3
        makeDelete("/k/a", 3),          // ok, revision 4
        makeCreate("/k/b", "b1"),       // ok, revision 5
    };
    Completions batch(std::size(writes));
    for (size_t i = 0; i < std::size(writes); ++i) {
        store->writeAsync(writes[i], batch.slot(i));
    }
    gate.release();
    const auto& results = batch.waitAll();

    const ErrorCode failed[] = {ErrorCode::AlreadyExists, ErrorCode::NotFound, ErrorCode::Conflict};
    const std::pair<size_t, int64_t> succeeded[] = {{0, 2}, {3, 3}, {5, 4}, {6, 5}};
    for (const auto& [index, revision] : succeeded) {
        ASSERT_TRUE(results[index]) << index << ": " << results[index].error().message;
        EXPECT_EQ(results[index]->revision, revision) << index;
    }
    EXPECT_EQ(results[1].error().code, failed[0]);
    EXPECT_EQ(results[2].error().code, failed[1]);
    EXPECT_EQ(results[4].error().code, failed[2]);

    EXPECT_EQ(store->stats().commits, 2U);
    EXPECT_EQ(store->currentRevision(), 5);
    EXPECT_EQ(store->get("/k/a").error().code, ErrorCode::NotFound);
    EXPECT_EQ(store->get("/k/b")->value, "b1");
    auto events = store->eventsSince(1, "/k/");
    ASSERT_TRUE(events);
    ASSERT_EQ(events->size(), 4U);
    EXPECT_EQ(events->at(2).type, EventType::Delete);
    EXPECT_EQ(events->at(2).value, "a2");
}

TEST(SqliteStore, CloseCommitsEveryQueuedWrite) {
    TempDir dir;
    const std::string path = dir.file("flush.db");
    constexpr size_t kWrites = 300;
    {
        auto store = openSqlite(path);
        Completions done(kWrites);
        for (size_t i = 0; i < kWrites; ++i) {
            store->writeAsync(makeCreate(keyFor(i), "v"), done.slot(i));
        }
        store->close();
        // close() returned: every callback has run, and every write succeeded.
        const auto& results = done.waitAll();
        for (size_t i = 0; i < kWrites; ++i) {
            ASSERT_TRUE(results[i]) << i << ": " << results[i].error().message;
        }
    }
    auto store = openSqlite(path);
    EXPECT_EQ(store->currentRevision(), static_cast<int64_t>(kWrites));
    EXPECT_EQ(store->list("/registry/pods/")->items.size(), kWrites);
}

TEST(SqliteStore, BacklogIsCompactedAfterRetentionShrinks) {
    TempDir dir;
    const std::string path = dir.file("backlog.db");
    constexpr size_t kWrites = 3500;
    {
        auto store = openSqlite(path, 100000);
        Completions done(kWrites);
        for (size_t i = 0; i < kWrites; ++i) {
            store->writeAsync(makeCreate(keyFor(i), "v"), done.slot(i));
        }
        done.waitAll();
        store->close();
    }

    // With retention 10, 3490 events are due for deletion, at most 1000 per transaction. Each
    // write batch takes one compaction step, so a few writes are enough to catch up whatever
    // the idle compaction already did.
    auto store = openSqlite(path, 10);
    for (size_t i = 0; i < 5; ++i) {
        ASSERT_TRUE(store->write(makeCreate("/k/" + std::to_string(i), "v")));
    }
    const int64_t current = store->currentRevision();
    EXPECT_EQ(current, static_cast<int64_t>(kWrites + 5));
    EXPECT_EQ(store->compactedRevision(), current - 10);
    EXPECT_EQ(store->eventsSince(current - 11, "").error().code, ErrorCode::Gone);
    auto kept = store->eventsSince(current - 10, "");
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->size(), 10U);
    EXPECT_EQ(store->stats().compactedEvents, static_cast<uint64_t>(current - 10));
    EXPECT_EQ(store->list("/registry/pods/")->items.size(), kWrites);
}

TEST(SqliteStore, WalStaysBoundedUnderSustainedWrites) {
    TempDir dir;
    const std::string path = dir.file("wal.db");
    auto store = openSqlite(path);
    const std::string value(10000, 'x');
    constexpr size_t kBursts = 10;
    constexpr size_t kPerBurst = 300;
    // ~60 MB goes through the WAL (value in kv and in events); without checkpoints it would
    // all stay there.
    uintmax_t largestWal = 0;
    for (size_t burst = 0; burst < kBursts; ++burst) {
        Completions done(kPerBurst);
        for (size_t i = 0; i < kPerBurst; ++i) {
            store->writeAsync(makeCreate(keyFor(burst * kPerBurst + i), value), done.slot(i));
        }
        for (const auto& result : done.waitAll()) {
            ASSERT_TRUE(result) << result.error().message;
        }
        std::error_code error;
        largestWal = std::max(largestWal, std::filesystem::file_size(path + "-wal", error));
    }
    EXPECT_GT(largestWal, 0U);
    EXPECT_LT(largestWal, 24U * 1024 * 1024);

    store->close();
    std::error_code error;
    const auto walAfterClose = std::filesystem::file_size(path + "-wal", error);
    EXPECT_TRUE(error || walAfterClose == 0) << "WAL left behind: " << walAfterClose;
}

TEST(SqliteStore, OpenFailsWhenTheDatabaseCannotBeCreated) {
    TempDir dir;
    auto store = makeSqliteStore(SqliteOptions{dir.file("missing-dir/store.db")});
    auto opened = store->open();
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::Unavailable);
    auto written = store->write(makeCreate("/k/a", "v"));
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::Unavailable);
    store->close();
}

TEST(SqliteStore, ReadsDuringWritesSeeConsistentSnapshots) {
    TempDir dir;
    auto store = openSqlite(dir.file("snapshot.db"));
    // Only /s/a and /s/b are ever written, so a list taken from one snapshot reports exactly
    // the revision of the newer of the two; reading them outside one transaction would not.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        for (int i = 1; i <= 200; ++i) {
            const std::string value = std::to_string(i);
            Completions done(2);
            store->writeAsync(i == 1 ? makeCreate("/s/a", value) : makeUpdate("/s/a", value),
                              done.slot(0));
            store->writeAsync(i == 1 ? makeCreate("/s/b", value) : makeUpdate("/s/b", value),
                              done.slot(1));
            done.waitAll();
        }
        stop = true;
    });
    int inconsistent = 0;
    int lists = 0;
    while (!stop) {
        auto listed = store->list("/s/");
        ASSERT_TRUE(listed) << listed.error().message;
        ++lists;
        if (listed->items.size() == 2) {
            const auto& a = listed->items[0];
            const auto& b = listed->items[1];
            const int64_t newest = std::max(a.modRevision, b.modRevision);
            if (listed->revision != newest) {
                ++inconsistent;
            }
        }
    }
    writer.join();
    EXPECT_EQ(inconsistent, 0) << "out of " << lists << " lists";
}

} // namespace
} // namespace pilot::store::test
