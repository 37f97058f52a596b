#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/manifestdocument.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

struct StoredManifest {
    Digest digest;
    std::string mediaType;
    /// The exact bytes that were pushed.
    std::string content;
};

/// A manifest whose `subject` is the one asked about, as the referrers API describes it.
struct Referrer {
    Digest digest;
    std::string mediaType;
    std::string artifactType;
    uint64_t size = 0;
    /// The manifest's annotations as JSON, or empty.
    std::string annotationsJson;
};

/// One page of a sorted name listing; `more` when names follow the last one.
struct Page {
    std::vector<std::string> names;
    bool more = false;
};

inline constexpr size_t Unlimited = std::numeric_limits<size_t>::max();

/// Manifests, tags, referrers and the repository catalog, all answered from the database
/// (never a walk of the blob store). Thread-safe.
class Manifests {
public:
    Manifests(RegistryDb& db, const Clock& clock) : m_db(db), m_clock(clock) {}

    /// Stores `bytes` (with `digest` and what `document` says of them) in `repository` and
    /// points `tag` at it when given. NotFound, naming the digest, when the manifest references
    /// a blob the repository does not hold; manifests an index lists and the subject may be
    /// absent (OCI allows pushing referrers before their subject, and sparse indexes).
    [[nodiscard]] Status put(std::string_view repository, std::string_view bytes,
                             const Digest& digest, const ManifestDocument& document,
                             std::optional<std::string_view> tag);
    [[nodiscard]] Result<std::optional<StoredManifest>> byDigest(std::string_view repository,
                                                                 const Digest& digest);
    [[nodiscard]] Result<std::optional<StoredManifest>> byTag(std::string_view repository,
                                                              std::string_view tag);
    /// Deletes the manifest and every tag pointing at it; false when there is none.
    [[nodiscard]] Result<bool> remove(std::string_view repository, const Digest& digest);
    /// Deletes only the tag; false when there is none.
    [[nodiscard]] Result<bool> untag(std::string_view repository, std::string_view tag);
    /// Tags after `last` in lexical order, at most `limit`; nullopt for an unknown repository.
    [[nodiscard]] Result<std::optional<Page>> tags(std::string_view repository, size_t limit,
                                                   std::string_view last);
    /// Repositories holding at least one manifest, after `last` in lexical order.
    [[nodiscard]] Result<Page> repositories(size_t limit, std::string_view last);
    /// Manifests in `repository` whose subject is `digest`, oldest first.
    [[nodiscard]] Result<std::vector<Referrer>> referrers(std::string_view repository,
                                                          const Digest& digest);

private:
    RegistryDb& m_db;
    const Clock& m_clock;
};

} // namespace pilot::registry
