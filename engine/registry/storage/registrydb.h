#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/store/sqlitedb.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pilot::registry {

/// One execution of a prepared statement: bind parameters in order, step, read columns; the
/// statement is reset when the query goes out of scope. Text is bound without copying, so it
/// must outlive the query.
class Query {
public:
    explicit Query(store::sqlite::Statement& statement) : m_statement(&statement) {}
    ~Query();
    Query(Query&& other) noexcept;
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query& operator=(Query&&) = delete;

    Query& bind(int64_t value);
    Query& bind(std::string_view text);
    Query& bindBlob(std::string_view bytes);

    /// Steps once: true with a row to read, false when done.
    [[nodiscard]] Result<bool> next();
    /// Steps a statement that returns no rows.
    [[nodiscard]] Status run();

    [[nodiscard]] int64_t integer(int column) const;
    /// Valid until the next step.
    [[nodiscard]] std::string_view text(int column) const;

private:
    store::sqlite::Statement* m_statement;
    int m_nextParameter = 1;
};

/// One SQLite connection of the registry database and its prepared statements (prepared on
/// first use, kept for the connection's life). Used by one thread at a time.
class DbConnection {
public:
    explicit DbConnection(store::sqlite::Connection connection)
        : m_connection(std::move(connection)) {}

    /// A query over the cached statement for `sql`.
    [[nodiscard]] Result<Query> query(std::string_view sql);
    /// Runs the cached statement for `sql` with `args` (integers or text) bound in order and
    /// steps it once: the query on its first row, or nullopt when it returns none.
    template <typename... Args>
    [[nodiscard]] Result<std::optional<Query>> queryOne(std::string_view sql, const Args&... args) {
        auto query = this->query(sql);
        if (!query) {
            return std::unexpected(query.error());
        }
        (query->bind(args), ...);
        auto row = query->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<Query>(std::move(*query)) : std::nullopt;
    }
    /// Runs the cached statement for `sql`, one that returns no rows, with `args` bound in order.
    template <typename... Args>
    [[nodiscard]] Status execute(std::string_view sql, const Args&... args) {
        auto query = this->query(sql);
        if (!query) {
            return std::unexpected(query.error());
        }
        (query->bind(args), ...);
        return query->run();
    }
    /// Runs `sql` (one or more statements, nothing bound) without caching it.
    [[nodiscard]] Status exec(std::string_view sql);
    /// Rows changed by the last INSERT/UPDATE/DELETE.
    [[nodiscard]] int64_t changes() const;
    [[nodiscard]] int64_t lastInsertRowId() const;

private:
    store::sqlite::Connection m_connection;
    std::map<std::string, std::unique_ptr<store::sqlite::Statement>, std::less<>> m_statements;
};

/// The registry's metadata database (DATA/registry/registry.db): SQLite in WAL mode with full
/// sync, one writer connection (writers are serialised; each `write` is one IMMEDIATE
/// transaction) and a small pool of read connections, each `read` a consistent snapshot that
/// never waits for writers. Thread-safe.
class RegistryDb {
public:
    static constexpr int SchemaVersion = 1;

    /// Opens or creates the database and its schema.
    [[nodiscard]] static Result<std::unique_ptr<RegistryDb>> open(const std::string& path,
                                                                  size_t readers = 4);

    /// Runs `fn(DbConnection&)` in one write transaction: committed when it returns a value,
    /// rolled back when it returns an error (which is passed on).
    template <typename F>
    auto write(F&& fn) -> std::invoke_result_t<F, DbConnection&> {
        return run(Mode::Write, std::forward<F>(fn));
    }
    /// As `write`, for changes that may be lost in a power failure without harm (an upload
    /// session's row: the client starts a new one): the commit is not synced on its own but
    /// becomes durable with the next synced commit (the WAL is written in order).
    template <typename F>
    auto writeRelaxed(F&& fn) -> std::invoke_result_t<F, DbConnection&> {
        return run(Mode::RelaxedWrite, std::forward<F>(fn));
    }
    /// Runs `fn(DbConnection&)` in one read transaction on a pooled connection.
    template <typename F>
    auto read(F&& fn) -> std::invoke_result_t<F, DbConnection&> {
        return run(Mode::Read, std::forward<F>(fn));
    }

private:
    enum class Mode { Read, Write, RelaxedWrite };

    RegistryDb() = default;

    template <typename F>
    auto run(Mode mode, F&& fn) -> std::invoke_result_t<F, DbConnection&> {
        using R = std::invoke_result_t<F, DbConnection&>;
        std::optional<R> out;
        Status status = transaction(mode, [&](DbConnection& connection) -> Status {
            out.emplace(fn(connection));
            if (!*out) {
                return std::unexpected(out->error());
            }
            return {};
        });
        if (!status) {
            return std::unexpected(status.error());
        }
        return std::move(*out);
    }

    [[nodiscard]] Status transaction(Mode mode, const std::function<Status(DbConnection&)>& body);

    std::mutex m_writerMutex;
    std::unique_ptr<DbConnection> m_writer;
    std::mutex m_readersMutex;
    std::condition_variable m_readerFreed;
    std::vector<std::unique_ptr<DbConnection>> m_freeReaders;
};

/// Whole seconds since the Unix epoch, as the database stores times.
[[nodiscard]] inline int64_t unixSeconds(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// The id of repository `name`, or nullopt when it has none yet.
[[nodiscard]] Result<std::optional<int64_t>> findRepository(DbConnection& db,
                                                            std::string_view name);
/// The id of repository `name`, created (at `now`, Unix seconds) when missing. Writers only.
[[nodiscard]] Result<int64_t> ensureRepository(DbConnection& db, std::string_view name,
                                               int64_t now);

} // namespace pilot::registry
