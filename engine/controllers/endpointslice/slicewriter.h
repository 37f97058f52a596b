#pragma once

#include "core/error.h"
#include "engine/controllers/endpointslice/slicereconciler.h"
#include "engine/controllers/endpointslice/slicetracker.h"
#include "kube/client/apiclient.h"

#include <optional>
#include <string>
#include <string_view>

namespace pilot::controllers {

/// Carries out a SlicePlan in order (creates, updates, deletes), recording every write in
/// `tracker`; stops at the first failure. Creates are skipped when `skipCreates` (the owner is
/// being deleted) and dropped without error when the namespace is terminating. With
/// `triggerTime`, written slices get that last-change-trigger-time annotation ("" removes it).
/// `owner` names the owner in error messages, e.g. `Service default/web`.
[[nodiscard]] Status writeSlices(kube::ApiClient& client, SliceTracker& tracker,
                                 std::string_view ns, SlicePlan plan, bool skipCreates,
                                 std::string_view owner,
                                 const std::optional<std::string>& triggerTime);

} // namespace pilot::controllers
