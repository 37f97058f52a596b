#pragma once

#include "core/error.h"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// One challenge of a `WWW-Authenticate` header: a scheme and its parameters.
struct AuthChallenge {
    std::string scheme;                        ///< Lower case: `basic`, `bearer`.
    std::map<std::string, std::string> params; ///< Names lower case; values unquoted.

    [[nodiscard]] std::string param(const std::string& name) const;
};

/// Parses every challenge of a `WWW-Authenticate` value (RFC 7235: comma-separated schemes
/// with auth-params, quoted strings with backslash escapes). Unparseable text yields no entry.
[[nodiscard]] std::vector<AuthChallenge> parseAuthChallenges(std::string_view header);

/// A bearer token from a Docker token endpoint.
struct BearerToken {
    std::string token;
    std::chrono::seconds expiresIn{60};
};

/// Parses a token endpoint's JSON answer (`token` or OAuth2's `access_token`, `expires_in`).
[[nodiscard]] Result<BearerToken> parseTokenResponse(std::string_view body);

/// `Basic base64(user:password)`.
[[nodiscard]] std::string basicAuthorization(std::string_view username, std::string_view password);

} // namespace pilot::agent::image
