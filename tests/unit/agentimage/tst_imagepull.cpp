// Integration: the Distribution client and ImageManager against Debian's docker-registry with
// images pushed by skopeo from OCI layouts built here from busybox-static.

#include "nodeagent/image/imagemanager.h"
#include "tests/unit/agentimage/support/registryprocess.h"
#include "tests/unit/agentimage/support/testimage.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace pilot::agent::image {
namespace {

namespace fs = std::filesystem;
using testing::RegistryProcess;
using testing::TarEntry;

testing::ImageSpec busyboxImage(const std::string& page) {
    testing::ImageSpec spec;
    spec.architecture = hostPlatform().architecture;
    spec.layers.push_back(testing::makeLayer(testing::busyboxRootfs(page)));
    // A second layer that deletes and adds, zstd-compressed.
    spec.layers.push_back(testing::makeLayer(
        {TarEntry::file("etc/.wh.group", ""), TarEntry::file("etc/motd", "second layer\n")},
        testing::TarCompression::Zstd));
    spec.cmd = {"sh"};
    return spec;
}

class ImagePull : public ::testing::Test {
protected:
    void SetUp() override {
        if (!testing::haveProgram("/usr/bin/docker-registry") ||
            !testing::haveProgram("/usr/bin/skopeo") || !testing::haveProgram("/bin/busybox")) {
            GTEST_SKIP() << "needs docker-registry, skopeo and busybox-static";
        }
        char pattern[] = "/tmp/pilot-imagepull-XXXXXX";
        m_dir = ::mkdtemp(pattern);
    }
    void TearDown() override {
        m_manager.reset();
        std::error_code ignored;
        if (!m_dir.empty()) {
            fs::remove_all(m_dir, ignored);
        }
    }

    /// Builds and pushes an image; returns the digest the tag points to.
    std::string push(RegistryProcess& registry, const testing::ImageSpec& spec,
                     const std::string& repoTag, const std::vector<std::string>& extra = {}) {
        std::string layout = (m_dir / ("layout-" + std::to_string(m_layouts++))).string();
        std::string digest = testing::writeOciLayout(layout, "v", spec, extra);
        EXPECT_TRUE(registry.push(layout, "v", repoTag)) << registry.error();
        return digest;
    }

    ImageManager& manager(const RegistryProcess& registry, bool mirror = true) {
        ImageManagerOptions options;
        options.root = (m_dir / "images").string();
        if (mirror) {
            options.registry.mirrors.push_back({"docker.io", "http://" + registry.host()});
        }
        auto opened = ImageManager::open(options);
        EXPECT_TRUE(opened) << opened.error().message;
        m_manager = std::move(*opened);
        return *m_manager;
    }

    fs::path m_dir;
    int m_layouts = 0;
    std::unique_ptr<ImageManager> m_manager;
};

TEST_F(ImagePull, PullsThroughAMirrorVerifiesAndUnpacks) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    auto spec = busyboxImage("hello\n");
    std::string digest = push(registry, spec, "library/busybox:1.36");

    auto& images = manager(registry);
    auto pulled = images.pull("busybox:1.36", {});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_EQ(pulled->id, testing::imageIdOf(spec));
    EXPECT_EQ(pulled->repoTags, std::vector<std::string>{"docker.io/library/busybox:1.36"});
    EXPECT_EQ(pulled->repoDigests, std::vector<std::string>{"docker.io/library/busybox@" + digest});
    ASSERT_EQ(pulled->diffIds.size(), 2u);
    uint64_t expectedSize = 0;
    for (const auto& layer : spec.layers) {
        expectedSize += layer.compressed.size();
    }
    EXPECT_GT(pulled->size, expectedSize);

    auto dirs = images.layerDirectories(*pulled);
    ASSERT_EQ(dirs.size(), 2u);
    EXPECT_TRUE(fs::exists(fs::path(dirs[0]) / "bin/busybox"));
    EXPECT_TRUE(fs::is_symlink(fs::path(dirs[0]) / "bin/sh"));
    EXPECT_TRUE(fs::exists(fs::path(dirs[1]) / "etc/motd"));
    if (::geteuid() == 0) {
        EXPECT_TRUE(fs::is_character_file(fs::path(dirs[1]) / "etc/group"));
    }
    for (const auto& layer : spec.layers) {
        EXPECT_TRUE(
            images.content().has(*parseDigest("sha256:" + testing::sha256Hex(layer.compressed))));
    }
    auto config = images.config(*pulled);
    ASSERT_TRUE(config);
    EXPECT_EQ(config->cmd, std::vector<std::string>{"sh"});

