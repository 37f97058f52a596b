#include "kube/types/protobuf.h"
#include "kube/types/schemaset.h"
#include "kube/types/typeregistry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

/// A tiny protobuf writer mirroring what Go's generated marshallers emit.
class Msg {
public:
    Msg& varint(int field, uint64_t v) {
        key(field, 0);
        put(v);
        return *this;
    }
    Msg& str(int field, std::string_view s) {
        key(field, 2);
        put(s.size());
        m_bytes.append(s);
        return *this;
    }
    Msg& msg(int field, const Msg& m) { return str(field, m.m_bytes); }
    Msg& entry(int field, std::string_view k, std::string_view v) {
        return msg(field, Msg().str(1, k).str(2, v));
    }
    Msg& entry(int field, std::string_view k, const Msg& v) {
        return msg(field, Msg().str(1, k).msg(2, v));
    }
    Msg& raw(std::string_view bytes) {
        m_bytes.append(bytes);
        return *this;
    }
    [[nodiscard]] const std::string& bytes() const { return m_bytes; }

private:
    void key(int field, int wire) { put(static_cast<uint64_t>(field) << 3 | wire); }
    void put(uint64_t v) {
        while (v >= 0x80) {
            m_bytes += static_cast<char>((v & 0x7F) | 0x80);
            v >>= 7;
        }
        m_bytes += static_cast<char>(v);
    }
    std::string m_bytes;
};

std::string envelope(std::string_view apiVersion, std::string_view kind, const Msg& object) {
    Msg unknown;
    unknown.msg(1, Msg().str(1, apiVersion).str(2, kind))
        .msg(2, object)
        .str(3, "")
        .str(4, "application/vnd.kubernetes.protobuf");
    return std::string("k8s\0", 4) + unknown.bytes();
}

/// ObjectMeta the way kubectl's typed client writes it: every non-pointer field, even empty.
Msg objectMeta(std::string_view name, std::string_view app = {}) {
    Msg m;
    m.str(1, name).str(2, "").str(3, "").str(4, "").str(5, "").str(6, "").varint(7, 0).str(8, "");
    if (!app.empty()) {
        m.entry(11, "app", app);
    }
    return m;
}

/// A container with kubectl's zero-valued fields.
Msg container(std::string_view name, std::string_view image) {
    return Msg()
        .str(1, name)
        .str(2, image)
        .str(5, "")
        .msg(8, Msg())
        .str(13, "")
        .str(14, "")
        .varint(16, 0)
        .varint(17, 0)
        .varint(18, 0)
        .str(20, "");
}

Msg podSpec(const Msg& c, std::string_view restartPolicy = "") {
    return Msg()
        .msg(2, c)
        .str(3, restartPolicy)
        .str(6, "")
        .str(8, "")
        .str(9, "")
        .str(10, "")
        .varint(11, 0)
        .varint(12, 0)
        .varint(13, 0)
        .str(16, "")
        .str(17, "")
        .str(19, "")
        .str(24, "");
}

std::string deploymentBody(uint64_t replicas = 2) {
    Msg spec;
    spec.varint(1, replicas)
        .msg(2, Msg().entry(1, "app", "web"))
        .msg(3,
             Msg().msg(1, objectMeta("", "web")).msg(2, podSpec(container("nginx", "nginx:1.25"))))
        .msg(4, Msg().str(1, ""))
        .varint(5, 0)
        .varint(7, 0);
    Msg status;
    status.varint(1, 0).varint(2, 0).varint(3, 0).varint(4, 0).varint(5, 0).varint(7, 0);
    Msg deployment;
    deployment.msg(1, objectMeta("web", "web")).msg(2, spec).msg(3, status);
    return envelope("apps/v1", "Deployment", deployment);
}

std::shared_ptr<TypeRegistry> registry() {
    static auto r = TypeRegistry::builtin();
    return r;
}

json::object decodeOk(const std::string& body) {
    auto decoded = decodeProtobufObject(body, *registry());
    EXPECT_TRUE(decoded.has_value()) << (decoded ? "" : decoded.error().message);
    return decoded ? *decoded : json::object{};
}

} // namespace

