// Pod and pod template validation (the parts of pkg/apis/core/validation that users hit:
// containers, images, ports, environment, mounts, resources, volumes, policies, tolerations).

#include "engine/admission/jsonaccess.h"
#include "engine/admission/validation.h"
#include "kube/jsonutil.h"
#include "kube/names.h"
#include "kube/quantity.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace pilot::admission::detail {
namespace json = boost::json;

namespace {

// Volume sources in the order validateVolumeSource looks at them.
constexpr std::string_view VolumeSources[] = {"hostPath",
                                              "emptyDir",
                                              "gitRepo",
                                              "gcePersistentDisk",
                                              "awsElasticBlockStore",
                                              "secret",
                                              "nfs",
                                              "iscsi",
                                              "glusterfs",
                                              "flexVolume",
                                              "persistentVolumeClaim",
                                              "rbd",
                                              "quobyte",
                                              "cinder",
                                              "cephfs",
                                              "downwardAPI",
                                              "fc",
                                              "azureFile",
                                              "flocker",
                                              "azureDisk",
                                              "configMap",
                                              "vsphereVolume",
                                              "photonPersistentDisk",
                                              "portworxVolume",
                                              "projected",
                                              "scaleIO",
                                              "storageos",
                                              "csi",
                                              "ephemeral",
                                              "image"};

void requireMember(const json::object& source, std::string_view member, const std::string& path,
                   Errors& errors) {
    if (stringAt(source, member).empty()) {
        errors.required(child(path, member));
    }
}

std::set<std::string> validateVolumes(const json::object& spec, const std::string& path,
                                      Errors& errors) {
    std::set<std::string> names;
    const json::array* volumes = arrayAt(spec, "volumes");
    if (volumes == nullptr) {
        return names;
    }
    for (size_t i = 0; i < volumes->size(); ++i) {
        const json::object* volume = (*volumes)[i].if_object();
        if (volume == nullptr) {
            continue;
        }
        const std::string volPath = index(path, i);
        int sources = 0;
        for (std::string_view source : VolumeSources) {
            if (!has(*volume, source)) {
                continue;
            }
            if (++sources > 1) {
                errors.forbidden(child(volPath, source), "may not specify more than 1 volume type");
            }
        }
        if (sources == 0) {
            errors.required(volPath, "must specify a volume type");
        }
        if (const json::object* configMap = objectAt(*volume, "configMap")) {
            requireMember(*configMap, "name", child(volPath, "configMap"), errors);
        }
        if (const json::object* secret = objectAt(*volume, "secret")) {
            requireMember(*secret, "secretName", child(volPath, "secret"), errors);
        }
        if (const json::object* claim = objectAt(*volume, "persistentVolumeClaim")) {
            requireMember(*claim, "claimName", child(volPath, "persistentVolumeClaim"), errors);
        }
        if (const json::object* hostPath = objectAt(*volume, "hostPath")) {
            requireMember(*hostPath, "path", child(volPath, "hostPath"), errors);
        }
        std::string name = stringAt(*volume, "name");
        const std::string namePath = child(volPath, "name");
        if (name.empty()) {
            errors.required(namePath);
        } else {
            errors.invalidEach(namePath, name, kube::validateDns1123Label(name));
        }
        if (names.contains(name)) {
            errors.duplicate(namePath, goQuote(name));
        } else {
            names.insert(name);
        }
    }
    return names;
}

void validatePorts(const json::object& container, const std::string& path, Errors& errors) {
    const json::array* ports = arrayAt(container, "ports");
    if (ports == nullptr) {
        return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < ports->size(); ++i) {
        const json::object* port = (*ports)[i].if_object();
        if (port == nullptr) {
            continue;
        }
        const std::string portPath = index(path, i);
        std::string name = stringAt(*port, "name");
        if (!name.empty()) {
            std::vector<std::string> msgs;
            if (name.size() > 15) {
                msgs.emplace_back("must be no more than 15 characters");
            }
            if (!std::all_of(name.begin(), name.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                })) {
                msgs.emplace_back(
                    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
            }
            if (std::none_of(name.begin(), name.end(),
                             [](char c) { return c >= 'a' && c <= 'z'; })) {
                msgs.emplace_back("must contain at least one letter (a-z)");
            }
            if (name.find("--") != std::string::npos) {
                msgs.emplace_back("must not contain consecutive hyphens");
            }
            if (name.front() == '-' || name.back() == '-') {
                msgs.emplace_back("must not begin or end with a hyphen");
            }
            if (!msgs.empty()) {
                errors.invalidEach(child(portPath, "name"), name, msgs);
            } else if (names.contains(name)) {
                errors.duplicate(child(portPath, "name"), goQuote(name));
            } else {
                names.insert(name);
            }
        }
        int64_t containerPort = integerAt(*port, "containerPort").value_or(0);
        if (containerPort == 0) {
            errors.required(child(portPath, "containerPort"));
        } else if (containerPort < 1 || containerPort > 65535) {
            errors.invalid(child(portPath, "containerPort"), std::to_string(containerPort),
                           "must be between 1 and 65535, inclusive");
        }
        int64_t hostPort = integerAt(*port, "hostPort").value_or(0);
        if (hostPort != 0 && (hostPort < 1 || hostPort > 65535)) {
            errors.invalid(child(portPath, "hostPort"), std::to_string(hostPort),
                           "must be between 1 and 65535, inclusive");
        }
        std::string protocol = stringAt(*port, "protocol");
        if (protocol.empty()) {
            errors.required(child(portPath, "protocol"));
        } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
            errors.notSupported(child(portPath, "protocol"), goQuote(protocol),
                                {"SCTP", "TCP", "UDP"});
        }
    }
}

