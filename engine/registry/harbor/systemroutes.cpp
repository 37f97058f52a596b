#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/passwordhash.h"
#include "engine/registry/harbor/builtinroutes.h"
#include "engine/registry/harbor/harborapi.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/harbor/routeutil.h"

#include <boost/json.hpp>

#include <fmt/format.h>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

json::object userJson(const User& user) {
    return json::object{{"user_id", user.id},
                        {"username", user.username},
                        {"email", user.email},
                        {"realname", user.realname},
                        {"comment", user.comment},
                        {"sysadmin_flag", user.sysadmin},
                        {"admin_role_in_auth", false},
                        {"creation_time", harborTime(user.created)},
                        {"update_time", harborTime(user.updated)}};
}

RegistryResponse userById(ApiCall& call, User& out) {
    auto id = parseId(call.param("user_id"));
    if (!id) {
        return apiError(400, "BAD_REQUEST", "invalid user id");
    }
    auto user = call.access().store().user(*id);
    if (!user) {
        return apiError(user.error());
    }
    if (!*user) {
        return apiError(404, "NOT_FOUND", fmt::format("user {} not found", *id));
    }
    out = **user;
    return RegistryResponse{};
}

bool self(const ApiCall& call, int64_t userId) {
    return call.identity().kind == Identity::Kind::User && call.identity().id == userId;
}

} // namespace

