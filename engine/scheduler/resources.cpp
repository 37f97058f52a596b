#include "engine/scheduler/resources.h"

#include "kube/jsonutil.h"
#include "kube/quantity.h"

#include <algorithm>

namespace pilot::scheduler {

namespace json = boost::json;

int64_t Resource::scalar(std::string_view name) const {
    for (const auto& [key, value] : scalars) {
        if (key == name) {
            return value;
        }
    }
    return 0;
}

void Resource::addScalar(std::string_view name, int64_t value) {
    auto it =
        std::lower_bound(scalars.begin(), scalars.end(), name,
                         [](const auto& entry, std::string_view n) { return entry.first < n; });
    if (it != scalars.end() && it->first == name) {
        it->second += value;
        return;
    }
    scalars.emplace(it, std::string(name), value);
}

void Resource::add(const Resource& other, int64_t sign) {
    milliCpu += sign * other.milliCpu;
    memory += sign * other.memory;
    ephemeralStorage += sign * other.ephemeralStorage;
    allowedPods += sign * other.allowedPods;
    for (const auto& [name, value] : other.scalars) {
        addScalar(name, sign * value);
    }
}

void Resource::setMax(const Resource& other) {
    milliCpu = std::max(milliCpu, other.milliCpu);
    memory = std::max(memory, other.memory);
    ephemeralStorage = std::max(ephemeralStorage, other.ephemeralStorage);
    allowedPods = std::max(allowedPods, other.allowedPods);
    for (const auto& [name, value] : other.scalars) {
        int64_t mine = scalar(name);
        if (value > mine) {
            addScalar(name, value - mine);
        }
    }
}

bool Resource::requestsNothing() const {
    if (milliCpu != 0 || memory != 0 || ephemeralStorage != 0) {
        return false;
    }
    return std::all_of(scalars.begin(), scalars.end(),
                       [](const auto& entry) { return entry.second == 0; });
}

bool isScalarResourceName(std::string_view name) {
    if (name.starts_with("hugepages-")) {
        return true;
    }
    if (name.find('/') == std::string_view::npos) {
        return false; // unprefixed names other than the native ones are not resources
    }
    return !name.starts_with("requests.");
}

Resource resourceListOf(const json::object* list) {
    Resource r;
    if (list == nullptr) {
        return r;
    }
    for (const auto& [key, value] : *list) {
        auto quantity = kube::Quantity::fromJson(value);
        if (!quantity) {
            continue;
        }
        std::string_view name = key;
        if (name == "cpu") {
            r.milliCpu += quantity->milliValue();
        } else if (name == "memory") {
            r.memory += quantity->value();
        } else if (name == "ephemeral-storage") {
            r.ephemeralStorage += quantity->value();
        } else if (name == "pods") {
            r.allowedPods += quantity->value();
        } else if (isScalarResourceName(name)) {
            r.addScalar(name, quantity->value());
        }
    }
    return r;
}

namespace {

const json::object* requestsOf(const json::value& container) {
    const json::object* c = container.if_object();
    if (c == nullptr) {
        return nullptr;
    }
    return kube::objectAt(kube::objectAt(c, "resources"), "requests");
}

Resource containerRequests(const json::value& container, bool nonMissing) {
    const json::object* requests = requestsOf(container);
    Resource r = resourceListOf(requests);
    if (nonMissing) {
        if (requests == nullptr || !requests->contains("cpu")) {
            r.milliCpu = DefaultMilliCpuRequest;
        }
        if (requests == nullptr || !requests->contains("memory")) {
            r.memory = DefaultMemoryRequest;
        }
    }
    return r;
}

/// Upstream AggregateContainerRequests: regular containers and sidecars (init containers with
/// restartPolicy Always) run together; each other init container runs beside the sidecars
/// started before it.
Resource aggregate(const json::object& spec, bool nonMissing) {
    Resource sum;
    if (const json::array* containers = kube::arrayAt(spec, "containers")) {
        for (const json::value& c : *containers) {
            sum.add(containerRequests(c, nonMissing));
        }
    }
    Resource sidecars;
    Resource initMax;
    if (const json::array* inits = kube::arrayAt(spec, "initContainers")) {
        for (const json::value& c : *inits) {
            Resource r = containerRequests(c, nonMissing);
            const json::object* obj = c.if_object();
            bool sidecar = obj != nullptr && kube::stringAt(*obj, "restartPolicy") == "Always";
            if (sidecar) {
                sum.add(r);
                sidecars.add(r);
                initMax.setMax(sidecars);
            } else {
                r.add(sidecars);
                initMax.setMax(r);
            }
        }
    }
    sum.setMax(initMax);
    return sum;
}

} // namespace

PodRequests podRequests(const json::object& spec) {
    PodRequests out;
    Resource overhead = resourceListOf(kube::objectAt(spec, "overhead"));
    out.requests = aggregate(spec, false);
    out.requests.add(overhead);
    Resource nonZero = aggregate(spec, true);
    nonZero.add(overhead);
    out.nonZeroMilliCpu = nonZero.milliCpu;
    out.nonZeroMemory = nonZero.memory;
    return out;
}

} // namespace pilot::scheduler
