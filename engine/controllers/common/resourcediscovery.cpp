#include "engine/controllers/common/resourcediscovery.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

kube::ApiResult<json::object> getJson(kube::ApiClient& client, std::string path) {
    kube::ApiRequest request;
    request.path = std::move(path);
    auto response = client.send(request);
    if (!response) {
        return std::unexpected(kube::ApiError::fromTransport(response.error()));
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(kube::ApiError::fromResponse(response->status, response->body));
    }
    boost::system::error_code ec;
    json::value parsed = kube::parseJsonText(response->body, ec);
    if (ec || !parsed.is_object()) {
        kube::ApiError error;
        error.code = response->status;
        error.message = fmt::format("GET {}: the response is not a JSON object", request.path);
        return std::unexpected(std::move(error));
    }
    return std::move(parsed.as_object());
}

/// Appends the top-level resources of one group version.
Status addGroupVersion(kube::ApiClient& client, const std::string& group,
                       const std::string& version, std::vector<DiscoveredResource>& out) {
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto list = getJson(client, path);
    if (!list) {
        return fail(list.error().kind, list.error().message);
    }
    const json::array* resources = kube::arrayAt(*list, "resources");
    if (resources == nullptr) {
        return {};
    }
    for (const json::value& entry : *resources) {
        const json::object* r = entry.if_object();
        if (r == nullptr) {
            continue;
        }
        std::string name = kube::stringAt(*r, "name");
        if (name.empty() || name.find('/') != std::string::npos) {
            continue; // subresources
        }
        DiscoveredResource found;
        found.resource =
            kube::ApiResource{group, version, name, kube::boolAt(*r, "namespaced").value_or(false)};
        found.kind = kube::stringAt(*r, "kind");
        for (std::string& verb : kube::stringsAt(*r, "verbs")) {
            found.verbs.insert(std::move(verb));
        }
        out.push_back(std::move(found));
    }
    return {};
}

} // namespace

std::string DiscoveredResource::id() const {
    return resource.group + "/" + resource.version + "/" + resource.resource;
}

kube::ApiResult<DiscoveryResult> discoverPreferredResources(kube::ApiClient& client) {
    DiscoveryResult result;
    auto core = getJson(client, "/api");
    if (!core) {
        return std::unexpected(core.error());
    }
    auto groups = getJson(client, "/apis");
    if (!groups) {
        return std::unexpected(groups.error());
    }
    std::vector<std::pair<std::string, std::string>> groupVersions;
    std::vector<std::string> coreVersions = kube::stringsAt(*core, "versions");
    groupVersions.emplace_back("", coreVersions.empty() ? "v1" : coreVersions.front());
    if (const json::array* list = kube::arrayAt(*groups, "groups")) {
        for (const json::value& g : *list) {
            const json::object* group = g.if_object();
            if (group == nullptr) {
                continue;
            }
            std::string name = kube::stringAt(*group, "name");
            std::string version =
                kube::stringAt(kube::objectAt(*group, "preferredVersion"), "version");
            if (version.empty()) {
                if (const json::array* versions = kube::arrayAt(*group, "versions");
                    versions && !versions->empty() && versions->front().is_object()) {
                    version = kube::stringAt(versions->front().as_object(), "version");
                }
            }
            if (!name.empty() && !version.empty()) {
                groupVersions.emplace_back(name, version);
            }
        }
    }
    for (const auto& [group, version] : groupVersions) {
        if (auto status = addGroupVersion(client, group, version, result.resources); !status) {
            std::string gv = group.empty() ? version : group + "/" + version;
            result.failedGroups.push_back(fmt::format("{}: {}", gv, status.error().message));
        }
    }
    return result;
}

} // namespace pilot::controllers
