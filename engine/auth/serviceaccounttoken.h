#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <openssl/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::auth {

/// An object a token is bound to (its `kubernetes.io` claim names it by name and uid).
struct BoundObject {
    std::string name;
    std::string uid;

    bool operator==(const BoundObject&) const = default;
};

/// What a ServiceAccount token says, as kube-apiserver's `serviceaccount` claims: the registered
/// claims plus the private `kubernetes.io` claim (namespace, service account, bound pod/secret,
/// the bound pod's node).
struct ServiceAccountClaims {
    std::string issuer;
    std::vector<std::string> audiences;
    std::string ns;
    std::string serviceAccountName;
    std::string serviceAccountUid;
    std::optional<BoundObject> pod;
    std::optional<BoundObject> secret;
    /// The node of a bound pod, when it was scheduled (upstream's ServiceAccountTokenPodNodeInfo).
    std::optional<BoundObject> node;
    TimePoint issuedAt;
    TimePoint notBefore;
    TimePoint expiresAt;
    /// `jti`: a random UUID per token.
    std::string id;

    /// `system:serviceaccount:NS:NAME`, the `sub` claim and the authenticated user name.
    [[nodiscard]] std::string subject() const;
};

/// URL-safe base64 without padding (RFC 7515 §2).
[[nodiscard]] std::string base64UrlEncode(std::string_view data);
/// Decodes URL-safe base64 without padding; nullopt for any character outside the alphabet and
/// for non-canonical text (non-zero unused bits in the last character).
[[nodiscard]] std::optional<std::string> base64UrlDecode(std::string_view text);

/// Issues and verifies ServiceAccount tokens: compact JWS, RS256, signed with the engine's
/// service-account key, header `{"alg":"RS256","kid":...}` where kid is upstream's key id (the
/// unpadded base64url SHA-256 of the public key's DER). Copies share the key; all const members
/// are thread-safe.
class ServiceAccountTokens {
public:
    static constexpr std::string_view DefaultIssuer =
        "https://kubernetes.default.svc.cluster.local";

    /// Loads DIR/sa.key (creating a 2048-bit RSA key there, mode 0600, and DIR/sa.pub, when it
    /// is missing). Internal when the file cannot be read or written, InvalidArgument when it
    /// holds no RSA private key.
    [[nodiscard]] static Result<ServiceAccountTokens> loadOrCreate(const std::string& dir,
                                                                   std::string issuer);
    /// From an RSA private key in PEM; InvalidArgument when `pem` holds none.
    [[nodiscard]] static Result<ServiceAccountTokens> fromPrivateKeyPem(std::string_view pem,
                                                                        std::string issuer);

    [[nodiscard]] const std::string& issuer() const { return m_issuer; }
    [[nodiscard]] const std::string& keyId() const { return m_keyId; }
    /// The public key, PEM (`BEGIN PUBLIC KEY`).
    [[nodiscard]] const std::string& publicKeyPem() const { return m_publicKeyPem; }

    /// The signed token for `claims`; Internal when signing fails.
    [[nodiscard]] Result<std::string> sign(const ServiceAccountClaims& claims) const;
    /// The claims of `token` when it is a well-formed RS256 token signed with this key, issued by
    /// this issuer, for an audience including the issuer, and valid at `now` (nbf <= now < exp).
    /// Unauthorized saying why otherwise.
    [[nodiscard]] Result<ServiceAccountClaims> verify(std::string_view token, TimePoint now) const;

private:
    ServiceAccountTokens() = default;

    std::shared_ptr<EVP_PKEY> m_key;
    std::string m_issuer;
    std::string m_keyId;
    std::string m_publicKeyPem;
};

} // namespace pilot::auth
