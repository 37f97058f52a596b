#include "nodeagent/image/registryhosts.h"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

namespace pilot::agent::image {

namespace {

std::string toLower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// Splits `host[:port]` (IPv6 in brackets) into host and port.
std::pair<std::string, std::string> splitHostPort(std::string_view authority) {
    if (authority.starts_with('[')) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) {
            return {std::string(authority), {}};
        }
        std::string host(authority.substr(1, close - 1));
        std::string port;
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = std::string(authority.substr(close + 2));
        }
        return {host, port};
    }
    size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
        return {std::string(authority), {}};
    }
    return {std::string(authority.substr(0, colon)), std::string(authority.substr(colon + 1))};
}

bool isDockerHub(std::string_view host) {
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io" ||
           host == "registry.hub.docker.com";
}

/// `*.example.com` matches `a.example.com` (one label per `*`), as kubelet's URLsMatch.
bool hostGlobMatch(std::string_view pattern, std::string_view host) {
    auto split = [](std::string_view text) {
        std::vector<std::string_view> labels;
        size_t start = 0;
        while (true) {
            size_t dot = text.find('.', start);
            labels.push_back(text.substr(start, dot - start));
            if (dot == std::string_view::npos) {
                return labels;
            }
            start = dot + 1;
        }
    };
    auto p = split(pattern);
    auto h = split(host);
    if (p.size() != h.size()) {
        return false;
    }
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] != "*" && p[i] != h[i]) {
            return false;
        }
    }
    return true;
}

struct ServerKey {
    std::string host;
    std::string port;
    std::string path;
};

ServerKey parseServerKey(std::string_view server) {
    std::string_view rest = server;
    if (size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
        rest = rest.substr(scheme + 3);
    }
    size_t slash = rest.find('/');
    auto [host, port] = splitHostPort(rest.substr(0, slash));
    ServerKey key{toLower(host), port, {}};
    if (slash != std::string_view::npos) {
        key.path = std::string(rest.substr(slash + 1));
        while (!key.path.empty() && key.path.back() == '/') {
            key.path.pop_back();
        }
    }
    if (isDockerHub(key.host)) {
        key.host = "docker.io";
        if (key.path == "v1" || key.path == "v2") {
            key.path.clear(); // https://index.docker.io/v1/ is the legacy whole-hub key.
        }
    }
    return key;
}

bool insecureHost(const RegistryOptions& options, std::string_view domain) {
    auto [host, port] = splitHostPort(domain);
    if (options.loopbackInsecure && isLoopbackHost(host)) {
        return true;
    }
    return std::any_of(options.insecureRegistries.begin(), options.insecureRegistries.end(),
                       [&](const std::string& entry) { return entry == domain || entry == host; });
}

} // namespace

std::string RegistryEndpoint::url() const {
    return scheme + "://" + hostHeader + basePath;
}

std::string RegistryEndpoint::target(std::string_view apiPath) const {
    return basePath + "/v2/" + std::string(apiPath);
}

bool isLoopbackHost(std::string_view host) {
    if (host == "localhost") {
        return true;
    }
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(std::string(host), ec);
    return !ec && address.is_loopback();
}

Result<std::string> readCaBundle(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("registry CA bundle {}: cannot be read", path));
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string pem = text.str();
    // Parse every certificate now, so a bad bundle stops the agent at start-up instead of
    // failing each pull later.
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    int count = 0;
    while (bio) {
        ERR_clear_error();
        std::unique_ptr<X509, decltype(&X509_free)> cert(
            PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
        if (!cert) {
            unsigned long err = ERR_peek_error();
            bool end =
                ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
            ERR_clear_error();
            if (end && count > 0) {
                return pem;
            }
            if (end) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("registry CA bundle {}: no PEM certificate", path));
            }
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("registry CA bundle {}: certificate {} does not parse", path,
                                    count + 1));
        }
        ++count;
    }
    return fail(ErrorCode::Internal, fmt::format("registry CA bundle {}: out of memory", path));
}

