#include "nodeagent/server/servingcert.h"

#include "engine/auth/certificate.h"
#include "engine/auth/openssl.h"
#include "nodeagent/runtime/fileutil.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace pilot::agent {

namespace {

constexpr auto Validity = std::chrono::hours(24 * 365);
constexpr auto RenewBefore = std::chrono::hours(24 * 30);

std::vector<auth::SubjectAltName> wantedNames(const std::string& nodeName,
                                              const std::vector<std::string>& addresses) {
    std::vector<auth::SubjectAltName> names{auth::parseSubjectAltName(nodeName),
                                            auth::parseSubjectAltName("localhost"),
                                            auth::parseSubjectAltName("127.0.0.1")};
    for (const auto& a : addresses) {
        names.push_back(auth::parseSubjectAltName(a));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

} // namespace

Result<ServingCertificate> ensureServingCertificate(const std::string& dir,
                                                    const std::string& nodeName,
                                                    const std::vector<std::string>& addresses) {
    if (auto made = makeDirectories(dir, 0700); !made) {
        return std::unexpected(made.error());
    }
    std::string certPath = dir + "/kubelet.crt";
    std::string keyPath = dir + "/kubelet.key";
    auto wanted = wantedNames(nodeName, addresses);
    auto now = std::chrono::system_clock::now();
    auto existingCert = readFile(certPath);
    auto existingKey = readFile(keyPath);
    if (existingCert && existingKey) {
        auth::CertPtr cert = auth::certificateFromPem(*existingCert);
        auth::KeyPtr key = auth::privateKeyFromPem(*existingKey);
        if (cert && key && auth::keyMatches(cert.get(), key.get())) {
            auto names = auth::subjectAltNames(cert.get());
            std::sort(names.begin(), names.end());
            auto expires = auth::notAfter(cert.get());
            if (names == wanted && expires && *expires - now > RenewBefore) {
                return ServingCertificate{*existingCert, *existingKey};
            }
        }
    }
    auth::KeyPtr caKey = auth::generateKey();
    auth::KeyPtr key = auth::generateKey();
    if (!caKey || !key) {
        return fail(ErrorCode::Internal, "serving certificate: " + auth::lastOpensslError());
    }
    auth::CertificateSpec caSpec;
    caSpec.role = auth::CertificateRole::Authority;
    caSpec.commonName =
        fmt::format("{}-ca@{}", nodeName, std::chrono::system_clock::to_time_t(now));
    caSpec.notBefore = now - std::chrono::hours(1);
    caSpec.notAfter = now + Validity;
    auto ca = auth::signCertificate(caSpec, caKey.get(), nullptr, nullptr);
    if (!ca) {
        return std::unexpected(ca.error());
    }
    auth::CertificateSpec spec;
    spec.role = auth::CertificateRole::Server;
    spec.commonName = fmt::format("{}@{}", nodeName, std::chrono::system_clock::to_time_t(now));
    spec.altNames = wanted;
    spec.notBefore = now - std::chrono::hours(1);
    spec.notAfter = now + Validity;
    auto cert = auth::signCertificate(spec, key.get(), ca->get(), caKey.get());
    if (!cert) {
        return std::unexpected(cert.error());
    }
    ServingCertificate out{auth::certificateToPem(cert->get()) + auth::certificateToPem(ca->get()),
                           auth::privateKeyToPem(key.get())};
    if (auto written =
            writeFileAtomically(dir + "/kubelet-ca.crt", auth::certificateToPem(ca->get()));
        !written) {
        return std::unexpected(written.error());
    }
    if (auto written = writeFileAtomically(keyPath, out.keyPem, 0600); !written) {
        return std::unexpected(written.error());
    }
    if (auto written = writeFileAtomically(certPath, out.certificatePem); !written) {
        return std::unexpected(written.error());
    }
    return out;
}

} // namespace pilot::agent
