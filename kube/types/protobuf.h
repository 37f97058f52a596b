#pragma once

#include "core/error.h"
#include "kube/schema.h"
#include "kube/types/protowire.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pilot::kube {

class SchemaSet;

/// The definition of metav1.Duration: a string in JSON (`1m30s`), {1: int64 nanoseconds} in
/// protobuf.
inline constexpr std::string_view DurationTypeName =
    "io.k8s.apimachinery.pkg.apis.meta.v1.Duration";

/// The four bytes every Kubernetes protobuf body starts with.
inline constexpr std::string_view ProtobufMagic{"k8s\0", 4};

/// Decodes a request body sent as `application/vnd.kubernetes.protobuf` into the JSON object a
/// client would have sent: the `k8s\0` magic, then a runtime.Unknown envelope {1: TypeMeta
/// {1: apiVersion, 2: kind}, 2: raw object, 3: contentEncoding, 4: contentType}. The kind is
/// looked up in the registry (or, for kinds only posted to subresources such as
/// authentication.k8s.io/v1 TokenRequest, among the built-in definitions) and its schema drives
/// the decoding of the raw object (field numbers
/// from upstream generated.proto): strings, varints (int32/int64/bool), doubles, bytes
/// (base64 in JSON), nested messages, repeated fields (packed or not), maps, Time/MicroTime
/// (RFC 3339), Quantity, IntOrString, RawExtension (embedded JSON) and embedded Go structs.
/// Zero values of non-pointer scalars mean "unset" and are omitted, as are empty lists and
/// maps; unknown field numbers are skipped. The result starts with `apiVersion` and `kind`.
///
/// Malformed input (bad magic, truncated varints, lengths past the end, wrong wire types,
/// nesting deeper than 100 messages, a kind the registry does not serve, a non-empty
/// contentEncoding) fails with InvalidArgument; the decoder never reads outside `body`.
[[nodiscard]] Result<boost::json::object> decodeProtobufObject(std::string_view body,
                                                               const TypeRegistry& registry);

/// Decodes one message (no magic, no envelope) of the given object type. `set` supplies the
/// embedded-struct and pointer-field details (`ResourceType::schemaSet`); may be null.
[[nodiscard]] Result<boost::json::object>
decodeProtobufMessage(std::string_view bytes, const schema::Type& type, const SchemaSet* set);

/// Where the protobuf form of a kind is described: its schema, the set holding the embedded-struct
/// and pointer details, and whatever keeps both alive. `type` is null for a kind neither the
/// registry nor the built-in schemas know.
struct ProtobufSchema {
    const schema::Type* type = nullptr;
    const SchemaSet* set = nullptr;
    std::shared_ptr<const void> owner;
};

/// Looks a kind up in the registry, then among the built-in definitions (kinds only posted to or
/// returned from subresources, such as TokenRequest and Scale, and meta/v1 Status).
[[nodiscard]] ProtobufSchema protobufSchemaFor(const TypeRegistry& registry,
                                               std::string_view apiVersion, std::string_view kind);

/// Whether objects of a type can be written as protobuf: built-in kinds, whose schemas carry
/// upstream's field numbers. Custom resources cannot (as with kube-apiserver, they are JSON).
[[nodiscard]] bool protobufEncodable(const schema::Type& type);

/// Appends the protobuf message of `in` (no magic, no envelope) as `type` describes it; the
/// inverse of decodeProtobufMessage. Fields the schema gives no number are left out (apiVersion
/// and kind, which the envelope carries). A value of the wrong JSON type fails with `error`
/// naming its path.
[[nodiscard]] bool appendProtobufMessage(const boost::json::object& in, const schema::Type& type,
                                         const SchemaSet* set, std::string& out,
                                         std::string& error);

/// Encodes an object or a list (`<Kind>List` with `items`) of a built-in kind the way
/// kube-apiserver answers `Accept: application/vnd.kubernetes.protobuf`: the `k8s\0` magic and a
/// runtime.Unknown envelope carrying apiVersion, kind and the raw message. A list travels as
/// {1: ListMeta, 2: repeated items}. Fails with InvalidArgument for a kind without a protobuf
/// form (custom resources, Table) and for a value that does not fit its schema.
[[nodiscard]] Result<std::string> encodeProtobufObject(const boost::json::object& in,
                                                       const TypeRegistry& registry);
/// The same for one object whose schema the caller already holds (a resource's own type).
[[nodiscard]] Result<std::string> encodeProtobufObject(const boost::json::object& in,
                                                       const ProtobufSchema& schema);

/// Writes a list answer item by item (`<Kind>List`: the envelope, {1: ListMeta, 2: items}), for
/// callers that hold each item apart, encoded or not.
class ProtobufListWriter {
public:
    ProtobufListWriter(std::string_view apiVersion, std::string_view kind,
                       const boost::json::object& listMeta);
    ProtobufListWriter(const ProtobufListWriter&) = delete;
    ProtobufListWriter& operator=(const ProtobufListWriter&) = delete;

    /// Appends one item: `write(out)` appends the item's message (no envelope) to `out` and
    /// returns false on failure, which is returned.
    template <typename Write>
    bool item(Write&& write) {
        protowire::Nested nested(m_out, 2);
        return std::forward<Write>(write)(m_out);
    }
    /// The whole answer; the writer is spent.
    [[nodiscard]] std::string finish() &&;

private:
    std::string m_out;
    std::optional<protowire::Nested> m_raw; ///< the envelope's raw message, open until finish
};

/// Appends one frame of a protobuf watch stream (`application/vnd.kubernetes.protobuf;
/// stream=watch`): a 4-byte big-endian length, then a metav1.WatchEvent message {1: type,
/// 2: RawExtension {1: the enveloped object (encodeProtobufObject)}}.
void appendProtobufWatchEvent(std::string& out, std::string_view type,
                              std::string_view encodedObject);

} // namespace pilot::kube
