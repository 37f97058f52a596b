// DaemonSetController: which nodes need a daemon pod, which pods must go, and the creates and
// deletes that follow.

#include "engine/controllers/daemonset/daemonsetcontroller.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/daemonset/daemonsetutil.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;
using namespace daemonset;

namespace {

constexpr int64_t SlowStartInitialBatchSize = 1;

std::string phaseOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

/// Whether a create failed because the namespace is going away (nothing to retry or report).
bool namespaceTerminating(const kube::ApiError& error) {
    if (const json::object* details = kube::objectAt(error.status, "details")) {
        if (const json::array* causes = kube::arrayAt(*details, "causes")) {
            for (const json::value& c : *causes) {
                if (c.is_object() &&
                    kube::stringAt(c.get_object(), "reason") == "NamespaceTerminating") {
                    return true;
                }
            }
        }
    }
    return error.code == 403 &&
           error.message.find("because it is being terminated") != std::string::npos;
}

/// The pod for `nodeName` (controller.GetPodFromTemplate with the daemon's node affinity).
json::object podFor(const json::object& ds, const json::object& tmpl, const std::string& nodeName) {
    const json::object* tmplMeta = kube::objectAt(tmpl, "metadata");
    json::object meta{{"generateName", fmt::format("{}-", kube::name(ds))}};
    for (std::string_view field : {"labels", "annotations", "finalizers"}) {
        if (tmplMeta != nullptr) {
            if (const json::value* v = tmplMeta->if_contains(field); v && !v->is_null()) {
                meta[field] = *v;
            }
        }
    }
    meta["ownerReferences"] = json::array{newControllerRef(ds, daemonSetKind())};
    const json::object* tmplSpec = kube::objectAt(tmpl, "spec");
    json::object spec = tmplSpec ? *tmplSpec : json::object();
    replaceNodeNameAffinity(spec, nodeName);
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", std::move(meta)},
                        {"spec", std::move(spec)}};
}

} // namespace

Status DaemonSetController::manage(const json::object& ds,
                                   const std::vector<kube::ObjectPtr>& nodes, const PodList& pods,
                                   const std::string& hash) {
    NodePods nodePods = nodeToDaemonPods(pods, false);
    std::vector<std::string> nodesNeedingPods;
    std::vector<std::string> podsToDelete;
    std::set<std::string, std::less<>> nodeNames;
    for (const kube::ObjectPtr& node : nodes) {
        nodeNames.emplace(kube::name(*node));
        podsShouldBeOnNode(*node, nodePods, ds, hash, nodesNeedingPods, podsToDelete);
    }
    // Pods meant for nodes that no longer exist are never scheduled, and nothing else would
    // remove them.
    for (const auto& [node, onNode] : nodePods) {
        if (nodeNames.contains(node)) {
            continue;
        }
        for (const kube::ObjectPtr& pod : onNode) {
            if (kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName").empty() &&
                !kube::hasDeletionTimestamp(*pod)) {
                podsToDelete.emplace_back(kube::name(*pod));
            }
        }
    }
    return syncNodes(ds, podsToDelete, nodesNeedingPods, hash);
}

void DaemonSetController::podsShouldBeOnNode(const json::object& node, const NodePods& nodePods,
                                             const json::object& ds, const std::string& hash,
                                             std::vector<std::string>& nodesNeedingPods,
                                             std::vector<std::string>& podsToDelete) {
    const std::string nodeName(kube::name(node));
    const NodeFit fit = nodeShouldRunDaemonPod(node, ds);
    auto found = nodePods.find(nodeName);
    const bool exists = found != nodePods.end();

    if (fit.shouldRun && !exists) {
        nodesNeedingPods.push_back(nodeName);
        return;
    }
    if (!fit.shouldContinueRunning) {
        if (exists) {
            for (const kube::ObjectPtr& pod : found->second) {
                if (!kube::hasDeletionTimestamp(*pod)) {
                    podsToDelete.emplace_back(kube::name(*pod));
                }
            }
        }
        return;
    }
    if (!exists) {
        return;
    }
    // Failed pods go (with back-off per node), succeeded ones too; the rest are running.
    PodList running;
    const std::string dsKey = kube::objectKey(ds);
    for (const kube::ObjectPtr& pod : found->second) {
        if (kube::hasDeletionTimestamp(*pod)) {
            continue;
        }
        const std::string phase = phaseOf(*pod);
        if (phase == "Failed") {
            const std::string backoffKey = fmt::format("{}/{}/{}", dsKey, kube::uid(ds), nodeName);
            const TimePoint now = m_clock.now();
            if (m_failedPodsBackoff.inBackoffSinceUpdate(backoffKey, now)) {
                enqueueAfter(dsKey, m_failedPodsBackoff.delay(backoffKey));
                continue;
            }
            m_failedPodsBackoff.next(backoffKey, now);
            m_events.warning(ds, "FailedDaemonPod",
                             fmt::format("Found failed daemon pod {}/{} on node {}, will try to "
                                         "kill it",
                                         kube::namespaceOf(*pod), kube::name(*pod), nodeName));
            podsToDelete.emplace_back(kube::name(*pod));
        } else if (phase == "Succeeded") {
            podsToDelete.emplace_back(kube::name(*pod));
        } else {
            running.push_back(pod);
        }
    }

    if (!allowsSurge(ds)) {
        // Without surge, one pod per node: the oldest stays.
        if (running.size() <= 1) {
            return;
        }
        sortByCreationAndPhase(running);
        for (size_t i = 1; i < running.size(); ++i) {
            podsToDelete.emplace_back(kube::name(*running[i]));
        }
        return;
    }
    if (running.size() <= 1) {
        if (running.empty() && fit.shouldRun) {
            nodesNeedingPods.push_back(nodeName); // Surging: at least one live pod per node.
        }
        return;
    }
    // With surge, an old and a new pod may share a node while the new one becomes available;
    // everything else goes.
    kube::ObjectPtr oldestNew;
    kube::ObjectPtr oldestOld;
    sortByCreationAndPhase(running);
    for (const kube::ObjectPtr& pod : running) {
        auto podHash = kube::label(*pod, HashLabel);
        if (podHash && *podHash == hash) {
            if (!oldestNew) {
                oldestNew = pod;
                continue;
            }
        } else if (!oldestOld) {
            oldestOld = pod;
            continue;
        }
        podsToDelete.emplace_back(kube::name(*pod));
    }
    if (oldestNew && oldestOld &&
        (!isPodReady(*oldestOld) ||
         isPodAvailable(*oldestNew, minReadySeconds(ds), m_clock.now()))) {
        podsToDelete.emplace_back(kube::name(*oldestOld));
    }
}

