// Revisions, scaling, history cleanup and status: what every kind of sync shares (upstream
// pkg/controller/deployment/sync.go).

#include "engine/controllers/deployment/deploymentcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/templatehash.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <map>

namespace pilot::controllers {
namespace json = boost::json;
using namespace deployment;

namespace {

constexpr std::string_view Component = "deployment-controller";

kube::ObjectPtr share(json::object object) {
    return std::make_shared<const json::object>(std::move(object));
}

void setSpecInt(json::object& object, std::string_view field, int64_t value, bool omitZero) {
    json::object* spec = kube::ensureObject(object, "spec");
    if (spec == nullptr) {
        return;
    }
    if (omitZero && value == 0) {
        spec->erase(field);
    } else {
        (*spec)[field] = value;
    }
}

/// Adds `pod-template-hash: hash` to `labels` under `holder` (created when missing).
void addHashLabel(json::object& holder, std::string_view member, const std::string& hash) {
    json::object* labels = kube::ensureObject(holder, member);
    if (labels != nullptr) {
        (*labels)[PodTemplateHashLabel] = hash;
    }
}

} // namespace

Status DeploymentController::sync(json::object& d, const RsList& sets) {
    auto current = allReplicaSetsAndSyncRevision(d, sets, false);
    if (!current) {
        return std::unexpected(current.error());
    }
    if (Status scaled = scale(d, current->newRS, current->oldRSs); !scaled) {
        return scaled;
    }
    if (isPaused(d)) {
        // Paused with nothing rolling: a good moment to trim the history.
        if (Status cleaned = cleanupDeployment(current->oldRSs, d); !cleaned) {
            return cleaned;
        }
    }
    return syncDeploymentStatus(d, *current);
}

Status DeploymentController::syncStatusOnly(json::object& d, const RsList& sets) {
    auto current = allReplicaSetsAndSyncRevision(d, sets, false);
    if (!current) {
        return std::unexpected(current.error());
    }
    return syncDeploymentStatus(d, *current);
}

Result<bool> DeploymentController::isScalingEvent(json::object& d, const RsList& sets) {
    auto current = allReplicaSetsAndSyncRevision(d, sets, false);
    if (!current) {
        return std::unexpected(current.error());
    }
    for (const kube::ObjectPtr& rs : filterActive(current->all())) {
        std::optional<int64_t> desired = intAnnotation(*rs, DesiredReplicasAnnotation);
        if (desired && *desired != replicas(d)) {
            return true;
        }
    }
    return false;
}

Result<DeploymentController::Sets>
DeploymentController::allReplicaSetsAndSyncRevision(json::object& d, const RsList& sets,
                                                    bool create) {
    RsList oldRSs = findOldReplicaSets(d, sets);
    auto newRS = newReplicaSet(d, sets, oldRSs, create);
    if (!newRS) {
        return std::unexpected(newRS.error());
    }
    return Sets{*newRS, std::move(oldRSs)};
}

Result<kube::ObjectPtr> DeploymentController::newReplicaSet(json::object& d, const RsList& sets,
                                                            const RsList& oldRSs, bool create) {
    kube::ObjectPtr existing = findNewReplicaSet(d, sets);
    const std::string newRevision = std::to_string(maxRevision(oldRSs) + 1);
    if (!existing) {
        if (!create) {
            return kube::ObjectPtr();
        }
        return createNewReplicaSet(d, oldRSs, newRevision);
    }

    // The current set exists: bring its annotations (the Deployment's, revision, replicas) and
    // minReadySeconds up to date, then the Deployment's revision.
    json::object copy = *existing;
    const bool annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsUpdated || minReadySeconds(copy) != minReadySeconds(d)) {
        setSpecInt(copy, "minReadySeconds", minReadySeconds(d), true);
        auto updated = m_client.update(kube::resources::ReplicaSets, copy);
        if (!updated) {
            return std::unexpected(updated.error().toError());
        }
        return share(std::move(*updated));
    }
    auto setRevision = kube::annotation(copy, RevisionAnnotation);
    bool needsUpdate = setDeploymentRevision(d, setRevision ? std::string(*setRevision) : "");
    DeploymentStatus status = DeploymentStatus::of(d);
    if (progressDeadline(d) && !findCondition(status.conditions, Progressing)) {
        // Progress was never estimated: count from when the set was first noticed.
        setCondition(status.conditions,
                     newCondition(Progressing, "True", FoundNewRSReason,
                                  fmt::format("Found new replica set \"{}\"", kube::name(copy)),
                                  m_clock.now()));
        d["status"] = status.toJson();
        needsUpdate = true;
    }
    if (needsUpdate) {
        if (Status written = writeStatus(d); !written) {
            return std::unexpected(written.error());
        }
    }
    return existing;
}

