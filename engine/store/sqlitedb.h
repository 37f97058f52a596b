#pragma once

// Private to pilot::store: thin RAII wrappers over the SQLite C API. Every call reports failure
// as a value; nothing here throws.

#include "core/error.h"

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::store::sqlite {

/// Maps a failed SQLite call to an Error: busy/locked/unopenable databases are Unavailable (the
/// caller may retry), everything else Internal. `what` names the operation.
[[nodiscard]] Error toError(sqlite3* db, int rc, std::string_view what);

/// A prepared statement, prepared once and reused: reset() before binding for the next use.
/// Text and blob parameters are bound without copying, so they must outlive the step() calls.
class Statement {
public:
    Statement() = default;
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;

    /// Prepares `sql` on `db` (flagged persistent: it lives as long as the connection).
    [[nodiscard]] Status prepare(sqlite3* db, std::string_view sql);

    void bind(int index, int64_t value);
    void bindText(int index, std::string_view text);
    void bindBlob(int index, std::string_view bytes);

    /// One step: SQLITE_ROW, SQLITE_DONE or an error code.
    [[nodiscard]] int step();
    /// Ends the current execution (releasing any read snapshot it holds); bindings are kept.
    void reset();

    [[nodiscard]] int64_t columnInt(int column) const;
    /// Text or blob column as bytes; valid until the next step() or reset().
    [[nodiscard]] std::string_view columnBytes(int column) const;

    [[nodiscard]] sqlite3* db() const { return m_db; }
    [[nodiscard]] explicit operator bool() const { return m_stmt != nullptr; }

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

/// Resets a statement when it goes out of scope, so an early return never leaves a statement
/// holding a snapshot or a lock.
class ResetGuard {
public:
    explicit ResetGuard(Statement& statement) : m_statement(statement) {}
    ~ResetGuard() { m_statement.reset(); }
    ResetGuard(const ResetGuard&) = delete;
    ResetGuard& operator=(const ResetGuard&) = delete;

private:
    Statement& m_statement;
};

/// One database connection. Used by one thread at a time (opened with SQLITE_OPEN_NOMUTEX).
class Connection {
public:
    Connection() = default;
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;

    /// Opens `path`, creating the file when `create` is set, with a busy timeout so that the
    /// rare lock waits (WAL recovery, checkpoint) retry instead of failing.
    [[nodiscard]] static Result<Connection> open(const std::string& path, bool create);

    /// Runs one or more SQL statements that return no rows.
    [[nodiscard]] Status exec(std::string_view sql);
    /// Runs a PRAGMA (or any query) and returns the first column of its first row as text.
    [[nodiscard]] Result<std::string> queryText(std::string_view sql);

    [[nodiscard]] sqlite3* get() const { return m_db; }
    void close();

private:
    sqlite3* m_db = nullptr;
};

} // namespace pilot::store::sqlite
