// SqliteStore's read side: a pool of read-only connections with cached statements. In WAL mode
// a reader works on a snapshot of the last commit and never waits for the writer.

#include "engine/store/sqlitestore.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

namespace pilot::store {

namespace {

/// Idle read connections kept open; more are opened on demand under bursts and closed after.
constexpr size_t kMaxIdleReaders = 8;

/// The smallest key greater than every key starting with `prefix`, or nullopt when there is
/// none (empty prefix, or only 0xff bytes). Keys compare bytewise (SQLite BINARY collation).
std::optional<std::string> prefixEnd(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        const auto last = static_cast<unsigned char>(end.back());
        if (last != 0xff) {
            end.back() = static_cast<char>(last + 1);
            return end;
        }
        end.pop_back();
    }
    return std::nullopt;
}

/// Holds a read transaction open so that several statements see one snapshot; ends it (a
/// read-only COMMIT, which cannot lose anything) on every path out.
class ReadTransaction {
public:
    ReadTransaction(sqlite::Statement& begin, sqlite::Statement& commit) : m_commit(commit) {
        m_rc = begin.step();
        begin.reset();
    }
    ~ReadTransaction() {
        if (m_rc == SQLITE_DONE) {
            (void)m_commit.step();
            m_commit.reset();
        }
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

    [[nodiscard]] int rc() const { return m_rc; }

private:
    sqlite::Statement& m_commit;
    int m_rc = SQLITE_OK;
};

Event readEvent(const sqlite::Statement& statement) {
    Event event;
    event.revision = statement.columnInt(0);
    event.type = statement.columnInt(1) == 0 ? EventType::Put : EventType::Delete;
    event.key = statement.columnBytes(2);
    event.value = statement.columnBytes(3);
    event.createRevision = statement.columnInt(4);
    event.prevModRevision = statement.columnInt(5);
    return event;
}

} // namespace

SqliteStore::ReaderLease::~ReaderLease() {
    if (m_reader) {
        m_store->releaseReader(std::move(m_reader));
    }
}

Result<std::unique_ptr<SqliteStore::Reader>> SqliteStore::openReader() {
    auto db = sqlite::Connection::open(m_options.path, false);
    if (!db) {
        return std::unexpected(db.error());
    }
    auto reader = std::make_unique<Reader>();
    reader->db = std::move(*db);
    if (auto status = reader->db.exec("PRAGMA query_only=1"); !status) {
        return std::unexpected(status.error());
    }
    constexpr std::string_view kEventColumns =
        "SELECT rev, type, key, value, create_rev, prev_mod_rev FROM events WHERE rev > ?1";
    const std::string eventsAll = fmt::format("{} ORDER BY rev", kEventColumns);
    const std::string eventsRange =
        fmt::format("{} AND key >= ?2 AND key < ?3 ORDER BY rev", kEventColumns);
    const std::pair<sqlite::Statement*, std::string_view> statements[] = {
        {&reader->begin, "BEGIN"},
        {&reader->commit, "COMMIT"},
        {&reader->get, "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?1"},
        {&reader->listAll, "SELECT key, value, create_rev, mod_rev FROM kv ORDER BY key"},
        {&reader->listRange, "SELECT key, value, create_rev, mod_rev FROM kv "
                             "WHERE key >= ?1 AND key < ?2 ORDER BY key"},
        {&reader->meta, "SELECT current_rev, compacted_rev FROM meta WHERE id = 1"},
        {&reader->eventsAll, eventsAll},
        {&reader->eventsRange, eventsRange},
    };
    for (const auto& [statement, sql] : statements) {
        if (auto status = statement->prepare(reader->db.get(), sql); !status) {
            return std::unexpected(status.error());
        }
    }
    return reader;
}

Result<SqliteStore::ReaderLease> SqliteStore::acquireReader() {
    {
        std::lock_guard lock(m_readerMutex);
        if (!m_readersOpen) {
            return fail(ErrorCode::Unavailable, fmt::format("store: {}: not open", m_options.path));
        }
        if (!m_idleReaders.empty()) {
            auto reader = std::move(m_idleReaders.back());
            m_idleReaders.pop_back();
            return ReaderLease(this, std::move(reader));
        }
    }
    auto reader = openReader();
    if (!reader) {
        return std::unexpected(reader.error());
    }
    return ReaderLease(this, std::move(*reader));
}

void SqliteStore::releaseReader(std::unique_ptr<Reader> reader) {
    {
        std::lock_guard lock(m_readerMutex);
        if (m_readersOpen && m_idleReaders.size() < kMaxIdleReaders) {
            m_idleReaders.push_back(std::move(reader));
            return;
        }
    }
    reader.reset(); // closes the connection outside the lock
}

void SqliteStore::closeReaders() {
    std::vector<std::unique_ptr<Reader>> idle;
    {
        std::lock_guard lock(m_readerMutex);
        m_readersOpen = false;
        idle.swap(m_idleReaders);
    }
}

Result<KeyValue> SqliteStore::get(std::string_view key) {
    auto lease = acquireReader();
    if (!lease) {
        return std::unexpected(lease.error());
    }
    Reader& reader = **lease;
    sqlite::ResetGuard reset(reader.get);
    reader.get.bindText(1, key);
    const int rc = reader.get.step();
    if (rc == SQLITE_DONE) {
        return fail(ErrorCode::NotFound, fmt::format("{}: not found", key));
    }
    if (rc != SQLITE_ROW) {
        return std::unexpected(sqlite::toError(reader.db.get(), rc, fmt::format("get {}", key)));
    }
    KeyValue kv;
    kv.key = key;
    kv.value = reader.get.columnBytes(0);
    kv.createRevision = reader.get.columnInt(1);
    kv.modRevision = reader.get.columnInt(2);
    return kv;
}

Result<ListResult> SqliteStore::list(std::string_view prefix) {
    auto lease = acquireReader();
    if (!lease) {
        return std::unexpected(lease.error());
    }
    Reader& reader = **lease;
    sqlite3* db = reader.db.get();
    ReadTransaction transaction(reader.begin, reader.commit);
    if (transaction.rc() != SQLITE_DONE) {
        return std::unexpected(sqlite::toError(db, transaction.rc(), "begin read"));
    }

    ListResult result;
    {
        sqlite::ResetGuard reset(reader.meta);
        if (const int rc = reader.meta.step(); rc != SQLITE_ROW) {
            return std::unexpected(sqlite::toError(db, rc, "read meta"));
        }
        result.revision = reader.meta.columnInt(0);
    }

    const std::optional<std::string> end = prefixEnd(prefix);
    sqlite::Statement& query = end ? reader.listRange : reader.listAll;
    sqlite::ResetGuard reset(query);
    if (end) {
        query.bindText(1, prefix);
        query.bindText(2, *end);
    }
    int rc = SQLITE_OK;
    while ((rc = query.step()) == SQLITE_ROW) {
        if (!end && !query.columnBytes(0).starts_with(prefix)) {
            continue; // a prefix of only 0xff bytes has no upper bound to query with
        }
        KeyValue& kv = result.items.emplace_back();
        kv.key = query.columnBytes(0);
        kv.value = query.columnBytes(1);
        kv.createRevision = query.columnInt(2);
        kv.modRevision = query.columnInt(3);
    }
    if (rc != SQLITE_DONE) {
        return std::unexpected(sqlite::toError(db, rc, fmt::format("list {}", prefix)));
    }
    return result;
}

Result<std::vector<Event>> SqliteStore::eventsSince(int64_t afterRevision,
                                                    std::string_view prefix) {
    auto lease = acquireReader();
    if (!lease) {
        return std::unexpected(lease.error());
    }
    Reader& reader = **lease;
    sqlite3* db = reader.db.get();
    ReadTransaction transaction(reader.begin, reader.commit);
    if (transaction.rc() != SQLITE_DONE) {
        return std::unexpected(sqlite::toError(db, transaction.rc(), "begin read"));
    }

    {
        // The compacted revision is read in the same snapshot as the events, so a compaction
        // committed meanwhile cannot remove events this call reports as available.
        sqlite::ResetGuard reset(reader.meta);
        if (const int rc = reader.meta.step(); rc != SQLITE_ROW) {
            return std::unexpected(sqlite::toError(db, rc, "read meta"));
        }
        const int64_t compacted = reader.meta.columnInt(1);
        if (afterRevision < compacted) {
            return fail(ErrorCode::Gone,
                        fmt::format("too old resource version: {} ({})", afterRevision, compacted));
        }
    }

    const std::optional<std::string> end = prefixEnd(prefix);
    sqlite::Statement& query = end ? reader.eventsRange : reader.eventsAll;
    sqlite::ResetGuard reset(query);
    query.bind(1, afterRevision);
    if (end) {
        query.bindText(2, prefix);
        query.bindText(3, *end);
    }
    std::vector<Event> events;
    int rc = SQLITE_OK;
    while ((rc = query.step()) == SQLITE_ROW) {
        if (!end && !query.columnBytes(2).starts_with(prefix)) {
            continue;
        }
        events.push_back(readEvent(query));
    }
    if (rc != SQLITE_DONE) {
        return std::unexpected(sqlite::toError(db, rc, "read events"));
    }
    return events;
}

} // namespace pilot::store
