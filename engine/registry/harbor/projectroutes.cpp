#include "core/log.h"
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/harbor/builtinroutes.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/harbor/routeutil.h"
#include "engine/registry/storage/artifactqueries.h"
#include "engine/registry/storage/registrystorage.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <regex>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

/// Harbor's project name rule.
bool validProjectName(std::string_view name) {
    static const std::regex grammar("[a-z0-9]+(?:[._-][a-z0-9]+)*", std::regex::optimize);
    return !name.empty() && name.size() <= 255 &&
           std::regex_match(name.begin(), name.end(), grammar);
}

int64_t repositoryCount(ApiCall& call, const Project& project) {
    auto repositories = artifactqueries::repositories(call.storage().db(), project.name + "/");
    return repositories ? static_cast<int64_t>(repositories->size()) : 0;
}

/// `public` from a ProjectReq: `"public": true` or `"metadata": {"public": "true"}`.
std::optional<bool> publicFlag(const json::object& body) {
    if (const json::value* v = body.if_contains("public"); v && v->is_bool()) {
        return v->get_bool();
    }
    if (const json::value* metadata = body.if_contains("metadata");
        metadata && metadata->is_object()) {
        if (const json::value* v = metadata->get_object().if_contains("public")) {
            if (v->is_string()) {
                return v->get_string() == "true";
            }
            if (v->is_bool()) {
                return v->get_bool();
            }
        }
    }
    return std::nullopt;
}

json::object memberJson(const Member& member) {
    return json::object{{"id", member.id},
                        {"project_id", member.projectId},
                        {"entity_name", member.username},
                        {"role_name", roleName(member.role)},
                        {"role_id", static_cast<int64_t>(member.role)},
                        {"entity_id", member.userId},
                        {"entity_type", "u"}};
}

} // namespace

json::object projectJson(ApiCall& call, const Project& project) {
    std::string ownerName;
    if (auto owner = call.access().store().user(project.ownerId); owner && *owner) {
        ownerName = (*owner)->username;
    }
    ProjectRole role = call.access().roleIn(call.identity(), project);
    json::array roleIds;
    if (role != ProjectRole::None) {
        roleIds.push_back(static_cast<int64_t>(role));
    }
    return json::object{
        {"project_id", project.id},
        {"name", project.name},
        {"owner_id", project.ownerId},
        {"owner_name", ownerName},
        {"registry_id", nullptr},
        {"creation_time", harborTime(project.created)},
        {"update_time", harborTime(project.updated)},
        {"deleted", false},
        {"togglable", true},
        {"current_user_role_id", static_cast<int64_t>(role)},
        {"current_user_role_ids", roleIds},
        {"repo_count", repositoryCount(call, project)},
        {"metadata", json::object{{"public", project.isPublic ? "true" : "false"}}},
        {"cve_allowlist", json::object{{"id", 0},
                                       {"project_id", project.id},
                                       {"items", json::array()},
                                       {"creation_time", harborTime(project.created)},
                                       {"update_time", harborTime(project.updated)}}}};
}

