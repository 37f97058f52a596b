#include "engine/registry/storage/digest.h"

#include <openssl/evp.h>

#include <utility>

namespace pilot::registry {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

const EVP_MD* evpFor(DigestAlgorithm algorithm) {
    return algorithm == DigestAlgorithm::Sha512 ? EVP_sha512() : EVP_sha256();
}

size_t hexLength(DigestAlgorithm algorithm) {
    return algorithm == DigestAlgorithm::Sha512 ? 128 : 64;
}

bool isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// The OCI grammar: algorithm-component (`[a-z0-9]+`) joined by `+._-`, then `:`, then
/// `[a-zA-Z0-9=_-]+`.
bool wellFormed(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
        return false;
    }
    std::string_view algorithm = text.substr(0, colon);
    bool previousSeparator = true;
    for (char c : algorithm) {
        bool separator = c == '+' || c == '.' || c == '_' || c == '-';
        if (separator) {
            if (previousSeparator) {
                return false;
            }
        } else if (!isLowerAlnum(c)) {
            return false;
        }
        previousSeparator = separator;
    }
    if (previousSeparator) {
        return false;
    }
    for (char c : text.substr(colon + 1)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '=' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string toHex(const unsigned char* data, unsigned int size) {
    std::string out;
    out.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(HexDigits[data[i] >> 4]);
        out.push_back(HexDigits[data[i] & 0xf]);
    }
    return out;
}

} // namespace

bool looksLikeDigest(std::string_view text) {
    return wellFormed(text);
}

Result<Digest> Digest::parse(std::string_view text) {
    if (!wellFormed(text)) {
        return fail(ErrorCode::InvalidArgument, "invalid digest \"" + std::string(text) + "\"");
    }
    size_t colon = text.find(':');
    std::string_view algorithmName = text.substr(0, colon);
    std::string_view encoded = text.substr(colon + 1);
    DigestAlgorithm algorithm;
    if (algorithmName == "sha256") {
        algorithm = DigestAlgorithm::Sha256;
    } else if (algorithmName == "sha512") {
        algorithm = DigestAlgorithm::Sha512;
    } else {
        return fail(ErrorCode::InvalidArgument,
                    "unsupported digest algorithm \"" + std::string(algorithmName) + "\"");
    }
    if (encoded.size() != hexLength(algorithm)) {
        return fail(ErrorCode::InvalidArgument, "invalid digest \"" + std::string(text) +
                                                    "\": wrong length for " +
                                                    std::string(algorithmName));
    }
    for (char c : encoded) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return fail(ErrorCode::InvalidArgument,
                        "invalid digest \"" + std::string(text) + "\": not lower-case hex");
        }
    }
    return Digest(algorithm, std::string(text));
}

Digest Digest::sha256(std::string_view bytes) {
    return of(DigestAlgorithm::Sha256, bytes);
}

Digest Digest::of(DigestAlgorithm algorithm, std::string_view bytes) {
    Hasher hasher(algorithm);
    hasher.update(bytes);
    return hasher.finish();
}

std::string_view Digest::algorithmName() const {
    return m_algorithm == DigestAlgorithm::Sha512 ? "sha512" : "sha256";
}

std::string_view Digest::hex() const {
    return std::string_view(m_text).substr(m_text.find(':') + 1);
}

Hasher::Hasher(DigestAlgorithm algorithm) : m_algorithm(algorithm), m_ctx(EVP_MD_CTX_new()) {
    // Only allocation can fail here; a null context would be a bug worth stopping on.
    EVP_DigestInit_ex(m_ctx, evpFor(algorithm), nullptr);
}

Hasher::~Hasher() {
    EVP_MD_CTX_free(m_ctx);
}

Hasher::Hasher(Hasher&& other) noexcept
    : m_algorithm(other.m_algorithm), m_ctx(std::exchange(other.m_ctx, nullptr)) {}

Hasher& Hasher::operator=(Hasher&& other) noexcept {
    if (this != &other) {
        EVP_MD_CTX_free(m_ctx);
        m_algorithm = other.m_algorithm;
        m_ctx = std::exchange(other.m_ctx, nullptr);
    }
    return *this;
}

void Hasher::update(std::string_view bytes) {
    EVP_DigestUpdate(m_ctx, bytes.data(), bytes.size());
}

Hasher Hasher::clone() const {
    Hasher copy(m_algorithm);
    EVP_MD_CTX_copy_ex(copy.m_ctx, m_ctx);
    return copy;
}

Digest Hasher::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(m_ctx, out, &size);
    std::string name = m_algorithm == DigestAlgorithm::Sha512 ? "sha512:" : "sha256:";
    return Digest(m_algorithm, name + toHex(out, size));
}

} // namespace pilot::registry
