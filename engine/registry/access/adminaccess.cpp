#include "engine/registry/access/adminaccess.h"

#include "core/base64.h"
#include "core/random.h"
#include "engine/auth/atomicfile.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/algorithm/string/predicate.hpp>

#include <fmt/format.h>

namespace pilot::registry {

namespace {

constexpr std::string_view AdminName = "admin";
constexpr std::string_view Realm = "Pilothouse Registry";

std::string sha256(std::string_view text) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), out, &size, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(out), size);
}

} // namespace

Result<Credential> loadOrCreateAdminCredential(const std::string& path) {
    auto text = auth::readWholeFile(path);
    if (!text && text.error().code != ErrorCode::NotFound) {
        return std::unexpected(text.error());
    }
    if (!text) {
        Credential created{std::string(AdminName), randomHex(16)};
        if (auto ok = auth::writeFileAtomically(
                path, created.username + ":" + created.password + "\n", 0600);
            !ok) {
            return std::unexpected(ok.error());
        }
        return created;
    }
    std::string_view line = *text;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
        line.remove_suffix(1);
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == line.size() ||
        line.find('\n') != std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: expected one line username:password", path));
    }
    return Credential{std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))};
}

std::optional<Credential> parseBasicAuthorization(std::string_view authorization) {
    constexpr std::string_view Scheme = "basic ";
    if (authorization.size() < Scheme.size() ||
        !boost::algorithm::iequals(authorization.substr(0, Scheme.size()), Scheme)) {
        return std::nullopt;
    }
    std::string_view encoded = authorization.substr(Scheme.size());
    while (!encoded.empty() && encoded.front() == ' ') {
        encoded.remove_prefix(1);
    }
    std::optional<std::string> decoded = base64Decode(encoded);
    if (!decoded) {
        return std::nullopt;
    }
    size_t colon = decoded->find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return Credential{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

AdminAccess::AdminAccess(Credential administrator)
    : m_administrator(std::move(administrator)),
      m_passwordDigest(sha256(m_administrator.password)) {}

Result<Identity> AdminAccess::authenticate(std::string_view authorization) {
    if (authorization.empty()) {
        return Identity{};
    }
    std::optional<Credential> credential = parseBasicAuthorization(authorization);
    if (!credential) {
        return fail(ErrorCode::Unauthorized, "unsupported authorization scheme");
    }
    // Clients that got a Basic challenge but hold no credentials send an empty user: that is
    // an anonymous request, not a failed login.
    if (credential->username.empty() && credential->password.empty()) {
        return Identity{};
    }
    // Compare digests in constant time, so neither the length nor the content of the password
    // leaks through timing.
    std::string given = sha256(credential->password);
    bool passwordOk =
        CRYPTO_memcmp(given.data(), m_passwordDigest.data(), m_passwordDigest.size()) == 0;
    if (credential->username != m_administrator.username || !passwordOk) {
        return fail(ErrorCode::Unauthorized, "invalid username or password");
    }
    return Identity{m_administrator.username, true, Identity::Kind::User};
}

Decision AdminAccess::authorize(const Identity& identity, std::string_view, Action action) {
    if (identity.administrator) {
        return Decision::Allow;
    }
    switch (action) {
    case Action::Pull:
    case Action::Catalog:
        return Decision::Allow;
    case Action::Login:
    case Action::Push:
    case Action::Delete:
        return identity.anonymous() ? Decision::Unauthenticated : Decision::Denied;
    }
    return Decision::Denied;
}

std::string AdminAccess::challenge(std::string_view, Action, std::string_view) {
    return fmt::format("Basic realm=\"{}\"", Realm);
}

} // namespace pilot::registry
