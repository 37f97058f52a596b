// API defaults: each case is a client object and the object kube-apiserver would store.

#include "admissiontestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::admission;
using namespace pilot::admission::test;
namespace json = boost::json;

namespace {

struct DefaultCase {
    std::string label;
    std::string plural;
    std::string input;
    std::string expected;
};

class Defaults : public ::testing::TestWithParam<DefaultCase> {};

TEST_P(Defaults, FillWhatTheApiServerFills) {
    const DefaultCase& c = GetParam();
    json::object object = parseObject(c.input);
    applyDefaults(typeFor(c.plural), object);
    EXPECT_EQ(json::value(object), json::parse(c.expected)) << "got " << json::serialize(object);
}

TEST_P(Defaults, AreIdempotent) {
    const DefaultCase& c = GetParam();
    json::object once = parseObject(c.input);
    applyDefaults(typeFor(c.plural), once);
    json::object twice = once;
    applyDefaults(typeFor(c.plural), twice);
    EXPECT_EQ(once, twice);
}

// The container and pod-spec defaults every template gets.
#define CONTAINER_DEFAULTS                                                                         \
    R"j("terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","resources":{})j"
#define TEMPLATE_SPEC_DEFAULTS                                                                     \
    R"j("dnsPolicy":"ClusterFirst","securityContext":{},"terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler")j"
#define POD_TOLERATIONS                                                                            \
    R"j("tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}])j"