TEST(Protobuf, DecodesKubectlCreateDeployment) {
    json::object got = decodeOk(deploymentBody());
    json::value expected = json::parse(R"({
        "apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","labels":{"app":"web"}},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                "template":{"metadata":{"labels":{"app":"web"}},
                            "spec":{"containers":[{"name":"nginx","image":"nginx:1.25",
                                                   "resources":{}}]}},
                "strategy":{}},
        "status":{}})");
    EXPECT_EQ(json::value(got), expected) << json::serialize(got);
    auto it = got.begin();
    EXPECT_EQ(it->key(), "apiVersion");
    EXPECT_EQ((++it)->key(), "kind");
}

namespace {

std::string fromHex(std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return out;
}

} // namespace

TEST(Protobuf, DecodesBodiesCapturedFromKubectl132) {
    // Request bodies kubectl 1.32 sent (Content-Type application/vnd.kubernetes.protobuf) for
    // these commands, captured from a scratch server.
    struct Case {
        const char* command;
        const char* hex;
        const char* expected;
    };
    const Case cases[] = {
        {"kubectl create deployment web --image=nginx:1.25 --replicas=2",
         "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1f0a0377656212001a0022"
         "002a003200380042005a0a0a036170701203776562127f0802120c0a0a0a0361707012037765621a650a"
         "1c0a0012001a0022002a003200380042005a0a0a036170701203776562124512270a056e67696e78120a"
         "6e67696e783a312e32352a0042006a007200800100880100900100a201001a00320042004a0052005800"
         "600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
         R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{")"
         R"(app":"web"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"temp)"
         R"(late":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx")"
         R"(,"image":"nginx:1.25","resources":{}}]}},"strategy":{}},"status":{}})"},
        {"kubectl create namespace foo",
         "6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800"
         "420012001a020a001a002200",
         R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"foo"},"spec":{},"statu)"
         R"(s":{}})"},
        {"kubectl create configmap cfg --from-literal=a=1 --from-literal=b=",
         "6b3873000a0f0a0276311209436f6e6669674d617012240a130a0363666712001a0022002a0032003800"
         "420012060a016112013112050a016212001a002200",
         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1",)"
         R"("b":""}})"},
        {"kubectl create secret generic s --from-literal=k=v",
         "6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a"
         "016b1201761a001a002200",
         R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"dg=="}})"},
        {"kubectl create service clusterip web --tcp=80:8080",
         "6b3873000a0d0a02763112075365727669636512690a1f0a0377656212001a0022002a00320038004200"
         "5a0a0a03617070120377656212420a1b0a0738302d38303830120354435018502207080010903f1a0028"
         "00120a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a00"
         "1a002200",
         R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"app":"we)"
         R"(b"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":)"
         R"(8080}],"selector":{"app":"web"},"type":"ClusterIP"},"status":{"loadBalancer":{}})"
         R"(})"},
        {"kubectl create job j --image=busybox -- echo hi",
         "6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a003200380042"
         "00126332610a100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a0465"
         "63686f1a0268692a0042006a007200800100880100900100a201001a054e65766572320042004a005200"
         "5800600068008201008a01009a0100c201001a082000280030003a001a002200",
         R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"spec":{"template")"
         R"(:{"metadata":{},"spec":{"containers":[{"name":"j","image":"busybox","command":[")"
         R"(echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}})"},
        {"kubectl create token default",
         "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631120c546f6b656e526571"
         "75657374121a0a100a0012001a0022002a0032003800420012001a040a0012001a002200",
         R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","metadata":{},"sp)"
         R"(ec":{},"status":{"token":""}})"},
        {"kubectl create deployment web0 --image=nginx --replicas=0",
         "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412af010a210a047765623012001a00"
         "22002a003200380042005a0b0a03617070120477656230127c0800120d0a0b0a03617070120477656230"
         "1a610a1d0a0012001a0022002a003200380042005a0b0a03617070120477656230124012220a056e6769"
         "6e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a005200580060"
         "0068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
         R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web0","labels":{)"
         R"("app":"web0"}},"spec":{"replicas":0,"selector":{"matchLabels":{"app":"web0"}},"t)"
         R"(emplate":{"metadata":{"labels":{"app":"web0"}},"spec":{"containers":[{"name":"ng)"
         R"(inx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}})"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.command);
        json::object got = decodeOk(fromHex(c.hex));
        EXPECT_EQ(json::serialize(got), c.expected);
    }
}

TEST(Protobuf, PointerFieldsKeepExplicitZero) {
    json::object got = decodeOk(deploymentBody(0));
    EXPECT_EQ(got.at("spec").at("replicas"), 0);
}

TEST(Protobuf, DecodesTheOtherKubectlCreateCommands) {
    struct Case {
        const char* name;
        std::string body;
        const char* expected;
    };
    const Case cases[] = {
        {"create namespace",
         envelope("v1", "Namespace",
                  Msg().msg(1, objectMeta("foo")).msg(2, Msg()).msg(3, Msg().str(1, ""))),
         R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"foo"},"spec":{},
             "status":{}})"},
        {"create configmap --from-literal",
         envelope("v1", "ConfigMap",
                  Msg().msg(1, objectMeta("cfg")).entry(2, "a", "1").entry(2, "b", "")),
         R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},
             "data":{"a":"1","b":""}})"},
        {"create secret generic",
         envelope("v1", "Secret",
                  Msg().msg(1, objectMeta("s")).entry(2, "k", "v\xff").str(3, "Opaque")),
         R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"k":"dv8="},
             "type":"Opaque"})"},
        {"create service clusterip",
         envelope("v1", "Service",
                  Msg()
                      .msg(1, objectMeta("web", "web"))
                      .msg(2, Msg()
                                  .msg(1, Msg()
                                              .str(1, "80-8080")
                                              .str(2, "TCP")
                                              .varint(3, 80)
                                              .msg(4, Msg().varint(1, 0).varint(2, 8080).str(3, ""))
                                              .varint(5, 0))
                                  .entry(2, "app", "web")
                                  .str(3, "")
                                  .str(4, "ClusterIP")
                                  .str(7, "")
                                  .varint(12, 0)
                                  .varint(13, 0))
                      .msg(3, Msg().msg(1, Msg()))),
         R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"app":"web"}},
             "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],
                     "selector":{"app":"web"},"type":"ClusterIP"},
             "status":{"loadBalancer":{}}})"},
        {"create job",
         envelope("batch/v1", "Job",
                  Msg()
                      .msg(1, objectMeta("j"))
                      .msg(
                          2, Msg().msg(6, Msg()
                                              .msg(1, objectMeta(""))
                                              .msg(2, podSpec(container("j", "busybox"), "Never"))))
                      .msg(3, Msg())),
         R"({"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
             "spec":{"template":{"metadata":{},"spec":{"containers":[{"name":"j",
               "image":"busybox","resources":{}}],"restartPolicy":"Never"}}},"status":{}})"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        json::object got = decodeOk(c.body);
        EXPECT_EQ(json::value(got), json::parse(c.expected)) << json::serialize(got);
    }
}

