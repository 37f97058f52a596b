#include "kube/types/typeregistry.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace pilot::kube;

namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
    return std::ranges::find(list, value) != list.end();
}

} // namespace

TEST(TypeRegistry, FindsCoreResourcesByResourceAndKind) {
    auto registry = TypeRegistry::builtin();
    auto pods = registry->byResource("", "v1", "pods");
    ASSERT_TRUE(pods);
    EXPECT_EQ(pods->gvk.kind, "Pod");
    EXPECT_EQ(pods->singular, "pod");
    EXPECT_TRUE(pods->namespaced);
    EXPECT_TRUE(contains(pods->shortNames, "po"));
    EXPECT_TRUE(contains(pods->categories, "all"));
    EXPECT_EQ(pods->storagePrefix, "/registry/core/pods");
    EXPECT_TRUE(pods->hasStatusSubresource);
    EXPECT_EQ(pods->printer, "pods");
    ASSERT_NE(pods->schema, nullptr);
    EXPECT_EQ(pods->schema->name, "io.k8s.api.core.v1.Pod");
    EXPECT_EQ(registry->byKind("", "v1", "Pod"), pods);
    EXPECT_EQ(registry->byKind("", "v1", "Nope"), nullptr);
}

TEST(TypeRegistry, PodSubresourcesHaveTheirVerbsAndKinds) {
    auto pods = TypeRegistry::builtin()->byResource("", "v1", "pods");
    ASSERT_TRUE(pods);
    const Subresource* eviction = pods->subresource("eviction");
    ASSERT_NE(eviction, nullptr);
    EXPECT_EQ(eviction->responseKind, (GroupVersionKind{"policy", "v1", "Eviction"}));
    EXPECT_EQ(eviction->verbs, std::vector<std::string>{"create"});
    const Subresource* status = pods->subresource("status");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(status->responseKind, (GroupVersionKind{"", "v1", "Pod"}));
    EXPECT_EQ(status->verbs, (std::vector<std::string>{"get", "patch", "update"}));
    ASSERT_NE(pods->subresource("log"), nullptr);
    EXPECT_EQ(pods->subresource("log")->verbs, std::vector<std::string>{"get"});
    EXPECT_EQ(pods->subresource("exec")->verbs, (std::vector<std::string>{"create", "get"}));
    EXPECT_EQ(pods->subresource("binding")->verbs, std::vector<std::string>{"create"});
    EXPECT_TRUE(contains(pods->fieldSelectors, "spec.nodeName"));
    EXPECT_TRUE(contains(pods->fieldSelectors, "status.phase"));
}

struct CoreCase {
    const char* plural;
    const char* kind;
    const char* shortName; // "" = none
    bool namespaced;
    const char* printer;
};

