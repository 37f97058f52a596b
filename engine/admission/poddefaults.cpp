// Pod and pod template defaults (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go) plus the pod
// fields the ServiceAccount, Priority and DefaultTolerationSeconds admission plugins fill in.

#include "engine/admission/defaults.h"

#include "engine/admission/jsonaccess.h"
#include "kube/quantity.h"

#include <cctype>
#include <functional>
#include <map>
#include <set>

namespace pilot::admission::detail {
namespace json = boost::json;

namespace {

constexpr int64_t DefaultFileMode = 0644; // 420
constexpr int64_t DefaultTolerationSeconds = 300;

// The image tag parsers.ParseImageName would report: "latest" when neither a tag nor a digest
// is given, "" when the reference does not parse (e.g. upper-case repository names).
std::string imageTag(std::string_view image) {
    if (image.empty()) {
        return {};
    }
    std::string_view name = image;
    bool digest = false;
    if (size_t at = name.find('@'); at != std::string_view::npos) {
        name = name.substr(0, at);
        digest = true;
    }
    size_t slash = name.rfind('/');
    size_t colon = name.rfind(':');
    std::string tag;
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        tag = std::string(name.substr(colon + 1));
        name = name.substr(0, colon);
    }
    // The path components after the registry host must be lower case.
    std::string_view path = name;
    if (size_t first = path.find('/'); first != std::string_view::npos) {
        std::string_view host = path.substr(0, first);
        if (host.find('.') != std::string_view::npos || host.find(':') != std::string_view::npos ||
            host == "localhost") {
            path = path.substr(first + 1);
        }
    }
    for (char c : path) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            return {};
        }
    }
    if (tag.empty() && !digest) {
        return "latest";
    }
    return tag;
}

void defaultHttpGet(json::object& handler) {
    if (json::object* get = mutableObject(handler, "httpGet")) {
        setDefault(*get, "path", "/");
        setDefault(*get, "scheme", "HTTP");
    }
}

void defaultProbe(json::object& container, std::string_view name) {
    json::object* probe = mutableObject(container, name);
    if (probe == nullptr) {
        return;
    }
    setDefault(*probe, "timeoutSeconds", 1);
    setDefault(*probe, "periodSeconds", 10);
    setDefault(*probe, "successThreshold", 1);
    setDefault(*probe, "failureThreshold", 3);
    defaultHttpGet(*probe);
}

void defaultFieldRef(json::object& holder) {
    if (json::object* ref = mutableObject(holder, "fieldRef")) {
        setDefault(*ref, "apiVersion", "v1");
    }
}

void defaultContainer(json::object& container, bool pod) {
    std::string image = stringAt(container, "image");
    setDefault(container, "imagePullPolicy",
               imageTag(image) == "latest" ? "Always" : "IfNotPresent");
    setDefault(container, "terminationMessagePath", "/dev/termination-log");
    setDefault(container, "terminationMessagePolicy", "File");
    setDefault(container, "resources", json::object());
    if (json::array* ports = mutableArray(container, "ports")) {
        for (json::value& p : *ports) {
            if (json::object* port = p.if_object()) {
                setDefault(*port, "protocol", "TCP");
            }
        }
    }
    for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
        defaultProbe(container, probe);
    }
    if (json::object* lifecycle = mutableObject(container, "lifecycle")) {
        for (std::string_view hook : {"postStart", "preStop"}) {
            if (json::object* handler = mutableObject(*lifecycle, hook)) {
                defaultHttpGet(*handler);
            }
        }
    }
    if (json::array* env = mutableArray(container, "env")) {
        for (json::value& e : *env) {
            json::object* var = e.if_object();
            json::object* from = var == nullptr ? nullptr : mutableObject(*var, "valueFrom");
            if (from != nullptr) {
                defaultFieldRef(*from);
            }
        }
    }
    // SetDefaults_Pod: requests default to limits, for pods only (not templates).
    if (pod) {
        json::object* resources = mutableObject(container, "resources");
        if (resources != nullptr && objectAt(*resources, "limits") != nullptr) {
            // Create requests before taking a pointer to limits: inserting moves members.
            json::object* requests = ensureObject(*resources, "requests");
            const json::object* limits = objectAt(*resources, "limits");
            if (requests != nullptr) {
                for (const auto& limit : *limits) {
                    if (!requests->contains(limit.key())) {
                        (*requests)[limit.key()] = limit.value();
                    }
                }
            }
        }
    }
}

