#include "engine/registry/access/harboraccess.h"
#include "engine/registry/distribution/route.h"
#include "engine/registry/harbor/builtinroutes.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/harbor/routeutil.h"
#include "engine/registry/storage/artifactqueries.h"
#include "engine/registry/storage/registrystorage.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

constexpr std::string_view NeverPulled = "0001-01-01T00:00:00.000Z";

/// Harbor's artifact `type` from what the manifest says it holds.
std::string_view artifactKind(const ArtifactInfo& a) {
    if (a.artifactType == "application/vnd.oci.image.config.v1+json" ||
        a.artifactType == "application/vnd.docker.container.image.v1+json" ||
        a.mediaType == "application/vnd.oci.image.index.v1+json" ||
        a.mediaType == "application/vnd.docker.distribution.manifest.list.v2+json") {
        return "IMAGE";
    }
    if (a.artifactType.find("helm") != std::string::npos) {
        return "CHART";
    }
    return "UNKNOWN";
}

json::object tagJson(const TagInfo& tag) {
    return json::object{{"id", tag.artifactId},
                        {"repository_id", tag.repositoryId},
                        {"artifact_id", tag.artifactId},
                        {"name", tag.name},
                        {"push_time", harborTime(tag.pushed)},
                        {"pull_time", NeverPulled},
                        {"immutable", false},
                        {"signed", false}};
}

json::object artifactJson(const ArtifactInfo& a, const Project& project,
                          std::string_view repository, bool withTags) {
    json::value annotations = nullptr;
    if (!a.annotationsJson.empty()) {
        boost::system::error_code ec;
        annotations = json::parse(a.annotationsJson, ec);
        if (ec) {
            annotations = nullptr;
        }
    }
    json::object out{{"id", a.id},
                     {"type", artifactKind(a)},
                     {"media_type", a.artifactType},
                     {"manifest_media_type", a.mediaType},
                     {"artifact_type", a.artifactType},
                     {"project_id", project.id},
                     {"repository_id", a.repositoryId},
                     {"repository_name", repository},
                     {"digest", a.digest},
                     {"size", a.size},
                     {"icon", ""},
                     {"push_time", harborTime(a.pushed)},
                     {"pull_time", NeverPulled},
                     {"extra_attrs", json::object()},
                     {"annotations", annotations},
                     {"references", nullptr},
                     {"labels", nullptr}};
    if (withTags) {
        json::array tags;
        for (const TagInfo& tag : a.tags) {
            tags.push_back(tagJson(tag));
        }
        out["tags"] = a.tags.empty() ? json::value(nullptr) : json::value(std::move(tags));
    } else {
        out["tags"] = nullptr;
    }
    return out;
}

/// The parts of a repository/artifact route: project, full repository name.
struct Target {
    Project project;
    std::string repository;
};

/// The `{project_name}`/`{repository_name}` of the path, if the caller may do `action` on
/// `resource` in the project.
Checked<Target> target(ApiCall& call, std::string_view resource, std::string_view action) {
    auto project = authorizedProject(call, "project_name", resource, action);
    if (!project) {
        return std::unexpected(std::move(project.error()));
    }
    std::string repository = project->name + "/" + call.repositoryParam("repository_name");
    return Target{std::move(*project), std::move(repository)};
}

json::object repositoryJson(const RepositoryInfo& r, const Project& project) {
    return json::object{{"id", r.id},
                        {"project_id", project.id},
                        {"name", r.name},
                        {"description", ""},
                        {"artifact_count", r.artifactCount},
                        {"pull_count", 0},
                        {"creation_time", harborTime(r.created)},
                        {"update_time", harborTime(r.updated)}};
}

/// Orders repositories as `sort=` asks (`name`, `creation_time`, `update_time`, each with `-`
/// for descending, comma-separated; other keys are ignored as Harbor's ORM does), after Harbor's
/// default: newest first (creation time, then id, descending).
void sortRepositories(const ApiCall& call, std::vector<RepositoryInfo>& repositories) {
    struct Key {
        std::string name;
        bool descending = false;
    };
    std::vector<Key> keys;
    if (const std::string* sort = call.query("sort")) {
        std::string_view rest = *sort;
        while (!rest.empty()) {
            size_t comma = rest.find(',');
            std::string_view key = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            bool descending = key.starts_with('-');
            key.remove_prefix(descending ? 1 : 0);
            if (key == "name" || key == "creation_time" || key == "update_time") {
                keys.push_back(Key{std::string(key), descending});
            }
        }
    }
    keys.push_back(Key{"creation_time", true});
    keys.push_back(Key{"id", true});
    auto compare = [&](const RepositoryInfo& a, const RepositoryInfo& b) {
        for (const Key& key : keys) {
            int order = 0;
            if (key.name == "name") {
                order = a.name.compare(b.name);
            } else {
                int64_t x = key.name == "creation_time" ? a.created
                            : key.name == "update_time" ? a.updated
                                                        : a.id;
                int64_t y = key.name == "creation_time" ? b.created
                            : key.name == "update_time" ? b.updated
                                                        : b.id;
                order = x < y ? -1 : x > y ? 1 : 0;
            }
            if (order != 0) {
                return key.descending ? order > 0 : order < 0;
            }
        }
        return false;
    };
    std::stable_sort(repositories.begin(), repositories.end(), compare);
}

