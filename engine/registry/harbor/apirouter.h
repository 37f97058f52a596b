#pragma once

#include "core/error.h"
#include "engine/registry/access/accesscontroller.h"
#include "engine/registry/access/accessstore.h"
#include "engine/registry/distribution/registryhttp.h"

#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::registry {
class HarborAccess;
class RegistryStorage;
} // namespace pilot::registry

namespace pilot::registry::harbor {

/// `page` and `page_size` of a list request (Harbor: page >= 1, default 1; page_size 1..100,
/// default 10).
struct Paging {
    int64_t page = 1;
    int64_t pageSize = 10;

    [[nodiscard]] int64_t offset() const { return (page - 1) * pageSize; }
};

/// One /api/v2.0 request being handled: who sent it, its path parameters, query and body.
/// Handlers answer with a RegistryResponse built by the helpers below (json, error, ...).
class ApiCall {
public:
    ApiCall(const RegistryRequest& request, std::string requestId, Identity identity,
            HarborAccess& access, RegistryStorage& storage);

    [[nodiscard]] const RegistryRequest& request() const { return m_request; }
    [[nodiscard]] const std::string& method() const { return m_request.method; }
    [[nodiscard]] const Identity& identity() const { return m_identity; }
    [[nodiscard]] const std::string& requestId() const { return m_requestId; }
    [[nodiscard]] HarborAccess& access() { return m_access; }
    [[nodiscard]] RegistryStorage& storage() { return m_storage; }

    /// The path parameter `{name}` of the route's pattern, percent-decoded once (so a
    /// repository `a%252Fb` in the path arrives as `a%2Fb`; use `repositoryParam` for those).
    [[nodiscard]] const std::string& param(std::string_view name) const;
    /// A path parameter that Harbor double-encodes (repository names): decoded twice.
    [[nodiscard]] std::string repositoryParam(std::string_view name) const;
    /// The first query parameter `name` (decoded), or nullptr.
    [[nodiscard]] const std::string* query(std::string_view name) const;
    /// A boolean query parameter (`true`/`false`), `fallback` when absent.
    [[nodiscard]] bool queryFlag(std::string_view name, bool fallback) const;
    /// `page`/`page_size`; InvalidArgument for values Harbor rejects.
    [[nodiscard]] Result<Paging> paging() const;
    /// The request body (POST/PUT/PATCH; at most 1 MiB) and it parsed as JSON.
    [[nodiscard]] const std::string& body() const { return m_body; }
    [[nodiscard]] Result<boost::json::value> json() const;

    /// Permission checks, Harbor's way: nullopt when allowed, else the error response
    /// (401 for anonymous callers, 403 otherwise; a private project the caller cannot see
    /// at all answers 404 as Harbor does for reads).
    [[nodiscard]] std::optional<RegistryResponse>
    requireProject(const Project& project, std::string_view resource, std::string_view action);
    /// System-level resources (`garbage-collection`, `audit-log`, `quota`, `user`, ...):
    /// system admins, and system robots whose permission list grants it.
    [[nodiscard]] std::optional<RegistryResponse> requireSystem(std::string_view resource,
                                                                std::string_view action);
    /// Any authenticated caller (401 otherwise).
    [[nodiscard]] std::optional<RegistryResponse> requireAuthenticated();
    /// `{project_name_or_id}` resolved as Harbor does: a number is an id unless the request has
    /// `X-Is-Resource-Name: true`. NotFound response when there is no such project.
    [[nodiscard]] Result<Project> project(std::string_view nameOrId);

    // Set by the router.
    void setParams(std::vector<std::pair<std::string, std::string>> params) {
        m_params = std::move(params);
    }
    void setQuery(std::vector<std::pair<std::string, std::string>> query) {
        m_query = std::move(query);
    }
    void setBody(std::string body) { m_body = std::move(body); }
    /// The request path under /api/v2.0 without the query, for Link headers.
    void setPath(std::string path) { m_path = std::move(path); }
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& queryPairs() const {
        return m_query;
    }

private:
    const RegistryRequest& m_request;
    std::string m_requestId;
    Identity m_identity;
    HarborAccess& m_access;
    RegistryStorage& m_storage;
    std::vector<std::pair<std::string, std::string>> m_params;
    std::vector<std::pair<std::string, std::string>> m_query;
    std::string m_body;
    std::string m_path;
};

/// A route handler. Runs on the registry's blocking pool (it may use SQLite and disk).
using ApiHandler = std::function<RegistryResponse(ApiCall&)>;

/// A change made through the API that Harbor turns into an event (and an audit log entry), as
/// the handlers report it once it succeeded.
struct ApiEvent {
    enum class Kind {
        ProjectCreated,
        ProjectDeleted,
        /// After an ArtifactDeleted for each of its artifacts, as Harbor reports it.
        RepositoryDeleted,
        /// The artifact and every tag on it.
        ArtifactDeleted,
        TagCreated,
        TagDeleted,
    };
    Kind kind = Kind::ArtifactDeleted;
    /// The project's name.
    std::string project;
    /// The full repository name (`project/repo`); empty for project events.
    std::string repository;
    /// The artifact's digest, or the tag; empty for project and repository events.
    std::string reference;
};

/// The /api/v2.0 router: `add("GET", "/projects/{project_name_or_id}/members", handler)`.
/// Patterns are paths under /api/v2.0 with `{name}` segments matching one path segment;
/// literal segments win over parameters. Routes are added at start-up, before serving
/// (not thread-safe against concurrent `add`); matching is thread-safe.
class ApiRouter {
public:
    void add(std::string method, std::string_view pattern, ApiHandler handler);

