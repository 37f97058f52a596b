#include "kube/types/validation.h"

#include "core/clock.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>

namespace pilot::kube {

namespace {

using boost::json::value;
using schema::Field;
using schema::Kind;
using schema::Type;

/// Deeper schema recursion than this (only possible with recursive schemas) is reported
/// instead of followed, so adversarial input cannot exhaust the stack.
constexpr int MaxDepth = 256;

std::string_view goJsonKind(const value& v) {
    switch (v.kind()) {
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::bool_:
        return "bool";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    case boost::json::kind::null:
        return "null";
    default:
        return "number";
    }
}

/// The JSON-schema type name the apiextensions server prints ("integer" only for integers).
std::string_view schemaTypeName(const value& v) {
    switch (v.kind()) {
    case boost::json::kind::string:
        return "string";
    case boost::json::kind::bool_:
        return "boolean";
    case boost::json::kind::array:
        return "array";
    case boost::json::kind::object:
        return "object";
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::double_: {
        double d = v.get_double();
        return std::floor(d) == d && std::isfinite(d) ? "integer" : "number";
    }
    default:
        return "integer";
    }
}

/// `Name` from `io.k8s.api.apps.v1.Name`.
std::string_view shortName(std::string_view definition) {
    auto dot = definition.rfind('.');
    return dot == std::string_view::npos ? definition : definition.substr(dot + 1);
}

/// `v1.Name` from `io.k8s.api.apps.v1.Name`.
std::string_view packagedName(std::string_view definition) {
    auto dot = definition.rfind('.');
    if (dot == std::string_view::npos || dot == 0) {
        return definition;
    }
    auto prev = definition.rfind('.', dot - 1);
    return prev == std::string_view::npos ? definition : definition.substr(prev + 1);
}

std::string goTypeName(const Type& type) {
    switch (type.kind) {
    case Kind::String:
        return "string";
    case Kind::Integer:
        return type.format == "int32" ? "int32" : "int64";
    case Kind::Number:
        return "float64";
    case Kind::Boolean:
        return "bool";
    case Kind::Object:
        return type.name.empty() ? "map[string]interface {}" : std::string(packagedName(type.name));
    case Kind::Map:
        return "map[string]" + (type.values ? goTypeName(*type.values) : "interface {}");
    case Kind::Array:
        return "[]" + (type.items ? goTypeName(*type.items) : "interface {}");
    case Kind::IntOrString:
        return "intstr.IntOrString";
    case Kind::Quantity:
        return "resource.Quantity";
    case Kind::Time:
        return "v1.Time";
    case Kind::MicroTime:
        return "v1.MicroTime";
    case Kind::Bytes:
        return "[]uint8";
    case Kind::Any:
        return "interface {}";
    }
    return "interface {}";
}

/// A JSON number as Go prints the literal: 1.5, 3, 1e+21.
std::string numberText(const value& v) {
    if (v.is_double()) {
        return fmt::format("{}", v.get_double());
    }
    return boost::json::serialize(v);
}

/// How a value is shown after `Invalid value:` / `Unsupported value:` (Go's %#v-ish).
std::string showValue(const value& v) {
    if (v.is_string()) {
        return fmt::format("\"{}\"", std::string_view(v.get_string()));
    }
    if (v.is_array() || v.is_object()) {
        return std::string(schemaTypeName(v));
    }
    if (v.is_number()) {
        return numberText(v);
    }
    return boost::json::serialize(v);
}

bool isIntegral(const value& v) {
    if (v.is_int64() || v.is_uint64()) {
        return true;
    }
    if (v.is_double()) {
        double d = v.get_double();
        return std::isfinite(d) && std::floor(d) == d;
    }
    return false;
}

/// Checks Kubernetes quantity syntax; returns the upstream error text or "".
std::string_view quantityError(std::string_view s) {
    static constexpr std::string_view FormatWrong =
        "quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    size_t digits = 0;
    size_t numberStart = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) {
        digits += s[i] != '.' ? 1 : 0;
        ++i;
    }
    if (i == numberStart) {
        return FormatWrong;
    }
    if (digits == 0 || std::count(s.begin() + numberStart, s.begin() + i, '.') > 1) {
        return "unable to parse numeric part of quantity";
    }
    std::string_view suffix = s.substr(i);
    static constexpr std::string_view suffixes[] = {"",  "n", "u",  "m",  "k",  "M",  "G",  "T",
                                                    "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    for (std::string_view ok : suffixes) {
        if (suffix == ok) {
            return {};
        }
    }
    if (suffix[0] == 'e' || suffix[0] == 'E') {
        size_t j = 1;
        if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) {
            ++j;
        }
        bool any = j < suffix.size();
        for (; j < suffix.size(); ++j) {
            if (suffix[j] < '0' || suffix[j] > '9') {
                any = false;
            }
        }
        if (any) {
            return {};
        }
    }
    for (char c : suffix) {
        if (std::string_view("eEinumkKMGTP+-0123456789").find(c) == std::string_view::npos) {
            return FormatWrong;
        }
    }
    return "unable to parse quantity's suffix";
}

