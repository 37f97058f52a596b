#include "nodeagent/node/nodestatus.h"

#include "kube/jsonutil.h"
#include "kube/quantity.h"

#include <algorithm>

namespace pilot::agent {
namespace json = boost::json;
using kube::Quantity;

namespace {

std::string binary(int64_t bytes) {
    return Quantity::fromValue(std::max<int64_t>(bytes, 0), Quantity::Format::BinarySI).toString();
}

struct ConditionSpec {
    const char* type;
    bool bad;
    const char* goodStatus;
    const char* goodReason;
    const char* goodMessage;
    const char* badStatus;
    const char* badReason;
    const char* badMessage;
};

} // namespace

json::object nodeLabels(const NodeIdentity& identity, const SystemInfo& info) {
    return json::object{{"beta.kubernetes.io/arch", info.architecture},
                        {"beta.kubernetes.io/os", info.operatingSystem},
                        {"kubernetes.io/arch", info.architecture},
                        {"kubernetes.io/hostname", identity.name},
                        {"kubernetes.io/os", info.operatingSystem}};
}

json::object nodeCapacity(const SystemInfo& info) {
    return json::object{{"cpu", std::to_string(info.cpuCount)},
                        {"ephemeral-storage", binary(info.fsCapacityBytes)},
                        {"hugepages-1Gi", "0"},
                        {"hugepages-2Mi", "0"},
                        {"memory", binary(info.memoryTotalBytes)},
                        {"pods", "110"}};
}

json::object nodeAllocatable(const SystemInfo& info, const EvictionThresholds& eviction) {
    // kubelet's defaults: no system/kube reservations; the hard eviction thresholds of
    // memory.available and nodefs.available are held back.
    return json::object{
        {"cpu", std::to_string(info.cpuCount)},
        {"ephemeral-storage", binary(info.fsCapacityBytes - eviction.reservedStorage(info))},
        {"hugepages-1Gi", "0"},
        {"hugepages-2Mi", "0"},
        {"memory", binary(info.memoryTotalBytes - eviction.reservedMemory(info))},
        {"pods", "110"}};
}

json::object nodeInfoFields(const NodeIdentity& identity, const SystemInfo& info) {
    return json::object{{"architecture", info.architecture},
                        {"bootID", info.bootId},
                        {"containerRuntimeVersion", identity.runtimeVersion},
                        {"kernelVersion", info.kernelVersion},
                        {"kubeProxyVersion", identity.kubeletVersion},
                        {"kubeletVersion", identity.kubeletVersion},
                        {"machineID", info.machineId},
                        {"operatingSystem", info.operatingSystem},
                        {"osImage", info.osImage},
                        {"systemUUID", info.systemUuid}};
}

json::array nodeConditions(const SystemInfo& info, const EvictionThresholds& eviction,
                           const json::array* previous, TimePoint now,
                           const std::string& notReadyMessage) {
    bool memoryPressure = eviction.memoryPressure(info);
    bool diskPressure = eviction.diskPressure(info);
    bool pidPressure = eviction.pidPressure(info);
    const ConditionSpec specs[] = {
        {"MemoryPressure", memoryPressure, "False", "KubeletHasSufficientMemory",
         "kubelet has sufficient memory available", "True", "KubeletHasInsufficientMemory",
         "kubelet has insufficient memory available"},
        {"DiskPressure", diskPressure, "False", "KubeletHasNoDiskPressure",
         "kubelet has no disk pressure", "True", "KubeletHasDiskPressure",
         "kubelet has disk pressure"},
        {"PIDPressure", pidPressure, "False", "KubeletHasSufficientPID",
         "kubelet has sufficient PID available", "True", "KubeletHasInsufficientPID",
         "kubelet has insufficient PID available"},
        {"Ready", !notReadyMessage.empty(), "True", "KubeletReady",
         "kubelet is posting ready status", "False", "KubeletNotReady", ""},
    };
    std::string nowText = formatTime(now);
    json::array out;
    for (const ConditionSpec& spec : specs) {
        std::string status = spec.bad ? spec.badStatus : spec.goodStatus;
        std::string transition = nowText;
        if (previous) {
            for (const json::value& v : *previous) {
                if (v.is_object() && kube::stringAt(v.as_object(), "type") == spec.type &&
                    kube::stringAt(v.as_object(), "status") == status &&
                    !kube::stringAt(v.as_object(), "lastTransitionTime").empty()) {
                    transition = kube::stringAt(v.as_object(), "lastTransitionTime");
                }
            }
        }
        std::string message = spec.bad ? spec.badMessage : spec.goodMessage;
        if (std::string_view(spec.type) == "Ready" && spec.bad) {
            message = notReadyMessage;
        }
        out.push_back(json::object{{"type", spec.type},
                                   {"status", status},
                                   {"lastHeartbeatTime", nowText},
                                   {"lastTransitionTime", transition},
                                   {"reason", spec.bad ? spec.badReason : spec.goodReason},
                                   {"message", message}});
    }
    return out;
}

json::object nodeStatus(const NodeIdentity& identity, const SystemInfo& info,
                        const EvictionThresholds& eviction, const json::array* previousConditions,
                        TimePoint now, const std::string& notReadyMessage,
                        const std::vector<ImageInfo>& images) {
    json::array imageList;
    // kubelet reports at most 50 images, largest first.
    std::vector<const ImageInfo*> sorted;
    for (const ImageInfo& image : images) {
        sorted.push_back(&image);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const ImageInfo* a, const ImageInfo* b) { return a->sizeBytes > b->sizeBytes; });
    for (size_t i = 0; i < sorted.size() && i < 50; ++i) {
        json::array names;
        for (const auto& n : sorted[i]->repoDigests) {
            names.emplace_back(n);
        }
        for (const auto& n : sorted[i]->repoTags) {
            names.emplace_back(n);
        }
        imageList.push_back(
            json::object{{"names", std::move(names)}, {"sizeBytes", sorted[i]->sizeBytes}});
    }
    json::object status{
        {"capacity", nodeCapacity(info)},
        {"allocatable", nodeAllocatable(info, eviction)},
        {"conditions", nodeConditions(info, eviction, previousConditions, now, notReadyMessage)},
        {"addresses",
         json::array{json::object{{"type", "InternalIP"}, {"address", identity.nodeIp}},
                     json::object{{"type", "Hostname"}, {"address", identity.name}}}},
        {"daemonEndpoints",
         json::object{{"kubeletEndpoint", json::object{{"Port", identity.port}}}}},
        {"nodeInfo", nodeInfoFields(identity, info)},
    };
    if (imageList.empty()) {
        // No images: a null in the strategic merge patch deletes status.images on the server,
        // as kubelet's computed patch does, so the last list reported does not stay behind.
        status["images"] = nullptr;
    } else {
        status["images"] = std::move(imageList);
    }
    return status;
}

