#pragma once

// JSON access for defaulting and validation, private to pilot::admission: tolerant readers that
// treat missing or mistyped fields as Go zero values, writers that only fill absent fields, and
// the Go value formatting (`%q`, `%#v`) that Kubernetes field errors print.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::admission::detail {

// --- readers ---------------------------------------------------------------------------------

[[nodiscard]] const boost::json::object* objectAt(const boost::json::object& o,
                                                  std::string_view key);
[[nodiscard]] const boost::json::array* arrayAt(const boost::json::object& o, std::string_view key);
/// The string member, or "" when absent or not a string.
[[nodiscard]] std::string stringAt(const boost::json::object& o, std::string_view key);
/// Whether the member exists and is not JSON null.
[[nodiscard]] bool has(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<int64_t> integerAt(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<bool> boolAt(const boost::json::object& o, std::string_view key);
[[nodiscard]] std::optional<int64_t> asInteger(const boost::json::value& v);
/// String elements of an array member.
[[nodiscard]] std::vector<std::string> stringsAt(const boost::json::object& o,
                                                 std::string_view key);
/// Sorted member names of an object (maps are validated in key order for stable output).
[[nodiscard]] std::vector<std::string> sortedKeys(const boost::json::object& o);

// --- writers ---------------------------------------------------------------------------------

/// The member as an object, created when absent or null. Returns nullptr (and changes nothing)
/// when the member holds a non-object value, so defaulting never destroys client data.
boost::json::object* ensureObject(boost::json::object& o, std::string_view key);
/// The member as an array when it is one, else nullptr.
boost::json::array* mutableArray(boost::json::object& o, std::string_view key);
boost::json::object* mutableObject(boost::json::object& o, std::string_view key);
/// Sets the member when it is absent or null; never overwrites a value the client set.
void setDefault(boost::json::object& o, std::string_view key, boost::json::value value);

// --- Go formatting ---------------------------------------------------------------------------

/// `%q`: a double-quoted Go string literal.
[[nodiscard]] std::string goQuote(std::string_view text);
/// `%#v` of a map[string]string: `map[string]string{"a":"1", "b":"2"}` (keys sorted),
/// `map[string]string(nil)` for a missing map.
[[nodiscard]] std::string goStringMap(const boost::json::object* map);
/// `%#v` of a []string: `[]string{"a", "b"}`, `[]string(nil)` when missing.
[[nodiscard]] std::string goStringSlice(const boost::json::array* list);
/// `%#v` of a metav1.LabelSelector value.
[[nodiscard]] std::string goLabelSelector(const boost::json::object* selector);
/// `%#v` of an intstr.IntOrString value.
[[nodiscard]] std::string goIntOrString(const boost::json::value* value);
/// A JSON scalar the way a field error prints it: strings quoted, numbers and booleans bare.
[[nodiscard]] std::string goScalar(const boost::json::value& value);

} // namespace pilot::admission::detail