/// Standard base64 with padding, as Go's encoding/base64 StdEncoding accepts (it also skips
/// \r and \n). Returns the offset of the first bad byte or -1.
long base64ErrorOffset(std::string_view s) {
    auto isAlphabet = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '/';
    };
    long count = 0; // significant characters seen
    long padding = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r' || c == '\n') {
            continue;
        }
        if (c == '=') {
            if (count % 4 < 2) {
                return static_cast<long>(i);
            }
            ++padding;
            ++count;
            continue;
        }
        if (padding > 0 || !isAlphabet(c)) {
            return static_cast<long>(i);
        }
        ++count;
    }
    if (count % 4 != 0) {
        return static_cast<long>(s.size());
    }
    return -1;
}

class Checker {
public:
    Checker(const Type& root, FieldErrors& unknown, FieldErrors& invalid)
        : m_root(root), m_unknown(unknown), m_invalid(invalid) {}

    /// A built-in object at the root: what check() does for it, minus the copy into a value
    /// (custom resources' root constraints need the value, and take the other path).
    void checkRootObject(const boost::json::object& o) {
        checkObject(m_root, o, SchemaFlavor::BuiltIn, 0);
    }

    void checkRoot(const value& v, SchemaFlavor flavor) {
        if (!v.is_object() && m_root.kind == Kind::Object) {
            if (flavor == SchemaFlavor::BuiltIn) {
                m_invalid.push_back({std::string(DecodeErrorReason), "",
                                     fmt::format("json: cannot unmarshal {} into Go value of "
                                                 "type {}",
                                                 goJsonKind(v), goTypeName(m_root))});
            } else {
                typeError(v, "object");
            }
            return;
        }
        check(m_root, v, flavor, shortName(m_root.name), 0);
    }

private:
    struct PathMark {
        size_t path;
        size_t goPath;
    };

    PathMark pushField(std::string_view name) {
        PathMark mark{m_path.size(), m_goPath.size()};
        if (!m_path.empty()) {
            m_path += '.';
        }
        m_path += name;
        if (!m_goPath.empty()) {
            m_goPath += '.';
        }
        m_goPath += name;
        return mark;
    }
    PathMark pushIndex(size_t index) {
        PathMark mark{m_path.size(), m_goPath.size()};
        m_path += fmt::format("[{}]", index);
        return mark;
    }
    PathMark pushKey(std::string_view key) {
        PathMark mark{m_path.size(), m_goPath.size()};
        m_path += '[';
        m_path += key;
        m_path += ']';
        return mark;
    }
    void pop(PathMark mark) {
        m_path.resize(mark.path);
        m_goPath.resize(mark.goPath);
    }

    void decodeError(std::string message) {
        m_invalid.push_back({std::string(DecodeErrorReason), m_path, std::move(message)});
    }

