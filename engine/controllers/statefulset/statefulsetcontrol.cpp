// StatefulSetControl: one pass over a StatefulSet's pods, and its status.

#include "engine/controllers/statefulset/statefulsetcontrol.h"

#include "engine/controllers/statefulset/statefulsetutil.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>
#include <functional>

namespace pilot::controllers::statefulset {
namespace json = boost::json;

namespace {

constexpr int MaxStatusAttempts = 5;

using Step = std::function<Result<bool>(const kube::ObjectPtr&)>;

/// Runs `step` over `pods`: an ordered set stops at the first pod that says so (or fails); a
/// parallel one goes through every pod and stops only at an error. Returns whether the pass
/// must end here, or the error.
Result<bool> runForAll(const std::vector<kube::ObjectPtr>& pods, const Step& step, bool monotonic) {
    for (const kube::ObjectPtr& pod : pods) {
        auto exit = step(pod);
        if (!exit) {
            return std::unexpected(exit.error());
        }
        if (monotonic && *exit) {
            return true;
        }
    }
    return false;
}

} // namespace

Result<StatefulSetStatus>
StatefulSetControl::updateStatefulSet(const json::object& set,
                                      const std::vector<kube::ObjectPtr>& pods,
                                      std::vector<kube::ObjectPtr> revisions) {
    auto found = getStatefulSetRevisions(set, revisions);
    if (!found) {
        (void)truncateHistory(set, pods, revisions, nullptr); // The revision error matters more.
        return std::unexpected(found.error());
    }
    auto pass = updatePods(set, *found, pods);
    if (!pass) {
        (void)truncateHistory(set, pods, revisions, &*found);
        return std::unexpected(pass.error());
    }
    Status written = writeStatus(set, pass->status);
    Status truncated = truncateHistory(set, pods, revisions, &*found);
    if (pass->error) {
        return std::unexpected(*pass->error);
    }
    if (!written) {
        return std::unexpected(written.error());
    }
    if (!truncated) {
        return std::unexpected(truncated.error());
    }
    return pass->status;
}

Result<StatefulSetControl::Pass>
StatefulSetControl::updatePods(const json::object& set, const Revisions& revisions,
                               const std::vector<kube::ObjectPtr>& pods) {
    auto currentSet = applyRevision(set, *revisions.current);
    if (!currentSet) {
        return std::unexpected(currentSet.error());
    }
    auto updateSet = applyRevision(set, *revisions.update);
    if (!updateSet) {
        return std::unexpected(updateSet.error());
    }
    const TimePoint now = m_clock.now();
    const int64_t minReady = minReadySeconds(set);
    const std::string currentName(kube::name(*revisions.current));
    const std::string updateName(kube::name(*revisions.update));

    Pass pass;
    StatefulSetStatus& status = pass.status;
    status = StatefulSetStatus::of(set);
    status.observedGeneration = kube::generation(set);
    status.currentRevision = currentName;
    status.updateRevision = updateName;
    status.collisionCount = revisions.collisionCount;
    auto recount = [&](const std::vector<std::vector<kube::ObjectPtr>>& lists) {
        status.replicas = status.readyReplicas = status.availableReplicas = 0;
        status.currentReplicas = status.updatedReplicas = 0;
        for (const auto& list : lists) {
            countReplicas(status, list, minReady, currentName, updateName, now);
        }
    };
    recount({pods});

    // Pods in the ordinal range by index; the rest (with an ordinal) are condemned.
    const int64_t start = startOrdinal(set);
    const int64_t count = std::max<int64_t>(replicas(set), 0);
    std::vector<kube::ObjectPtr> replicaPods(static_cast<size_t>(count));
    std::vector<kube::ObjectPtr> condemned;
    for (const kube::ObjectPtr& pod : pods) {
        if (podInOrdinalRange(*pod, set)) {
            replicaPods[static_cast<size_t>(ordinalOf(*pod) - start)] = pod;
        } else if (ordinalOf(*pod) >= 0) {
            condemned.push_back(pod);
        }
    }
    for (int64_t i = 0; i < count; ++i) {
        if (!replicaPods[static_cast<size_t>(i)]) {
            replicaPods[static_cast<size_t>(i)] = share(newVersionedStatefulSetPod(
                *currentSet, *updateSet, currentName, updateName, start + i));
        }
    }
    std::stable_sort(condemned.begin(), condemned.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         return ordinalOf(*a) > ordinalOf(*b);
                     });

    // The first unhealthy pod: lowest ordinal in range, else lowest condemned.
    kube::ObjectPtr firstUnhealthy;
    for (const kube::ObjectPtr& pod : replicaPods) {
        if (isUnavailable(*pod, minReady, now)) {
            firstUnhealthy = pod;
            break;
        }
    }
    for (auto it = condemned.rbegin(); !firstUnhealthy && it != condemned.rend(); ++it) {
        if (isUnavailable(**it, minReady, now)) {
            firstUnhealthy = *it;
        }
    }

    if (kube::hasDeletionTimestamp(set)) {
        return pass; // A set being deleted only gets its status.
    }
    const bool monotonic = !allowsBurst(set);
    auto finish = [&](const Result<bool>& ran) -> std::optional<Pass> {
        if (ran && !*ran) {
            return std::nullopt;
        }
        recount({replicaPods, condemned});
        if (!ran) {
            pass.error = ran.error();
        }
        return pass;
    };

