#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pilot::auth {

/// A certificate and its private key, both PEM.
struct IssuedCert {
    std::string certificatePem;
    std::string privateKeyPem;
};

/// Where a `Pki` keeps its files; keys are mode 0600, certificates 0644.
struct PkiFiles {
    std::string caCertificate;      ///< DIR/ca.crt
    std::string caKey;              ///< DIR/ca.key
    std::string servingCertificate; ///< DIR/serving.crt
    std::string servingKey;         ///< DIR/serving.key
    std::string adminCertificate;   ///< DIR/admin.crt
    std::string adminKey;           ///< DIR/admin.key
};

/// The engine's certificate authority and the credentials it keeps in one directory: an
/// ECDSA P-256 CA (10 years), the API serving certificate (serverAuth, 1 year) and the admin client
/// credential (clientAuth, CN=pilothouse-admin, O=system:masters, 1 year).
///
/// `loadOrCreate` creates what is missing and re-issues a leaf certificate that expires within 30
/// days, is not signed by the CA, does not match its key, or (serving) whose SANs no longer cover
/// this host's names and addresses plus `extraSans`. A CA that is half present (only one of
/// ca.crt/ca.key) or unreadable is an error, never silently replaced: everything trusts it.
///
/// Copies share the CA key; all const members are safe to call from several threads.
class Pki {
public:
    static constexpr std::string_view AdminUser = "pilothouse-admin";
    static constexpr std::string_view AdminGroup = "system:masters";

    [[nodiscard]] static Result<Pki> loadOrCreate(const std::string& dir,
                                                  std::vector<std::string> extraSans = {});
    /// As above with an injected clock: validity periods start at and renewal is judged from
    /// `clock.now()`.
    [[nodiscard]] static Result<Pki>
    loadOrCreate(const std::string& dir, std::vector<std::string> extraSans, const Clock& clock);

    [[nodiscard]] const PkiFiles& files() const { return m_files; }
    [[nodiscard]] const std::string& caCertificatePem() const { return m_caCertificatePem; }
    [[nodiscard]] const IssuedCert& serving() const { return m_serving; }
    [[nodiscard]] const IssuedCert& admin() const { return m_admin; }
    /// The SAN entries of the serving certificate, as text (`localhost`, `10.0.0.5`, `::1`).
    [[nodiscard]] const std::vector<std::string>& servingSans() const { return m_servingSans; }

    /// A fresh key and a client certificate (clientAuth) for CN=`commonName`, one O per
    /// organization, valid from now for `validity` (cut at the CA's own expiry). Nothing is
    /// written to disk. InvalidArgument for an empty name or a non-positive validity.
    [[nodiscard]] Result<IssuedCert> issueClientCert(std::string commonName,
                                                     std::vector<std::string> organizations,
                                                     std::chrono::hours validity) const;

private:
    Pki() = default;

    PkiFiles m_files;
    std::shared_ptr<X509> m_caCertificate;
    std::shared_ptr<EVP_PKEY> m_caKey;
    std::string m_caCertificatePem;
    IssuedCert m_serving;
    IssuedCert m_admin;
    std::vector<std::string> m_servingSans;
};

} // namespace pilot::auth
