#pragma once

#include "core/error.h"
#include "kube/goquote.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

/// The downward API as kubelet resolves it for env (`fieldRef`, `resourceFieldRef`) and for
/// downwardAPI volumes.
namespace pilot::agent {

/// What the pod object does not say yet but the agent knows.
struct PodNetworkInfo {
    std::string hostIp;
    std::string podIp;
};

/// The value of `fieldPath` for `pod`: metadata.name|namespace|uid, metadata.labels['k'],
/// metadata.annotations['k'], metadata.labels, metadata.annotations (volumes: `k="v"` lines),
/// spec.nodeName, spec.serviceAccountName, status.hostIP(s), status.podIP(s).
/// InvalidArgument for anything else.
[[nodiscard]] Result<std::string> podFieldValue(const boost::json::object& pod,
                                                std::string_view fieldPath,
                                                const PodNetworkInfo& network);

/// The value of a resourceFieldRef (`limits.cpu`, `requests.memory`, ...) of `container` in
/// units of `divisor` (empty: 1), rounded up. Without a limit the node's allocatable applies.
[[nodiscard]] Result<std::string> resourceFieldValue(const boost::json::object& container,
                                                     std::string_view resource,
                                                     std::string_view divisor,
                                                     const boost::json::object& nodeAllocatable);

/// kubelet's FormatMap: `key="value"` lines in key order, values quoted as Go's %q.
[[nodiscard]] std::string formatDownwardMap(const boost::json::object* map);
/// Go's strconv.Quote.
using kube::goQuote;

} // namespace pilot::agent
