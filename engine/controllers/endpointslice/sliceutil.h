#pragma once

#include "kube/client/indexedcache.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

/// EndpointSlice helpers shared by the EndpointSlice and EndpointSlice mirroring controllers
/// (upstream's k8s.io/endpointslice utils). Pure functions over JSON objects.
namespace pilot::controllers {

inline constexpr std::string_view ServiceNameLabel = "kubernetes.io/service-name";
inline constexpr std::string_view ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr std::string_view EndpointSliceControllerName = "endpointslice-controller.k8s.io";
inline constexpr std::string_view MirroringControllerName =
    "endpointslicemirroring-controller.k8s.io";

/// The identity of an endpoint within a slice group: its sorted addresses, hostname and target
/// name, so changes of conditions, node or zone update it in place.
[[nodiscard]] std::string endpointKey(const boost::json::object& endpoint);
/// A stable key of a set of endpoint ports (order-insensitive).
[[nodiscard]] std::string portMapKey(const boost::json::array* ports);
/// The ports sorted in portMapKey's order.
[[nodiscard]] boost::json::array sortedPorts(const boost::json::array* ports);
/// Equal in what endpointKey leaves out: node, zone, conditions and target (ignoring its
/// resourceVersion).
[[nodiscard]] bool endpointsEqualBeyondKey(const boost::json::object& a,
                                           const boost::json::object& b);

/// `<name>-` (or the name itself when that would be too long): a slice's generateName.
[[nodiscard]] std::string slicePrefix(std::string_view ownerName);
/// Whether an owner reference of the slice names this object (kind and apiVersion too).
[[nodiscard]] bool sliceOwnedBy(const boost::json::object& slice, const boost::json::object& owner,
                                std::string_view apiVersion, std::string_view kind);
/// `ns/<kubernetes.io/service-name label>`, or "" when the label is missing.
[[nodiscard]] std::string serviceKeyOfSlice(const boost::json::object& slice);
[[nodiscard]] std::string managedBy(const boost::json::object& slice);
[[nodiscard]] std::size_t endpointCount(const boost::json::object& slice);
/// Sets (or, when `time` is empty, removes) the last-change-trigger-time annotation.
void setTriggerTime(boost::json::object& slice, const std::string& time);

/// The index of slices by `ns/<service-name label>`.
[[nodiscard]] kube::IndexFunc sliceServiceIndex();
inline constexpr std::string_view SliceServiceIndex = "endpointslice-service";

} // namespace pilot::controllers
