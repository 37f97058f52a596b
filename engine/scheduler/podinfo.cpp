#include "engine/scheduler/podinfo.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

namespace pilot::scheduler {

namespace json = boost::json;

namespace {

/// The built-in classes the API server creates (scheduling.k8s.io), for clusters where the
/// informer has not delivered them.
std::optional<int32_t> builtinPriority(std::string_view className) {
    if (className == "system-node-critical") {
        return 2000001000;
    }
    if (className == "system-cluster-critical") {
        return 2000000000;
    }
    return std::nullopt;
}

void addHostPorts(const json::array* containers, bool sidecarsOnly, std::vector<HostPort>& out) {
    if (containers == nullptr) {
        return;
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
            if (port == nullptr) {
                continue;
            }
            int64_t hostPort = kube::integerAt(*port, "hostPort").value_or(0);
            if (hostPort <= 0) {
                continue;
            }
            HostPort hp;
            hp.port = static_cast<int32_t>(hostPort);
            if (std::string ip = kube::stringAt(*port, "hostIP"); !ip.empty()) {
                hp.ip = std::move(ip);
            }
            if (std::string protocol = kube::stringAt(*port, "protocol"); !protocol.empty()) {
                hp.protocol = std::move(protocol);
            }
            out.push_back(std::move(hp));
        }
    }
}

void addImages(const json::array* containers, std::vector<std::string>& out) {
    if (containers == nullptr) {
        return;
    }
    for (const json::value& c : *containers) {
        const json::object* container = c.if_object();
        if (container == nullptr) {
            continue;
        }
        std::string image = kube::stringAt(*container, "image");
        if (image.empty()) {
            continue;
        }
        size_t colon = image.rfind(':');
        size_t slash = image.rfind('/');
        if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) {
            image += ":latest";
        }
        out.push_back(std::move(image));
    }
}

void parseAffinity(const json::object& affinity, PodInfo& info) {
    auto parseTerms = [&](const json::object* group, std::vector<AffinityTerm>& required,
                          std::vector<WeightedAffinityTerm>& preferred) {
        if (group == nullptr) {
            return;
        }
        if (const json::array* terms =
                kube::arrayAt(*group, "requiredDuringSchedulingIgnoredDuringExecution")) {
            for (const json::value& t : *terms) {
                const json::object* term = t.if_object();
                if (term == nullptr) {
                    continue;
                }
                auto parsed = affinityTermOf(*term, info.ns, info.labels);
                if (!parsed) {
                    info.parseError = parsed.error().message;
                    continue;
                }
                required.push_back(std::move(*parsed));
            }
        }
        if (const json::array* terms =
                kube::arrayAt(*group, "preferredDuringSchedulingIgnoredDuringExecution")) {
            for (const json::value& t : *terms) {
                const json::object* weighted = t.if_object();
                const json::object* term =
                    weighted != nullptr ? kube::objectAt(*weighted, "podAffinityTerm") : nullptr;
                if (term == nullptr) {
                    continue;
                }
                auto parsed = affinityTermOf(*term, info.ns, info.labels);
                if (!parsed) {
                    info.parseError = parsed.error().message;
                    continue;
                }
                int32_t weight =
                    static_cast<int32_t>(kube::integerAt(*weighted, "weight").value_or(0));
                preferred.push_back(WeightedAffinityTerm{weight, std::move(*parsed)});
            }
        }
    };
    parseTerms(kube::objectAt(affinity, "podAffinity"), info.requiredAffinity,
               info.preferredAffinity);
    parseTerms(kube::objectAt(affinity, "podAntiAffinity"), info.requiredAntiAffinity,
               info.preferredAntiAffinity);

    const json::object* nodeAffinity = kube::objectAt(affinity, "nodeAffinity");
    if (nodeAffinity == nullptr) {
        return;
    }
    if (const json::object* required =
            kube::objectAt(*nodeAffinity, "requiredDuringSchedulingIgnoredDuringExecution")) {
        info.requiredNodeAffinity = nodeSelectorOf(*required);
    }
    if (const json::array* preferred =
            kube::arrayAt(*nodeAffinity, "preferredDuringSchedulingIgnoredDuringExecution")) {
        for (const json::value& p : *preferred) {
            const json::object* term = p.if_object();
            if (term == nullptr) {
                continue;
            }
            const json::object* preference = kube::objectAt(*term, "preference");
            PreferredNodeTerm out;
            out.weight = static_cast<int32_t>(kube::integerAt(*term, "weight").value_or(0));
            if (preference != nullptr) {
                out.term = nodeSelectorTermOf(*preference);
            }
            info.preferredNodeAffinity.push_back(std::move(out));
        }
    }
}

