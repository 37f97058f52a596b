#pragma once

#include "core/clock.h"
#include "engine/quota/resourcelist.h"

#include <boost/json/object.hpp>

#include <compare>
#include <string>
#include <vector>

/// What ResourceQuota counts, as upstream's quota evaluators (pkg/quota/v1/evaluator/core and
/// the generic object counter): which quota resource names a kind is tracked under, the usage
/// one object is charged, quota scopes and the pod constraints. Pure functions over JSON.
namespace pilot::quota {

struct GroupResource {
    std::string group; ///< Empty for the core group.
    std::string resource;
    friend auto operator<=>(const GroupResource&, const GroupResource&) = default;
};

/// `count/<resource>` for the core group, `count/<resource>.<group>` otherwise.
[[nodiscard]] std::string objectCountName(const GroupResource& gr);

/// One scope a quota is limited to: a `spec.scopes` entry (operator Exists) or a
/// `spec.scopeSelector.matchExpressions` item.
struct ScopeSelector {
    std::string scopeName; ///< Terminating, NotTerminating, BestEffort, NotBestEffort, ...
    std::string op;        ///< In, NotIn, Exists, DoesNotExist.
    std::vector<std::string> values;
};
[[nodiscard]] std::vector<ScopeSelector> scopeSelectorsOf(const boost::json::object& quota);

/// The names among `names` that the usage of `gr` is tracked under (MatchingResources).
[[nodiscard]] ResourceNames matchingResources(const GroupResource& gr, const ResourceNames& names);
/// Whether quota admission charges this write: every create; updates only of services and
/// claims, whose usage can change.
[[nodiscard]] bool chargesWrite(const GroupResource& gr, bool update);
/// The usage `object` is charged. A pod that is Succeeded or Failed, or still terminating past
/// its grace period at `now`, is charged only `count/pods`.
[[nodiscard]] ResourceList usageOf(const GroupResource& gr, const boost::json::object& object,
                                   TimePoint now);
/// Whether a quota with these hard names and scopes covers `object`: it tracks something of
/// the kind and every scope selects the object (scopes only select pods).
[[nodiscard]] bool matches(const GroupResource& gr, const ResourceNames& hardNames,
                           const std::vector<ScopeSelector>& scopes,
                           const boost::json::object& object);
/// For pods: every container must request what a quota on cpu or memory limits. Returns
/// upstream's "must specify limits.cpu for: a; requests.memory for: a,b", or "" when satisfied.
[[nodiscard]] std::string checkConstraints(const GroupResource& gr, const ResourceNames& required,
                                           const boost::json::object& object);
/// The kinds whose objects decide the usage of these quota resource names.
[[nodiscard]] std::vector<GroupResource> trackedResources(const ResourceNames& hardNames);

} // namespace pilot::quota
