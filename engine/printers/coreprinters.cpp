// Printers for core/v1 kinds other than pods and replication controllers: services, endpoints,
// config maps, secrets, namespaces, nodes, events, persistent volumes and claims, service
// accounts and resource quotas.

#include "engine/printers/printutil.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace pilot::printers::detail {
namespace json = boost::json;

namespace {

std::string name(const json::object& o) {
    return str(o, {"metadata", "name"});
}

std::vector<std::string> strings(const json::array* array) {
    std::vector<std::string> out;
    if (array != nullptr) {
        for (const json::value& v : *array) {
            if (v.is_string()) {
                out.emplace_back(v.get_string());
            }
        }
    }
    return out;
}

// loadBalancerStatusStringer with wide output: unique IPs (or host names), sorted.
std::string loadBalancerIngress(const json::object& object) {
    std::set<std::string> result;
    if (const json::array* ingress = findArray(object, {"status", "loadBalancer", "ingress"})) {
        for (const json::value& i : *ingress) {
            const json::object* entry = i.if_object();
            if (entry == nullptr) {
                continue;
            }
            std::string ip = str(*entry, {"ip"});
            std::string host = str(*entry, {"hostname"});
            if (!ip.empty()) {
                result.insert(ip);
            } else if (!host.empty()) {
                result.insert(host);
            }
        }
    }
    return join(std::vector<std::string>(result.begin(), result.end()), ",");
}

std::string serviceExternalIP(const json::object& svc) {
    std::string type = str(svc, {"spec", "type"});
    std::vector<std::string> externalIPs = strings(findArray(svc, {"spec", "externalIPs"}));
    if (type == "ClusterIP" || type == "NodePort") {
        return externalIPs.empty() ? "<none>" : join(externalIPs, ",");
    }
    if (type == "LoadBalancer") {
        std::string lbIPs = loadBalancerIngress(svc);
        if (!externalIPs.empty()) {
            std::vector<std::string> results;
            if (!lbIPs.empty()) {
                results.push_back(lbIPs);
            }
            results.insert(results.end(), externalIPs.begin(), externalIPs.end());
            return join(results, ",");
        }
        return lbIPs.empty() ? "<pending>" : lbIPs;
    }
    if (type == "ExternalName") {
        return str(svc, {"spec", "externalName"});
    }
    return "<unknown>";
}

std::string servicePorts(const json::object& svc) {
    std::vector<std::string> pieces;
    if (const json::array* ports = findArray(svc, {"spec", "ports"})) {
        for (const json::value& p : *ports) {
            const json::object* port = p.if_object();
            if (port == nullptr) {
                continue;
            }
            int64_t nodePort = integer(*port, {"nodePort"});
            std::string protocol = str(*port, {"protocol"});
            if (nodePort > 0) {
                pieces.push_back(
                    fmt::format("{}:{}/{}", integer(*port, {"port"}), nodePort, protocol));
            } else {
                pieces.push_back(fmt::format("{}/{}", integer(*port, {"port"}), protocol));
            }
        }
    }
    std::string text = join(pieces, ",");
    return text.empty() ? "<none>" : text;
}

json::array serviceCells(const json::object& svc, TimePoint now) {
    std::string clusterIP = "<none>";
    std::vector<std::string> clusterIPs = strings(findArray(svc, {"spec", "clusterIPs"}));
    if (!clusterIPs.empty()) {
        clusterIP = clusterIPs.front();
    } else if (std::string ip = str(svc, {"spec", "clusterIP"}); !ip.empty()) {
        clusterIP = ip;
    }
    json::array cells;
    cells.emplace_back(name(svc));
    cells.emplace_back(str(svc, {"spec", "type"}));
    cells.emplace_back(clusterIP);
    cells.emplace_back(serviceExternalIP(svc));
    cells.emplace_back(servicePorts(svc));
    cells.emplace_back(age(svc, now));
    cells.emplace_back(formatLabels(findObject(svc, {"spec", "selector"})));
    return cells;
}

std::string joinHostPort(const std::string& host, int64_t port) {
    if (host.find(':') != std::string::npos) {
        return fmt::format("[{}]:{}", host, port);
    }
    return fmt::format("{}:{}", host, port);
}

// formatEndpoints with all ports: at most three entries, then "+ N more...".
std::string formatEndpoints(const json::object& endpoints) {
    const json::array* subsets = findArray(endpoints, {"subsets"});
    if (subsets == nullptr || subsets->empty()) {
        return "<none>";
    }
    constexpr size_t Max = 3;
    std::vector<std::string> list;
    bool more = false;
    size_t total = 0;
    for (const json::value& s : *subsets) {
        const json::object* subset = s.if_object();
        if (subset == nullptr) {
            continue;
        }
        const json::array* addresses = findArray(*subset, {"addresses"});
        size_t addressCount = addresses == nullptr ? 0 : addresses->size();
        const json::array* ports = findArray(*subset, {"ports"});
        if (ports == nullptr || ports->empty()) {
            total += addressCount;
            for (size_t i = 0; i < addressCount; ++i) {
                if (list.size() == Max) {
                    more = true;
                    break;
                }
                const json::object* address = (*addresses)[i].if_object();
                list.push_back(address == nullptr ? "" : str(*address, {"ip"}));
            }
            continue;
        }
        for (const json::value& p : *ports) {
            const json::object* port = p.if_object();
            int64_t number = port == nullptr ? 0 : integer(*port, {"port"});
            total += addressCount;
            for (size_t i = 0; i < addressCount; ++i) {
                if (list.size() == Max) {
                    more = true;
                    break;
                }
                const json::object* address = (*addresses)[i].if_object();
                list.push_back(
                    joinHostPort(address == nullptr ? "" : str(*address, {"ip"}), number));
            }
        }
    }
    std::string text = join(list, ",");
    if (more) {
        return fmt::format("{} + {} more...", text, total - Max);
    }
    return text;
}

json::array endpointsCells(const json::object& ep, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(ep));
    cells.emplace_back(formatEndpoints(ep));
    cells.emplace_back(age(ep, now));
    return cells;
}

