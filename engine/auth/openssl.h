#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

/// Owning handles for the OpenSSL objects this component passes around, and the conversions
/// between them and PEM text. Nothing here throws; failures come back as null handles or empty
/// strings and `lastOpensslError()` says why.
namespace pilot::auth {

struct OpensslDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_STORE* p) const { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
    void operator()(X509_NAME* p) const { X509_NAME_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
    void operator()(BIO* p) const { BIO_free_all(p); }
    void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
    void operator()(SSL* p) const { SSL_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
};

using KeyPtr = std::unique_ptr<EVP_PKEY, OpensslDeleter>;
using CertPtr = std::unique_ptr<X509, OpensslDeleter>;
using StorePtr = std::unique_ptr<X509_STORE, OpensslDeleter>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter>;
using NamePtr = std::unique_ptr<X509_NAME, OpensslDeleter>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpensslDeleter>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter>;
using BioPtr = std::unique_ptr<BIO, OpensslDeleter>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslDeleter>;
using SslPtr = std::unique_ptr<SSL, OpensslDeleter>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter>;

/// Drains OpenSSL's thread-local error queue into one line (`reason; reason`), or "unknown
/// OpenSSL error" when it is empty.
[[nodiscard]] std::string lastOpensslError();

/// The first certificate in `pem`, or null.
[[nodiscard]] CertPtr certificateFromPem(std::string_view pem);
/// The private key in `pem` (PKCS#8, SEC1 or PKCS#1), or null.
[[nodiscard]] KeyPtr privateKeyFromPem(std::string_view pem);
/// PEM text of `cert`, or empty on failure.
[[nodiscard]] std::string certificateToPem(X509* cert);
/// Unencrypted PKCS#8 PEM (`BEGIN PRIVATE KEY`) of `key`, or empty on failure.
[[nodiscard]] std::string privateKeyToPem(EVP_PKEY* key);

} // namespace pilot::auth
