#include "engine/registry/storage/manifests.h"

#include <fmt/format.h>

namespace pilot::registry {

namespace {

constexpr int64_t BlobReference = 0;
constexpr int64_t ManifestReference = 1;

int64_t sqlLimit(size_t limit) {
    // One more than asked, to learn whether another page follows.
    return limit >= static_cast<size_t>(std::numeric_limits<int64_t>::max() - 1)
               ? std::numeric_limits<int64_t>::max()
               : static_cast<int64_t>(limit) + 1;
}

Result<Page> readPage(Query& query, size_t limit) {
    Page page;
    for (;;) {
        auto row = query.next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return page;
        }
        if (page.names.size() == limit) {
            page.more = true;
            return page;
        }
        page.names.emplace_back(query.text(0));
    }
}

Result<std::optional<StoredManifest>> readManifest(Query& query) {
    auto row = query.next();
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<StoredManifest>();
    }
    auto digest = Digest::parse(query.text(0));
    if (!digest) {
        return std::unexpected(digest.error());
    }
    return std::optional<StoredManifest>(
        StoredManifest{std::move(*digest), std::string(query.text(1)), std::string(query.text(2))});
}

Status requireBlob(DbConnection& db, int64_t repositoryId, const Digest& digest) {
    auto query = db.query("SELECT 1 FROM repository_blobs WHERE repository_id = ? AND digest = ?");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(repositoryId).bind(digest.str());
    auto row = query->next();
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return fail(ErrorCode::NotFound,
                    fmt::format("blob {} is not in the repository", digest.str()));
    }
    return {};
}

Status addReference(DbConnection& db, int64_t manifestId, int64_t kind, const Digest& digest) {
    auto query = db.query("INSERT OR IGNORE INTO manifest_references(manifest_id, kind, digest) "
                          "VALUES(?, ?, ?)");
    if (!query) {
        return std::unexpected(query.error());
    }
    return query->bind(manifestId).bind(kind).bind(digest.str()).run();
}

} // namespace

Status Manifests::put(std::string_view repository, std::string_view bytes, const Digest& digest,
                      const ManifestDocument& document, std::optional<std::string_view> tag) {
    int64_t now = unixSeconds(m_clock.now());
    return m_db.write([&](DbConnection& db) -> Status {
        auto repositoryId = ensureRepository(db, repository, now);
        if (!repositoryId) {
            return std::unexpected(repositoryId.error());
        }
        for (const Digest& blob : document.blobs) {
            if (auto ok = requireBlob(db, *repositoryId, blob); !ok) {
                return ok;
            }
        }
        auto existing = db.query("SELECT id FROM manifests WHERE repository_id = ? AND digest = ?");
        if (!existing) {
            return std::unexpected(existing.error());
        }
        existing->bind(*repositoryId).bind(digest.str());
        auto found = existing->next();
        if (!found) {
            return std::unexpected(found.error());
        }
        if (!*found) {
            auto count = db.query("UPDATE repositories SET manifests = manifests + 1 WHERE id = ?");
            if (!count) {
                return std::unexpected(count.error());
            }
            if (auto ok = count->bind(*repositoryId).run(); !ok) {
                return ok;
            }
        }
        auto insert = db.query(
            "INSERT INTO manifests(repository_id, digest, media_type, artifact_type, subject, "
            "annotations, size, content, created) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(repository_id, digest) DO UPDATE SET media_type = excluded.media_type "
            "RETURNING id");
        if (!insert) {
            return std::unexpected(insert.error());
        }
        insert->bind(*repositoryId)
            .bind(digest.str())
            .bind(document.mediaType)
            .bind(document.artifactType)
            .bind(document.subject ? std::string_view(document.subject->str()) : std::string_view())
            .bind(document.annotationsJson)
            .bind(static_cast<int64_t>(bytes.size()))
            .bindBlob(bytes)
            .bind(now);
        auto row = insert->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        int64_t manifestId = insert->integer(0);
        if (auto ok = insert->run(); !ok) { // let RETURNING finish
            return ok;
        }
        for (const Digest& blob : document.blobs) {
            if (auto ok = addReference(db, manifestId, BlobReference, blob); !ok) {
                return ok;
            }
        }
        for (const Digest& child : document.manifests) {
            if (auto ok = addReference(db, manifestId, ManifestReference, child); !ok) {
                return ok;
            }
        }
        if (!tag) {
            return {};
        }
        auto setTag = db.query(
            "INSERT INTO tags(repository_id, name, manifest_id, updated) VALUES(?, ?, ?, ?) "
            "ON CONFLICT DO UPDATE SET manifest_id = excluded.manifest_id, "
            "updated = excluded.updated");
        if (!setTag) {
            return std::unexpected(setTag.error());
        }
        return setTag->bind(*repositoryId).bind(*tag).bind(manifestId).bind(now).run();
    });
}

