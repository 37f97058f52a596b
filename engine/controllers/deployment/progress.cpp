// Rollout progress (upstream pkg/controller/deployment/progress.go): the Progressing and
// ReplicaFailure conditions, the progress deadline, and pause/resume conditions.

#include "engine/controllers/deployment/deploymentcontroller.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;
using namespace deployment;

namespace {

/// ReplicaFailure conditions of the new set, else of any set, as Deployment conditions.
std::vector<json::object> replicaFailures(const RsList& all, const kube::ObjectPtr& newRS) {
    auto collect = [](const kube::ObjectPtr& rs, std::vector<json::object>& out) {
        if (!rs) {
            return;
        }
        const json::object* status = kube::objectAt(*rs, "status");
        const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
        if (conditions == nullptr) {
            return;
        }
        for (const json::value& c : *conditions) {
            const json::object* condition = c.if_object();
            if (condition == nullptr || kube::stringAt(*condition, "type") != ReplicaFailure) {
                continue;
            }
            std::string since = kube::stringAt(*condition, "lastTransitionTime");
            out.push_back(json::object{{"type", ReplicaFailure},
                                       {"status", kube::stringAt(*condition, "status")},
                                       {"lastUpdateTime", since},
                                       {"lastTransitionTime", since},
                                       {"reason", kube::stringAt(*condition, "reason")},
                                       {"message", kube::stringAt(*condition, "message")}});
        }
    };
    std::vector<json::object> failures;
    collect(newRS, failures);
    if (!failures.empty()) {
        return failures;
    }
    for (const kube::ObjectPtr& rs : all) {
        collect(rs, failures);
    }
    return failures;
}

std::string subject(const json::object& d, const kube::ObjectPtr& newRS) {
    return newRS ? fmt::format("ReplicaSet \"{}\"", kube::name(*newRS))
                 : fmt::format("Deployment \"{}\"", kube::name(d));
}

} // namespace

Status DeploymentController::syncRolloutStatus(json::object& d, const Sets& sets) {
    const TimePoint now = m_clock.now();
    const RsList all = sets.all();
    DeploymentStatus status = calculateStatus(all, sets.newRS, d, now);
    const std::optional<int64_t> deadline = progressDeadline(d);
    if (!deadline) {
        removeCondition(status.conditions, Progressing);
    }

    const DeploymentStatus old = DeploymentStatus::of(d);
    const json::object* currentCondition = findCondition(old.conditions, Progressing);
    // Only the new set active and already reported complete: a resync, nothing to estimate.
    const bool alreadyComplete =
        status.replicas == status.updatedReplicas && currentCondition &&
        kube::stringAt(*currentCondition, "reason") == NewRSAvailableReason;
    if (deadline && !alreadyComplete) {
        if (deploymentComplete(d, status)) {
            setCondition(status.conditions,
                         newCondition(Progressing, "True", NewRSAvailableReason,
                                      subject(d, sets.newRS) + " has successfully progressed.",
                                      now));
        } else if (deploymentProgressing(d, status)) {
            // Progress refreshes lastUpdateTime even when the reason stays the same.
            json::object condition = newCondition(Progressing, "True", ReplicaSetUpdatedReason,
                                                  subject(d, sets.newRS) + " is progressing.", now);
            if (currentCondition) {
                if (kube::stringAt(*currentCondition, "status") == "True") {
                    if (const json::value* since =
                            currentCondition->if_contains("lastTransitionTime")) {
                        condition["lastTransitionTime"] = *since;
                    }
                }
                removeCondition(status.conditions, Progressing);
            }
            setCondition(status.conditions, std::move(condition));
        } else if (deploymentTimedOut(d, status, now)) {
            setCondition(status.conditions,
                         newCondition(Progressing, "False", TimedOutReason,
                                      subject(d, sets.newRS) + " has timed out progressing.", now));
        }
    }

    std::vector<json::object> failures = replicaFailures(all, sets.newRS);
    if (!failures.empty()) {
        setCondition(status.conditions, std::move(failures.front()));
    } else {
        removeCondition(status.conditions, ReplicaFailure);
    }

    if (old == status) {
        requeueStuckDeployment(d, status);
        return {};
    }
    d["status"] = status.toJson();
    return writeStatus(d);
}

void DeploymentController::requeueStuckDeployment(const json::object& d,
                                                  const DeploymentStatus& newStatus) {
    const std::optional<int64_t> deadline = progressDeadline(d);
    const DeploymentStatus old = DeploymentStatus::of(d);
    const json::object* condition = findCondition(old.conditions, Progressing);
    if (!deadline || condition == nullptr) {
        return;
    }
    if (deploymentComplete(d, newStatus) ||
        kube::stringAt(*condition, "reason") == TimedOutReason) {
        return;
    }
    // No sign of progress: look again when the deadline passes, in case it stays stuck.
    auto from = parseTime(kube::stringAt(*condition, "lastUpdateTime"));
    if (!from) {
        return;
    }
    auto after = *from + std::chrono::seconds(*deadline) - m_clock.now();
    // A little past the deadline, since it must have passed strictly.
    enqueueAfter(kube::objectKey(d),
                 std::max<std::chrono::nanoseconds>(after, std::chrono::nanoseconds(0)) +
                     std::chrono::milliseconds(100));
}

Status DeploymentController::checkPausedConditions(json::object& d) {
    if (!progressDeadline(d)) {
        return {};
    }
    DeploymentStatus status = DeploymentStatus::of(d);
    const json::object* condition = findCondition(status.conditions, Progressing);
    const std::string reason = condition ? kube::stringAt(*condition, "reason") : "";
    if (reason == TimedOutReason) {
        return {}; // Do not hide the lack of progress behind a paused condition.
    }
    const bool pausedConditionExists = reason == PausedDeployReason;
    if (isPaused(d) && !pausedConditionExists) {
        setCondition(status.conditions, newCondition(Progressing, "Unknown", PausedDeployReason,
                                                     "Deployment is paused", m_clock.now()));
    } else if (!isPaused(d) && pausedConditionExists) {
        setCondition(status.conditions, newCondition(Progressing, "Unknown", ResumedDeployReason,
                                                     "Deployment is resumed", m_clock.now()));
    } else {
        return {};
    }
    d["status"] = status.toJson();
    return writeStatus(d);
}

} // namespace pilot::controllers
