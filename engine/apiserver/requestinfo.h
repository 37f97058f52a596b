#pragma once

#include <string>
#include <string_view>

namespace pilot::apiserver {

/// What a request path addresses, following kube-apiserver's RequestInfo rules:
/// `/api/v1/namespaces/ns/pods/p/log`, `/apis/apps/v1/deployments`, `/api/v1/namespaces/ns`
/// (the namespace itself), `/api/v1/namespaces/ns/status`.
struct RequestInfo {
    bool isResourceRequest = false;
    std::string apiPrefix; // "api" or "apis"
    std::string group;
    std::string version;
    std::string ns;
    std::string resource;
    std::string name;
    std::string subresource;
    /// get, list, watch, create, update, patch, delete, deletecollection
    std::string verb;
};

/// Parses a path and method. Non-resource paths (`/version`, `/apis`, `/api/v1` discovery)
/// return isResourceRequest = false with the group/version filled where present.
[[nodiscard]] RequestInfo parseRequestInfo(std::string_view method, std::string_view path,
                                           bool watch);

} // namespace pilot::apiserver
