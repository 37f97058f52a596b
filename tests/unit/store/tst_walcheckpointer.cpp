// The background WAL checkpointer: what a commit appended to the WAL reaches the database file
// without the writer running a checkpoint.
#include "engine/store/walcheckpointer.h"
#include "storetestutil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace pilot::store::sqlite {
namespace {

using test::TempDir;

/// Rows in `table` of the database file alone: a copy of the file without its WAL.
int rowsInDatabaseFile(const std::string& path, const std::string& scratch) {
    std::filesystem::copy_file(path, scratch, std::filesystem::copy_options::overwrite_existing);
    auto db = Connection::open(scratch, false);
    if (!db) {
        ADD_FAILURE() << db.error().message;
        return -1;
    }
    auto count = db->queryText("SELECT count(*) FROM t");
    return count ? std::stoi(*count) : -1;
}

TEST(WalCheckpointer, CopiesCommittedPagesIntoTheDatabaseFileOnRequest) {
    TempDir dir;
    const std::string path = dir.file("ckpt.db");
    auto writer = Connection::open(path, true);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(writer->exec("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                             "CREATE TABLE t(v BLOB); PRAGMA wal_checkpoint(TRUNCATE)"));
    ASSERT_TRUE(writer->exec("BEGIN; WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                             "FROM n WHERE i < 500) INSERT INTO t SELECT randomblob(4000) FROM n;"
                             "COMMIT"));
    // Everything is still in the WAL: the database file alone has no rows yet.
    ASSERT_EQ(rowsInDatabaseFile(path, dir.file("before.db")), 0);

    WalCheckpointer checkpointer;
    ASSERT_TRUE(checkpointer.start(path));
    checkpointer.request();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (checkpointer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    ASSERT_EQ(checkpointer.checkpoints(), 1U);
    EXPECT_EQ(rowsInDatabaseFile(path, dir.file("after.db")), 500);

    // The writer keeps committing while the checkpointer runs and after it stopped.
    ASSERT_TRUE(writer->exec("INSERT INTO t VALUES (randomblob(10))"));
    checkpointer.stop();
    auto count = writer->queryText("SELECT count(*) FROM t");
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, "501");
}

TEST(WalCheckpointer, FailsToStartOnAMissingDatabase) {
    TempDir dir;
    WalCheckpointer checkpointer;
    EXPECT_FALSE(checkpointer.start(dir.file("missing.db")));
}

} // namespace
} // namespace pilot::store::sqlite
