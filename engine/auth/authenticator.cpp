#include "engine/auth/authenticator.h"

#include "core/log.h"
#include "engine/auth/atomicfile.h"
#include "engine/auth/certificate.h"
#include "engine/auth/serviceaccounttoken.h"
#include "engine/auth/tokenfile.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <mutex>

namespace pilot::auth {

namespace {

UserInfo withAuthenticatedGroup(UserInfo user) {
    if (std::ranges::find(user.groups, Authenticator::AuthenticatedGroup) == user.groups.end()) {
        user.groups.emplace_back(Authenticator::AuthenticatedGroup);
    }
    return user;
}

} // namespace

std::optional<Authenticator::Digest> Authenticator::digestOf(std::string_view token) {
    Digest digest;
    unsigned int length = 0;
    if (EVP_Digest(token.data(), token.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
            1 ||
        length != digest.size()) {
        return std::nullopt;
    }
    return digest;
}

std::optional<UserInfo> Authenticator::find(const std::vector<TokenEntry>& entries,
                                            const Digest& digest) {
    // Every entry is compared in full so the time taken does not depend on which bytes match.
    const TokenEntry* found = nullptr;
    for (const TokenEntry& entry : entries) {
        if (CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0) {
            found = &entry;
        }
    }
    if (found == nullptr) {
        return std::nullopt;
    }
    return found->user;
}

Status Authenticator::loadTokenFile(const std::string& path) {
    std::vector<TokenEntry> entries;
    auto content = readWholeFile(path);
    if (!content && content.error().code != ErrorCode::NotFound) {
        return std::unexpected(content.error());
    }
    if (content) {
        auto tokens = parseTokenFile(*content, path);
        if (!tokens) {
            return std::unexpected(tokens.error());
        }
        for (StaticToken& token : *tokens) {
            auto digest = digestOf(token.token);
            if (!digest) {
                return fail(ErrorCode::Internal, fmt::format("{}: SHA-256 failed", path));
            }
            // Duplicates: the last record wins, as in kube-apiserver.
            std::erase_if(entries, [&](const TokenEntry& e) { return e.digest == *digest; });
            entries.push_back({*digest, withAuthenticatedGroup(std::move(token.user))});
        }
        log::info("auth", "loaded {} token(s) from {}", entries.size(), path);
    }
    std::unique_lock lock(m_mutex);
    m_fileTokens = std::move(entries);
    return {};
}

void Authenticator::addToken(std::string_view token, UserInfo user) {
    auto digest = digestOf(token);
    if (token.empty() || !digest) {
        return;
    }
    TokenEntry entry{*digest, withAuthenticatedGroup(std::move(user))};
    std::unique_lock lock(m_mutex);
    std::erase_if(m_runtimeTokens, [&](const TokenEntry& e) { return e.digest == entry.digest; });
    m_runtimeTokens.push_back(std::move(entry));
}

bool Authenticator::removeToken(std::string_view token) {
    auto digest = digestOf(token);
    if (!digest) {
        return false;
    }
    std::unique_lock lock(m_mutex);
    return std::erase_if(m_runtimeTokens,
                         [&](const TokenEntry& e) { return e.digest == *digest; }) > 0;
}

std::optional<UserInfo> Authenticator::fromClientCertificate(X509* peerCert) const {
    if (peerCert == nullptr) {
        return std::nullopt;
    }
    const X509_NAME* subject = X509_get_subject_name(peerCert);
    std::vector<std::string> names = nameEntries(subject, NID_commonName);
    if (names.empty() || names.front().empty()) {
        return std::nullopt;
    }
    UserInfo user;
    user.name = std::move(names.front());
    user.groups = nameEntries(subject, NID_organizationName);
    return withAuthenticatedGroup(std::move(user));
}

namespace {

/// The user a connection's peer certificate names, kept with the connection (SSL ex_data):
/// reading the subject's names costs more than the rest of a small request's authentication.
struct PeerUser {
    const X509* certificate = nullptr; // the certificate it was read from
    std::optional<UserInfo> user;
};

void freePeerUser(void* /*parent*/, void* data, CRYPTO_EX_DATA* /*ad*/, int /*index*/,
                  long /*argl*/, void* /*argp*/) {
    delete static_cast<PeerUser*>(data);
}

int peerUserIndex() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, freePeerUser);
    return index;
}

} // namespace