    /// Go's UnmarshalTypeError text. A number that does not fit a numeric field is shown
    /// with its literal ("number 1.5"); other mismatches name the JSON kind.
    void unmarshalError(const value& v, std::string_view goStruct, const std::string& goType,
                        bool numericTarget = false) {
        std::string what(goJsonKind(v));
        if (v.is_number() && numericTarget) {
            what = "number " + numberText(v);
        }
        if (m_goPath.empty()) {
            m_invalid.push_back(
                {std::string(DecodeErrorReason), m_path,
                 fmt::format("json: cannot unmarshal {} into Go value of type {}", what, goType)});
            return;
        }
        m_invalid.push_back({std::string(DecodeErrorReason), m_path,
                             fmt::format("json: cannot unmarshal {} into Go struct field {}.{} of "
                                         "type {}",
                                         what, goStruct, m_goPath, goType)});
    }

    void typeError(const value& v, std::string_view expected) {
        std::string_view actual = schemaTypeName(v);
        m_invalid.push_back({"FieldValueTypeInvalid", m_path,
                             fmt::format("Invalid value: \"{}\": {} in body must be of type {}: "
                                         "\"{}\"",
                                         actual, m_path, expected, actual)});
    }

    void check(const Type& type, const value& v, SchemaFlavor flavor, std::string_view goStruct,
               int depth);
    void checkObject(const Type& type, const boost::json::object& o, SchemaFlavor flavor,
                     int depth);
    void checkConstraints(const Type& type, const value& v);

    const Type& m_root;
    FieldErrors& m_unknown;
    FieldErrors& m_invalid;
    std::string m_path;
    std::string m_goPath;
};

void Checker::check(const Type& type, const value& v, SchemaFlavor flavor,
                    std::string_view goStruct, int depth) {
    if (depth > MaxDepth) {
        m_invalid.push_back({"FieldValueInvalid", m_path, "Invalid value: nesting is too deep"});
        return;
    }
    if (flavor == SchemaFlavor::Custom && !type.name.empty() && &type != &m_root) {
        flavor = SchemaFlavor::BuiltIn; // e.g. metadata: ObjectMeta of the built-in set
    }
    if (v.is_null() || type.kind == Kind::Any) {
        return; // Go leaves the field unset; CRD nulls are pruned before validation
    }
    const bool builtIn = flavor == SchemaFlavor::BuiltIn;
    switch (type.kind) {
    case Kind::String:
        if (!v.is_string()) {
            builtIn ? unmarshalError(v, goStruct, goTypeName(type)) : typeError(v, "string");
            return;
        }
        break;
    case Kind::Integer: {
        if (!isIntegral(v)) {
            builtIn ? unmarshalError(v, goStruct, goTypeName(type), true) : typeError(v, "integer");
            return;
        }
        if (builtIn && type.format == "int32") {
            double d = v.to_number<double>();
            if (d < std::numeric_limits<int32_t>::min() ||
                d > std::numeric_limits<int32_t>::max()) {
                unmarshalError(v, goStruct, "int32", true);
                return;
            }
        }
        break;
    }
    case Kind::Number:
        if (!v.is_number()) {
            builtIn ? unmarshalError(v, goStruct, "float64", true) : typeError(v, "number");
            return;
        }
        break;
    case Kind::Boolean:
        if (!v.is_bool()) {
            builtIn ? unmarshalError(v, goStruct, "bool") : typeError(v, "boolean");
            return;
        }
        break;
    case Kind::IntOrString:
        if (!v.is_string() && !isIntegral(v)) {
            builtIn ? unmarshalError(v, goStruct, "int32", true) : typeError(v, "integer,string");
            return;
        }
        break;
    case Kind::Quantity: {
        std::string text;
        if (v.is_string()) {
            text = std::string(v.get_string());
        } else if (v.is_number()) {
            text = numberText(v);
        }
        std::string_view problem = quantityError(text);
        if (!problem.empty()) {
            builtIn ? decodeError(std::string(problem)) : typeError(v, "string");
            return;
        }
        break;
    }
    case Kind::Time:
    case Kind::MicroTime:
        if (!v.is_string()) {
            builtIn ? unmarshalError(v, goStruct, "string") : typeError(v, "string");
            return;
        }
        if (!v.get_string().empty() && !parseTime(v.get_string())) {
            std::string_view s = v.get_string();
            if (builtIn) {
                decodeError(fmt::format("parsing time \"{}\" as \"2006-01-02T15:04:05Z07:00\": "
                                        "cannot parse \"{}\" as \"2006\"",
                                        s, s));
            } else {
                m_invalid.push_back({"FieldValueInvalid", m_path,
                                     fmt::format("Invalid value: \"{}\": {} in body must be of "
                                                 "type date-time: \"{}\"",
                                                 s, m_path, s)});
            }
            return;
        }
        break;
    case Kind::Bytes:
        if (!v.is_string()) {
            builtIn ? unmarshalError(v, goStruct, "[]uint8") : typeError(v, "string");
            return;
        }
        if (long at = base64ErrorOffset(v.get_string()); at >= 0) {
            decodeError(fmt::format("illegal base64 data at input byte {}", at));
            return;
        }
        break;
    case Kind::Array: {
        const auto* a = v.if_array();
        if (a == nullptr) {
            builtIn ? unmarshalError(v, goStruct, goTypeName(type)) : typeError(v, "array");
            return;
        }
        if (type.items != nullptr) {
            for (size_t i = 0; i < a->size(); ++i) {
                PathMark mark = pushIndex(i);
                check(*type.items, (*a)[i], flavor, goStruct, depth + 1);
                pop(mark);
            }
        }
        break;
    }
    case Kind::Map: {
        const auto* o = v.if_object();
        if (o == nullptr) {
            builtIn ? unmarshalError(v, goStruct, goTypeName(type)) : typeError(v, "object");
            return;
        }
        if (type.values != nullptr) {
            for (const auto& entry : *o) {
                PathMark mark = pushKey(entry.key());
                check(*type.values, entry.value(), flavor, goStruct, depth + 1);
                pop(mark);
            }
        }
        break;
    }
    case Kind::Object: {
        const auto* o = v.if_object();
        if (o == nullptr) {
            builtIn ? unmarshalError(v, goStruct, goTypeName(type)) : typeError(v, "object");
            return;
        }
        checkObject(type, *o, flavor, depth);
        break;
    }
    case Kind::Any:
        break;
    }
    if (!builtIn) {
        checkConstraints(type, v);
    }
}

