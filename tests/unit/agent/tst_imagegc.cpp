// Image garbage collection thresholds (kubelet's ImageGCPolicy) and agent options for them.
#include "nodeagent/agent/agentoptions.h"
#include "nodeagent/agent/imagegcmanager.h"
#include "tests/unit/agent/nullruntime.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::agent;

namespace {

constexpr uint64_t GiB = 1024ull * 1024 * 1024;

/// Only the image store matters to image GC: records what it was asked to free.
class ImageRuntime final : public test::NullRuntime {
public:
    std::vector<std::pair<uint64_t, std::chrono::seconds>> calls;
    uint64_t frees = 0;
    bool failing = false;
    std::string imageFsPath() const override { return "/images"; }
    Result<ImageGcResult> garbageCollectImages(uint64_t bytesToFree,
                                               std::chrono::seconds minAge) override {
        calls.emplace_back(bytesToFree, minAge);
        if (failing) {
            return fail(ErrorCode::Internal, "image store is broken");
        }
        return ImageGcResult{{"sha256:old"}, frees};
    }
};

struct Recorded {
    std::string type, reason, message;
};

class Events final : public EventSink {
public:
    std::vector<Recorded> events;
    void record(const boost::json::object&, std::string_view type, std::string_view reason,
                std::string message) override {
        events.push_back({std::string(type), std::string(reason), std::move(message)});
    }
};

} // namespace

TEST(ImageGc, ManagerFreesAboveTheThresholdAndReportsShortfalls) {
    ImageRuntime runtime;
    Events events;
    FsStats fs{100 * GiB, 50 * GiB};
    ImageGcManager gc(runtime, events, boost::json::object{{"kind", "Node"}}, ImageGcPolicy{},
                      [&fs] { return Result<FsStats>(fs); });
    ASSERT_TRUE(gc.enabled());
    EXPECT_EQ(gc.garbageCollect(), 0u); // half full: nothing to do
    EXPECT_TRUE(runtime.calls.empty());

    fs.availableBytes = 10 * GiB; // 90% full: free 10 GiB, images unused for 2 minutes
    runtime.frees = 12 * GiB;
    EXPECT_EQ(gc.garbageCollect(), 12 * GiB);
    ASSERT_EQ(runtime.calls.size(), 1u);
    EXPECT_EQ(runtime.calls[0].first, 10 * GiB);
    EXPECT_EQ(runtime.calls[0].second, std::chrono::seconds(120));
    EXPECT_TRUE(events.events.empty());

    runtime.frees = 1024; // not enough eligible: kubelet's Warning on the Node
    EXPECT_FALSE(gc.garbageCollect().has_value());
    ASSERT_EQ(events.events.size(), 1u);
    EXPECT_EQ(events.events[0].type, "Warning");
    EXPECT_EQ(events.events[0].reason, "FreeDiskSpaceFailed");
    EXPECT_EQ(events.events[0].message,
              "Failed to garbage collect required amount of images. Attempted to free " +
                  std::to_string(10 * GiB) + " bytes, but only found 1024 bytes eligible to free.");

    runtime.failing = true;
    EXPECT_FALSE(gc.garbageCollect().has_value());
    ASSERT_EQ(events.events.size(), 2u);
    EXPECT_EQ(events.events[1].reason, "ImageGCFailed");
    EXPECT_EQ(events.events[1].message, "image store is broken");
}

TEST(ImageGc, NothingToFreeBelowTheHighThreshold) {
    ImageGcPolicy policy;                                                     // 85 / 80
    EXPECT_EQ(imageBytesToFree({100 * GiB, 16 * GiB}, policy), std::nullopt); // 84% used
    EXPECT_EQ(imageBytesToFree({0, 0}, policy), std::nullopt);                // no capacity
}

TEST(ImageGc, FreesDownToTheLowThresholdAtOrAboveTheHighOne) {
    ImageGcPolicy policy;
    // 85% used: free until 20% is available.
    EXPECT_EQ(imageBytesToFree({100 * GiB, 15 * GiB}, policy), 5 * GiB);
    // 95% used.
    EXPECT_EQ(imageBytesToFree({100 * GiB, 5 * GiB}, policy), 15 * GiB);
    policy.lowThresholdPercent = 85;
    EXPECT_EQ(imageBytesToFree({100 * GiB, 15 * GiB}, policy), 0u); // already at the low mark
}

TEST(ImageGc, HundredPercentDisablesAndZeroAlwaysCollects) {
    ImageGcPolicy policy;
    policy.highThresholdPercent = 100;
    EXPECT_EQ(imageBytesToFree({100 * GiB, 0}, policy), std::nullopt);
    policy.highThresholdPercent = 0;
    policy.lowThresholdPercent = 0;
    EXPECT_EQ(imageBytesToFree({100 * GiB, 60 * GiB}, policy), 40 * GiB); // free everything
}

TEST(ImageGc, FilesystemStatsOfARealDirectory) {
    auto fs = filesystemStats(std::filesystem::temp_directory_path().string());
    ASSERT_TRUE(fs.has_value()) << fs.error().message;
    EXPECT_GT(fs->capacityBytes, 0u);
    EXPECT_LE(fs->availableBytes, fs->capacityBytes);
    EXPECT_FALSE(filesystemStats("/nonexistent/pilothouse").has_value());
}

TEST(ImageGc, ThresholdOptions) {
    std::vector<std::string> base = {"--kubeconfig", "k", "--node-name", "n", "--data-dir", "d"};
    auto defaults = parseAgentOptions(base);
    ASSERT_TRUE(defaults.has_value());
    EXPECT_EQ(defaults->imageGcHighThreshold, 85);
    EXPECT_EQ(defaults->imageGcLowThreshold, 80);
    auto args = base;
    args.insert(args.end(), {"--image-gc-high-threshold", "90", "--image-gc-low-threshold=70"});
    auto set = parseAgentOptions(args);
    ASSERT_TRUE(set.has_value()) << set.error().message;
    EXPECT_EQ(set->imageGcHighThreshold, 90);
    EXPECT_EQ(set->imageGcLowThreshold, 70);
    args = base;
    args.insert(args.end(), {"--image-gc-high-threshold", "101"});
    EXPECT_FALSE(parseAgentOptions(args).has_value());
    args = base;
    args.insert(args.end(), {"--image-gc-high-threshold", "50", "--image-gc-low-threshold", "60"});
    auto inverted = parseAgentOptions(args);
    ASSERT_FALSE(inverted.has_value());
    EXPECT_NE(inverted.error().message.find("must not exceed"), std::string::npos);
}
