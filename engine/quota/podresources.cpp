#include "engine/quota/podresources.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

namespace pilot::quota {
namespace json = boost::json;

namespace {

ResourceList containerList(const json::value& container, std::string_view which) {
    const json::object* c = container.if_object();
    return resourceListFromJson(kube::objectAt(kube::objectAt(c, "resources"), which));
}

void addInto(ResourceList& into, const ResourceList& more) {
    into = add(into, more);
}

void maxInto(ResourceList& into, const ResourceList& other) {
    for (const auto& [name, quantity] : other) {
        auto [it, inserted] = into.emplace(name, quantity);
        if (!inserted && quantity.compare(it->second) > 0) {
            it->second = quantity;
        }
    }
}

/// AggregateContainerRequests / AggregateContainerLimits.
ResourceList aggregate(const json::object& pod, std::string_view which) {
    const json::object* spec = kube::objectAt(pod, "spec");
    ResourceList total;
    if (spec == nullptr) {
        return total;
    }
    if (const json::array* containers = kube::arrayAt(*spec, "containers")) {
        for (const json::value& c : *containers) {
            addInto(total, containerList(c, which));
        }
    }
    ResourceList sidecars;
    ResourceList initMax;
    if (const json::array* inits = kube::arrayAt(*spec, "initContainers")) {
        for (const json::value& c : *inits) {
            ResourceList own = containerList(c, which);
            bool sidecar =
                c.is_object() && kube::stringAt(c.get_object(), "restartPolicy") == "Always";
            if (sidecar) {
                addInto(total, own);
                addInto(sidecars, own);
                maxInto(initMax, sidecars);
            } else {
                maxInto(initMax, add(own, sidecars));
            }
        }
    }
    maxInto(total, initMax);
    return total;
}

} // namespace

ResourceList podRequests(const json::object& pod, bool withOverhead) {
    ResourceList requests = aggregate(pod, "requests");
    if (!withOverhead) {
        return requests;
    }
    addInto(requests,
            resourceListFromJson(kube::objectAt(kube::objectAt(pod, "spec"), "overhead")));
    return requests;
}

ResourceList podLimits(const json::object& pod, bool withOverhead) {
    ResourceList limits = aggregate(pod, "limits");
    if (!withOverhead) {
        return limits;
    }
    ResourceList overhead =
        resourceListFromJson(kube::objectAt(kube::objectAt(pod, "spec"), "overhead"));
    for (auto& [name, quantity] : limits) {
        if (auto extra = overhead.find(name); extra != overhead.end()) {
            quantity.add(extra->second);
        }
    }
    return limits;
}

bool isBestEffort(const json::object& pod) {
    const json::object* spec = kube::objectAt(pod, "spec");
    if (spec == nullptr) {
        return true;
    }
    for (std::string_view list : {"containers", "initContainers"}) {
        const json::array* containers = kube::arrayAt(*spec, list);
        if (containers == nullptr) {
            continue;
        }
        for (const json::value& c : *containers) {
            for (std::string_view which : {"requests", "limits"}) {
                ResourceList values = containerList(c, which);
                for (std::string_view name : {"cpu", "memory"}) {
                    auto it = values.find(name);
                    if (it != values.end() && it->second.sign() > 0) {
                        return false;
                    }
                }
            }
        }
    }
    return true;
}

} // namespace pilot::quota
