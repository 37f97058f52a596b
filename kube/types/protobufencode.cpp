// Encoding JSON objects of built-in kinds as Kubernetes protobuf: the inverse of the decoder in
// protobuf.cpp, driven by the same schema (field numbers from upstream generated.proto).
#include "kube/types/protobuf.h"

#include "core/base64.h"
#include "core/clock.h"

#include "kube/goduration.h"
#include "kube/types/protowire.h"
#include "kube/types/schemaset.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace pilot::kube {

namespace {

using boost::json::object;
using boost::json::value;
using protowire::Nested;
using protowire::putBytesField;
using protowire::putFixed64Field;
using protowire::putVarintField;
using schema::Field;
using schema::Kind;
using schema::Type;

constexpr int MaxDepth = 100;

class Encoder : public protowire::FieldTrail {
public:
    explicit Encoder(const SchemaSet* set) : m_set(set) {}

    /// Appends the fields of `in` that `type` gives numbers to.
    bool message(const object& in, const Type& type, std::string& out, int depth);

private:
    bool field(const Field& f, const value& v, std::string& out, int depth);
    /// One occurrence of a field numbered `number` holding `v` of type `t`.
    bool scalar(const Type& t, int number, const value& v, std::string& out, int depth);
    bool integer(const value& v, int64_t& result);

