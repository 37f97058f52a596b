#pragma once

#include "core/error.h"
#include "nodeagent/image/digest.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

namespace mediatype {
inline constexpr std::string_view OciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view OciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view OciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view OciLayer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view DockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view DockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view DockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view DockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view DockerForeignLayerGzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
inline constexpr std::string_view DockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
} // namespace mediatype

/// The Accept header of a manifest GET: indexes and image manifests, OCI and Docker v2.
[[nodiscard]] std::string manifestAcceptHeader();

struct Platform {
    std::string os;
    std::string architecture; ///< GOARCH names: amd64, arm64, arm, 386, ppc64le, s390x, riscv64.
    std::string variant;      ///< `v8`, `v7`, ... (empty: unspecified).
};

/// The platform this agent runs images for (linux/<GOARCH of this machine>).
[[nodiscard]] Platform hostPlatform();

struct Descriptor {
    std::string mediaType;
    Digest digest;
    int64_t size = 0;
    std::optional<Platform> platform;
    std::vector<std::string> urls;
};

struct ImageIndex {
    std::string mediaType;
    std::vector<Descriptor> manifests;
};

struct ImageManifest {
    std::string mediaType;
    Descriptor config;
    std::vector<Descriptor> layers;
};

enum class ManifestKind { Index, Image };

/// Classifies a manifest by its Content-Type, falling back to the document's `mediaType` and
/// shape (registries sometimes answer `application/json`). InvalidArgument for schema 1 and
/// other unsupported kinds, naming the type.
[[nodiscard]] Result<ManifestKind> classifyManifest(std::string_view contentType,
                                                    std::string_view body);
[[nodiscard]] Result<ImageIndex> parseImageIndex(std::string_view body);
[[nodiscard]] Result<ImageManifest> parseImageManifest(std::string_view body);

/// The index entry for `want` with containerd's matching rules: same os and architecture,
/// variant equal or (arm64) `v8`/unspecified interchangeable; an exact variant beats an
/// unspecified one. NotFound names the platform and what the index offers.
[[nodiscard]] Result<Descriptor> selectManifest(const ImageIndex& index, const Platform& want);

enum class Compression { None, Gzip, Zstd };

/// The compression of a layer media type. InvalidArgument for non-layer types.
[[nodiscard]] Result<Compression> layerCompression(std::string_view mediaType);

} // namespace pilot::agent::image
