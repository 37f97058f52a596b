#include "engine/scheduler/nodeinfo.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::scheduler {

namespace json = boost::json;

std::optional<std::string_view> NodeSpec::label(std::string_view key) const {
    const json::value* v = labels.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string_view(v->get_string());
}

NodeSpecPtr makeNodeSpec(kube::ObjectPtr node) {
    auto spec = std::make_shared<NodeSpec>();
    const json::object& obj = *node;
    spec->object = node;
    spec->name = kube::name(obj);
    if (const json::object* labels = kube::labels(obj)) {
        spec->labels = *labels;
    }
    const json::object* nodeSpec = kube::objectAt(obj, "spec");
    if (nodeSpec != nullptr) {
        spec->taints = taintsOf(kube::arrayAt(*nodeSpec, "taints"));
        spec->unschedulable = kube::boolAt(*nodeSpec, "unschedulable").value_or(false);
    }
    const json::object* status = kube::objectAt(obj, "status");
    spec->allocatable = resourceListOf(kube::objectAt(status, "allocatable"));
    if (const json::array* images =
            status != nullptr ? kube::arrayAt(*status, "images") : nullptr) {
        for (const json::value& i : *images) {
            const json::object* image = i.if_object();
            if (image == nullptr) {
                continue;
            }
            int64_t size = kube::integerAt(*image, "sizeBytes").value_or(0);
            for (const std::string& name : kube::stringsAt(*image, "names")) {
                spec->images.emplace_back(name, size);
            }
        }
    }
    return spec;
}

bool schedulingRelevantChange(const NodeSpec& before, const NodeSpec& after) {
    if (before.unschedulable != after.unschedulable || before.labels != after.labels) {
        return true;
    }
    if (before.taints.size() != after.taints.size()) {
        return true;
    }
    for (size_t i = 0; i < before.taints.size(); ++i) {
        const Taint& a = before.taints[i];
        const Taint& b = after.taints[i];
        if (a.key != b.key || a.value != b.value || a.effect != b.effect) {
            return true;
        }
    }
    const Resource& a = before.allocatable;
    const Resource& b = after.allocatable;
    return a.milliCpu != b.milliCpu || a.memory != b.memory ||
           a.ephemeralStorage != b.ephemeralStorage || a.allowedPods != b.allowedPods ||
           a.scalars != b.scalars || before.images.size() != after.images.size();
}

void NodeInfo::account(const PodInfo& pod, int64_t sign) {
    m_requested.add(pod.requests.requests, sign);
    m_nonZeroMilliCpu += sign * pod.requests.nonZeroMilliCpu;
    m_nonZeroMemory += sign * pod.requests.nonZeroMemory;
    if (pod.hasRequiredAntiAffinity()) {
        m_podsWithAntiAffinity += static_cast<int>(sign);
    }
    for (const HostPort& port : pod.hostPorts) {
        if (sign > 0) {
            m_usedPorts.push_back(port);
            continue;
        }
        auto it = std::find_if(m_usedPorts.begin(), m_usedPorts.end(), [&](const HostPort& p) {
            return p.ip == port.ip && p.protocol == port.protocol && p.port == port.port;
        });
        if (it != m_usedPorts.end()) {
            m_usedPorts.erase(it);
        }
    }
}

void NodeInfo::addPod(const PodInfoPtr& pod) {
    m_pods.push_back(pod);
    account(*pod, 1);
}

PodInfoPtr NodeInfo::removePod(std::string_view uid) {
    auto it = std::find_if(m_pods.begin(), m_pods.end(),
                           [&](const PodInfoPtr& p) { return p->uid == uid; });
    if (it == m_pods.end()) {
        return nullptr;
    }
    PodInfoPtr removed = std::move(*it);
    *it = std::move(m_pods.back());
    m_pods.pop_back();
    account(*removed, -1);
    return removed;
}

bool NodeInfo::portsConflict(const std::vector<HostPort>& wanted) const {
    for (const HostPort& w : wanted) {
        for (const HostPort& used : m_usedPorts) {
            if (w.conflicts(used)) {
                return true;
            }
        }
    }
    return false;
}

} // namespace pilot::scheduler
