#include "engine/controllers/job/backoff.h"

#include "engine/controllers/job/jobpolicies.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

namespace pilot::controllers::job {
namespace json = boost::json;

namespace {

std::optional<TimePoint> parsed(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    auto t = parseTime(text);
    return t ? std::optional<TimePoint>(*t) : std::nullopt;
}

/// The latest finishedAt of the containers, or nullopt when any has not terminated.
std::optional<TimePoint> finishTimeFromContainers(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    const json::array* statuses = status ? kube::arrayAt(*status, "containerStatuses") : nullptr;
    if (statuses == nullptr) {
        return std::nullopt;
    }
    std::optional<TimePoint> latest;
    for (const json::value& v : *statuses) {
        const json::object* terminated =
            v.is_object() ? kube::objectAt(kube::objectAt(v.get_object(), "state"), "terminated")
                          : nullptr;
        auto finished = parsed(kube::stringAt(terminated, "finishedAt"));
        if (!finished) {
            return std::nullopt;
        }
        if (!latest || *latest < *finished) {
            latest = finished;
        }
    }
    return latest;
}

std::optional<TimePoint> finishTimeFromReadyFalse(const json::object& pod) {
    const json::object* status = kube::objectAt(pod, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return std::nullopt;
    }
    for (const json::value& v : *conditions) {
        const json::object* c = v.if_object();
        if (c != nullptr && kube::stringAt(*c, "type") == "Ready" &&
            kube::stringAt(*c, "status") == "False") {
            return parsed(kube::stringAt(*c, "lastTransitionTime"));
        }
    }
    return std::nullopt;
}

} // namespace

TimePoint podFinishedTime(const json::object& pod) {
    if (auto t = finishTimeFromContainers(pod)) {
        return *t;
    }
    if (auto t = finishTimeFromReadyFalse(pod)) {
        return *t;
    }
    if (auto deleted = parsed(kube::deletionTimestamp(pod))) {
        const json::object* meta = kube::metadataOf(pod);
        int64_t grace = meta ? kube::integerAt(*meta, "deletionGracePeriodSeconds").value_or(0) : 0;
        return *deleted - std::chrono::seconds(grace);
    }
    return parsed(kube::creationTimestamp(pod)).value_or(TimePoint());
}

std::chrono::nanoseconds remainingBackoff(int64_t failures, std::optional<TimePoint> lastFailure,
                                          TimePoint now) {
    if (failures == 0 || !lastFailure) {
        return std::chrono::nanoseconds(0);
    }
    std::chrono::nanoseconds backoff = DefaultPodFailureBackoff;
    for (int64_t i = 1; i < failures; ++i) {
        backoff *= 2;
        if (backoff >= MaxPodFailureBackoff) {
            backoff = MaxPodFailureBackoff;
            break;
        }
    }
    auto elapsed = now - *lastFailure;
    if (backoff < elapsed) {
        return std::chrono::nanoseconds(0);
    }
    return backoff - elapsed;
}

std::chrono::nanoseconds BackoffRecord::remainingTime(TimePoint now) const {
    return remainingBackoff(failuresAfterLastSuccess, lastFailureTime, now);
}

std::chrono::nanoseconds remainingTimePerIndex(const json::object* lastFailed, TimePoint now) {
    if (lastFailed == nullptr) {
        return std::chrono::nanoseconds(0);
    }
    return remainingBackoff(indexAbsoluteFailureCount(*lastFailed) + 1,
                            podFinishedTime(*lastFailed), now);
}

BackoffRecord BackoffStore::newRecord(const std::string& key,
                                      std::vector<kube::ObjectPtr> newSucceeded,
                                      std::vector<kube::ObjectPtr> newFailed) const {
    BackoffRecord record{key, 0, std::nullopt};
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_records.find(key); it != m_records.end()) {
            record = it->second;
        }
    }
    auto byFinish = [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
        return podFinishedTime(*a) < podFinishedTime(*b);
    };
    std::stable_sort(newSucceeded.begin(), newSucceeded.end(), byFinish);
    std::stable_sort(newFailed.begin(), newFailed.end(), byFinish);
    if (newSucceeded.empty()) {
        if (newFailed.empty()) {
            return record;
        }
        record.failuresAfterLastSuccess += static_cast<int64_t>(newFailed.size());
        record.lastFailureTime = podFinishedTime(*newFailed.back());
        return record;
    }
    record.failuresAfterLastSuccess = 0;
    record.lastFailureTime.reset();
    TimePoint lastSuccess = podFinishedTime(*newSucceeded.back());
    for (auto it = newFailed.rbegin(); it != newFailed.rend(); ++it) {
        TimePoint failedAt = podFinishedTime(**it);
        if (!(failedAt > lastSuccess)) {
            break;
        }
        if (!record.lastFailureTime) {
            record.lastFailureTime = failedAt;
        }
        ++record.failuresAfterLastSuccess;
    }
    return record;
}

void BackoffStore::update(const BackoffRecord& record) {
    std::lock_guard lock(m_mutex);
    m_records[record.key] = record;
}

void BackoffStore::remove(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_records.erase(key);
}

} // namespace pilot::controllers::job
