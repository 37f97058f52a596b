#include "engine/registry/distribution/route.h"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <regex>

namespace pilot::registry {

namespace {

const std::regex& nameGrammar() {
    static const std::regex grammar(
        "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*",
        std::regex::optimize);
    return grammar;
}

const std::regex& tagGrammar() {
    static const std::regex grammar("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}", std::regex::optimize);
    return grammar;
}

std::string join(const std::vector<std::string>& parts, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) {
            out.push_back('/');
        }
        out += parts[i];
    }
    return out;
}

} // namespace

const std::string* Route::param(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

std::vector<std::string> Route::params(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : query) {
        if (key == name) {
            out.push_back(value);
        }
    }
    return out;
}

Result<Route> parseRoute(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url) {
        return fail(ErrorCode::InvalidArgument, "malformed request target");
    }
    Route route;
    for (auto param : url->params()) {
        route.query.emplace_back(std::string(param.key), std::string(param.value));
    }
    std::vector<std::string> segments;
    for (auto segment : url->segments()) {
        segments.emplace_back(segment);
    }
    if (segments.empty() || segments.front() != "v2") {
        return route;
    }
    segments.erase(segments.begin());
    if (!segments.empty() && segments.back().empty()) {
        segments.pop_back(); // trailing slash
    }
    size_t n = segments.size();
    if (n == 0) {
        route.kind = RouteKind::Base;
        return route;
    }
    if (n == 1 && segments[0] == "_catalog") {
        route.kind = RouteKind::Catalog;
        return route;
    }
    if (n < 3) {
        return route;
    }
    auto named = [&](RouteKind kind, size_t nameLength, std::string reference) {
        route.kind = kind;
        route.repository = join(segments, nameLength);
        route.reference = std::move(reference);
        return route;
    };
    if (segments[n - 2] == "tags" && segments[n - 1] == "list") {
        return named(RouteKind::Tags, n - 2, {});
    }
    if (segments[n - 2] == "blobs" && segments[n - 1] == "uploads") {
        return named(RouteKind::UploadStart, n - 2, {});
    }
    if (n >= 4 && segments[n - 3] == "blobs" && segments[n - 2] == "uploads") {
        return named(RouteKind::Upload, n - 3, segments[n - 1]);
    }
    if (segments[n - 2] == "blobs") {
        return named(RouteKind::Blob, n - 2, segments[n - 1]);
    }
    if (segments[n - 2] == "manifests") {
        return named(RouteKind::Manifest, n - 2, segments[n - 1]);
    }
    if (segments[n - 2] == "referrers") {
        return named(RouteKind::Referrers, n - 2, segments[n - 1]);
    }
    return route;
}

bool isValidRepositoryName(std::string_view name) {
    return !name.empty() && name.size() <= 255 &&
           std::regex_match(name.begin(), name.end(), nameGrammar());
}

bool isValidTag(std::string_view tag) {
    return !tag.empty() && tag.size() <= 128 &&
           std::regex_match(tag.begin(), tag.end(), tagGrammar());
}

std::string percentEncode(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

} // namespace pilot::registry
