// Printers for the networking, storage, RBAC, scheduling, coordination, discovery, node,
// certificates and admission-registration kinds.

#include "engine/printers/printutil.h"

#include <fmt/format.h>

#include <set>

namespace pilot::printers::detail {
namespace json = boost::json;

namespace {

std::string name(const json::object& o) {
    return str(o, {"metadata", "name"});
}

std::string annotation(const json::object& o, std::string_view key) {
    return str(o, {"metadata", "annotations", key});
}

json::array storageClassCells(const json::object& sc, TimePoint now) {
    std::string displayName = name(sc);
    if (annotation(sc, "storageclass.kubernetes.io/is-default-class") == "true" ||
        annotation(sc, "storageclass.beta.kubernetes.io/is-default-class") == "true") {
        displayName += " (default)";
    }
    json::array cells;
    cells.emplace_back(displayName);
    cells.emplace_back(str(sc, {"provisioner"}));
    cells.emplace_back(str(sc, {"reclaimPolicy"}, "Delete"));
    cells.emplace_back(str(sc, {"volumeBindingMode"}, "Immediate"));
    cells.emplace_back(boolean(sc, {"allowVolumeExpansion"}));
    cells.emplace_back(age(sc, now));
    return cells;
}

std::string ingressHosts(const json::object& ingress) {
    const json::array* rules = findArray(ingress, {"spec", "rules"});
    std::vector<std::string> list;
    constexpr size_t Max = 3;
    bool more = false;
    size_t ruleCount = rules == nullptr ? 0 : rules->size();
    if (rules != nullptr) {
        for (const json::value& r : *rules) {
            if (list.size() == Max) {
                more = true;
            }
            const json::object* rule = r.if_object();
            std::string host = rule == nullptr ? "" : str(*rule, {"host"});
            if (!more && !host.empty()) {
                list.push_back(host);
            }
        }
    }
    if (list.empty()) {
        return "*";
    }
    if (more) {
        return fmt::format("{} + {} more...", join(list, ","), ruleCount - Max);
    }
    return join(list, ",");
}

json::array ingressCells(const json::object& ingress, TimePoint now) {
    std::set<std::string> addresses;
    if (const json::array* lb = findArray(ingress, {"status", "loadBalancer", "ingress"})) {
        for (const json::value& v : *lb) {
            const json::object* entry = v.if_object();
            if (entry == nullptr) {
                continue;
            }
            std::string ip = str(*entry, {"ip"});
            std::string host = str(*entry, {"hostname"});
            if (!ip.empty()) {
                addresses.insert(ip);
            } else if (!host.empty()) {
                addresses.insert(host);
            }
        }
    }
    const json::array* tls = findArray(ingress, {"spec", "tls"});
    json::array cells;
    cells.emplace_back(name(ingress));
    cells.emplace_back(str(ingress, {"spec", "ingressClassName"}, "<none>"));
    cells.emplace_back(ingressHosts(ingress));
    cells.emplace_back(join(std::vector<std::string>(addresses.begin(), addresses.end()), ","));
    cells.emplace_back(tls != nullptr && !tls->empty() ? "80, 443" : "80");
    cells.emplace_back(age(ingress, now));
    return cells;
}

json::array ingressClassCells(const json::object& ic, TimePoint now) {
    std::string parameters = "<none>";
    if (const json::object* p = findObject(ic, {"spec", "parameters"})) {
        parameters = str(*p, {"kind"});
        if (const json::value* group = p->if_contains("apiGroup"); group && group->is_string()) {
            parameters += "." + std::string(group->get_string());
        }
        parameters += "/" + str(*p, {"name"});
    }
    json::array cells;
    cells.emplace_back(name(ic));
    cells.emplace_back(str(ic, {"spec", "controller"}));
    cells.emplace_back(parameters);
    cells.emplace_back(age(ic, now));
    return cells;
}

json::array networkPolicyCells(const json::object& np, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(np));
    cells.emplace_back(formatLabelSelector(findObject(np, {"spec", "podSelector"})));
    cells.emplace_back(age(np, now));
    return cells;
}

std::string listWithMore(const std::vector<std::string>& list, bool more, size_t total,
                         size_t max) {
    std::string text = join(list, ",");
    if (more) {
        return fmt::format("{} + {} more...", text, total - max);
    }
    return text.empty() ? "<unset>" : text;
}

json::array endpointSliceCells(const json::object& slice, TimePoint now) {
    constexpr size_t Max = 3;
    std::vector<std::string> ports;
    bool morePorts = false;
    size_t portCount = 0;
    if (const json::array* list = findArray(slice, {"ports"})) {
        for (const json::value& p : *list) {
            const json::object* port = p.if_object();
            if (ports.size() < Max) {
                std::string text = "*";
                if (port != nullptr) {
                    if (std::optional<int64_t> number = optInteger(*port, {"port"})) {
                        text = std::to_string(*number);
                    } else if (const json::value* n = port->if_contains("name");
                               n && n->is_string()) {
                        text = std::string(n->get_string());
                    }
                }
                ports.push_back(text);
            } else if (ports.size() == Max) {
                morePorts = true;
            }
            ++portCount;
        }
    }
    std::vector<std::string> addresses;
    bool moreAddresses = false;
    size_t addressCount = 0;
    if (const json::array* endpoints = findArray(slice, {"endpoints"})) {
        for (const json::value& e : *endpoints) {
            const json::object* endpoint = e.if_object();
            const json::array* list =
                endpoint == nullptr ? nullptr : findArray(*endpoint, {"addresses"});
            if (list == nullptr) {
                continue;
            }
            for (const json::value& a : *list) {
                if (addresses.size() < Max) {
                    addresses.push_back(a.is_string() ? std::string(a.get_string()) : "");
                } else if (addresses.size() == Max) {
                    moreAddresses = true;
                }
                ++addressCount;
            }
        }
    }
    json::array cells;
    cells.emplace_back(name(slice));
    cells.emplace_back(str(slice, {"addressType"}));
    cells.emplace_back(listWithMore(ports, morePorts, portCount, Max));
    cells.emplace_back(listWithMore(addresses, moreAddresses, addressCount, Max));
    cells.emplace_back(age(slice, now));
    return cells;
}

json::array leaseCells(const json::object& lease, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(lease));
    cells.emplace_back(str(lease, {"spec", "holderIdentity"}));
    cells.emplace_back(age(lease, now));
    return cells;
}

