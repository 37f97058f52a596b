#include "engine/auth/pki.h"

#include "engine/auth/atomicfile.h"
#include "engine/auth/certificate.h"
#include "engine/auth/hostnames.h"
#include "engine/auth/openssl.h"
#include "tests/unit/auth/tempdir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace pilot;
using namespace pilot::auth;
using namespace std::chrono_literals;
using pilot::auth::test::TempDir;

namespace {

constexpr auto Day = std::chrono::hours(24);

/// X509_verify_cert of `leaf` against `ca` alone, for the given purpose (X509_PURPOSE_*).
int verifyAgainst(const std::string& leafPem, const std::string& caPem, int purpose) {
    CertPtr leaf = certificateFromPem(leafPem);
    CertPtr ca = certificateFromPem(caPem);
    if (!leaf || !ca) {
        return -1;
    }
    StorePtr store(X509_STORE_new());
    X509_STORE_add_cert(store.get(), ca.get());
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), purpose);
    if (X509_verify_cert(ctx.get()) == 1) {
        return X509_V_OK;
    }
    return X509_STORE_CTX_get_error(ctx.get());
}

std::filesystem::perms permissionsOf(const std::string& path) {
    return std::filesystem::status(path).permissions() & std::filesystem::perms::mask;
}

TimePoint expiryOf(const std::string& pem) {
    CertPtr cert = certificateFromPem(pem);
    auto expiry = notAfter(cert.get());
    return expiry ? *expiry : TimePoint{};
}

std::vector<std::string> sansOf(const std::string& pem) {
    std::vector<std::string> names;
    CertPtr cert = certificateFromPem(pem);
    for (const SubjectAltName& name : subjectAltNames(cert.get())) {
        names.push_back(name.value);
    }
    return names;
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::ranges::find(list, value) != list.end();
}

bool criticalExtension(X509* cert, int nid) {
    int index = X509_get_ext_by_NID(cert, nid, -1);
    return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

} // namespace

TEST(Pki, FirstStartCreatesCaServingAndAdminWithPrivateKeys) {
    TempDir temp;
    const std::string dir = temp.file("pki");
    auto pki = Pki::loadOrCreate(dir);
    ASSERT_TRUE(pki.has_value()) << pki.error().message;

    const PkiFiles& files = pki->files();
    for (const std::string& key : {files.caKey, files.servingKey, files.adminKey}) {
        ASSERT_TRUE(std::filesystem::exists(key)) << key;
        EXPECT_EQ(permissionsOf(key),
                  std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
            << key;
    }
    for (const std::string& cert :
         {files.caCertificate, files.servingCertificate, files.adminCertificate}) {
        ASSERT_TRUE(std::filesystem::exists(cert)) << cert;
    }
    EXPECT_EQ(permissionsOf(dir), std::filesystem::perms::owner_all);
    EXPECT_EQ(readWholeFile(files.caCertificate).value(), pki->caCertificatePem());
    EXPECT_EQ(readWholeFile(files.adminKey).value(), pki->admin().privateKeyPem);
    // No temporary files are left next to the real ones.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
        ++entries;
    }
    EXPECT_EQ(entries, 6);
}

TEST(Pki, ReloadKeepsTheSameCaAndCredentials) {
    TempDir temp;
    auto first = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(first.has_value()) << first.error().message;
    auto second = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(second.has_value()) << second.error().message;

    EXPECT_EQ(second->caCertificatePem(), first->caCertificatePem());
    EXPECT_EQ(second->serving().certificatePem, first->serving().certificatePem);
    EXPECT_EQ(second->admin().certificatePem, first->admin().certificatePem);
    EXPECT_EQ(second->admin().privateKeyPem, first->admin().privateKeyPem);
}

TEST(Pki, CaIsATenYearP256AuthorityThatOnlySignsCertificatesAndCrls) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(pki.has_value()) << pki.error().message;
    CertPtr ca = certificateFromPem(pki->caCertificatePem());
    ASSERT_TRUE(ca);

    EXPECT_EQ(X509_check_ca(ca.get()), 1);
    EXPECT_TRUE(criticalExtension(ca.get(), NID_basic_constraints));
    EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
    auto lifetime = expiryOf(pki->caCertificatePem()) - std::chrono::system_clock::now();
    EXPECT_GT(lifetime, 3649 * Day);
    EXPECT_LT(lifetime, 3651 * Day);

    EVP_PKEY* key = X509_get0_pubkey(ca.get());
    ASSERT_NE(key, nullptr);
    EXPECT_TRUE(EVP_PKEY_is_a(key, "EC"));
    char group[64] = {};
    ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), nullptr), 1);
    EXPECT_STREQ(group, "prime256v1");
    EXPECT_EQ(verifyAgainst(pki->caCertificatePem(), pki->caCertificatePem(), X509_PURPOSE_ANY),
              X509_V_OK);
}

