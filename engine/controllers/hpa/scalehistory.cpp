#include "engine/controllers/hpa/scalehistory.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pilot::controllers::hpa {

namespace {

constexpr double ScaleUpLimitFactor = 2.0;
constexpr double ScaleUpLimitMinimum = 4.0;

constexpr std::string_view ReadyForNewScaleMessage = "recommended size matches current size";
constexpr std::string_view ScaleDownStabilizedMessage =
    "recent recommendations were higher than current one, applying the highest recent "
    "recommendation";
constexpr std::string_view ScaleUpStabilizedMessage =
    "recent recommendations were lower than current one, applying the lowest recent "
    "recommendation";
constexpr std::string_view WithinRangeMessage = "the desired count is within the acceptable range";
constexpr std::string_view ScaleUpLimitMessage =
    "the desired replica count is increasing faster than the maximum scale rate";
constexpr std::string_view ScaleDownLimitMessage =
    "the desired replica count is decreasing faster than the maximum scale rate";
constexpr std::string_view TooManyMessage =
    "the desired replica count is more than the maximum replica count";
constexpr std::string_view TooFewMessage =
    "the desired replica count is less than the minimum replica count";

TimePoint::duration seconds(int64_t s) {
    return std::chrono::duration_cast<TimePoint::duration>(std::chrono::seconds(s));
}

struct Limited {
    int32_t replicas = 0;
    std::string reason;
    std::string message;
};

/// convertDesiredReplicasWithRules: min/max bounds and, without spec.behavior, a scale up to at
/// most max(2 * current, 4).
Limited limitWithoutBehavior(int32_t current, int32_t desired, int32_t minReplicas,
                             int32_t maxReplicas) {
    auto scaleUpLimit = static_cast<int32_t>(
        std::max(ScaleUpLimitFactor * static_cast<double>(current), ScaleUpLimitMinimum));
    int32_t maximum = maxReplicas;
    std::string reason = "TooManyReplicas";
    std::string message(TooManyMessage);
    if (maxReplicas > scaleUpLimit) {
        maximum = scaleUpLimit;
        reason = "ScaleUpLimit";
        message = ScaleUpLimitMessage;
    }
    if (desired < minReplicas) {
        return {minReplicas, "TooFewReplicas", std::string(TooFewMessage)};
    }
    if (desired > maximum) {
        return {maximum, reason, message};
    }
    return {desired, "DesiredWithinRange", std::string(WithinRangeMessage)};
}

int32_t longestPolicyPeriod(const ScalingRules& rules) {
    int32_t longest = 0;
    for (const ScalingPolicy& policy : rules.policies) {
        longest = std::max(longest, policy.periodSeconds);
    }
    return longest;
}

} // namespace

ScaleHistory::ScaleHistory(std::chrono::seconds downscaleStabilisationWindow)
    : m_downscaleWindow(downscaleStabilisationWindow) {}

void ScaleHistory::recordInitialRecommendation(const std::string& key, int32_t currentReplicas,
                                               TimePoint now) {
    std::lock_guard lock(m_mutex);
    if (!m_recommendations.contains(key)) {
        m_recommendations[key] = {Recommendation{currentReplicas, now}};
    }
}

Normalized ScaleHistory::normalize(const std::string& key, const HpaSpec& spec,
                                   int32_t currentReplicas, int32_t desired, TimePoint now) {
    if (spec.behavior) {
        return normalizeWithBehavior(key, spec, currentReplicas, desired, now);
    }
    return normalizeWithoutBehavior(key, spec, currentReplicas, desired, now);
}

Normalized ScaleHistory::normalizeWithoutBehavior(const std::string& key, const HpaSpec& spec,
                                                  int32_t currentReplicas, int32_t desired,
                                                  TimePoint now) {
    // stabilizeRecommendation: the highest recommendation within the window; the newest one
    // replaces a sample that fell out of it.
    int32_t stabilized = desired;
    {
        std::lock_guard lock(m_mutex);
        std::vector<Recommendation>& history = m_recommendations[key];
        TimePoint cutoff = now - m_downscaleWindow;
        std::optional<size_t> oldSample;
        for (size_t i = 0; i < history.size(); ++i) {
            if (history[i].at < cutoff) {
                oldSample = i;
            } else {
                stabilized = std::max(stabilized, history[i].replicas);
            }
        }
        if (oldSample) {
            history[*oldSample] = Recommendation{desired, now};
        } else {
            history.push_back(Recommendation{desired, now});
        }
    }
    Normalized out;
    if (stabilized != desired) {
        out.ableToScale = {"True", "ScaleDownStabilized", std::string(ScaleDownStabilizedMessage)};
    } else {
        out.ableToScale = {"True", "ReadyForNewScale", std::string(ReadyForNewScaleMessage)};
    }
    Limited limited =
        limitWithoutBehavior(currentReplicas, stabilized, spec.minReplicas, spec.maxReplicas);
    out.replicas = limited.replicas;
    out.scalingLimited = {limited.replicas == stabilized ? "False" : "True", limited.reason,
                          limited.message};
    return out;
}