    // Same image by the registry's own address (plain HTTP on loopback) and by digest.
    auto direct = images.pull(registry.host() + "/library/busybox:1.36", {});
    ASSERT_TRUE(direct) << direct.error().message;
    EXPECT_EQ(direct->id, pulled->id);
    auto byDigest = images.pull("busybox@" + digest, {});
    ASSERT_TRUE(byDigest) << byDigest.error().message;
    EXPECT_EQ(byDigest->id, pulled->id);
    EXPECT_EQ(byDigest->repoTags.size(), 2u);

    // A restarted agent knows its images.
    m_manager.reset();
    auto& again = manager(registry);
    auto found = again.find("busybox:1.36");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->id, pulled->id);
    EXPECT_TRUE(again.find(registry.host() + "/library/busybox:1.36"));
    EXPECT_TRUE(again.find("docker.io/library/busybox@" + digest));
    EXPECT_EQ(again.list().size(), 1u);
}

TEST_F(ImagePull, SelectsTheHostPlatformFromAnIndex) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    auto spec = busyboxImage("multi\n");
    std::string indexDigest = push(registry, spec, "library/multi:1", {"arm64", "s390x"});
    auto& images = manager(registry);
    auto pulled = images.pull("multi:1", {});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_EQ(pulled->id, testing::imageIdOf(spec)) << "the config of this host's architecture";
    EXPECT_EQ(pulled->repoDigests,
              std::vector<std::string>{"docker.io/library/multi@" + indexDigest});
    EXPECT_NE(pulled->manifestDigest, indexDigest);
    auto config = images.config(*pulled);
    ASSERT_TRUE(config);
    EXPECT_EQ(config->architecture, hostPlatform().architecture);
}

TEST_F(ImagePull, BasicAuthUsesTheMatchingPullSecret) {
    RegistryProcess registry(RegistryProcess::Auth::Basic, "alice", "wonderland");
    ASSERT_TRUE(registry.start()) << registry.error();
    push(registry, busyboxImage("basic\n"), "team/app:1");
    auto& images = manager(registry, false);
    std::string image = registry.host() + "/team/app:1";

    auto anonymous = images.pull(image, {});
    ASSERT_FALSE(anonymous);
    EXPECT_EQ(anonymous.error().code, ErrorCode::Unauthorized);
    auto wrong = images.pull(image, {{registry.host(), "alice", "looking-glass", ""}});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::Unauthorized);
    auto otherHost = images.pull(image, {{"quay.io", "alice", "wonderland", ""}});
    ASSERT_FALSE(otherHost) << "a secret for another registry is not sent";

    auto pulled = images.pull(image, {{"other.example", "x", "y", ""},
                                      {registry.host() + "/team", "bob", "nope", ""},
                                      {registry.host(), "alice", "wonderland", ""}});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_EQ(pulled->repoTags, std::vector<std::string>{registry.host() + "/team/app:1"});
}

TEST_F(ImagePull, BearerTokenFlow) {
    RegistryProcess registry(RegistryProcess::Auth::Token, "robot", "t0ken");
    ASSERT_TRUE(registry.start()) << registry.error();
    push(registry, busyboxImage("token\n"), "library/busybox:1.36");
    int issuedByPush = registry.tokensIssued();
    auto& images = manager(registry);

    auto anonymous = images.pull("busybox:1.36", {});
    ASSERT_FALSE(anonymous);
    EXPECT_EQ(anonymous.error().code, ErrorCode::Unauthorized);

    // Docker Hub's legacy key names the hub, which the mirror serves.
    auto pulled =
        images.pull("busybox:1.36", {{"https://index.docker.io/v1/", "robot", "t0ken", ""}});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_GT(registry.tokensIssued(), issuedByPush);
    EXPECT_TRUE(fs::exists(fs::path(images.layerDirectories(*pulled)[0]) / "bin/busybox"));
}