json::array configMapCells(const json::object& cm, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(cm));
    cells.emplace_back(count(cm, {"data"}) + count(cm, {"binaryData"}));
    cells.emplace_back(age(cm, now));
    return cells;
}

json::array secretCells(const json::object& secret, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(secret));
    cells.emplace_back(str(secret, {"type"}));
    cells.emplace_back(count(secret, {"data"}));
    cells.emplace_back(age(secret, now));
    return cells;
}

json::array namespaceCells(const json::object& ns, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(ns));
    cells.emplace_back(str(ns, {"status", "phase"}));
    cells.emplace_back(age(ns, now));
    return cells;
}

std::string nodeAddress(const json::object& node, std::string_view type) {
    if (const json::array* addresses = findArray(node, {"status", "addresses"})) {
        for (const json::value& a : *addresses) {
            const json::object* address = a.if_object();
            if (address != nullptr && str(*address, {"type"}) == type) {
                return str(*address, {"address"});
            }
        }
    }
    return "<none>";
}

std::string nodeRoles(const json::object& node) {
    constexpr std::string_view Prefix = "node-role.kubernetes.io/";
    std::set<std::string> roles;
    if (const json::object* labels = findObject(node, {"metadata", "labels"})) {
        for (const auto& label : *labels) {
            std::string_view key = label.key();
            if (key.starts_with(Prefix)) {
                if (key.size() > Prefix.size()) {
                    roles.emplace(key.substr(Prefix.size()));
                }
            } else if (key == "kubernetes.io/role" && label.value().is_string() &&
                       !label.value().get_string().empty()) {
                roles.emplace(label.value().get_string());
            }
        }
    }
    std::string text = join(std::vector<std::string>(roles.begin(), roles.end()), ",");
    return text.empty() ? "<none>" : text;
}

json::array nodeCells(const json::object& node, TimePoint now) {
    std::vector<std::string> status;
    if (const json::array* conditions = findArray(node, {"status", "conditions"})) {
        // The last Ready condition wins, as in the upstream map-by-type lookup.
        std::optional<std::string> ready;
        for (const json::value& c : *conditions) {
            const json::object* condition = c.if_object();
            if (condition != nullptr && str(*condition, {"type"}) == "Ready") {
                ready = str(*condition, {"status"}) == "True" ? "Ready" : "NotReady";
            }
        }
        if (ready) {
            status.push_back(*ready);
        }
    }
    if (status.empty()) {
        status.emplace_back("Unknown");
    }
    if (boolean(node, {"spec", "unschedulable"})) {
        status.emplace_back("SchedulingDisabled");
    }
    auto orUnknown = [](std::string value) {
        return value.empty() ? std::string("<unknown>") : value;
    };
    json::array cells;
    cells.emplace_back(name(node));
    cells.emplace_back(join(status, ","));
    cells.emplace_back(nodeRoles(node));
    cells.emplace_back(age(node, now));
    cells.emplace_back(str(node, {"status", "nodeInfo", "kubeletVersion"}));
    cells.emplace_back(nodeAddress(node, "InternalIP"));
    cells.emplace_back(nodeAddress(node, "ExternalIP"));
    cells.emplace_back(orUnknown(str(node, {"status", "nodeInfo", "osImage"})));
    cells.emplace_back(orUnknown(str(node, {"status", "nodeInfo", "kernelVersion"})));
    cells.emplace_back(orUnknown(str(node, {"status", "nodeInfo", "containerRuntimeVersion"})));
    return cells;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string trim(std::string_view text) {
    size_t begin = 0;
    size_t end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) {
        ++begin;
    }
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) {
        --end;
    }
    return std::string(text.substr(begin, end - begin));
}

