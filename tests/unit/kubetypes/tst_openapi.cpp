#include "kube/types/openapi.h"
#include "kube/types/schemaset.h"
#include "kube/types/typeregistry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>
#include <set>

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

json::object parse(const std::string& text) {
    return json::parse(text).as_object();
}

/// Visits every operation object (get/put/post/patch/delete) of a document's paths.
void forEachOperation(
    const json::object& doc,
    const std::function<void(const std::string&, const std::string&, const json::object&)>& fn) {
    for (const auto& path : doc.at("paths").as_object()) {
        for (const auto& entry : path.value().as_object()) {
            if (entry.key() == "parameters") {
                continue;
            }
            fn(std::string(path.key()), std::string(entry.key()), entry.value().as_object());
        }
    }
}

void collectRefs(const json::value& v, std::set<std::string>& refs) {
    if (const auto* o = v.if_object()) {
        for (const auto& entry : *o) {
            if (entry.key() == "$ref" && entry.value().is_string()) {
                refs.insert(std::string(entry.value().get_string()));
            } else {
                collectRefs(entry.value(), refs);
            }
        }
    } else if (const auto* a = v.if_array()) {
        for (const auto& item : *a) {
            collectRefs(item, refs);
        }
    }
}

bool hasParam(const json::object& op, std::string_view name) {
    const auto* params = op.if_contains("parameters");
    if (params == nullptr) {
        return false;
    }
    for (const auto& p : params->as_array()) {
        if (p.at("name").as_string() == name) {
            return true;
        }
    }
    return false;
}

/// Follows a property schema to its definition name (through allOf as kubectl explain does).
std::string refName(const json::object& property) {
    const json::object* o = &property;
    if (const auto* all = o->if_contains("allOf")) {
        o = &all->as_array()[0].as_object();
    }
    std::string ref(o->at("$ref").as_string());
    return ref.substr(ref.rfind('/') + 1);
}

OpenApi& builtinOpenApi() {
    static OpenApi api(TypeRegistry::builtin());
    return api;
}

} // namespace

TEST(OpenApi, RootListsEveryGroupVersionWithTheDocumentHash) {
    auto& api = builtinOpenApi();
    json::object root = parse(api.v3Root());
    const auto& paths = root.at("paths").as_object();
    ASSERT_TRUE(paths.contains("api/v1"));
    ASSERT_TRUE(paths.contains("apis/apps/v1"));
    auto apps = api.v3("apis/apps/v1");
    ASSERT_TRUE(apps);
    EXPECT_EQ(apps->hash.size(), 128u);
    EXPECT_EQ(paths.at("apis/apps/v1").at("serverRelativeURL").as_string(),
              "/openapi/v3/apis/apps/v1?hash=" + apps->hash);
    EXPECT_EQ(api.v3("apis/nothere/v1"), nullptr);
    EXPECT_EQ(api.v3("apis/apps/v1"), apps) << "documents are cached";
}

TEST(OpenApi, EveryOperationCarriesGvkAndActionAndPatchTakesFieldValidation) {
    auto& api = builtinOpenApi();
    json::object root = parse(api.v3Root());
    int operations = 0;
    for (const auto& gv : root.at("paths").as_object()) {
        auto doc = api.v3(gv.key());
        ASSERT_TRUE(doc) << gv.key();
        json::object parsed = parse(doc->body);
        EXPECT_EQ(parsed.at("openapi").as_string(), "3.0.0");
        forEachOperation(parsed, [&](const std::string& path, const std::string& method,
                                     const json::object& op) {
            SCOPED_TRACE(path + " " + method);
            ++operations;
            ASSERT_TRUE(op.contains("x-kubernetes-group-version-kind"));
            ASSERT_TRUE(op.contains("x-kubernetes-action"));
            EXPECT_FALSE(op.at("x-kubernetes-group-version-kind").at("kind").as_string().empty());
            if (method == "patch") {
                EXPECT_TRUE(hasParam(op, "fieldValidation"));
                EXPECT_TRUE(hasParam(op, "fieldManager"));
                EXPECT_TRUE(hasParam(op, "dryRun"));
                EXPECT_TRUE(hasParam(op, "force"));
                EXPECT_TRUE(op.at("requestBody")
                                .at("content")
                                .as_object()
                                .contains("application/strategic-merge-patch+json"));
            }
        });
    }
    EXPECT_GT(operations, 200);
}

