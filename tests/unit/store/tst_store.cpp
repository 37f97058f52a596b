// Store semantics, run against both implementations: what the API server and the watch cache
// rely on (etcd-like revisions, preconditions, events, compaction, observer ordering).

#include "engine/store/store.h"

#include "tests/unit/store/storetestutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace pilot::store::test {
namespace {

enum class Kind { Memory, Sqlite };

class StoreTest : public testing::TestWithParam<Kind> {
protected:
    void SetUp() override { openStore(); }

    void openStore(int64_t retention = 10000, CommitObserver observer = {}) {
        if (m_store) {
            m_store->close();
        }
        m_store = GetParam() == Kind::Memory
                      ? makeMemoryStore(retention)
                      : makeSqliteStore(SqliteOptions{m_dir.file("store.db"), retention, 512});
        if (observer) {
            m_store->setCommitObserver(std::move(observer));
        }
        auto opened = m_store->open();
        ASSERT_TRUE(opened) << opened.error().message;
    }

    WriteResult mustWrite(Write write) {
        auto result = m_store->write(std::move(write));
        EXPECT_TRUE(result) << result.error().message;
        return result.value_or(WriteResult{});
    }

    TempDir m_dir;
    std::unique_ptr<Store> m_store;
};

TEST_P(StoreTest, CreateThenGetReturnsValueAndRevisions) {
    const auto created = mustWrite(makeCreate("/registry/pods/default/web", R"({"a":1})"));
    EXPECT_EQ(created.revision, 1);
    EXPECT_EQ(created.kv.key, "/registry/pods/default/web");
    EXPECT_EQ(created.kv.value, R"({"a":1})");
    EXPECT_EQ(created.kv.createRevision, 1);
    EXPECT_EQ(created.kv.modRevision, 1);

    auto got = m_store->get("/registry/pods/default/web");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->key, "/registry/pods/default/web");
    EXPECT_EQ(got->value, R"({"a":1})");
    EXPECT_EQ(got->createRevision, 1);
    EXPECT_EQ(got->modRevision, 1);
    EXPECT_EQ(m_store->currentRevision(), 1);
}

TEST_P(StoreTest, ValuesRoundTripByteForByte) {
    const std::string binary("\0\x01\xff{}\0", 6);
    const std::pair<std::string, std::string> cases[] = {
        {"/registry/x/empty", ""},
        {"/registry/x/binary", binary},
        {"/registry/x/large", std::string(200000, 'z')},
    };
    for (const auto& [key, value] : cases) {
        mustWrite(makeCreate(key, value));
        auto got = m_store->get(key);
        ASSERT_TRUE(got) << key;
        EXPECT_EQ(got->value, value) << key;
    }
}

TEST_P(StoreTest, GetOfMissingKeyIsNotFound) {
    auto got = m_store->get("/registry/pods/default/missing");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::NotFound);
}

struct PreconditionCase {
    const char* name;
    Write write;
    ErrorCode expected;
};

TEST_P(StoreTest, FailedPreconditionsReturnTheirCodeAndConsumeNoRevision) {
    // Key "/k/a" exists at revision 1 (created) and was updated at revision 2.
    mustWrite(makeCreate("/k/a", "v1"));
    mustWrite(makeUpdate("/k/a", "v2"));
    const PreconditionCase cases[] = {
        {"create existing", makeCreate("/k/a", "x"), ErrorCode::AlreadyExists},
        {"update missing", makeUpdate("/k/missing", "x"), ErrorCode::NotFound},
        {"update missing with revision", makeUpdate("/k/missing", "x", 2), ErrorCode::NotFound},
        {"delete missing", makeDelete("/k/missing"), ErrorCode::NotFound},
        {"update stale revision", makeUpdate("/k/a", "x", 1), ErrorCode::Conflict},
        {"update future revision", makeUpdate("/k/a", "x", 9), ErrorCode::Conflict},
        {"delete stale revision", makeDelete("/k/a", 1), ErrorCode::Conflict},
        {"empty key", makeCreate("", "x"), ErrorCode::InvalidArgument},
    };
    for (const auto& c : cases) {
        auto result = m_store->write(c.write);
        ASSERT_FALSE(result) << c.name;
        EXPECT_EQ(result.error().code, c.expected) << c.name << ": " << result.error().message;
        EXPECT_EQ(m_store->currentRevision(), 2) << c.name;
    }
    auto got = m_store->get("/k/a");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->value, "v2");
    EXPECT_EQ(got->modRevision, 2);
    // The next successful write gets the next revision: the failures left no gap.
    EXPECT_EQ(mustWrite(makeCreate("/k/b", "b")).revision, 3);
}

