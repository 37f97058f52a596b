#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube::schema {

/// The JSON shape of a schema node. Kubernetes-specific scalar encodings get their own kinds so
/// that protobuf decoding, OpenAPI output and validation can treat them right.
enum class Kind {
    String,
    Integer,     // format "int32" or "int64"
    Number,      // double
    Boolean,
    Object,      // fixed properties
    Map,         // string keys, homogeneous values (`values`)
    Array,       // homogeneous items (`items`)
    IntOrString, // JSON number or string; protobuf IntOrString message
    Quantity,    // JSON string ("100m", "1Gi") or number; protobuf Quantity message
    Time,        // RFC 3339 string; protobuf Timestamp-like message
    MicroTime,   // RFC 3339 with micros; protobuf Timestamp-like message
    Bytes,       // base64 string in JSON; raw bytes in protobuf
    Any,         // any JSON (RawExtension, JSON, x-kubernetes-preserve-unknown-fields)
};

struct Type;

/// One property of an Object type.
struct Field {
    std::string name;
    const Type* type = nullptr;
    int protoNumber = 0; // 0: not encodable in protobuf
    bool required = false;
    std::string description;
    /// Strategic-merge-patch metadata (`x-kubernetes-patch-strategy` / `-patch-merge-key`):
    /// strategy is "", "merge", "replace", "retainKeys" or "merge,retainKeys".
    std::string patchStrategy;
    std::string patchMergeKey;
    /// `x-kubernetes-list-type` ("atomic", "set", "map") and `x-kubernetes-list-map-keys`.
    std::string listType;
    std::vector<std::string> listMapKeys;
};

/// A node of a schema graph. Nodes are owned by a SchemaSet and never move once loaded, so raw
/// pointers between them stay valid for the set's lifetime.
struct Type {
    std::string name; // definition name ("io.k8s.api.apps.v1.Deployment"); empty for inline
    Kind kind = Kind::Any;
    std::string format; // "int32", "int64", "double", "date-time", "byte", ...
    std::string description;
    std::vector<Field> properties;       // Object
    const Type* items = nullptr;         // Array
    const Type* values = nullptr;        // Map
    bool preserveUnknownFields = false;  // Object: accept and keep fields not listed
    bool embeddedResource = false;       // x-kubernetes-embedded-resource
    std::vector<std::string> enumValues; // allowed string values, when restricted
    // Numeric and string constraints (CRD structural schemas); unset when absent.
    std::optional<double> minimum;
    std::optional<double> maximum;
    std::optional<int64_t> minLength;
    std::optional<int64_t> maxLength;
    std::optional<int64_t> minItems;
    std::optional<int64_t> maxItems;
    std::string pattern;

    [[nodiscard]] const Field* field(std::string_view fieldName) const {
        for (const Field& f : properties) {
            if (f.name == fieldName) {
                return &f;
            }
        }
        return nullptr;
    }
};

} // namespace pilot::kube::schema
