#include "nodeagent/image/layerunpacker.h"
#include "tests/unit/agentimage/support/testimage.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace pilot::agent::image {
namespace {

namespace fs = std::filesystem;
using testing::TarCompression;
using testing::TarEntry;

/// Hands the data out in small pieces, as a network stream would.
ChunkSource chunked(const std::string& data, size_t piece = 1000) {
    auto offset = std::make_shared<size_t>(0);
    return [&data, offset, piece]() -> Result<std::string_view> {
        size_t n = std::min(piece, data.size() - *offset);
        std::string_view out(data.data() + *offset, n);
        *offset += n;
        return out;
    };
}

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class LayerUnpacker : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/pilot-unpack-XXXXXX";
        m_base = fs::canonical(::mkdtemp(pattern));
        m_root = m_base / "layer";
        fs::create_directory(m_root);
        m_outside = m_base / "outside";
        fs::create_directory(m_outside);
    }
    void TearDown() override {
        for (const auto& mount : m_mounts) {
            ::umount2(mount.c_str(), MNT_DETACH);
        }
        std::error_code ignored;
        fs::remove_all(m_base, ignored);
    }

    Result<UnpackStats> unpack(const std::string& blob, const fs::path& dir) {
        return unpackLayer(chunked(blob), dir.string());
    }

    static bool isRoot() { return ::geteuid() == 0; }

    fs::path m_base;
    fs::path m_root;
    fs::path m_outside;
    std::vector<std::string> m_mounts;
};

