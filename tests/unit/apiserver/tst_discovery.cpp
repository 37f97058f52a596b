#include "engine/apiserver/discovery.h"

#include "apitestutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

std::vector<std::string> strings(const json::value* v) {
    std::vector<std::string> out;
    if (v && v->is_array()) {
        for (const json::value& s : v->get_array()) {
            out.emplace_back(s.as_string());
        }
    }
    return out;
}

const json::object* findByName(const json::object& doc, const char* listKey, const char* nameKey,
                               const std::string& name) {
    const json::value* list = doc.if_contains(listKey);
    if (!list || !list->is_array()) {
        return nullptr;
    }
    for (const json::value& item : list->get_array()) {
        if (str(item.as_object(), nameKey) == name) {
            return &item.as_object();
        }
    }
    return nullptr;
}

const std::vector<std::string> AllVerbs = {"create", "delete", "deletecollection", "get",
                                           "list",   "patch",  "update",           "watch"};

class DiscoveryTest : public ::testing::Test {
protected:
    std::shared_ptr<kube::TypeRegistry> types = builtinTypes();
    Discovery discovery{*types};
};

TEST_F(DiscoveryTest, coreVersionsListsV1) {
    json::object doc = obj(discovery.coreVersions());
    EXPECT_EQ(str(doc, "kind"), "APIVersions");
    EXPECT_EQ(strings(doc.if_contains("versions")), std::vector<std::string>{"v1"});
    ASSERT_TRUE(at(doc, "serverAddressByClientCIDRs"));
    EXPECT_FALSE(at(doc, "serverAddressByClientCIDRs")->as_array().empty());
}

TEST_F(DiscoveryTest, groupListHasNamedGroupsWithPreferredVersions) {
    json::object doc = obj(discovery.groupList());
    EXPECT_EQ(str(doc, "kind"), "APIGroupList");
    EXPECT_EQ(str(doc, "apiVersion"), "v1");
    EXPECT_EQ(findByName(doc, "groups", "name", ""), nullptr) << "the core group is /api";
    for (const char* group : {"apps", "batch", "coordination.k8s.io", "policy",
                              "rbac.authorization.k8s.io", "apiextensions.k8s.io"}) {
        SCOPED_TRACE(group);
        const json::object* g = findByName(doc, "groups", "name", group);
        ASSERT_NE(g, nullptr);
        std::string preferred = str(*g, "preferredVersion.groupVersion");
        EXPECT_EQ(preferred, std::string(group) + "/" + str(*g, "preferredVersion.version"));
        const json::array& versions = g->at("versions").as_array();
        ASSERT_FALSE(versions.empty());
        EXPECT_EQ(str(versions[0].as_object(), "groupVersion"), preferred)
            << "versions are listed in preference order";
    }
    const json::object* apps = findByName(doc, "groups", "name", "apps");
    ASSERT_NE(apps, nullptr);
    EXPECT_EQ(str(*apps, "preferredVersion.groupVersion"), "apps/v1");
}

TEST_F(DiscoveryTest, singleGroupDocument) {
    json::object doc = obj(discovery.group("apps"));
    EXPECT_EQ(str(doc, "kind"), "APIGroup");
    EXPECT_EQ(str(doc, "apiVersion"), "v1");
    EXPECT_EQ(str(doc, "name"), "apps");
    EXPECT_EQ(str(doc, "preferredVersion.groupVersion"), "apps/v1");
    EXPECT_EQ(discovery.group("no.such.group"), "");
    EXPECT_EQ(discovery.group(""), "") << "the core group has no /apis/<group> document";
}

