#include "engine/controllers/endpointslice/slicereconciler.h"

#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "engine/controllers/endpointslice/sliceutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

using EndpointSet = std::map<std::string, json::object>; // by endpointKey

const OwnerKind& serviceKind() {
    static const OwnerKind kind{"v1", "Service"};
    return kind;
}

std::vector<std::string> addressTypes(const json::object& service) {
    const json::object* spec = kube::objectAt(service, "spec");
    std::vector<std::string> types;
    for (const std::string& family :
         spec ? kube::stringsAt(*spec, "ipFamilies") : std::vector<std::string>()) {
        std::string type = family == "IPv6" ? "IPv6" : family == "IPv4" ? "IPv4" : "";
        if (!type.empty() && std::find(types.begin(), types.end(), type) == types.end()) {
            types.push_back(type);
        }
    }
    if (!types.empty()) {
        return types;
    }
    if (isServiceIPSet(service)) {
        return {isIpv6(kube::stringAt(spec, "clusterIP")) ? "IPv6" : "IPv4"};
    }
    return {"IPv4", "IPv6"}; // a headless Service not yet defaulted: assume dual stack
}

bool reservedLabel(std::string_view key) {
    return key == ServiceNameLabel || key == ManagedByLabel || key == HeadlessServiceLabel;
}

json::object withoutReserved(const json::object* labels) {
    json::object out;
    if (labels != nullptr) {
        for (const auto& [key, value] : *labels) {
            if (!reservedLabel(key)) {
                out[key] = value;
            }
        }
    }
    return out;
}

/// setEndpointSliceLabels: the labels the slice should have, and whether the Service's own
/// labels differ from the slice's.
std::pair<json::object, bool> sliceLabels(const json::object& slice, const json::object& service) {
    json::object wanted = withoutReserved(kube::labels(service));
    const bool changed = !kube::jsonEqual(withoutReserved(kube::labels(slice)), wanted);
    if (!isServiceIPSet(service)) {
        wanted[HeadlessServiceLabel] = "";
    }
    wanted[ServiceNameLabel] = kube::name(service);
    wanted[ManagedByLabel] = EndpointSliceControllerName;
    return {std::move(wanted), changed};
}

json::array endpointPorts(const json::object& service, const json::object& pod) {
    const json::object* spec = kube::objectAt(service, "spec");
    const json::array* ports = spec ? kube::arrayAt(*spec, "ports") : nullptr;
    json::array out;
    if (ports == nullptr) {
        return out;
    }
    for (const json::value& p : *ports) {
        const json::object* servicePort = p.if_object();
        if (servicePort == nullptr) {
            continue;
        }
        std::optional<int64_t> number = findPort(pod, *servicePort);
        if (!number) {
            continue;
        }
        std::string protocol = kube::stringAt(*servicePort, "protocol");
        json::object port{{"name", kube::stringAt(*servicePort, "name")},
                          {"port", *number},
                          {"protocol", protocol.empty() ? "TCP" : protocol}};
        if (std::string app = kube::stringAt(*servicePort, "appProtocol"); !app.empty()) {
            port["appProtocol"] = app;
        }
        out.push_back(std::move(port));
    }
    return out;
}

json::object podToEndpoint(const json::object& pod, const json::object* node,
                           const json::object& service, std::string_view addressType) {
    const bool serving = isPodReady(pod);
    const bool terminating = kube::hasDeletionTimestamp(pod);
    const bool ready = publishNotReadyAddresses(service) || (serving && !terminating);
    json::array addresses;
    for (const std::string& ip : podIps(pod)) {
        if (isIpv6(ip) == (addressType == "IPv6")) {
            addresses.push_back(json::string(ip));
        }
    }
    json::object endpoint{
        {"addresses", std::move(addresses)},
        {"conditions",
         json::object{{"ready", ready}, {"serving", serving}, {"terminating", terminating}}}};
    const json::object* spec = kube::objectAt(pod, "spec");
    if (shouldSetHostname(pod, service)) {
        endpoint["hostname"] = kube::stringAt(spec, "hostname");
    }
    endpoint["targetRef"] = json::object{{"kind", "Pod"},
                                         {"namespace", kube::namespaceOf(pod)},
                                         {"name", kube::name(pod)},
                                         {"uid", kube::uid(pod)}};
    if (std::string nodeName = kube::stringAt(spec, "nodeName"); !nodeName.empty()) {
        endpoint["nodeName"] = nodeName;
    }
    if (node != nullptr) {
        if (auto zone = kube::label(*node, "topology.kubernetes.io/zone"); zone && !zone->empty()) {
            endpoint["zone"] = *zone;
        }
    }
    return endpoint;
}

json::array endpointsArray(const std::vector<json::object>& endpoints) {
    json::array out;
    for (const json::object& e : endpoints) {
        out.push_back(e);
    }
    return out;
}

