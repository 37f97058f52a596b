#include "engine/registry/storage/garbagecollector.h"

#include "core/log.h"

#include <fmt/format.h>

#include <filesystem>
#include <sys/stat.h>
#include <utility>

namespace pilot::registry {

namespace {

// A repository's link to a blob that none of the repository's manifests references.
constexpr std::string_view UnreferencedLinks =
    "SELECT rb.repository_id, rb.digest FROM repository_blobs rb WHERE rb.created < ? "
    "AND NOT EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests m "
    "ON m.id = mr.manifest_id WHERE mr.digest = rb.digest AND mr.kind = 0 "
    "AND m.repository_id = rb.repository_id) LIMIT ?";

// A blob nothing links or references, untouched since the cutoff.
constexpr std::string_view UnreferencedBlobs =
    "SELECT b.digest, b.size FROM blobs b WHERE b.touched < ? "
    "AND NOT EXISTS (SELECT 1 FROM repository_blobs rb WHERE rb.digest = b.digest) "
    "AND NOT EXISTS (SELECT 1 FROM manifest_references mr WHERE mr.digest = b.digest) LIMIT ?";

template <typename Row>
Result<std::vector<Row>> collectRows(Query& query, Row (*read)(Query&)) {
    std::vector<Row> rows;
    for (;;) {
        auto row = query.next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return rows;
        }
        rows.push_back(read(query));
    }
}

std::pair<int64_t, std::string> readLink(Query& query) {
    return {query.integer(0), std::string(query.text(1))};
}

std::pair<std::string, int64_t> readBlob(Query& query) {
    return {std::string(query.text(0)), query.integer(1)};
}

int64_t unbounded(const GcOptions& options) {
    return options.dryRun ? std::numeric_limits<int64_t>::max()
                          : static_cast<int64_t>(std::max<size_t>(options.batch, 1));
}

} // namespace

Result<GcReport> GarbageCollector::run(const GcOptions& options) {
    GcReport report;
    TimePoint now = m_clock.now();
    if (!options.dryRun) {
        auto expired = m_uploads.expire(now - options.uploadExpiry);
        if (!expired) {
            return std::unexpected(expired.error());
        }
        report.uploadsExpired = *expired;
    }
    TimePoint cutoff = now - options.grace;
    if (auto ok = sweepLinks(options, unixSeconds(cutoff), report); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = sweepBlobs(options, unixSeconds(cutoff), report); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = sweepStrayFiles(options, cutoff, report); !ok) {
        return std::unexpected(ok.error());
    }
    log::info("registry",
              "garbage collection{}: {} links removed, {} blobs ({} bytes) deleted, {} uploads "
              "expired, {} stray files removed",
              options.dryRun ? " (dry run)" : "", report.linksRemoved, report.blobsDeleted.size(),
              report.bytesFreed, report.uploadsExpired, report.strayFilesRemoved);
    return report;
}

Status GarbageCollector::sweepLinks(const GcOptions& options, int64_t cutoff, GcReport& report) {
    for (;;) {
        auto removed = m_db.write([&](DbConnection& db) -> Result<size_t> {
            auto select = db.query(UnreferencedLinks);
            if (!select) {
                return std::unexpected(select.error());
            }
            select->bind(cutoff).bind(unbounded(options));
            auto links = collectRows(*select, readLink);
            if (!links) {
                return std::unexpected(links.error());
            }
            if (options.dryRun) {
                return links->size();
            }
            for (const auto& [repositoryId, digest] : *links) {
                auto remove =
                    db.query("DELETE FROM repository_blobs WHERE repository_id = ? AND digest = ?");
                if (!remove) {
                    return std::unexpected(remove.error());
                }
                if (auto ok = remove->bind(repositoryId).bind(digest).run(); !ok) {
                    return std::unexpected(ok.error());
                }
            }
            return links->size();
        });
        if (!removed) {
            return std::unexpected(removed.error());
        }
        report.linksRemoved += *removed;
        if (options.dryRun || *removed < options.batch) {
            return {};
        }
    }
}

