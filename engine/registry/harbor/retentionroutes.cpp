// /retentions...: Harbor's tag retention API (policy create/get/update/delete, metadata,
// executions with dry_run, stopping one, their per-repository tasks and each task's log).
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/rbac.h"
#include "engine/registry/harbor/managementroutes.h"
#include "engine/registry/management/registrymanagement.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <fmt/format.h>

namespace pilot::registry::harbor {

namespace json = boost::json;
using management::PolicyRecord;
using management::RegistryManagement;
using management::RetentionExecution;
using management::RetentionTask;

namespace {

/// What GET /retentions/metadatas lists: the templates and selectors this registry supports.
json::object metadataJson() {
    auto param = [](std::string_view unit) {
        return json::array{json::object{{"type", "int"}, {"unit", unit}, {"required", true}}};
    };
    json::array templates{json::object{{"rule_template", "latestPushedK"},
                                       {"display_text", "the most recently pushed # artifacts"},
                                       {"action", "retain"},
                                       {"params", param("count")}},
                          json::object{{"rule_template", "latestPulledN"},
                                       {"display_text", "the most recently pulled # artifacts"},
                                       {"action", "retain"},
                                       {"params", param("count")}},
                          json::object{{"rule_template", "nDaysSinceLastPush"},
                                       {"display_text", "pushed within the last # days"},
                                       {"action", "retain"},
                                       {"params", param("days")}},
                          json::object{{"rule_template", "nDaysSinceLastPull"},
                                       {"display_text", "pulled within the last # days"},
                                       {"action", "retain"},
                                       {"params", param("days")}},
                          json::object{{"rule_template", "always"},
                                       {"display_text", "always"},
                                       {"action", "retain"},
                                       {"params", json::array{}}}};
    auto selector = [](std::string_view kind, std::string_view a, std::string_view b) {
        return json::array{
            json::object{{"display_text", kind == "doublestar" ? "Doublestar" : ""},
                         {"kind", kind},
                         {"decorations", json::array{json::string(a), json::string(b)}}}};
    };
    return json::object{{"templates", std::move(templates)},
                        {"scope_selectors", selector("doublestar", "repoMatches", "repoExcludes")},
                        {"tag_selectors", selector("doublestar", "matches", "excludes")}};
}

json::object executionJson(const RetentionExecution& execution) {
    return json::object{{"id", execution.id},
                        {"policy_id", execution.policyId},
                        {"start_time", harborTime(execution.start)},
                        {"end_time", execution.end != 0 ? harborTime(execution.end) : ""},
                        {"status", execution.status},
                        {"trigger", execution.trigger},
                        {"dry_run", execution.dryRun}};
}

/// Harbor's job status codes: Pending 0, Scheduled 1, Running 2, and 3 for every final status.
int64_t statusCode(std::string_view status) {
    if (status == "Running") {
        return 2;
    }
    return status == "Success" || status == "Error" || status == "Stopped" ? 3 : 0;
}

json::object taskJson(const RetentionTask& task) {
    return json::object{{"id", task.id},
                        {"execution_id", task.executionId},
                        {"repository", task.repository},
                        {"job_id", fmt::format("retention-{}-{}", task.executionId, task.id)},
                        {"status", task.status},
                        {"status_code", statusCode(task.status)},
                        {"status_revision", task.end},
                        {"start_time", harborTime(task.start)},
                        {"end_time", task.end != 0 ? harborTime(task.end) : ""},
                        {"total", task.total},
                        {"retained", task.retained}};
}

/// The policy `{id}` and its project, after checking that the caller may do `action` on the
/// project's retention; the error response otherwise.
std::optional<PolicyRecord> authorizedPolicy(ApiCall& call, RegistryManagement& management,
                                             std::string_view action, RegistryResponse& error) {
    auto id = integerParam(call, "id");
    if (!id) {
        error = apiError(400, "BAD_REQUEST", "invalid retention policy id");
        return std::nullopt;
    }
    auto record = management.retention().get(*id);
    if (!record) {
        error = apiError(record.error());
        return std::nullopt;
    }
    if (!*record) {
        error = apiError(404, "NOT_FOUND", fmt::format("retention policy {} not found", *id));
        return std::nullopt;
    }
    auto project = call.access().store().project((*record)->policy.projectId);
    if (!project || !*project) {
        error = apiError(404, "NOT_FOUND",
                         fmt::format("the project of retention policy {} is gone", *id));
        return std::nullopt;
    }
    if (auto denied = call.requireProject(**project, rbac::ResourceTagRetention, action)) {
        error = std::move(*denied);
        return std::nullopt;
    }
    return std::move(**record);
}

/// The execution `{eid}` of `policy`; the error response otherwise.
std::optional<RetentionExecution> executionOf(ApiCall& call, RegistryManagement& management,
                                              const PolicyRecord& policy, RegistryResponse& error) {
    auto eid = integerParam(call, "eid");
    if (!eid) {
        error = apiError(400, "BAD_REQUEST", "invalid execution id");
        return std::nullopt;
    }
    auto execution = management.retention().execution(policy.policy.id, *eid);
    if (!execution) {
        error = apiError(execution.error());
        return std::nullopt;
    }
    if (!*execution) {
        error = apiError(404, "NOT_FOUND", fmt::format("retention execution {} not found", *eid));
        return std::nullopt;
    }
    return **execution;
}

Result<management::RetentionPolicy> policyBody(ApiCall& call) {
    auto body = call.json();
    if (!body) {
        return std::unexpected(body.error());
    }
    return management::parseRetentionPolicy(*body);
}

} // namespace

void registerRetentionRoutes(ApiRouter& router, RegistryManagement& management) {
    router.add("GET", "/retentions/metadatas", [](ApiCall& call) {
        if (auto denied = call.requireAuthenticated()) {
            return std::move(*denied);
        }
        return jsonResponse(metadataJson());
    });
    router.add("POST", "/retentions", [&management](ApiCall& call) {
        auto policy = policyBody(call);
        if (!policy) {
            return apiError(policy.error());
        }
        auto project = call.access().store().project(policy->projectId);
        if (!project) {
            return apiError(project.error());
        }
        if (!*project) {
            return apiError(400, "BAD_REQUEST",
                            fmt::format("scope.ref: project {} not found", policy->projectId));
        }
        if (auto denied =
                call.requireProject(**project, rbac::ResourceTagRetention, rbac::ActionCreate)) {
            return std::move(*denied);
        }
        auto id = management.retention().create(std::move(*policy), (*project)->name);
        if (!id) {
            return apiError(id.error());
        }
        return emptyResponse(201, fmt::format("/api/v2.0/retentions/{}", *id));
    });
    router.add("GET", "/retentions/{id}", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionRead, error);
        if (!record) {
            return error;
        }
        return jsonResponse(management::retentionPolicyJson(record->policy));
    });
    router.add("PUT", "/retentions/{id}", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionUpdate, error);
        if (!record) {
            return error;
        }
        auto policy = policyBody(call);
        if (!policy) {
            return apiError(policy.error());
        }
        if (auto ok = management.retention().update(record->policy.id, std::move(*policy)); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("DELETE", "/retentions/{id}", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionDelete, error);
        if (!record) {
            return error;
        }
        if (auto ok = management.retention().remove(record->policy.id); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("POST", "/retentions/{id}/executions", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionOperate, error);
        if (!record) {
            return error;
        }
        bool dryRun = false;
        if (!call.body().empty()) {
            auto body = call.json();
            if (!body || !body->is_object()) {
                return apiError(400, "BAD_REQUEST", "expected {\"dry_run\": true|false}");
            }
            dryRun = kube::boolAt(body->as_object(), "dry_run").value_or(false);
        }
        auto id = management.retention().execute(record->policy.id, dryRun, "MANUAL");
        if (!id) {
            return apiError(id.error());
        }
        return emptyResponse(
            201, fmt::format("/api/v2.0/retentions/{}/executions/{}", record->policy.id, *id));
    });
    router.add("GET", "/retentions/{id}/executions", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionList, error);
        if (!record) {
            return error;
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        auto page = management.retention().executions(record->policy.id, paging->offset(),
                                                      paging->pageSize);
        if (!page) {
            return apiError(page.error());
        }
        json::array items;
        for (const RetentionExecution& execution : page->items) {
            items.push_back(executionJson(execution));
        }
        return pageResponse(call, *paging, page->total, std::move(items));
    });
    router.add("PATCH", "/retentions/{id}/executions/{eid}", [&management](ApiCall& call) {
        auto body = call.json();
        const json::object* object = body && body->is_object() ? &body->as_object() : nullptr;
        if (object == nullptr || kube::stringAt(*object, "action") != "stop") {
            return apiError(400, "BAD_REQUEST", "action should be 'stop'");
        }
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionUpdate, error);
        if (!record) {
            return error;
        }
        auto execution = executionOf(call, management, *record, error);
        if (!execution) {
            return error;
        }
        if (auto ok = management.retention().stop(record->policy.id, execution->id); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("GET", "/retentions/{id}/executions/{eid}/tasks", [&management](ApiCall& call) {
        RegistryResponse error;
        auto record = authorizedPolicy(call, management, rbac::ActionList, error);
        if (!record) {
            return error;
        }
        auto execution = executionOf(call, management, *record, error);
        if (!execution) {
            return error;
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        auto page = management.retention().tasks(execution->id, paging->offset(), paging->pageSize);
        if (!page) {
            return apiError(page.error());
        }
        json::array items;
        for (const RetentionTask& task : page->items) {
            items.push_back(taskJson(task));
        }
        return pageResponse(call, *paging, page->total, std::move(items));
    });
    router.add(
        "GET", "/retentions/{id}/executions/{eid}/tasks/{tid}", [&management](ApiCall& call) {
            RegistryResponse error;
            auto record = authorizedPolicy(call, management, rbac::ActionRead, error);
            if (!record) {
                return error;
            }
            auto execution = executionOf(call, management, *record, error);
            if (!execution) {
                return error;
            }
            auto tid = integerParam(call, "tid");
            if (!tid) {
                return apiError(400, "BAD_REQUEST", "invalid task id");
            }
            auto log = management.retention().taskLog(execution->id, *tid);
            if (!log) {
                return apiError(log.error());
            }
            if (!*log) {
                return apiError(404, "NOT_FOUND", fmt::format("retention task {} not found", *tid));
            }
            return textResponse(std::move(**log));
        });
}

} // namespace pilot::registry::harbor
