#include "nodeagent/image/manifest.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <sys/utsname.h>

namespace pilot::agent::image {

namespace json = boost::json;

namespace {

std::string stringMember(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end() || !it->value().is_string()) {
        return {};
    }
    return std::string(it->value().as_string());
}

Result<json::object> parseObject(std::string_view body, std::string_view what) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: not a JSON object", what));
    }
    return std::move(value.as_object());
}

Result<Descriptor> parseDescriptor(const json::value& value, std::string_view what) {
    if (!value.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: descriptor is not an object", what));
    }
    const auto& object = value.as_object();
    Descriptor descriptor;
    descriptor.mediaType = stringMember(object, "mediaType");
    auto digest = parseDigest(stringMember(object, "digest"));
    if (!digest) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: {}", what, digest.error().message));
    }
    descriptor.digest = *digest;
    if (auto it = object.find("size"); it != object.end() && it->value().is_number()) {
        boost::system::error_code ec;
        descriptor.size = it->value().to_number<int64_t>(ec);
        if (ec || descriptor.size < 0) {
            return fail(ErrorCode::InvalidArgument, fmt::format("{}: invalid size", what));
        }
    } else {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: descriptor without size", what));
    }
    if (auto it = object.find("platform"); it != object.end() && it->value().is_object()) {
        const auto& platform = it->value().as_object();
        descriptor.platform =
            Platform{stringMember(platform, "os"), stringMember(platform, "architecture"),
                     stringMember(platform, "variant")};
    }
    if (auto it = object.find("urls"); it != object.end() && it->value().is_array()) {
        for (const auto& url : it->value().as_array()) {
            if (url.is_string()) {
                descriptor.urls.emplace_back(url.as_string());
            }
        }
    }
    return descriptor;
}

std::string normaliseArch(std::string arch) {
    if (arch == "x86_64" || arch == "x86-64") {
        return "amd64";
    }
    if (arch == "aarch64") {
        return "arm64";
    }
    if (arch == "i386" || arch == "i686") {
        return "386";
    }
    if (arch.starts_with("armv")) {
        return "arm";
    }
    return arch;
}

std::string normaliseVariant(const std::string& arch, std::string variant) {
    if (arch == "arm64" && (variant.empty() || variant == "8")) {
        return "v8";
    }
    if (arch == "arm" && variant.size() == 1 &&
        std::isdigit(static_cast<unsigned char>(variant[0]))) {
        return "v" + variant;
    }
    return variant;
}

} // namespace

std::string manifestAcceptHeader() {
    return fmt::format("{}, {}, {}, {}", mediatype::OciIndex, mediatype::DockerManifestList,
                       mediatype::OciManifest, mediatype::DockerManifest);
}

Platform hostPlatform() {
    utsname name{};
    uname(&name);
    std::string machine = name.machine;
    Platform platform{"linux", normaliseArch(machine), {}};
    if (platform.architecture == "arm64") {
        platform.variant = "v8";
    } else if (platform.architecture == "arm" && machine.starts_with("armv") &&
               machine.size() > 4) {
        platform.variant = std::string("v") + machine[4];
    }
    return platform;
}

Result<ManifestKind> classifyManifest(std::string_view contentType, std::string_view body) {
    std::string type(contentType.substr(0, contentType.find(';')));
    while (!type.empty() && type.back() == ' ') {
        type.pop_back();
    }
    if (type == mediatype::OciIndex || type == mediatype::DockerManifestList) {
        return ManifestKind::Index;
    }
    if (type == mediatype::OciManifest || type == mediatype::DockerManifest) {
        return ManifestKind::Image;
    }
    if (type == mediatype::DockerSchema1 ||
        type == "application/vnd.docker.distribution.manifest.v1+json") {
        return fail(ErrorCode::InvalidArgument,
                    "manifest: Docker schema 1 images are not supported (push it again with a "
                    "current client)");
    }
    // Untyped or generic answers: decide from the document itself.
    auto object = parseObject(body, "manifest");
    if (!object) {
        return std::unexpected(object.error());
    }
    std::string declared = stringMember(*object, "mediaType");
    if (declared == mediatype::OciIndex || declared == mediatype::DockerManifestList ||
        (declared.empty() && object->contains("manifests"))) {
        return ManifestKind::Index;
    }
    if (declared == mediatype::OciManifest || declared == mediatype::DockerManifest ||
        (declared.empty() && object->contains("config") && object->contains("layers"))) {
        return ManifestKind::Image;
    }
    return fail(ErrorCode::InvalidArgument, fmt::format("manifest: unsupported media type \"{}\"",
                                                        declared.empty() ? type : declared));
}