void fill(json::object& slice, EndpointSet& desired, size_t max) {
    json::array* endpoints = kube::mutableArray(slice, "endpoints");
    if (endpoints == nullptr) {
        slice["endpoints"] = json::array();
        endpoints = &slice["endpoints"].as_array();
    }
    while (!desired.empty() && endpoints->size() < max) {
        endpoints->push_back(std::move(desired.begin()->second));
        desired.erase(desired.begin());
    }
}

struct PortGroupPlan {
    std::vector<json::object> create;
    std::vector<json::object> update;
    std::vector<json::object> remove;
};

/// reconcileByPortMapping: one group of slices sharing a port set.
PortGroupPlan planPortGroup(const json::object& service,
                            const std::vector<kube::ObjectPtr>& existing, EndpointSet desired,
                            const json::array& ports, std::string_view addressType, size_t max) {
    std::map<std::string, json::object> byName;
    std::set<std::string> unchanged;
    std::set<std::string> toUpdate;
    std::set<std::string> toDelete;
    // 1. Keep wanted endpoints where they are, updating those that changed; drop the rest.
    for (const kube::ObjectPtr& slice : existing) {
        std::string name(kube::name(*slice));
        std::vector<json::object> kept;
        bool endpointUpdated = false;
        size_t had = 0;
        if (const json::array* endpoints = kube::arrayAt(*slice, "endpoints")) {
            had = endpoints->size();
            for (const json::value& e : *endpoints) {
                const json::object* endpoint = e.if_object();
                auto wanted = endpoint ? desired.find(endpointKey(*endpoint)) : desired.end();
                if (wanted == desired.end()) {
                    continue;
                }
                if (!endpointsEqualBeyondKey(wanted->second, *endpoint)) {
                    endpointUpdated = true;
                }
                kept.push_back(std::move(wanted->second));
                desired.erase(wanted);
            }
        }
        auto [labels, labelsChanged] = sliceLabels(*slice, service);
        if (endpointUpdated || kept.size() != had) {
            if (kept.empty()) {
                toDelete.insert(name);
                byName[name] = *slice;
                continue;
            }
            json::object copy = *slice;
            copy["endpoints"] = endpointsArray(kept);
            kube::ensureMetadata(copy)["labels"] = std::move(labels);
            byName[name] = std::move(copy);
            toUpdate.insert(name);
        } else if (labelsChanged) {
            json::object copy = *slice;
            kube::ensureMetadata(copy)["labels"] = std::move(labels);
            byName[name] = std::move(copy);
            toUpdate.insert(name);
        } else {
            byName[name] = *slice;
            unchanged.insert(name);
        }
    }
    // 2. Fill the slices being updated anyway, fullest first.
    if (!desired.empty() && !toUpdate.empty()) {
        std::vector<std::string> names(toUpdate.begin(), toUpdate.end());
        std::stable_sort(names.begin(), names.end(), [&](const auto& a, const auto& b) {
            return endpointCount(byName[a]) > endpointCount(byName[b]);
        });
        for (const std::string& name : names) {
            fill(byName[name], desired, max);
        }
    }
    // 3. Put what is left into the unchanged slice closest to full that takes it all, or into
    // new slices.
    PortGroupPlan plan;
    while (!desired.empty()) {
        std::string fillName;
        if (desired.size() < max && !unchanged.empty()) {
            size_t closest = max;
            for (const std::string& name : unchanged) {
                size_t size = endpointCount(byName[name]);
                if (size + desired.size() > max) {
                    continue;
                }
                size_t diff = max - (desired.size() + size);
                if (diff < closest) {
                    closest = diff;
                    fillName = name;
                    if (diff == 0) {
                        break;
                    }
                }
            }
        }
        if (fillName.empty()) {
            json::object slice = newServiceSlice(service, ports, addressType);
            fill(slice, desired, max);
            plan.create.push_back(std::move(slice));
            continue;
        }
        fill(byName[fillName], desired, max);
        unchanged.erase(fillName);
        toUpdate.insert(fillName);
    }
    for (const std::string& name : toUpdate) {
        plan.update.push_back(std::move(byName[name]));
    }
    for (const std::string& name : toDelete) {
        plan.remove.push_back(std::move(byName[name]));
    }
    return plan;
}

/// placeholderSliceCompare: an empty slice with the same namespace, labels and owners.
bool samePlaceholder(const json::object& existing, const json::object& placeholder) {
    auto refs = [](const json::object& o) {
        const json::array* r = kube::ownerReferences(o);
        return r ? *r : json::array();
    };
    const json::array* ports = kube::arrayAt(existing, "ports");
    return kube::namespaceOf(existing) == kube::namespaceOf(placeholder) &&
           kube::jsonEqual(labelMap(kube::labels(existing)), labelMap(kube::labels(placeholder))) &&
           kube::jsonEqual(refs(existing), refs(placeholder)) &&
           kube::stringAt(existing, "addressType") == kube::stringAt(placeholder, "addressType") &&
           endpointCount(existing) == 0 && (ports == nullptr || ports->empty());
}