void defaultDownwardItems(json::object& source) {
    if (json::array* items = mutableArray(source, "items")) {
        for (json::value& i : *items) {
            if (json::object* item = i.if_object()) {
                defaultFieldRef(*item);
            }
        }
    }
}

void defaultVolume(json::object& volume) {
    bool hasSource = false;
    for (const auto& member : volume) {
        if (member.key() != "name") {
            hasSource = true;
        }
    }
    if (!hasSource) {
        volume["emptyDir"] = json::object();
        return;
    }
    for (std::string_view kind : {"secret", "configMap"}) {
        if (json::object* source = mutableObject(volume, kind)) {
            setDefault(*source, "defaultMode", DefaultFileMode);
        }
    }
    if (json::object* source = mutableObject(volume, "downwardAPI")) {
        setDefault(*source, "defaultMode", DefaultFileMode);
        defaultDownwardItems(*source);
    }
    if (json::object* hostPath = mutableObject(volume, "hostPath")) {
        setDefault(*hostPath, "type", "");
    }
    if (json::object* projected = mutableObject(volume, "projected")) {
        setDefault(*projected, "defaultMode", DefaultFileMode);
        if (json::array* sources = mutableArray(*projected, "sources")) {
            for (json::value& s : *sources) {
                json::object* source = s.if_object();
                if (source == nullptr) {
                    continue;
                }
                if (json::object* downward = mutableObject(*source, "downwardAPI")) {
                    defaultDownwardItems(*downward);
                }
                if (json::object* token = mutableObject(*source, "serviceAccountToken")) {
                    setDefault(*token, "expirationSeconds", 3600);
                }
            }
        }
    }
}

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

// v1qos.GetPodQOS over cpu and memory of the regular and init containers.
std::string qosClass(const json::object& spec) {
    std::map<std::string, kube::Quantity> requests;
    std::map<std::string, kube::Quantity> limits;
    bool guaranteed = true;
    auto collect = [&](const json::object& resources, std::string_view member,
                       std::map<std::string, kube::Quantity>& into) {
        std::set<std::string> found;
        if (const json::object* list = objectAt(resources, member)) {
            for (const auto& entry : *list) {
                std::string name(entry.key());
                if (name != "cpu" && name != "memory") {
                    continue;
                }
                Result<kube::Quantity> q = kube::Quantity::fromJson(entry.value());
                if (!q || q->isZero()) {
                    continue;
                }
                found.insert(name);
                into[name].add(*q);
            }
        }
        return found;
    };
    for (std::string_view list : {"containers", "initContainers"}) {
        const json::array* containers = arrayAt(spec, list);
        if (containers == nullptr) {
            continue;
        }
        for (const json::value& c : *containers) {
            const json::object* container = c.if_object();
            const json::object* resources =
                container == nullptr ? nullptr : objectAt(*container, "resources");
            if (resources == nullptr) {
                guaranteed = false;
                continue;
            }
            collect(*resources, "requests", requests);
            std::set<std::string> limitFound = collect(*resources, "limits", limits);
            if (limitFound.size() != 2) {
                guaranteed = false;
            }
        }
    }
    if (requests.empty() && limits.empty()) {
        return "BestEffort";
    }
    if (guaranteed) {
        for (const auto& [name, request] : requests) {
            auto limit = limits.find(name);
            if (limit == limits.end() || limit->second.compare(request) != 0) {
                guaranteed = false;
                break;
            }
        }
    }
    return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

void addToleration(json::object& spec, std::string_view taint) {
    json::array* tolerations = mutableArray(spec, "tolerations");
    if (tolerations == nullptr) {
        if (has(spec, "tolerations")) {
            return; // not an array: leave the client's value for validation to report
        }
        tolerations = &spec["tolerations"].emplace_array();
    }
    for (const json::value& t : *tolerations) {
        const json::object* toleration = t.if_object();
        if (toleration == nullptr) {
            continue;
        }
        std::string key = stringAt(*toleration, "key");
        std::string effect = stringAt(*toleration, "effect");
        if ((key == taint || key.empty()) && (effect == "NoExecute" || effect.empty())) {
            return;
        }
    }
    tolerations->push_back(json::object{{"key", taint},
                                        {"operator", "Exists"},
                                        {"effect", "NoExecute"},
                                        {"tolerationSeconds", DefaultTolerationSeconds}});
}

} // namespace