Result<kube::ObjectPtr> DeploymentController::createNewReplicaSet(json::object& d,
                                                                  const RsList& oldRSs,
                                                                  const std::string& newRevision) {
    const json::value* deploymentTemplate = podTemplate(d);
    json::value tmpl = deploymentTemplate ? *deploymentTemplate : json::value(json::object());
    if (!tmpl.is_object()) {
        tmpl = json::object();
    }
    const std::string hash = computeTemplateHash(tmpl, collisionCount(d));
    json::object* tmplMeta = kube::ensureObject(tmpl.as_object(), "metadata");
    addHashLabel(*tmplMeta, "labels", hash);
    json::value selector = json::object();
    if (const json::object* spec = kube::objectAt(d, "spec")) {
        if (const json::value* s = spec->if_contains("selector"); s && s->is_object()) {
            selector = *s;
        }
    }
    addHashLabel(selector.as_object(), "matchLabels", hash);

    const std::string name = fmt::format("{}-{}", kube::name(d), hash);
    json::object rs{
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata", json::object{{"name", name},
                                  {"namespace", kube::namespaceOf(d)},
                                  {"labels", tmplMeta->at("labels")},
                                  {"ownerReferences",
                                   json::array{newControllerRef(d, {"apps/v1", "Deployment"})}}}},
        {"spec", json::object{{"replicas", 0}, {"selector", selector}, {"template", tmpl}}},
    };
    setSpecInt(rs, "minReadySeconds", minReadySeconds(d), true);
    RsList all = oldRSs;
    all.push_back(share(rs));
    auto count = newRSNewReplicas(d, all, rs);
    if (!count) {
        return std::unexpected(count.error());
    }
    setSpecInt(rs, "replicas", *count, false);
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    kube::ObjectPtr createdRS;
    bool alreadyExists = false;
    auto created = m_client.create(kube::resources::ReplicaSets, kube::namespaceOf(d), rs);
    if (created) {
        createdRS = share(std::move(*created));
    } else if (kube::isAlreadyExists(created.error())) {
        // A slow cache, or a hash collision with a set that is not ours.
        alreadyExists = true;
        auto existing = m_client.get(kube::resources::ReplicaSets, kube::namespaceOf(d), name);
        if (!existing) {
            return std::unexpected(existing.error().toError());
        }
        const json::object* ref = kube::controllerRef(*existing);
        if (ref && kube::stringAt(*ref, "uid") == kube::uid(d) &&
            equalIgnoreHash(podTemplate(d), podTemplate(*existing))) {
            createdRS = share(std::move(*existing));
        } else {
            DeploymentStatus status = DeploymentStatus::of(d);
            int64_t before = status.collisionCount.value_or(0);
            status.collisionCount = before + 1;
            d["status"] = status.toJson();
            if (writeStatus(d)) {
                log::info(Component, "{}/{}: hash collision on {}, collisionCount {} -> {}",
                          kube::namespaceOf(d), kube::name(d), name, before, before + 1);
            }
            return std::unexpected(created.error().toError());
        }
    } else {
        const std::string message = fmt::format("Failed to create new replica set \"{}\": {}", name,
                                                created.error().message);
        if (created.error().code != 403 ||
            created.error().message.find("because it is being terminated") == std::string::npos) {
            if (progressDeadline(d)) {
                DeploymentStatus status = DeploymentStatus::of(d);
                setCondition(status.conditions,
                             newCondition(Progressing, "False", FailedRSCreateReason, message,
                                          m_clock.now()));
                d["status"] = status.toJson();
                (void)writeStatus(d); // The create failure is the error worth reporting.
            }
            m_events.warning(d, FailedRSCreateReason, message);
        }
        return std::unexpected(created.error().toError());
    }

    if (!alreadyExists && *count > 0) {
        m_events.normal(
            d, "ScalingReplicaSet",
            fmt::format("Scaled up replica set {} from 0 to {}", kube::name(*createdRS), *count));
    }
    bool needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && progressDeadline(d)) {
        DeploymentStatus status = DeploymentStatus::of(d);
        setCondition(status.conditions, newCondition(Progressing, "True", NewReplicaSetReason,
                                                     fmt::format("Created new replica set \"{}\"",
                                                                 kube::name(*createdRS)),
                                                     m_clock.now()));
        d["status"] = status.toJson();
        needsUpdate = true;
    }
    if (needsUpdate) {
        if (Status written = writeStatus(d); !written) {
            return std::unexpected(written.error());
        }
    }
    return createdRS;
}

