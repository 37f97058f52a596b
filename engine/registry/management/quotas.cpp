#include "engine/registry/management/quotas.h"

#include "engine/registry/management/managementdb.h"

#include <fmt/format.h>

#include <array>

namespace pilot::registry::management {

namespace {

constexpr std::string_view QuotaColumns =
    "id, project_id, project_name, owner_name, hard_storage, created, updated";

Quota readQuota(const Query& query) {
    return Quota{query.integer(0),           query.integer(1), std::string(query.text(2)),
                 std::string(query.text(3)), query.integer(4), 0,
                 query.integer(5),           query.integer(6)};
}

Status validateHard(int64_t hardStorage) {
    if (hardStorage <= 0 && hardStorage != UnlimitedStorage) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("hard.storage: invalid value {} (a positive number of bytes, or "
                                "-1 for no limit)",
                                hardStorage));
    }
    return {};
}

Result<std::optional<Quota>> selectOne(DbConnection& db, std::string_view where,
                                       const std::function<void(Query&)>& bind) {
    auto query = db.query(fmt::format("SELECT {} FROM quotas WHERE {}", QuotaColumns, where));
    if (!query) {
        return std::unexpected(query.error());
    }
    bind(*query);
    auto row = query->next();
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<Quota>();
    }
    return std::optional<Quota>(readQuota(*query));
}

/// Distinct blobs linked to, and manifests stored in, the project's repositories.
Result<int64_t> usageIn(DbConnection& db, const ProjectRange& range) {
    auto query = db.query(R"sql(
        SELECT COALESCE(SUM(size), 0) FROM (
            SELECT b.digest, b.size FROM repositories r
                JOIN repository_blobs rb ON rb.repository_id = r.id
                JOIN blobs b ON b.digest = rb.digest
                WHERE r.name = ?1 OR (r.name >= ?2 AND r.name < ?3)
            UNION
            SELECT m.digest, m.size FROM repositories r
                JOIN manifests m ON m.repository_id = r.id
                WHERE r.name = ?1 OR (r.name >= ?2 AND r.name < ?3)))sql");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(range.project).bind(range.lower).bind(range.upper);
    auto row = query->next();
    if (!row) {
        return std::unexpected(row.error());
    }
    return *row ? query->integer(0) : 0;
}

Result<bool> exists(Query& query) {
    auto row = query.next();
    if (!row) {
        return std::unexpected(row.error());
    }
    return *row;
}

Result<bool> blobInProject(DbConnection& db, const ProjectRange& range, const Digest& digest) {
    auto query = db.query("SELECT 1 FROM repository_blobs rb JOIN repositories r "
                          "ON r.id = rb.repository_id WHERE rb.digest = ?1 "
                          "AND (r.name = ?2 OR (r.name >= ?3 AND r.name < ?4)) LIMIT 1");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(digest.str()).bind(range.project).bind(range.lower).bind(range.upper);
    return exists(*query);
}

Result<bool> manifestInProject(DbConnection& db, const ProjectRange& range, const Digest& digest) {
    auto query = db.query("SELECT 1 FROM repositories r JOIN manifests m "
                          "ON m.repository_id = r.id AND m.digest = ?1 "
                          "WHERE r.name = ?2 OR (r.name >= ?3 AND r.name < ?4) LIMIT 1");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(digest.str()).bind(range.project).bind(range.lower).bind(range.upper);
    return exists(*query);
}

Result<int64_t> blobSize(DbConnection& db, const Digest& digest) {
    auto query = db.query("SELECT size FROM blobs WHERE digest = ?");
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(digest.str());
    auto row = query->next();
    if (!row) {
        return std::unexpected(row.error());
    }
    return *row ? query->integer(0) : 0;
}

} // namespace

std::string formatBytes(int64_t bytes) {
    static constexpr std::array<std::string_view, 5> Units{"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) {
        return fmt::format("{} B", bytes);
    }
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    value /= 1024.0;
    while (value >= 1024.0 && unit + 1 < Units.size()) {
        value /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.1f} {}", value, Units[unit]);
}

