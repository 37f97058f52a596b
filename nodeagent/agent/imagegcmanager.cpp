#include "nodeagent/agent/imagegcmanager.h"

#include "core/log.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include <sys/statvfs.h>

namespace pilot::agent {

namespace {

constexpr const char* Component = "imagegc";

} // namespace

std::optional<uint64_t> imageBytesToFree(const FsStats& fs, const ImageGcPolicy& policy) {
    if (fs.capacityBytes == 0 || policy.highThresholdPercent >= 100) {
        return std::nullopt;
    }
    uint64_t available = std::min(fs.availableBytes, fs.capacityBytes);
    // kubelet: usagePercent := 100 - int(available * 100 / capacity).
    auto usagePercent = 100 - static_cast<int>(available * 100 / fs.capacityBytes);
    if (usagePercent < policy.highThresholdPercent) {
        return std::nullopt;
    }
    uint64_t target =
        fs.capacityBytes * static_cast<uint64_t>(100 - policy.lowThresholdPercent) / 100;
    return target > available ? target - available : 0;
}

Result<FsStats> filesystemStats(const std::string& path) {
    struct statvfs vfs {};
    if (::statvfs(path.c_str(), &vfs) != 0) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("statvfs {}: {}", path, std::strerror(errno)));
    }
    return FsStats{static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize,
                   static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize};
}

ImageGcManager::ImageGcManager(Runtime& runtime, EventSink& events, boost::json::object node,
                               ImageGcPolicy policy, StatsFunction stats)
    : m_runtime(runtime), m_events(events), m_node(std::move(node)), m_policy(policy),
      m_stats(std::move(stats)) {
    if (!m_stats) {
        m_stats = [this] { return filesystemStats(m_runtime.imageFsPath()); };
    }
}

bool ImageGcManager::enabled() const {
    return !m_runtime.imageFsPath().empty();
}

Result<uint64_t> ImageGcManager::garbageCollect() {
    auto fs = m_stats();
    if (!fs) {
        m_events.record(m_node, "Warning", "ImageGCFailed", fs.error().message);
        return std::unexpected(fs.error());
    }
    std::optional<uint64_t> toFree = imageBytesToFree(*fs, m_policy);
    if (!toFree || *toFree == 0) {
        return 0;
    }
    log::info(Component, "image filesystem {}% full (threshold {}%): freeing {} bytes",
              100 - fs->availableBytes * 100 / fs->capacityBytes, m_policy.highThresholdPercent,
              *toFree);
    auto collected = m_runtime.garbageCollectImages(*toFree, m_policy.minAge);
    if (!collected) {
        m_events.record(m_node, "Warning", "ImageGCFailed", collected.error().message);
        return std::unexpected(collected.error());
    }
    for (const std::string& id : collected->removedImages) {
        log::info(Component, "removed image {}", id);
    }
    if (collected->freedBytes < *toFree) {
        std::string message = fmt::format(
            "Failed to garbage collect required amount of images. Attempted to free {} bytes, "
            "but only found {} bytes eligible to free.",
            *toFree, collected->freedBytes);
        m_events.record(m_node, "Warning", "FreeDiskSpaceFailed", message);
        return fail(ErrorCode::Unavailable, std::move(message));
    }
    return collected->freedBytes;
}

} // namespace pilot::agent
