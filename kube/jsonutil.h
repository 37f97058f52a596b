#pragma once

#include <boost/json/value.hpp>

#include <string_view>

namespace pilot::kube {

/// Deep JSON equality where numbers compare by value regardless of their storage kind
/// (int64 1, uint64 1 and double 1.0 are equal), as Go's decoded `interface{}` values would.
[[nodiscard]] bool jsonEqual(const boost::json::value& a, const boost::json::value& b);

/// Whether the value is a JSON number of any storage kind.
[[nodiscard]] bool isNumber(const boost::json::value& v);

/// Human-readable JSON type name for error messages: "object", "array", "string", "number",
/// "boolean" or "null".
[[nodiscard]] std::string_view jsonTypeName(const boost::json::value& v);

} // namespace pilot::kube
