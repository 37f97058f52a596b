// Compact copies of cached objects.

#include "kube/client/compactobject.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

json::object podLike() {
    return kube::parseJsonText(R"({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "web-7d4b9c-x2x9z", "namespace": "default", "uid": "0b4d6f6e-9f3a",
                   "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
                   "managedFields": [{"manager": "kubelet", "operation": "Update",
                                      "fieldsType": "FieldsV1",
                                      "fieldsV1": {"f:status": {"f:phase": {}}}}]},
      "spec": {"containers": [{"name": "web", "image": "registry.local/web:1.0",
                               "ports": [{"containerPort": 8080}],
                               "resources": {"requests": {"cpu": "10m"}}}],
               "nodeName": "n1", "priority": 0, "enableServiceLinks": true},
      "status": {"phase": "Running", "podIP": "10.42.0.7", "startTime": null,
                 "conditions": [{"type": "Ready", "status": "True"}]}
    })")
        .as_object();
}

} // namespace

TEST(CompactObject, isEqualToTheSourceWithoutManagedFields) {
    json::object source = podLike();
    auto copy = compactObject(source);
    json::object expected = source;
    expected["metadata"].as_object().erase("managedFields");
    EXPECT_EQ(*copy, expected);
    EXPECT_EQ(json::serialize(*copy), json::serialize(expected)) << "member order kept";
}

TEST(CompactObject, keepsManagedFieldsWhenAskedTo) {
    json::object source = podLike();
    auto copy = compactObject(source, CompactOptions{.dropManagedFields = false});
    EXPECT_EQ(*copy, source);
}

TEST(CompactObject, largeObjectsBeyondTheScratchBufferCopyWhole) {
    json::object source = podLike();
    json::object data;
    for (int i = 0; i < 5000; ++i) {
        data["key-" + std::to_string(i)] = std::string(64, static_cast<char>('a' + i % 26));
    }
    source["data"] = std::move(data);
    auto copy = compactObject(source);
    ASSERT_EQ(copy->at("data").as_object().size(), 5000U);
    EXPECT_EQ(copy->at("data"), source.at("data"));
}

TEST(CompactObject, copiesOutliveTheSourceAndAreIndependentOfIt) {
    std::shared_ptr<const json::object> copy;
    {
        json::object source = podLike();
        copy = compactObject(source);
        source["spec"].as_object()["nodeName"] = "n2";
    }
    EXPECT_EQ(copy->at("spec").at("nodeName"), "n1");
    // Copies made on other threads (each informer has its own) do not share scratch state.
    std::shared_ptr<const json::object> other;
    std::thread([&] { other = compactObject(podLike()); }).join();
    EXPECT_EQ(*other, *copy);
}

TEST(CompactObject, copiesMadeFromACachedObjectAreOrdinaryAndMayOutliveIt) {
    // boost::json gives a copy its source's memory resource: controllers copying one cached
    // object on several threads at once, growing their copies and keeping them after the cache
    // dropped the original must all work.
    auto cached = compactObject(podLike());
    std::vector<json::object> copies(4);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < copies.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                json::object copy = *cached;
                copy["spec"].as_object()["nodeName"] = "node-with-a-long-name-" + std::to_string(i);
                copy["status"].as_object()["message"] = std::string(200, 'x');
                copies[t] = std::move(copy);
            }
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    cached.reset();
    for (const json::object& copy : copies) {
        EXPECT_EQ(copy.at("spec").at("nodeName"), "node-with-a-long-name-1999");
        EXPECT_EQ(copy.at("metadata").at("name"), "web-7d4b9c-x2x9z");
    }
}
