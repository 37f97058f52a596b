#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/blobfiles.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace pilot::registry {

struct BlobInfo {
    Digest digest;
    uint64_t size = 0;
};

/// An open blob, ready to be streamed.
struct OpenBlob {
    UniqueFd fd;
    uint64_t size = 0;
};

/// Blobs as repositories see them: a repository holds a blob when it is linked to it (by an
/// upload into that repository or a mount), and the content lives once in `BlobFiles`.
/// Thread-safe.
class Blobs {
public:
    Blobs(RegistryDb& db, const BlobFiles& files, const Clock& clock)
        : m_db(db), m_files(files), m_clock(clock) {}

    /// The blob, or nullopt when `repository` does not hold it (or its file is gone).
    [[nodiscard]] Result<std::optional<BlobInfo>> stat(std::string_view repository,
                                                       const Digest& digest);
    /// Opens the blob for reading; NotFound when `repository` does not hold it.
    [[nodiscard]] Result<OpenBlob> open(std::string_view repository, const Digest& digest);
    /// Unlinks the blob from `repository` (its content stays until garbage collection finds it
    /// unreferenced); false when the repository did not hold it.
    [[nodiscard]] Result<bool> remove(std::string_view repository, const Digest& digest);
    /// Links `from`'s blob into `repository` (a cross-repository mount); nullopt when `from`
    /// does not hold it.
    [[nodiscard]] Result<std::optional<BlobInfo>>
    mount(std::string_view repository, std::string_view from, const Digest& digest);

private:
    RegistryDb& m_db;
    const BlobFiles& m_files;
    const Clock& m_clock;
};

} // namespace pilot::registry