/// The repositories in `all` that match `q`'s `name` and `project_id` terms, sorted as asked.
std::vector<RepositoryInfo> selectRepositories(const ApiCall& call, const Query& q,
                                               const std::vector<RepositoryInfo>& all,
                                               const std::map<std::string, Project>& projects) {
    std::vector<RepositoryInfo> matched;
    for (const RepositoryInfo& r : all) {
        auto project = projects.find(std::string(r.name.substr(0, r.name.find('/'))));
        if (project == projects.end()) {
            continue;
        }
        const QueryTerm* name = q.find("name");
        const QueryTerm* projectId = q.find("project_id");
        if ((name && !name->matches(r.name)) ||
            (projectId && !projectId->matches(std::to_string(project->second.id)))) {
            continue;
        }
        matched.push_back(r);
    }
    sortRepositories(call, matched);
    return matched;
}

/// The projects whose repositories GET /repositories shows the caller, by name, as Harbor
/// decides: system admins (and robots covering every project) all of them; users the projects
/// they are members of and the public ones; robots the projects their permission list names and
/// the public ones; anonymous callers the public ones.
Result<std::map<std::string, Project>> listedProjects(ApiCall& call) {
    auto projects = call.access().store().projects();
    if (!projects) {
        return std::unexpected(projects.error());
    }
    const Identity& who = call.identity();
    std::set<std::string> robotProjects;
    bool allProjects = who.administrator;
    if (who.robot()) {
        auto found = call.access().store().robot(who.id);
        if (!found) {
            return std::unexpected(found.error());
        }
        Robot robot = found->value_or(Robot{});
        for (const RobotPermission& permission : robot.permissions) {
            if (permission.kind == "project") {
                allProjects = allProjects || permission.ns == "*";
                robotProjects.insert(permission.ns);
            }
        }
    }
    std::map<std::string, Project> out;
    for (const Project& project : *projects) {
        bool listed = allProjects || project.isPublic ||
                      (who.robot() ? robotProjects.contains(project.name)
                                   : call.access().roleIn(who, project) != ProjectRole::None);
        if (listed) {
            out.emplace(project.name, project);
        }
    }
    return out;
}

/// The artifact `{reference}` (digest or tag) of the target.
Checked<ArtifactInfo> artifactParam(ApiCall& call, const Target& t) {
    std::string reference = call.param("reference");
    auto artifact = artifactqueries::artifact(call.storage().db(), t.repository, reference);
    if (!artifact) {
        return std::unexpected(apiError(artifact.error()));
    }
    if (!*artifact) {
        return std::unexpected(apiError(
            404, "NOT_FOUND", fmt::format("artifact {}:{} not found", t.repository, reference)));
    }
    return std::move(**artifact);
}

/// A route on one artifact: the target, if the caller may do `action` on `resource`, and its
/// artifact `{reference}`.
struct ArtifactTarget {
    Target t;
    ArtifactInfo artifact;
};

Checked<ArtifactTarget> artifactTarget(ApiCall& call, std::string_view resource,
                                       std::string_view action) {
    auto t = target(call, resource, action);
    if (!t) {
        return std::unexpected(std::move(t.error()));
    }
    auto artifact = artifactParam(call, *t);
    if (!artifact) {
        return std::unexpected(std::move(artifact.error()));
    }
    return ArtifactTarget{std::move(*t), std::move(*artifact)};
}

} // namespace

