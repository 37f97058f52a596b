#pragma once

#include "core/error.h"
#include "engine/registry/access/accesscontroller.h"
#include "engine/registry/access/accessstore.h"
#include "engine/registry/access/tokenservice.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

/// Harbor's access model in front of the registry: users (HTTP Basic; the first system admin
/// from DATA/registry-admin), robot accounts (`robot$...` with their secret), bearer tokens
/// from `/service/token`, projects (public or private), members with Harbor's five roles, and
/// robots' permission lists. A repository's project is the first component of its name;
/// operations on a repository whose project does not exist are refused, pushes included.
/// Anonymous callers may pull from public projects only and are challenged with
/// `Bearer realm="https://HOST/service/token",service="harbor-registry",scope="..."`.
/// Thread-safe.
class HarborAccess final : public AccessController {
public:
    static constexpr std::string_view Service = "harbor-registry";
    /// How long issued tokens are valid (Harbor's default token expiration: 30 minutes).
    static constexpr std::chrono::seconds TokenLifetime{1800};

    HarborAccess(AccessStore& store, TokenService& tokens,
                 std::function<int64_t()> clock = nullptr);

    [[nodiscard]] Result<Identity> authenticate(std::string_view authorization) override;
    [[nodiscard]] Decision authorize(const Identity& identity, std::string_view repository,
                                     Action action) override;
    [[nodiscard]] std::string challenge(std::string_view repository, Action action,
                                        std::string_view host) override;

    /// As `authenticate`, but only anonymous or HTTP Basic (users and robots): what the
    /// management API and the token endpoint accept.
    [[nodiscard]] Result<Identity> authenticateBasic(std::string_view authorization);
    /// Whether `identity` may do (resource, action) in `project` under Harbor's rules: system
    /// admins anything; everyone the public-project permissions of a public project; members
    /// what their role grants; robots what their permission list grants. Bearer-token
    /// identities get nothing here (tokens are for /v2/ only).
    [[nodiscard]] bool can(const Identity& identity, const Project& project,
                           std::string_view resource, std::string_view action);
    /// System-level (resource, action): system admins, and system robots whose permission list
    /// has a `system` entry granting it.
    [[nodiscard]] bool canSystem(const Identity& identity, std::string_view resource,
                                 std::string_view action);
    /// The identity's role in `project` (None for non-members, anonymous and robots).
    [[nodiscard]] ProjectRole roleIn(const Identity& identity, const Project& project);
    /// What a token for `identity` may carry out of the `requested` scopes: each requested
    /// action that the identity may do (`*`, which clients request to delete, to those who
    /// may delete and push); grants left with no
    /// action are dropped.
    [[nodiscard]] std::vector<TokenGrant> grant(const Identity& identity,
                                                const std::vector<TokenGrant>& requested);
    /// A token for `identity` with `access` and the issue time.
    struct IssuedToken {
        std::string token;
        int64_t issuedAt = 0;
        int64_t expiresIn = 0;
    };
    [[nodiscard]] IssuedToken issueToken(const Identity& identity,
                                         const std::vector<TokenGrant>& access);

    [[nodiscard]] AccessStore& store() { return m_store; }
    [[nodiscard]] int64_t now() const;

private:
    [[nodiscard]] bool robotAllows(const Identity& identity, std::string_view kind,
                                   std::string_view ns, std::string_view resource,
                                   std::string_view action);

    AccessStore& m_store;
    TokenService& m_tokens;
    std::function<int64_t()> m_clock;
};

/// The Harbor (resource, action) behind a /v2/ action on a repository: Pull is
/// (repository, pull), Push (repository, push), Delete (repository, delete).
[[nodiscard]] std::string_view repositoryActionName(Action action);

} // namespace pilot::registry
