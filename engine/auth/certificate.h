#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/auth/openssl.h"

#include <compare>
#include <string>
#include <string_view>
#include <vector>

/// Building and inspecting X.509 certificates with OpenSSL 3's EVP interfaces: the small set of
/// shapes the engine needs (a CA, TLS serving certificates, TLS client certificates).
namespace pilot::auth {

/// One subjectAltName entry: a DNS name (lower case) or an IP address in canonical text form
/// (`10.0.0.1`, `::1`), so equal names compare equal whatever their spelling.
struct SubjectAltName {
    enum class Kind { Dns, Ip };
    Kind kind = Kind::Dns;
    std::string value;

    auto operator<=>(const SubjectAltName&) const = default;
};

/// `text` as an IP entry when it parses as an IPv4/IPv6 address, otherwise as a DNS entry.
[[nodiscard]] SubjectAltName parseSubjectAltName(std::string_view text);

enum class CertificateRole {
    Authority, ///< CA:TRUE (critical), keyCertSign|cRLSign; self-signed when no issuer is given.
    Server,    ///< CA:FALSE, digitalSignature, extendedKeyUsage serverAuth.
    Client,    ///< CA:FALSE, digitalSignature, extendedKeyUsage clientAuth.
};

/// What goes into a certificate besides its key.
struct CertificateSpec {
    CertificateRole role = CertificateRole::Client;
    std::string commonName;
    std::vector<std::string> organizations;
    std::vector<SubjectAltName> altNames;
    TimePoint notBefore;
    TimePoint notAfter;
};

/// A fresh ECDSA P-256 key, or null on failure (see `lastOpensslError()`).
[[nodiscard]] KeyPtr generateKey();

/// Issues a SHA-256 signed v3 certificate for `subjectKey` with a random positive 127-bit serial.
/// `issuer`/`issuerKey` sign it; both null makes it self-signed (only for Authority).
[[nodiscard]] Result<CertPtr> signCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey,
                                              X509* issuer, EVP_PKEY* issuerKey);

/// The subjectAltName entries of `cert` (DNS and IP only; other kinds are skipped).
[[nodiscard]] std::vector<SubjectAltName> subjectAltNames(X509* cert);
/// Every value of attribute `nid` (e.g. NID_commonName, NID_organizationName) in `name`, in order.
[[nodiscard]] std::vector<std::string> nameEntries(const X509_NAME* name, int nid);
/// The end of the validity period of `cert`.
[[nodiscard]] Result<TimePoint> notAfter(const X509* cert);
/// True when `cert` names `issuer` as its issuer and carries a valid signature by its key.
[[nodiscard]] bool isIssuedBy(X509* cert, X509* issuer);
/// True when `key` is the private half of the public key in `cert`.
[[nodiscard]] bool keyMatches(X509* cert, EVP_PKEY* key);

} // namespace pilot::auth