std::string quotaExceededMessage(int64_t adding, int64_t used, int64_t hard) {
    return fmt::format("Quota exceeded when processing the request of adding {} of storage "
                       "resource, which when updated to current usage of {} will exceed the "
                       "configured upper limit of {}.",
                       formatBytes(adding), formatBytes(used), formatBytes(hard));
}

Result<Quota> Quotas::setForProject(int64_t projectId, std::string_view projectName,
                                    std::string_view ownerName, int64_t hardStorage) {
    if (auto ok = validateHard(hardStorage); !ok) {
        return std::unexpected(ok.error());
    }
    int64_t now = unixSeconds(m_clock.now());
    auto written = m_db.write([&](DbConnection& db) -> Status {
        auto query = db.query(
            "INSERT INTO quotas(project_id, project_name, owner_name, hard_storage, created, "
            "updated) VALUES(?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(project_id) DO UPDATE SET "
            "project_name = excluded.project_name, owner_name = excluded.owner_name, "
            "hard_storage = excluded.hard_storage, updated = excluded.updated");
        if (!query) {
            return std::unexpected(query.error());
        }
        return query->bind(projectId)
            .bind(projectName)
            .bind(ownerName)
            .bind(hardStorage)
            .bind(now)
            .run();
    });
    if (!written) {
        return std::unexpected(written.error());
    }
    auto quota = forProject(projectName);
    if (!quota) {
        return std::unexpected(quota.error());
    }
    if (!*quota) {
        return fail(ErrorCode::Internal, fmt::format("quota of project {} vanished", projectName));
    }
    return std::move(**quota);
}

Status Quotas::ensureForProject(int64_t projectId, std::string_view projectName,
                                std::string_view ownerName) {
    int64_t now = unixSeconds(m_clock.now());
    return m_db.write([&](DbConnection& db) -> Status {
        auto query = db.query("INSERT INTO quotas(project_id, project_name, owner_name, "
                              "hard_storage, created, updated) VALUES(?1, ?2, ?3, -1, ?4, ?4) "
                              "ON CONFLICT DO NOTHING");
        if (!query) {
            return std::unexpected(query.error());
        }
        return query->bind(projectId).bind(projectName).bind(ownerName).bind(now).run();
    });
}

Result<bool> Quotas::removeForProject(int64_t projectId) {
    return m_db.write([&](DbConnection& db) -> Result<bool> {
        auto query = db.query("DELETE FROM quotas WHERE project_id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(projectId).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes() > 0;
    });
}

Result<std::optional<Quota>> Quotas::get(int64_t id) {
    return m_db.read([&](DbConnection& db) -> Result<std::optional<Quota>> {
        auto quota = selectOne(db, "id = ?", [&](Query& q) { q.bind(id); });
        if (!quota || !*quota) {
            return quota;
        }
        auto used = usageIn(db, projectRange((*quota)->projectName));
        if (!used) {
            return std::unexpected(used.error());
        }
        (*quota)->usedStorage = *used;
        return quota;
    });
}

Result<std::optional<Quota>> Quotas::forProject(std::string_view projectName) {
    return m_db.read([&](DbConnection& db) -> Result<std::optional<Quota>> {
        auto quota = selectOne(db, "project_name = ?", [&](Query& q) { q.bind(projectName); });
        if (!quota || !*quota) {
            return quota;
        }
        auto used = usageIn(db, projectRange(projectName));
        if (!used) {
            return std::unexpected(used.error());
        }
        (*quota)->usedStorage = *used;
        return quota;
    });
}

Result<QuotaPage> Quotas::list(std::optional<int64_t> projectId, int64_t offset, int64_t limit) {
    return m_db.read([&](DbConnection& db) -> Result<QuotaPage> {
        QuotaPage page;
        std::string_view filter = projectId ? " WHERE project_id = ?" : "";
        auto count = db.query(fmt::format("SELECT COUNT(*) FROM quotas{}", filter));
        if (!count) {
            return std::unexpected(count.error());
        }
        if (projectId) {
            count->bind(*projectId);
        }
        if (auto row = count->next(); !row) {
            return std::unexpected(row.error());
        }
        page.total = count->integer(0);
        auto query = db.query(fmt::format("SELECT {} FROM quotas{} ORDER BY id LIMIT ? OFFSET ?",
                                          QuotaColumns, filter));
        if (!query) {
            return std::unexpected(query.error());
        }
        if (projectId) {
            query->bind(*projectId);
        }
        query->bind(limit).bind(offset);
        for (;;) {
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                break;
            }
            page.items.push_back(readQuota(*query));
        }
        for (Quota& quota : page.items) {
            auto used = usageIn(db, projectRange(quota.projectName));
            if (!used) {
                return std::unexpected(used.error());
            }
            quota.usedStorage = *used;
        }
        return page;
    });
}

