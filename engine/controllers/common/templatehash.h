#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::controllers {

/// The label the Deployment controller adds to its ReplicaSets' selector and pod template.
inline constexpr std::string_view PodTemplateHashLabel = "pod-template-hash";

/// FNV-1a, 32 bits, continuing from `hash` (the offset basis by default).
[[nodiscard]] uint32_t fnv32a(std::string_view data, uint32_t hash = 2166136261U);
/// Maps each character to Kubernetes' name alphabet `bcdfghjklmnpqrstvwxz2456789` (by its code
/// modulo 27), as apimachinery's rand.SafeEncodeString.
[[nodiscard]] std::string safeEncodeString(std::string_view text);

/// The JSON value with null members and empty objects/arrays removed (recursively), so that
/// templates that differ only in how they spell "nothing" compare and hash the same.
[[nodiscard]] boost::json::value normalizedJson(const boost::json::value& value);
/// Compact JSON with members in key order (after normalizedJson): stable bytes to hash.
[[nodiscard]] std::string canonicalJson(const boost::json::value& value);

/// The pod-template hash of a Deployment template (controller.ComputeHash): FNV-32a over the
/// template, then the collision count as 8 little-endian bytes when set, rendered as the
/// decimal sum through safeEncodeString. Upstream hashes a Go struct dump; this hashes
/// canonical JSON, so values are stable and deterministic but not byte-identical to upstream's.
[[nodiscard]] std::string computeTemplateHash(const boost::json::value& podTemplate,
                                              std::optional<int64_t> collisionCount);

/// Whether two pod templates are equal ignoring the pod-template-hash label (and empty or null
/// fields), as deploymentutil.EqualIgnoreHash. Null pointers equal only each other.
[[nodiscard]] bool equalIgnoreHash(const boost::json::value* a, const boost::json::value* b);

} // namespace pilot::controllers
