#include "kube/client/apierror.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

namespace pilot::kube {
namespace json = boost::json;

namespace {

std::string_view reasonForCode(int code) {
    switch (code) {
    case 400:
        return "BadRequest";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "NotFound";
    case 405:
        return "MethodNotAllowed";
    case 409:
        return "Conflict";
    case 410:
        return "Expired";
    case 415:
        return "UnsupportedMediaType";
    case 422:
        return "Invalid";
    case 429:
        return "TooManyRequests";
    case 503:
        return "ServiceUnavailable";
    case 504:
        return "Timeout";
    default:
        return code >= 500 ? "InternalError" : "Unknown";
    }
}

} // namespace

ErrorCode errorCodeForStatus(std::string_view reason, int httpCode) {
    if (reason == "NotFound") {
        return ErrorCode::NotFound;
    }
    if (reason == "AlreadyExists") {
        return ErrorCode::AlreadyExists;
    }
    if (reason == "Conflict") {
        return ErrorCode::Conflict;
    }
    if (reason == "Expired" || reason == "Gone") {
        return ErrorCode::Gone;
    }
    if (reason == "BadRequest" || reason == "Invalid" || reason == "MethodNotAllowed" ||
        reason == "UnsupportedMediaType" || reason == "NotAcceptable" ||
        reason == "RequestEntityTooLarge") {
        return ErrorCode::InvalidArgument;
    }
    if (reason == "Forbidden") {
        return ErrorCode::Forbidden;
    }
    if (reason == "Unauthorized") {
        return ErrorCode::Unauthorized;
    }
    if (reason == "ServiceUnavailable" || reason == "TooManyRequests") {
        return ErrorCode::Unavailable;
    }
    if (reason == "Timeout" || reason == "ServerTimeout") {
        return ErrorCode::Timeout;
    }
    if (reason == "InternalError") {
        return ErrorCode::Internal;
    }
    std::string_view byCode = reasonForCode(httpCode);
    return byCode == "Unknown" || byCode == reason ? ErrorCode::Internal
                                                   : errorCodeForStatus(byCode, 0);
}

ApiError ApiError::fromStatus(json::object status, int httpCode) {
    ApiError error;
    error.code = static_cast<int>(integerAt(status, "code").value_or(httpCode));
    error.reason = stringAt(status, "reason");
    error.message = stringAt(status, "message");
    if (error.reason.empty()) {
        error.reason = reasonForCode(error.code);
    }
    if (error.message.empty()) {
        error.message = "the server reported " + error.reason;
    }
    error.kind = errorCodeForStatus(error.reason, error.code);
    error.status = std::move(status);
    return error;
}

ApiError ApiError::fromResponse(int httpCode, std::string_view body) {
    boost::system::error_code ec;
    json::value parsed = parseJsonText(body, ec);
    if (!ec && parsed.is_object() && stringAt(parsed.get_object(), "kind") == "Status") {
        return fromStatus(std::move(parsed.get_object()), httpCode);
    }
    ApiError error;
    error.code = httpCode;
    error.reason = reasonForCode(httpCode);
    error.message = body.empty() ? "the server reported " + error.reason : std::string(body);
    error.kind = errorCodeForStatus(error.reason, httpCode);
    return error;
}

ApiError ApiError::fromTransport(const Error& failure) {
    ApiError error;
    error.message = failure.message;
    error.kind = failure.code;
    return error;
}

bool isNotFound(const ApiError& error) {
    return error.code == 404 && error.reason == "NotFound";
}

bool isConflict(const ApiError& error) {
    return error.code == 409 && error.reason == "Conflict";
}

bool isAlreadyExists(const ApiError& error) {
    return error.code == 409 && error.reason == "AlreadyExists";
}

bool isGone(const ApiError& error) {
    return error.code == 410;
}

bool isInvalid(const ApiError& error) {
    return error.code == 422 || error.reason == "Invalid";
}

} // namespace pilot::kube
