#pragma once

#include "core/error.h"

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pilot::agent::image {

/// A content digest `algorithm:hex`. Only sha256 is accepted (the algorithm every registry and
/// client speaks; sha512 content is rare enough to refuse with a clear message).
struct Digest {
    std::string algorithm = "sha256";
    std::string hex; ///< 64 lower-case hex digits.

    [[nodiscard]] std::string str() const { return algorithm + ":" + hex; }
    [[nodiscard]] bool empty() const { return hex.empty(); }
    friend bool operator==(const Digest&, const Digest&) = default;
    friend auto operator<=>(const Digest&, const Digest&) = default;
};

/// Parses `sha256:<64 hex>`. InvalidArgument names the text for anything else.
[[nodiscard]] Result<Digest> parseDigest(std::string_view text);

/// Incremental SHA-256 (OpenSSL EVP). Not copyable; one instance per stream.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    /// The digest of everything fed so far; the hasher must not be updated afterwards.
    [[nodiscard]] Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// SHA-256 of a whole buffer.
[[nodiscard]] Digest sha256Of(std::string_view data);

} // namespace pilot::agent::image
