#pragma once

#include "core/error.h"

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pilot::registry {

enum class DigestAlgorithm { Sha256, Sha512 };

/// A content digest `algorithm:encoded` (OCI image-spec "Digests") of an algorithm the registry
/// can verify: `sha256:` + 64 lower-case hex digits or `sha512:` + 128. Immutable value.
class Digest {
public:
    /// InvalidArgument for text that is not a digest, and for a well-formed digest of an
    /// algorithm the registry does not support (the message says which).
    [[nodiscard]] static Result<Digest> parse(std::string_view text);
    /// The SHA-256 digest of `bytes`.
    [[nodiscard]] static Digest sha256(std::string_view bytes);
    /// The digest of `bytes` with `algorithm`.
    [[nodiscard]] static Digest of(DigestAlgorithm algorithm, std::string_view bytes);

    [[nodiscard]] DigestAlgorithm algorithm() const { return m_algorithm; }
    /// `sha256` or `sha512`.
    [[nodiscard]] std::string_view algorithmName() const;
    /// The encoded part after the colon (hex).
    [[nodiscard]] std::string_view hex() const;
    /// The whole `algorithm:hex` text.
    [[nodiscard]] const std::string& str() const { return m_text; }

    friend bool operator==(const Digest& a, const Digest& b) { return a.m_text == b.m_text; }

private:
    friend class Hasher;
    Digest(DigestAlgorithm algorithm, std::string text)
        : m_algorithm(algorithm), m_text(std::move(text)) {}

    DigestAlgorithm m_algorithm;
    std::string m_text;
};

/// True when `text` has the shape of a digest (`alg:encoded` per the OCI grammar), whether or not
/// its algorithm is supported; used to tell a digest reference from a tag.
[[nodiscard]] bool looksLikeDigest(std::string_view text);

/// Incremental hashing with OpenSSL's EVP interface: `update` any number of times, then
/// `finish` once. Not thread-safe; movable.
class Hasher {
public:
    explicit Hasher(DigestAlgorithm algorithm = DigestAlgorithm::Sha256);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(std::string_view bytes);
    /// An independent copy of the current state (to resume from if later input is dropped).
    [[nodiscard]] Hasher clone() const;
    /// The digest of everything passed to `update`; the hasher must not be used afterwards.
    [[nodiscard]] Digest finish();
    [[nodiscard]] DigestAlgorithm algorithm() const { return m_algorithm; }

private:
    DigestAlgorithm m_algorithm;
    evp_md_ctx_st* m_ctx = nullptr;
};

} // namespace pilot::registry
