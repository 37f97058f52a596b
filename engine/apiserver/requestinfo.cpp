#include "engine/apiserver/requestinfo.h"

#include <vector>

namespace pilot::apiserver {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
    std::vector<std::string> parts;
    while (!path.empty()) {
        while (!path.empty() && path.front() == '/') {
            path.remove_prefix(1);
        }
        size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        if (!part.empty()) {
            parts.emplace_back(part);
        }
        path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
    }
    return parts;
}

} // namespace

RequestInfo parseRequestInfo(std::string_view method, std::string_view path, bool watch) {
    RequestInfo info;
    std::vector<std::string> parts = splitPath(path);
    if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) {
        return info;
    }
    info.apiPrefix = parts[0];
    size_t i = 1;
    if (info.apiPrefix == "apis") {
        if (parts.size() < 2) {
            return info;
        }
        info.group = parts[1];
        i = 2;
    }
    if (parts.size() <= i) {
        return info;
    }
    info.version = parts[i++];
    if (parts.size() <= i) {
        return info;
    }
    std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
    if (rest[0] == "watch" && (method == "GET" || method == "HEAD")) {
        // The legacy watch prefix: /api/v1/watch/namespaces/ns/pods[/name].
        rest.erase(rest.begin());
        watch = true;
        if (rest.empty()) {
            return RequestInfo{};
        }
    }
    info.isResourceRequest = true;
    if (rest[0] == "namespaces" && rest.size() > 1) {
        info.ns = rest[1];
        if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
            rest.erase(rest.begin(), rest.begin() + 2);
        } else {
            // The namespace object itself (optionally with a subresource).
            info.resource = "namespaces";
            info.name = rest[1];
            info.ns.clear();
            if (rest.size() > 2) {
                info.subresource = rest[2];
            }
            rest.clear();
        }
    }
    if (!rest.empty()) {
        info.resource = rest[0];
        if (rest.size() > 1) {
            info.name = rest[1];
        }
        if (rest.size() > 2) {
            info.subresource = rest[2];
        }
        if (rest.size() > 3) {
            return RequestInfo{}; // deeper paths (proxy) are not served: 404
        }
    }
    if (method == "GET" || method == "HEAD") {
        info.verb = info.name.empty() ? (watch ? "watch" : "list") : "get";
        if (!info.name.empty() && watch) {
            info.verb = "watch";
        }
    } else if (method == "POST") {
        info.verb = "create";
    } else if (method == "PUT") {
        info.verb = "update";
    } else if (method == "PATCH") {
        info.verb = "patch";
    } else if (method == "DELETE") {
        info.verb = info.name.empty() ? "deletecollection" : "delete";
    } else {
        info.verb = "unknown";
    }
    return info;
}

} // namespace pilot::apiserver