Status GarbageCollector::sweepBlobs(const GcOptions& options, int64_t cutoff, GcReport& report) {
    // In a dry run the links above were not removed, so blobs held only by them count too.
    std::string_view sql = UnreferencedBlobs;
    std::string dryRunSql;
    if (options.dryRun) {
        dryRunSql = fmt::format(
            "SELECT b.digest, b.size FROM blobs b WHERE b.touched < ? AND NOT EXISTS (SELECT 1 "
            "FROM repository_blobs rb WHERE rb.digest = b.digest AND (rb.created >= {} OR "
            "EXISTS (SELECT 1 FROM manifest_references mr JOIN manifests m ON m.id = "
            "mr.manifest_id WHERE mr.digest = rb.digest AND mr.kind = 0 AND m.repository_id = "
            "rb.repository_id))) AND NOT EXISTS (SELECT 1 FROM manifest_references mr WHERE "
            "mr.digest = b.digest) LIMIT ?",
            cutoff);
        sql = dryRunSql;
    }
    for (;;) {
        std::vector<std::pair<std::string, int64_t>> deleted;
        auto swept = m_db.write([&](DbConnection& db) -> Status {
            auto select = db.query(sql);
            if (!select) {
                return std::unexpected(select.error());
            }
            select->bind(cutoff).bind(unbounded(options));
            auto blobs = collectRows(*select, readBlob);
            if (!blobs) {
                return std::unexpected(blobs.error());
            }
            deleted = std::move(*blobs);
            if (options.dryRun) {
                return {};
            }
            for (const auto& [digestText, size] : deleted) {
                auto remove = db.query("DELETE FROM blobs WHERE digest = ?");
                if (!remove) {
                    return std::unexpected(remove.error());
                }
                if (auto ok = remove->bind(digestText).run(); !ok) {
                    return ok;
                }
            }
            // Files go last, once every row is gone: a failure above rolls back with no file
            // touched.
            for (const auto& [digestText, size] : deleted) {
                auto digest = Digest::parse(digestText);
                if (!digest) {
                    continue;
                }
                if (auto ok = m_files.remove(*digest); !ok) {
                    log::warn("registry", "garbage collection: {}", ok.error().message);
                }
            }
            return {};
        });
        if (!swept) {
            return swept;
        }
        for (auto& [digest, size] : deleted) {
            report.bytesFreed += static_cast<uint64_t>(size);
            report.blobsDeleted.push_back(std::move(digest));
        }
        if (options.dryRun || deleted.size() < options.batch) {
            return {};
        }
    }
}

Status GarbageCollector::sweepStrayFiles(const GcOptions& options, TimePoint cutoff,
                                         GcReport& report) {
    auto cutoffTime = std::chrono::system_clock::to_time_t(cutoff);
    std::error_code ec;
    std::filesystem::recursive_directory_iterator it(m_files.root(), ec);
    for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() != 2 || !it->is_regular_file()) {
            continue;
        }
        std::filesystem::path path = it->path();
        auto digest = Digest::parse(path.parent_path().parent_path().filename().string() + ":" +
                                    path.filename().string());
        struct stat st {};
        if (!digest || ::stat(path.c_str(), &st) != 0 || st.st_mtime >= cutoffTime) {
            continue;
        }
        // Checked and removed inside a write transaction: uploads rename files into place
        // inside theirs, so a file on its way in is never taken for a stray.
        auto removed = m_db.write([&](DbConnection& db) -> Result<bool> {
            auto query = db.query("SELECT 1 FROM blobs WHERE digest = ?");
            if (!query) {
                return std::unexpected(query.error());
            }
            query->bind(digest->str());
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (*row || options.dryRun) {
                return !*row;
            }
            if (auto ok = m_files.remove(*digest); !ok) {
                return std::unexpected(ok.error());
            }
            return true;
        });
        if (!removed) {
            return std::unexpected(removed.error());
        }
        if (*removed) {
            ++report.strayFilesRemoved;
        }
    }
    return {};
}

} // namespace pilot::registry
