#pragma once

#include "core/error.h"
#include "kube/fieldmanager/fieldset.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace pilot::kube::fieldmanager {

/// The FieldsV1 key of one path element: `f:name`, `k:{"name":"web"}` (key fields sorted,
/// values as compact JSON), `v:"x"`, `i:0`.
[[nodiscard]] std::string encodePathElement(const PathElement& element);
[[nodiscard]] Result<PathElement> decodePathElement(std::string_view key);

/// The `metadata.managedFields[].fieldsV1` form of a set, exactly as upstream writes it:
/// elements in sorted order, `{}` for a path that ends here, nested objects for deeper paths,
/// and `".":{}` first in a node that is both a path of its own and the prefix of others.
[[nodiscard]] boost::json::object toFieldsV1(const FieldSet& set);
/// Reads a FieldsV1 object. Malformed keys or non-object values are InvalidArgument errors.
[[nodiscard]] Result<FieldSet> fromFieldsV1(const boost::json::value& fields);

} // namespace pilot::kube::fieldmanager
