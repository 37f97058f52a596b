// Validation on create: each case is a client object (defaulted first, as the API server does)
// and the exact errors kubectl would print after "The <Kind> "<name>" is invalid:".

#include "admissiontestutil.h"

#include <gtest/gtest.h>

#include <string>

using namespace pilot;
using namespace pilot::admission;
using namespace pilot::admission::test;
namespace json = boost::json;

namespace {

struct ValidationCase {
    std::string label;
    std::string plural;
    std::string object;
    std::vector<std::string> errors;
};

class CreateValidation : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(CreateValidation, ReportsUpstreamMessages) {
    const ValidationCase& c = GetParam();
    EXPECT_EQ(createErrors(c.plural, c.object), c.errors);
}

const std::string Subdomain =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string Label =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string Dns1035 =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const std::string QualifiedName =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string LabelValue =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const std::string ConfigKey =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')";
const std::string JobRestart = "Required value: valid values: \"OnFailure\", \"Never\"";

// A pod spec body with one valid container, for building variants.
#define POD(meta, spec) R"j({"metadata":)j" meta R"j(,"spec":)j" spec "}"
#define NAMED R"j({"name":"p","namespace":"default"})j"

const std::vector<ValidationCase> PodCases = {
    {"ValidPod",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"nginx",
       "ports":[{"containerPort":80,"name":"http"}],
       "resources":{"requests":{"cpu":"100m"},"limits":{"cpu":"1","memory":"1Gi"}}}]})j"),
     {}},
    {"GenerateNameInsteadOfName",
     "pods",
     POD(R"j({"generateName":"web-"})j", R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {}},
    {"MissingName",
     "pods",
     POD("{}", R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.name: Required value: name or generateName is required"}},
    {"BadName",
     "pods",
     POD(R"j({"name":"Bad_Name"})j", R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.name: Invalid value: \"Bad_Name\": " + Subdomain}},
    {"BadGenerateName",
     "pods",
     POD(R"j({"generateName":"Web-"})j", R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.generateName: Invalid value: \"Web-\": " + Subdomain}},
    {"BadNamespace",
     "pods",
     POD(R"j({"name":"p","namespace":"my.ns"})j", R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.namespace: Invalid value: \"my.ns\": must not contain dots"}},
    {"NoContainers",
     "pods",
     POD(NAMED, R"j({"containers":[]})j"),
     {"spec.containers: Required value"}},
    {"MissingImage",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c"}]})j"),
     {"spec.containers[0].image: Required value"}},
    {"ContainerNames",
     "pods",
     POD(NAMED, R"j({"containers":[{"image":"i"},{"name":"Web","image":"i"},
       {"name":"Web","image":"i"}]})j"),
     {"spec.containers[0].name: Required value",
      "spec.containers[1].name: Invalid value: \"Web\": " + Label,
      "spec.containers[2].name: Invalid value: \"Web\": " + Label,
      "spec.containers[2].name: Duplicate value: \"Web\""}},
    {"InitContainerNameClashesWithContainer",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i"}],
       "initContainers":[{"name":"c","image":"i"}]})j"),
     {"spec.initContainers[0].name: Duplicate value: \"c\""}},
    {"Ports",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i","ports":[
       {"containerPort":70000},{"containerPort":0,"protocol":"HTTP"},
       {"containerPort":80,"hostPort":-1,"name":"web_port"}]}]})j"),
     {"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and "
      "65535, inclusive",
      "spec.containers[0].ports[1].containerPort: Required value",
      "spec.containers[0].ports[1].protocol: Unsupported value: \"HTTP\": supported values: "
      "\"SCTP\", \"TCP\", \"UDP\"",
      "spec.containers[0].ports[2].name: Invalid value: \"web_port\": must contain only "
      "alpha-numeric characters (a-z, 0-9), and hyphens (-)",
      "spec.containers[0].ports[2].hostPort: Invalid value: -1: must be between 1 and 65535, "
      "inclusive"}},
    {"RestartAndDnsPolicy",
     "pods",
     POD(NAMED, R"j({"restartPolicy":"Sometimes","dnsPolicy":"Google",
       "containers":[{"name":"c","image":"i"}]})j"),
     {"spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
      "\"OnFailure\", \"Never\"",
      "spec.dnsPolicy: Unsupported value: \"Google\": supported values: "
      "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""}},
    {"ImagePullPolicy",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i","imagePullPolicy":"Sometimes"}]})j"),
     {"spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: "
      "\"Always\", \"IfNotPresent\", \"Never\""}},
    {"Resources",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i","resources":{
       "limits":{"cpu":"1","memory":"lots","gpu":"1"},"requests":{"cpu":"2"}}}]})j"),
     {"spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard "
      "resource for containers",
      "spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must "
      "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      "spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal "
      "to cpu limit of 1",
      // Pods take missing requests from their limits before validation.
      "spec.containers[0].resources.requests[gpu]: Invalid value: \"gpu\": must be a standard "
      "resource for containers",
      "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must "
      "match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"}},
    {"NegativeQuantity",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i","resources":{
       "requests":{"memory":"-1Mi"}}}]})j"),
     {"spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater "
      "than or equal to 0"}},
    {"VolumesAndMounts",
     "pods",
     POD(NAMED, R"j({"volumes":[{"name":"data","emptyDir":{}},{"name":"data","emptyDir":{}},
       {"name":"cfg","configMap":{}},{"name":"two","emptyDir":{},"secret":{"secretName":"s"}}],
       "containers":[{"name":"c","image":"i","volumeMounts":[
         {"name":"data","mountPath":"/data"},{"name":"missing","mountPath":"/data"}]}]})j"),
     {"spec.volumes[1].name: Duplicate value: \"data\"",
      "spec.volumes[2].configMap.name: Required value",
      "spec.volumes[3].secret: Forbidden: may not specify more than 1 volume type",
      "spec.containers[0].volumeMounts[1].name: Not found: \"missing\"",
      "spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/data\": must be unique"}},
    {"Tolerations",
     "pods",
     POD(NAMED, R"j({"containers":[{"name":"c","image":"i"}],"tolerations":[
       {"key":"k","operator":"Equal","value":"v","effect":"NoSchedule","tolerationSeconds":5},
       {"operator":"Equal","effect":"Sometimes"}]})j"),
     {"spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' "
      "when `tolerationSeconds` is set",
      "spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be Exists when "
      "`key` is empty, which means \"match all values and all keys\"",
      "spec.tolerations[1].effect: Unsupported value: \"Sometimes\": supported values: "
      "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""}},
    {"LabelsAndAnnotations",
     "pods",
     POD(R"j({"name":"p","labels":{"bad key":"v","ok":"-x"},
       "annotations":{"Example.com/Owner":"me","a/b/c":"x"}})j",
         R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.labels: Invalid value: \"bad key\": " + QualifiedName,
      "metadata.labels: Invalid value: \"-x\": " + LabelValue,
      "metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of "
      "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and "
      "'/' (e.g. 'example.com/MyName')"}},
    {"OwnerReferenceWithoutUid",
     "pods",
     POD(R"j({"name":"p","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet",
       "name":"rs"}]})j",
         R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.ownerReferences.uid: Invalid value: \"\": must not be empty"}},
    {"Finalizers",
     "pods",
     POD(R"j({"name":"p","finalizers":["orphan","foregroundDeletion","bad finalizer"]})j",
         R"j({"containers":[{"name":"c","image":"i"}]})j"),
     {"metadata.finalizers: Invalid value: \"bad finalizer\": " + QualifiedName,
      "metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\", "
      "\"bad finalizer\"}: finalizer orphan and foregroundDeletion cannot be both set"}},
};

