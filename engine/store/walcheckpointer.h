#pragma once

#include "core/error.h"
#include "engine/store/sqlitedb.h"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace pilot::store::sqlite {

/// Copies the WAL back into the database on its own thread and connection, so that commits
/// never wait for a checkpoint: the writer only appends to the WAL and fsyncs it. A checkpoint
/// under sustained writes copies megabytes and fsyncs the database file; run inside a commit (as
/// SQLite's automatic checkpoint does) it held every write and watch event back for 50-150 ms
/// about once a second.
///
/// Passive checkpoints run concurrently with the writer. The WAL restarts from its beginning
/// only once a checkpoint has caught up with it, so the writer keeps a hard bound of its own
/// (see SqliteStore's WAL hook).
class WalCheckpointer {
public:
    WalCheckpointer() = default;
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Opens its own connection to `path` (already in WAL mode) and starts the thread.
    [[nodiscard]] Status start(const std::string& path);
    /// Asks for a checkpoint soon; cheap, callable from the writer's WAL hook.
    void request();
    /// Finishes a running checkpoint, stops the thread and closes the connection.
    void stop();

    /// Checkpoints run over a non-empty WAL.
    [[nodiscard]] uint64_t checkpoints() const;

private:
    void run();

    Connection m_db;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_requested = false;
    bool m_stopping = false;
    uint64_t m_checkpoints = 0;
};

} // namespace pilot::store::sqlite
