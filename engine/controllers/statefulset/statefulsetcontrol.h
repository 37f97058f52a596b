#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/statefulset/statefulpodcontrol.h"
#include "engine/controllers/statefulset/statefulsetstatus.h"
#include "kube/client/apiclient.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers::statefulset {

/// One StatefulSet's reconcile step, as upstream's defaultStatefulSetControl: finds or creates
/// the update revision (reusing an equal earlier revision, renumbered, on rollback), creates
/// missing pods (in ordinal order, each waiting for its predecessors to be Running, Ready and
/// available, unless podManagementPolicy is Parallel), replaces failed pods, fixes claim
/// ownership, deletes pods beyond the replica range from the highest ordinal down, rolls pods
/// to the update revision from the highest ordinal down to the partition one at a time (not
/// with OnDelete), writes the status and trims the revision history. Between calls it keeps
/// only the newest revision it wrote for each set (see ControllerHistory::upToDate).
class StatefulSetControl {
public:
    StatefulSetControl(kube::ApiClient& client, StatefulPodControl& pods, const Clock& clock)
        : m_client(client), m_pods(pods), m_history(client), m_clock(clock) {}

    /// Reconciles `set` with its claimed `pods` and `revisions`; returns the status it
    /// computed (written when it changed) or the first error.
    [[nodiscard]] Result<StatefulSetStatus>
    updateStatefulSet(const boost::json::object& set, const std::vector<kube::ObjectPtr>& pods,
                      std::vector<kube::ObjectPtr> revisions);
    /// Drops what is kept about a deleted set.
    void forget(const boost::json::object& set) { m_history.forget(set); }

private:
    struct Revisions {
        kube::ObjectPtr current;
        kube::ObjectPtr update;
        int64_t collisionCount = 0;
    };
    /// What one pass over the pods concluded: the status to write, and an error to retry on.
    struct Pass {
        StatefulSetStatus status;
        std::optional<Error> error;
    };

    // Revisions (statefulsethistory.cpp).
    [[nodiscard]] Result<Revisions>
    getStatefulSetRevisions(const boost::json::object& set,
                            std::vector<kube::ObjectPtr>& revisions);
    [[nodiscard]] Status truncateHistory(const boost::json::object& set,
                                         const std::vector<kube::ObjectPtr>& pods,
                                         const std::vector<kube::ObjectPtr>& revisions,
                                         const Revisions* live);

    // Pods (statefulsetcontrol.cpp).
    [[nodiscard]] Result<Pass> updatePods(const boost::json::object& set,
                                          const Revisions& revisions,
                                          const std::vector<kube::ObjectPtr>& pods);
    /// Handles one replica; returns whether an ordered set must stop here this pass.
    [[nodiscard]] Result<bool> processReplica(const boost::json::object& set,
                                              const boost::json::object& updateSet, bool monotonic,
                                              const kube::ObjectPtr& replica, TimePoint now);
    [[nodiscard]] Result<bool> processCondemned(const boost::json::object& set,
                                                const kube::ObjectPtr& firstUnhealthy,
                                                bool monotonic, const kube::ObjectPtr& condemned,
                                                TimePoint now);
    [[nodiscard]] Status writeStatus(const boost::json::object& set, StatefulSetStatus& status);

    kube::ApiClient& m_client;
    StatefulPodControl& m_pods;
    ControllerHistory m_history;
    const Clock& m_clock;
};

} // namespace pilot::controllers::statefulset
