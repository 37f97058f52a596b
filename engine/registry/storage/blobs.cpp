#include "engine/registry/storage/blobs.h"

#include "core/log.h"

#include <fmt/format.h>

namespace pilot::registry {

namespace {

constexpr std::string_view LinkedSize =
    "SELECT b.size FROM repositories r JOIN repository_blobs rb ON rb.repository_id = r.id "
    "JOIN blobs b ON b.digest = rb.digest WHERE r.name = ? AND rb.digest = ?";

Result<std::optional<uint64_t>> linkedSize(DbConnection& db, std::string_view repository,
                                           const Digest& digest) {
    auto query = db.query(LinkedSize);
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(repository).bind(digest.str());
    auto row = query->next();
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<uint64_t>();
    }
    return std::optional<uint64_t>(static_cast<uint64_t>(query->integer(0)));
}

} // namespace

Result<std::optional<BlobInfo>> Blobs::stat(std::string_view repository, const Digest& digest) {
    auto size = m_db.read([&](DbConnection& db) { return linkedSize(db, repository, digest); });
    if (!size) {
        return std::unexpected(size.error());
    }
    if (!*size) {
        return std::optional<BlobInfo>();
    }
    auto onDisk = m_files.size(digest);
    if (!onDisk) {
        return std::unexpected(onDisk.error());
    }
    if (!*onDisk) {
        log::warn("registry", "blob {} is recorded but its file is missing", digest.str());
        return std::optional<BlobInfo>();
    }
    return std::optional<BlobInfo>(BlobInfo{digest, **size});
}

Result<OpenBlob> Blobs::open(std::string_view repository, const Digest& digest) {
    auto size = m_db.read([&](DbConnection& db) { return linkedSize(db, repository, digest); });
    if (!size) {
        return std::unexpected(size.error());
    }
    if (!*size) {
        return fail(ErrorCode::NotFound,
                    fmt::format("blob {} not in repository {}", digest.str(), repository));
    }
    auto fd = m_files.open(digest);
    if (!fd) {
        return std::unexpected(fd.error());
    }
    return OpenBlob{std::move(*fd), **size};
}

Result<bool> Blobs::remove(std::string_view repository, const Digest& digest) {
    return m_db.write([&](DbConnection& db) -> Result<bool> {
        auto query = db.query("DELETE FROM repository_blobs WHERE digest = ? AND repository_id = "
                              "(SELECT id FROM repositories WHERE name = ?)");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(digest.str()).bind(repository).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes() > 0;
    });
}

Result<std::optional<BlobInfo>> Blobs::mount(std::string_view repository, std::string_view from,
                                             const Digest& digest) {
    int64_t now = unixSeconds(m_clock.now());
    auto mounted = m_db.write([&](DbConnection& db) -> Result<std::optional<uint64_t>> {
        auto size = linkedSize(db, from, digest);
        if (!size || !*size) {
            return size;
        }
        auto repositoryId = ensureRepository(db, repository, now);
        if (!repositoryId) {
            return std::unexpected(repositoryId.error());
        }
        auto link =
            db.query("INSERT INTO repository_blobs(repository_id, digest, created) "
                     "VALUES(?, ?, ?) ON CONFLICT DO UPDATE SET created = excluded.created");
        if (!link) {
            return std::unexpected(link.error());
        }
        if (auto ok = link->bind(*repositoryId).bind(digest.str()).bind(now).run(); !ok) {
            return std::unexpected(ok.error());
        }
        // A mounted blob is as good as a fresh upload: garbage collection leaves it alone
        // until the mount's push had time to finish.
        auto touch = db.query("UPDATE blobs SET touched = ? WHERE digest = ?");
        if (!touch) {
            return std::unexpected(touch.error());
        }
        if (auto ok = touch->bind(now).bind(digest.str()).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return size;
    });
    if (!mounted) {
        return std::unexpected(mounted.error());
    }
    if (!*mounted) {
        return std::optional<BlobInfo>();
    }
    return std::optional<BlobInfo>(BlobInfo{digest, **mounted});
}

} // namespace pilot::registry