void parseSpread(const json::array& constraints, PodInfo& info) {
    for (const json::value& c : constraints) {
        const json::object* constraint = c.if_object();
        if (constraint == nullptr) {
            continue;
        }
        SpreadConstraint out;
        out.maxSkew = static_cast<int32_t>(kube::integerAt(*constraint, "maxSkew").value_or(1));
        out.topologyKey = kube::stringAt(*constraint, "topologyKey");
        out.doNotSchedule = kube::stringAt(*constraint, "whenUnsatisfiable") != "ScheduleAnyway";
        out.minDomains =
            static_cast<int32_t>(kube::integerAt(*constraint, "minDomains").value_or(1));
        out.honorNodeAffinity = kube::stringAt(*constraint, "nodeAffinityPolicy") != "Ignore";
        out.honorNodeTaints = kube::stringAt(*constraint, "nodeTaintsPolicy") == "Honor";
        // matchLabelKeys become `key In (own value)` requirements (upstream merges them at
        // PreFilter when the apiserver has not).
        json::object term{{"labelSelector", constraint->contains("labelSelector")
                                                ? constraint->at("labelSelector")
                                                : json::value()},
                          {"matchLabelKeys", constraint->contains("matchLabelKeys")
                                                 ? constraint->at("matchLabelKeys")
                                                 : json::value()}};
        auto parsed = affinityTermOf(term, info.ns, info.labels);
        if (!parsed) {
            info.parseError = parsed.error().message;
            continue;
        }
        out.selector = std::move(parsed->selector);
        info.spreadConstraints.push_back(std::move(out));
    }
}

} // namespace

bool HostPort::conflicts(const HostPort& other) const {
    if (port != other.port || protocol != other.protocol) {
        return false;
    }
    return ip == other.ip || ip == "0.0.0.0" || other.ip == "0.0.0.0";
}

bool PodInfo::matchesNodeSelectorAndAffinity(const json::object& nodeLabels,
                                             std::string_view nodeName) const {
    for (const auto& [key, value] : nodeSelector) {
        const json::value* v = nodeLabels.if_contains(key);
        if (v == nullptr || !v->is_string() || v->get_string() != value) {
            return false;
        }
    }
    return !requiredNodeAffinity || requiredNodeAffinity->matches(nodeLabels, nodeName);
}

PodInfoPtr makePodInfo(kube::ObjectPtr pod, const PriorityResolver& resolver) {
    auto info = std::make_shared<PodInfo>();
    const json::object& obj = *pod;
    info->object = pod;
    info->uid = kube::uid(obj);
    info->ns = kube::namespaceOf(obj);
    info->name = kube::name(obj);
    info->key = info->ns + "/" + info->name;
    info->resourceVersion = kube::resourceVersion(obj);
    info->terminating = kube::hasDeletionTimestamp(obj);
    if (auto created = parseTime(kube::creationTimestamp(obj))) {
        info->created = *created;
    }
    if (const json::object* labels = kube::labels(obj)) {
        info->labels = *labels;
    }
    const json::object* status = kube::objectAt(obj, "status");
    info->nominatedNodeName = kube::stringAt(status, "nominatedNodeName");
    if (auto started = parseTime(kube::stringAt(status, "startTime"))) {
        info->started = *started;
    }
    std::string phase = kube::stringAt(status, "phase");
    info->finished = phase == "Succeeded" || phase == "Failed";

    static const json::object empty;
    const json::object* specPtr = kube::objectAt(obj, "spec");
    const json::object& spec = specPtr != nullptr ? *specPtr : empty;
    info->nodeName = kube::stringAt(spec, "nodeName");
    if (const json::array* gates = kube::arrayAt(spec, "schedulingGates")) {
        info->gated = !gates->empty();
    }
    info->schedulerName = kube::stringAt(spec, "schedulerName");
    if (info->schedulerName.empty()) {
        info->schedulerName = DefaultSchedulerName;
    }
    info->preemptionPolicy = kube::stringAt(spec, "preemptionPolicy");
    if (info->preemptionPolicy.empty()) {
        info->preemptionPolicy = "PreemptLowerPriority";
    }
    if (auto priority = kube::integerAt(spec, "priority")) {
        info->priority = static_cast<int32_t>(*priority);
    } else if (std::string className = kube::stringAt(spec, "priorityClassName");
               !className.empty()) {
        std::optional<int32_t> resolved = resolver ? resolver(className) : std::nullopt;
        info->priority = resolved.value_or(builtinPriority(className).value_or(0));
    }

    info->requests = podRequests(spec);
    addHostPorts(kube::arrayAt(spec, "containers"), false, info->hostPorts);
    addHostPorts(kube::arrayAt(spec, "initContainers"), true, info->hostPorts);
    addImages(kube::arrayAt(spec, "initContainers"), info->images);
    addImages(kube::arrayAt(spec, "containers"), info->images);
    info->tolerations = tolerationsOf(kube::arrayAt(spec, "tolerations"));
    if (const json::object* selector = kube::objectAt(spec, "nodeSelector")) {
        for (const auto& [key, value] : *selector) {
            if (value.is_string()) {
                info->nodeSelector.emplace_back(std::string(key), std::string(value.get_string()));
            }
        }
    }
    if (const json::object* affinity = kube::objectAt(spec, "affinity")) {
        parseAffinity(*affinity, *info);
    }
    if (const json::array* spread = kube::arrayAt(spec, "topologySpreadConstraints")) {
        parseSpread(*spread, *info);
    }
    return info;
}

PodInfoPtr withNodeName(const PodInfoPtr& pod, std::string nodeName) {
    auto copy = std::make_shared<PodInfo>(*pod);
    copy->nodeName = std::move(nodeName);
    return copy;
}

} // namespace pilot::scheduler
