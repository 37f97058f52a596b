#pragma once

#include "core/error.h"
#include "engine/registry/access/accesscontroller.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct evp_pkey_st;

namespace pilot::registry {

/// The claims of a registry bearer token that the registry acts on.
struct TokenClaims {
    std::string subject;
    std::vector<TokenGrant> access;
    int64_t issuedAt = 0;
    int64_t expiresAt = 0;
};

/// Issues and verifies the registry's bearer tokens (Docker token authentication): JWTs signed
/// RS256 with a 2048-bit RSA key kept in `keyPath` (PEM, mode 0600, created on first use),
/// issuer `harbor-token-issuer`, audience `harbor-registry`, carrying the granted `access` list.
/// Thread-safe.
class TokenService {
public:
    static constexpr std::string_view Issuer = "harbor-token-issuer";
    static constexpr std::string_view Audience = "harbor-registry";

    [[nodiscard]] static Result<std::unique_ptr<TokenService>> open(const std::string& keyPath);
    ~TokenService();
    TokenService(const TokenService&) = delete;
    TokenService& operator=(const TokenService&) = delete;

    /// A signed token for `subject` granting `access`, valid from `now` for `lifetime`.
    [[nodiscard]] std::string issue(std::string_view subject, const std::vector<TokenGrant>& access,
                                    int64_t now, std::chrono::seconds lifetime) const;
    /// The claims of `token` when its signature, issuer, audience and validity period (at `now`,
    /// with a minute of clock skew) check out; Unauthorized otherwise.
    [[nodiscard]] Result<TokenClaims> verify(std::string_view token, int64_t now) const;

private:
    TokenService() = default;

    evp_pkey_st* m_key = nullptr;
    std::string m_keyId;
};

/// Base64url without padding (RFC 7515).
[[nodiscard]] std::string base64UrlEncode(std::string_view data);
[[nodiscard]] std::optional<std::string> base64UrlDecode(std::string_view text);

/// A Docker token `scope` value (`repository:library/busybox:pull,push`, `registry:catalog:*`)
/// taken apart; several space-separated scopes give several grants, malformed ones none.
[[nodiscard]] std::vector<TokenGrant> parseScopes(std::string_view scope);

} // namespace pilot::registry
