#include "engine/apiserver/eviction.h"

#include "engine/apiserver/apihandler.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <optional>
#include <vector>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

/// Upstream's EvictionsRetry: 20 attempts on conflicting pod writes.
constexpr int EvictionAttempts = 20;
/// policy.MaxDisruptedPodSize: evictions the controller has not confirmed yet.
constexpr size_t MaxDisruptedPods = 2000;
constexpr std::string_view BudgetViolated =
    "Cannot evict pod as it would violate the pod's disruption budget.";

/// A Status answer that is not an ApiError shape (causes without `field`, a 500 with no reason).
HandlerResult statusResponse(int code, json::object status) {
    json::object out{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}};
    for (auto& [key, value] : status) {
        out[key] = std::move(value);
    }
    out["code"] = code;
    return jsonResponse(code, json::serialize(out));
}

/// errors.NewTooManyRequests with a DisruptionBudget cause, as the eviction REST answers.
HandlerResult tooManyRequests(const std::string& cause, int retryAfterSeconds) {
    json::object details{
        {"causes", json::array{json::object{{"reason", "DisruptionBudget"}, {"message", cause}}}}};
    if (retryAfterSeconds > 0) {
        details["retryAfterSeconds"] = retryAfterSeconds;
    }
    return statusResponse(429, json::object{{"status", "Failure"},
                                            {"message", BudgetViolated},
                                            {"reason", "TooManyRequests"},
                                            {"details", std::move(details)}});
}

/// createTooManyRequestsError: the budget has not been processed by the controller yet.
HandlerResult stillProcessing(const std::string& pdb) {
    return tooManyRequests(
        fmt::format("The disruption budget {} is still being processed by the server.", pdb), 10);
}

HandlerResult evicted() {
    return statusResponse(201, json::object{{"status", "Success"}});
}

/// Why a budget refuses a disruption; the HTTP answer is built from it.
struct Refusal {
    std::optional<ApiError> error; ///< Forbidden cases.
    std::string budgetCause;       ///< 429 with this cause...
    int retryAfterSeconds = 0;     ///< ...and this hint.
};

struct EvictionOptions {
    DeleteOptions remove;
    bool rvUnset() const { return remove.preconditionResourceVersion.empty(); }
};

std::string phaseOf(const json::object& pod) {
    return stringAt(objectAt(pod, "status"), "phase");
}

