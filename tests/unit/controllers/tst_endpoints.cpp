// The Endpoints controller over the in-process API: addresses of ready, not-ready, terminating
// and IP-less pods, named target ports, label and selector changes, headless Services,
// hostnames, capacity truncation, deletion and no-op syncs; plus the pure subset repacking.

#include "engine/controllers/endpoints/endpointscontroller.h"
#include "engine/controllers/endpoints/endpointsubsets.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;

namespace {

json::object service(const std::string& name, json::object selector, json::array ports,
                     json::object extraSpec = {}) {
    json::object spec{{"selector", std::move(selector)}};
    if (!ports.empty()) {
        spec["ports"] = std::move(ports);
    }
    for (const auto& [key, value] : extraSpec) {
        spec[key] = value;
    }
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", name}, {"labels", json::object{{"team", "blue"}}}}},
        {"spec", std::move(spec)}};
}

json::object servicePort(const std::string& name, int64_t port, json::value target) {
    return json::object{{"name", name}, {"port", port}, {"targetPort", std::move(target)}};
}

/// `{"ip": ip, "nodeName": node, "targetRef": pod}` as the controller writes it.
json::object address(const std::string& ip, const json::object& pod,
                     const std::string& node = "node-1") {
    return json::object{{"ip", ip},
                        {"nodeName", node},
                        {"targetRef", json::object{{"kind", "Pod"},
                                                   {"namespace", "default"},
                                                   {"name", kube::name(pod)},
                                                   {"uid", kube::uid(pod)}}}};
}

const json::array* subsetsOf(const json::object& endpoints) {
    return kube::arrayAt(endpoints, "subsets");
}

class EndpointsTest : public ::testing::Test {
public:
    void SetUp() override {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<EndpointsController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
    }

    /// Waits until the Endpoints `name` has exactly these subsets.
    bool waitForSubsets(const std::string& name, const json::array& expected) {
        return cluster.observer.waitUntil([&] {
            auto endpoints = cluster.observer.get("endpoints", name);
            const json::array* subsets = endpoints ? subsetsOf(*endpoints) : nullptr;
            return endpoints && kube::jsonEqual(subsets ? *subsets : json::array(), expected);
        });
    }

    std::string subsetsText(const std::string& name) {
        auto endpoints = cluster.observer.get("endpoints", name);
        const json::array* subsets = endpoints ? subsetsOf(*endpoints) : nullptr;
        return endpoints ? json::serialize(subsets ? *subsets : json::array()) : "<none>";
    }

    ObservedCluster cluster{{&kube::resources::Pods, &kube::resources::Services,
                             &kube::resources::Endpoints, &kube::resources::Events}};
};

} // namespace

// --- Pure parts. ----------------------------------------------------------------------------

TEST(RepackSubsets, groupsAddressesByTheirPortSetAndNotReadyWins) {
    auto addr = [](const std::string& ip, const std::string& uid) {
        return json::object{{"ip", ip}, {"targetRef", json::object{{"kind", "Pod"}, {"uid", uid}}}};
    };
    json::object http{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}};
    json::object metrics{{"name", "metrics"}, {"port", 9090}, {"protocol", "TCP"}};
    json::array input{
        json::object{{"addresses", json::array{addr("10.0.0.2", "b")}},
                     {"ports", json::array{http}}},
        json::object{{"addresses", json::array{addr("10.0.0.1", "a")}},
                     {"ports", json::array{http}}},
        json::object{{"addresses", json::array{addr("10.0.0.1", "a")}},
                     {"ports", json::array{metrics}}},
        json::object{{"notReadyAddresses", json::array{addr("10.0.0.2", "b")}},
                     {"ports", json::array{http}}},
        json::object{{"addresses", json::array{addr("10.0.0.2", "b")}},
                     {"ports", json::array{metrics}}},
    };
    json::array repacked = repackSubsets(input);
    // 10.0.0.1 is ready on both ports; 10.0.0.2 is ready for metrics only (not ready for
    // http, which outweighs being ready there too).
    json::array expected{
        json::object{{"addresses", json::array{addr("10.0.0.1", "a")}},
                     {"notReadyAddresses", json::array{addr("10.0.0.2", "b")}},
                     {"ports", json::array{http}}},
        json::object{{"addresses", json::array{addr("10.0.0.1", "a"), addr("10.0.0.2", "b")}},
                     {"ports", json::array{metrics}}},
    };
    ASSERT_EQ(repacked.size(), 2U) << json::serialize(repacked);
    for (const json::value& want : expected) {
        EXPECT_TRUE(std::any_of(repacked.begin(), repacked.end(),
                                [&](const json::value& got) { return kube::jsonEqual(got, want); }))
            << "missing " << json::serialize(want) << " in " << json::serialize(repacked);
    }
    EXPECT_EQ(json::serialize(repackSubsets(repacked)), json::serialize(repacked))
        << "repacking is stable";
}

