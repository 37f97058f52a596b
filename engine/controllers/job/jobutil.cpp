#include "engine/controllers/job/jobutil.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers::job {
namespace json = boost::json;

JobCondition newCondition(std::string_view type, std::string_view reason, std::string_view message,
                          TimePoint now, std::string_view status) {
    std::string stamp = formatTime(now);
    return JobCondition{std::string(type),   std::string(status), stamp, stamp,
                        std::string(reason), std::string(message)};
}

JobStatus JobStatus::fromJob(const json::object& job) {
    JobStatus out;
    const json::object* status = kube::objectAt(job, "status");
    if (status == nullptr) {
        return out;
    }
    if (const json::array* conditions = kube::arrayAt(*status, "conditions")) {
        for (const json::value& v : *conditions) {
            const json::object* c = v.if_object();
            if (c == nullptr) {
                continue;
            }
            out.conditions.push_back(JobCondition{
                kube::stringAt(*c, "type"), kube::stringAt(*c, "status"),
                kube::stringAt(*c, "lastProbeTime"), kube::stringAt(*c, "lastTransitionTime"),
                kube::stringAt(*c, "reason"), kube::stringAt(*c, "message")});
        }
    }
    out.startTime = kube::stringAt(*status, "startTime");
    out.completionTime = kube::stringAt(*status, "completionTime");
    out.active = kube::integerAt(*status, "active").value_or(0);
    out.succeeded = kube::integerAt(*status, "succeeded").value_or(0);
    out.failed = kube::integerAt(*status, "failed").value_or(0);
    out.terminating = kube::integerAt(*status, "terminating");
    out.ready = kube::integerAt(*status, "ready");
    out.completedIndexes = kube::stringAt(*status, "completedIndexes");
    if (const json::value* failed = status->if_contains("failedIndexes");
        failed && failed->is_string()) {
        out.failedIndexes = std::string(failed->get_string());
    }
    if (const json::object* uncounted = kube::objectAt(*status, "uncountedTerminatedPods")) {
        out.uncountedSucceeded = kube::stringsAt(*uncounted, "succeeded");
        out.uncountedFailed = kube::stringsAt(*uncounted, "failed");
    }
    return out;
}

json::object JobStatus::toJson() const {
    json::object out;
    if (!conditions.empty()) {
        json::array list;
        for (const JobCondition& c : conditions) {
            json::object o{{"type", c.type}, {"status", c.status}};
            if (!c.lastProbeTime.empty()) {
                o["lastProbeTime"] = c.lastProbeTime;
            }
            if (!c.lastTransitionTime.empty()) {
                o["lastTransitionTime"] = c.lastTransitionTime;
            }
            if (!c.reason.empty()) {
                o["reason"] = c.reason;
            }
            if (!c.message.empty()) {
                o["message"] = c.message;
            }
            list.push_back(std::move(o));
        }
        out["conditions"] = std::move(list);
    }
    if (!startTime.empty()) {
        out["startTime"] = startTime;
    }
    if (!completionTime.empty()) {
        out["completionTime"] = completionTime;
    }
    for (auto [field, value] : {std::pair<std::string_view, int64_t>{"active", active},
                                {"succeeded", succeeded},
                                {"failed", failed}}) {
        if (value != 0) {
            out[field] = value;
        }
    }
    if (terminating) {
        out["terminating"] = *terminating;
    }
    if (!completedIndexes.empty()) {
        out["completedIndexes"] = completedIndexes;
    }
    if (failedIndexes) {
        out["failedIndexes"] = *failedIndexes;
    }
    json::object uncounted;
    auto uids = [](const std::vector<std::string>& list) {
        json::array array;
        for (const std::string& uid : list) {
            array.emplace_back(uid);
        }
        return array;
    };
    if (!uncountedSucceeded.empty()) {
        uncounted["succeeded"] = uids(uncountedSucceeded);
    }
    if (!uncountedFailed.empty()) {
        uncounted["failed"] = uids(uncountedFailed);
    }
    out["uncountedTerminatedPods"] = std::move(uncounted);
    if (ready) {
        out["ready"] = *ready;
    }
    return out;
}

