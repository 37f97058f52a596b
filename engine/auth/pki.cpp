#include "engine/auth/pki.h"

#include "core/log.h"
#include "engine/auth/atomicfile.h"
#include "engine/auth/certificate.h"
#include "engine/auth/hostnames.h"
#include "engine/auth/openssl.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

namespace pilot::auth {

namespace {

constexpr std::string_view Component = "auth";
constexpr auto Day = std::chrono::hours(24);
constexpr auto CaValidity = 3650 * Day;
constexpr auto LeafValidity = 365 * Day;
constexpr auto RenewBefore = 30 * Day;
// Tolerates a little clock disagreement between this host and a client (a VM, a container).
constexpr auto Backdate = std::chrono::minutes(5);
constexpr std::string_view ServingName = "pilothouse-apiserver";

struct KeyPair {
    CertPtr cert;
    KeyPtr key;
    IssuedCert pem;
};

/// Reads `certPath` + `keyPath`; NotFound only when both are absent.
Result<KeyPair> readPair(const std::string& certPath, const std::string& keyPath) {
    auto certText = readWholeFile(certPath);
    auto keyText = readWholeFile(keyPath);
    if (!certText && !keyText && certText.error().code == ErrorCode::NotFound &&
        keyText.error().code == ErrorCode::NotFound) {
        return fail(ErrorCode::NotFound, fmt::format("{}: not found", certPath));
    }
    // Exactly one of the two missing is not "absent": callers must never take it for a clean slate.
    auto problem = [](const Result<std::string>& text, const std::string& path,
                      const std::string& other) -> std::optional<Error> {
        if (text) {
            return std::nullopt;
        }
        if (text.error().code == ErrorCode::NotFound) {
            return Error{ErrorCode::InvalidArgument,
                         fmt::format("{}: missing while {} exists", path, other)};
        }
        return text.error();
    };
    if (auto error = problem(certText, certPath, keyPath)) {
        return std::unexpected(*error);
    }
    if (auto error = problem(keyText, keyPath, certPath)) {
        return std::unexpected(*error);
    }
    KeyPair pair;
    pair.cert = certificateFromPem(*certText);
    if (!pair.cert) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: not a PEM certificate: {}", certPath, lastOpensslError()));
    }
    pair.key = privateKeyFromPem(*keyText);
    if (!pair.key) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: not a PEM private key: {}", keyPath, lastOpensslError()));
    }
    if (!keyMatches(pair.cert.get(), pair.key.get())) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: key does not belong to {}", keyPath, certPath));
    }
    pair.pem = {std::move(*certText), std::move(*keyText)};
    return pair;
}

/// Writes the key first: a crash in between leaves a mismatched pair, which the next start
/// detects and re-issues.
Status writePair(const IssuedCert& pem, const std::string& certPath, const std::string& keyPath) {
    if (auto ok = writeFileAtomically(keyPath, pem.privateKeyPem, 0600); !ok) {
        return ok;
    }
    return writeFileAtomically(certPath, pem.certificatePem, 0644);
}

Result<KeyPair> issue(const CertificateSpec& spec, X509* issuer, EVP_PKEY* issuerKey) {
    KeyPair pair;
    pair.key = generateKey();
    if (!pair.key) {
        return fail(ErrorCode::Internal, fmt::format("generate key: {}", lastOpensslError()));
    }
    auto cert = signCertificate(spec, pair.key.get(), issuer, issuerKey);
    if (!cert) {
        return std::unexpected(cert.error());
    }
    pair.cert = std::move(*cert);
    pair.pem.certificatePem = certificateToPem(pair.cert.get());
    pair.pem.privateKeyPem = privateKeyToPem(pair.key.get());
    if (pair.pem.certificatePem.empty() || pair.pem.privateKeyPem.empty()) {
        return fail(ErrorCode::Internal, fmt::format("certificate CN={}: encode PEM: {}",
                                                     spec.commonName, lastOpensslError()));
    }
    return pair;
}