TEST(TruncateSubsets, dropsNotReadyFirstThenSharesProportionally) {
    auto subset = [](size_t ready, size_t notReady, int64_t port) {
        json::array a;
        json::array n;
        for (size_t i = 0; i < ready; ++i) {
            a.push_back(json::object{{"ip", fmt::format("10.{}.0.{}", port, i)}});
        }
        for (size_t i = 0; i < notReady; ++i) {
            n.push_back(json::object{{"ip", fmt::format("10.{}.1.{}", port, i)}});
        }
        json::object s{{"ports", json::array{json::object{{"port", port}}}}};
        if (!a.empty()) {
            s["addresses"] = std::move(a);
        }
        if (!n.empty()) {
            s["notReadyAddresses"] = std::move(n);
        }
        return s;
    };
    auto sizes = [](const json::array& subsets) {
        std::vector<std::pair<size_t, size_t>> out;
        for (const json::value& s : subsets) {
            const json::array* a = kube::arrayAt(s.as_object(), "addresses");
            const json::array* n = kube::arrayAt(s.as_object(), "notReadyAddresses");
            out.emplace_back(a ? a->size() : 0, n ? n->size() : 0);
        }
        return out;
    };
    json::array within{subset(600, 100, 1), subset(300, 0, 2)};
    EXPECT_FALSE(truncateSubsets(within));

    json::array notReadyCut{subset(600, 300, 1), subset(300, 100, 2)};
    EXPECT_TRUE(truncateSubsets(notReadyCut));
    // 100 not-ready places left, shared 300:100 -> 75 and 25.
    EXPECT_EQ(sizes(notReadyCut), (std::vector<std::pair<size_t, size_t>>{{600, 75}, {300, 25}}));
    EXPECT_EQ(countAddresses(notReadyCut), MaxEndpointsCapacity);

    json::array readyCut{subset(700, 50, 1), subset(500, 0, 2)};
    EXPECT_TRUE(truncateSubsets(readyCut));
    // ceil(700/1200*1000) = 584, the rest (416) to the second; every not-ready one goes.
    EXPECT_EQ(sizes(readyCut), (std::vector<std::pair<size_t, size_t>>{{584, 0}, {416, 0}}));
}

// --- The controller. ------------------------------------------------------------------------

TEST_F(EndpointsTest, readyPodsAreAddressesNotReadyOnesNotReadyAddressesOthersLeftOut) {
    json::object web{{"app", "web"}};
    json::object ready = cluster.runPod("ready", web, "node-1", "10.0.0.1", true);
    json::object starting = cluster.runPod("starting", web, "node-1", "10.0.0.2", false);
    cluster.runPod("no-ip", web, "node-1", "", false);
    // Finished as a node agent reports it: Succeeded and no longer Ready in one update (the
    // controller, as upstream, re-syncs on readiness, not phase, changes).
    markSucceeded(cluster.client, cluster.runPod("done", web, "node-1", "10.0.0.4", true));
    cluster.runPod("other", json::object{{"app", "db"}}, "node-1", "10.0.0.5", true);
    std::mutex firstMutex;
    std::optional<json::object> first; // the Endpoints as created
    auto subscription =
        cluster.observer.onChange([&](const std::string& plural, const kube::ObjectPtr& object) {
            std::lock_guard lock(firstMutex);
            if (plural == "endpoints" && kube::name(*object) == "web" && !first) {
                first = *object;
            }
        });
    json::object svc = cluster.create(
        kube::resources::Services, service("web", web, json::array{servicePort("http", 80, 8080)}));

    json::array expected{json::object{
        {"addresses", json::array{address("10.0.0.1", ready)}},
        {"notReadyAddresses", json::array{address("10.0.0.2", starting)}},
        {"ports",
         json::array{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}}}};
    ASSERT_TRUE(waitForSubsets("web", expected)) << subsetsText("web");
    json::object endpoints = *cluster.observer.get("endpoints", "web");
    EXPECT_EQ(kube::label(endpoints, "team"), "blue") << "the Service's labels are copied";
    EXPECT_FALSE(kube::label(endpoints, "service.kubernetes.io/headless"));
    {
        // The first write of a Service's Endpoints is triggered by the Service's creation.
        // (The observer updates its cache before it calls listeners: wait for the call.)
        ASSERT_TRUE(cluster.observer.waitUntil([&] {
            std::lock_guard lock(firstMutex);
            return first.has_value();
        }));
        std::lock_guard lock(firstMutex);
        EXPECT_EQ(kube::annotation(*first, "endpoints.kubernetes.io/last-change-trigger-time"),
                  kube::creationTimestamp(svc));
    }
    EXPECT_TRUE(kube::ownerReferences(endpoints) == nullptr) << "Endpoints have no owner";

    // Readiness flips move the address between the lists.
    cluster.setPodStatus("starting", "10.0.0.2", true);
    expected[0].as_object().erase("notReadyAddresses");
    expected[0].as_object()["addresses"] =
        json::array{address("10.0.0.1", ready), address("10.0.0.2", starting)};
    EXPECT_TRUE(waitForSubsets("web", expected)) << subsetsText("web");
}

