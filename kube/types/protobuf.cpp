#include "kube/types/protobuf.h"

#include "core/base64.h"

#include "kube/goduration.h"
#include "kube/types/protowire.h"
#include "kube/types/schemaset.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstring>

namespace pilot::kube {

namespace {

using boost::json::object;
using boost::json::value;
using schema::Field;
using schema::Kind;
using schema::Type;

constexpr int MaxDepth = 100;
/// Seconds of 0001-01-01T00:00:00Z, Go's zero time, and of 9999-12-31T23:59:59Z.
constexpr int64_t ZeroTimeSeconds = -62135596800;
constexpr int64_t MaxTimeSeconds = 253402300799;

using protowire::Fixed64;
using protowire::LengthDelimited;
using protowire::Reader;
using protowire::Varint;
using protowire::wireName;

/// Copies bytes into a string, replacing invalid UTF-8 with U+FFFD as Go's JSON encoder does.
std::string sanitizeUtf8(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
        auto c = static_cast<uint8_t>(in[i]);
        size_t len = c < 0x80           ? 1
                     : (c >> 5) == 0x6  ? 2
                     : (c >> 4) == 0xE  ? 3
                     : (c >> 3) == 0x1E ? 4
                                        : 0;
        bool valid = len > 0 && i + len <= in.size();
        for (size_t k = 1; valid && k < len; ++k) {
            valid = (static_cast<uint8_t>(in[i + k]) & 0xC0) == 0x80;
        }
        if (valid && len > 1) {
            uint32_t cp = c & (0x7F >> len);
            for (size_t k = 1; k < len; ++k) {
                cp = (cp << 6) | (static_cast<uint8_t>(in[i + k]) & 0x3F);
            }
            static constexpr uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
            valid = cp >= minimum[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        }
        if (!valid) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(in.substr(i, len));
        i += len;
    }
    return out;
}

class Decoder : public protowire::FieldTrail {
public:
    explicit Decoder(const SchemaSet* set) : m_set(set) {}

    /// Decodes `bytes` as a message of `type`, adding its fields to `out`.
    bool message(std::string_view bytes, const Type& type, object& out, int depth);

private:
    bool failFrom(const Reader& r) { return fail(r.error()); }

    bool expectWire(int wire, int expected) {
        if (wire == expected) {
            return true;
        }
        return fail(fmt::format("wire type {} ({}), expected {}", wire, wireName(wire),
                                wireName(expected)));
    }

    bool field(const Field& f, int wire, Reader& r, object& out, int depth);
    /// One value of a scalar or message type; `isZero` tells whether it is the zero value.
    bool scalar(const Type& t, int wire, Reader& r, value& out, bool& isZero, int depth);
    bool time(std::string_view bytes, bool micro, value& out, bool& isZero);
    bool intOrString(std::string_view bytes, value& out, bool& isZero);
    bool duration(std::string_view bytes, value& out, bool& isZero);
    bool rawJson(std::string_view bytes, value& out, bool& isZero);

