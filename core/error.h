#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace pilot {

/// The closed set of failure kinds shared by every component. The API server maps each to a
/// Kubernetes `Status` reason and HTTP code; clients map them back.
enum class ErrorCode {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Conflict,
    Gone,
    Forbidden,
    Unauthorized,
    Unavailable,
    Timeout,
    Internal,
};

/// An expected failure: a code plus a message that names the object and field concerned
/// (`deployment default/web: spec.template.spec.containers[0].image: required`).
struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

/// Result of an operation that yields nothing but may fail.
using Status = std::expected<void, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

[[nodiscard]] std::string_view errorCodeName(ErrorCode code);

} // namespace pilot
