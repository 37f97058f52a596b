// The EndpointSlice and EndpointSlice mirroring controllers over the in-process API: slice
// contents (labels, owner, ports, conditions of ready/not-ready/terminating pods, node, zone),
// the placeholder slice, splitting at 100 endpoints with minimal changes, deletion with the
// Service, and mirroring of user-written Endpoints; plus the reconciler's plan on its own.

#include "engine/controllers/endpoints/serviceutil.h"
#include "engine/controllers/endpointslice/endpointslicecontroller.h"
#include "engine/controllers/endpointslice/mirroringcontroller.h"
#include "engine/controllers/endpointslice/slicereconciler.h"
#include "engine/controllers/endpointslice/sliceutil.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

json::object webService(json::object selector = json::object{{"app", "web"}}) {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", "web"}, {"labels", json::object{{"team", "blue"}}}}},
        {"spec",
         json::object{{"selector", std::move(selector)},
                      {"ports", json::array{json::object{
                                    {"name", "http"}, {"port", 80}, {"targetPort", 8080}}}}}}};
}

json::object node(const std::string& name, const std::string& zone) {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata",
         json::object{{"name", name},
                      {"labels", json::object{{"topology.kubernetes.io/zone", zone}}}}}};
}

std::string ipOf(int i) {
    return fmt::format("10.{}.{}.{}", 1 + i / 62500, (i / 250) % 250, i % 250);
}

