// Manifests: GET/HEAD (end-3), PUT (end-7, with the multi-tag `?tag=` of end-7b), DELETE of a
// manifest by digest or of a tag only (end-9).
#include "engine/registry/distribution/distribution.h"
#include "engine/registry/distribution/handlerutil.h"
#include "engine/registry/storage/manifestdocument.h"

#include "core/log.h"

#include <fmt/format.h>

namespace pilot::registry {

using namespace handlers;

Dispatch Distribution::manifest(Call& call) {
    const std::string& method = call.request.method;
    if (method == "PUT") {
        return putManifest(call);
    }
    if (method == "DELETE") {
        return {deleteManifest(call), nullptr};
    }
    return {getManifest(call), nullptr};
}

RegistryResponse Distribution::getManifest(Call& call) {
    const std::string& reference = call.route.reference;
    Result<std::optional<StoredManifest>> found = std::optional<StoredManifest>();
    if (looksLikeDigest(reference)) {
        auto digest = Digest::parse(reference);
        if (!digest) {
            return errorResponse(400, OciError::DigestInvalid, digest.error().message);
        }
        found = m_storage.manifests().byDigest(call.route.repository, *digest);
    } else if (isValidTag(reference)) {
        found = m_storage.manifests().byTag(call.route.repository, reference);
    }
    if (!found) {
        return serverError(found.error());
    }
    if (!*found) {
        return errorResponse(
            404, OciError::ManifestUnknown,
            fmt::format("manifest {} not found in {}", reference, call.route.repository));
    }
    StoredManifest& manifest = **found;
    if (!call.head) {
        hooks().manifestPulled(call.identity, call.route.repository, manifest.digest,
                               looksLikeDigest(reference) ? std::string_view() : reference);
    }
    RegistryResponse response;
    response.set("Content-Type", manifest.mediaType);
    response.set("Docker-Content-Digest", manifest.digest.str());
    response.set("ETag", "\"" + manifest.digest.str() + "\"");
    if (call.head) {
        response.contentLength = manifest.content.size();
    } else {
        response.body = std::move(manifest.content);
    }
    return response;
}

Dispatch Distribution::putManifest(Call& call) {
    const std::string& reference = call.route.reference;
    if (looksLikeDigest(reference)) {
        if (auto digest = Digest::parse(reference); !digest) {
            return {errorResponse(400, OciError::DigestInvalid, digest.error().message), nullptr};
        }
    } else if (!isValidTag(reference)) {
        return {
            errorResponse(400, OciError::TagInvalid, fmt::format("invalid tag \"{}\"", reference)),
            nullptr};
    }
    if (call.request.contentLength && *call.request.contentLength > m_options.maxManifestBytes) {
        return {
            errorResponse(413, OciError::SizeInvalid,
                          fmt::format("manifest larger than {} bytes", m_options.maxManifestBytes)),
            nullptr};
    }
    // The sink outlives this call: copy what storing needs.
    auto request = std::make_shared<RegistryRequest>(call.request);
    auto stored = std::make_shared<Call>(Call{*request, call.route, call.identity, false});
    return {RegistryResponse{},
            std::make_unique<BufferSink>(m_options.maxManifestBytes,
                                         [this, request, stored](std::string bytes) {
                                             return storeManifest(*stored, std::move(bytes));
                                         })};
}

RegistryResponse Distribution::storeManifest(const Call& call, std::string bytes) {
    const std::string& repository = call.route.repository;
    const std::string& reference = call.route.reference;
    std::optional<Digest> named;
    std::vector<std::string> tags;
    if (looksLikeDigest(reference)) {
        named = *Digest::parse(reference);
        for (std::string& tag : call.route.params("tag")) {
            if (!isValidTag(tag)) {
                return errorResponse(400, OciError::TagInvalid,
                                     fmt::format("invalid tag \"{}\"", tag));
            }
            tags.push_back(std::move(tag));
        }
    } else {
        tags.push_back(reference);
    }
    Digest digest = Digest::of(named ? named->algorithm() : DigestAlgorithm::Sha256, bytes);
    if (named && !(*named == digest)) {
        return errorResponse(
            400, OciError::DigestInvalid,
            fmt::format("manifest digest is {}, not {}", digest.str(), named->str()),
            fmt::format(R"({{"digest":"{}"}})", digest.str()));
    }
    const std::string* contentType = call.request.header("Content-Type");
    auto document = parseManifest(bytes, contentType ? bareMediaType(*contentType) : "");
    if (!document) {
        return errorResponse(400, OciError::ManifestInvalid, document.error().message);
    }
    if (auto refused =
            hooks().admitManifest(call.identity, repository, digest, *document, bytes.size())) {
        return errorResponse(refused->status, refused->code, refused->message);
    }
    std::optional<std::string_view> firstTag;
    if (!tags.empty()) {
        firstTag = tags.front();
    }
    auto put = m_storage.manifests().put(repository, bytes, digest, *document, firstTag);
    for (size_t i = 1; put && i < tags.size(); ++i) {
        put = m_storage.manifests().put(repository, bytes, digest, *document, tags[i]);
    }
    if (!put) {
        if (put.error().code == ErrorCode::NotFound) {
            return errorResponse(400, OciError::ManifestBlobUnknown, put.error().message);
        }
        return serverError(put.error());
    }
    hooks().manifestPushed(call.identity, repository, digest, tags);
    log::info("registry", "{} pushed {}{} ({})",
              call.identity.anonymous() ? "anonymous" : call.identity.name, repository,
              tags.empty() ? "@" + digest.str() : ":" + tags.front(), digest.str());
    RegistryResponse response = empty(201);
    response.set("Location", fmt::format("/v2/{}/manifests/{}", repository, digest.str()));
    response.set("Docker-Content-Digest", digest.str());
    if (document->subject) {
        response.set("OCI-Subject", document->subject->str());
    }
    return response;
}

RegistryResponse Distribution::deleteManifest(Call& call) {
    const std::string& reference = call.route.reference;
    Result<bool> deleted = false;
    std::optional<Digest> digest;
    if (looksLikeDigest(reference)) {
        auto parsed = Digest::parse(reference);
        if (!parsed) {
            return errorResponse(400, OciError::DigestInvalid, parsed.error().message);
        }
        digest = *parsed;
        deleted = m_storage.manifests().remove(call.route.repository, *digest);
    } else if (isValidTag(reference)) {
        deleted = m_storage.manifests().untag(call.route.repository, reference);
    }
    if (!deleted) {
        return serverError(deleted.error());
    }
    if (!*deleted) {
        return errorResponse(
            404, OciError::ManifestUnknown,
            fmt::format("manifest {} not found in {}", reference, call.route.repository));
    }
    if (digest) {
        hooks().manifestDeleted(call.identity, call.route.repository, *digest);
    } else {
        hooks().tagDeleted(call.identity, call.route.repository, reference);
    }
    return empty(202);
}

} // namespace pilot::registry
