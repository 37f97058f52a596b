#pragma once

// Internal to pilot::fieldmanager: the field set of a create, written straight to FieldsV1.

#include "kube/schema.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <optional>
#include <string_view>

namespace pilot::kube::fieldmanager {

/// Top-level members no manager owns as such (upstream stripMetaManager); what lies below them
/// stays owned.
inline constexpr std::array<std::string_view, 3> StrippedRootFields{"apiVersion", "kind",
                                                                    "metadata"};
/// Members of `metadata` the server maintains, owned by no manager (their own paths only).
inline constexpr std::array<std::string_view, 11> StrippedMetadataFields{
    "name",
    "namespace",
    "creationTimestamp",
    "selfLink",
    "uid",
    "clusterName",
    "generation",
    "managedFields",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds"};

/// The `fieldsV1` of the entry a create of `obj` (without managedFields) records, in one walk
/// over the object: exactly `toFieldsV1` of compareObjects(nullptr, obj, type).added without
/// the subtree of the top-level member `ignoredRoot` (the reset fields; empty: none) and without
/// the stripped paths. Empty when the create owns nothing. nullopt when the object holds
/// something the walk does not reproduce (an object with a repeated member name); the caller
/// then takes the general path.
[[nodiscard]] std::optional<boost::json::object> createdFieldsV1(const boost::json::value& obj,
                                                                 const schema::Type* type,
                                                                 std::string_view ignoredRoot);

} // namespace pilot::kube::fieldmanager
