#include "engine/controllers/deployment/deploymentutil.h"

#include "engine/controllers/common/templatehash.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/algorithm/string/split.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

namespace pilot::controllers::deployment {
namespace json = boost::json;

namespace {

constexpr int64_t MaxInt32 = std::numeric_limits<int32_t>::max();

const std::set<std::string_view>& annotationsToSkip() {
    static const std::set<std::string_view> skip{
        "kubectl.kubernetes.io/last-applied-configuration",
        RevisionAnnotation,
        RevisionHistoryAnnotation,
        DesiredReplicasAnnotation,
        MaxReplicasAnnotation,
        "deprecated.deployment.rollback.to",
    };
    return skip;
}

const json::object* specOf(const json::object& object) {
    return kube::objectAt(object, "spec");
}

const json::object* rollingUpdate(const json::object& d) {
    return kube::objectAt(kube::objectAt(specOf(d), "strategy"), "rollingUpdate");
}

std::optional<int64_t> parseInt(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::string annotationOr(const json::object& object, std::string_view key) {
    auto value = kube::annotation(object, key);
    return value ? std::string(*value) : std::string();
}

json::object& annotationsOf(json::object& object) {
    json::object& meta = kube::ensureMetadata(object);
    json::object* annotations = kube::ensureObject(meta, "annotations");
    if (annotations == nullptr) {
        meta["annotations"] = json::object();
        annotations = &meta["annotations"].as_object();
    }
    return *annotations;
}

bool createdBefore(const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
    std::string_view ta = kube::creationTimestamp(*a);
    std::string_view tb = kube::creationTimestamp(*b);
    if (ta == tb) {
        return kube::name(*a) < kube::name(*b);
    }
    return ta < tb;
}

int64_t roundToInt(double value) {
    return value < 0 ? static_cast<int64_t>(value - 0.5) : static_cast<int64_t>(value + 0.5);
}

void setCount(json::object& o, std::string_view key, int64_t value) {
    if (value != 0) {
        o[key] = value;
    }
}

} // namespace

int64_t replicas(const json::object& object) {
    const json::object* spec = specOf(object);
    return spec ? kube::integerAt(*spec, "replicas").value_or(1) : 1;
}

int64_t statusInt(const json::object& object, std::string_view field) {
    const json::object* status = kube::objectAt(object, "status");
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

int64_t minReadySeconds(const json::object& object) {
    const json::object* spec = specOf(object);
    return spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
}

bool isPaused(const json::object& d) {
    const json::object* spec = specOf(d);
    return spec && kube::boolAt(*spec, "paused").value_or(false);
}

bool isRollingUpdate(const json::object& d) {
    return kube::stringAt(kube::objectAt(specOf(d), "strategy"), "type") == "RollingUpdate";
}

bool isRecreate(const json::object& d) {
    return kube::stringAt(kube::objectAt(specOf(d), "strategy"), "type") == "Recreate";
}

std::optional<int64_t> progressDeadline(const json::object& d) {
    const json::object* spec = specOf(d);
    std::optional<int64_t> seconds =
        spec ? kube::integerAt(*spec, "progressDeadlineSeconds") : std::nullopt;
    if (!seconds || *seconds == MaxInt32) {
        return std::nullopt;
    }
    return seconds;
}

std::optional<int64_t> revisionHistoryLimit(const json::object& d) {
    const json::object* spec = specOf(d);
    std::optional<int64_t> limit =
        spec ? kube::integerAt(*spec, "revisionHistoryLimit") : std::nullopt;
    if (!limit || *limit == MaxInt32) {
        return std::nullopt;
    }
    return limit;
}

const json::value* podTemplate(const json::object& object) {
    const json::object* spec = specOf(object);
    return spec ? spec->if_contains("template") : nullptr;
}

std::optional<int64_t> collisionCount(const json::object& d) {
    const json::object* status = kube::objectAt(d, "status");
    return status ? kube::integerAt(*status, "collisionCount") : std::nullopt;
}

Result<int64_t> scaledValue(const json::value* value, int64_t total, bool roundUp) {
    if (value == nullptr || value->is_null()) {
        return fail(ErrorCode::InvalidArgument, "nil value for IntOrString");
    }
    if (std::optional<int64_t> number = kube::asInteger(*value)) {
        return *number;
    }
    if (!value->is_string()) {
        return fail(ErrorCode::InvalidArgument, "invalid value for IntOrString: invalid type");
    }
    std::string_view text = value->get_string();
    if (!text.ends_with('%')) {
        return fail(ErrorCode::InvalidArgument,
                    "invalid value for IntOrString: invalid type: string is not a percentage");
    }
    std::optional<int64_t> percent = parseInt(text.substr(0, text.size() - 1));
    if (!percent) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid value for IntOrString: invalid value \"{}\"", text));
    }
    double scaled = static_cast<double>(*percent) * static_cast<double>(total) / 100.0;
    return static_cast<int64_t>(roundUp ? std::ceil(scaled) : std::floor(scaled));
}

