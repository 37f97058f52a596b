// Listings: tags (end-8a/8b), the repository catalog (`_catalog`, a Distribution extension)
// and referrers (end-12a/12b). All come from the database, never from a walk of the storage.
#include "engine/registry/distribution/distribution.h"
#include "engine/registry/distribution/handlerutil.h"
#include "engine/registry/storage/manifestdocument.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <charconv>

namespace pilot::registry {

using namespace handlers;
namespace json = boost::json;

namespace {

/// The `n` parameter: nullopt when absent; an error response when not a non-negative number.
Result<std::optional<size_t>> pageSize(const Route& route) {
    const std::string* text = route.param("n");
    if (text == nullptr) {
        return std::optional<size_t>();
    }
    size_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || text->empty()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("invalid page size n={}", *text));
    }
    return std::optional<size_t>(value);
}

RegistryResponse jsonResponse(const json::value& body,
                              std::string contentType = "application/json") {
    RegistryResponse response;
    response.set("Content-Type", std::move(contentType));
    response.body = json::serialize(body);
    return response;
}

json::array names(const std::vector<std::string>& list) {
    json::array out;
    out.reserve(list.size());
    for (const std::string& name : list) {
        out.emplace_back(name);
    }
    return out;
}

} // namespace

RegistryResponse Distribution::tags(Call& call) {
    const std::string& repository = call.route.repository;
    auto n = pageSize(call.route);
    if (!n) {
        return errorResponse(400, OciError::PaginationNumberInvalid, n.error().message);
    }
    const std::string* lastParam = call.route.param("last");
    std::string last = lastParam ? *lastParam : std::string();
    auto page = m_storage.manifests().tags(repository, n->value_or(Unlimited), last);
    if (!page) {
        return serverError(page.error());
    }
    if (!*page) {
        return errorResponse(404, OciError::NameUnknown,
                             fmt::format("repository {} not known", repository));
    }
    json::object body;
    body["name"] = repository;
    body["tags"] = names((*page)->names);
    RegistryResponse response = jsonResponse(body);
    if ((*page)->more && !(*page)->names.empty()) {
        response.set("Link", fmt::format("</v2/{}/tags/list?n={}&last={}>; rel=\"next\"",
                                         repository, **n, percentEncode((*page)->names.back())));
    }
    return response;
}

RegistryResponse Distribution::catalog(Call& call) {
    auto n = pageSize(call.route);
    if (!n) {
        return errorResponse(400, OciError::PaginationNumberInvalid, n.error().message);
    }
    size_t limit = std::min(n->value_or(m_options.catalogPage), m_options.maxCatalogPage);
    const std::string* lastParam = call.route.param("last");
    std::string last = lastParam ? *lastParam : std::string();
    auto page = m_storage.manifests().repositories(limit, last);
    if (!page) {
        return serverError(page.error());
    }
    json::object body;
    body["repositories"] = names(page->names);
    RegistryResponse response = jsonResponse(body);
    if (page->more && !page->names.empty()) {
        response.set("Link", fmt::format("</v2/_catalog?n={}&last={}>; rel=\"next\"", limit,
                                         percentEncode(page->names.back())));
    }
    return response;
}

RegistryResponse Distribution::referrers(Call& call) {
    auto digest = Digest::parse(call.route.reference);
    if (!digest) {
        return errorResponse(400, OciError::DigestInvalid, digest.error().message);
    }
    auto found = m_storage.manifests().referrers(call.route.repository, *digest);
    if (!found) {
        return serverError(found.error());
    }
    const std::string* filter = call.route.param("artifactType");
    json::array manifests;
    for (const Referrer& referrer : *found) {
        if (filter && referrer.artifactType != *filter) {
            continue;
        }
        json::object descriptor;
        descriptor["mediaType"] = referrer.mediaType;
        descriptor["digest"] = referrer.digest.str();
        descriptor["size"] = referrer.size;
        if (!referrer.artifactType.empty()) {
            descriptor["artifactType"] = referrer.artifactType;
        }
        if (!referrer.annotationsJson.empty()) {
            boost::system::error_code ec;
            json::value annotations = json::parse(referrer.annotationsJson, ec);
            if (!ec) {
                descriptor["annotations"] = std::move(annotations);
            }
        }
        manifests.emplace_back(std::move(descriptor));
    }
    json::object index;
    index["schemaVersion"] = 2;
    index["mediaType"] = mediatype::OciIndex;
    index["manifests"] = std::move(manifests);
    RegistryResponse response = jsonResponse(index, std::string(mediatype::OciIndex));
    if (filter) {
        response.set("OCI-Filters-Applied", "artifactType");
    }
    return response;
}

} // namespace pilot::registry
