#pragma once

#include "core/clock.h"

#include <boost/json/object.hpp>

#include <string_view>

namespace pilot::controllers::hpa {

/// Sets condition `type` in `status.conditions` as upstream's setConditionInList: appended when
/// absent, otherwise updated in place; lastTransitionTime moves to `now` only when the
/// condition's status changes.
void setCondition(boost::json::object& status, std::string_view type,
                  std::string_view conditionStatus, std::string_view reason,
                  std::string_view message, TimePoint now);

} // namespace pilot::controllers::hpa