TEST_F(EndpointsTest, terminatingPodsLeaveUnlessNotReadyAddressesArePublished) {
    json::object web{{"app", "web"}};
    json::object a = cluster.runPod("a", web, "node-1", "10.0.0.1", true);
    json::object b = cluster.runPod("b", web, "node-1", "10.0.0.2", false);
    json::object gone = cluster.runPod("gone", web, "node-1", "10.0.0.3", true);
    cluster.remove(kube::resources::Pods, "gone"); // bound: stays Terminating
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto pod = cluster.observer.get("pods", "gone");
        return pod && kube::hasDeletionTimestamp(*pod);
    }));
    json::array ports{servicePort("http", 80, 8080)};
    cluster.create(kube::resources::Services, service("plain", web, ports));
    cluster.create(
        kube::resources::Services,
        service("published", web, ports, json::object{{"publishNotReadyAddresses", true}}));
    json::array port{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}};
    EXPECT_TRUE(waitForSubsets(
        "plain",
        json::array{json::object{{"addresses", json::array{address("10.0.0.1", a)}},
                                 {"notReadyAddresses", json::array{address("10.0.0.2", b)}},
                                 {"ports", port}}}))
        << subsetsText("plain");
    EXPECT_TRUE(waitForSubsets(
        "published", json::array{json::object{
                         {"addresses", json::array{address("10.0.0.1", a), address("10.0.0.2", b),
                                                   address("10.0.0.3", gone)}},
                         {"ports", port}}}))
        << subsetsText("published");
}

TEST_F(EndpointsTest, namedTargetPortsResolvePerPod) {
    json::object web{{"app", "web"}};
    auto portNamed = [](const std::string& name, int64_t number) {
        return json::array{json::object{{"name", name}, {"containerPort", number}}};
    };
    json::object old =
        cluster.runPod("old", web, "node-1", "10.0.0.1", true, portNamed("web", 8080));
    json::object fresh =
        cluster.runPod("new", web, "node-1", "10.0.0.2", true, portNamed("web", 9090));
    json::object bare = cluster.runPod("bare", web, "node-1", "10.0.0.3", true);
    cluster.create(kube::resources::Services, service("web", web,
                                                      json::array{servicePort("http", 80, "web"),
                                                                  servicePort("admin", 81, 7000)}));
    auto port = [](const std::string& name, int64_t number) {
        return json::object{{"name", name}, {"port", number}, {"protocol", "TCP"}};
    };
    // Every pod offers admin (7000); http reaches 8080 on one, 9090 on the other, not `bare`.
    // A subset holds the addresses offering exactly its ports.
    json::array expected{
        json::object{{"addresses", json::array{address("10.0.0.1", old), address("10.0.0.2", fresh),
                                               address("10.0.0.3", bare)}},
                     {"ports", json::array{port("admin", 7000)}}},
        json::object{{"addresses", json::array{address("10.0.0.1", old)}},
                     {"ports", json::array{port("http", 8080)}}},
        json::object{{"addresses", json::array{address("10.0.0.2", fresh)}},
                     {"ports", json::array{port("http", 9090)}}},
    };
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto endpoints = cluster.observer.get("endpoints", "web");
        const json::array* subsets = endpoints ? subsetsOf(*endpoints) : nullptr;
        if (subsets == nullptr || subsets->size() != expected.size()) {
            return false;
        }
        return std::all_of(expected.begin(), expected.end(), [&](const json::value& want) {
            return std::any_of(subsets->begin(), subsets->end(),
                               [&](const json::value& got) { return kube::jsonEqual(got, want); });
        });
    })) << subsetsText("web");
}