json::array priorityClassCells(const json::object& pc, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(pc));
    cells.emplace_back(integer(pc, {"value"}));
    cells.emplace_back(boolean(pc, {"globalDefault"}));
    cells.emplace_back(age(pc, now));
    cells.emplace_back(str(pc, {"preemptionPolicy"}));
    return cells;
}

// rbac.SubjectsStrings: users, groups and "namespace/name" service accounts, ", "-joined.
json::array roleBindingCells(const json::object& rb, TimePoint now) {
    std::vector<std::string> users;
    std::vector<std::string> groups;
    std::vector<std::string> serviceAccounts;
    if (const json::array* subjects = findArray(rb, {"subjects"})) {
        for (const json::value& s : *subjects) {
            const json::object* subject = s.if_object();
            if (subject == nullptr) {
                continue;
            }
            std::string kind = str(*subject, {"kind"});
            if (kind == "ServiceAccount") {
                serviceAccounts.push_back(str(*subject, {"namespace"}) + "/" +
                                          str(*subject, {"name"}));
            } else if (kind == "User") {
                users.push_back(str(*subject, {"name"}));
            } else if (kind == "Group") {
                groups.push_back(str(*subject, {"name"}));
            }
        }
    }
    json::array cells;
    cells.emplace_back(name(rb));
    cells.emplace_back(str(rb, {"roleRef", "kind"}) + "/" + str(rb, {"roleRef", "name"}));
    cells.emplace_back(age(rb, now));
    cells.emplace_back(join(users, ", "));
    cells.emplace_back(join(groups, ", "));
    cells.emplace_back(join(serviceAccounts, ", "));
    return cells;
}

