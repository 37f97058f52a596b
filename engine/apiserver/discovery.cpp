#include "engine/apiserver/discovery.h"

#include <boost/json.hpp>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

json::array strings(const std::vector<std::string>& values) {
    json::array out;
    for (const std::string& v : values) {
        out.emplace_back(v);
    }
    return out;
}

json::object groupVersionEntry(const std::string& group, const std::string& version) {
    return json::object{{"groupVersion", group.empty() ? version : group + "/" + version},
                        {"version", version}};
}

json::object groupObject(const std::string& name, const std::vector<std::string>& versions) {
    json::array list;
    for (const std::string& v : versions) {
        list.push_back(groupVersionEntry(name, v));
    }
    json::object group{{"name", name}, {"versions", list}};
    if (!versions.empty()) {
        group["preferredVersion"] = groupVersionEntry(name, versions.front());
    }
    return group;
}

} // namespace

std::string Discovery::coreVersions() const {
    json::object doc{
        {"kind", "APIVersions"},
        {"versions", json::array{"v1"}},
        {"serverAddressByClientCIDRs",
         json::array{json::object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", ""}}}}};
    return json::serialize(doc);
}

std::string Discovery::groupList() const {
    json::array groups;
    for (const auto& [name, versions] : m_types.groups()) {
        if (name.empty()) {
            continue;
        }
        groups.push_back(groupObject(name, versions));
    }
    json::object doc{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
    return json::serialize(doc);
}

std::string Discovery::group(const std::string& name) const {
    for (const auto& [groupName, versions] : m_types.groups()) {
        if (groupName == name && !name.empty()) {
            json::object doc = groupObject(name, versions);
            doc["kind"] = "APIGroup";
            doc["apiVersion"] = "v1";
            return json::serialize(doc);
        }
    }
    return {};
}

std::string Discovery::resourceList(const std::string& group, const std::string& version) const {
    json::array resources;
    bool found = false;
    for (const kube::ResourceTypePtr& type : m_types.all()) {
        if (type->gvk.group != group || type->gvk.version != version) {
            continue;
        }
        found = true;
        json::object r{{"name", type->plural},
                       {"singularName", type->singular},
                       {"namespaced", type->namespaced},
                       {"kind", type->gvk.kind},
                       {"verbs", strings(type->verbs)}};
        if (!type->shortNames.empty()) {
            r["shortNames"] = strings(type->shortNames);
        }
        if (!type->categories.empty()) {
            r["categories"] = strings(type->categories);
        }
        resources.push_back(std::move(r));
        for (const kube::Subresource& sub : type->subresources) {
            json::object s{{"name", type->plural + "/" + sub.name},
                           {"singularName", ""},
                           {"namespaced", type->namespaced},
                           {"kind", sub.responseKind.kind},
                           {"verbs", strings(sub.verbs)}};
            if (sub.responseKind.group != group || sub.responseKind.version != version) {
                s["group"] = sub.responseKind.group;
                s["version"] = sub.responseKind.version;
            }
            resources.push_back(std::move(s));
        }
    }
    if (!found) {
        return {};
    }
    json::object doc{{"kind", "APIResourceList"},
                     {"apiVersion", "v1"},
                     {"groupVersion", group.empty() ? version : group + "/" + version},
                     {"resources", resources}};
    return json::serialize(doc);
}

std::string Discovery::aggregated(bool core, const std::string& version) const {
    json::array items;
    std::vector<kube::ResourceTypePtr> all = m_types.all();
    for (const auto& [groupName, versions] : m_types.groups()) {
        if (core != groupName.empty()) {
            continue;
        }
        json::array versionList;
        for (const std::string& v : versions) {
            json::array resources;
            for (const kube::ResourceTypePtr& type : all) {
                if (type->gvk.group != groupName || type->gvk.version != v) {
                    continue;
                }
                json::object r{{"resource", type->plural},
                               {"responseKind", json::object{{"group", type->gvk.group},
                                                             {"version", type->gvk.version},
                                                             {"kind", type->gvk.kind}}},
                               {"scope", type->namespaced ? "Namespaced" : "Cluster"},
                               {"singularResource", type->singular},
                               {"verbs", strings(type->verbs)}};
                if (!type->shortNames.empty()) {
                    r["shortNames"] = strings(type->shortNames);
                }
                if (!type->categories.empty()) {
                    r["categories"] = strings(type->categories);
                }
                json::array subs;
                for (const kube::Subresource& sub : type->subresources) {
                    subs.push_back(json::object{
                        {"subresource", sub.name},
                        {"responseKind", json::object{{"group", sub.responseKind.group},
                                                      {"version", sub.responseKind.version},
                                                      {"kind", sub.responseKind.kind}}},
                        {"verbs", strings(sub.verbs)}});
                }
                if (!subs.empty()) {
                    r["subresources"] = std::move(subs);
                }
                resources.push_back(std::move(r));
            }
            versionList.push_back(
                json::object{{"version", v}, {"resources", resources}, {"freshness", "Current"}});
        }
        items.push_back(json::object{{"metadata", json::object{{"name", groupName}}},
                                     {"versions", versionList}});
    }
    json::object doc{{"kind", "APIGroupDiscoveryList"},
                     {"apiVersion", "apidiscovery.k8s.io/" + version},
                     {"metadata", json::object()},
                     {"items", items}};
    return json::serialize(doc);
}

} // namespace pilot::apiserver
