#pragma once

#include "engine/registry/harbor/apirouter.h"

namespace pilot::registry::management {
class RegistryManagement;
}

namespace pilot::registry::harbor {

/// Registers the management parts of Harbor's API on `router`: quotas (/quotas, and the
/// project hooks that give every new project its quota from `storage_limit` and drop it with
/// the project), audit logs (/audit-logs, /projects/{p}/logs), tag retention (/retentions...)
/// and garbage collection (/system/gc...). `management` must outlive the router.
void registerManagementRoutes(ApiRouter& router, management::RegistryManagement& management);

// By area (quotaroutes.cpp, auditroutes.cpp, retentionroutes.cpp, gcroutes.cpp).
void registerQuotaRoutes(ApiRouter& router, management::RegistryManagement& management);
void registerAuditRoutes(ApiRouter& router, management::RegistryManagement& management);
void registerRetentionRoutes(ApiRouter& router, management::RegistryManagement& management);
void registerGcRoutes(ApiRouter& router, management::RegistryManagement& management);

/// A `text/plain` response (job logs).
[[nodiscard]] RegistryResponse textResponse(std::string text);
/// The integer path parameter `name`, or nullopt (the caller answers 400).
[[nodiscard]] std::optional<int64_t> integerParam(const ApiCall& call, std::string_view name);

} // namespace pilot::registry::harbor
