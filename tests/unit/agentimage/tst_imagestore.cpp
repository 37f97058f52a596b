#include "nodeagent/image/contentstore.h"
#include "nodeagent/image/imagestore.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace pilot::agent::image {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pilot-imagestore-XXXXXX";
        m_dir = ::mkdtemp(pattern);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(m_dir, ignored);
    }
    fs::path m_dir;
};

TEST_F(StoreTest, ContentStoreCommitsOnlyVerifiedBlobs) {
    auto store = ContentStore::open(m_dir.string());
    ASSERT_TRUE(store);
    std::string data = "layer bytes";
    Digest digest = sha256Of(data);

    auto writer = (*store)->openWriter();
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write(data.data(), 5));
    EXPECT_FALSE((*store)->has(digest)) << "nothing visible before commit";
    ASSERT_TRUE((*writer)->write(data.data() + 5, data.size() - 5));
    ASSERT_TRUE((*writer)->commit(digest, static_cast<int64_t>(data.size())));
    EXPECT_TRUE((*store)->has(digest));
    EXPECT_EQ(*(*store)->read(digest, 1024), data);
    EXPECT_EQ(*(*store)->size(digest), data.size());

    // A tampered stream is refused and leaves nothing behind.
    Digest other = sha256Of("something else");
    auto bad = (*store)->openWriter();
    ASSERT_TRUE((*bad)->write(data.data(), data.size()));
    auto refused = (*bad)->commit(other, static_cast<int64_t>(data.size()));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find(other.str()), std::string::npos);
    EXPECT_NE(refused.error().message.find(digest.str()), std::string::npos);
    EXPECT_FALSE((*store)->has(other));
    auto shortWriter = (*store)->openWriter();
    ASSERT_TRUE((*shortWriter)->write(data.data(), 3));
    EXPECT_FALSE((*shortWriter)->commit(digest, static_cast<int64_t>(data.size())));
    EXPECT_TRUE(fs::is_empty(m_dir / "ingest"));

    EXPECT_FALSE((*store)->put(other, data));
    EXPECT_EQ((*store)->list().size(), 1u);
    ASSERT_TRUE((*store)->remove(digest));
    EXPECT_FALSE((*store)->has(digest));
    EXPECT_EQ((*store)->read(digest, 10).error().code, ErrorCode::NotFound);
}

TEST_F(StoreTest, ContentStoreNoticesCorruptionOnDisk) {
    auto store = ContentStore::open(m_dir.string());
    ASSERT_TRUE(store);
    Digest digest = sha256Of("config");
    ASSERT_TRUE((*store)->put(digest, "config"));
    std::ofstream((*store)->path(digest)) << "tampered";
    auto read = (*store)->read(digest, 100);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("corrupt"), std::string::npos);
}

ImageRecord record(const std::string& idFill, std::vector<std::string> tags) {
    ImageRecord r;
    r.id = "sha256:" + std::string(64, idFill[0]);
    r.repoTags = std::move(tags);
    r.repoDigests = {"docker.io/library/busybox@sha256:" + std::string(64, 'd')};
    r.diffIds = {"sha256:" + std::string(64, '1')};
    r.size = 42;
    r.pulledAt = std::chrono::system_clock::now();
    return r;
}

TEST_F(StoreTest, ImageStorePersistsAndFindsByEveryName) {
    {
        auto store = ImageStore::open(m_dir.string());
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->put(record("a", {"docker.io/library/busybox:1.36"})));
    }
    auto store = ImageStore::open(m_dir.string()); // As a restarted agent.
    ASSERT_TRUE(store);
    ASSERT_EQ((*store)->list().size(), 1u);
    std::string id = "sha256:" + std::string(64, 'a');
    for (const std::string& name :
         {std::string("busybox:1.36"), std::string("docker.io/library/busybox:1.36"), id,
          std::string(64, 'a'), std::string(12, 'a'), "busybox@sha256:" + std::string(64, 'd')}) {
        auto found = (*store)->find(name);
        ASSERT_TRUE(found) << name;
        EXPECT_EQ(found->id, id);
        EXPECT_EQ(found->size, 42u);
        EXPECT_EQ(found->diffIds.size(), 1u);
    }
    EXPECT_FALSE((*store)->find("busybox:1.35"));
    EXPECT_FALSE((*store)->find("busybox"));
    EXPECT_FALSE((*store)->find("aaaa")) << "short prefixes are not IDs";
}

TEST_F(StoreTest, ATagMovesToTheNewestImage) {
    auto store = ImageStore::open(m_dir.string());
    ASSERT_TRUE(store);
    ASSERT_TRUE(
        (*store)->put(record("a", {"docker.io/library/app:latest", "docker.io/library/app:1"})));
    ASSERT_TRUE((*store)->put(record("b", {"docker.io/library/app:latest"})));
    auto old = (*store)->find("sha256:" + std::string(64, 'a'));
    ASSERT_TRUE(old);
    EXPECT_EQ(old->repoTags, std::vector<std::string>{"docker.io/library/app:1"});
    EXPECT_EQ((*store)->find("app:latest")->id, "sha256:" + std::string(64, 'b'));

    // Merging a second pull of the same image keeps both tags.
    ASSERT_TRUE((*store)->put(record("b", {"docker.io/library/app:2"})));
    EXPECT_EQ((*store)->find("app:2")->repoTags.size(), 2u);

    auto reopened = ImageStore::open(m_dir.string());
    EXPECT_EQ((*reopened)->find("app:1")->id, "sha256:" + std::string(64, 'a'));
    ASSERT_TRUE((*reopened)->remove("sha256:" + std::string(64, 'a')));
    EXPECT_FALSE((*reopened)->find("app:1"));
    EXPECT_EQ(ImageStore::open(m_dir.string()).value()->list().size(), 1u);
}

} // namespace
} // namespace pilot::agent::image
