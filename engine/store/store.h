#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::store {

/// One stored object. Values are opaque bytes (the engine stores JSON without
/// `metadata.resourceVersion`; the revision below becomes the resourceVersion on read).
struct KeyValue {
    std::string key;
    std::string value;
    int64_t createRevision = 0;
    int64_t modRevision = 0;
};

enum class EventType { Put, Delete };

/// A committed change. For Put, `value` is the new value; for Delete, `value` is the last value
/// before deletion. `revision` is the revision of this change (the deletion's own revision for
/// Delete). `prevModRevision` is the modRevision the key had before (0 when it was created).
struct Event {
    EventType type = EventType::Put;
    std::string key;
    std::string value;
    int64_t revision = 0;
    int64_t createRevision = 0;
    int64_t prevModRevision = 0;
    /// The write's attachment (see Write::attachment); only on the event handed to the commit
    /// observer, never on events read back from history.
    std::shared_ptr<const void> attachment;
};

/// One write in a transaction.
/// - Create: fails with AlreadyExists when the key exists.
/// - Update: fails with NotFound when missing; with Conflict when `expectedModRevision` is non-zero
///   and differs from the key's modRevision.
/// - Delete: same failure rules as Update.
struct Write {
    enum class Op { Create, Update, Delete };
    Op op = Op::Create;
    std::string key;
    std::string value; // ignored for Delete
    int64_t expectedModRevision = 0;
    /// Opaque to the store: handed to the commit observer with this write's event, so that
    /// what the writer's caller already computed from the value (the watch cache's form of
    /// the object) need not be computed again on the writer thread.
    std::shared_ptr<const void> attachment;
};

/// Outcome of a committed write: the revision the write got, and the resulting stored record
/// (for Delete, the record as it was before deletion, with modRevision = the deletion revision).
struct WriteResult {
    int64_t revision = 0;
    KeyValue kv;
};

struct ListResult {
    std::vector<KeyValue> items; // sorted by key
    int64_t revision = 0;        // the store revision the list is consistent with
};

/// Receives every committed batch of events, in revision order, exactly once, on the store's
/// writer thread, *before* the writes in that batch are acknowledged to their callers. Must not
/// block and must not call back into the store's write methods (reads are fine). Readers may see
/// a batch's writes, and currentRevision() its revision, shortly before the observer gets it.
using CommitObserver = std::function<void(const std::vector<Event>& events)>;

/// A distribution of observations in fixed buckets: `buckets[i]` counts the observations above
/// `upperBounds[i - 1]` and at most `upperBounds[i]`; the last entry (`upperBounds.size()`)
/// counts those above every bound. Empty when the store does not measure it.
struct Distribution {
    std::vector<double> upperBounds; // ascending
    std::vector<uint64_t> buckets;   // upperBounds.size() + 1 entries, not cumulative
    double sum = 0;                  // sum of all observations

    /// Observations in all buckets.
    [[nodiscard]] uint64_t count() const {
        uint64_t total = 0;
        for (uint64_t n : buckets) {
            total += n;
        }
        return total;
    }
};

/// Counters of a store's write path since open(), for benchmarks and tests. Read with relaxed
/// ordering: each counter is exact once the writes it counts have been acknowledged.
struct StoreStats {
    uint64_t writes = 0;          // writes committed
    uint64_t rejectedWrites = 0;  // writes failed on their precondition (no revision consumed)
    uint64_t commits = 0;         // write transactions committed (one log fsync each for SQLite)
    uint64_t largestBatch = 0;    // most writes committed in one transaction
    uint64_t compactedEvents = 0; // history events removed by compaction
    uint64_t checkpoints = 0;     // WAL checkpoints run over a non-empty WAL (SQLite only)
    /// Seconds from a committed write being queued to its transaction being durable (fsync'd),
    /// one observation per committed write (SQLite only).
    Distribution commitLatency;
    /// Writes per committed transaction, one observation per commit (SQLite only).
    Distribution batchSize;
};

/// Durable key-value store with a single global revision (etcd semantics). Keys look like
/// `/registry/<group>/<resource>/<namespace>/<name>`. Thread-safe.
class Store {
public:
    virtual ~Store() = default;

    /// Loads existing data and starts the writer. Must be called once before any other method.
    [[nodiscard]] virtual Status open() = 0;
    /// Stops accepting writes, flushes everything acknowledged, and closes. Idempotent.
    virtual void close() = 0;

    [[nodiscard]] virtual Result<KeyValue> get(std::string_view key) = 0;
    /// All keys with `prefix`, sorted by key, consistent at the returned revision.
    [[nodiscard]] virtual Result<ListResult> list(std::string_view prefix) = 0;

    /// Commits one write durably (fsync'd before returning) and returns its revision. Concurrent
    /// callers are group-committed: many writes share one transaction and one fsync.
    [[nodiscard]] virtual Result<WriteResult> write(Write write) = 0;

    /// Asynchronous form of write(): `done` runs on the writer thread after the commit is durable.
    /// `done` must not block nor call write(). A write refused before it is queued (store not
    /// open or closed: Unavailable; empty key: InvalidArgument) runs `done` on the calling thread
    /// before writeAsync() returns; so does every write of the in-memory store.
    virtual void writeAsync(Write write, std::function<void(Result<WriteResult>)> done) = 0;

    /// Events with revision > `afterRevision` for keys under `prefix`, in revision order. Fails
    /// with Gone when `afterRevision` is older than the compacted history.
    [[nodiscard]] virtual Result<std::vector<Event>> eventsSince(int64_t afterRevision,
                                                                 std::string_view prefix) = 0;

    [[nodiscard]] virtual int64_t currentRevision() const = 0;
    /// Oldest revision still replayable: eventsSince(r) succeeds for every r >= this.
    [[nodiscard]] virtual int64_t compactedRevision() const = 0;

    /// Registers the single observer of committed events (the watch cache). Set before open().
    virtual void setCommitObserver(CommitObserver observer) = 0;

    /// Write-path counters (see StoreStats). Thread-safe.
    [[nodiscard]] virtual StoreStats stats() const { return {}; }
};

struct SqliteOptions {
    std::string path;                 // database file; created when missing
    int64_t historyRetention = 10000; // events kept for replay beyond the newest revision
    size_t maxBatch = 512;            // writes per group-commit transaction at most
    /// Under a steady but light stream of writes (the previous commit, of fewer than
    /// `commitSiblings` writes, ended less than four delays ago) the writer waits this long
    /// before committing fewer than `commitSiblings` queued writes, so that one fsync covers
    /// several (PostgreSQL's commit_delay). Saturated, batches are large and nobody waits.
    /// Zero: never.
    std::chrono::microseconds commitDelay{1000};
    size_t commitSiblings = 8;
};

/// SQLite implementation: WAL mode, one writer thread group-committing concurrent writes, an
/// event log for replay, compaction in small batches, bounded WAL (periodic passive checkpoint).
[[nodiscard]] std::unique_ptr<Store> makeSqliteStore(SqliteOptions options);

/// In-memory implementation with identical semantics; for unit tests only.
[[nodiscard]] std::unique_ptr<Store> makeMemoryStore(int64_t historyRetention = 10000);

} // namespace pilot::store
