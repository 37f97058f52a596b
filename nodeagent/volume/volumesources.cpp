#include "nodeagent/volume/volumesources.h"

#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

Result<json::object> getNamed(kube::ApiClient& client, const kube::ApiResource& resource,
                              std::string_view singular, const std::string& ns,
                              const std::string& name) {
    auto object = client.get(resource, ns, name);
    if (object) {
        return std::move(*object);
    }
    if (kube::isNotFound(object.error())) {
        return fail(ErrorCode::NotFound, fmt::format("{} \"{}\" not found", singular, name));
    }
    return std::unexpected(object.error().toError());
}

} // namespace

Result<json::object> ApiVolumeSources::configMap(const std::string& ns, const std::string& name) {
    return getNamed(m_client, kube::resources::ConfigMaps, "configmap", ns, name);
}

Result<json::object> ApiVolumeSources::secret(const std::string& ns, const std::string& name) {
    return getNamed(m_client, kube::resources::Secrets, "secret", ns, name);
}

Result<json::object> ApiVolumeSources::persistentVolumeClaim(const std::string& ns,
                                                             const std::string& name) {
    return getNamed(m_client, kube::resources::PersistentVolumeClaims, "persistentvolumeclaim", ns,
                    name);
}

Result<json::object> ApiVolumeSources::persistentVolume(const std::string& name) {
    return getNamed(m_client, kube::resources::PersistentVolumes, "persistentvolume", "", name);
}

Result<IssuedToken>
ApiVolumeSources::requestToken(const std::string& ns, const std::string& serviceAccount,
                               const std::vector<std::string>& audiences, int64_t expirationSeconds,
                               const std::string& podName, const std::string& podUid) {
    json::array aud;
    for (const auto& a : audiences) {
        aud.emplace_back(a);
    }
    json::object spec{
        {"audiences", std::move(aud)},
        {"expirationSeconds", expirationSeconds},
        {"boundObjectRef",
         json::object{{"kind", "Pod"}, {"apiVersion", "v1"}, {"name", podName}, {"uid", podUid}}}};
    json::object request{{"apiVersion", "authentication.k8s.io/v1"},
                         {"kind", "TokenRequest"},
                         {"metadata", json::object{{"name", serviceAccount}, {"namespace", ns}}},
                         {"spec", std::move(spec)}};
    kube::ApiRequest http;
    http.method = "POST";
    http.path = kube::resources::ServiceAccounts.objectPath(ns, serviceAccount, "token");
    http.body = json::serialize(request);
    http.contentType = "application/json";
    auto response = m_client.send(http);
    if (!response) {
        return std::unexpected(response.error());
    }
    if (response->status < 200 || response->status >= 300) {
        auto error = kube::ApiError::fromResponse(response->status, response->body);
        return fail(error.kind, fmt::format("failed to fetch token: {}", error.message));
    }
    boost::system::error_code ec;
    json::value body = kube::parseJsonText(response->body, ec);
    const json::object* status =
        !ec && body.is_object() ? kube::objectAt(body.as_object(), "status") : nullptr;
    if (!status || kube::stringAt(*status, "token").empty()) {
        return fail(ErrorCode::Internal, "failed to fetch token: no token in the response");
    }
    IssuedToken token;
    token.token = kube::stringAt(*status, "token");
    auto expires = parseTime(kube::stringAt(*status, "expirationTimestamp"));
    token.expiresAt =
        expires ? *expires
                : std::chrono::system_clock::now() + std::chrono::seconds(expirationSeconds);
    return token;
}

} // namespace pilot::agent