Result<std::pair<int64_t, int64_t>> resolveFenceposts(const json::object& d, int64_t desired) {
    const json::object* rolling = rollingUpdate(d);
    static const json::value zero = 0;
    const json::value* surgeValue = rolling ? rolling->if_contains("maxSurge") : nullptr;
    const json::value* unavailableValue =
        rolling ? rolling->if_contains("maxUnavailable") : nullptr;
    auto surge = scaledValue(surgeValue ? surgeValue : &zero, desired, true);
    if (!surge) {
        return std::unexpected(surge.error());
    }
    auto unavailable = scaledValue(unavailableValue ? unavailableValue : &zero, desired, false);
    if (!unavailable) {
        return std::unexpected(unavailable.error());
    }
    if (*surge == 0 && *unavailable == 0) {
        // Rounding down may make both zero; surge might not work (quota), so allow one.
        return std::pair<int64_t, int64_t>{0, 1};
    }
    return std::pair<int64_t, int64_t>{*surge, *unavailable};
}

int64_t maxSurge(const json::object& d) {
    if (!isRollingUpdate(d)) {
        return 0;
    }
    auto fenceposts = resolveFenceposts(d, replicas(d));
    return fenceposts ? fenceposts->first : 0;
}

int64_t maxUnavailable(const json::object& d) {
    const int64_t desired = replicas(d);
    if (!isRollingUpdate(d) || desired == 0) {
        return 0;
    }
    auto fenceposts = resolveFenceposts(d, desired);
    int64_t unavailable = fenceposts ? fenceposts->second : 0;
    return std::min(unavailable, desired);
}

int64_t revision(const json::object& rs) {
    auto text = kube::annotation(rs, RevisionAnnotation);
    return text ? parseInt(*text).value_or(0) : 0;
}

int64_t maxRevision(const RsList& sets) {
    int64_t max = 0;
    for (const kube::ObjectPtr& rs : sets) {
        if (rs) {
            max = std::max(max, revision(*rs));
        }
    }
    return max;
}

std::optional<int64_t> intAnnotation(const json::object& object, std::string_view key) {
    auto text = kube::annotation(object, key);
    return text ? parseInt(*text) : std::nullopt;
}

int64_t replicaCount(const RsList& sets) {
    int64_t total = 0;
    for (const kube::ObjectPtr& rs : sets) {
        total += rs ? replicas(*rs) : 0;
    }
    return total;
}

int64_t actualReplicaCount(const RsList& sets) {
    int64_t total = 0;
    for (const kube::ObjectPtr& rs : sets) {
        total += rs ? statusInt(*rs, "replicas") : 0;
    }
    return total;
}

int64_t readyReplicaCount(const RsList& sets) {
    int64_t total = 0;
    for (const kube::ObjectPtr& rs : sets) {
        total += rs ? statusInt(*rs, "readyReplicas") : 0;
    }
    return total;
}

int64_t availableReplicaCount(const RsList& sets) {
    int64_t total = 0;
    for (const kube::ObjectPtr& rs : sets) {
        total += rs ? statusInt(*rs, "availableReplicas") : 0;
    }
    return total;
}

RsList filterActive(const RsList& sets) {
    RsList active;
    for (const kube::ObjectPtr& rs : sets) {
        if (rs && replicas(*rs) > 0) {
            active.push_back(rs);
        }
    }
    return active;
}

void sortByCreation(RsList& sets) {
    std::stable_sort(sets.begin(), sets.end(), createdBefore);
}

void sortBySizeNewer(RsList& sets) {
    std::stable_sort(sets.begin(), sets.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         if (replicas(*a) == replicas(*b)) {
                             return createdBefore(b, a);
                         }
                         return replicas(*a) > replicas(*b);
                     });
}

void sortBySizeOlder(RsList& sets) {
    std::stable_sort(sets.begin(), sets.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         if (replicas(*a) == replicas(*b)) {
                             return createdBefore(a, b);
                         }
                         return replicas(*a) > replicas(*b);
                     });
}