TEST(CreateValidation, AnnotationsAreLimitedTo256KiB) {
    std::string big(256 * 1024, 'x');
    std::string pod = R"j({"metadata":{"name":"p","annotations":{"a":")j" + big +
                      R"j("}},"spec":{"containers":[{"name":"c","image":"i"}]}})j";
    EXPECT_EQ(createErrors("pods", pod),
              std::vector<std::string>{
                  "metadata.annotations: Too long: may not be more than 262144 bytes"});
}

#define DEPLOYMENT(spec) R"j({"metadata":{"name":"web"},"spec":)j" spec "}"
#define TEMPLATE(labels)                                                                           \
    R"j({"metadata":{"labels":)j" labels R"j(},"spec":{"containers":[{"name":"c","image":"i"}]}})j"

const std::vector<ValidationCase> WorkloadCases = {
    {"ValidDeployment",
     "deployments",
     DEPLOYMENT(R"j({"selector":{"matchLabels":{"app":"web"}},"template":)j" TEMPLATE(
         R"j({"app":"web","tier":"fe"})j") "}"),
     {}},
    {"DeploymentSelectorMismatch",
     "deployments",
     DEPLOYMENT(R"j({"selector":{"matchLabels":{"app":"web"}},"template":)j" TEMPLATE(
         R"j({"app":"other","z":"1"})j") "}"),
     {"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\", "
      "\"z\":\"1\"}: `selector` does not match template `labels`"}},
    {"DeploymentWithoutSelector",
     "deployments",
     DEPLOYMENT(R"j({"template":)j" TEMPLATE(R"j({"app":"web"})j") "}"),
     {"spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
      "`selector` does not match template `labels`"}},
    {"DeploymentEmptySelector",
     "deployments",
     DEPLOYMENT(R"j({"selector":{},"template":)j" TEMPLATE(R"j({"app":"web"})j") "}"),
     {"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
      "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
      "deployment"}},
    {"DeploymentBadSelectorExpression",
     "deployments",
     DEPLOYMENT(R"j({"selector":{"matchExpressions":[{"key":"app","operator":"In"}]},
       "template":)j" TEMPLATE(R"j({"app":"web"})j") "}"),
     {"spec.selector.matchExpressions[0].values: Required value: must be specified when "
      "`operator` is 'In' or 'NotIn'",
      "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
      "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", "
      "Operator:\"In\", Values:[]string(nil)}}}: invalid label selector"}},
    {"DeploymentNumbersAndPolicies",
     "deployments",
     DEPLOYMENT(R"j({"replicas":-1,"progressDeadlineSeconds":5,"minReadySeconds":10,
       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"0%"}},
       "selector":{"matchLabels":{"app":"web"}},
       "template":{"metadata":{"labels":{"app":"web"}},"spec":{"restartPolicy":"Never",
         "containers":[{"name":"c"}]}}})j"),
     {"spec.replicas: Invalid value: -1: must be greater than or equal to 0",
      "spec.template.spec.containers[0].image: Required value",
      "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
      "\"Always\"",
      "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, "
      "IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0",
      "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"}},
    {"DeploymentRecreateWithRollingUpdate",
     "deployments",
     DEPLOYMENT(R"j({"strategy":{"type":"Recreate","rollingUpdate":{}},
       "selector":{"matchLabels":{"app":"web"}},"template":)j" TEMPLATE(R"j({"app":"web"})j") "}"),
     {"spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
      "'Recreate'"}},
    {"ReplicaSetEmptySelectorUsesDeploymentWording",
     "replicasets",
     R"j({"metadata":{"name":"rs"},"spec":{"selector":{},"template":)j" TEMPLATE(
         R"j({"a":"b"})j") "}}",
     {"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
      "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
      "deployment"}},
    {"StatefulSetMountsClaimTemplate",
     "statefulsets",
     R"j({"metadata":{"name":"db"},"spec":{"selector":{"matchLabels":{"app":"db"}},
       "template":{"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"pg",
         "image":"postgres","volumeMounts":[{"name":"data","mountPath":"/var/lib/pg"}]}]}},
       "volumeClaimTemplates":[{"metadata":{"name":"data"},
         "spec":{"accessModes":["ReadWriteOnce"]}}]}})j",
     {}},
    {"StatefulSetSelectorMismatch",
     "statefulsets",
     R"j({"metadata":{"name":"db"},"spec":{"selector":{"matchLabels":{"app":"db"}},
       "template":)j" TEMPLATE(R"j({})j") "}}",
     {"spec.template.metadata.labels: Invalid value: map[string]string{}: `selector` does not "
      "match template `labels`"}},
    {"DaemonSetSelectorMismatch",
     "daemonsets",
     R"j({"metadata":{"name":"ds"},"spec":{"selector":{"matchLabels":{"app":"a"}},
       "template":)j" TEMPLATE(R"j({"app":"b"})j") "}}",
     {"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"b\"}: "
      "`selector` does not match template `labels`"}},
    {"ReplicationController",
     "replicationcontrollers",
     R"j({"metadata":{"name":"rc"},"spec":{"selector":{"app":"a"},"replicas":-2,
       "template":)j" TEMPLATE(R"j({"app":"b"})j") "}}",
     {"spec.replicas: Invalid value: -2: must be greater than or equal to 0",
      "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"b\"}: "
      "`selector` does not match template `labels`"}},
    {"PodTemplateLabelsArePrintedWithoutMetadata",
     "podtemplates",
     R"j({"metadata":{"name":"t"},"template":{"metadata":{"labels":{"a":"-"}},
       "spec":{"containers":[{"name":"c","image":"i"}]}}})j",
     {"template.labels: Invalid value: \"-\": " + LabelValue}},
    {"ValidJob",
     "jobs",
     R"j({"metadata":{"name":"pi","uid":"u"},"spec":{"template":{"spec":{
       "restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})j",
     {}},
    {"JobWithoutRestartPolicy",
     "jobs",
     R"j({"metadata":{"name":"pi","uid":"u"},"spec":{"template":{"spec":{
       "containers":[{"name":"pi","image":"perl"}]}}}})j",
     {"spec.template.spec.restartPolicy: " + JobRestart}},
    {"JobRestartAlways",
     "jobs",
     R"j({"metadata":{"name":"pi","uid":"u"},"spec":{"backoffLimit":-1,"template":{"spec":{
       "restartPolicy":"Always","containers":[{"name":"pi","image":"perl"}]}}}})j",
     {"spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
      "spec.template.spec.restartPolicy: " + JobRestart}},
    {"JobWithoutUidHasNoSelector",
     "jobs",
     R"j({"metadata":{"name":"pi"},"spec":{"template":{"spec":{
       "restartPolicy":"OnFailure","containers":[{"name":"pi","image":"perl"}]}}}})j",
     {"spec.selector: Required value",
      "spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does "
      "not match template `labels`"}},
    {"ValidCronJob",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"*/5 9-17 * jan-jun mon-fri",
       "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
       "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {}},
    {"CronJobScheduleAndTemplate",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"* * * *","concurrencyPolicy":"Sometimes",
       "jobTemplate":{"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"spec":{
       "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {"spec.schedule: Invalid value: \"* * * *\": expected exactly 5 fields, found 4: [* * * *]",
      "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", "
      "\"Forbid\", \"Replace\"",
      "spec.jobTemplate.spec.template.spec.restartPolicy: " + JobRestart,
      "spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
      "map[string]string{\"a\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
      "`selector` will be auto-generated"}},
    {"CronJobTimeZoneInScheduleAndLongName",
     "cronjobs",
     R"j({"metadata":{"name":"a-very-long-cron-job-name-that-exceeds-fifty-two-chars"},
       "spec":{"schedule":"CRON_TZ=UTC 0 * * * *","jobTemplate":{"spec":{"template":{"spec":{
       "restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {"spec.schedule: Invalid value: \"CRON_TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in "
      "schedule, use timeZone field instead",
      "metadata.name: Invalid value: \"a-very-long-cron-job-name-that-exceeds-fifty-two-chars\":"
      " must be no more than 52 characters"}},
    {"CronJobUnknownTimeZone",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"0 * * * *","timeZone":"Mars/Olympus",
       "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
       "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {"spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus"}},
    {"CronJobLocalTimeZone",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"0 * * * *","timeZone":"local",
       "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
       "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {"spec.timeZone: Invalid value: \"local\": timeZone must be an explicit time zone as "
      "defined in https://www.iana.org/time-zones",
      "spec.timeZone: Invalid value: \"local\": unknown time zone local"}},
    {"CronJobKnownTimeZone",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"0 * * * *","timeZone":"America/New_York",
       "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
       "containers":[{"name":"c","image":"busybox"}]}}}}}})j",
     {}},
};

