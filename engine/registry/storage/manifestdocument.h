#pragma once

#include "core/error.h"
#include "engine/registry/storage/digest.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

namespace mediatype {
inline constexpr std::string_view OciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view OciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view OciArtifact = "application/vnd.oci.artifact.manifest.v1+json";
inline constexpr std::string_view DockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view DockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
} // namespace mediatype

/// What the registry records about a manifest besides its bytes: what it references (so pushes
/// can be checked and garbage collection can mark) and what the referrers API reports.
struct ManifestDocument {
    /// The manifest's media type: the request's Content-Type, else its `mediaType` field.
    std::string mediaType;
    bool isIndex = false;
    /// Blobs the manifest needs (config, layers, artifact blobs), in document order, without
    /// non-distributable layers (which live elsewhere by definition).
    std::vector<Digest> blobs;
    /// Manifests an index lists.
    std::vector<Digest> manifests;
    std::optional<Digest> subject;
    /// `artifactType`, else (image manifests) the config's media type.
    std::string artifactType;
    /// The `annotations` object as compact JSON, or empty.
    std::string annotationsJson;
};

/// Parses `bytes` pushed with Content-Type `contentType` (parameters already removed; empty
/// when the request had none). InvalidArgument, with a message naming the field, when the
/// bytes are not a schema 2 image manifest, image index, Docker manifest (list) or artifact
/// manifest, or when the declared media type contradicts the document's `mediaType`.
[[nodiscard]] Result<ManifestDocument> parseManifest(std::string_view bytes,
                                                     std::string_view contentType);

/// The media type without parameters and surrounding blanks (`a/b; charset=x` -> `a/b`).
[[nodiscard]] std::string_view bareMediaType(std::string_view contentType);

} // namespace pilot::registry
