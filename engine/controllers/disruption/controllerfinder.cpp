#include "engine/controllers/disruption/controllerfinder.h"

#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <map>

namespace pilot::controllers::disruption {
namespace json = boost::json;
using kube::stringAt;

namespace {

/// The group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> ``).
std::string groupOf(std::string_view apiVersion) {
    size_t slash = apiVersion.find('/');
    return slash == std::string_view::npos ? std::string()
                                           : std::string(apiVersion.substr(0, slash));
}

std::string versionOf(std::string_view apiVersion) {
    size_t slash = apiVersion.find('/');
    return std::string(slash == std::string_view::npos ? apiVersion : apiVersion.substr(slash + 1));
}

/// verifyGroupKind: the reference names `kind` in one of `groups`.
bool refersTo(const json::object& ref, std::string_view kind,
              std::initializer_list<std::string_view> groups) {
    if (stringAt(ref, "kind") != kind) {
        return false;
    }
    std::string group = groupOf(stringAt(ref, "apiVersion"));
    for (std::string_view g : groups) {
        if (g == group) {
            return true;
        }
    }
    return false;
}

/// The object the reference names, if the informer has it under the same uid.
kube::ObjectPtr lookUp(const kube::Informer* informer, std::string_view ns,
                       const json::object& ref) {
    if (!informer) {
        return nullptr;
    }
    kube::ObjectPtr object = informer->cache().get(kube::objectKey(ns, stringAt(ref, "name")));
    if (!object || kube::uid(*object) != stringAt(ref, "uid")) {
        return nullptr;
    }
    return object;
}

/// `spec.replicas`, defaulted to 1 as the API server does.
int64_t replicasOf(const json::object& object) {
    const json::object* spec = kube::objectAt(object, "spec");
    return spec ? kube::integerAt(*spec, "replicas").value_or(1) : 1;
}

} // namespace

ControllerFinder::ControllerFinder(kube::ApiClient& client, Informers informers)
    : m_client(client), m_informers(informers) {}

std::optional<ControllerScale> ControllerFinder::fromInformers(const json::object& ref,
                                                               std::string_view ns) const {
    if (refersTo(ref, "ReplicaSet", {"apps", "extensions"})) {
        kube::ObjectPtr rs = lookUp(m_informers.replicaSets, ns, ref);
        if (!rs) {
            return std::nullopt;
        }
        const json::object* owner = kube::controllerRef(*rs);
        if (!owner) {
            return ControllerScale{std::string(kube::uid(*rs)), replicasOf(*rs)};
        }
        if (stringAt(*owner, "kind") != "Deployment") {
            return ControllerScale{std::string(kube::uid(*rs)), replicasOf(*rs)};
        }
        // getPodDeployment: a ReplicaSet controlled by a Deployment counts as the Deployment.
        if (!refersTo(*owner, "Deployment", {"apps", "extensions"})) {
            return std::nullopt;
        }
        kube::ObjectPtr deployment = lookUp(m_informers.deployments, ns, *owner);
        if (!deployment) {
            return std::nullopt;
        }
        return ControllerScale{std::string(kube::uid(*deployment)), replicasOf(*deployment)};
    }
    if (refersTo(ref, "ReplicationController", {""})) {
        if (kube::ObjectPtr rc = lookUp(m_informers.replicationControllers, ns, ref)) {
            return ControllerScale{std::string(kube::uid(*rc)), replicasOf(*rc)};
        }
        return std::nullopt;
    }
    if (refersTo(ref, "StatefulSet", {"apps"})) {
        if (kube::ObjectPtr ss = lookUp(m_informers.statefulSets, ns, ref)) {
            return ControllerScale{std::string(kube::uid(*ss)), replicasOf(*ss)};
        }
    }
    return std::nullopt;
}

Result<std::optional<ControllerScale>> ControllerFinder::fromScale(const json::object& ref,
                                                                   std::string_view ns) const {
    std::string apiVersion = stringAt(ref, "apiVersion");
    std::string group = groupOf(apiVersion);
    std::string version = versionOf(apiVersion);
    // The REST mapping of the kind, from discovery.
    kube::ApiRequest request;
    request.path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto response = m_client.send(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    if (response->status == 404) {
        return std::nullopt; // no such group/version: no match
    }
    if (response->status != 200) {
        return std::unexpected(
            kube::ApiError::fromResponse(response->status, response->body).toError());
    }
    boost::system::error_code ec;
    json::value list = json::parse(response->body, ec);
    const json::array* resources =
        !ec && list.is_object() ? kube::arrayAt(list.get_object(), "resources") : nullptr;
    std::string plural;
    bool namespaced = true;
    std::map<std::string, bool> names;
    for (const json::value& r : resources ? *resources : json::array()) {
        if (!r.is_object()) {
            continue;
        }
        std::string name = stringAt(r.get_object(), "name");
        names[name] = true;
        if (plural.empty() && name.find('/') == std::string::npos &&
            stringAt(r.get_object(), "kind") == stringAt(ref, "kind")) {
            plural = name;
            namespaced = kube::boolAt(r.get_object(), "namespaced").value_or(true);
        }
    }
    if (plural.empty()) {
        return std::nullopt;
    }
    kube::ApiResource resource{group, version, plural, namespaced};
    kube::ApiRequest get;
    get.path = resource.objectPath(ns, stringAt(ref, "name"), "scale");
    auto scale = m_client.send(get);
    if (!scale) {
        return std::unexpected(scale.error());
    }
    if (scale->status == 404) {
        if (!names.contains(plural + "/scale")) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{} does not implement the scale subresource",
                                    resource.qualifiedName()));
        }
        return std::nullopt;
    }
    if (scale->status != 200) {
        return std::unexpected(kube::ApiError::fromResponse(scale->status, scale->body).toError());
    }
    json::value body = json::parse(scale->body, ec);
    if (ec || !body.is_object()) {
        return fail(ErrorCode::Internal, "malformed Scale from " + get.path);
    }
    const json::object& object = body.get_object();
    if (kube::uid(object) != stringAt(ref, "uid")) {
        return std::nullopt;
    }
    const json::object* spec = kube::objectAt(object, "spec");
    return ControllerScale{std::string(kube::uid(object)),
                           spec ? kube::integerAt(*spec, "replicas").value_or(0) : 0};
}

