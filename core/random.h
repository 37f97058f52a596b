#pragma once

#include <string>

namespace pilot {

/// A random RFC 4122 version 4 UUID, from the OS's CSPRNG.
[[nodiscard]] std::string newUuid();
/// `n` random characters from Kubernetes' name-suffix alphabet `bcdfghjklmnpqrstvwxz2456789`.
[[nodiscard]] std::string randomNameSuffix(size_t n);
/// `bytes` random bytes, hex encoded.
[[nodiscard]] std::string randomHex(size_t bytes);

} // namespace pilot
