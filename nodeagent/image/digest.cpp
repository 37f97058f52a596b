#include "nodeagent/image/digest.h"

#include <fmt/format.h>

#include <openssl/evp.h>

namespace pilot::agent::image {

namespace {

bool isLowerHex(std::string_view text) {
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

} // namespace

Result<Digest> parseDigest(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("digest \"{}\": expected algorithm:hex", text));
    }
    std::string_view algorithm = text.substr(0, colon);
    std::string_view hex = text.substr(colon + 1);
    if (algorithm != "sha256") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("digest \"{}\": unsupported algorithm \"{}\"", text, algorithm));
    }
    if (hex.size() != 64 || !isLowerHex(hex)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("digest \"{}\": expected 64 lower-case hex digits", text));
    }
    return Digest{std::string(algorithm), std::string(hex)};
}

struct Sha256::Impl {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
    m_impl->ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_impl->ctx);
}

void Sha256::update(const void* data, size_t size) {
    EVP_DigestUpdate(m_impl->ctx, data, size);
}

Digest Sha256::finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_impl->ctx, md.data(), &length);
    static constexpr char Hex[] = "0123456789abcdef";
    Digest digest;
    digest.hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        digest.hex.push_back(Hex[md[i] >> 4]);
        digest.hex.push_back(Hex[md[i] & 0xF]);
    }
    return digest;
}

Digest sha256Of(std::string_view data) {
    Sha256 hasher;
    hasher.update(data);
    return hasher.finish();
}

} // namespace pilot::agent::image