    struct Match {
        const ApiHandler* handler = nullptr;
        std::vector<std::pair<std::string, std::string>> params;
        /// The path exists but not for this method (405).
        bool pathKnown = false;
    };
    /// `segments` are the raw (still percent-encoded) path segments under /api/v2.0.
    [[nodiscard]] Match match(std::string_view method,
                              const std::vector<std::string>& segments) const;

    /// Called after a project was created through the API (POST /projects) with the request's
    /// JSON body (e.g. `storage_limit` for quotas), and before a project is deleted. A failed
    /// hook on creation is logged and does not undo the project.
    using ProjectCreatedHook = std::function<Status(ApiCall& call, const Project& project,
                                                    const boost::json::object& body)>;
    using ProjectDeletedHook = std::function<Status(ApiCall& call, const Project& project)>;
    void onProjectCreated(ProjectCreatedHook hook) { m_created.push_back(std::move(hook)); }
    void onProjectDeleted(ProjectDeletedHook hook) { m_deleted.push_back(std::move(hook)); }
    [[nodiscard]] const std::vector<ProjectCreatedHook>& projectCreatedHooks() const {
        return m_created;
    }
    [[nodiscard]] const std::vector<ProjectDeletedHook>& projectDeletedHooks() const {
        return m_deleted;
    }

    /// Told of every ApiEvent, with the call that made it (its caller is the event's operator).
    /// Hooks must not fail the request: they log their own errors.
    using EventHook = std::function<void(const ApiCall& call, const ApiEvent& event)>;
    void onEvent(EventHook hook) { m_events.push_back(std::move(hook)); }
    /// Reports `event`, which `call` has just made, to every event hook.
    void notify(const ApiCall& call, const ApiEvent& event) const;

private:
    std::vector<ProjectCreatedHook> m_created;
    std::vector<ProjectDeletedHook> m_deleted;
    std::vector<EventHook> m_events;
    struct Route {
        std::string method;
        std::vector<std::string> segments; // "{name}" for parameters
        ApiHandler handler;
    };
    std::vector<Route> m_routes;
};

// -- Response helpers shared by every handler -------------------------------------------------

/// 200 (or `status`) with a JSON body.
[[nodiscard]] RegistryResponse jsonResponse(const boost::json::value& value, int status = 200);
/// An empty response (201 with `Location` for creations, 200 for updates and deletes).
[[nodiscard]] RegistryResponse emptyResponse(int status, std::string location = {});
/// Harbor's error body `{"errors":[{"code":"NOT_FOUND","message":"..."}]}`.
[[nodiscard]] RegistryResponse apiError(int status, std::string_view code,
                                        std::string_view message);
/// An Error mapped to Harbor's status and code (NotFound 404 NOT_FOUND, AlreadyExists and
/// Conflict 409 CONFLICT, InvalidArgument 400 BAD_REQUEST, Forbidden 403 FORBIDDEN,
/// Unauthorized 401 UNAUTHORIZED, others 500 UNKNOWN).
[[nodiscard]] RegistryResponse apiError(const Error& error);
/// A list page: `items` as the JSON array body, `X-Total-Count: total`, and a `Link` header
/// with `rel="prev"`/`rel="next"` URLs (same path and query, other page) as Harbor sends.
[[nodiscard]] RegistryResponse pageResponse(const ApiCall& call, const Paging& paging,
                                            int64_t total, boost::json::array items);
/// `text` with every `%XX` escape decoded (once); invalid escapes are kept as they are.
[[nodiscard]] std::string percentDecode(std::string_view text);
/// RFC 3339 UTC time (`2026-05-01T10:00:00.000Z`) of Unix seconds, as Harbor formats times.
[[nodiscard]] std::string harborTime(int64_t unixSeconds);

} // namespace pilot::registry::harbor
