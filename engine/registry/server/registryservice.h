#pragma once

#include "core/error.h"
#include "engine/registry/server/registryserver.h"

#include <cstdint>
#include <memory>
#include <string>

namespace pilot::registry {

class RegistryStorage;

struct RegistryServiceOptions {
    /// The engine's data directory: storage goes to DIR/registry, the first administrator to
    /// DIR/registry-admin.
    std::string dataDir;
    std::string host = "127.0.0.1";
    uint16_t port = 0;
};

/// The whole registry as the engine runs it: storage, the administrator credential and access
/// policy, the distribution handlers and the listener, started and stopped together, plus an
/// hourly housekeeping pass that discards upload sessions idle for a day. Blob garbage
/// collection runs only when asked (`storage().collectGarbage()`).
class RegistryService {
public:
    /// Opens storage, loads or creates the administrator, and starts listening with TLS set
    /// up by `tls`.
    [[nodiscard]] static Result<std::unique_ptr<RegistryService>>
    start(const RegistryServiceOptions& options, RegistryTlsConfigurer tls);
    ~RegistryService();
    RegistryService(const RegistryService&) = delete;
    RegistryService& operator=(const RegistryService&) = delete;

    [[nodiscard]] uint16_t port() const { return m_port; }
    [[nodiscard]] RegistryStorage& storage();
    /// Stops the listener (requests in flight finish first); storage closes on destruction.
    void stop();

private:
    RegistryService();

    struct Parts;
    std::unique_ptr<Parts> m_parts;
    uint16_t m_port = 0;
};

} // namespace pilot::registry
