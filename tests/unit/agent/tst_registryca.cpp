// --registry-ca bundles: read and checked once at agent start-up (nodeagent/image/registryhosts.h).
#include "nodeagent/image/registryhosts.h"

#include "core/clock.h"
#include "engine/auth/certificate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace pilot;
using namespace pilot::agent::image;
namespace fs = std::filesystem;

namespace {

std::string caPem(const std::string& name) {
    auto key = auth::generateKey();
    auth::CertificateSpec spec;
    spec.role = auth::CertificateRole::Authority;
    spec.commonName = name;
    spec.notBefore = std::chrono::system_clock::now() - std::chrono::minutes(1);
    spec.notAfter = spec.notBefore + std::chrono::hours(24);
    auto cert = auth::signCertificate(spec, key.get(), nullptr, nullptr);
    EXPECT_TRUE(cert) << cert.error().message;
    return auth::certificateToPem(cert->get());
}

class RegistryCa : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("pilot-registryca-" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& text) {
        std::string path = (m_dir / name).string();
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }

    fs::path m_dir;
};

} // namespace

TEST_F(RegistryCa, ReadsABundleOfCertificates) {
    std::string bundle = "# corporate and lab CAs\n" + caPem("one") + caPem("two") + "\n";
    auto read = readCaBundle(write("bundle.pem", bundle));
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, bundle);
}

TEST_F(RegistryCa, RefusesWhatIsNotACertificateBundle) {
    std::string good = caPem("good");
    std::string broken = good.substr(0, good.size() / 2) + "\n-----END CERTIFICATE-----\n";
    struct Case {
        std::string path;
        std::string message;
    };
    const std::vector<Case> cases = {
        {(m_dir / "missing.pem").string(), "cannot be read"},
        {write("empty.pem", ""), "no PEM certificate"},
        {write("text.pem", "not a certificate\n"), "no PEM certificate"},
        {write("broken.pem", broken), "certificate 1 does not parse"},
        {write("second-broken.pem", good + broken), "certificate 2 does not parse"},
    };
    for (const Case& c : cases) {
        auto read = readCaBundle(c.path);
        ASSERT_FALSE(read) << c.path;
        EXPECT_EQ(read.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(read.error().message.find(c.message), std::string::npos) << read.error().message;
        EXPECT_NE(read.error().message.find(c.path), std::string::npos)
            << "names the file: " << read.error().message;
    }
}
