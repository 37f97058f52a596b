#pragma once

#include "core/error.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::registry::management {

/// Creates the management tables in the registry database when missing (quotas, audit log,
/// pull times, retention policies and executions, GC history, settings). Idempotent; run once
/// when the management layer opens.
[[nodiscard]] Status ensureSchema(RegistryDb& db);

/// The project of a repository, Harbor's way: its first path component (`library` for
/// `library/busybox`; the whole name when it has no `/`).
[[nodiscard]] std::string_view projectOf(std::string_view repository);

/// The repository's path inside its project (`busybox` for `library/busybox`; the whole name
/// when it has no `/`).
[[nodiscard]] std::string_view pathInProject(std::string_view repository);

/// The bounds of the names of a project's repositories in the `repositories` table, for a
/// range scan: `name = project OR (name >= lower AND name < upper)`.
struct ProjectRange {
    std::string project;
    std::string lower; ///< `project/`
    std::string upper; ///< `project0` (the byte after `/`)
};
[[nodiscard]] ProjectRange projectRange(std::string_view project);

/// A value read from a settings row (`management_settings`), or `fallback` when unset.
[[nodiscard]] Result<std::string> readSetting(DbConnection& db, std::string_view name,
                                              std::string_view fallback);
[[nodiscard]] Status writeSetting(DbConnection& db, std::string_view name, std::string_view value);

} // namespace pilot::registry::management
