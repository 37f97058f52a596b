#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/blobfiles.h"
#include "engine/registry/storage/registrydb.h"
#include "engine/registry/storage/uploads.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace pilot::registry {

struct GcOptions {
    /// Blobs uploaded, mounted or linked more recently than this are kept even when nothing
    /// references them yet: their push may still be going (Harbor keeps 2 h).
    std::chrono::seconds grace{std::chrono::hours(1)};
    /// Upload sessions not written to for this long are discarded.
    std::chrono::seconds uploadExpiry{std::chrono::hours(24)};
    /// Count what would go, change nothing.
    bool dryRun = false;
    /// Rows handled per write transaction, so that pushes never wait long for the writer.
    size_t batch = 200;
};

struct GcReport {
    /// Repository links to blobs no manifest of that repository references.
    size_t linksRemoved = 0;
    /// Blobs deleted (in a dry run: that would be).
    std::vector<std::string> blobsDeleted;
    uint64_t bytesFreed = 0;
    size_t uploadsExpired = 0;
    /// Blob files without a database row (left by a crash) removed.
    size_t strayFilesRemoved = 0;
};

/// Online mark-and-sweep garbage collection. The marks are the references the database keeps
/// for every manifest (`manifest_references`), so marking is a query, not a walk; sweeping
/// runs in small write transactions while pushes and pulls go on. A blob is deleted only when
/// no manifest anywhere references it, no repository links it, and it was not uploaded or
/// mounted within the grace window; its file is unlinked inside the same transaction that drops
/// its row (uploads rename files into place inside theirs), so a concurrent re-push of the same
/// digest never loses its file. Thread-safe; runs in the caller's thread.
class GarbageCollector {
public:
    GarbageCollector(RegistryDb& db, const BlobFiles& files, Uploads& uploads, const Clock& clock)
        : m_db(db), m_files(files), m_uploads(uploads), m_clock(clock) {}

    [[nodiscard]] Result<GcReport> run(const GcOptions& options);

private:
    [[nodiscard]] Status sweepLinks(const GcOptions& options, int64_t cutoff, GcReport& report);
    [[nodiscard]] Status sweepBlobs(const GcOptions& options, int64_t cutoff, GcReport& report);
    [[nodiscard]] Status sweepStrayFiles(const GcOptions& options, TimePoint cutoff,
                                         GcReport& report);

    RegistryDb& m_db;
    const BlobFiles& m_files;
    Uploads& m_uploads;
    const Clock& m_clock;
};

} // namespace pilot::registry
