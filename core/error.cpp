#include "core/error.h"

namespace pilot {

std::string_view errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "InvalidArgument";
    case ErrorCode::NotFound:
        return "NotFound";
    case ErrorCode::AlreadyExists:
        return "AlreadyExists";
    case ErrorCode::Conflict:
        return "Conflict";
    case ErrorCode::Gone:
        return "Gone";
    case ErrorCode::Forbidden:
        return "Forbidden";
    case ErrorCode::Unauthorized:
        return "Unauthorized";
    case ErrorCode::Unavailable:
        return "Unavailable";
    case ErrorCode::Timeout:
        return "Timeout";
    case ErrorCode::Internal:
        return "Internal";
    }
    return "Internal";
}

} // namespace pilot
