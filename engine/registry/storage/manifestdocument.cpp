#include "engine/registry/storage/manifestdocument.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <array>

namespace pilot::registry {

namespace json = boost::json;

namespace {

constexpr std::array KnownTypes{mediatype::OciManifest, mediatype::OciIndex, mediatype::OciArtifact,
                                mediatype::DockerManifest, mediatype::DockerManifestList};

bool isKnown(std::string_view type) {
    for (std::string_view known : KnownTypes) {
        if (type == known) {
            return true;
        }
    }
    return false;
}

bool isIndexType(std::string_view type) {
    return type == mediatype::OciIndex || type == mediatype::DockerManifestList;
}

/// Layers that registries do not hold (foreign / non-distributable).
bool isNonDistributable(std::string_view mediaType) {
    return mediaType.find(".foreign.") != std::string_view::npos ||
           mediaType.find(".nondistributable.") != std::string_view::npos;
}

std::unexpected<Error> invalid(std::string message) {
    return fail(ErrorCode::InvalidArgument, "manifest: " + std::move(message));
}

struct Descriptor {
    Digest digest;
    std::string mediaType;
};

Result<Descriptor> descriptorAt(const json::value& value, const std::string& field) {
    const json::object* object = value.if_object();
    if (object == nullptr) {
        return invalid(field + ": must be an object");
    }
    const json::value* mediaType = object->if_contains("mediaType");
    if (mediaType == nullptr || !mediaType->is_string()) {
        return invalid(field + ".mediaType: required");
    }
    const json::value* size = object->if_contains("size");
    std::optional<int64_t> sizeValue = size != nullptr ? kube::asInteger(*size) : std::nullopt;
    if (!sizeValue || *sizeValue < 0) {
        return invalid(field + ".size: must be a non-negative integer");
    }
    const json::value* digest = object->if_contains("digest");
    if (digest == nullptr || !digest->is_string()) {
        return invalid(field + ".digest: required");
    }
    auto parsed = Digest::parse(std::string_view(digest->get_string()));
    if (!parsed) {
        return invalid(field + ".digest: " + parsed.error().message);
    }
    return Descriptor{std::move(*parsed), std::string(mediaType->get_string())};
}

Status collect(const json::object& document, std::string_view key, std::vector<Digest>& out,
               bool skipNonDistributable) {
    const json::value* member = document.if_contains(key);
    if (member == nullptr || member->is_null()) {
        return {};
    }
    const json::array* items = member->if_array();
    if (items == nullptr) {
        return invalid(std::string(key) + ": must be an array");
    }
    for (size_t i = 0; i < items->size(); ++i) {
        auto descriptor =
            descriptorAt((*items)[i], std::string(key) + "[" + std::to_string(i) + "]");
        if (!descriptor) {
            return std::unexpected(descriptor.error());
        }
        if (skipNonDistributable && isNonDistributable(descriptor->mediaType)) {
            continue;
        }
        out.push_back(std::move(descriptor->digest));
    }
    return {};
}

} // namespace

std::string_view bareMediaType(std::string_view contentType) {
    contentType = contentType.substr(0, contentType.find(';'));
    while (!contentType.empty() && (contentType.front() == ' ' || contentType.front() == '\t')) {
        contentType.remove_prefix(1);
    }
    while (!contentType.empty() && (contentType.back() == ' ' || contentType.back() == '\t')) {
        contentType.remove_suffix(1);
    }
    return contentType;
}

Result<ManifestDocument> parseManifest(std::string_view bytes, std::string_view contentType) {
    boost::system::error_code ec;
    json::value parsed = kube::parseJsonText(bytes, ec);
    if (ec) {
        return invalid("not JSON: " + ec.message());
    }
    const json::object* document = parsed.if_object();
    if (document == nullptr) {
        return invalid("must be a JSON object");
    }
    std::string field = kube::stringAt(*document, "mediaType");
    if (field == "application/vnd.docker.distribution.manifest.v1+json" ||
        field == "application/vnd.docker.distribution.manifest.v1+prettyjws") {
        return invalid("schema 1 manifests are not supported");
    }
    ManifestDocument out;
    if (isKnown(contentType)) {
        if (!field.empty() && field != contentType) {
            return invalid("mediaType \"" + field + "\" does not match Content-Type \"" +
                           std::string(contentType) + "\"");
        }
        out.mediaType = std::string(contentType);
    } else if (!field.empty()) {
        out.mediaType = field;
    } else if (!contentType.empty() && contentType != "application/json" &&
               contentType != "application/octet-stream") {
        out.mediaType = std::string(contentType);
    } else {
        out.mediaType = std::string(document->contains("manifests") ? mediatype::OciIndex
                                                                    : mediatype::OciManifest);
    }
    out.isIndex =
        isIndexType(out.mediaType) || (!isKnown(out.mediaType) && document->contains("manifests"));

    bool artifactManifest = out.mediaType == mediatype::OciArtifact;
    if (!artifactManifest) {
        std::optional<int64_t> version = kube::integerAt(*document, "schemaVersion");
        if (version != 2) {
            return invalid("schemaVersion: must be 2");
        }
    }
    if (out.isIndex) {
        if (auto ok = collect(*document, "manifests", out.manifests, false); !ok) {
            return std::unexpected(ok.error());
        }
    } else {
        if (const json::value* config = document->if_contains("config");
            config != nullptr && !config->is_null()) {
            auto descriptor = descriptorAt(*config, "config");
            if (!descriptor) {
                return std::unexpected(descriptor.error());
            }
            out.blobs.push_back(descriptor->digest);
            out.artifactType = descriptor->mediaType;
        } else if (!artifactManifest && isKnown(out.mediaType)) {
            return invalid("config: required");
        }
        if (auto ok = collect(*document, "layers", out.blobs, true); !ok) {
            return std::unexpected(ok.error());
        }
        if (auto ok = collect(*document, "blobs", out.blobs, true); !ok) {
            return std::unexpected(ok.error());
        }
    }
    if (const json::value* subject = document->if_contains("subject");
        subject != nullptr && !subject->is_null()) {
        auto descriptor = descriptorAt(*subject, "subject");
        if (!descriptor) {
            return std::unexpected(descriptor.error());
        }
        out.subject = descriptor->digest;
    }
    if (const json::value* type = document->if_contains("artifactType");
        type != nullptr && !type->is_null()) {
        if (!type->is_string()) {
            return invalid("artifactType: must be a string");
        }
        out.artifactType = std::string(type->get_string());
    }
    if (const json::value* annotations = document->if_contains("annotations");
        annotations != nullptr && !annotations->is_null()) {
        if (!annotations->is_object()) {
            return invalid("annotations: must be an object");
        }
        out.annotationsJson = json::serialize(*annotations);
    }
    return out;
}

} // namespace pilot::registry
