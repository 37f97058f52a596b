#pragma once

// Private to pilot::registry_harbor: the built-in /api/v2.0 handlers, by area.

#include "engine/registry/harbor/apirouter.h"

#include <boost/json/object.hpp>

namespace pilot::registry::harbor {

struct HarborApiOptions;

/// /health, /ping, /systeminfo, /users...
void registerSystemRoutes(ApiRouter& router, const HarborApiOptions& options);
/// /projects... and /projects/{p}/members...
void registerProjectRoutes(ApiRouter& router);
/// /robots... and /projects/{p}/robots
void registerRobotRoutes(ApiRouter& router);
/// /repositories (all the caller may see), /projects/{p}/repositories..., artifacts, tags
void registerArtifactRoutes(ApiRouter& router);

/// Harbor's Project JSON for `project` as `call`'s caller sees it.
[[nodiscard]] boost::json::object projectJson(ApiCall& call, const Project& project);

} // namespace pilot::registry::harbor
