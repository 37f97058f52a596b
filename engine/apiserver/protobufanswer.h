#pragma once

#include "core/error.h"
#include "engine/apiserver/http.h"
#include "engine/watchcache/cachedobject.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::apiserver {

/// Whether a request prefers Kubernetes protobuf answers: its Accept header lists plain
/// `application/vnd.kubernetes.protobuf` before anything else we serve, as client-go's typed
/// clients (kubectl's create commands, kubelets, controllers) send it.
[[nodiscard]] bool prefersProtobuf(const Request& request);

/// A finished JSON answer re-encoded as protobuf: successful answers carrying a built-in kind,
/// a list of one, or a Status; a deferred answer once it completes. Errors, streams, Tables and
/// custom resources stay JSON, the representation the client accepts next.
[[nodiscard]] HandlerResult protobufAnswer(HandlerResult result,
                                           std::shared_ptr<const kube::TypeRegistry> types);

/// The enveloped protobuf form of a cached object as `type` serves it. Made once per version of
/// the storage version and kept on the object, so a hundred watchers share one encoding.
[[nodiscard]] Result<std::shared_ptr<const std::string>>
servedProtobuf(const kube::ResourceType& type, const watchcache::CachedObject& object);

/// The protobuf list answer (`listKind`, with `listMeta`) of cached objects as `type` serves
/// them, each item encoded straight from the cache: no list-wide JSON to parse again.
[[nodiscard]] Result<std::string> protobufList(const kube::ResourceType& type,
                                               std::string_view listKind,
                                               const boost::json::object& listMeta,
                                               const std::vector<watchcache::ObjectPtr>& items);

} // namespace pilot::apiserver
