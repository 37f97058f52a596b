#pragma once

#include "kube/client/apiclient.h"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers {

/// One resource as API discovery lists it (`/api/v1`, `/apis/<group>/<version>`), in the
/// preferred version of its group: where it is served, its kind and verbs.
struct DiscoveredResource {
    kube::ApiResource resource;
    std::string kind;
    std::set<std::string, std::less<>> verbs;

    [[nodiscard]] bool supports(std::string_view verb) const { return verbs.contains(verb); }
    /// `group/version/resource`: a stable key for maps and work-queue keys.
    [[nodiscard]] std::string id() const;
};

/// What discovery found: every top-level resource (no subresources) of the preferred version of
/// every group, and the groups that failed (`group/version: message`), which client-go reports
/// as ErrGroupDiscoveryFailed while still returning the others.
struct DiscoveryResult {
    std::vector<DiscoveredResource> resources;
    std::vector<std::string> failedGroups;
};

/// client-go's ServerPreferredResources over `client`: `/api` and `/apis`, then each preferred
/// group version. Fails only when the root lists cannot be read.
[[nodiscard]] kube::ApiResult<DiscoveryResult> discoverPreferredResources(kube::ApiClient& client);

} // namespace pilot::controllers