Status DaemonSetController::syncNodes(const json::object& ds,
                                      const std::vector<std::string>& podsToDelete,
                                      const std::vector<std::string>& nodesNeedingPods,
                                      const std::string& hash) {
    const std::string key = kube::objectKey(ds);
    const auto createCount =
        std::min(static_cast<int64_t>(nodesNeedingPods.size()), m_options.burstReplicas);
    const auto deleteCount =
        std::min(static_cast<int64_t>(podsToDelete.size()), m_options.burstReplicas);

    // Expect before acting: the informer may deliver the results before the calls return.
    std::vector<std::string> deleteKeys;
    for (int64_t i = 0; i < deleteCount; ++i) {
        deleteKeys.push_back(
            kube::objectKey(kube::namespaceOf(ds), podsToDelete[static_cast<size_t>(i)]));
    }
    m_creations.expectCreations(key, createCount);
    m_deletions.expectDeletions(key, deleteKeys);

    std::optional<Error> firstError;
    // Old pods go first: a surge replacement is never started beside more old pods than
    // maxSurge allows, even for the moment between the calls.
    for (const std::string& podKey : deleteKeys) {
        auto [ns, name] = kube::splitObjectKey(podKey);
        auto removed = m_client.remove(kube::resources::Pods, ns, name);
        if (removed) {
            m_events.normal(ds, "SuccessfulDelete", fmt::format("Deleted pod: {}", name));
            continue;
        }
        m_deletions.deletionObserved(key, podKey); // No DELETED event will come for it.
        if (kube::isNotFound(removed.error())) {
            continue;
        }
        m_events.warning(ds, "FailedDelete",
                         fmt::format("Error deleting: {}", removed.error().message));
        if (!firstError) {
            firstError = Error{removed.error().kind,
                               fmt::format("unable to delete pods: {}", removed.error().message)};
        }
    }

    const json::object tmpl = createPodTemplate(ds, templateGeneration(ds), hash);
    // Slow start: batches of 1, 2, 4, ... so a create that keeps failing (a quota) is tried
    // only a few times.
    int64_t done = 0;
    for (int64_t batch = std::min(createCount, SlowStartInitialBatchSize); batch > 0;
         batch = std::min(2 * batch, createCount - done)) {
        bool failed = false;
        for (int64_t i = done; i < done + batch; ++i) {
            json::object pod = podFor(ds, tmpl, nodesNeedingPods[static_cast<size_t>(i)]);
            auto created = m_client.create(kube::resources::Pods, kube::namespaceOf(ds), pod);
            if (created) {
                m_events.normal(ds, "SuccessfulCreate",
                                fmt::format("Created pod: {}", kube::name(*created)));
                continue;
            }
            if (namespaceTerminating(created.error())) {
                continue; // Every create will fail; the ADDED event never comes either way.
            }
            m_creations.creationObserved(key);
            m_events.warning(ds, "FailedCreate",
                             fmt::format("Error creating: {}", created.error().message));
            failed = true;
            if (!firstError) {
                firstError = created.error().toError();
            }
        }
        done += batch;
        if (failed) {
            // Creations never tried will not be observed either.
            for (int64_t skipped = createCount - done; skipped > 0; --skipped) {
                m_creations.creationObserved(key);
            }
            break;
        }
    }

    if (firstError) {
        return std::unexpected(*firstError);
    }
    return {};
}

} // namespace pilot::controllers
