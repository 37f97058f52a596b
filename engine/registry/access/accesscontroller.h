#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace pilot::registry {

/// What a request wants to do. `Login` is the `/v2/` check clients make to learn whether and
/// how to authenticate; `Catalog` lists every repository; the rest act on one repository.
enum class Action { Login, Catalog, Pull, Push, Delete };

[[nodiscard]] std::string_view actionName(Action action);

/// Who sent a request, as established from its credentials.
struct Identity {
    /// Empty for an anonymous request.
    std::string name;
    /// May do anything (the registry's first administrator; later Harbor's system admins).
    bool administrator = false;

    [[nodiscard]] bool anonymous() const { return name.empty(); }
};

enum class Decision {
    Allow,
    /// Credentials are needed (HTTP 401 with a challenge).
    Unauthenticated,
    /// The identity is known but may not do this (HTTP 403).
    Denied,
};

/// The access check that sits in front of every registry operation: the distribution handlers
/// authenticate each request once, then ask `authorize` for (repository, action, identity)
/// before they touch storage. Phase one has one implementation (AdminAccess); Harbor's
/// projects, members, robots and bearer tokens replace it without changing the handlers.
/// Implementations are thread-safe.
class AccessController {
public:
    virtual ~AccessController() = default;

    /// The identity behind an `Authorization` header value (empty when the request has none):
    /// anonymous without credentials; Unauthorized when credentials are given but wrong.
    [[nodiscard]] virtual Result<Identity> authenticate(std::string_view authorization) = 0;
    /// Whether `identity` may do `action` on `repository` (empty for Login and Catalog).
    [[nodiscard]] virtual Decision authorize(const Identity& identity, std::string_view repository,
                                             Action action) = 0;
    /// The `WWW-Authenticate` value sent with a 401 for that scope.
    [[nodiscard]] virtual std::string challenge(std::string_view repository, Action action) = 0;
};

} // namespace pilot::registry