// Core v1 events and events.k8s.io/v1 events print the same; the latter name fields differently.
json::array eventCells(const json::object& event, TimePoint now) {
    bool newApi = event.contains("regarding") || event.contains("note") ||
                  event.contains("deprecatedFirstTimestamp");
    auto field = [&](std::string_view core, std::string_view events) {
        return newApi ? find(event, {events}) : find(event, {core});
    };
    const json::value* first = field("firstTimestamp", "deprecatedFirstTimestamp");
    const json::value* last = field("lastTimestamp", "deprecatedLastTimestamp");
    std::string firstSeen =
        timeOf(first) ? since(first, now) : since(find(event, {"eventTime"}), now);
    std::string lastSeen = timeOf(last) ? since(last, now) : firstSeen;
    const json::value* countValue = field("count", "deprecatedCount");
    int64_t eventCount = countValue == nullptr ? 0 : asInteger(*countValue).value_or(0);
    if (const json::object* series = findObject(event, {"series"})) {
        lastSeen = since(find(*series, {"lastObservedTime"}), now);
        eventCount = integer(*series, {"count"});
    } else if (eventCount == 0) {
        eventCount = 1;
    }
    const json::object* involved =
        findObject(event, {newApi ? std::string_view("regarding") : "involvedObject"});
    std::string kind = involved == nullptr ? "" : str(*involved, {"kind"});
    std::string involvedName = involved == nullptr ? "" : str(*involved, {"name"});
    std::string target = involvedName.empty() ? lower(kind) : lower(kind) + "/" + involvedName;
    std::string sourcePath = newApi ? "deprecatedSource" : "source";
    std::string component = str(event, {sourcePath, "component"});
    if (component.empty()) {
        component = str(event, {"reportingController"});
    }
    if (component.empty()) {
        component = str(event, {"reportingComponent"});
    }
    std::string host = str(event, {sourcePath, "host"});
    if (host.empty()) {
        host = str(event, {"reportingInstance"});
    }
    std::string source = host.empty() ? component : component + ", " + host;

    json::array cells;
    cells.emplace_back(lastSeen);
    cells.emplace_back(str(event, {"type"}));
    cells.emplace_back(str(event, {"reason"}));
    cells.emplace_back(target);
    cells.emplace_back(involved == nullptr ? "" : str(*involved, {"fieldPath"}));
    cells.emplace_back(source);
    cells.emplace_back(trim(str(event, {newApi ? std::string_view("note") : "message"})));
    cells.emplace_back(firstSeen);
    cells.emplace_back(eventCount);
    cells.emplace_back(name(event));
    return cells;
}

// GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, duplicates dropped.
std::string accessModes(const json::array* modes) {
    std::vector<std::string> values = strings(modes);
    auto has = [&](std::string_view mode) {
        return std::find(values.begin(), values.end(), mode) != values.end();
    };
    std::vector<std::string> out;
    if (has("ReadWriteOnce")) {
        out.emplace_back("RWO");
    }
    if (has("ReadOnlyMany")) {
        out.emplace_back("ROX");
    }
    if (has("ReadWriteMany")) {
        out.emplace_back("RWX");
    }
    if (has("ReadWriteOncePod")) {
        out.emplace_back("RWOP");
    }
    return join(out, ",");
}

