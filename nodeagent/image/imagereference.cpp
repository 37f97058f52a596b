#include "nodeagent/image/imagereference.h"

#include "nodeagent/image/digest.h"

#include <fmt/format.h>

#include <cctype>

namespace pilot::agent::image {

namespace {

constexpr size_t MaxNameLength = 255;

bool isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// One path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
bool validPathComponent(std::string_view component) {
    if (component.empty() || !isLowerAlnum(component.front()) || !isLowerAlnum(component.back())) {
        return false;
    }
    for (size_t i = 0; i < component.size();) {
        if (isLowerAlnum(component[i])) {
            ++i;
            continue;
        }
        // A separator run: `.`, `_`, `__` or one or more `-`.
        size_t start = i;
        char c = component[i];
        if (c == '-') {
            while (i < component.size() && component[i] == '-') {
                ++i;
            }
        } else if (c == '.') {
            ++i;
        } else if (c == '_') {
            ++i;
            if (i < component.size() && component[i] == '_') {
                ++i;
            }
        } else {
            return false;
        }
        if (i >= component.size() || !isLowerAlnum(component[i]) || i == start) {
            return false;
        }
    }
    return true;
}

bool validPath(std::string_view path) {
    size_t start = 0;
    while (true) {
        size_t slash = path.find('/', start);
        std::string_view component = path.substr(start, slash - start);
        if (!validPathComponent(component)) {
            return false;
        }
        if (slash == std::string_view::npos) {
            return true;
        }
        start = slash + 1;
    }
}

/// `[\w][\w.-]{0,127}`.
bool validTag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128) {
        return false;
    }
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (!word(tag.front())) {
        return false;
    }
    for (char c : tag) {
        if (!word(c) && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

/// A host name (labels of alphanumerics and inner hyphens), an IPv4 address, or a bracketed
/// IPv6 address, with an optional numeric port.
bool validDomain(std::string_view domain) {
    std::string_view host = domain;
    std::string_view port;
    if (domain.starts_with('[')) {
        size_t close = domain.find(']');
        if (close == std::string_view::npos || close == 1) {
            return false;
        }
        for (char c : domain.substr(1, close - 1)) {
            if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
                return false;
            }
        }
        std::string_view rest = domain.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return false;
            }
            port = rest.substr(1);
            if (port.empty()) {
                return false;
            }
        }
        host = {};
    } else if (size_t colon = domain.find(':'); colon != std::string_view::npos) {
        host = domain.substr(0, colon);
        port = domain.substr(colon + 1);
        if (port.empty()) {
            return false;
        }
    }
    for (char c : port) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    if (domain.starts_with('[')) {
        return true;
    }
    if (host.empty()) {
        return false;
    }
    size_t start = 0;
    while (true) {
        size_t dot = host.find('.', start);
        std::string_view label = host.substr(start, dot - start);
        if (label.empty() || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
                return false;
            }
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        start = dot + 1;
    }
}

bool hasUpper(std::string_view text) {
    for (char c : text) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string ImageReference::str() const {
    std::string out = repository();
    if (!tag.empty()) {
        out += ":" + tag;
    }
    if (!digest.empty()) {
        out += "@" + digest;
    }
    return out;
}

std::string ImageReference::tagged() const {
    return tag.empty() ? std::string() : repository() + ":" + tag;
}

std::string ImageReference::withDigest(std::string_view manifestDigest) const {
    return repository() + "@" + std::string(manifestDigest);
}

std::string ImageReference::familiar() const {
    std::string name = repository();
    if (domain == DockerHubDomain) {
        name = path;
        if (name.starts_with("library/") && name.find('/', 8) == std::string::npos) {
            name = name.substr(8);
        }
    }
    if (!tag.empty()) {
        name += ":" + tag;
    }
    if (!digest.empty()) {
        name += "@" + digest;
    }
    return name;
}

Result<ImageReference> parseImageReference(std::string_view text) {
    auto invalid = [&](std::string_view why) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("image reference \"{}\": {}", text, why));
    };
    if (text.empty()) {
        return invalid("empty");
    }
    ImageReference ref;
    std::string_view rest = text;
    if (size_t at = rest.find('@'); at != std::string_view::npos) {
        auto digest = parseDigest(rest.substr(at + 1));
        if (!digest) {
            return invalid("invalid digest \"" + std::string(rest.substr(at + 1)) + "\"");
        }
        ref.digest = digest->str();
        rest = rest.substr(0, at);
    }
    // A tag follows the last colon after the last slash (a colon before it is a port).
    size_t lastSlash = rest.rfind('/');
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos &&
        (lastSlash == std::string_view::npos || colon > lastSlash)) {
        std::string_view tag = rest.substr(colon + 1);
        if (!validTag(tag)) {
            return invalid("invalid tag \"" + std::string(tag) + "\"");
        }
        ref.tag = std::string(tag);
        rest = rest.substr(0, colon);
    }
    std::string_view name = rest;
    size_t slash = name.find('/');
    std::string_view first = name.substr(0, slash);
    if (slash == std::string_view::npos || (first.find_first_of(".:") == std::string_view::npos &&
                                            first != "localhost" && !hasUpper(first))) {
        ref.domain = std::string(DockerHubDomain);
        ref.path = std::string(name);
    } else {
        ref.domain = std::string(first);
        ref.path = std::string(name.substr(slash + 1));
        if (!validDomain(ref.domain)) {
            return invalid("invalid registry host \"" + ref.domain + "\"");
        }
    }
    if (ref.domain == "index.docker.io") {
        ref.domain = std::string(DockerHubDomain);
    }
    if (hasUpper(ref.path)) {
        return invalid("repository name must be lowercase");
    }
    if (!validPath(ref.path)) {
        return invalid("invalid repository name \"" + ref.path + "\"");
    }
    if (ref.domain == DockerHubDomain && ref.path.find('/') == std::string::npos) {
        ref.path = "library/" + ref.path;
    }
    if (ref.repository().size() > MaxNameLength) {
        return invalid("repository name longer than 255 characters");
    }
    if (ref.tag.empty() && ref.digest.empty()) {
        ref.tag = "latest";
    }
    return ref;
}

bool isLatestOrUntagged(std::string_view image) {
    auto ref = parseImageReference(image);
    if (!ref) {
        return false;
    }
    if (!ref->digest.empty()) {
        return false;
    }
    // An explicit `:latest` and no tag at all both parse to `latest`.
    return ref->tag == "latest";
}

} // namespace pilot::agent::image