TEST(Pki, ServingCertificateVerifiesAgainstTheCaAndCoversThisHost) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string(), {"api.example.test", "192.0.2.10"});
    ASSERT_TRUE(pki.has_value()) << pki.error().message;

    EXPECT_EQ(verifyAgainst(pki->serving().certificatePem, pki->caCertificatePem(),
                            X509_PURPOSE_SSL_SERVER),
              X509_V_OK);
    CertPtr serving = certificateFromPem(pki->serving().certificatePem);
    EXPECT_EQ(X509_check_host(serving.get(), "localhost", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(serving.get(), "127.0.0.1", 0), 1);
    EXPECT_EQ(X509_check_ip_asc(serving.get(), "::1", 0), 1);
    EXPECT_EQ(X509_check_host(serving.get(), "api.example.test", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_ip_asc(serving.get(), "192.0.2.10", 0), 1);
    EXPECT_NE(X509_check_host(serving.get(), "elsewhere.example.test", 0, 0, nullptr), 1);

    std::vector<std::string> sans = sansOf(pki->serving().certificatePem);
    EXPECT_EQ(sans, pki->servingSans());
    for (const SubjectAltName& host : hostSubjectAltNames()) {
        EXPECT_TRUE(contains(sans, host.value)) << host.value;
    }
    char hostName[256] = {};
    ASSERT_EQ(gethostname(hostName, sizeof(hostName) - 1), 0);
    EXPECT_TRUE(contains(sans, parseSubjectAltName(hostName).value));

    EXPECT_TRUE(X509_get_extended_key_usage(serving.get()) & XKU_SSL_SERVER);
    EXPECT_FALSE(X509_get_extended_key_usage(serving.get()) & XKU_SSL_CLIENT);
    EXPECT_EQ(X509_check_ca(serving.get()), 0);
    auto lifetime = expiryOf(pki->serving().certificatePem) - std::chrono::system_clock::now();
    EXPECT_GT(lifetime, 364 * Day);
    EXPECT_LT(lifetime, 366 * Day);
}

TEST(Pki, AdminCredentialIsAClientCertificateForSystemMasters) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(pki.has_value()) << pki.error().message;
    CertPtr admin = certificateFromPem(pki->admin().certificatePem);
    ASSERT_TRUE(admin);

    const X509_NAME* subject = X509_get_subject_name(admin.get());
    EXPECT_EQ(nameEntries(subject, NID_commonName), std::vector<std::string>{"pilothouse-admin"});
    EXPECT_EQ(nameEntries(subject, NID_organizationName),
              std::vector<std::string>{"system:masters"});
    EXPECT_TRUE(X509_get_extended_key_usage(admin.get()) & XKU_SSL_CLIENT);
    EXPECT_EQ(verifyAgainst(pki->admin().certificatePem, pki->caCertificatePem(),
                            X509_PURPOSE_SSL_CLIENT),
              X509_V_OK);
    EXPECT_NE(verifyAgainst(pki->admin().certificatePem, pki->caCertificatePem(),
                            X509_PURPOSE_SSL_SERVER),
              X509_V_OK);
    KeyPtr key = privateKeyFromPem(pki->admin().privateKeyPem);
    ASSERT_TRUE(key);
    EXPECT_TRUE(keyMatches(admin.get(), key.get()));
}

TEST(Pki, ReissuesLeavesThatExpireWithinThirtyDaysButKeepsTheCa) {
    TempDir temp;
    // Issued 340 days ago: 25 days of validity left today.
    ManualClock past(std::chrono::system_clock::now() - 340 * Day);
    auto old = Pki::loadOrCreate(temp.path().string(), {}, past);
    ASSERT_TRUE(old.has_value()) << old.error().message;

    auto renewed = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(renewed.has_value()) << renewed.error().message;
    EXPECT_EQ(renewed->caCertificatePem(), old->caCertificatePem());
    EXPECT_NE(renewed->serving().certificatePem, old->serving().certificatePem);
    EXPECT_NE(renewed->admin().certificatePem, old->admin().certificatePem);
    EXPECT_GT(expiryOf(renewed->serving().certificatePem) - std::chrono::system_clock::now(),
              364 * Day);
    EXPECT_EQ(verifyAgainst(renewed->serving().certificatePem, renewed->caCertificatePem(),
                            X509_PURPOSE_SSL_SERVER),
              X509_V_OK);
    EXPECT_EQ(readWholeFile(renewed->files().servingCertificate).value(),
              renewed->serving().certificatePem);
}

TEST(Pki, KeepsLeavesWithMoreThanThirtyDaysLeft) {
    TempDir temp;
    ManualClock past(std::chrono::system_clock::now() - 300 * Day); // 65 days left
    auto old = Pki::loadOrCreate(temp.path().string(), {}, past);
    ASSERT_TRUE(old.has_value()) << old.error().message;
    auto again = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->serving().certificatePem, old->serving().certificatePem);
    EXPECT_EQ(again->admin().certificatePem, old->admin().certificatePem);
}

