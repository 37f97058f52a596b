#include "kube/types/protobuf.h"
#include "kube/types/protowire.h"
#include "kube/types/schemaset.h"
#include "kube/types/typeregistry.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

std::shared_ptr<TypeRegistry> registry() {
    static auto r = TypeRegistry::builtin();
    return r;
}

std::string encodeOk(const json::value& object) {
    auto encoded = encodeProtobufObject(object.as_object(), *registry());
    EXPECT_TRUE(encoded.has_value()) << (encoded ? "" : encoded.error().message);
    return encoded ? *encoded : std::string();
}

/// An object as the engine stores it: defaults, server-set metadata, managed fields, status.
constexpr const char* PodJson = R"({
  "apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"web-7d9c","generateName":"web-","namespace":"shop",
    "uid":"0b6f3c59-1c5f-4a43-9d4f-1f0d2a3e5b6c","resourceVersion":"4711","generation":1,
    "creationTimestamp":"2026-11-21T19:45:45Z",
    "labels":{"app":"web","pod-template-hash":"7d9c"},
    "annotations":{"bench/sent":"123456789"},
    "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web",
      "uid":"7e0c4f33-8a55-4f7e-bb0f-5b5e7e2a1d11","controller":true,
      "blockOwnerDeletion":true}],
    "finalizers":["example.com/keep"],
    "managedFields":[{"manager":"kube-controller-manager","operation":"Update",
      "apiVersion":"v1","time":"2026-11-21T19:45:45Z","fieldsType":"FieldsV1",
      "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}]},
  "spec":{
    "volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},
               {"name":"scratch","emptyDir":{"sizeLimit":"1Gi"}}],
    "containers":[{"name":"web","image":"busybox:1.36","command":["httpd","-f"],
      "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
      "env":[{"name":"MODE","value":"prod"},
             {"name":"KEY","valueFrom":{"secretKeyRef":{"name":"keys","key":"api"}}}],
      "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"100m"}},
      "readinessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},
        "periodSeconds":5,"timeoutSeconds":1,"successThreshold":1,"failureThreshold":3},
      "livenessProbe":{"tcpSocket":{"port":8080},"periodSeconds":10,"timeoutSeconds":1,
        "successThreshold":1,"failureThreshold":3},
      "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
      "imagePullPolicy":"IfNotPresent",
      "securityContext":{"runAsUser":0,"privileged":false}}],
    "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
    "nodeSelector":{"disk":"ssd"},"serviceAccountName":"default","nodeName":"node-1",
    "securityContext":{"supplementalGroups":[1000,2000]},"schedulerName":"default-scheduler",
    "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",
      "effect":"NoExecute","tolerationSeconds":300}],
    "priority":-5,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
  "status":{"phase":"Running",
    "conditions":[{"type":"Ready","status":"True",
      "lastTransitionTime":"2026-11-21T19:45:50Z"}],
    "hostIP":"10.0.0.5","podIP":"10.244.0.7","podIPs":[{"ip":"10.244.0.7"}],
    "startTime":"2026-11-21T19:45:46Z",
    "containerStatuses":[{"name":"web","state":{"running":{"startedAt":"2026-11-21T19:45:47Z"}},
      "lastState":{},"ready":true,"restartCount":3,"image":"busybox:1.36",
      "imageID":"sha256:abc","containerID":"runc://abc","started":true}],
    "qosClass":"Burstable"}})";

} // namespace