    const SchemaSet* m_set;
};

bool Encoder::message(const object& in, const Type& type, std::string& out, int depth) {
    if (depth > MaxDepth) {
        return fail(fmt::format("objects nested deeper than {}", MaxDepth));
    }
    for (const Field& f : type.properties) {
        if (f.protoNumber <= 0 || f.type == nullptr) {
            continue; // apiVersion and kind travel in the envelope
        }
        const value* v = in.if_contains(f.name);
        if (v == nullptr || v->is_null()) {
            continue;
        }
        size_t mark = enter(f.name);
        if (!field(f, *v, out, depth)) {
            return false;
        }
        leave(mark);
    }
    if (m_set != nullptr) {
        // Embedded Go structs: their fields sit in the same JSON object but travel nested.
        for (const InlineMember& member : m_set->inlineMembers(&type)) {
            Nested nested(out, member.protoNumber);
            if (!message(in, *member.type, out, depth + 1)) {
                return false;
            }
        }
    }
    return true;
}

bool Encoder::field(const Field& f, const value& v, std::string& out, int depth) {
    const Type& t = *f.type;
    if (t.kind == Kind::Array) {
        if (!v.is_array()) {
            return fail("expected a list");
        }
        if (t.items == nullptr) {
            return true;
        }
        // Repeated scalars unpacked, as proto2's generated marshallers write them.
        for (const value& item : v.get_array()) {
            if (item.is_null()) {
                continue;
            }
            if (!scalar(*t.items, f.protoNumber, item, out, depth)) {
                return false;
            }
        }
        return true;
    }
    if (t.kind == Kind::Map) {
        if (!v.is_object()) {
            return fail("expected a map");
        }
        for (const auto& entry : v.get_object()) {
            Nested nested(out, f.protoNumber);
            putBytesField(out, 1, entry.key());
            if (t.values != nullptr && !entry.value().is_null() &&
                !scalar(*t.values, 2, entry.value(), out, depth)) {
                return false;
            }
        }
        return true;
    }
    return scalar(t, f.protoNumber, v, out, depth);
}

bool Encoder::integer(const value& v, int64_t& result) {
    if (v.is_int64()) {
        result = v.get_int64();
        return true;
    }
    if (v.is_uint64()) {
        result = static_cast<int64_t>(v.get_uint64());
        return true;
    }
    if (v.is_double() && std::trunc(v.get_double()) == v.get_double() &&
        std::abs(v.get_double()) < 9.2e18) {
        result = static_cast<int64_t>(v.get_double());
        return true;
    }
    return fail("expected an integer");
}

bool Encoder::scalar(const Type& t, int number, const value& v, std::string& out, int depth) {
    switch (t.kind) {
    case Kind::String:
        if (!v.is_string()) {
            return fail("expected a string");
        }
        if (t.name == DurationTypeName) {
            // metav1.Duration: "1m30s" in JSON, {1: nanoseconds} in protobuf.
            auto duration = parseGoDuration(v.get_string());
            if (!duration) {
                return fail(duration.error().message);
            }
            Nested nested(out, number);
            putVarintField(out, 1, static_cast<uint64_t>(duration->count()));
            return true;
        }
        putBytesField(out, number, v.get_string());
        return true;
    case Kind::Integer: {
        int64_t i = 0;
        if (!integer(v, i)) {
            return false;
        }
        putVarintField(out, number, static_cast<uint64_t>(i));
        return true;
    }
    case Kind::Boolean:
        if (!v.is_bool()) {
            return fail("expected a boolean");
        }
        putVarintField(out, number, v.get_bool() ? 1 : 0);
        return true;
    case Kind::Number: {
        if (!v.is_number()) {
            return fail("expected a number");
        }
        double d = v.to_number<double>();
        uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        putFixed64Field(out, number, bits);
        return true;
    }
    case Kind::Bytes: {
        if (!v.is_string()) {
            return fail("expected base64 text");
        }
        std::optional<std::string> bytes = base64Decode(v.get_string());
        if (!bytes) {
            return fail("invalid base64");
        }
        putBytesField(out, number, *bytes);
        return true;
    }
    case Kind::Quantity: {
        Nested nested(out, number);
        if (v.is_string()) {
            putBytesField(out, 1, v.get_string());
        } else if (v.is_number()) {
            putBytesField(out, 1, boost::json::serialize(v));
        } else {
            return fail("expected a quantity");
        }
        return true;
    }
    case Kind::IntOrString: {
        Nested nested(out, number);
        if (v.is_string()) {
            putVarintField(out, 1, 1);
            putBytesField(out, 3, v.get_string());
            return true;
        }
        int64_t i = 0;
        if (!integer(v, i)) {
            return false;
        }
        putVarintField(out, 1, 0);
        putVarintField(out, 2, static_cast<uint64_t>(i));
        return true;
    }
    case Kind::Time:
    case Kind::MicroTime: {
        if (!v.is_string()) {
            return fail("expected an RFC 3339 time");
        }
        Result<TimePoint> parsed = parseTime(v.get_string());
        if (!parsed) {
            return fail(parsed.error().message);
        }
        auto since =
            std::chrono::duration_cast<std::chrono::nanoseconds>(parsed->time_since_epoch());
        auto seconds = std::chrono::floor<std::chrono::seconds>(since);
        Nested nested(out, number);
        putVarintField(out, 1, static_cast<uint64_t>(seconds.count()));
        putVarintField(out, 2, static_cast<uint64_t>((since - seconds).count()));
        return true;
    }
    case Kind::Any: {
        // RawExtension and JSON fields: the JSON text itself as field 1.
        Nested nested(out, number);
        putBytesField(out, 1, boost::json::serialize(v));
        return true;
    }
    case Kind::Object: {
        if (!v.is_object()) {
            return fail("expected an object");
        }
        Nested nested(out, number);
        return message(v.get_object(), t, out, depth + 1);
    }
    case Kind::Array:
    case Kind::Map:
        return fail("nested lists and maps are not encodable in protobuf");
    }
    return fail("unsupported schema kind");
}

std::string_view stringMember(const object& o, std::string_view key) {
    const value* v = o.if_contains(key);
    return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

/// The head of a runtime.Unknown envelope: the `k8s\0` magic and the type; the raw object
/// (field 2) follows, then closeEnvelope.
void openEnvelope(std::string& out, std::string_view apiVersion, std::string_view kind) {
    out.append(ProtobufMagic);
    Nested typeMeta(out, 1);
    putBytesField(out, 1, apiVersion);
    putBytesField(out, 2, kind);
}

/// The envelope's contentEncoding and contentType, empty as Go's marshaller writes them.
void closeEnvelope(std::string& out) {
    putBytesField(out, 3, "");
    putBytesField(out, 4, "");
}

} // namespace

ProtobufListWriter::ProtobufListWriter(std::string_view apiVersion, std::string_view kind,
                                       const boost::json::object& listMeta) {
    openEnvelope(m_out, apiVersion, kind);
    m_raw.emplace(m_out, 2);
    // Every list of k8s.io/api: {1: ListMeta metadata, 2: repeated items}.
    auto loaded = SchemaSet::builtin();
    const Type* meta =
        loaded ? (*loaded)->find("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta") : nullptr;
    Nested nested(m_out, 1);
    std::string ignored; // ListMeta holds strings and one integer, as the list writer set them
    if (meta != nullptr) {
        (void)appendProtobufMessage(listMeta, *meta, nullptr, m_out, ignored);
    }
}

std::string ProtobufListWriter::finish() && {
    m_raw.reset();
    closeEnvelope(m_out);
    return std::move(m_out);
}

ProtobufSchema protobufSchemaFor(const TypeRegistry& registry, std::string_view apiVersion,
                                 std::string_view kind) {
    std::string_view group;
    std::string_view version = apiVersion;
    if (auto slash = apiVersion.find('/'); slash != std::string_view::npos) {
        group = apiVersion.substr(0, slash);
        version = apiVersion.substr(slash + 1);
    }
    ProtobufSchema out;
    if (ResourceTypePtr rt = registry.byKind(group, version, kind); rt && rt->schema) {
        out.type = rt->schema;
        out.set = rt->schemaSet;
        out.owner = rt;
    } else if (auto loaded = SchemaSet::builtin(); loaded) {
        // Kinds served only through subresources (TokenRequest, Eviction, Scale) and Status.
        out.owner = *loaded;
        out.set = loaded->get();
        out.type = (*loaded)->findKind(
            GroupVersionKind{std::string(group), std::string(version), std::string(kind)});
    }
    return out;
}

bool protobufEncodable(const schema::Type& type) {
    for (const Field& f : type.properties) {
        if (f.name == "metadata") {
            return f.protoNumber > 0;
        }
    }
    return false;
}

bool appendProtobufMessage(const boost::json::object& in, const schema::Type& type,
                           const SchemaSet* set, std::string& out, std::string& error) {
    Encoder encoder(set);
    if (!encoder.message(in, type, out, 0)) {
        error = encoder.errorMessage();
        return false;
    }
    return true;
}

Result<std::string> encodeProtobufObject(const boost::json::object& in,
                                         const TypeRegistry& registry) {
    std::string_view apiVersion = stringMember(in, "apiVersion");
    std::string_view kind = stringMember(in, "kind");
    if (kind.size() > 4 && kind.ends_with("List") && in.contains("items")) {
        ProtobufSchema item =
            protobufSchemaFor(registry, apiVersion, kind.substr(0, kind.size() - 4));
        if (item.type == nullptr || !protobufEncodable(*item.type)) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("protobuf: {} {} has no protobuf encoding", apiVersion, kind));
        }
        const value* meta = in.if_contains("metadata");
        ProtobufListWriter list(
            apiVersion, kind, meta != nullptr && meta->is_object() ? meta->get_object() : object());
        const value& items = in.at("items");
        if (!items.is_array() && !items.is_null()) {
            return fail(ErrorCode::InvalidArgument, "protobuf: items: expected a list");
        }
        std::string error;
        for (const value& entry : items.is_array() ? items.get_array() : boost::json::array()) {
            if (!entry.is_object()) {
                return fail(ErrorCode::InvalidArgument, "protobuf: items: expected objects");
            }
            if (!list.item([&](std::string& raw) {
                    return appendProtobufMessage(entry.get_object(), *item.type, item.set, raw,
                                                 error);
                })) {
                return fail(ErrorCode::InvalidArgument, error);
            }
        }
        return std::move(list).finish();
    }
    return encodeProtobufObject(in, protobufSchemaFor(registry, apiVersion, kind));
}