void validateEnv(const json::object& container, const std::string& path, Errors& errors) {
    const json::array* env = arrayAt(container, "env");
    if (env == nullptr) {
        return;
    }
    for (size_t i = 0; i < env->size(); ++i) {
        const json::object* var = (*env)[i].if_object();
        if (var == nullptr) {
            continue;
        }
        std::string name = stringAt(*var, "name");
        const std::string namePath = child(index(path, i), "name");
        if (name.empty()) {
            errors.required(namePath);
            continue;
        }
        bool printable = std::all_of(name.begin(), name.end(), [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u >= 0x20 && u < 0x7f && c != '=';
        });
        if (!printable) {
            errors.invalid(namePath, goQuote(name),
                           "a valid environment variable name must consist only of printable "
                           "ASCII characters other than '='");
        }
    }
}

void validateMounts(const json::object& container, const std::set<std::string>& volumes,
                    const std::string& path, Errors& errors) {
    const json::array* mounts = arrayAt(container, "volumeMounts");
    if (mounts == nullptr) {
        return;
    }
    std::set<std::string> mountPoints;
    for (size_t i = 0; i < mounts->size(); ++i) {
        const json::object* mount = (*mounts)[i].if_object();
        if (mount == nullptr) {
            continue;
        }
        const std::string mountPath = index(path, i);
        std::string name = stringAt(*mount, "name");
        if (name.empty()) {
            errors.required(child(mountPath, "name"));
        }
        if (!volumes.contains(name)) {
            errors.notFound(child(mountPath, "name"), goQuote(name));
        }
        std::string target = stringAt(*mount, "mountPath");
        if (target.empty()) {
            errors.required(child(mountPath, "mountPath"));
        }
        if (mountPoints.contains(target)) {
            errors.invalid(child(mountPath, "mountPath"), goQuote(target), "must be unique");
        }
        mountPoints.insert(target);
    }
}

bool isStandardContainerResource(std::string_view name) {
    return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
           name.starts_with("hugepages-");
}

