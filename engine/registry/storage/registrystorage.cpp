#include "engine/registry/storage/registrystorage.h"

#include <fmt/format.h>

#include <filesystem>

namespace pilot::registry {

Result<std::unique_ptr<RegistryStorage>> RegistryStorage::open(StorageOptions options) {
    std::unique_ptr<RegistryStorage> storage(new RegistryStorage());
    storage->m_options = std::move(options);
    const std::string& root = storage->m_options.root;
    const Clock& clock = storage->m_options.clock != nullptr
                             ? *storage->m_options.clock
                             : static_cast<const Clock&>(storage->m_systemClock);
    std::error_code ec;
    std::filesystem::create_directories(root, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", root, ec.message()));
    }
    auto db = RegistryDb::open(root + "/registry.db");
    if (!db) {
        return std::unexpected(db.error());
    }
    storage->m_db = std::move(*db);
    storage->m_files = std::make_unique<BlobFiles>(root + "/blobs");
    if (auto ok = storage->m_files->prepare(); !ok) {
        return std::unexpected(ok.error());
    }
    storage->m_uploads =
        std::make_unique<Uploads>(*storage->m_db, *storage->m_files, root + "/uploads", clock);
    if (auto ok = storage->m_uploads->prepare(); !ok) {
        return std::unexpected(ok.error());
    }
    storage->m_blobs = std::make_unique<Blobs>(*storage->m_db, *storage->m_files, clock);
    storage->m_manifests = std::make_unique<Manifests>(*storage->m_db, clock);
    storage->m_collector = std::make_unique<GarbageCollector>(*storage->m_db, *storage->m_files,
                                                              *storage->m_uploads, clock);
    return storage;
}

Result<GcReport> RegistryStorage::collectGarbage(const GcOptions& options) {
    return m_collector->run(options);
}

} // namespace pilot::registry