bool isReady(const json::object& pod) {
    const json::object* status = objectAt(pod, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (!conditions) {
        return false;
    }
    for (const json::value& c : *conditions) {
        if (c.is_object() && stringAt(c.get_object(), "type") == "Ready") {
            return stringAt(c.get_object(), "status") == "True";
        }
    }
    return false;
}

/// canIgnorePDB: the pod already is (or can no longer be) a disruption.
bool canIgnoreBudget(const json::object& pod) {
    std::string phase = phaseOf(pod);
    return phase == "Succeeded" || phase == "Failed" || phase == "Pending" ||
           kube::hasDeletionTimestamp(pod);
}

/// shouldEnforceResourceVersion: guard against the pod becoming ready meanwhile.
bool shouldEnforceResourceVersion(const json::object& pod) {
    std::string phase = phaseOf(pod);
    return phase != "Succeeded" && phase != "Failed" && !kube::hasDeletionTimestamp(pod);
}

int64_t statusInt(const json::object& pdb, std::string_view field) {
    const json::object* status = objectAt(pdb, "status");
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

/// checkAndDecrement's checks, on the budget as it is now.
std::optional<Refusal> refusalOf(const json::object& pdb) {
    std::string name(kube::name(pdb));
    if (statusInt(pdb, "observedGeneration") < kube::generation(pdb)) {
        return Refusal{std::nullopt,
                       fmt::format("The disruption budget {} is still being processed by the "
                                   "server.",
                                   name),
                       10};
    }
    int64_t allowed = statusInt(pdb, "disruptionsAllowed");
    if (allowed < 0) {
        return Refusal{forbidden(fmt::format("poddisruptionbudgets.policy \"{}\" is forbidden: "
                                             "pdb disruptions allowed is negative",
                                             name)),
                       {},
                       0};
    }
    const json::object* disrupted = objectAt(objectAt(pdb, "status"), "disruptedPods");
    if (disrupted && disrupted->size() >= MaxDisruptedPods) {
        return Refusal{forbidden(fmt::format("poddisruptionbudgets.policy \"{}\" is forbidden: "
                                             "DisruptedPods map too big - too many evictions "
                                             "not confirmed by PDB controller",
                                             name)),
                       {},
                       0};
    }
    if (allowed == 0) {
        return Refusal{std::nullopt,
                       fmt::format("The disruption budget {} needs {} healthy pods and has {} "
                                   "currently",
                                   name, statusInt(pdb, "desiredHealthy"),
                                   statusInt(pdb, "currentHealthy")),
                       0};
    }
    return std::nullopt;
}

HandlerResult answer(const Refusal& refusal) {
    if (refusal.error) {
        return errorResponse(*refusal.error);
    }
    return tooManyRequests(refusal.budgetCause, refusal.retryAfterSeconds);
}

/// pdbhelper.UpdateDisruptionAllowedCondition via apimeta.SetStatusCondition.
void setDisruptionAllowed(json::object& status, const std::string& now) {
    bool allowed = kube::integerAt(status, "disruptionsAllowed").value_or(0) > 0;
    json::object condition{
        {"type", "DisruptionAllowed"},
        {"status", allowed ? "True" : "False"},
        {"observedGeneration", kube::integerAt(status, "observedGeneration").value_or(0)},
        {"lastTransitionTime", now},
        {"reason", allowed ? "SufficientPods" : "InsufficientPods"},
        {"message", ""}};
    json::value& conditions = status["conditions"];
    if (!conditions.is_array()) {
        conditions = json::array();
    }
    for (json::value& c : conditions.as_array()) {
        if (!c.is_object() || stringAt(c.get_object(), "type") != "DisruptionAllowed") {
            continue;
        }
        json::object& existing = c.as_object();
        if (stringAt(existing, "status") == stringAt(condition, "status")) {
            condition["lastTransitionTime"] = existing["lastTransitionTime"];
        }
        existing = std::move(condition);
        return;
    }
    conditions.as_array().push_back(std::move(condition));
}

/// The budgets in the pod's namespace whose selector matches it (an empty selector matches
/// everything, a missing one nothing).
std::vector<json::object> budgetsFor(ResourceService& service, const kube::ResourceType& pdbs,
                                     const json::object& pod) {
    std::vector<json::object> out;
    watchcache::ListRequest request;
    request.filter.ns = std::string(kube::namespaceOf(pod));
    auto page = service.cacheFor(pdbs)->list(request);
    if (!page) {
        return out;
    }
    for (const watchcache::ObjectPtr& item : page->items) {
        json::object pdb = parseObject(*item);
        const json::object* spec = objectAt(pdb, "spec");
        const json::value* selectorValue = spec ? spec->if_contains("selector") : nullptr;
        auto selector = kube::LabelSelector::fromJson(selectorValue);
        if (selector && selector->matches(kube::labels(pod))) {
            out.push_back(std::move(pdb));
        }
    }
    return out;
}

EvictionOptions deleteOptionsOf(const json::object& eviction, bool dryRun) {
    EvictionOptions options;
    options.remove.dryRun = dryRun;
    const json::object* del = objectAt(eviction, "deleteOptions");
    if (!del) {
        return options;
    }
    if (const json::value* g = del->if_contains("gracePeriodSeconds"); g && g->is_number()) {
        options.remove.gracePeriodSeconds = g->to_number<int64_t>();
    }
    options.remove.propagationPolicy = stringAt(del, "propagationPolicy");
    if (const json::object* pre = objectAt(del, "preconditions")) {
        options.remove.preconditionUid = stringAt(pre, "uid");
        options.remove.preconditionResourceVersion = stringAt(pre, "resourceVersion");
    }
    for (const std::string& mode : kube::stringsAt(*del, "dryRun")) {
        options.remove.dryRun = options.remove.dryRun || mode == "All";
    }
    return options;
}

/// addConditionAndDeletePod: marks the pod with DisruptionTarget (checking the preconditions
/// against the newest pod), then deletes it.
ApiResult<void> markAndDelete(ResourceService& service, const kube::ResourceType& pods,
                              const std::string& ns, const std::string& name,
                              DeleteOptions options) {
    if (!options.dryRun) {
        std::string now = formatTime(service.clock().now());
        ResourceService::Mutator mark =
            [&](const json::object& current) -> ApiResult<json::object> {
            const DeleteOptions& o = options;
            if (!o.preconditionUid.empty() && o.preconditionUid != kube::uid(current)) {
                return apiFail(conflict(
                    "pods", "", name,
                    fmt::format("the UID in the precondition ({}) does not match the UID in "
                                "record ({}). The object might have been deleted and then "
                                "recreated",
                                o.preconditionUid, kube::uid(current))));
            }
            if (!o.preconditionResourceVersion.empty() &&
                o.preconditionResourceVersion != kube::resourceVersion(current)) {
                return apiFail(conflict(
                    "pods", "", name,
                    fmt::format("the ResourceVersion in the precondition ({}) does not match the "
                                "ResourceVersion in record ({}). The object might have been "
                                "modified",
                                o.preconditionResourceVersion, kube::resourceVersion(current))));
            }
            json::object pod = current;
            json::object* status = kube::ensureObject(pod, "status");
            json::value& conditions = (*status)["conditions"];
            if (!conditions.is_array()) {
                conditions = json::array();
            }
            json::object condition{
                {"type", "DisruptionTarget"},        {"status", "True"},
                {"lastProbeTime", nullptr},          {"lastTransitionTime", now},
                {"reason", "EvictionByEvictionAPI"}, {"message", "Eviction API: evicting"}};
            for (json::value& c : conditions.as_array()) {
                if (c.is_object() && stringAt(c.get_object(), "type") == "DisruptionTarget") {
                    if (stringAt(c.get_object(), "status") == "True") {
                        condition["lastTransitionTime"] = c.as_object()["lastTransitionTime"];
                    }
                    c = std::move(condition);
                    return pod;
                }
            }
            conditions.as_array().push_back(std::move(condition));
            return pod;
        };
        WriteOptions write;
        write.part = Part::Status;
        auto marked = service.guaranteedUpdate(pods, ns, name, mark, write);
        if (!marked) {
            return std::unexpected(marked.error());
        }
        if (!options.preconditionResourceVersion.empty()) {
            // We modified the pod: the caller's precondition now means our write.
            options.preconditionResourceVersion = std::string(kube::resourceVersion(*marked));
        }
    }
    auto removed = service.remove(pods, ns, name, options);
    if (!removed) {
        return std::unexpected(removed.error());
    }
    return {};
}

/// checkAndDecrement: spends one disruption of the budget for `podName` (disruptionsAllowed
/// decremented, disruptedPods[podName] = now) with an optimistic-concurrency status update, or
/// returns the answer refusing the eviction. A dry run only checks.
std::optional<HandlerResult> checkAndDecrement(ResourceService& service,
                                               const kube::ResourceType& pdbType,
                                               const json::object& pdb, const std::string& podName,
                                               bool dryRun) {
    std::optional<Refusal> refusal;
    if (dryRun) {
        refusal = refusalOf(pdb);
        return refusal ? std::optional<HandlerResult>(answer(*refusal)) : std::nullopt;
    }
    std::string now = formatTime(service.clock().now());
    ResourceService::Mutator decrement =
        [&](const json::object& current) -> ApiResult<json::object> {
        refusal = refusalOf(current);
        if (refusal) {
            return apiFail(ApiError{}); // aborts the update; answered below
        }
        json::object updated = current;
        json::object& status = *kube::ensureObject(updated, "status");
        status["disruptionsAllowed"] =
            kube::integerAt(status, "disruptionsAllowed").value_or(0) - 1;
        if (kube::integerAt(status, "disruptionsAllowed").value_or(0) == 0) {
            setDisruptionAllowed(status, now);
        }
        (*kube::ensureObject(status, "disruptedPods"))[podName] = now;
        return updated;
    };
    WriteOptions write;
    write.part = Part::Status;
    auto updated = service.guaranteedUpdate(pdbType, std::string(kube::namespaceOf(pdb)),
                                            std::string(kube::name(pdb)), decrement, write);
    if (refusal) {
        return answer(*refusal);
    }
    if (!updated) {
        return errorResponse(updated.error());
    }
    return std::nullopt;
}

bool isConflict(const ApiError& error) {
    return error.reason == "Conflict";
}

} // namespace

HandlerResult evictPod(ResourceService& service, const kube::ResourceType& pods,
                       const std::string& ns, const std::string& name, const json::object& eviction,
                       bool dryRun) {
    std::string evictionName = stringAt(objectAt(eviction, "metadata"), "name");
    if (evictionName != name) {
        return errorResponse(badRequest("name in URL does not match name in Eviction object"));
    }
    EvictionOptions options = deleteOptionsOf(eviction, dryRun);

    // Pods that cannot be a (further) disruption go without looking at budgets.
    json::object pod;
    for (int attempt = 0;; ++attempt) {
        auto current = service.get(pods, ns, name);
        if (!current) {
            return errorResponse(current.error());
        }
        pod = parseObject(**current);
        if (!canIgnoreBudget(pod)) {
            break;
        }
        DeleteOptions remove = options.remove;
        if (shouldEnforceResourceVersion(pod) && options.rvUnset()) {
            remove.preconditionResourceVersion = std::string(kube::resourceVersion(pod));
        }
        auto deleted = markAndDelete(service, pods, ns, name, remove);
        if (deleted) {
            return evicted();
        }
        if (!options.rvUnset() || !isConflict(deleted.error()) || attempt + 1 >= EvictionAttempts) {
            return errorResponse(deleted.error());
        }
    }

    kube::ResourceTypePtr pdbType =
        service.types().byResource("policy", "v1", "poddisruptionbudgets");
    std::vector<json::object> budgets =
        pdbType ? budgetsFor(service, *pdbType, pod) : std::vector<json::object>{};
    if (budgets.size() > 1) {
        return statusResponse(500, json::object{{"status", "Failure"},
                                                {"message", "This pod has more than one "
                                                            "PodDisruptionBudget, which the "
                                                            "eviction subresource does not "
                                                            "support."}});
    }
    bool pinResourceVersion = false;
    std::string pdbName;
    if (budgets.size() == 1) {
        const json::object& pdb = budgets.front();
        pdbName = std::string(kube::name(pdb));
        if (!isReady(pod)) {
            std::string policy = stringAt(objectAt(pdb, "spec"), "unhealthyPodEvictionPolicy");
            int64_t desired = statusInt(pdb, "desiredHealthy");
            // An unready pod does not count towards the budget: deleting it disrupts nothing
            // when the policy says so or the application is healthy enough.
            pinResourceVersion = policy == "AlwaysAllow" ||
                                 (statusInt(pdb, "currentHealthy") >= desired && desired > 0);
        }
        if (!pinResourceVersion) {
            if (std::optional<HandlerResult> refused =
                    checkAndDecrement(service, *pdbType, pdb, name, options.remove.dryRun)) {
                return std::move(*refused);
            }
        }
    }

    DeleteOptions remove = options.remove;
    if (pinResourceVersion) {
        remove.preconditionResourceVersion = std::string(kube::resourceVersion(pod));
    }
    auto deleted = markAndDelete(service, pods, ns, name, remove);
    if (!deleted) {
        if (isConflict(deleted.error()) && pinResourceVersion && options.rvUnset()) {
            return stillProcessing(pdbName);
        }
        return errorResponse(deleted.error());
    }
    return evicted();
}

} // namespace pilot::apiserver
