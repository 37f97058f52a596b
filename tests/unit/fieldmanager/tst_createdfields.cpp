// The create shortcut of fieldmanager::update (one walk straight to FieldsV1) against the
// general algorithm: byte-identical stored objects for manifests, edge cases and random objects.

#include "kube/fieldmanager/createdfields.h"
#include "kube/fieldmanager/fieldmanager.h"

#include "kube/jsonutil.h"
#include "kube/types/typeregistry.h"
#include "kube/yaml.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace pilot::kube::fieldmanager {
namespace {

namespace json = boost::json;

const TypeRegistry& registry() {
    static const auto Registry = TypeRegistry::builtin();
    return *Registry;
}

ResourceTypePtr typeOf(const json::value& obj) {
    if (!obj.is_object()) {
        return nullptr;
    }
    const std::string apiVersion = stringAt(obj.get_object(), "apiVersion");
    const std::string kind = stringAt(obj.get_object(), "kind");
    const size_t slash = apiVersion.find('/');
    const std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
    const std::string version =
        slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    return registry().byKind(group, version, kind);
}

const TimePoint Now = *parseTime("2026-11-22T11:13:58Z");

/// The write contexts a create can come with: the kind's schema or none, with or without a
/// status subresource, through the main resource or a subresource.
std::vector<WriteContext> contextsFor(const schema::Type* type, const std::string& apiVersion) {
    std::vector<WriteContext> out;
    for (const schema::Type* t : {type, static_cast<const schema::Type*>(nullptr)}) {
        for (bool statusSubresource : {true, false}) {
            for (const char* subresource : {"", "status", "scale"}) {
                out.push_back(
                    WriteContext{"creator", apiVersion, subresource, Now, t, statusSubresource});
            }
        }
    }
    return out;
}

std::string describe(const WriteContext& c) {
    return fmt::format("schema={} statusSubresource={} subresource={:?}", c.type != nullptr,
                       c.statusSubresource, c.subresource);
}

/// Both paths, as a create and through the copying and the moving overload.
void expectSame(const json::value& obj, const WriteContext& context, const std::string& what) {
    const std::string general = json::serialize(detail::updateGeneral(nullptr, obj, context));
    const std::string copied = json::serialize(update(nullptr, obj, context));
    const std::string moved = json::serialize(update(nullptr, json::value(obj), context));
    EXPECT_EQ(copied, general) << what << " (" << describe(context) << ")";
    EXPECT_EQ(moved, general) << what << " (" << describe(context) << ")";
    const std::string applied =
        json::serialize(update(nullptr, json::value(obj), context, OperationApply));
    EXPECT_EQ(applied,
              json::serialize(detail::updateGeneral(nullptr, obj, context, OperationApply)))
        << what << " (" << describe(context) << ")";
}

void expectSameEverywhere(const json::value& obj, const std::string& what) {
    const ResourceTypePtr type = typeOf(obj);
    const std::string apiVersion =
        obj.is_object() ? stringAt(obj.get_object(), "apiVersion") : std::string("v1");
    for (const WriteContext& c : contextsFor(type ? type->schema : nullptr, apiVersion)) {
        expectSame(obj, c, what);
    }
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(CreatedFields, ManifestsMatchTheGeneralPath) {
    const std::filesystem::path dir = std::filesystem::path(PILOT_TEST_DATA_DIR) / "manifests";
    size_t objects = 0;
    size_t typed = 0;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        const std::string name = file.path().filename().string();
        if (!name.ends_with(".yaml") && !name.ends_with(".yml") && !name.ends_with(".json")) {
            continue;
        }
        auto docs = parseYamlDocuments(readFile(file.path()));
        ASSERT_TRUE(docs) << name << ": " << docs.error().message;
        for (const json::value& doc : *docs) {
            const ResourceTypePtr type = typeOf(doc);
            if (!doc.is_object() || stringAt(doc.get_object(), "kind").empty()) {
                continue;
            }
            ++objects;
            typed += type != nullptr ? 1 : 0;
            expectSameEverywhere(doc, name + " " + stringAt(doc.get_object(), "kind"));
            // The shortcut is taken (it does not fall back) and owns the manifest's fields.
            const auto fields = createdFieldsV1(doc, type ? type->schema : nullptr, "");
            ASSERT_TRUE(fields.has_value()) << name;
            EXPECT_FALSE(fields->empty()) << name;
        }
    }
    EXPECT_GE(objects, 20u);
    EXPECT_GE(typed, 15u);
}

const char* const BenchPod =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1","namespace":"default","uid":"u",
    "creationTimestamp":"2026-11-22T11:13:58Z","labels":{"app":"bench"},
    "annotations":{"pilot.bench/sent":"123456789012345"}},"spec":{"schedulerName":"x",
    "containers":[{"image":"registry.local/bench/app:1.0","name":"main",
    "imagePullPolicy":"IfNotPresent","terminationMessagePath":"/dev/termination-log",
    "terminationMessagePolicy":"File","resources":{},"volumeMounts":[{"mountPath":
    "/var/run/secrets/kubernetes.io/serviceaccount","name":"kube-api-access-5fwzr",
    "readOnly":true}]}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always",
    "securityContext":{},"terminationGracePeriodSeconds":30,"enableServiceLinks":true,
    "serviceAccountName":"default","serviceAccount":"default","priority":0,
    "preemptionPolicy":"PreemptLowerPriority","tolerations":[{"key":
    "node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
    "tolerationSeconds":300}],"volumes":[{"name":"kube-api-access-5fwzr","projected":
    {"defaultMode":420,"sources":[{"serviceAccountToken":{"expirationSeconds":3607,
    "path":"token"}}]}}]},"status":{"phase":"Pending"}})";

