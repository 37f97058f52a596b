#pragma once

#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers {

/// The writes that bring a Service's EndpointSlices to the desired state.
struct SlicePlan {
    std::vector<boost::json::object> create; ///< new slices (generateName set, no name)
    std::vector<boost::json::object> update; ///< changed copies of existing slices
    std::vector<boost::json::object> remove; ///< existing slices to delete
    std::vector<std::string> errors;         ///< pods left out (their Node is unknown)
};

struct SliceReconcileInput {
    const boost::json::object& service;
    const std::vector<kube::ObjectPtr>& pods; ///< the pods the Service selects
    /// The Service's slices managed by this controller (not being deleted).
    const std::vector<kube::ObjectPtr>& existing;
    /// The Node of a name, or null.
    std::function<kube::ObjectPtr(std::string_view)> node;
    std::size_t maxEndpointsPerSlice = 100;
};

/// Plans EndpointSlice writes as upstream's reconciler (k8s.io/endpointslice Reconciler):
/// per address type of the Service, pods are grouped by the ports they offer; per group,
/// endpoints already in a slice stay there (updated in place when their conditions, node or zone
/// changed), endpoints no longer wanted are dropped, slices left empty are deleted, new
/// endpoints first fill the slices being updated anyway (fullest first), then the unchanged
/// slice closest to full that can take them all, then new slices of at most
/// maxEndpointsPerSlice. Slices with changed Service labels are updated; slices of another
/// owner or an address type the Service lost are deleted; a Service without endpoints keeps one
/// empty placeholder slice. Creates are finally turned into updates of slices that would be
/// deleted. Endpoint order within a slice is deterministic (upstream's is random).
[[nodiscard]] SlicePlan planEndpointSlices(const SliceReconcileInput& input);

/// A new, empty EndpointSlice for the Service (generateName `<service>-`, labels, controller
/// owner reference).
[[nodiscard]] boost::json::object newServiceSlice(const boost::json::object& service,
                                                  const boost::json::array& ports,
                                                  std::string_view addressType);

} // namespace pilot::controllers
