#include "engine/auth/tlscontext.h"

#include "engine/auth/authenticator.h"
#include "engine/auth/openssl.h"
#include "engine/auth/pki.h"
#include "tests/unit/auth/tempdir.h"

#include <gtest/gtest.h>
#include <openssl/err.h>

using namespace pilot;
using namespace pilot::auth;
using pilot::auth::test::TempDir;

namespace {

/// A client and a server SSL joined by an in-memory BIO pair, driven in turn on one thread.
struct Connection {
    SslPtr client;
    SslPtr server;
    bool clientFailed = false;
    bool serverFailed = false;
    long clientVerifyResult = X509_V_OK;

    [[nodiscard]] bool established() const { return !clientFailed && !serverFailed; }

    /// Sends `text` one way and returns what arrived on the other side.
    std::string send(SSL* from, SSL* to, std::string_view text) {
        std::string received;
        if (SSL_write(from, text.data(), static_cast<int>(text.size())) <= 0) {
            return "<write failed>";
        }
        char buffer[256];
        for (int round = 0; round < 20 && received.size() < text.size(); ++round) {
            int got = SSL_read(to, buffer, sizeof(buffer));
            if (got > 0) {
                received.append(buffer, static_cast<size_t>(got));
                continue;
            }
            int error = SSL_get_error(to, got);
            if (error != SSL_ERROR_WANT_READ) {
                return "<read failed>";
            }
            // The peer may need to process handshake messages (TLS 1.3 tickets) first.
            SSL_read(from, buffer, 0);
        }
        return received;
    }
};

bool step(SSL* ssl, bool& done, bool& failed) {
    if (done || failed) {
        return false;
    }
    int rc = SSL_do_handshake(ssl);
    if (rc == 1) {
        done = true;
        return true;
    }
    int error = SSL_get_error(ssl, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        failed = true;
    }
    return false;
}

Connection connect(SSL_CTX* clientCtx, SSL_CTX* serverCtx, std::string_view host,
                   SSL_SESSION* resume = nullptr) {
    Connection c;
    c.client.reset(SSL_new(clientCtx));
    c.server.reset(SSL_new(serverCtx));
    BIO* clientBio = nullptr;
    BIO* serverBio = nullptr;
    BIO_new_bio_pair(&clientBio, 0, &serverBio, 0);
    SSL_set_bio(c.client.get(), clientBio, clientBio);
    SSL_set_bio(c.server.get(), serverBio, serverBio);
    SSL_set_connect_state(c.client.get());
    SSL_set_accept_state(c.server.get());
    EXPECT_TRUE(prepareClientSsl(c.client.get(), host).has_value());
    if (resume != nullptr) {
        SSL_set_session(c.client.get(), resume);
    }
    bool clientDone = false;
    bool serverDone = false;
    for (int round = 0; round < 50 && !(clientDone && serverDone); ++round) {
        step(c.client.get(), clientDone, c.clientFailed);
        step(c.server.get(), serverDone, c.serverFailed);
        if (c.clientFailed || c.serverFailed) {
            break;
        }
    }
    // With TLS 1.3 the client finishes first and the server judges its certificate afterwards.
    if (!c.clientFailed && !c.serverFailed && !(clientDone && serverDone)) {
        c.serverFailed = !serverDone;
        c.clientFailed = !clientDone;
    }
    c.clientVerifyResult = SSL_get_verify_result(c.client.get());
    ERR_clear_error();
    return c;
}

class TlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pki = Pki::loadOrCreate(m_temp.file("pki"));
        ASSERT_TRUE(pki.has_value()) << pki.error().message;
        m_pki.emplace(std::move(*pki));
        auto server = newServerTlsContext(*m_pki);
        ASSERT_TRUE(server.has_value()) << server.error().message;
        m_server = std::move(*server);
    }

    SslCtxPtr clientContext(const IssuedCert* credential) {
        SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
        auto ok = configureClientTls(ctx.get(), m_pki->caCertificatePem(),
                                     credential ? credential->certificatePem : "",
                                     credential ? credential->privateKeyPem : "");
        EXPECT_TRUE(ok.has_value()) << ok.error().message;
        return ctx;
    }

    TempDir m_temp;
    std::optional<Pki> m_pki;
    SslCtxPtr m_server;
    Authenticator m_authenticator;
};

} // namespace

TEST_F(TlsTest, AdminCertificateAuthenticatesAsSystemMasters) {
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        SslCtxPtr client = clientContext(&m_pki->admin());
        SSL_CTX_set_max_proto_version(client.get(), version);
        Connection c = connect(client.get(), m_server.get(), "localhost");
        ASSERT_TRUE(c.established()) << "version " << version;
        EXPECT_EQ(SSL_version(c.server.get()), version);

        EXPECT_EQ(c.send(c.client.get(), c.server.get(), "GET /api"), "GET /api");
        EXPECT_EQ(c.send(c.server.get(), c.client.get(), "200 OK"), "200 OK");
        auto user = m_authenticator.fromSsl(c.server.get());
        ASSERT_TRUE(user.has_value());
        EXPECT_EQ(user->name, "pilothouse-admin");
        EXPECT_EQ(user->groups,
                  (std::vector<std::string>{"system:masters", "system:authenticated"}));
    }
}

