#include "engine/registry/management/artifacts.h"

#include "engine/registry/management/managementdb.h"

#include <algorithm>

namespace pilot::registry::management {

namespace {

Result<std::vector<std::string>> readNames(Query& query) {
    std::vector<std::string> names;
    for (;;) {
        auto row = query.next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return names;
        }
        names.emplace_back(query.text(0));
    }
}

} // namespace

Result<std::vector<std::string>> Artifacts::repositories(std::string_view project) {
    ProjectRange range = projectRange(project);
    return m_db.read([&](DbConnection& db) -> Result<std::vector<std::string>> {
        auto query = db.query("SELECT name FROM repositories WHERE manifests > 0 AND "
                              "(name = ?1 OR (name >= ?2 AND name < ?3)) ORDER BY name");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(range.project).bind(range.lower).bind(range.upper);
        return readNames(*query);
    });
}

Result<std::vector<std::string>> Artifacts::allRepositories() {
    return m_db.read([&](DbConnection& db) -> Result<std::vector<std::string>> {
        auto query = db.query("SELECT name FROM repositories WHERE manifests > 0 ORDER BY name");
        if (!query) {
            return std::unexpected(query.error());
        }
        return readNames(*query);
    });
}

Result<std::vector<Artifact>> Artifacts::list(std::string_view repository) {
    if (auto ok = flush(); !ok) {
        return std::unexpected(ok.error());
    }
    return m_db.read([&](DbConnection& db) -> Result<std::vector<Artifact>> {
        // Tags come as one newline-separated column; children of an index in the same
        // repository and referrers are left out.
        auto query = db.query(R"sql(
            SELECT m.digest, m.media_type, m.size, m.created,
                COALESCE((SELECT group_concat(t.name, char(10)) FROM tags t
                    WHERE t.manifest_id = m.id), ''),
                COALESCE((SELECT MAX(t.updated) FROM tags t WHERE t.manifest_id = m.id), 0),
                COALESCE((SELECT p.pulled FROM artifact_pulls p
                    WHERE p.repository = r.name AND p.digest = m.digest), 0)
            FROM repositories r JOIN manifests m ON m.repository_id = r.id
            WHERE r.name = ?1 AND m.subject = ''
                AND NOT EXISTS(SELECT 1 FROM manifest_references mr
                    JOIN manifests parent ON parent.id = mr.manifest_id
                    WHERE mr.digest = m.digest AND mr.kind = 1
                        AND parent.repository_id = m.repository_id)
            ORDER BY m.created, m.id)sql");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(repository);
        std::vector<Artifact> artifacts;
        for (;;) {
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                return artifacts;
            }
            Artifact artifact;
            artifact.repository = std::string(repository);
            artifact.digest = std::string(query->text(0));
            artifact.mediaType = std::string(query->text(1));
            artifact.size = query->integer(2);
            artifact.pushed = std::max(query->integer(3), query->integer(5));
            artifact.pulled = query->integer(6);
            std::string_view tags = query->text(4);
            while (!tags.empty()) {
                size_t end = tags.find('\n');
                artifact.tags.emplace_back(tags.substr(0, end));
                tags = end == std::string_view::npos ? std::string_view() : tags.substr(end + 1);
            }
            std::ranges::sort(artifact.tags);
            artifacts.push_back(std::move(artifact));
        }
    });
}

void Artifacts::notePulled(std::string_view repository, std::string_view digest) {
    int64_t now = unixSeconds(m_clock.now());
    std::lock_guard lock(m_mutex);
    m_pulls[{std::string(repository), std::string(digest)}] = now;
}

Status Artifacts::flush() {
    std::map<std::pair<std::string, std::string>, int64_t> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_pulls);
    }
    if (batch.empty()) {
        return {};
    }
    return m_db.writeRelaxed([&](DbConnection& db) -> Status {
        for (const auto& [key, pulled] : batch) {
            auto query = db.query("INSERT INTO artifact_pulls(repository, digest, pulled) "
                                  "VALUES(?, ?, ?) ON CONFLICT(repository, digest) DO UPDATE "
                                  "SET pulled = MAX(pulled, excluded.pulled)");
            if (!query) {
                return std::unexpected(query.error());
            }
            if (auto ok = query->bind(key.first).bind(key.second).bind(pulled).run(); !ok) {
                return ok;
            }
        }
        return {};
    });
}

} // namespace pilot::registry::management