TEST(OpenApi, ApplyFindsAPatchOperationForEachBuiltInKind) {
    // kubectl apply skips client-side validation when the group-version document has a PATCH
    // operation for the object's GVK that takes fieldValidation.
    auto& api = builtinOpenApi();
    struct Case {
        const char* path;
        GroupVersionKind gvk;
    };
    const Case cases[] = {{"apis/apps/v1", {"apps", "v1", "Deployment"}},
                          {"api/v1", {"", "v1", "ConfigMap"}},
                          {"api/v1", {"", "v1", "Service"}},
                          {"api/v1", {"", "v1", "Namespace"}},
                          {"api/v1", {"", "v1", "Secret"}}};
    for (const Case& c : cases) {
        SCOPED_TRACE(c.gvk.kind);
        auto doc = api.v3(c.path);
        ASSERT_TRUE(doc);
        bool found = false;
        forEachOperation(parse(doc->body), [&](const std::string&, const std::string& method,
                                               const json::object& op) {
            const auto& gvk = op.at("x-kubernetes-group-version-kind").as_object();
            if (method == "patch" && gvk.at("group").as_string() == c.gvk.group &&
                gvk.at("version").as_string() == c.gvk.version &&
                gvk.at("kind").as_string() == c.gvk.kind && hasParam(op, "fieldValidation")) {
                found = true;
            }
        });
        EXPECT_TRUE(found);
    }
}

TEST(OpenApi, EveryRefResolvesInItsDocument) {
    auto& api = builtinOpenApi();
    json::object root = parse(api.v3Root());
    for (const auto& gv : root.at("paths").as_object()) {
        SCOPED_TRACE(std::string(gv.key()));
        json::object doc = parse(api.v3(gv.key())->body);
        std::set<std::string> refs;
        collectRefs(doc, refs);
        const auto& schemas = doc.at("components").at("schemas").as_object();
        for (const std::string& ref : refs) {
            ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
            EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
        }
    }
    json::object v2 = parse(api.v2()->body);
    EXPECT_EQ(v2.at("swagger").as_string(), "2.0");
    std::set<std::string> refs;
    collectRefs(v2, refs);
    const auto& definitions = v2.at("definitions").as_object();
    EXPECT_TRUE(definitions.contains("io.k8s.api.apps.v1.Deployment"));
    for (const std::string& ref : refs) {
        ASSERT_TRUE(ref.starts_with("#/definitions/")) << ref;
        EXPECT_TRUE(definitions.contains(ref.substr(14))) << ref;
    }
}

TEST(OpenApi, ExplainCanWalkFromTheKindToDeploymentSpecStrategy) {
    json::object doc = parse(builtinOpenApi().v3("apis/apps/v1")->body);
    const auto& schemas = doc.at("components").at("schemas").as_object();
    // Find the schema by its GVK extension, as kubectl explain does.
    const json::object* deployment = nullptr;
    for (const auto& entry : schemas) {
        const auto* gvks = entry.value().as_object().if_contains("x-kubernetes-group-version-kind");
        if (gvks == nullptr) {
            continue;
        }
        for (const auto& gvk : gvks->as_array()) {
            if (gvk.at("group") == "apps" && gvk.at("version") == "v1" &&
                gvk.at("kind") == "Deployment") {
                deployment = &entry.value().as_object();
            }
        }
    }
    ASSERT_NE(deployment, nullptr);
    std::string specName = refName(deployment->at("properties").at("spec").as_object());
    EXPECT_EQ(specName, "io.k8s.api.apps.v1.DeploymentSpec");
    const auto& spec = schemas.at(specName).as_object();
    const auto& strategy = spec.at("properties").at("strategy").as_object();
    EXPECT_EQ(strategy.at("x-kubernetes-patch-strategy").as_string(), "retainKeys");
    EXPECT_FALSE(strategy.at("description").as_string().empty());
    const auto& strategySchema = schemas.at(refName(strategy)).as_object();
    EXPECT_TRUE(strategySchema.at("properties").as_object().contains("rollingUpdate"));
    EXPECT_TRUE(schemas.contains("io.k8s.api.apps.v1.DeploymentList"));
    EXPECT_TRUE(schemas.contains("io.k8s.api.autoscaling.v1.Scale"));
}

