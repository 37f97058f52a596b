#include "engine/registry/distribution/ocierror.h"

#include <boost/json.hpp>

namespace pilot::registry {

std::string_view ociErrorCode(OciError error) {
    switch (error) {
    case OciError::BlobUnknown:
        return "BLOB_UNKNOWN";
    case OciError::BlobUploadInvalid:
        return "BLOB_UPLOAD_INVALID";
    case OciError::BlobUploadUnknown:
        return "BLOB_UPLOAD_UNKNOWN";
    case OciError::DigestInvalid:
        return "DIGEST_INVALID";
    case OciError::ManifestBlobUnknown:
        return "MANIFEST_BLOB_UNKNOWN";
    case OciError::ManifestInvalid:
        return "MANIFEST_INVALID";
    case OciError::ManifestUnknown:
        return "MANIFEST_UNKNOWN";
    case OciError::NameInvalid:
        return "NAME_INVALID";
    case OciError::NameUnknown:
        return "NAME_UNKNOWN";
    case OciError::SizeInvalid:
        return "SIZE_INVALID";
    case OciError::Unauthorized:
        return "UNAUTHORIZED";
    case OciError::Denied:
        return "DENIED";
    case OciError::Unsupported:
        return "UNSUPPORTED";
    case OciError::TooManyRequests:
        return "TOOMANYREQUESTS";
    case OciError::TagInvalid:
        return "TAG_INVALID";
    case OciError::PaginationNumberInvalid:
        return "PAGINATION_NUMBER_INVALID";
    case OciError::Unknown:
        return "UNKNOWN";
    }
    return "UNKNOWN";
}

RegistryResponse errorResponse(int status, OciError error, std::string_view message,
                               std::string_view detailJson) {
    boost::json::object entry;
    entry["code"] = ociErrorCode(error);
    entry["message"] = message;
    if (!detailJson.empty()) {
        boost::system::error_code ec;
        boost::json::value detail = boost::json::parse(detailJson, ec);
        if (!ec) {
            entry["detail"] = std::move(detail);
        }
    }
    boost::json::object body;
    body["errors"] = boost::json::array{std::move(entry)};
    RegistryResponse response;
    response.status = status;
    response.set("Content-Type", "application/json");
    response.body = boost::json::serialize(body);
    return response;
}

} // namespace pilot::registry
