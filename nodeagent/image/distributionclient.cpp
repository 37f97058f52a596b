#include "nodeagent/image/distributionclient.h"

#include "core/log.h"
#include "nodeagent/image/manifest.h"
#include "nodeagent/image/registryauth.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <chrono>
#include <mutex>

namespace pilot::agent::image {

namespace ssl = boost::asio::ssl;

namespace {

constexpr size_t MaxManifestBytes = 8 * 1024 * 1024;
constexpr size_t MaxErrorBytes = 64 * 1024;
constexpr int MaxRedirects = 5;

std::string urlEncode(std::string_view text) {
    static constexpr char Hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(Hex[u >> 4]);
            out.push_back(Hex[u & 0xF]);
        }
    }
    return out;
}

/// The first error message of a Distribution error body, or the HTTP status.
std::string registryMessage(int status, const std::string& body) {
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec);
    if (!ec && value.is_object()) {
        if (auto* errors = value.as_object().if_contains("errors");
            errors != nullptr && errors->is_array() && !errors->as_array().empty() &&
            errors->as_array()[0].is_object()) {
            const auto& first = errors->as_array()[0].as_object();
            std::string code = first.contains("code") && first.at("code").is_string()
                                   ? std::string(first.at("code").as_string())
                                   : std::string();
            std::string message = first.contains("message") && first.at("message").is_string()
                                      ? std::string(first.at("message").as_string())
                                      : std::string();
            return fmt::format("{} {}", code, message);
        }
    }
    return fmt::format("HTTP {}", status);
}

ErrorCode codeForStatus(int status) {
    switch (status) {
    case 401:
        return ErrorCode::Unauthorized;
    case 403:
        return ErrorCode::Forbidden;
    case 404:
        return ErrorCode::NotFound;
    case 400:
        return ErrorCode::InvalidArgument;
    default:
        return ErrorCode::Unavailable;
    }
}

std::unique_ptr<ssl::context> makeTlsContext(const std::string& caFile, const std::string& caPem) {
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    tls->set_default_verify_paths(ec);
    if (!caFile.empty()) {
        tls->load_verify_file(caFile, ec);
        if (ec) {
            log::warn("image", "registry CA file {} not usable: {}", caFile, ec.message());
        }
    }
    if (!caPem.empty()) {
        tls->add_certificate_authority(boost::asio::buffer(caPem), ec);
        if (ec) {
            log::warn("image", "extra registry CA certificates not usable: {}", ec.message());
        }
    }
    return tls;
}

} // namespace

struct RegistryClient::Impl {
    RegistryOptions options;
    std::unique_ptr<ssl::context> tls;
};

RegistryClient::RegistryClient(RegistryOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
    m_impl->tls = makeTlsContext(m_impl->options.caFile, m_impl->options.caPem);
}

RegistryClient::~RegistryClient() = default;

const RegistryOptions& RegistryClient::options() const {
    return m_impl->options;
}

struct RepositorySession::Impl {
    RegistryClient::Impl& client;
    ImageReference image;
    std::vector<RegistryCredential> credentials;
    std::vector<RegistryEndpoint> endpoints;

    mutable std::mutex mutex;
    size_t active = 0;     ///< Index into endpoints once a request succeeded there.
    bool selected = false; ///< Whether `active` is settled.
    std::string authorization;
    uint64_t authGeneration = 0;
    size_t credentialIndex = 0; ///< The credential the current authorization came from.
    bool usedCredential = false;
    bool authWorked = false; ///< A request with the current authorization succeeded.
    std::chrono::steady_clock::time_point authExpiry = std::chrono::steady_clock::time_point::max();
    std::vector<std::unique_ptr<HttpConnection>> idle;

    struct Exchange {
        std::unique_ptr<HttpConnection> connection;
        HttpResponseHead head;
    };

    Impl(RegistryClient::Impl& c, ImageReference ref, std::vector<RegistryCredential> creds)
        : client(c), image(std::move(ref)), credentials(std::move(creds)) {
        endpoints = endpointsFor(client.options, image.domain);
    }

    std::unique_ptr<HttpConnection> newConnection() {
        return std::make_unique<HttpConnection>(*client.tls, client.options.connectTimeout,
                                                client.options.readTimeout);
    }

