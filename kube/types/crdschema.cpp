#include "kube/types/schemaset.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

namespace pilot::kube {

namespace {

using boost::json::object;
using boost::json::value;
using schema::Field;
using schema::Kind;
using schema::Type;

constexpr int MaxSchemaDepth = 64;

class CrdConverter {
public:
    CrdConverter(SchemaSet& set, const Type* objectMeta) : m_set(set), m_objectMeta(objectMeta) {}

    Result<Type*> convert(const value& node, const std::string& path, int depth);

private:
    std::optional<double> number(const object& o, std::string_view key) {
        const value* v = o.if_contains(key);
        if (v == nullptr || !v->is_number()) {
            return std::nullopt;
        }
        return v->to_number<double>();
    }
    std::optional<int64_t> count(const object& o, std::string_view key) {
        auto d = number(o, key);
        if (!d) {
            return std::nullopt;
        }
        return static_cast<int64_t>(*d);
    }
    static bool flag(const object& o, std::string_view key) {
        const value* v = o.if_contains(key);
        return v != nullptr && v->is_bool() && v->get_bool();
    }
    static std::string text(const object& o, std::string_view key) {
        const value* v = o.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
    }

    SchemaSet& m_set;
    const Type* m_objectMeta;
};

Result<Type*> CrdConverter::convert(const value& node, const std::string& path, int depth) {
    if (depth > MaxSchemaDepth) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: schema nested too deeply", path));
    }
    const object* o = node.if_object();
    if (o == nullptr) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: must be an object", path));
    }
    Type& type = m_set.newType();
    type.description = text(*o, "description");
    type.format = text(*o, "format");
    type.preserveUnknownFields = flag(*o, "x-kubernetes-preserve-unknown-fields");
    type.embeddedResource = flag(*o, "x-kubernetes-embedded-resource");
    std::string typeName = text(*o, "type");
    if (flag(*o, "x-kubernetes-int-or-string")) {
        type.kind = Kind::IntOrString;
        type.format = "int-or-string";
    } else if (typeName == "object" ||
               (typeName.empty() && (o->contains("properties") || type.embeddedResource))) {
        type.kind = Kind::Object;
    } else if (typeName == "array") {
        type.kind = Kind::Array;
    } else if (typeName == "string") {
        type.kind = Kind::String;
    } else if (typeName == "integer") {
        type.kind = Kind::Integer;
        if (type.format.empty()) {
            type.format = "int64";
        }
    } else if (typeName == "number") {
        type.kind = Kind::Number;
    } else if (typeName == "boolean") {
        type.kind = Kind::Boolean;
    } else if (typeName.empty()) {
        type.kind = Kind::Any; // only valid with x-kubernetes-preserve-unknown-fields
    } else {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}.type: Unsupported value: \"{}\"", path, typeName));
    }
    if (const value* e = o->if_contains("enum"); e && e->is_array()) {
        for (const value& item : e->get_array()) {
            type.enumValues.push_back(item.is_string() ? std::string(item.get_string())
                                                       : boost::json::serialize(item));
        }
    }
    type.minimum = number(*o, "minimum");
    type.maximum = number(*o, "maximum");
    type.minLength = count(*o, "minLength");
    type.maxLength = count(*o, "maxLength");
    type.minItems = count(*o, "minItems");
    type.maxItems = count(*o, "maxItems");
    type.pattern = text(*o, "pattern");

    if (type.kind == Kind::Array) {
        if (const value* items = o->if_contains("items")) {
            auto converted = convert(*items, path + ".items", depth + 1);
            if (!converted) {
                return std::unexpected(converted.error());
            }
            type.items = *converted;
        } else {
            Type& any = m_set.newType();
            any.kind = Kind::Any;
            type.items = &any;
        }
    }
    if (type.kind != Kind::Object) {
        return &type;
    }
    if (const value* additional = o->if_contains("additionalProperties");
        additional && additional->is_object() && !o->contains("properties")) {
        auto converted = convert(*additional, path + ".additionalProperties", depth + 1);
        if (!converted) {
            return std::unexpected(converted.error());
        }
        type.kind = Kind::Map;
        type.values = *converted;
        return &type;
    }
    if (const value* additional = o->if_contains("additionalProperties");
        additional && additional->is_bool() && additional->get_bool()) {
        type.preserveUnknownFields = true;
    }
    if (const value* props = o->if_contains("properties")) {
        const object* properties = props->if_object();
        if (properties == nullptr) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}.properties: must be an object", path));
        }
        type.properties.reserve(properties->size());
        for (const auto& entry : *properties) {
            std::string childPath =
                fmt::format("{}.properties[{}]", path, std::string_view(entry.key()));
            auto converted = convert(entry.value(), childPath, depth + 1);
            if (!converted) {
                return std::unexpected(converted.error());
            }
            Field field;
            field.name = std::string(entry.key());
            field.type = *converted;
            field.description = (*converted)->description;
            if (const object* child = entry.value().if_object()) {
                field.listType = text(*child, "x-kubernetes-list-type");
                if (const value* keys = child->if_contains("x-kubernetes-list-map-keys");
                    keys && keys->is_array()) {
                    for (const value& k : keys->get_array()) {
                        if (k.is_string()) {
                            field.listMapKeys.emplace_back(k.get_string());
                        }
                    }
                }
            }
            type.properties.push_back(std::move(field));
        }
    }
    if (const value* req = o->if_contains("required"); req && req->is_array()) {
        for (const value& name : req->get_array()) {
            if (!name.is_string()) {
                continue;
            }
            for (Field& f : type.properties) {
                if (f.name == name.get_string()) {
                    f.required = true;
                }
            }
        }
    }
    if (type.embeddedResource && m_objectMeta != nullptr) {
        auto meta = std::ranges::find(type.properties, "metadata", &Field::name);
        if (meta != type.properties.end()) {
            meta->type = m_objectMeta;
        }
    }
    return &type;
}

} // namespace

