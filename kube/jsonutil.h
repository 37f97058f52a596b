#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// Deep JSON equality where numbers compare by value regardless of their storage kind
/// (int64 1, uint64 1 and double 1.0 are equal), as Go's decoded `interface{}` values would.
[[nodiscard]] bool jsonEqual(const boost::json::value& a, const boost::json::value& b);

/// Whether the value is a JSON number of any storage kind.
[[nodiscard]] bool isNumber(const boost::json::value& v);

/// Human-readable JSON type name for error messages: "object", "array", "string", "number",
/// "boolean" or "null".
[[nodiscard]] std::string_view jsonTypeName(const boost::json::value& v);

// --- Tolerant readers: missing or mistyped members read as Go zero values. -------------------

[[nodiscard]] const boost::json::object* objectAt(const boost::json::object& o,
                                                  std::string_view key);
/// Null-tolerant form: nullptr when `o` is null.
[[nodiscard]] const boost::json::object* objectAt(const boost::json::object* o,
                                                  std::string_view key);
[[nodiscard]] const boost::json::array* arrayAt(const boost::json::object& o, std::string_view key);
/// The string member, or "" when absent or not a string.
[[nodiscard]] std::string stringAt(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::string stringAt(const boost::json::object* o, std::string_view key);
/// Whether the member exists and is not JSON null.
[[nodiscard]] bool has(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<int64_t> integerAt(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<bool> boolAt(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<int64_t> asInteger(const boost::json::value& v);
/// String elements of an array member.
[[nodiscard]] std::vector<std::string> stringsAt(const boost::json::object& o,
                                                 std::string_view key);
/// Sorted member names of an object.
[[nodiscard]] std::vector<std::string> sortedKeys(const boost::json::object& o);

// --- Writers that never destroy client data. ------------------------------------------------

/// The member as an object, created when absent or null. Returns nullptr (and changes nothing)
/// when the member holds a non-object value.
boost::json::object* ensureObject(boost::json::object& o, std::string_view key);
/// The member as an array when it is one, else nullptr.
boost::json::array* mutableArray(boost::json::object& o, std::string_view key);
boost::json::object* mutableObject(boost::json::object& o, std::string_view key);
/// Sets the member when it is absent or null; never overwrites a value the client set.
void setDefault(boost::json::object& o, std::string_view key, boost::json::value value);
/// Removes every array element for which `pred` holds.
template <typename Pred>
void eraseIf(boost::json::array& array, Pred pred) {
    array.erase(std::remove_if(array.begin(), array.end(), pred), array.end());
}

/// Parses JSON with the API's nesting limit (MaxJsonDepth, like Go's decoder) instead of
/// Boost.JSON's default of 32: for documents the server wrote itself or that already passed
/// request decoding (stored objects, annotations). The first form throws on error.
[[nodiscard]] boost::json::value parseJsonText(std::string_view text);
[[nodiscard]] boost::json::value parseJsonText(std::string_view text,
                                               boost::system::error_code& ec);

} // namespace pilot::kube