void validateResources(const json::object& container, const std::string& path, Errors& errors) {
    const json::object* resources = objectAt(container, "resources");
    if (resources == nullptr) {
        return;
    }
    std::map<std::string, kube::Quantity> limits;
    for (std::string_view list : {"limits", "requests"}) {
        const json::object* entries = objectAt(*resources, list);
        if (entries == nullptr) {
            continue;
        }
        const std::string listPath = child(path, list);
        for (const std::string& name : sortedKeys(*entries)) {
            const std::string entryPath = key(listPath, name);
            if (name.find('/') == std::string::npos) {
                if (!isStandardContainerResource(name)) {
                    errors.invalid(entryPath, goQuote(name),
                                   "must be a standard resource for containers");
                    continue;
                }
            } else {
                errors.invalidEach(entryPath, name, kube::validateQualifiedName(name));
            }
            Result<kube::Quantity> quantity = kube::Quantity::fromJson(entries->at(name));
            if (!quantity) {
                errors.invalid(entryPath, goScalar(entries->at(name)), quantity.error().message);
                continue;
            }
            if (quantity->sign() < 0) {
                errors.invalid(entryPath, goQuote(quantity->toString()),
                               "must be greater than or equal to 0");
            }
            if (list == "limits") {
                limits.emplace(name, *quantity);
            } else if (auto limit = limits.find(name); limit != limits.end()) {
                bool overcommit = name == "cpu" || name == "memory" || name == "ephemeral-storage";
                if (quantity->compare(limit->second) != 0 && !overcommit) {
                    errors.invalid(listPath, goQuote(quantity->toString()),
                                   fmt::format("must be equal to {} limit of {}", name,
                                               limit->second.toString()));
                } else if (quantity->compare(limit->second) > 0) {
                    errors.invalid(listPath, goQuote(quantity->toString()),
                                   fmt::format("must be less than or equal to {} limit of {}", name,
                                               limit->second.toString()));
                }
            }
        }
    }
}

void validateContainer(const json::object& container, const std::set<std::string>& volumes,
                       const std::string& path, Errors& errors) {
    std::string name = stringAt(container, "name");
    if (name.empty()) {
        errors.required(child(path, "name"));
    } else {
        errors.invalidEach(child(path, "name"), name, kube::validateDns1123Label(name));
    }
    if (stringAt(container, "image").empty()) {
        errors.required(child(path, "image"));
    }
    std::string messagePolicy = stringAt(container, "terminationMessagePolicy");
    if (messagePolicy.empty()) {
        errors.required(child(path, "terminationMessagePolicy"));
    } else if (messagePolicy != "File" && messagePolicy != "FallbackToLogsOnError") {
        errors.notSupported(child(path, "terminationMessagePolicy"), goQuote(messagePolicy),
                            {"File", "FallbackToLogsOnError"});
    }
    validatePorts(container, child(path, "ports"), errors);
    validateEnv(container, child(path, "env"), errors);
    validateMounts(container, volumes, child(path, "volumeMounts"), errors);
    std::string pullPolicy = stringAt(container, "imagePullPolicy");
    if (pullPolicy.empty()) {
        errors.required(child(path, "imagePullPolicy"));
    } else if (pullPolicy != "Always" && pullPolicy != "IfNotPresent" && pullPolicy != "Never") {
        errors.notSupported(child(path, "imagePullPolicy"), goQuote(pullPolicy),
                            {"Always", "IfNotPresent", "Never"});
    }
    validateResources(container, child(path, "resources"), errors);
}

void validateContainers(const json::object& spec, std::string_view member,
                        const std::set<std::string>& volumes, std::set<std::string>& names,
                        const std::string& path, Errors& errors) {
    const json::array* containers = arrayAt(spec, member);
    if (member == "containers" && (containers == nullptr || containers->empty())) {
        errors.required(path);
    }
    if (containers == nullptr) {
        return;
    }
    for (size_t i = 0; i < containers->size(); ++i) {
        const json::object* container = (*containers)[i].if_object();
        if (container == nullptr) {
            continue;
        }
        const std::string containerPath = index(path, i);
        validateContainer(*container, volumes, containerPath, errors);
        std::string name = stringAt(*container, "name");
        if (names.contains(name)) {
            errors.duplicate(child(containerPath, "name"), goQuote(name));
        } else {
            names.insert(name);
        }
        if (member == "containers" && has(*container, "restartPolicy")) {
            errors.forbidden(child(containerPath, "restartPolicy"),
                             "may not be set for non-init containers");
        }
        if (member == "initContainers" && has(*container, "restartPolicy") &&
            stringAt(*container, "restartPolicy") != "Always") {
            errors.notSupported(child(containerPath, "restartPolicy"),
                                goQuote(stringAt(*container, "restartPolicy")), {"Always"});
        }
    }
}

