#include "engine/registry/storage/registrydb.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace pilot::registry {

namespace {

using store::sqlite::Connection;
using store::sqlite::Statement;

// Times are Unix seconds. `repositories.manifests` counts a repository's manifests, so that the
// catalog is one range scan of a partial index instead of a lookup per repository. Manifests keep
// their exact bytes; `artifact_type` is the referrers API's artifactType (the manifest's own, else
// its config media type) and `subject` the digest of the manifest it refers to ('' when none).
// `manifest_references` lists every descriptor a manifest names (kind 0 blob, 1 manifest): garbage
// collection marks from it.
constexpr std::string_view Schema = R"sql(
CREATE TABLE IF NOT EXISTS repositories(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    manifests INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS repositories_listed ON repositories(name) WHERE manifests > 0;
CREATE TABLE IF NOT EXISTS blobs(
    digest TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    created INTEGER NOT NULL,
    touched INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS repository_blobs(
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT NOT NULL REFERENCES blobs(digest) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    PRIMARY KEY(repository_id, digest)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS repository_blobs_by_digest ON repository_blobs(digest);
CREATE TABLE IF NOT EXISTS manifests(
    id INTEGER PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    artifact_type TEXT NOT NULL,
    subject TEXT NOT NULL,
    annotations TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE(repository_id, digest));
CREATE INDEX IF NOT EXISTS manifests_by_subject ON manifests(repository_id, subject)
    WHERE subject != '';
CREATE TABLE IF NOT EXISTS manifest_references(
    manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    kind INTEGER NOT NULL,
    PRIMARY KEY(manifest_id, kind, digest)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS manifest_references_by_digest ON manifest_references(digest);
CREATE TABLE IF NOT EXISTS tags(
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    manifest_id INTEGER NOT NULL REFERENCES manifests(id) ON DELETE CASCADE,
    updated INTEGER NOT NULL,
    PRIMARY KEY(repository_id, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tags_by_manifest ON tags(manifest_id);
CREATE TABLE IF NOT EXISTS uploads(
    id TEXT PRIMARY KEY,
    repository_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    created INTEGER NOT NULL) WITHOUT ROWID;
)sql";

Result<std::unique_ptr<DbConnection>> openConnection(const std::string& path, bool writer) {
    auto connection = Connection::open(path, writer);
    if (!connection) {
        return std::unexpected(connection.error());
    }
    auto db = std::make_unique<DbConnection>(std::move(*connection));
    // Small page caches: the registry's hot data (tags, manifests) is small, and RSS matters
    // more than a few page reads from the OS cache.
    std::string_view pragmas = writer ? "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; "
                                        "PRAGMA cache_size=-1024;"
                                      : "PRAGMA query_only=ON; PRAGMA cache_size=-512;";
    if (auto ok = db->exec(pragmas); !ok) {
        return std::unexpected(ok.error());
    }
    return db;
}

} // namespace

Query::~Query() {
    if (m_statement != nullptr) {
        m_statement->reset();
    }
}

Query::Query(Query&& other) noexcept
    : m_statement(std::exchange(other.m_statement, nullptr)),
      m_nextParameter(other.m_nextParameter) {}

Query& Query::bind(int64_t value) {
    m_statement->bind(m_nextParameter++, value);
    return *this;
}

Query& Query::bind(std::string_view text) {
    // A null pointer would bind SQL NULL; empty text must stay text.
    m_statement->bindText(m_nextParameter++, text.data() != nullptr ? text : std::string_view(""));
    return *this;
}

Query& Query::bindBlob(std::string_view bytes) {
    m_statement->bindBlob(m_nextParameter++, bytes);
    return *this;
}

Result<bool> Query::next() {
    int rc = m_statement->step();
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    return std::unexpected(store::sqlite::toError(m_statement->db(), rc, "registry query"));
}

Status Query::run() {
    auto row = next();
    if (!row) {
        return std::unexpected(row.error());
    }
    return {};
}

int64_t Query::integer(int column) const {
    return m_statement->columnInt(column);
}

std::string_view Query::text(int column) const {
    return m_statement->columnBytes(column);
}

Result<Query> DbConnection::query(std::string_view sql) {
    auto found = m_statements.find(sql);
    if (found == m_statements.end()) {
        auto statement = std::make_unique<Statement>();
        if (auto ok = statement->prepare(m_connection.get(), sql); !ok) {
            return std::unexpected(ok.error());
        }
        found = m_statements.emplace(std::string(sql), std::move(statement)).first;
    }
    return Query(*found->second);
}

Status DbConnection::exec(std::string_view sql) {
    return m_connection.exec(sql);
}

int64_t DbConnection::changes() const {
    return sqlite3_changes64(m_connection.get());
}

int64_t DbConnection::lastInsertRowId() const {
    return sqlite3_last_insert_rowid(m_connection.get());
}

Result<std::unique_ptr<RegistryDb>> RegistryDb::open(const std::string& path, size_t readers) {
    std::unique_ptr<RegistryDb> db(new RegistryDb());
    auto writer = openConnection(path, true);
    if (!writer) {
        return std::unexpected(writer.error());
    }
    auto mode = (*writer)->exec("PRAGMA journal_mode=WAL;");
    if (!mode) {
        return std::unexpected(mode.error());
    }
    if (auto ok = (*writer)->exec(fmt::format("BEGIN IMMEDIATE; {} PRAGMA user_version={}; COMMIT;",
                                              Schema, SchemaVersion));
        !ok) {
        (void)(*writer)->exec("ROLLBACK;");
        return std::unexpected(ok.error());
    }
    db->m_writer = std::move(*writer);
    for (size_t i = 0; i < std::max<size_t>(readers, 1); ++i) {
        auto reader = openConnection(path, false);
        if (!reader) {
            return std::unexpected(reader.error());
        }
        db->m_freeReaders.push_back(std::move(*reader));
    }
    return db;
}

Status RegistryDb::transaction(Mode mode, const std::function<Status(DbConnection&)>& body) {
    auto runIn = [&body](DbConnection& connection, std::string_view begin) -> Status {
        if (auto ok = connection.exec(begin); !ok) {
            return ok;
        }
        Status status = body(connection);
        if (!status) {
            (void)connection.exec("ROLLBACK;");
            return status;
        }
        if (auto ok = connection.exec("COMMIT;"); !ok) {
            (void)connection.exec("ROLLBACK;");
            return ok;
        }
        return {};
    };
    if (mode == Mode::Write) {
        std::lock_guard lock(m_writerMutex);
        return runIn(*m_writer, "BEGIN IMMEDIATE;");
    }
    if (mode == Mode::RelaxedWrite) {
        std::lock_guard lock(m_writerMutex);
        if (auto ok = m_writer->exec("PRAGMA synchronous=NORMAL;"); !ok) {
            return ok;
        }
        Status status = runIn(*m_writer, "BEGIN IMMEDIATE;");
        if (auto ok = m_writer->exec("PRAGMA synchronous=FULL;"); !ok && status) {
            return ok;
        }
        return status;
    }
    std::unique_ptr<DbConnection> reader;
    {
        std::unique_lock lock(m_readersMutex);
        m_readerFreed.wait(lock, [this] { return !m_freeReaders.empty(); });
        reader = std::move(m_freeReaders.back());
        m_freeReaders.pop_back();
    }
    Status status = runIn(*reader, "BEGIN;");
    {
        std::lock_guard lock(m_readersMutex);
        m_freeReaders.push_back(std::move(reader));
    }
    m_readerFreed.notify_one();
    return status;
}

Result<std::optional<int64_t>> findRepository(DbConnection& db, std::string_view name) {
    auto row = db.queryOne("SELECT id FROM repositories WHERE name = ?", name);
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<int64_t>();
    }
    return std::optional<int64_t>((*row)->integer(0));
}

Result<int64_t> ensureRepository(DbConnection& db, std::string_view name, int64_t now) {
    auto existing = findRepository(db, name);
    if (!existing) {
        return std::unexpected(existing.error());
    }
    if (*existing) {
        return **existing;
    }
    if (auto ok = db.execute("INSERT INTO repositories(name, created) VALUES(?, ?)", name, now);
        !ok) {
        return std::unexpected(ok.error());
    }
    return db.lastInsertRowId();
}

} // namespace pilot::registry
