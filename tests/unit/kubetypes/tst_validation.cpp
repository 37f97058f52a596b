#include "kube/types/schemaset.h"
#include "kube/types/typeregistry.h"
#include "kube/types/validation.h"

#include "testyaml.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

using namespace pilot;
using namespace pilot::kube;
using namespace pilot::kube::test;

namespace {

struct Outcome {
    FieldErrors unknown;
    FieldErrors invalid;
};

std::shared_ptr<TypeRegistry> registry() {
    static auto r = TypeRegistry::builtin();
    return r;
}

Outcome checkBuiltIn(const boost::json::value& object) {
    Outcome out;
    const auto& o = object.as_object();
    std::string apiVersion(o.at("apiVersion").as_string());
    std::string group;
    std::string version = apiVersion;
    if (auto slash = apiVersion.find('/'); slash != std::string::npos) {
        group = apiVersion.substr(0, slash);
        version = apiVersion.substr(slash + 1);
    }
    auto rt = registry()->byKind(group, version, std::string(o.at("kind").as_string()));
    EXPECT_TRUE(rt) << apiVersion << " " << o.at("kind").as_string();
    if (!rt) {
        return out;
    }
    checkAgainstSchema(*rt->schema, object, out.unknown, out.invalid);
    // The write path checks the object itself (no copy into a value): same findings.
    Outcome direct;
    checkAgainstSchema(*rt->schema, o, direct.unknown, direct.invalid);
    auto texts = [](const FieldErrors& errors) {
        std::vector<std::string> lines;
        for (const FieldError& e : errors) {
            lines.push_back(e.reason + " " + e.field + " " + e.message);
        }
        return lines;
    };
    EXPECT_EQ(texts(direct.unknown), texts(out.unknown));
    EXPECT_EQ(texts(direct.invalid), texts(out.invalid));
    return out;
}

std::vector<std::string> fields(const FieldErrors& errors) {
    std::vector<std::string> out;
    for (const FieldError& e : errors) {
        out.push_back(e.field);
    }
    return out;
}

boost::json::value deployment() {
    return parseYamlText(R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: "25%"}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources: {requests: {cpu: 50m, memory: 16Mi}, limits: {cpu: 1}}
        ports: [{containerPort: 80, name: http}]
)")
        .front();
}

} // namespace

TEST(Validation, AcceptanceManifestsOfBuiltInKindsAreClean) {
    const char* files[] = {"web.yaml",         "init.yaml", "sidecar.yaml",
                           "statefulset.yaml", "job.yaml",  "cronjob.yaml",
                           "daemonset.yaml",   "hpa.yaml",  "quota.yaml"};
    int checked = 0;
    for (const char* file : files) {
        for (const boost::json::value& doc : loadManifest(file)) {
            SCOPED_TRACE(std::string(file) + ": " + boost::json::serialize(doc.at("kind")));
            Outcome out = checkBuiltIn(doc);
            EXPECT_TRUE(out.unknown.empty()) << out.unknown.front().message;
            EXPECT_TRUE(out.invalid.empty()) << out.invalid.front().message;
            ++checked;
        }
    }
    EXPECT_GE(checked, 12);
}

TEST(Validation, UnknownFieldsAreReportedWithKubernetesPaths) {
    boost::json::value d = deployment();
    d.at("spec").as_object()["replicaz"] = 3;
    auto& container =
        d.at("spec").at("template").at("spec").at("containers").as_array()[0].as_object();
    container["imagePullPolicyy"] = "Always";
    container["ports"].as_array()[0].as_object()["hostport"] = 8080;
    d.at("metadata").as_object()["labelz"] = boost::json::object{};
    Outcome out = checkBuiltIn(d);
    EXPECT_TRUE(out.invalid.empty());
    auto paths = fields(out.unknown);
    std::ranges::sort(paths);
    EXPECT_EQ(paths,
              (std::vector<std::string>{"metadata.labelz", "spec.replicaz",
                                        "spec.template.spec.containers[0].imagePullPolicyy",
                                        "spec.template.spec.containers[0].ports[0].hostport"}));
    auto replicaz = std::ranges::find(out.unknown, "spec.replicaz", &FieldError::field);
    ASSERT_NE(replicaz, out.unknown.end());
    EXPECT_EQ(replicaz->reason, "FieldValueUnknown");
    EXPECT_EQ(replicaz->message, "unknown field \"spec.replicaz\"");
}

TEST(Validation, ValidDeploymentPasses) {
    Outcome out = checkBuiltIn(deployment());
    EXPECT_TRUE(out.unknown.empty());
    EXPECT_TRUE(out.invalid.empty());
}

struct DecodeCase {
    const char* name;
    const char* yaml;
    const char* message;
};