TEST(CreatedFields, PodCreateRecordsTheUpstreamEntry) {
    const json::value pod = json::parse(BenchPod);
    expectSameEverywhere(pod, "bench pod");
    const ResourceTypePtr type = typeOf(pod);
    ASSERT_TRUE(type);
    const WriteContext c{"kubectl-create", "v1", "", Now, type->schema, true};
    const json::value stored = update(nullptr, json::value(pod), c);
    const json::array& entries =
        objectAt(stored.get_object(), "metadata")->at("managedFields").get_array();
    ASSERT_EQ(entries.size(), 1u);
    const json::object& e = entries[0].get_object();
    EXPECT_EQ(stringAt(e, "manager"), "kubectl-create");
    EXPECT_EQ(stringAt(e, "operation"), "Update");
    EXPECT_EQ(stringAt(e, "time"), "2026-11-22T11:13:58Z");
    const json::object& spec = e.at("fieldsV1").get_object().at("f:spec").get_object();
    // Required list: no "." of its own; keyed items are members of their own.
    EXPECT_EQ(json::serialize(spec.at("f:containers")
                                  .get_object()
                                  .at("k:{\"name\":\"main\"}")
                                  .get_object()
                                  .at("f:volumeMounts")),
              R"({".":{},"k:{\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}")"
              R"(:{".":{},"f:mountPath":{},"f:name":{},"f:readOnly":{}}})");
    EXPECT_FALSE(spec.at("f:containers").get_object().contains("."));
    // Status belongs to the status subresource; metadata.name and uid to the server.
    EXPECT_FALSE(e.at("fieldsV1").get_object().contains("f:status"));
    EXPECT_EQ(json::serialize(e.at("fieldsV1").get_object().at("f:metadata")),
              R"({"f:annotations":{".":{},"f:pilot.bench/sent":{}},"f:labels":{".":{},)"
              R"("f:app":{}}})");
}