JobCondition* JobStatus::find(std::string_view type) {
    for (JobCondition& c : conditions) {
        if (c.type == type) {
            return &c;
        }
    }
    return nullptr;
}

const JobCondition* JobStatus::find(std::string_view type) const {
    for (const JobCondition& c : conditions) {
        if (c.type == type) {
            return &c;
        }
    }
    return nullptr;
}

bool JobStatus::ensureCondition(std::string_view type, std::string_view status,
                                std::string_view reason, std::string_view message, TimePoint now) {
    if (JobCondition* c = find(type)) {
        if (c->status != status || c->reason != reason || c->message != message) {
            *c = newCondition(type, reason, message, now, status);
            return true;
        }
        return false;
    }
    if (status != "False") {
        conditions.push_back(newCondition(type, reason, message, now, status));
        return true;
    }
    return false;
}

JobSpec JobSpec::fromJob(const json::object& job) {
    JobSpec out;
    const json::object* spec = kube::objectAt(job, "spec");
    if (spec == nullptr) {
        return out;
    }
    out.completions = kube::integerAt(*spec, "completions");
    out.parallelism = kube::integerAt(*spec, "parallelism").value_or(1);
    out.backoffLimit = kube::integerAt(*spec, "backoffLimit").value_or(6);
    out.activeDeadlineSeconds = kube::integerAt(*spec, "activeDeadlineSeconds");
    out.ttlSecondsAfterFinished = kube::integerAt(*spec, "ttlSecondsAfterFinished");
    out.suspend = kube::boolAt(*spec, "suspend").value_or(false);
    if (std::string mode = kube::stringAt(*spec, "completionMode"); !mode.empty()) {
        out.completionMode = mode;
    }
    out.indexed = out.completionMode == "Indexed";
    if (std::string policy = kube::stringAt(*spec, "podReplacementPolicy"); !policy.empty()) {
        out.podReplacementPolicy = policy;
    }
    out.hasPodFailurePolicy = kube::objectAt(*spec, "podFailurePolicy") != nullptr;
    out.restartPolicy =
        kube::stringAt(kube::objectAt(kube::objectAt(*spec, "template"), "spec"), "restartPolicy");
    if (const json::value* managedBy = spec->if_contains("managedBy");
        managedBy && managedBy->is_string()) {
        out.managedBy = std::string(managedBy->get_string());
    }
    return out;
}

std::optional<JobCondition> finishedCondition(const json::object& job) {
    JobStatus status = JobStatus::fromJob(job);
    for (const JobCondition& c : status.conditions) {
        if ((c.type == Complete || c.type == Failed) && c.status == "True") {
            return c;
        }
    }
    return std::nullopt;
}

bool isJobFinished(const json::object& job) {
    return finishedCondition(job).has_value();
}

bool isJobSucceeded(const json::object& job) {
    JobStatus status = JobStatus::fromJob(job);
    const JobCondition* c = status.find(Complete);
    return c != nullptr && c->status == "True";
}

bool hasTrackingFinalizer(const json::object& pod) {
    return kube::hasFinalizer(pod, TrackingFinalizer);
}

std::string removeTrackingFinalizerPatch() {
    json::object patch{{"metadata", json::object{{"$deleteFromPrimitiveList/finalizers",
                                                  json::array{TrackingFinalizer}}}}};
    return json::serialize(patch);
}

std::string podPhase(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

bool isPodTerminating(const json::object& pod) {
    std::string phase = podPhase(pod);
    return phase != "Succeeded" && phase != "Failed" && kube::hasDeletionTimestamp(pod);
}

} // namespace pilot::controllers::job
