#pragma once

#include "engine/apiserver/http.h"
#include "engine/apiserver/requestinfo.h"
#include "engine/apiserver/resourceservice.h"

namespace pilot::apiserver {

/// Everything one resource request needs, resolved by the router.
struct VerbContext {
    Request& request;
    const RequestInfo& info;
    kube::ResourceTypePtr type;
    ResourceService& service;
};

[[nodiscard]] HandlerResult handleGet(VerbContext& ctx);
[[nodiscard]] HandlerResult handleList(VerbContext& ctx);
[[nodiscard]] HandlerResult handleWatch(VerbContext& ctx);
[[nodiscard]] HandlerResult handleCreate(VerbContext& ctx);
[[nodiscard]] HandlerResult handleUpdate(VerbContext& ctx);
[[nodiscard]] HandlerResult handlePatch(VerbContext& ctx);
[[nodiscard]] HandlerResult handleDelete(VerbContext& ctx);
[[nodiscard]] HandlerResult handleDeleteCollection(VerbContext& ctx);
/// Subresources other than status: scale, binding, eviction, finalize.
[[nodiscard]] HandlerResult handleSubresource(VerbContext& ctx);

/// `kubectl auth whoami`: answers a SelfSubjectReview with the caller's user attributes.
[[nodiscard]] HandlerResult handleSelfSubjectReview(VerbContext& ctx);

/// Decodes a request body by its Content-Type (JSON, YAML, Kubernetes protobuf).
[[nodiscard]] ApiResult<boost::json::object> decodeBody(const Request& request,
                                                        const kube::TypeRegistry& types);

/// The write options a request carries (dryRun, fieldManager, fieldValidation).
[[nodiscard]] ApiResult<WriteOptions> writeOptionsOf(const Request& request);

} // namespace pilot::apiserver
