// Validation on update: immutable fields and restricted spec changes, stored vs. updated object.

#include "admissiontestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::admission;
using namespace pilot::admission::test;

namespace {

struct UpdateCase {
    std::string label;
    std::string plural;
    std::string stored;
    std::string updated;
    std::vector<std::string> errors;
};

class UpdateValidation : public ::testing::TestWithParam<UpdateCase> {};

TEST_P(UpdateValidation, ReportsUpstreamMessages) {
    const UpdateCase& c = GetParam();
    EXPECT_EQ(updateErrors(c.plural, c.stored, c.updated), c.errors);
}

#define DEPLOYMENT(replicas, app)                                                                  \
    R"j({"metadata":{"name":"web"},"spec":{"replicas":)j" replicas                                 \
    R"j(,"selector":{"matchLabels":{"app":")j" app                                                 \
    R"j("}},"template":{"metadata":{"labels":{"app":")j" app                                       \
    R"j("}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}})j"

#define JOB(suspend, labels, image)                                                                \
    R"j({"metadata":{"name":"pi","uid":"u1"},"spec":{"suspend":)j" suspend                         \
    R"j(,"template":{"metadata":{"labels":)j" labels                                               \
    R"j(},"spec":{"restartPolicy":"Never","containers":[{"name":"pi","image":")j" image            \
    R"j("}]}}}})j"

#define POD(node, image, port)                                                                     \
    R"j({"metadata":{"name":"p"},"spec":{"nodeName":")j" node                                      \
    R"j(","containers":[{"name":"c","image":")j" image R"j(","ports":[{"containerPort":)j" port    \
    R"j(}]}]}})j"

#define PVC(size, modes, volume)                                                                   \
    R"j({"metadata":{"name":"data"},"spec":{"accessModes":)j" modes R"j(,"volumeName":")j" volume  \
    R"j(","resources":{"requests":{"storage":")j" size R"j("}}}})j"

const std::vector<UpdateCase> Cases = {
    {"DeploymentScaleIsFine", "deployments", DEPLOYMENT("1", "web"), DEPLOYMENT("5", "web"), {}},
    {"DeploymentSelectorIsImmutable",
     "deployments",
     DEPLOYMENT("1", "web"),
     DEPLOYMENT("1", "web2"),
     {"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":"
      "\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"}},
    {"JobTemplateIsImmutable",
     "jobs",
     JOB("false", "{}", "perl:5"),
     JOB("false", "{}", "perl:6"),
     {"spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable"}},
    {"SuspendedJobMayChangeTemplateLabels",
     "jobs",
     JOB("true", R"j({"a":"1"})j", "perl"),
     JOB("true", R"j({"a":"2"})j", "perl"),
     {}},
    {"RunningJobMayNotChangeTemplateLabels",
     "jobs",
     JOB("false", R"j({"a":"1"})j", "perl"),
     JOB("false", R"j({"a":"2"})j", "perl"),
     {"spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable"}},
    {"JobCompletionsAreImmutable",
     "jobs",
     R"j({"metadata":{"name":"pi","uid":"u1"},"spec":{"completions":2,"template":{"spec":{
       "restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})j",
     R"j({"metadata":{"name":"pi","uid":"u1"},"spec":{"completions":3,"template":{"spec":{
       "restartPolicy":"Never","containers":[{"name":"pi","image":"perl"}]}}}})j",
     {"spec.completions: Invalid value: 3: field is immutable"}},
    {"PodImageMayChange", "pods", POD("n1", "nginx:1", "80"), POD("n1", "nginx:2", "80"), {}},
    {"PodBindingSetsNodeName", "pods", POD("", "nginx", "80"), POD("n1", "nginx", "80"), {}},
    {"PodPortsMayNotChange",
     "pods",
     POD("n1", "nginx", "80"),
     POD("n1", "nginx", "81"),
     {"spec: Forbidden: pod updates may not change fields other than "
      "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      "`spec.tolerations` (only additions to existing tolerations),"
      "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      "negative)"}},
    {"PodMayNotMoveNodes",
     "pods",
     POD("n1", "nginx", "80"),
     POD("n2", "nginx", "80"),
     {"spec: Forbidden: pod updates may not change fields other than "
      "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      "`spec.tolerations` (only additions to existing tolerations),"
      "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
      "negative)"}},
    {"ServiceClusterIPIsKept",
     "services",
     R"j({"metadata":{"name":"s"},"spec":{"clusterIP":"10.96.0.5","clusterIPs":["10.96.0.5"],
       "ports":[{"port":80}]}})j",
     R"j({"metadata":{"name":"s"},"spec":{"ports":[{"port":8080}]}})j",
     {}},
    {"ServiceClusterIPMayNotChange",
     "services",
     R"j({"metadata":{"name":"s"},"spec":{"clusterIP":"10.96.0.5","clusterIPs":["10.96.0.5"],
       "ports":[{"port":80}]}})j",
     R"j({"metadata":{"name":"s"},"spec":{"clusterIP":"10.96.0.9","ports":[{"port":80}]}})j",
     {"spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.9\"}: may not change once set"}},
    {"PersistentVolumeClaimMayGrow",
     "persistentvolumeclaims",
     PVC("1Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     PVC("2Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     {}},
    {"PersistentVolumeClaimBinds",
     "persistentvolumeclaims",
     PVC("1Gi", R"j(["ReadWriteOnce"])j", ""),
     PVC("1Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     {}},
    {"PersistentVolumeClaimMayNotShrink",
     "persistentvolumeclaims",
     PVC("2Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     PVC("1Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     {"spec.resources.requests.storage: Forbidden: field can not be less than previous value"}},
    {"PersistentVolumeClaimSpecIsImmutable",
     "persistentvolumeclaims",
     PVC("1Gi", R"j(["ReadWriteOnce"])j", "pv1"),
     PVC("1Gi", R"j(["ReadWriteMany"])j", "pv1"),
     {"spec: Forbidden: spec is immutable after creation except resources.requests for bound "
      "claims"}},
    {"StatefulSetClaimTemplatesAreFrozen",
     "statefulsets",
     R"j({"metadata":{"name":"db"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},
       "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c",
       "image":"i"}]}},"volumeClaimTemplates":[{"metadata":{"name":"d"},
       "spec":{"accessModes":["ReadWriteOnce"]}}]}})j",
     R"j({"metadata":{"name":"db"},"spec":{"replicas":3,"selector":{"matchLabels":{"a":"b"}},
       "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c",
       "image":"i"}]}},"volumeClaimTemplates":[{"metadata":{"name":"d"},
       "spec":{"accessModes":["ReadWriteMany"]}}]}})j",
     {"spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
      "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
      "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"}},
    {"ImmutableSecret",
     "secrets",
     R"j({"metadata":{"name":"s"},"immutable":true,"data":{"a":"MQ=="}})j",
     R"j({"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"a":"Mg==",
       "tls.crt":"","tls.key":""}})j",
     {"type: Invalid value: \"kubernetes.io/tls\": field is immutable",
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set"}},
    {"ImmutableConfigMap",
     "configmaps",
     R"j({"metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}})j",
     R"j({"metadata":{"name":"c"},"immutable":true,"data":{"a":"2"}})j",
     {"data: Forbidden: field is immutable when `immutable` is set"}},
    {"CronJobMayKeepLegacyTimeZoneSchedule",
     "cronjobs",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"TZ=UTC 0 * * * *","jobTemplate":{
       "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c",
       "image":"i"}]}}}}}})j",
     R"j({"metadata":{"name":"c"},"spec":{"schedule":"TZ=UTC 5 * * * *","jobTemplate":{
       "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c",
       "image":"i"}]}}}}}})j",
     {}},
};

INSTANTIATE_TEST_SUITE_P(Admission, UpdateValidation, ::testing::ValuesIn(Cases),
                         [](const ::testing::TestParamInfo<UpdateCase>& p) {
                             return p.param.label;
                         });

} // namespace
