#include "kube/client/apiclient.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>

namespace pilot::kube {
namespace json = boost::json;

namespace {

constexpr int64_t DefaultPageSize = 500;

bool successful(int status) {
    return status >= 200 && status < 300;
}

ApiResult<json::object> decodeObject(const ApiResponse& response) {
    if (!successful(response.status)) {
        return std::unexpected(ApiError::fromResponse(response.status, response.body));
    }
    boost::system::error_code ec;
    json::value parsed = parseJsonText(response.body, ec);
    if (ec || !parsed.is_object()) {
        return std::unexpected(ApiError::fromTransport(
            Error{ErrorCode::Internal, "the server sent a response that is not a JSON object: " +
                                           response.body.substr(0, 200)}));
    }
    return std::move(parsed.get_object());
}

void addListParams(QueryParams& query, const std::string& labelSelector,
                   const std::string& fieldSelector, const std::string& resourceVersion) {
    if (!labelSelector.empty()) {
        query.emplace_back("labelSelector", labelSelector);
    }
    if (!fieldSelector.empty()) {
        query.emplace_back("fieldSelector", fieldSelector);
    }
    if (!resourceVersion.empty()) {
        query.emplace_back("resourceVersion", resourceVersion);
    }
}

ApiError missingName(const ApiResource& resource) {
    return ApiError::fromTransport(
        Error{ErrorCode::InvalidArgument, resource.qualifiedName() + ": metadata.name: required"});
}

} // namespace

const std::string* ApiResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (boost::algorithm::iequals(k, name)) {
            return &v;
        }
    }
    return nullptr;
}

std::string_view patchContentType(PatchType type) {
    switch (type) {
    case PatchType::Json:
        return "application/json-patch+json";
    case PatchType::Merge:
        return "application/merge-patch+json";
    case PatchType::StrategicMerge:
        return "application/strategic-merge-patch+json";
    case PatchType::Apply:
        return "application/apply-patch+yaml";
    }
    return "application/merge-patch+json";
}

std::string objectKey(std::string_view ns, std::string_view name) {
    if (ns.empty()) {
        return std::string(name);
    }
    std::string key(ns);
    key += '/';
    key += name;
    return key;
}

std::string objectKey(const json::object& object) {
    return objectKey(namespaceOf(object), name(object));
}