TEST_F(DiscoveryTest, coreResourceListDescribesPods) {
    json::object doc = obj(discovery.resourceList("", "v1"));
    EXPECT_EQ(str(doc, "kind"), "APIResourceList");
    EXPECT_EQ(str(doc, "groupVersion"), "v1");

    const json::object* pods = findByName(doc, "resources", "name", "pods");
    ASSERT_NE(pods, nullptr);
    EXPECT_EQ(str(*pods, "kind"), "Pod");
    EXPECT_EQ(str(*pods, "singularName"), "pod");
    EXPECT_TRUE(pods->at("namespaced").as_bool());
    EXPECT_EQ(strings(pods->if_contains("shortNames")), std::vector<std::string>{"po"});
    EXPECT_EQ(strings(pods->if_contains("categories")), std::vector<std::string>{"all"});
    std::vector<std::string> verbs = strings(pods->if_contains("verbs"));
    std::sort(verbs.begin(), verbs.end());
    EXPECT_EQ(verbs, AllVerbs);
}

TEST_F(DiscoveryTest, legacyListCarriesSubresourcesAsSeparateEntries) {
    json::object doc = obj(discovery.resourceList("", "v1"));
    // kubectl drain looks for exactly this entry (kube-api-compat.md §2.1).
    const json::object* eviction = findByName(doc, "resources", "name", "pods/eviction");
    ASSERT_NE(eviction, nullptr);
    EXPECT_EQ(str(*eviction, "singularName"), "");
    EXPECT_TRUE(eviction->at("namespaced").as_bool());
    EXPECT_EQ(str(*eviction, "group"), "policy");
    EXPECT_EQ(str(*eviction, "version"), "v1");
    EXPECT_EQ(str(*eviction, "kind"), "Eviction");
    EXPECT_EQ(strings(eviction->if_contains("verbs")), std::vector<std::string>{"create"});

    const json::object* status = findByName(doc, "resources", "name", "pods/status");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(str(*status, "kind"), "Pod");
    EXPECT_FALSE(status->contains("group")) << "same group/version as the parent";

    const json::object* finalize = findByName(doc, "resources", "name", "namespaces/finalize");
    ASSERT_NE(finalize, nullptr);
    EXPECT_FALSE(finalize->at("namespaced").as_bool());
    EXPECT_EQ(strings(finalize->if_contains("verbs")), std::vector<std::string>{"update"});
}

TEST_F(DiscoveryTest, clusterScopedResourcesAreNotNamespaced) {
    json::object doc = obj(discovery.resourceList("", "v1"));
    for (const auto& [plural, shortName] :
         std::vector<std::pair<std::string, std::string>>{{"namespaces", "ns"}, {"nodes", "no"}}) {
        SCOPED_TRACE(plural);
        const json::object* r = findByName(doc, "resources", "name", plural);
        ASSERT_NE(r, nullptr);
        EXPECT_FALSE(r->at("namespaced").as_bool());
        std::vector<std::string> shorts = strings(r->if_contains("shortNames"));
        EXPECT_NE(std::find(shorts.begin(), shorts.end(), shortName), shorts.end());
    }
    const json::object* configmaps = findByName(doc, "resources", "name", "configmaps");
    ASSERT_NE(configmaps, nullptr);
    EXPECT_TRUE(configmaps->at("namespaced").as_bool());
    EXPECT_EQ(strings(configmaps->if_contains("shortNames")), std::vector<std::string>{"cm"});
}

TEST_F(DiscoveryTest, appsResourceListDescribesDeploymentsAndScale) {
    json::object doc = obj(discovery.resourceList("apps", "v1"));
    EXPECT_EQ(str(doc, "groupVersion"), "apps/v1");
    const json::object* deployments = findByName(doc, "resources", "name", "deployments");
    ASSERT_NE(deployments, nullptr);
    EXPECT_EQ(str(*deployments, "kind"), "Deployment");
    EXPECT_EQ(strings(deployments->if_contains("shortNames")), std::vector<std::string>{"deploy"});
    EXPECT_EQ(strings(deployments->if_contains("categories")), std::vector<std::string>{"all"});

    const json::object* scale = findByName(doc, "resources", "name", "deployments/scale");
    ASSERT_NE(scale, nullptr);
    EXPECT_EQ(str(*scale, "group"), "autoscaling");
    EXPECT_EQ(str(*scale, "version"), "v1");
    EXPECT_EQ(str(*scale, "kind"), "Scale");

    const json::object* rs = findByName(doc, "resources", "name", "replicasets");
    ASSERT_NE(rs, nullptr);
    EXPECT_EQ(strings(rs->if_contains("shortNames")), std::vector<std::string>{"rs"});
}

