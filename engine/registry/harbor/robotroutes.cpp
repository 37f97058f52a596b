#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/passwordhash.h"
#include "engine/registry/harbor/builtinroutes.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/harbor/routeutil.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <regex>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

constexpr std::string_view RobotPrefix = "robot$";
/// Harbor's default robot lifetime when the request names none.
constexpr int64_t DefaultDurationDays = 30;

json::array permissionsJson(const std::vector<RobotPermission>& permissions) {
    json::array out;
    for (const RobotPermission& p : permissions) {
        json::array access;
        for (const RobotAccess& a : p.access) {
            access.push_back(
                json::object{{"resource", a.resource}, {"action", a.action}, {"effect", "allow"}});
        }
        out.push_back(json::object{{"kind", p.kind}, {"namespace", p.ns}, {"access", access}});
    }
    return out;
}

json::object robotJson(const Robot& robot) {
    return json::object{{"id", robot.id},
                        {"name", robot.name},
                        {"description", robot.description},
                        {"level", robot.level},
                        {"duration", robot.duration},
                        {"editable", true},
                        {"disable", robot.disabled},
                        {"expires_at", robot.expiresAt},
                        {"permissions", permissionsJson(robot.permissions)},
                        {"creation_time", harborTime(robot.created)},
                        {"update_time", harborTime(robot.updated)}};
}

/// The permission list of a robot request: v2 `permissions` or the v1 project robot `access`
/// list (`{"resource": "/project/1/repository", "action": "push"}`).
Result<std::vector<RobotPermission>> parsePermissions(const json::object& body,
                                                      const Project* project) {
    std::vector<RobotPermission> out;
    if (const json::value* permissions = body.if_contains("permissions");
        permissions && permissions->is_array()) {
        for (const json::value& item : permissions->get_array()) {
            if (!item.is_object()) {
                return fail(ErrorCode::InvalidArgument, "permissions[] must be objects");
            }
            const json::object& o = item.get_object();
            RobotPermission p{stringField(o, "kind"), stringField(o, "namespace"), {}};
            if (p.kind != "project" && p.kind != "system") {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("unknown permission kind \"{}\"", p.kind));
            }
            if (const json::value* access = o.if_contains("access"); access && access->is_array()) {
                for (const json::value& a : access->get_array()) {
                    if (!a.is_object()) {
                        continue;
                    }
                    RobotAccess entry{stringField(a.get_object(), "resource"),
                                      stringField(a.get_object(), "action")};
                    if (stringField(a.get_object(), "effect") == "deny") {
                        continue; // only allow rules are kept
                    }
                    if (entry.resource.empty() || entry.action.empty()) {
                        return fail(ErrorCode::InvalidArgument,
                                    "every access needs a resource and an action");
                    }
                    p.access.push_back(std::move(entry));
                }
            }
            out.push_back(std::move(p));
        }
        return out;
    }
    if (const json::value* access = body.if_contains("access"); access && access->is_array()) {
        if (project == nullptr) {
            return fail(ErrorCode::InvalidArgument, "access lists need a project");
        }
        RobotPermission p{"project", project->name, {}};
        for (const json::value& a : access->get_array()) {
            if (!a.is_object()) {
                continue;
            }
            std::string resource = stringField(a.get_object(), "resource");
            // "/project/1/repository" -> "repository"
            if (size_t slash = resource.rfind('/'); slash != std::string::npos) {
                resource = resource.substr(slash + 1);
            }
            p.access.push_back(RobotAccess{resource, stringField(a.get_object(), "action")});
        }
        out.push_back(std::move(p));
    }
    return out;
}