void registerProjectRoutes(ApiRouter& router) {
    router.add("GET", "/projects", [](ApiCall& call) {
        auto list = listRequest(call);
        if (!list) {
            return apiError(list.error());
        }
        Query& q = list->q;
        // The separate filters Harbor also takes: `name` is a fuzzy match, `public` exact.
        if (const std::string* name = call.query("name")) {
            q.terms.push_back(QueryTerm{"name", QueryTerm::Kind::Fuzzy, *name, {}, {}, {}});
        }
        if (const std::string* isPublic = call.query("public")) {
            q.terms.push_back(QueryTerm{"public", QueryTerm::Kind::Exact, *isPublic, {}, {}, {}});
        }
        if (const std::string* owner = call.query("owner")) {
            q.terms.push_back(QueryTerm{"owner", QueryTerm::Kind::Exact, *owner, {}, {}, {}});
        }
        auto projects = call.access().store().projects();
        if (!projects) {
            return apiError(projects.error());
        }
        std::vector<json::object> visible;
        for (const Project& project : *projects) {
            if (!call.access().can(call.identity(), project, rbac::ResourceSelf,
                                   rbac::ActionRead)) {
                continue;
            }
            json::object item = projectJson(call, project);
            auto field = [&](std::string_view key) -> std::string {
                if (key == "name") {
                    return project.name;
                }
                if (key == "public") {
                    return project.isPublic ? "true" : "false";
                }
                if (key == "project_id") {
                    return std::to_string(project.id);
                }
                if (key == "owner" || key == "owner_name") {
                    return std::string(item["owner_name"].as_string());
                }
                if (key == "creation_time") {
                    return harborTime(project.created);
                }
                return {};
            };
            bool keep = true;
            for (const QueryTerm& term : q.terms) {
                keep = keep && term.matches(field(term.key));
            }
            if (keep) {
                visible.push_back(std::move(item));
            }
        }
        json::array items;
        for (size_t i = static_cast<size_t>(list->paging.offset());
             i < visible.size() && items.size() < static_cast<size_t>(list->paging.pageSize); ++i) {
            items.push_back(std::move(visible[i]));
        }
        return pageResponse(call, list->paging, static_cast<int64_t>(visible.size()),
                            std::move(items));
    });
    router.add("HEAD", "/projects", [](ApiCall& call) {
        const std::string* name = call.query("project_name");
        if (name == nullptr || name->empty()) {
            return apiError(400, "BAD_REQUEST", "project_name is required");
        }
        auto project = call.access().store().projectByName(*name);
        if (!project) {
            return apiError(project.error());
        }
        return *project ? emptyResponse(200)
                        : apiError(404, "NOT_FOUND", fmt::format("project {} not found", *name));
    });
    router.add("POST", "/projects", [&router](ApiCall& call) {
        if (auto denied = call.requireAuthenticated()) {
            return std::move(*denied);
        }
        if (call.identity().robot() &&
            !call.access().canSystem(call.identity(), "project", "create")) {
            return apiError(403, "FORBIDDEN", "this robot account may not create projects");
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a ProjectReq object");
        }
        const json::object& o = body->get_object();
        const json::value* name = o.if_contains("project_name");
        if (name == nullptr || !name->is_string() || !validProjectName(name->get_string())) {
            return apiError(400, "BAD_REQUEST",
                            "project_name must match [a-z0-9]+(?:[._-][a-z0-9]+)*");
        }
        int64_t owner = call.identity().kind == Identity::Kind::User ? call.identity().id : 0;
        auto project = call.access().store().createProject(std::string_view(name->get_string()),
                                                           publicFlag(o).value_or(false), owner);
        if (!project) {
            return apiError(project.error());
        }
        for (const auto& hook : router.projectCreatedHooks()) {
            if (auto ok = hook(call, *project, o); !ok) {
                log::warn("registry", "project {} created, but a hook failed: {}", project->name,
                          ok.error().message);
            }
        }
        router.notify(call, ApiEvent{ApiEvent::Kind::ProjectCreated, project->name, {}, {}});
        RegistryResponse response =
            emptyResponse(201, fmt::format("/api/v2.0/projects/{}", project->id));
        return response;
    });
    router.add("GET", "/projects/{project_name_or_id}", [](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name_or_id", rbac::ResourceSelf, rbac::ActionRead);
        if (!project) {
            return std::move(project.error());
        }
        return jsonResponse(projectJson(call, *project));
    });
    router.add("PUT", "/projects/{project_name_or_id}", [](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name_or_id", rbac::ResourceSelf, rbac::ActionUpdate);
        if (!project) {
            return std::move(project.error());
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a ProjectReq object");
        }
        if (auto isPublic = publicFlag(body->get_object())) {
            if (auto ok = call.access().store().setProjectPublic(project->id, *isPublic); !ok) {
                return apiError(ok.error());
            }
        }
        return emptyResponse(200);
    });
    router.add("DELETE", "/projects/{project_name_or_id}", [&router](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name_or_id", rbac::ResourceSelf, rbac::ActionDelete);
        if (!project) {
            return std::move(project.error());
        }
        if (repositoryCount(call, *project) > 0) {
            return apiError(412, "PRECONDITION",
                            fmt::format("the project {} contains repositories and cannot be "
                                        "deleted",
                                        project->name));
        }
        for (const auto& hook : router.projectDeletedHooks()) {
            if (auto ok = hook(call, *project); !ok) {
                return apiError(ok.error());
            }
        }
        if (auto ok = call.access().store().deleteProject(project->id); !ok) {
            return apiError(ok.error());
        }
        router.notify(call, ApiEvent{ApiEvent::Kind::ProjectDeleted, project->name, {}, {}});
        return emptyResponse(200);
    });

    // -- members ------------------------------------------------------------------------------
    router.add("GET", "/projects/{project_name_or_id}/members", [](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name_or_id", rbac::ResourceMember, rbac::ActionList);
        if (!project) {
            return std::move(project.error());
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        auto members = call.access().store().members(project->id);
        if (!members) {
            return apiError(members.error());
        }
        const std::string* entity = call.query("entityname");
        std::vector<Member> matched;
        for (const Member& member : *members) {
            if (entity == nullptr || member.username.find(*entity) != std::string::npos) {
                matched.push_back(member);
            }
        }
        return listResponse(call, *paging, matched, memberJson);
    });
    router.add("POST", "/projects/{project_name_or_id}/members", [](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name_or_id", rbac::ResourceMember, rbac::ActionCreate);
        if (!project) {
            return std::move(project.error());
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a ProjectMember object");
        }
        const json::object& o = body->get_object();
        const json::value* roleId = o.if_contains("role_id");
        std::optional<ProjectRole> role =
            roleId && roleId->is_int64() ? roleFromId(roleId->get_int64()) : std::nullopt;
        if (!role) {
            return apiError(400, "BAD_REQUEST", "role_id must be 1 to 5");
        }
        const json::value* memberUser = o.if_contains("member_user");
        if (memberUser == nullptr || !memberUser->is_object()) {
            return apiError(400, "BAD_REQUEST",
                            "member_user is required (groups are not supported)");
        }
        const json::object& mu = memberUser->get_object();
        Result<std::optional<User>> user = std::optional<User>();
        if (const json::value* id = mu.if_contains("user_id");
            id && id->is_int64() && id->get_int64() > 0) {
            user = call.access().store().user(id->get_int64());
        } else if (const json::value* name = mu.if_contains("username");
                   name && name->is_string()) {
            user = call.access().store().userByName(std::string_view(name->get_string()));
        }
        if (!user) {
            return apiError(user.error());
        }
        if (!*user) {
            return apiError(404, "NOT_FOUND", "no such user");
        }
        auto member = call.access().store().addMember(project->id, (*user)->id, *role);
        if (!member) {
            return apiError(member.error());
        }
        return emptyResponse(201, fmt::format("/api/v2.0/projects/{}/members/{}",
                                              call.param("project_name_or_id"), member->id));
    });
    // `{mid}` of the project, if the caller may do `action` on members.
    auto memberParam = [](ApiCall& call,
                          std::string_view action) -> Checked<std::pair<Project, Member>> {
        auto project = authorizedProject(call, "project_name_or_id", rbac::ResourceMember, action);
        if (!project) {
            return std::unexpected(std::move(project.error()));
        }
        auto id = parseId(call.param("mid"));
        if (!id) {
            return std::unexpected(apiError(400, "BAD_REQUEST", "invalid member id"));
        }
        auto member = call.access().store().member(project->id, *id);
        if (!member) {
            return std::unexpected(apiError(member.error()));
        }
        if (!*member) {
            return std::unexpected(
                apiError(404, "NOT_FOUND", fmt::format("member {} not found", *id)));
        }
        return std::pair{std::move(*project), std::move(**member)};
    };
    router.add("GET", "/projects/{project_name_or_id}/members/{mid}", [memberParam](ApiCall& call) {
        auto found = memberParam(call, rbac::ActionRead);
        if (!found) {
            return std::move(found.error());
        }
        const auto& [project, member] = *found;
        return jsonResponse(memberJson(member));
    });
    router.add("PUT", "/projects/{project_name_or_id}/members/{mid}", [memberParam](ApiCall& call) {
        auto found = memberParam(call, rbac::ActionUpdate);
        if (!found) {
            return std::move(found.error());
        }
        const auto& [project, member] = *found;
        auto body = call.json();
        const json::value* roleId =
            body && body->is_object() ? body->get_object().if_contains("role_id") : nullptr;
        std::optional<ProjectRole> role =
            roleId && roleId->is_int64() ? roleFromId(roleId->get_int64()) : std::nullopt;
        if (!role) {
            return apiError(400, "BAD_REQUEST", "role_id must be 1 to 5");
        }
        if (auto ok = call.access().store().setMemberRole(project.id, member.id, *role); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("DELETE", "/projects/{project_name_or_id}/members/{mid}",
               [memberParam](ApiCall& call) {
                   auto found = memberParam(call, rbac::ActionDelete);
                   if (!found) {
                       return std::move(found.error());
                   }
                   const auto& [project, member] = *found;
                   if (auto ok = call.access().store().removeMember(project.id, member.id); !ok) {
                       return apiError(ok.error());
                   }
                   return emptyResponse(200);
               });
}

} // namespace pilot::registry::harbor