Result<Quota> Quotas::setHard(int64_t id, int64_t hardStorage) {
    if (auto ok = validateHard(hardStorage); !ok) {
        return std::unexpected(ok.error());
    }
    int64_t now = unixSeconds(m_clock.now());
    auto changed = m_db.write([&](DbConnection& db) -> Result<bool> {
        auto query = db.query("UPDATE quotas SET hard_storage = ?, updated = ? WHERE id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(hardStorage).bind(now).bind(id).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes() > 0;
    });
    if (!changed) {
        return std::unexpected(changed.error());
    }
    if (!*changed) {
        return fail(ErrorCode::NotFound, fmt::format("quota {} not found", id));
    }
    auto quota = get(id);
    if (!quota) {
        return std::unexpected(quota.error());
    }
    if (!*quota) {
        return fail(ErrorCode::NotFound, fmt::format("quota {} not found", id));
    }
    return std::move(**quota);
}

Result<int64_t> Quotas::usage(std::string_view projectName) {
    return m_db.read([&](DbConnection& db) -> Result<int64_t> {
        return usageIn(db, projectRange(projectName));
    });
}

Result<std::optional<std::string>> Quotas::checkBlob(std::string_view repository,
                                                     const Digest& digest, uint64_t size) {
    return check(repository, {{digest, size}}, std::nullopt);
}

Result<std::optional<std::string>> Quotas::checkManifest(std::string_view repository,
                                                         const Digest& digest,
                                                         const ManifestDocument& document,
                                                         uint64_t size) {
    std::vector<std::pair<Digest, uint64_t>> blobs;
    blobs.reserve(document.blobs.size());
    for (const Digest& blob : document.blobs) {
        blobs.emplace_back(blob, 0); // size from the blobs table, when the project lacks it
    }
    return check(repository, blobs, std::pair<Digest, uint64_t>{digest, size});
}

Result<std::optional<std::string>>
Quotas::check(std::string_view repository, const std::vector<std::pair<Digest, uint64_t>>& blobs,
              std::optional<std::pair<Digest, uint64_t>> manifest) {
    ProjectRange range = projectRange(projectOf(repository));
    return m_db.read([&](DbConnection& db) -> Result<std::optional<std::string>> {
        auto quota = selectOne(db, "project_name = ?", [&](Query& q) { q.bind(range.project); });
        if (!quota) {
            return std::unexpected(quota.error());
        }
        if (!*quota || (*quota)->hardStorage == UnlimitedStorage) {
            return std::optional<std::string>();
        }
        int64_t adding = 0;
        for (const auto& [digest, size] : blobs) {
            auto present = blobInProject(db, range, digest);
            if (!present) {
                return std::unexpected(present.error());
            }
            if (*present) {
                continue;
            }
            int64_t bytes = static_cast<int64_t>(size);
            if (bytes == 0) {
                auto stored = blobSize(db, digest);
                if (!stored) {
                    return std::unexpected(stored.error());
                }
                bytes = *stored;
            }
            adding += bytes;
        }
        if (manifest) {
            auto present = manifestInProject(db, range, manifest->first);
            if (!present) {
                return std::unexpected(present.error());
            }
            if (!*present) {
                adding += static_cast<int64_t>(manifest->second);
            }
        }
        if (adding == 0) {
            return std::optional<std::string>();
        }
        auto used = usageIn(db, range);
        if (!used) {
            return std::unexpected(used.error());
        }
        if (*used + adding <= (*quota)->hardStorage) {
            return std::optional<std::string>();
        }
        return std::optional<std::string>(
            quotaExceededMessage(adding, *used, (*quota)->hardStorage));
    });
}

} // namespace pilot::registry::management
