#pragma once

#include "kube/client/apierror.h"
#include "kube/client/indexedcache.h"
#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

/// What the Endpoints and EndpointSlice controllers share about Services and the pods behind
/// them (upstream's k8s.io/endpointslice/util and the pod port lookup). All readers tolerate
/// missing fields.
namespace pilot::controllers {

/// Set (value "") on Endpoints and EndpointSlices of a Service without a cluster IP.
inline constexpr std::string_view HeadlessServiceLabel = "service.kubernetes.io/headless";
/// When the change that led to an Endpoints/EndpointSlice write happened (RFC 3339).
inline constexpr std::string_view LastChangeTriggerTimeAnnotation =
    "endpoints.kubernetes.io/last-change-trigger-time";

/// The Service's `spec.selector` as a selector; nullopt when it has none (a nil or empty map:
/// such Services get their endpoints from elsewhere).
[[nodiscard]] std::optional<kube::LabelSelector>
serviceSelector(const boost::json::object& service);
/// `spec.clusterIP` is set and not `None`.
[[nodiscard]] bool isServiceIPSet(const boost::json::object& service);
[[nodiscard]] bool isExternalNameService(const boost::json::object& service);
[[nodiscard]] bool publishNotReadyAddresses(const boost::json::object& service);

/// Not Succeeded/Failed, has an IP, and (unless `includeTerminating`) is not being deleted.
[[nodiscard]] bool shouldPodBeInEndpoints(const boost::json::object& pod, bool includeTerminating);
/// The pod sets `spec.hostname` and its `spec.subdomain` is the Service's name (same namespace).
[[nodiscard]] bool shouldSetHostname(const boost::json::object& pod,
                                     const boost::json::object& service);
/// The container port a Service port reaches on `pod` (podutil.FindPort): a numeric
/// `targetPort` as is; a named one looked up among the containers' (and restartable init
/// containers') ports with the same protocol. nullopt when the pod has no such port.
[[nodiscard]] std::optional<int64_t> findPort(const boost::json::object& pod,
                                              const boost::json::object& servicePort);
/// `status.podIPs[].ip`, or `status.podIP` when the list is absent.
[[nodiscard]] std::vector<std::string> podIps(const boost::json::object& pod);
[[nodiscard]] bool isIpv6(std::string_view ip);

/// Keys (`ns/name`) of the Services among `services` whose selector matches `labels`.
[[nodiscard]] std::set<std::string> servicesSelecting(const std::vector<kube::ObjectPtr>& services,
                                                      const boost::json::object* labels);
/// The Services to sync after a pod changed from `old` to `pod`
/// (GetServicesToUpdateOnPodChange): none when nothing endpoints show changed; those of the
/// new labels when only the pod changed; when labels (or hostname/subdomain) changed, the
/// union of old and new members if the pod changed too, else only the Services it joined or
/// left. `services` are those of the pod's namespace.
[[nodiscard]] std::set<std::string>
servicesToUpdateOnPodChange(const std::vector<kube::ObjectPtr>& services,
                            const boost::json::object& old, const boost::json::object& pod);

/// The write failed because the namespace is being deleted (nothing to retry).
[[nodiscard]] bool namespaceTerminating(const kube::ApiError& error);

/// Labels as a plain map (nullptr: none) for comparisons that treat absent and empty alike.
[[nodiscard]] boost::json::object labelMap(const boost::json::object* labels);

} // namespace pilot::controllers