/// The endpoint of `pod` as the controller writes it.
json::object endpoint(const json::object& pod, const std::string& ip, bool ready, bool serving,
                      bool terminating, const std::string& node, const std::string& zone) {
    return json::object{
        {"addresses", json::array{json::string(ip)}},
        {"conditions",
         json::object{{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
        {"targetRef", json::object{{"kind", "Pod"},
                                   {"namespace", "default"},
                                   {"name", kube::name(pod)},
                                   {"uid", kube::uid(pod)}}},
        {"nodeName", node},
        {"zone", zone}};
}

/// Endpoint names (target pod names) of the slices, by slice name.
std::map<std::string, std::set<std::string>> podsBySlice(const std::vector<json::object>& slices) {
    std::map<std::string, std::set<std::string>> out;
    for (const json::object& slice : slices) {
        auto& pods = out[std::string(kube::name(slice))];
        if (const json::array* endpoints = kube::arrayAt(slice, "endpoints")) {
            for (const json::value& e : *endpoints) {
                pods.insert(kube::stringAt(kube::objectAt(e.as_object(), "targetRef"), "name"));
            }
        }
    }
    return out;
}

size_t endpointTotal(const std::vector<json::object>& slices) {
    size_t total = 0;
    for (const json::object& slice : slices) {
        total += endpointCount(slice);
    }
    return total;
}

class SliceTest : public ::testing::Test {
public:
    void startControllers(bool mirroring = false) {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<EndpointSliceController>(cluster.controllerClient));
        if (mirroring) {
            controllers.push_back(
                std::make_unique<EndpointSliceMirroringController>(cluster.controllerClient));
        }
        cluster.start(std::move(controllers));
    }

    std::vector<json::object> slicesOf(const std::string& service,
                                       std::string_view manager = EndpointSliceControllerName) {
        std::vector<json::object> out;
        for (json::object& slice : cluster.observer.list("endpointslices")) {
            if (kube::label(slice, ServiceNameLabel) == service && managedBy(slice) == manager) {
                out.push_back(std::move(slice));
            }
        }
        return out;
    }

    ObservedCluster cluster{{&kube::resources::Pods, &kube::resources::Services,
                             &kube::resources::EndpointSlices, &kube::resources::Endpoints,
                             &kube::resources::Nodes, &kube::resources::Events}};
};

} // namespace

// --- The reconciler's plan. -----------------------------------------------------------------

TEST(PlanEndpointSlices, changesAsFewSlicesAsPossible) {
    json::object service = webService();
    service["metadata"].as_object()["namespace"] = "default";
    service["metadata"].as_object()["uid"] = "svc-uid";
    service["spec"].as_object()["clusterIP"] = "10.96.0.10";
    json::object nodeObject = node("node-1", "zone-a");
    auto nodeOf = [&](std::string_view) {
        return std::make_shared<const json::object>(nodeObject);
    };
    auto makePod = [](int i) {
        json::object pod{
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", json::object{{"name", fmt::format("p{}", i)},
                                      {"namespace", "default"},
                                      {"uid", fmt::format("uid-{}", i)},
                                      {"labels", json::object{{"app", "web"}}}}},
            {"spec", json::object{{"nodeName", "node-1"}}},
            {"status", json::object{{"podIP", ipOf(i)},
                                    {"conditions", json::array{json::object{
                                                       {"type", "Ready"}, {"status", "True"}}}}}}};
        return std::make_shared<const json::object>(std::move(pod));
    };
    std::vector<kube::ObjectPtr> pods;
    for (int i = 0; i < 250; ++i) {
        pods.push_back(makePod(i));
    }
    std::vector<kube::ObjectPtr> none;
    SlicePlan first = planEndpointSlices({service, pods, none, nodeOf, 100});
    ASSERT_EQ(first.create.size(), 3U);
    EXPECT_TRUE(first.update.empty() && first.remove.empty());
    std::multiset<size_t> sizes;
    std::vector<kube::ObjectPtr> existing;
    for (size_t i = 0; i < first.create.size(); ++i) {
        json::object slice = first.create[i];
        sizes.insert(endpointCount(slice));
        json::object& meta = slice["metadata"].as_object();
        meta["name"] = fmt::format("web-{}", i);
        meta["uid"] = fmt::format("slice-{}", i);
        meta["resourceVersion"] = "1";
        existing.push_back(std::make_shared<const json::object>(std::move(slice)));
    }
    EXPECT_EQ(sizes, (std::multiset<size_t>{50, 100, 100}));

    // Same pods: nothing to do.
    SlicePlan same = planEndpointSlices({service, pods, existing, nodeOf, 100});
    EXPECT_TRUE(same.create.empty() && same.update.empty() && same.remove.empty());

    // One pod leaves a full slice and another comes: only that slice changes, and takes it.
    auto full = std::find_if(existing.begin(), existing.end(),
                             [](const kube::ObjectPtr& s) { return endpointCount(*s) == 100; });
    ASSERT_NE(full, existing.end());
    const json::object& firstEndpoint = kube::arrayAt(**full, "endpoints")->at(0).as_object();
    std::string leaving = kube::stringAt(kube::objectAt(firstEndpoint, "targetRef"), "name");
    std::vector<kube::ObjectPtr> changed;
    for (const kube::ObjectPtr& pod : pods) {
        if (kube::name(*pod) != leaving) {
            changed.push_back(pod);
        }
    }
    changed.push_back(makePod(999));
    SlicePlan swap = planEndpointSlices({service, changed, existing, nodeOf, 100});
    EXPECT_TRUE(swap.create.empty() && swap.remove.empty());
    ASSERT_EQ(swap.update.size(), 1U);
    EXPECT_EQ(kube::name(swap.update[0]), kube::name(**full));
    EXPECT_EQ(endpointCount(swap.update[0]), 100U);

    // 60 more do not fit the half-empty slice: one new slice, the others untouched.
    std::vector<kube::ObjectPtr> grown = pods;
    for (int i = 250; i < 310; ++i) {
        grown.push_back(makePod(i));
    }
    SlicePlan grow = planEndpointSlices({service, grown, existing, nodeOf, 100});
    EXPECT_TRUE(grow.update.empty() && grow.remove.empty());
    ASSERT_EQ(grow.create.size(), 1U);
    EXPECT_EQ(endpointCount(grow.create[0]), 60U);

    // No pods at all: the slices go and one is kept empty as the placeholder.
    SlicePlan empty = planEndpointSlices({service, none, existing, nodeOf, 100});
    EXPECT_TRUE(empty.create.empty());
    ASSERT_EQ(empty.update.size(), 1U);
    EXPECT_EQ(endpointCount(empty.update[0]), 0U);
    EXPECT_EQ(empty.remove.size(), 2U);
}

// --- The EndpointSlice controller. ----------------------------------------------------------

