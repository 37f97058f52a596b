#pragma once

#include "core/clock.h"

#include <boost/json/array.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers {

/// What one content-deletion pass over a terminating namespace found.
struct NamespaceDeletionReport {
    /// The discovery error (all groups, or some), when there was one.
    std::optional<std::string> discoveryError;
    /// Failures deleting or listing content, one message per resource.
    std::vector<std::string> deleteErrors;
    /// Objects left per resource, keyed `<resource>.<group>` (`pods.` for the core group).
    std::map<std::string, int64_t> remainingByResource;
    /// Objects left per finalizer they carry.
    std::map<std::string, int64_t> remainingByFinalizer;
};

/// Upstream's namespace deletion conditions (namespaceConditionUpdater): the five condition
/// types NamespaceDeletionDiscoveryFailure, NamespaceDeletionGroupVersionParsingFailure,
/// NamespaceDeletionContentFailure, NamespaceContentRemaining and NamespaceFinalizersRemaining,
/// each True with the failure's reason and message or False with the "ok" ones. `conditions`
/// is updated in place (lastTransitionTime moves only when a status flips); returns whether
/// anything changed.
bool updateNamespaceConditions(boost::json::array& conditions,
                               const NamespaceDeletionReport& report, TimePoint now);

} // namespace pilot::controllers
