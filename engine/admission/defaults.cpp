// Defaults of the built-in kinds other than pods (pkg/apis/*/v1/defaults.go, plus the
// create-time fields kube-apiserver's registry strategies fill in: the Job selector and the
// namespace finalizer).

#include "engine/admission/admission.h"

#include "engine/admission/defaults.h"

#include "core/base64.h"
#include "engine/admission/jsonaccess.h"

#include <functional>
#include <optional>

namespace pilot::admission {
namespace json = boost::json;
using namespace detail;

namespace {

void forEachObject(json::object& parent, std::string_view member,
                   const std::function<void(json::object&)>& fn) {
    if (json::array* list = mutableArray(parent, member)) {
        for (json::value& v : *list) {
            if (json::object* o = v.if_object()) {
                fn(*o);
            }
        }
    }
}

void defaultPortsProtocol(json::object& holder) {
    forEachObject(holder, "ports", [](json::object& port) { setDefault(port, "protocol", "TCP"); });
}

json::object* specOf(json::object& object) {
    return ensureObject(object, "spec");
}

void defaultDeployment(json::object& d) {
    json::object* spec = specOf(d);
    if (spec == nullptr) {
        return;
    }
    setDefault(*spec, "replicas", 1);
    if (json::object* strategy = ensureObject(*spec, "strategy")) {
        setDefault(*strategy, "type", "RollingUpdate");
        if (stringAt(*strategy, "type") == "RollingUpdate") {
            if (json::object* rolling = ensureObject(*strategy, "rollingUpdate")) {
                setDefault(*rolling, "maxUnavailable", "25%");
                setDefault(*rolling, "maxSurge", "25%");
            }
        }
    }
    setDefault(*spec, "revisionHistoryLimit", 10);
    setDefault(*spec, "progressDeadlineSeconds", 600);
    defaultPodTemplate(*spec, "template");
}

void defaultReplicaSet(json::object& rs) {
    if (json::object* spec = specOf(rs)) {
        setDefault(*spec, "replicas", 1);
        defaultPodTemplate(*spec, "template");
    }
}

void defaultStatefulSet(json::object& sts) {
    json::object* spec = specOf(sts);
    if (spec == nullptr) {
        return;
    }
    setDefault(*spec, "podManagementPolicy", "OrderedReady");
    if (json::object* strategy = ensureObject(*spec, "updateStrategy")) {
        if (!has(*strategy, "type")) {
            (*strategy)["type"] = "RollingUpdate";
            setDefault(*strategy, "rollingUpdate", json::object());
        }
        if (stringAt(*strategy, "type") == "RollingUpdate") {
            if (json::object* rolling = mutableObject(*strategy, "rollingUpdate")) {
                setDefault(*rolling, "partition", 0);
            }
        }
    }
    if (json::object* retention = ensureObject(*spec, "persistentVolumeClaimRetentionPolicy")) {
        setDefault(*retention, "whenDeleted", "Retain");
        setDefault(*retention, "whenScaled", "Retain");
    }
    setDefault(*spec, "replicas", 1);
    setDefault(*spec, "revisionHistoryLimit", 10);
    defaultPodTemplate(*spec, "template");
    forEachObject(*spec, "volumeClaimTemplates", defaultPersistentVolumeClaim);
}

void defaultDaemonSet(json::object& ds) {
    json::object* spec = specOf(ds);
    if (spec == nullptr) {
        return;
    }
    if (json::object* strategy = ensureObject(*spec, "updateStrategy")) {
        setDefault(*strategy, "type", "RollingUpdate");
        if (stringAt(*strategy, "type") == "RollingUpdate") {
            if (json::object* rolling = ensureObject(*strategy, "rollingUpdate")) {
                setDefault(*rolling, "maxUnavailable", 1);
                setDefault(*rolling, "maxSurge", 0);
            }
        }
    }
    setDefault(*spec, "revisionHistoryLimit", 10);
    defaultPodTemplate(*spec, "template");
}

// The job strategy's generateSelector: pods carry the job's uid and name, the selector matches
// the uid. Needs metadata.uid, so it only happens once the server has assigned one.
void generateJobSelector(json::object& job, json::object& spec) {
    if (boolAt(spec, "manualSelector").value_or(false)) {
        return;
    }
    const json::object* metadata = objectAt(job, "metadata");
    std::string uid = metadata == nullptr ? "" : stringAt(*metadata, "uid");
    std::string name = metadata == nullptr ? "" : stringAt(*metadata, "name");
    if (uid.empty()) {
        return;
    }
    json::object* tmpl = ensureObject(spec, "template");
    json::object* meta = tmpl == nullptr ? nullptr : ensureObject(*tmpl, "metadata");
    json::object* labels = meta == nullptr ? nullptr : ensureObject(*meta, "labels");
    if (labels != nullptr) {
        for (std::string_view label : {"job-name", "batch.kubernetes.io/job-name"}) {
            setDefault(*labels, label, json::string(name));
        }
        for (std::string_view label : {"controller-uid", "batch.kubernetes.io/controller-uid"}) {
            setDefault(*labels, label, json::string(uid));
        }
    }
    json::object* selector = ensureObject(spec, "selector");
    json::object* matchLabels =
        selector == nullptr ? nullptr : ensureObject(*selector, "matchLabels");
    if (matchLabels != nullptr) {
        setDefault(*matchLabels, "batch.kubernetes.io/controller-uid", json::string(uid));
    }
}

void defaultJob(json::object& job) {
    // Create metadata first: inserting into `job` later would move the spec object.
    ensureObject(job, "metadata");
    json::object* spec = specOf(job);
    if (spec == nullptr) {
        return;
    }
    if (!has(*spec, "completions") && !has(*spec, "parallelism")) {
        (*spec)["completions"] = 1;
        (*spec)["parallelism"] = 1;
    }
    setDefault(*spec, "parallelism", 1);
    setDefault(*spec, "backoffLimit", has(*spec, "backoffLimitPerIndex") ? 2147483647 : 6);
    setDefault(*spec, "completionMode", "NonIndexed");
    setDefault(*spec, "suspend", false);
    setDefault(*spec, "podReplacementPolicy",
               has(*spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
    generateJobSelector(job, *spec);
    // A job without labels takes its pod template's labels (the generated ones included, as
    // the stored job shows them once read back).
    const json::object* tmpl = objectAt(*spec, "template");
    const json::object* tmplMeta = tmpl == nullptr ? nullptr : objectAt(*tmpl, "metadata");
    const json::object* tmplLabels = tmplMeta == nullptr ? nullptr : objectAt(*tmplMeta, "labels");
    if (tmplLabels != nullptr) {
        if (json::object* metadata = ensureObject(job, "metadata")) {
            const json::object* labels = objectAt(*metadata, "labels");
            if (labels == nullptr || labels->empty()) {
                (*metadata)["labels"] = *tmplLabels;
            }
        }
    }
    defaultPodTemplate(*spec, "template", PodSpecDefaults{.pod = false, .restartPolicy = false});
}

void defaultCronJob(json::object& cj) {
    json::object* spec = specOf(cj);
    if (spec == nullptr) {
        return;
    }
    setDefault(*spec, "concurrencyPolicy", "Allow");
    setDefault(*spec, "suspend", false);
    setDefault(*spec, "successfulJobsHistoryLimit", 3);
    setDefault(*spec, "failedJobsHistoryLimit", 1);
    json::object* jobTemplate = mutableObject(*spec, "jobTemplate");
    json::object* jobSpec = jobTemplate == nullptr ? nullptr : mutableObject(*jobTemplate, "spec");
    if (jobSpec != nullptr) {
        defaultPodTemplate(*jobSpec, "template",
                           PodSpecDefaults{.pod = false, .restartPolicy = false});
    }
}

void defaultReplicationController(json::object& rc) {
    ensureObject(rc, "metadata");
    json::object* spec = specOf(rc);
    if (spec == nullptr) {
        return;
    }
    const json::object* tmpl = objectAt(*spec, "template");
    const json::object* meta = tmpl == nullptr ? nullptr : objectAt(*tmpl, "metadata");
    const json::object* labels = meta == nullptr ? nullptr : objectAt(*meta, "labels");
    if (labels != nullptr) {
        const json::object* selector = objectAt(*spec, "selector");
        if (selector == nullptr || selector->empty()) {
            (*spec)["selector"] = *labels;
        }
        if (json::object* metadata = ensureObject(rc, "metadata")) {
            const json::object* own = objectAt(*metadata, "labels");
            if (own == nullptr || own->empty()) {
                (*metadata)["labels"] = *labels;
            }
        }
    }
    setDefault(*spec, "replicas", 1);
    defaultPodTemplate(*spec, "template");
}

void defaultService(json::object& svc) {
    json::object* spec = specOf(svc);
    if (spec == nullptr) {
        return;
    }
    setDefault(*spec, "sessionAffinity", "None");
    std::string affinity = stringAt(*spec, "sessionAffinity");
    if (affinity == "None") {
        spec->erase("sessionAffinityConfig");
    } else if (affinity == "ClientIP") {
        json::object* config = ensureObject(*spec, "sessionAffinityConfig");
        json::object* clientIP = config == nullptr ? nullptr : ensureObject(*config, "clientIP");
        if (clientIP != nullptr) {
            setDefault(*clientIP, "timeoutSeconds", 10800);
        }
    }
    setDefault(*spec, "type", "ClusterIP");
    std::string type = stringAt(*spec, "type");
    forEachObject(*spec, "ports", [](json::object& port) {
        setDefault(port, "protocol", "TCP");
        const json::value* target = port.if_contains("targetPort");
        bool unset = target == nullptr || target->is_null() ||
                     (target->is_string() && target->get_string().empty()) ||
                     asInteger(*target).value_or(1) == 0;
        if (unset && has(port, "port")) {
            port["targetPort"] = port["port"];
        }
    });
    bool externallyAccessible = type == "LoadBalancer" || type == "NodePort" ||
                                (type == "ClusterIP" && !stringsAt(*spec, "externalIPs").empty());
    if (externallyAccessible) {
        setDefault(*spec, "externalTrafficPolicy", "Cluster");
    }
    if (type == "ClusterIP" || type == "NodePort" || type == "LoadBalancer") {
        setDefault(*spec, "internalTrafficPolicy", "Cluster");
    }
    if (type == "LoadBalancer") {
        setDefault(*spec, "allocateLoadBalancerNodePorts", true);
    }
    if (type != "ExternalName") {
        setDefault(*spec, "ipFamilyPolicy", "SingleStack");
        if (!has(*spec, "ipFamilies")) {
            std::string ip = stringAt(*spec, "clusterIP");
            std::vector<std::string> ips = stringsAt(*spec, "clusterIPs");
            if (!ips.empty()) {
                ip = ips.front();
            }
            bool v6 = ip.find(':') != std::string::npos;
            (*spec)["ipFamilies"] = json::array{v6 ? "IPv6" : "IPv4"};
        }
    }
}

void defaultSecret(json::object& secret) {
    setDefault(secret, "type", "Opaque");
    // The v1 -> internal conversion folds stringData into data (stringData wins) and drops it.
    if (objectAt(secret, "stringData") != nullptr) {
        json::object* data = ensureObject(secret, "data");
        const json::object* stringData = objectAt(secret, "stringData");
        if (data != nullptr) {
            for (const auto& entry : *stringData) {
                if (entry.value().is_string()) {
                    (*data)[entry.key()] = base64Encode(entry.value().get_string());
                }
            }
            secret.erase("stringData");
        }
    } else if (const json::value* v = secret.if_contains("stringData"); v && v->is_null()) {
        secret.erase("stringData");
    }
}

void defaultNamespace(json::object& ns) {
    json::object* metadata = ensureObject(ns, "metadata");
    if (metadata == nullptr) {
        return;
    }
    std::string name = stringAt(*metadata, "name");
    if (!name.empty()) {
        if (json::object* labels = ensureObject(*metadata, "labels")) {
            (*labels)["kubernetes.io/metadata.name"] = name;
        }
    }
    // On create the namespace lifecycle needs the "kubernetes" finalizer; once deletion has
    // started the finalize call removes it and it must not come back.
    if (!has(*metadata, "deletionTimestamp")) {
        if (json::object* spec = ensureObject(ns, "spec")) {
            if (!has(*spec, "finalizers")) {
                (*spec)["finalizers"] = json::array{"kubernetes"};
            }
        }
    }
    if (json::object* status = ensureObject(ns, "status")) {
        setDefault(*status, "phase", "Active");
    }
}

void defaultNode(json::object& node) {
    json::object* status = mutableObject(node, "status");
    if (status == nullptr) {
        return;
    }
    if (const json::object* capacity = objectAt(*status, "capacity")) {
        setDefault(*status, "allocatable", *capacity);
    }
}

void defaultPersistentVolume(json::object& pv) {
    if (json::object* spec = specOf(pv)) {
        setDefault(*spec, "persistentVolumeReclaimPolicy", "Retain");
        setDefault(*spec, "volumeMode", "Filesystem");
    }
    if (json::object* status = ensureObject(pv, "status")) {
        setDefault(*status, "phase", "Pending");
    }
}

void defaultLimitRange(json::object& lr) {
    json::object* spec = mutableObject(lr, "spec");
    if (spec == nullptr) {
        return;
    }
    forEachObject(*spec, "limits", [](json::object& item) {
        if (stringAt(item, "type") != "Container") {
            return;
        }
        ensureObject(item, "default");
        ensureObject(item, "defaultRequest");
        json::object* def = mutableObject(item, "default");
        json::object* defRequest = mutableObject(item, "defaultRequest");
        if (def == nullptr || defRequest == nullptr) {
            return;
        }
        auto fill = [](json::object& into, const json::object* from) {
            if (from == nullptr) {
                return;
            }
            for (const auto& entry : *from) {
                if (!into.contains(entry.key())) {
                    into[entry.key()] = entry.value();
                }
            }
        };
        fill(*def, objectAt(item, "max"));
        fill(*defRequest, def);
        fill(*defRequest, objectAt(item, "min"));
    });
}

/// autoscaling/v2 SetDefaults_HorizontalPodAutoscalerBehavior: only a behavior that is set is
/// filled in. scaleUp: stabilization 0, policies Pods 4/15s and Percent 100/15s, selectPolicy
/// Max; scaleDown: Percent 100/15s, selectPolicy Max and no stabilization window (the
/// controller's --horizontal-pod-autoscaler-downscale-stabilization, 300 s, applies).
/// Fields the client set (selectPolicy, stabilizationWindowSeconds, policies) are kept.
void defaultHpaBehavior(json::object& spec) {
    json::value* behavior = spec.if_contains("behavior");
    if (behavior == nullptr || !behavior->is_object()) {
        return;
    }
    auto policy = [](std::string_view type, int64_t value) {
        return json::object{{"type", type}, {"value", value}, {"periodSeconds", 15}};
    };
    auto fill = [](json::object& behaviorObject, std::string_view direction,
                   std::optional<int64_t> stabilization, json::array policies) {
        json::value& rules = behaviorObject[direction];
        if (!rules.is_object()) {
            rules = json::object();
        }
        json::object& r = rules.as_object();
        if (stabilization) {
            setDefault(r, "stabilizationWindowSeconds", *stabilization);
        }
        setDefault(r, "selectPolicy", "Max");
        setDefault(r, "policies", std::move(policies));
    };
    fill(behavior->as_object(), "scaleUp", 0,
         json::array{policy("Pods", 4), policy("Percent", 100)});
    fill(behavior->as_object(), "scaleDown", std::nullopt, json::array{policy("Percent", 100)});
}

void defaultHorizontalPodAutoscaler(json::object& hpa, std::string_view version) {
    json::object* spec = specOf(hpa);
    if (spec == nullptr) {
        return;
    }
    setDefault(*spec, "minReplicas", 1);
    if (version == "v2" && !has(*spec, "metrics")) {
        (*spec)["metrics"] = json::array{json::object{
            {"type", "Resource"},
            {"resource", json::object{{"name", "cpu"},
                                      {"target", json::object{{"type", "Utilization"},
                                                              {"averageUtilization", 80}}}}}}};
    }
    if (version == "v2") {
        defaultHpaBehavior(*spec);
    }
    // What a new HPA reads before the controller's first sync: desiredReplicas is not
    // omitempty (nor, in v1, currentReplicas).
    if (json::object* status = ensureObject(hpa, "status")) {
        setDefault(*status, "desiredReplicas", 0);
        if (version == "v1") {
            setDefault(*status, "currentReplicas", 0);
        }
    }
}

void defaultNetworkPolicy(json::object& np) {
    json::object* spec = specOf(np);
    if (spec == nullptr) {
        return;
    }
    for (std::string_view direction : {"ingress", "egress"}) {
        forEachObject(*spec, direction, defaultPortsProtocol);
    }
    if (!has(*spec, "policyTypes")) {
        json::array types{"Ingress"};
        if (const json::array* egress = arrayAt(*spec, "egress"); egress && !egress->empty()) {
            types.emplace_back("Egress");
        }
        (*spec)["policyTypes"] = std::move(types);
    }
}

void defaultRoleBinding(json::object& rb) {
    if (json::object* roleRef = mutableObject(rb, "roleRef")) {
        setDefault(*roleRef, "apiGroup", "rbac.authorization.k8s.io");
    }
    forEachObject(rb, "subjects", [](json::object& subject) {
        std::string kind = stringAt(subject, "kind");
        if (!has(subject, "apiGroup") && (kind == "User" || kind == "Group")) {
            subject["apiGroup"] = "rbac.authorization.k8s.io";
        }
    });
}

} // namespace

void applyDefaults(const kube::ResourceType& type, json::object& object) {
    if (type.custom) {
        return;
    }
    const std::string& group = type.gvk.group;
    const std::string& plural = type.plural;
    if (group.empty()) {
        if (plural == "pods") {
            defaultPod(object);
        } else if (plural == "replicationcontrollers") {
            defaultReplicationController(object);
        } else if (plural == "podtemplates") {
            defaultPodTemplate(object, "template");
        } else if (plural == "services") {
            defaultService(object);
        } else if (plural == "secrets") {
            defaultSecret(object);
        } else if (plural == "namespaces") {
            defaultNamespace(object);
        } else if (plural == "nodes") {
            defaultNode(object);
        } else if (plural == "persistentvolumeclaims") {
            defaultPersistentVolumeClaim(object);
        } else if (plural == "persistentvolumes") {
            defaultPersistentVolume(object);
        } else if (plural == "endpoints") {
            forEachObject(object, "subsets", defaultPortsProtocol);
        } else if (plural == "limitranges") {
            defaultLimitRange(object);
        }
    } else if (group == "apps") {
        if (plural == "deployments") {
            defaultDeployment(object);
        } else if (plural == "replicasets") {
            defaultReplicaSet(object);
        } else if (plural == "statefulsets") {
            defaultStatefulSet(object);
        } else if (plural == "daemonsets") {
            defaultDaemonSet(object);
        }
    } else if (group == "batch") {
        if (plural == "jobs") {
            defaultJob(object);
        } else if (plural == "cronjobs") {
            defaultCronJob(object);
        }
    } else if (group == "autoscaling" && plural == "horizontalpodautoscalers") {
        defaultHorizontalPodAutoscaler(object, type.gvk.version);
    } else if (group == "networking.k8s.io" && plural == "networkpolicies") {
        defaultNetworkPolicy(object);
    } else if (group == "storage.k8s.io" && plural == "storageclasses") {
        setDefault(object, "reclaimPolicy", "Delete");
        setDefault(object, "volumeBindingMode", "Immediate");
    } else if (group == "scheduling.k8s.io" && plural == "priorityclasses") {
        setDefault(object, "preemptionPolicy", "PreemptLowerPriority");
    } else if (group == "rbac.authorization.k8s.io" &&
               (plural == "rolebindings" || plural == "clusterrolebindings")) {
        defaultRoleBinding(object);
    }
}

} // namespace pilot::admission
