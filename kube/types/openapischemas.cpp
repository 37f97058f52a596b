#include "kube/types/openapischemas.h"

#include <boost/json/array.hpp>

#include <algorithm>

namespace pilot::kube {

using boost::json::array;
using boost::json::object;
using schema::Field;
using schema::Kind;
using schema::Type;

namespace {

constexpr std::string_view TimeDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
constexpr std::string_view MicroTimeDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
constexpr std::string_view QuantityDefinition = "io.k8s.apimachinery.pkg.api.resource.Quantity";
constexpr std::string_view IntOrStringDefinition =
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
constexpr std::string_view ListMetaDefinition = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";

object gvkObject(const GroupVersionKind& gvk) {
    return object{{"group", gvk.group}, {"kind", gvk.kind}, {"version", gvk.version}};
}

} // namespace

std::string customDefinitionName(const GroupVersionKind& gvk) {
    std::string reversed;
    std::string_view group = gvk.group;
    while (!group.empty()) {
        auto dot = group.rfind('.');
        std::string_view part = dot == std::string_view::npos ? group : group.substr(dot + 1);
        if (!reversed.empty()) {
            reversed += '.';
        }
        reversed += part;
        group = dot == std::string_view::npos ? std::string_view() : group.substr(0, dot);
    }
    return reversed + "." + gvk.version + "." + gvk.kind;
}

OpenApiSchemas::OpenApiSchemas(OpenApiDialect dialect, std::shared_ptr<const SchemaSet> builtin)
    : m_dialect(dialect), m_builtin(std::move(builtin)) {
    if (m_builtin) {
        for (const Type* def : m_builtin->definitions()) {
            GroupVersionKind gvk = m_builtin->gvkOf(def);
            if (!gvk.kind.empty()) {
                m_gvks[def].push_back(gvk);
            }
        }
    }
}

std::string OpenApiSchemas::nameOf(const Type& type) const {
    if (auto it = m_names.find(&type); it != m_names.end()) {
        return it->second;
    }
    return type.name;
}

void OpenApiSchemas::addResource(const ResourceType& rt) {
    if (rt.schema == nullptr) {
        return;
    }
    if (rt.schema->name.empty() && !m_names.contains(rt.schema)) {
        m_names[rt.schema] = customDefinitionName(rt.gvk);
    }
    auto& gvks = m_gvks[rt.schema];
    if (std::ranges::find(gvks, rt.gvk) == gvks.end()) {
        gvks.push_back(rt.gvk);
    }
}

object OpenApiSchemas::refTo(const std::string& name) {
    const char* prefix =
        m_dialect == OpenApiDialect::V3 ? "#/components/schemas/" : "#/definitions/";
    return object{{"$ref", prefix + name}};
}

object OpenApiSchemas::kindRef(const ResourceType& rt) {
    addResource(rt);
    std::string name = nameOf(*rt.schema);
    m_queued.emplace(name, rt.schema);
    return refTo(name);
}

object OpenApiSchemas::listRef(const ResourceType& rt) {
    addResource(rt);
    std::string name = nameOf(*rt.schema) + "List";
    if (m_queued.contains(name)) {
        return refTo(name);
    }
    Type& str = m_lists.emplace_back();
    str.kind = Kind::String;
    Type& items = m_lists.emplace_back();
    items.kind = Kind::Array;
    items.items = rt.schema;
    Type& list = m_lists.emplace_back();
    list.name = name;
    list.kind = Kind::Object;
    list.description = "A list of " + rt.gvk.kind + " objects.";
    list.properties.push_back(
        {.name = "apiVersion", .type = &str, .description = "Versioned schema of this object."});
    list.properties.push_back({.name = "items",
                               .type = &items,
                               .required = true,
                               .description = "The " + rt.plural + "."});
    list.properties.push_back({.name = "kind", .type = &str, .description = "The type of list."});
    if (const Type* listMeta = m_builtin ? m_builtin->find(ListMetaDefinition) : nullptr) {
        list.properties.push_back(
            {.name = "metadata", .type = listMeta, .description = "Standard list metadata."});
    }
    m_gvks[&list].push_back({rt.gvk.group, rt.gvk.version, rt.gvk.kind + "List"});
    m_queued.emplace(name, &list);
    return refTo(name);
}

object OpenApiSchemas::gvkRef(const GroupVersionKind& gvk) {
    const Type* type = m_builtin ? m_builtin->findKind(gvk) : nullptr;
    if (type == nullptr) {
        return object{{"type", "object"}};
    }
    m_queued.emplace(type->name, type);
    return refTo(type->name);
}

object OpenApiSchemas::namedRef(std::string_view definition) {
    const Type* type = m_builtin ? m_builtin->find(definition) : nullptr;
    if (type == nullptr) {
        return object{{"type", "object"}};
    }
    m_queued.emplace(type->name, type);
    return refTo(type->name);
}

const Type* OpenApiSchemas::canonical(const Type& type) const {
    if (!type.name.empty() || !m_builtin) {
        return nullptr;
    }
    switch (type.kind) {
    case Kind::Time:
        return m_builtin->find(TimeDefinition);
    case Kind::MicroTime:
        return m_builtin->find(MicroTimeDefinition);
    case Kind::Quantity:
        return m_builtin->find(QuantityDefinition);
    case Kind::IntOrString:
        return type.enumValues.empty() ? m_builtin->find(IntOrStringDefinition) : nullptr;
    default:
        return nullptr;
    }
}

void OpenApiSchemas::addConstraints(object& out, const Type& type) {
    if (!type.enumValues.empty()) {
        array values;
        for (const std::string& v : type.enumValues) {
            values.emplace_back(v);
        }
        out["enum"] = std::move(values);
    }
    if (type.minimum) {
        out["minimum"] = *type.minimum;
    }
    if (type.maximum) {
        out["maximum"] = *type.maximum;
    }
    if (type.minLength) {
        out["minLength"] = *type.minLength;
    }
    if (type.maxLength) {
        out["maxLength"] = *type.maxLength;
    }
    if (type.minItems) {
        out["minItems"] = *type.minItems;
    }
    if (type.maxItems) {
        out["maxItems"] = *type.maxItems;
    }
    if (!type.pattern.empty()) {
        out["pattern"] = type.pattern;
    }
}

object OpenApiSchemas::schemaFor(const Type& type) {
    if (const Type* c = canonical(type)) {
        m_queued.emplace(c->name, c);
        return refTo(c->name);
    }
    std::string name = nameOf(type);
    if (!name.empty()) {
        m_queued.emplace(name, &type);
        return refTo(name);
    }
    return definitionBody(type);
}

object OpenApiSchemas::objectBody(const Type& type) {
    object out;
    out["type"] = "object";
    if (!type.properties.empty()) {
        object props;
        array required;
        for (const Field& f : type.properties) {
            props[f.name] = property(f);
            if (f.required) {
                required.emplace_back(f.name);
            }
        }
        out["properties"] = std::move(props);
        if (!required.empty()) {
            out["required"] = std::move(required);
        }
    }
    if (type.preserveUnknownFields) {
        out["x-kubernetes-preserve-unknown-fields"] = true;
    }
    if (type.embeddedResource) {
        out["x-kubernetes-embedded-resource"] = true;
    }
    return out;
}

object OpenApiSchemas::definitionBody(const Type& type) {
    const bool v3 = m_dialect == OpenApiDialect::V3;
    object out;
    if (!type.description.empty()) {
        out["description"] = type.description;
    }
    switch (type.kind) {
    case Kind::String:
        out["type"] = "string";
        if (!type.format.empty()) {
            out["format"] = type.format;
        }
        break;
    case Kind::Integer:
        out["type"] = "integer";
        out["format"] = type.format.empty() ? "int64" : type.format;
        break;
    case Kind::Number:
        out["type"] = "number";
        out["format"] = type.format.empty() ? "double" : type.format;
        break;
    case Kind::Boolean:
        out["type"] = "boolean";
        break;
    case Kind::Bytes:
        out["type"] = "string";
        out["format"] = "byte";
        break;
    case Kind::Time:
    case Kind::MicroTime:
        out["type"] = "string";
        out["format"] = "date-time";
        break;
    case Kind::Quantity:
        if (v3) {
            out["oneOf"] = array{object{{"type", "string"}}, object{{"type", "number"}}};
        } else {
            out["type"] = "string";
        }
        break;
    case Kind::IntOrString:
        out["format"] = "int-or-string";
        if (v3) {
            out["x-kubernetes-int-or-string"] = true;
            out["anyOf"] = array{object{{"type", "integer"}}, object{{"type", "string"}}};
        } else {
            out["type"] = "string";
        }
        break;
    case Kind::Any:
        if (!type.name.empty() || !v3) {
            out["type"] = "object";
        } else {
            out["x-kubernetes-preserve-unknown-fields"] = true;
        }
        break;
    case Kind::Array:
        out["type"] = "array";
        if (type.items != nullptr) {
            out["items"] = schemaFor(*type.items);
        }
        break;
    case Kind::Map:
        out["type"] = "object";
        if (type.values != nullptr) {
            out["additionalProperties"] = schemaFor(*type.values);
        }
        break;
    case Kind::Object:
        for (auto& entry : objectBody(type)) {
            out[entry.key()] = std::move(entry.value());
        }
        break;
    }
    addConstraints(out, type);
    if (auto it = m_gvks.find(&type); it != m_gvks.end() && type.kind == Kind::Object) {
        array gvks;
        for (const GroupVersionKind& gvk : it->second) {
            gvks.push_back(gvkObject(gvk));
        }
        out["x-kubernetes-group-version-kind"] = std::move(gvks);
    }
    return out;
}

object OpenApiSchemas::property(const Field& field) {
    object out;
    if (field.type != nullptr) {
        out = schemaFor(*field.type);
    }
    if (!field.description.empty()) {
        if (out.contains("$ref") && m_dialect == OpenApiDialect::V3) {
            // OpenAPI 3.0 ignores siblings of $ref; upstream wraps the ref in allOf.
            object wrapped;
            wrapped["allOf"] = array{std::move(out)};
            out = std::move(wrapped);
        }
        out["description"] = field.description;
    }
    if (!field.patchStrategy.empty()) {
        out["x-kubernetes-patch-strategy"] = field.patchStrategy;
    }
    if (!field.patchMergeKey.empty()) {
        out["x-kubernetes-patch-merge-key"] = field.patchMergeKey;
    }
    if (!field.listType.empty()) {
        out["x-kubernetes-list-type"] = field.listType;
    }
    if (!field.listMapKeys.empty()) {
        array keys;
        for (const std::string& k : field.listMapKeys) {
            keys.emplace_back(k);
        }
        out["x-kubernetes-list-map-keys"] = std::move(keys);
    }
    return out;
}

object OpenApiSchemas::render() {
    // Rendering queues more definitions; loop until nothing new appears.
    bool progress = true;
    while (progress) {
        progress = false;
        std::vector<std::pair<std::string, const Type*>> todo;
        for (const auto& [name, type] : m_queued) {
            if (!m_rendered.contains(name)) {
                todo.emplace_back(name, type);
            }
        }
        for (const auto& [name, type] : todo) {
            m_rendered.emplace(name, definitionBody(*type));
            progress = true;
        }
    }
    object out;
    out.reserve(m_rendered.size());
    for (auto& [name, body] : m_rendered) {
        out[name] = body;
    }
    return out;
}

} // namespace pilot::kube