TEST_F(SliceTest, oneEndpointPerPodWithConditionsNodeAndZone) {
    startControllers();
    cluster.create(kube::resources::Nodes, node("node-1", "zone-a"));
    cluster.create(kube::resources::Nodes, node("node-2", "zone-b"));
    json::object web{{"app", "web"}};
    json::object ready = cluster.runPod("ready", web, "node-1", "10.0.0.1", true);
    json::object starting = cluster.runPod("starting", web, "node-2", "10.0.0.2", false);
    json::object leaving = cluster.runPod("leaving", web, "node-1", "10.0.0.3", true);
    cluster.remove(kube::resources::Pods, "leaving"); // bound: stays Terminating
    cluster.runPod("no-ip", web, "node-1", "", false);
    std::mutex firstMutex;
    std::optional<json::object> first; // the slice as created
    auto subscription =
        cluster.observer.onChange([&](const std::string& plural, const kube::ObjectPtr& object) {
            std::lock_guard lock(firstMutex);
            if (plural == "endpointslices" && !first) {
                first = *object;
            }
        });
    json::object service = cluster.create(kube::resources::Services, webService());

    std::vector<json::object> expected{
        endpoint(ready, "10.0.0.1", true, true, false, "node-1", "zone-a"),
        endpoint(starting, "10.0.0.2", false, false, false, "node-2", "zone-b"),
        endpoint(leaving, "10.0.0.3", false, true, true, "node-1", "zone-a")};
    auto hasExpected = [&] {
        auto slices = slicesOf("web");
        if (slices.size() != 1) {
            return false;
        }
        const json::array* endpoints = kube::arrayAt(slices[0], "endpoints");
        return endpoints && endpoints->size() == expected.size() &&
               std::all_of(expected.begin(), expected.end(), [&](const json::object& want) {
                   return std::any_of(
                       endpoints->begin(), endpoints->end(),
                       [&](const json::value& got) { return kube::jsonEqual(got, want); });
               });
    };
    ASSERT_TRUE(cluster.observer.waitUntil(hasExpected))
        << (slicesOf("web").empty() ? "no slice" : json::serialize(slicesOf("web")[0]));

    json::object slice = slicesOf("web")[0];
    EXPECT_TRUE(kube::name(slice).starts_with("web-")) << kube::name(slice);
    EXPECT_EQ(kube::generateName(slice), "web-");
    EXPECT_EQ(kube::stringAt(slice, "addressType"), "IPv4");
    EXPECT_TRUE(kube::jsonEqual(labelMap(kube::labels(slice)),
                                json::object{{"team", "blue"},
                                             {"kubernetes.io/service-name", "web"},
                                             {"endpointslice.kubernetes.io/managed-by",
                                              "endpointslice-controller.k8s.io"}}))
        << json::serialize(labelMap(kube::labels(slice)));
    EXPECT_TRUE(kube::jsonEqual(*kube::ownerReferences(slice),
                                json::array{json::object{{"apiVersion", "v1"},
                                                         {"kind", "Service"},
                                                         {"name", "web"},
                                                         {"uid", kube::uid(service)},
                                                         {"controller", true},
                                                         {"blockOwnerDeletion", true}}}))
        << json::serialize(*kube::ownerReferences(slice));
    EXPECT_TRUE(kube::jsonEqual(
        *kube::arrayAt(slice, "ports"),
        json::array{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));
    {
        // The first write of a Service's slices is triggered by the Service's creation.
        // (The observer updates its cache before it calls listeners: wait for the call.)
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            std::lock_guard lock(firstMutex);
            return first.has_value();
        }));
        std::lock_guard lock(firstMutex);
        EXPECT_EQ(kube::annotation(*first, "endpoints.kubernetes.io/last-change-trigger-time"),
                  kube::creationTimestamp(service));
    }

    // Readiness changes update the endpoint in place, in the same slice.
    cluster.setPodStatus("starting", "10.0.0.2", true);
    expected[1] = endpoint(starting, "10.0.0.2", true, true, false, "node-2", "zone-b");
    ASSERT_TRUE(cluster.observer.waitUntil(hasExpected));
    EXPECT_EQ(kube::name(slicesOf("web")[0]), kube::name(slice));
}

TEST_F(SliceTest, anEmptyPlaceholderWithoutPodsAndNothingLeftWithoutTheService) {
    startControllers();
    cluster.create(kube::resources::Services, webService());
    ASSERT_TRUE(cluster.observer.waitUntil([&] { return slicesOf("web").size() == 1; }));
    json::object placeholder = slicesOf("web")[0];
    EXPECT_EQ(endpointCount(placeholder), 0U);
    const json::array* ports = kube::arrayAt(placeholder, "ports");
    EXPECT_TRUE(ports == nullptr || ports->empty()) << json::serialize(placeholder);

    // The first pod reuses the placeholder.
    cluster.create(kube::resources::Nodes, node("node-1", "zone-a"));
    cluster.runPod("a", json::object{{"app", "web"}}, "node-1", "10.0.0.1", true);
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto slices = slicesOf("web");
        return slices.size() == 1 && endpointCount(slices[0]) == 1;
    }));
    EXPECT_EQ(kube::name(slicesOf("web")[0]), kube::name(placeholder));

    cluster.remove(kube::resources::Services, "web");
    EXPECT_TRUE(cluster.observer.waitUntil([&] { return slicesOf("web").empty(); }));
}

