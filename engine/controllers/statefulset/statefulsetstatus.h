#pragma once

#include "core/clock.h"
#include "kube/client/indexedcache.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers::statefulset {

/// StatefulSetStatus as a value; JSON as the Go type writes it (omitempty members left out
/// when zero, `replicas` and `availableReplicas` always present).
struct StatefulSetStatus {
    int64_t observedGeneration = 0;
    int64_t replicas = 0;
    int64_t readyReplicas = 0;
    int64_t currentReplicas = 0;
    int64_t updatedReplicas = 0;
    int64_t availableReplicas = 0;
    std::string currentRevision;
    std::string updateRevision;
    std::optional<int64_t> collisionCount;
    boost::json::array conditions; ///< Kept as found; the controller writes none.

    [[nodiscard]] static StatefulSetStatus of(const boost::json::object& set);
    [[nodiscard]] boost::json::object toJson() const;
};

/// Recounts replicas, ready, available, current and updated replicas over `pods` (upstream
/// updateStatus): created pods count as replicas; current/updated by their revision label,
/// terminating pods not.
void countReplicas(StatefulSetStatus& status, const std::vector<kube::ObjectPtr>& pods,
                   int64_t minReadySeconds, const std::string& currentRevision,
                   const std::string& updateRevision, TimePoint now);

/// A RollingUpdate whose every replica is updated and ready is complete: the update revision
/// becomes the current one.
void completeRollingUpdate(const boost::json::object& set, StatefulSetStatus& status);

/// Whether `status` differs from what the set holds (so it must be written).
[[nodiscard]] bool inconsistentStatus(const boost::json::object& set,
                                      const StatefulSetStatus& status);

} // namespace pilot::controllers::statefulset
