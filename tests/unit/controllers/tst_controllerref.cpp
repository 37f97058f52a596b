// Routing an owned object's update to its controllers (routeOwnedUpdate), shared by the
// ReplicaSet, StatefulSet, DaemonSet, Job, Deployment and CronJob controllers, and the second
// look at an owner once a newly ready pod counts as available (availabilityRecheck).

#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pilot::controllers {
namespace {

namespace json = boost::json;

kube::ObjectPtr owner(const std::string& name) {
    return std::make_shared<const json::object>(json::object{
        {"metadata", json::object{{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}}}});
}

json::object pod(const std::string& controller, json::object labels = {{"app", "web"}}) {
    json::object meta{{"name", "p"}, {"namespace", "ns"}, {"uid", "pod-uid"}};
    if (!labels.empty()) {
        meta["labels"] = std::move(labels);
    }
    if (!controller.empty()) {
        meta["ownerReferences"] = json::array{json::object{{"apiVersion", "apps/v1"},
                                                           {"kind", "ReplicaSet"},
                                                           {"name", controller},
                                                           {"uid", "uid-" + controller},
                                                           {"controller", true}}};
    }
    return json::object{{"metadata", std::move(meta)}};
}

/// Owners a, b (live) and the selecting owners s1, s2; records whom an update reached.
struct Owners {
    std::map<std::string, kube::ObjectPtr> byUid{{"uid-a", owner("a")}, {"uid-b", owner("b")}};
    std::vector<kube::ObjectPtr> selecting{owner("s1"), owner("s2")};
    std::vector<std::string> told;

    OwnedUpdate route(const json::object& old, const json::object& now) {
        return routeOwnedUpdate(
            old, now,
            [this](std::string_view ns, const json::object* ref) -> kube::ObjectPtr {
                EXPECT_EQ(ns, "ns");
                auto it = ref ? byUid.find(kube::stringAt(*ref, "uid")) : byUid.end();
                return it == byUid.end() ? nullptr : it->second;
            },
            [this](const json::object&) { return selecting; },
            [this](const kube::ObjectPtr& o) {
                told.push_back(kube::stringAt(*kube::objectAt(*o, "metadata"), "name"));
            });
    }
};

TEST(RouteOwnedUpdate, TheControllerHearsOfEveryChangeToWhatItOwns) {
    Owners owners;
    OwnedUpdate routed = owners.route(pod("a"), pod("a", {{"app", "other"}}));
    ASSERT_TRUE(routed.owner);
    EXPECT_FALSE(routed.orphan);
    EXPECT_EQ(owners.told, (std::vector<std::string>{"a"}));
}

TEST(RouteOwnedUpdate, AMovedReferenceTellsTheOldControllerAndTheNewOne) {
    Owners owners;
    OwnedUpdate routed = owners.route(pod("a"), pod("b"));
    EXPECT_EQ(owners.told, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(routed.owner, owners.byUid["uid-b"]);
}

TEST(RouteOwnedUpdate, AReleasedObjectGoesToItsOldControllerAndToWhoeverSelectsIt) {
    Owners owners;
    OwnedUpdate routed = owners.route(pod("a"), pod(""));
    EXPECT_TRUE(routed.orphan);
    EXPECT_FALSE(routed.owner);
    EXPECT_EQ(owners.told, (std::vector<std::string>{"a", "s1", "s2"}));
}

TEST(RouteOwnedUpdate, AnOrphanGoesToSelectingOwnersOnlyWhenItsLabelsChange) {
    Owners owners;
    EXPECT_TRUE(owners.route(pod(""), pod("")).orphan);
    EXPECT_TRUE(owners.told.empty()) << "nothing an owner selects by changed";
    (void)owners.route(pod(""), pod("", {{"app", "db"}}));
    EXPECT_EQ(owners.told, (std::vector<std::string>{"s1", "s2"}));
}

TEST(RouteOwnedUpdate, AReferenceToAGoneControllerReachesNobody) {
    Owners owners;
    OwnedUpdate routed = owners.route(pod("gone"), pod("gone"));
    EXPECT_FALSE(routed.owner);
    EXPECT_FALSE(routed.orphan) << "it names a controller: no one else may adopt it";
    EXPECT_TRUE(owners.told.empty());
}

TEST(RouteOwnedUpdate, NoLabelsAndEmptyLabelsAreTheSame) {
    EXPECT_FALSE(labelsChanged(pod("", {}), pod("", json::object{})));
    json::object withEmpty = pod("", {});
    withEmpty["metadata"].as_object()["labels"] = json::object{};
    EXPECT_FALSE(labelsChanged(pod("", {}), withEmpty));
    EXPECT_TRUE(labelsChanged(pod(""), withEmpty));
}

json::object withReady(json::object object, bool ready) {
    object["status"] = json::object{
        {"conditions",
         json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
    return object;
}

TEST(AvailabilityRecheck, APodThatJustTurnedReadyIsLookedAtAgainOnceAvailable) {
    json::object set = *owner("a");
    set["spec"] = json::object{{"minReadySeconds", 10}};
    const json::object notReady = withReady(pod("a"), false);
    const json::object ready = withReady(pod("a"), true);
    EXPECT_EQ(availabilityRecheck(set, notReady, ready), std::chrono::seconds(11));
    EXPECT_EQ(availabilityRecheck(set, ready, ready), std::nullopt) << "ready before";
    EXPECT_EQ(availabilityRecheck(set, ready, notReady), std::nullopt) << "no longer ready";
    EXPECT_EQ(availabilityRecheck(*owner("a"), notReady, ready), std::nullopt)
        << "without minReadySeconds ready is available at once";
}

} // namespace
} // namespace pilot::controllers