TEST_F(TlsTest, ServingCertificateMatchesLoopbackNamesOnly) {
    struct Case {
        std::string host;
        bool accepted;
        long verifyError = X509_V_OK;
    };
    const std::vector<Case> cases = {
        {"localhost", true},
        {"127.0.0.1", true},
        {"::1", true},
        {"[::1]", true},
        {"evil.example.test", false, X509_V_ERR_HOSTNAME_MISMATCH},
        {"192.0.2.99", false, X509_V_ERR_IP_ADDRESS_MISMATCH},
    };
    SslCtxPtr client = clientContext(nullptr);
    for (const Case& host : cases) {
        Connection c = connect(client.get(), m_server.get(), host.host);
        EXPECT_EQ(c.established(), host.accepted) << host.host;
        if (!host.accepted) {
            EXPECT_TRUE(c.clientFailed) << host.host;
            EXPECT_EQ(c.clientVerifyResult, host.verifyError) << host.host;
        }
    }
}

TEST_F(TlsTest, ClientWithoutCertificateConnectsAnonymously) {
    SslCtxPtr client = clientContext(nullptr);
    Connection c = connect(client.get(), m_server.get(), "127.0.0.1");
    ASSERT_TRUE(c.established());
    EXPECT_EQ(c.send(c.client.get(), c.server.get(), "GET /healthz"), "GET /healthz");
    EXPECT_FALSE(m_authenticator.fromSsl(c.server.get()).has_value());
}

TEST_F(TlsTest, CertificatesFromAnotherCaOrForServingAreRefused) {
    TempDir otherDir;
    auto other = Pki::loadOrCreate(otherDir.path().string());
    ASSERT_TRUE(other.has_value()) << other.error().message;

    // Another engine's admin: the client trusts our server, but our server does not trust it.
    SslCtxPtr foreign = clientContext(&other->admin());
    Connection rejected = connect(foreign.get(), m_server.get(), "localhost");
    EXPECT_TRUE(rejected.serverFailed);
    EXPECT_FALSE(m_authenticator.fromSsl(rejected.server.get()).has_value());

    // Our own serving certificate lacks clientAuth, so it cannot log in either.
    SslCtxPtr misused = clientContext(&m_pki->serving());
    Connection wrongUse = connect(misused.get(), m_server.get(), "localhost");
    EXPECT_TRUE(wrongUse.serverFailed);
}

TEST_F(TlsTest, ClientThatDoesNotTrustTheCaFails) {
    TempDir otherDir;
    auto other = Pki::loadOrCreate(otherDir.path().string());
    ASSERT_TRUE(other.has_value()) << other.error().message;
    SslCtxPtr client(SSL_CTX_new(TLS_client_method()));
    ASSERT_TRUE(configureClientTls(client.get(), other->caCertificatePem()).has_value());
    Connection c = connect(client.get(), m_server.get(), "localhost");
    EXPECT_TRUE(c.clientFailed);
    EXPECT_NE(c.clientVerifyResult, X509_V_OK);
}

TEST_F(TlsTest, NegotiatesHttp11EvenWhenTheClientPrefersH2) {
    struct Case {
        std::vector<unsigned char> offered;
        std::string selected;
    };
    const std::vector<Case> cases = {
        {{2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}, "http/1.1"},
        {{8, 'h', 't', 't', 'p', '/', '1', '.', '1'}, "http/1.1"},
        {{2, 'h', '2'}, ""},
        {{}, ""},
    };
    for (const Case& alpn : cases) {
        SslCtxPtr client = clientContext(nullptr);
        ASSERT_EQ(SSL_CTX_set_alpn_protos(client.get(), alpn.offered.data(),
                                          static_cast<unsigned int>(alpn.offered.size())),
                  0);
        Connection c = connect(client.get(), m_server.get(), "localhost");
        ASSERT_TRUE(c.established()) << alpn.selected;
        const unsigned char* selected = nullptr;
        unsigned int length = 0;
        SSL_get0_alpn_selected(c.client.get(), &selected, &length);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(selected), length), alpn.selected);
    }
}

TEST_F(TlsTest, RefusesTls11) {
    SslCtxPtr client = clientContext(&m_pki->admin());
    SSL_CTX_set_security_level(client.get(), 0);
    SSL_CTX_set_cipher_list(client.get(), "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_min_proto_version(client.get(), TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(client.get(), TLS1_1_VERSION);
    Connection c = connect(client.get(), m_server.get(), "localhost");
    EXPECT_TRUE(c.serverFailed);
    EXPECT_FALSE(c.established());
}

TEST_F(TlsTest, ResumedSessionsKeepTheClientIdentity) {
    for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        SslCtxPtr client = clientContext(&m_pki->admin());
        SSL_CTX_set_max_proto_version(client.get(), version);
        SSL_CTX_set_session_cache_mode(client.get(), SSL_SESS_CACHE_CLIENT);
        Connection first = connect(client.get(), m_server.get(), "localhost");
        ASSERT_TRUE(first.established());
        // Reading application data lets the TLS 1.3 client take in the session ticket.
        ASSERT_EQ(first.send(first.server.get(), first.client.get(), "hello"), "hello");
        SSL_SESSION* session = SSL_get1_session(first.client.get());
        ASSERT_NE(session, nullptr);

        Connection second = connect(client.get(), m_server.get(), "localhost", session);
        SSL_SESSION_free(session);
        ASSERT_TRUE(second.established()) << "version " << version;
        EXPECT_TRUE(SSL_session_reused(second.client.get())) << "version " << version;
        auto user = m_authenticator.fromSsl(second.server.get());
        ASSERT_TRUE(user.has_value()) << "version " << version;
        EXPECT_EQ(user->name, "pilothouse-admin");
    }
}
