// The ServiceAccount controller and the root-CA publisher over the in-process API: every
// namespace gets the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap, both come
// back when deleted, an edited CA bundle is put back, and terminating namespaces are skipped.

#include "engine/controllers/framework/controllermanager.h"
#include "engine/controllers/serviceaccount/rootcapublisher.h"
#include "engine/controllers/serviceaccount/serviceaccountcontroller.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;

namespace {

constexpr std::string_view CaPem =
    "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";

class ServiceAccountControllersTest : public ::testing::Test {
protected:
    ServiceAccountControllersTest()
        : view(client, {&kube::resources::Namespaces, &kube::resources::ServiceAccounts,
                        &kube::resources::ConfigMaps}) {
        env.createNamespace("default");
        view.start();
        manager = std::make_unique<ControllerManager>(controllerClient);
        manager->add(std::make_unique<ServiceAccountController>(controllerClient));
        manager->add(std::make_unique<RootCaPublisher>(
            controllerClient, RootCaPublisher::Options{std::string(CaPem)}));
        auto started = manager->start();
        EXPECT_TRUE(started) << started.error().message;
    }
    ~ServiceAccountControllersTest() override {
        manager.reset();
        view.stop();
    }

    void createNamespace(const std::string& name) {
        auto created = client.create(kube::resources::Namespaces, "",
                                     json::object{{"metadata", json::object{{"name", name}}}});
        ASSERT_TRUE(created) << created.error().message;
    }
    bool waitForAccount(const std::string& ns, const std::string& uidOtherThan = {}) {
        return view.waitUntil([&] {
            auto sa = view.get("serviceaccounts", "default", ns);
            return sa && kube::uid(*sa) != uidOtherThan;
        });
    }
    bool waitForCa(const std::string& ns) {
        return view.waitUntil([&] {
            auto cm = view.get("configmaps", "kube-root-ca.crt", ns);
            return cm && kube::stringAt(kube::objectAt(*cm, "data"), "ca.crt") == CaPem;
        });
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerClient{*env.handler, "pilothouse-controllers"};
    Observer view;
    std::unique_ptr<ControllerManager> manager;
};

TEST_F(ServiceAccountControllersTest, everyNamespaceGetsTheDefaultServiceAccount) {
    ASSERT_TRUE(waitForAccount("default"));
    createNamespace("team-a");
    ASSERT_TRUE(waitForAccount("team-a"));
    json::object sa = *view.get("serviceaccounts", "default", "team-a");
    EXPECT_EQ(kube::kind(sa), "ServiceAccount");
    EXPECT_FALSE(sa.contains("secrets")); // no legacy token Secrets since 1.24
}

TEST_F(ServiceAccountControllersTest, aDeletedDefaultServiceAccountIsRecreated) {
    createNamespace("team-b");
    ASSERT_TRUE(waitForAccount("team-b"));
    std::string oldUid(kube::uid(*view.get("serviceaccounts", "default", "team-b")));
    auto removed = client.remove(kube::resources::ServiceAccounts, "team-b", "default");
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_TRUE(waitForAccount("team-b", oldUid));
}

TEST_F(ServiceAccountControllersTest, publishesTheRootCaWithUpstreamsAnnotation) {
    createNamespace("team-c");
    ASSERT_TRUE(waitForCa("team-c"));
    json::object cm = *view.get("configmaps", "kube-root-ca.crt", "team-c");
    EXPECT_EQ(kube::annotation(cm, "kubernetes.io/description"), RootCaPublisher::Description);
    EXPECT_EQ(kube::objectAt(cm, "data")->size(), 1U);
    EXPECT_TRUE(waitForCa("default"));
}

TEST_F(ServiceAccountControllersTest, anEditedOrDeletedRootCaIsPutBack) {
    createNamespace("team-d");
    ASSERT_TRUE(waitForCa("team-d"));
    auto patched =
        client.patch(kube::resources::ConfigMaps, "team-d", "kube-root-ca.crt",
                     kube::PatchType::Merge, R"({"data":{"ca.crt":"forged","extra":"x"}})");
    ASSERT_TRUE(patched) << patched.error().message;
    ASSERT_TRUE(view.waitUntil([&] {
        auto cm = view.get("configmaps", "kube-root-ca.crt", "team-d");
        return cm && kube::stringAt(kube::objectAt(*cm, "data"), "ca.crt") == CaPem &&
               !kube::objectAt(*cm, "data")->contains("extra");
    }));
    std::string oldUid(kube::uid(*view.get("configmaps", "kube-root-ca.crt", "team-d")));
    auto removed = client.remove(kube::resources::ConfigMaps, "team-d", "kube-root-ca.crt");
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_TRUE(view.waitUntil([&] {
        auto cm = view.get("configmaps", "kube-root-ca.crt", "team-d");
        return cm && kube::uid(*cm) != oldUid;
    }));
}

} // namespace