void Checker::checkObject(const Type& type, const boost::json::object& o, SchemaFlavor flavor,
                          int depth) {
    const bool isRoot = &type == &m_root;
    std::string_view structName = type.name.empty() ? std::string_view() : shortName(type.name);
    for (const auto& entry : o) {
        std::string_view key = entry.key();
        const Field* field = type.field(key);
        if (field == nullptr) {
            bool typeMeta = (isRoot || type.embeddedResource) &&
                            (key == "apiVersion" || key == "kind" || key == "metadata");
            if (!typeMeta && !type.preserveUnknownFields) {
                PathMark mark = pushField(key);
                m_unknown.push_back(
                    {"FieldValueUnknown", m_path, fmt::format("unknown field \"{}\"", m_path)});
                pop(mark);
            }
            continue;
        }
        if (field->type == nullptr || (key == "managedFields" && structName == "ObjectMeta")) {
            continue;
        }
        PathMark mark = pushField(key);
        check(*field->type, entry.value(), flavor, structName, depth + 1);
        pop(mark);
    }
    if (flavor == SchemaFlavor::Custom) {
        for (const Field& f : type.properties) {
            if (!f.required) {
                continue;
            }
            const value* present = o.if_contains(f.name);
            if (present == nullptr || present->is_null()) {
                PathMark mark = pushField(f.name);
                m_invalid.push_back({"FieldValueRequired", m_path, "Required value"});
                pop(mark);
            }
        }
    }
}

