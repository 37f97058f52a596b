#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Typed read accessors over Kubernetes objects held as JSON. Every accessor tolerates missing or
/// mistyped fields and returns the empty value instead ("" / 0 / nullptr / {}). Returned views and
/// pointers refer into the object and stay valid while it is alive and unmodified.
namespace pilot::kube {

[[nodiscard]] std::string_view apiVersion(const boost::json::object& obj);
[[nodiscard]] std::string_view kind(const boost::json::object& obj);

/// `metadata` as an object, or nullptr.
[[nodiscard]] const boost::json::object* metadataOf(const boost::json::object& obj);
/// `metadata`, created (or replaced, if it is not an object) when needed.
[[nodiscard]] boost::json::object& ensureMetadata(boost::json::object& obj);

[[nodiscard]] std::string_view name(const boost::json::object& obj);
[[nodiscard]] std::string_view generateName(const boost::json::object& obj);
[[nodiscard]] std::string_view namespaceOf(const boost::json::object& obj);
[[nodiscard]] std::string_view uid(const boost::json::object& obj);
[[nodiscard]] std::string_view resourceVersion(const boost::json::object& obj);
/// `metadata.generation`; 0 when absent.
[[nodiscard]] int64_t generation(const boost::json::object& obj);
[[nodiscard]] std::string_view creationTimestamp(const boost::json::object& obj);
/// `metadata.deletionTimestamp`; empty when the object is not being deleted.
[[nodiscard]] std::string_view deletionTimestamp(const boost::json::object& obj);
[[nodiscard]] bool hasDeletionTimestamp(const boost::json::object& obj);

[[nodiscard]] const boost::json::object* labels(const boost::json::object& obj);
[[nodiscard]] const boost::json::object* annotations(const boost::json::object& obj);
/// One label or annotation value; nullopt when absent or not a string.
[[nodiscard]] std::optional<std::string_view> label(const boost::json::object& obj,
                                                    std::string_view key);
[[nodiscard]] std::optional<std::string_view> annotation(const boost::json::object& obj,
                                                         std::string_view key);

/// `metadata.finalizers` (string entries only).
[[nodiscard]] std::vector<std::string_view> finalizers(const boost::json::object& obj);
[[nodiscard]] bool hasFinalizer(const boost::json::object& obj, std::string_view finalizer);
[[nodiscard]] const boost::json::array* ownerReferences(const boost::json::object& obj);
/// The owner reference with `controller: true`, or nullptr.
[[nodiscard]] const boost::json::object* controllerRef(const boost::json::object& obj);

/// Sets `metadata.resourceVersion` to the decimal string of `rv`.
void setResourceVersion(boost::json::object& obj, int64_t rv);

/// Follows a dotted path ("spec.nodeName", "metadata.labels.app"); numeric segments index
/// arrays ("status.conditions.0.type"). Returns nullptr when any step is missing.
[[nodiscard]] const boost::json::value* at(const boost::json::value& root,
                                           std::string_view dottedPath);

/// The string form used by field selectors: strings as-is, numbers and booleans as JSON text
/// ("3", "true"), null as "", objects and arrays as serialized JSON.
[[nodiscard]] std::string scalarString(const boost::json::value& value);

} // namespace pilot::kube
