#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/manifestdocument.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry::management {

/// Harbor's "no limit" for a quota's hard storage.
inline constexpr int64_t UnlimitedStorage = -1;

/// A project's storage quota with its current usage (Harbor's Quota: `hard.storage`,
/// `used.storage`, `ref` the project).
struct Quota {
    int64_t id = 0;
    int64_t projectId = 0;
    std::string projectName;
    std::string ownerName;
    /// Bytes, or UnlimitedStorage.
    int64_t hardStorage = UnlimitedStorage;
    int64_t usedStorage = 0;
    int64_t created = 0; ///< Unix seconds
    int64_t updated = 0;
};

struct QuotaPage {
    int64_t total = 0;
    std::vector<Quota> items;
};

/// Per-project storage quotas, counted as Harbor counts them: a project uses the size of every
/// distinct blob linked to any of its repositories (accepted uploads count from the moment they
/// complete, until garbage collection unlinks them) plus every distinct manifest, each counted
/// once however many repositories share it. A blob upload, a mount or a manifest push that
/// would take usage over the hard limit is refused; concurrent pushes may overshoot a little,
/// as in Harbor. Projects without a quota row are unlimited. Thread-safe.
class Quotas {
public:
    Quotas(RegistryDb& db, const Clock& clock) : m_db(db), m_clock(clock) {}

    /// Creates project `projectId`'s quota (or replaces its hard limit and names when it has
    /// one): what creating a Harbor project with `storage_limit` does. InvalidArgument for a
    /// limit that is neither positive nor UnlimitedStorage.
    [[nodiscard]] Result<Quota> setForProject(int64_t projectId, std::string_view projectName,
                                              std::string_view ownerName, int64_t hardStorage);
    /// Gives project `projectId` an unlimited quota when it has none yet (every Harbor project
    /// has a quota row); an existing one is left as it is.
    [[nodiscard]] Status ensureForProject(int64_t projectId, std::string_view projectName,
                                          std::string_view ownerName);
    /// Drops the project's quota (the project was deleted); false when it had none.
    [[nodiscard]] Result<bool> removeForProject(int64_t projectId);
    [[nodiscard]] Result<std::optional<Quota>> get(int64_t id);
    [[nodiscard]] Result<std::optional<Quota>> forProject(std::string_view projectName);
    /// Quotas by id (all, or only project `projectId`'s), `limit` from `offset`.
    [[nodiscard]] Result<QuotaPage> list(std::optional<int64_t> projectId, int64_t offset,
                                         int64_t limit);
    /// Sets quota `id`'s hard limit; NotFound, or InvalidArgument as for setForProject.
    [[nodiscard]] Result<Quota> setHard(int64_t id, int64_t hardStorage);

    /// Bytes project `projectName` uses now.
    [[nodiscard]] Result<int64_t> usage(std::string_view projectName);

    /// Whether adding blob `digest` of `size` bytes to `repository` fits its project's quota:
    /// nullopt when it does (or the blob is already in the project), else Harbor's message.
    [[nodiscard]] Result<std::optional<std::string>> checkBlob(std::string_view repository,
                                                               const Digest& digest, uint64_t size);
    /// As checkBlob for a manifest of `size` bytes (plus any blob it names that the project
    /// does not hold yet).
    [[nodiscard]] Result<std::optional<std::string>> checkManifest(std::string_view repository,
                                                                   const Digest& digest,
                                                                   const ManifestDocument& document,
                                                                   uint64_t size);

private:
    [[nodiscard]] Result<std::optional<std::string>>
    check(std::string_view repository, const std::vector<std::pair<Digest, uint64_t>>& blobs,
          std::optional<std::pair<Digest, uint64_t>> manifest);

    RegistryDb& m_db;
    const Clock& m_clock;
};

/// `2.1 MiB`, `512 B`: sizes as Harbor's quota messages write them.
[[nodiscard]] std::string formatBytes(int64_t bytes);

/// Harbor's refusal text: `Quota exceeded when processing the request of adding 2.1 MiB of
/// storage resource, which when updated to current usage of 8.3 MiB will exceed the configured
/// upper limit of 10.0 MiB.`
[[nodiscard]] std::string quotaExceededMessage(int64_t adding, int64_t used, int64_t hard);

} // namespace pilot::registry::management