TEST_F(LayerUnpacker, UnpacksEveryCompressionWithMetadataAndDiffId) {
    for (auto compression : {TarCompression::Gzip, TarCompression::Zstd, TarCompression::None}) {
        fs::path dir = m_base / ("c" + std::to_string(static_cast<int>(compression)));
        fs::create_directory(dir);
        TarEntry owned = TarEntry::file("home/app/data.txt", "owned by 1000", 0640);
        owned.uid = 1000;
        owned.gid = 50;
        TarEntry withXattrs = TarEntry::file("bin/ping", "ping", 04755);
        withXattrs.xattrs = {{"user.note", "kept"}, {"trusted.overlay.redirect", "/etc"}};
        std::vector<TarEntry> entries = {
            TarEntry::dir("./"),
            TarEntry::dir("home/app", 0750),
            owned,
            withXattrs,
            TarEntry::symlink("bin/sh", "busybox"),
            TarEntry::file("bin/busybox", std::string(300000, 'x'), 0755),
            TarEntry::hardlink("bin/ash", "bin/busybox"),
            TarEntry::dir("tmp", 01777),
        };
        auto layer = testing::makeLayer(entries, compression);
        auto stats = unpack(layer.compressed, dir);
        ASSERT_TRUE(stats) << stats.error().message;
        EXPECT_EQ(stats->diffId.hex, testing::sha256Hex(layer.tar));
        EXPECT_EQ(stats->tarBytes, layer.tar.size());

        EXPECT_EQ(readFile(dir / "home/app/data.txt"), "owned by 1000");
        struct stat st {};
        ASSERT_EQ(::lstat((dir / "home/app/data.txt").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0640u);
        if (isRoot()) {
            EXPECT_EQ(st.st_uid, 1000u);
            EXPECT_EQ(st.st_gid, 50u);
        }
        EXPECT_EQ(st.st_mtime, 1700000000);
        ASSERT_EQ(::lstat((dir / "bin/ping").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 04755u);
        ASSERT_EQ(::lstat((dir / "tmp").c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 01777u);
        EXPECT_EQ(fs::read_symlink(dir / "bin/sh"), "busybox");
        struct stat a {};
        struct stat b {};
        ASSERT_EQ(::stat((dir / "bin/ash").c_str(), &a), 0);
        ASSERT_EQ(::stat((dir / "bin/busybox").c_str(), &b), 0);
        EXPECT_EQ(a.st_ino, b.st_ino) << "hard link kept";
        char value[64] = {};
        EXPECT_EQ(::lgetxattr((dir / "bin/ping").c_str(), "user.note", value, sizeof value), 4);
        if (isRoot()) {
            EXPECT_LT(::lgetxattr((dir / "bin/ping").c_str(), "trusted.overlay.redirect", value,
                                  sizeof value),
                      0)
                << "overlay xattrs from the archive are dropped";
        }
    }
}

TEST_F(LayerUnpacker, ConvertsOciWhiteoutsToOverlayWhiteouts) {
    if (!isRoot()) {
        GTEST_SKIP() << "whiteout devices and trusted.* xattrs need root";
    }
    auto layer = testing::makeLayer({
        TarEntry::file(".wh.gone", ""), TarEntry::dir("etc"),
        TarEntry::file("etc/.wh.old.conf", ""),
        TarEntry::file("var/lib/.wh..wh..opq", ""), // Its directory is not in the archive.
        TarEntry::file("var/lib/fresh", "new"),
        TarEntry::file("usr/.wh..wh.plnk", ""), // AUFS bookkeeping: ignored.
    });
    auto stats = unpack(layer.compressed, m_root);
    ASSERT_TRUE(stats) << stats.error().message;
    for (const char* whiteout : {"gone", "etc/old.conf"}) {
        struct stat st {};
        ASSERT_EQ(::lstat((m_root / whiteout).c_str(), &st), 0) << whiteout;
        EXPECT_TRUE(S_ISCHR(st.st_mode)) << whiteout;
        EXPECT_EQ(st.st_rdev, makedev(0, 0)) << whiteout;
    }
    EXPECT_FALSE(fs::exists(m_root / ".wh.gone"));
    char value[8] = {};
    ASSERT_EQ(
        ::lgetxattr((m_root / "var/lib").c_str(), "trusted.overlay.opaque", value, sizeof value),
        1);
    EXPECT_EQ(value[0], 'y');
    EXPECT_FALSE(fs::exists(m_root / "var/lib/.wh..wh..opq"));
    EXPECT_EQ(readFile(m_root / "var/lib/fresh"), "new");
    EXPECT_FALSE(fs::exists(m_root / "usr/.wh..wh.plnk"));
}

TEST_F(LayerUnpacker, WhiteoutsHideLowerLayersInARealOverlayMount) {
    if (!isRoot()) {
        GTEST_SKIP() << "mounting overlayfs needs root";
    }
    fs::path lower = m_base / "lower";
    fs::path upper = m_base / "upper";
    fs::path merged = m_base / "merged";
    for (const auto& dir : {lower, upper, merged}) {
        fs::create_directory(dir);
    }
    auto base = testing::makeLayer({TarEntry::file("a", "a"), TarEntry::dir("dir"),
                                    TarEntry::file("dir/x", "x"), TarEntry::dir("keep"),
                                    TarEntry::file("keep/y", "y")});
    auto top = testing::makeLayer({TarEntry::file(".wh.a", ""), TarEntry::dir("dir"),
                                   TarEntry::file("dir/.wh..wh..opq", ""),
                                   TarEntry::file("dir/new", "new")});
    ASSERT_TRUE(unpack(base.compressed, lower));
    ASSERT_TRUE(unpack(top.compressed, upper));
    std::string options = "lowerdir=" + upper.string() + ":" + lower.string();
    if (::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, options.c_str()) != 0) {
        GTEST_SKIP() << "overlayfs not mountable here: " << std::strerror(errno);
    }
    m_mounts.push_back(merged.string());
    EXPECT_FALSE(fs::exists(merged / "a")) << "whiteout hides the lower file";
    EXPECT_FALSE(fs::exists(merged / "dir/x")) << "opaque directory hides lower content";
    EXPECT_EQ(readFile(merged / "dir/new"), "new");
    EXPECT_EQ(readFile(merged / "keep/y"), "y");
}

TEST_F(LayerUnpacker, ConfinesDotDotAndAbsolutePathsToTheLayer) {
    auto layer = testing::makeLayer({
        TarEntry::file("../../outside/escaped", "no"),
        TarEntry::file("/abs/file", "abs"),
        TarEntry::file("a/../../../b", "b"),
    });
    auto stats = unpack(layer.compressed, m_root);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_TRUE(fs::is_empty(m_outside));
    EXPECT_EQ(readFile(m_root / "outside/escaped"), "no");
    EXPECT_EQ(readFile(m_root / "abs/file"), "abs");
    EXPECT_EQ(readFile(m_root / "b"), "b");
}

TEST_F(LayerUnpacker, RefusesToWriteThroughSymlinks) {
    for (const std::string& target : {m_outside.string(), std::string("../outside")}) {
        fs::path dir = m_base / ("s" + std::to_string(target.size()));
        fs::create_directory(dir);
        auto layer = testing::makeLayer({
            TarEntry::symlink("escape", target),
            TarEntry::file("escape/owned", "pwned"),
        });
        auto stats = unpack(layer.compressed, dir);
        ASSERT_FALSE(stats) << "extracted through a symlink to " << target;
        EXPECT_EQ(stats.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(stats.error().message.find("escape/owned"), std::string::npos);
        EXPECT_TRUE(fs::is_empty(m_outside));
    }
}

TEST_F(LayerUnpacker, RefusesHardLinksOutOfTheTree) {
    {
        std::ofstream secret(m_outside / "secret");
        secret << "secret";
    }
    auto viaDotDot = testing::makeLayer({TarEntry::hardlink("stolen", "../outside/secret")});
    auto stats = unpack(viaDotDot.compressed, m_root);
    ASSERT_FALSE(stats);
    EXPECT_EQ(stats.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(fs::exists(m_root / "stolen"));

    fs::path second = m_base / "second";
    fs::create_directory(second);
    auto viaSymlink = testing::makeLayer(
        {TarEntry::symlink("out", m_outside.string()), TarEntry::hardlink("stolen", "out/secret")});
    stats = unpack(viaSymlink.compressed, second);
    ASSERT_FALSE(stats);
    EXPECT_EQ(stats.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(fs::exists(second / "stolen"));
    struct stat st {};
    ASSERT_EQ(::stat((m_outside / "secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << "no new link to the outside file";
}

TEST_F(LayerUnpacker, ReportsCorruptAndTruncatedStreams) {
    auto layer = testing::makeLayer({TarEntry::file("big", std::string(200000, 'z'))});
    std::string truncated = layer.compressed.substr(0, layer.compressed.size() / 2);
    auto stats = unpack(truncated, m_root);
    EXPECT_FALSE(stats);
    auto garbage = unpack(std::string(5000, '\x7f'), m_base / "outside");
    EXPECT_FALSE(garbage);
}

TEST_F(LayerUnpacker, PassesSourceErrorsThroughAndReadsTheSourceToTheEnd) {
    auto layer = testing::makeLayer({TarEntry::file("f", std::string(100000, 'q'))});
    int calls = 0;
    auto failing = [&]() -> Result<std::string_view> {
        if (++calls > 2) {
            return fail(ErrorCode::Timeout, "registry went quiet");
        }
        return std::string_view(layer.compressed).substr((calls - 1) * 100, 100);
    };
    auto stats = unpackLayer(failing, m_root.string());
    ASSERT_FALSE(stats);
    EXPECT_EQ(stats.error().code, ErrorCode::Timeout);
    EXPECT_EQ(stats.error().message, "registry went quiet");

    // Bytes after the gzip stream still reach the source's consumer (the blob hash).
    std::string padded = layer.compressed + std::string(777, '\0');
    size_t consumed = 0;
    auto source = chunked(padded, 4096);
    fs::path dir = m_base / "padded";
    fs::create_directory(dir);
    auto counted = unpackLayer(
        [&]() -> Result<std::string_view> {
            auto chunk = source();
            consumed += chunk->size();
            return chunk;
        },
        dir.string());
    ASSERT_TRUE(counted) << counted.error().message;
    EXPECT_EQ(consumed, padded.size());
}

TEST_F(LayerUnpacker, AcceptsEmptyLayers) {
    auto layer = testing::makeLayer({});
    auto stats = unpack(layer.compressed, m_root);
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(stats->diffId.hex, testing::sha256Hex(layer.tar));
    EXPECT_TRUE(fs::is_empty(m_root));
}

} // namespace
} // namespace pilot::agent::image
