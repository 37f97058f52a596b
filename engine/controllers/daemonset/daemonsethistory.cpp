// DaemonSetController: ControllerRevisions (the current one found or created, rollbacks
// renumbered, duplicates merged, old ones trimmed to revisionHistoryLimit).

#include "engine/controllers/daemonset/daemonsetcontroller.h"

#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/daemonset/daemonsetutil.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;
using namespace daemonset;

namespace {

constexpr std::string_view NamespaceIndex = "namespace";

kube::ObjectPtr share(json::object object) {
    return std::make_shared<const json::object>(std::move(object));
}

std::optional<int64_t> collisionCount(const json::object& ds) {
    const json::object* status = kube::objectAt(ds, "status");
    return status ? kube::integerAt(*status, "collisionCount") : std::nullopt;
}

std::string hashOf(const json::object& object) {
    auto hash = kube::label(object, HashLabel);
    return hash ? std::string(*hash) : std::string();
}

} // namespace

Result<DaemonSetController::History>
DaemonSetController::constructHistory(const json::object& ds, const kube::LabelSelector& selector,
                                      const PodList& pods) {
    ControllerRefManager refs(m_client, kube::resources::DaemonSets, ControllerRevisions, ds,
                              daemonSetKind(), selector);
    auto cached = refs.claim(m_revisions->cache().byIndex(NamespaceIndex, kube::namespaceOf(ds)));
    if (!cached) {
        return std::unexpected(cached.error());
    }
    auto claimed = m_history.upToDate(ds, std::move(*cached));
    if (!claimed) {
        return std::unexpected(claimed.error());
    }
    const json::object wanted{{"data", templateRevisionData(ds)}};
    std::vector<kube::ObjectPtr> current;
    History out;
    for (kube::ObjectPtr revision : *claimed) {
        if (!kube::label(*revision, HashLabel)) {
            // Older revisions lack the hash label: their name stands in for it.
            json::object copy = *revision;
            if (json::object* labels = kube::ensureObject(kube::ensureMetadata(copy), "labels")) {
                (*labels)[HashLabel] = kube::name(copy);
            }
            auto updated = m_client.update(ControllerRevisions, copy);
            if (!updated) {
                return std::unexpected(updated.error().toError());
            }
            revision = share(std::move(*updated));
        }
        if (equalRevision(*revision, wanted)) {
            current.push_back(revision);
        } else {
            out.old.push_back(revision);
        }
    }
    int64_t maxRevision = 0;
    for (const kube::ObjectPtr& revision : out.old) {
        maxRevision = std::max(maxRevision, revisionNumber(*revision));
    }
    const int64_t currentRevision = maxRevision + 1;
    if (current.empty()) {
        auto created = snapshot(ds, currentRevision);
        if (!created) {
            return std::unexpected(created.error());
        }
        out.current = *created;
        return out;
    }
    auto kept = dedupCurrentHistories(ds, std::move(current), pods);
    if (!kept) {
        return std::unexpected(kept.error());
    }
    out.current = *kept;
    if (revisionNumber(*out.current) < currentRevision) {
        // A rollback to this template: it becomes the newest revision again.
        auto renumbered = m_history.setRevision(out.current, currentRevision);
        if (!renumbered) {
            return std::unexpected(renumbered.error());
        }
        out.current = *renumbered;
    }
    return out;
}

