#pragma once

#include "core/clock.h"
#include "engine/scheduler/eventrecorder.h"
#include "engine/scheduler/podinfo.h"
#include "kube/client/apiclient.h"

#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::scheduler {

// The scheduler's writes to pods. Each calls the API synchronously (run on ApiWorkers).

/// POST pods/<name>/binding with a Binding to `node`.
[[nodiscard]] std::expected<void, kube::ApiError>
bindPod(kube::ApiClient& client, const PodInfo& pod, const std::string& node);

/// Sets the pod's PodScheduled condition to False with `reason` (Unschedulable or
/// SchedulerError) and `message`, and status.nominatedNodeName to `nominated` when given
/// (empty clears it), with one strategic-merge PATCH of pods/status. Nothing is sent when the
/// pod already shows all of it (upstream updatePod). lastTransitionTime is kept when the
/// condition was already False.
void updatePodScheduledCondition(kube::ApiClient& client, const PodInfo& pod,
                                 std::string_view reason, std::string_view message,
                                 const std::optional<std::string>& nominated, const Clock& clock);

/// Evicts a preemption victim as kube-scheduler does: a DisruptionTarget condition (reason
/// PreemptionByScheduler), a DELETE, and a `Preempted` event ("Preempted by pod <uid> on node
/// <node>").
void preemptVictim(kube::ApiClient& client, EventRecorder& recorder, const PodInfo& victim,
                   const PodInfo& preemptor, const std::string& node, const Clock& clock);

/// Clears status.nominatedNodeName of a pod that lost its nomination.
void clearNominatedNodeName(kube::ApiClient& client, const PodInfo& pod);

} // namespace pilot::scheduler