void Checker::checkConstraints(const Type& type, const value& v) {
    if (!type.enumValues.empty()) {
        bool ok = false;
        for (const std::string& allowed : type.enumValues) {
            if (v.is_string()
                    ? v.get_string() == allowed
                    : (v.is_number() ? numberText(v) : boost::json::serialize(v)) == allowed) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            std::string list;
            for (const std::string& allowed : type.enumValues) {
                list += (list.empty() ? "\"" : ", \"") + allowed + "\"";
            }
            m_invalid.push_back(
                {"FieldValueNotSupported", m_path,
                 fmt::format("Unsupported value: {}: supported values: {}", showValue(v), list)});
        }
    }
    if (v.is_number()) {
        double d = v.to_number<double>();
        if (type.minimum && d < *type.minimum) {
            m_invalid.push_back(
                {"FieldValueInvalid", m_path,
                 fmt::format("Invalid value: {}: {} in body should be greater than or equal to {}",
                             showValue(v), m_path, *type.minimum)});
        }
        if (type.maximum && d > *type.maximum) {
            m_invalid.push_back(
                {"FieldValueInvalid", m_path,
                 fmt::format("Invalid value: {}: {} in body should be less than or equal to {}",
                             showValue(v), m_path, *type.maximum)});
        }
    }
    if (v.is_string()) {
        std::string_view s = v.get_string();
        // Lengths count characters (runes), not bytes, as the OpenAPI validator does.
        auto length = static_cast<int64_t>(
            std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
        if (type.maxLength && length > *type.maxLength) {
            m_invalid.push_back(
                {"FieldValueTooLong", m_path,
                 fmt::format("Too long: may not be more than {} bytes", *type.maxLength)});
        }
        if (type.minLength && length < *type.minLength) {
            m_invalid.push_back(
                {"FieldValueInvalid", m_path,
                 fmt::format("Invalid value: \"{}\": {} in body should be at least {} chars long",
                             s, m_path, *type.minLength)});
        }
        if (!type.pattern.empty()) {
            bool matches = false;
            try {
                matches = std::regex_search(std::string(s),
                                            std::regex(type.pattern, std::regex::ECMAScript));
            } catch (const std::regex_error&) {
                matches = true; // an unusable pattern was rejected when the CRD was written
            }
            if (!matches) {
                m_invalid.push_back({"FieldValueInvalid", m_path,
                                     fmt::format("Invalid value: \"{}\": {} in body should match "
                                                 "'{}'",
                                                 s, m_path, type.pattern)});
            }
        }
    }
    if (const auto* a = v.if_array()) {
        auto size = static_cast<int64_t>(a->size());
        if (type.maxItems && size > *type.maxItems) {
            m_invalid.push_back(
                {"FieldValueTooMany", m_path,
                 fmt::format("Too many: {}: must have at most {} items", size, *type.maxItems)});
        }
        if (type.minItems && size < *type.minItems) {
            m_invalid.push_back({"FieldValueInvalid", m_path,
                                 fmt::format("Invalid value: {}: {} in body should have at least "
                                             "{} items",
                                             size, m_path, *type.minItems)});
        }
    }
}

void pruneObject(const Type& type, boost::json::object& object, bool isRoot, int depth);

void prune(const Type& type, value& v, bool isRoot, int depth) {
    if (depth > MaxDepth || type.kind == Kind::Any) {
        return;
    }
    if (type.kind == Kind::Array) {
        if (auto* a = v.if_array(); a && type.items) {
            for (value& item : *a) {
                prune(*type.items, item, false, depth + 1);
            }
        }
        return;
    }
    if (type.kind == Kind::Map) {
        if (auto* o = v.if_object(); o && type.values) {
            for (auto& entry : *o) {
                prune(*type.values, entry.value(), false, depth + 1);
            }
        }
        return;
    }
    if (auto* o = v.if_object(); o && type.kind == Kind::Object) {
        pruneObject(type, *o, isRoot, depth);
    }
}

void pruneObject(const Type& type, boost::json::object& object, bool isRoot, int depth) {
    auto* o = &object;
    bool dropSome = false;
    for (auto& entry : *o) {
        std::string_view key = entry.key();
        const Field* field = type.field(key);
        bool typeMeta = (isRoot || type.embeddedResource) &&
                        (key == "apiVersion" || key == "kind" || key == "metadata");
        if (field == nullptr) {
            dropSome = dropSome || !(typeMeta || type.preserveUnknownFields);
            continue;
        }
        if (entry.value().is_null()) {
            dropSome = dropSome || !typeMeta;
            continue;
        }
        if (field->type != nullptr) {
            prune(*field->type, entry.value(), false, depth + 1);
        }
    }
    if (!dropSome) {
        return;
    }
    // Rebuild rather than erase: object::erase moves the last key into the gap, and stored
    // objects should keep the client's key order.
    boost::json::object kept(o->storage());
    kept.reserve(o->size());
    for (auto& entry : *o) {
        std::string_view key = entry.key();
        const Field* field = type.field(key);
        bool typeMeta = (isRoot || type.embeddedResource) &&
                        (key == "apiVersion" || key == "kind" || key == "metadata");
        bool keep = field == nullptr ? (typeMeta || type.preserveUnknownFields)
                                     : (!entry.value().is_null() || typeMeta);
        if (keep) {
            kept.emplace(key, std::move(entry.value()));
        }
    }
    *o = std::move(kept);
}

} // namespace