std::string storageClassOf(const json::object& object) {
    if (const json::value* beta =
            find(object, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"})) {
        if (beta->is_string()) {
            return std::string(beta->get_string());
        }
    }
    return str(object, {"spec", "storageClassName"});
}

bool deleting(const json::object& object) {
    const json::value* deletion = find(object, {"metadata", "deletionTimestamp"});
    return deletion != nullptr && !deletion->is_null();
}

json::array persistentVolumeCells(const json::object& pv, TimePoint now) {
    std::string claim;
    if (const json::object* ref = findObject(pv, {"spec", "claimRef"})) {
        claim = str(*ref, {"namespace"}) + "/" + str(*ref, {"name"});
    }
    json::array cells;
    cells.emplace_back(name(pv));
    cells.emplace_back(quantityText(find(pv, {"spec", "capacity", "storage"})));
    cells.emplace_back(accessModes(findArray(pv, {"spec", "accessModes"})));
    cells.emplace_back(str(pv, {"spec", "persistentVolumeReclaimPolicy"}));
    cells.emplace_back(deleting(pv) ? std::string("Terminating") : str(pv, {"status", "phase"}));
    cells.emplace_back(claim);
    cells.emplace_back(storageClassOf(pv));
    cells.emplace_back(str(pv, {"spec", "volumeAttributesClassName"}, "<unset>"));
    cells.emplace_back(str(pv, {"status", "reason"}));
    cells.emplace_back(age(pv, now));
    cells.emplace_back(str(pv, {"spec", "volumeMode"}, "<unset>"));
    return cells;
}

json::array persistentVolumeClaimCells(const json::object& pvc, TimePoint now) {
    std::string volume = str(pvc, {"spec", "volumeName"});
    std::string capacity;
    std::string modes;
    if (!volume.empty()) {
        modes = accessModes(findArray(pvc, {"status", "accessModes"}));
        capacity = quantityText(find(pvc, {"status", "capacity", "storage"}));
    }
    json::array cells;
    cells.emplace_back(name(pvc));
    cells.emplace_back(deleting(pvc) ? std::string("Terminating") : str(pvc, {"status", "phase"}));
    cells.emplace_back(volume);
    cells.emplace_back(capacity);
    cells.emplace_back(modes);
    cells.emplace_back(storageClassOf(pvc));
    cells.emplace_back(str(pvc, {"spec", "volumeAttributesClassName"}, "<unset>"));
    cells.emplace_back(age(pvc, now));
    cells.emplace_back(str(pvc, {"spec", "volumeMode"}, "<unset>"));
    return cells;
}

json::array serviceAccountCells(const json::object& sa, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(sa));
    cells.emplace_back(count(sa, {"secrets"}));
    cells.emplace_back(age(sa, now));
    return cells;
}

json::array resourceQuotaCells(const json::object& quota, TimePoint now) {
    std::vector<std::string> resources;
    const json::object* hard = findObject(quota, {"status", "hard"});
    const json::object* used = findObject(quota, {"status", "used"});
    if (hard != nullptr) {
        for (const auto& member : *hard) {
            resources.emplace_back(member.key());
        }
    }
    std::sort(resources.begin(), resources.end());
    std::vector<std::string> requests;
    std::vector<std::string> limits;
    for (const std::string& resource : resources) {
        const json::value* usedValue = used == nullptr ? nullptr : used->if_contains(resource);
        std::string entry = fmt::format("{}: {}/{}", resource, quantityText(usedValue),
                                        quantityText(hard->if_contains(resource)));
        size_t dot = resource.find('.');
        if (dot != std::string::npos && resource.substr(0, dot) == "limits") {
            limits.push_back(entry);
        } else {
            requests.push_back(entry);
        }
    }
    json::array cells;
    cells.emplace_back(name(quota));
    cells.emplace_back(join(requests, ", "));
    cells.emplace_back(join(limits, ", "));
    cells.emplace_back(age(quota, now));
    return cells;
}

} // namespace

