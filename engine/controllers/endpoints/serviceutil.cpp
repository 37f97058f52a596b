#include "engine/controllers/endpoints/serviceutil.h"

#include "engine/controllers/common/podutil.h"
#include "kube/client/apiclient.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

const json::object* specOf(const json::object& object) {
    return kube::objectAt(object, "spec");
}

std::string protocolOf(const json::object& port) {
    std::string protocol = kube::stringAt(port, "protocol");
    return protocol.empty() ? "TCP" : protocol;
}

std::optional<int64_t> namedPortIn(const json::array* containers, std::string_view name,
                                   std::string_view protocol, bool sidecarsOnly) {
    if (containers == nullptr) {
        return std::nullopt;
    }
    for (const json::value& c : *containers) {
        const json::object* container = c.if_object();
        if (container == nullptr) {
            continue;
        }
        if (sidecarsOnly && kube::stringAt(*container, "restartPolicy") != "Always") {
            continue;
        }
        const json::array* ports = kube::arrayAt(*container, "ports");
        if (ports == nullptr) {
            continue;
        }
        for (const json::value& p : *ports) {
            const json::object* port = p.if_object();
            if (port && kube::stringAt(*port, "name") == name && protocolOf(*port) == protocol) {
                return kube::integerAt(*port, "containerPort");
            }
        }
    }
    return std::nullopt;
}

bool sameStringMember(const json::object* a, const json::object* b, std::string_view key) {
    return kube::stringAt(a, key) == kube::stringAt(b, key);
}

/// podEndpointsChanged: {the pod changed in a way endpoints show, its membership may differ}.
std::pair<bool, bool> podEndpointsChanged(const json::object& old, const json::object& pod) {
    const bool labelsChanged =
        !kube::jsonEqual(labelMap(kube::labels(old)), labelMap(kube::labels(pod))) ||
        !sameStringMember(specOf(old), specOf(pod), "hostname") ||
        !sameStringMember(specOf(old), specOf(pod), "subdomain");
    if (kube::deletionTimestamp(old) != kube::deletionTimestamp(pod) ||
        isPodReady(old) != isPodReady(pod) || podIps(old) != podIps(pod)) {
        return {true, labelsChanged};
    }
    return {false, labelsChanged};
}

} // namespace

std::optional<kube::LabelSelector> serviceSelector(const json::object& service) {
    const json::object* selector = kube::objectAt(specOf(service), "selector");
    if (selector == nullptr || selector->empty()) {
        return std::nullopt;
    }
    return kube::LabelSelector::fromSet(*selector);
}

bool isServiceIPSet(const json::object& service) {
    std::string ip = kube::stringAt(specOf(service), "clusterIP");
    return !ip.empty() && ip != "None";
}

bool isExternalNameService(const json::object& service) {
    return kube::stringAt(specOf(service), "type") == "ExternalName";
}

bool publishNotReadyAddresses(const json::object& service) {
    const json::object* spec = specOf(service);
    return spec && kube::boolAt(*spec, "publishNotReadyAddresses").value_or(false);
}

bool shouldPodBeInEndpoints(const json::object& pod, bool includeTerminating) {
    std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
    if (phase == "Succeeded" || phase == "Failed") {
        return false;
    }
    if (podIps(pod).empty()) {
        return false;
    }
    return includeTerminating || !kube::hasDeletionTimestamp(pod);
}

bool shouldSetHostname(const json::object& pod, const json::object& service) {
    const json::object* spec = specOf(pod);
    return !kube::stringAt(spec, "hostname").empty() &&
           kube::stringAt(spec, "subdomain") == kube::name(service) &&
           kube::namespaceOf(service) == kube::namespaceOf(pod);
}

std::optional<int64_t> findPort(const json::object& pod, const json::object& servicePort) {
    const json::value* target = servicePort.if_contains("targetPort");
    if (target == nullptr || target->is_null()) {
        // The API server defaults targetPort to port; be as lenient for clients that did not.
        return kube::integerAt(servicePort, "port");
    }
    if (!target->is_string()) {
        return kube::asInteger(*target);
    }
    const std::string_view name = target->get_string();
    const std::string protocol = protocolOf(servicePort);
    const json::object* spec = specOf(pod);
    if (spec == nullptr) {
        return std::nullopt;
    }
    if (auto port = namedPortIn(kube::arrayAt(*spec, "containers"), name, protocol, false)) {
        return port;
    }
    return namedPortIn(kube::arrayAt(*spec, "initContainers"), name, protocol, true);
}

std::vector<std::string> podIps(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    std::vector<std::string> ips;
    if (status == nullptr) {
        return ips;
    }
    if (const json::array* list = kube::arrayAt(*status, "podIPs")) {
        for (const json::value& v : *list) {
            if (const json::object* entry = v.if_object()) {
                std::string ip = kube::stringAt(*entry, "ip");
                if (!ip.empty()) {
                    ips.push_back(std::move(ip));
                }
            }
        }
    }
    if (ips.empty()) {
        if (std::string ip = kube::stringAt(*status, "podIP"); !ip.empty()) {
            ips.push_back(std::move(ip));
        }
    }
    return ips;
}

bool isIpv6(std::string_view ip) {
    return ip.find(':') != std::string_view::npos;
}

std::set<std::string> servicesSelecting(const std::vector<kube::ObjectPtr>& services,
                                        const json::object* labels) {
    std::set<std::string> keys;
    for (const kube::ObjectPtr& service : services) {
        auto selector = serviceSelector(*service);
        if (selector && selector->matches(labels)) {
            keys.insert(kube::objectKey(*service));
        }
    }
    return keys;
}

std::set<std::string> servicesToUpdateOnPodChange(const std::vector<kube::ObjectPtr>& services,
                                                  const json::object& old,
                                                  const json::object& pod) {
    if (kube::resourceVersion(old) == kube::resourceVersion(pod)) {
        return {}; // a re-list delivering the same object
    }
    auto [podChanged, labelsChanged] = podEndpointsChanged(old, pod);
    if (!podChanged && !labelsChanged) {
        return {};
    }
    std::set<std::string> current = servicesSelecting(services, kube::labels(pod));
    if (!labelsChanged) {
        return current;
    }
    std::set<std::string> previous = servicesSelecting(services, kube::labels(old));
    std::set<std::string> result;
    if (podChanged) {
        std::set_union(current.begin(), current.end(), previous.begin(), previous.end(),
                       std::inserter(result, result.end()));
    } else {
        std::set_symmetric_difference(current.begin(), current.end(), previous.begin(),
                                      previous.end(), std::inserter(result, result.end()));
    }
    return result;
}

bool namespaceTerminating(const kube::ApiError& error) {
    const json::object* details = kube::objectAt(error.status, "details");
    if (const json::array* causes = details ? kube::arrayAt(*details, "causes") : nullptr) {
        for (const json::value& c : *causes) {
            if (c.is_object() &&
                kube::stringAt(c.get_object(), "reason") == "NamespaceTerminating") {
                return true;
            }
        }
    }
    return error.code == 403 &&
           error.message.find("because it is being terminated") != std::string::npos;
}

json::object labelMap(const json::object* labels) {
    return labels ? *labels : json::object();
}

} // namespace pilot::controllers
