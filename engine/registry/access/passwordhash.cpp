#include "engine/registry/access/passwordhash.h"

#include "core/base64.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <vector>

namespace pilot::registry {

namespace {

/// Enough to make offline guessing slow, cheap enough (a few ms) that HTTP Basic on each API
/// request stays affordable.
constexpr int Iterations = 10000;
constexpr size_t SaltBytes = 16;
constexpr size_t HashBytes = 32;
constexpr std::string_view Scheme = "pbkdf2-sha256";

std::string derive(std::string_view password, std::string_view salt, int iterations) {
    std::string out(HashBytes, '\0');
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), iterations, EVP_sha256(),
                      static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text.remove_prefix(at + 1);
    }
}

} // namespace

std::string hashPassword(std::string_view password) {
    std::string salt(SaltBytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size()));
    return fmt::format("{}${}${}${}", Scheme, Iterations, base64Encode(salt),
                       base64Encode(derive(password, salt, Iterations)));
}

bool verifyPassword(std::string_view password, std::string_view encoded) {
    std::vector<std::string_view> parts = split(encoded, '$');
    if (parts.size() != 4 || parts[0] != Scheme) {
        return false;
    }
    int iterations = 0;
    auto [end, ec] =
        std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
    if (ec != std::errc() || end != parts[1].data() + parts[1].size() || iterations <= 0) {
        return false;
    }
    std::optional<std::string> salt = base64Decode(parts[2]);
    std::optional<std::string> expected = base64Decode(parts[3]);
    if (!salt || !expected || expected->size() != HashBytes) {
        return false;
    }
    std::string given = derive(password, *salt, iterations);
    return CRYPTO_memcmp(given.data(), expected->data(), HashBytes) == 0;
}

std::string randomSecret(size_t length) {
    constexpr std::string_view Lower = "abcdefghijklmnopqrstuvwxyz";
    constexpr std::string_view Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    constexpr std::string_view Digits = "0123456789";
    const std::string alphabet = std::string(Lower) + std::string(Upper) + std::string(Digits);
    for (;;) {
        std::vector<unsigned char> bytes(length);
        RAND_bytes(bytes.data(), static_cast<int>(bytes.size()));
        std::string out;
        for (unsigned char b : bytes) {
            // 62 letters; 248 = 4 * 62 keeps the choice unbiased.
            if (b < 248) {
                out.push_back(alphabet[b % alphabet.size()]);
            }
        }
        if (out.size() < length) {
            continue;
        }
        bool lower = out.find_first_of(Lower) != std::string::npos;
        bool upper = out.find_first_of(Upper) != std::string::npos;
        bool digit = out.find_first_of(Digits) != std::string::npos;
        if (lower && upper && digit) {
            return out;
        }
    }
}

} // namespace pilot::registry
