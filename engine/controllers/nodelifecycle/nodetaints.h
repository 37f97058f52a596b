#pragma once

#include "core/clock.h"
#include "kube/client/apiclient.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

/// Node taints and conditions as the node lifecycle and taint eviction controllers use them.
namespace pilot::controllers {

inline constexpr std::string_view TaintNotReady = "node.kubernetes.io/not-ready";
inline constexpr std::string_view TaintUnreachable = "node.kubernetes.io/unreachable";
inline constexpr std::string_view TaintUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr std::string_view NodeLeaseNamespace = "kube-node-lease";

/// A taint by key and effect (a controller's taints carry no value).
struct TaintSpec {
    std::string key;
    std::string effect;

    friend bool operator==(const TaintSpec&, const TaintSpec&) = default;
};

/// `node.kubernetes.io/unreachable:NoExecute` and `node.kubernetes.io/not-ready:NoExecute`.
[[nodiscard]] const TaintSpec& unreachableNoExecute();
[[nodiscard]] const TaintSpec& notReadyNoExecute();

[[nodiscard]] bool hasTaint(const boost::json::object& node, const TaintSpec& taint);
/// `spec.taints` entries with effect NoExecute.
[[nodiscard]] std::vector<boost::json::object> noExecuteTaints(const boost::json::object& node);

/// A condition of `status.conditions` by type, or nullptr.
[[nodiscard]] const boost::json::object* conditionOf(const boost::json::object& object,
                                                     std::string_view type);
/// The `Ready` condition's status ("True", "False", "Unknown"), or "" when there is none.
[[nodiscard]] std::string readyStatus(const boost::json::object& node);
/// The node's zone as upstream's nodetopology.GetZoneKey: region and zone labels (the beta
/// `failure-domain` ones first), "" when neither is set.
[[nodiscard]] std::string zoneKey(const boost::json::object& node);

/// Adds the taints (with `timeAdded` = now) that the node lacks and removes the others given,
/// as upstream's SwapNodeControllerTaint: one merge patch of `spec.taints` guarded by the
/// node's resourceVersion, re-read and retried on conflict (up to 5 times). Returns the node
/// as written (or unchanged when nothing was to do).
[[nodiscard]] Result<boost::json::object> swapNodeTaints(kube::ApiClient& client,
                                                         const boost::json::object& node,
                                                         const std::vector<TaintSpec>& add,
                                                         const std::vector<TaintSpec>& remove,
                                                         TimePoint now);

} // namespace pilot::controllers
