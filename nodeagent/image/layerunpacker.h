#pragma once

#include "core/error.h"
#include "nodeagent/image/digest.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pilot::agent::image {

/// Supplies the next bytes of a layer blob as stored in the registry; an empty view at the end.
/// The view stays valid until the next call.
using ChunkSource = std::function<Result<std::string_view>()>;

struct UnpackStats {
    Digest diffId;         ///< sha256 of the uncompressed tar stream.
    uint64_t tarBytes = 0; ///< Size of the uncompressed tar stream.
    uint64_t entries = 0;
};

/// Unpacks one image layer (gzip, zstd or plain tar; detected from the data) into `directory`
/// (existing, empty, no symlinks in its path) as an overlayfs lower layer, in one pass over the
/// source: OCI whiteouts `.wh.NAME` become character devices 0:0, `.wh..wh..opq` sets
/// `trusted.overlay.opaque=y` on its directory. Entries are confined to `directory`: `..` is
/// clamped at the root, extraction through symlinks and hard links that leave the tree are
/// refused (InvalidArgument), overlay xattrs carried by the archive are dropped. Owners, modes,
/// times and other xattrs are kept. The source is always read to its end, so a caller hashing
/// it sees every byte.
[[nodiscard]] Result<UnpackStats> unpackLayer(const ChunkSource& source,
                                              const std::string& directory);

} // namespace pilot::agent::image