Result<std::optional<StoredManifest>> Manifests::byDigest(std::string_view repository,
                                                          const Digest& digest) {
    return m_db.read([&](DbConnection& db) -> Result<std::optional<StoredManifest>> {
        auto query = db.query("SELECT m.digest, m.media_type, m.content FROM manifests m "
                              "JOIN repositories r ON r.id = m.repository_id "
                              "WHERE r.name = ? AND m.digest = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository).bind(digest.str());
        return readManifest(*query);
    });
}

Result<std::optional<StoredManifest>> Manifests::byTag(std::string_view repository,
                                                       std::string_view tag) {
    return m_db.read([&](DbConnection& db) -> Result<std::optional<StoredManifest>> {
        auto query = db.query("SELECT m.digest, m.media_type, m.content FROM tags t "
                              "JOIN repositories r ON r.id = t.repository_id "
                              "JOIN manifests m ON m.id = t.manifest_id "
                              "WHERE r.name = ? AND t.name = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository).bind(tag);
        return readManifest(*query);
    });
}

Result<bool> Manifests::remove(std::string_view repository, const Digest& digest) {
    return m_db.write([&](DbConnection& db) -> Result<bool> {
        auto id = findRepository(db, repository);
        if (!id || !*id) {
            return id ? Result<bool>(false) : std::unexpected(id.error());
        }
        auto query = db.query("DELETE FROM manifests WHERE repository_id = ? AND digest = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(**id).bind(digest.str()).run(); !ok) {
            return std::unexpected(ok.error());
        }
        if (db.changes() == 0) {
            return false;
        }
        auto count = db.query("UPDATE repositories SET manifests = manifests - 1 WHERE id = ?");
        if (!count) {
            return std::unexpected(count.error());
        }
        if (auto ok = count->bind(**id).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return true;
    });
}

Result<bool> Manifests::untag(std::string_view repository, std::string_view tag) {
    return m_db.write([&](DbConnection& db) -> Result<bool> {
        auto query = db.query("DELETE FROM tags WHERE name = ? AND repository_id = "
                              "(SELECT id FROM repositories WHERE name = ?)");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(tag).bind(repository).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes() > 0;
    });
}

Result<std::optional<Page>> Manifests::tags(std::string_view repository, size_t limit,
                                            std::string_view last) {
    return m_db.read([&](DbConnection& db) -> Result<std::optional<Page>> {
        auto id = findRepository(db, repository);
        if (!id) {
            return std::unexpected(id.error());
        }
        if (!*id) {
            return std::optional<Page>();
        }
        auto query = db.query(
            "SELECT name FROM tags WHERE repository_id = ? AND name > ? ORDER BY name LIMIT ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(**id).bind(last).bind(sqlLimit(limit));
        auto page = readPage(*query, limit);
        if (!page) {
            return std::unexpected(page.error());
        }
        return std::optional<Page>(std::move(*page));
    });
}

Result<Page> Manifests::repositories(size_t limit, std::string_view last) {
    return m_db.read([&](DbConnection& db) -> Result<Page> {
        auto query = db.query("SELECT name FROM repositories WHERE name > ? AND manifests > 0 "
                              "ORDER BY name LIMIT ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(last).bind(sqlLimit(limit));
        return readPage(*query, limit);
    });
}

Result<std::vector<Referrer>> Manifests::referrers(std::string_view repository,
                                                   const Digest& digest) {
    return m_db.read([&](DbConnection& db) -> Result<std::vector<Referrer>> {
        auto query = db.query("SELECT m.digest, m.media_type, m.artifact_type, m.size, "
                              "m.annotations FROM manifests m JOIN repositories r "
                              "ON r.id = m.repository_id WHERE r.name = ? AND m.subject = ? "
                              "ORDER BY m.id");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository).bind(digest.str());
        std::vector<Referrer> out;
        for (;;) {
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                return out;
            }
            auto referrer = Digest::parse(query->text(0));
            if (!referrer) {
                return std::unexpected(referrer.error());
            }
            out.push_back(Referrer{
                std::move(*referrer), std::string(query->text(1)), std::string(query->text(2)),
                static_cast<uint64_t>(query->integer(3)), std::string(query->text(4))});
        }
    });
}

} // namespace pilot::registry
