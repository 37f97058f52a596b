#include "engine/registry/harbor/managementroutes.h"

#include <charconv>

namespace pilot::registry::harbor {

void registerManagementRoutes(ApiRouter& router, management::RegistryManagement& management) {
    registerQuotaRoutes(router, management);
    registerAuditRoutes(router, management);
    registerRetentionRoutes(router, management);
    registerGcRoutes(router, management);
}

RegistryResponse textResponse(std::string text) {
    RegistryResponse response;
    response.set("Content-Type", "text/plain; charset=utf-8");
    response.body = std::move(text);
    return response;
}

std::optional<int64_t> integerParam(const ApiCall& call, std::string_view name) {
    const std::string& text = call.param(name);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
        return std::nullopt;
    }
    return value;
}

} // namespace pilot::registry::harbor
