#pragma once

#include "kube/quantity.h"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>

namespace pilot::quota {

/// Resource names with their quantities, as corev1.ResourceList. Ordered by name, which is the
/// order upstream prints them in messages.
using ResourceList = std::map<std::string, kube::Quantity, std::less<>>;
using ResourceNames = std::set<std::string, std::less<>>;

/// Reads a ResourceList JSON object (null-tolerant); entries that are not quantities are skipped.
[[nodiscard]] ResourceList resourceListFromJson(const boost::json::object* list);
/// The JSON form, each quantity in its canonical text.
[[nodiscard]] boost::json::object toJson(const ResourceList& list);

[[nodiscard]] ResourceNames namesOf(const ResourceList& list);
/// Every key of both lists, summed where both have it (quota.Add).
[[nodiscard]] ResourceList add(const ResourceList& a, const ResourceList& b);
/// `a - b` for the keys of `a`, never below zero (quota.SubtractWithNonNegativeResult).
[[nodiscard]] ResourceList subtractNonNegative(const ResourceList& a, const ResourceList& b);
/// Only the entries named in `names` (quota.Mask).
[[nodiscard]] ResourceList mask(const ResourceList& list, const ResourceNames& names);
/// Without zero entries (quota.RemoveZeros).
[[nodiscard]] ResourceList removeZeros(const ResourceList& list);
/// Names whose value in `a` is above the value in `b` (names missing from `b` never are).
[[nodiscard]] ResourceNames exceeding(const ResourceList& a, const ResourceList& b);
/// Same names with equal values (quota.Equals).
[[nodiscard]] bool equals(const ResourceList& a, const ResourceList& b);
/// `name=value` pairs joined by commas, by name: upstream's prettyPrint in quota errors.
[[nodiscard]] std::string prettyPrint(const ResourceList& list);
/// The names joined by commas.
[[nodiscard]] std::string prettyPrint(const ResourceNames& names);

} // namespace pilot::quota