TEST_F(DiscoveryTest, unservedGroupVersionHasNoList) {
    EXPECT_EQ(discovery.resourceList("apps", "v1beta9"), "");
    EXPECT_EQ(discovery.resourceList("no.such.group", "v1"), "");
    EXPECT_EQ(discovery.resourceList("", "v2"), "");
}

TEST_F(DiscoveryTest, everyResourceHasVerbsAndWatchableOnesAreListable) {
    for (const auto& [group, versions] : types->groups()) {
        for (const std::string& version : versions) {
            json::object doc = obj(discovery.resourceList(group, version));
            for (const json::value& r : doc.at("resources").as_array()) {
                const json::object& entry = r.as_object();
                std::string name = str(entry, "name");
                SCOPED_TRACE(group + "/" + version + " " + name);
                std::vector<std::string> verbs = strings(entry.if_contains("verbs"));
                EXPECT_FALSE(verbs.empty());
                bool list = std::find(verbs.begin(), verbs.end(), "list") != verbs.end();
                bool watch = std::find(verbs.begin(), verbs.end(), "watch") != verbs.end();
                EXPECT_TRUE(!watch || list) << "informers list before they watch";
            }
        }
    }
}

TEST_F(DiscoveryTest, aggregatedCoreDocumentHasTheUnnamedGroup) {
    json::object doc = obj(discovery.aggregated(true, "v2"));
    EXPECT_EQ(str(doc, "kind"), "APIGroupDiscoveryList");
    EXPECT_EQ(str(doc, "apiVersion"), "apidiscovery.k8s.io/v2");
    EXPECT_TRUE(doc.at("metadata").is_object());
    const json::array& items = doc.at("items").as_array();
    ASSERT_EQ(items.size(), 1U);
    const json::object& core = items[0].as_object();
    EXPECT_EQ(str(core, "metadata.name"), "");
    const json::array& versions = core.at("versions").as_array();
    ASSERT_EQ(versions.size(), 1U);
    const json::object& v1 = versions[0].as_object();
    EXPECT_EQ(str(v1, "version"), "v1");
    EXPECT_EQ(str(v1, "freshness"), "Current");

    const json::object* pods = findByName(v1, "resources", "resource", "pods");
    ASSERT_NE(pods, nullptr);
    EXPECT_EQ(str(*pods, "scope"), "Namespaced");
    EXPECT_EQ(str(*pods, "singularResource"), "pod");
    EXPECT_EQ(str(*pods, "responseKind.group"), "");
    EXPECT_EQ(str(*pods, "responseKind.version"), "v1");
    EXPECT_EQ(str(*pods, "responseKind.kind"), "Pod");
    EXPECT_EQ(strings(pods->if_contains("shortNames")), std::vector<std::string>{"po"});
    const json::object* eviction = findByName(*pods, "subresources", "subresource", "eviction");
    ASSERT_NE(eviction, nullptr);
    EXPECT_EQ(str(*eviction, "responseKind.group"), "policy");
    EXPECT_EQ(str(*eviction, "responseKind.kind"), "Eviction");

    const json::object* nodes = findByName(v1, "resources", "resource", "nodes");
    ASSERT_NE(nodes, nullptr);
    EXPECT_EQ(str(*nodes, "scope"), "Cluster");
}

