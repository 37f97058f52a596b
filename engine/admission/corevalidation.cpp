// Validation of core kinds other than pods and workloads: services, config maps, secrets,
// namespaces, nodes and persistent volume claims (pkg/apis/core/validation).

#include "engine/admission/jsonaccess.h"
#include "engine/admission/validation.h"
#include "kube/jsonutil.h"
#include "kube/names.h"
#include "kube/quantity.h"

#include <fmt/format.h>

#include <set>

namespace pilot::admission::detail {
namespace json = boost::json;

namespace {

constexpr size_t MaxSecretSize = 1024 * 1024;

const json::object& orEmpty(const json::object* o) {
    static const json::object Empty;
    return o == nullptr ? Empty : *o;
}

// IsConfigMapKey: [-._a-zA-Z0-9]+, at most 253 characters, not "." / ".." / "..*".
std::vector<std::string> configKeyErrors(std::string_view k) {
    std::vector<std::string> errs;
    if (k.size() > 253) {
        errs.emplace_back("must be no more than 253 characters");
    }
    bool valid = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
    if (!valid) {
        errs.emplace_back("a valid config key must consist of alphanumeric characters, '-', '_' "
                          "or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used "
                          "for validation is '[-._a-zA-Z0-9]+')");
    }
    if (k == ".") {
        errs.emplace_back("must not be '.'");
    } else if (k == "..") {
        errs.emplace_back("must not be '..'");
    } else if (k.starts_with("..")) {
        errs.emplace_back("must not start with '..'");
    }
    return errs;
}

size_t dataKeys(const json::object* data, const std::string& path, Errors& errors) {
    size_t total = 0;
    if (data == nullptr) {
        return total;
    }
    for (const std::string& k : sortedKeys(*data)) {
        errors.invalidEach(key(path, k), k, configKeyErrors(k));
        const json::value& v = data->at(k);
        total += v.is_string() ? v.get_string().size() : 0;
    }
    return total;
}

bool headless(const json::object& spec) {
    std::vector<std::string> ips = stringsAt(spec, "clusterIPs");
    std::string ip = ips.empty() ? stringAt(spec, "clusterIP") : ips.front();
    return stringAt(spec, "type") == "ClusterIP" && ip == "None";
}

void validateServicePorts(const json::object& spec, Errors& errors) {
    const json::array* ports = arrayAt(spec, "ports");
    if (ports == nullptr) {
        return;
    }
    bool requireName = ports->size() > 1;
    std::set<std::string> names;
    for (size_t i = 0; i < ports->size(); ++i) {
        const json::object* port = (*ports)[i].if_object();
        if (port == nullptr) {
            continue;
        }
        const std::string path = index("spec.ports", i);
        std::string name = stringAt(*port, "name");
        if (requireName && name.empty()) {
            errors.required(child(path, "name"));
        } else if (!name.empty()) {
            errors.invalidEach(child(path, "name"), name, kube::validateDns1123Label(name));
            if (names.contains(name)) {
                errors.duplicate(child(path, "name"), goQuote(name));
            } else {
                names.insert(name);
            }
        }
        int64_t number = integerAt(*port, "port").value_or(0);
        if (number < 1 || number > 65535) {
            errors.invalid(child(path, "port"), std::to_string(number),
                           "must be between 1 and 65535, inclusive");
        }
        std::string protocol = stringAt(*port, "protocol");
        if (protocol.empty()) {
            errors.required(child(path, "protocol"));
        } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
            errors.notSupported(child(path, "protocol"), goQuote(protocol), {"SCTP", "TCP", "UDP"});
        }
        if (const json::value* target = port->if_contains("targetPort")) {
            if (target->is_string()) {
                std::string_view t = target->get_string();
                bool ok =
                    !t.empty() && t.size() <= 15 &&
                    std::all_of(t.begin(), t.end(),
                                [](char c) {
                                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                           c == '-';
                                }) &&
                    std::any_of(t.begin(), t.end(), [](char c) { return c >= 'a' && c <= 'z'; }) &&
                    t.find("--") == std::string_view::npos && t.front() != '-' && t.back() != '-';
                if (!ok) {
                    errors.invalid(child(path, "targetPort"), goQuote(t),
                                   "must contain only alpha-numeric characters (a-z, 0-9), and "
                                   "hyphens (-)");
                }
            } else if (std::optional<int64_t> n = asInteger(*target); n && (*n < 1 || *n > 65535)) {
                errors.invalid(child(path, "targetPort"), std::to_string(*n),
                               "must be between 1 and 65535, inclusive");
            }
        }
        if (stringAt(spec, "type") == "ClusterIP" &&
            integerAt(*port, "nodePort").value_or(0) != 0) {
            errors.forbidden(child(path, "nodePort"), "may not be used when `type` is 'ClusterIP'");
        }
    }
}

void validateService(const json::object& svc, const json::object* old, Errors& errors) {
    validateObjectMeta(svc, true, NameRule::Dns1035Label, errors);
    const json::object& spec = orEmpty(objectAt(svc, "spec"));
    std::string type = stringAt(spec, "type");
    const json::array* ports = arrayAt(spec, "ports");
    if ((ports == nullptr || ports->empty()) && !headless(spec) && type != "ExternalName") {
        errors.required("spec.ports");
    }
    if (type == "ExternalName") {
        std::string cname = stringAt(spec, "externalName");
        if (!cname.empty() && cname.back() == '.') {
            cname.pop_back();
        }
        if (cname.empty()) {
            errors.required("spec.externalName");
        } else {
            errors.invalidEach("spec.externalName", cname, kube::validateDns1123Subdomain(cname));
        }
    }
    validateServicePorts(spec, errors);
    validateLabels(objectAt(spec, "selector"), "spec.selector", errors);
    std::string affinity = stringAt(spec, "sessionAffinity");
    if (affinity.empty()) {
        errors.required("spec.sessionAffinity");
    } else if (affinity != "ClientIP" && affinity != "None") {
        errors.notSupported("spec.sessionAffinity", goQuote(affinity), {"ClientIP", "None"});
    }
    if (type.empty()) {
        errors.required("spec.type");
    } else if (type != "ClusterIP" && type != "ExternalName" && type != "LoadBalancer" &&
               type != "NodePort") {
        errors.notSupported("spec.type", goQuote(type),
                            {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"});
    }
    if (old == nullptr) {
        return;
    }
    // The primary cluster IP may not change once allocated (absent means "keep").
    const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
    if (type == "ExternalName" || stringAt(oldSpec, "type") == "ExternalName" ||
        (headless(spec) && headless(oldSpec))) {
        return;
    }
    std::vector<std::string> oldIPs = stringsAt(oldSpec, "clusterIPs");
    if (oldIPs.empty() && !stringAt(oldSpec, "clusterIP").empty()) {
        oldIPs.push_back(stringAt(oldSpec, "clusterIP"));
    }
    std::vector<std::string> newIPs = stringsAt(spec, "clusterIPs");
    if (newIPs.empty() && !stringAt(spec, "clusterIP").empty()) {
        newIPs.push_back(stringAt(spec, "clusterIP"));
    }
    if (!oldIPs.empty() && !newIPs.empty() && oldIPs.front() != newIPs.front()) {
        json::array list;
        for (const std::string& ip : newIPs) {
            list.emplace_back(ip);
        }
        errors.invalid("spec.clusterIPs[0]", goStringSlice(&list), "may not change once set");
    }
}

void validateConfigMap(const json::object& cm, const json::object* old, Errors& errors) {
    validateObjectMeta(cm, true, NameRule::Subdomain, errors);
    const json::object* data = objectAt(cm, "data");
    const json::object* binary = objectAt(cm, "binaryData");
    size_t total = dataKeys(data, "data", errors);
    if (data != nullptr && binary != nullptr) {
        for (const std::string& k : sortedKeys(*data)) {
            if (binary->contains(k)) {
                errors.invalid(key("data", k), goQuote(k),
                               "duplicate of key present in binaryData");
            }
        }
    }
    total += dataKeys(binary, "binaryData", errors);
    if (total > MaxSecretSize) {
        errors.tooLong("", MaxSecretSize);
    }
    if (old != nullptr && boolAt(*old, "immutable").value_or(false)) {
        if (!boolAt(cm, "immutable").value_or(false)) {
            errors.forbidden("immutable", "field is immutable when `immutable` is set");
        }
        for (std::string_view field : {"data", "binaryData"}) {
            const json::value* now = cm.if_contains(field);
            const json::value* before = old->if_contains(field);
            json::value a = now == nullptr ? json::value() : *now;
            json::value b = before == nullptr ? json::value() : *before;
            if (!kube::jsonEqual(a, b)) {
                errors.forbidden(std::string(field), "field is immutable when `immutable` is set");
            }
        }
    }
}

void validateSecret(const json::object& secret, const json::object* old, Errors& errors) {
    validateObjectMeta(secret, true, NameRule::Subdomain, errors);
    const json::object* data = objectAt(secret, "data");
    size_t total = dataKeys(data, "data", errors);
    if (total > MaxSecretSize) {
        errors.tooLong("data", MaxSecretSize);
    }
    std::string type = stringAt(secret, "type");
    auto requireKey = [&](std::string_view k) {
        if (data == nullptr || !data->contains(k)) {
            errors.required(key("data", k));
        }
    };
    if (type == "kubernetes.io/tls") {
        requireKey("tls.crt");
        requireKey("tls.key");
    } else if (type == "kubernetes.io/dockerconfigjson") {
        requireKey(".dockerconfigjson");
    } else if (type == "kubernetes.io/dockercfg") {
        requireKey(".dockercfg");
    } else if (type == "kubernetes.io/ssh-auth") {
        requireKey("ssh-privatekey");
    } else if (type == "kubernetes.io/service-account-token") {
        const json::object* meta = objectAt(secret, "metadata");
        const json::object* annotations =
            meta == nullptr ? nullptr : objectAt(*meta, "annotations");
        if (annotations == nullptr ||
            stringAt(*annotations, "kubernetes.io/service-account.name").empty()) {
            errors.required("metadata.annotations[kubernetes.io/service-account.name]");
        }
    }
    if (old == nullptr) {
        return;
    }
    std::string oldType = stringAt(*old, "type");
    if (type != oldType) {
        errors.invalid("type", goQuote(type), "field is immutable");
    }
    if (boolAt(*old, "immutable").value_or(false)) {
        if (!boolAt(secret, "immutable").value_or(false)) {
            errors.forbidden("immutable", "field is immutable when `immutable` is set");
        }
        const json::value* now = secret.if_contains("data");
        const json::value* before = old->if_contains("data");
        if (!kube::jsonEqual(now == nullptr ? json::value() : *now,
                             before == nullptr ? json::value() : *before)) {
            errors.forbidden("data", "field is immutable when `immutable` is set");
        }
    }
}

void validateNamespace(const json::object& ns, Errors& errors) {
    validateObjectMeta(ns, false, NameRule::Label, errors);
    const json::object* spec = objectAt(ns, "spec");
    if (spec == nullptr) {
        return;
    }
    for (const std::string& finalizer : stringsAt(*spec, "finalizers")) {
        std::vector<std::string> msgs = kube::validateQualifiedName(finalizer);
        if (msgs.empty() && finalizer.find('/') == std::string::npos && finalizer != "kubernetes") {
            msgs.emplace_back("name is neither a standard finalizer name nor is it fully "
                              "qualified");
        }
        errors.invalidEach("spec.finalizers", finalizer, msgs);
    }
}

void validateNode(const json::object& node, Errors& errors) {
    validateObjectMeta(node, false, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(node, "spec"));
    const json::array* taints = arrayAt(spec, "taints");
    if (taints == nullptr) {
        return;
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < taints->size(); ++i) {
        const json::object* taint = (*taints)[i].if_object();
        if (taint == nullptr) {
            continue;
        }
        const std::string path = index("spec.taints", i);
        std::string k = stringAt(*taint, "key");
        std::string value = stringAt(*taint, "value");
        std::string effect = stringAt(*taint, "effect");
        errors.invalidEach(child(path, "key"), k, kube::validateQualifiedName(k));
        std::vector<std::string> valueErrors = kube::validateLabelValue(value);
        if (!valueErrors.empty()) {
            errors.invalid(child(path, "value"), goQuote(value), kube::joinMessages(valueErrors));
        }
        if (effect.empty()) {
            errors.required(child(path, "effect"));
        } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" &&
                   effect != "NoExecute") {
            errors.notSupported(child(path, "effect"), goQuote(effect),
                                {"NoSchedule", "PreferNoSchedule", "NoExecute"});
        }
        if (!seen.insert({effect, k}).second) {
            errors.duplicate(path,
                             fmt::format("core.Taint{{Key:{}, Value:{}, Effect:{}, "
                                         "TimeAdded:(*v1.Time)(nil)}}",
                                         goQuote(k), goQuote(value), goQuote(effect)),
                             "taints must be unique by key and effect pair");
        }
    }
}

void validatePersistentVolumeClaim(const json::object& pvc, const json::object* old,
                                   Errors& errors) {
    validateObjectMeta(pvc, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(pvc, "spec"));
    const json::array* modes = arrayAt(spec, "accessModes");
    if (modes == nullptr || modes->empty()) {
        errors.required("spec.accessModes", "at least 1 access mode is required");
    } else {
        for (const std::string& mode : stringsAt(spec, "accessModes")) {
            if (mode != "ReadWriteOnce" && mode != "ReadOnlyMany" && mode != "ReadWriteMany" &&
                mode != "ReadWriteOncePod") {
                errors.notSupported(
                    "spec.accessModes", goQuote(mode),
                    {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"});
            }
        }
    }
    const json::object* resources = objectAt(spec, "resources");
    const json::object* requests =
        resources == nullptr ? nullptr : objectAt(*resources, "requests");
    const json::value* storage = requests == nullptr ? nullptr : requests->if_contains("storage");
    if (storage == nullptr) {
        errors.required("spec.resources[storage]");
    } else if (Result<kube::Quantity> q = kube::Quantity::fromJson(*storage); !q) {
        errors.invalid("spec.resources[storage]", goScalar(*storage), q.error().message);
    } else if (q->sign() <= 0) {
        errors.invalid("spec.resources[storage]", goQuote(q->toString()),
                       "must be greater than zero");
    }
    if (old == nullptr) {
        return;
    }
    const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
    json::object now = spec;
    json::object before = oldSpec;
    if (stringAt(oldSpec, "volumeName").empty()) {
        now.erase("volumeName"); // binding fills it in once
        before.erase("volumeName");
    }
    for (json::object* s : {&now, &before}) {
        if (json::object* r = mutableObject(*s, "resources")) {
            r->erase("requests");
        }
    }
    if (!kube::jsonEqual(json::value(now), json::value(before))) {
        errors.forbidden("spec",
                         "spec is immutable after creation except resources.requests for bound "
                         "claims");
    }
    const json::object* oldResources = objectAt(oldSpec, "resources");
    const json::object* oldRequests =
        oldResources == nullptr ? nullptr : objectAt(*oldResources, "requests");
    const json::value* oldStorage =
        oldRequests == nullptr ? nullptr : oldRequests->if_contains("storage");
    if (storage != nullptr && oldStorage != nullptr) {
        Result<kube::Quantity> a = kube::Quantity::fromJson(*storage);
        Result<kube::Quantity> b = kube::Quantity::fromJson(*oldStorage);
        if (a && b && a->compare(*b) < 0) {
            errors.forbidden("spec.resources.requests.storage",
                             "field can not be less than previous value");
        }
    }
}

} // namespace

void validateCoreKind(std::string_view plural, const json::object& object, const json::object* old,
                      Errors& errors) {
    if (plural == "services") {
        validateService(object, old, errors);
    } else if (plural == "configmaps") {
        validateConfigMap(object, old, errors);
    } else if (plural == "secrets") {
        validateSecret(object, old, errors);
    } else if (plural == "namespaces") {
        validateNamespace(object, errors);
    } else if (plural == "nodes") {
        validateNode(object, errors);
    } else if (plural == "persistentvolumeclaims") {
        validatePersistentVolumeClaim(object, old, errors);
    }
}

} // namespace pilot::admission::detail
