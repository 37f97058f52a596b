#pragma once

#include "core/error.h"
#include "nodeagent/pod/eventsink.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace pilot::agent {

/// kubelet's ImageGCPolicy (--image-gc-high-threshold, --image-gc-low-threshold,
/// --minimum-image-ttl-duration) and its ImageGCPeriod.
struct ImageGcPolicy {
    int highThresholdPercent = 85; ///< Collect once the image filesystem is this full; 100: never.
    int lowThresholdPercent = 80;  ///< ... until it is no fuller than this.
    std::chrono::seconds minAge{120};
    std::chrono::seconds period{300};
};

struct FsStats {
    uint64_t capacityBytes = 0;
    uint64_t availableBytes = 0;
};

/// kubelet's decision: nullopt below the high threshold (or with no capacity), else the bytes to
/// free to get down to the low threshold: capacity * (100 - low) / 100 - available.
[[nodiscard]] std::optional<uint64_t> imageBytesToFree(const FsStats& fs,
                                                       const ImageGcPolicy& policy);

/// statvfs of `path`.
[[nodiscard]] Result<FsStats> filesystemStats(const std::string& path);

/// kubelet's realImageGCManager: every `policy.period` it looks at the runtime's image
/// filesystem and, above the high threshold, removes unused images (least recently used first,
/// none younger than minAge) until the low threshold is reached. Failing to free enough is a
/// Warning `FreeDiskSpaceFailed` event on the Node, a failed collection `ImageGCFailed`, as
/// kubelet reports them. Not thread-safe: the agent calls it from one timer.
class ImageGcManager {
public:
    using StatsFunction = std::function<Result<FsStats>()>;

    /// `node`: the Node reference events are recorded on. `stats`: null reads statvfs of the
    /// runtime's imageFsPath().
    ImageGcManager(Runtime& runtime, EventSink& events, boost::json::object node,
                   ImageGcPolicy policy, StatsFunction stats = {});

    [[nodiscard]] const ImageGcPolicy& policy() const { return m_policy; }
    /// Whether the runtime keeps images at all (the process runtime does not).
    [[nodiscard]] bool enabled() const;

    /// One pass; returns the bytes freed (0 below the high threshold).
    [[nodiscard]] Result<uint64_t> garbageCollect();

private:
    Runtime& m_runtime;
    EventSink& m_events;
    boost::json::object m_node;
    ImageGcPolicy m_policy;
    StatsFunction m_stats;
};

} // namespace pilot::agent
