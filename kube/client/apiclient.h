#pragma once

#include "core/error.h"
#include "kube/client/apierror.h"
#include "kube/client/apiresource.h"
#include "kube/client/eventstream.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::kube {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// One API request, independent of the transport. `path` and `query` are not percent-encoded;
/// the transport encodes them.
struct ApiRequest {
    std::string method = "GET";
    std::string path;
    QueryParams query;
    std::string body;
    std::string contentType;
    std::string accept = "application/json";
    QueryParams headers; ///< Extra headers.
};

/// The response to an ApiRequest, whatever its status.
struct ApiResponse {
    int status = 0;
    std::string body;
    std::string contentType;
    QueryParams headers;

    /// The first header with this name (case-insensitive), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

struct ListOptions {
    std::string labelSelector;
    std::string fieldSelector;
    int64_t limit = 0; ///< 0: no paging.
    std::string continueToken;
    std::string resourceVersion;      ///< Empty: a consistent read of the newest state.
    std::string resourceVersionMatch; ///< `NotOlderThan` or `Exact`, with resourceVersion.
    /// Items as PartialObjectMetadata (kind, apiVersion and metadata only), as client-go's
    /// metadata client asks for them.
    bool metadataOnly = false;
};

struct WatchOptions {
    std::string labelSelector;
    std::string fieldSelector;
    std::string
        resourceVersion; ///< Events after this RV; empty or "0": ADDED for everything first.
    bool allowWatchBookmarks = true;
    bool metadataOnly = false;  ///< Objects as PartialObjectMetadata.
    int64_t timeoutSeconds = 0; ///< 0: the server's choice.
};

/// A page (or, from listAll, the whole) of a list. Items carry `apiVersion` and `kind` even when
/// the server left them out.
struct ObjectList {
    std::vector<boost::json::object> items;
    std::string resourceVersion;
    std::string continueToken;
};

struct WriteOptions {
    bool dryRun = false;
    std::string fieldManager; ///< Empty: the client's default.
};

enum class PatchType {
    Json,           ///< RFC 6902, application/json-patch+json
    Merge,          ///< RFC 7386, application/merge-patch+json
    StrategicMerge, ///< application/strategic-merge-patch+json
    Apply,          ///< server-side apply, application/apply-patch+yaml
};

struct PatchOptions {
    std::string subresource; ///< e.g. `status`, `scale`.
    bool force = false;      ///< Apply only: take ownership of conflicting fields.
    bool dryRun = false;
    std::string fieldManager; ///< Empty: the client's default.
};

struct DeleteOptions {
    std::optional<int64_t> gracePeriodSeconds;
    std::string propagationPolicy; ///< `Foreground`, `Background`, `Orphan`, or empty.
    std::string preconditionUid;
    std::string preconditionResourceVersion;
    bool dryRun = false;
};

/// The Kubernetes API as controllers and the scheduler see it. Implementations provide the two
/// transport primitives (`send`, `openWatch`); the typed helpers on top build paths and queries
/// the way kube-apiserver expects, send `fieldManager` on every write and turn error responses
/// into ApiError. Implementations must be safe to call from several threads at once.
class ApiClient {
public:
    explicit ApiClient(std::string fieldManager = "pilothouse");
    virtual ~ApiClient() = default;
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    /// Sends a request and returns the response whatever its status; fails only when no response
    /// arrived (connection, TLS, timeout).
    [[nodiscard]] virtual Result<ApiResponse> send(const ApiRequest& request) = 0;
    /// Starts a watch request (`watch=true` must be in the query). Error statuses arrive as an
    /// `Error` event on the stream; only transport failures fail here.
    [[nodiscard]] virtual Result<std::unique_ptr<EventStream>>
    openWatch(const ApiRequest& request) = 0;

    /// The field manager name sent with writes that do not name one. Set before sharing the
    /// client between threads.
    [[nodiscard]] const std::string& fieldManager() const { return m_fieldManager; }
    void setFieldManager(std::string name) { m_fieldManager = std::move(name); }

    [[nodiscard]] ApiResult<boost::json::object> get(const ApiResource& resource,
                                                     std::string_view ns, std::string_view name);
    [[nodiscard]] ApiResult<ObjectList> list(const ApiResource& resource, std::string_view ns,
                                             const ListOptions& options = {});
    /// Lists every page (`limit` per request, 500 when unset), following `continue`; when a
    /// continue token has expired, falls back to one unpaged list.
    [[nodiscard]] ApiResult<ObjectList> listAll(const ApiResource& resource, std::string_view ns,
                                                ListOptions options = {});
    [[nodiscard]] ApiResult<std::unique_ptr<EventStream>>
    watch(const ApiResource& resource, std::string_view ns, const WatchOptions& options = {});

    [[nodiscard]] ApiResult<boost::json::object> create(const ApiResource& resource,
                                                        std::string_view ns,
                                                        const boost::json::object& object,
                                                        const WriteOptions& options = {});
    /// PUT of the whole object; namespace and name come from its metadata, and its
    /// `metadata.resourceVersion` (when set) makes the update conditional (Conflict otherwise).
    [[nodiscard]] ApiResult<boost::json::object> update(const ApiResource& resource,
                                                        const boost::json::object& object,
                                                        const WriteOptions& options = {});
    /// PUT to the `status` subresource.
    [[nodiscard]] ApiResult<boost::json::object> updateStatus(const ApiResource& resource,
                                                              const boost::json::object& object,
                                                              const WriteOptions& options = {});
    [[nodiscard]] ApiResult<boost::json::object> patch(const ApiResource& resource,
                                                       std::string_view ns, std::string_view name,
                                                       PatchType type, std::string_view body,
                                                       const PatchOptions& options = {});
    /// Server-side apply of `object` (namespace and name from its metadata).
    [[nodiscard]] ApiResult<boost::json::object> apply(const ApiResource& resource,
                                                       const boost::json::object& object,
                                                       const PatchOptions& options = {});
    /// DELETE; returns the response body: the object (still there with a deletionTimestamp
    /// while finalizers run, or its last state) or a Success Status.
    [[nodiscard]] ApiResult<boost::json::object> remove(const ApiResource& resource,
                                                        std::string_view ns, std::string_view name,
                                                        const DeleteOptions& options = {});

private:
    [[nodiscard]] ApiResult<boost::json::object> call(const ApiRequest& request);
    void addWriteParams(ApiRequest& request, bool dryRun, const std::string& manager) const;

    std::string m_fieldManager;
};

[[nodiscard]] std::string_view patchContentType(PatchType type);

/// `namespace/name`, or `name` for cluster-scoped objects: the key informers and work queues use.
[[nodiscard]] std::string objectKey(const boost::json::object& object);
[[nodiscard]] std::string objectKey(std::string_view ns, std::string_view name);
/// Splits an objectKey back into namespace (empty for cluster-scoped) and name.
[[nodiscard]] std::pair<std::string, std::string> splitObjectKey(std::string_view key);

} // namespace pilot::kube