Result<std::shared_ptr<SchemaSet>> schemaFromOpenApiV3(const boost::json::value& crdSchema,
                                                       std::string_view rootName) {
    auto builtin = SchemaSet::builtin();
    if (!builtin) {
        return std::unexpected(builtin.error());
    }
    const Type* objectMeta = (*builtin)->find("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    auto set = std::make_shared<SchemaSet>();
    set->addBase(*builtin);
    CrdConverter converter(*set, objectMeta);
    auto root = converter.convert(crdSchema, "openAPIV3Schema", 0);
    if (!root) {
        return std::unexpected(root.error());
    }
    Type& type = **root;
    if (type.kind != Kind::Object) {
        return fail(ErrorCode::InvalidArgument, "openAPIV3Schema.type: Required value: must be "
                                                "object at the root");
    }
    type.name = std::string(rootName);
    auto addString = [&](std::string_view name, std::string_view description) {
        if (type.field(name) != nullptr) {
            return;
        }
        Type& s = set->newType();
        s.kind = Kind::String;
        Field f;
        f.name = std::string(name);
        f.type = &s;
        f.description = std::string(description);
        type.properties.insert(type.properties.begin(), std::move(f));
    };
    addString("kind", "The type of object, in CamelCase.");
    addString("apiVersion", "Versioned schema of this object, e.g. ops.example.com/v1.");
    auto meta = std::ranges::find(type.properties, "metadata", &Field::name);
    if (meta == type.properties.end()) {
        Field f;
        f.name = "metadata";
        f.type = objectMeta;
        f.description = "Standard object metadata.";
        type.properties.insert(type.properties.begin() + 2, std::move(f));
    } else {
        meta->type = objectMeta;
    }
    set->addDefinition(type);
    return set;
}

} // namespace pilot::kube
