#include "engine/registry/access/harboraccess.h"

#include "engine/registry/access/adminaccess.h"

#include <boost/algorithm/string/predicate.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace pilot::registry {

namespace {

constexpr std::string_view RobotPrefix = "robot$";

bool hasAction(const std::vector<std::string>& actions, std::string_view action) {
    return std::any_of(actions.begin(), actions.end(),
                       [&](const std::string& a) { return a == action || a == "*"; });
}

bool tokenAllows(const std::vector<TokenGrant>& grants, std::string_view type,
                 std::string_view name, std::string_view action) {
    return std::any_of(grants.begin(), grants.end(), [&](const TokenGrant& g) {
        return g.type == type && g.name == name && hasAction(g.actions, action);
    });
}

} // namespace

std::string_view repositoryActionName(Action action) {
    switch (action) {
    case Action::Pull:
        return rbac::ActionPull;
    case Action::Push:
        return rbac::ActionPush;
    case Action::Delete:
        return rbac::ActionDelete;
    case Action::Login:
    case Action::Catalog:
        break;
    }
    return {};
}

HarborAccess::HarborAccess(AccessStore& store, TokenService& tokens, std::function<int64_t()> clock)
    : m_store(store), m_tokens(tokens), m_clock(std::move(clock)) {}

int64_t HarborAccess::now() const {
    if (m_clock) {
        return m_clock();
    }
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<Identity> HarborAccess::authenticateBasic(std::string_view authorization) {
    if (authorization.empty()) {
        return Identity{};
    }
    std::optional<Credential> credential = parseBasicAuthorization(authorization);
    if (!credential) {
        return fail(ErrorCode::Unauthorized, "unsupported authorization scheme");
    }
    if (credential->username.empty() && credential->password.empty()) {
        return Identity{};
    }
    if (credential->username.starts_with(RobotPrefix)) {
        auto robot = m_store.verifyRobot(credential->username, credential->password);
        if (!robot) {
            return std::unexpected(robot.error());
        }
        if (!*robot) {
            return fail(ErrorCode::Unauthorized, "invalid username or password");
        }
        if ((*robot)->disabled) {
            return fail(ErrorCode::Unauthorized,
                        fmt::format("robot account {} is disabled", (*robot)->name));
        }
        if ((*robot)->expiresAt >= 0 && (*robot)->expiresAt < now()) {
            return fail(ErrorCode::Unauthorized,
                        fmt::format("robot account {} has expired", (*robot)->name));
        }
        return Identity{(*robot)->name, false, Identity::Kind::Robot, (*robot)->id, nullptr};
    }
    auto user = m_store.verifyUser(credential->username, credential->password);
    if (!user) {
        return std::unexpected(user.error());
    }
    if (!*user) {
        return fail(ErrorCode::Unauthorized, "invalid username or password");
    }
    return Identity{(*user)->username, (*user)->sysadmin, Identity::Kind::User, (*user)->id,
                    nullptr};
}

Result<Identity> HarborAccess::authenticate(std::string_view authorization) {
    constexpr std::string_view Bearer = "bearer ";
    if (authorization.size() > Bearer.size() &&
        boost::algorithm::iequals(authorization.substr(0, Bearer.size()), Bearer)) {
        std::string_view token = authorization.substr(Bearer.size());
        while (!token.empty() && token.front() == ' ') {
            token.remove_prefix(1);
        }
        auto claims = m_tokens.verify(token, now());
        if (!claims) {
            return std::unexpected(claims.error());
        }
        Identity identity;
        identity.name = claims->subject;
        identity.kind = claims->subject.empty()                    ? Identity::Kind::Anonymous
                        : claims->subject.starts_with(RobotPrefix) ? Identity::Kind::Robot
                                                                   : Identity::Kind::User;
        identity.token = std::make_shared<const std::vector<TokenGrant>>(std::move(claims->access));
        return identity;
    }
    return authenticateBasic(authorization);
}

bool HarborAccess::robotAllows(const Identity& identity, std::string_view kind, std::string_view ns,
                               std::string_view resource, std::string_view action) {
    auto robot = m_store.robot(identity.id);
    if (!robot || !*robot || (*robot)->disabled ||
        ((*robot)->expiresAt >= 0 && (*robot)->expiresAt < now())) {
        return false;
    }
    for (const RobotPermission& permission : (*robot)->permissions) {
        if (permission.kind != kind) {
            continue;
        }
        if (kind == "project" && permission.ns != ns && permission.ns != "*") {
            continue;
        }
        for (const RobotAccess& access : permission.access) {
            if ((access.resource == resource || access.resource == "*") &&
                (access.action == action || access.action == "*")) {
                return true;
            }
        }
    }
    return false;
}

bool HarborAccess::can(const Identity& identity, const Project& project, std::string_view resource,
                       std::string_view action) {
    if (identity.token) {
        return false;
    }
    if (identity.administrator) {
        return true;
    }
    if (project.isPublic && publicAllows(resource, action)) {
        return true;
    }
    if (identity.robot()) {
        return robotAllows(identity, "project", project.name, resource, action);
    }
    return roleAllows(roleIn(identity, project), resource, action);
}

bool HarborAccess::canSystem(const Identity& identity, std::string_view resource,
                             std::string_view action) {
    if (identity.token) {
        return false;
    }
    if (identity.administrator) {
        return true;
    }
    return identity.robot() && robotAllows(identity, "system", "/", resource, action);
}

ProjectRole HarborAccess::roleIn(const Identity& identity, const Project& project) {
    if (identity.kind != Identity::Kind::User || identity.id == 0 || identity.token) {
        return ProjectRole::None;
    }
    auto role = m_store.role(project.id, identity.id);
    return role ? *role : ProjectRole::None;
}

Decision HarborAccess::authorize(const Identity& identity, std::string_view repository,
                                 Action action) {
    if (identity.token) {
        // A bearer token allows exactly what it grants; anything else asks the client for a
        // token with that scope (the challenge names it).
        const std::vector<TokenGrant>& grants = *identity.token;
        switch (action) {
        case Action::Login:
            return Decision::Allow;
        case Action::Catalog:
            return tokenAllows(grants, "registry", "catalog", "*") ? Decision::Allow
                                                                   : Decision::Unauthenticated;
        case Action::Pull:
        case Action::Push:
        case Action::Delete:
            return tokenAllows(grants, "repository", repository, repositoryActionName(action))
                       ? Decision::Allow
                       : Decision::Unauthenticated;
        }
        return Decision::Unauthenticated;
    }
    Decision refused = identity.anonymous() ? Decision::Unauthenticated : Decision::Denied;
    switch (action) {
    case Action::Login:
        return identity.anonymous() ? Decision::Unauthenticated : Decision::Allow;
    case Action::Catalog:
        return identity.administrator ? Decision::Allow : refused;
    case Action::Pull:
    case Action::Push:
    case Action::Delete:
        break;
    }
    auto project = m_store.projectByName(projectOfRepository(repository));
    if (!project || !*project) {
        return refused;
    }
    return can(identity, **project, rbac::ResourceRepository, repositoryActionName(action))
               ? Decision::Allow
               : refused;
}

std::string HarborAccess::challenge(std::string_view repository, Action action,
                                    std::string_view host) {
    std::string value = fmt::format("Bearer realm=\"https://{}/service/token\",service=\"{}\"",
                                    host.empty() ? std::string_view("localhost") : host, Service);
    switch (action) {
    case Action::Login:
        break;
    case Action::Catalog:
        value += ",scope=\"registry:catalog:*\"";
        break;
    case Action::Pull:
        value += fmt::format(",scope=\"repository:{}:pull\"", repository);
        break;
    case Action::Push:
        value += fmt::format(",scope=\"repository:{}:pull,push\"", repository);
        break;
    case Action::Delete:
        value += fmt::format(",scope=\"repository:{}:delete\"", repository);
        break;
    }
    return value;
}

std::vector<TokenGrant> HarborAccess::grant(const Identity& identity,
                                            const std::vector<TokenGrant>& requested) {
    std::vector<TokenGrant> out;
    for (const TokenGrant& want : requested) {
        TokenGrant given{want.type, want.name, {}};
        if (want.type == "registry" && want.name == "catalog") {
            if (identity.administrator) {
                given.actions.assign(1, "*");
            }
        } else if (want.type == "repository") {
            auto project = m_store.projectByName(projectOfRepository(want.name));
            if (project && *project) {
                for (const std::string& action : want.actions) {
                    // `*` (what clients ask for to delete) goes to those who may delete,
                    // who may also pull and push.
                    std::string_view needed = action == "*" ? rbac::ActionDelete : action;
                    bool allowed =
                        can(identity, **project, rbac::ResourceRepository, needed) &&
                        (action != "*" ||
                         can(identity, **project, rbac::ResourceRepository, rbac::ActionPush));
                    if (allowed && !hasAction(given.actions, action)) {
                        given.actions.push_back(action);
                    }
                }
            }
        }
        if (!given.actions.empty()) {
            out.push_back(std::move(given));
        }
    }
    return out;
}

HarborAccess::IssuedToken HarborAccess::issueToken(const Identity& identity,
                                                   const std::vector<TokenGrant>& access) {
    int64_t t = now();
    return IssuedToken{m_tokens.issue(identity.name, access, t, TokenLifetime), t,
                       TokenLifetime.count()};
}

} // namespace pilot::registry