Normalized ScaleHistory::normalizeWithBehavior(const std::string& key, const HpaSpec& spec,
                                               int32_t currentReplicas, int32_t desired,
                                               TimePoint now) {
    const Behavior& behavior = *spec.behavior;
    int64_t upWindow = behavior.scaleUp.stabilizationWindowSeconds.value_or(0);
    int64_t downWindow =
        behavior.scaleDown.stabilizationWindowSeconds.value_or(m_downscaleWindow.count());
    TimePoint upCutoff = now - seconds(upWindow);
    TimePoint downCutoff = now - seconds(downWindow);

    // stabilizeRecommendationWithBehaviors: a scale up goes no higher than the lowest
    // recommendation of its window, a scale down no lower than the highest of its window.
    int32_t upRecommendation = desired;
    int32_t downRecommendation = desired;
    {
        std::lock_guard lock(m_mutex);
        std::vector<Recommendation>& history = m_recommendations[key];
        std::optional<size_t> oldSample;
        for (size_t i = 0; i < history.size(); ++i) {
            const Recommendation& rec = history[i];
            if (rec.at > upCutoff) {
                upRecommendation = std::min(rec.replicas, upRecommendation);
            }
            if (rec.at > downCutoff) {
                downRecommendation = std::max(rec.replicas, downRecommendation);
            }
            if (rec.at < upCutoff && rec.at < downCutoff) {
                oldSample = i;
            }
        }
        if (oldSample) {
            history[*oldSample] = Recommendation{desired, now};
        } else {
            history.push_back(Recommendation{desired, now});
        }
    }
    int32_t stabilized = currentReplicas;
    stabilized = std::max(stabilized, upRecommendation);
    stabilized = std::min(stabilized, downRecommendation);

    Normalized out;
    if (stabilized != desired) {
        if (desired >= currentReplicas) {
            out.ableToScale = {"True", "ScaleUpStabilized", std::string(ScaleUpStabilizedMessage)};
        } else {
            out.ableToScale = {"True", "ScaleDownStabilized",
                               std::string(ScaleDownStabilizedMessage)};
        }
    } else {
        out.ableToScale = {"True", "ReadyForNewScale", std::string(ReadyForNewScaleMessage)};
    }

    // convertDesiredReplicasWithBehaviorRate.
    Limited limited{stabilized, "DesiredWithinRange", std::string(WithinRangeMessage)};
    if (stabilized > currentReplicas) {
        int32_t limit =
            std::max(scaleUpLimit(key, currentReplicas, behavior.scaleUp, now), currentReplicas);
        int32_t maximum = spec.maxReplicas;
        std::string reason = "TooManyReplicas";
        std::string message(TooManyMessage);
        if (maximum > limit) {
            maximum = limit;
            reason = "ScaleUpLimit";
            message = ScaleUpLimitMessage;
        }
        if (stabilized > maximum) {
            limited = {maximum, reason, message};
        }
    } else if (stabilized < currentReplicas) {
        int32_t limit = std::min(scaleDownLimit(key, currentReplicas, behavior.scaleDown, now),
                                 currentReplicas);
        int32_t minimum = spec.minReplicas;
        std::string reason = "TooFewReplicas";
        std::string message(TooFewMessage);
        if (minimum < limit) {
            minimum = limit;
            reason = "ScaleDownLimit";
            message = ScaleDownLimitMessage;
        }
        if (stabilized < minimum) {
            limited = {minimum, reason, message};
        }
    }
    out.replicas = limited.replicas;
    out.scalingLimited = {limited.replicas == stabilized ? "False" : "True", limited.reason,
                          limited.message};
    return out;
}

