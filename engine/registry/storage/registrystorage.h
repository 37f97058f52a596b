#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/blobfiles.h"
#include "engine/registry/storage/blobs.h"
#include "engine/registry/storage/garbagecollector.h"
#include "engine/registry/storage/manifests.h"
#include "engine/registry/storage/registrydb.h"
#include "engine/registry/storage/uploads.h"

#include <memory>
#include <string>

namespace pilot::registry {

struct StorageOptions {
    /// DATA/registry: blobs/, uploads/ and registry.db live here.
    std::string root;
    /// Time source for push times and garbage collection; the system clock when null.
    const Clock* clock = nullptr;
};

/// The registry's storage: content-addressed blob files, upload sessions, and the SQLite
/// metadata (repositories, manifests with their exact bytes, tags, referrers, blob links),
/// plus garbage collection. Every part is thread-safe.
class RegistryStorage {
public:
    [[nodiscard]] static Result<std::unique_ptr<RegistryStorage>> open(StorageOptions options);

    [[nodiscard]] Blobs& blobs() { return *m_blobs; }
    [[nodiscard]] Uploads& uploads() { return *m_uploads; }
    [[nodiscard]] Manifests& manifests() { return *m_manifests; }
    /// Runs garbage collection now, in the calling thread (see GarbageCollector).
    [[nodiscard]] Result<GcReport> collectGarbage(const GcOptions& options = {});
    [[nodiscard]] const std::string& root() const { return m_options.root; }
    /// The metadata database, for components that keep their own tables in it (the access
    /// model) or read it directly (artifactqueries.h).
    [[nodiscard]] RegistryDb& db() { return *m_db; }
    /// The time source storage stamps pushes with.
    [[nodiscard]] const Clock& clock() const {
        return m_options.clock != nullptr ? *m_options.clock : m_systemClock;
    }

private:
    RegistryStorage() = default;

    StorageOptions m_options;
    SystemClock m_systemClock;
    std::unique_ptr<RegistryDb> m_db;
    std::unique_ptr<BlobFiles> m_files;
    std::unique_ptr<Blobs> m_blobs;
    std::unique_ptr<Uploads> m_uploads;
    std::unique_ptr<Manifests> m_manifests;
    std::unique_ptr<GarbageCollector> m_collector;
};

} // namespace pilot::registry
