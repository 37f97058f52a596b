#include "engine/controllers/endpoints/endpointsubsets.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

/// The address of `pod` for the Service's IP family (podToEndpointAddressForService).
std::optional<json::object> endpointAddress(const json::object& service, const json::object& pod) {
    const json::object* spec = kube::objectAt(service, "spec");
    bool wantV6 = false;
    if (std::vector<std::string> families =
            spec ? kube::stringsAt(*spec, "ipFamilies") : std::vector<std::string>();
        !families.empty()) {
        wantV6 = families.front() == "IPv6";
    } else if (isServiceIPSet(service)) {
        wantV6 = isIpv6(kube::stringAt(spec, "clusterIP"));
    } else {
        wantV6 = isIpv6(kube::stringAt(kube::objectAt(pod, "status"), "podIP"));
    }
    for (const std::string& ip : podIps(pod)) {
        if (isIpv6(ip) != wantV6) {
            continue;
        }
        json::object address{{"ip", ip}};
        if (shouldSetHostname(pod, service)) {
            address["hostname"] = kube::stringAt(kube::objectAt(pod, "spec"), "hostname");
        }
        if (std::string node = kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
            !node.empty()) {
            address["nodeName"] = node;
        }
        address["targetRef"] = json::object{{"kind", "Pod"},
                                            {"namespace", kube::namespaceOf(pod)},
                                            {"name", kube::name(pod)},
                                            {"uid", kube::uid(pod)}};
        return address;
    }
    return std::nullopt;
}

json::object endpointPort(const json::object& servicePort, int64_t number) {
    json::object port;
    if (std::string name = kube::stringAt(servicePort, "name"); !name.empty()) {
        port["name"] = name;
    }
    port["port"] = number;
    std::string protocol = kube::stringAt(servicePort, "protocol");
    port["protocol"] = protocol.empty() ? "TCP" : protocol;
    if (std::string app = kube::stringAt(servicePort, "appProtocol"); !app.empty()) {
        port["appProtocol"] = app;
    }
    return port;
}

std::string uidOf(const json::object& address) {
    return kube::stringAt(kube::objectAt(address, "targetRef"), "uid");
}

/// LessEndpointAddress: by IP bytes, then by target uid (no target first).
bool lessAddress(const json::object& a, const json::object& b) {
    std::string ipA = kube::stringAt(a, "ip");
    std::string ipB = kube::stringAt(b, "ip");
    if (ipA != ipB) {
        return ipA < ipB;
    }
    return uidOf(a) < uidOf(b);
}

json::array sortedAddresses(std::vector<json::object> addresses) {
    std::sort(addresses.begin(), addresses.end(), lessAddress);
    json::array out;
    for (json::object& a : addresses) {
        out.push_back(std::move(a));
    }
    return out;
}

void appendSubset(json::array& subsets, const json::object& address, const json::object* port,
                  bool ready) {
    json::object subset{{ready ? "addresses" : "notReadyAddresses", json::array{address}}};
    if (port != nullptr) {
        subset["ports"] = json::array{*port};
    }
    subsets.push_back(std::move(subset));
}

size_t arraySize(const json::object& subset, std::string_view key) {
    const json::array* a = kube::arrayAt(subset, key);
    return a ? a->size() : 0;
}

void truncateArray(json::object& subset, std::string_view key, size_t keep) {
    if (json::array* a = kube::mutableArray(subset, key); a && a->size() > keep) {
        a->erase(a->begin() + static_cast<std::ptrdiff_t>(keep), a->end());
    }
    if (keep == 0) {
        subset.erase(key);
    }
}

} // namespace

json::array computeSubsets(const json::object& service, const std::vector<kube::ObjectPtr>& pods) {
    const json::object* spec = kube::objectAt(service, "spec");
    const json::array* ports = spec ? kube::arrayAt(*spec, "ports") : nullptr;
    const bool tolerateUnready = publishNotReadyAddresses(service);
    const bool headless = kube::stringAt(spec, "clusterIP") == "None";
    json::array subsets;
    for (const kube::ObjectPtr& pod : pods) {
        if (!shouldPodBeInEndpoints(*pod, tolerateUnready)) {
            continue;
        }
        std::optional<json::object> address = endpointAddress(service, *pod);
        if (!address) {
            continue;
        }
        const bool ready = tolerateUnready || isPodReady(*pod);
        if (ports == nullptr || ports->empty()) {
            if (headless) {
                appendSubset(subsets, *address, nullptr, ready);
            }
            continue;
        }
        for (const json::value& p : *ports) {
            const json::object* servicePort = p.if_object();
            if (servicePort == nullptr) {
                continue;
            }
            std::optional<int64_t> number = findPort(*pod, *servicePort);
            if (!number) {
                continue;
            }
            json::object port = endpointPort(*servicePort, *number);
            appendSubset(subsets, *address, &port, ready);
        }
    }
    return repackSubsets(subsets);
}