void sortByRevision(RsList& sets) {
    std::stable_sort(sets.begin(), sets.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         if (revision(*a) == revision(*b)) {
                             return createdBefore(a, b);
                         }
                         return revision(*a) < revision(*b);
                     });
}

kube::ObjectPtr findNewReplicaSet(const json::object& d, const RsList& sets) {
    RsList sorted;
    for (const kube::ObjectPtr& rs : sets) {
        if (rs) {
            sorted.push_back(rs);
        }
    }
    sortByCreation(sorted);
    for (const kube::ObjectPtr& rs : sorted) {
        // Several may match (e.g. after upgrades); the oldest wins, deterministically.
        if (equalIgnoreHash(podTemplate(*rs), podTemplate(d))) {
            return rs;
        }
    }
    return nullptr;
}

RsList findOldReplicaSets(const json::object& d, const RsList& sets) {
    kube::ObjectPtr newRS = findNewReplicaSet(d, sets);
    RsList old;
    for (const kube::ObjectPtr& rs : sets) {
        if (rs && !(newRS && kube::uid(*rs) == kube::uid(*newRS))) {
            old.push_back(rs);
        }
    }
    return old;
}

bool setNewReplicaSetAnnotations(const json::object& d, json::object& rs,
                                 const std::string& newRevision, bool exists) {
    bool changed = false;
    json::object& rsAnnotations = annotationsOf(rs);
    if (const json::object* deploymentAnnotations = kube::annotations(d)) {
        for (const auto& [key, value] : *deploymentAnnotations) {
            if (annotationsToSkip().contains(key)) {
                continue;
            }
            const json::value* existing = rsAnnotations.if_contains(key);
            if (existing && *existing == value) {
                continue;
            }
            rsAnnotations[key] = value;
            changed = true;
        }
    }
    const json::value* oldValue = rsAnnotations.if_contains(RevisionAnnotation);
    const bool hadRevision = oldValue != nullptr;
    std::string oldRevision =
        oldValue && oldValue->is_string() ? std::string(oldValue->get_string()) : "";
    int64_t oldRevisionNumber = 0;
    if (!oldRevision.empty()) {
        std::optional<int64_t> parsed = parseInt(oldRevision);
        if (!parsed) {
            return false;
        }
        oldRevisionNumber = *parsed;
    }
    std::optional<int64_t> newRevisionNumber = parseInt(newRevision);
    if (!newRevisionNumber) {
        return false;
    }
    if (oldRevisionNumber < *newRevisionNumber) {
        rsAnnotations[RevisionAnnotation] = newRevision;
        changed = true;
    }
    // A set that already had a revision and gets a newer one is being rolled back to: keep
    // the numbers it had.
    if (hadRevision && oldRevisionNumber < *newRevisionNumber) {
        std::string history = kube::stringAt(rsAnnotations, RevisionHistoryAnnotation);
        if (history.empty()) {
            rsAnnotations[RevisionHistoryAnnotation] = oldRevision;
        } else {
            std::vector<std::string> revisions;
            boost::algorithm::split(revisions, history, [](char c) { return c == ','; });
            size_t total = history.size() + oldRevision.size() + 1;
            size_t start = 0;
            while (total > MaxRevisionHistoryLength && start < revisions.size()) {
                total -= revisions[start].size() + 1;
                ++start;
            }
            if (total <= MaxRevisionHistoryLength) {
                std::string joined;
                for (size_t i = start; i < revisions.size(); ++i) {
                    joined += revisions[i];
                    joined += ',';
                }
                joined += oldRevision;
                rsAnnotations[RevisionHistoryAnnotation] = joined;
            }
        }
    }
    if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) {
        changed = true;
    }
    return changed;
}

bool setReplicasAnnotations(json::object& rs, int64_t desired, int64_t max) {
    bool changed = false;
    json::object& annotations = annotationsOf(rs);
    std::string desiredText = std::to_string(desired);
    if (kube::stringAt(annotations, DesiredReplicasAnnotation) != desiredText) {
        annotations[DesiredReplicasAnnotation] = desiredText;
        changed = true;
    }
    std::string maxText = std::to_string(max);
    if (kube::stringAt(annotations, MaxReplicasAnnotation) != maxText) {
        annotations[MaxReplicasAnnotation] = maxText;
        changed = true;
    }
    return changed;
}

bool replicasAnnotationsNeedUpdate(const json::object& rs, int64_t desired, int64_t max) {
    return annotationOr(rs, DesiredReplicasAnnotation) != std::to_string(desired) ||
           annotationOr(rs, MaxReplicasAnnotation) != std::to_string(max);
}

