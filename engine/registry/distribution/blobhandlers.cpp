// Blobs: GET/HEAD with Range (end-2) and DELETE (end-10).
#include "engine/registry/distribution/distribution.h"
#include "engine/registry/distribution/handlerutil.h"

#include <fmt/format.h>

namespace pilot::registry {

using namespace handlers;

RegistryResponse Distribution::blob(Call& call) {
    const std::string& repository = call.route.repository;
    auto digest = Digest::parse(call.route.reference);
    if (!digest) {
        return errorResponse(400, OciError::DigestInvalid, digest.error().message);
    }
    auto unknown = [&] {
        return errorResponse(404, OciError::BlobUnknown,
                             fmt::format("blob {} not found in {}", digest->str(), repository),
                             fmt::format(R"({{"digest":"{}"}})", digest->str()));
    };
    if (call.request.method == "DELETE") {
        auto removed = m_storage.blobs().remove(repository, *digest);
        if (!removed) {
            return serverError(removed.error());
        }
        return *removed ? empty(202) : unknown();
    }
    auto open = m_storage.blobs().open(repository, *digest);
    if (!open) {
        return open.error().code == ErrorCode::NotFound ? unknown() : serverError(open.error());
    }
    RegistryResponse response;
    response.set("Content-Type", "application/octet-stream");
    response.set("Docker-Content-Digest", digest->str());
    response.set("ETag", "\"" + digest->str() + "\"");
    response.set("Accept-Ranges", "bytes");
    response.set("Cache-Control", "max-age=31536000");
    uint64_t size = open->size;
    if (call.head) {
        response.contentLength = size;
        return response;
    }
    ByteRange range;
    const std::string* rangeHeader = call.request.header("Range");
    RangeOutcome outcome =
        rangeHeader ? parseByteRange(*rangeHeader, size, range) : RangeOutcome::Whole;
    if (outcome == RangeOutcome::Unsatisfiable) {
        RegistryResponse refused =
            errorResponse(416, OciError::BlobUnknown,
                          fmt::format("range {} outside the blob's {} bytes", *rangeHeader, size));
        refused.set("Content-Range", fmt::format("bytes */{}", size));
        return refused;
    }
    if (outcome == RangeOutcome::Whole) {
        range = ByteRange{0, size};
    } else {
        response.status = 206;
        response.set("Content-Range", fmt::format("bytes {}-{}/{}", range.first,
                                                  range.first + range.length - 1, size));
    }
    response.file = FileBody{std::move(open->fd), range.first, range.length};
    return response;
}

} // namespace pilot::registry