Result<std::optional<ControllerScale>> ControllerFinder::find(const json::object& ref,
                                                              std::string_view ns) const {
    if (std::optional<ControllerScale> found = fromInformers(ref, ns)) {
        return found;
    }
    return fromScale(ref, ns);
}

Result<ExpectedScale> expectedScale(const ControllerFinder& finder,
                                    const std::vector<kube::ObjectPtr>& pods) {
    ExpectedScale result;
    std::map<std::string, int64_t> scales; // controller uid -> scale
    std::map<std::string, bool> seenRefs;  // controller ref uid already resolved
    for (const kube::ObjectPtr& pod : pods) {
        const json::object* ref = kube::controllerRef(*pod);
        if (!ref) {
            result.unmanagedPods.emplace_back(kube::name(*pod));
            continue;
        }
        std::string refUid = stringAt(*ref, "uid");
        if (seenRefs.contains(refUid)) {
            continue;
        }
        auto found = finder.find(*ref, kube::namespaceOf(*pod));
        if (!found) {
            return std::unexpected(found.error());
        }
        if (!*found) {
            return fail(ErrorCode::NotFound,
                        fmt::format("found no controllers for pod \"{}\"", kube::name(*pod)));
        }
        seenRefs[refUid] = true;
        scales[(*found)->uid] = (*found)->scale;
    }
    for (const auto& [uid, scale] : scales) {
        result.expected += scale;
    }
    return result;
}

} // namespace pilot::controllers::disruption