TEST(Protobuf, DecodesSpecialEncodings) {
    // Pod with a time, an inlined volume source, quantities, IntOrString strings, packed and
    // unpacked repeated int64 and a negative int32.
    Msg volume;
    volume.str(1, "v").msg(2, Msg().msg(19, Msg().msg(1, Msg().str(1, "cm")).varint(3, 420)));
    Msg resources;
    resources.entry(1, "cpu", Msg().str(1, "200m")).entry(2, "memory", Msg().str(1, "64Mi"));
    Msg c = Msg().str(1, "main").str(2, "busybox").msg(8, resources);
    Msg security;
    security.str(4, std::string("\x01\x02\x80\x01", 4)).varint(4, 7);
    Msg spec;
    spec.msg(1, volume).msg(2, c).msg(14, security).varint(25, static_cast<uint64_t>(-5));
    Msg meta = objectMeta("p");
    meta.msg(8, Msg().varint(1, 1795290345));
    std::string body = envelope("v1", "Pod", Msg().msg(1, meta).msg(2, spec));
    json::object got = decodeOk(body);
    EXPECT_EQ(got.at("metadata").at("creationTimestamp"), "2026-11-21T19:45:45Z");
    EXPECT_EQ(got.at("spec").at("volumes"),
              json::parse(R"([{"name":"v","configMap":{"name":"cm","defaultMode":420}}])"));
    EXPECT_EQ(got.at("spec").at("containers").at(0).at("resources"),
              json::parse(R"({"limits":{"cpu":"200m"},"requests":{"memory":"64Mi"}})"));
    EXPECT_EQ(got.at("spec").at("securityContext").at("supplementalGroups"),
              json::parse("[1,2,128,7]"));
    EXPECT_EQ(got.at("spec").at("priority"), -5);

    Msg strategy;
    strategy.str(1, "RollingUpdate")
        .msg(2, Msg().msg(1, Msg().varint(1, 1).str(3, "25%")).msg(2, Msg().varint(2, 1)));
    Msg event;
    event.msg(1, objectMeta("e"))
        .msg(10, Msg().varint(1, 1795290345).varint(2, 123456789))
        .msg(6, Msg());
    json::object e = decodeOk(envelope("v1", "Event", event));
    EXPECT_EQ(e.at("eventTime"), "2026-11-21T19:45:45.123456Z");
    EXPECT_FALSE(e.contains("firstTimestamp")) << "an empty Time is Go's zero time";
    json::object d = decodeOk(envelope(
        "apps/v1", "Deployment", Msg().msg(1, objectMeta("d")).msg(2, Msg().msg(4, strategy))));
    EXPECT_EQ(d.at("spec").at("strategy"),
              json::parse(R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%",
                              "maxSurge":1}})"));
}