const std::vector<ValidationCase> CoreCases = {
    {"ValidService",
     "services",
     R"j({"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},
       "ports":[{"name":"http","port":80,"targetPort":"http"},{"name":"dns","port":53,
       "protocol":"UDP"}]}})j",
     {}},
    {"ServiceNameIsDns1035",
     "services",
     R"j({"metadata":{"name":"1web"},"spec":{"ports":[{"port":80}]}})j",
     {"metadata.name: Invalid value: \"1web\": " + Dns1035}},
    {"ServiceWithoutPorts",
     "services",
     R"j({"metadata":{"name":"web"},"spec":{}})j",
     {"spec.ports: Required value"}},
    {"HeadlessServiceWithoutPorts",
     "services",
     R"j({"metadata":{"name":"web"},"spec":{"clusterIP":"None"}})j",
     {}},
    {"ServicePorts",
     "services",
     R"j({"metadata":{"name":"web"},"spec":{"type":"Magic","ports":[{"port":0},
       {"port":80,"protocol":"HTTP","nodePort":30000}]}})j",
     {"spec.ports[0].name: Required value",
      "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
      "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
      "spec.ports[1].name: Required value",
      "spec.ports[1].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
      "\"TCP\", \"UDP\"",
      "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", "
      "\"ExternalName\", \"LoadBalancer\", \"NodePort\""}},
    {"ServiceNodePortOnClusterIP",
     "services",
     R"j({"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"nodePort":30080}]}})j",
     {"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"}},
    {"ExternalNameRequiresName",
     "services",
     R"j({"metadata":{"name":"ext"},"spec":{"type":"ExternalName"}})j",
     {"spec.externalName: Required value"}},
    {"ConfigMapKeys",
     "configmaps",
     R"j({"metadata":{"name":"cfg"},"data":{"a b":"1","..":"2","ok.key":"3"},
       "binaryData":{"ok.key":"AA=="}})j",
     {"data[..]: Invalid value: \"..\": must not be '..'",
      "data[a b]: Invalid value: \"a b\": " + ConfigKey,
      "data[ok.key]: Invalid value: \"ok.key\": duplicate of key present in binaryData"}},
    {"TlsSecretNeedsKeys",
     "secrets",
     R"j({"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"Zm9v"}})j",
     {"data[tls.key]: Required value"}},
    {"SecretStringDataKeysAreValidated",
     "secrets",
     R"j({"metadata":{"name":"s"},"stringData":{"bad/key":"x"}})j",
     {"data[bad/key]: Invalid value: \"bad/key\": " + ConfigKey}},
    {"NamespaceNameIsALabel",
     "namespaces",
     R"j({"metadata":{"name":"team.a"}})j",
     {"metadata.name: Invalid value: \"team.a\": must not contain dots"}},
    {"NamespaceUpperCase",
     "namespaces",
     R"j({"metadata":{"name":"Dev"}})j",
     {"metadata.name: Invalid value: \"Dev\": " + Label}},
    {"NodeTaints",
     "nodes",
     R"j({"metadata":{"name":"n1"},"spec":{"taints":[{"key":"k","effect":"Sometimes"},
       {"key":"dup","effect":"NoSchedule"},{"key":"dup","value":"2","effect":"NoSchedule"}]}})j",
     {"spec.taints[0].effect: Unsupported value: \"Sometimes\": supported values: "
      "\"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
      "spec.taints[2]: Duplicate value: core.Taint{Key:\"dup\", Value:\"2\", "
      "Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and "
      "effect pair"}},
    {"PersistentVolumeClaim",
     "persistentvolumeclaims",
     R"j({"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteSometimes"]}})j",
     {"spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: "
      "\"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
      "spec.resources[storage]: Required value"}},
    {"RoleNamesMayContainColons",
     "roles",
     R"j({"metadata":{"name":"system:controller:job"}})j",
     {}},
    {"RoleNamesMayNotContainSlashes",
     "clusterroles",
     R"j({"metadata":{"name":"a/b%"}})j",
     {"metadata.name: Invalid value: \"a/b%\": may not contain '/'",
      "metadata.name: Invalid value: \"a/b%\": may not contain '%'"}},
    {"CustomResourceDefinitionName",
     "customresourcedefinitions",
     R"j({"metadata":{"name":"widgets.example.com"},"spec":{"group":"example.org",
       "names":{"plural":"widgets"}}})j",
     {"metadata.name: Invalid value: \"widgets.example.com\": must be "
      "spec.names.plural+\".\"+spec.group"}},
    {"GenericKindChecksMetadataOnly",
     "leases",
     R"j({"metadata":{"name":"node-1","labels":{"a":"b c"}}})j",
     {"metadata.labels: Invalid value: \"b c\": " + LabelValue}},
};