TEST_F(SliceTest, aHundredEndpointsPerSliceAndUntouchedSlicesStayUntouched) {
    cluster.create(kube::resources::Nodes, node("node-1", "zone-a"));
    json::object web{{"app", "web"}};
    for (int i = 0; i < 250; ++i) {
        cluster.runPod(fmt::format("p{}", i), web, "node-1", ipOf(i), true);
    }
    cluster.create(kube::resources::Services, webService());
    // Started after: the first sync sees all 250 pods at once.
    startControllers();
    auto sizesAre = [&](std::multiset<size_t> want) {
        std::multiset<size_t> sizes;
        for (const json::object& slice : slicesOf("web")) {
            sizes.insert(endpointCount(slice));
        }
        return sizes == want;
    };
    ASSERT_TRUE(cluster.observer.waitUntil([&] { return sizesAre({50, 100, 100}); }));
    std::map<std::string, std::string> versions;
    for (const json::object& slice : slicesOf("web")) {
        versions[std::string(kube::name(slice))] = std::string(kube::resourceVersion(slice));
    }
    auto before = podsBySlice(slicesOf("web"));

    // A pod of a full slice leaves (relabelled) and a new one comes: it takes the free place.
    std::string fullSlice;
    for (const auto& [name, pods] : before) {
        if (pods.size() == 100) {
            fullSlice = name;
        }
    }
    std::string leaving = *before[fullSlice].begin();
    cluster.patch(
        kube::resources::Pods, leaving,
        json::object{{"metadata", json::object{{"labels", json::object{{"app", "off"}}}}}});
    cluster.runPod("newcomer", web, "node-1", ipOf(900), true);
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto pods = podsBySlice(slicesOf("web"));
        return pods.size() == 3 && pods[fullSlice].contains("newcomer") &&
               !pods[fullSlice].contains(leaving) && endpointTotal(slicesOf("web")) == 250;
    })) << "the newcomer went elsewhere";
    for (const json::object& slice : slicesOf("web")) {
        if (kube::name(slice) != fullSlice) {
            EXPECT_EQ(kube::resourceVersion(slice), versions[std::string(kube::name(slice))])
                << kube::name(slice) << " was rewritten";
        }
    }

    // Sixty more, arriving one by one: they fill the half-empty slice first and the full
    // slices are never rewritten.
    std::vector<std::string> fullSlices;
    for (const json::object& slice : slicesOf("web")) {
        if (endpointCount(slice) == 100) {
            fullSlices.emplace_back(kube::name(slice));
            versions[std::string(kube::name(slice))] = std::string(kube::resourceVersion(slice));
        }
    }
    ASSERT_EQ(fullSlices.size(), 2U);
    for (int i = 250; i < 310; ++i) {
        cluster.runPod(fmt::format("p{}", i), web, "node-1", ipOf(i), true);
    }
    ASSERT_TRUE(cluster.observer.waitUntil([&] { return endpointTotal(slicesOf("web")) == 310; }));
    for (const json::object& slice : slicesOf("web")) {
        EXPECT_LE(endpointCount(slice), 100U);
    }
    for (const std::string& name : fullSlices) {
        json::object slice = *cluster.observer.get("endpointslices", name);
        EXPECT_EQ(kube::resourceVersion(slice), versions[name]) << name << " was rewritten";
    }
}

TEST_F(SliceTest, podsOnAnUnknownNodeAreLeftOutAndReportedUntilItExists) {
    startControllers();
    json::object web{{"app", "web"}};
    cluster.runPod("a", web, "ghost", "10.0.0.1", true);
    cluster.create(kube::resources::Services, webService());
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        for (const std::string& e : cluster.observer.events("web")) {
            if (e.starts_with("FailedToUpdateEndpointSlices: Error updating Endpoint Slices for "
                              "Service default/web: skipping Pod a for Service default/web: Node "
                              "ghost Not Found")) {
                return true;
            }
        }
        return false;
    }));
    EXPECT_EQ(endpointTotal(slicesOf("web")), 0U);
    cluster.create(kube::resources::Nodes, node("ghost", "zone-x"));
    EXPECT_TRUE(cluster.observer.waitUntil([&] { return endpointTotal(slicesOf("web")) == 1; }))
        << "retried once the node exists";
}

// --- Mirroring. -----------------------------------------------------------------------------