Result<ImageIndex> parseImageIndex(std::string_view body) {
    auto object = parseObject(body, "image index");
    if (!object) {
        return std::unexpected(object.error());
    }
    ImageIndex index;
    index.mediaType = stringMember(*object, "mediaType");
    auto it = object->find("manifests");
    if (it == object->end() || !it->value().is_array()) {
        return fail(ErrorCode::InvalidArgument, "image index: no manifests array");
    }
    for (const auto& entry : it->value().as_array()) {
        auto descriptor = parseDescriptor(entry, "image index: manifests[]");
        if (!descriptor) {
            return std::unexpected(descriptor.error());
        }
        index.manifests.push_back(std::move(*descriptor));
    }
    return index;
}

Result<ImageManifest> parseImageManifest(std::string_view body) {
    auto object = parseObject(body, "image manifest");
    if (!object) {
        return std::unexpected(object.error());
    }
    ImageManifest manifest;
    manifest.mediaType = stringMember(*object, "mediaType");
    auto config = object->find("config");
    if (config == object->end()) {
        return fail(ErrorCode::InvalidArgument, "image manifest: no config");
    }
    auto configDescriptor = parseDescriptor(config->value(), "image manifest: config");
    if (!configDescriptor) {
        return std::unexpected(configDescriptor.error());
    }
    manifest.config = std::move(*configDescriptor);
    auto layers = object->find("layers");
    if (layers == object->end() || !layers->value().is_array()) {
        return fail(ErrorCode::InvalidArgument, "image manifest: no layers array");
    }
    for (const auto& entry : layers->value().as_array()) {
        auto descriptor = parseDescriptor(entry, "image manifest: layers[]");
        if (!descriptor) {
            return std::unexpected(descriptor.error());
        }
        manifest.layers.push_back(std::move(*descriptor));
    }
    return manifest;
}

Result<Descriptor> selectManifest(const ImageIndex& index, const Platform& want) {
    std::string wantArch = normaliseArch(want.architecture);
    std::string wantVariant = normaliseVariant(wantArch, want.variant);
    const Descriptor* best = nullptr;
    int bestScore = -1;
    std::vector<std::string> offered;
    for (const Descriptor& entry : index.manifests) {
        if (!entry.platform) {
            continue;
        }
        const Platform& p = *entry.platform;
        std::string arch = normaliseArch(p.architecture);
        std::string variant = normaliseVariant(arch, p.variant);
        offered.push_back(p.os + "/" + arch + (variant.empty() ? "" : "/" + variant));
        if (p.os != want.os || arch != wantArch) {
            continue;
        }
        int score = 0;
        if (variant == wantVariant) {
            score = 2;
        } else if (variant.empty()) {
            score = 1;
        } else if (wantArch == "arm" && !wantVariant.empty() && variant < wantVariant) {
            score = 0; // An older ARM variant runs on a newer CPU.
        } else {
            continue;
        }
        if (score > bestScore) {
            best = &entry;
            bestScore = score;
        }
    }
    if (best == nullptr) {
        std::string list;
        for (const auto& item : offered) {
            list += (list.empty() ? "" : ", ") + item;
        }
        return fail(ErrorCode::NotFound,
                    fmt::format("no image for {}/{}{} in the index (it offers: {})", want.os,
                                wantArch, wantVariant.empty() ? "" : "/" + wantVariant,
                                list.empty() ? "nothing" : list));
    }
    return *best;
}

Result<Compression> layerCompression(std::string_view mediaType) {
    if (mediaType == mediatype::OciLayerGzip || mediaType == mediatype::DockerLayerGzip ||
        mediaType == mediatype::DockerForeignLayerGzip ||
        mediaType == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip") {
        return Compression::Gzip;
    }
    if (mediaType == mediatype::OciLayerZstd ||
        mediaType == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd") {
        return Compression::Zstd;
    }
    if (mediaType == mediatype::OciLayer ||
        mediaType == "application/vnd.oci.image.layer.nondistributable.v1.tar" ||
        mediaType == "application/vnd.docker.image.rootfs.diff.tar") {
        return Compression::None;
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("layer media type \"{}\" is not supported", mediaType));
}

} // namespace pilot::agent::image
