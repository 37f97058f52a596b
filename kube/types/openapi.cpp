#include "kube/types/openapi.h"

#include "kube/types/openapischemas.h"
#include "kube/types/schemaset.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

namespace pilot::kube {

using boost::json::array;
using boost::json::object;

namespace {

constexpr std::string_view KubernetesVersion = "v1.32.0";

std::string sha512Hex(std::string_view data) {
    unsigned char digest[SHA512_DIGEST_LENGTH];
    SHA512(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    std::string out;
    out.reserve(sizeof(digest) * 2);
    for (unsigned char b : digest) {
        out += fmt::format("{:02X}", b);
    }
    return out;
}

bool hasVerb(const std::vector<std::string>& verbs, std::string_view verb) {
    return std::ranges::find(verbs, verb) != verbs.end();
}

/// "api/v1" or "apis/<group>/<version>".
std::string groupVersionPath(const GroupVersionKind& gvk) {
    return gvk.group.empty() ? "api/" + gvk.version
                             : fmt::format("apis/{}/{}", gvk.group, gvk.version);
}

std::string capitalize(std::string_view s) {
    std::string out(s);
    if (!out.empty()) {
        out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    }
    return out;
}

/// Operation id fragment as upstream spells it: "CoreV1", "AppsV1", "RbacAuthorizationV1".
std::string operationGroup(const GroupVersionKind& gvk) {
    std::string out;
    std::string_view group = gvk.group.empty() ? std::string_view("core") : gvk.group;
    if (group.ends_with(".k8s.io")) {
        group.remove_suffix(7);
    }
    while (!group.empty()) {
        auto dot = group.find('.');
        out += capitalize(group.substr(0, dot));
        group = dot == std::string_view::npos ? std::string_view() : group.substr(dot + 1);
    }
    return out + capitalize(gvk.version);
}

std::string tagOf(const GroupVersionKind& gvk) {
    std::string group = gvk.group.empty() ? "core" : gvk.group;
    std::string out;
    for (char c : group) {
        out += c == '.' || c == '-' ? '_' : c;
    }
    if (out.ends_with("_k8s_io")) {
        out.resize(out.size() - 7);
    }
    return out + "_" + gvk.version;
}

/// Builds one document (v2 or v3) of paths for a set of resources.
class PathBuilder {
public:
    PathBuilder(OpenApiDialect dialect, OpenApiSchemas& schemas)
        : m_dialect(dialect), m_schemas(schemas) {}

    void addResource(const ResourceType& rt);
    object takePaths() { return std::move(m_paths); }

private:
    bool v3() const { return m_dialect == OpenApiDialect::V3; }

    object param(std::string_view name, std::string_view in, std::string_view description,
                 bool required = false, std::string_view type = "string") const {
        object p{{"name", name}, {"in", in}, {"description", description}};
        if (required) {
            p["required"] = true;
        }
        if (v3()) {
            p["schema"] = object{{"type", type}, {"uniqueItems", true}};
        } else {
            p["type"] = type;
            p["uniqueItems"] = true;
        }
        return p;
    }

    object bodyParam(object schema) const {
        return object{{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", schema}};
    }

    object response(std::string_view description, const object* schema) const {
        object r{{"description", description}};
        if (schema == nullptr) {
            return r;
        }
        if (v3()) {
            object content;
            for (const char* type :
                 {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}) {
                content[type] = object{{"schema", *schema}};
            }
            r["content"] = std::move(content);
        } else {
            r["schema"] = *schema;
        }
        return r;
    }

    object operation(const ResourceType& rt, std::string_view action, std::string id,
                     const GroupVersionKind& gvk, std::string_view description) const {
        object op{{"description", description},
                  {"operationId", std::move(id)},
                  {"tags", array{tagOf(rt.gvk)}},
                  {"x-kubernetes-action", action},
                  {"x-kubernetes-group-version-kind",
                   object{{"group", gvk.group}, {"kind", gvk.kind}, {"version", gvk.version}}}};
        if (!v3()) {
            op["consumes"] = array{"*/*"};
            op["produces"] = array{"application/json", "application/yaml",
                                   "application/vnd.kubernetes.protobuf"};
            op["schemes"] = array{"https"};
        }
        return op;
    }

    void setBody(object& op, array& params, const object& schema, bool patch) const {
        if (!v3()) {
            params.push_back(bodyParam(schema));
            if (patch) {
                op["consumes"] =
                    array{"application/json-patch+json", "application/merge-patch+json",
                          "application/strategic-merge-patch+json", "application/apply-patch+yaml"};
            }
            return;
        }
        object content;
        if (patch) {
            for (const char* type :
                 {"application/apply-patch+yaml", "application/json-patch+json",
                  "application/merge-patch+json", "application/strategic-merge-patch+json"}) {
                content[type] = object{{"schema", schema}};
            }
        } else {
            content["*/*"] = object{{"schema", schema}};
        }
        op["requestBody"] = object{{"content", std::move(content)}, {"required", true}};
    }

    array writeParams(bool patch) const {
        array params;
        params.push_back(param("dryRun", "query",
                               "When present, the request is validated and processed but not "
                               "persisted. The only valid value is All."));
        params.push_back(param("fieldManager", "query",
                               "Name of the actor making the change, recorded for field "
                               "ownership."));
        params.push_back(param("fieldValidation", "query",
                               "How to treat unknown or duplicate fields: Ignore, Warn or "
                               "Strict (the server rejects the request)."));
        if (patch) {
            params.push_back(param("force", "query",
                                   "Force an apply request to take ownership of conflicting "
                                   "fields.",
                                   false, "boolean"));
        }
        return params;
    }

    array listParams() const {
        array params;
        params.push_back(param("allowWatchBookmarks", "query", "Ask for BOOKMARK events on watch.",
                               false, "boolean"));
        params.push_back(param("continue", "query", "Token of the next page of a list."));
        params.push_back(param("fieldSelector", "query", "Restrict the list by field values."));
        params.push_back(param("labelSelector", "query", "Restrict the list by labels."));
        params.push_back(
            param("limit", "query", "Maximum number of items to return.", false, "integer"));
        params.push_back(
            param("resourceVersion", "query", "Resource version the list or watch starts from."));
        params.push_back(
            param("resourceVersionMatch", "query", "How resourceVersion applies to a list."));
        params.push_back(
            param("timeoutSeconds", "query", "Timeout of a list or watch call.", false, "integer"));
        params.push_back(
            param("watch", "query", "Stream changes instead of listing.", false, "boolean"));
        return params;
    }

    void addItemOps(const ResourceType& rt, object& item, const std::string& idKind,
                    const std::vector<std::string>& verbs, const GroupVersionKind& gvk,
                    const object& schema, std::string_view what);

    OpenApiDialect m_dialect;
    OpenApiSchemas& m_schemas;
    object m_paths;
};

void PathBuilder::addItemOps(const ResourceType& rt, object& item, const std::string& idKind,
                             const std::vector<std::string>& verbs, const GroupVersionKind& gvk,
                             const object& schema, std::string_view what) {
    std::string group = operationGroup(rt.gvk);
    if (hasVerb(verbs, "get")) {
        object op =
            operation(rt, "get", "read" + group + idKind, gvk, fmt::format("read {}", what));
        op["responses"] =
            object{{"200", response("OK", &schema)}, {"401", response("Unauthorized", nullptr)}};
        item["get"] = std::move(op);
    }
    if (hasVerb(verbs, "update")) {
        object op =
            operation(rt, "put", "replace" + group + idKind, gvk, fmt::format("replace {}", what));
        array params = writeParams(false);
        setBody(op, params, schema, false);
        op["parameters"] = std::move(params);
        op["responses"] = object{{"200", response("OK", &schema)},
                                 {"201", response("Created", &schema)},
                                 {"401", response("Unauthorized", nullptr)}};
        item["put"] = std::move(op);
    }
    if (hasVerb(verbs, "patch")) {
        object op = operation(rt, "patch", "patch" + group + idKind, gvk,
                              fmt::format("partially update {}", what));
        array params = writeParams(true);
        setBody(op, params, m_schemas.namedRef("io.k8s.apimachinery.pkg.apis.meta.v1.Patch"), true);
        op["parameters"] = std::move(params);
        op["responses"] = object{{"200", response("OK", &schema)},
                                 {"201", response("Created", &schema)},
                                 {"401", response("Unauthorized", nullptr)}};
        item["patch"] = std::move(op);
    }
}

void PathBuilder::addResource(const ResourceType& rt) {
    if (rt.schema == nullptr) {
        return;
    }
    const std::string prefix = "/" + groupVersionPath(rt.gvk);
    const std::string group = operationGroup(rt.gvk);
    const std::string scope = rt.namespaced ? "Namespaced" : "";
    const std::string collection =
        rt.namespaced ? fmt::format("{}/namespaces/{{namespace}}/{}", prefix, rt.plural)
                      : fmt::format("{}/{}", prefix, rt.plural);
    const std::string itemPath = collection + "/{name}";
    object kind = m_schemas.kindRef(rt);
    object list = m_schemas.listRef(rt);
    object status = m_schemas.namedRef("io.k8s.apimachinery.pkg.apis.meta.v1.Status");
    object deleteOptions = m_schemas.namedRef("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    object namespaceParam = param(
        "namespace", "path", "object name and auth scope, such as for teams and projects", true);
    object nameParam = param("name", "path", fmt::format("name of the {}", rt.gvk.kind), true);

    object coll;
    array collParams;
    if (rt.namespaced) {
        collParams.push_back(namespaceParam);
    }
    collParams.push_back(param("pretty", "query", "If 'true', the output is pretty printed."));
    if (hasVerb(rt.verbs, "list")) {
        object op = operation(rt, "list", "list" + group + scope + rt.gvk.kind, rt.gvk,
                              fmt::format("list or watch objects of kind {}", rt.gvk.kind));
        op["parameters"] = listParams();
        op["responses"] =
            object{{"200", response("OK", &list)}, {"401", response("Unauthorized", nullptr)}};
        coll["get"] = std::move(op);
    }
    if (hasVerb(rt.verbs, "create")) {
        object op = operation(rt, "post", "create" + group + scope + rt.gvk.kind, rt.gvk,
                              fmt::format("create a {}", rt.gvk.kind));
        array params = writeParams(false);
        setBody(op, params, kind, false);
        op["parameters"] = std::move(params);
        op["responses"] = object{{"200", response("OK", &kind)},
                                 {"201", response("Created", &kind)},
                                 {"202", response("Accepted", &kind)},
                                 {"401", response("Unauthorized", nullptr)}};
        coll["post"] = std::move(op);
    }
    if (hasVerb(rt.verbs, "deletecollection")) {
        object op =
            operation(rt, "deletecollection", "deleteCollection" + group + scope + rt.gvk.kind,
                      rt.gvk, fmt::format("delete collection of {}", rt.gvk.kind));
        array params = listParams();
        setBody(op, params, deleteOptions, false);
        op["parameters"] = std::move(params);
        op["responses"] =
            object{{"200", response("OK", &status)}, {"401", response("Unauthorized", nullptr)}};
        coll["delete"] = std::move(op);
    }
    if (coll.size() > 0) {
        coll["parameters"] = std::move(collParams);
        m_paths[collection] = std::move(coll);
    }

    if (rt.namespaced && hasVerb(rt.verbs, "list")) {
        object op = operation(rt, "list", "list" + group + rt.gvk.kind + "ForAllNamespaces", rt.gvk,
                              fmt::format("list or watch objects of kind {}", rt.gvk.kind));
        op["parameters"] = listParams();
        op["responses"] =
            object{{"200", response("OK", &list)}, {"401", response("Unauthorized", nullptr)}};
        m_paths[fmt::format("{}/{}", prefix, rt.plural)] = object{{"get", std::move(op)}};
    }

    array itemParams;
    itemParams.push_back(nameParam);
    if (rt.namespaced) {
        itemParams.push_back(namespaceParam);
    }
    itemParams.push_back(param("pretty", "query", "If 'true', the output is pretty printed."));
    object item;
    addItemOps(rt, item, scope + rt.gvk.kind, rt.verbs, rt.gvk, kind,
               fmt::format("the specified {}", rt.gvk.kind));
    if (hasVerb(rt.verbs, "delete")) {
        object op = operation(rt, "delete", "delete" + group + scope + rt.gvk.kind, rt.gvk,
                              fmt::format("delete a {}", rt.gvk.kind));
        array params;
        params.push_back(param("dryRun", "query", "When present, the deletion is only simulated."));
        params.push_back(param("gracePeriodSeconds", "query",
                               "Seconds before the object should be deleted.", false, "integer"));
        params.push_back(param("propagationPolicy", "query",
                               "Orphan, Background or Foreground garbage collection."));
        setBody(op, params, deleteOptions, false);
        op["parameters"] = std::move(params);
        op["responses"] = object{{"200", response("OK", &status)},
                                 {"202", response("Accepted", &status)},
                                 {"401", response("Unauthorized", nullptr)}};
        item["delete"] = std::move(op);
    }
    if (item.size() > 0) {
        item["parameters"] = itemParams;
        m_paths[itemPath] = std::move(item);
    }

    for (const Subresource& sub : rt.subresources) {
        if (sub.name != "status" && sub.name != "scale") {
            continue;
        }
        object schema = sub.responseKind == rt.gvk ? kind : m_schemas.gvkRef(sub.responseKind);
        object subPath;
        addItemOps(rt, subPath, scope + rt.gvk.kind + capitalize(sub.name), sub.verbs,
                   sub.responseKind, schema,
                   fmt::format("{} of the specified {}", sub.name, rt.gvk.kind));
        if (subPath.size() > 0) {
            subPath["parameters"] = itemParams;
            m_paths[itemPath + "/" + sub.name] = std::move(subPath);
        }
    }
}

object info() {
    return object{{"title", "Kubernetes"}, {"version", KubernetesVersion}};
}

std::string renderV3(const std::vector<ResourceTypePtr>& resources,
                     const std::shared_ptr<const SchemaSet>& builtin) {
    OpenApiSchemas schemas(OpenApiDialect::V3, builtin);
    for (const ResourceTypePtr& rt : resources) {
        schemas.addResource(*rt);
    }
    PathBuilder paths(OpenApiDialect::V3, schemas);
    for (const ResourceTypePtr& rt : resources) {
        paths.addResource(*rt);
    }
    object doc;
    doc["openapi"] = "3.0.0";
    doc["info"] = info();
    doc["paths"] = paths.takePaths();
    doc["components"] = object{{"schemas", schemas.render()}};
    return boost::json::serialize(doc);
}

std::string renderV2(const std::vector<ResourceTypePtr>& resources,
                     const std::shared_ptr<const SchemaSet>& builtin) {
    OpenApiSchemas schemas(OpenApiDialect::V2, builtin);
    for (const ResourceTypePtr& rt : resources) {
        schemas.addResource(*rt);
    }
    PathBuilder paths(OpenApiDialect::V2, schemas);
    for (const ResourceTypePtr& rt : resources) {
        paths.addResource(*rt);
    }
    object doc;
    doc["swagger"] = "2.0";
    doc["info"] = info();
    doc["paths"] = paths.takePaths();
    doc["definitions"] = schemas.render();
    return boost::json::serialize(doc);
}

} // namespace

OpenApi::OpenApi(std::shared_ptr<const TypeRegistry> registry)
    : m_owner(std::move(registry)), m_registry(m_owner.get()) {}

OpenApi::OpenApi(const TypeRegistry& registry) : m_registry(&registry) {}

std::shared_ptr<OpenApi::Snapshot> OpenApi::current() {
    std::lock_guard lock(m_mutex);
    uint64_t generation = m_registry->generation();
    std::vector<ResourceTypePtr> resources = m_registry->all();
    if (m_snapshot && m_snapshot->generation == generation && m_snapshot->resources == resources) {
        return m_snapshot;
    }
    auto builtin = SchemaSet::builtin();
    std::shared_ptr<const SchemaSet> base = builtin ? *builtin : nullptr;
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->generation = generation;
    std::map<std::string, std::vector<ResourceTypePtr>> byGroupVersion;
    for (const ResourceTypePtr& rt : resources) {
        byGroupVersion[groupVersionPath(rt->gvk)].push_back(rt);
    }
    snapshot->resources = std::move(resources);
    object rootPaths;
    for (const auto& [path, members] : byGroupVersion) {
        auto doc = std::make_shared<OpenApiDocument>();
        doc->body = renderV3(members, base);
        doc->hash = sha512Hex(doc->body);
        rootPaths[path] =
            object{{"serverRelativeURL", fmt::format("/openapi/v3/{}?hash={}", path, doc->hash)}};
        snapshot->v3.emplace(path, std::move(doc));
    }
    snapshot->root = boost::json::serialize(object{{"paths", std::move(rootPaths)}});
    m_snapshot = snapshot;
    return snapshot;
}

std::string OpenApi::v3Root() {
    return current()->root;
}

std::shared_ptr<const OpenApiDocument> OpenApi::v3(std::string_view groupVersionPath) {
    auto snapshot = current();
    while (groupVersionPath.starts_with('/')) {
        groupVersionPath.remove_prefix(1);
    }
    auto it = snapshot->v3.find(groupVersionPath);
    if (it == snapshot->v3.end()) {
        return nullptr;
    }
    return it->second;
}

std::shared_ptr<const OpenApiDocument> OpenApi::v2() {
    auto snapshot = current();
    std::lock_guard lock(m_mutex);
    if (!snapshot->v2) {
        auto builtin = SchemaSet::builtin();
        auto doc = std::make_shared<OpenApiDocument>();
        doc->body = renderV2(snapshot->resources, builtin ? *builtin : nullptr);
        doc->hash = sha512Hex(doc->body);
        snapshot->v2 = std::move(doc);
    }
    return snapshot->v2;
}

namespace {

OpenApi& sharedOpenApi(const TypeRegistry& registry) {
    static std::mutex mutex;
    static std::map<const TypeRegistry*, std::unique_ptr<OpenApi>> instances;
    std::lock_guard lock(mutex);
    auto& instance = instances[&registry];
    if (!instance) {
        instance = std::make_unique<OpenApi>(registry);
    }
    return *instance;
}

} // namespace

std::string openApiV3Root(const TypeRegistry& registry) {
    return sharedOpenApi(registry).v3Root();
}

std::string openApiV3GroupVersion(const TypeRegistry& registry, std::string_view groupVersionPath) {
    auto doc = sharedOpenApi(registry).v3(groupVersionPath);
    return doc ? doc->body : std::string();
}

std::string openApiV2(const TypeRegistry& registry) {
    return sharedOpenApi(registry).v2()->body;
}

} // namespace pilot::kube