TEST(ProtobufEncode, ObjectsOfManyKindsSurviveEncodingAndDecoding) {
    const char* objects[] = {
        PodJson,
        R"({"apiVersion":"apps/v1","kind":"Deployment",
            "metadata":{"name":"web","namespace":"shop","generation":3,
              "creationTimestamp":"2026-11-21T19:45:45Z"},
            "spec":{"replicas":0,"selector":{"matchLabels":{"app":"web"},
                "matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]},
              "template":{"metadata":{"labels":{"app":"web"}},
                "spec":{"containers":[{"name":"web","image":"busybox"}]}},
              "strategy":{"type":"RollingUpdate",
                "rollingUpdate":{"maxUnavailable":"25%","maxSurge":1}},
              "revisionHistoryLimit":10,"progressDeadlineSeconds":600},
            "status":{"observedGeneration":3,"replicas":2,"updatedReplicas":2,
              "conditions":[{"type":"Available","status":"True",
                "lastUpdateTime":"2026-11-21T19:45:50Z",
                "lastTransitionTime":"2026-11-21T19:45:50Z","reason":"MinimumReplicasAvailable",
                "message":"Deployment has minimum availability."}]}})",
        R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},
            "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":"http"},
                             {"name":"alt","protocol":"TCP","port":81,"targetPort":8081}],
              "selector":{"app":"web"},"clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
              "type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],
              "ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"},
            "status":{"loadBalancer":{}}})",
        R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"},
            "spec":{"podCIDR":"10.244.0.0/24","taints":[{"key":"k","value":"v",
              "effect":"NoSchedule"}]},
            "status":{"capacity":{"cpu":"2","memory":"24Gi","pods":"110"},
              "allocatable":{"cpu":"2","memory":"23Gi","pods":"110"},
              "conditions":[{"type":"Ready","status":"True",
                "lastHeartbeatTime":"2026-11-21T19:45:45Z",
                "lastTransitionTime":"2026-11-21T19:40:00Z","reason":"KubeletReady"}],
              "addresses":[{"type":"InternalIP","address":"10.0.0.5"}],
              "nodeInfo":{"machineID":"m","systemUUID":"s","bootID":"b","kernelVersion":"6.1",
                "osImage":"Debian","containerRuntimeVersion":"runc://1.1","kubeletVersion":"v1.32.0",
                "kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"}}})",
        R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
            "metadata":{"name":"node-1","namespace":"kube-node-lease"},
            "spec":{"holderIdentity":"node-1","leaseDurationSeconds":40,
              "renewTime":"2026-11-21T19:45:45.123456Z"}})",
        R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"keys","namespace":"shop"},
            "type":"Opaque","data":{"api":"c2VjcmV0","bin":"AAEC/w=="},"immutable":false})",
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"shop"},
            "data":{"a":"1","empty":""},"binaryData":{"b":"AP8="}})",
        R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick","namespace":"a"},
            "spec":{"schedule":"*/5 * * * *","concurrencyPolicy":"Forbid","suspend":false,
              "jobTemplate":{"spec":{"backoffLimit":2,"template":{"spec":{
                "restartPolicy":"Never","containers":[{"name":"t","image":"busybox"}]}}}}},
            "status":{"lastScheduleTime":"2026-11-21T19:45:00Z"}})",
        R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
            "metadata":{"name":"web","namespace":"shop"},
            "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
              "minReplicas":1,"maxReplicas":5,
              "metrics":[{"type":"Resource","resource":{"name":"cpu",
                "target":{"type":"Utilization","averageUtilization":50}}}]},
            "status":{"currentReplicas":1,"desiredReplicas":2,
              "currentMetrics":[{"type":"Resource","resource":{"name":"cpu",
                "current":{"averageValue":"120m","averageUtilization":60}}}]}})",
        R"({"apiVersion":"events.k8s.io/v1","kind":"Event",
            "metadata":{"name":"e1","namespace":"shop"},
            "eventTime":"2026-11-21T19:45:45.500000Z","reportingController":"pilothouse",
            "reportingInstance":"engine","action":"Binding","reason":"Scheduled",
            "regarding":{"kind":"Pod","namespace":"shop","name":"web-7d9c"},
            "note":"Successfully assigned","type":"Normal"})",
        // metav1.Duration travels as {1: nanoseconds}: kubectl top read "unexpected EOF" from a
        // window sent as a string.
        R"({"apiVersion":"metrics.k8s.io/v1beta1","kind":"PodMetrics",
            "metadata":{"name":"p","namespace":"n"},"timestamp":"2026-11-21T19:45:45Z",
            "window":"1m30.5s","containers":[{"name":"c","usage":{"cpu":"12m","memory":"3Mi"}}]})",
        R"({"apiVersion":"v1","kind":"Status","metadata":{},"status":"Failure",
            "message":"pods \"x\" not found","reason":"NotFound",
            "details":{"name":"x","kind":"pods"},"code":404})",
    };
    for (const char* text : objects) {
        json::value object = json::parse(text);
        SCOPED_TRACE(json::serialize(object).substr(0, 80));
        std::string encoded = encodeOk(object);
        ASSERT_TRUE(encoded.starts_with(ProtobufMagic));
        auto decoded = decodeProtobufObject(encoded, *registry());
        ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
        EXPECT_EQ(json::value(*decoded), object) << json::serialize(*decoded);
    }
}

TEST(ProtobufEncode, TheEnvelopeCarriesTypeMetaAndTheObjectAlone) {
    std::string encoded = encodeOk(
        json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})"));
    std::string_view unknown = std::string_view(encoded).substr(ProtobufMagic.size());
    protowire::Reader typeMeta(protowire::Reader(unknown).find(1));
    EXPECT_EQ(protowire::Reader(typeMeta).find(1), "v1");
    EXPECT_EQ(protowire::Reader(typeMeta).find(2), "Namespace");
    // The raw object: field 1 ObjectMeta {1: name}, and nothing else for this namespace.
    std::string_view raw = protowire::Reader(unknown).find(2);
    protowire::Reader object(raw);
    int number = 0;
    int wire = 0;
    ASSERT_TRUE(object.tag(number, wire));
    EXPECT_EQ(number, 1);
    protowire::Reader objectMeta(object.bytes());
    EXPECT_EQ(objectMeta.find(1), "shop");
    EXPECT_FALSE(object.tag(number, wire)) << "apiVersion and kind travel only in the envelope";
}