TEST(Pki, ReissuesServingCertificateOnlyWhenItsSansNoLongerCoverTheRequiredNames) {
    TempDir temp;
    auto first = Pki::loadOrCreate(temp.path().string(), {"pilot.example.test"});
    ASSERT_TRUE(first.has_value()) << first.error().message;

    // Fewer names required: the existing certificate still covers them.
    auto fewer = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(fewer.has_value()) << fewer.error().message;
    EXPECT_EQ(fewer->serving().certificatePem, first->serving().certificatePem);

    auto moved = Pki::loadOrCreate(temp.path().string(), {"2001:db8::7"});
    ASSERT_TRUE(moved.has_value()) << moved.error().message;
    EXPECT_NE(moved->serving().certificatePem, first->serving().certificatePem);
    EXPECT_EQ(moved->admin().certificatePem, first->admin().certificatePem);
    std::vector<std::string> sans = sansOf(moved->serving().certificatePem);
    EXPECT_TRUE(contains(sans, "2001:db8::7"));
    EXPECT_FALSE(contains(sans, "pilot.example.test"));
}

TEST(Pki, ReissuesLeavesThatAreBrokenOrFromAnotherCa) {
    TempDir temp;
    TempDir otherTemp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    auto other = Pki::loadOrCreate(otherTemp.path().string());
    ASSERT_TRUE(pki.has_value() && other.has_value());

    // serving.* from a foreign CA, admin.crt truncated.
    std::filesystem::copy_file(other->files().servingCertificate, pki->files().servingCertificate,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(other->files().servingKey, pki->files().servingKey,
                               std::filesystem::copy_options::overwrite_existing);
    std::ofstream(pki->files().adminCertificate, std::ios::trunc) << "-----BEGIN CERTIFICATE";

    auto repaired = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(repaired.has_value()) << repaired.error().message;
    EXPECT_EQ(repaired->caCertificatePem(), pki->caCertificatePem());
    EXPECT_EQ(verifyAgainst(repaired->serving().certificatePem, pki->caCertificatePem(),
                            X509_PURPOSE_SSL_SERVER),
              X509_V_OK);
    EXPECT_EQ(verifyAgainst(repaired->admin().certificatePem, pki->caCertificatePem(),
                            X509_PURPOSE_SSL_CLIENT),
              X509_V_OK);
}

TEST(Pki, RefusesToReplaceAHalfPresentCa) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(pki.has_value()) << pki.error().message;
    const std::string caPem = pki->caCertificatePem();
    std::filesystem::remove(pki->files().caKey);

    auto broken = Pki::loadOrCreate(temp.path().string());
    ASSERT_FALSE(broken.has_value());
    EXPECT_NE(broken.error().message.find("ca.key"), std::string::npos) << broken.error().message;
    EXPECT_EQ(readWholeFile(pki->files().caCertificate).value(), caPem);
    EXPECT_FALSE(std::filesystem::exists(pki->files().caKey));
}

TEST(Pki, IssuesClientCertificatesForOtherIdentities) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(pki.has_value()) << pki.error().message;

    auto node = pki->issueClientCert("system:node:worker-1", {"system:nodes", "pilot:agents"}, 48h);
    ASSERT_TRUE(node.has_value()) << node.error().message;
    EXPECT_EQ(verifyAgainst(node->certificatePem, pki->caCertificatePem(), X509_PURPOSE_SSL_CLIENT),
              X509_V_OK);
    CertPtr cert = certificateFromPem(node->certificatePem);
    KeyPtr key = privateKeyFromPem(node->privateKeyPem);
    ASSERT_TRUE(cert && key);
    EXPECT_TRUE(keyMatches(cert.get(), key.get()));
    const X509_NAME* subject = X509_get_subject_name(cert.get());
    EXPECT_EQ(nameEntries(subject, NID_commonName),
              std::vector<std::string>{"system:node:worker-1"});
    EXPECT_EQ(nameEntries(subject, NID_organizationName),
              (std::vector<std::string>{"system:nodes", "pilot:agents"}));
    auto lifetime = expiryOf(node->certificatePem) - std::chrono::system_clock::now();
    EXPECT_GT(lifetime, 47h);
    EXPECT_LE(lifetime, 48h);

    EXPECT_EQ(pki->issueClientCert("", {}, 1h).error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(pki->issueClientCert("x", {}, 0h).error().code, ErrorCode::InvalidArgument);
}

TEST(SubjectAltName, ParsesAddressesCanonicallyAndNamesInLowerCase) {
    struct Case {
        std::string input;
        SubjectAltName::Kind kind;
        std::string value;
    };
    const std::vector<Case> cases = {
        {"127.0.0.1", SubjectAltName::Kind::Ip, "127.0.0.1"},
        {"0:0:0:0:0:0:0:1", SubjectAltName::Kind::Ip, "::1"},
        {"[2001:DB8::1]", SubjectAltName::Kind::Ip, "2001:db8::1"},
        {"My-Laptop.Local", SubjectAltName::Kind::Dns, "my-laptop.local"},
        {"localhost", SubjectAltName::Kind::Dns, "localhost"},
    };
    for (const Case& c : cases) {
        SubjectAltName name = parseSubjectAltName(c.input);
        EXPECT_EQ(name.kind, c.kind) << c.input;
        EXPECT_EQ(name.value, c.value) << c.input;
    }
}
