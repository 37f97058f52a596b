#pragma once

// Private to pilot::store: the SQLite implementation of Store (see makeSqliteStore()).

#include "engine/store/sqlitedb.h"
#include "engine/store/store.h"
#include "engine/store/walcheckpointer.h"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pilot::store {

/// Layout: `kv` holds the current objects, `events` one row per revision (the watch history),
/// `meta` the current and compacted revisions, all updated in the same transaction.
///
/// Writes go through one writer thread that drains up to `maxBatch` queued writes into one
/// transaction (group commit: one WAL fsync for the batch). Reads use a pool of separate
/// connections, so in WAL mode they never wait for the writer and see committed data only.
class SqliteStore final : public Store {
public:
    explicit SqliteStore(SqliteOptions options);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    [[nodiscard]] Status open() override;
    void close() override;

    [[nodiscard]] Result<KeyValue> get(std::string_view key) override;
    [[nodiscard]] Result<ListResult> list(std::string_view prefix) override;
    [[nodiscard]] Result<WriteResult> write(Write write) override;
    void writeAsync(Write write, std::function<void(Result<WriteResult>)> done) override;
    [[nodiscard]] Result<std::vector<Event>> eventsSince(int64_t afterRevision,
                                                         std::string_view prefix) override;
    [[nodiscard]] int64_t currentRevision() const override;
    [[nodiscard]] int64_t compactedRevision() const override;
    void setCommitObserver(CommitObserver observer) override;
    [[nodiscard]] StoreStats stats() const override;

private:
    struct Pending {
        Write write;
        std::function<void(Result<WriteResult>)> done;
        std::chrono::steady_clock::time_point queued; // for the commit latency
    };

    /// The writer connection's statements, prepared once at open().
    struct WriterStatements {
        sqlite::Statement begin;
        sqlite::Statement commit;
        sqlite::Statement rollback;
        sqlite::Statement insert;     // Create: INSERT ... ON CONFLICT DO NOTHING
        sqlite::Statement lookup;     // rowid, create_rev, mod_rev of a key
        sqlite::Statement lookupFull; // the same plus the value
        sqlite::Statement update;     // by rowid
        sqlite::Statement remove;     // by rowid
        sqlite::Statement addEvent;   // INSERT INTO events
        sqlite::Statement compact;    // DELETE FROM events WHERE rev <= ?
        sqlite::Statement updateMeta; // current_rev, compacted_rev
    };

    /// A read connection with its statements; lent to one reader at a time.
    struct Reader {
        sqlite::Connection db;
        sqlite::Statement begin;
        sqlite::Statement commit;
        sqlite::Statement get;
        sqlite::Statement listAll;
        sqlite::Statement listRange;
        sqlite::Statement meta;
        sqlite::Statement eventsAll;
        sqlite::Statement eventsRange;
    };

    /// A Reader borrowed from the pool; returns it (or closes it once the store is closed).
    class ReaderLease {
    public:
        ReaderLease(SqliteStore* store, std::unique_ptr<Reader> reader)
            : m_store(store), m_reader(std::move(reader)) {}
        ~ReaderLease();
        ReaderLease(ReaderLease&&) noexcept = default;
        ReaderLease& operator=(ReaderLease&&) = delete;
        Reader& operator*() const { return *m_reader; }

    private:
        SqliteStore* m_store;
        std::unique_ptr<Reader> m_reader;
    };

    // Set-up (sqlitestore.cpp).
    [[nodiscard]] Status configure();
    [[nodiscard]] Status initSchema();
    [[nodiscard]] Status prepareWriter();

    // Writer thread (sqlitestore.cpp).
    /// SQLite's WAL hook on the writer connection, after every commit: asks the background
    /// checkpointer to copy the WAL back, and checkpoints itself past the hard bound.
    static int onWalCommit(void* self, sqlite3* db, const char* name, int pages);
    void writerLoop();
    void commitBatch(std::vector<Pending>& batch);
    /// Applies one write inside the open transaction. A precondition failure (AlreadyExists,
    /// NotFound, Conflict) changes nothing; any other error means the transaction must roll back.
    [[nodiscard]] Result<WriteResult> apply(Write& write, int64_t revision);
    /// Inside the open transaction, deletes at most kCompactionBatch events older than the
    /// retention window at `revision`; advances `compacted` and returns the rows removed.
    [[nodiscard]] Result<int64_t> compactStep(int64_t revision, int64_t& compacted);
    [[nodiscard]] bool compactionDue() const;
    void runCompaction();
    void runCheckpoint();
    [[nodiscard]] Status step(sqlite::Statement& statement, std::string_view what);

    // Readers (sqlitereader.cpp).
    [[nodiscard]] Result<std::unique_ptr<Reader>> openReader();
    [[nodiscard]] Result<ReaderLease> acquireReader();
    void releaseReader(std::unique_ptr<Reader> reader);
    void closeReaders();

    const SqliteOptions m_options;
    CommitObserver m_observer;

    std::mutex m_lifecycleMutex; // serialises open() and close()
    bool m_opened = false;

    // Write queue, shared by callers and the writer thread.
    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::chrono::steady_clock::time_point m_lastCommit{}; // writer thread only
    size_t m_lastBatch = 0;                               // writer thread only
    std::deque<Pending> m_queue;
    bool m_accepting = false; // false before open() and once close() began
    bool m_stopping = false;  // the writer drains the queue, then exits
    std::thread m_writer;

    // Writer-thread state.
    sqlite::Connection m_db;
    WriterStatements m_stmt;
    int64_t m_revision = 0;  // last committed revision
    int64_t m_compacted = 0; // last committed compacted revision
    bool m_checkpointDue = false;
    bool m_compactionFailed = false;  // idle compaction waits for the next successful commit
    std::optional<Error> m_ioFailure; // set after an I/O error: every later write fails with it
    std::vector<Event> m_events;      // the batch's events, reused across batches
    std::vector<Result<WriteResult>> m_results;

    std::atomic<int64_t> m_publishedRevision{0};
    std::atomic<int64_t> m_publishedCompacted{0};

    // Reader pool.
    std::mutex m_readerMutex;
    std::vector<std::unique_ptr<Reader>> m_idleReaders;
    bool m_readersOpen = false;

    // Stats.
    std::atomic<uint64_t> m_writes{0};
    std::atomic<uint64_t> m_rejectedWrites{0};
    std::atomic<uint64_t> m_commits{0};
    std::atomic<uint64_t> m_largestBatch{0};
    std::atomic<uint64_t> m_compactedEvents{0};
    std::atomic<uint64_t> m_checkpoints{0};
    sqlite::WalCheckpointer m_checkpointer;
    /// Bucket bounds of StoreStats::commitLatency (seconds) and batchSize (writes).
    static constexpr std::array<double, 16> kCommitLatencyBounds = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};
    static constexpr std::array<double, 10> kBatchSizeBounds = {1,  2,  4,   8,   16,
                                                                32, 64, 128, 256, 512};
    std::array<std::atomic<uint64_t>, kCommitLatencyBounds.size() + 1> m_commitLatency{};
    std::atomic<uint64_t> m_commitLatencyNanos{0};
    std::array<std::atomic<uint64_t>, kBatchSizeBounds.size() + 1> m_batchSize{};
};

} // namespace pilot::store