    const SchemaSet* m_set;
};

bool Decoder::message(std::string_view bytes, const Type& type, object& out, int depth) {
    if (depth > MaxDepth) {
        return fail(fmt::format("messages nested deeper than {}", MaxDepth));
    }
    Reader r(bytes);
    int number = 0;
    int wire = 0;
    while (r.tag(number, wire)) {
        const Field* f = nullptr;
        for (const Field& candidate : type.properties) {
            if (candidate.protoNumber == number) {
                f = &candidate;
                break;
            }
        }
        if (f != nullptr && f->type != nullptr) {
            size_t mark = enter(f->name);
            if (!field(*f, wire, r, out, depth)) {
                return false;
            }
            leave(mark);
            continue;
        }
        const InlineMember* member = nullptr;
        if (m_set != nullptr) {
            for (const InlineMember& m : m_set->inlineMembers(&type)) {
                if (m.protoNumber == number) {
                    member = &m;
                }
            }
        }
        if (member != nullptr) {
            if (!expectWire(wire, LengthDelimited)) {
                return false;
            }
            std::string_view nested = r.bytes();
            if (!r.ok()) {
                return failFrom(r);
            }
            if (!message(nested, *member->type, out, depth + 1)) {
                return false;
            }
            continue;
        }
        r.skip(wire); // a field this schema does not know
    }
    return r.ok() || failFrom(r);
}

bool Decoder::field(const Field& f, int wire, Reader& r, object& out, int depth) {
    const Type& t = *f.type;
    const std::string name = f.name;
    if (t.kind == Kind::Array) {
        if (t.items == nullptr) {
            r.skip(wire);
            return r.ok() || failFrom(r);
        }
        const Type& item = *t.items;
        value& slot = out[name];
        if (!slot.is_array()) {
            slot = boost::json::array();
        }
        auto& list = slot.get_array();
        bool numeric =
            item.kind == Kind::Integer || item.kind == Kind::Boolean || item.kind == Kind::Number;
        if (numeric && wire == LengthDelimited) { // packed repeated scalars
            std::string_view packed = r.bytes();
            if (!r.ok()) {
                return failFrom(r);
            }
            Reader inner(packed);
            while (!inner.atEnd()) {
                value v;
                bool zero = false;
                int itemWire = item.kind == Kind::Number ? Fixed64 : Varint;
                if (!scalar(item, itemWire, inner, v, zero, depth)) {
                    return false;
                }
                list.push_back(std::move(v));
            }
            if (list.empty()) {
                out.erase(name); // empty lists are "unset"
            }
            return inner.ok() || failFrom(inner);
        }
        value v;
        bool zero = false;
        if (!scalar(item, wire, r, v, zero, depth)) {
            return false;
        }
        list.push_back(std::move(v));
        return true;
    }
    if (t.kind == Kind::Map) {
        if (!expectWire(wire, LengthDelimited)) {
            return false;
        }
        std::string_view entry = r.bytes();
        if (!r.ok()) {
            return failFrom(r);
        }
        Reader e(entry);
        std::string key;
        value v;
        bool haveValue = false;
        int number = 0;
        int entryWire = 0;
        while (e.tag(number, entryWire)) {
            if (number == 1) {
                if (!expectWire(entryWire, LengthDelimited)) {
                    return false;
                }
                key = sanitizeUtf8(e.bytes());
            } else if (number == 2 && t.values != nullptr) {
                bool zero = false;
                if (!scalar(*t.values, entryWire, e, v, zero, depth)) {
                    return false;
                }
                haveValue = true;
            } else {
                e.skip(entryWire);
            }
        }
        if (!e.ok()) {
            return failFrom(e);
        }
        if (!haveValue && t.values != nullptr) {
            // An absent value is the zero value of the value type.
            switch (t.values->kind) {
            case Kind::String:
            case Kind::Bytes:
                v = "";
                break;
            case Kind::Integer:
            case Kind::Number:
                v = 0;
                break;
            case Kind::Boolean:
                v = false;
                break;
            case Kind::Quantity:
                v = "0";
                break;
            default:
                v = object();
                break;
            }
        }
        value& slot = out[name];
        if (!slot.is_object()) {
            slot = object();
        }
        slot.get_object()[key] = std::move(v);
        return true;
    }
    if (t.kind == Kind::Object) {
        if (!expectWire(wire, LengthDelimited)) {
            return false;
        }
        std::string_view nested = r.bytes();
        if (!r.ok()) {
            return failFrom(r);
        }
        value& slot = out[name];
        if (!slot.is_object()) {
            slot = object(); // messages are kept even when empty, like Go's encoder
        }
        return message(nested, t, slot.get_object(), depth + 1);
    }
    value v;
    bool zero = false;
    if (!scalar(t, wire, r, v, zero, depth)) {
        return false;
    }
    // Zero values mean "unset" unless the Go field is a pointer or always serialized
    // (required); a zero Time has no JSON form other than null and is always left out.
    bool keep = !v.is_null() && (!zero || f.required || (m_set != nullptr && m_set->isPointer(&f)));
    if (keep) {
        out[name] = std::move(v);
    } else {
        out.erase(name);
    }
    return true;
}

bool Decoder::scalar(const Type& t, int wire, Reader& r, value& out, bool& isZero, int depth) {
    switch (t.kind) {
    case Kind::String: {
        if (!expectWire(wire, LengthDelimited)) {
            return false;
        }
        std::string_view s = r.bytes();
        if (!r.ok()) {
            return failFrom(r);
        }
        if (t.name == DurationTypeName) {
            return duration(s, out, isZero);
        }
        out = sanitizeUtf8(s);
        isZero = s.empty();
        return true;
    }
    case Kind::Integer:
    case Kind::Boolean: {
        if (!expectWire(wire, Varint)) {
            return false;
        }
        uint64_t v = r.varint();
        if (!r.ok()) {
            return failFrom(r);
        }
        isZero = v == 0;
        if (t.kind == Kind::Boolean) {
            out = v != 0;
        } else if (t.format == "int32") {
            out = static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)));
        } else {
            out = static_cast<int64_t>(v);
        }
        return true;
    }
    case Kind::Number: {
        if (!expectWire(wire, Fixed64)) {
            return false;
        }
        uint64_t bits = r.fixed64();
        if (!r.ok()) {
            return failFrom(r);
        }
        double d = 0;
        std::memcpy(&d, &bits, sizeof d);
        out = d;
        isZero = d == 0;
        return true;
    }
    case Kind::Bytes: {
        if (!expectWire(wire, LengthDelimited)) {
            return false;
        }
        std::string_view b = r.bytes();
        if (!r.ok()) {
            return failFrom(r);
        }
        out = base64Encode(b);
        isZero = b.empty();
        return true;
    }
    default:
        break;
    }
    // Everything else travels as a nested message.
    if (!expectWire(wire, LengthDelimited)) {
        return false;
    }
    std::string_view nested = r.bytes();
    if (!r.ok()) {
        return failFrom(r);
    }
    switch (t.kind) {
    case Kind::Time:
    case Kind::MicroTime:
        return time(nested, t.kind == Kind::MicroTime, out, isZero);
    case Kind::Quantity: {
        Reader q(nested);
        std::string text;
        int number = 0;
        int qWire = 0;
        while (q.tag(number, qWire)) {
            if (number == 1 && qWire == LengthDelimited) {
                text = sanitizeUtf8(q.bytes());
            } else {
                q.skip(qWire);
            }
        }
        if (!q.ok()) {
            return failFrom(q);
        }
        isZero = text.empty();
        out = std::move(text);
        return true;
    }
    case Kind::IntOrString:
        return intOrString(nested, out, isZero);
    case Kind::Any:
        return rawJson(nested, out, isZero);
    case Kind::Object: {
        object o;
        if (!message(nested, t, o, depth + 1)) {
            return false;
        }
        out = std::move(o);
        isZero = false;
        return true;
    }
    case Kind::Array:
    case Kind::Map:
        return fail("nested lists and maps are not encodable in protobuf");
    default:
        return fail("unsupported schema kind");
    }
}

