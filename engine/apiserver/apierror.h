#pragma once

#include "core/error.h"
#include "kube/fielderror.h"

#include <expected>
#include <string>

namespace pilot::apiserver {

/// An error as the Kubernetes API reports it: an HTTP code, a `Status.reason`, a message and
/// the `details` block. Every failure leaving the API server is one of these.
struct ApiError {
    int code = 500;
    std::string reason = "InternalError";
    std::string message;
    // details
    std::string name;
    std::string group;
    std::string kind;
    std::string uid;
    kube::FieldErrors causes;
    int retryAfterSeconds = 0;
};

template <typename T>
using ApiResult = std::expected<T, ApiError>;

[[nodiscard]] std::unexpected<ApiError> apiFail(ApiError error);

/// `<resource>[.<group>]` as Kubernetes names a group-resource in messages.
[[nodiscard]] std::string qualifiedResource(const std::string& resource, const std::string& group);

[[nodiscard]] ApiError notFound(const std::string& resource, const std::string& group,
                                const std::string& name);
[[nodiscard]] ApiError alreadyExists(const std::string& resource, const std::string& group,
                                     const std::string& name);
[[nodiscard]] ApiError conflict(const std::string& resource, const std::string& group,
                                const std::string& name, const std::string& why);
/// 422 Invalid: `<Kind>.<group> "<name>" is invalid: <field>: <msg>, ...`.
[[nodiscard]] ApiError invalid(const std::string& kind, const std::string& group,
                               const std::string& name, kube::FieldErrors causes);
[[nodiscard]] ApiError badRequest(std::string message);
[[nodiscard]] ApiError expired(std::string message);
[[nodiscard]] ApiError methodNotSupported(const std::string& resource, const std::string& verb);
[[nodiscard]] ApiError unsupportedMediaType(const std::string& contentType);
[[nodiscard]] ApiError notAcceptable(std::string message);
[[nodiscard]] ApiError tooLarge(size_t limit);
[[nodiscard]] ApiError forbidden(std::string message);
[[nodiscard]] ApiError unauthorized();
[[nodiscard]] ApiError internalError(std::string message);
[[nodiscard]] ApiError serviceUnavailable(std::string message);
[[nodiscard]] ApiError pathNotFound();

/// Maps a component error (store, parsing) to the API error the client should see.
[[nodiscard]] ApiError fromError(const Error& error, const std::string& resource = {},
                                 const std::string& group = {}, const std::string& name = {});

/// The `Status` JSON document for an error.
[[nodiscard]] std::string statusJson(const ApiError& error);
/// A `Status` with status Success and the given details (delete responses).
[[nodiscard]] std::string successStatusJson(const std::string& name, const std::string& group,
                                            const std::string& kind, const std::string& uid);

} // namespace pilot::apiserver