TEST_F(DiscoveryTest, aggregatedGroupsDocumentMatchesTheObservedShape) {
    json::object doc = obj(discovery.aggregated(false, "v2"));
    const json::object* apps = nullptr;
    for (const json::value& item : doc.at("items").as_array()) {
        EXPECT_NE(str(item.as_object(), "metadata.name"), "") << "core group belongs to /api";
        if (str(item.as_object(), "metadata.name") == "apps") {
            apps = &item.as_object();
        }
    }
    ASSERT_NE(apps, nullptr);
    const json::object& v1 = apps->at("versions").as_array().at(0).as_object();
    EXPECT_EQ(str(v1, "version"), "v1");
    const json::object* deployments = findByName(v1, "resources", "resource", "deployments");
    ASSERT_NE(deployments, nullptr);
    EXPECT_EQ(str(*deployments, "responseKind.group"), "apps");
    EXPECT_EQ(str(*deployments, "responseKind.kind"), "Deployment");
    EXPECT_EQ(str(*deployments, "singularResource"), "deployment");
    EXPECT_EQ(strings(deployments->if_contains("shortNames")), std::vector<std::string>{"deploy"});
    EXPECT_EQ(strings(deployments->if_contains("categories")), std::vector<std::string>{"all"});
    std::vector<std::string> verbs = strings(deployments->if_contains("verbs"));
    std::sort(verbs.begin(), verbs.end());
    EXPECT_EQ(verbs, AllVerbs);

    const json::object* scale = findByName(*deployments, "subresources", "subresource", "scale");
    ASSERT_NE(scale, nullptr);
    EXPECT_EQ(str(*scale, "responseKind.group"), "autoscaling");
    EXPECT_EQ(str(*scale, "responseKind.version"), "v1");
    EXPECT_EQ(str(*scale, "responseKind.kind"), "Scale");
    std::vector<std::string> scaleVerbs = strings(scale->if_contains("verbs"));
    std::sort(scaleVerbs.begin(), scaleVerbs.end());
    EXPECT_EQ(scaleVerbs, (std::vector<std::string>{"get", "patch", "update"}));

    const json::object* status = findByName(*deployments, "subresources", "subresource", "status");
    ASSERT_NE(status, nullptr);
    EXPECT_EQ(str(*status, "responseKind.kind"), "Deployment");
    std::vector<std::string> statusVerbs = strings(status->if_contains("verbs"));
    std::sort(statusVerbs.begin(), statusVerbs.end());
    EXPECT_EQ(statusVerbs, (std::vector<std::string>{"get", "patch", "update"}));
}

TEST_F(DiscoveryTest, aggregatedDocumentNamesTheRequestedVersion) {
    json::object doc = obj(discovery.aggregated(false, "v2beta1"));
    EXPECT_EQ(str(doc, "apiVersion"), "apidiscovery.k8s.io/v2beta1");
}

TEST_F(DiscoveryTest, aggregatedAndLegacyAgreeOnEveryResource) {
    std::set<std::string> legacy;
    for (const auto& [group, versions] : types->groups()) {
        for (const std::string& version : versions) {
            json::object doc = obj(discovery.resourceList(group, version));
            for (const json::value& r : doc.at("resources").as_array()) {
                std::string name = str(r.as_object(), "name");
                if (name.find('/') == std::string::npos) {
                    legacy.insert(group + "/" + version + "/" + name);
                }
            }
        }
    }
    std::set<std::string> aggregated;
    for (bool core : {true, false}) {
        json::object doc = obj(discovery.aggregated(core, "v2"));
        for (const json::value& item : doc.at("items").as_array()) {
            std::string group = str(item.as_object(), "metadata.name");
            for (const json::value& v : item.as_object().at("versions").as_array()) {
                for (const json::value& r : v.as_object().at("resources").as_array()) {
                    aggregated.insert(group + "/" + str(v.as_object(), "version") + "/" +
                                      str(r.as_object(), "resource"));
                }
            }
        }
    }
    EXPECT_EQ(legacy, aggregated);
    EXPECT_GT(legacy.size(), 20U);
}

} // namespace
