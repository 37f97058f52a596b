#include "engine/registry/storage/artifactqueries.h"

#include <fmt/format.h>

#include <map>

namespace pilot::registry::artifactqueries {

namespace {

constexpr std::string_view RepositorySelect =
    "SELECT r.id, r.name, r.manifests, r.created, "
    "MAX(r.created, COALESCE((SELECT MAX(created) FROM manifests WHERE repository_id = r.id), 0), "
    "COALESCE((SELECT MAX(updated) FROM tags WHERE repository_id = r.id), 0)) "
    "FROM repositories r ";

RepositoryInfo readRepository(Query& q) {
    return RepositoryInfo{q.integer(0), std::string(q.text(1)), q.integer(2), q.integer(3),
                          q.integer(4)};
}

constexpr std::string_view ArtifactSelect =
    "SELECT m.id, m.repository_id, m.digest, m.media_type, m.artifact_type, m.subject, "
    "m.annotations, m.size + COALESCE((SELECT SUM(b.size) FROM manifest_references mr "
    "JOIN blobs b ON b.digest = mr.digest WHERE mr.manifest_id = m.id AND mr.kind = 0), 0), "
    "m.created FROM manifests m JOIN repositories r ON r.id = m.repository_id ";

ArtifactInfo readArtifact(Query& q) {
    ArtifactInfo a;
    a.id = q.integer(0);
    a.repositoryId = q.integer(1);
    a.digest = q.text(2);
    a.mediaType = q.text(3);
    a.artifactType = q.text(4);
    a.subject = q.text(5);
    a.annotationsJson = q.text(6);
    a.size = q.integer(7);
    a.pushed = q.integer(8);
    return a;
}

template <typename T, typename Read>
Result<std::vector<T>> readAll(Query& q, Read read) {
    std::vector<T> out;
    for (;;) {
        auto row = q.next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return out;
        }
        out.push_back(read(q));
    }
}

Status attachTags(DbConnection& db, std::string_view repository,
                  std::vector<ArtifactInfo>& artifacts) {
    auto query = db.query("SELECT t.repository_id, t.manifest_id, t.name, t.updated FROM tags t "
                          "JOIN repositories r ON r.id = t.repository_id WHERE r.name = ? "
                          "ORDER BY t.updated DESC, t.name");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(repository);
    auto tags = readAll<TagInfo>(*query, [](Query& q) {
        return TagInfo{q.integer(0), q.integer(1), std::string(q.text(2)), q.integer(3)};
    });
    if (!tags) {
        return std::unexpected(tags.error());
    }
    std::map<int64_t, ArtifactInfo*> byId;
    for (ArtifactInfo& a : artifacts) {
        byId[a.id] = &a;
    }
    for (TagInfo& tag : *tags) {
        if (auto found = byId.find(tag.artifactId); found != byId.end()) {
            found->second->tags.push_back(std::move(tag));
        }
    }
    return {};
}

} // namespace

Result<std::vector<RepositoryInfo>> repositories(RegistryDb& db, std::string_view prefix) {
    // Names sort byte-wise; every name with the prefix lies in [prefix, prefix + 0xff).
    std::string upper = std::string(prefix) + "\xff";
    return db.read([&](DbConnection& c) -> Result<std::vector<RepositoryInfo>> {
        auto query = c.query(fmt::format("{} WHERE r.manifests > 0 AND r.name >= ? AND r.name < ? "
                                         "ORDER BY r.name",
                                         RepositorySelect));
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(prefix).bind(upper);
        return readAll<RepositoryInfo>(*query, readRepository);
    });
}

Result<std::optional<RepositoryInfo>> repository(RegistryDb& db, std::string_view name) {
    return db.read([&](DbConnection& c) -> Result<std::optional<RepositoryInfo>> {
        auto query =
            c.query(fmt::format("{} WHERE r.manifests > 0 AND r.name = ?", RepositorySelect));
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(name);
        auto rows = readAll<RepositoryInfo>(*query, readRepository);
        if (!rows) {
            return std::unexpected(rows.error());
        }
        return rows->empty() ? std::optional<RepositoryInfo>() : std::optional(rows->front());
    });
}

Result<std::vector<ArtifactInfo>> artifacts(RegistryDb& db, std::string_view repository) {
    return db.read([&](DbConnection& c) -> Result<std::vector<ArtifactInfo>> {
        auto query = c.query(
            fmt::format("{} WHERE r.name = ? ORDER BY m.created DESC, m.id DESC", ArtifactSelect));
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository);
        auto rows = readAll<ArtifactInfo>(*query, readArtifact);
        if (!rows) {
            return std::unexpected(rows.error());
        }
        if (auto ok = attachTags(c, repository, *rows); !ok) {
            return std::unexpected(ok.error());
        }
        return rows;
    });
}

Result<std::optional<ArtifactInfo>> artifact(RegistryDb& db, std::string_view repository,
                                             std::string_view reference) {
    bool byDigest = reference.find(':') != std::string_view::npos;
    return db.read([&](DbConnection& c) -> Result<std::optional<ArtifactInfo>> {
        auto query =
            c.query(byDigest ? fmt::format("{} WHERE r.name = ? AND m.digest = ?", ArtifactSelect)
                             : fmt::format("{} JOIN tags t ON t.manifest_id = m.id "
                                           "WHERE r.name = ? AND t.name = ?",
                                           ArtifactSelect));
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository).bind(reference);
        auto rows = readAll<ArtifactInfo>(*query, readArtifact);
        if (!rows) {
            return std::unexpected(rows.error());
        }
        if (rows->empty()) {
            return std::optional<ArtifactInfo>();
        }
        rows->resize(1);
        if (auto ok = attachTags(c, repository, *rows); !ok) {
            return std::unexpected(ok.error());
        }
        return std::optional<ArtifactInfo>(std::move(rows->front()));
    });
}

Status addTag(RegistryDb& db, std::string_view repository, std::string_view digest,
              std::string_view tag, int64_t now) {
    return db.write([&](DbConnection& c) -> Status {
        auto manifest = c.query("SELECT m.id, m.repository_id FROM manifests m JOIN repositories r "
                                "ON r.id = m.repository_id WHERE r.name = ? AND m.digest = ?");
        if (!manifest) {
            return std::unexpected(manifest.error());
        }
        manifest->bind(repository).bind(digest);
        auto row = manifest->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return fail(ErrorCode::NotFound,
                        fmt::format("artifact {}@{} not found", repository, digest));
        }
        int64_t manifestId = manifest->integer(0);
        int64_t repositoryId = manifest->integer(1);
        auto insert = c.query("INSERT INTO tags(repository_id, name, manifest_id, updated) "
                              "VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING");
        if (!insert) {
            return std::unexpected(insert.error());
        }
        if (auto ok = insert->bind(repositoryId).bind(tag).bind(manifestId).bind(now).run(); !ok) {
            return ok;
        }
        if (c.changes() == 0) {
            return fail(ErrorCode::AlreadyExists,
                        fmt::format("tag {} already exists in {}", tag, repository));
        }
        return {};
    });
}

} // namespace pilot::registry::artifactqueries