void defaultPodSpec(json::object& spec, const PodSpecDefaults& options) {
    setDefault(spec, "dnsPolicy", "ClusterFirst");
    if (options.restartPolicy) {
        setDefault(spec, "restartPolicy", "Always");
    }
    setDefault(spec, "securityContext", json::object());
    setDefault(spec, "terminationGracePeriodSeconds", 30);
    setDefault(spec, "schedulerName", "default-scheduler");
    if (options.pod) {
        setDefault(spec, "enableServiceLinks", true);
    }
    auto container = [&](json::object& c) { defaultContainer(c, options.pod); };
    forEachObject(spec, "containers", container);
    forEachObject(spec, "initContainers", container);
    forEachObject(spec, "ephemeralContainers", [](json::object& c) { defaultContainer(c, false); });
    forEachObject(spec, "volumes", defaultVolume);
    if (options.pod && boolAt(spec, "hostNetwork").value_or(false)) {
        // Host-network pods expose their container ports on the host.
        for (std::string_view list : {"containers", "initContainers"}) {
            forEachObject(spec, list, [](json::object& c) {
                forEachObject(c, "ports", [](json::object& port) {
                    if (integerAt(port, "hostPort").value_or(0) == 0 &&
                        has(port, "containerPort")) {
                        port["hostPort"] = port["containerPort"];
                    }
                });
            });
        }
    }
}

void defaultPodTemplate(json::object& parent, std::string_view member,
                        const PodSpecDefaults& options) {
    json::object* tmpl = mutableObject(parent, member);
    if (tmpl == nullptr) {
        return;
    }
    if (json::object* spec = mutableObject(*tmpl, "spec")) {
        defaultPodSpec(*spec, options);
    }
}

void defaultPod(json::object& pod) {
    json::object* spec = mutableObject(pod, "spec");
    if (spec != nullptr) {
        defaultPodSpec(*spec, PodSpecDefaults{.pod = true, .restartPolicy = true});
        // ServiceAccount admission.
        setDefault(*spec, "serviceAccountName", "default");
        setDefault(*spec, "serviceAccount", json::string(stringAt(*spec, "serviceAccountName")));
        // Priority admission, for pods without a priority class.
        if (stringAt(*spec, "priorityClassName").empty()) {
            setDefault(*spec, "priority", 0);
        }
        setDefault(*spec, "preemptionPolicy", "PreemptLowerPriority");
        // DefaultTolerationSeconds admission.
        addToleration(*spec, "node.kubernetes.io/not-ready");
        addToleration(*spec, "node.kubernetes.io/unreachable");
    }
    json::object* status = ensureObject(pod, "status");
    spec = mutableObject(pod, "spec"); // creating status may have moved it
    if (status != nullptr) {
        setDefault(*status, "phase", "Pending");
        if (spec != nullptr) {
            setDefault(*status, "qosClass", json::string(qosClass(*spec)));
        }
    }
}

void defaultPersistentVolumeClaim(json::object& pvc) {
    if (json::object* spec = ensureObject(pvc, "spec")) {
        setDefault(*spec, "volumeMode", "Filesystem");
    }
    if (json::object* status = ensureObject(pvc, "status")) {
        setDefault(*status, "phase", "Pending");
    }
}

} // namespace pilot::admission::detail

namespace pilot::admission {

std::string podQosClass(const boost::json::object& spec) {
    return detail::qosClass(spec);
}

} // namespace pilot::admission