Result<kube::ObjectPtr> DaemonSetController::snapshot(const json::object& ds, int64_t revision) {
    const json::object* spec = kube::objectAt(ds, "spec");
    const json::value* tmpl = spec ? spec->if_contains("template") : nullptr;
    const std::string hash =
        computeTemplateHash(tmpl ? *tmpl : json::value(json::object()), collisionCount(ds));
    const std::string name = controllerRevisionName(kube::name(ds), hash);
    const json::object* tmplLabels =
        kube::objectAt(kube::objectAt(kube::objectAt(ds, "spec"), "template"), "metadata");
    json::object labels;
    if (const json::object* l = kube::objectAt(tmplLabels, "labels")) {
        labels = *l;
    }
    labels[HashLabel] = hash;
    json::object meta{{"name", name},
                      {"namespace", kube::namespaceOf(ds)},
                      {"labels", std::move(labels)},
                      {"ownerReferences", json::array{newControllerRef(ds, daemonSetKind())}}};
    if (const json::object* annotations = kube::annotations(ds);
        annotations && !annotations->empty()) {
        meta["annotations"] = *annotations;
    }
    json::object history{{"apiVersion", "apps/v1"},
                         {"kind", "ControllerRevision"},
                         {"metadata", std::move(meta)},
                         {"data", templateRevisionData(ds)},
                         {"revision", revision}};
    auto created = m_client.create(ControllerRevisions, kube::namespaceOf(ds), history);
    if (created) {
        m_history.written(ds, *created);
        return share(std::move(*created));
    }
    if (!kube::isAlreadyExists(created.error())) {
        return std::unexpected(created.error().toError());
    }
    auto existing = m_client.get(ControllerRevisions, kube::namespaceOf(ds), name);
    if (!existing) {
        return std::unexpected(existing.error().toError());
    }
    if (equalRevision(*existing, history)) {
        return share(std::move(*existing)); // Ours already; the cache was behind.
    }
    // A hash collision with another template: bump collisionCount so the next hash differs,
    // unless the count we hashed with was stale.
    auto fresh = m_client.get(kube::resources::DaemonSets, kube::namespaceOf(ds), kube::name(ds));
    if (!fresh) {
        return std::unexpected(fresh.error().toError());
    }
    if (collisionCount(*fresh) != collisionCount(ds)) {
        return fail(ErrorCode::Conflict,
                    fmt::format("found a stale collision count ({}, expected {}) of DaemonSet "
                                "\"{}\" while processing; will retry until it is updated",
                                collisionCount(ds).value_or(0), collisionCount(*fresh).value_or(0),
                                kube::name(ds)));
    }
    json::object* status = kube::ensureObject(*fresh, "status");
    if (status != nullptr) {
        (*status)["collisionCount"] = collisionCount(*fresh).value_or(0) + 1;
    }
    if (auto bumped = m_client.updateStatus(kube::resources::DaemonSets, *fresh); !bumped) {
        return std::unexpected(bumped.error().toError());
    }
    return std::unexpected(created.error().toError());
}

Result<kube::ObjectPtr> DaemonSetController::dedupCurrentHistories(
    const json::object& ds, std::vector<kube::ObjectPtr> current, const PodList& pods) {
    if (current.size() == 1) {
        return current.front();
    }
    kube::ObjectPtr keep;
    for (const kube::ObjectPtr& revision : current) {
        if (!keep || revisionNumber(*revision) >= revisionNumber(*keep)) {
            keep = revision;
        }
    }
    const std::string keepHash = hashOf(*keep);
    for (const kube::ObjectPtr& revision : current) {
        if (kube::name(*revision) == kube::name(*keep)) {
            continue;
        }
        // Pods of the duplicate move to the kept revision's hash before it goes.
        const std::string duplicateHash = hashOf(*revision);
        json::object patch{
            {"metadata", json::object{{"labels", json::object{{HashLabel, keepHash}}}}}};
        for (const kube::ObjectPtr& pod : pods) {
            if (hashOf(*pod) != duplicateHash || duplicateHash == keepHash) {
                continue;
            }
            auto patched =
                m_client.patch(kube::resources::Pods, kube::namespaceOf(ds), kube::name(*pod),
                               kube::PatchType::StrategicMerge, json::serialize(patch));
            if (!patched && !kube::isNotFound(patched.error())) {
                return std::unexpected(patched.error().toError());
            }
        }
        if (Status removed = m_history.remove(*revision); !removed) {
            return std::unexpected(removed.error());
        }
    }
    return keep;
}

Status DaemonSetController::cleanupHistory(const json::object& ds, const PodList& pods,
                                           std::vector<kube::ObjectPtr> old) {
    int64_t toKill = static_cast<int64_t>(old.size()) - revisionHistoryLimit(ds);
    if (toKill <= 0) {
        return {};
    }
    std::set<std::string, std::less<>> liveHashes;
    for (const auto& [node, nodePods] : nodeToDaemonPods(pods, true)) {
        for (const kube::ObjectPtr& pod : nodePods) {
            if (std::string hash = hashOf(*pod); !hash.empty()) {
                liveHashes.insert(std::move(hash));
            }
        }
    }
    std::stable_sort(old.begin(), old.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         return revisionNumber(*a) < revisionNumber(*b);
                     });
    for (const kube::ObjectPtr& revision : old) {
        if (toKill <= 0) {
            break;
        }
        if (liveHashes.contains(hashOf(*revision))) {
            continue;
        }
        if (Status removed = m_history.remove(*revision); !removed) {
            return removed;
        }
        --toKill;
    }
    return {};
}

} // namespace pilot::controllers
