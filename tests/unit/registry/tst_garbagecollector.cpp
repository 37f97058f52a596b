#include "tests/unit/registry/registrytestutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace pilot::registry::test {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view OciManifest = "application/vnd.oci.image.manifest.v1+json";

bool deleted(const GcReport& report, const Digest& digest) {
    return std::ranges::find(report.blobsDeleted, digest.str()) != report.blobsDeleted.end();
}

class GarbageCollectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        storage = openStorage(dir.str(), &clock);
        ASSERT_TRUE(storage);
    }

    /// Pushes a one-layer image tagged `tag` and returns its manifest digest and blobs.
    std::pair<Digest, std::vector<Digest>>
    pushImage(const std::string& repository, const std::string& seed, const std::string& tag) {
        std::string config = "config " + seed;
        std::string layer = "layer " + seed;
        Digest c = pushBlob(*storage, repository, config);
        Digest l = pushBlob(*storage, repository, layer);
        std::string bytes = imageManifest(c, config.size(), {{l, layer.size()}});
        auto document = parseManifest(bytes, OciManifest);
        Digest digest = Digest::sha256(bytes);
        EXPECT_TRUE(storage->manifests().put(repository, bytes, digest, *document, tag));
        return {digest, {c, l}};
    }

    bool onDisk(const Digest& digest) {
        return std::filesystem::exists(BlobFiles(dir.str() + "/blobs").pathOf(digest));
    }

    TempDir dir;
    ManualClock clock{std::chrono::system_clock::now()};
    std::unique_ptr<RegistryStorage> storage;
};

TEST_F(GarbageCollectorTest, KeepsReferencedBlobsAndRecentUploads) {
    auto [manifest, blobs] = pushImage("r", "kept", "v1");
    Digest fresh = pushBlob(*storage, "r", "uploaded a minute ago, manifest still coming");
    clock.advance(1min);
    auto report = storage->collectGarbage();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_TRUE(report->blobsDeleted.empty());
    EXPECT_EQ(report->linksRemoved, 0u);
    for (const Digest& blob : blobs) {
        EXPECT_TRUE(onDisk(blob));
        EXPECT_TRUE(storage->blobs().stat("r", blob)->has_value());
    }
    EXPECT_TRUE(onDisk(fresh));
    EXPECT_TRUE(storage->blobs().stat("r", fresh)->has_value());
}

TEST_F(GarbageCollectorTest, DeletesUnreferencedBlobsOlderThanTheGraceWindow) {
    auto [manifest, blobs] = pushImage("r", "gone", "v1");
    Digest orphan = pushBlob(*storage, "r", "never referenced");
    ASSERT_TRUE(storage->manifests().remove("r", manifest));
    clock.advance(2h);

    auto dryRun = storage->collectGarbage(GcOptions{.dryRun = true});
    ASSERT_TRUE(dryRun.has_value()) << dryRun.error().message;
    EXPECT_EQ(dryRun->blobsDeleted.size(), 3u);
    EXPECT_TRUE(onDisk(orphan)) << "a dry run deletes nothing";
    EXPECT_TRUE(storage->blobs().stat("r", orphan)->has_value());

    auto report = storage->collectGarbage();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_EQ(report->linksRemoved, 3u);
    EXPECT_TRUE(deleted(*report, orphan));
    EXPECT_TRUE(deleted(*report, blobs[0]));
    EXPECT_TRUE(deleted(*report, blobs[1]));
    EXPECT_FALSE(onDisk(orphan));
    EXPECT_FALSE(onDisk(blobs[1]));
    EXPECT_FALSE(storage->blobs().stat("r", orphan)->has_value());
    EXPECT_GT(report->bytesFreed, 0u);
}

TEST_F(GarbageCollectorTest, ABlobReferencedAnywhereSurvivesEvenWhenUnlinkedHere) {
    auto [manifest, blobs] = pushImage("a", "shared", "v1");
    ASSERT_TRUE(storage->blobs().mount("b", "a", blobs[1])->has_value());
    // Repository a drops its link to the layer through the API; its manifest still names it.
    ASSERT_TRUE(*storage->blobs().remove("a", blobs[1]));
    clock.advance(3h);
    auto report = storage->collectGarbage();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_FALSE(deleted(*report, blobs[1]));
    EXPECT_TRUE(onDisk(blobs[1]));
    EXPECT_EQ(report->linksRemoved, 1u) << "b's link is unreferenced in b";
    EXPECT_FALSE(storage->blobs().stat("b", blobs[1])->has_value());
}

TEST_F(GarbageCollectorTest, AMountRestartsTheGraceWindow) {
    Digest blob = pushBlob(*storage, "a", "old but mounted again");
    clock.advance(2h);
    ASSERT_TRUE(storage->blobs().mount("b", "a", blob)->has_value());
    auto report = storage->collectGarbage();
    ASSERT_TRUE(report.has_value());
    EXPECT_FALSE(deleted(*report, blob));
    EXPECT_TRUE(storage->blobs().stat("b", blob)->has_value());
    EXPECT_FALSE(storage->blobs().stat("a", blob)->has_value()) << "a's old link went";
}

TEST_F(GarbageCollectorTest, ExpiresIdleUploadsAndRemovesStrayFiles) {
    auto session = storage->uploads().start("r");
    ASSERT_TRUE(session.has_value());
    // A blob file without a row: what a crash between rename and commit would leave.
    Digest stray = Digest::sha256("stray");
    BlobFiles files(dir.str() + "/blobs");
    std::filesystem::create_directories(std::filesystem::path(files.pathOf(stray)).parent_path());
    std::ofstream(files.pathOf(stray)) << "stray";

    auto early = storage->collectGarbage();
    ASSERT_TRUE(early.has_value());
    EXPECT_EQ(early->uploadsExpired, 0u);
    EXPECT_EQ(early->strayFilesRemoved, 0u) << "recent files are left alone";

    clock.advance(25h);
    auto report = storage->collectGarbage();
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_EQ(report->uploadsExpired, 1u);
    EXPECT_EQ(report->strayFilesRemoved, 1u);
    EXPECT_FALSE(storage->uploads().status("r", session->id).has_value());
    EXPECT_FALSE(std::filesystem::exists(files.pathOf(stray)));
}

} // namespace
} // namespace pilot::registry::test