TEST(Validation, WrongTypesInBuiltInKindsAreGoDecodeErrors) {
    const DecodeCase cases[] = {
        {"string replicas", "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: \"3\"}\n",
         "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
         "type int32"},
        {"fractional replicas", "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: 1.5}\n",
         "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of "
         "type int32"},
        {"number label", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {a: 1}}\n",
         "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
         "string"},
        {"image as list",
         "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: [x]}]}\n",
         "json: cannot unmarshal array into Go struct field Container.spec.containers.image of "
         "type string"},
        {"containers as object", "apiVersion: v1\nkind: Pod\nspec: {containers: {name: a}}\n",
         "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type "
         "[]v1.Container"},
        {"bad quantity",
         "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, resources: {limits: {cpu: "
         "lots}}}]}\n",
         "quantities must match the regular expression "
         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
        {"bad base64", "apiVersion: v1\nkind: Secret\ndata: {k: \"a$==\"}\n",
         "illegal base64 data at input byte 1"},
        {"bool hostNetwork", "apiVersion: v1\nkind: Pod\nspec: {hostNetwork: \"yes\"}\n",
         "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type "
         "bool"},
    };
    for (const DecodeCase& c : cases) {
        SCOPED_TRACE(c.name);
        Outcome out = checkBuiltIn(parseYamlText(c.yaml).front());
        ASSERT_EQ(out.invalid.size(), 1u);
        EXPECT_EQ(out.invalid[0].reason, DecodeErrorReason);
        EXPECT_EQ(out.invalid[0].message, c.message);
    }
}

TEST(Validation, BuiltInKindsAcceptNullsIntOrStringAndQuantityNumbers) {
    auto doc = parseYamlText(R"(
apiVersion: v1
kind: Service
metadata: {name: s, labels: null}
spec:
  ports: [{port: 80, targetPort: http}, {port: 81, targetPort: 8081}]
  selector: null
)")
                   .front();
    Outcome out = checkBuiltIn(doc);
    EXPECT_TRUE(out.invalid.empty()) << out.invalid.front().message;
    EXPECT_TRUE(out.unknown.empty());
}

TEST(Validation, EnumAndRequiredAreNotCheckedForBuiltInKinds) {
    // Built-in semantic validation belongs to each kind's validator, with its own messages.
    auto doc = parseYamlText("apiVersion: v1\nkind: Pod\nspec:\n  containers: [{image: x, "
                             "imagePullPolicy: Sometimes}]\n")
                   .front();
    Outcome out = checkBuiltIn(doc);
    EXPECT_TRUE(out.invalid.empty());
}

namespace {

std::shared_ptr<SchemaSet> backupSchema() {
    auto crd = loadManifest("crd.yaml").front();
    const auto& schema = crd.at("spec").at("versions").at(0).at("schema").at("openAPIV3Schema");
    auto set = schemaFromOpenApiV3(schema, "com.example.ops.v1.Backup");
    EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().message);
    return set ? *set : nullptr;
}

Outcome checkCustom(const schema::Type& root, const std::string& yaml) {
    Outcome out;
    checkAgainstSchema(root, parseYamlText(yaml).front(), out.unknown, out.invalid,
                       SchemaFlavor::Custom);
    return out;
}

} // namespace