bool Decoder::time(std::string_view bytes, bool micro, value& out, bool& isZero) {
    Reader r(bytes);
    int64_t seconds = 0;
    int64_t nanos = 0;
    int number = 0;
    int wire = 0;
    while (r.tag(number, wire)) {
        if ((number == 1 || number == 2) && !expectWire(wire, Varint)) {
            return false;
        }
        if (number == 1) {
            seconds = static_cast<int64_t>(r.varint());
        } else if (number == 2) {
            nanos = static_cast<int32_t>(static_cast<uint32_t>(r.varint()));
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok()) {
        return failFrom(r);
    }
    if (bytes.empty() || (seconds == ZeroTimeSeconds && nanos == 0)) {
        isZero = true; // Go's zero time: the field is unset
        out = nullptr;
        return true;
    }
    if (seconds < ZeroTimeSeconds || seconds > MaxTimeSeconds || nanos < 0 || nanos >= 1000000000) {
        return fail(fmt::format("timestamp out of range: {}s {}ns", seconds, nanos));
    }
    // Formatted from the civil date directly: years 1-9999 do not fit a nanosecond time_point.
    using namespace std::chrono;
    sys_seconds tp{std::chrono::seconds(seconds)};
    auto day = floor<days>(tp);
    year_month_day date{day};
    hh_mm_ss clock{tp - day};
    std::string text =
        fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(date.year()), unsigned(date.month()),
                    unsigned(date.day()), clock.hours().count(), clock.minutes().count(),
                    clock.seconds().count());
    if (micro) {
        text += fmt::format(".{:06}", nanos / 1000);
    }
    out = text + "Z";
    isZero = false;
    return true;
}