TEST(TypeRegistry, CoreResourceTable) {
    const CoreCase cases[] = {
        {"pods", "Pod", "po", true, "pods"},
        {"services", "Service", "svc", true, "services"},
        {"endpoints", "Endpoints", "ep", true, "endpoints"},
        {"configmaps", "ConfigMap", "cm", true, "configmaps"},
        {"secrets", "Secret", "", true, "secrets"},
        {"namespaces", "Namespace", "ns", false, "namespaces"},
        {"nodes", "Node", "no", false, "nodes"},
        {"events", "Event", "ev", true, "events"},
        {"persistentvolumes", "PersistentVolume", "pv", false, "persistentvolumes"},
        {"persistentvolumeclaims", "PersistentVolumeClaim", "pvc", true, "persistentvolumeclaims"},
        {"serviceaccounts", "ServiceAccount", "sa", true, "serviceaccounts"},
        {"resourcequotas", "ResourceQuota", "quota", true, "resourcequotas"},
        {"limitranges", "LimitRange", "limits", true, "limitranges"},
        {"replicationcontrollers", "ReplicationController", "rc", true, "replicationcontrollers"},
    };
    auto registry = TypeRegistry::builtin();
    for (const CoreCase& c : cases) {
        SCOPED_TRACE(c.plural);
        auto rt = registry->byResource("", "v1", c.plural);
        ASSERT_TRUE(rt);
        EXPECT_EQ(rt->gvk.kind, c.kind);
        EXPECT_EQ(rt->namespaced, c.namespaced);
        EXPECT_EQ(rt->printer, c.printer);
        if (*c.shortName != '\0') {
            EXPECT_TRUE(contains(rt->shortNames, c.shortName));
        }
        ASSERT_NE(rt->schema, nullptr);
        EXPECT_EQ(rt->schemaSet != nullptr, true);
    }
    auto rc = registry->byResource("", "v1", "replicationcontrollers");
    EXPECT_TRUE(rc->tracksGeneration);
    EXPECT_EQ(rc->subresource("scale")->responseKind,
              (GroupVersionKind{"autoscaling", "v1", "Scale"}));
    EXPECT_TRUE(contains(registry->byResource("", "v1", "services")->categories, "all"));
    EXPECT_EQ(registry->byResource("", "v1", "serviceaccounts")->subresource("token")->responseKind,
              (GroupVersionKind{"authentication.k8s.io", "v1", "TokenRequest"}));
    EXPECT_EQ(registry->byResource("", "v1", "namespaces")->subresource("finalize")->verbs,
              std::vector<std::string>{"update"});
    EXPECT_TRUE(contains(registry->byResource("", "v1", "secrets")->fieldSelectors, "type"));
}

TEST(TypeRegistry, GroupsListCoreFirstWithPreferredVersionFirst) {
    auto groups = TypeRegistry::builtin()->groups();
    ASSERT_FALSE(groups.empty());
    EXPECT_EQ(groups.front().first, "");
    EXPECT_EQ(groups.front().second, std::vector<std::string>{"v1"});
    for (const auto& [group, versions] : groups) {
        if (group == "autoscaling" && versions.size() > 1) {
            EXPECT_EQ(versions.front(), "v2");
        }
    }
}

TEST(TypeRegistry, AddReplaceRemoveBumpGeneration) {
    TypeRegistry registry;
    EXPECT_EQ(registry.generation(), 0u);
    auto a = std::make_shared<ResourceType>();
    a->gvk = {"ops.example.com", "v1", "Backup"};
    a->plural = "backups";
    registry.add(a);
    EXPECT_EQ(registry.generation(), 1u);
    auto b = std::make_shared<ResourceType>(*a);
    b->shortNames = {"bk"};
    registry.add(b);
    EXPECT_EQ(registry.generation(), 2u);
    EXPECT_EQ(registry.all().size(), 1u);
    EXPECT_EQ(registry.byResource("ops.example.com", "v1", "backups")->shortNames,
              std::vector<std::string>{"bk"});
    registry.remove("ops.example.com", "v1", "backups");
    EXPECT_EQ(registry.generation(), 3u);
    EXPECT_EQ(registry.byKind("ops.example.com", "v1", "Backup"), nullptr);
    registry.remove("ops.example.com", "v1", "backups");
    EXPECT_EQ(registry.generation(), 3u);
}

TEST(TypeRegistry, AllIsSortedByGroupThenVersionPreference) {
    TypeRegistry registry;
    auto make = [](std::string group, std::string version, std::string plural) {
        auto rt = std::make_shared<ResourceType>();
        rt->gvk = {std::move(group), std::move(version), "K"};
        rt->plural = std::move(plural);
        return rt;
    };
    registry.add(make("b", "v1beta1", "x"));
    registry.add(make("b", "v1", "y"));
    registry.add(make("a", "v2", "z"));
    registry.add(make("b", "v2alpha1", "w"));
    auto all = registry.all();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0]->gvk.group, "a");
    EXPECT_EQ(all[1]->gvk.version, "v1");
    EXPECT_EQ(all[2]->gvk.version, "v1beta1");
    EXPECT_EQ(all[3]->gvk.version, "v2alpha1");
    auto groups = registry.groups();
    EXPECT_EQ(groups[1].second, (std::vector<std::string>{"v1", "v1beta1", "v2alpha1"}));
}