TEST_F(ImagePull, RefusesContentThatDoesNotMatchItsDigest) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    auto spec = busyboxImage("tamper\n");
    push(registry, spec, "library/busybox:bad");
    // Flip bytes of the first layer inside the registry's storage, keeping its size.
    std::string hex = testing::sha256Hex(spec.layers[0].compressed);
    fs::path data = registry.dir() / "storage/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) /
                    hex / "data";
    ASSERT_TRUE(fs::exists(data));
    {
        std::fstream file(data, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(spec.layers[0].compressed.size() / 2));
        file.write("TAMPERED", 8);
    }
    auto& images = manager(registry);
    auto pulled = images.pull("busybox:bad", {});
    ASSERT_FALSE(pulled);
    EXPECT_EQ(pulled.error().code, ErrorCode::InvalidArgument) << pulled.error().message;
    EXPECT_FALSE(images.content().has(*parseDigest("sha256:" + hex)));
    EXPECT_FALSE(images.find("busybox:bad"));
    for (const auto& entry : fs::directory_iterator(m_dir / "images/layers")) {
        EXPECT_NE(entry.path().filename().string(), testing::sha256Hex(spec.layers[0].tar))
            << "no unverified layer kept";
    }
}

std::string pseudoRandom(size_t size, uint32_t seed) {
    std::string out(size, '\0');
    uint64_t x = seed * 2654435761u + 1;
    for (char& c : out) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    return out;
}

TEST_F(ImagePull, LargeLayersStreamThroughTwoStages) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    std::string big = pseudoRandom(9 << 20, 7); // Incompressible: a 9 MiB blob.
    auto good = busyboxImage("big\n");
    good.layers.push_back(testing::makeLayer({TarEntry::file("data/big.bin", big)}));
    push(registry, good, "library/big:1");
    // A large layer that turns malicious after megabytes of valid data.
    auto evil = busyboxImage("evil\n");
    evil.layers.push_back(testing::makeLayer({TarEntry::file("data/big.bin", big),
                                              TarEntry::symlink("escape", "/tmp"),
                                              TarEntry::file("escape/owned", "x")}));
    push(registry, evil, "library/evil:1");
    auto& images = manager(registry);

    auto pulled = images.pull("big:1", {});
    ASSERT_TRUE(pulled) << pulled.error().message;
    auto dir = images.layerDirectories(*pulled).back();
    std::ifstream in(fs::path(dir) / "data/big.bin", std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(testing::sha256Hex(content), testing::sha256Hex(big));
    EXPECT_TRUE(images.content().has(
        *parseDigest("sha256:" + testing::sha256Hex(good.layers.back().compressed))));

    auto refused = images.pull("evil:1", {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::InvalidArgument) << refused.error().message;
    EXPECT_NE(refused.error().message.find("escape/owned"), std::string::npos);
    EXPECT_FALSE(fs::exists("/tmp/owned"));
    EXPECT_FALSE(images.content().has(
        *parseDigest("sha256:" + testing::sha256Hex(evil.layers.back().compressed))));
    EXPECT_TRUE(fs::is_empty(m_dir / "images/ingest"));
    size_t temporary = 0;
    for (const auto& entry : fs::directory_iterator(m_dir / "images/layers")) {
        temporary += entry.path().filename().string().starts_with(".tmp-");
    }
    EXPECT_EQ(temporary, 0u);
}

TEST_F(ImagePull, ConcurrentPullsShareLayersAndGcRemovesOnlyUnused) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    auto first = busyboxImage("one\n");
    auto second = first;
    second.layers[1] = testing::makeLayer({TarEntry::file("etc/motd", "other\n")});
    push(registry, first, "library/one:1");
    push(registry, second, "library/two:1");
    auto& images = manager(registry);

    std::vector<std::thread> threads;
    std::vector<Result<ImageRecord>> results(4);
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] { results[i] = images.pull(i % 2 ? "two:1" : "one:1", {}); });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& result : results) {
        ASSERT_TRUE(result) << result.error().message;
    }
    auto one = *images.find("one:1");
    auto two = *images.find("two:1");
    EXPECT_EQ(one.diffIds[0], two.diffIds[0]) << "the busybox layer is shared";
    size_t layerDirs =
        std::distance(fs::directory_iterator(m_dir / "images/layers"), fs::directory_iterator());
    EXPECT_EQ(layerDirs, 3u);

    ASSERT_TRUE(images.remove("one:1"));
    EXPECT_FALSE(images.find("one:1"));
    EXPECT_TRUE(fs::exists(images.layerDirectory(two.diffIds[0]))) << "shared layer kept";
    EXPECT_FALSE(fs::exists(images.layerDirectory(one.diffIds[1])));
    EXPECT_EQ(images.remove("one:1").error().code, ErrorCode::NotFound);

    auto kept = images.garbageCollect({two.id}, 0, std::chrono::seconds(0));
    ASSERT_TRUE(kept);
    EXPECT_TRUE(kept->removedImages.empty()) << "an image in use is kept";
    auto gc = images.garbageCollect({}, 0, std::chrono::seconds(0));
    ASSERT_TRUE(gc);
    EXPECT_EQ(gc->removedImages, std::vector<std::string>{two.id});
    EXPECT_TRUE(fs::is_empty(m_dir / "images/layers"));
    EXPECT_TRUE(images.content().list().empty());
}

