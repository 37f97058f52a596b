#pragma once

#include "engine/registry/distribution/registryhttp.h"
#include "engine/registry/harbor/apirouter.h"

#include <string_view>

namespace pilot::registry {
class HarborAccess;
class RegistryStorage;
} // namespace pilot::registry

namespace pilot::registry::harbor {

struct HarborApiOptions {
    /// Reported by /systeminfo.
    std::string version = "v2.11.0-pilothouse";
};

/// Harbor's management API (`/api/v2.0/...`) and Docker token endpoint (`/service/token`) on
/// the registry listener: authenticates each request (HTTP Basic: users and robots; anonymous
/// otherwise), echoes or assigns `X-Request-Id`, reads JSON bodies (up to 1 MiB), and routes
/// to the handlers registered on `router()` (the built-in ones: health, systeminfo, users,
/// projects, members, robots, repositories, artifacts, tags). Thread-safe once routes are added.
class HarborApi {
public:
    HarborApi(RegistryStorage& storage, HarborAccess& access, HarborApiOptions options = {});

    /// Whether `target` belongs here rather than to /v2/.
    [[nodiscard]] static bool handles(std::string_view target);
    /// Starts handling `request` (see Distribution::begin): the response, or a sink for its
    /// JSON body.
    [[nodiscard]] Dispatch begin(const RegistryRequest& request);

    [[nodiscard]] ApiRouter& router() { return m_router; }

private:
    [[nodiscard]] RegistryResponse handle(const RegistryRequest& request, std::string body);
    [[nodiscard]] RegistryResponse
    token(const RegistryRequest& request,
          const std::vector<std::pair<std::string, std::string>>& query);

    RegistryStorage& m_storage;
    HarborAccess& m_access;
    HarborApiOptions m_options;
    ApiRouter m_router;
};

} // namespace pilot::registry::harbor