/// Creates a robot from `body`; `project` is set for project-level robots (and for the v1
/// /projects/{p}/robots route). Checks that the caller may create it.
RegistryResponse createRobot(ApiCall& call, const json::object& body,
                             std::optional<Project> project) {
    std::string level = stringField(body, "level");
    if (level.empty()) {
        level = project ? "project" : "system";
    }
    if (level != "project" && level != "system") {
        return apiError(400, "BAD_REQUEST", "level must be system or project");
    }
    std::string name = stringField(body, "name");
    static const std::regex grammar("[a-z0-9]+(?:[._-][a-z0-9]+)*", std::regex::optimize);
    if (name.empty() || name.size() > 255 || !std::regex_match(name, grammar)) {
        return apiError(400, "BAD_REQUEST", "name must match [a-z0-9]+(?:[._-][a-z0-9]+)*");
    }
    auto permissions = parsePermissions(body, project ? &*project : nullptr);
    if (!permissions) {
        return apiError(permissions.error());
    }
    if (level == "project") {
        if (!project) {
            if (permissions->size() != 1 || (*permissions)[0].kind != "project") {
                return apiError(400, "BAD_REQUEST",
                                "a project robot has exactly one permission of kind project");
            }
            auto found = call.access().store().projectByName((*permissions)[0].ns);
            if (!found) {
                return apiError(found.error());
            }
            if (!*found) {
                return apiError(404, "NOT_FOUND",
                                fmt::format("project {} not found", (*permissions)[0].ns));
            }
            project = **found;
        }
        for (RobotPermission& p : *permissions) {
            if (p.kind != "project" || (p.ns != project->name)) {
                return apiError(400, "BAD_REQUEST",
                                "a project robot's permissions name only its project");
            }
        }
        if (auto denied = call.requireProject(*project, rbac::ResourceRobot, rbac::ActionCreate)) {
            return std::move(*denied);
        }
    } else if (auto denied = call.requireSystem("robot", "create")) {
        return std::move(*denied);
    }
    Robot robot;
    robot.level = level;
    robot.name = level == "project" ? fmt::format("{}{}+{}", RobotPrefix, project->name, name)
                                    : fmt::format("{}{}", RobotPrefix, name);
    robot.projectId = level == "project" ? project->id : 0;
    robot.description = stringField(body, "description");
    robot.permissions = std::move(*permissions);
    const json::value* disable = body.if_contains("disable");
    robot.disabled = disable && disable->is_bool() && disable->get_bool();
    robot.duration = DefaultDurationDays;
    if (const json::value* duration = body.if_contains("duration");
        duration && duration->is_int64()) {
        robot.duration = duration->get_int64();
        if (robot.duration == 0 || robot.duration < -1) {
            return apiError(400, "BAD_REQUEST", "duration must be -1 (never) or a number of days");
        }
    }
    int64_t now = call.access().now();
    robot.expiresAt = robot.duration == -1 ? -1 : now + robot.duration * 86400;
    if (const json::value* expires = body.if_contains("expires_at");
        expires && expires->is_int64() && !body.contains("duration")) {
        robot.expiresAt = expires->get_int64(); // v1 API: an absolute time
    }
    std::string secret = stringField(body, "secret");
    if (secret.empty()) {
        secret = randomSecret();
    } else if (!strongPassword(secret)) {
        return apiError(400, "BAD_REQUEST", "the secret is too weak");
    }
    auto created = call.access().store().createRobot(robot, secret);
    if (!created) {
        return apiError(created.error());
    }
    RegistryResponse response =
        jsonResponse(json::object{{"id", created->id},
                                  {"name", created->name},
                                  {"secret", secret},
                                  {"creation_time", harborTime(created->created)},
                                  {"expires_at", created->expiresAt}},
                     201);
    response.set("Location", fmt::format("/api/v2.0/robots/{}", created->id));
    return response;
}

/// The robot of `{robot_id}` when the caller may do `action` on it, else the error response.
std::optional<Robot> robotParam(ApiCall& call, std::string_view action, RegistryResponse& error) {
    auto id = parseId(call.param("robot_id"));
    if (!id) {
        error = apiError(400, "BAD_REQUEST", "invalid robot id");
        return std::nullopt;
    }
    auto robot = call.access().store().robot(*id);
    if (!robot) {
        error = apiError(robot.error());
        return std::nullopt;
    }
    if (!*robot) {
        error = apiError(404, "NOT_FOUND", fmt::format("robot {} not found", *id));
        return std::nullopt;
    }
    if ((*robot)->level == "project") {
        auto project = call.access().store().project((*robot)->projectId);
        if (!project || !*project) {
            error = apiError(404, "NOT_FOUND", "the robot's project no longer exists");
            return std::nullopt;
        }
        if (auto denied = call.requireProject(**project, rbac::ResourceRobot, action)) {
            error = std::move(*denied);
            return std::nullopt;
        }
    } else if (auto denied = call.requireSystem("robot", action)) {
        error = std::move(*denied);
        return std::nullopt;
    }
    return **robot;
}

RegistryResponse listRobots(ApiCall& call, std::optional<Project> project) {
    auto list = listRequest(call);
    if (!list) {
        return apiError(list.error());
    }
    Query& q = list->q;
    if (!project) {
        // Harbor's /robots?q=Level=project,ProjectID=N lets project admins list theirs.
        const QueryTerm* projectId = q.find("ProjectID");
        if (projectId && projectId->kind == QueryTerm::Kind::Exact) {
            auto id = parseId(projectId->value);
            auto found = id ? call.access().store().project(*id) : Result<std::optional<Project>>();
            if (!found) {
                return apiError(found.error());
            }
            if (!*found) {
                return apiError(404, "NOT_FOUND", "project not found");
            }
            project = **found;
        }
    }
    if (project) {
        if (auto denied = call.requireProject(*project, rbac::ResourceRobot, rbac::ActionList)) {
            return std::move(*denied);
        }
    } else if (auto denied = call.requireSystem("robot", "list")) {
        return std::move(*denied);
    }
    auto robots = call.access().store().robots(project ? project->id : 0);
    if (!robots) {
        return apiError(robots.error());
    }
    std::vector<Robot> matched;
    for (const Robot& robot : *robots) {
        const QueryTerm* level = q.find("Level");
        const QueryTerm* name = q.find("name");
        if ((level && !level->matches(robot.level)) || (name && !name->matches(robot.name))) {
            continue;
        }
        matched.push_back(robot);
    }
    return listResponse(call, list->paging, matched, robotJson);
}

} // namespace