TEST_P(StoreTest, UpdateWithCurrentRevisionSucceedsAndKeepsCreateRevision) {
    mustWrite(makeCreate("/k/other", "o"));
    const auto created = mustWrite(makeCreate("/k/a", "v1"));
    const auto updated = mustWrite(makeUpdate("/k/a", "v2", created.kv.modRevision));
    EXPECT_EQ(updated.revision, 3);
    EXPECT_EQ(updated.kv.value, "v2");
    EXPECT_EQ(updated.kv.createRevision, 2);
    EXPECT_EQ(updated.kv.modRevision, 3);

    const auto unconditional = mustWrite(makeUpdate("/k/a", "v3"));
    EXPECT_EQ(unconditional.kv.modRevision, 4);

    auto got = m_store->get("/k/a");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->value, "v3");
    EXPECT_EQ(got->createRevision, 2);
    EXPECT_EQ(got->modRevision, 4);
}

TEST_P(StoreTest, DeleteReturnsLastValueAndRecreateStartsOver) {
    mustWrite(makeCreate("/k/a", "v1"));
    mustWrite(makeUpdate("/k/a", "v2"));
    const auto deleted = mustWrite(makeDelete("/k/a", 2));
    EXPECT_EQ(deleted.revision, 3);
    EXPECT_EQ(deleted.kv.value, "v2");
    EXPECT_EQ(deleted.kv.createRevision, 1);
    EXPECT_EQ(deleted.kv.modRevision, 3);

    auto got = m_store->get("/k/a");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::NotFound);

    const auto recreated = mustWrite(makeCreate("/k/a", "v3"));
    EXPECT_EQ(recreated.kv.createRevision, 4);
    EXPECT_EQ(recreated.kv.modRevision, 4);
}

TEST_P(StoreTest, RevisionIsGlobalAcrossKeys) {
    const char* keys[] = {"/registry/pods/a/x", "/registry/services/b/y", "/registry/pods/a/z"};
    int64_t expected = 0;
    for (const char* key : keys) {
        EXPECT_EQ(mustWrite(makeCreate(key, "v")).revision, ++expected);
    }
    EXPECT_EQ(mustWrite(makeUpdate(keys[0], "w")).revision, ++expected);
    EXPECT_EQ(mustWrite(makeDelete(keys[1])).revision, ++expected);
    EXPECT_EQ(m_store->currentRevision(), expected);
    // Untouched keys keep their own modRevision.
    EXPECT_EQ(m_store->get(keys[2])->modRevision, 3);
}

TEST_P(StoreTest, ListByPrefixIsSortedAndReportsRevision) {
    const char* keys[] = {
        "/registry/pods/ns2/b", "/registry/pods/ns1/c", "/registry/podsx/ns1/a",
        "/registry/pods/ns1/a", "/registry/pod/ns1/a",  "/registry/pods/ns1/b",
    };
    for (const char* key : keys) {
        mustWrite(makeCreate(key, key));
    }
    mustWrite(makeDelete("/registry/pods/ns1/b"));

    struct Case {
        const char* prefix;
        std::vector<std::string> keys;
    };
    const Case cases[] = {
        {"/registry/pods/",
         {"/registry/pods/ns1/a", "/registry/pods/ns1/c", "/registry/pods/ns2/b"}},
        {"/registry/pods/ns1/", {"/registry/pods/ns1/a", "/registry/pods/ns1/c"}},
        {"/registry/podsx/", {"/registry/podsx/ns1/a"}},
        {"/registry/nodes/", {}},
        {"",
         {"/registry/pod/ns1/a", "/registry/pods/ns1/a", "/registry/pods/ns1/c",
          "/registry/pods/ns2/b", "/registry/podsx/ns1/a"}},
    };
    for (const auto& c : cases) {
        auto listed = m_store->list(c.prefix);
        ASSERT_TRUE(listed) << c.prefix;
        std::vector<std::string> got;
        for (const auto& kv : listed->items) {
            got.push_back(kv.key);
            EXPECT_EQ(kv.value, kv.key);
        }
        EXPECT_EQ(got, c.keys) << "prefix " << c.prefix;
        EXPECT_EQ(listed->revision, 7) << c.prefix;
    }
}