json::array runtimeClassCells(const json::object& rc, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(rc));
    cells.emplace_back(str(rc, {"handler"}));
    cells.emplace_back(age(rc, now));
    return cells;
}

json::array webhookConfigurationCells(const json::object& wc, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(wc));
    cells.emplace_back(count(wc, {"webhooks"}));
    cells.emplace_back(age(wc, now));
    return cells;
}

json::array csrCells(const json::object& csr, TimePoint now) {
    bool approved = false;
    bool denied = false;
    bool failed = false;
    if (const json::array* conditions = findArray(csr, {"status", "conditions"})) {
        for (const json::value& c : *conditions) {
            const json::object* condition = c.if_object();
            std::string type = condition == nullptr ? "" : str(*condition, {"type"});
            approved = approved || type == "Approved";
            denied = denied || type == "Denied";
            failed = failed || type == "Failed";
        }
    }
    std::string status = denied ? "Denied" : approved ? "Approved" : "Pending";
    if (failed) {
        status += ",Failed";
    }
    if (!str(csr, {"status", "certificate"}).empty()) {
        status += ",Issued";
    }
    std::string duration = "<none>";
    if (std::optional<int64_t> seconds = optInteger(csr, {"spec", "expirationSeconds"})) {
        duration = formatAge(std::chrono::seconds(*seconds));
    }
    json::array cells;
    cells.emplace_back(name(csr));
    cells.emplace_back(age(csr, now));
    cells.emplace_back(str(csr, {"spec", "signerName"}, "<none>"));
    cells.emplace_back(str(csr, {"spec", "username"}));
    cells.emplace_back(duration);
    cells.emplace_back(status);
    return cells;
}

json::array volumeAttachmentCells(const json::object& va, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(va));
    cells.emplace_back(str(va, {"spec", "attacher"}));
    cells.emplace_back(str(va, {"spec", "source", "persistentVolumeName"}));
    cells.emplace_back(str(va, {"spec", "nodeName"}));
    cells.emplace_back(boolean(va, {"status", "attached"}));
    cells.emplace_back(age(va, now));
    return cells;
}

json::array csiNodeCells(const json::object& node, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(node));
    cells.emplace_back(count(node, {"spec", "drivers"}));
    cells.emplace_back(age(node, now));
    return cells;
}

} // namespace