void planAddressType(const SliceReconcileInput& input, std::string_view addressType,
                     const std::vector<kube::ObjectPtr>& existing, SlicePlan& plan) {
    const json::object& service = input.service;
    std::map<std::string, std::vector<kube::ObjectPtr>> existingByPorts;
    std::vector<json::object> remove;
    for (const kube::ObjectPtr& slice : existing) {
        if (sliceOwnedBy(*slice, service, "v1", "Service")) {
            existingByPorts[portMapKey(kube::arrayAt(*slice, "ports"))].push_back(slice);
        } else {
            remove.push_back(*slice);
        }
    }
    std::map<std::string, std::pair<json::array, EndpointSet>> desiredByPorts;
    for (const kube::ObjectPtr& pod : input.pods) {
        if (!shouldPodBeInEndpoints(*pod, true)) {
            continue;
        }
        json::array ports = endpointPorts(service, *pod);
        auto& [groupPorts, endpoints] = desiredByPorts[portMapKey(&ports)];
        groupPorts = std::move(ports);
        std::string nodeName = kube::stringAt(kube::objectAt(*pod, "spec"), "nodeName");
        kube::ObjectPtr node = input.node(nodeName);
        if (!node && !publishNotReadyAddresses(service)) {
            plan.errors.push_back(fmt::format("skipping Pod {} for Service {}: Node {} Not Found",
                                              kube::name(*pod), kube::objectKey(service),
                                              nodeName));
            continue;
        }
        json::object endpoint = podToEndpoint(*pod, node.get(), service, addressType);
        if (!kube::arrayAt(endpoint, "addresses")->empty()) {
            endpoints[endpointKey(endpoint)] = std::move(endpoint);
        }
    }
    std::vector<json::object> create;
    std::vector<json::object> update;
    for (auto& [key, group] : desiredByPorts) {
        auto found = existingByPorts.find(key);
        PortGroupPlan groupPlan = planPortGroup(
            service,
            found == existingByPorts.end() ? std::vector<kube::ObjectPtr>() : found->second,
            std::move(group.second), group.first, addressType, input.maxEndpointsPerSlice);
        std::move(groupPlan.create.begin(), groupPlan.create.end(), std::back_inserter(create));
        std::move(groupPlan.update.begin(), groupPlan.update.end(), std::back_inserter(update));
        std::move(groupPlan.remove.begin(), groupPlan.remove.end(), std::back_inserter(remove));
    }
    for (const auto& [key, slices] : existingByPorts) {
        if (!desiredByPorts.contains(key)) {
            for (const kube::ObjectPtr& slice : slices) {
                remove.push_back(*slice);
            }
        }
    }
    // A Service without endpoints keeps one empty slice.
    if (existing.size() == remove.size() && create.empty()) {
        json::object placeholder = newServiceSlice(service, json::array(), addressType);
        if (remove.size() == 1 && samePlaceholder(remove.front(), placeholder)) {
            remove.clear();
        } else {
            create.push_back(std::move(placeholder));
        }
    }
    std::move(create.begin(), create.end(), std::back_inserter(plan.create));
    std::move(update.begin(), update.end(), std::back_inserter(plan.update));
    std::move(remove.begin(), remove.end(), std::back_inserter(plan.remove));
}

} // namespace

json::object newServiceSlice(const json::object& service, const json::array& ports,
                             std::string_view addressType) {
    json::object meta{{"generateName", slicePrefix(kube::name(service))},
                      {"namespace", kube::namespaceOf(service)},
                      {"ownerReferences", json::array{newControllerRef(service, serviceKind())}}};
    json::object slice{{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"},
                       {"metadata", std::move(meta)},         {"addressType", addressType},
                       {"endpoints", json::array()},          {"ports", sortedPorts(&ports)}};
    kube::ensureMetadata(slice)["labels"] = sliceLabels(slice, service).first;
    return slice;
}

SlicePlan planEndpointSlices(const SliceReconcileInput& input) {
    SlicePlan plan;
    std::vector<std::string> types = addressTypes(input.service);
    std::map<std::string, std::vector<kube::ObjectPtr>> byType;
    for (const kube::ObjectPtr& slice : input.existing) {
        std::string type = kube::stringAt(*slice, "addressType");
        if (std::find(types.begin(), types.end(), type) == types.end()) {
            plan.remove.push_back(*slice);
        } else {
            byType[type].push_back(slice);
        }
    }
    for (const std::string& type : types) {
        planAddressType(input, type, byType[type], plan);
    }
    // Reuse slices that would be deleted for slices that would be created.
    for (size_t i = 0; i < plan.remove.size() && !plan.create.empty();) {
        const json::object& doomed = plan.remove[i];
        json::object& created = plan.create.back();
        if (kube::stringAt(doomed, "addressType") == kube::stringAt(created, "addressType") &&
            sliceOwnedBy(doomed, input.service, "v1", "Service")) {
            json::object& meta = kube::ensureMetadata(created);
            meta["name"] = kube::name(doomed);
            meta["resourceVersion"] = kube::resourceVersion(doomed);
            plan.update.push_back(std::move(created));
            plan.create.pop_back();
            plan.remove.erase(plan.remove.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    return plan;
}

} // namespace pilot::controllers
