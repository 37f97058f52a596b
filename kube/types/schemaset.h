#pragma once

#include "core/error.h"
#include "kube/schema.h"
#include "kube/types/typeregistry.h"

#include <boost/json/value.hpp>

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pilot::kube {

/// A Go struct embedded without a JSON name (`Volume` embeds `VolumeSource`): its fields appear
/// flattened in the outer JSON object but travel in protobuf as one nested message.
struct InlineMember {
    int protoNumber = 0;
    const schema::Type* type = nullptr;
};

/// One schema file: a name for error messages and its YAML text.
struct SchemaFile {
    std::string_view name;
    std::string_view text;
};

/// The schema files compiled into the library (kube/types/schemas/*.yaml), sorted by name.
[[nodiscard]] std::span<const SchemaFile> embeddedSchemaFiles();

/// The same files parsed at build time into one JSON document `{"<file>": <tree>, ...}`
/// (see schemayaml.h), which loads several times faster than the YAML.
[[nodiscard]] std::string_view embeddedCompiledSchemas();

/// An immutable graph of schema types loaded from schema files (format: schemas/README.md).
/// Owns every node; pointers into it stay valid for its lifetime. Thread-safe once loaded.
class SchemaSet {
public:
    /// Loads and links the files: resolves `ref`s across files, expands `inline:` members and
    /// reads the `resources:` lists. Fails with InvalidArgument naming the file and definition
    /// on a YAML error, an unknown key, a duplicate definition or an unresolved ref.
    [[nodiscard]] static Result<std::shared_ptr<SchemaSet>> load(std::span<const SchemaFile> files);

    /// Loads a document written by the build-time schema compiler (`embeddedCompiledSchemas`).
    [[nodiscard]] static Result<std::shared_ptr<SchemaSet>> loadCompiled(std::string_view json);

    /// The embedded files, loaded once per process (thread-safe). The first failure is returned
    /// on every call.
    [[nodiscard]] static Result<std::shared_ptr<const SchemaSet>> builtin();

    /// A definition by its full name (`io.k8s.api.apps.v1.Deployment`), or null.
    [[nodiscard]] const schema::Type* find(std::string_view name) const;
    /// Every named definition in load order.
    [[nodiscard]] const std::vector<const schema::Type*>& definitions() const {
        return m_definitions;
    }
    /// The group-version-kind a definition declares with `gvk:` (empty kind when none).
    [[nodiscard]] GroupVersionKind gvkOf(const schema::Type* type) const;
    /// The definition that declares `gvk`, or null.
    [[nodiscard]] const schema::Type* findKind(const GroupVersionKind& gvk) const;
    /// Embedded members of an object type, for protobuf decoding; empty for most types.
    [[nodiscard]] std::span<const InlineMember> inlineMembers(const schema::Type* type) const;
    /// Whether the field was marked `pointer: true` (the Go field is a pointer, so a zero value
    /// decoded from protobuf is kept rather than dropped).
    [[nodiscard]] bool isPointer(const schema::Field* field) const {
        return m_pointerFields.contains(field);
    }

    /// The `resources:` entries of all files, with `schema` pointing into this set and
    /// `schemaSet` set; `schemaOwner` is left empty (the registry fills it in).
    [[nodiscard]] const std::vector<ResourceType>& resources() const { return m_resources; }

    /// Adds a node owned by this set; used while building a set.
    schema::Type& newType();
    /// Registers a named definition built with `newType`; false if the name is taken.
    bool addDefinition(schema::Type& type, const GroupVersionKind& gvk = {});
    /// Keeps another set alive as long as this one: for nodes pointing into it.
    void addBase(std::shared_ptr<const SchemaSet> base) { m_bases.push_back(std::move(base)); }

private:
    friend class SchemaLoader;

    std::deque<schema::Type> m_types;
    std::unordered_map<std::string, const schema::Type*> m_byName;
    std::vector<const schema::Type*> m_definitions;
    std::unordered_map<const schema::Type*, GroupVersionKind> m_gvks;
    std::unordered_map<const schema::Type*, std::vector<InlineMember>> m_inline;
    std::vector<ResourceType> m_resources;
    /// Fields marked `pointer: true` (explicit zero values survive protobuf decoding).
    std::unordered_set<const schema::Field*> m_pointerFields;
    /// Sets this one refers into (a CRD schema's `metadata` points into the built-in set).
    std::vector<std::shared_ptr<const SchemaSet>> m_bases;
};

/// Converts a CustomResourceDefinition version's `openAPIV3Schema` (a structural schema) into a
/// schema set whose root is its only definition (`definitions().front()`), named `rootName`
/// (e.g. "com.example.ops.v1.Backup"; may be empty). Understands type, properties, items,
/// additionalProperties, required, enum, minimum/maximum, min/maxLength, pattern,
/// min/maxItems, description and the x-kubernetes-preserve-unknown-fields, -int-or-string,
/// -embedded-resource, -list-type and -list-map-keys extensions. Like the real server, the
/// root gets `apiVersion` and `kind` (strings) when undeclared, and `metadata` is always the
/// built-in ObjectMeta. Fails with InvalidArgument naming the path of a malformed node
/// (not an object, unknown `type`, nesting deeper than 64 levels).
[[nodiscard]] Result<std::shared_ptr<SchemaSet>>
schemaFromOpenApiV3(const boost::json::value& crdSchema, std::string_view rootName = {});

} // namespace pilot::kube
