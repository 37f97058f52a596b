#pragma once

#include "engine/apiserver/apierror.h"
#include "engine/apiserver/http.h"
#include "engine/watchcache/watcher.h"
#include "kube/types/typeregistry.h"

namespace pilot::apiserver {

/// The cache filter for a list/watch request: namespace plus `labelSelector` and
/// `fieldSelector` (checked against the resource's field-selector allow-list).
[[nodiscard]] ApiResult<watchcache::Filter>
buildFilter(const Request& request, const kube::ResourceType& type, const std::string& ns);

/// The field paths a resource's selectors may use (allow-list plus metadata.name/namespace).
/// An entry `NAME=PATH` selects by NAME what the object keeps at PATH (Jobs:
/// `status.successful=status.succeeded`), in the form the watch cache extracts them.
[[nodiscard]] std::vector<std::string> selectableFields(const kube::ResourceType& type);

} // namespace pilot::apiserver