Result<KeyPair> loadOrCreateCa(const PkiFiles& files, TimePoint now) {
    auto existing = readPair(files.caCertificate, files.caKey);
    if (existing) {
        if (X509_check_ca(existing->cert.get()) < 1) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}: not a CA certificate", files.caCertificate));
        }
        auto expiry = notAfter(existing->cert.get());
        if (expiry && *expiry - now < RenewBefore) {
            log::warn(Component,
                      "CA certificate {} expires at {}; remove the directory to start "
                      "over with a new CA",
                      files.caCertificate, formatTime(*expiry));
        }
        return existing;
    }
    if (existing.error().code != ErrorCode::NotFound) {
        return fail(existing.error().code,
                    fmt::format("certificate authority: {} (remove ca.crt and ca.key to create a "
                                "new one)",
                                existing.error().message));
    }
    CertificateSpec spec;
    spec.role = CertificateRole::Authority;
    spec.commonName = fmt::format("pilothouse-ca@{}", std::chrono::system_clock::to_time_t(now));
    spec.notBefore = now - Backdate;
    spec.notAfter = now + CaValidity;
    auto created = issue(spec, nullptr, nullptr);
    if (!created) {
        return created;
    }
    if (auto ok = writePair(created->pem, files.caCertificate, files.caKey); !ok) {
        return std::unexpected(ok.error());
    }
    log::info(Component, "created certificate authority {}", files.caCertificate);
    return created;
}

/// Why the leaf `pair` must be re-issued, or empty when it is fine.
std::string leafProblem(const KeyPair& pair, X509* ca, TimePoint now) {
    if (!isIssuedBy(pair.cert.get(), ca)) {
        return "not signed by the current CA";
    }
    auto expiry = notAfter(pair.cert.get());
    if (!expiry) {
        return expiry.error().message;
    }
    if (*expiry - now < RenewBefore) {
        return fmt::format("expires at {}", formatTime(*expiry));
    }
    return {};
}

std::vector<SubjectAltName> requiredServingSans(const std::vector<std::string>& extraSans) {
    std::vector<SubjectAltName> names = hostSubjectAltNames();
    for (const std::string& extra : extraSans) {
        if (!extra.empty()) {
            names.push_back(parseSubjectAltName(extra));
        }
    }
    std::ranges::sort(names);
    auto duplicates = std::ranges::unique(names);
    names.erase(duplicates.begin(), duplicates.end());
    return names;
}

std::string servingProblem(const KeyPair& pair, X509* ca, TimePoint now,
                           const std::vector<SubjectAltName>& required) {
    if (std::string problem = leafProblem(pair, ca, now); !problem.empty()) {
        return problem;
    }
    std::vector<SubjectAltName> present = subjectAltNames(pair.cert.get());
    for (const SubjectAltName& name : required) {
        if (std::ranges::find(present, name) == present.end()) {
            return fmt::format("does not cover {}", name.value);
        }
    }
    return {};
}

std::string adminProblem(const KeyPair& pair, X509* ca, TimePoint now) {
    if (std::string problem = leafProblem(pair, ca, now); !problem.empty()) {
        return problem;
    }
    const X509_NAME* subject = X509_get_subject_name(pair.cert.get());
    std::vector<std::string> names = nameEntries(subject, NID_commonName);
    std::vector<std::string> groups = nameEntries(subject, NID_organizationName);
    if (names.size() != 1 || names.front() != Pki::AdminUser ||
        std::ranges::find(groups, Pki::AdminGroup) == groups.end()) {
        return "subject is not the admin identity";
    }
    return {};
}

/// Loads the leaf at `certPath`/`keyPath`, or issues and writes `spec` when `problemOf` finds
/// fault with it (or it is missing or unreadable).
template <typename ProblemOf>
Result<KeyPair> loadOrIssueLeaf(const std::string& certPath, const std::string& keyPath,
                                const CertificateSpec& spec, const KeyPair& ca,
                                ProblemOf problemOf) {
    auto existing = readPair(certPath, keyPath);
    if (existing) {
        std::string problem = problemOf(*existing);
        if (problem.empty()) {
            return existing;
        }
        log::info(Component, "re-issuing {}: {}", certPath, problem);
    } else if (existing.error().code != ErrorCode::NotFound) {
        log::warn(Component, "re-issuing {}: {}", certPath, existing.error().message);
    }
    auto issued = issue(spec, ca.cert.get(), ca.key.get());
    if (!issued) {
        return issued;
    }
    if (auto ok = writePair(issued->pem, certPath, keyPath); !ok) {
        return std::unexpected(ok.error());
    }
    log::info(Component, "issued {} (CN={})", certPath, spec.commonName);
    return issued;
}