TEST(Protobuf, EmbeddedRawExtensionIsParsedJson) {
    if (!registry()->byKind("apps", "v1", "ControllerRevision")) {
        GTEST_SKIP() << "apps/v1 ControllerRevision not registered";
    }
    Msg revision;
    revision.msg(1, objectMeta("r"))
        .msg(2, Msg().str(1, R"({"spec":{"template":{"x":1}}})"))
        .varint(3, 4);
    json::object got = decodeOk(envelope("apps/v1", "ControllerRevision", revision));
    EXPECT_EQ(got.at("data"), json::parse(R"({"spec":{"template":{"x":1}}})"));
    EXPECT_EQ(got.at("revision"), 4);
}

TEST(Protobuf, DecodesKindsPostedOnlyToSubresources) {
    // kubectl create token posts an authentication.k8s.io/v1 TokenRequest in protobuf.
    Msg request;
    request.msg(1, objectMeta("")).msg(2, Msg().str(1, "https://kubernetes.default.svc"));
    auto decoded = decodeProtobufObject(
        envelope("authentication.k8s.io/v1", "TokenRequest", request), *registry());
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->at("kind"), "TokenRequest");
    EXPECT_EQ(decoded->at("spec").at("audiences"),
              json::parse(R"(["https://kubernetes.default.svc"])"));
}

TEST(Protobuf, UnknownFieldNumbersAreSkipped) {
    Msg ns;
    ns.msg(1, objectMeta("foo").varint(99, 5).str(100, "x")).varint(42, 1).str(43, "zzz");
    json::object got = decodeOk(envelope("v1", "Namespace", ns));
    EXPECT_EQ(json::value(got),
              json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"foo"}})"));
}