    /// A connected connection to `endpoint`, pooled when possible; `reused` tells which.
    Result<std::unique_ptr<HttpConnection>> acquire(RegistryEndpoint& endpoint, bool& reused) {
        {
            std::lock_guard lock(mutex);
            for (auto it = idle.begin(); it != idle.end(); ++it) {
                if ((*it)->endpoint().url() == endpoint.url()) {
                    auto connection = std::move(*it);
                    idle.erase(it);
                    reused = true;
                    return connection;
                }
            }
        }
        reused = false;
        auto connection = newConnection();
        auto status = connection->connect(endpoint);
        if (!status && connection->tlsFailed() && endpoint.httpFallback) {
            // Insecure registries (and loopback ones) may speak plain HTTP.
            endpoint.scheme = "http";
            endpoint.httpFallback = false;
            if (endpoint.hostHeader == endpoint.host) {
                endpoint.port = "80";
            }
            status = connection->connect(endpoint);
        }
        if (!status) {
            return std::unexpected(status.error());
        }
        return connection;
    }

    void release(std::unique_ptr<HttpConnection> connection) {
        if (!connection || !connection->reusable()) {
            return;
        }
        std::lock_guard lock(mutex);
        if (idle.size() < 8) {
            idle.push_back(std::move(connection));
        }
    }

