#include "engine/auth/tlscontext.h"

#include "engine/auth/certificate.h"
#include "engine/auth/pki.h"

#include <fmt/format.h>

namespace pilot::auth {

namespace {

constexpr unsigned char Http11Alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr std::string_view SessionIdContext = "pilothouse";
// TLS 1.2 suites: forward secret AEAD only (TLS 1.3 suites are OpenSSL's defaults).
constexpr const char* Tls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

/// Picks `http/1.1` from the client's ALPN list; without it, no protocol is acknowledged and the
/// connection goes on as plain HTTPS.
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outLength, const unsigned char* in,
               unsigned int inLength, void*) {
    unsigned int pos = 0;
    while (pos < inLength) {
        unsigned int length = in[pos];
        if (pos + 1 + length > inLength) {
            break;
        }
        if (length == Http11Alpn[0] &&
            std::string_view(reinterpret_cast<const char*>(in + pos + 1), length) == "http/1.1") {
            *out = in + pos + 1;
            *outLength = static_cast<unsigned char>(length);
            return SSL_TLSEXT_ERR_OK;
        }
        pos += 1 + length;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

std::unexpected<Error> tlsError(std::string_view what) {
    return fail(ErrorCode::Internal, fmt::format("TLS {}: {}", what, lastOpensslError()));
}

Status commonSettings(SSL_CTX* ctx) {
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        return tlsError("minimum version");
    }
    if (SSL_CTX_set_cipher_list(ctx, Tls12Ciphers) != 1) {
        return tlsError("cipher list");
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    return {};
}

Status addTrustAnchor(SSL_CTX* ctx, std::string_view caPem, bool advertise) {
    CertPtr ca = certificateFromPem(caPem);
    if (!ca) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("TLS CA certificate: not PEM: {}", lastOpensslError()));
    }
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca.get()) != 1) {
        return tlsError("trust store");
    }
    // The CertificateRequest names the CA; Go clients send a certificate only when its issuer is
    // listed there.
    if (advertise && SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
        return tlsError("client CA list");
    }
    return {};
}

Status useCertificate(SSL_CTX* ctx, std::string_view certificatePem, std::string_view keyPem) {
    CertPtr cert = certificateFromPem(certificatePem);
    KeyPtr key = privateKeyFromPem(keyPem);
    if (!cert || !key) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("TLS certificate/key: not PEM: {}", lastOpensslError()));
    }
    if (SSL_CTX_use_certificate(ctx, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        return tlsError("certificate/key");
    }
    return {};
}

} // namespace

Status configureServerTls(SSL_CTX* ctx, const Pki& pki) {
    return configureServerTls(ctx, pki.serving().certificatePem, pki.serving().privateKeyPem,
                              pki.caCertificatePem());
}

Status configureServerTls(SSL_CTX* ctx, std::string_view certificatePem, std::string_view keyPem,
                          std::string_view clientCaPem) {
    if (ctx == nullptr) {
        return fail(ErrorCode::InvalidArgument, "TLS: no context");
    }
    if (auto ok = commonSettings(ctx); !ok) {
        return ok;
    }
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (auto ok = useCertificate(ctx, certificatePem, keyPem); !ok) {
        return ok;
    }
    if (auto ok = addTrustAnchor(ctx, clientCaPem, true); !ok) {
        return ok;
    }
    // Needed once client certificates are verified, or session resumption fails.
    if (SSL_CTX_set_session_id_context(
            ctx, reinterpret_cast<const unsigned char*>(SessionIdContext.data()),
            static_cast<unsigned int>(SessionIdContext.size())) != 1) {
        return tlsError("session id context");
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_verify_depth(ctx, 4);
    SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);
    return {};
}

Result<SslCtxPtr> newServerTlsContext(const Pki& pki) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) {
        return tlsError("new server context");
    }
    if (auto ok = configureServerTls(ctx.get(), pki); !ok) {
        return std::unexpected(ok.error());
    }
    return ctx;
}

Status configureClientTls(SSL_CTX* ctx, std::string_view caPem, std::string_view certificatePem,
                          std::string_view keyPem) {
    if (ctx == nullptr) {
        return fail(ErrorCode::InvalidArgument, "TLS: no context");
    }
    if (auto ok = commonSettings(ctx); !ok) {
        return ok;
    }
    if (caPem.empty()) {
        if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
            return tlsError("system trust store");
        }
    } else if (auto ok = addTrustAnchor(ctx, caPem, false); !ok) {
        return ok;
    }
    if (!certificatePem.empty() || !keyPem.empty()) {
        if (auto ok = useCertificate(ctx, certificatePem, keyPem); !ok) {
            return ok;
        }
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_set_alpn_protos(ctx, Http11Alpn, sizeof(Http11Alpn)) != 0) {
        return tlsError("ALPN");
    }
    return {};
}

Status prepareClientSsl(SSL* ssl, std::string_view host) {
    SubjectAltName name = parseSubjectAltName(host);
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (name.kind == SubjectAltName::Kind::Ip) {
        if (X509_VERIFY_PARAM_set1_ip_asc(param, name.value.c_str()) != 1) {
            return tlsError("expected server address");
        }
        return {};
    }
    if (SSL_set1_host(ssl, name.value.c_str()) != 1 ||
        SSL_set_tlsext_host_name(ssl, name.value.c_str()) != 1) {
        return tlsError("expected server name");
    }
    return {};
}

} // namespace pilot::auth
