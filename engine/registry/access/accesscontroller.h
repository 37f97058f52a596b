#pragma once

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

/// What a request wants to do. `Login` is the `/v2/` check clients make to learn whether and
/// how to authenticate; `Catalog` lists every repository; the rest act on one repository.
enum class Action { Login, Catalog, Pull, Push, Delete };

[[nodiscard]] std::string_view actionName(Action action);

/// One entry of a bearer token's `access` claim (Docker token spec): `type` `repository` or
/// `registry`, `name` the repository (or `catalog`), `actions` e.g. `pull`, `push`, `delete`, `*`.
struct TokenGrant {
    std::string type;
    std::string name;
    std::vector<std::string> actions;
};

/// Who sent a request, as established from its credentials.
struct Identity {
    /// Empty for an anonymous request; `robot$...` for robot accounts.
    std::string name;
    /// May do anything (Harbor's system administrators, the first one from DATA/registry-admin).
    bool administrator = false;
    enum class Kind { Anonymous, User, Robot };
    Kind kind = Kind::Anonymous;
    /// The user's or robot's id in the access store (0 when anonymous or unknown).
    int64_t id = 0;
    /// Set when the request carried a bearer token: it may do exactly what the token grants.
    std::shared_ptr<const std::vector<TokenGrant>> token;

    [[nodiscard]] bool anonymous() const { return name.empty(); }
    [[nodiscard]] bool robot() const { return kind == Kind::Robot; }
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
    /// The `WWW-Authenticate` value sent with a 401 for that scope; `host` is the request's
    /// `Host` header (for a token realm on the same listener).
    [[nodiscard]] virtual std::string challenge(std::string_view repository, Action action,
                                                std::string_view host) = 0;
};

} // namespace pilot::registry