    /// One request on `endpoint`, retried once on a stale pooled connection.
    Result<Exchange> roundTrip(RegistryEndpoint& endpoint, const HttpRequestSpec& request,
                               bool pooled) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool reused = false;
            Result<std::unique_ptr<HttpConnection>> connection;
            if (pooled) {
                connection = acquire(endpoint, reused);
            } else {
                connection = newConnection();
                if (auto status = (*connection)->connect(endpoint); !status) {
                    connection = std::unexpected(status.error());
                }
            }
            if (!connection) {
                return std::unexpected(connection.error());
            }
            auto head = (*connection)->send(request);
            if (!head) {
                if (reused && (*connection)->failedAsStale()) {
                    continue;
                }
                return std::unexpected(head.error());
            }
            return Exchange{std::move(*connection), std::move(*head)};
        }
        return fail(ErrorCode::Unavailable, "registry " + endpoint.url() + ": connection lost");
    }

    std::string currentAuthorization(uint64_t& generation) {
        std::lock_guard lock(mutex);
        generation = authGeneration;
        if (std::chrono::steady_clock::now() >= authExpiry) {
            return {};
        }
        return authorization;
    }

    /// Answers a 401: picks the credential to use next and fetches a token if the challenge is
    /// Bearer. Unauthorized when nothing is left to try.
    Status authenticate(const HttpResponseHead& head, uint64_t generationSent,
                        bool sentAuthorization) {
        std::unique_lock lock(mutex);
        if (authGeneration != generationSent) {
            return {}; // Another thread already refreshed the authorization: just retry.
        }
        if (sentAuthorization && authWorked) {
            // It worked before: the token expired. Fetch a new one with the same credential.
            sentAuthorization = false;
        }
        authWorked = false;
        if (sentAuthorization) {
            // The authorization we sent was refused (or the token expired early): next
            // credential; a refused anonymous token means the repository needs credentials.
            if (!usedCredential || credentialIndex + 1 >= credentials.size()) {
                if (!usedCredential || credentials.empty()) {
                    return fail(ErrorCode::Unauthorized,
                                fmt::format("pull access denied for {}: authentication "
                                            "required (no matching imagePullSecret)",
                                            image.repository()));
                }
                return fail(ErrorCode::Unauthorized,
                            fmt::format("pull access denied for {}: the registry refused every "
                                        "credential",
                                        image.repository()));
            }
            ++credentialIndex;
        }
        const RegistryCredential* credential =
            credentialIndex < credentials.size() ? &credentials[credentialIndex] : nullptr;
        std::vector<AuthChallenge> challenges;
        for (const auto& value : head.headerValues("WWW-Authenticate")) {
            auto parsed = parseAuthChallenges(value);
            challenges.insert(challenges.end(), parsed.begin(), parsed.end());
        }
        const AuthChallenge* bearer = nullptr;
        const AuthChallenge* basic = nullptr;
        for (const auto& challenge : challenges) {
            if (challenge.scheme == "bearer" && bearer == nullptr) {
                bearer = &challenge;
            } else if (challenge.scheme == "basic" && basic == nullptr) {
                basic = &challenge;
            }
        }
        if (bearer != nullptr && !bearer->param("realm").empty()) {
            AuthChallenge copy = *bearer;
            lock.unlock();
            auto token = fetchToken(copy, credential);
            lock.lock();
            if (!token) {
                return std::unexpected(token.error());
            }
            authorization = "Bearer " + token->token;
            authExpiry =
                std::chrono::steady_clock::now() + token->expiresIn - std::chrono::seconds(5);
        } else if (basic != nullptr) {
            if (credential == nullptr || credential->username.empty()) {
                return fail(ErrorCode::Unauthorized,
                            fmt::format("pull access denied for {}: the registry asks for a "
                                        "user name and password (no matching imagePullSecret)",
                                        image.repository()));
            }
            authorization = basicAuthorization(credential->username, credential->password);
            authExpiry = std::chrono::steady_clock::time_point::max();
        } else {
            return fail(ErrorCode::Unauthorized,
                        fmt::format("registry for {} answered 401 without a usable challenge",
                                    image.repository()));
        }
        usedCredential = credential != nullptr;
        ++authGeneration;
        return {};
    }

    /// The Docker token flow: GET realm?service=&scope= (Basic with the credential), or the
    /// OAuth2 refresh-token POST when the credential is an identity token.
    Result<BearerToken> fetchToken(const AuthChallenge& challenge,
                                   const RegistryCredential* credential) {
        std::string realm = challenge.param("realm");
        std::string query;
        if (size_t q = realm.find('?'); q != std::string::npos) {
            query = realm.substr(q + 1);
            realm.resize(q);
        }
        auto endpoint = parseEndpointUrl(realm);
        if (!endpoint) {
            return fail(ErrorCode::Unauthorized,
                        fmt::format("token realm \"{}\": {}", realm, endpoint.error().message));
        }
        endpoint->skipVerify =
            (client.options.loopbackInsecure && isLoopbackHost(endpoint->host)) ||
            std::any_of(client.options.insecureRegistries.begin(),
                        client.options.insecureRegistries.end(), [&](const std::string& h) {
                            return h == endpoint->hostHeader || h == endpoint->host;
                        });
        std::string service = challenge.param("service");
        std::string scope = challenge.param("scope");
        if (scope.empty()) {
            scope = fmt::format("repository:{}:pull", image.path);
        }
        HttpRequestSpec request;
        request.headers.emplace_back("User-Agent", client.options.userAgent);
        if (credential != nullptr && !credential->identityToken.empty()) {
            request.method = "POST";
            request.target = endpoint->basePath.empty() ? "/" : endpoint->basePath;
            request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
            request.body = fmt::format(
                "grant_type=refresh_token&refresh_token={}&service={}&scope={}&client_id="
                "pilothouse",
                urlEncode(credential->identityToken), urlEncode(service), urlEncode(scope));
        } else {
            std::string target = endpoint->basePath.empty() ? "/" : endpoint->basePath;
            std::string params = query;
            if (!service.empty()) {
                params += (params.empty() ? "" : "&") + ("service=" + urlEncode(service));
            }
            for (size_t start = 0; start <= scope.size();) {
                size_t space = scope.find(' ', start);
                std::string one = scope.substr(start, space - start);
                if (!one.empty()) {
                    params += (params.empty() ? "" : "&") + ("scope=" + urlEncode(one));
                }
                if (space == std::string::npos) {
                    break;
                }
                start = space + 1;
            }
            request.target = params.empty() ? target : target + "?" + params;
            if (credential != nullptr && !credential->username.empty()) {
                request.headers.emplace_back(
                    "Authorization",
                    basicAuthorization(credential->username, credential->password));
            }
        }
        auto exchange = roundTrip(*endpoint, request, false);
        if (!exchange) {
            return fail(exchange.error().code,
                        "token endpoint " + realm + ": " + exchange.error().message);
        }
        auto body = exchange->connection->readBodyString(MaxErrorBytes);
        if (!body) {
            return std::unexpected(body.error());
        }
        if (exchange->head.status != 200) {
            return fail(exchange->head.status == 401 || exchange->head.status == 403
                            ? ErrorCode::Unauthorized
                            : ErrorCode::Unavailable,
                        fmt::format("token endpoint {} refused {}: HTTP {}", realm,
                                    credential != nullptr ? "the credentials" : "anonymous access",
                                    exchange->head.status));
        }
        return parseTokenResponse(*body);
    }

    /// GET `apiPath` on one endpoint with authentication and redirects. The caller reads the
    /// body of a 2xx answer from the returned connection; other answers come back as errors
    /// (their body read for the message).
    Result<Exchange> get(RegistryEndpoint& endpoint, const std::string& apiPath,
                         const std::string& accept) {
        RegistryEndpoint target = endpoint;
        std::string path = target.target(apiPath);
        bool sameHost = true;
        int redirects = 0;
        int authRounds = 0;
        while (true) {
            HttpRequestSpec request;
            request.target = path;
            request.headers.emplace_back("User-Agent", client.options.userAgent);
            if (!accept.empty()) {
                request.headers.emplace_back("Accept", accept);
            }
            uint64_t generation = 0;
            std::string auth = sameHost ? currentAuthorization(generation) : std::string();
            if (!auth.empty()) {
                request.headers.emplace_back("Authorization", auth);
            }
            auto exchange = roundTrip(target, request, sameHost);
            if (!exchange) {
                return std::unexpected(exchange.error());
            }
            if (sameHost) {
                endpoint = target; // Keep a learnt HTTP fallback.
            }
            int status = exchange->head.status;
            if (status >= 200 && status < 300) {
                if (!auth.empty()) {
                    std::lock_guard lock(mutex);
                    if (generation == authGeneration) {
                        authWorked = true;
                    }
                }
                return exchange;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                std::string location = exchange->head.header("Location");
                (void)exchange->connection->readBodyString(MaxErrorBytes);
                release(std::move(exchange->connection));
                if (location.empty() || ++redirects > MaxRedirects) {
                    return fail(
                        ErrorCode::Unavailable,
                        fmt::format("registry {}: bad redirect for {}", target.url(), apiPath));
                }
                if (location.starts_with("/")) {
                    path = location;
                    continue;
                }
                auto next = parseEndpointUrl(location);
                if (!next) {
                    return std::unexpected(next.error());
                }
                std::string rest = location.substr(location.find("://") + 3);
                size_t slash = rest.find('/');
                path = slash == std::string::npos ? "/" : rest.substr(slash);
                next->basePath.clear();
                next->skipVerify = target.skipVerify && next->host == target.host;
                sameHost = sameHost && next->hostHeader == endpoint.hostHeader &&
                           next->scheme == endpoint.scheme;
                target = *next;
                continue;
            }
            auto body = exchange->connection->readBodyString(MaxErrorBytes);
            if (body) {
                release(std::move(exchange->connection));
            }
            std::string message = registryMessage(status, body ? *body : std::string());
            // One round for the anonymous challenge, one per credential, and one more so that
            // authenticate() says why the last authorization was refused (no matching
            // imagePullSecret, or every credential refused) instead of the bare 401.
            if (status == 401 && sameHost &&
                authRounds++ < 2 + static_cast<int>(credentials.size())) {
                auto authenticated = authenticate(exchange->head, generation, !auth.empty());
                if (!authenticated) {
                    return std::unexpected(authenticated.error());
                }
                continue;
            }
            return fail(codeForStatus(status),
                        fmt::format("registry {}: GET {}: {}", target.url(), apiPath, message));
        }
    }

    /// Runs `get` on the settled endpoint, or tries each endpoint in order until one answers.
    template <typename Body>
    Status withEndpoint(const std::string& apiPath, const std::string& accept, Body consume) {
        size_t first = 0;
        size_t last = endpoints.size();
        {
            std::lock_guard lock(mutex);
            if (selected) {
                first = active;
                last = active + 1;
            }
        }
        if (endpoints.empty()) {
            return fail(ErrorCode::InvalidArgument, "no registry endpoint for " + image.domain);
        }
        Error lastError{ErrorCode::Unavailable, "no registry endpoint answered"};
        bool haveTelling = false;
        for (size_t i = first; i < last; ++i) {
            RegistryEndpoint endpoint;
            {
                std::lock_guard lock(mutex);
                endpoint = endpoints[i];
            }
            auto exchange = get(endpoint, apiPath, accept);
            {
                std::lock_guard lock(mutex);
                endpoints[i] = endpoint;
            }
            if (!exchange) {
                // Report the most telling failure: a refusal or a missing image from a mirror
                // beats "unreachable" from the upstream registry behind it.
                bool telling = exchange.error().code != ErrorCode::Unavailable &&
                               exchange.error().code != ErrorCode::Timeout;
                if (telling || !haveTelling) {
                    lastError = exchange.error();
                    haveTelling = haveTelling || telling;
                }
                if (endpoint.mirror) {
                    log::info("image", "mirror {} failed for {}: {}", endpoint.url(), image.str(),
                              exchange.error().message);
                }
                // A registry (not a mirror) that answered with a definite refusal ends the
                // search; mirrors fall through to the next endpoint on any failure.
                if (!endpoint.mirror && i + 1 < last && telling) {
                    return std::unexpected(exchange.error());
                }
                continue;
            }
            {
                std::lock_guard lock(mutex);
                if (!selected) {
                    selected = true;
                    active = i;
                }
            }
            auto status = consume(*exchange);
            if (status) {
                release(std::move(exchange->connection));
            }
            return status;
        }
        return std::unexpected(lastError);
    }
};