TEST_F(EndpointsTest, followsPodLabelsAndServiceSelector) {
    json::object a = cluster.runPod("a", json::object{{"app", "web"}}, "node-1", "10.0.0.1", true);
    json::object b = cluster.runPod("b", json::object{{"app", "api"}}, "node-1", "10.0.0.2", true);
    cluster.create(kube::resources::Services, service("svc", json::object{{"app", "web"}},
                                                      json::array{servicePort("http", 80, 8080)}));
    json::array port{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}};
    auto only = [&](const std::string& ip, const json::object& pod) {
        return json::array{
            json::object{{"addresses", json::array{address(ip, pod)}}, {"ports", port}}};
    };
    ASSERT_TRUE(waitForSubsets("svc", only("10.0.0.1", a))) << subsetsText("svc");

    // b joins by its labels, a leaves by its labels.
    cluster.patch(
        kube::resources::Pods, "b",
        json::object{{"metadata", json::object{{"labels", json::object{{"app", "web"}}}}}});
    cluster.patch(
        kube::resources::Pods, "a",
        json::object{{"metadata", json::object{{"labels", json::object{{"app", "old"}}}}}});
    EXPECT_TRUE(waitForSubsets("svc", only("10.0.0.2", b))) << subsetsText("svc");

    // The selector moves to a's new label.
    cluster.patch(kube::resources::Services, "svc",
                  json::object{{"spec", json::object{{"selector", json::object{{"app", "old"}}}}}});
    EXPECT_TRUE(waitForSubsets("svc", only("10.0.0.1", a))) << subsetsText("svc");
}

TEST_F(EndpointsTest, headlessServicesListPodsWithoutPortsAndHostnames) {
    json::object labels{{"app", "db"}};
    json::object pod{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", "db-0"}, {"labels", labels}}},
        {"spec", json::object{{"nodeName", "node-1"},
                              {"hostname", "db-0"},
                              {"subdomain", "db"},
                              {"containers", json::array{json::object{
                                                 {"name", "main"}, {"image", "postgres:16"}}}}}}};
    json::object db0 = cluster.create(kube::resources::Pods, pod);
    cluster.setPodStatus("db-0", "10.0.0.7", true);
    json::object other = cluster.runPod("db-x", labels, "node-1", "10.0.0.8", true);
    cluster.create(kube::resources::Services,
                   service("db", labels, json::array(), json::object{{"clusterIP", "None"}}));

    json::object withHostname = address("10.0.0.7", db0);
    withHostname["hostname"] = "db-0";
    ASSERT_TRUE(waitForSubsets(
        "db", json::array{json::object{
                  {"addresses", json::array{withHostname, address("10.0.0.8", other)}}}}))
        << subsetsText("db");
    json::object endpoints = *cluster.observer.get("endpoints", "db");
    EXPECT_EQ(kube::label(endpoints, "service.kubernetes.io/headless"), "");
}