bool nodeStatusChanged(const json::object& before, const json::object& after) {
    auto withoutHeartbeat = [](json::object condition) {
        condition.erase("lastHeartbeatTime");
        return condition;
    };
    for (const auto& [key, value] : after) {
        const json::value* old = before.if_contains(key);
        if (value.is_null()) {
            // A field the report deletes: a change while the server still has a value for it.
            bool empty = !old || old->is_null() || (old->is_array() && old->as_array().empty()) ||
                         (old->is_object() && old->as_object().empty());
            if (!empty) {
                return true;
            }
            continue;
        }
        if (key != "conditions") {
            if (!old || !kube::jsonEqual(*old, value)) {
                return true;
            }
            continue;
        }
        if (!value.is_array() || !old || !old->is_array()) {
            return true;
        }
        for (const json::value& c : value.as_array()) {
            if (!c.is_object()) {
                continue;
            }
            std::string type = kube::stringAt(c.as_object(), "type");
            auto same = std::find_if(
                old->as_array().begin(), old->as_array().end(), [&](const json::value& o) {
                    return o.is_object() && kube::stringAt(o.as_object(), "type") == type;
                });
            if (same == old->as_array().end() ||
                !kube::jsonEqual(withoutHeartbeat(same->as_object()),
                                 withoutHeartbeat(c.as_object()))) {
                return true;
            }
        }
    }
    return false;
}

} // namespace pilot::agent
