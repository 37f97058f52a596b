#pragma once

#include "nodeagent/pod/envresolver.h"

#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

namespace pilot::agent {

/// kubelet's service environment (getServiceEnvVarMap over envvars.FromServices). From
/// `services` it takes `kubernetes` in `default` always and, when `enableServiceLinks`, every
/// Service of namespace `ns` (one named `kubernetes` there replaces the master one);
/// Services without a cluster IP (headless, ExternalName) are skipped. Each
/// gives `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (first port), `<NAME>_SERVICE_PORT_<PORT
/// NAME>` for named ports and Docker's link variables `<NAME>_PORT` and `<NAME>_PORT_<port>_
/// <PROTO>{,_PROTO,_PORT,_ADDR}`, where NAME is the upper-cased name with `-` as `_`. Ordered by
/// Service name (kubelet's map order is random).
[[nodiscard]] EnvList serviceEnvironment(const std::vector<boost::json::object>& services,
                                         std::string_view ns, bool enableServiceLinks);

} // namespace pilot::agent
