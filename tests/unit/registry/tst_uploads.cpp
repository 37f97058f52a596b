#include "tests/unit/registry/registrytestutil.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace pilot::registry::test {
namespace {

size_t filesUnder(const std::filesystem::path& dir) {
    size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        count += entry.is_regular_file() ? 1 : 0;
    }
    return count;
}

TEST(Uploads, MonolithicUploadBecomesAReadableBlobOnlyWhenComplete) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    const std::string content = "layer bytes";
    Digest digest = Digest::sha256(content);

    auto session = storage->uploads().start("library/busybox");
    ASSERT_TRUE(session.has_value());
    auto appender = storage->uploads().append("library/busybox", session->id, 0);
    ASSERT_TRUE(appender.has_value());
    ASSERT_TRUE((*appender)->write(content).has_value());
    ASSERT_TRUE((*appender)->finish().has_value());
    // Written but not completed: nobody can see it as a blob.
    auto before = storage->blobs().stat("library/busybox", digest);
    ASSERT_TRUE(before.has_value());
    EXPECT_FALSE(before->has_value());
    EXPECT_EQ(filesUnder(dir.path() / "blobs"), 0u);

    auto blob = storage->uploads().complete("library/busybox", session->id, digest);
    ASSERT_TRUE(blob.has_value()) << blob.error().message;
    EXPECT_EQ(blob->size, content.size());
    auto open = storage->blobs().open("library/busybox", digest);
    ASSERT_TRUE(open.has_value());
    EXPECT_EQ(readAll(*open), content);
    EXPECT_EQ(filesUnder(dir.path() / "uploads"), 0u) << "the session's file moved into place";
    EXPECT_FALSE(storage->uploads().status("library/busybox", session->id).has_value())
        << "a completed session is gone";
}

TEST(Uploads, ChunksMustArriveInOrder) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    const std::string content = "0123456789abcdefghij";
    auto session = storage->uploads().start("r");
    ASSERT_TRUE(session.has_value());

    auto outOfOrder = storage->uploads().append("r", session->id, 10);
    ASSERT_FALSE(outOfOrder.has_value());
    EXPECT_EQ(outOfOrder.error().code, ErrorCode::Conflict);

    auto first = storage->uploads().append("r", session->id, 0);
    ASSERT_TRUE(first.has_value());
    auto concurrent = storage->uploads().append("r", session->id, std::nullopt);
    ASSERT_FALSE(concurrent.has_value()) << "one writer at a time";
    EXPECT_EQ(concurrent.error().code, ErrorCode::Conflict);
    ASSERT_TRUE((*first)->write(content.substr(0, 10)).has_value());
    auto size = (*first)->finish();
    ASSERT_TRUE(size.has_value());
    EXPECT_EQ(*size, 10u);
    first->reset();

    auto retry = storage->uploads().append("r", session->id, 0);
    ASSERT_FALSE(retry.has_value()) << "the same chunk again is out of order";
    EXPECT_EQ(retry.error().code, ErrorCode::Conflict);
    auto status = storage->uploads().status("r", session->id);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->size, 10u);

    auto second = storage->uploads().append("r", session->id, 10);
    ASSERT_TRUE(second.has_value());
    ASSERT_TRUE((*second)->write(content.substr(10)).has_value());
    ASSERT_TRUE((*second)->finish().has_value());
    second->reset();
    auto blob = storage->uploads().complete("r", session->id, Digest::sha256(content));
    ASSERT_TRUE(blob.has_value()) << blob.error().message;
    auto open = storage->blobs().open("r", Digest::sha256(content));
    ASSERT_TRUE(open.has_value());
    EXPECT_EQ(readAll(*open), content);
}

TEST(Uploads, AChunkCutShortLeavesTheSessionAsBeforeAndCanBeResent) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    auto session = storage->uploads().start("r");
    ASSERT_TRUE(session.has_value());
    {
        auto appender = storage->uploads().append("r", session->id, 0);
        ASSERT_TRUE(appender.has_value());
        ASSERT_TRUE((*appender)->write("first-").has_value());
        ASSERT_TRUE((*appender)->finish().has_value());
    }
    {
        // The client goes away in the middle of the second chunk.
        auto appender = storage->uploads().append("r", session->id, 6);
        ASSERT_TRUE(appender.has_value());
        ASSERT_TRUE((*appender)->write("garb").has_value());
    }
    auto status = storage->uploads().status("r", session->id);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->size, 6u);
    {
        auto appender = storage->uploads().append("r", session->id, 6);
        ASSERT_TRUE(appender.has_value()) << appender.error().message;
        ASSERT_TRUE((*appender)->write("second").has_value());
        ASSERT_TRUE((*appender)->finish().has_value());
    }
    auto blob = storage->uploads().complete("r", session->id, Digest::sha256("first-second"));
    EXPECT_TRUE(blob.has_value()) << (blob ? "" : blob.error().message);
}