void checkAgainstSchema(const schema::Type& root, const boost::json::value& object,
                        FieldErrors& unknownFields, FieldErrors& invalid, SchemaFlavor flavor) {
    Checker checker(root, unknownFields, invalid);
    checker.checkRoot(object, flavor);
}

void checkAgainstSchema(const schema::Type& root, const boost::json::object& object,
                        FieldErrors& unknownFields, FieldErrors& invalid, SchemaFlavor flavor) {
    if (flavor == SchemaFlavor::BuiltIn && root.kind == Kind::Object) {
        Checker checker(root, unknownFields, invalid);
        checker.checkRootObject(object);
        return;
    }
    checkAgainstSchema(root, boost::json::value(object), unknownFields, invalid, flavor);
}

namespace {

void dropEmpty(const schema::Type& type, boost::json::value& value, int depth);

void dropEmptyInObject(const schema::Type& type, boost::json::object& object, int depth) {
    std::vector<std::string> drop;
    for (auto& [key, member] : object) {
        const schema::Field* field = type.field(key);
        if (field == nullptr || field->type == nullptr) {
            continue;
        }
        if (member.is_null()) {
            drop.emplace_back(key);
            continue;
        }
        Kind kind = field->type->kind;
        bool empty = (kind == Kind::Map && member.is_object() && member.get_object().empty()) ||
                     (kind == Kind::Array && member.is_array() && member.get_array().empty());
        if (empty && !field->required) {
            drop.emplace_back(key);
            continue;
        }
        dropEmpty(*field->type, member, depth + 1);
    }
    for (const std::string& key : drop) {
        object.erase(key);
    }
}

void dropEmpty(const schema::Type& type, boost::json::value& value, int depth) {
    if (depth > 64) {
        return;
    }
    switch (type.kind) {
    case Kind::Object:
        if (value.is_object()) {
            dropEmptyInObject(type, value.get_object(), depth);
        }
        break;
    case Kind::Array:
        if (value.is_array() && type.items) {
            for (boost::json::value& item : value.get_array()) {
                dropEmpty(*type.items, item, depth + 1);
            }
        }
        break;
    case Kind::Map:
        if (value.is_object() && type.values) {
            for (auto& [key, member] : value.get_object()) {
                dropEmpty(*type.values, member, depth + 1);
            }
        }
        break;
    default:
        break;
    }
}

} // namespace

void dropEmptyOptionalFields(const schema::Type& root, boost::json::object& object) {
    if (root.kind == Kind::Object) {
        dropEmptyInObject(root, object, 0);
    }
}

void pruneUnknownFields(const schema::Type& root, boost::json::value& object) {
    prune(root, object, true, 0);
}

void pruneUnknownFields(const schema::Type& root, boost::json::object& object) {
    if (root.kind == Kind::Object) {
        pruneObject(root, object, true, 0);
    }
}

} // namespace pilot::kube
