#pragma once

#include "core/error.h"

#include <boost/json/object.hpp>

#include <expected>
#include <string>
#include <string_view>

namespace pilot::kube {

/// A failed API call as the client sees it: the HTTP status and the Kubernetes `Status` body
/// (`reason`, `message`, `details`), or a transport failure (no response; `code` 0). `kind` is
/// the component error code the server mapped to this Status, recovered from `reason` and
/// `code`, so callers can branch without knowing HTTP.
struct ApiError {
    int code = 0;        ///< HTTP status; 0 when no response arrived.
    std::string reason;  ///< `NotFound`, `Conflict`, `Expired`, ...; empty for transport errors.
    std::string message; ///< The Status message (or the transport error).
    boost::json::object status; ///< The Status document as received; empty if there was none.
    ErrorCode kind = ErrorCode::Internal;

    /// From a `Status` object (a response body or a watch ERROR event). `httpCode` is used when
    /// the Status has no `code`.
    [[nodiscard]] static ApiError fromStatus(boost::json::object status, int httpCode = 0);
    /// From an error response: a Status body when there is one, else the code and raw text.
    [[nodiscard]] static ApiError fromResponse(int httpCode, std::string_view body);
    /// From a failure before any response (connection refused, TLS, timeout).
    [[nodiscard]] static ApiError fromTransport(const Error& error);

    /// `pilot::Error` with the same kind and message.
    [[nodiscard]] Error toError() const { return Error{kind, message}; }
};

template <typename T>
using ApiResult = std::expected<T, ApiError>;

/// The component error code for a Status reason (with the HTTP code as a fallback), the inverse
/// of the API server's mapping.
[[nodiscard]] ErrorCode errorCodeForStatus(std::string_view reason, int httpCode);

[[nodiscard]] bool isNotFound(const ApiError& error);
[[nodiscard]] bool isConflict(const ApiError& error);
[[nodiscard]] bool isAlreadyExists(const ApiError& error);
/// 410: `Expired` or `Gone`; the caller must re-list.
[[nodiscard]] bool isGone(const ApiError& error);
/// 422 `Invalid`: the object failed validation.
[[nodiscard]] bool isInvalid(const ApiError& error);

} // namespace pilot::kube
