#pragma once

#include "core/clock.h"
#include "engine/controllers/hpa/hpaspec.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers::hpa {

/// A condition as the normalisation decides it (type implied by where it is used).
struct ConditionDecision {
    std::string status; ///< `True` or `False`.
    std::string reason;
    std::string message;
};

/// The outcome of normalising a metrics recommendation: the replica count to set and the
/// AbleToScale (stabilisation) and ScalingLimited (bounds and rates) conditions that explain it.
struct Normalized {
    int32_t replicas = 0;
    ConditionDecision ableToScale;
    ConditionDecision scalingLimited;
};

/// What the controller remembers per autoscaler between syncs, as upstream keeps it in memory:
/// the recent unstabilised recommendations and the recent scale events; and the normalisation
/// that uses them (stabilisation windows, scaling policies, min/max bounds). Time is passed in,
/// so windows are testable without sleeping. Thread-safe.
class ScaleHistory {
public:
    /// `downscaleStabilisationWindow`: --horizontal-pod-autoscaler-downscale-stabilization, the
    /// window without spec.behavior and the scale-down default with it.
    explicit ScaleHistory(
        std::chrono::seconds downscaleStabilisationWindow = std::chrono::minutes(5));

    /// The first recommendation of `key` is its current size.
    void recordInitialRecommendation(const std::string& key, int32_t currentReplicas,
                                     TimePoint now);
    /// Stabilises `desired` (from the metrics) against the recent recommendations and limits it
    /// by minReplicas/maxReplicas and the scaling rate (spec.behavior's policies, or at most
    /// double or +4 without), recording `desired` as the newest recommendation.
    [[nodiscard]] Normalized normalize(const std::string& key, const HpaSpec& spec,
                                       int32_t currentReplicas, int32_t desired, TimePoint now);
    /// Remembers a rescale (only with spec.behavior, whose policies need it).
    void storeScaleEvent(const std::string& key, const std::optional<Behavior>& behavior,
                         int32_t previousReplicas, int32_t newReplicas, TimePoint now);
    /// The autoscaler is gone.
    void forget(const std::string& key);

private:
    struct Recommendation {
        int32_t replicas = 0;
        TimePoint at{};
    };
    struct ScaleEvent {
        int32_t change = 0; ///< Absolute.
        TimePoint at{};
        bool outdated = false;
    };

    Normalized normalizeWithoutBehavior(const std::string& key, const HpaSpec& spec,
                                        int32_t currentReplicas, int32_t desired, TimePoint now);
    Normalized normalizeWithBehavior(const std::string& key, const HpaSpec& spec,
                                     int32_t currentReplicas, int32_t desired, TimePoint now);
    int32_t scaleUpLimit(const std::string& key, int32_t currentReplicas, const ScalingRules& rules,
                         TimePoint now) const;
    int32_t scaleDownLimit(const std::string& key, int32_t currentReplicas,
                           const ScalingRules& rules, TimePoint now) const;
    int32_t changeInPeriod(const std::vector<ScaleEvent>* events, int32_t periodSeconds,
                           TimePoint now) const;

    std::chrono::seconds m_downscaleWindow;
    mutable std::mutex m_mutex;
    std::map<std::string, std::vector<Recommendation>> m_recommendations;
    std::map<std::string, std::vector<ScaleEvent>> m_scaleUpEvents;
    std::map<std::string, std::vector<ScaleEvent>> m_scaleDownEvents;
};

} // namespace pilot::controllers::hpa
