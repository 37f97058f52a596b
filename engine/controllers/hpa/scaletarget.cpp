#include "engine/controllers/hpa/scaletarget.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <array>

namespace pilot::controllers::hpa {
namespace json = boost::json;

namespace {

struct Builtin {
    std::string_view group;
    std::string_view kind;
    const kube::ApiResource* resource;
};

const kube::ApiResource ReplicationControllers{"", "v1", "replicationcontrollers", true};

const std::array<Builtin, 4> Builtins{{
    {"apps", "Deployment", &kube::resources::Deployments},
    {"apps", "ReplicaSet", &kube::resources::ReplicaSets},
    {"apps", "StatefulSet", &kube::resources::StatefulSets},
    {"", "ReplicationController", &ReplicationControllers},
}};

} // namespace

Result<kube::ApiResource> ScaleTargets::resourceFor(std::string_view apiVersion,
                                                    std::string_view kind) {
    std::string group;
    std::string version;
    size_t slash = apiVersion.find('/');
    if (slash == std::string_view::npos) {
        version = apiVersion;
    } else {
        group = apiVersion.substr(0, slash);
        version = apiVersion.substr(slash + 1);
        if (version.find('/') != std::string::npos) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("unexpected GroupVersion string: {}", apiVersion));
        }
    }
    for (const Builtin& builtin : Builtins) {
        if (builtin.group == group && builtin.kind == kind) {
            return *builtin.resource;
        }
    }
    std::string cacheKey = group + "/" + std::string(kind);
    {
        std::lock_guard lock(m_mutex);
        if (auto found = m_discovered.find(cacheKey); found != m_discovered.end()) {
            return found->second;
        }
    }
    auto noMatch = [&] {
        return fail(ErrorCode::NotFound,
                    fmt::format("no matches for kind \"{}\" in group \"{}\"", kind, group));
    };
    if (version.empty()) {
        return noMatch();
    }
    kube::ApiRequest request;
    request.path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto list = call(std::move(request));
    if (!list) {
        return noMatch();
    }
    const json::array* resources = kube::arrayAt(*list, "resources");
    if (resources == nullptr) {
        return noMatch();
    }
    for (const json::value& r : *resources) {
        const json::object* o = r.if_object();
        std::string name = o ? kube::stringAt(*o, "name") : "";
        if (o == nullptr || name.find('/') != std::string::npos ||
            kube::stringAt(*o, "kind") != kind) {
            continue;
        }
        kube::ApiResource resource{group, version, name,
                                   kube::boolAt(*o, "namespaced").value_or(true)};
        std::lock_guard lock(m_mutex);
        m_discovered[cacheKey] = resource;
        return resource;
    }
    return noMatch();
}

kube::ApiResult<json::object> ScaleTargets::getScale(const kube::ApiResource& resource,
                                                     std::string_view ns, std::string_view name) {
    kube::ApiRequest request;
    request.path = resource.objectPath(ns, name, "scale");
    return call(std::move(request));
}

kube::ApiResult<json::object> ScaleTargets::updateScale(const kube::ApiResource& resource,
                                                        const json::object& scale) {
    kube::ApiRequest request;
    request.method = "PUT";
    request.path = resource.objectPath(kube::namespaceOf(scale), kube::name(scale), "scale");
    request.body = json::serialize(scale);
    request.contentType = "application/json";
    request.query.emplace_back("fieldManager", m_client.fieldManager());
    return call(std::move(request));
}

kube::ApiResult<json::object> ScaleTargets::call(kube::ApiRequest request) {
    auto response = m_client.send(request);
    if (!response) {
        return std::unexpected(kube::ApiError::fromTransport(response.error()));
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(kube::ApiError::fromResponse(response->status, response->body));
    }
    boost::system::error_code ec;
    json::value body = kube::parseJsonText(response->body, ec);
    if (ec || !body.is_object()) {
        return std::unexpected(kube::ApiError::fromTransport(
            Error{ErrorCode::Internal, "response to " + request.path + " is not a JSON object"}));
    }
    return std::move(body.as_object());
}

} // namespace pilot::controllers::hpa