int32_t ScaleHistory::changeInPeriod(const std::vector<ScaleEvent>* events, int32_t periodSeconds,
                                     TimePoint now) const {
    if (events == nullptr) {
        return 0;
    }
    TimePoint cutoff = now - seconds(periodSeconds);
    int32_t change = 0;
    for (const ScaleEvent& event : *events) {
        if (event.at > cutoff) {
            change += event.change;
        }
    }
    return change;
}

int32_t ScaleHistory::scaleUpLimit(const std::string& key, int32_t currentReplicas,
                                   const ScalingRules& rules, TimePoint now) const {
    if (rules.selectPolicy == "Disabled") {
        return currentReplicas;
    }
    bool pickMin = rules.selectPolicy == "Min";
    int32_t result =
        pickMin ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int32_t>::min();
    std::lock_guard lock(m_mutex);
    auto up = m_scaleUpEvents.find(key);
    auto down = m_scaleDownEvents.find(key);
    for (const ScalingPolicy& policy : rules.policies) {
        int32_t added = changeInPeriod(up == m_scaleUpEvents.end() ? nullptr : &up->second,
                                       policy.periodSeconds, now);
        int32_t deleted = changeInPeriod(down == m_scaleDownEvents.end() ? nullptr : &down->second,
                                         policy.periodSeconds, now);
        int32_t periodStart = currentReplicas - added + deleted;
        int32_t proposed = 0;
        if (policy.type == "Pods") {
            proposed = periodStart + policy.value;
        } else if (policy.type == "Percent") {
            // Rounded up, or a small target would never grow.
            proposed = static_cast<int32_t>(std::ceil(
                static_cast<double>(periodStart) * (1 + static_cast<double>(policy.value) / 100)));
        }
        result = pickMin ? std::min(result, proposed) : std::max(result, proposed);
    }
    return result;
}

int32_t ScaleHistory::scaleDownLimit(const std::string& key, int32_t currentReplicas,
                                     const ScalingRules& rules, TimePoint now) const {
    if (rules.selectPolicy == "Disabled") {
        return currentReplicas;
    }
    bool pickMin = rules.selectPolicy == "Min"; // the smallest change: the highest count
    int32_t result =
        pickMin ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int32_t>::max();
    std::lock_guard lock(m_mutex);
    auto up = m_scaleUpEvents.find(key);
    auto down = m_scaleDownEvents.find(key);
    for (const ScalingPolicy& policy : rules.policies) {
        int32_t added = changeInPeriod(up == m_scaleUpEvents.end() ? nullptr : &up->second,
                                       policy.periodSeconds, now);
        int32_t deleted = changeInPeriod(down == m_scaleDownEvents.end() ? nullptr : &down->second,
                                         policy.periodSeconds, now);
        int32_t periodStart = currentReplicas - added + deleted;
        int32_t proposed = 0;
        if (policy.type == "Pods") {
            proposed = periodStart - policy.value;
        } else if (policy.type == "Percent") {
            proposed = static_cast<int32_t>(static_cast<double>(periodStart) *
                                            (1 - static_cast<double>(policy.value) / 100));
        }
        result = pickMin ? std::max(result, proposed) : std::min(result, proposed);
    }
    return result;
}

void ScaleHistory::storeScaleEvent(const std::string& key, const std::optional<Behavior>& behavior,
                                   int32_t previousReplicas, int32_t newReplicas, TimePoint now) {
    if (!behavior) {
        return; // only the policies of spec.behavior read them
    }
    bool up = newReplicas > previousReplicas;
    const ScalingRules& rules = up ? behavior->scaleUp : behavior->scaleDown;
    std::lock_guard lock(m_mutex);
    std::vector<ScaleEvent>& events = up ? m_scaleUpEvents[key] : m_scaleDownEvents[key];
    TimePoint cutoff = now - seconds(longestPolicyPeriod(rules));
    std::optional<size_t> outdated;
    for (size_t i = 0; i < events.size(); ++i) {
        if (events[i].at < cutoff) {
            events[i].outdated = true;
        }
        if (events[i].outdated) {
            outdated = i;
        }
    }
    ScaleEvent event{up ? newReplicas - previousReplicas : previousReplicas - newReplicas, now,
                     false};
    if (outdated) {
        events[*outdated] = event;
    } else {
        events.push_back(event);
    }
}

void ScaleHistory::forget(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_recommendations.erase(key);
    m_scaleUpEvents.erase(key);
    m_scaleDownEvents.erase(key);
}

} // namespace pilot::controllers::hpa