TEST_F(EndpointsTest, deletedWithTheServiceAndNeverWrittenWhenNothingChanged) {
    json::object web{{"app", "web"}};
    json::object a = cluster.runPod("a", web, "node-1", "10.0.0.1", true);
    cluster.create(kube::resources::Services,
                   service("web", web, json::array{servicePort("http", 80, 8080)}));
    json::array port{json::object{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}};
    ASSERT_TRUE(waitForSubsets(
        "web", json::array{json::object{{"addresses", json::array{address("10.0.0.1", a)}},
                                        {"ports", port}}}));

    // Writes are counted by resourceVersion: the observer may still be delivering the one
    // just waited for when the listener is added.
    const std::string written(kube::resourceVersion(*cluster.observer.get("endpoints", "web")));
    std::mutex writesMutex;
    std::set<std::string> writes;
    auto subscription =
        cluster.observer.onChange([&](const std::string& plural, const kube::ObjectPtr& object) {
            if (plural == "endpoints" && kube::name(*object) == "web" &&
                kube::resourceVersion(*object) != written) {
                std::lock_guard lock(writesMutex);
                writes.emplace(kube::resourceVersion(*object));
            }
        });
    // Changes the Endpoints do not show: no write.
    cluster.patch(
        kube::resources::Services, "web",
        json::object{{"metadata", json::object{{"annotations", json::object{{"note", "x"}}}}}});
    cluster.patch(
        kube::resources::Pods, "a",
        json::object{{"metadata", json::object{{"annotations", json::object{{"note", "y"}}}}}});
    // Then one that does: exactly one write.
    json::object b = cluster.runPod("b", web, "node-1", "10.0.0.2", true);
    ASSERT_TRUE(waitForSubsets(
        "web", json::array{json::object{
                   {"addresses", json::array{address("10.0.0.1", a), address("10.0.0.2", b)}},
                   {"ports", port}}}));
    // That write reaches the listener just after the observer's cache.
    const std::string last(kube::resourceVersion(*cluster.observer.get("endpoints", "web")));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        std::lock_guard lock(writesMutex);
        return writes.contains(last);
    }));
    {
        std::lock_guard lock(writesMutex);
        EXPECT_EQ(writes.size(), 1U);
    }

    cluster.remove(kube::resources::Services, "web");
    EXPECT_TRUE(
        cluster.observer.waitUntil([&] { return !cluster.observer.get("endpoints", "web"); }));
}

TEST_F(EndpointsTest, servicesWithoutSelectorKeepTheirOwnEndpointsUntilTheServiceGoes) {
    json::object manual{
        {"apiVersion", "v1"},
        {"kind", "Endpoints"},
        {"metadata", json::object{{"name", "external"}}},
        {"subsets",
         json::array{json::object{
             {"addresses", json::array{json::object{{"ip", "192.168.1.10"}}}},
             {"ports", json::array{json::object{{"port", 5432}, {"protocol", "TCP"}}}}}}}};
    cluster.create(kube::resources::Endpoints, manual);
    json::object svc =
        service("external", json::object(), json::array{servicePort("pg", 5432, 5432)});
    svc["spec"].as_object().erase("selector");
    cluster.create(kube::resources::Services, svc);
    // A Service with a selector next to it proves the controller ran.
    cluster.create(kube::resources::Services, service("web", json::object{{"app", "web"}},
                                                      json::array{servicePort("http", 80, 8080)}));
    ASSERT_TRUE(cluster.observer.waitUntil(
        [&] { return cluster.observer.get("endpoints", "web").has_value(); }));
    auto kept = cluster.observer.get("endpoints", "external");
    ASSERT_TRUE(kept);
    EXPECT_EQ(json::serialize(*subsetsOf(*kept)), json::serialize(manual["subsets"]));

    // Endpoints whose Service is deleted go, whoever wrote them.
    cluster.remove(kube::resources::Services, "external");
    EXPECT_TRUE(
        cluster.observer.waitUntil([&] { return !cluster.observer.get("endpoints", "external"); }));
}

TEST_F(EndpointsTest, moreThanAThousandAddressesAreTruncatedAndAnnotated) {
    json::object labels{{"app", "big"}};
    for (int i = 0; i < 1005; ++i) {
        cluster.runPod(fmt::format("p{}", i), labels, "node-1",
                       fmt::format("10.1.{}.{}", i / 250, i % 250), true);
    }
    cluster.create(kube::resources::Services,
                   service("big", labels, json::array{servicePort("http", 80, 8080)}));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        auto endpoints = cluster.observer.get("endpoints", "big");
        return endpoints &&
               kube::annotation(*endpoints, "endpoints.kubernetes.io/over-capacity") == "truncated";
    }));
    auto endpoints = cluster.observer.get("endpoints", "big");
    EXPECT_EQ(countAddresses(*subsetsOf(*endpoints)), MaxEndpointsCapacity);

    // Back under capacity, the annotation goes.
    for (int i = 0; i < 10; ++i) {
        cluster.remove(kube::resources::Pods, fmt::format("p{}", i)); // Terminating
    }
    EXPECT_TRUE(cluster.observer.waitUntil([&] {
        auto e = cluster.observer.get("endpoints", "big");
        return e && !kube::annotation(*e, "endpoints.kubernetes.io/over-capacity") &&
               countAddresses(*subsetsOf(*e)) == 995;
    }));
}