Result<std::string> encodeProtobufObject(const boost::json::object& in,
                                         const ProtobufSchema& schema) {
    std::string_view apiVersion = stringMember(in, "apiVersion");
    std::string_view kind = stringMember(in, "kind");
    if (schema.type == nullptr || !protobufEncodable(*schema.type)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("protobuf: {} {} has no protobuf encoding", apiVersion, kind));
    }
    std::string out;
    std::string error;
    openEnvelope(out, apiVersion, kind);
    bool ok = false;
    {
        Nested raw(out, 2);
        ok = appendProtobufMessage(in, *schema.type, schema.set, out, error);
    }
    if (!ok) {
        return fail(ErrorCode::InvalidArgument, error);
    }
    closeEnvelope(out);
    return out;
}

void appendProtobufWatchEvent(std::string& out, std::string_view type,
                              std::string_view encodedObject) {
    // A length-prefixed frame holding a raw (envelope-less) metav1.WatchEvent whose object
    // is a RawExtension carrying the enveloped object.
    const size_t frameAt = out.size();
    out.append(4, '\0');
    putBytesField(out, 1, type);
    {
        Nested object(out, 2);
        putBytesField(out, 1, encodedObject);
    }
    auto length = static_cast<uint32_t>(out.size() - frameAt - 4);
    for (int i = 0; i < 4; ++i) {
        out[frameAt + i] = static_cast<char>((length >> (8 * (3 - i))) & 0xFF);
    }
}

} // namespace pilot::kube