TEST_F(ImagePull, HttpsWithACaFileAndNoTrustWithout) {
    RegistryProcess registry;
    registry.enableTls();
    ASSERT_TRUE(registry.start()) << registry.error();
    push(registry, busyboxImage("tls\n"), "library/busybox:1.36");
    std::string image = registry.host() + "/library/busybox:1.36";

    ImageManagerOptions options;
    options.root = (m_dir / "untrusting").string();
    options.registry.loopbackInsecure = false;
    auto untrusting = ImageManager::open(options);
    ASSERT_TRUE(untrusting);
    auto refused = (*untrusting)->pull(image, {});
    ASSERT_FALSE(refused) << "a self-signed certificate is not trusted by default";
    EXPECT_EQ(refused.error().code, ErrorCode::Unavailable);
    EXPECT_NE(refused.error().message.find("TLS"), std::string::npos) << refused.error().message;

    options.root = (m_dir / "trusting").string();
    options.registry.caFile = registry.caFile();
    auto trusting = ImageManager::open(options);
    ASSERT_TRUE(trusting);
    auto pulled = (*trusting)->pull(image, {});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_EQ(pulled->repoTags, std::vector<std::string>{image});
}

TEST_F(ImagePull, PullsLayoutsFromTheSharedOciLayoutBuilder) {
    // tests/support/images/ocilayout.py (the registry's tests use it): a second, independent
    // image builder (Python tarfile/gzip) checks the client against more than its own fixture.
    std::string script = std::string(PILOT_SOURCE_DIR) + "/tests/support/images/ocilayout.py";
    if (!fs::exists(script) || !testing::haveProgram("/usr/bin/python3")) {
        GTEST_SKIP() << "tests/support/images/ocilayout.py or python3 missing";
    }
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    std::string layout = (m_dir / "py-layout").string();
    std::string output;
    ASSERT_EQ(testing::runProgram({"/usr/bin/python3", script, layout, "--tag", "1.36", "--file",
                                   "/www/index.html=from python", "--layer2-file",
                                   "/etc/motd=layer two", "--random-layer", "6000000"},
                                  &output),
              0)
        << output;
    std::string digest = output.substr(output.rfind(' ') + 1);
    while (!digest.empty() && digest.back() == '\n') {
        digest.pop_back();
    }
    ASSERT_TRUE(registry.push(layout, "1.36", "library/busybox:1.36")) << registry.error();
    auto& images = manager(registry);
    auto pulled = images.pull("busybox:1.36", {});
    ASSERT_TRUE(pulled) << pulled.error().message;
    EXPECT_EQ(pulled->repoDigests, std::vector<std::string>{"docker.io/library/busybox@" + digest});
    auto dirs = images.layerDirectories(*pulled);
    ASSERT_EQ(dirs.size(), 3u);
    std::ifstream page{fs::path(dirs[0]) / "www/index.html"};
    std::string text((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "from python");
    EXPECT_TRUE(fs::exists(fs::path(dirs[1]) / "etc/motd"));
    EXPECT_TRUE(fs::exists(fs::path(dirs[0]) / "bin/busybox"));
}

TEST_F(ImagePull, ReportsMissingImagesAndRepositories) {
    RegistryProcess registry;
    ASSERT_TRUE(registry.start()) << registry.error();
    push(registry, busyboxImage("x\n"), "library/busybox:1.36");
    auto& images = manager(registry, false);
    auto missingTag = images.pull(registry.host() + "/library/busybox:9.9", {});
    ASSERT_FALSE(missingTag);
    EXPECT_EQ(missingTag.error().code, ErrorCode::NotFound);
    EXPECT_NE(missingTag.error().message.find("MANIFEST_UNKNOWN"), std::string::npos)
        << missingTag.error().message;
    auto missingRepo = images.pull(registry.host() + "/nobody/here:1", {});
    ASSERT_FALSE(missingRepo);
    EXPECT_EQ(missingRepo.error().code, ErrorCode::NotFound);
    auto unreachable = images.pull("127.0.0.1:1/x:1", {});
    ASSERT_FALSE(unreachable);
    EXPECT_EQ(unreachable.error().code, ErrorCode::Unavailable);
}

} // namespace
} // namespace pilot::agent::image
