#include "engine/controllers/disruption/pdbstatus.h"

#include "engine/controllers/common/podutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers::disruption {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

int64_t statusInt(const json::object* status, std::string_view field) {
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

std::optional<TimePoint> timeOf(const json::value& v) {
    if (!v.is_string()) {
        return std::nullopt;
    }
    auto parsed = parseTime(v.get_string());
    return parsed ? std::optional<TimePoint>(*parsed) : std::nullopt;
}

json::object disruptionAllowedCondition(int64_t allowed, int64_t observedGeneration) {
    return json::object{{"type", "DisruptionAllowed"},
                        {"status", allowed > 0 ? "True" : "False"},
                        {"observedGeneration", observedGeneration},
                        {"reason", allowed > 0 ? "SufficientPods" : "InsufficientPods"},
                        {"message", ""}};
}

/// pdbhelper.ConditionsAreUpToDate.
bool conditionsUpToDate(const json::object& pdb) {
    const json::object* status = objectAt(pdb, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (!conditions || statusInt(status, "observedGeneration") != kube::generation(pdb)) {
        return false;
    }
    for (const json::value& c : *conditions) {
        if (!c.is_object() || stringAt(c.get_object(), "type") != "DisruptionAllowed") {
            continue;
        }
        const json::object& condition = c.get_object();
        if (statusInt(status, "disruptionsAllowed") > 0) {
            return stringAt(condition, "status") == "True" &&
                   stringAt(condition, "reason") == "SufficientPods";
        }
        return stringAt(condition, "status") == "False" &&
               stringAt(condition, "reason") == "InsufficientPods";
    }
    return false;
}

} // namespace

DisruptedPods buildDisruptedPods(const std::vector<kube::ObjectPtr>& pods, const json::object& pdb,
                                 TimePoint now) {
    DisruptedPods result;
    const json::object* recorded = objectAt(objectAt(pdb, "status"), "disruptedPods");
    if (!recorded) {
        return result;
    }
    for (const kube::ObjectPtr& pod : pods) {
        if (kube::hasDeletionTimestamp(*pod)) {
            continue; // already being deleted
        }
        std::string name(kube::name(*pod));
        const json::value* at = recorded->if_contains(name);
        if (!at) {
            continue;
        }
        std::optional<TimePoint> disruptedAt = timeOf(*at);
        TimePoint expectedDeletion = disruptedAt.value_or(TimePoint{}) + DeletionTimeout;
        if (expectedDeletion < now) {
            result.notDeleted.push_back(name);
            continue;
        }
        if (!result.recheckAt || expectedDeletion < *result.recheckAt) {
            result.recheckAt = expectedDeletion;
        }
        result.entries[name] = std::string(at->get_string());
    }
    return result;
}

int64_t countHealthyPods(const std::vector<kube::ObjectPtr>& pods,
                         const std::map<std::string, std::string>& disrupted, TimePoint now) {
    int64_t healthy = 0;
    for (const kube::ObjectPtr& pod : pods) {
        if (kube::hasDeletionTimestamp(*pod)) {
            continue;
        }
        if (auto it = disrupted.find(std::string(kube::name(*pod))); it != disrupted.end()) {
            auto at = parseTime(it->second);
            if (at && *at + DeletionTimeout > now) {
                continue; // expected to be deleted soon
            }
        }
        if (isPodReady(*pod)) {
            ++healthy;
        }
    }
    return healthy;
}

int64_t BudgetNumbers::disruptionsAllowed() const {
    int64_t allowed = currentHealthy - desiredHealthy;
    return expectedPods <= 0 || allowed <= 0 ? 0 : allowed;
}

bool statusUpToDate(const json::object& pdb, const BudgetNumbers& numbers) {
    const json::object* status = objectAt(pdb, "status");
    if (statusInt(status, "currentHealthy") != numbers.currentHealthy ||
        statusInt(status, "desiredHealthy") != numbers.desiredHealthy ||
        statusInt(status, "expectedPods") != numbers.expectedPods ||
        statusInt(status, "disruptionsAllowed") != numbers.disruptionsAllowed() ||
        statusInt(status, "observedGeneration") != kube::generation(pdb)) {
        return false;
    }
    const json::object* recorded = objectAt(status, "disruptedPods");
    size_t recordedCount = recorded ? recorded->size() : 0;
    if (recordedCount != numbers.disruptedPods.size()) {
        return false;
    }
    for (const auto& [name, at] : numbers.disruptedPods) {
        const json::value* v = recorded->if_contains(name);
        if (!v || timeOf(*v) != parseTime(at).value_or(TimePoint{})) {
            return false;
        }
    }
    return conditionsUpToDate(pdb);
}

json::object desiredStatus(const json::object& pdb, const BudgetNumbers& numbers, TimePoint now) {
    json::object status{{"observedGeneration", kube::generation(pdb)},
                        {"currentHealthy", numbers.currentHealthy},
                        {"desiredHealthy", numbers.desiredHealthy},
                        {"expectedPods", numbers.expectedPods},
                        {"disruptionsAllowed", numbers.disruptionsAllowed()}};
    if (!numbers.disruptedPods.empty()) {
        json::object disrupted;
        for (const auto& [name, at] : numbers.disruptedPods) {
            disrupted[name] = at;
        }
        status["disruptedPods"] = std::move(disrupted);
    }
    json::array conditions;
    const json::object* current = objectAt(pdb, "status");
    if (const json::array* existing = current ? kube::arrayAt(*current, "conditions") : nullptr) {
        conditions = *existing;
    }
    setStatusCondition(
        conditions, disruptionAllowedCondition(numbers.disruptionsAllowed(), kube::generation(pdb)),
        now);
    status["conditions"] = std::move(conditions);
    return status;
}

json::object failSafeStatus(const json::object& pdb, const std::string& message, TimePoint now) {
    json::object status;
    if (const json::object* current = objectAt(pdb, "status")) {
        status = *current;
    }
    status["disruptionsAllowed"] = 0;
    json::array conditions;
    if (const json::array* existing = kube::arrayAt(status, "conditions")) {
        conditions = *existing;
    }
    setStatusCondition(
        conditions,
        json::object{{"type", "DisruptionAllowed"},
                     {"status", "False"},
                     {"observedGeneration", statusInt(&status, "observedGeneration")},
                     {"reason", "SyncFailed"},
                     {"message", message}},
        now);
    status["conditions"] = std::move(conditions);
    return status;
}

void setStatusCondition(json::array& conditions, json::object condition, TimePoint now) {
    std::string type = stringAt(condition, "type");
    for (json::value& c : conditions) {
        if (!c.is_object() || stringAt(c.get_object(), "type") != type) {
            continue;
        }
        json::object& existing = c.as_object();
        bool changed = stringAt(existing, "status") != stringAt(condition, "status");
        const json::value* since = existing.if_contains("lastTransitionTime");
        condition["lastTransitionTime"] = !changed && since ? *since : json::value(formatTime(now));
        existing = std::move(condition);
        return;
    }
    condition["lastTransitionTime"] = formatTime(now);
    conditions.push_back(std::move(condition));
}

} // namespace pilot::controllers::disruption
