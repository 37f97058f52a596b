#include "engine/controllers/endpointslice/sliceutil.h"

#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr size_t MaxNameLength = 253;

json::value memberOrNull(const json::object* o, std::string_view key) {
    const json::value* v = o ? o->if_contains(key) : nullptr;
    return v ? *v : json::value();
}

json::object targetWithoutVersion(const json::object& endpoint) {
    const json::object* ref = kube::objectAt(endpoint, "targetRef");
    json::object copy = ref ? *ref : json::object();
    copy.erase("resourceVersion");
    return copy;
}

} // namespace

std::string endpointKey(const json::object& endpoint) {
    std::vector<std::string> addresses = kube::stringsAt(endpoint, "addresses");
    std::sort(addresses.begin(), addresses.end());
    std::string key;
    for (const std::string& a : addresses) {
        key += a + ',';
    }
    const json::object* ref = kube::objectAt(endpoint, "targetRef");
    key += '\x1f' + kube::stringAt(endpoint, "hostname") + '\x1f' +
           kube::stringAt(ref, "namespace") + '\x1f' + kube::stringAt(ref, "name");
    return key;
}

json::array sortedPorts(const json::array* ports) {
    std::vector<std::pair<std::string, json::value>> keyed;
    if (ports != nullptr) {
        for (const json::value& p : *ports) {
            keyed.emplace_back(canonicalJson(p), p);
        }
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    json::array out;
    for (auto& [key, port] : keyed) {
        out.push_back(std::move(port));
    }
    return out;
}

std::string portMapKey(const json::array* ports) {
    std::string key;
    for (const json::value& p : sortedPorts(ports)) {
        key += canonicalJson(p) + '\x1f';
    }
    return key;
}

bool endpointsEqualBeyondKey(const json::object& a, const json::object& b) {
    for (std::string_view field : {"nodeName", "zone"}) {
        if (!kube::jsonEqual(memberOrNull(&a, field), memberOrNull(&b, field))) {
            return false;
        }
    }
    const json::object* ca = kube::objectAt(a, "conditions");
    const json::object* cb = kube::objectAt(b, "conditions");
    for (std::string_view condition : {"ready", "serving", "terminating"}) {
        if (!kube::jsonEqual(memberOrNull(ca, condition), memberOrNull(cb, condition))) {
            return false;
        }
    }
    return kube::jsonEqual(targetWithoutVersion(a), targetWithoutVersion(b));
}

std::string slicePrefix(std::string_view ownerName) {
    std::string prefix = std::string(ownerName) + "-";
    // Leave room for the random suffix the server appends.
    return prefix.size() + 5 <= MaxNameLength ? prefix : std::string(ownerName);
}

bool sliceOwnedBy(const json::object& slice, const json::object& owner, std::string_view apiVersion,
                  std::string_view kind) {
    const json::array* refs = kube::ownerReferences(slice);
    if (refs == nullptr) {
        return false;
    }
    for (const json::value& r : *refs) {
        const json::object* ref = r.if_object();
        if (ref && kube::stringAt(*ref, "uid") == kube::uid(owner) &&
            kube::stringAt(*ref, "kind") == kind &&
            kube::stringAt(*ref, "apiVersion") == apiVersion) {
            return true;
        }
    }
    return false;
}

std::string serviceKeyOfSlice(const json::object& slice) {
    std::optional<std::string_view> service = kube::label(slice, ServiceNameLabel);
    if (!service || service->empty()) {
        return {};
    }
    return std::string(kube::namespaceOf(slice)) + "/" + std::string(*service);
}

std::string managedBy(const json::object& slice) {
    return std::string(kube::label(slice, ManagedByLabel).value_or(""));
}

size_t endpointCount(const json::object& slice) {
    const json::array* endpoints = kube::arrayAt(slice, "endpoints");
    return endpoints ? endpoints->size() : 0;
}

void setTriggerTime(json::object& slice, const std::string& time) {
    json::object& meta = kube::ensureMetadata(slice);
    json::object annotations = labelMap(kube::annotations(slice));
    if (time.empty()) {
        annotations.erase(LastChangeTriggerTimeAnnotation);
    } else {
        annotations[LastChangeTriggerTimeAnnotation] = time;
    }
    if (annotations.empty()) {
        meta.erase("annotations");
    } else {
        meta["annotations"] = std::move(annotations);
    }
}

kube::IndexFunc sliceServiceIndex() {
    return [](const json::object& slice) {
        std::vector<std::string> out;
        if (std::string key = serviceKeyOfSlice(slice); !key.empty()) {
            out.push_back(std::move(key));
        }
        return out;
    };
}

} // namespace pilot::controllers
