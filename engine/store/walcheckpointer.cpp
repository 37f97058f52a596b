#include "engine/store/walcheckpointer.h"

#include "core/log.h"
#include "core/threadname.h"

#include <sqlite3.h>

namespace pilot::store::sqlite {

WalCheckpointer::~WalCheckpointer() {
    stop();
}

Status WalCheckpointer::start(const std::string& path) {
    auto db = Connection::open(path, false);
    if (!db) {
        return std::unexpected(db.error());
    }
    // The checkpoint fsyncs the database file before the WAL may be reused.
    if (auto status = db->exec("PRAGMA synchronous=FULL"); !status) {
        return status;
    }
    m_db = std::move(*db);
    m_thread = std::thread([this] { run(); });
    return {};
}

void WalCheckpointer::request() {
    {
        std::lock_guard lock(m_mutex);
        if (m_requested) {
            return;
        }
        m_requested = true;
    }
    m_cv.notify_one();
}

void WalCheckpointer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable()) {
        m_thread.join();
    }
    m_db.close();
}

uint64_t WalCheckpointer::checkpoints() const {
    std::lock_guard lock(m_mutex);
    return m_checkpoints;
}

void WalCheckpointer::run() {
    setThreadName("store-ckpt");
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [this] { return m_requested || m_stopping; });
        if (m_stopping) {
            return;
        }
        m_requested = false;
        lock.unlock();
        int walFrames = 0;
        int copied = 0;
        const int rc = sqlite3_wal_checkpoint_v2(m_db.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                 &walFrames, &copied);
        // BUSY: another checkpoint (the writer's idle or bound one) runs; it does the work.
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            log::warn("store", "background checkpoint failed: {}", sqlite3_errmsg(m_db.get()));
        }
        lock.lock();
        if (rc == SQLITE_OK && copied > 0) {
            ++m_checkpoints;
        }
    }
}

} // namespace pilot::store::sqlite
