// Blob uploads: POST to start (end-4a), single-request POST ?digest= (end-4b), cross-repository
// mount (end-11), PATCH chunks (end-5), PUT to close (end-6), GET status (end-13) and DELETE to
// cancel (end-14 on the spec's main branch).
#include "engine/registry/distribution/distribution.h"
#include "engine/registry/distribution/handlerutil.h"

#include <fmt/format.h>

namespace pilot::registry {

using namespace handlers;

namespace {

RegistryResponse uploadUnknown(std::string_view id) {
    return errorResponse(404, OciError::BlobUploadUnknown, fmt::format("upload {} not found", id));
}

RegistryResponse created(std::string_view repository, const Digest& digest) {
    RegistryResponse response = empty(201);
    response.set("Location", blobLocation(repository, digest));
    response.set("Docker-Content-Digest", digest.str());
    return response;
}

} // namespace

std::optional<RegistryResponse> Distribution::admitMount(const Call& call, std::string_view from,
                                                         const Digest& digest) {
    if (m_options.hooks == nullptr) {
        return std::nullopt;
    }
    auto source = m_storage.blobs().stat(from, digest);
    if (!source || !*source) {
        return std::nullopt; // the mount itself finds out, and falls back to an upload
    }
    auto refused = hooks().admitBlob(call.identity, call.route.repository, digest, (*source)->size);
    if (!refused) {
        return std::nullopt;
    }
    return errorResponse(refused->status, refused->code, refused->message);
}

std::optional<RegistryResponse> Distribution::admitUpload(const Identity& identity,
                                                          std::string_view repository,
                                                          std::string_view id,
                                                          const Digest& digest) {
    if (m_options.hooks == nullptr) {
        return std::nullopt;
    }
    auto status = m_storage.uploads().status(repository, id);
    if (!status) {
        return std::nullopt; // completing reports the unknown session
    }
    auto refused = hooks().admitBlob(identity, repository, digest, status->size);
    if (!refused) {
        return std::nullopt;
    }
    return errorResponse(refused->status, refused->code, refused->message);
}

Dispatch Distribution::startUpload(Call& call) {
    const std::string& repository = call.route.repository;
    if (const std::string* mount = call.route.param("mount")) {
        auto digest = Digest::parse(*mount);
        const std::string* from = call.route.param("from");
        // Without `from` (or without the right to pull from it) there is nothing to mount
        // from: the client gets a fresh session, as the spec allows (no automatic mount).
        if (digest && from && isValidRepositoryName(*from) &&
            m_access.authorize(call.identity, *from, Action::Pull) == Decision::Allow) {
            if (auto refused = admitMount(call, *from, *digest)) {
                return {std::move(*refused), nullptr};
            }
            auto mounted = m_storage.blobs().mount(repository, *from, *digest);
            if (!mounted) {
                return {serverError(mounted.error()), nullptr};
            }
            if (*mounted) {
                return {created(repository, *digest), nullptr};
            }
        }
    }
    std::optional<Digest> monolithic;
    if (const std::string* digestText = call.route.param("digest")) {
        auto digest = Digest::parse(*digestText);
        if (!digest) {
            return {errorResponse(400, OciError::DigestInvalid, digest.error().message), nullptr};
        }
        monolithic = *digest;
    }
    auto session = m_storage.uploads().start(repository);
    if (!session) {
        return {serverError(session.error()), nullptr};
    }
    std::string id = session->id;
    if (!monolithic && !call.request.hasBody()) {
        return {uploadStatus(202, repository, id, 0), nullptr};
    }
    auto appender = m_storage.uploads().append(repository, id, 0);
    if (!appender) {
        return {serverError(appender.error()), nullptr};
    }
    std::function<RegistryResponse(uint64_t)> done;
    if (monolithic) {
        done = [this, repository, id, digest = *monolithic,
                identity = call.identity](uint64_t size) {
            if (auto refused = hooks().admitBlob(identity, repository, digest, size)) {
                return errorResponse(refused->status, refused->code, refused->message);
            }
            auto blob = m_storage.uploads().complete(repository, id, digest);
            if (!blob) {
                return blob.error().code == ErrorCode::InvalidArgument
                           ? errorResponse(400, OciError::DigestInvalid, blob.error().message)
                           : serverError(blob.error());
            }
            return created(repository, digest);
        };
    } else {
        done = [repository, id](uint64_t size) { return uploadStatus(202, repository, id, size); };
    }
    return {RegistryResponse{}, std::make_unique<UploadSink>(std::move(*appender), std::nullopt,
                                                             repository, id, std::move(done))};
}

Dispatch Distribution::upload(Call& call) {
    const std::string& repository = call.route.repository;
    const std::string& id = call.route.reference;
    const std::string& method = call.request.method;
    auto conflict = [&](const Error& error) {
        auto status = m_storage.uploads().status(repository, id);
        RegistryResponse response = errorResponse(416, OciError::BlobUploadInvalid, error.message);
        response.set("Location", uploadLocation(repository, id));
        response.set("Range", uploadRange(status ? status->size : 0));
        return response;
    };
    if (method == "GET") {
        auto status = m_storage.uploads().status(repository, id);
        if (!status) {
            return {status.error().code == ErrorCode::NotFound ? uploadUnknown(id)
                                                               : serverError(status.error()),
                    nullptr};
        }
        return {uploadStatus(204, repository, id, status->size), nullptr};
    }
    if (method == "DELETE") {
        auto cancelled = m_storage.uploads().cancel(repository, id);
        if (!cancelled) {
            return {cancelled.error().code == ErrorCode::Conflict ? conflict(cancelled.error())
                                                                  : serverError(cancelled.error()),
                    nullptr};
        }
        return {*cancelled ? empty(204) : uploadUnknown(id), nullptr};
    }

    // PATCH (a chunk) or PUT (an optional last chunk, then close).
    std::optional<Digest> digest;
    if (method == "PUT") {
        const std::string* digestText = call.route.param("digest");
        if (digestText == nullptr) {
            return {errorResponse(400, OciError::DigestInvalid, "digest parameter required"),
                    nullptr};
        }
        auto parsed = Digest::parse(*digestText);
        if (!parsed) {
            return {errorResponse(400, OciError::DigestInvalid, parsed.error().message), nullptr};
        }
        digest = *parsed;
    }
    std::optional<uint64_t> start;
    std::optional<uint64_t> length;
    if (const std::string* contentRange = call.request.header("Content-Range")) {
        auto range = parseChunkRange(*contentRange);
        if (!range) {
            return {conflict(Error{ErrorCode::InvalidArgument,
                                   fmt::format("invalid Content-Range \"{}\"", *contentRange)}),
                    nullptr};
        }
        start = range->start;
        length = range->end - range->start + 1;
        if (call.request.contentLength && *call.request.contentLength != *length) {
            return {conflict(Error{ErrorCode::InvalidArgument,
                                   fmt::format("Content-Range covers {} bytes, Content-Length "
                                               "says {}",
                                               *length, *call.request.contentLength)}),
                    nullptr};
        }
    }
    auto complete = [this, repository, id, identity = call.identity](const Digest& expected) {
        if (auto refused = admitUpload(identity, repository, id, expected)) {
            return std::move(*refused);
        }
        auto blob = m_storage.uploads().complete(repository, id, expected);
        if (!blob) {
            switch (blob.error().code) {
            case ErrorCode::InvalidArgument:
                return errorResponse(400, OciError::DigestInvalid, blob.error().message);
            case ErrorCode::NotFound:
                return uploadUnknown(id);
            case ErrorCode::Conflict:
                return errorResponse(416, OciError::BlobUploadInvalid, blob.error().message);
            default:
                return serverError(blob.error());
            }
        }
        return created(repository, expected);
    };
    if (digest && !call.request.hasBody() && !start) {
        return {complete(*digest), nullptr};
    }
    auto appender = m_storage.uploads().append(repository, id, start);
    if (!appender) {
        switch (appender.error().code) {
        case ErrorCode::NotFound:
            return {uploadUnknown(id), nullptr};
        case ErrorCode::Conflict:
            return {conflict(appender.error()), nullptr};
        default:
            return {serverError(appender.error()), nullptr};
        }
    }
    std::function<RegistryResponse(uint64_t)> done;
    if (digest) {
        done = [complete, expected = *digest](uint64_t) { return complete(expected); };
    } else {
        done = [repository, id](uint64_t size) { return uploadStatus(202, repository, id, size); };
    }
    return {RegistryResponse{}, std::make_unique<UploadSink>(std::move(*appender), length,
                                                             repository, id, std::move(done))};
}

} // namespace pilot::registry
