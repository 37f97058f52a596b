#include "engine/registry/access/harboraccess.h"
#include "engine/registry/distribution/route.h"
#include "engine/registry/harbor/builtinroutes.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/storage/artifactqueries.h"
#include "engine/registry/storage/registrystorage.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>

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

std::optional<Target> target(ApiCall& call, RegistryResponse& error) {
    auto project = call.project(call.param("project_name"));
    if (!project) {
        error = apiError(project.error());
        return std::nullopt;
    }
    std::string repository = project->name + "/" + call.repositoryParam("repository_name");
    return Target{std::move(*project), std::move(repository)};
}

std::optional<Query> queryParam(ApiCall& call, RegistryResponse& error) {
    const std::string* text = call.query("q");
    if (text == nullptr) {
        return Query{};
    }
    auto parsed = parseQuery(*text);
    if (!parsed) {
        error = apiError(parsed.error());
        return std::nullopt;
    }
    return std::move(*parsed);
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

template <typename T, typename F>
json::array pageOf(const std::vector<T>& all, const Paging& paging, F toJson) {
    json::array items;
    for (size_t i = static_cast<size_t>(paging.offset());
         i < all.size() && items.size() < static_cast<size_t>(paging.pageSize); ++i) {
        items.push_back(toJson(all[i]));
    }
    return items;
}

/// The artifact `{reference}` (digest or tag) of the target, or the error response.
std::optional<ArtifactInfo> artifactParam(ApiCall& call, const Target& t, RegistryResponse& error) {
    std::string reference = call.param("reference");
    auto artifact = artifactqueries::artifact(call.storage().db(), t.repository, reference);
    if (!artifact) {
        error = apiError(artifact.error());
        return std::nullopt;
    }
    if (!*artifact) {
        error = apiError(404, "NOT_FOUND",
                         fmt::format("artifact {}:{} not found", t.repository, reference));
        return std::nullopt;
    }
    return std::move(**artifact);
}

} // namespace