TEST(Protobuf, MalformedInputIsRejectedWithAClearMessage) {
    struct Case {
        const char* name;
        std::string body;
        const char* fragment;
    };
    std::string good = deploymentBody();
    const Case cases[] = {
        {"no magic", "{\"kind\":\"Pod\"}", "magic"},
        {"empty", "", "magic"},
        {"unknown kind", envelope("v1", "Nope", Msg()), "no kind \"Nope\""},
        {"no type meta", std::string("k8s\0", 4) + Msg().msg(2, Msg()).bytes(), "no apiVersion"},
        {"length past end", std::string("k8s\0", 4) + "\x12\xff\x01" + "abc", "past the end"},
        {"truncated varint", std::string("k8s\0", 4) + "\x0a\x80", "truncated varint"},
        {"overlong varint", std::string("k8s\0", 4) + "\x08" + std::string(11, '\xff'), "varint"},
        {"wrong wire type", envelope("v1", "Namespace", Msg().varint(1, 3)),
         "metadata: wire type 0"},
        {"wrong wire in scalar", envelope("apps/v1", "Deployment", Msg().msg(2, Msg().str(1, "2"))),
         "spec.replicas: wire type 2"},
        {"bad time",
         envelope("v1", "Namespace", Msg().msg(1, Msg().msg(8, Msg().varint(2, 2000000000)))),
         "timestamp out of range"},
        {"bad embedded json",
         envelope("apps/v1", "ControllerRevision", Msg().msg(2, Msg().str(1, "{nope"))),
         "data: embedded JSON"},
        {"compressed",
         std::string("k8s\0", 4) +
             Msg().msg(1, Msg().str(1, "v1").str(2, "Pod")).str(3, "gzip").bytes(),
         "contentEncoding"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        auto decoded = decodeProtobufObject(c.body, *registry());
        ASSERT_FALSE(decoded.has_value());
        EXPECT_EQ(decoded.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(decoded.error().message.find(c.fragment), std::string::npos)
            << decoded.error().message;
    }
}

TEST(Protobuf, DeepNestingIsRefusedNotFollowed) {
    const SchemaFile files[] = {
        {"n.yaml", "definitions:\n  x.Node:\n    properties:\n      child: {ref: x.Node, proto: "
                   "1}\n      name: {type: string, proto: 2}\n"}};
    auto set = SchemaSet::load(files);
    ASSERT_TRUE(set.has_value()) << set.error().message;
    const schema::Type* node = (*set)->find("x.Node");
    Msg m = Msg().str(2, "leaf");
    for (int i = 0; i < 150; ++i) {
        m = Msg().msg(1, m);
    }
    auto deep = decodeProtobufMessage(m.bytes(), *node, set->get());
    ASSERT_FALSE(deep.has_value());
    EXPECT_NE(deep.error().message.find("nested deeper"), std::string::npos);
    Msg shallow = Msg().str(2, "leaf");
    for (int i = 0; i < 50; ++i) {
        shallow = Msg().msg(1, shallow);
    }
    EXPECT_TRUE(decodeProtobufMessage(shallow.bytes(), *node, set->get()).has_value());
}

TEST(Protobuf, TruncatedAndMutatedBodiesNeverCrash) {
    const std::string good = deploymentBody();
    ASSERT_TRUE(decodeProtobufObject(good, *registry()).has_value());
    int failures = 0;
    for (size_t length = 0; length < good.size(); ++length) {
        auto decoded = decodeProtobufObject(std::string_view(good).substr(0, length), *registry());
        failures += decoded.has_value() ? 0 : 1;
    }
    EXPECT_GT(failures, static_cast<int>(good.size() / 2)) << "most truncations are invalid";

    std::mt19937 rng(42);
    std::uniform_int_distribution<int> byte(0, 255);
    int decodedOk = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string mutated = good;
        int edits = 1 + round % 4;
        for (int e = 0; e < edits; ++e) {
            size_t at = 4 + rng() % (mutated.size() - 4);
            switch (rng() % 3) {
            case 0:
                mutated[at] = static_cast<char>(byte(rng));
                break;
            case 1:
                mutated.insert(at, 1, static_cast<char>(byte(rng)));
                break;
            default:
                mutated.erase(at, 1);
                break;
            }
        }
        auto decoded = decodeProtobufObject(mutated, *registry());
        if (decoded) {
            ++decodedOk;
            EXPECT_TRUE(decoded->contains("apiVersion"));
            (void)json::serialize(*decoded); // output is always serializable
        }
    }
    std::printf("[ fuzz     ] %d of 3000 mutated bodies still decoded\n", decodedOk);
}