json::array repackSubsets(const json::array& subsets) {
    // Each distinct port (a sentinel for "no ports") maps to the addresses offering it and
    // whether each is ready there; an address once not ready for a port stays not ready.
    struct PortAddresses {
        std::optional<json::object> port;  // nullopt: the no-ports sentinel
        std::map<std::string, bool> ready; // by address key
    };
    std::map<std::string, json::object> allAddresses; // by ip + uid, first seen wins
    std::map<std::string, PortAddresses> byPort;      // by canonical port JSON
    auto mapAddresses = [&](const json::object& subset, const json::object* port) {
        std::string portKey = port ? canonicalJson(*port) : std::string("-");
        PortAddresses& entry = byPort[portKey];
        if (port) {
            entry.port = *port;
        }
        static constexpr std::pair<std::string_view, bool> Lists[] = {{"addresses", true},
                                                                      {"notReadyAddresses", false}};
        for (auto [key, ready] : Lists) {
            const json::array* list = kube::arrayAt(subset, key);
            if (list == nullptr) {
                continue;
            }
            for (const json::value& v : *list) {
                const json::object* address = v.if_object();
                if (address == nullptr) {
                    continue;
                }
                std::string addressKey = kube::stringAt(*address, "ip") + '\x1f' + uidOf(*address);
                allAddresses.emplace(addressKey, *address);
                auto [it, inserted] = entry.ready.emplace(addressKey, ready);
                if (!inserted && it->second) {
                    it->second = ready;
                }
            }
        }
    };
    for (const json::value& s : subsets) {
        const json::object* subset = s.if_object();
        if (subset == nullptr) {
            continue;
        }
        const json::array* ports = kube::arrayAt(*subset, "ports");
        if (ports == nullptr || ports->empty()) {
            mapAddresses(*subset, nullptr);
            continue;
        }
        for (const json::value& p : *ports) {
            if (const json::object* port = p.if_object()) {
                mapAddresses(*subset, port);
            }
        }
    }

    // Ports offered by exactly the same addresses (with the same readiness) share a subset.
    struct Group {
        const std::map<std::string, bool>* ready = nullptr;
        std::vector<json::object> ports;
    };
    std::map<std::string, Group> groups;
    for (const auto& [portKey, entry] : byPort) {
        std::string groupKey;
        for (const auto& [addressKey, ready] : entry.ready) {
            groupKey += addressKey + (ready ? "\x1eR\x1e" : "\x1eN\x1e");
        }
        Group& group = groups[groupKey];
        group.ready = &entry.ready;
        if (entry.port) {
            group.ports.push_back(*entry.port);
        }
    }
    std::vector<std::pair<std::string, json::object>> built;
    for (auto& [groupKey, group] : groups) {
        std::vector<json::object> ready;
        std::vector<json::object> notReady;
        for (const auto& [addressKey, isReady] : *group.ready) {
            (isReady ? ready : notReady).push_back(allAddresses.at(addressKey));
        }
        json::object subset;
        if (!ready.empty()) {
            subset["addresses"] = sortedAddresses(std::move(ready));
        }
        if (!notReady.empty()) {
            subset["notReadyAddresses"] = sortedAddresses(std::move(notReady));
        }
        if (!group.ports.empty()) {
            std::sort(group.ports.begin(), group.ports.end(),
                      [](const json::object& a, const json::object& b) {
                          return canonicalJson(a) < canonicalJson(b);
                      });
            json::array ports;
            for (json::object& p : group.ports) {
                ports.push_back(std::move(p));
            }
            subset["ports"] = std::move(ports);
        }
        if (subset.contains("addresses") || subset.contains("notReadyAddresses")) {
            std::string order = canonicalJson(subset);
            built.emplace_back(std::move(order), std::move(subset));
        }
    }
    std::sort(built.begin(), built.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    json::array out;
    for (auto& [order, subset] : built) {
        out.push_back(std::move(subset));
    }
    return out;
}

size_t countAddresses(const json::array& subsets) {
    size_t total = 0;
    for (const json::value& s : subsets) {
        if (const json::object* subset = s.if_object()) {
            total += arraySize(*subset, "addresses") + arraySize(*subset, "notReadyAddresses");
        }
    }
    return total;
}

bool truncateSubsets(json::array& subsets) {
    size_t totalReady = 0;
    size_t totalNotReady = 0;
    for (const json::value& s : subsets) {
        totalReady += arraySize(s.as_object(), "addresses");
        totalNotReady += arraySize(s.as_object(), "notReadyAddresses");
    }
    if (totalReady + totalNotReady <= MaxEndpointsCapacity) {
        return false;
    }
    const bool truncateReady = totalReady > MaxEndpointsCapacity;
    const size_t max = truncateReady ? MaxEndpointsCapacity : MaxEndpointsCapacity - totalReady;
    const size_t numTotal = truncateReady ? totalReady : totalNotReady;
    size_t canBeAdded = max;
    for (json::value& s : subsets) {
        json::object& subset = s.as_object();
        size_t inSubset = arraySize(subset, truncateReady ? "addresses" : "notReadyAddresses");
        auto share = static_cast<size_t>(
            std::ceil(static_cast<double>(inSubset) / static_cast<double>(numTotal) *
                      static_cast<double>(max)));
        size_t toBeAdded = std::min(share, canBeAdded);
        if (truncateReady) {
            truncateArray(subset, "addresses", toBeAdded);
            truncateArray(subset, "notReadyAddresses", 0);
            canBeAdded -= arraySize(subset, "addresses");
        } else {
            truncateArray(subset, "notReadyAddresses", toBeAdded);
            canBeAdded -= arraySize(subset, "notReadyAddresses");
        }
    }
    return true;
}

} // namespace pilot::controllers