void registerArtifactRoutes(ApiRouter& router) {
    router.add("GET", "/projects/{project_name}/repositories", [](ApiCall& call) {
        auto project = call.project(call.param("project_name"));
        if (!project) {
            return apiError(project.error());
        }
        if (auto denied =
                call.requireProject(*project, rbac::ResourceRepository, rbac::ActionList)) {
            return std::move(*denied);
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        RegistryResponse error;
        auto q = queryParam(call, error);
        if (!q) {
            return error;
        }
        auto all = artifactqueries::repositories(call.storage().db(), project->name + "/");
        if (!all) {
            return apiError(all.error());
        }
        std::vector<RepositoryInfo> matched;
        for (const RepositoryInfo& r : *all) {
            const QueryTerm* name = q->find("name");
            if (name && !name->matches(r.name)) {
                continue;
            }
            matched.push_back(r);
        }
        return pageResponse(call, *paging, static_cast<int64_t>(matched.size()),
                            pageOf(matched, *paging, [&](const RepositoryInfo& r) {
                                return repositoryJson(r, *project);
                            }));
    });
    router.add("GET", "/projects/{project_name}/repositories/{repository_name}", [](ApiCall& call) {
        RegistryResponse error;
        auto t = target(call, error);
        if (!t) {
            return error;
        }
        if (auto denied =
                call.requireProject(t->project, rbac::ResourceRepository, rbac::ActionRead)) {
            return std::move(*denied);
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
    router.add(
        "DELETE", "/projects/{project_name}/repositories/{repository_name}", [](ApiCall& call) {
            RegistryResponse error;
            auto t = target(call, error);
            if (!t) {
                return error;
            }
            if (auto denied =
                    call.requireProject(t->project, rbac::ResourceRepository, rbac::ActionDelete)) {
                return std::move(*denied);
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
                if (auto removed = call.storage().manifests().remove(t->repository, *digest);
                    !removed) {
                    return apiError(removed.error());
                }
            }
            return emptyResponse(200);
        });

    router.add(
        "GET", "/projects/{project_name}/repositories/{repository_name}/artifacts",
        [](ApiCall& call) {
            RegistryResponse error;
            auto t = target(call, error);
            if (!t) {
                return error;
            }
            if (auto denied =
                    call.requireProject(t->project, rbac::ResourceArtifact, rbac::ActionList)) {
                return std::move(*denied);
            }
            auto paging = call.paging();
            if (!paging) {
                return apiError(paging.error());
            }
            auto q = queryParam(call, error);
            if (!q) {
                return error;
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
                for (const QueryTerm& term : q->terms) {
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
            return pageResponse(call, *paging, static_cast<int64_t>(matched.size()),
                                pageOf(matched, *paging, [&](const ArtifactInfo& a) {
                                    return artifactJson(a, t->project, t->repository, withTags);
                                }));
        });
    router.add("GET",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}",
               [](ApiCall& call) {
                   RegistryResponse error;
                   auto t = target(call, error);
                   if (!t) {
                       return error;
                   }
                   if (auto denied = call.requireProject(t->project, rbac::ResourceArtifact,
                                                         rbac::ActionRead)) {
                       return std::move(*denied);
                   }
                   auto artifact = artifactParam(call, *t, error);
                   if (!artifact) {
                       return error;
                   }
                   return jsonResponse(artifactJson(*artifact, t->project, t->repository,
                                                    call.queryFlag("with_tag", true)));
               });
    router.add("DELETE",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}",
               [](ApiCall& call) {
                   RegistryResponse error;
                   auto t = target(call, error);
                   if (!t) {
                       return error;
                   }
                   if (auto denied = call.requireProject(t->project, rbac::ResourceArtifact,
                                                         rbac::ActionDelete)) {
                       return std::move(*denied);
                   }
                   auto artifact = artifactParam(call, *t, error);
                   if (!artifact) {
                       return error;
                   }
                   auto digest = Digest::parse(artifact->digest);
                   if (!digest) {
                       return apiError(digest.error());
                   }
                   if (auto removed = call.storage().manifests().remove(t->repository, *digest);
                       !removed) {
                       return apiError(removed.error());
                   }
                   return emptyResponse(200);
               });

    router.add("GET",
               "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags",
               [](ApiCall& call) {
                   RegistryResponse error;
                   auto t = target(call, error);
                   if (!t) {
                       return error;
                   }
                   if (auto denied =
                           call.requireProject(t->project, rbac::ResourceTag, rbac::ActionList)) {
                       return std::move(*denied);
                   }
                   auto paging = call.paging();
                   if (!paging) {
                       return apiError(paging.error());
                   }
                   auto q = queryParam(call, error);
                   if (!q) {
                       return error;
                   }
                   auto artifact = artifactParam(call, *t, error);
                   if (!artifact) {
                       return error;
                   }
                   std::vector<TagInfo> matched;
                   for (const TagInfo& tag : artifact->tags) {
                       const QueryTerm* name = q->find("name");
                       if (!name || name->matches(tag.name)) {
                           matched.push_back(tag);
                       }
                   }
                   return pageResponse(call, *paging, static_cast<int64_t>(matched.size()),
                                       pageOf(matched, *paging, tagJson));
               });
    router.add(
        "POST",
        "/projects/{project_name}/repositories/{repository_name}/artifacts/{reference}/tags",
        [](ApiCall& call) {
            RegistryResponse error;
            auto t = target(call, error);
            if (!t) {
                return error;
            }
            if (auto denied =
                    call.requireProject(t->project, rbac::ResourceTag, rbac::ActionCreate)) {
                return std::move(*denied);
            }
            auto body = call.json();
            const json::value* name =
                body && body->is_object() ? body->get_object().if_contains("name") : nullptr;
            if (name == nullptr || !name->is_string() || !isValidTag(name->get_string())) {
                return apiError(400, "BAD_REQUEST", "a valid tag name is required");
            }
            auto artifact = artifactParam(call, *t, error);
            if (!artifact) {
                return error;
            }
            if (auto ok = artifactqueries::addTag(
                    call.storage().db(), t->repository, artifact->digest,
                    std::string_view(name->get_string()), call.access().now());
                !ok) {
                return apiError(ok.error());
            }
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
               [](ApiCall& call) {
                   RegistryResponse error;
                   auto t = target(call, error);
                   if (!t) {
                       return error;
                   }
                   if (auto denied =
                           call.requireProject(t->project, rbac::ResourceTag, rbac::ActionDelete)) {
                       return std::move(*denied);
                   }
                   auto artifact = artifactParam(call, *t, error);
                   if (!artifact) {
                       return error;
                   }
                   const std::string& tag = call.param("tag_name");
                   bool onArtifact =
                       std::any_of(artifact->tags.begin(), artifact->tags.end(),
                                   [&](const TagInfo& each) { return each.name == tag; });
                   if (!onArtifact) {
                       return apiError(404, "NOT_FOUND", fmt::format("tag {} not found", tag));
                   }
                   auto removed = call.storage().manifests().untag(t->repository, tag);
                   if (!removed) {
                       return apiError(removed.error());
                   }
                   return emptyResponse(200);
               });
}

} // namespace pilot::registry::harbor
