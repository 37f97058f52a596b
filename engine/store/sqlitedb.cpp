#include "engine/store/sqlitedb.h"

#include <fmt/format.h>

#include <utility>

namespace pilot::store::sqlite {

namespace {

constexpr int kBusyTimeoutMs = 10000;

} // namespace

Error toError(sqlite3* db, int rc, std::string_view what) {
    const int primary = rc & 0xff;
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const ErrorCode code =
        (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN)
            ? ErrorCode::Unavailable
            : ErrorCode::Internal;
    return Error{code, fmt::format("store: {}: {} (sqlite error {})", what, detail, rc)};
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_stmt(std::exchange(other.m_stmt, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_db = std::exchange(other.m_db, nullptr);
        m_stmt = std::exchange(other.m_stmt, nullptr);
    }
    return *this;
}

Status Statement::prepare(sqlite3* db, std::string_view sql) {
    sqlite3_finalize(m_stmt);
    m_stmt = nullptr;
    m_db = db;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK) {
        return std::unexpected(toError(db, rc, fmt::format("prepare '{}'", sql)));
    }
    return {};
}

void Statement::bind(int index, int64_t value) {
    sqlite3_bind_int64(m_stmt, index, value);
}

void Statement::bindText(int index, std::string_view text) {
    sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void Statement::bindBlob(int index, std::string_view bytes) {
    // A zero-length blob needs a non-null pointer, or SQLite stores NULL.
    static constexpr char kEmpty = 0;
    const char* data = bytes.empty() ? &kEmpty : bytes.data();
    sqlite3_bind_blob(m_stmt, index, data, static_cast<int>(bytes.size()), SQLITE_STATIC);
}

int Statement::step() {
    return sqlite3_step(m_stmt);
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
}

int64_t Statement::columnInt(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

std::string_view Statement::columnBytes(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(m_stmt, column));
    const int size = sqlite3_column_bytes(m_stmt, column);
    if (data == nullptr || size <= 0) {
        return {};
    }
    return {data, static_cast<size_t>(size)};
}

Connection::~Connection() {
    close();
}

Connection::Connection(Connection&& other) noexcept : m_db(std::exchange(other.m_db, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        m_db = std::exchange(other.m_db, nullptr);
    }
    return *this;
}

Result<Connection> Connection::open(const std::string& path, bool create) {
    Connection connection;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (create) {
        flags |= SQLITE_OPEN_CREATE;
    }
    const int rc = sqlite3_open_v2(path.c_str(), &connection.m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        return std::unexpected(toError(connection.m_db, rc, fmt::format("open {}", path)));
    }
    sqlite3_extended_result_codes(connection.m_db, 1);
    sqlite3_busy_timeout(connection.m_db, kBusyTimeoutMs);
    return connection;
}

Status Connection::exec(std::string_view sql) {
    const std::string text(sql);
    const int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        return std::unexpected(toError(m_db, rc, fmt::format("exec '{}'", sql)));
    }
    return {};
}

Result<std::string> Connection::queryText(std::string_view sql) {
    Statement statement;
    if (auto prepared = statement.prepare(m_db, sql); !prepared) {
        return std::unexpected(prepared.error());
    }
    const int rc = statement.step();
    if (rc == SQLITE_ROW) {
        return std::string(statement.columnBytes(0));
    }
    if (rc == SQLITE_DONE) {
        return std::string();
    }
    return std::unexpected(toError(m_db, rc, fmt::format("query '{}'", sql)));
}

void Connection::close() {
    if (m_db != nullptr) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
}

} // namespace pilot::store::sqlite
