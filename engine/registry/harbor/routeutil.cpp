#include "engine/registry/harbor/routeutil.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace pilot::registry::harbor {

namespace json = boost::json;

std::optional<int64_t> parseId(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::string stringField(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool strongPassword(std::string_view secret) {
    auto any = [&](auto pred) { return std::any_of(secret.begin(), secret.end(), pred); };
    return secret.size() >= 8 && secret.size() <= 128 &&
           any([](char c) { return c >= 'A' && c <= 'Z'; }) &&
           any([](char c) { return c >= 'a' && c <= 'z'; }) &&
           any([](char c) { return c >= '0' && c <= '9'; });
}

Checked<Project> authorizedProject(ApiCall& call, std::string_view param, std::string_view resource,
                                   std::string_view action) {
    auto project = call.project(call.param(param));
    if (!project) {
        return std::unexpected(apiError(project.error()));
    }
    if (auto denied = call.requireProject(*project, resource, action)) {
        return std::unexpected(std::move(*denied));
    }
    return std::move(*project);
}

Result<ListRequest> listRequest(const ApiCall& call) {
    auto paging = call.paging();
    if (!paging) {
        return std::unexpected(paging.error());
    }
    ListRequest out{*paging, {}};
    if (const std::string* text = call.query("q")) {
        auto parsed = parseQuery(*text);
        if (!parsed) {
            return std::unexpected(parsed.error());
        }
        out.q = std::move(*parsed);
    }
    return out;
}

} // namespace pilot::registry::harbor