void validateTaintEffect(const std::string& effect, const std::string& path, Errors& errors) {
    if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
        errors.notSupported(path, goQuote(effect), {"NoSchedule", "PreferNoSchedule", "NoExecute"});
    }
}

void validateTolerations(const json::object& spec, const std::string& path, Errors& errors) {
    const json::array* tolerations = arrayAt(spec, "tolerations");
    if (tolerations == nullptr) {
        return;
    }
    for (size_t i = 0; i < tolerations->size(); ++i) {
        const json::object* t = (*tolerations)[i].if_object();
        if (t == nullptr) {
            continue;
        }
        const std::string tPath = index(path, i);
        std::string key = stringAt(*t, "key");
        std::string op = stringAt(*t, "operator");
        std::string effect = stringAt(*t, "effect");
        std::string value = stringAt(*t, "value");
        if (!key.empty()) {
            errors.invalidEach(child(tPath, "key"), key, kube::validateQualifiedName(key));
        }
        if (key.empty() && op != "Exists") {
            errors.invalid(child(tPath, "operator"), goQuote(op),
                           "operator must be Exists when `key` is empty, which means \"match all "
                           "values and all keys\"");
        }
        if (has(*t, "tolerationSeconds") && effect != "NoExecute") {
            errors.invalid(child(tPath, "effect"), goQuote(effect),
                           "effect must be 'NoExecute' when `tolerationSeconds` is set");
        }
        if (op.empty() || op == "Equal") {
            std::vector<std::string> msgs = kube::validateLabelValue(value);
            if (!msgs.empty()) {
                errors.invalid(child(tPath, "operator"), goQuote(value), kube::joinMessages(msgs));
            }
        } else if (op == "Exists") {
            if (!value.empty()) {
                errors.invalid(child(tPath, "operator"), "core.Toleration{...}",
                               "value must be empty when `operator` is 'Exists'");
            }
        } else {
            errors.notSupported(child(tPath, "operator"), goQuote(op), {"Equal", "Exists"});
        }
        if (!effect.empty()) {
            validateTaintEffect(effect, child(tPath, "effect"), errors);
        }
    }
}

} // namespace

