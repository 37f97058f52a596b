#pragma once

#include "kube/types/typeregistry.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// One served OpenAPI document: its JSON text and a content hash (SHA-512, upper-case hex, as
/// kube-apiserver puts in `?hash=`). Clients may cache a document as long as the hash holds.
struct OpenApiDocument {
    std::string body;
    std::string hash;
};

/// OpenAPI documents generated from a type registry, the way kubectl needs them:
///
/// * `v3Root()`: `GET /openapi/v3`, `{"paths":{"api/v1":{"serverRelativeURL":
///   "/openapi/v3/api/v1?hash=<hash>"}, "apis/apps/v1":{...}, ...}}`;
/// * `v3("apis/apps/v1")`: `GET /openapi/v3/apis/apps/v1`, an `openapi: 3.0.0` document with
///   list/create/deletecollection on collection paths (namespaced and cluster-wide),
///   get/put/patch/delete on item paths and the status and scale subresources; every operation
///   carries `x-kubernetes-group-version-kind` and `x-kubernetes-action`, PATCH operations
///   take `dryRun`, `fieldManager`, `fieldValidation` and `force` (so `kubectl apply` leaves
///   field validation to the server), and `components.schemas` holds every definition reachable
///   from the group-version's kinds, top-level kinds tagged with their GVK (`kubectl explain`);
/// * `v2()`: `GET /openapi/v2`, the same as one Swagger 2.0 document.
///
/// Documents are generated lazily and cached per registry generation (CRD changes invalidate
/// them). Thread-safe.
class OpenApi {
public:
    explicit OpenApi(std::shared_ptr<const TypeRegistry> registry);
    /// Non-owning: the registry must outlive this object.
    explicit OpenApi(const TypeRegistry& registry);

    /// Body of `GET /openapi/v3`.
    [[nodiscard]] std::string v3Root();
    /// The document for "api/v1" or "apis/<group>/<version>"; null for an unknown path.
    [[nodiscard]] std::shared_ptr<const OpenApiDocument> v3(std::string_view groupVersionPath);
    /// The Swagger 2.0 document of every served resource.
    [[nodiscard]] std::shared_ptr<const OpenApiDocument> v2();

private:
    struct Snapshot {
        uint64_t generation = 0;
        /// The entries the documents were made from (also keeps their addresses unique).
        std::vector<ResourceTypePtr> resources;
        std::string root;
        std::map<std::string, std::shared_ptr<const OpenApiDocument>, std::less<>> v3;
        std::shared_ptr<const OpenApiDocument> v2;
    };

    std::shared_ptr<Snapshot> current();

    std::shared_ptr<const TypeRegistry> m_owner;
    const TypeRegistry* m_registry = nullptr;
    std::mutex m_mutex;
    std::shared_ptr<Snapshot> m_snapshot;
};

/// Conveniences over one process-wide `OpenApi` per registry object (documents are regenerated
/// when the registry's entries change). `openApiV3GroupVersion` returns "" for an unknown
/// group-version path ("apis/apps/v1", "api/v1").
[[nodiscard]] std::string openApiV3Root(const TypeRegistry& registry);
[[nodiscard]] std::string openApiV3GroupVersion(const TypeRegistry& registry,
                                                std::string_view groupVersionPath);
[[nodiscard]] std::string openApiV2(const TypeRegistry& registry);

} // namespace pilot::kube