std::unique_ptr<RepositorySession>
RegistryClient::openRepository(const ImageReference& image,
                               std::vector<RegistryCredential> credentials) {
    auto impl = std::make_unique<RepositorySession::Impl>(*m_impl, image, std::move(credentials));
    return std::unique_ptr<RepositorySession>(new RepositorySession(std::move(impl)));
}

RepositorySession::RepositorySession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

RepositorySession::~RepositorySession() = default;

std::string RepositorySession::endpointUrl() const {
    std::lock_guard lock(m_impl->mutex);
    if (m_impl->endpoints.empty()) {
        return {};
    }
    return m_impl->endpoints[m_impl->selected ? m_impl->active : 0].url();
}

Result<ManifestResponse> RepositorySession::fetchManifest(std::string_view reference) {
    ManifestResponse response;
    std::string apiPath = fmt::format("{}/manifests/{}", m_impl->image.path, reference);
    auto status = m_impl->withEndpoint(
        apiPath, manifestAcceptHeader(), [&](Impl::Exchange& exchange) -> Status {
            response.mediaType = exchange.head.header("Content-Type");
            response.headerDigest = exchange.head.header("Docker-Content-Digest");
            auto body = exchange.connection->readBodyString(MaxManifestBytes);
            if (!body) {
                return std::unexpected(body.error());
            }
            response.body = std::move(*body);
            return {};
        });
    if (!status) {
        return std::unexpected(status.error());
    }
    return response;
}

Status RepositorySession::fetchBlob(const Digest& digest, const BodySink& sink) {
    std::string apiPath = fmt::format("{}/blobs/{}", m_impl->image.path, digest.str());
    return m_impl->withEndpoint(apiPath, {}, [&](Impl::Exchange& exchange) -> Status {
        return exchange.connection->readBody(sink);
    });
}

} // namespace pilot::agent::image

namespace pilot::agent::image {

Status RepositorySession::fetchBlobWith(const Digest& digest,
                                        const std::function<Status(HttpConnection&)>& consume) {
    std::string apiPath = fmt::format("{}/blobs/{}", m_impl->image.path, digest.str());
    return m_impl->withEndpoint(apiPath, {}, [&](Impl::Exchange& exchange) -> Status {
        auto status = consume(*exchange.connection);
        if (status) {
            // Only a fully read body leaves the connection usable for the next request.
            auto rest = exchange.connection->nextChunk();
            if (!rest || !rest->empty()) {
                exchange.connection.reset();
            }
        }
        return status;
    });
}

} // namespace pilot::agent::image
