#pragma once

// JSON access for defaulting and validation, private to pilot::admission: tolerant readers that
// treat missing or mistyped fields as Go zero values, writers that only fill absent fields, and
// the Go value formatting (`%q`, `%#v`) that Kubernetes field errors print.

#include "kube/goquote.h"
#include "kube/jsonutil.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::admission::detail {

// Tolerant readers and fill-only writers live in kube/jsonutil.h; they are used unqualified here.
using kube::arrayAt;
using kube::asInteger;
using kube::boolAt;
using kube::ensureObject;
using kube::has;
using kube::integerAt;
using kube::mutableArray;
using kube::mutableObject;
using kube::objectAt;
using kube::setDefault;
using kube::sortedKeys;
using kube::stringAt;
using kube::stringsAt;

// --- Go formatting ---------------------------------------------------------------------------

using kube::goQuote;
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
