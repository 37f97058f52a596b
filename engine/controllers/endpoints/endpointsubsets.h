#pragma once

#include "kube/client/indexedcache.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <vector>

/// The `subsets` of a Service's Endpoints, built as upstream's endpoints controller builds them
/// (pure functions, no API access).
namespace pilot::controllers {

/// At most this many addresses (ready and not ready together) are written to one Endpoints.
inline constexpr std::size_t MaxEndpointsCapacity = 1000;

/// The subsets for `service` from the pods its selector matched: a pod is included when it has
/// an IP of the Service's family and is not Succeeded/Failed or (unless publishNotReadyAddresses)
/// terminating; it goes to `addresses` when Ready (or publishNotReadyAddresses), else to
/// `notReadyAddresses`, once per Service port it has (a named targetPort is resolved per pod;
/// pods without it are left out of that port). A headless Service without ports lists its pods
/// without ports. The result is repacked (repackSubsets).
[[nodiscard]] boost::json::array computeSubsets(const boost::json::object& service,
                                                const std::vector<kube::ObjectPtr>& pods);

/// Upstream's RepackSubsets: regroups addresses so each subset holds the addresses that offer
/// exactly the same set of ports (an address not ready for a port is not ready for it overall),
/// with addresses deduplicated by IP and target uid. Addresses are sorted by IP then uid, ports
/// and subsets in a fixed order (upstream orders those by a hash of Go structs; this order is
/// as stable but not the same).
[[nodiscard]] boost::json::array repackSubsets(const boost::json::array& subsets);

/// Addresses and notReadyAddresses over all subsets.
[[nodiscard]] std::size_t countAddresses(const boost::json::array& subsets);

/// Cuts the subsets down to MaxEndpointsCapacity addresses as upstream's truncateEndpoints:
/// not-ready addresses go first; each subset keeps a share proportional to its size (rounded
/// up, the last one gets what is left). Returns whether anything was cut.
bool truncateSubsets(boost::json::array& subsets);

} // namespace pilot::controllers