void addCorePrinters(PrinterMap& printers) {
    addPrinter(printers, "services",
               {nameColumn(),
                column("Type", "string",
                       "type determines how the Service is exposed. Defaults to ClusterIP."),
                column("Cluster-IP", "string",
                       "clusterIP is the IP address of the service and is usually assigned "
                       "randomly."),
                column("External-IP", "string",
                       "externalIPs is a list of IP addresses for which nodes in the cluster "
                       "will also accept traffic for this service."),
                column("Port(s)", "string", "The list of ports that are exposed by this service."),
                ageColumn(),
                column("Selector", "string",
                       "Route service traffic to pods with label keys and values matching this "
                       "selector.",
                       1)},
               serviceCells);

    addPrinter(
        printers, "endpoints",
        {nameColumn(),
         column("Endpoints", "string", "The set of all endpoints is the union of all subsets."),
         ageColumn()},
        endpointsCells);

    addPrinter(printers, "configmaps",
               {nameColumn(),
                column("Data", "string",
                       "Data contains the configuration data. Each key must consist of "
                       "alphanumeric characters, '-', '_' or '.'."),
                ageColumn()},
               configMapCells);

    addPrinter(printers, "secrets",
               {nameColumn(),
                column("Type", "string",
                       "Used to facilitate programmatic handling of secret "
                       "data."),
                column("Data", "string",
                       "Data contains the secret data. Each key must consist of alphanumeric "
                       "characters, '-', '_' or '.'."),
                ageColumn()},
               secretCells);

    addPrinter(
        printers, "namespaces",
        {nameColumn(), column("Status", "string", "The status of the namespace"), ageColumn()},
        namespaceCells);

    addPrinter(
        printers, "nodes",
        {nameColumn(), column("Status", "string", "The status of the node"),
         column("Roles", "string", "The roles of the node"), ageColumn(),
         column("Version", "string", "Kubelet Version reported by the node."),
         column("Internal-IP", "string", "List of addresses reachable to the node.", 1),
         column("External-IP", "string", "List of addresses reachable to the node.", 1),
         column("OS-Image", "string", "OS Image reported by the node from /etc/os-release.", 1),
         column("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r'.",
                1),
         column("Container-Runtime", "string",
                "ContainerRuntime Version reported by the node through runtime remote API.", 1)},
        nodeCells);

    ColumnDefinition eventName = nameColumn();
    eventName.priority = 1;
    addPrinter(
        printers, "events",
        {column("Last Seen", "string",
                "The time at which the most recent occurrence of this event was "
                "recorded."),
         column("Type", "string", "Type of this event (Normal, Warning)."),
         column("Reason", "string",
                "This should be a short, machine understandable string that gives the "
                "reason for the transition into the object's current status."),
         column("Object", "string", "The object that this event is about."),
         column("Subobject", "string",
                "If referring to a piece of an object instead of an entire object, this "
                "string should contain a valid JSON/Go field access statement.",
                1),
         column("Source", "string",
                "The component reporting this event. Should be a short machine "
                "understandable string.",
                1),
         column("Message", "string",
                "A human-readable description of the status of this operation."),
         column("First Seen", "string", "The time at which the event was first recorded.", 1),
         column("Count", "string", "The number of times this event has occurred.", 1), eventName},
        eventCells);

    addPrinter(printers, "persistentvolumes",
               {nameColumn(),
                column("Capacity", "string",
                       "capacity is the description of the persistent volume's resources and "
                       "capacity."),
                column("Access Modes", "string",
                       "accessModes contains all ways the volume can be mounted."),
                column("Reclaim Policy", "string",
                       "persistentVolumeReclaimPolicy defines what happens to a persistent "
                       "volume when released from its claim."),
                column("Status", "string",
                       "phase indicates if a volume is available, bound to a claim, or released "
                       "by a claim."),
                column("Claim", "string",
                       "claimRef is part of a bi-directional binding between "
                       "PersistentVolume and PersistentVolumeClaim."),
                column("StorageClass", "string", "StorageClass of the pv"),
                column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
                column("Reason", "string",
                       "reason is a brief CamelCase string that describes any failure."),
                ageColumn(),
                column("VolumeMode", "string",
                       "volumeMode defines if a volume is intended to be used with a formatted "
                       "filesystem or to remain in raw block state.",
                       1)},
               persistentVolumeCells);

    addPrinter(printers, "persistentvolumeclaims",
               {nameColumn(),
                column("Status", "string",
                       "phase represents the current phase of "
                       "PersistentVolumeClaim."),
                column("Volume", "string",
                       "volumeName is the binding reference to the PersistentVolume backing "
                       "this claim."),
                column("Capacity", "string",
                       "capacity represents the actual resources of the underlying volume."),
                column("Access Modes", "string",
                       "accessModes contains the actual access modes the volume backing the "
                       "PVC has."),
                column("StorageClass", "string", "StorageClass of the pvc"),
                column("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
                ageColumn(),
                column("VolumeMode", "string",
                       "volumeMode defines what type of volume is required by the claim.", 1)},
               persistentVolumeClaimCells);

    addPrinter(printers, "serviceaccounts",
               {nameColumn(),
                column("Secrets", "string",
                       "Secrets is a list of the secrets in the same namespace that pods "
                       "running using this ServiceAccount are allowed to use."),
                ageColumn()},
               serviceAccountCells);

    addPrinter(printers, "resourcequotas",
               {nameColumn(),
                column("Request", "string",
                       "Request represents a minimum amount of cpu/memory that a container may "
                       "consume."),
                column("Limit", "string",
                       "Limits control the maximum amount of cpu/memory that a container may "
                       "use independent of contention on the node."),
                ageColumn()},
               resourceQuotaCells);
}

} // namespace pilot::printers::detail
