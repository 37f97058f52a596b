#include "engine/auth/openssl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace pilot::auth {

namespace {

BioPtr memoryBio(std::string_view data) {
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    if (size <= 0 || data == nullptr) {
        return {};
    }
    return std::string(data, static_cast<size_t>(size));
}

} // namespace

std::string lastOpensslError() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof(buffer));
        if (!text.empty()) {
            text += "; ";
        }
        text += buffer;
    }
    return text.empty() ? std::string("unknown OpenSSL error") : text;
}

CertPtr certificateFromPem(std::string_view pem) {
    BioPtr bio = memoryBio(pem);
    if (!bio) {
        return nullptr;
    }
    return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

KeyPtr privateKeyFromPem(std::string_view pem) {
    BioPtr bio = memoryBio(pem);
    if (!bio) {
        return nullptr;
    }
    return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string certificateToPem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
        return {};
    }
    return drain(bio.get());
}

std::string privateKeyToPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio ||
        PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        return {};
    }
    return drain(bio.get());
}

} // namespace pilot::auth
