// /audit-logs and /projects/{project_name}/logs: Harbor's audit log API with q= (operation,
// resource, resource_type, username, op_time range), sort by op_time, and paging; and the
// entries for what the API itself changes (projects, repositories, artifacts, tags).
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/rbac.h"
#include "engine/registry/harbor/harborquery.h"
#include "engine/registry/harbor/managementroutes.h"
#include "engine/registry/management/registrymanagement.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace pilot::registry::harbor {

namespace json = boost::json;
using management::AuditEntry;
using management::AuditQuery;
using management::RegistryManagement;

namespace {

/// An op_time bound: `2024-01-02 15:04:05` (Harbor's UI), RFC 3339, or Unix seconds.
Result<int64_t> parseOpTime(std::string_view text) {
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc() && end == text.data() + text.size()) {
        return seconds;
    }
    std::string normalized(text);
    if (normalized.size() == 19 && normalized[10] == ' ') {
        normalized[10] = 'T';
        normalized += 'Z';
    }
    auto time = parseTime(normalized);
    if (!time) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("q: op_time: invalid time \"{}\" (YYYY-MM-DD hh:mm:ss)", text));
    }
    return unixSeconds(*time);
}

Result<AuditQuery> auditQuery(const ApiCall& call, const Paging& paging) {
    AuditQuery query;
    query.offset = paging.offset();
    query.limit = paging.pageSize;
    if (const std::string* sort = call.query("sort")) {
        if (*sort == "op_time") {
            query.oldestFirst = true;
        } else if (!sort->empty() && *sort != "-op_time") {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("sort: unsupported \"{}\" (op_time, -op_time)", *sort));
        }
    }
    const std::string* q = call.query("q");
    if (q == nullptr || q->empty()) {
        return query;
    }
    auto parsed = parseQuery(*q);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    for (const QueryTerm& term : parsed->terms) {
        using Kind = QueryTerm::Kind;
        auto text = [&](std::optional<std::string>& field, bool& fuzzy) -> Status {
            if (term.kind != Kind::Exact && term.kind != Kind::Fuzzy) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("q: {}: only k=v or k=~v", term.key));
            }
            field = term.value;
            fuzzy = term.kind == Kind::Fuzzy;
            return {};
        };
        Status ok;
        bool ignored = false;
        if (term.key == "operation") {
            if (term.kind == Kind::AnyOf) {
                query.operations = term.values;
            } else if (term.kind == Kind::Exact) {
                query.operations = {term.value};
            } else {
                ok = fail(ErrorCode::InvalidArgument, "q: operation: only k=v or k={a b}");
            }
        } else if (term.key == "resource") {
            ok = text(query.resource, query.resourceFuzzy);
        } else if (term.key == "username") {
            ok = text(query.username, query.usernameFuzzy);
        } else if (term.key == "resource_type") {
            ok = text(query.resourceType, ignored);
        } else if (term.key == "op_time") {
            if (term.kind != Kind::Range) {
                ok = fail(ErrorCode::InvalidArgument, "q: op_time: a range [from~to] is required");
            }
            if (ok && term.min) {
                auto from = parseOpTime(*term.min);
                if (!from) {
                    return std::unexpected(from.error());
                }
                query.from = *from;
            }
            if (ok && term.max) {
                auto to = parseOpTime(*term.max);
                if (!to) {
                    return std::unexpected(to.error());
                }
                query.to = *to;
            }
        } else {
            ok = fail(ErrorCode::InvalidArgument, fmt::format("q: unsupported key {}", term.key));
        }
        if (!ok) {
            return std::unexpected(ok.error());
        }
    }
    return query;
}

json::object auditJson(const AuditEntry& entry) {
    return json::object{{"id", entry.id},
                        {"username", entry.username},
                        {"resource", entry.resource},
                        {"resource_type", entry.resourceType},
                        {"operation", entry.operation},
                        {"op_time", harborTime(entry.opTime)}};
}

RegistryResponse listLogs(ApiCall& call, RegistryManagement& management,
                          std::optional<std::string> project) {
    auto paging = call.paging();
    if (!paging) {
        return apiError(paging.error());
    }
    auto query = auditQuery(call, *paging);
    if (!query) {
        return apiError(query.error());
    }
    query->project = std::move(project);
    auto page = management.audit().query(*query);
    if (!page) {
        return apiError(page.error());
    }
    json::array items;
    for (const AuditEntry& entry : page->items) {
        items.push_back(auditJson(entry));
    }
    return pageResponse(call, *paging, page->total, std::move(items));
}

/// The audit log entry Harbor writes for an API event.
AuditEntry auditEntry(const ApiCall& call, const ApiEvent& event) {
    AuditEntry entry;
    entry.project = event.project;
    entry.username = management::auditUsername(call.identity());
    switch (event.kind) {
    case ApiEvent::Kind::ProjectCreated:
    case ApiEvent::Kind::ProjectDeleted:
        entry.resourceType = "project";
        entry.resource = event.project;
        break;
    case ApiEvent::Kind::RepositoryDeleted:
        entry.resourceType = "repository";
        entry.resource = event.repository;
        break;
    case ApiEvent::Kind::ArtifactDeleted:
        entry.resourceType = "artifact";
        entry.resource = fmt::format("{}:{}", event.repository, event.reference);
        break;
    case ApiEvent::Kind::TagCreated:
    case ApiEvent::Kind::TagDeleted:
        entry.resourceType = "tag";
        entry.resource = fmt::format("{}:{}", event.repository, event.reference);
        break;
    }
    bool created =
        event.kind == ApiEvent::Kind::ProjectCreated || event.kind == ApiEvent::Kind::TagCreated;
    entry.operation = created ? "create" : "delete";
    return entry;
}

} // namespace

void registerAuditRoutes(ApiRouter& router, RegistryManagement& management) {
    // What the API changes goes to the audit log as Harbor's event handlers record it; pushes,
    // pulls and deletes through /v2/ come through the distribution hooks instead.
    router.onEvent([&management](const ApiCall& call, const ApiEvent& event) {
        management.audit().record(auditEntry(call, event));
    });
    router.add("GET", "/audit-logs", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem("audit-log", rbac::ActionList)) {
            return std::move(*denied);
        }
        return listLogs(call, management, std::nullopt);
    });
    router.add("GET", "/projects/{project_name}/logs", [&management](ApiCall& call) {
        auto project = call.access().store().projectByName(call.param("project_name"));
        if (!project) {
            return apiError(project.error());
        }
        if (!*project) {
            return apiError(404, "NOT_FOUND",
                            fmt::format("project {} not found", call.param("project_name")));
        }
        if (auto denied = call.requireProject(**project, rbac::ResourceLog, rbac::ActionList)) {
            return std::move(*denied);
        }
        return listLogs(call, management, (*project)->name);
    });
}

} // namespace pilot::registry::harbor