TEST(Uploads, WrongDigestDiscardsTheSessionAndStoresNothing) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    auto session = storage->uploads().start("r");
    ASSERT_TRUE(session.has_value());
    {
        auto appender = storage->uploads().append("r", session->id, std::nullopt);
        ASSERT_TRUE(appender.has_value());
        ASSERT_TRUE((*appender)->write("actual").has_value());
        ASSERT_TRUE((*appender)->finish().has_value());
    }
    Digest claimed = Digest::sha256("claimed");
    auto blob = storage->uploads().complete("r", session->id, claimed);
    ASSERT_FALSE(blob.has_value());
    EXPECT_EQ(blob.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(storage->uploads().status("r", session->id).has_value());
    auto stat = storage->blobs().stat("r", claimed);
    ASSERT_TRUE(stat.has_value());
    EXPECT_FALSE(stat->has_value());
    EXPECT_EQ(filesUnder(dir.path() / "uploads"), 0u);
    EXPECT_EQ(filesUnder(dir.path() / "blobs"), 0u);
}

TEST(Uploads, SessionsSurviveARestartAndBelongToTheirRepository) {
    TempDir dir;
    std::string id;
    {
        auto storage = openStorage(dir.str());
        ASSERT_TRUE(storage);
        auto session = storage->uploads().start("team/app");
        ASSERT_TRUE(session.has_value());
        id = session->id;
        auto appender = storage->uploads().append("team/app", id, 0);
        ASSERT_TRUE(appender.has_value());
        ASSERT_TRUE((*appender)->write("before restart|").has_value());
        ASSERT_TRUE((*appender)->finish().has_value());
    }
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    EXPECT_FALSE(storage->uploads().status("other/app", id).has_value());
    EXPECT_FALSE(storage->uploads().status("team/app", "../../registry.db").has_value());
    auto status = storage->uploads().status("team/app", id);
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(status->size, 15u);
    {
        auto appender = storage->uploads().append("team/app", id, 15);
        ASSERT_TRUE(appender.has_value());
        ASSERT_TRUE((*appender)->write("after").has_value());
        ASSERT_TRUE((*appender)->finish().has_value());
    }
    auto blob = storage->uploads().complete("team/app", id, Digest::sha256("before restart|after"));
    EXPECT_TRUE(blob.has_value()) << (blob ? "" : blob.error().message);
}

TEST(Uploads, CancelledSessionIsGone) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    auto session = storage->uploads().start("r");
    ASSERT_TRUE(session.has_value());
    auto cancelled = storage->uploads().cancel("r", session->id);
    ASSERT_TRUE(cancelled.has_value());
    EXPECT_TRUE(*cancelled);
    EXPECT_FALSE(storage->uploads().status("r", session->id).has_value());
    auto again = storage->uploads().cancel("r", session->id);
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
    EXPECT_EQ(filesUnder(dir.path() / "uploads"), 0u);
}

TEST(Blobs, MountLinksAnotherRepositorysBlobAndRemoveUnlinksOnlyOne) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Digest digest = pushBlob(*storage, "a/source", "shared layer");

    auto missing = storage->blobs().mount("b/target", "a/source", Digest::sha256("nope"));
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
    auto notThere = storage->blobs().mount("b/target", "c/elsewhere", digest);
    ASSERT_TRUE(notThere.has_value());
    EXPECT_FALSE(notThere->has_value()) << "mount only from a repository that holds the blob";

    auto mounted = storage->blobs().mount("b/target", "a/source", digest);
    ASSERT_TRUE(mounted.has_value());
    ASSERT_TRUE(mounted->has_value());
    EXPECT_EQ((*mounted)->size, 12u);
    auto open = storage->blobs().open("b/target", digest);
    ASSERT_TRUE(open.has_value());
    EXPECT_EQ(readAll(*open), "shared layer");

    auto removed = storage->blobs().remove("a/source", digest);
    ASSERT_TRUE(removed.has_value());
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(storage->blobs().stat("a/source", digest)->has_value());
    EXPECT_TRUE(storage->blobs().stat("b/target", digest)->has_value());
    auto again = storage->blobs().remove("a/source", digest);
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(*again);
}

} // namespace
} // namespace pilot::registry::test