bool Decoder::duration(std::string_view bytes, value& out, bool& isZero) {
    Reader r(bytes);
    int64_t nanos = 0;
    int number = 0;
    int wire = 0;
    while (r.tag(number, wire)) {
        if (number == 1) {
            if (!expectWire(wire, Varint)) {
                return false;
            }
            nanos = static_cast<int64_t>(r.varint());
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok()) {
        return failFrom(r);
    }
    out = formatGoDuration(std::chrono::nanoseconds(nanos));
    isZero = nanos == 0;
    return true;
}

bool Decoder::intOrString(std::string_view bytes, value& out, bool& isZero) {
    Reader r(bytes);
    uint64_t type = 0;
    int64_t intVal = 0;
    std::string strVal;
    int number = 0;
    int wire = 0;
    while (r.tag(number, wire)) {
        if (number == 1 || number == 2) {
            if (!expectWire(wire, Varint)) {
                return false;
            }
            uint64_t v = r.varint();
            if (number == 1) {
                type = v;
            } else {
                intVal = static_cast<int32_t>(static_cast<uint32_t>(v));
            }
        } else if (number == 3) {
            if (!expectWire(wire, LengthDelimited)) {
                return false;
            }
            strVal = sanitizeUtf8(r.bytes());
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok()) {
        return failFrom(r);
    }
    if (type == 1) {
        isZero = strVal.empty();
        out = std::move(strVal);
    } else {
        isZero = intVal == 0;
        out = intVal;
    }
    return true;
}

bool Decoder::rawJson(std::string_view bytes, value& out, bool& isZero) {
    Reader r(bytes);
    std::string_view raw;
    int number = 0;
    int wire = 0;
    while (r.tag(number, wire)) {
        if (number == 1) {
            if (!expectWire(wire, LengthDelimited)) {
                return false;
            }
            raw = r.bytes();
        } else {
            r.skip(wire);
        }
    }
    if (!r.ok()) {
        return failFrom(r);
    }
    if (raw.empty()) {
        isZero = true;
        out = nullptr;
        return true;
    }
    boost::json::parse_options options;
    options.max_depth = 512;
    boost::system::error_code ec;
    out = boost::json::parse(raw, ec, {}, options);
    if (ec) {
        return fail(fmt::format("embedded JSON: {}", ec.message()));
    }
    isZero = false;
    return true;
}

} // namespace

Result<boost::json::object> decodeProtobufMessage(std::string_view bytes, const schema::Type& type,
                                                  const SchemaSet* set) {
    Decoder decoder(set);
    object out;
    if (!decoder.message(bytes, type, out, 0)) {
        return fail(ErrorCode::InvalidArgument, decoder.errorMessage());
    }
    return out;
}

Result<boost::json::object> decodeProtobufObject(std::string_view body,
                                                 const TypeRegistry& registry) {
    if (!body.starts_with(ProtobufMagic)) {
        return fail(ErrorCode::InvalidArgument,
                    "protobuf: body does not start with the Kubernetes magic \"k8s\\x00\"");
    }
    Reader envelope(body.substr(ProtobufMagic.size()));
    std::string apiVersion;
    std::string kind;
    std::string_view raw;
    std::string contentEncoding;
    int number = 0;
    int wire = 0;
    auto wrongWire = [&](std::string_view what) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("protobuf: envelope {}: wire type {} ({}), expected "
                                "length-delimited",
                                what, wire, wireName(wire)));
    };
    while (envelope.tag(number, wire)) {
        if (number >= 1 && number <= 4 && wire != LengthDelimited) {
            return wrongWire(number == 1 ? "typeMeta" : number == 2 ? "raw" : "content type");
        }
        if (number == 1) {
            Reader typeMeta(envelope.bytes());
            int n = 0;
            int w = 0;
            while (typeMeta.tag(n, w)) {
                if ((n == 1 || n == 2) && w == LengthDelimited) {
                    (n == 1 ? apiVersion : kind) = sanitizeUtf8(typeMeta.bytes());
                } else {
                    typeMeta.skip(w);
                }
            }
            if (!typeMeta.ok()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("protobuf: envelope typeMeta: {}", typeMeta.error()));
            }
        } else if (number == 2) {
            raw = envelope.bytes();
        } else if (number == 3) {
            contentEncoding = std::string(envelope.bytes());
        } else {
            envelope.skip(wire);
        }
    }
    if (!envelope.ok()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("protobuf: envelope: {}", envelope.error()));
    }
    if (!contentEncoding.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("protobuf: unsupported contentEncoding \"{}\"", contentEncoding));
    }
    if (apiVersion.empty() || kind.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    "protobuf: envelope has no apiVersion and kind (typeMeta)");
    }
    ProtobufSchema schema = protobufSchemaFor(registry, apiVersion, kind);
    if (schema.type == nullptr) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("protobuf: no kind \"{}\" is registered for version \"{}\"", kind,
                                apiVersion));
    }
    Decoder decoder(schema.set);
    object out;
    out["apiVersion"] = apiVersion;
    out["kind"] = kind;
    if (!decoder.message(raw, *schema.type, out, 0)) {
        return fail(ErrorCode::InvalidArgument, decoder.errorMessage());
    }
    // The envelope's type wins over anything the raw object carried.
    out["apiVersion"] = apiVersion;
    out["kind"] = kind;
    return out;
}

} // namespace pilot::kube