TEST(OpenApi, SchemasCarryPatchListAndScalarEncodings) {
    json::object doc = parse(builtinOpenApi().v3("api/v1")->body);
    const auto& schemas = doc.at("components").at("schemas").as_object();
    const auto& podSpec = schemas.at("io.k8s.api.core.v1.PodSpec").as_object();
    const auto& containers = podSpec.at("properties").at("containers").as_object();
    EXPECT_EQ(containers.at("x-kubernetes-patch-merge-key").as_string(), "name");
    EXPECT_EQ(containers.at("x-kubernetes-patch-strategy").as_string(), "merge");
    EXPECT_EQ(containers.at("type").as_string(), "array");
    EXPECT_EQ(podSpec.at("required").as_array(), json::array{"containers"});
    const auto& intOrString =
        schemas.at("io.k8s.apimachinery.pkg.util.intstr.IntOrString").as_object();
    EXPECT_EQ(intOrString.at("x-kubernetes-int-or-string"), true);
    EXPECT_EQ(intOrString.at("format").as_string(), "int-or-string");
    const auto& time = schemas.at("io.k8s.apimachinery.pkg.apis.meta.v1.Time").as_object();
    EXPECT_EQ(time.at("format").as_string(), "date-time");
    const auto& secret = schemas.at("io.k8s.api.core.v1.Secret").as_object();
    EXPECT_EQ(secret.at("properties").at("data").at("additionalProperties").at("format"), "byte");
    const auto& quantity = schemas.at("io.k8s.apimachinery.pkg.api.resource.Quantity").as_object();
    EXPECT_TRUE(quantity.contains("oneOf"));
}

TEST(OpenApi, CustomResourcesAppearAfterTheRegistryChanges) {
    auto registry = TypeRegistry::builtin();
    OpenApi api(registry);
    EXPECT_FALSE(parse(api.v3Root()).at("paths").as_object().contains("apis/ops.example.com/v1"));
    auto schema = schemaFromOpenApiV3(json::parse(
        R"({"type":"object","properties":{"spec":{"type":"object","properties":{
            "schedule":{"type":"string","description":"When to run."}}}}})"));
    ASSERT_TRUE(schema.has_value());
    auto rt = std::make_shared<ResourceType>();
    rt->gvk = {"ops.example.com", "v1", "Backup"};
    rt->plural = "backups";
    rt->singular = "backup";
    rt->verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    rt->schema = (*schema)->definitions().front();
    rt->schemaOwner = *schema;
    rt->custom = true;
    registry->add(rt);
    json::object root = parse(api.v3Root());
    ASSERT_TRUE(root.at("paths").as_object().contains("apis/ops.example.com/v1"));
    json::object doc = parse(api.v3("apis/ops.example.com/v1")->body);
    const auto& schemas = doc.at("components").at("schemas").as_object();
    ASSERT_TRUE(schemas.contains("com.example.ops.v1.Backup"));
    EXPECT_EQ(schemas.at("com.example.ops.v1.Backup").at("x-kubernetes-group-version-kind"),
              (json::array{json::object{
                  {"group", "ops.example.com"}, {"kind", "Backup"}, {"version", "v1"}}}));
    EXPECT_TRUE(doc.at("paths").as_object().contains(
        "/apis/ops.example.com/v1/namespaces/{namespace}/backups/{name}"));
    EXPECT_TRUE(doc.at("paths").as_object().contains("/apis/ops.example.com/v1/backups"));
}

TEST(OpenApi, FreeFunctionsServeTheSameDocumentsAndFollowRegistryChanges) {
    auto registry = TypeRegistry::builtin();
    std::string root = openApiV3Root(*registry);
    json::object parsed = parse(root);
    std::string url(parsed.at("paths").at("apis/apps/v1").at("serverRelativeURL").as_string());
    std::string apps = openApiV3GroupVersion(*registry, "apis/apps/v1");
    ASSERT_FALSE(apps.empty());
    EXPECT_NE(url.find(OpenApi(registry).v3("apis/apps/v1")->hash), std::string::npos);
    EXPECT_TRUE(openApiV3GroupVersion(*registry, "apis/nope/v1").empty());
    EXPECT_EQ(parse(openApiV2(*registry)).at("swagger"), "2.0");
    registry->remove("apps", "v1", "deployments");
    EXPECT_FALSE(parse(openApiV3GroupVersion(*registry, "apis/apps/v1"))
                     .at("paths")
                     .as_object()
                     .contains("/apis/apps/v1/namespaces/{namespace}/deployments"));
}
