#pragma once

#include "core/error.h"
#include "nodeagent/image/contentstore.h"
#include "nodeagent/image/distributionclient.h"
#include "nodeagent/image/imageconfig.h"
#include "nodeagent/image/imagestore.h"
#include "nodeagent/image/manifest.h"
#include "nodeagent/image/registryhosts.h"
#include "nodeagent/runtime/runtime.h"

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

struct ImageManagerOptions {
    std::string root; ///< DATA/images: blobs/, layers/, meta/, ingest/.
    RegistryOptions registry;
    Platform platform = hostPlatform();
    int maxConcurrentDownloads = 3; ///< Layers fetched at once per pull.
    /// fdatasync layer blobs before they appear. Off by default: a layer blob is verified
    /// against its digest whenever it is read again (a blob torn by a crash is fetched anew),
    /// and manifests and configs are always flushed.
    bool syncLayerBlobs = false;
    /// Keep compressed layer blobs in the content store after unpacking (containerd does;
    /// CRI-O and containerd's discard_unpacked_layers do not). Off saves their disk space and
    /// writes; a layer removed by GC is then fetched again from the registry.
    bool keepLayerBlobs = true;
};

struct GcResult {
    std::vector<std::string> removedImages; ///< Image IDs.
    uint64_t freedBytes = 0;                ///< Compressed sizes of the removed images.
};

/// Pulls images into the node's shared content store and unpacks their layers for overlayfs,
/// keeps their metadata across restarts, and removes them again. Thread-safe: pulls run
/// concurrently (a layer wanted by two pulls is fetched once); removal and garbage collection
/// wait for running pulls.
///
/// Layout under the root: `blobs/sha256/<hex>` (manifests, configs, compressed layers, each
/// verified), `layers/<diffID hex>/` (one unpacked layer tree, usable as an overlay lowerdir),
/// `meta/<image ID hex>.json` (tags, digests, layer list).
class ImageManager {
public:
    [[nodiscard]] static Result<std::unique_ptr<ImageManager>> open(ImageManagerOptions options);
    ~ImageManager();
    ImageManager(const ImageManager&) = delete;
    ImageManager& operator=(const ImageManager&) = delete;

    /// Resolves the reference (mirrors first), selects the linux/<arch> manifest of an index,
    /// verifies every manifest, config and layer digest while streaming, unpacks layers not
    /// present yet, and records the image. The pull always asks the registry; use find() and
    /// decidePull() for IfNotPresent. Errors: InvalidArgument (bad reference, digest mismatch,
    /// not a container image), NotFound, Unauthorized, Unavailable.
    [[nodiscard]] Result<ImageRecord> pull(std::string_view image,
                                           const std::vector<RegistryCredential>& credentials);

    [[nodiscard]] std::optional<ImageRecord> find(std::string_view imageOrId) const;
    [[nodiscard]] std::vector<ImageRecord> list() const;
    /// The image's configuration (from the content store).
    [[nodiscard]] Result<ImageConfig> config(const ImageRecord& image) const;
    /// Unpacked layer directories, lowest layer first.
    [[nodiscard]] std::vector<std::string> layerDirectories(const ImageRecord& image) const;
    [[nodiscard]] std::string layerDirectory(std::string_view diffId) const;
    /// Records that a container was created from the image (for least-recently-used GC).
    void markUsed(const std::string& id);

    /// Removes an image (by ID, tag or digest) and every layer and blob no other image needs.
    /// NotFound when unknown.
    [[nodiscard]] Status remove(std::string_view imageOrId);
    /// Removes images not in `inUse` (image IDs) and not used within `minAge`, least recently
    /// used first, until `bytesToFree` are freed (0: every such image); then prunes layers and
    /// blobs.
    [[nodiscard]] Result<GcResult> garbageCollect(const std::set<std::string>& inUse,
                                                  uint64_t bytesToFree,
                                                  std::chrono::seconds minAge);

    [[nodiscard]] ContentStore& content() { return *m_content; }
    [[nodiscard]] const ImageManagerOptions& options() const { return m_options; }

private:
    explicit ImageManager(ImageManagerOptions options);
    [[nodiscard]] Status ensureLayer(RepositorySession& session, const Descriptor& layer,
                                     const Digest& diffId);
    [[nodiscard]] Status fetchLayer(RepositorySession& session, const Descriptor& layer,
                                    const Digest& diffId);
    [[nodiscard]] Result<std::string> fetchSmallBlob(RepositorySession& session,
                                                     const Descriptor& descriptor);
    /// Deletes layers and blobs no recorded image references. Caller holds m_gcMutex uniquely.
    void pruneLocked();

    ImageManagerOptions m_options;
    std::unique_ptr<ContentStore> m_content;
    std::unique_ptr<ImageStore> m_store;
    std::unique_ptr<RegistryClient> m_client;
    std::shared_mutex m_gcMutex; ///< Pulls shared, removal and GC exclusive.
    std::mutex m_inflightMutex;
    std::map<std::string, std::shared_future<Status>> m_inflight; ///< By diff ID.
};

/// The CRI view of an image record.
[[nodiscard]] ImageInfo toImageInfo(const ImageRecord& record);

} // namespace pilot::agent::image