bool setDeploymentRevision(json::object& d, const std::string& revisionText) {
    json::object& annotations = annotationsOf(d);
    if (kube::stringAt(annotations, RevisionAnnotation) == revisionText &&
        annotations.contains(RevisionAnnotation)) {
        return false;
    }
    annotations[RevisionAnnotation] = revisionText;
    return true;
}

Result<int64_t> newRSNewReplicas(const json::object& d, const RsList& all,
                                 const json::object& newRS) {
    const int64_t desired = replicas(d);
    if (isRollingUpdate(d)) {
        const json::object* rolling = rollingUpdate(d);
        auto surge =
            scaledValue(rolling ? rolling->if_contains("maxSurge") : nullptr, desired, true);
        if (!surge) {
            return std::unexpected(surge.error());
        }
        const int64_t current = replicaCount(all);
        const int64_t maxTotal = desired + *surge;
        if (current >= maxTotal) {
            return replicas(newRS); // Cannot scale up.
        }
        // Up to the surge, but not past the desired count.
        int64_t scaleUp = std::min(maxTotal - current, desired - replicas(newRS));
        return replicas(newRS) + scaleUp;
    }
    if (isRecreate(d)) {
        return desired;
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("deployment type {} isn't supported",
                            kube::stringAt(kube::objectAt(specOf(d), "strategy"), "type")));
}

bool isSaturated(const json::object& d, const kube::ObjectPtr& rs) {
    if (!rs) {
        return false;
    }
    std::optional<int64_t> desired = intAnnotation(*rs, DesiredReplicasAnnotation);
    if (!desired) {
        return false;
    }
    return replicas(*rs) == replicas(d) && *desired == replicas(d) &&
           statusInt(*rs, "availableReplicas") == replicas(d);
}

kube::ObjectPtr findActiveOrLatest(const kube::ObjectPtr& newRS, RsList oldRSs) {
    if (!newRS && oldRSs.empty()) {
        return nullptr;
    }
    std::stable_sort(
        oldRSs.begin(), oldRSs.end(),
        [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) { return createdBefore(b, a); });
    RsList all = oldRSs;
    all.push_back(newRS);
    RsList active = filterActive(all);
    if (active.empty()) {
        return newRS ? newRS : oldRSs.front();
    }
    if (active.size() == 1) {
        return active.front();
    }
    return nullptr;
}