Status DeploymentController::scale(const json::object& d, const kube::ObjectPtr& newRS,
                                   const RsList& oldRSs) {
    // One active set (or none): it gets the whole count.
    if (kube::ObjectPtr only = findActiveOrLatest(newRS, oldRSs)) {
        if (replicas(*only) == replicas(d)) {
            return {};
        }
        auto scaled = scaleReplicaSetAndRecordEvent(only, replicas(d), d);
        return scaled ? Status{} : std::unexpected(scaled.error());
    }
    // The new set is saturated: old sets go to zero (e.g. after adopting a saturated set).
    if (isSaturated(d, newRS)) {
        for (const kube::ObjectPtr& old : filterActive(oldRSs)) {
            if (auto scaled = scaleReplicaSetAndRecordEvent(old, 0, d); !scaled) {
                return std::unexpected(scaled.error());
            }
        }
        return {};
    }
    if (!isRollingUpdate(d)) {
        return {};
    }
    // A rollout in progress was scaled: spread the difference over the active sets in
    // proportion to their size, larger sets first.
    RsList all = oldRSs;
    all.push_back(newRS);
    RsList active = filterActive(all);
    const int64_t current = replicaCount(active);
    const int64_t allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
    const int64_t toAdd = allowed - current;
    std::string_view operation;
    if (toAdd > 0) {
        sortBySizeNewer(active);
        operation = "up";
    } else if (toAdd < 0) {
        sortBySizeOlder(active);
        operation = "down";
    }
    int64_t added = 0;
    std::map<std::string, int64_t, std::less<>> sizes;
    for (const kube::ObjectPtr& rs : active) {
        std::string name(kube::name(*rs));
        if (toAdd != 0) {
            int64_t proportion = replicaSetProportion(*rs, d, toAdd, added);
            sizes[name] = replicas(*rs) + proportion;
            added += proportion;
        } else {
            sizes[name] = replicas(*rs);
        }
    }
    for (size_t i = 0; i < active.size(); ++i) {
        const kube::ObjectPtr& rs = active[i];
        int64_t& size = sizes[std::string(kube::name(*rs))];
        if (i == 0 && toAdd != 0) {
            // Leftovers go to the largest set.
            size = std::max<int64_t>(size + toAdd - added, 0);
        }
        if (auto scaled = scaleReplicaSet(rs, size, d, operation); !scaled) {
            return std::unexpected(scaled.error());
        }
    }
    return {};
}

Result<std::pair<bool, kube::ObjectPtr>>
DeploymentController::scaleReplicaSetAndRecordEvent(const kube::ObjectPtr& rs, int64_t newScale,
                                                    const json::object& d) {
    if (replicas(*rs) == newScale) {
        return std::pair<bool, kube::ObjectPtr>{false, rs};
    }
    return scaleReplicaSet(rs, newScale, d, replicas(*rs) < newScale ? "up" : "down");
}

Result<std::pair<bool, kube::ObjectPtr>>
DeploymentController::scaleReplicaSet(const kube::ObjectPtr& rs, int64_t newScale,
                                      const json::object& d, std::string_view operation) {
    const bool sizeNeedsUpdate = replicas(*rs) != newScale;
    const int64_t desired = replicas(d);
    const int64_t max = desired + maxSurge(d);
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(*rs, desired, max)) {
        return std::pair<bool, kube::ObjectPtr>{false, rs};
    }
    const int64_t oldScale = replicas(*rs);
    json::object copy = *rs;
    setSpecInt(copy, "replicas", newScale, false);
    setReplicasAnnotations(copy, desired, max);
    auto updated = m_client.update(kube::resources::ReplicaSets, copy);
    if (!updated) {
        return std::unexpected(updated.error().toError());
    }
    kube::ObjectPtr written = share(std::move(*updated));
    if (sizeNeedsUpdate) {
        m_events.normal(d, "ScalingReplicaSet",
                        fmt::format("Scaled {} replica set {} from {} to {}", operation,
                                    kube::name(*written), oldScale, newScale));
    }
    return std::pair<bool, kube::ObjectPtr>{sizeNeedsUpdate, written};
}

Status DeploymentController::cleanupDeployment(const RsList& oldRSs, const json::object& d) {
    std::optional<int64_t> limit = revisionHistoryLimit(d);
    if (!limit) {
        return {};
    }
    RsList cleanable;
    for (const kube::ObjectPtr& rs : oldRSs) {
        if (rs && !kube::hasDeletionTimestamp(*rs)) {
            cleanable.push_back(rs);
        }
    }
    const int64_t diff = static_cast<int64_t>(cleanable.size()) - *limit;
    if (diff <= 0) {
        return {};
    }
    sortByRevision(cleanable);
    for (int64_t i = 0; i < diff; ++i) {
        const json::object& rs = *cleanable[static_cast<size_t>(i)];
        // Only sets that are empty, and known to be, go.
        if (statusInt(rs, "replicas") != 0 || replicas(rs) != 0 ||
            kube::generation(rs) > statusInt(rs, "observedGeneration")) {
            continue;
        }
        auto removed =
            m_client.remove(kube::resources::ReplicaSets, kube::namespaceOf(rs), kube::name(rs));
        if (!removed && !kube::isNotFound(removed.error())) {
            return std::unexpected(removed.error().toError());
        }
    }
    return {};
}

Status DeploymentController::syncDeploymentStatus(json::object& d, const Sets& sets) {
    DeploymentStatus status = calculateStatus(sets.all(), sets.newRS, d, m_clock.now());
    if (DeploymentStatus::of(d) == status) {
        return {};
    }
    d["status"] = status.toJson();
    return writeStatus(d);
}

} // namespace pilot::controllers