void addClusterPrinters(PrinterMap& printers) {
    addPrinter(
        printers, "storageclasses",
        {nameColumn(),
         column("Provisioner", "string", "provisioner indicates the type of the provisioner."),
         column("ReclaimPolicy", "string",
                "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
                "PersistentVolumes of this storage class. Defaults to Delete."),
         column("VolumeBindingMode", "string",
                "volumeBindingMode indicates how PersistentVolumeClaims should be "
                "provisioned and bound."),
         column("AllowVolumeExpansion", "string",
                "allowVolumeExpansion shows whether the storage class allow volume "
                "expand."),
         ageColumn()},
        storageClassCells);

    addPrinter(printers, "ingresses",
               {nameColumn(),
                column("Class", "string",
                       "The name of the IngressClass resource that should be used for "
                       "additional configuration"),
                column("Hosts", "string",
                       "Hosts that incoming requests are matched against before the ingress "
                       "rule"),
                column("Address", "string",
                       "Address is a list containing ingress points for the load-balancer"),
                column("Ports", "string", "Ports of TLS configurations that open"), ageColumn()},
               ingressCells);

    addPrinter(
        printers, "ingressclasses",
        {nameColumn(),
         column("Controller", "string", "Controller that is responsible for handling this class"),
         column("Parameters", "string", "A reference to a resource with additional parameters"),
         ageColumn()},
        ingressClassCells);

    addPrinter(printers, "networkpolicies",
               {nameColumn(),
                column("Pod-Selector", "string",
                       "Selects the pods to which this NetworkPolicy object applies."),
                ageColumn()},
               networkPolicyCells);

    addPrinter(
        printers, "endpointslices",
        {nameColumn(),
         column("AddressType", "string",
                "addressType specifies the type of address carried by this "
                "EndpointSlice."),
         column("Ports", "string",
                "ports specifies the list of network ports exposed by each endpoint in "
                "this slice."),
         column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
         ageColumn()},
        endpointSliceCells);

    addPrinter(printers, "leases",
               {nameColumn(),
                column("Holder", "string",
                       "holderIdentity contains the identity of the holder of a current "
                       "lease."),
                ageColumn()},
               leaseCells);

    addPrinter(
        printers, "priorityclasses",
        {nameColumn(),
         column("Value", "integer", "value represents the integer value of this priority class."),
         column("Global-Default", "boolean",
                "globalDefault specifies whether this PriorityClass should be considered "
                "as the default priority for pods that do not have any priority class."),
         ageColumn(),
         column("PreemptionPolicy", "string",
                "preemptionPolicy is the Policy for preempting pods with lower "
                "priority.")},
        priorityClassCells);

    for (std::string_view kind : {"roleBinding", "clusterRoleBinding"}) {
        std::string plural = kind == "roleBinding" ? "rolebindings" : "clusterrolebindings";
        addPrinter(printers, plural,
                   {nameColumn(),
                    column("Role", "string",
                           "RoleRef can reference a Role in the current namespace or a "
                           "ClusterRole in the global namespace."),
                    ageColumn(), column("Users", "string", fmt::format("Users in the {}", kind), 1),
                    column("Groups", "string", fmt::format("Groups in the {}", kind), 1),
                    column("ServiceAccounts", "string",
                           fmt::format("ServiceAccounts in the {}", kind), 1)},
                   roleBindingCells);
    }

    addPrinter(printers, "runtimeclasses",
               {nameColumn(),
                column("Handler", "string",
                       "handler specifies the underlying runtime and configuration that the "
                       "CRI implementation will use to handle pods of this class."),
                ageColumn()},
               runtimeClassCells);

    for (std::string_view plural :
         {"mutatingwebhookconfigurations", "validatingwebhookconfigurations"}) {
        addPrinter(printers, plural,
                   {nameColumn(),
                    column("Webhooks", "integer",
                           "Webhooks indicates the number of webhooks registered in this "
                           "configuration"),
                    ageColumn()},
                   webhookConfigurationCells);
    }

    addPrinter(printers, "certificatesigningrequests",
               {nameColumn(), ageColumn(),
                column("SignerName", "string",
                       "Requested signer for the request. It is a qualified name in the form: "
                       "`scope-hostname.io/name`."),
                column("Requestor", "string", "Information about the requesting user."),
                column("RequestedDuration", "string",
                       "expirationSeconds is the requested duration of validity of the issued "
                       "certificate."),
                column("Condition", "string",
                       "Conditions applied to the request, such as approval or denial.")},
               csrCells);

    addPrinter(printers, "volumeattachments",
               {nameColumn(),
                [] {
                    ColumnDefinition c = column("Attacher", "string",
                                                "Attacher indicates the name of the volume "
                                                "driver that MUST handle this request.");
                    c.format = "name";
                    return c;
                }(),
                column("PV", "string", "Name of the persistent volume to attach."),
                column("Node", "string", "The node that the volume should be attached to."),
                column("Attached", "boolean", "Indicates the volume is successfully attached."),
                ageColumn()},
               volumeAttachmentCells);

    addPrinter(printers, "csinodes",
               {nameColumn(),
                column("Drivers", "integer",
                       "Drivers indicates the number of CSI drivers registered on the node"),
                ageColumn()},
               csiNodeCells);
}

} // namespace pilot::printers::detail
