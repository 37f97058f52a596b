#pragma once

#include "core/error.h"
#include "kube/fieldmanager/fieldset.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace pilot::kube::fieldmanager {

inline constexpr std::string_view OperationApply = "Apply";
inline constexpr std::string_view OperationUpdate = "Update";

/// One `metadata.managedFields` entry with its field set decoded.
struct ManagedFieldsEntry {
    std::string manager;
    std::string operation; // "Apply" or "Update"
    std::string apiVersion;
    std::string subresource; // "" for the main resource
    std::string time;        // RFC 3339 as stored; empty when the entry has none
    FieldSet fields;

    /// Whether `other` is the same manager entry: same manager, operation and subresource,
    /// and for updates the same apiVersion (an applier keeps one entry across versions).
    [[nodiscard]] bool sameManager(const ManagedFieldsEntry& other) const;
};

/// The manager identifier upstream keys entries by and prints in conflicts, as compact JSON:
/// `{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1"}` (apiVersion left out for
/// Apply, subresource only when set).
[[nodiscard]] std::string managerIdentifier(const ManagedFieldsEntry& entry);

/// Decodes a `metadata.managedFields` array. Errors (InvalidArgument) as upstream: an operation
/// other than Apply/Update, an empty apiVersion, a fieldsType other than FieldsV1, malformed
/// FieldsV1. Of entries for the same manager the last wins.
[[nodiscard]] Result<std::vector<ManagedFieldsEntry>>
decodeManagedFields(const boost::json::value& managedFields);

/// Encodes entries in upstream order: Apply before Update, then by time (seconds), manager,
/// apiVersion and subresource.
[[nodiscard]] boost::json::array encodeManagedFields(std::vector<ManagedFieldsEntry> entries);

} // namespace pilot::kube::fieldmanager
