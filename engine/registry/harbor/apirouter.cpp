#include "engine/registry/harbor/apirouter.h"

#include "engine/registry/access/harboraccess.h"
#include "engine/registry/distribution/route.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

std::optional<int64_t> parseInteger(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

const std::string EmptyString;

} // namespace

std::string percentDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
            hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
            continue;
        }
        out.push_back(text[i]);
    }
    return out;
}

ApiCall::ApiCall(const RegistryRequest& request, std::string requestId, Identity identity,
                 HarborAccess& access, RegistryStorage& storage)
    : m_request(request), m_requestId(std::move(requestId)), m_identity(std::move(identity)),
      m_access(access), m_storage(storage) {}

const std::string& ApiCall::param(std::string_view name) const {
    for (const auto& [key, value] : m_params) {
        if (key == name) {
            return value;
        }
    }
    return EmptyString;
}

std::string ApiCall::repositoryParam(std::string_view name) const {
    return percentDecode(param(name));
}

const std::string* ApiCall::query(std::string_view name) const {
    for (const auto& [key, value] : m_query) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

bool ApiCall::queryFlag(std::string_view name, bool fallback) const {
    const std::string* value = query(name);
    if (value == nullptr) {
        return fallback;
    }
    return *value == "true" || *value == "1";
}

Result<Paging> ApiCall::paging() const {
    Paging paging;
    if (const std::string* page = query("page")) {
        auto value = parseInteger(*page);
        if (!value || *value < 1) {
            return fail(ErrorCode::InvalidArgument, fmt::format("invalid page \"{}\"", *page));
        }
        paging.page = *value;
    }
    if (const std::string* size = query("page_size")) {
        auto value = parseInteger(*size);
        if (!value || *value < 1 || *value > 100) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid page_size \"{}\": 1 to 100", *size));
        }
        paging.pageSize = *value;
    }
    return paging;
}

Result<json::value> ApiCall::json() const {
    boost::system::error_code ec;
    json::value value = json::parse(m_body, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("the request body is not valid JSON: {}", ec.message()));
    }
    return value;
}

std::optional<RegistryResponse> ApiCall::requireAuthenticated() {
    if (m_identity.anonymous()) {
        return apiError(401, "UNAUTHORIZED", "authentication required");
    }
    return std::nullopt;
}

std::optional<RegistryResponse> ApiCall::requireProject(const Project& project,
                                                        std::string_view resource,
                                                        std::string_view action) {
    if (m_access.can(m_identity, project, resource, action)) {
        return std::nullopt;
    }
    if (m_identity.anonymous()) {
        return apiError(401, "UNAUTHORIZED", "authentication required");
    }
    return apiError(403, "FORBIDDEN",
                    fmt::format("{} may not {} {} of project {}", m_identity.name, action,
                                resource.empty() ? "the project" : resource, project.name));
}

std::optional<RegistryResponse> ApiCall::requireSystem(std::string_view resource,
                                                       std::string_view action) {
    if (m_access.canSystem(m_identity, resource, action)) {
        return std::nullopt;
    }
    if (m_identity.anonymous()) {
        return apiError(401, "UNAUTHORIZED", "authentication required");
    }
    return apiError(403, "FORBIDDEN",
                    fmt::format("{} may not {} {}", m_identity.name, action, resource));
}

Result<Project> ApiCall::project(std::string_view nameOrId) {
    const std::string* isName = m_request.header("X-Is-Resource-Name");
    bool byName = isName != nullptr && *isName == "true";
    std::optional<int64_t> id = byName ? std::nullopt : parseInteger(nameOrId);
    auto found = id ? m_access.store().project(*id) : m_access.store().projectByName(nameOrId);
    if (!found) {
        return std::unexpected(found.error());
    }
    if (!*found) {
        return fail(ErrorCode::NotFound, fmt::format("project {} not found", nameOrId));
    }
    return **found;
}

void ApiRouter::add(std::string method, std::string_view pattern, ApiHandler handler) {
    Route route;
    route.method = std::move(method);
    while (!pattern.empty()) {
        if (pattern.front() == '/') {
            pattern.remove_prefix(1);
            continue;
        }
        size_t slash = pattern.find('/');
        route.segments.emplace_back(pattern.substr(0, slash));
        pattern = slash == std::string_view::npos ? std::string_view() : pattern.substr(slash);
    }
    route.handler = std::move(handler);
    m_routes.push_back(std::move(route));
}