Status prepareDirectory(const std::string& dir) {
    std::error_code error;
    bool created = std::filesystem::create_directories(dir, error);
    if (error) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", dir, error.message()));
    }
    if (created) {
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, error);
    }
    return {};
}

} // namespace

Result<Pki> Pki::loadOrCreate(const std::string& dir, std::vector<std::string> extraSans) {
    SystemClock clock;
    return loadOrCreate(dir, std::move(extraSans), clock);
}

Result<Pki> Pki::loadOrCreate(const std::string& dir, std::vector<std::string> extraSans,
                              const Clock& clock) {
    if (auto ok = prepareDirectory(dir); !ok) {
        return std::unexpected(ok.error());
    }
    const TimePoint now = clock.now();
    std::filesystem::path base(dir);
    Pki pki;
    pki.m_files = {
        .caCertificate = (base / "ca.crt").string(),
        .caKey = (base / "ca.key").string(),
        .servingCertificate = (base / "serving.crt").string(),
        .servingKey = (base / "serving.key").string(),
        .adminCertificate = (base / "admin.crt").string(),
        .adminKey = (base / "admin.key").string(),
    };
    const PkiFiles& files = pki.m_files;

    auto ca = loadOrCreateCa(files, now);
    if (!ca) {
        return std::unexpected(ca.error());
    }
    // Leaves never outlive the CA that vouches for them.
    TimePoint leafExpiry = now + LeafValidity;
    if (auto caExpiry = notAfter(ca->cert.get()); caExpiry && *caExpiry < leafExpiry) {
        leafExpiry = *caExpiry;
    }

    const std::vector<SubjectAltName> sans = requiredServingSans(extraSans);
    CertificateSpec servingSpec;
    servingSpec.role = CertificateRole::Server;
    servingSpec.commonName = std::string(ServingName);
    servingSpec.altNames = sans;
    servingSpec.notBefore = now - Backdate;
    servingSpec.notAfter = leafExpiry;
    auto serving = loadOrIssueLeaf(
        files.servingCertificate, files.servingKey, servingSpec, *ca,
        [&](const KeyPair& pair) { return servingProblem(pair, ca->cert.get(), now, sans); });
    if (!serving) {
        return std::unexpected(serving.error());
    }

    CertificateSpec adminSpec;
    adminSpec.role = CertificateRole::Client;
    adminSpec.commonName = std::string(AdminUser);
    adminSpec.organizations = {std::string(AdminGroup)};
    adminSpec.notBefore = now - Backdate;
    adminSpec.notAfter = leafExpiry;
    auto admin = loadOrIssueLeaf(
        files.adminCertificate, files.adminKey, adminSpec, *ca,
        [&](const KeyPair& pair) { return adminProblem(pair, ca->cert.get(), now); });
    if (!admin) {
        return std::unexpected(admin.error());
    }

    for (const SubjectAltName& name : subjectAltNames(serving->cert.get())) {
        pki.m_servingSans.push_back(name.value);
    }
    pki.m_caCertificatePem = ca->pem.certificatePem;
    pki.m_serving = std::move(serving->pem);
    pki.m_admin = std::move(admin->pem);
    pki.m_caCertificate = std::shared_ptr<X509>(ca->cert.release(), X509_free);
    pki.m_caKey = std::shared_ptr<EVP_PKEY>(ca->key.release(), EVP_PKEY_free);
    return pki;
}

Result<IssuedCert> Pki::issueClientCert(std::string commonName,
                                        std::vector<std::string> organizations,
                                        std::chrono::hours validity) const {
    if (commonName.empty()) {
        return fail(ErrorCode::InvalidArgument, "client certificate: commonName: required");
    }
    if (validity <= std::chrono::hours(0)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("client certificate {}: validity: must be positive", commonName));
    }
    const TimePoint now = std::chrono::system_clock::now();
    CertificateSpec spec;
    spec.role = CertificateRole::Client;
    spec.commonName = std::move(commonName);
    spec.organizations = std::move(organizations);
    spec.notBefore = now - Backdate;
    spec.notAfter = now + validity;
    if (auto caExpiry = notAfter(m_caCertificate.get()); caExpiry && *caExpiry < spec.notAfter) {
        spec.notAfter = *caExpiry;
    }
    auto issued = issue(spec, m_caCertificate.get(), m_caKey.get());
    if (!issued) {
        return std::unexpected(issued.error());
    }
    return std::move(issued->pem);
}

} // namespace pilot::auth
