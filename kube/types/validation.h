#pragma once

#include "kube/fielderror.h"
#include "kube/schema.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string_view>

namespace pilot::kube {

/// Which rule set `checkAgainstSchema` applies.
enum class SchemaFlavor {
    /// Built-in kinds, checked the way kube-apiserver's Go JSON decoder sees them: a value of
    /// the wrong JSON type is a decode error (HTTP 400, reason `DecodeErrorReason`), nulls are
    /// accepted, and enum/bounds/required are left to the kind's own validation.
    BuiltIn,
    /// Custom resources, checked against their CRD structural schema like the apiextensions
    /// server: type mismatches, enum, bounds, lengths, pattern, item counts and required
    /// properties become 422 causes (`FieldValueTypeInvalid`, `FieldValueNotSupported`, ...).
    /// Named built-in definitions inside (the root's `metadata`) use the BuiltIn rules.
    Custom,
};

/// `FieldError::reason` of a decode error (built-in kinds). The API server answers 400
/// BadRequest with `<Kind> in version "<v>" cannot be handled as a <Kind>: <message>`, where
/// the message reads like Go's, e.g. `json: cannot unmarshal string into Go struct field
/// DeploymentSpec.spec.replicas of type int32`.
inline constexpr std::string_view DecodeErrorReason = "DecodeError";

/// Checks `object` against the schema rooted at `root`.
///
/// `unknownFields` receives one `FieldValueUnknown` error per field the schema does not know,
/// with the path as Kubernetes prints it (`spec.template.spec.containers[0].imagePullPolicyy`)
/// and the message `unknown field "<path>"`. What the caller does with them depends on
/// `fieldValidation` (Strict: 400 `strict decoding error: ...`; Warn: warnings; Ignore: drop).
/// `apiVersion`/`kind` at the top level and inside embedded resources are always accepted;
/// objects marked `preserveUnknownFields` and `Any` nodes accept everything below them;
/// `metadata.managedFields` is not inspected.
///
/// `invalid` receives type errors (reason `DecodeErrorReason` for BuiltIn) and, for Custom,
/// the schema constraint errors.
void checkAgainstSchema(const schema::Type& root, const boost::json::value& object,
                        FieldErrors& unknownFields, FieldErrors& invalid,
                        SchemaFlavor flavor = SchemaFlavor::BuiltIn);
/// The same for an object, without copying it into a value first (the write path).
void checkAgainstSchema(const schema::Type& root, const boost::json::object& object,
                        FieldErrors& unknownFields, FieldErrors& invalid,
                        SchemaFlavor flavor = SchemaFlavor::BuiltIn);

/// Removes from `object` every field the schema does not declare, like the apiextensions
/// server prunes custom resources: objects without `preserveUnknownFields` lose unknown keys,
/// `null` values of declared object properties are dropped, `apiVersion`/`kind`/`metadata`
/// stay at the top level and in embedded resources, and `Any` subtrees are left alone.
void pruneUnknownFields(const schema::Type& root, boost::json::value& object);
void pruneUnknownFields(const schema::Type& root, boost::json::object& object);

/// Drops what a built-in object would lose on its way through the Go types: `null` members, and
/// empty maps and lists in optional fields (`omitempty`), so `metadata.annotations: {}` from a
/// patch is not stored. Empty objects are kept (structs are never omitted), as are required
/// fields and `Any` subtrees.
void dropEmptyOptionalFields(const schema::Type& root, boost::json::object& object);

} // namespace pilot::kube