void registerArtifactRoutes(ApiRouter& router) {
    router.add("GET", "/repositories", [](ApiCall& call) {
        auto list = listRequest(call);
        if (!list) {
            return apiError(list.error());
        }
        auto projects = listedProjects(call);
        if (!projects) {
            return apiError(projects.error());
        }
        auto all = artifactqueries::repositories(call.storage().db(), "");
        if (!all) {
            return apiError(all.error());
        }
        std::vector<RepositoryInfo> matched = selectRepositories(call, list->q, *all, *projects);
        return listResponse(call, list->paging, matched, [&](const RepositoryInfo& r) {
            return repositoryJson(r, projects->at(r.name.substr(0, r.name.find('/'))));
        });
    });
    router.add("GET", "/projects/{project_name}/repositories", [](ApiCall& call) {
        auto project =
            authorizedProject(call, "project_name", rbac::ResourceRepository, rbac::ActionList);
        if (!project) {
            return std::move(project.error());
        }
        auto list = listRequest(call);
        if (!list) {
            return apiError(list.error());
        }
        auto all = artifactqueries::repositories(call.storage().db(), project->name + "/");
        if (!all) {
            return apiError(all.error());
        }
        std::vector<RepositoryInfo> matched =
            selectRepositories(call, list->q, *all, {{project->name, *project}});
        return listResponse(call, list->paging, matched,
                            [&](const RepositoryInfo& r) { return repositoryJson(r, *project); });
    });
    router.add("GET", "/projects/{project_name}/repositories/{repository_name}", [](ApiCall& call) {
        auto t = target(call, rbac::ResourceRepository, rbac::ActionRead);
        if (!t) {
            return std::move(t.error());
        }
        auto repository = artifactqueries::repository(call.storage().db(), t->repository);
        if (!repository) {
            return apiError(repository.error());
        }
        if (!*repository) {
            return apiError(404, "NOT_FOUND",
                            fmt::format("repository {} not found", t->repository));
        }
        return jsonResponse(repositoryJson(**repository, t->project));
    });
    router.add("DELETE", "/projects/{project_name}/repositories/{repository_name}",
               [&router](ApiCall& call) {
                   auto t = target(call, rbac::ResourceRepository, rbac::ActionDelete);
                   if (!t) {
                       return std::move(t.error());
                   }
                   auto artifacts = artifactqueries::artifacts(call.storage().db(), t->repository);
                   if (!artifacts) {
                       return apiError(artifacts.error());
                   }
                   if (artifacts->empty()) {
                       return apiError(404, "NOT_FOUND",
                                       fmt::format("repository {} not found", t->repository));
                   }
                   for (const ArtifactInfo& a : *artifacts) {
                       auto digest = Digest::parse(a.digest);
                       if (!digest) {
                           return apiError(digest.error());
                       }
                       auto removed = call.storage().manifests().remove(t->repository, *digest);
                       if (!removed) {
                           return apiError(removed.error());
                       }
                       if (*removed) {
                           router.notify(call, ApiEvent{ApiEvent::Kind::ArtifactDeleted,
                                                        t->project.name, t->repository, a.digest});
                       }
                   }
                   router.notify(call, ApiEvent{ApiEvent::Kind::RepositoryDeleted,
                                                t->project.name,
                                                t->repository,
                                                {}});
                   return emptyResponse(200);
               });

    router.add("GET", "/projects/{project_name}/repositories/{repository_name}/artifacts",
               [](ApiCall& call) {
                   auto t = target(call, rbac::ResourceArtifact, rbac::ActionList);
                   if (!t) {
                       return std::move(t.error());
                   }
                   auto list = listRequest(call);
                   if (!list) {
                       return apiError(list.error());
                   }
                   auto all = artifactqueries::artifacts(call.storage().db(), t->repository);
                   if (!all) {
                       return apiError(all.error());
                   }
                   std::vector<ArtifactInfo> matched;
                   for (const ArtifactInfo& a : *all) {
                       std::vector<std::string> tags;
                       for (const TagInfo& tag : a.tags) {
                           tags.push_back(tag.name);
                       }
                       bool keep = true;
                       for (const QueryTerm& term : list->q.terms) {
                           if (term.key == "tags") {
                               keep = keep && (term.value == "nil" ? tags.empty()
                                               : term.value == "*" ? !tags.empty()
                                                                   : term.matchesAny(tags));
                           } else if (term.key == "digest") {
                               keep = keep && term.matches(a.digest);
                           } else if (term.key == "media_type") {
                               keep = keep && term.matches(a.artifactType);
                           } else if (term.key == "type") {
                               keep = keep && term.matches(artifactKind(a));
                           } else if (term.key == "push_time") {
                               keep = keep && term.matches(harborTime(a.pushed));
                           }
                       }
                       if (keep) {
                           matched.push_back(a);
                       }
                   }
                   bool withTags = call.queryFlag("with_tag", true);
                   return listResponse(call, list->paging, matched, [&](const ArtifactInfo& a) {
                       return artifactJson(a, t->project, t->repository, withTags);
                   });
               });
    router.add("GET",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}",
               [](ApiCall& call) {
                   auto found = artifactTarget(call, rbac::ResourceArtifact, rbac::ActionRead);
                   if (!found) {
                       return std::move(found.error());
                   }
                   const auto& [t, artifact] = *found;
                   return jsonResponse(artifactJson(artifact, t.project, t.repository,
                                                    call.queryFlag("with_tag", true)));
               });
    router.add("DELETE",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}",
               [&router](ApiCall& call) {
                   auto found = artifactTarget(call, rbac::ResourceArtifact, rbac::ActionDelete);
                   if (!found) {
                       return std::move(found.error());
                   }
                   const auto& [t, artifact] = *found;
                   auto digest = Digest::parse(artifact.digest);
                   if (!digest) {
                       return apiError(digest.error());
                   }
                   auto removed = call.storage().manifests().remove(t.repository, *digest);
                   if (!removed) {
                       return apiError(removed.error());
                   }
                   if (*removed) {
                       router.notify(call, ApiEvent{ApiEvent::Kind::ArtifactDeleted, t.project.name,
                                                    t.repository, artifact.digest});
                   }
                   return emptyResponse(200);
               });

    router.add("GET",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags",
               [](ApiCall& call) {
                   auto t = target(call, rbac::ResourceTag, rbac::ActionList);
                   if (!t) {
                       return std::move(t.error());
                   }
                   auto list = listRequest(call);
                   if (!list) {
                       return apiError(list.error());
                   }
                   auto artifact = artifactParam(call, *t);
                   if (!artifact) {
                       return std::move(artifact.error());
                   }
                   std::vector<TagInfo> matched;
                   for (const TagInfo& tag : artifact->tags) {
                       const QueryTerm* name = list->q.find("name");
                       if (!name || name->matches(tag.name)) {
                           matched.push_back(tag);
                       }
                   }
                   return listResponse(call, list->paging, matched, tagJson);
               });
    router.add(
        "POST",
        "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags",
        [&router](ApiCall& call) {
            auto t = target(call, rbac::ResourceTag, rbac::ActionCreate);
            if (!t) {
                return std::move(t.error());
            }
            auto body = call.json();
            const json::value* name =
                body && body->is_object() ? body->get_object().if_contains("name") : nullptr;
            if (name == nullptr || !name->is_string() || !isValidTag(name->get_string())) {
                return apiError(400, "BAD_REQUEST", "a valid tag name is required");
            }
            auto artifact = artifactParam(call, *t);
            if (!artifact) {
                return std::move(artifact.error());
            }
            if (auto ok = artifactqueries::addTag(
                    call.storage().db(), t->repository, artifact->digest,
                    std::string_view(name->get_string()), call.access().now());
                !ok) {
                return apiError(ok.error());
            }
            router.notify(call, ApiEvent{ApiEvent::Kind::TagCreated, t->project.name, t->repository,
                                         std::string(name->get_string())});
            return emptyResponse(
                201,
                fmt::format("/api/v2.0/projects/{}/repositories/{}/artifacts/{}/tags/{}",
                            t->project.name,
                            percentEncode(percentEncode(call.repositoryParam("repository_name"))),
                            artifact->digest, std::string_view(name->get_string())));
        });
    router.add("DELETE",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags/"
               "{tag_name}",
               [&router](ApiCall& call) {
                   auto found = artifactTarget(call, rbac::ResourceTag, rbac::ActionDelete);
                   if (!found) {
                       return std::move(found.error());
                   }
                   const auto& [t, artifact] = *found;
                   const std::string& tag = call.param("tag_name");
                   bool onArtifact =
                       std::any_of(artifact.tags.begin(), artifact.tags.end(),
                                   [&](const TagInfo& each) { return each.name == tag; });
                   if (!onArtifact) {
                       return apiError(404, "NOT_FOUND", fmt::format("tag {} not found", tag));
                   }
                   auto removed = call.storage().manifests().untag(t.repository, tag);
                   if (!removed) {
                       return apiError(removed.error());
                   }
                   if (*removed) {
                       router.notify(call, ApiEvent{ApiEvent::Kind::TagDeleted, t.project.name,
                                                    t.repository, tag});
                   }
                   return emptyResponse(200);
               });
}

} // namespace pilot::registry::harbor