std::optional<UserInfo> Authenticator::fromSsl(const SSL* ssl) const {
    if (ssl == nullptr || !SSL_is_init_finished(ssl)) {
        return std::nullopt;
    }
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (peer == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
        return std::nullopt;
    }
    const int index = peerUserIndex();
    if (index < 0) {
        return fromClientCertificate(peer);
    }
    auto* cached = static_cast<PeerUser*>(SSL_get_ex_data(ssl, index));
    if (cached != nullptr && cached->certificate == peer) {
        return cached->user;
    }
    auto fresh = std::make_unique<PeerUser>(PeerUser{peer, fromClientCertificate(peer)});
    std::optional<UserInfo> user = fresh->user;
    // One connection is served by one thread at a time, so the slot has no other writer.
    if (SSL_set_ex_data(const_cast<SSL*>(ssl), index, fresh.get()) == 1) {
        delete cached;
        (void)fresh.release();
    }
    return user;
}

std::optional<UserInfo> Authenticator::fromBearerToken(std::string_view token) const {
    if (token.empty()) {
        return std::nullopt;
    }
    auto digest = digestOf(token);
    if (!digest) {
        return std::nullopt;
    }
    {
        std::shared_lock lock(m_mutex);
        if (auto user = find(m_runtimeTokens, *digest)) {
            return user;
        }
        if (auto user = find(m_fileTokens, *digest)) {
            return user;
        }
    }
    return fromServiceAccountToken(token);
}

void Authenticator::setServiceAccountTokens(std::shared_ptr<const ServiceAccountTokens> tokens,
                                            ObjectUidLookup lookup, const Clock& clock) {
    std::unique_lock lock(m_mutex);
    m_serviceAccountTokens = std::move(tokens);
    m_lookup = std::move(lookup);
    m_clock = &clock;
}

std::optional<UserInfo> Authenticator::fromServiceAccountToken(std::string_view token) const {
    std::shared_ptr<const ServiceAccountTokens> tokens;
    ObjectUidLookup lookup;
    const Clock* clock = nullptr;
    {
        std::shared_lock lock(m_mutex);
        tokens = m_serviceAccountTokens;
        lookup = m_lookup;
        clock = m_clock;
    }
    if (!tokens || !lookup || token.find('.') == std::string_view::npos) {
        return std::nullopt;
    }
    auto claims = tokens->verify(token, clock->now());
    if (!claims) {
        return std::nullopt;
    }
    // As upstream's legacy-free validator: the token dies with its ServiceAccount and with the
    // object it is bound to, even when those are re-created under the same name.
    auto stillThere = [&](std::string_view resource, const std::string& name,
                          const std::string& uid) {
        std::optional<std::string> current = lookup(resource, claims->ns, name);
        return current && *current == uid;
    };
    if (!stillThere("serviceaccounts", claims->serviceAccountName, claims->serviceAccountUid)) {
        return std::nullopt;
    }
    if (claims->pod && !stillThere("pods", claims->pod->name, claims->pod->uid)) {
        return std::nullopt;
    }
    if (claims->secret && !stillThere("secrets", claims->secret->name, claims->secret->uid)) {
        return std::nullopt;
    }
    if (claims->node && !stillThere("nodes", claims->node->name, claims->node->uid)) {
        return std::nullopt;
    }
    UserInfo user{
        claims->subject(),
        claims->serviceAccountUid,
        {std::string(ServiceAccountsGroup), std::string(ServiceAccountsGroup) + ":" + claims->ns}};
    return withAuthenticatedGroup(std::move(user));
}

std::optional<UserInfo> Authenticator::fromAuthorizationHeader(std::string_view header) const {
    constexpr std::string_view Scheme = "bearer ";
    if (header.size() <= Scheme.size()) {
        return std::nullopt;
    }
    for (size_t i = 0; i < Scheme.size(); ++i) {
        char c = header[i];
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (c != Scheme[i]) {
            return std::nullopt;
        }
    }
    std::string_view token = header.substr(Scheme.size());
    while (!token.empty() && token.front() == ' ') {
        token.remove_prefix(1);
    }
    while (!token.empty() && token.back() == ' ') {
        token.remove_suffix(1);
    }
    return fromBearerToken(token);
}

} // namespace pilot::auth