TEST_P(StoreTest, EventsSinceReplaysPutsAndDeletesWithLastValue) {
    mustWrite(makeCreate("/registry/pods/a", "a1"));     // 1
    mustWrite(makeCreate("/registry/services/s", "s1")); // 2
    mustWrite(makeUpdate("/registry/pods/a", "a2"));     // 3
    mustWrite(makeDelete("/registry/pods/a"));           // 4
    mustWrite(makeCreate("/registry/pods/b", "b1"));     // 5

    auto all = m_store->eventsSince(0, "");
    ASSERT_TRUE(all) << all.error().message;
    ASSERT_EQ(all->size(), 5U);
    for (size_t i = 0; i < all->size(); ++i) {
        EXPECT_EQ((*all)[i].revision, static_cast<int64_t>(i + 1));
    }

    auto pods = m_store->eventsSince(1, "/registry/pods/");
    ASSERT_TRUE(pods);
    ASSERT_EQ(pods->size(), 3U);
    const Event& update = (*pods)[0];
    EXPECT_EQ(update.type, EventType::Put);
    EXPECT_EQ(update.revision, 3);
    EXPECT_EQ(update.value, "a2");
    EXPECT_EQ(update.createRevision, 1);
    EXPECT_EQ(update.prevModRevision, 1);
    const Event& deletion = (*pods)[1];
    EXPECT_EQ(deletion.type, EventType::Delete);
    EXPECT_EQ(deletion.key, "/registry/pods/a");
    EXPECT_EQ(deletion.revision, 4);
    EXPECT_EQ(deletion.value, "a2");
    EXPECT_EQ(deletion.createRevision, 1);
    EXPECT_EQ(deletion.prevModRevision, 3);
    const Event& create = (*pods)[2];
    EXPECT_EQ(create.type, EventType::Put);
    EXPECT_EQ(create.key, "/registry/pods/b");
    EXPECT_EQ(create.createRevision, 5);
    EXPECT_EQ(create.prevModRevision, 0);

    auto none = m_store->eventsSince(5, "");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(StoreTest, EventsOlderThanRetentionAreGone) {
    openStore(5);
    for (int i = 0; i < 20; ++i) {
        mustWrite(makeCreate("/k/" + std::to_string(i), "v"));
    }
    EXPECT_EQ(m_store->compactedRevision(), 15);

    auto gone = m_store->eventsSince(14, "");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::Gone);
    EXPECT_EQ(gone.error().message, "too old resource version: 14 (15)");

    auto kept = m_store->eventsSince(15, "");
    ASSERT_TRUE(kept) << kept.error().message;
    ASSERT_EQ(kept->size(), 5U);
    EXPECT_EQ(kept->front().revision, 16);
    EXPECT_EQ(kept->back().revision, 20);
    // Compaction drops history only: every object is still readable.
    auto listed = m_store->list("/k/");
    ASSERT_TRUE(listed);
    EXPECT_EQ(listed->items.size(), 20U);
}

TEST_P(StoreTest, ObserverSeesEachEventOnceInOrderBeforeTheWriteReturns) {
    std::mutex mutex;
    std::vector<Event> seen;
    openStore(10000, [&](const std::vector<Event>& events) {
        std::lock_guard lock(mutex);
        seen.insert(seen.end(), events.begin(), events.end());
    });
    const Write writes[] = {makeCreate("/k/a", "1"), makeCreate("/k/b", "2"),
                            makeCreate("/k/a", "dup"), makeUpdate("/k/a", "3"), makeDelete("/k/b")};
    for (const auto& write : writes) {
        auto result = m_store->write(write);
        std::lock_guard lock(mutex);
        if (result) {
            ASSERT_FALSE(seen.empty());
            EXPECT_EQ(seen.back().revision, result->revision);
        }
    }
    std::lock_guard lock(mutex);
    ASSERT_EQ(seen.size(), 4U);
    const EventType types[] = {EventType::Put, EventType::Put, EventType::Put, EventType::Delete};
    for (size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].revision, static_cast<int64_t>(i + 1));
        EXPECT_EQ(seen[i].type, types[i]);
    }
    EXPECT_EQ(seen[3].value, "2");
}

