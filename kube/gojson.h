#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace pilot::kube {

/// A float64 as Go prints it, shortest round-trip digits: `fmt`'s %v (exponent form below 1e-4
/// and from 1e21... as `forJson` selects: encoding/json switches at 1e-6 and 1e21, %v at 1e-4
/// and 1e6).
[[nodiscard]] std::string goFloat(double v, bool forJson);

/// Compact JSON exactly as Go's encoding/json writes a map-based value: object keys sorted,
/// `<`, `>` and `&` escaped as \u003c, \u003e, \u0026, floats in Go's form. Used where
/// clients compare bytes with what a Go server writes (kubectl's last-applied annotation,
/// printer cells).
void appendGoJson(std::string& out, const boost::json::value& value);
[[nodiscard]] std::string toGoJson(const boost::json::value& value);

} // namespace pilot::kube
