// The ServiceAccount admission hook over the in-process API: a new pod gets the `default`
// ServiceAccount and upstream's kube-api-access projected volume mounted in every container,
// opting out on the pod or the ServiceAccount works, an existing mount at the token path is kept,
// and a pod naming a missing ServiceAccount is refused with upstream's message.

#include "apitestutil.h"
#include "engine/apiserver/serviceaccountadmission.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

class ServiceAccountAdmissionTest : public ::testing::Test {
protected:
    ServiceAccountAdmissionTest() {
        env.service->addHook(std::make_shared<ServiceAccountAdmission>(
            *env.service, [] { return "x7k2p"; }, [] {}));
        env.createNamespace("default");
    }

    void createAccount(const std::string& name, std::optional<bool> automount = std::nullopt) {
        json::object sa{{"apiVersion", "v1"},
                        {"kind", "ServiceAccount"},
                        {"metadata", json::object{{"name", name}}}};
        if (automount) {
            sa["automountServiceAccountToken"] = *automount;
        }
        auto r =
            env.send("POST", "/api/v1/namespaces/default/serviceaccounts", json::serialize(sa));
        ASSERT_EQ(r.response.status, 201) << r.response.body;
    }
    HandlerResult createPod(const json::object& pod) {
        return env.send("POST", "/api/v1/namespaces/default/pods", json::serialize(pod));
    }

    ApiEnv env;
};

TEST_F(ServiceAccountAdmissionTest, mountsTheProjectedTokenVolumeInEveryContainer) {
    createAccount("default");
    json::object p = pod("web");
    p["spec"].as_object()["initContainers"] =
        json::array{json::object{{"name", "init"}, {"image", "busybox"}}};
    p["spec"].as_object()["containers"].as_array().push_back(
        json::object{{"name", "sidecar"}, {"image", "busybox"}});
    auto r = createPod(p);
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    json::object created = bodyOf(r);
    EXPECT_EQ(str(created, "spec.serviceAccountName"), "default");
    EXPECT_EQ(str(created, "spec.serviceAccount"), "default");
    EXPECT_EQ(json::serialize(*at(created, "spec.volumes")),
              R"([{"name":"kube-api-access-x7k2p","projected":{"defaultMode":420,"sources":[)"
              R"({"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},)"
              R"({"configMap":{"items":[{"key":"ca.crt","path":"ca.crt"}],)"
              R"("name":"kube-root-ca.crt"}},)"
              R"({"downwardAPI":{"items":[{"fieldRef":{"apiVersion":"v1",)"
              R"("fieldPath":"metadata.namespace"},"path":"namespace"}]}}]}}])");
    const char* mounts = R"([{"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount",)"
                         R"("name":"kube-api-access-x7k2p","readOnly":true}])";
    for (const char* list : {"spec.containers", "spec.initContainers"}) {
        for (const json::value& c : at(created, list)->as_array()) {
            EXPECT_EQ(json::serialize(c.as_object().at("volumeMounts")), mounts)
                << str(c.as_object(), "name");
        }
    }
}

TEST_F(ServiceAccountAdmissionTest, refusesAPodWhoseServiceAccountDoesNotExist) {
    json::object p = pod("orphan");
    auto r = createPod(p);
    EXPECT_EQ(r.response.status, 403);
    EXPECT_EQ(str(bodyOf(r), "message"),
              "pods \"orphan\" is forbidden: error looking up service account default/default: "
              "serviceaccount \"default\" not found");
    createAccount("default");
    p["spec"].as_object()["serviceAccountName"] = "builder";
    r = createPod(p);
    EXPECT_EQ(r.response.status, 403);
    EXPECT_EQ(str(bodyOf(r), "message"),
              "pods \"orphan\" is forbidden: error looking up service account default/builder: "
              "serviceaccount \"builder\" not found");
}

TEST(ServiceAccountAdmission, aPodWaitsForTheDefaultAccountOfANewNamespace) {
    // The controller makes `default` shortly after the namespace; a pod created in between is
    // admitted once it exists (upstream looks again for a while), not refused.
    ApiEnv env;
    int pauses = 0;
    auto createDefault = [&] {
        json::object sa{{"apiVersion", "v1"},
                        {"kind", "ServiceAccount"},
                        {"metadata", json::object{{"name", "default"}}}};
        auto r = env.send("POST", "/api/v1/namespaces/fresh/serviceaccounts", json::serialize(sa));
        EXPECT_EQ(r.response.status, 201);
    };
    env.service->addHook(std::make_shared<ServiceAccountAdmission>(
        *env.service, [] { return "x7k2p"; },
        [&] {
            if (++pauses == 3) {
                createDefault(); // what the controller does meanwhile
            }
        }));
    env.createNamespace("fresh");
    auto r = env.send("POST", "/api/v1/namespaces/fresh/pods", json::serialize(pod("early")));
    EXPECT_EQ(r.response.status, 201) << r.response.body;
    EXPECT_EQ(pauses, 3);

    // Another account gets no second look.
    json::object other = pod("other");
    other["spec"].as_object()["serviceAccountName"] = "builder";
    pauses = 0;
    r = env.send("POST", "/api/v1/namespaces/fresh/pods", json::serialize(other));
    EXPECT_EQ(r.response.status, 403);
    EXPECT_EQ(pauses, 0);
}

TEST_F(ServiceAccountAdmissionTest, automountCanBeTurnedOffByThePodOrTheAccount) {
    createAccount("default");
    createAccount("quiet", false);
    json::object off = pod("off");
    off["spec"].as_object()["automountServiceAccountToken"] = false;
    json::object created = bodyOf(createPod(off));
    EXPECT_EQ(at(created, "spec.volumes"), nullptr);

    json::object quiet = pod("quiet");
    quiet["spec"].as_object()["serviceAccountName"] = "quiet";
    created = bodyOf(createPod(quiet));
    EXPECT_EQ(str(created, "spec.serviceAccountName"), "quiet");
    EXPECT_EQ(at(created, "spec.volumes"), nullptr);

    // The pod's own true overrides the account's false.
    quiet["metadata"].as_object()["name"] = "loud";
    quiet["spec"].as_object()["automountServiceAccountToken"] = true;
    created = bodyOf(createPod(quiet));
    ASSERT_NE(at(created, "spec.volumes"), nullptr);
    EXPECT_EQ(str(at(created, "spec.volumes")->as_array()[0].as_object(), "name"),
              "kube-api-access-x7k2p");
}

TEST_F(ServiceAccountAdmissionTest, keepsAnExistingMountAtTheTokenPath) {
    createAccount("default");
    json::object p = pod("own");
    json::object& spec = p["spec"].as_object();
    spec["volumes"] = json::array{json::object{{"name", "mine"}, {"emptyDir", json::object()}}};
    spec["containers"].as_array()[0].as_object()["volumeMounts"] = json::array{json::object{
        {"name", "mine"}, {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}}};
    auto r = createPod(p);
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    json::object created = bodyOf(r);
    EXPECT_EQ(at(created, "spec.volumes")->as_array().size(), 1U);
    EXPECT_EQ(at(created, "spec.containers")
                  ->as_array()[0]
                  .as_object()
                  .at("volumeMounts")
                  .as_array()
                  .size(),
              1U);
}

} // namespace
