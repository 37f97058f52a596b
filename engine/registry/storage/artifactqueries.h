#pragma once

#include "core/error.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

/// A repository as Harbor's API lists it.
struct RepositoryInfo {
    int64_t id = 0;
    std::string name;
    int64_t artifactCount = 0;
    int64_t created = 0; ///< Unix seconds
    /// The latest manifest push or tag change.
    int64_t updated = 0;
};

struct TagInfo {
    int64_t repositoryId = 0;
    int64_t artifactId = 0;
    std::string name;
    int64_t pushed = 0;
};

/// A manifest as Harbor's API lists it (an "artifact").
struct ArtifactInfo {
    int64_t id = 0;
    int64_t repositoryId = 0;
    std::string digest;
    std::string mediaType;
    /// The manifest's artifactType, else its config's media type (as the referrers API).
    std::string artifactType;
    std::string subject;
    std::string annotationsJson;
    /// The manifest plus every blob it references.
    int64_t size = 0;
    int64_t pushed = 0;
    std::vector<TagInfo> tags;
};

/// Read queries for the Harbor-shaped management API (and tag creation), over the registry
/// database in one snapshot each.
namespace artifactqueries {

/// Repositories with at least one manifest whose name starts with `prefix` (`project/`), by
/// name.
[[nodiscard]] Result<std::vector<RepositoryInfo>> repositories(RegistryDb& db,
                                                               std::string_view prefix);
/// One repository with at least one manifest, or nullopt.
[[nodiscard]] Result<std::optional<RepositoryInfo>> repository(RegistryDb& db,
                                                               std::string_view name);
/// Every manifest of `repository`, newest first, with its tags.
[[nodiscard]] Result<std::vector<ArtifactInfo>> artifacts(RegistryDb& db,
                                                          std::string_view repository);
/// The manifest `reference` (a digest, or a tag) of `repository`, with its tags.
[[nodiscard]] Result<std::optional<ArtifactInfo>>
artifact(RegistryDb& db, std::string_view repository, std::string_view reference);
/// Points a new tag `tag` at the manifest `digest`; AlreadyExists when the tag exists,
/// NotFound when the manifest does not.
[[nodiscard]] Status addTag(RegistryDb& db, std::string_view repository, std::string_view digest,
                            std::string_view tag, int64_t now);

} // namespace artifactqueries

} // namespace pilot::registry
