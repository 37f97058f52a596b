#include "engine/registry/distribution/distribution.h"

#include "engine/registry/distribution/handlerutil.h"
#include "engine/registry/distribution/ocierror.h"

#include <fmt/format.h>

namespace pilot::registry {

using namespace handlers;

namespace {

/// The action a (route, method) pair needs, or nullopt when the method is not served there.
std::optional<Action> actionFor(RouteKind kind, std::string_view method) {
    bool read = method == "GET" || method == "HEAD";
    switch (kind) {
    case RouteKind::Base:
        return read ? std::optional(Action::Login) : std::nullopt;
    case RouteKind::Catalog:
        return method == "GET" ? std::optional(Action::Catalog) : std::nullopt;
    case RouteKind::Tags:
    case RouteKind::Referrers:
        return method == "GET" ? std::optional(Action::Pull) : std::nullopt;
    case RouteKind::Manifest:
        if (read) {
            return Action::Pull;
        }
        if (method == "PUT") {
            return Action::Push;
        }
        return method == "DELETE" ? std::optional(Action::Delete) : std::nullopt;
    case RouteKind::Blob:
        if (read) {
            return Action::Pull;
        }
        return method == "DELETE" ? std::optional(Action::Delete) : std::nullopt;
    case RouteKind::UploadStart:
        return method == "POST" ? std::optional(Action::Push) : std::nullopt;
    case RouteKind::Upload:
        if (method == "GET" || method == "PATCH" || method == "PUT" || method == "DELETE") {
            return Action::Push;
        }
        return std::nullopt;
    case RouteKind::Unknown:
        return std::nullopt;
    }
    return std::nullopt;
}

std::string_view host(const RegistryRequest& request) {
    const std::string* value = request.header("Host");
    return value ? std::string_view(*value) : std::string_view();
}

RegistryResponse unauthorized(std::string_view message, std::string challenge) {
    RegistryResponse response = errorResponse(401, OciError::Unauthorized, message);
    response.set("WWW-Authenticate", std::move(challenge));
    return response;
}

} // namespace

Distribution::Distribution(RegistryStorage& storage, AccessController& access,
                           DistributionOptions options)
    : m_storage(storage), m_access(access), m_options(options),
      m_hooks(options.hooks != nullptr ? options.hooks : &m_noHooks) {}

std::optional<RegistryResponse>
Distribution::authorize(const Call& call, std::string_view repository, Action action) {
    switch (m_access.authorize(call.identity, repository, action)) {
    case Decision::Allow:
        return std::nullopt;
    case Decision::Unauthenticated:
        return unauthorized("authentication required",
                            m_access.challenge(repository, action, host(call.request)));
    case Decision::Denied:
        break;
    }
    return errorResponse(403, OciError::Denied,
                         fmt::format("{} may not {} {}", call.identity.name, actionName(action),
                                     repository.empty() ? "this registry" : repository));
}

Dispatch Distribution::begin(const RegistryRequest& request) {
    auto route = parseRoute(request.target);
    if (!route) {
        return {errorResponse(400, OciError::Unsupported, route.error().message), nullptr};
    }
    if (route->kind == RouteKind::Unknown) {
        return {errorResponse(404, OciError::Unsupported, "no such endpoint"), nullptr};
    }
    const std::string* authorization = request.header("Authorization");
    auto identity = m_access.authenticate(authorization ? *authorization : std::string());
    if (!identity) {
        return {unauthorized(identity.error().message,
                             m_access.challenge(route->repository, Action::Login, host(request))),
                nullptr};
    }
    std::optional<Action> action = actionFor(route->kind, request.method);
    if (!action) {
        RegistryResponse response = errorResponse(
            405, OciError::Unsupported, fmt::format("{} is not supported here", request.method));
        return {std::move(response), nullptr};
    }
    bool named = route->kind != RouteKind::Base && route->kind != RouteKind::Catalog;
    if (named && !isValidRepositoryName(route->repository)) {
        return {errorResponse(400, OciError::NameInvalid,
                              fmt::format("invalid repository name \"{}\"", route->repository)),
                nullptr};
    }
    Call call{request, std::move(*route), std::move(*identity), request.method == "HEAD"};
    if (auto denied = authorize(call, call.route.repository, *action)) {
        return {std::move(*denied), nullptr};
    }
    switch (call.route.kind) {
    case RouteKind::Base: {
        RegistryResponse response;
        response.set("Content-Type", "application/json");
        response.body = "{}";
        return {std::move(response), nullptr};
    }
    case RouteKind::Catalog:
        return {catalog(call), nullptr};
    case RouteKind::Tags:
        return {tags(call), nullptr};
    case RouteKind::Referrers:
        return {referrers(call), nullptr};
    case RouteKind::Manifest:
        return manifest(call);
    case RouteKind::Blob:
        return {blob(call), nullptr};
    case RouteKind::UploadStart:
        return startUpload(call);
    case RouteKind::Upload:
        return upload(call);
    case RouteKind::Unknown:
        break;
    }
    return {errorResponse(404, OciError::Unsupported, "no such endpoint"), nullptr};
}

} // namespace pilot::registry