    // Create, replace and repair the replicas.
    auto processed = runForAll(
        replicaPods,
        [&](const kube::ObjectPtr& pod) {
            return processReplica(set, *updateSet, monotonic, pod, now);
        },
        monotonic);
    if (auto done = finish(processed)) {
        return *done;
    }
    // Claims of condemned pods get the owners the scale-down policy wants before they go.
    auto fixed = runForAll(
        condemned,
        [&](const kube::ObjectPtr& pod) -> Result<bool> {
            auto match = m_pods.claimsMatchRetentionPolicy(*updateSet, *pod);
            if (!match) {
                return std::unexpected(match.error());
            }
            if (!*match) {
                if (Status st = m_pods.updatePodClaimForRetentionPolicy(*updateSet, *pod); !st) {
                    return std::unexpected(st.error());
                }
            }
            return false;
        },
        monotonic);
    if (auto done = finish(fixed)) {
        return *done;
    }
    // Scale down, highest ordinal first.
    auto removed = runForAll(
        condemned,
        [&](const kube::ObjectPtr& pod) {
            return processCondemned(set, firstUnhealthy, monotonic, pod, now);
        },
        monotonic);
    if (auto done = finish(removed)) {
        return *done;
    }
    recount({replicaPods, condemned});

    if (updateStrategyType(set) == "OnDelete") {
        return pass; // Pods change revision only when someone deletes them.
    }
    // Roll the pod with the highest ordinal not at the update revision, down to the partition.
    const int64_t updateMin = partition(set).value_or(0);
    for (int64_t target = count - 1; target >= updateMin; --target) {
        const kube::ObjectPtr& pod = replicaPods[static_cast<size_t>(target)];
        if (podRevision(*pod) != updateName && !isTerminating(*pod)) {
            if (Status deleted = m_pods.deleteStatefulPod(set, *pod); !deleted) {
                pass.error = deleted.error();
                return pass;
            }
            --status.currentReplicas;
            return pass;
        }
        if (isUnavailable(*pod, minReady, now)) {
            return pass; // Wait for the updated pod.
        }
    }
    return pass;
}

Result<bool> StatefulSetControl::processReplica(const json::object& set,
                                                const json::object& updateSet, bool monotonic,
                                                const kube::ObjectPtr& replica, TimePoint now) {
    const json::object& pod = *replica;
    const std::string podPhase = phase(pod);
    // Failed or Succeeded pods are replaced (the next pass creates the new one).
    if (podPhase == "Failed" || podPhase == "Succeeded") {
        if (!kube::hasDeletionTimestamp(pod)) {
            if (Status deleted = m_pods.deleteStatefulPod(set, pod); !deleted) {
                return std::unexpected(deleted.error());
            }
        }
        return true;
    }
    if (!isCreated(pod)) {
        if (m_pods.podClaimIsStale(set, pod)) {
            return true; // A claim of an earlier pod still waits for the garbage collector.
        }
        if (Status created = m_pods.createStatefulPod(set, pod); !created) {
            return std::unexpected(created.error());
        }
        if (monotonic) {
            return true;
        }
    }
    if (podPhase == "Pending") {
        if (Status claims = m_pods.createMissingPersistentVolumeClaims(set, pod); !claims) {
            return std::unexpected(claims.error());
        }
    }
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) ||
                      !isRunningAndAvailable(pod, minReadySeconds(set), now))) {
        return true; // Ordered: wait for this pod before touching the next.
    }
    auto retention = m_pods.claimsMatchRetentionPolicy(updateSet, pod);
    const bool retentionMatch = !retention || *retention;
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) {
        return false;
    }
    if (Status updated = m_pods.updateStatefulPod(updateSet, pod); !updated) {
        return std::unexpected(updated.error());
    }
    return false;
}

Result<bool> StatefulSetControl::processCondemned(const json::object& set,
                                                  const kube::ObjectPtr& firstUnhealthy,
                                                  bool monotonic, const kube::ObjectPtr& condemned,
                                                  TimePoint now) {
    const json::object& pod = *condemned;
    if (isTerminating(pod)) {
        return monotonic; // Ordered: wait for it to go.
    }
    if (monotonic && condemned != firstUnhealthy &&
        (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReadySeconds(set), now))) {
        return true; // Ordered: only the first unhealthy pod may go while others are unhealthy.
    }
    if (Status deleted = m_pods.deleteStatefulPod(set, pod); !deleted) {
        return std::unexpected(deleted.error());
    }
    return true;
}

Status StatefulSetControl::writeStatus(const json::object& set, StatefulSetStatus& status) {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) {
        return {};
    }
    json::object candidate = set;
    for (int attempt = 0;; ++attempt) {
        json::object written = status.toJson();
        // Keep status members this controller does not own (conditions set by others).
        if (const json::object* old = kube::objectAt(candidate, "status")) {
            if (const json::value* conditions = old->if_contains("conditions")) {
                written["conditions"] = *conditions;
            }
        }
        candidate["status"] = std::move(written);
        auto updated = m_client.updateStatus(kube::resources::StatefulSets, candidate);
        if (updated) {
            return {};
        }
        if (!kube::isConflict(updated.error()) || attempt + 1 >= MaxStatusAttempts) {
            return std::unexpected(updated.error().toError());
        }
        auto fresh =
            m_client.get(kube::resources::StatefulSets, kube::namespaceOf(set), kube::name(set));
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        candidate = std::move(*fresh);
    }
}

} // namespace pilot::controllers::statefulset
