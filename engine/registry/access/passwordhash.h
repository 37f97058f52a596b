#pragma once

#include <string>
#include <string_view>

namespace pilot::registry {

/// `password` hashed with PBKDF2-HMAC-SHA256 (OpenSSL) and a fresh random salt, encoded as
/// `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`.
[[nodiscard]] std::string hashPassword(std::string_view password);
/// Whether `password` matches `encoded` (from hashPassword); compared in constant time. False
/// for anything that is not such an encoding.
[[nodiscard]] bool verifyPassword(std::string_view password, std::string_view encoded);
/// A random secret of `length` characters from [A-Za-z0-9], at least one of each class (Harbor's
/// robot secrets).
[[nodiscard]] std::string randomSecret(size_t length = 32);

} // namespace pilot::registry