TEST(CrdSchema, ConvertsTheAcceptanceCrdAndAddsTypeMeta) {
    auto set = backupSchema();
    ASSERT_TRUE(set);
    const schema::Type* root = set->definitions().front();
    EXPECT_EQ(root->name, "com.example.ops.v1.Backup");
    ASSERT_NE(root->field("apiVersion"), nullptr);
    ASSERT_NE(root->field("kind"), nullptr);
    ASSERT_NE(root->field("metadata"), nullptr);
    EXPECT_EQ(root->field("metadata")->type->name,
              "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    const schema::Type* spec = root->field("spec")->type;
    ASSERT_NE(spec, nullptr);
    EXPECT_TRUE(spec->field("schedule")->required);
    EXPECT_EQ(spec->field("retain")->type->kind, schema::Kind::Integer);
    EXPECT_EQ(spec->field("retain")->type->minimum, 1.0);
}

TEST(CrdSchema, CustomResourcesGetApiextensionsMessages) {
    auto set = backupSchema();
    ASSERT_TRUE(set);
    const schema::Type& root = *set->definitions().front();
    Outcome ok = checkCustom(root, "apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: "
                                   "{name: b}\nspec: {schedule: '@daily', retain: 3}\n");
    EXPECT_TRUE(ok.invalid.empty());
    EXPECT_TRUE(ok.unknown.empty());

    Outcome bad = checkCustom(root, "apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: "
                                    "{name: b}\nspec: {retain: 0, extra: 1}\n");
    ASSERT_EQ(bad.invalid.size(), 2u);
    EXPECT_EQ(bad.invalid[0].field, "spec.retain");
    EXPECT_EQ(bad.invalid[0].reason, "FieldValueInvalid");
    EXPECT_EQ(bad.invalid[0].message,
              "Invalid value: 0: spec.retain in body should be greater than or equal to 1");
    EXPECT_EQ(bad.invalid[1].field, "spec.schedule");
    EXPECT_EQ(bad.invalid[1].reason, "FieldValueRequired");
    EXPECT_EQ(bad.invalid[1].message, "Required value");
    EXPECT_EQ(fields(bad.unknown), std::vector<std::string>{"spec.extra"});

    Outcome typed = checkCustom(root, "apiVersion: ops.example.com/v1\nkind: Backup\nspec: "
                                      "{schedule: x, retain: \"3\"}\n");
    ASSERT_EQ(typed.invalid.size(), 1u);
    EXPECT_EQ(typed.invalid[0].reason, "FieldValueTypeInvalid");
    EXPECT_EQ(typed.invalid[0].message,
              "Invalid value: \"string\": spec.retain in body must be of type integer: "
              "\"string\"");
}

TEST(CrdSchema, ConstraintMessagesFollowTheApiextensionsServer) {
    auto schemaDoc = boost::json::parse(R"({
      "type": "object",
      "properties": {
        "spec": {"type": "object", "properties": {
          "mode": {"type": "string", "enum": ["a", "b"]},
          "name": {"type": "string", "minLength": 3, "maxLength": 5, "pattern": "^[a-z]+$"},
          "level": {"type": "integer", "maximum": 10},
          "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2, "minItems": 1},
          "port": {"x-kubernetes-int-or-string": true},
          "labels": {"type": "object", "additionalProperties": {"type": "string"}},
          "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
          "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                       "x-kubernetes-preserve-unknown-fields": true}
        }}
      }})");
    auto set = schemaFromOpenApiV3(schemaDoc);
    ASSERT_TRUE(set.has_value()) << set.error().message;
    const schema::Type& root = *(*set)->definitions().front();
    Outcome out = checkCustom(root, R"(
apiVersion: x/v1
kind: X
spec:
  mode: c
  name: AB
  level: 11
  tags: [a, b, c]
  port: true
  labels: {a: 1}
  free: {anything: {goes: here}}
  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {}}
)");
    std::vector<std::string> messages;
    for (const FieldError& e : out.invalid) {
        messages.push_back(e.field + ": " + e.message);
    }
    EXPECT_EQ(messages, (std::vector<std::string>{
                            "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"",
                            "spec.name: Invalid value: \"AB\": spec.name in body should be at "
                            "least 3 chars long",
                            "spec.name: Invalid value: \"AB\": spec.name in body should match "
                            "'^[a-z]+$'",
                            "spec.level: Invalid value: 11: spec.level in body should be less "
                            "than or equal to 10",
                            "spec.tags: Too many: 3: must have at most 2 items",
                            "spec.port: Invalid value: \"boolean\": spec.port in body must be of "
                            "type integer,string: \"boolean\"",
                            "spec.labels[a]: Invalid value: \"integer\": spec.labels[a] in body "
                            "must be of type string: \"integer\"",
                        }));
    EXPECT_TRUE(out.unknown.empty());
    Outcome tooLong = checkCustom(root, "spec: {name: abcdef}\n");
    ASSERT_EQ(tooLong.invalid.size(), 1u);
    EXPECT_EQ(tooLong.invalid[0].reason, "FieldValueTooLong");
    EXPECT_EQ(tooLong.invalid[0].message, "Too long: may not be more than 5 bytes");
}

TEST(CrdSchema, MalformedSchemasAreRejectedWithThePath) {
    auto bad = schemaFromOpenApiV3(
        boost::json::parse(R"({"type":"object","properties":{"spec":{"type":"objekt"}}})"));
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(bad.error().message.find("openAPIV3Schema.properties[spec].type"), std::string::npos)
        << bad.error().message;
    EXPECT_FALSE(schemaFromOpenApiV3(boost::json::parse(R"({"type":"string"})")).has_value());
    EXPECT_FALSE(schemaFromOpenApiV3(boost::json::parse("[1]")).has_value());
}

TEST(CrdSchema, PruningDropsUnknownFieldsAndNullsButKeepsTypeMeta) {
    auto set = backupSchema();
    ASSERT_TRUE(set);
    auto doc = boost::json::parse(R"({"apiVersion":"ops.example.com/v1","kind":"Backup",
        "metadata":{"name":"b"},"spec":{"schedule":"x","retain":null,"junk":{"a":1},"z":2},
        "status":{"phase":"x"}})");
    boost::json::object asObject = doc.as_object();
    pruneUnknownFields(*set->definitions().front(), doc);
    EXPECT_EQ(boost::json::serialize(doc),
              R"({"apiVersion":"ops.example.com/v1","kind":"Backup","metadata":{"name":"b"},)"
              R"("spec":{"schedule":"x"}})");
    pruneUnknownFields(*set->definitions().front(), asObject);
    EXPECT_EQ(boost::json::value(asObject), doc);
}