void registerRobotRoutes(ApiRouter& router) {
    router.add("GET", "/robots", [](ApiCall& call) { return listRobots(call, std::nullopt); });
    router.add("POST", "/robots", [](ApiCall& call) {
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a RobotCreate object");
        }
        if (auto denied = call.requireAuthenticated()) {
            return std::move(*denied);
        }
        return createRobot(call, body->get_object(), std::nullopt);
    });
    router.add("GET", "/robots/{robot_id}", [](ApiCall& call) {
        RegistryResponse error;
        auto robot = robotParam(call, rbac::ActionRead, error);
        if (!robot) {
            return error;
        }
        return jsonResponse(robotJson(*robot));
    });
    router.add("PUT", "/robots/{robot_id}", [](ApiCall& call) {
        RegistryResponse error;
        auto robot = robotParam(call, rbac::ActionUpdate, error);
        if (!robot) {
            return error;
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a Robot object");
        }
        const json::object& o = body->get_object();
        if (const json::value* v = o.if_contains("description"); v && v->is_string()) {
            robot->description = v->get_string();
        }
        if (const json::value* v = o.if_contains("disable"); v && v->is_bool()) {
            robot->disabled = v->get_bool();
        }
        if (const json::value* v = o.if_contains("duration");
            v && v->is_int64() && v->get_int64() != robot->duration) {
            if (v->get_int64() == 0 || v->get_int64() < -1) {
                return apiError(400, "BAD_REQUEST", "duration must be -1 or a number of days");
            }
            robot->duration = v->get_int64();
            robot->expiresAt =
                robot->duration == -1 ? -1 : robot->created + robot->duration * 86400;
        }
        if (o.contains("permissions")) {
            auto permissions = parsePermissions(o, nullptr);
            if (!permissions) {
                return apiError(permissions.error());
            }
            if (robot->level == "project") {
                auto project = call.access().store().project(robot->projectId);
                for (const RobotPermission& p : *permissions) {
                    if (!project || !*project || p.kind != "project" || p.ns != (*project)->name) {
                        return apiError(400, "BAD_REQUEST",
                                        "a project robot's permissions name only its project");
                    }
                }
            }
            robot->permissions = std::move(*permissions);
        }
        if (auto ok = call.access().store().updateRobot(*robot); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("PATCH", "/robots/{robot_id}", [](ApiCall& call) {
        RegistryResponse error;
        auto robot = robotParam(call, rbac::ActionUpdate, error);
        if (!robot) {
            return error;
        }
        auto body = call.json();
        std::string secret =
            body && body->is_object() ? stringField(body->get_object(), "secret") : std::string();
        bool generated = secret.empty();
        if (generated) {
            secret = randomSecret();
        } else if (!strongPassword(secret)) {
            return apiError(400, "BAD_REQUEST", "the secret is too weak");
        }
        if (auto ok = call.access().store().setRobotSecret(robot->id, secret); !ok) {
            return apiError(ok.error());
        }
        return generated ? jsonResponse(json::object{{"secret", secret}}) : emptyResponse(200);
    });
    router.add("DELETE", "/robots/{robot_id}", [](ApiCall& call) {
        RegistryResponse error;
        auto robot = robotParam(call, rbac::ActionDelete, error);
        if (!robot) {
            return error;
        }
        if (auto ok = call.access().store().deleteRobot(robot->id); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });

    router.add("GET", "/projects/{project_name_or_id}/robots", [](ApiCall& call) {
        auto project = call.project(call.param("project_name_or_id"));
        if (!project) {
            return apiError(project.error());
        }
        return listRobots(call, *project);
    });
    router.add("POST", "/projects/{project_name_or_id}/robots", [](ApiCall& call) {
        auto project = call.project(call.param("project_name_or_id"));
        if (!project) {
            return apiError(project.error());
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a robot object");
        }
        json::object o = body->get_object();
        o["level"] = "project";
        return createRobot(call, o, *project);
    });
}

} // namespace pilot::registry::harbor
