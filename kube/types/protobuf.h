#pragma once

#include "core/error.h"
#include "kube/schema.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <string_view>

namespace pilot::kube {

class SchemaSet;

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

} // namespace pilot::kube
