#include "engine/server/lifecycle.h"

#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;
using pilot::server::Lifecycle;

namespace {

// Namespace deletion and garbage collection are controllers now: see
// tests/unit/controllers/tst_garbagecollector.cpp.

class LifecycleTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(lifecycle.bootstrap()); }

    json::object current(const kube::ResourceTypePtr& type, const std::string& name) {
        auto got = env.service->get(*type, "", name);
        return got ? parseObject(**got) : json::object();
    }

    ApiEnv env;
    kube::ResourceTypePtr namespaces = env.type("", "namespaces");
    kube::ResourceTypePtr priorityClasses = env.type("scheduling.k8s.io", "priorityclasses");
    Lifecycle lifecycle{*env.service};
};

// --- bootstrap ---

TEST_F(LifecycleTest, bootstrapCreatesTheBuiltinNamespaces) {
    for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
        SCOPED_TRACE(name);
        json::object ns = current(namespaces, name);
        EXPECT_EQ(str(ns, "metadata.name"), name);
        EXPECT_EQ(str(ns, "status.phase"), "Active");
        EXPECT_NE(str(ns, "metadata.uid"), "");
    }
    int64_t before = env.store->currentRevision();
    ASSERT_TRUE(lifecycle.bootstrap());
    EXPECT_EQ(env.store->currentRevision(), before) << "a second bootstrap writes nothing";
}

TEST_F(LifecycleTest, bootstrapCreatesTheSystemPriorityClasses) {
    json::object node = current(priorityClasses, "system-node-critical");
    EXPECT_EQ(node["value"].as_int64(), 2000001000);
    json::object cluster = current(priorityClasses, "system-cluster-critical");
    EXPECT_EQ(cluster["value"].as_int64(), 2000000000);
    EXPECT_EQ(str(cluster, "preemptionPolicy"), "PreemptLowerPriority");
}

TEST(LifecycleBootstrap, keepsNamespacesThatAlreadyExist) {
    ApiEnv env;
    auto nsType = env.type("", "namespaces");
    auto created = env.service->create(
        *nsType, "", obj(R"({"metadata":{"name":"default","labels":{"mine":"yes"}}})"), {});
    ASSERT_TRUE(created);
    Lifecycle lifecycle(*env.service);
    ASSERT_TRUE(lifecycle.bootstrap());
    auto got = env.service->get(*nsType, "", "default");
    ASSERT_TRUE(got);
    json::object ns = parseObject(**got);
    EXPECT_EQ(str(ns, "metadata.uid"), str(*created, "metadata.uid"));
    EXPECT_EQ(str(ns, "metadata.labels.mine"), "yes");
    EXPECT_TRUE(env.service->get(*nsType, "", "kube-node-lease"));
}

} // namespace
