#include "engine/registry/harbor/harborapi.h"

#include "core/log.h"
#include "core/random.h"
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/tokenservice.h"
#include "engine/registry/harbor/builtinroutes.h"

#include <boost/json.hpp>

#include <fmt/format.h>

namespace pilot::registry::harbor {

namespace json = boost::json;

namespace {

constexpr std::string_view ApiPrefix = "/api/v2.0";
constexpr std::string_view TokenPath = "/service/token";
constexpr size_t BodyLimit = 1024 * 1024;

std::vector<std::pair<std::string, std::string>> parseQueryString(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!text.empty()) {
        size_t amp = text.find('&');
        std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        size_t eq = pair.find('=');
        std::string key(pair.substr(0, eq));
        std::string value(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        for (char& c : key) {
            c = c == '+' ? ' ' : c;
        }
        for (char& c : value) {
            c = c == '+' ? ' ' : c;
        }
        out.emplace_back(percentDecode(key), percentDecode(value));
    }
    return out;
}

/// Collects a JSON body, then hands it to `done`; a larger body gets 413.
class JsonBodySink final : public BodySink {
public:
    explicit JsonBodySink(std::function<RegistryResponse(std::string)> done)
        : m_done(std::move(done)) {}

    bool write(std::string_view piece) override {
        if (m_body.size() + piece.size() > BodyLimit) {
            m_tooLarge = true;
            return false;
        }
        m_body.append(piece);
        return true;
    }
    RegistryResponse finish() override {
        if (m_tooLarge) {
            return apiError(413, "BAD_REQUEST", "the request body is larger than 1 MiB");
        }
        return m_done(std::move(m_body));
    }

private:
    std::function<RegistryResponse(std::string)> m_done;
    std::string m_body;
    bool m_tooLarge = false;
};

} // namespace

HarborApi::HarborApi(RegistryStorage& storage, HarborAccess& access, HarborApiOptions options)
    : m_storage(storage), m_access(access), m_options(std::move(options)) {
    registerSystemRoutes(m_router, m_options);
    registerProjectRoutes(m_router);
    registerRobotRoutes(m_router);
    registerArtifactRoutes(m_router);
}

bool HarborApi::handles(std::string_view target) {
    auto under = [&](std::string_view prefix) {
        return target.starts_with(prefix) &&
               (target.size() == prefix.size() || target[prefix.size()] == '/' ||
                target[prefix.size()] == '?');
    };
    return under(ApiPrefix) || under(TokenPath);
}

Dispatch HarborApi::begin(const RegistryRequest& request) {
    if (request.hasBody() && request.method != "GET" && request.method != "HEAD") {
        return {RegistryResponse{},
                std::make_unique<JsonBodySink>([this, &request](std::string body) {
                    return handle(request, std::move(body));
                })};
    }
    return {handle(request, {}), nullptr};
}

RegistryResponse HarborApi::handle(const RegistryRequest& request, std::string body) {
    std::string_view target = request.target;
    size_t question = target.find('?');
    std::string_view path = target.substr(0, question);
    auto query = parseQueryString(question == std::string_view::npos ? std::string_view()
                                                                     : target.substr(question + 1));
    const std::string* givenId = request.header("X-Request-Id");
    std::string requestId = givenId && !givenId->empty() ? *givenId : newUuid();
    RegistryResponse response;
    if (path == TokenPath) {
        response = token(request, query);
    } else {
        std::vector<std::string> segments;
        std::string_view rest = path.substr(ApiPrefix.size());
        while (!rest.empty()) {
            if (rest.front() == '/') {
                rest.remove_prefix(1);
                continue;
            }
            size_t slash = rest.find('/');
            segments.emplace_back(rest.substr(0, slash));
            rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        }
        const std::string* authorization = request.header("Authorization");
        auto identity = m_access.authenticateBasic(authorization ? *authorization : std::string());
        if (!identity) {
            response = apiError(401, "UNAUTHORIZED", identity.error().message);
        } else {
            bool head = request.method == "HEAD";
            ApiRouter::Match match = m_router.match(request.method, segments);
            if (match.handler == nullptr && head) {
                match = m_router.match("GET", segments);
            }
            if (match.handler == nullptr) {
                response = match.pathKnown
                               ? apiError(405, "METHOD_NOT_ALLOWED",
                                          fmt::format("{} is not allowed here", request.method))
                               : apiError(404, "NOT_FOUND", fmt::format("no such API: {}", path));
            } else {
                ApiCall call(request, requestId, std::move(*identity), m_access, m_storage);
                call.setParams(std::move(match.params));
                call.setQuery(std::move(query));
                call.setBody(std::move(body));
                call.setPath(std::string(path.substr(ApiPrefix.size())));
                response = (*match.handler)(call);
            }
            if (head) {
                response.contentLength = response.body.size();
                response.body.clear();
            }
        }
    }
    response.set("X-Request-Id", requestId);
    return response;
}

RegistryResponse HarborApi::token(const RegistryRequest& request,
                                  const std::vector<std::pair<std::string, std::string>>& query) {
    if (request.method != "GET") {
        return apiError(405, "METHOD_NOT_ALLOWED", "the token service answers GET only");
    }
    const std::string* authorization = request.header("Authorization");
    auto identity = m_access.authenticateBasic(authorization ? *authorization : std::string());
    if (!identity) {
        RegistryResponse response = apiError(401, "UNAUTHORIZED", identity.error().message);
        response.set("WWW-Authenticate", "Basic realm=\"harbor\"");
        return response;
    }
    std::vector<TokenGrant> requested;
    for (const auto& [key, value] : query) {
        if (key == "scope") {
            for (TokenGrant& grant : parseScopes(value)) {
                requested.push_back(std::move(grant));
            }
        }
    }
    std::vector<TokenGrant> granted = m_access.grant(*identity, requested);
    HarborAccess::IssuedToken issued = m_access.issueToken(*identity, granted);
    json::object body{{"token", issued.token},
                      {"access_token", issued.token},
                      {"expires_in", issued.expiresIn},
                      {"issued_at", fmt::format("{}", harborTime(issued.issuedAt))}};
    return jsonResponse(body);
}

} // namespace pilot::registry::harbor