std::string caseName(const ::testing::TestParamInfo<ValidationCase>& p) {
    return p.param.label;
}

INSTANTIATE_TEST_SUITE_P(Pods, CreateValidation, ::testing::ValuesIn(PodCases), caseName);
INSTANTIATE_TEST_SUITE_P(Workloads, CreateValidation, ::testing::ValuesIn(WorkloadCases), caseName);
INSTANTIATE_TEST_SUITE_P(Core, CreateValidation, ::testing::ValuesIn(CoreCases), caseName);

TEST(CreateValidation, ErrorsCarryKubernetesCauseReasons) {
    kube::ResourceType type = typeFor("pods");
    json::object pod = parseObject(
        R"j({"metadata":{"name":"Bad"},"spec":{"containers":[{"name":"c"},{"name":"c",
          "image":"i","ports":[{"containerPort":80,"protocol":"X"}]}]}})j");
    applyDefaults(type, pod);
    kube::FieldErrors errors = validate(type, pod, nullptr);
    std::vector<std::string> reasons;
    for (const kube::FieldError& e : errors) {
        reasons.push_back(e.reason);
    }
    EXPECT_EQ(reasons, (std::vector<std::string>{"FieldValueInvalid", "FieldValueRequired",
                                                 "FieldValueNotSupported", "FieldValueDuplicate"}));
}

} // namespace
