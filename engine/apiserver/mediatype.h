#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::apiserver {

/// One entry of an Accept or Content-Type header: `application/json;as=Table;v=v1;g=meta.k8s.io`.
struct MediaType {
    std::string type; // "application/json", lower case, no parameters
    std::vector<std::pair<std::string, std::string>> params;

    [[nodiscard]] std::string param(std::string_view name) const;
};

[[nodiscard]] MediaType parseMediaType(std::string_view text);
[[nodiscard]] std::vector<MediaType> parseAccept(std::string_view header);

/// What representation of a read the client asked for.
enum class Representation { Object, Table, PartialObjectMetadata };

struct Negotiated {
    Representation representation = Representation::Object;
    std::string tableVersion = "v1"; // meta.k8s.io version of the Table or partial metadata
    bool acceptable = true;          // false: nothing we can produce (406)
    bool protobuf = false;           // the object (or list, or events) as Kubernetes protobuf
};

/// The media type of Kubernetes protobuf bodies, and of a protobuf watch stream.
inline constexpr std::string_view ProtobufMediaType = "application/vnd.kubernetes.protobuf";
inline constexpr std::string_view ProtobufWatchMediaType =
    "application/vnd.kubernetes.protobuf;stream=watch";

/// Picks the first Accept entry we can produce: Table (as=Table;g=meta.k8s.io), JSON, YAML is
/// answered as JSON only when `*/*` or JSON is also acceptable. Plain protobuf is chosen where
/// it comes first and `protobufCapable` (a built-in kind); otherwise it is passed over, as are
/// protobuf Tables and metadata, which are answered from a later JSON entry if there is one.
[[nodiscard]] Negotiated negotiate(std::string_view accept, bool protobufCapable = false);

/// Whether the Accept header asks for aggregated discovery (apidiscovery.k8s.io v2 or v2beta1),
/// and which version.
[[nodiscard]] std::string aggregatedDiscoveryVersion(std::string_view accept);

} // namespace pilot::apiserver