std::pair<std::string, std::string> splitObjectKey(std::string_view key) {
    size_t slash = key.find('/');
    if (slash == std::string_view::npos) {
        return {std::string(), std::string(key)};
    }
    return {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

ApiClient::ApiClient(std::string fieldManager) : m_fieldManager(std::move(fieldManager)) {}

ApiResult<json::object> ApiClient::call(const ApiRequest& request) {
    Result<ApiResponse> response = send(request);
    if (!response) {
        return std::unexpected(ApiError::fromTransport(response.error()));
    }
    return decodeObject(*response);
}

void ApiClient::addWriteParams(ApiRequest& request, bool dryRun, const std::string& manager) const {
    request.query.emplace_back("fieldManager", manager.empty() ? m_fieldManager : manager);
    if (dryRun) {
        request.query.emplace_back("dryRun", "All");
    }
}

ApiResult<json::object> ApiClient::get(const ApiResource& resource, std::string_view ns,
                                       std::string_view name) {
    ApiRequest request;
    request.path = resource.objectPath(ns, name);
    return call(request);
}

ApiResult<ObjectList> ApiClient::list(const ApiResource& resource, std::string_view ns,
                                      const ListOptions& options) {
    ApiRequest request;
    request.path = resource.collectionPath(ns);
    addListParams(request.query, options.labelSelector, options.fieldSelector,
                  options.resourceVersion);
    if (!options.resourceVersionMatch.empty()) {
        request.query.emplace_back("resourceVersionMatch", options.resourceVersionMatch);
    }
    if (options.limit > 0) {
        request.query.emplace_back("limit", std::to_string(options.limit));
    }
    if (!options.continueToken.empty()) {
        request.query.emplace_back("continue", options.continueToken);
    }
    if (options.metadataOnly) {
        request.accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    }
    auto body = call(request);
    if (!body) {
        return std::unexpected(std::move(body.error()));
    }
    ObjectList list;
    const json::object* metadata = objectAt(*body, "metadata");
    list.resourceVersion = stringAt(metadata, "resourceVersion");
    list.continueToken = stringAt(metadata, "continue");
    std::string itemKind = stringAt(*body, "kind");
    if (itemKind.ends_with("List")) {
        itemKind.resize(itemKind.size() - 4);
    }
    std::string itemApiVersion = stringAt(*body, "apiVersion");
    if (json::value* items = body->if_contains("items"); items && items->is_array()) {
        list.items.reserve(items->get_array().size());
        for (json::value& item : items->get_array()) {
            if (!item.is_object()) {
                continue;
            }
            json::object& object = item.get_object();
            if (!itemKind.empty() && stringAt(object, "kind").empty()) {
                object["kind"] = itemKind;
            }
            if (!itemApiVersion.empty() && stringAt(object, "apiVersion").empty()) {
                object["apiVersion"] = itemApiVersion;
            }
            list.items.push_back(std::move(object));
        }
    }
    return list;
}

ApiResult<ObjectList> ApiClient::listAll(const ApiResource& resource, std::string_view ns,
                                         ListOptions options) {
    if (options.limit <= 0) {
        options.limit = DefaultPageSize;
    }
    ObjectList all;
    while (true) {
        auto page = list(resource, ns, options);
        if (!page && isGone(page.error()) && !options.continueToken.empty()) {
            // The continue token outlived the server's history: start over in one request.
            options.limit = 0;
            options.continueToken.clear();
            return list(resource, ns, options);
        }
        if (!page) {
            return page;
        }
        std::move(page->items.begin(), page->items.end(), std::back_inserter(all.items));
        all.resourceVersion = std::move(page->resourceVersion);
        if (page->continueToken.empty()) {
            return all;
        }
        options.continueToken = std::move(page->continueToken);
    }
}

ApiResult<std::unique_ptr<EventStream>>
ApiClient::watch(const ApiResource& resource, std::string_view ns, const WatchOptions& options) {
    ApiRequest request;
    request.path = resource.collectionPath(ns);
    request.query.emplace_back("watch", "true");
    addListParams(request.query, options.labelSelector, options.fieldSelector,
                  options.resourceVersion);
    if (options.allowWatchBookmarks) {
        request.query.emplace_back("allowWatchBookmarks", "true");
    }
    if (options.timeoutSeconds > 0) {
        request.query.emplace_back("timeoutSeconds", std::to_string(options.timeoutSeconds));
    }
    if (options.metadataOnly) {
        request.accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    }
    auto stream = openWatch(request);
    if (!stream) {
        return std::unexpected(ApiError::fromTransport(stream.error()));
    }
    return std::move(*stream);
}

ApiResult<json::object> ApiClient::create(const ApiResource& resource, std::string_view ns,
                                          const json::object& object, const WriteOptions& options) {
    ApiRequest request;
    request.method = "POST";
    request.path = resource.collectionPath(resource.namespaced ? ns : std::string_view());
    request.body = json::serialize(object);
    request.contentType = "application/json";
    addWriteParams(request, options.dryRun, options.fieldManager);
    return call(request);
}

ApiResult<json::object> ApiClient::update(const ApiResource& resource, const json::object& object,
                                          const WriteOptions& options) {
    if (name(object).empty()) {
        return std::unexpected(missingName(resource));
    }
    ApiRequest request;
    request.method = "PUT";
    request.path = resource.objectPath(namespaceOf(object), name(object));
    request.body = json::serialize(object);
    request.contentType = "application/json";
    addWriteParams(request, options.dryRun, options.fieldManager);
    return call(request);
}

ApiResult<json::object> ApiClient::updateStatus(const ApiResource& resource,
                                                const json::object& object,
                                                const WriteOptions& options) {
    if (name(object).empty()) {
        return std::unexpected(missingName(resource));
    }
    ApiRequest request;
    request.method = "PUT";
    request.path = resource.objectPath(namespaceOf(object), name(object), "status");
    request.body = json::serialize(object);
    request.contentType = "application/json";
    addWriteParams(request, options.dryRun, options.fieldManager);
    return call(request);
}

ApiResult<json::object> ApiClient::patch(const ApiResource& resource, std::string_view ns,
                                         std::string_view name, PatchType type,
                                         std::string_view body, const PatchOptions& options) {
    ApiRequest request;
    request.method = "PATCH";
    request.path = resource.objectPath(ns, name, options.subresource);
    request.body = std::string(body);
    request.contentType = std::string(patchContentType(type));
    addWriteParams(request, options.dryRun, options.fieldManager);
    if (options.force && type == PatchType::Apply) {
        request.query.emplace_back("force", "true");
    }
    return call(request);
}

ApiResult<json::object> ApiClient::apply(const ApiResource& resource, const json::object& object,
                                         const PatchOptions& options) {
    if (name(object).empty()) {
        return std::unexpected(missingName(resource));
    }
    return patch(resource, namespaceOf(object), name(object), PatchType::Apply,
                 json::serialize(object), options);
}

ApiResult<json::object> ApiClient::remove(const ApiResource& resource, std::string_view ns,
                                          std::string_view name, const DeleteOptions& options) {
    json::object body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
    if (options.gracePeriodSeconds) {
        body["gracePeriodSeconds"] = *options.gracePeriodSeconds;
    }
    if (!options.propagationPolicy.empty()) {
        body["propagationPolicy"] = options.propagationPolicy;
    }
    if (!options.preconditionUid.empty() || !options.preconditionResourceVersion.empty()) {
        json::object preconditions;
        if (!options.preconditionUid.empty()) {
            preconditions["uid"] = options.preconditionUid;
        }
        if (!options.preconditionResourceVersion.empty()) {
            preconditions["resourceVersion"] = options.preconditionResourceVersion;
        }
        body["preconditions"] = std::move(preconditions);
    }
    if (options.dryRun) {
        body["dryRun"] = json::array{"All"};
    }
    ApiRequest request;
    request.method = "DELETE";
    request.path = resource.objectPath(ns, name);
    request.body = json::serialize(body);
    request.contentType = "application/json";
    return call(request);
}

} // namespace pilot::kube