void validatePodSpec(const json::object& spec, const std::string& path, const PodSpecRules& rules,
                     Errors& errors) {
    std::set<std::string> volumes = validateVolumes(spec, child(path, "volumes"), errors);
    volumes.insert(rules.extraVolumes.begin(), rules.extraVolumes.end());
    std::set<std::string> names;
    validateContainers(spec, "containers", volumes, names, child(path, "containers"), errors);
    validateContainers(spec, "initContainers", volumes, names, child(path, "initContainers"),
                       errors);
    if (rules.podTemplate && has(spec, "ephemeralContainers")) {
        errors.forbidden(child(path, "ephemeralContainers"),
                         "ephemeral containers not allowed in pod template");
    }
    if (!rules.jobTemplate) {
        std::string restartPolicy = stringAt(spec, "restartPolicy");
        if (restartPolicy.empty()) {
            errors.required(child(path, "restartPolicy"));
        } else if (restartPolicy != "Always" && restartPolicy != "OnFailure" &&
                   restartPolicy != "Never") {
            errors.notSupported(child(path, "restartPolicy"), goQuote(restartPolicy),
                                {"Always", "OnFailure", "Never"});
        }
    }
    std::string dnsPolicy = stringAt(spec, "dnsPolicy");
    if (dnsPolicy.empty()) {
        errors.required(child(path, "dnsPolicy"));
    } else if (dnsPolicy != "ClusterFirstWithHostNet" && dnsPolicy != "ClusterFirst" &&
               dnsPolicy != "Default" && dnsPolicy != "None") {
        errors.notSupported(child(path, "dnsPolicy"), goQuote(dnsPolicy),
                            {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
    }
    validateLabels(objectAt(spec, "nodeSelector"), child(path, "nodeSelector"), errors);
    std::string serviceAccount = stringAt(spec, "serviceAccountName");
    if (!serviceAccount.empty()) {
        errors.invalidEach(child(path, "serviceAccountName"), serviceAccount,
                           kube::validateDns1123Subdomain(serviceAccount));
    }
    if (std::optional<int64_t> deadline = integerAt(spec, "activeDeadlineSeconds")) {
        if (*deadline < 1 || *deadline > 2147483647) {
            errors.invalid(child(path, "activeDeadlineSeconds"), std::to_string(*deadline),
                           "must be between 1 and 2147483647, inclusive");
        }
    }
    for (std::string_view member : {"hostname", "subdomain"}) {
        std::string value = stringAt(spec, member);
        if (!value.empty()) {
            errors.invalidEach(child(path, member), value, kube::validateDns1123Label(value));
        }
    }
    validateTolerations(spec, child(path, "tolerations"), errors);
}

void validatePodTemplateSpec(const json::object* tmpl, const std::string& path,
                             const PodSpecRules& rules, Errors& errors) {
    if (tmpl == nullptr) {
        errors.required(path);
        return;
    }
    const json::object* metadata = objectAt(*tmpl, "metadata");
    // Upstream reports template label errors at `<template>.labels`, without "metadata".
    validateLabels(metadata ? objectAt(*metadata, "labels") : nullptr, child(path, "labels"),
                   errors);
    validateAnnotations(metadata ? objectAt(*metadata, "annotations") : nullptr,
                        child(path, "annotations"), errors);
    static const json::object Empty;
    const json::object* spec = objectAt(*tmpl, "spec");
    PodSpecRules templateRules = rules;
    templateRules.podTemplate = true;
    validatePodSpec(spec == nullptr ? Empty : *spec, child(path, "spec"), templateRules, errors);
}

namespace {

// Removes the fields a pod update may change, so what is left must be equal.
json::object immutablePodSpec(const json::object& spec, const json::object& oldSpec) {
    json::object copy = spec;
    for (std::string_view list : {"containers", "initContainers"}) {
        if (json::array* containers = mutableArray(copy, list)) {
            for (json::value& c : *containers) {
                if (json::object* container = c.if_object()) {
                    container->erase("image");
                }
            }
        }
    }
    for (std::string_view mutableField :
         {"activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds",
          "schedulingGates", "ephemeralContainers"}) {
        copy.erase(mutableField);
    }
    // Binding sets the node once.
    if (stringAt(oldSpec, "nodeName").empty()) {
        copy.erase("nodeName");
    }
    return copy;
}

bool tolerationsOnlyAdded(const json::object& spec, const json::object& oldSpec) {
    const json::array* before = arrayAt(oldSpec, "tolerations");
    if (before == nullptr) {
        return true;
    }
    const json::array* after = arrayAt(spec, "tolerations");
    for (const json::value& t : *before) {
        bool kept = after != nullptr &&
                    std::any_of(after->begin(), after->end(),
                                [&](const json::value& n) { return kube::jsonEqual(n, t); });
        if (!kept) {
            return false;
        }
    }
    return true;
}

} // namespace

void validatePod(const json::object& pod, const json::object* old, Errors& errors) {
    validateObjectMeta(pod, true, NameRule::Subdomain, errors);
    static const json::object Empty;
    const json::object* spec = objectAt(pod, "spec");
    validatePodSpec(spec == nullptr ? Empty : *spec, "spec", PodSpecRules{}, errors);
    if (old == nullptr) {
        return;
    }
    const json::object* oldSpec = objectAt(*old, "spec");
    const json::object& now = spec == nullptr ? Empty : *spec;
    const json::object& before = oldSpec == nullptr ? Empty : *oldSpec;
    json::object nowView = immutablePodSpec(now, before);
    json::object beforeView = immutablePodSpec(before, before);
    if (!kube::jsonEqual(json::value(nowView), json::value(beforeView)) ||
        !tolerationsOnlyAdded(now, before)) {
        errors.forbidden("spec",
                         "pod updates may not change fields other than "
                         "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                         "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
                         "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
                         "to be set to 1 if it was previously negative)");
    }
}

} // namespace pilot::admission::detail
