#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// What the agent knows of one pulled image. Persisted as `ROOT/meta/<id hex>.json`.
struct ImageRecord {
    std::string id;                       ///< Config digest `sha256:...`: the image ID.
    std::vector<std::string> repoTags;    ///< `docker.io/library/busybox:1.36`.
    std::vector<std::string> repoDigests; ///< `docker.io/library/busybox@sha256:...`.
    std::string manifestDigest;           ///< The platform manifest actually unpacked.
    std::vector<std::string> diffIds;     ///< Lowest layer first.
    std::vector<std::string>
        blobs;         ///< Every blob the image needs: indexes, manifest, config, layers.
    uint64_t size = 0; ///< Compressed size (config + layers), as containerd reports.
    std::chrono::system_clock::time_point pulledAt{};
    std::chrono::system_clock::time_point lastUsed{};
};

/// The image metadata: which images exist, under which tags and digests. Loaded at start so a
/// restarted agent knows its images; every change is written atomically. Thread-safe.
class ImageStore {
public:
    [[nodiscard]] static Result<std::unique_ptr<ImageStore>> open(std::string root);

    /// By image ID (`sha256:...`, or its hex of at least 12 digits), repo tag or repo digest. The
    /// reference is normalised (`busybox` finds `docker.io/library/busybox:latest`).
    [[nodiscard]] std::optional<ImageRecord> find(std::string_view imageOrId) const;
    [[nodiscard]] std::vector<ImageRecord> list() const;
    /// Adds or merges a record (tags and digests joined); a tag that now names this image is
    /// removed from whichever image had it.
    [[nodiscard]] Result<ImageRecord> put(const ImageRecord& record);
    [[nodiscard]] Status remove(const std::string& id);
    /// Stores a new last-used time (for least-recently-used garbage collection).
    void touch(const std::string& id, std::chrono::system_clock::time_point when);

private:
    explicit ImageStore(std::string root);
    [[nodiscard]] Status save(const ImageRecord& record) const;
    [[nodiscard]] const ImageRecord* findLocked(std::string_view imageOrId) const;

    std::string m_root;
    mutable std::mutex m_mutex;
    std::map<std::string, ImageRecord> m_images; ///< By ID.
};

} // namespace pilot::agent::image
