#include "engine/apiserver/apierror.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;

std::unexpected<ApiError> apiFail(ApiError error) {
    return std::unexpected(std::move(error));
}

std::string qualifiedResource(const std::string& resource, const std::string& group) {
    return group.empty() ? resource : resource + "." + group;
}

ApiError notFound(const std::string& resource, const std::string& group, const std::string& name) {
    ApiError e;
    e.code = 404;
    e.reason = "NotFound";
    e.message = fmt::format("{} \"{}\" not found", qualifiedResource(resource, group), name);
    e.name = name;
    e.group = group;
    e.kind = resource;
    return e;
}

ApiError alreadyExists(const std::string& resource, const std::string& group,
                       const std::string& name) {
    ApiError e;
    e.code = 409;
    e.reason = "AlreadyExists";
    e.message = fmt::format("{} \"{}\" already exists", qualifiedResource(resource, group), name);
    e.name = name;
    e.group = group;
    e.kind = resource;
    return e;
}

ApiError conflict(const std::string& resource, const std::string& group, const std::string& name,
                  const std::string& why) {
    ApiError e;
    e.code = 409;
    e.reason = "Conflict";
    e.message = fmt::format("Operation cannot be fulfilled on {} \"{}\": {}",
                            qualifiedResource(resource, group), name, why);
    e.name = name;
    e.group = group;
    e.kind = resource;
    return e;
}

ApiError invalid(const std::string& kind, const std::string& group, const std::string& name,
                 kube::FieldErrors causes) {
    ApiError e;
    e.code = 422;
    e.reason = "Invalid";
    std::string list;
    for (const kube::FieldError& cause : causes) {
        if (!list.empty()) {
            list += ", ";
        }
        list += cause.field.empty() ? cause.message : cause.field + ": " + cause.message;
    }
    std::string qualified = group.empty() ? kind : kind + "." + group;
    e.message = causes.size() > 1 ? fmt::format("{} \"{}\" is invalid: [{}]", qualified, name, list)
                                  : fmt::format("{} \"{}\" is invalid: {}", qualified, name, list);
    e.name = name;
    e.group = group;
    e.kind = kind;
    e.causes = std::move(causes);
    return e;
}

ApiError badRequest(std::string message) {
    ApiError e;
    e.code = 400;
    e.reason = "BadRequest";
    e.message = std::move(message);
    return e;
}

ApiError expired(std::string message) {
    ApiError e;
    e.code = 410;
    e.reason = "Expired";
    e.message = std::move(message);
    return e;
}

ApiError methodNotSupported(const std::string& resource, const std::string& verb) {
    ApiError e;
    e.code = 405;
    e.reason = "MethodNotAllowed";
    e.message = fmt::format("{} is not supported on resources of kind \"{}\"", verb, resource);
    e.kind = resource;
    return e;
}

ApiError unsupportedMediaType(const std::string& contentType) {
    ApiError e;
    e.code = 415;
    e.reason = "UnsupportedMediaType";
    e.message = fmt::format("the body of the request was in an unknown format - accepted media "
                            "types include: application/json, application/yaml, "
                            "application/vnd.kubernetes.protobuf (got \"{}\")",
                            contentType);
    return e;
}

ApiError notAcceptable(std::string message) {
    ApiError e;
    e.code = 406;
    e.reason = "NotAcceptable";
    e.message = std::move(message);
    return e;
}

ApiError tooLarge(size_t limit) {
    ApiError e;
    e.code = 413;
    e.reason = "RequestEntityTooLarge";
    e.message = fmt::format("Request entity too large: limit is {}", limit);
    return e;
}

ApiError forbidden(std::string message) {
    ApiError e;
    e.code = 403;
    e.reason = "Forbidden";
    e.message = std::move(message);
    return e;
}

ApiError unauthorized() {
    ApiError e;
    e.code = 401;
    e.reason = "Unauthorized";
    e.message = "Unauthorized";
    return e;
}

ApiError internalError(std::string message) {
    ApiError e;
    e.code = 500;
    e.reason = "InternalError";
    e.message = fmt::format("Internal error occurred: {}", message);
    return e;
}

ApiError serviceUnavailable(std::string message) {
    ApiError e;
    e.code = 503;
    e.reason = "ServiceUnavailable";
    e.message = std::move(message);
    return e;
}

ApiError pathNotFound() {
    ApiError e;
    e.code = 404;
    e.reason = "NotFound";
    e.message = "the server could not find the requested resource";
    return e;
}

ApiError fromError(const Error& error, const std::string& resource, const std::string& group,
                   const std::string& name) {
    switch (error.code) {
    case ErrorCode::NotFound:
        return resource.empty() ? pathNotFound() : notFound(resource, group, name);
    case ErrorCode::AlreadyExists:
        return alreadyExists(resource, group, name);
    case ErrorCode::Conflict:
        return conflict(resource, group, name,
                        "the object has been modified; please apply your changes to the latest "
                        "version and try again");
    case ErrorCode::Gone:
        return expired(error.message);
    case ErrorCode::InvalidArgument:
        return badRequest(error.message);
    case ErrorCode::Forbidden:
        return forbidden(error.message);
    case ErrorCode::Unauthorized:
        return unauthorized();
    case ErrorCode::Unavailable:
        return serviceUnavailable(error.message);
    case ErrorCode::Timeout: {
        ApiError e;
        e.code = 504;
        e.reason = "Timeout";
        e.message = error.message;
        return e;
    }
    case ErrorCode::Internal:
        break;
    }
    return internalError(error.message);
}

std::string statusJson(const ApiError& error) {
    json::object status;
    status["kind"] = "Status";
    status["apiVersion"] = "v1";
    status["metadata"] = json::object();
    status["status"] = "Failure";
    status["message"] = error.message;
    status["reason"] = error.reason;
    json::object details;
    if (!error.name.empty()) {
        details["name"] = error.name;
    }
    if (!error.group.empty()) {
        details["group"] = error.group;
    }
    if (!error.kind.empty()) {
        details["kind"] = error.kind;
    }
    if (!error.uid.empty()) {
        details["uid"] = error.uid;
    }
    if (!error.causes.empty()) {
        json::array causes;
        for (const kube::FieldError& cause : error.causes) {
            json::object c;
            c["reason"] = cause.reason;
            c["message"] = cause.message;
            c["field"] = cause.field;
            causes.push_back(std::move(c));
        }
        details["causes"] = std::move(causes);
    }
    if (error.retryAfterSeconds > 0) {
        details["retryAfterSeconds"] = error.retryAfterSeconds;
    }
    if (!details.empty()) {
        status["details"] = std::move(details);
    }
    status["code"] = error.code;
    return json::serialize(status);
}

std::string successStatusJson(const std::string& name, const std::string& group,
                              const std::string& kind, const std::string& uid) {
    json::object details{{"name", name}, {"group", group}, {"kind", kind}, {"uid", uid}};
    json::object status{{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"metadata", json::object()},
                        {"status", "Success"},
                        {"details", std::move(details)}};
    return json::serialize(status);
}

} // namespace pilot::apiserver
