// /system/gc...: Harbor's garbage collection API (history, one run, its log, stopping a run,
// the schedule; POST/PUT of the schedule with type Manual runs it now).
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/rbac.h"
#include "engine/registry/harbor/managementroutes.h"
#include "engine/registry/management/registrymanagement.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <fmt/format.h>

namespace pilot::registry::harbor {

namespace json = boost::json;
using management::GcJob;
using management::GcParameters;
using management::HarborSchedule;
using management::RegistryManagement;

namespace {

constexpr std::string_view Resource = "garbage-collection";

json::object gcJson(const GcJob& job, const management::GcSchedule& schedule) {
    json::object scheduleObject =
        job.kind == "SCHEDULE"
            ? json::object{{"type", schedule.schedule.type}, {"cron", schedule.schedule.cron}}
            : json::object{{"type", "Manual"}, {"cron", ""}};
    return json::object{{"id", job.id},
                        {"job_name", "GARBAGE_COLLECTION"},
                        {"job_kind", job.kind},
                        {"job_parameters", job.parameters},
                        {"schedule", std::move(scheduleObject)},
                        {"job_status", job.status},
                        {"deleted", false},
                        {"creation_time", harborTime(job.created)},
                        {"update_time", harborTime(job.updated)}};
}

/// POST and PUT /system/gc/schedule: a Schedule body `{schedule: {type, cron}, parameters}`.
RegistryResponse setSchedule(ApiCall& call, RegistryManagement& management, int okStatus) {
    auto body = call.json();
    if (!body || !body->is_object()) {
        return apiError(400, "BAD_REQUEST", "expected a Schedule object");
    }
    const json::object& object = body->as_object();
    const json::object* scheduleObject = kube::objectAt(object, "schedule");
    if (scheduleObject == nullptr) {
        return apiError(400, "BAD_REQUEST", "schedule: required");
    }
    auto schedule = HarborSchedule::make(kube::stringAt(*scheduleObject, "type"),
                                         kube::stringAt(*scheduleObject, "cron"));
    if (!schedule) {
        return apiError(schedule.error());
    }
    auto parameters = management::parseGcParameters(kube::objectAt(object, "parameters"));
    if (!parameters) {
        return apiError(parameters.error());
    }
    if (schedule->type == "Manual") {
        auto id = management.gc().start(*parameters, "MANUAL");
        if (!id) {
            return apiError(id.error());
        }
        return emptyResponse(201, fmt::format("/api/v2.0/system/gc/{}", *id));
    }
    if (auto ok = management.gc().setSchedule(*schedule, *parameters); !ok) {
        return apiError(ok.error());
    }
    return emptyResponse(okStatus, okStatus == 201 ? "/api/v2.0/system/gc/schedule" : "");
}

std::optional<GcJob> jobParam(ApiCall& call, RegistryManagement& management,
                              RegistryResponse& error) {
    auto id = integerParam(call, "gc_id");
    if (!id) {
        error = apiError(400, "BAD_REQUEST", "invalid gc id");
        return std::nullopt;
    }
    auto job = management.gc().get(*id);
    if (!job) {
        error = apiError(job.error());
        return std::nullopt;
    }
    if (!*job) {
        error = apiError(404, "NOT_FOUND", fmt::format("gc {} not found", *id));
        return std::nullopt;
    }
    return **job;
}

} // namespace

void registerGcRoutes(ApiRouter& router, RegistryManagement& management) {
    router.add("GET", "/system/gc", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "list")) {
            return std::move(*denied);
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        auto page = management.gc().list(paging->offset(), paging->pageSize);
        if (!page) {
            return apiError(page.error());
        }
        auto schedule = management.gc().schedule();
        if (!schedule) {
            return apiError(schedule.error());
        }
        json::array items;
        for (const GcJob& job : page->items) {
            items.push_back(gcJson(job, *schedule));
        }
        return pageResponse(call, *paging, page->total, std::move(items));
    });
    router.add("GET", "/system/gc/schedule", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "read")) {
            return std::move(*denied);
        }
        auto schedule = management.gc().schedule();
        if (!schedule) {
            return apiError(schedule.error());
        }
        json::object scheduleObject{{"type", schedule->schedule.type},
                                    {"cron", schedule->schedule.cron}};
        if (auto next = schedule->schedule.next(std::chrono::system_clock::now())) {
            scheduleObject["next_scheduled_time"] = harborTime(unixSeconds(*next));
        }
        json::object parameters{{"dry_run", schedule->parameters.dryRun},
                                {"delete_untagged", schedule->parameters.deleteUntagged},
                                {"workers", schedule->parameters.workers}};
        return jsonResponse(json::object{
            {"schedule", std::move(scheduleObject)},
            {"job_name", "GARBAGE_COLLECTION"},
            {"job_parameters", json::serialize(parameters)},
            {"parameters", std::move(parameters)},
            {"creation_time", schedule->created != 0 ? harborTime(schedule->created) : ""},
            {"update_time", schedule->updated != 0 ? harborTime(schedule->updated) : ""}});
    });
    router.add("POST", "/system/gc/schedule", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "create")) {
            return std::move(*denied);
        }
        return setSchedule(call, management, 201);
    });
    router.add("PUT", "/system/gc/schedule", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "update")) {
            return std::move(*denied);
        }
        return setSchedule(call, management, 200);
    });
    router.add("GET", "/system/gc/{gc_id}", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "read")) {
            return std::move(*denied);
        }
        RegistryResponse error;
        auto job = jobParam(call, management, error);
        if (!job) {
            return error;
        }
        auto schedule = management.gc().schedule();
        if (!schedule) {
            return apiError(schedule.error());
        }
        return jsonResponse(gcJson(*job, *schedule));
    });
    router.add("PUT", "/system/gc/{gc_id}", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, rbac::ActionStop)) {
            return std::move(*denied);
        }
        RegistryResponse error;
        auto job = jobParam(call, management, error);
        if (!job) {
            return error;
        }
        if (auto ok = management.gc().stop(job->id); !ok) {
            return apiError(ok.error());
        }
        return emptyResponse(200);
    });
    router.add("GET", "/system/gc/{gc_id}/log", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(Resource, "read")) {
            return std::move(*denied);
        }
        RegistryResponse error;
        auto job = jobParam(call, management, error);
        if (!job) {
            return error;
        }
        auto log = management.gc().log(job->id);
        if (!log) {
            return apiError(log.error());
        }
        return textResponse(log->value_or(""));
    });
}

} // namespace pilot::registry::harbor
