#include "engine/registry/server/registryservice.h"

#include "engine/registry/access/accessstore.h"
#include "engine/registry/access/adminaccess.h"
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/tokenservice.h"
#include "engine/registry/distribution/distribution.h"
#include "engine/registry/harbor/harborapi.h"
#include "engine/registry/harbor/managementroutes.h"
#include "engine/registry/management/registrymanagement.h"
#include "engine/registry/storage/registrystorage.h"

#include "core/log.h"
#include "core/threadname.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace pilot::registry {

namespace {

/// Abandoned uploads (a client that died mid-push) are discarded after this long idle...
constexpr auto UploadExpiry = std::chrono::hours(24);
/// ... checked this often. Blob garbage collection is not scheduled here: it runs when asked.
constexpr auto HousekeepingInterval = std::chrono::hours(1);

} // namespace

struct RegistryService::Parts {
    std::unique_ptr<RegistryStorage> storage;
    std::unique_ptr<AccessStore> accessStore;
    std::unique_ptr<TokenService> tokens;
    std::unique_ptr<HarborAccess> access;
    /// Quotas, audit log, retention, GC jobs: outlives the handlers that call its hooks.
    std::unique_ptr<management::RegistryManagement> management;
    std::unique_ptr<Distribution> distribution;
    std::unique_ptr<harbor::HarborApi> harbor;
    std::unique_ptr<RegistryServer> server;
    std::thread housekeeping;
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;

    void keepHouse() {
        setThreadName("registry-house");
        std::unique_lock lock(mutex);
        while (!wake.wait_for(lock, HousekeepingInterval, [this] { return stopping; })) {
            lock.unlock();
            auto expired =
                storage->uploads().expire(std::chrono::system_clock::now() - UploadExpiry);
            if (!expired) {
                log::warn("registry", "expiring idle uploads: {}", expired.error().message);
            } else if (*expired > 0) {
                log::info("registry", "discarded {} upload sessions idle for a day", *expired);
            }
            lock.lock();
        }
    }
};

RegistryService::RegistryService() : m_parts(std::make_unique<Parts>()) {}

RegistryService::~RegistryService() {
    stop();
}

Result<std::unique_ptr<RegistryService>>
RegistryService::start(const RegistryServiceOptions& options, RegistryTlsConfigurer tls) {
    std::unique_ptr<RegistryService> service(new RegistryService());
    Parts& parts = *service->m_parts;
    auto storage = RegistryStorage::open(StorageOptions{options.dataDir + "/registry", nullptr});
    if (!storage) {
        return std::unexpected(storage.error());
    }
    parts.storage = std::move(*storage);
    auto administrator = loadOrCreateAdminCredential(options.dataDir + "/registry-admin");
    if (!administrator) {
        return std::unexpected(administrator.error());
    }
    auto accessStore = AccessStore::open(parts.storage->db());
    if (!accessStore) {
        return std::unexpected(accessStore.error());
    }
    parts.accessStore = std::move(*accessStore);
    if (auto admin = parts.accessStore->ensureAdministrator(administrator->username,
                                                            administrator->password);
        !admin) {
        return std::unexpected(admin.error());
    }
    auto tokens = TokenService::open(options.dataDir + "/registry/token-key.pem");
    if (!tokens) {
        return std::unexpected(tokens.error());
    }
    parts.tokens = std::move(*tokens);
    parts.access = std::make_unique<HarborAccess>(*parts.accessStore, *parts.tokens);
    auto management = management::RegistryManagement::open(
        *parts.storage, management::ManagementOptions::fromEnvironment());
    if (!management) {
        return std::unexpected(management.error());
    }
    parts.management = std::move(*management);
    DistributionOptions distributionOptions;
    distributionOptions.hooks = &parts.management->hooks();
    parts.distribution =
        std::make_unique<Distribution>(*parts.storage, *parts.access, distributionOptions);
    parts.harbor = std::make_unique<harbor::HarborApi>(*parts.storage, *parts.access);
    // Harbor API extensions (quota*, retention*, audit*, gc* in engine/registry/harbor) register
    // their routes on parts.harbor->router() here, before the listener starts.
    harbor::registerManagementRoutes(parts.harbor->router(), *parts.management);
    RegistryServerOptions serverOptions;
    serverOptions.host = options.host;
    serverOptions.port = options.port;
    parts.server = std::make_unique<RegistryServer>(
        serverOptions, std::move(tls), [&parts](const RegistryRequest& request) {
            if (harbor::HarborApi::handles(request.target)) {
                return parts.harbor->begin(request);
            }
            return parts.distribution->begin(request);
        });
    auto port = parts.server->start();
    if (!port) {
        return std::unexpected(port.error());
    }
    service->m_port = *port;
    parts.housekeeping = std::thread([&parts] { parts.keepHouse(); });
    return service;
}

RegistryStorage& RegistryService::storage() {
    return *m_parts->storage;
}

void RegistryService::stop() {
    if (m_parts->server) {
        m_parts->server->stop();
    }
    {
        std::lock_guard lock(m_parts->mutex);
        m_parts->stopping = true;
    }
    m_parts->wake.notify_all();
    if (m_parts->housekeeping.joinable()) {
        m_parts->housekeeping.join();
    }
}

} // namespace pilot::registry