void ApiRouter::notify(const ApiCall& call, const ApiEvent& event) const {
    for (const EventHook& hook : m_events) {
        hook(call, event);
    }
}

ApiRouter::Match ApiRouter::match(std::string_view method,
                                  const std::vector<std::string>& segments) const {
    Match best;
    int bestLiterals = -1;
    bool bestMethod = false;
    for (const Route& route : m_routes) {
        if (route.segments.size() != segments.size()) {
            continue;
        }
        int literals = 0;
        bool ok = true;
        std::vector<std::pair<std::string, std::string>> params;
        for (size_t i = 0; i < segments.size() && ok; ++i) {
            const std::string& want = route.segments[i];
            if (want.size() >= 2 && want.front() == '{' && want.back() == '}') {
                params.emplace_back(want.substr(1, want.size() - 2), percentDecode(segments[i]));
            } else if (want == percentDecode(segments[i])) {
                ++literals;
            } else {
                ok = false;
            }
        }
        if (!ok) {
            continue;
        }
        bool methodOk = route.method == method;
        best.pathKnown = true;
        if (!methodOk) {
            continue;
        }
        if (!bestMethod || literals > bestLiterals) {
            best.handler = &route.handler;
            best.params = std::move(params);
            bestLiterals = literals;
            bestMethod = true;
        }
    }
    return best;
}

RegistryResponse jsonResponse(const json::value& value, int status) {
    RegistryResponse response;
    response.status = status;
    response.set("Content-Type", "application/json");
    response.body = json::serialize(value);
    return response;
}

RegistryResponse emptyResponse(int status, std::string location) {
    RegistryResponse response;
    response.status = status;
    if (!location.empty()) {
        response.set("Location", std::move(location));
    }
    return response;
}

RegistryResponse apiError(int status, std::string_view code, std::string_view message) {
    json::object error{{"code", code}, {"message", message}};
    return jsonResponse(json::object{{"errors", json::array{error}}}, status);
}

RegistryResponse apiError(const Error& error) {
    switch (error.code) {
    case ErrorCode::NotFound:
        return apiError(404, "NOT_FOUND", error.message);
    case ErrorCode::AlreadyExists:
    case ErrorCode::Conflict:
        return apiError(409, "CONFLICT", error.message);
    case ErrorCode::InvalidArgument:
        return apiError(400, "BAD_REQUEST", error.message);
    case ErrorCode::Forbidden:
        return apiError(403, "FORBIDDEN", error.message);
    case ErrorCode::Unauthorized:
        return apiError(401, "UNAUTHORIZED", error.message);
    case ErrorCode::Gone:
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
    case ErrorCode::Internal:
        break;
    }
    return apiError(500, "UNKNOWN", error.message);
}

RegistryResponse pageResponse(const ApiCall& call, const Paging& paging, int64_t total,
                              json::array items) {
    RegistryResponse response = jsonResponse(items);
    response.set("X-Total-Count", std::to_string(total));
    auto link = [&](int64_t page) {
        std::string query;
        bool sawPage = false;
        bool sawSize = false;
        for (const auto& [key, value] : call.queryPairs()) {
            std::string v = value;
            if (key == "page") {
                v = std::to_string(page);
                sawPage = true;
            }
            if (key == "page_size") {
                sawSize = true;
            }
            query += fmt::format("{}{}={}", query.empty() ? "" : "&", percentEncode(key),
                                 percentEncode(v));
        }
        if (!sawPage) {
            query += fmt::format("{}page={}", query.empty() ? "" : "&", page);
        }
        if (!sawSize) {
            query += fmt::format("&page_size={}", paging.pageSize);
        }
        return fmt::format("</api/v2.0{}?{}>", call.path(), query);
    };
    std::vector<std::string> links;
    if (paging.page > 1) {
        links.push_back(link(paging.page - 1) + "; rel=\"prev\"");
    }
    if (paging.page * paging.pageSize < total) {
        links.push_back(link(paging.page + 1) + "; rel=\"next\"");
    }
    if (!links.empty()) {
        std::string value;
        for (const std::string& l : links) {
            value += (value.empty() ? "" : " , ") + l;
        }
        response.set("Link", std::move(value));
    }
    return response;
}

std::string harborTime(int64_t unixSeconds) {
    std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return buffer;
}

} // namespace pilot::registry::harbor
