#include "engine/quota/evaluator.h"

#include "engine/quota/podresources.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>

namespace pilot::quota {
namespace json = boost::json;
using kube::Quantity;

namespace {

constexpr std::string_view StorageClassSuffix = ".storageclass.storage.k8s.io/";
constexpr std::string_view RequestsPrefix = "requests.";

const GroupResource Pods{"", "pods"};
const GroupResource Services{"", "services"};
const GroupResource Claims{"", "persistentvolumeclaims"};

/// The object-count names kept from before `count/<resource>` existed.
const std::map<std::string, std::string, std::less<>>& legacyCountNames() {
    static const std::map<std::string, std::string, std::less<>> names{
        {"configmaps", "configmaps"},
        {"secrets", "secrets"},
        {"replicationcontrollers", "replicationcontrollers"},
        {"resourcequotas", "resourcequotas"}};
    return names;
}

const ResourceNames& podResourceNames() {
    static const ResourceNames names{"count/pods",
                                     "cpu",
                                     "memory",
                                     "ephemeral-storage",
                                     "requests.cpu",
                                     "requests.memory",
                                     "requests.ephemeral-storage",
                                     "limits.cpu",
                                     "limits.memory",
                                     "limits.ephemeral-storage",
                                     "pods"};
    return names;
}

Quantity one() {
    return Quantity::fromValue(1);
}

/// An extended resource (`example.com/gpu`): has a domain that is not kubernetes.io.
bool isExtendedResourceName(std::string_view name) {
    return name.find('/') != std::string_view::npos &&
           name.find("kubernetes.io/") == std::string_view::npos &&
           !name.starts_with(RequestsPrefix);
}

bool isExtendedResourceNameForQuota(std::string_view name) {
    return name.starts_with(RequestsPrefix) &&
           isExtendedResourceName(name.substr(RequestsPrefix.size()));
}

/// podComputeUsageHelper: pod requests and limits under their quota names.
ResourceList computeUsage(const ResourceList& requests, const ResourceList& limits) {
    ResourceList out{{"pods", one()}};
    for (std::string_view name : {"cpu", "memory", "ephemeral-storage"}) {
        if (auto r = requests.find(name); r != requests.end()) {
            out[std::string(name)] = r->second;
            out[fmt::format("requests.{}", name)] = r->second;
        }
        if (auto l = limits.find(name); l != limits.end()) {
            out[fmt::format("limits.{}", name)] = l->second;
        }
    }
    for (const auto& [name, quantity] : requests) {
        if (name.starts_with("hugepages-")) {
            out[name] = quantity;
            out[fmt::format("requests.{}", name)] = quantity;
        }
        if (isExtendedResourceName(name)) {
            out[fmt::format("requests.{}", name)] = quantity;
        }
    }
    return out;
}

/// QuotaV1Pod: terminal pods and pods stuck terminating past their grace period are free.
bool chargedCompute(const json::object& pod, TimePoint now) {
    std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
    if (phase == "Succeeded" || phase == "Failed") {
        return false;
    }
    const json::object* meta = kube::metadataOf(pod);
    std::string_view deletion = kube::deletionTimestamp(pod);
    std::optional<int64_t> grace =
        meta ? kube::integerAt(*meta, "deletionGracePeriodSeconds") : std::nullopt;
    if (!deletion.empty() && grace) {
        auto at = parseTime(deletion);
        if (at && now > *at + std::chrono::seconds(*grace)) {
            return false;
        }
    }
    return true;
}

ResourceList podUsage(const json::object& pod, TimePoint now) {
    ResourceList out{{"count/pods", one()}};
    if (!chargedCompute(pod, now)) {
        return out;
    }
    return add(out, computeUsage(podRequests(pod), podLimits(pod)));
}

ResourceList serviceUsage(const json::object& service) {
    const json::object* spec = kube::objectAt(service, "spec");
    const json::array* ports = spec ? kube::arrayAt(*spec, "ports") : nullptr;
    int64_t portCount = ports ? static_cast<int64_t>(ports->size()) : 0;
    ResourceList out{{"count/services", one()},
                     {"services", one()},
                     {"services.loadbalancers", Quantity()},
                     {"services.nodeports", Quantity()}};
    std::string type = kube::stringAt(spec, "type");
    if (type == "NodePort") {
        out["services.nodeports"] = Quantity::fromValue(portCount);
    } else if (type == "LoadBalancer") {
        out["services.loadbalancers"] = one();
        if (spec == nullptr ||
            kube::boolAt(*spec, "allocateLoadBalancerNodePorts").value_or(true)) {
            out["services.nodeports"] = Quantity::fromValue(portCount);
        }
    }
    return out;
}

std::string claimClass(const json::object& claim) {
    if (auto beta = kube::annotation(claim, "volume.beta.kubernetes.io/storage-class")) {
        return std::string(*beta);
    }
    return kube::stringAt(kube::objectAt(claim, "spec"), "storageClassName");
}

ResourceList claimUsage(const json::object& claim) {
    ResourceList out{{"count/persistentvolumeclaims", one()}, {"persistentvolumeclaims", one()}};
    std::string className = claimClass(claim);
    if (!className.empty()) {
        out[fmt::format("{}{}persistentvolumeclaims", className, StorageClassSuffix)] = one();
    }
    const json::object* requests =
        kube::objectAt(kube::objectAt(kube::objectAt(claim, "spec"), "resources"), "requests");
    const json::value* storage = requests ? requests->if_contains("storage") : nullptr;
    if (storage == nullptr) {
        return out;
    }
    auto requested = Quantity::fromJson(*storage);
    if (!requested) {
        return out;
    }
    // Whole bytes, as upstream rounds storage requests up.
    Quantity bytes = Quantity::fromValue(requested->value(), requested->format());
    Quantity charged = bytes.compare(*requested) == 0 ? *requested : bytes;
    out["requests.storage"] = charged;
    if (!className.empty()) {
        out[fmt::format("{}{}requests.storage", className, StorageClassSuffix)] = charged;
    }
    return out;
}

bool isTerminating(const json::object& pod) {
    const json::object* spec = kube::objectAt(pod, "spec");
    std::optional<int64_t> deadline =
        spec ? kube::integerAt(*spec, "activeDeadlineSeconds") : std::nullopt;
    return deadline && *deadline >= 0;
}

bool crossNamespaceTerms(const json::object* affinity, std::string_view kind) {
    const json::object* terms = kube::objectAt(affinity, kind);
    if (terms == nullptr) {
        return false;
    }
    auto crosses = [](const json::object* term) {
        if (term == nullptr) {
            return false;
        }
        const json::array* namespaces = kube::arrayAt(*term, "namespaces");
        return (namespaces && !namespaces->empty()) || kube::has(*term, "namespaceSelector");
    };
    if (const json::array* required =
            kube::arrayAt(*terms, "requiredDuringSchedulingIgnoredDuringExecution")) {
        for (const json::value& t : *required) {
            if (crosses(t.if_object())) {
                return true;
            }
        }
    }
    if (const json::array* preferred =
            kube::arrayAt(*terms, "preferredDuringSchedulingIgnoredDuringExecution")) {
        for (const json::value& t : *preferred) {
            if (crosses(kube::objectAt(t.if_object(), "podAffinityTerm"))) {
                return true;
            }
        }
    }
    return false;
}

bool podMatchesScope(const ScopeSelector& scope, const json::object& pod) {
    if (scope.scopeName == "Terminating") {
        return isTerminating(pod);
    }
    if (scope.scopeName == "NotTerminating") {
        return !isTerminating(pod);
    }
    if (scope.scopeName == "BestEffort") {
        return isBestEffort(pod);
    }
    if (scope.scopeName == "NotBestEffort") {
        return !isBestEffort(pod);
    }
    if (scope.scopeName == "PriorityClass") {
        std::string className = kube::stringAt(kube::objectAt(pod, "spec"), "priorityClassName");
        bool listed = std::ranges::find(scope.values, className) != scope.values.end();
        if (scope.op == "Exists") {
            return !className.empty();
        }
        if (scope.op == "In") {
            return listed;
        }
        if (scope.op == "NotIn") {
            return !listed;
        }
        return false; // DoesNotExist: the scope label is always present
    }
    if (scope.scopeName == "CrossNamespacePodAffinity") {
        const json::object* affinity = kube::objectAt(kube::objectAt(pod, "spec"), "affinity");
        return crossNamespaceTerms(affinity, "podAffinity") ||
               crossNamespaceTerms(affinity, "podAntiAffinity");
    }
    return false;
}

std::optional<GroupResource> parseCountName(std::string_view name) {
    if (!name.starts_with("count/") || name.size() == 6) {
        return std::nullopt;
    }
    std::string_view rest = name.substr(6);
    size_t dot = rest.find('.');
    if (dot == std::string_view::npos) {
        return GroupResource{"", std::string(rest)};
    }
    return GroupResource{std::string(rest.substr(dot + 1)), std::string(rest.substr(0, dot))};
}

} // namespace

std::string objectCountName(const GroupResource& gr) {
    return gr.group.empty() ? fmt::format("count/{}", gr.resource)
                            : fmt::format("count/{}.{}", gr.resource, gr.group);
}

std::vector<ScopeSelector> scopeSelectorsOf(const json::object& quota) {
    std::vector<ScopeSelector> out;
    const json::object* spec = kube::objectAt(quota, "spec");
    if (spec == nullptr) {
        return out;
    }
    for (const std::string& scope : kube::stringsAt(*spec, "scopes")) {
        out.push_back(ScopeSelector{scope, "Exists", {}});
    }
    const json::object* selector = kube::objectAt(*spec, "scopeSelector");
    if (const json::array* expressions =
            selector ? kube::arrayAt(*selector, "matchExpressions") : nullptr) {
        for (const json::value& e : *expressions) {
            if (const json::object* expression = e.if_object()) {
                out.push_back(ScopeSelector{kube::stringAt(*expression, "scopeName"),
                                            kube::stringAt(*expression, "operator"),
                                            kube::stringsAt(*expression, "values")});
            }
        }
    }
    return out;
}

ResourceNames matchingResources(const GroupResource& gr, const ResourceNames& names) {
    ResourceNames out;
    for (const std::string& name : names) {
        bool match = false;
        if (gr == Pods) {
            match = podResourceNames().contains(name) || name.starts_with("hugepages-") ||
                    name.starts_with("requests.hugepages-") || isExtendedResourceNameForQuota(name);
        } else if (gr == Services) {
            match = name == "count/services" || name == "services" ||
                    name == "services.loadbalancers" || name == "services.nodeports";
        } else if (gr == Claims) {
            match = name == "count/persistentvolumeclaims" || name == "persistentvolumeclaims" ||
                    name == "requests.storage" ||
                    name.ends_with(fmt::format("{}persistentvolumeclaims", StorageClassSuffix)) ||
                    name.ends_with(fmt::format("{}requests.storage", StorageClassSuffix));
        } else {
            auto legacy =
                gr.group.empty() ? legacyCountNames().find(gr.resource) : legacyCountNames().end();
            match = name == objectCountName(gr) ||
                    (legacy != legacyCountNames().end() && legacy->second == name);
        }
        if (match) {
            out.insert(name);
        }
    }
    return out;
}

bool chargesWrite(const GroupResource& gr, bool update) {
    return !update || gr == Services || gr == Claims;
}

ResourceList usageOf(const GroupResource& gr, const json::object& object, TimePoint now) {
    if (gr == Pods) {
        return podUsage(object, now);
    }
    if (gr == Services) {
        return serviceUsage(object);
    }
    if (gr == Claims) {
        return claimUsage(object);
    }
    ResourceList out{{objectCountName(gr), one()}};
    if (gr.group.empty()) {
        if (auto legacy = legacyCountNames().find(gr.resource);
            legacy != legacyCountNames().end()) {
            out[legacy->second] = one();
        }
    }
    return out;
}

bool matches(const GroupResource& gr, const ResourceNames& hardNames,
             const std::vector<ScopeSelector>& scopes, const json::object& object) {
    if (matchingResources(gr, hardNames).empty()) {
        return false;
    }
    for (const ScopeSelector& scope : scopes) {
        if (gr != Pods || !podMatchesScope(scope, object)) {
            return false;
        }
    }
    return true;
}

std::string checkConstraints(const GroupResource& gr, const ResourceNames& required,
                             const json::object& object) {
    if (gr != Pods) {
        return {};
    }
    static const ResourceNames validated{
        "cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"};
    ResourceNames needed;
    std::ranges::set_intersection(required, validated, std::inserter(needed, needed.end()));
    if (needed.empty()) {
        return {};
    }
    std::map<std::string, std::set<std::string>> missing;
    const json::object* spec = kube::objectAt(object, "spec");
    for (std::string_view list : {"containers", "initContainers"}) {
        const json::array* containers = spec ? kube::arrayAt(*spec, list) : nullptr;
        if (containers == nullptr) {
            continue;
        }
        for (const json::value& c : *containers) {
            const json::object* container = c.if_object();
            const json::object* resources = kube::objectAt(container, "resources");
            ResourceList usage =
                computeUsage(resourceListFromJson(kube::objectAt(resources, "requests")),
                             resourceListFromJson(kube::objectAt(resources, "limits")));
            for (const std::string& name : needed) {
                if (!usage.contains(name)) {
                    missing[name].insert(kube::stringAt(container, "name"));
                }
            }
        }
    }
    if (missing.empty()) {
        return {};
    }
    std::string out;
    for (const auto& [name, containers] : missing) {
        if (!out.empty()) {
            out += "; ";
        }
        out += fmt::format("{} for: {}", name, fmt::join(containers, ","));
    }
    return "must specify " + out;
}

std::vector<GroupResource> trackedResources(const ResourceNames& hardNames) {
    std::vector<GroupResource> out;
    ResourceNames covered;
    std::vector<GroupResource> known{Pods,
                                     Services,
                                     Claims,
                                     {"", "configmaps"},
                                     {"", "secrets"},
                                     {"", "replicationcontrollers"},
                                     {"", "resourcequotas"}};
    for (const GroupResource& gr : known) {
        ResourceNames matched = matchingResources(gr, hardNames);
        if (!matched.empty()) {
            out.push_back(gr);
            covered.insert(matched.begin(), matched.end());
        }
    }
    for (const std::string& name : hardNames) {
        if (covered.contains(name)) {
            continue;
        }
        if (auto gr = parseCountName(name); gr && std::ranges::find(out, *gr) == out.end()) {
            out.push_back(*gr);
        }
    }
    return out;
}

} // namespace pilot::quota