const std::vector<DefaultCase> Cases = {
    {"MinimalPod", "pods",
     R"j({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}})j",
     R"j({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx",
       "imagePullPolicy":"Always",)j" CONTAINER_DEFAULTS
     R"j(}],"restartPolicy":"Always",)j" TEMPLATE_SPEC_DEFAULTS
     R"j(,"enableServiceLinks":true,"serviceAccountName":"default",
       "serviceAccount":"default","priority":0,"preemptionPolicy":"PreemptLowerPriority",)j" POD_TOLERATIONS
     R"j(},"status":{"phase":"Pending","qosClass":"BestEffort"}})j"},
    {"PodContainerDetails", "pods",
     R"j({"metadata":{"name":"p"},"spec":{"restartPolicy":"Never","hostNetwork":true,
       "tolerations":[{"operator":"Exists"}],
       "containers":[{"name":"c","image":"registry.local:5000/app:1.2",
         "ports":[{"containerPort":8080}],
         "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}],
         "livenessProbe":{"httpGet":{"port":8080}},
         "readinessProbe":{"exec":{"command":["true"]},"periodSeconds":5},
         "resources":{"limits":{"cpu":"500m","memory":"128Mi"}}}],
       "volumes":[{"name":"scratch"},{"name":"cfg","configMap":{"name":"cfg"}},
         {"name":"host","hostPath":{"path":"/var/log"}}]}})j",
     R"j({"metadata":{"name":"p"},"spec":{"restartPolicy":"Never","hostNetwork":true,
       "tolerations":[{"operator":"Exists"}],
       "containers":[{"name":"c","image":"registry.local:5000/app:1.2",
         "imagePullPolicy":"IfNotPresent",
         "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
         "ports":[{"containerPort":8080,"protocol":"TCP","hostPort":8080}],
         "env":[{"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName",
           "apiVersion":"v1"}}}],
         "livenessProbe":{"httpGet":{"port":8080,"path":"/","scheme":"HTTP"},
           "timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
         "readinessProbe":{"exec":{"command":["true"]},"periodSeconds":5,"timeoutSeconds":1,
           "successThreshold":1,"failureThreshold":3},
         "resources":{"limits":{"cpu":"500m","memory":"128Mi"},
           "requests":{"cpu":"500m","memory":"128Mi"}}}],
       "volumes":[{"name":"scratch","emptyDir":{}},
         {"name":"cfg","configMap":{"name":"cfg","defaultMode":420}},
         {"name":"host","hostPath":{"path":"/var/log","type":""}}],
       )j" TEMPLATE_SPEC_DEFAULTS R"j(,"enableServiceLinks":true,"serviceAccountName":"default",
       "serviceAccount":"default","priority":0,"preemptionPolicy":"PreemptLowerPriority"},
       "status":{"phase":"Pending","qosClass":"Guaranteed"}})j"},
    {"PodKeepsClientValuesAndStatus", "pods",
     R"j({"metadata":{"name":"p"},"spec":{"serviceAccountName":"builder","priority":7,
       "priorityClassName":"high","dnsPolicy":"None","enableServiceLinks":false,
       "terminationGracePeriodSeconds":0,"containers":[{"name":"c","image":"busybox@sha256:ab",
       "imagePullPolicy":"Never","resources":{"requests":{"cpu":"100m"}}}]},
       "status":{"phase":"Running","qosClass":"Burstable"}})j",
     R"j({"metadata":{"name":"p"},"spec":{"serviceAccountName":"builder","priority":7,
       "priorityClassName":"high","dnsPolicy":"None","enableServiceLinks":false,
       "terminationGracePeriodSeconds":0,"containers":[{"name":"c","image":"busybox@sha256:ab",
       "imagePullPolicy":"Never",)j"
     R"j("terminationMessagePath":"/dev/termination-log",
       "terminationMessagePolicy":"File","resources":{"requests":{"cpu":"100m"}}}],
       "restartPolicy":"Always","securityContext":{},"schedulerName":"default-scheduler",
       "serviceAccount":"builder","preemptionPolicy":"PreemptLowerPriority",)j" POD_TOLERATIONS
     R"j(},"status":{"phase":"Running","qosClass":"Burstable"}})j"},
    {"Deployment", "deployments",
     R"j({"metadata":{"name":"web"},"spec":{"selector":{"matchLabels":{"app":"web"}},
       "template":{"metadata":{"labels":{"app":"web"}},
         "spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}}})j",
     R"j({"metadata":{"name":"web"},"spec":{"replicas":1,
       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%",
         "maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600,
       "selector":{"matchLabels":{"app":"web"}},
       "template":{"metadata":{"labels":{"app":"web"}},
         "spec":{"containers":[{"name":"web","image":"nginx:1.25",
           "imagePullPolicy":"IfNotPresent",)j" CONTAINER_DEFAULTS R"j(}],
           "restartPolicy":"Always",)j" TEMPLATE_SPEC_DEFAULTS R"j(}}}})j"},
    {"DeploymentRecreateKeepsReplicas", "deployments",
     R"j({"metadata":{"name":"web"},"spec":{"replicas":0,"strategy":{"type":"Recreate"}}})j",
     R"j({"metadata":{"name":"web"},"spec":{"replicas":0,"strategy":{"type":"Recreate"},
       "revisionHistoryLimit":10,"progressDeadlineSeconds":600}})j"},
    {"ReplicaSet", "replicasets", R"j({"metadata":{"name":"rs"},"spec":{}})j",
     R"j({"metadata":{"name":"rs"},"spec":{"replicas":1}})j"},
    {"StatefulSet", "statefulsets",
     R"j({"metadata":{"name":"db"},"spec":{"volumeClaimTemplates":[{"metadata":{"name":"data"},
       "spec":{"accessModes":["ReadWriteOnce"]}}]}})j",
     R"j({"metadata":{"name":"db"},"spec":{"podManagementPolicy":"OrderedReady",
       "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
       "persistentVolumeClaimRetentionPolicy":{"whenDeleted":"Retain","whenScaled":"Retain"},
       "replicas":1,"revisionHistoryLimit":10,
       "volumeClaimTemplates":[{"metadata":{"name":"data"},
         "spec":{"accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},
         "status":{"phase":"Pending"}}]}})j"},
    {"DaemonSet", "daemonsets", R"j({"metadata":{"name":"ds"},"spec":{}})j",
     R"j({"metadata":{"name":"ds"},"spec":{"updateStrategy":{"type":"RollingUpdate",
       "rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},"revisionHistoryLimit":10}})j"},
    {"JobGetsSelectorAndNoRestartPolicy", "jobs",
     R"j({"metadata":{"name":"pi","uid":"u-1"},"spec":{"template":{"spec":{
       "containers":[{"name":"pi","image":"perl:5"}]}}}})j",
     R"j({"metadata":{"name":"pi","uid":"u-1","labels":{"job-name":"pi",
       "batch.kubernetes.io/job-name":"pi","controller-uid":"u-1",
       "batch.kubernetes.io/controller-uid":"u-1"}},
       "spec":{"completions":1,"parallelism":1,"backoffLimit":6,"completionMode":"NonIndexed",
       "suspend":false,"podReplacementPolicy":"TerminatingOrFailed",
       "selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u-1"}},
       "template":{"metadata":{"labels":{"job-name":"pi","batch.kubernetes.io/job-name":"pi",
         "controller-uid":"u-1","batch.kubernetes.io/controller-uid":"u-1"}},
         "spec":{"containers":[{"name":"pi","image":"perl:5","imagePullPolicy":"IfNotPresent",)j" CONTAINER_DEFAULTS
     R"j(}],)j" TEMPLATE_SPEC_DEFAULTS R"j(}}}})j"},
    {"JobManualSelectorAndParallelism", "jobs",
     R"j({"metadata":{"name":"q","uid":"u","labels":{"team":"a"}},"spec":{"parallelism":3,
       "manualSelector":true,"selector":{"matchLabels":{"q":"1"}}}})j",
     R"j({"metadata":{"name":"q","uid":"u","labels":{"team":"a"}},"spec":{"parallelism":3,
       "manualSelector":true,"selector":{"matchLabels":{"q":"1"}},"backoffLimit":6,
       "completionMode":"NonIndexed","suspend":false,
       "podReplacementPolicy":"TerminatingOrFailed"}})j"},
    {"CronJob", "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"@daily","jobTemplate":{"spec":{
       "template":{"spec":{"restartPolicy":"OnFailure",
         "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"@daily","concurrencyPolicy":"Allow",
       "suspend":false,"successfulJobsHistoryLimit":3,"failedJobsHistoryLimit":1,
       "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
         "containers":[{"name":"c","image":"busybox","imagePullPolicy":"Always",)j" CONTAINER_DEFAULTS
     R"j(}],)j" TEMPLATE_SPEC_DEFAULTS R"j(}}}}}})j"},
    {"ReplicationControllerTakesTemplateLabels", "replicationcontrollers",
     R"j({"metadata":{"name":"rc"},"spec":{"template":{"metadata":{"labels":{"app":"x"}}}}})j",
     R"j({"metadata":{"name":"rc","labels":{"app":"x"}},"spec":{"selector":{"app":"x"},
       "replicas":1,"template":{"metadata":{"labels":{"app":"x"}}}}})j"},
    {"Service", "services",
     R"j({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},
       "ports":[{"port":80},{"port":53,"protocol":"UDP","targetPort":"dns"}]}})j",
     R"j({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"type":"ClusterIP",
       "sessionAffinity":"None","internalTrafficPolicy":"Cluster",
       "ipFamilyPolicy":"SingleStack","ipFamilies":["IPv4"],
       "ports":[{"port":80,"protocol":"TCP","targetPort":80},
         {"port":53,"protocol":"UDP","targetPort":"dns"}]}})j"},
    {"ServiceNodePortClientIP", "services",
     R"j({"metadata":{"name":"np"},"spec":{"type":"NodePort","sessionAffinity":"ClientIP",
       "clusterIP":"fd00::10","ports":[{"port":80,"targetPort":0}]}})j",
     R"j({"metadata":{"name":"np"},"spec":{"type":"NodePort","sessionAffinity":"ClientIP",
       "sessionAffinityConfig":{"clientIP":{"timeoutSeconds":10800}},"clusterIP":"fd00::10",
       "externalTrafficPolicy":"Cluster","internalTrafficPolicy":"Cluster",
       "ipFamilyPolicy":"SingleStack","ipFamilies":["IPv6"],
       "ports":[{"port":80,"protocol":"TCP","targetPort":80}]}})j"},
    {"ServiceExternalName", "services",
     R"j({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"x.io"}})j",
     R"j({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"x.io",
       "sessionAffinity":"None"}})j"},
    {"SecretStringData", "secrets",
     R"j({"metadata":{"name":"s"},"data":{"a":"b2xk","b":"YmI="},
       "stringData":{"a":"new","c":"hi!"}})j",
     R"j({"metadata":{"name":"s"},"type":"Opaque",
       "data":{"a":"bmV3","b":"YmI=","c":"aGkh"}})j"},
    {"Namespace", "namespaces", R"j({"metadata":{"name":"dev"}})j",
     R"j({"metadata":{"name":"dev","labels":{"kubernetes.io/metadata.name":"dev"}},
       "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})j"},
    {"NamespaceBeingFinalizedKeepsNoFinalizers", "namespaces",
     R"j({"metadata":{"name":"dev","deletionTimestamp":"2026-11-21T19:00:00Z"},"spec":{},
       "status":{"phase":"Terminating"}})j",
     R"j({"metadata":{"name":"dev","deletionTimestamp":"2026-11-21T19:00:00Z",
       "labels":{"kubernetes.io/metadata.name":"dev"}},"spec":{},
       "status":{"phase":"Terminating"}})j"},
    {"PersistentVolumeClaim", "persistentvolumeclaims",
     R"j({"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"]}})j",
     R"j({"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
       "volumeMode":"Filesystem"},"status":{"phase":"Pending"}})j"},
    {"NodeAllocatableFromCapacity", "nodes",
     R"j({"metadata":{"name":"n"},"status":{"capacity":{"cpu":"4","pods":"110"}}})j",
     R"j({"metadata":{"name":"n"},"status":{"capacity":{"cpu":"4","pods":"110"},
       "allocatable":{"cpu":"4","pods":"110"}}})j"},
    {"HorizontalPodAutoscalerV2", "horizontalpodautoscalers",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3}})j",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3,"minReplicas":1,
       "metrics":[{"type":"Resource","resource":{"name":"cpu",
         "target":{"type":"Utilization","averageUtilization":80}}}]},
       "status":{"desiredReplicas":0}})j"},
    {"HorizontalPodAutoscalerEmptyBehavior", "horizontalpodautoscalers",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3,"behavior":{}}})j",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3,"minReplicas":1,
       "metrics":[{"type":"Resource","resource":{"name":"cpu",
         "target":{"type":"Utilization","averageUtilization":80}}}],
       "behavior":{
         "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Max","policies":[
           {"type":"Pods","value":4,"periodSeconds":15},
           {"type":"Percent","value":100,"periodSeconds":15}]},
         "scaleDown":{"selectPolicy":"Max","policies":[
           {"type":"Percent","value":100,"periodSeconds":15}]}}},
       "status":{"desiredReplicas":0}})j"},
    {"HorizontalPodAutoscalerPartialBehaviorKeepsWhatIsSet", "horizontalpodautoscalers",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3,"behavior":{
       "scaleDown":{"stabilizationWindowSeconds":60,"policies":[
         {"type":"Pods","value":1,"periodSeconds":30}]},
       "scaleUp":{"selectPolicy":"Disabled"}}}})j",
     R"j({"metadata":{"name":"h"},"spec":{"maxReplicas":3,"minReplicas":1,
       "metrics":[{"type":"Resource","resource":{"name":"cpu",
         "target":{"type":"Utilization","averageUtilization":80}}}],
       "behavior":{
         "scaleUp":{"stabilizationWindowSeconds":0,"selectPolicy":"Disabled","policies":[
           {"type":"Pods","value":4,"periodSeconds":15},
           {"type":"Percent","value":100,"periodSeconds":15}]},
         "scaleDown":{"stabilizationWindowSeconds":60,"selectPolicy":"Max","policies":[
           {"type":"Pods","value":1,"periodSeconds":30}]}}},
       "status":{"desiredReplicas":0}})j"},
    {"NetworkPolicy", "networkpolicies",
     R"j({"metadata":{"name":"np"},"spec":{"podSelector":{},"egress":[{"ports":[{"port":53}]}]}})j",
     R"j({"metadata":{"name":"np"},"spec":{"podSelector":{},
       "egress":[{"ports":[{"port":53,"protocol":"TCP"}]}],
       "policyTypes":["Ingress","Egress"]}})j"},
    {"StorageClass", "storageclasses", R"j({"metadata":{"name":"sc"},"provisioner":"p"})j",
     R"j({"metadata":{"name":"sc"},"provisioner":"p","reclaimPolicy":"Delete",
       "volumeBindingMode":"Immediate"})j"},
    {"RoleBindingSubjects", "rolebindings",
     R"j({"metadata":{"name":"rb"},"roleRef":{"kind":"Role","name":"r"},
       "subjects":[{"kind":"User","name":"jane"},{"kind":"ServiceAccount","name":"sa"}]})j",
     R"j({"metadata":{"name":"rb"},"roleRef":{"kind":"Role","name":"r",
       "apiGroup":"rbac.authorization.k8s.io"},
       "subjects":[{"kind":"User","name":"jane","apiGroup":"rbac.authorization.k8s.io"},
         {"kind":"ServiceAccount","name":"sa"}]})j"},
};

INSTANTIATE_TEST_SUITE_P(Admission, Defaults, ::testing::ValuesIn(Cases),
                         [](const ::testing::TestParamInfo<DefaultCase>& p) {
                             return p.param.label;
                         });

TEST(Defaults, CustomResourcesAreLeftAlone) {
    kube::ResourceType type = resourceType("example.com", "v1", "pods");
    type.custom = true;
    json::object object = parseObject(R"j({"metadata":{"name":"x"},"spec":{}})j");
    applyDefaults(type, object);
    EXPECT_EQ(json::serialize(object), R"j({"metadata":{"name":"x"},"spec":{}})j");
}

TEST(Defaults, NonObjectFieldsAreNotReplaced) {
    json::object object = parseObject(R"j({"metadata":{"name":"p"},"spec":"oops"})j");
    applyDefaults(typeFor("pods"), object);
    EXPECT_EQ(object.at("spec"), json::value("oops"));
}

} // namespace
