#pragma once

#include "core/clock.h"
#include "nodeagent/node/eviction.h"
#include "nodeagent/node/systeminfo.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

/// The Node object as kubelet writes it, built from SystemInfo: labels, capacity and
/// allocatable (capacity less the hard eviction thresholds of memory and nodefs), addresses,
/// nodeInfo, the daemon endpoint, images and the four conditions with kubelet's reasons and
/// messages. Pure functions, so the shapes are unit-tested.
namespace pilot::agent {

struct NodeIdentity {
    std::string name;
    std::string nodeIp;
    int32_t port = 10250;
    std::string runtimeVersion; ///< Runtime::version(), e.g. `process://0.1.0`.
    std::string kubeletVersion = "v1.32.0";
};

/// `kubernetes.io/hostname|os|arch` and their `beta.` twins.
[[nodiscard]] boost::json::object nodeLabels(const NodeIdentity& identity, const SystemInfo& info);
[[nodiscard]] boost::json::object nodeCapacity(const SystemInfo& info);
[[nodiscard]] boost::json::object nodeAllocatable(const SystemInfo& info,
                                                  const EvictionThresholds& eviction);
[[nodiscard]] boost::json::object nodeInfoFields(const NodeIdentity& identity,
                                                 const SystemInfo& info);

/// MemoryPressure, DiskPressure, PIDPressure (True while one of `eviction`'s thresholds of that
/// kind is crossed), Ready. `previous` (the node's current conditions)
/// keeps lastTransitionTime while a status stays the same; `notReadyMessage` non-empty makes
/// Ready False with reason KubeletNotReady.
[[nodiscard]] boost::json::array nodeConditions(const SystemInfo& info,
                                                const EvictionThresholds& eviction,
                                                const boost::json::array* previous, TimePoint now,
                                                const std::string& notReadyMessage);

/// The whole status kubelet reports, as the strategic merge patch body: without images,
/// `images` is null so the patch clears the list the server still has.
[[nodiscard]] boost::json::object nodeStatus(const NodeIdentity& identity, const SystemInfo& info,
                                             const EvictionThresholds& eviction,
                                             const boost::json::array* previousConditions,
                                             TimePoint now, const std::string& notReadyMessage,
                                             const std::vector<ImageInfo>& images);

/// Whether writing `after` (the status the agent reports) over `before` (the status the server
/// has) changes anything but condition heartbeat times, as kubelet's nodeStatusHasChanged: each
/// field of `after` is compared with the same field of `before`, conditions by type. Fields and
/// conditions only `before` has (another writer's) are left out, as a strategic merge keeps them.
/// A null field of `after` (deleted by the patch) is a change only while `before` has a value.
[[nodiscard]] bool nodeStatusChanged(const boost::json::object& before,
                                     const boost::json::object& after);

} // namespace pilot::agent
