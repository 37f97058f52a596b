#include "engine/scheduler/podupdates.h"

#include "core/log.h"
#include "kube/jsonutil.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

namespace pilot::scheduler {

namespace json = boost::json;

namespace {

const json::object* conditionOf(const PodInfo& pod, std::string_view type) {
    const json::object* status = kube::objectAt(*pod.object, "status");
    const json::array* conditions =
        status != nullptr ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition != nullptr && kube::stringAt(*condition, "type") == type) {
            return condition;
        }
    }
    return nullptr;
}

void patchStatus(kube::ApiClient& client, const PodInfo& pod, const json::object& status) {
    json::object patch{{"status", status}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto result = client.patch(kube::resources::Pods, pod.ns, pod.name,
                               kube::PatchType::StrategicMerge, json::serialize(patch), options);
    if (!result && !kube::isNotFound(result.error())) {
        log::warn("scheduler", "updating status of pod {}: {}", pod.key, result.error().message);
    }
}

} // namespace

std::expected<void, kube::ApiError> bindPod(kube::ApiClient& client, const PodInfo& pod,
                                            const std::string& node) {
    json::object binding{
        {"apiVersion", "v1"},
        {"kind", "Binding"},
        {"metadata", json::object{{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}},
        {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    kube::ApiRequest request;
    request.method = "POST";
    request.path = kube::resources::Pods.objectPath(pod.ns, pod.name, "binding");
    request.body = json::serialize(binding);
    request.contentType = "application/json";
    auto response = client.send(request);
    if (!response) {
        return std::unexpected(kube::ApiError::fromTransport(response.error()));
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(kube::ApiError::fromResponse(response->status, response->body));
    }
    return {};
}

void updatePodScheduledCondition(kube::ApiClient& client, const PodInfo& pod,
                                 std::string_view reason, std::string_view message,
                                 const std::optional<std::string>& nominated, const Clock& clock) {
    const json::object* current = conditionOf(pod, "PodScheduled");
    bool conditionChanged = current == nullptr || kube::stringAt(*current, "status") != "False" ||
                            kube::stringAt(*current, "reason") != reason ||
                            kube::stringAt(*current, "message") != message;
    bool nominationChanged = nominated && *nominated != pod.nominatedNodeName;
    if (!conditionChanged && !nominationChanged) {
        return;
    }
    json::object status;
    if (conditionChanged) {
        std::string transition = current != nullptr &&
                                         kube::stringAt(*current, "status") == "False" &&
                                         !kube::stringAt(*current, "lastTransitionTime").empty()
                                     ? kube::stringAt(*current, "lastTransitionTime")
                                     : formatTime(clock.now());
        status["conditions"] = json::array{json::object{{"type", "PodScheduled"},
                                                        {"status", "False"},
                                                        {"lastProbeTime", nullptr},
                                                        {"lastTransitionTime", transition},
                                                        {"reason", reason},
                                                        {"message", message}}};
    }
    if (nominationChanged) {
        status["nominatedNodeName"] =
            nominated->empty() ? json::value(nullptr) : json::value(*nominated);
    }
    patchStatus(client, pod, status);
}

void preemptVictim(kube::ApiClient& client, EventRecorder& recorder, const PodInfo& victim,
                   const PodInfo& preemptor, const std::string& node, const Clock& clock) {
    if (conditionOf(victim, "DisruptionTarget") == nullptr) {
        json::object status{
            {"conditions",
             json::array{json::object{
                 {"type", "DisruptionTarget"},
                 {"status", "True"},
                 {"lastProbeTime", nullptr},
                 {"lastTransitionTime", formatTime(clock.now())},
                 {"reason", "PreemptionByScheduler"},
                 {"message", fmt::format("{}: preempting to accommodate a higher priority pod",
                                         preemptor.schedulerName)}}}}};
        patchStatus(client, victim, status);
    }
    kube::DeleteOptions options;
    options.preconditionUid = victim.uid;
    auto removed = client.remove(kube::resources::Pods, victim.ns, victim.name, options);
    if (!removed && !kube::isNotFound(removed.error())) {
        log::warn("scheduler", "preempting pod {}: {}", victim.key, removed.error().message);
        return;
    }
    recorder.record(victim, "Normal", "Preempted", "Preempting",
                    fmt::format("Preempted by pod {} on node {}", preemptor.uid, node), &preemptor);
}

void clearNominatedNodeName(kube::ApiClient& client, const PodInfo& pod) {
    patchStatus(client, pod, json::object{{"nominatedNodeName", nullptr}});
}

} // namespace pilot::scheduler
