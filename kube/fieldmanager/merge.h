#pragma once

#include "kube/schema.h"

#include <boost/json/value.hpp>

namespace pilot::kube::fieldmanager {

/// Merges an applied configuration into the live object the way server-side apply does
/// (structured-merge-diff Merge, applied values win): structs and maps merge member by member,
/// keyed and set lists merge item by item, leaves (scalars, atomic lists and structs) are
/// replaced, and a null in the applied configuration removes the member. Merged list items keep
/// the live order where the applied configuration does not reorder them; new items go where the
/// applied configuration puts them. Expects a validated configuration (validateApplied).
[[nodiscard]] boost::json::value mergeApplied(const boost::json::value& live,
                                              const boost::json::value& applied,
                                              const schema::Type* type);

} // namespace pilot::kube::fieldmanager
