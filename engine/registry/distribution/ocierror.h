#pragma once

#include "engine/registry/distribution/registryhttp.h"

#include <string>
#include <string_view>

namespace pilot::registry {

/// The error codes of the OCI distribution spec (v1.1.1 code-1..14) plus the two Distribution
/// uses that the spec leaves open (TAG_INVALID, PAGINATION_NUMBER_INVALID) and UNKNOWN for
/// server faults.
enum class OciError {
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    TagInvalid,
    PaginationNumberInvalid,
    Unknown,
};

/// `BLOB_UNKNOWN`, `MANIFEST_INVALID`, ...
[[nodiscard]] std::string_view ociErrorCode(OciError error);

/// A response with the spec's error body `{"errors":[{"code","message","detail"}]}`;
/// `detailJson` is inserted as is when not empty (a JSON value).
[[nodiscard]] RegistryResponse errorResponse(int status, OciError error, std::string_view message,
                                             std::string_view detailJson = {});

} // namespace pilot::registry
