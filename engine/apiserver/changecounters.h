#pragma once

#include "engine/apiserver/apierror.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

namespace pilot::apiserver {

/// Keeps the annotations in which the server counts changes of a part of an object
/// (ResourceType::changeCounters; upstream keeps DaemonSets' spec.templateGeneration so):
/// on create (`old` null) the client's value when it is positive, else 1; on an update the
/// stored value, plus one when the counted part differs from `old`'s. A value sent that is not
/// an integer is refused with 400, as upstream fails to decode it. Runs after admission, on the
/// object about to be stored, so the counted part is compared with defaults applied.
[[nodiscard]] ApiResult<void> applyChangeCounters(const kube::ResourceType& type,
                                                  boost::json::object& object,
                                                  const boost::json::object* old);

} // namespace pilot::apiserver