Result<RegistryEndpoint> parseEndpointUrl(std::string_view url) {
    RegistryEndpoint endpoint;
    std::string_view rest;
    if (url.starts_with("https://")) {
        endpoint.scheme = "https";
        rest = url.substr(8);
    } else if (url.starts_with("http://")) {
        endpoint.scheme = "http";
        rest = url.substr(7);
    } else {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("registry URL \"{}\": expected http:// or https://", url));
    }
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    auto [host, port] = splitHostPort(authority);
    if (host.empty()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("registry URL \"{}\": no host", url));
    }
    endpoint.host = host;
    endpoint.port = port.empty() ? (endpoint.https() ? "443" : "80") : port;
    endpoint.hostHeader = std::string(authority);
    if (slash != std::string_view::npos) {
        std::string path(rest.substr(slash));
        while (!path.empty() && path.back() == '/') {
            path.pop_back();
        }
        if (path.ends_with("/v2")) {
            path.resize(path.size() - 3);
        }
        endpoint.basePath = path;
    }
    return endpoint;
}

Result<RegistryMirror> parseRegistryMirror(std::string_view flag) {
    size_t eq = flag.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("--registry-mirror \"{}\": expected DOMAIN=URL", flag));
    }
    RegistryMirror mirror{toLower(flag.substr(0, eq)), std::string(flag.substr(eq + 1))};
    if (mirror.domain == "index.docker.io") {
        mirror.domain = std::string(DockerHubDomain);
    }
    if (auto endpoint = parseEndpointUrl(mirror.url); !endpoint) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("--registry-mirror \"{}\": {}", flag, endpoint.error().message));
    }
    return mirror;
}

std::vector<RegistryEndpoint> endpointsFor(const RegistryOptions& options,
                                           std::string_view domain) {
    std::vector<RegistryEndpoint> endpoints;
    for (const RegistryMirror& mirror : options.mirrors) {
        if (mirror.domain != domain) {
            continue;
        }
        auto endpoint = parseEndpointUrl(mirror.url);
        if (!endpoint) {
            continue;
        }
        endpoint->mirror = true;
        endpoint->skipVerify = insecureHost(options, endpoint->hostHeader);
        endpoints.push_back(*endpoint);
    }
    std::string host = domain == DockerHubDomain ? "registry-1.docker.io" : std::string(domain);
    auto self = parseEndpointUrl("https://" + host);
    if (self) {
        if (insecureHost(options, domain)) {
            self->skipVerify = true;
            self->httpFallback = true;
        }
        endpoints.push_back(*self);
    }
    return endpoints;
}

std::vector<RegistryCredential> credentialsFor(const std::vector<RegistryCredential>& credentials,
                                               const ImageReference& image) {
    auto [imageHost, imagePort] = splitHostPort(image.domain);
    imageHost = toLower(imageHost);
    if (isDockerHub(imageHost)) {
        imageHost = "docker.io";
    }
    struct Match {
        size_t specificity;
        size_t order;
        const RegistryCredential* credential;
    };
    std::vector<Match> matches;
    for (size_t i = 0; i < credentials.size(); ++i) {
        ServerKey key = parseServerKey(credentials[i].server);
        if (key.host.empty() || !hostGlobMatch(key.host, imageHost)) {
            continue;
        }
        if (!key.port.empty() && key.port != imagePort) {
            continue;
        }
        if (!key.path.empty() && image.path != key.path &&
            !image.path.starts_with(key.path + "/")) {
            continue;
        }
        matches.push_back(
            {key.host.size() + key.port.size() + key.path.size(), i, &credentials[i]});
    }
    std::stable_sort(matches.begin(), matches.end(),
                     [](const Match& a, const Match& b) { return a.specificity > b.specificity; });
    std::vector<RegistryCredential> out;
    for (const Match& match : matches) {
        out.push_back(*match.credential);
    }
    return out;
}

} // namespace pilot::agent::image
