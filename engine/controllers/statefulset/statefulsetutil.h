#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The StatefulSet controller's pure helpers (upstream pkg/controller/statefulset
/// stateful_set_utils.go): ordinals and names, pod identity and storage, pod states, the
/// PersistentVolumeClaim retention policy expressed as owner references, and revisions.
namespace pilot::controllers::statefulset {

inline constexpr std::string_view PodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr std::string_view PodIndexLabel = "apps.kubernetes.io/pod-index";
/// On pods: the name of the ControllerRevision they were created from.
inline constexpr std::string_view RevisionLabel = "controller-revision-hash";

[[nodiscard]] const OwnerKind& statefulSetKind();
[[nodiscard]] const OwnerKind& podKind();

// --- Reading a StatefulSet. ------------------------------------------------------------------

/// `spec.replicas` (1 when absent).
[[nodiscard]] int64_t replicas(const boost::json::object& set);
/// `spec.ordinals.start` (0 when absent).
[[nodiscard]] int64_t startOrdinal(const boost::json::object& set);
/// The last ordinal in range (inclusive): start + replicas - 1.
[[nodiscard]] int64_t endOrdinal(const boost::json::object& set);
[[nodiscard]] int64_t minReadySeconds(const boost::json::object& set);
/// `spec.revisionHistoryLimit` (10 when absent).
[[nodiscard]] int64_t revisionHistoryLimit(const boost::json::object& set);
/// podManagementPolicy Parallel.
[[nodiscard]] bool allowsBurst(const boost::json::object& set);
/// `spec.updateStrategy.type` (RollingUpdate when absent).
[[nodiscard]] std::string updateStrategyType(const boost::json::object& set);
/// `spec.updateStrategy.rollingUpdate.partition`, when rollingUpdate is present (0 if unset).
[[nodiscard]] std::optional<int64_t> partition(const boost::json::object& set);
[[nodiscard]] std::string serviceName(const boost::json::object& set);
[[nodiscard]] const boost::json::array* volumeClaimTemplates(const boost::json::object& set);

struct RetentionPolicy {
    bool deleteWhenDeleted = false;
    bool deleteWhenScaled = false;
};
/// `spec.persistentVolumeClaimRetentionPolicy` (Retain/Retain when absent).
[[nodiscard]] RetentionPolicy retentionPolicy(const boost::json::object& set);

// --- Names and ordinals. ---------------------------------------------------------------------

/// The parent name and ordinal in `<parent>-<ordinal>`; ordinal -1 when the name has none.
[[nodiscard]] std::pair<std::string, int64_t> parentNameAndOrdinal(std::string_view podName);
[[nodiscard]] int64_t ordinalOf(const boost::json::object& pod);
[[nodiscard]] bool isMemberOf(const boost::json::object& set, const boost::json::object& pod);
[[nodiscard]] bool podInOrdinalRange(const boost::json::object& pod,
                                     const boost::json::object& set);
[[nodiscard]] std::string podName(const boost::json::object& set, int64_t ordinal);
/// `<claim>-<set>-<ordinal>`.
[[nodiscard]] std::string claimName(const boost::json::object& set, std::string_view claim,
                                    int64_t ordinal);

// --- Identity, storage and new pods. ---------------------------------------------------------

[[nodiscard]] bool identityMatches(const boost::json::object& set, const boost::json::object& pod);
[[nodiscard]] bool storageMatches(const boost::json::object& set, const boost::json::object& pod);
/// The claims the pod with `ordinal` uses, in template order: the template with its name,
/// namespace and the selector's matchLabels added to its labels.
[[nodiscard]] std::vector<boost::json::object>
persistentVolumeClaims(const boost::json::object& set, int64_t ordinal);
/// Name, namespace, pod-name and pod-index labels for the pod's ordinal.
void updateIdentity(const boost::json::object& set, boost::json::object& pod);
/// Volumes pointing at the pod's claims first, then the pod's other volumes.
void updateStorage(const boost::json::object& set, boost::json::object& pod);
/// The pod `ordinal` of `set` as created: the template with identity (hostname, subdomain),
/// storage and a controller reference.
[[nodiscard]] boost::json::object newStatefulSetPod(const boost::json::object& set,
                                                    int64_t ordinal);
/// A new pod from the current revision's set (ordinals below the partition) or the update
/// revision's, labelled with that revision's name.
[[nodiscard]] boost::json::object newVersionedStatefulSetPod(const boost::json::object& currentSet,
                                                             const boost::json::object& updateSet,
                                                             const std::string& currentRevision,
                                                             const std::string& updateRevision,
                                                             int64_t ordinal);
[[nodiscard]] std::string podRevision(const boost::json::object& pod);

// --- Pod states. -----------------------------------------------------------------------------

[[nodiscard]] std::string phase(const boost::json::object& pod);
/// The API server has it (it has a phase).
[[nodiscard]] bool isCreated(const boost::json::object& pod);
[[nodiscard]] bool isTerminating(const boost::json::object& pod);
[[nodiscard]] bool isRunningAndReady(const boost::json::object& pod);
[[nodiscard]] bool isRunningAndAvailable(const boost::json::object& pod, int64_t minReadySeconds,
                                         TimePoint now);
/// Not available, or terminating.
[[nodiscard]] bool isUnavailable(const boost::json::object& pod, int64_t minReadySeconds,
                                 TimePoint now);

// --- Claim ownership for the retention policy. -----------------------------------------------

/// The claim refers to an object like `owner` (kind and name) with another uid.
[[nodiscard]] bool hasStaleOwnerRef(const boost::json::object& claim,
                                    const boost::json::object& owner, const OwnerKind& kind);
/// Whether the claim's owner references already express the retention policy for `pod`.
[[nodiscard]] bool isClaimOwnerUpToDate(const boost::json::object& claim,
                                        const boost::json::object& set,
                                        const boost::json::object& pod);
/// Rewrites the claim's owner references to express the retention policy for `pod`.
void updateClaimOwnerRefs(boost::json::object& claim, const boost::json::object& set,
                          const boost::json::object& pod);

// --- Revisions. ------------------------------------------------------------------------------

/// The revision `number` of the set's current template (not created yet): data is the
/// template patch, labels the template's, annotations the set's.
[[nodiscard]] boost::json::object newRevision(const boost::json::object& set, int64_t number,
                                              int64_t collisionCount);
/// The set with the revision's template.
[[nodiscard]] Result<boost::json::object> applyRevision(const boost::json::object& set,
                                                        const boost::json::object& revision);

[[nodiscard]] inline kube::ObjectPtr share(boost::json::object object) {
    return std::make_shared<const boost::json::object>(std::move(object));
}

} // namespace pilot::controllers::statefulset