TEST(ProtobufEncode, ListsCarryListMetaAndItemsWithoutTypeMeta) {
    json::value list = json::parse(R"({"apiVersion":"v1","kind":"PodList",
        "metadata":{"resourceVersion":"99","continue":"abc","remainingItemCount":0},
        "items":[{"metadata":{"name":"a","namespace":"n"},"spec":{"nodeName":"x"}},
                 {"metadata":{"name":"b","namespace":"n"}}]})");
    std::string encoded = encodeOk(list);
    protowire::Reader envelope(std::string_view(encoded).substr(ProtobufMagic.size()));
    protowire::Reader typeMeta(envelope.find(1));
    EXPECT_EQ(protowire::Reader(typeMeta).find(2), "PodList");
    std::string_view raw = envelope.find(2);
    ASSERT_TRUE(envelope.ok());

    const schema::Type* podType = registry()->byKind("", "v1", "Pod")->schema;
    auto set = SchemaSet::builtin();
    ASSERT_TRUE(set.has_value());
    const schema::Type* listMeta = (*set)->find("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
    ASSERT_NE(listMeta, nullptr);
    protowire::Reader r(raw);
    int number = 0;
    int wire = 0;
    json::array items;
    json::object metadata;
    while (r.tag(number, wire)) {
        ASSERT_EQ(wire, protowire::LengthDelimited);
        std::string_view bytes = r.bytes();
        if (number == 1) {
            auto decoded = decodeProtobufMessage(bytes, *listMeta, set->get());
            ASSERT_TRUE(decoded.has_value());
            metadata = *decoded;
        } else {
            ASSERT_EQ(number, 2);
            auto decoded = decodeProtobufMessage(bytes, *podType, set->get());
            ASSERT_TRUE(decoded.has_value());
            items.push_back(*decoded);
        }
    }
    EXPECT_EQ(json::value(metadata),
              json::parse(R"({"resourceVersion":"99","continue":"abc","remainingItemCount":0})"));
    EXPECT_EQ(json::value(items), list.at("items"));
}

TEST(ProtobufEncode, WatchFramesAreLengthPrefixedWatchEvents) {
    json::value pod = json::parse(PodJson);
    std::string object = encodeOk(pod);
    std::string stream;
    appendProtobufWatchEvent(stream, "ADDED", object);
    appendProtobufWatchEvent(stream, "DELETED", object);
    std::string_view rest = stream;
    std::vector<std::string> types;
    while (std::optional<std::string_view> next = protowire::nextFrame(rest)) {
        std::string_view frame = *next;
        EXPECT_FALSE(frame.starts_with(ProtobufMagic)) << "the event itself has no envelope";
        types.emplace_back(protowire::Reader(frame).find(1));
        protowire::Reader rawExtension(protowire::Reader(frame).find(2));
        auto decoded = decodeProtobufObject(rawExtension.find(1), *registry());
        ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
        EXPECT_EQ(json::value(*decoded), pod);
    }
    EXPECT_TRUE(rest.empty()) << "two whole frames";
    EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "DELETED"}));
    std::string_view cut = std::string_view(stream).substr(0, stream.size() - 1);
    ASSERT_TRUE(protowire::nextFrame(cut).has_value());
    EXPECT_FALSE(protowire::nextFrame(cut).has_value()) << "a frame short of a byte is not whole";
    EXPECT_FALSE(cut.empty()) << "and stays for the next chunk";
}

TEST(ProtobufEncode, KubectlsOwnBodiesEncodeBackToTheSameObject) {
    // A Deployment body as kubectl 1.32 sends it, decoded, encoded again and decoded again.
    json::value deployment = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","labels":{"app":"web"}},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
            "spec":{"containers":[{"name":"nginx","image":"nginx:1.25","resources":{}}]}},
          "strategy":{}},
        "status":{}})");
    std::string once = encodeOk(deployment);
    auto decoded = decodeProtobufObject(once, *registry());
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(encodeOk(*decoded), once) << "encoding is deterministic for the same object";
}

TEST(ProtobufEncode, KindsWithoutAProtobufFormAndMisfitValuesAreRefused) {
    auto custom = encodeProtobufObject(
        json::parse(R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})")
            .as_object(),
        *registry());
    ASSERT_FALSE(custom.has_value());
    EXPECT_NE(custom.error().message.find("no protobuf encoding"), std::string::npos);

    auto table = encodeProtobufObject(
        json::parse(R"({"apiVersion":"meta.k8s.io/v1","kind":"Table","rows":[]})").as_object(),
        *registry());
    EXPECT_FALSE(table.has_value());

    auto misfit = encodeProtobufObject(
        json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                        "spec":{"replicas":"two"}})")
            .as_object(),
        *registry());
    ASSERT_FALSE(misfit.has_value());
    EXPECT_NE(misfit.error().message.find("spec.replicas"), std::string::npos)
        << misfit.error().message;
}
