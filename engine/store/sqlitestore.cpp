#include "engine/store/sqlitestore.h"

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "core/log.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>
#include <utility>

namespace pilot::store {

namespace {

constexpr std::string_view kLogComponent = "store";
constexpr int kSchemaVersion = 1;
/// Most events deleted by one compaction step; keeps every compaction transaction short.
constexpr int64_t kCompactionBatch = 1000;
/// How long the queue must stay empty before the writer runs a passive WAL checkpoint.
constexpr auto kIdleCheckpointDelay = std::chrono::milliseconds(50);
/// WAL pages after which a commit asks the background checkpointer to run (~8 MiB of 4 KiB
/// pages); past the bound the writer checkpoints itself, so the WAL stays bounded even when the
/// background checkpoint cannot catch up. The journal size limit is what the WAL file is
/// truncated back to after it was reset.
constexpr int kWalCheckpointPages = 2000;
constexpr int kWalBoundPages = 3000;
constexpr int64_t kJournalSizeLimit = 16 * 1024 * 1024;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kv(
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    create_rev INTEGER NOT NULL,
    mod_rev INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events(
    rev INTEGER PRIMARY KEY,
    type INTEGER NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    create_rev INTEGER NOT NULL,
    prev_mod_rev INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    current_rev INTEGER NOT NULL,
    compacted_rev INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(id, current_rev, compacted_rev) VALUES (1, 0, 0);
)sql";

bool isPreconditionFailure(ErrorCode code) {
    return code == ErrorCode::AlreadyExists || code == ErrorCode::NotFound ||
           code == ErrorCode::Conflict;
}

void raiseToAtLeast(std::atomic<uint64_t>& counter, uint64_t value) {
    uint64_t current = counter.load(std::memory_order_relaxed);
    while (current < value &&
           !counter.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
    }
}

/// Counts `value` in the bucket of the first bound it does not exceed (the last bucket when it
/// exceeds them all).
void observe(std::span<const double> bounds, std::span<std::atomic<uint64_t>> buckets,
             double value) {
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
    buckets[static_cast<size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
}

Distribution snapshot(std::span<const double> bounds,
                      std::span<const std::atomic<uint64_t>> buckets, double sum) {
    Distribution d;
    d.upperBounds.assign(bounds.begin(), bounds.end());
    d.buckets.reserve(buckets.size());
    for (const std::atomic<uint64_t>& n : buckets) {
        d.buckets.push_back(n.load(std::memory_order_relaxed));
    }
    d.sum = sum;
    return d;
}

} // namespace

SqliteStore::SqliteStore(SqliteOptions options) : m_options(std::move(options)) {}

SqliteStore::~SqliteStore() {
    close();
}

Status SqliteStore::open() {
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_opened) {
        return fail(ErrorCode::InvalidArgument, "store: open() called twice");
    }
    m_opened = true;
    {
        std::lock_guard lock(m_queueMutex);
        if (m_stopping) {
            return fail(ErrorCode::Unavailable,
                        fmt::format("store: {}: open() after close()", m_options.path));
        }
    }
    if (m_options.maxBatch == 0) {
        return fail(ErrorCode::InvalidArgument, "store: maxBatch must be at least 1");
    }

    auto db = sqlite::Connection::open(m_options.path, true);
    if (!db) {
        return std::unexpected(db.error());
    }
    m_db = std::move(*db);
    if (auto status = configure(); !status) {
        m_db.close();
        return status;
    }
    if (auto status = initSchema(); !status) {
        m_db.close();
        return status;
    }
    if (auto status = prepareWriter(); !status) {
        m_stmt = {};
        m_db.close();
        return status;
    }
    if (auto status = m_checkpointer.start(m_options.path); !status) {
        m_stmt = {};
        m_db.close();
        return status;
    }
    sqlite3_wal_hook(m_db.get(), &SqliteStore::onWalCommit, this);

    {
        std::lock_guard lock(m_readerMutex);
        m_readersOpen = true;
    }
    // Open one reader now so that a database readers cannot use fails open(), not the first get.
    auto reader = openReader();
    if (!reader) {
        closeReaders();
        m_checkpointer.stop();
        m_stmt = {};
        m_db.close();
        return std::unexpected(reader.error());
    }
    releaseReader(std::move(*reader));

    m_publishedRevision.store(m_revision);
    m_publishedCompacted.store(m_compacted);
    {
        std::lock_guard lock(m_queueMutex);
        m_accepting = true;
    }
    log::info(kLogComponent, "opened {} at revision {} (compacted {})", m_options.path, m_revision,
              m_compacted);
    m_writer = std::thread([this] { writerLoop(); });
    return {};
}

Status SqliteStore::configure() {
    auto mode = m_db.queryText("PRAGMA journal_mode=WAL");
    if (!mode) {
        return std::unexpected(mode.error());
    }
    if (*mode != "wal") {
        return fail(
            ErrorCode::Internal,
            fmt::format("store: {}: cannot enable WAL (journal mode {})", m_options.path, *mode));
    }
    // FULL: the WAL is fsync'd at every commit, so an acknowledged write survives power loss.
    // No automatic checkpoint inside commits: onWalCommit replaces SQLite's hook.
    return m_db.exec(fmt::format("PRAGMA synchronous=FULL;"
                                 "PRAGMA journal_size_limit={};"
                                 "PRAGMA temp_store=MEMORY;"
                                 "PRAGMA cache_size=-8192;",
                                 kJournalSizeLimit));
}

Status SqliteStore::initSchema() {
    auto version = m_db.queryText("PRAGMA user_version");
    if (!version) {
        return std::unexpected(version.error());
    }
    if (*version != "0" && *version != std::to_string(kSchemaVersion)) {
        return fail(ErrorCode::Internal, fmt::format("store: {}: unsupported schema version {}",
                                                     m_options.path, *version));
    }
    if (auto status = m_db.exec(fmt::format("BEGIN IMMEDIATE;{}PRAGMA user_version={};COMMIT;",
                                            kSchema, kSchemaVersion));
        !status) {
        (void)m_db.exec("ROLLBACK");
        return status;
    }

    sqlite::Statement meta;
    if (auto status = meta.prepare(m_db.get(), "SELECT current_rev, compacted_rev FROM meta");
        !status) {
        return status;
    }
    if (const int rc = meta.step(); rc != SQLITE_ROW) {
        return std::unexpected(sqlite::toError(m_db.get(), rc, "read meta"));
    }
    m_revision = meta.columnInt(0);
    m_compacted = meta.columnInt(1);
    return {};
}

Status SqliteStore::prepareWriter() {
    const std::pair<sqlite::Statement*, std::string_view> statements[] = {
        {&m_stmt.begin, "BEGIN IMMEDIATE"},
        {&m_stmt.commit, "COMMIT"},
        {&m_stmt.rollback, "ROLLBACK"},
        {&m_stmt.insert, "INSERT INTO kv(key, value, create_rev, mod_rev) VALUES (?1, ?2, ?3, ?3) "
                         "ON CONFLICT(key) DO NOTHING"},
        {&m_stmt.lookup, "SELECT rowid, create_rev, mod_rev FROM kv WHERE key = ?1"},
        {&m_stmt.lookupFull, "SELECT rowid, create_rev, mod_rev, value FROM kv WHERE key = ?1"},
        {&m_stmt.update, "UPDATE kv SET value = ?1, mod_rev = ?2 WHERE rowid = ?3"},
        {&m_stmt.remove, "DELETE FROM kv WHERE rowid = ?1"},
        {&m_stmt.addEvent, "INSERT INTO events(rev, type, key, value, create_rev, prev_mod_rev) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&m_stmt.compact, "DELETE FROM events WHERE rev <= ?1"},
        {&m_stmt.updateMeta, "UPDATE meta SET current_rev = ?1, compacted_rev = ?2 WHERE id = 1"},
    };
    for (const auto& [statement, sql] : statements) {
        if (auto status = statement->prepare(m_db.get(), sql); !status) {
            return status;
        }
    }
    return {};
}

void SqliteStore::close() {
    std::lock_guard lifecycle(m_lifecycleMutex);
    {
        std::lock_guard lock(m_queueMutex);
        m_accepting = false;
        m_stopping = true;
    }
    m_queueCv.notify_one();
    if (!m_writer.joinable()) {
        return;
    }
    m_writer.join();
    closeReaders();
    m_checkpointer.stop();
    m_stmt = {};
    // Closing the last connection checkpoints the WAL into the database and removes it.
    m_db.close();
    log::info(kLogComponent, "closed {} at revision {}", m_options.path, m_revision);
}

namespace {

// std::atomic::wait in libstdc++ spins with sched_yield before it sleeps; with a hundred
// callers waiting for one group commit on two cores that spinning took CPU from the writer.
// On Linux the callers sleep on the futex at once.
void waitWhileZero(std::atomic<int>& flag) {
#ifdef __linux__
    while (flag.load(std::memory_order_acquire) == 0) {
        syscall(SYS_futex, reinterpret_cast<int*>(&flag), FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr,
                0);
    }
#else
    flag.wait(0, std::memory_order_acquire);
#endif
}

void wakeOne(std::atomic<int>& flag) {
#ifdef __linux__
    syscall(SYS_futex, reinterpret_cast<int*>(&flag), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
#else
    flag.notify_one();
#endif
}

} // namespace

Result<WriteResult> SqliteStore::write(Write write) {
    // A futex-backed flag rather than mutex + condition variable: the writer wakes hundreds of
    // callers per batch, and a plain wake without a mutex hand-off cut its time spent waking
    // several-fold (measured with 200 writers). The notify after the store may reach a waiter
    // that already returned; a futex wake of a stale address is harmless.
    struct Waiter {
        std::atomic<int> ready{0};
        std::optional<Result<WriteResult>> result;
    } waiter;
    writeAsync(std::move(write), [&waiter](Result<WriteResult> result) {
        waiter.result.emplace(std::move(result));
        waiter.ready.store(1, std::memory_order_release);
        wakeOne(waiter.ready);
    });
    waitWhileZero(waiter.ready);
    return std::move(*waiter.result);
}

void SqliteStore::writeAsync(Write write, std::function<void(Result<WriteResult>)> done) {
    if (write.key.empty()) {
        done(fail(ErrorCode::InvalidArgument, "store: empty key"));
        return;
    }
    {
        std::unique_lock lock(m_queueMutex);
        if (!m_accepting) {
            const bool closed = m_stopping;
            lock.unlock();
            done(fail(ErrorCode::Unavailable, fmt::format("store: {}: {}", m_options.path,
                                                          closed ? "closed" : "not open")));
            return;
        }
        m_queue.push_back(
            Pending{std::move(write), std::move(done), std::chrono::steady_clock::now()});
    }
    m_queueCv.notify_one();
}

int64_t SqliteStore::currentRevision() const {
    return m_publishedRevision.load(std::memory_order_acquire);
}

int64_t SqliteStore::compactedRevision() const {
    return m_publishedCompacted.load(std::memory_order_acquire);
}

void SqliteStore::setCommitObserver(CommitObserver observer) {
    std::lock_guard lifecycle(m_lifecycleMutex);
    if (m_writer.joinable()) {
        log::error(kLogComponent, "setCommitObserver() after open() ignored");
        return;
    }
    m_observer = std::move(observer);
}

StoreStats SqliteStore::stats() const {
    StoreStats stats;
    stats.writes = m_writes.load(std::memory_order_relaxed);
    stats.rejectedWrites = m_rejectedWrites.load(std::memory_order_relaxed);
    stats.commits = m_commits.load(std::memory_order_relaxed);
    stats.largestBatch = m_largestBatch.load(std::memory_order_relaxed);
    stats.compactedEvents = m_compactedEvents.load(std::memory_order_relaxed);
    stats.checkpoints =
        m_checkpoints.load(std::memory_order_relaxed) + m_checkpointer.checkpoints();
    stats.commitLatency =
        snapshot(kCommitLatencyBounds, m_commitLatency,
                 static_cast<double>(m_commitLatencyNanos.load(std::memory_order_relaxed)) / 1e9);
    stats.batchSize = snapshot(kBatchSizeBounds, m_batchSize, static_cast<double>(stats.writes));
    return stats;
}

void SqliteStore::writerLoop() {
    std::vector<Pending> batch;
    batch.reserve(std::min<size_t>(m_options.maxBatch, 4096));
    for (;;) {
        std::unique_lock lock(m_queueMutex);
        const auto hasWork = [this] { return !m_queue.empty() || m_stopping; };
        if (!hasWork()) {
            // Between write batches: first catch up on compaction, then checkpoint once idle.
            if (compactionDue()) {
                lock.unlock();
                runCompaction();
                continue;
            }
            if (m_checkpointDue) {
                if (!m_queueCv.wait_for(lock, kIdleCheckpointDelay, hasWork)) {
                    lock.unlock();
                    runCheckpoint();
                    continue;
                }
            } else {
                m_queueCv.wait(lock, hasWork);
            }
        }
        if (m_queue.empty()) {
            return; // stopping, and everything queued has been committed
        }
        if (m_options.commitDelay.count() > 0 && !m_stopping &&
            m_queue.size() < m_options.commitSiblings && m_lastBatch < m_options.commitSiblings &&
            std::chrono::steady_clock::now() - m_lastCommit < 4 * m_options.commitDelay) {
            // Writes keep arriving: gather a few more under this fsync. Writers queueing
            // meanwhile find no one waiting on the condition variable, so they wake no one.
            lock.unlock();
            std::this_thread::sleep_for(m_options.commitDelay);
            lock.lock();
        }
        const size_t count = std::min(m_queue.size(), m_options.maxBatch);
        for (size_t i = 0; i < count; ++i) {
            batch.push_back(std::move(m_queue.front()));
            m_queue.pop_front();
        }
        lock.unlock();
        commitBatch(batch);
        m_lastBatch = batch.size();
        batch.clear();
        m_lastCommit = std::chrono::steady_clock::now();
    }
}

Status SqliteStore::step(sqlite::Statement& statement, std::string_view what) {
    sqlite::ResetGuard reset(statement);
    if (const int rc = statement.step(); rc != SQLITE_DONE && rc != SQLITE_ROW) {
        return std::unexpected(sqlite::toError(m_db.get(), rc, what));
    }
    return {};
}

void SqliteStore::commitBatch(std::vector<Pending>& batch) {
    if (m_ioFailure) {
        for (auto& pending : batch) {
            pending.done(std::unexpected(*m_ioFailure));
        }
        return;
    }
    m_events.clear();
    m_results.clear();
    int64_t revision = m_revision;
    int64_t compacted = m_compacted;
    int64_t removed = 0;

    Status status = step(m_stmt.begin, "begin");
    for (size_t i = 0; status && i < batch.size(); ++i) {
        auto result = apply(batch[i].write, revision + 1);
        if (result) {
            ++revision;
        } else if (!isPreconditionFailure(result.error().code)) {
            status = std::unexpected(result.error());
        }
        m_results.push_back(std::move(result));
    }
    if (status && revision > m_revision) {
        auto compactedNow = compactStep(revision, compacted);
        if (compactedNow) {
            removed = *compactedNow;
        } else {
            status = std::unexpected(compactedNow.error());
        }
    }
    const bool changed = revision != m_revision;
    if (status && changed) {
        m_stmt.updateMeta.bind(1, revision);
        m_stmt.updateMeta.bind(2, compacted);
        status = step(m_stmt.updateMeta, "update meta");
    }
    if (status) {
        // A batch whose writes all failed their preconditions changed nothing: no fsync needed.
        status = step(changed ? m_stmt.commit : m_stmt.rollback, changed ? "commit" : "rollback");
    }
    if (!status) {
        // After an I/O error (a failed fsync above all) the kernel may have dropped pages this
        // process believes written: stop writing rather than risk acknowledging a lost write.
        if ((sqlite3_extended_errcode(m_db.get()) & 0xff) == SQLITE_IOERR) {
            m_ioFailure =
                Error{ErrorCode::Unavailable,
                      fmt::format("store: {}: I/O error, writes stopped until restart: {}",
                                  m_options.path, status.error().message)};
        }
        if (sqlite3_get_autocommit(m_db.get()) == 0) {
            (void)step(m_stmt.rollback, "rollback");
        }
        log::error(kLogComponent, "write batch of {} failed: {}", batch.size(),
                   status.error().message);
        for (auto& pending : batch) {
            pending.done(std::unexpected(status.error()));
        }
        return;
    }

    const auto committed = static_cast<uint64_t>(revision - m_revision);
    m_revision = revision;
    m_compacted = compacted;
    m_publishedRevision.store(revision, std::memory_order_release);
    m_publishedCompacted.store(compacted, std::memory_order_release);
    m_writes.fetch_add(committed, std::memory_order_relaxed);
    m_rejectedWrites.fetch_add(batch.size() - committed, std::memory_order_relaxed);
    if (changed) {
        m_commits.fetch_add(1, std::memory_order_relaxed);
        m_compactedEvents.fetch_add(static_cast<uint64_t>(removed), std::memory_order_relaxed);
        raiseToAtLeast(m_largestBatch, committed);
        m_checkpointDue = true;
        m_compactionFailed = false;
        // The transaction is durable now: every write it committed waited since it was queued.
        const auto now = std::chrono::steady_clock::now();
        uint64_t waitedNanos = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
            if (!m_results[i]) {
                continue;
            }
            const auto waited =
                std::chrono::duration_cast<std::chrono::nanoseconds>(now - batch[i].queued);
            waitedNanos += static_cast<uint64_t>(waited.count());
            observe(kCommitLatencyBounds, m_commitLatency,
                    static_cast<double>(waited.count()) / 1e9);
        }
        m_commitLatencyNanos.fetch_add(waitedNanos, std::memory_order_relaxed);
        observe(kBatchSizeBounds, m_batchSize, static_cast<double>(committed));
    }

    if (!m_events.empty() && m_observer) {
        m_observer(m_events);
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].done(std::move(m_results[i]));
    }
}

Result<WriteResult> SqliteStore::apply(Write& write, int64_t revision) {
    sqlite3* db = m_db.get();
    Event event;
    event.revision = revision;

    if (write.op == Write::Op::Create) {
        auto& insert = m_stmt.insert;
        sqlite::ResetGuard reset(insert);
        insert.bindText(1, write.key);
        insert.bindBlob(2, write.value);
        insert.bind(3, revision);
        if (const int rc = insert.step(); rc != SQLITE_DONE) {
            return std::unexpected(sqlite::toError(db, rc, fmt::format("create {}", write.key)));
        }
        if (sqlite3_changes(db) == 0) {
            return fail(ErrorCode::AlreadyExists, fmt::format("{}: already exists", write.key));
        }
        event.type = EventType::Put;
        event.createRevision = revision;
        event.value = write.value;
    } else {
        const bool isDelete = write.op == Write::Op::Delete;
        auto& lookup = isDelete ? m_stmt.lookupFull : m_stmt.lookup;
        sqlite::ResetGuard reset(lookup);
        lookup.bindText(1, write.key);
        const int rc = lookup.step();
        if (rc == SQLITE_DONE) {
            return fail(ErrorCode::NotFound, fmt::format("{}: not found", write.key));
        }
        if (rc != SQLITE_ROW) {
            return std::unexpected(sqlite::toError(db, rc, fmt::format("read {}", write.key)));
        }
        const int64_t rowid = lookup.columnInt(0);
        event.createRevision = lookup.columnInt(1);
        event.prevModRevision = lookup.columnInt(2);
        if (write.expectedModRevision != 0 && write.expectedModRevision != event.prevModRevision) {
            return fail(ErrorCode::Conflict,
                        fmt::format("{}: modified at revision {}, expected {}", write.key,
                                    event.prevModRevision, write.expectedModRevision));
        }
        if (isDelete) {
            event.type = EventType::Delete;
            event.value = lookup.columnBytes(3);
            m_stmt.remove.bind(1, rowid);
            if (auto status = step(m_stmt.remove, "delete"); !status) {
                return std::unexpected(status.error());
            }
        } else {
            event.type = EventType::Put;
            event.value = write.value;
            m_stmt.update.bindBlob(1, write.value);
            m_stmt.update.bind(2, revision);
            m_stmt.update.bind(3, rowid);
            if (auto status = step(m_stmt.update, "update"); !status) {
                return std::unexpected(status.error());
            }
        }
    }

    auto& add = m_stmt.addEvent;
    add.bind(1, revision);
    add.bind(2, event.type == EventType::Put ? 0 : 1);
    add.bindText(3, write.key);
    add.bindBlob(4, event.value);
    add.bind(5, event.createRevision);
    add.bind(6, event.prevModRevision);
    if (auto status = step(add, "append event"); !status) {
        return std::unexpected(status.error());
    }

    WriteResult result;
    result.revision = revision;
    result.kv.createRevision = event.createRevision;
    result.kv.modRevision = revision;
    result.kv.value = event.type == EventType::Put ? std::move(write.value) : event.value;
    result.kv.key = write.key;
    event.key = std::move(write.key);
    event.attachment = std::move(write.attachment);
    m_events.push_back(std::move(event));
    return result;
}

Result<int64_t> SqliteStore::compactStep(int64_t revision, int64_t& compacted) {
    const int64_t retention = std::max<int64_t>(m_options.historyRetention, 0);
    const int64_t target = revision - retention;
    if (target <= compacted) {
        return 0;
    }
    const int64_t upTo = std::min(target, compacted + kCompactionBatch);
    m_stmt.compact.bind(1, upTo);
    if (auto status = step(m_stmt.compact, "compact"); !status) {
        return std::unexpected(status.error());
    }
    compacted = upTo;
    return static_cast<int64_t>(sqlite3_changes(m_db.get()));
}

bool SqliteStore::compactionDue() const {
    return !m_compactionFailed &&
           m_revision - std::max<int64_t>(m_options.historyRetention, 0) > m_compacted;
}

void SqliteStore::runCompaction() {
    int64_t compacted = m_compacted;
    Status status = step(m_stmt.begin, "begin");
    int64_t removed = 0;
    if (status) {
        auto result = compactStep(m_revision, compacted);
        if (result) {
            removed = *result;
        } else {
            status = std::unexpected(result.error());
        }
    }
    if (status) {
        m_stmt.updateMeta.bind(1, m_revision);
        m_stmt.updateMeta.bind(2, compacted);
        status = step(m_stmt.updateMeta, "update meta");
    }
    if (status) {
        status = step(m_stmt.commit, "commit");
    }
    if (!status) {
        if (sqlite3_get_autocommit(m_db.get()) == 0) {
            (void)step(m_stmt.rollback, "rollback");
        }
        // Retried after the next write batch; failing here must not spin the writer.
        log::warn(kLogComponent, "compaction failed: {}", status.error().message);
        m_compactionFailed = true;
        return;
    }
    m_compacted = compacted;
    m_publishedCompacted.store(compacted, std::memory_order_release);
    m_compactedEvents.fetch_add(static_cast<uint64_t>(removed), std::memory_order_relaxed);
    m_checkpointDue = true;
}

int SqliteStore::onWalCommit(void* self, sqlite3* db, const char* name, int pages) {
    auto* store = static_cast<SqliteStore*>(self);
    if (pages >= kWalBoundPages) {
        // The background checkpoint has not caught up: copy the rest now (most of the WAL is
        // usually copied already), so that the next transaction restarts the WAL.
        int copied = 0;
        if (sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied) ==
                SQLITE_OK &&
            copied > 0) {
            store->m_checkpoints.fetch_add(1, std::memory_order_relaxed);
        }
    } else if (pages >= kWalCheckpointPages) {
        store->m_checkpointer.request();
    }
    return SQLITE_OK;
}

void SqliteStore::runCheckpoint() {
    m_checkpointDue = false;
    int walFrames = 0;
    int checkpointed = 0;
    const int rc = sqlite3_wal_checkpoint_v2(m_db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &walFrames, &checkpointed);
    if (rc == SQLITE_BUSY) {
        return; // the background checkpointer is at it
    }
    if (rc != SQLITE_OK) {
        log::warn(kLogComponent, "checkpoint failed: {}", sqlite3_errmsg(m_db.get()));
        return;
    }
    m_checkpoints.fetch_add(1, std::memory_order_relaxed);
}

std::unique_ptr<Store> makeSqliteStore(SqliteOptions options) {
    return std::make_unique<SqliteStore>(std::move(options));
}

} // namespace pilot::store