TEST(CreatedFields, EdgeCasesMatchTheGeneralPath) {
    const std::vector<std::string> cases = {
        // Keyed lists with two keys, a defaulted key, items without keys, non-object items,
        // duplicate keys (first wins), numbers equal across storage kinds.
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[
            {"port":80,"protocol":"UDP","name":"a"},{"port":80,"name":"b"},{"port":80.0},
            {"name":"nokey"},{"targetPort":8080},7,null,{"port":443,"protocol":"TCP"},
            {"port":80,"protocol":"UDP","name":"dup","nodePort":1}],
            "selector":{},"clusterIPs":[],"externalIPs":["b","a","b"]}})",
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[
            {"name":"a","ports":[{"containerPort":80},{"containerPort":80,"protocol":"TCP"},
            {"containerPort":81,"protocol":"UDP"}],"env":[{"name":"X","value":"1"},
            {"name":"X","value":"2"},{"name":"Y","valueFrom":{"fieldRef":{"fieldPath":"x"}}}]},
            {"name":"a","image":"dup"},{"image":"nameless"},{"name":"b","args":["x","x"],
            "resources":{"limits":{},"requests":{"cpu":"1"}}}],"initContainers":[]}})",
        // Sets: finalizers with repeats, mixed kinds and null; empty and null containers.
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":
            ["b","a","b",1,true,null,{"x":1},["y"]],"labels":{},"annotations":null,
            "ownerReferences":[{"uid":"2","name":"n"},{"uid":"1"},{"name":"x"}]},
            "data":{"z":"1","a":"","m":null},"binaryData":{}})",
        // Atomic structs (LabelSelector, NodeSelector) and maps inside them.
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{
            "selector":{"matchLabels":{"a":"b"},"matchExpressions":[{"key":"k",
            "operator":"In","values":["v"]}]},"template":{"metadata":{"labels":{"a":"b"}},
            "spec":{"nodeSelector":{"disk":"ssd"},"affinity":{"nodeAffinity":{
            "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
            {"matchExpressions":[{"key":"a","operator":"Exists"}]}]}}},
            "containers":[{"name":"c"}]}},"strategy":{}},"status":{"replicas":1,
            "conditions":[{"type":"Available","status":"True"}]}})",
        // Type mismatches and unknown members (deduced: objects are maps, lists atomic).
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":{"x":{"y":1}},"uid":[1],
            "generation":null,"labels":"notamap","extra":{"a":{"b":{}}}},"spec":"text",
            "status":{"phase":{"weird":true}},"unknown":{"k":[1,2],"m":{"n":null}},
            "apiVersion2":1})",
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":
            {"name":"notalist"},"volumes":[[1],{"name":"v","emptyDir":{}}],
            "securityContext":[]}})",
        // Stripped members with children, schema-less.
        R"({"apiVersion":{"group":"x"},"kind":{"k":1},"metadata":{"name":{"a":1},
            "namespace":"n","managedFields":null}})",
        // Metadata missing, null, not an object, empty; empty object.
        R"({"apiVersion":"v1","kind":"ConfigMap","data":{"a":"b"}})",
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":null,"data":{"a":"b"}})",
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":"m","data":{"a":"b"}})",
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})",
        R"({"metadata":{"name":"only-stripped","uid":"u"}})",
        R"({})",
        R"([1,2])",
        R"("text")",
        // Status only, spec only (what the reset fields take away).
        R"({"apiVersion":"v1","kind":"Pod","status":{"phase":"Running","conditions":[
            {"type":"Ready","status":"True"}]}})",
        R"({"apiVersion":"v1","kind":"Pod","spec":{"nodeName":"n"}})",
        // Repeated member names (the parser keeps the last one).
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1",
            "a":"2"}},"data":{"x":"1","x":"2"}})",
    };
    for (const std::string& text : cases) {
        const json::value obj = json::parse(text);
        expectSameEverywhere(obj, text);
        // And with a CRD-like schema-less kind of the same shape.
        json::value renamed = obj;
        if (renamed.is_object()) {
            renamed.get_object()["kind"] = "Widget";
            expectSameEverywhere(renamed, "Widget " + text);
        }
    }
}

TEST(CreatedFields, LongListsKeepTheFirstOfEqualItems) {
    // Long enough that an unstable sort would reorder equal items.
    json::array env;
    json::array finalizers;
    for (int i = 0; i < 60; ++i) {
        env.push_back(json::object({{"name", fmt::format("n{}", (i * 7) % 9)}, {"value", i}}));
        finalizers.push_back(i % 2 == 0 ? json::value(i % 5) : json::value(double(i % 5)));
    }
    json::value obj = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
        "spec":{"containers":[{"name":"c"}]}})");
    obj.at("spec").at("containers").at(0).as_object()["env"] = env;
    obj.at("metadata").as_object()["finalizers"] = finalizers;
    expectSameEverywhere(obj, "long lists");
}

TEST(CreatedFields, DeepNestingMatchesTheGeneralPath) {
    json::value obj = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":
        {"name":"c","annotations":{"a":"b"}}})");
    json::value deep = json::object();
    json::value* at = &deep;
    for (int i = 0; i < 520; ++i) {
        at = &at->as_object()[fmt::format("l{}", i % 3)];
        *at = json::object({{"leaf", i}});
    }
    obj.as_object()["unknown"] = deep;
    expectSameEverywhere(obj, "deep");
}

TEST(CreatedFields, RequestedManagedFieldsMatchTheGeneralPath) {
    const std::string entry =
        R"({"manager":"m","operation":"Update","apiVersion":"v1","time":"2026-01-01T00:00:00Z",
            "fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:a":{}}}})";
    for (const std::string& managed :
         {std::string("[]"), std::string("[{}]"), "[" + entry + "]",
          "[" + entry + "," + entry + "]", std::string(R"([{"manager":"bad"}])"),
          std::string("null"), std::string(R"({"x":1})"), std::string("[1]")}) {
        const json::value obj = json::parse(fmt::format(
            R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"c",
            "managedFields":{},"labels":{{"x":"y"}}}},"data":{{"a":"b","c":"d"}}}})",
            managed));
        expectSameEverywhere(obj, "managedFields " + managed);
    }
}

