#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <optional>
#include <vector>

namespace pilot::controllers {

/// The status a ReplicaSet or ReplicationController should report for its active pods
/// (upstream calculateStatus): `replicas` (always written), `fullyLabeledReplicas` (pods
/// carrying every template label), `readyReplicas` and `availableReplicas` (ready for
/// spec.minReadySeconds at `now`), zero counts omitted as Go's omitempty does. A failed
/// create/delete adds a `ReplicaFailure` condition (reason FailedCreate or FailedDelete, the
/// error as message) unless one is present; success removes it. Other status fields are kept;
/// observedGeneration is left to the writer.
[[nodiscard]] boost::json::object
calculateReplicaSetStatus(const boost::json::object& set,
                          const std::vector<kube::ObjectPtr>& activePods,
                          const std::optional<Error>& manageError, TimePoint now);

/// Whether `newStatus` differs from what `set` reports in the fields the controller owns, or
/// the set's generation has not been observed yet.
[[nodiscard]] bool replicaSetStatusChanged(const boost::json::object& set,
                                           const boost::json::object& newStatus);

/// `spec.replicas` (1 when absent, the API default).
[[nodiscard]] int64_t specReplicas(const boost::json::object& object);
/// An integer member of `status` (0 when absent).
[[nodiscard]] int64_t statusCount(const boost::json::object& object, std::string_view field);

} // namespace pilot::controllers
