#include "engine/apiserver/tokenrequest.h"

#include "core/clock.h"
#include "core/random.h"
#include "engine/apiserver/apihandler.h"
#include "engine/auth/serviceaccounttoken.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

constexpr int64_t DefaultExpirationSeconds = 3600;
constexpr int64_t MinExpirationSeconds = 600;
constexpr int64_t MaxExpirationSeconds = int64_t{1} << 32;

ApiError invalidRequest(const std::string& name, std::string field, std::string message) {
    return invalid("TokenRequest", "authentication.k8s.io", name,
                   {{"FieldValueInvalid", std::move(field), std::move(message)}});
}

} // namespace

HandlerResult handleTokenRequest(VerbContext& ctx, const auth::ServiceAccountTokens* tokens) {
    if (tokens == nullptr) {
        return errorResponse(pathNotFound());
    }
    const std::string& ns = ctx.info.ns;
    const std::string& name = ctx.info.name;
    auto body = decodeBody(ctx.request, ctx.service.types());
    if (!body) {
        return errorResponse(body.error());
    }
    json::object request = std::move(*body);
    if (!kube::kind(request).empty() && kube::kind(request) != "TokenRequest") {
        return errorResponse(badRequest(fmt::format("the body of the request was in an unknown "
                                                    "format - kind {} is not TokenRequest",
                                                    kube::kind(request))));
    }
    std::string requestName(kube::name(request));
    if (!requestName.empty() && requestName != name) {
        return errorResponse(invalidRequest(name, "metadata.name",
                                            fmt::format("Invalid value: \"{}\": must match the "
                                                        "service account name if specified",
                                                        requestName)));
    }
    std::string requestNs(kube::namespaceOf(request));
    if (!requestNs.empty() && requestNs != ns) {
        return errorResponse(invalidRequest(name, "metadata.namespace",
                                            fmt::format("Invalid value: \"{}\": must match the "
                                                        "service account namespace if specified",
                                                        requestNs)));
    }
    json::value& specValue = request["spec"];
    if (!specValue.is_object()) {
        specValue = json::object();
    }
    json::object& spec = specValue.as_object();

    auto account = ctx.service.get(*ctx.type, ns, name);
    if (!account) {
        return errorResponse(account.error());
    }

    int64_t expirationSeconds =
        kube::integerAt(spec, "expirationSeconds").value_or(DefaultExpirationSeconds);
    if (expirationSeconds < MinExpirationSeconds) {
        return errorResponse(invalidRequest(
            name, "spec.expirationSeconds",
            fmt::format("Invalid value: {}: may not specify a duration less than 10 minutes",
                        expirationSeconds)));
    }
    if (expirationSeconds > MaxExpirationSeconds) {
        return errorResponse(invalidRequest(
            name, "spec.expirationSeconds",
            fmt::format("Invalid value: {}: may not specify a duration larger than 2^32 seconds",
                        expirationSeconds)));
    }
    spec["expirationSeconds"] = expirationSeconds;

    auth::ServiceAccountClaims claims;
    claims.issuer = tokens->issuer();
    json::array audiences;
    if (const json::value* given = spec.if_contains("audiences"); given && given->is_array()) {
        for (const json::value& audience : given->as_array()) {
            if (audience.is_string() && !audience.get_string().empty()) {
                claims.audiences.emplace_back(audience.get_string());
                audiences.emplace_back(audience.get_string());
            }
        }
    }
    if (claims.audiences.empty()) {
        claims.audiences.push_back(tokens->issuer());
        audiences.emplace_back(tokens->issuer());
    }
    spec["audiences"] = std::move(audiences);

    if (const json::object* ref = kube::objectAt(&spec, "boundObjectRef")) {
        std::string kind = kube::stringAt(ref, "kind");
        std::string refName = kube::stringAt(ref, "name");
        std::string refUid = kube::stringAt(ref, "uid");
        std::string plural = kind == "Pod" ? "pods" : kind == "Secret" ? "secrets" : "";
        std::string apiVersion = kube::stringAt(ref, "apiVersion");
        if (plural.empty() || (!apiVersion.empty() && apiVersion != "v1")) {
            return errorResponse(badRequest(fmt::format("cannot bind token for object of type {}",
                                                        apiVersion + ", Kind=" + kind)));
        }
        kube::ResourceTypePtr boundType = ctx.service.types().byResource("", "v1", plural);
        if (!boundType) {
            return errorResponse(internalError("no type for " + plural));
        }
        auto bound = ctx.service.get(*boundType, ns, refName);
        if (!bound) {
            return errorResponse(bound.error());
        }
        const std::string& uid = (*bound)->uid;
        if (!refUid.empty() && refUid != uid) {
            return errorResponse(conflict(
                plural, "", refName,
                fmt::format("the UID in the bound object reference ({}) does not match the UID "
                            "in record. The object might have been deleted and then recreated",
                            refUid)));
        }
        (kind == "Pod" ? claims.pod : claims.secret) = auth::BoundObject{refName, uid};
        if (kind == "Pod") {
            // As upstream (ServiceAccountTokenPodNodeInfo): a scheduled pod's node is named too.
            json::value pod = kube::parseJsonText((*bound)->json.str());
            std::string nodeName =
                pod.is_object()
                    ? kube::stringAt(kube::objectAt(pod.as_object(), "spec"), "nodeName")
                    : std::string();
            kube::ResourceTypePtr nodes = ctx.service.types().byResource("", "v1", "nodes");
            if (!nodeName.empty() && nodes) {
                auto node = ctx.service.get(*nodes, "", nodeName);
                if (!node) {
                    return errorResponse(node.error());
                }
                claims.node = auth::BoundObject{nodeName, (*node)->uid};
            }
        }
    }

    claims.ns = ns;
    claims.serviceAccountName = name;
    claims.serviceAccountUid = (*account)->uid;
    // Whole seconds, as the JWT's NumericDate claims and expirationTimestamp carry them.
    TimePoint now = std::chrono::time_point_cast<std::chrono::seconds>(ctx.service.clock().now());
    claims.issuedAt = now;
    claims.notBefore = now;
    claims.expiresAt = now + std::chrono::seconds(expirationSeconds);
    claims.id = newUuid();
    auto token = tokens->sign(claims);
    if (!token) {
        return errorResponse(internalError(token.error().message));
    }

    request["apiVersion"] = "authentication.k8s.io/v1";
    request["kind"] = "TokenRequest";
    json::object& metadata = kube::ensureMetadata(request);
    metadata["name"] = name;
    metadata["namespace"] = ns;
    metadata["creationTimestamp"] = nullptr;
    request["status"] =
        json::object{{"token", *token}, {"expirationTimestamp", formatTime(claims.expiresAt)}};
    return jsonResponse(201, json::serialize(request));
}

} // namespace pilot::apiserver