TEST(CreatedFields, UpdatesStillTakeTheGeneralPath) {
    const json::value pod = json::parse(BenchPod);
    const WriteContext c{"a", "v1", "", Now, typeOf(pod)->schema, true};
    const json::value created = update(nullptr, json::value(pod), c);
    json::value changed = created;
    changed.as_object()["spec"].as_object()["schedulerName"] = "y";
    const WriteContext later{"b", "v1", "", Now + std::chrono::seconds(5), c.type, true};
    EXPECT_EQ(json::serialize(update(&created, json::value(changed), later)),
              json::serialize(detail::updateGeneral(&created, changed, later)));
    EXPECT_EQ(json::serialize(update(&created, changed, later)),
              json::serialize(detail::updateGeneral(&created, changed, later)));
}

/// Random objects shaped by a schema, with the odd null, empty collection, repeated list item,
/// unknown member and value of the wrong kind.
class RandomObjects {
public:
    explicit RandomObjects(uint32_t seed) : m_random(seed) {}

    json::value of(const schema::Type* type, int depth) {
        if (chance(4)) {
            return json::value(nullptr);
        }
        if (chance(40)) {
            return scalar(); // the wrong kind, mostly
        }
        if (type == nullptr || depth > 8) {
            return depth > 8 ? scalar() : unknown(depth);
        }
        switch (type->kind) {
        case schema::Kind::Object: {
            json::object out;
            for (const schema::Field& f : type->properties) {
                if (chance(depth == 0 ? 1 : 2) && !chance(3)) {
                    out[f.name] = of(f.type, depth + 1);
                }
            }
            if (chance(15)) {
                out["zUnknown"] = unknown(depth + 1);
            }
            return out;
        }
        case schema::Kind::Map: {
            json::object out;
            for (int i = 0, n = count(); i < n; ++i) {
                out[pick({"a", "b", "c", "app", "z.io/x"})] = of(type->values, depth + 1);
            }
            return out;
        }
        case schema::Kind::Array: {
            json::array out;
            for (int i = 0, n = count(); i < n; ++i) {
                if (!out.empty() && chance(6)) {
                    out.push_back(out[m_random() % out.size()]); // a repeat
                } else {
                    out.push_back(of(type->items, depth + 1));
                }
            }
            return out;
        }
        case schema::Kind::Any:
            return unknown(depth);
        default:
            return scalar();
        }
    }

private:
    bool chance(uint32_t oneIn) { return m_random() % oneIn == 0; }
    int count() { return static_cast<int>(m_random() % 4); }
    const char* pick(std::initializer_list<const char*> names) {
        return names.begin()[m_random() % names.size()];
    }
    json::value scalar() {
        switch (m_random() % 7) {
        case 0:
            return json::value(static_cast<int64_t>(m_random() % 3));
        case 1:
            return json::value(static_cast<double>(m_random() % 3));
        case 2:
            return json::value(m_random() % 2 == 0);
        case 3:
            return json::value(json::object());
        case 4:
            return json::value(json::array());
        default:
            return json::value(pick({"TCP", "x", "y", "", "main"}));
        }
    }
    json::value unknown(int depth) {
        if (depth > 8 || chance(2)) {
            return scalar();
        }
        if (chance(2)) {
            return json::array({scalar(), scalar()});
        }
        json::object out;
        for (int i = 0, n = count(); i < n; ++i) {
            out[pick({"k", "l", "m"})] = unknown(depth + 1);
        }
        return out;
    }

    std::mt19937 m_random;
};

TEST(CreatedFields, RandomObjectsOfEveryKindMatchTheGeneralPath) {
    RandomObjects random(20261122);
    size_t checked = 0;
    for (const ResourceTypePtr& type : registry().all()) {
        if (type->schema == nullptr) {
            continue;
        }
        for (int i = 0; i < 6; ++i) {
            json::value obj = random.of(type->schema, 0);
            if (!obj.is_object()) {
                obj = json::object();
            }
            obj.as_object()["apiVersion"] = type->gvk.apiVersion();
            obj.as_object()["kind"] = type->gvk.kind;
            for (bool statusSubresource : {true, false}) {
                for (const char* subresource : {"", "status"}) {
                    expectSame(obj,
                               WriteContext{"creator", type->gvk.apiVersion(), subresource, Now,
                                            type->schema, statusSubresource},
                               fmt::format("{} #{}: {}", type->gvk.kind, i, json::serialize(obj)));
                    ++checked;
                }
            }
            if (::testing::Test::HasFailure()) {
                return; // one object is enough to debug
            }
        }
    }
    EXPECT_GE(checked, 100u);
}

} // namespace
} // namespace pilot::kube::fieldmanager
