#pragma once

#include "kube/client/apiresource.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

/// Names and checks the volume controllers share (upstream's component-helpers/storage/volume
/// and the PV controller's index): annotations, finalizers, class lookups and matching a claim
/// to a volume.
namespace pilot::controllers::storage {

inline const kube::ApiResource StorageClasses{"storage.k8s.io", "v1", "storageclasses", false};

inline constexpr std::string_view AnnBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr std::string_view AnnBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr std::string_view AnnDynamicallyProvisioned = "pv.kubernetes.io/provisioned-by";
inline constexpr std::string_view AnnStorageProvisioner =
    "volume.kubernetes.io/storage-provisioner";
inline constexpr std::string_view AnnBetaStorageProvisioner =
    "volume.beta.kubernetes.io/storage-provisioner";
inline constexpr std::string_view AnnSelectedNode = "volume.kubernetes.io/selected-node";
inline constexpr std::string_view AnnBetaStorageClass = "volume.beta.kubernetes.io/storage-class";
inline constexpr std::string_view AnnDefaultClass = "storageclass.kubernetes.io/is-default-class";
inline constexpr std::string_view AnnBetaDefaultClass =
    "storageclass.beta.kubernetes.io/is-default-class";
inline constexpr std::string_view PvcProtectionFinalizer = "kubernetes.io/pvc-protection";
inline constexpr std::string_view PvProtectionFinalizer = "kubernetes.io/pv-protection";

/// The claim's class: the beta annotation, else `spec.storageClassName` ("" for none).
[[nodiscard]] std::string claimClass(const boost::json::object& claim);
/// Whether the claim names a class at all (`storageClassName: ""` does; an absent one not).
[[nodiscard]] bool claimHasClass(const boost::json::object& claim);
[[nodiscard]] std::string volumeClass(const boost::json::object& volume);
[[nodiscard]] bool isDefaultClass(const boost::json::object& storageClass);
/// The default StorageClass among `classes`: the newest, then the first by name; null if none.
[[nodiscard]] kube::ObjectPtr defaultClass(const std::vector<kube::ObjectPtr>& classes);

/// `spec.claimRef` names the claim (and its uid, when the reference has one).
[[nodiscard]] bool isVolumeBoundToClaim(const boost::json::object& volume,
                                        const boost::json::object& claim);
/// `volumeMode` differs (both default to Filesystem).
[[nodiscard]] bool volumeModeMismatch(const boost::json::object& claim,
                                      const boost::json::object& volume);
/// The volume offers every access mode the claim asks for.
[[nodiscard]] bool accessModesSatisfied(const boost::json::object& claim,
                                        const boost::json::object& volume);
/// Why a volume the claim asks for by name cannot be bound to it ("requested PV is too small",
/// ...), or "" when it can (checkVolumeSatisfyClaim).
[[nodiscard]] std::string whyVolumeDoesNotSatisfy(const boost::json::object& volume,
                                                  const boost::json::object& claim);
/// The volume the PV controller binds a claim to (findBestMatchForClaim): one pre-bound to it,
/// else the smallest Available one with enough capacity, the claim's class, volume mode,
/// selector and access modes, preferring volumes with the fewest extra access modes. With
/// `delayBinding` only a pre-bound volume is returned (the scheduler picks the others).
[[nodiscard]] kube::ObjectPtr findBestMatch(const boost::json::object& claim,
                                            const std::vector<kube::ObjectPtr>& volumes,
                                            bool delayBinding);
/// `{kind, namespace, name, uid, apiVersion, resourceVersion}` of the claim (GetReference).
[[nodiscard]] boost::json::object claimReference(const boost::json::object& claim);
/// A copy of `object` with `finalizer` added to (`present`) or removed from its finalizers.
[[nodiscard]] boost::json::object withFinalizer(const boost::json::object& object,
                                                std::string_view finalizer, bool present);

/// The claim's `spec.resources.requests.storage` as given; null when unset.
[[nodiscard]] boost::json::value requestedStorage(const boost::json::object& claim);

} // namespace pilot::controllers::storage
