#pragma once

#include "core/error.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/unixfile.h"

#include <cstdint>
#include <optional>
#include <string>

namespace pilot::registry {

/// Blob content on disk, addressed by digest: ROOT/<algorithm>/<first two hex digits>/<hex>.
/// A file appears there only through `install`, the rename of a complete file that was already
/// synced, so a reader never sees a partial blob. Thread-safe (the file system serialises).
class BlobFiles {
public:
    explicit BlobFiles(std::string root) : m_root(std::move(root)) {}

    /// Creates the root directory.
    [[nodiscard]] Status prepare() const;
    [[nodiscard]] const std::string& root() const { return m_root; }
    [[nodiscard]] std::string pathOf(const Digest& digest) const;

    /// The content of `digest`; NotFound when the file is missing.
    [[nodiscard]] Result<UniqueFd> open(const Digest& digest) const;
    /// The size of `digest`'s file, or nullopt when it is missing.
    [[nodiscard]] Result<std::optional<uint64_t>> size(const Digest& digest) const;
    /// Renames the complete, synced file `source` into place as `digest` (an existing file with
    /// that digest holds the same bytes and is simply replaced) and syncs the directory.
    [[nodiscard]] Status install(const std::string& source, const Digest& digest) const;
    /// Removes `digest`'s file; a missing file is not an error.
    [[nodiscard]] Status remove(const Digest& digest) const;

private:
    std::string m_root;
};

} // namespace pilot::registry
