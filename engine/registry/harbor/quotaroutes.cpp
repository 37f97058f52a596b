// /quotas and /quotas/{id} (Harbor's quota API), and the project hooks that keep a quota per
// project: `storage_limit` of POST /projects sets it, deleting the project drops it.
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/rbac.h"
#include "engine/registry/harbor/managementroutes.h"
#include "engine/registry/management/registrymanagement.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <set>

namespace pilot::registry::harbor {

namespace json = boost::json;
using management::Quota;
using management::RegistryManagement;

namespace {

std::string ownerName(ApiCall& call, int64_t ownerId) {
    auto owner = call.access().store().user(ownerId);
    return owner && *owner ? (*owner)->username : std::string();
}

/// Every project has a quota (unlimited unless set), as in Harbor; projects created before
/// the quota layer, or outside the API, get theirs here. Quotas of vanished projects go.
Status syncQuotas(ApiCall& call, RegistryManagement& management) {
    auto projects = call.access().store().projects();
    if (!projects) {
        return std::unexpected(projects.error());
    }
    std::set<int64_t> ids;
    for (const Project& project : *projects) {
        ids.insert(project.id);
        if (auto ok = management.quotas().ensureForProject(project.id, project.name,
                                                           ownerName(call, project.ownerId));
            !ok) {
            return ok;
        }
    }
    auto all = management.quotas().list(std::nullopt, 0, std::numeric_limits<int32_t>::max());
    if (!all) {
        return std::unexpected(all.error());
    }
    for (const Quota& quota : all->items) {
        if (!ids.contains(quota.projectId)) {
            if (auto removed = management.quotas().removeForProject(quota.projectId); !removed) {
                return std::unexpected(removed.error());
            }
        }
    }
    return {};
}

json::object quotaJson(const Quota& quota) {
    return json::object{{"id", quota.id},
                        {"ref", json::object{{"id", quota.projectId},
                                             {"name", quota.projectName},
                                             {"owner_name", quota.ownerName}}},
                        {"hard", json::object{{"storage", quota.hardStorage}}},
                        {"used", json::object{{"storage", quota.usedStorage}}},
                        {"creation_time", harborTime(quota.created)},
                        {"update_time", harborTime(quota.updated)}};
}

/// `hard.storage` of a QuotaUpdateReq or `storage_limit` of a ProjectReq.
Result<int64_t> storageLimit(const json::value* value, std::string_view field) {
    std::optional<int64_t> limit = value ? kube::asInteger(*value) : std::nullopt;
    if (!limit) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: an integer is required", field));
    }
    if (*limit <= 0 && *limit != management::UnlimitedStorage) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: invalid value {} (bytes, or -1 for no limit)", field, *limit));
    }
    return *limit;
}

RegistryResponse getQuota(ApiCall& call, RegistryManagement& management) {
    auto id = integerParam(call, "id");
    if (!id) {
        return apiError(400, "BAD_REQUEST", "invalid quota id");
    }
    auto quota = management.quotas().get(*id);
    if (!quota) {
        return apiError(quota.error());
    }
    if (!*quota) {
        return apiError(404, "NOT_FOUND", fmt::format("quota {} not found", *id));
    }
    return jsonResponse(quotaJson(**quota));
}

} // namespace

void registerQuotaRoutes(ApiRouter& router, RegistryManagement& management) {
    router.add("GET", "/quotas", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(rbac::ResourceQuota, rbac::ActionList)) {
            return std::move(*denied);
        }
        auto paging = call.paging();
        if (!paging) {
            return apiError(paging.error());
        }
        if (auto ok = syncQuotas(call, management); !ok) {
            return apiError(ok.error());
        }
        std::optional<int64_t> projectId;
        if (const std::string* reference = call.query("reference");
            reference && *reference != "project") {
            return pageResponse(call, *paging, 0, json::array{});
        }
        if (const std::string* referenceId = call.query("reference_id")) {
            int64_t value = 0;
            auto [end, ec] = std::from_chars(referenceId->data(),
                                             referenceId->data() + referenceId->size(), value);
            if (ec != std::errc() || end != referenceId->data() + referenceId->size()) {
                return apiError(400, "BAD_REQUEST", "reference_id must be a project id");
            }
            projectId = value;
        }
        auto page = management.quotas().list(projectId, paging->offset(), paging->pageSize);
        if (!page) {
            return apiError(page.error());
        }
        json::array items;
        for (const Quota& quota : page->items) {
            items.push_back(quotaJson(quota));
        }
        return pageResponse(call, *paging, page->total, std::move(items));
    });
    router.add("GET", "/quotas/{id}", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(rbac::ResourceQuota, rbac::ActionRead)) {
            return std::move(*denied);
        }
        return getQuota(call, management);
    });
    router.add("PUT", "/quotas/{id}", [&management](ApiCall& call) {
        if (auto denied = call.requireSystem(rbac::ResourceQuota, rbac::ActionUpdate)) {
            return std::move(*denied);
        }
        auto id = integerParam(call, "id");
        if (!id) {
            return apiError(400, "BAD_REQUEST", "invalid quota id");
        }
        auto body = call.json();
        if (!body || !body->is_object()) {
            return apiError(400, "BAD_REQUEST", "expected a QuotaUpdateReq object");
        }
        const json::object* hard = kube::objectAt(body->as_object(), "hard");
        auto limit = storageLimit(hard ? hard->if_contains("storage") : nullptr, "hard.storage");
        if (!limit) {
            return apiError(limit.error());
        }
        auto updated = management.quotas().setHard(*id, *limit);
        if (!updated) {
            return apiError(updated.error());
        }
        return emptyResponse(200);
    });

    router.onProjectCreated([&management](ApiCall& call, const Project& project,
                                          const json::object& body) -> Status {
        const json::value* requested = body.if_contains("storage_limit");
        if (requested == nullptr || requested->is_null()) {
            return management.quotas().ensureForProject(project.id, project.name,
                                                        ownerName(call, project.ownerId));
        }
        auto limit = storageLimit(requested, "storage_limit");
        if (!limit) {
            return std::unexpected(limit.error());
        }
        auto quota = management.quotas().setForProject(project.id, project.name,
                                                       ownerName(call, project.ownerId), *limit);
        if (!quota) {
            return std::unexpected(quota.error());
        }
        return {};
    });
    router.onProjectDeleted([&management](ApiCall& /*call*/, const Project& project) -> Status {
        auto removed = management.quotas().removeForProject(project.id);
        if (!removed) {
            return std::unexpected(removed.error());
        }
        return {};
    });
}

} // namespace pilot::registry::harbor