void registerSystemRoutes(ApiRouter& router, const HarborApiOptions& options) {
    router.add("GET", "/health", [](ApiCall& call) {
        json::array components;
        for (std::string_view name : {"core", "database", "registry", "registryctl"}) {
            components.push_back(json::object{{"name", name}, {"status", "healthy"}});
        }
        (void)call;
        return jsonResponse(json::object{{"status", "healthy"}, {"components", components}});
    });
    router.add("GET", "/ping", [](ApiCall&) {
        RegistryResponse response;
        response.set("Content-Type", "text/plain");
        response.body = "Pong";
        return response;
    });
    std::string version = options.version;
    router.add("GET", "/systeminfo", [version](ApiCall& call) {
        const std::string* host = call.request().header("Host");
        json::object info{{"with_notary", false},
                          {"with_chartmuseum", false},
                          {"registry_url", host ? *host : std::string()},
                          {"external_url", host ? "https://" + *host : std::string()},
                          {"auth_mode", "db_auth"},
                          {"project_creation_restriction", "everyone"},
                          {"self_registration", false},
                          {"has_ca_root", false},
                          {"harbor_version", version},
                          {"registry_storage_provider_name", "filesystem"},
                          {"read_only", false},
                          {"notification_enable", false},
                          {"primary_auth_mode", false},
                          {"banner_message", ""}};
        if (call.identity().anonymous()) {
            // Harbor shows anonymous callers only the basics.
            info = json::object{{"auth_mode", "db_auth"},
                                {"harbor_version", version},
                                {"self_registration", false},
                                {"primary_auth_mode", false},
                                {"banner_message", ""}};
        }
        return jsonResponse(info);
    });

    router.add("GET", "/users/current", [](ApiCall& call) {
        if (auto denied = call.requireAuthenticated()) {
            return std::move(*denied);
        }
        if (call.identity().kind != Identity::Kind::User) {
            return apiError(403, "FORBIDDEN", "only users have a current user");
        }
        auto user = call.access().store().user(call.identity().id);
        if (!user) {
            return apiError(user.error());
        }
        if (!*user) {
            return apiError(404, "NOT_FOUND", "the current user no longer exists");
        }
        return jsonResponse(userJson(**user));
    });
    router.add("GET", "/users", [](ApiCall& call) {
        if (auto denied = call.requireSystem("user", "list")) {
            return std::move(*denied);
        }
        auto list = listRequest(call);
        if (!list) {
            return apiError(list.error());
        }
        Query& q = list->q;
        auto users = call.access().store().users();
        if (!users) {
            return apiError(users.error());
        }
        std::vector<User> matched;
        for (const User& user : *users) {
            const QueryTerm* name = q.find("username");
            const QueryTerm* email = q.find("email");
            if ((name && !name->matches(user.username)) || (email && !email->matches(user.email))) {
                continue;
            }
            matched.push_back(user);
        }
        return listResponse(call, list->paging, matched, userJson);
    });
    router.add("POST", "/users", [](ApiCall& call) {
        if (auto denied = call.requireSystem("user", "create")) {
            return std::move(*denied);
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a UserCreationReq object");
        }
        const json::object& o = body->get_object();
        User user;
        user.username = stringField(o, "username");
        user.email = stringField(o, "email");
        user.realname = stringField(o, "realname");
        user.comment = stringField(o, "comment");
        std::string password = stringField(o, "password");
        if (user.username.empty() || user.username.size() > 255 ||
            user.username.find_first_of(",~#$%:") != std::string::npos ||
            user.username.starts_with("robot$")) {
            return apiError(400, "BAD_REQUEST", "invalid username");
        }
        if (!strongPassword(password)) {
            return apiError(400, "BAD_REQUEST",
                            "the password must be 8 to 128 characters long with at least one "
                            "uppercase letter, one lowercase letter and one number");
        }
        auto created = call.access().store().createUser(user, password);
        if (!created) {
            return apiError(created.error());
        }
        return emptyResponse(201, fmt::format("/api/v2.0/users/{}", created->id));
    });
    router.add("GET", "/users/{user_id}", [](ApiCall& call) {
        User user;
        if (RegistryResponse bad = userById(call, user); bad.status != 200) {
            return bad;
        }
        if (!self(call, user.id)) {
            if (auto denied = call.requireSystem("user", "read")) {
                return std::move(*denied);
            }
        }
        return jsonResponse(userJson(user));
    });
    router.add("DELETE", "/users/{user_id}", [](ApiCall& call) {
        if (auto denied = call.requireSystem("user", "delete")) {
            return std::move(*denied);
        }
        User user;
        if (RegistryResponse bad = userById(call, user); bad.status != 200) {
            return bad;
        }
        if (self(call, user.id)) {
            return apiError(403, "FORBIDDEN", "a user cannot delete themselves");
        }
        if (auto ok = call.access().store().deleteUser(user.id); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("PUT", "/users/{user_id}/sysadmin", [](ApiCall& call) {
        if (auto denied = call.requireSystem("user", "update")) {
            return std::move(*denied);
        }
        User user;
        if (RegistryResponse bad = userById(call, user); bad.status != 200) {
            return bad;
        }
        auto body = call.json();
        const json::value* flag =
            body && body->is_object() ? body->get_object().if_contains("sysadmin_flag") : nullptr;
        if (flag == nullptr || !flag->is_bool()) {
            return apiError(400, "BAD_REQUEST", "expected {\"sysadmin_flag\": true|false}");
        }
        if (auto ok = call.access().store().setSysadmin(user.id, flag->get_bool()); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("PUT", "/users/{user_id}/password", [](ApiCall& call) {
        User user;
        if (RegistryResponse bad = userById(call, user); bad.status != 200) {
            return bad;
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a PasswordReq object");
        }
        std::string oldPassword = stringField(body->get_object(), "old_password");
        std::string newPassword = stringField(body->get_object(), "new_password");
        if (self(call, user.id) && !call.identity().administrator) {
            auto verified = call.access().store().verifyUser(user.username, oldPassword);
            if (!verified) {
                return apiError(verified.error());
            }
            if (!*verified) {
                return apiError(403, "FORBIDDEN", "the old password is wrong");
            }
        } else if (auto denied = call.requireSystem("user", "update")) {
            return std::move(*denied);
        }
        if (!strongPassword(newPassword)) {
            return apiError(400, "BAD_REQUEST", "the new password is too weak");
        }
        if (auto ok = call.access().store().setPassword(user.id, newPassword); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
}

} // namespace pilot::registry::harbor