int64_t replicaSetProportion(const json::object& rs, const json::object& d, int64_t toAdd,
                             int64_t added) {
    if (replicas(rs) == 0 || toAdd == 0 || toAdd == added) {
        return 0;
    }
    int64_t fraction = 0;
    if (replicas(d) == 0) {
        fraction = -replicas(rs); // Scaling to zero: all of it.
    } else {
        const int64_t maxReplicas = replicas(d) + maxSurge(d);
        int64_t before = intAnnotation(rs, MaxReplicasAnnotation).value_or(0);
        if (before == 0) {
            // Not annotated by us (edited by hand, or not created by this controller).
            before = statusInt(d, "replicas");
        }
        if (before == 0) {
            fraction = replicas(rs);
        } else {
            double size =
                static_cast<double>(replicas(rs) * maxReplicas) / static_cast<double>(before);
            fraction = roundToInt(size) - replicas(rs);
        }
    }
    const int64_t allowed = toAdd - added;
    return toAdd > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

DeploymentStatus DeploymentStatus::of(const json::object& d) {
    DeploymentStatus s;
    s.observedGeneration = statusInt(d, "observedGeneration");
    s.replicas = statusInt(d, "replicas");
    s.updatedReplicas = statusInt(d, "updatedReplicas");
    s.readyReplicas = statusInt(d, "readyReplicas");
    s.availableReplicas = statusInt(d, "availableReplicas");
    s.unavailableReplicas = statusInt(d, "unavailableReplicas");
    if (const json::object* status = kube::objectAt(d, "status")) {
        if (const json::array* conditions = kube::arrayAt(*status, "conditions")) {
            s.conditions = *conditions;
        }
    }
    s.collisionCount = deployment::collisionCount(d);
    return s;
}

json::object DeploymentStatus::toJson() const {
    json::object o;
    setCount(o, "observedGeneration", observedGeneration);
    setCount(o, "replicas", replicas);
    setCount(o, "updatedReplicas", updatedReplicas);
    setCount(o, "readyReplicas", readyReplicas);
    setCount(o, "availableReplicas", availableReplicas);
    setCount(o, "unavailableReplicas", unavailableReplicas);
    if (!conditions.empty()) {
        o["conditions"] = conditions;
    }
    if (collisionCount) {
        o["collisionCount"] = *collisionCount;
    }
    return o;
}

bool DeploymentStatus::operator==(const DeploymentStatus& other) const {
    return kube::jsonEqual(toJson(), other.toJson());
}

json::object newCondition(std::string_view type, std::string_view status, std::string_view reason,
                          std::string message, TimePoint now) {
    std::string at = formatTime(now);
    return json::object{{"type", type},         {"status", status},
                        {"lastUpdateTime", at}, {"lastTransitionTime", at},
                        {"reason", reason},     {"message", std::move(message)}};
}

const json::object* findCondition(const json::array& conditions, std::string_view type) {
    for (const json::value& c : conditions) {
        if (const json::object* condition = c.if_object();
            condition && kube::stringAt(*condition, "type") == type) {
            return condition;
        }
    }
    return nullptr;
}

void setCondition(json::array& conditions, json::object condition) {
    std::string type = kube::stringAt(condition, "type");
    if (const json::object* current = findCondition(conditions, type)) {
        if (kube::stringAt(*current, "status") == kube::stringAt(condition, "status")) {
            if (kube::stringAt(*current, "reason") == kube::stringAt(condition, "reason")) {
                return;
            }
            // Same status: it did not transition.
            if (const json::value* since = current->if_contains("lastTransitionTime")) {
                condition["lastTransitionTime"] = *since;
            }
        }
    }
    removeCondition(conditions, type);
    conditions.push_back(std::move(condition));
}

void removeCondition(json::array& conditions, std::string_view type) {
    kube::eraseIf(conditions, [type](const json::value& c) {
        return c.is_object() && kube::stringAt(c.get_object(), "type") == type;
    });
}

DeploymentStatus calculateStatus(const RsList& all, const kube::ObjectPtr& newRS,
                                 const json::object& d, TimePoint now) {
    const int64_t available = availableReplicaCount(all);
    const int64_t total = replicaCount(all);
    DeploymentStatus s;
    s.observedGeneration = kube::generation(d);
    s.replicas = actualReplicaCount(all);
    s.updatedReplicas = actualReplicaCount(RsList{newRS});
    s.readyReplicas = readyReplicaCount(all);
    s.availableReplicas = available;
    s.unavailableReplicas = std::max<int64_t>(total - available, 0);
    s.collisionCount = deployment::collisionCount(d);
    s.conditions = DeploymentStatus::of(d).conditions;
    if (available >= replicas(d) - maxUnavailable(d)) {
        setCondition(s.conditions, newCondition(Available, "True", MinimumReplicasAvailable,
                                                "Deployment has minimum availability.", now));
    } else {
        setCondition(s.conditions,
                     newCondition(Available, "False", MinimumReplicasUnavailable,
                                  "Deployment does not have minimum availability.", now));
    }
    return s;
}

bool deploymentComplete(const json::object& d, const DeploymentStatus& s) {
    const int64_t desired = replicas(d);
    return s.updatedReplicas == desired && s.replicas == desired &&
           s.availableReplicas == desired && s.observedGeneration >= kube::generation(d);
}

bool deploymentProgressing(const json::object& d, const DeploymentStatus& s) {
    const DeploymentStatus old = DeploymentStatus::of(d);
    const int64_t oldStatusOldReplicas = old.replicas - old.updatedReplicas;
    const int64_t newStatusOldReplicas = s.replicas - s.updatedReplicas;
    return s.updatedReplicas > old.updatedReplicas || newStatusOldReplicas < oldStatusOldReplicas ||
           s.readyReplicas > old.readyReplicas || s.availableReplicas > old.availableReplicas;
}

bool deploymentTimedOut(const json::object& d, const DeploymentStatus& s, TimePoint now) {
    std::optional<int64_t> deadline = progressDeadline(d);
    if (!deadline) {
        return false;
    }
    const json::object* condition = findCondition(s.conditions, Progressing);
    if (condition == nullptr) {
        return false; // Assume it is still progressing.
    }
    std::string reason = kube::stringAt(*condition, "reason");
    // After a completed rollout (e.g. a later scale) there is no progress to estimate.
    if (reason == NewRSAvailableReason) {
        return false;
    }
    if (reason == TimedOutReason) {
        return true;
    }
    auto from = parseTime(kube::stringAt(*condition, "lastUpdateTime"));
    if (!from) {
        return false;
    }
    return *from + std::chrono::seconds(*deadline) < now;
}

} // namespace pilot::controllers::deployment