TEST_F(SliceTest, endpointsOfServicesWithoutSelectorAreMirrored) {
    startControllers(true);
    json::object svc = webService();
    svc["spec"].as_object().erase("selector");
    cluster.create(kube::resources::Services, svc);
    json::object manual{
        {"apiVersion", "v1"},
        {"kind", "Endpoints"},
        {"metadata", json::object{{"name", "web"},
                                  {"labels", json::object{{"owner", "me"}}},
                                  {"annotations", json::object{{"note", "external db"}}}}},
        {"subsets",
         json::array{json::object{
             {"addresses",
              json::array{json::object{{"ip", "192.168.1.10"}}, json::object{{"ip", "not-an-ip"}}}},
             {"notReadyAddresses", json::array{json::object{{"ip", "192.168.1.11"}}}},
             {"ports",
              json::array{json::object{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}}}};
    json::object endpoints = cluster.create(kube::resources::Endpoints, manual);
    auto mirrored = [&] { return slicesOf("web", MirroringControllerName); };
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto slices = mirrored();
        return slices.size() == 1 && endpointCount(slices[0]) == 2;
    }));
    json::object slice = mirrored()[0];
    EXPECT_TRUE(slicesOf("web").empty()) << "the EndpointSlice controller keeps out";
    EXPECT_TRUE(
        kube::jsonEqual(*kube::arrayAt(slice, "endpoints"),
                        json::array{json::object{{"addresses", json::array{"192.168.1.10"}},
                                                 {"conditions", json::object{{"ready", true}}}},
                                    json::object{{"addresses", json::array{"192.168.1.11"}},
                                                 {"conditions", json::object{{"ready", false}}}}}))
        << json::serialize(slice);
    EXPECT_EQ(kube::label(slice, "owner"), "me");
    EXPECT_EQ(kube::annotation(slice, "note"), "external db");
    const json::object* owner = kube::controllerRef(slice);
    ASSERT_TRUE(owner);
    EXPECT_EQ(kube::stringAt(*owner, "kind"), "Endpoints");
    EXPECT_EQ(kube::stringAt(*owner, "uid"), kube::uid(endpoints));
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        auto events = cluster.observer.events("web");
        return std::find(events.begin(), events.end(),
                         "InvalidIPAddress: Skipped 1 invalid IP addresses when mirroring to "
                         "EndpointSlices") != events.end();
    }));

    // Changes are mirrored into the same slice.
    cluster.patch(
        kube::resources::Endpoints, "web",
        json::object{{"subsets",
                      json::array{json::object{
                          {"addresses", json::array{json::object{{"ip", "192.168.1.12"}}}},
                          {"ports", json::array{json::object{
                                        {"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}}}});
    json::array updated{json::object{{"addresses", json::array{"192.168.1.12"}},
                                     {"conditions", json::object{{"ready", true}}}}};
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto slices = mirrored();
        return slices.size() == 1 &&
               kube::jsonEqual(*kube::arrayAt(slices[0], "endpoints"), updated);
    }));
    EXPECT_EQ(kube::name(mirrored()[0]), kube::name(slice));

    // skip-mirror ends the mirroring.
    cluster.patch(kube::resources::Endpoints, "web",
                  json::object{{"metadata",
                                json::object{{"labels", json::object{{"endpointslice.kubernetes.io/"
                                                                      "skip-mirror",
                                                                      "true"}}}}}});
    EXPECT_TRUE(cluster.observer.waitUntil([&] { return mirrored().empty(); }));
}

TEST_F(SliceTest, mirroredSlicesGoWhenTheServiceGetsASelector) {
    startControllers(true);
    json::object svc = webService();
    svc["spec"].as_object().erase("selector");
    cluster.create(kube::resources::Services, svc);
    cluster.create(
        kube::resources::Endpoints,
        json::object{
            {"apiVersion", "v1"},
            {"kind", "Endpoints"},
            {"metadata", json::object{{"name", "web"}}},
            {"subsets",
             json::array{json::object{
                 {"addresses", json::array{json::object{{"ip", "192.168.1.10"}}}},
                 {"ports", json::array{json::object{{"port", 80}, {"protocol", "TCP"}}}}}}}});
    ASSERT_TRUE(cluster.observer.waitUntil(
        [&] { return slicesOf("web", MirroringControllerName).size() == 1; }));
    cluster.patch(kube::resources::Services, "web",
                  json::object{{"spec", json::object{{"selector", json::object{{"app", "web"}}}}}});
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        return slicesOf("web", MirroringControllerName).empty() && slicesOf("web").size() == 1;
    })) << "mirrored slices replaced by the EndpointSlice controller's";
}
