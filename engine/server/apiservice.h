#pragma once

#include "core/error.h"
#include "engine/apiserver/resourceservice.h"

#include <cstdint>
#include <string>

namespace pilot::server {

/// Keeps `default/kubernetes` as every cluster has it: a ClusterIP Service on the first address
/// of the service range (port 443, `https`) and its Endpoints naming the API listener, so
/// in-cluster clients and tools that look for it find the API.
[[nodiscard]] Status ensureApiService(apiserver::ResourceService& service,
                                      const std::string& clusterIp, const std::string& host,
                                      uint16_t port);

} // namespace pilot::server