TEST_P(StoreTest, ConcurrentWritersGetDistinctGaplessRevisions) {
    constexpr int kThreads = 16;
    constexpr int kWritesPerThread = 200;
    std::mutex mutex;
    std::vector<int64_t> observed;
    std::atomic<int64_t> highestObserved{0};
    openStore(100000, [&](const std::vector<Event>& events) {
        std::lock_guard lock(mutex);
        for (const auto& event : events) {
            observed.push_back(event.revision);
        }
        highestObserved.store(events.back().revision);
    });

    std::vector<std::vector<int64_t>> revisions(kThreads);
    std::atomic<int> failures{0};
    std::atomic<int> acknowledgedBeforeObserved{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            int64_t lastCreated = 0;
            for (int i = 0; i < kWritesPerThread; ++i) {
                // Alternate creates with CAS updates of the key just created.
                const std::string key = "/k/" + std::to_string(t) + "/" + std::to_string(i / 2);
                auto result = i % 2 == 0 ? m_store->write(makeCreate(key, "v"))
                                         : m_store->write(makeUpdate(key, "w", lastCreated));
                if (!result) {
                    ++failures;
                    continue;
                }
                lastCreated = result->revision;
                if (highestObserved.load() < result->revision) {
                    ++acknowledgedBeforeObserved;
                }
                revisions[t].push_back(result->revision);
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(acknowledgedBeforeObserved.load(), 0);

    std::vector<int64_t> all;
    for (const auto& perThread : revisions) {
        // Each caller's own writes were acknowledged in increasing revision order.
        EXPECT_TRUE(std::is_sorted(perThread.begin(), perThread.end()));
        all.insert(all.end(), perThread.begin(), perThread.end());
    }
    std::sort(all.begin(), all.end());
    constexpr int64_t kTotal = kThreads * kWritesPerThread;
    ASSERT_EQ(all.size(), static_cast<size_t>(kTotal));
    for (int64_t i = 0; i < kTotal; ++i) {
        ASSERT_EQ(all[i], i + 1) << "revisions must be distinct and gapless";
    }
    EXPECT_EQ(m_store->currentRevision(), kTotal);
    std::lock_guard lock(mutex);
    ASSERT_EQ(observed.size(), static_cast<size_t>(kTotal));
    for (int64_t i = 0; i < kTotal; ++i) {
        ASSERT_EQ(observed[i], i + 1) << "observer must see every revision once, in order";
    }
}

TEST_P(StoreTest, ConcurrentCreatesOfOneKeyHaveExactlyOneWinner) {
    constexpr int kThreads = 8;
    std::atomic<int> created{0};
    std::atomic<int> alreadyExists{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto result = m_store->write(makeCreate("/k/contended", std::to_string(t)));
            if (result) {
                ++created;
            } else if (result.error().code == ErrorCode::AlreadyExists) {
                ++alreadyExists;
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(alreadyExists.load(), kThreads - 1);
    EXPECT_EQ(m_store->currentRevision(), 1);
    EXPECT_EQ(m_store->stats().rejectedWrites, static_cast<uint64_t>(kThreads - 1));
}

TEST_P(StoreTest, WriteAsyncReportsTheCommittedResult) {
    std::promise<Result<WriteResult>> promise;
    m_store->writeAsync(makeCreate("/k/a", "v"),
                        [&promise](Result<WriteResult> result) { promise.set_value(result); });
    auto result = promise.get_future().get();
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->revision, 1);
    EXPECT_EQ(m_store->get("/k/a")->value, "v");

    std::promise<Result<WriteResult>> failed;
    m_store->writeAsync(makeCreate("/k/a", "again"),
                        [&failed](Result<WriteResult> r) { failed.set_value(r); });
    auto duplicate = failed.get_future().get();
    ASSERT_FALSE(duplicate);
    EXPECT_EQ(duplicate.error().code, ErrorCode::AlreadyExists);
}

TEST_P(StoreTest, AfterCloseEverythingIsUnavailable) {
    mustWrite(makeCreate("/k/a", "v"));
    m_store->close();
    m_store->close(); // idempotent

    auto written = m_store->write(makeCreate("/k/b", "v"));
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::Unavailable);

    std::promise<Result<WriteResult>> promise;
    m_store->writeAsync(makeCreate("/k/c", "v"),
                        [&promise](Result<WriteResult> r) { promise.set_value(r); });
    auto async = promise.get_future().get();
    ASSERT_FALSE(async);
    EXPECT_EQ(async.error().code, ErrorCode::Unavailable);

    auto got = m_store->get("/k/a");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::Unavailable);
    auto listed = m_store->list("/k/");
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.error().code, ErrorCode::Unavailable);
}

TEST_P(StoreTest, StatsCountWritesAndRejections) {
    mustWrite(makeCreate("/k/a", "v"));
    mustWrite(makeUpdate("/k/a", "w"));
    EXPECT_FALSE(m_store->write(makeCreate("/k/a", "dup")));
    const StoreStats stats = m_store->stats();
    EXPECT_EQ(stats.writes, 2U);
    EXPECT_EQ(stats.rejectedWrites, 1U);
    EXPECT_EQ(stats.commits, 2U);
    EXPECT_EQ(stats.largestBatch, 1U);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, testing::Values(Kind::Memory, Kind::Sqlite),
                         [](const testing::TestParamInfo<Kind>& param) {
                             return param.param == Kind::Memory ? "Memory" : "Sqlite";
                         });

} // namespace
} // namespace pilot::store::test
