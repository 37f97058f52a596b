#pragma once

#include "core/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace pilot::agent::image {

/// A fully qualified image reference as Docker normalises it: `busybox` ->
/// `docker.io/library/busybox:latest`, `localhost:5000/app@sha256:...`. A reference may carry
/// both a tag and a digest (`app:1.0@sha256:...`); the digest then decides what is pulled.
struct ImageReference {
    std::string domain; ///< `docker.io`, `registry.example.com:5000`, `[::1]:5000`.
    std::string path;   ///< Repository path inside the registry: `library/busybox`.
    std::string tag;    ///< Empty when only a digest was given.
    std::string digest; ///< `sha256:...` or empty.

    /// `domain/path`: the repository name as it appears in repoTags and repoDigests.
    [[nodiscard]] std::string repository() const { return domain + "/" + path; }
    /// The canonical full form: `domain/path[:tag][@digest]`.
    [[nodiscard]] std::string str() const;
    /// `domain/path:tag` (empty without a tag), as listed in ImageInfo::repoTags.
    [[nodiscard]] std::string tagged() const;
    /// `domain/path@digest` for a given manifest digest, as listed in ImageInfo::repoDigests.
    [[nodiscard]] std::string withDigest(std::string_view manifestDigest) const;
    /// Docker's short form (`busybox:1.36` for docker.io/library/busybox:1.36).
    [[nodiscard]] std::string familiar() const;
    /// The tag or digest sent to the registry's manifest endpoint (the digest when both exist).
    [[nodiscard]] std::string manifestReference() const { return digest.empty() ? tag : digest; }

    friend bool operator==(const ImageReference&, const ImageReference&) = default;
};

/// The default registry of unqualified names.
inline constexpr std::string_view DockerHubDomain = "docker.io";

/// Parses and normalises an image reference with Docker's rules: a first path component is a
/// registry host when it contains `.` or `:`, is `localhost`, or has upper-case letters;
/// `index.docker.io` becomes `docker.io`; Docker Hub single-component names get `library/`; a
/// missing tag and digest give `latest`. InvalidArgument names the offending part.
[[nodiscard]] Result<ImageReference> parseImageReference(std::string_view text);

/// Whether a tag may be pulled again by the default policy (`latest` or no tag).
[[nodiscard]] bool isLatestOrUntagged(std::string_view image);

} // namespace pilot::agent::image
