// The Deployment controller over the in-process API, with the ReplicaSet controller running
// and the test standing in for the node agent (marking pods Ready): ReplicaSets per template
// hash, revisions, rolling and recreate rollouts within their bounds, rollback by template,
// pause, restart, history cleanup, the progress deadline, and the status `kubectl rollout
// status` reads.

#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/deployment/deploymentcontroller.h"
#include "engine/controllers/deployment/deploymentutil.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"
#include "workloadtestutil.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <regex>
#include <set>

using namespace pilot;
using namespace pilot::controllers;
using namespace pilot::controllers::test;
using namespace std::chrono_literals;
namespace util = pilot::controllers::deployment;

namespace {

json::object webDeployment(int64_t replicas, const std::string& image = "nginx:1.25") {
    return apiserver::test::deployment("web", replicas, image);
}

json::value intOrString(const std::string& text) {
    if (text.ends_with('%')) {
        return json::string(text);
    }
    return std::stoll(text);
}

/// Drives one cluster: both controllers, helpers to change the Deployment and to read its
/// ReplicaSets.
class DeploymentDriver {
public:
    DeploymentDriver() {
        std::vector<std::unique_ptr<Controller>> controllers;
        controllers.push_back(std::make_unique<ReplicaSetController>(cluster.controllerClient));
        controllers.push_back(std::make_unique<DeploymentController>(cluster.controllerClient));
        cluster.start(std::move(controllers));
    }

    json::object deployment() {
        return cluster.observer.get("deployments", "web").value_or(json::object());
    }

    /// The Deployment's ReplicaSets (by controller reference), oldest revision first.
    std::vector<json::object> sets() {
        std::string uid(kube::uid(deployment()));
        std::vector<json::object> out;
        for (json::object& rs : cluster.observer.list("replicasets")) {
            if (!uid.empty() && ownerUid(rs) == uid) {
                out.push_back(std::move(rs));
            }
        }
        std::sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
            return util::revision(a) < util::revision(b);
        });
        return out;
    }

    json::object setWithRevision(int64_t revision) {
        for (json::object& rs : sets()) {
            if (util::revision(rs) == revision) {
                return rs;
            }
        }
        return {};
    }

    void setImage(const std::string& image) {
        remember(cluster.patch(
            kube::resources::Deployments, "web",
            json::object{
                {"spec",
                 json::object{{"template",
                               json::object{{"spec", json::object{{"containers",
                                                                   json::array{json::object{
                                                                       {"name", "main"},
                                                                       {"image", image}}}}}}}}}}}));
    }

    void mergePatch(const json::object& body) {
        remember(cluster.patch(kube::resources::Deployments, "web", body, kube::PatchType::Merge));
    }

    /// Later waits need the observer to have seen at least this generation.
    void remember(const json::object& written) {
        m_generation = std::max(m_generation, kube::generation(written));
    }

    /// `kubectl rollout status` says it is done, the set of the current template runs every
    /// replica and every old set is empty. (The observer's Deployments and ReplicaSets come
    /// from two informers: the Deployment's status alone may be ahead of the sets.)
    bool rolledOut() {
        json::object d = deployment();
        if (d.empty() || kube::generation(d) < m_generation ||
            rolloutStatus(d) != "deployment \"web\" successfully rolled out") {
            return false;
        }
        bool current = false;
        for (const json::object& rs : sets()) {
            if (equalIgnoreHash(util::podTemplate(rs), util::podTemplate(d))) {
                current = specReplicasOf(rs) == specReplicasOf(d) &&
                          statusOf(rs, "replicas") == specReplicasOf(d) &&
                          statusOf(rs, "availableReplicas") == specReplicasOf(d);
            } else if (specReplicasOf(rs) != 0 || statusOf(rs, "replicas") != 0) {
                return false;
            }
        }
        return current;
    }

    bool waitForRollout(std::chrono::seconds limit = 30s) {
        return cluster.observer.waitUntil([&] { return rolledOut(); }, limit);
    }

    /// Marks the Deployment's pods Ready one at a time, each only once the controllers have
    /// settled (every set's status caught up with its spec), until the rollout is done.
    bool stepRollout() {
        for (int step = 0; step < 100; ++step) {
            json::object target;
            bool done = false;
            bool ok = cluster.observer.waitUntil([&] {
                if (rolledOut()) {
                    done = true;
                    return true;
                }
                json::object d = deployment();
                if (statusOf(d, "observedGeneration") != kube::generation(d)) {
                    return false;
                }
                std::vector<json::object> unready;
                for (const json::object& rs : sets()) {
                    auto pods = cluster.podsOf(rs);
                    if (statusOf(rs, "observedGeneration") != kube::generation(rs) ||
                        statusOf(rs, "replicas") != specReplicasOf(rs) ||
                        static_cast<int64_t>(pods.size()) != specReplicasOf(rs)) {
                        return false;
                    }
                    for (json::object& pod : pods) {
                        if (condition(pod, "Ready").empty()) {
                            unready.push_back(std::move(pod));
                        }
                    }
                }
                if (unready.empty()) {
                    return false;
                }
                target = std::move(unready.front());
                return true;
            });
            if (!ok) {
                return false;
            }
            if (done) {
                return true;
            }
            markReady(cluster.client, target);
            // Wait for the observer to see it before looking for the next one.
            std::string name(kube::name(target));
            cluster.observer.waitUntil([&] {
                auto pod = cluster.observer.get("pods", name);
                return !pod || !condition(*pod, "Ready").empty();
            });
        }
        return false;
    }

    WorkloadCluster cluster;

private:
    int64_t m_generation = 0;
};

} // namespace

// --- Pure parts. ----------------------------------------------------------------------------

TEST(DeploymentUtil, resolvesSurgeAndUnavailabilityAsUpstream) {
    struct Case {
        int64_t replicas;
        std::string surge;
        std::string unavailable;
        int64_t wantSurge;
        int64_t wantUnavailable;
    };
    for (const Case& c :
         {Case{3, "25%", "25%", 1, 0}, Case{4, "25%", "25%", 1, 1}, Case{10, "25%", "25%", 3, 2},
          Case{3, "1", "0", 1, 0}, Case{3, "0", "0", 0, 1}, Case{5, "50%", "20%", 3, 1},
          Case{2, "10%", "10%", 1, 0}, Case{1, "0%", "10%", 0, 1}, Case{3, "0", "5", 0, 3}}) {
        json::object d = webDeployment(c.replicas);
        d["spec"].as_object()["strategy"] = json::object{
            {"type", "RollingUpdate"},
            {"rollingUpdate", json::object{{"maxSurge", intOrString(c.surge)},
                                           {"maxUnavailable", intOrString(c.unavailable)}}}};
        EXPECT_EQ(util::maxSurge(d), c.wantSurge) << c.replicas << " " << c.surge;
        EXPECT_EQ(util::maxUnavailable(d), c.wantUnavailable) << c.replicas << " " << c.unavailable;
    }
    json::object recreate = webDeployment(3);
    recreate["spec"].as_object()["strategy"] = json::object{{"type", "Recreate"}};
    EXPECT_EQ(util::maxSurge(recreate), 0);
    EXPECT_EQ(util::maxUnavailable(recreate), 0);
}

TEST(DeploymentUtil, rollingBackToASetRecordsItsOldRevisions) {
    json::object d = webDeployment(3);
    d["metadata"].as_object()["annotations"] =
        json::object{{"kubernetes.io/change-cause", "undo"},
                     {"kubectl.kubernetes.io/last-applied-configuration", "{}"},
                     {"deployment.kubernetes.io/revision", "9"}};
    json::object rs = obj(R"({"metadata":{"name":"web-abc",
        "annotations":{"deployment.kubernetes.io/revision":"2",
                       "deployment.kubernetes.io/revision-history":"1"}}})");
    EXPECT_TRUE(util::setNewReplicaSetAnnotations(d, rs, "5", true));
    const json::object& annotations = *kube::annotations(rs);
    EXPECT_EQ(kube::stringAt(annotations, "deployment.kubernetes.io/revision"), "5");
    EXPECT_EQ(kube::stringAt(annotations, "deployment.kubernetes.io/revision-history"), "1,2");
    EXPECT_EQ(kube::stringAt(annotations, "kubernetes.io/change-cause"), "undo");
    EXPECT_FALSE(annotations.contains("kubectl.kubernetes.io/last-applied-configuration"));
    EXPECT_FALSE(annotations.contains("deployment.kubernetes.io/desired-replicas"))
        << "an existing set gets replica annotations when scaled";
    EXPECT_FALSE(util::setNewReplicaSetAnnotations(d, rs, "5", true)) << "nothing left to change";
    EXPECT_FALSE(util::setNewReplicaSetAnnotations(d, rs, "3", true)) << "never lowered";
}

// --- Against the API. -----------------------------------------------------------------------

TEST(DeploymentController, createsAHashedReplicaSetAtRevisionOneAndReportsTheRollout) {
    DeploymentDriver driver;
    json::object d = webDeployment(3);
    d["metadata"].as_object()["annotations"] =
        json::object{{"kubernetes.io/change-cause", "kubectl create deployment web"}};
    json::object created = driver.cluster.create(kube::resources::Deployments, d);

    // Nothing is ready yet: rollout status waits on availability. (The set and its pods come
    // from other informers than the Deployment's status: wait for them too.)
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        auto sets = driver.sets();
        return rolloutStatus(driver.deployment()) ==
                   "Waiting for deployment \"web\" rollout to finish: 0 of 3 updated replicas "
                   "are available..." &&
               sets.size() == 1 && driver.cluster.podsOf(sets.front()).size() == 3;
    }));
    ASSERT_EQ(driver.sets().size(), 1U);
    json::object rs = driver.sets().front();
    const std::string hash = computeTemplateHash(*util::podTemplate(created), std::nullopt);
    EXPECT_EQ(kube::name(rs), "web-" + hash);
    EXPECT_EQ(kube::stringAt(kube::objectAt(kube::objectAt(kube::objectAt(rs, "spec"), "selector"),
                                            "matchLabels"),
                             "pod-template-hash"),
              hash);
    EXPECT_EQ(kube::label(rs, "pod-template-hash"), hash);
    const json::object& rsTemplate = util::podTemplate(rs)->as_object();
    EXPECT_EQ(kube::stringAt(kube::objectAt(kube::objectAt(rsTemplate, "metadata"), "labels"),
                             "pod-template-hash"),
              hash);
    const json::object* ref = kube::controllerRef(rs);
    ASSERT_NE(ref, nullptr);
    EXPECT_EQ(kube::stringAt(*ref, "kind"), "Deployment");
    EXPECT_EQ(kube::stringAt(*ref, "apiVersion"), "apps/v1");
    EXPECT_EQ(kube::boolAt(*ref, "blockOwnerDeletion"), true);
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/revision"), "1");
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/desired-replicas"), "3");
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/max-replicas"), "4");
    EXPECT_EQ(kube::annotation(rs, "kubernetes.io/change-cause"), "kubectl create deployment web");
    EXPECT_EQ(kube::annotation(driver.deployment(), "deployment.kubernetes.io/revision"), "1");
    for (const json::object& pod : driver.cluster.podsOf(rs)) {
        EXPECT_EQ(kube::label(pod, "pod-template-hash"), hash);
    }
    json::object progressing = condition(driver.deployment(), "Progressing");
    EXPECT_EQ(kube::stringAt(progressing, "status"), "True");
    json::object available = condition(driver.deployment(), "Available");
    EXPECT_EQ(kube::stringAt(available, "status"), "False");
    EXPECT_EQ(kube::stringAt(available, "reason"), "MinimumReplicasUnavailable");
    EXPECT_EQ(kube::stringAt(available, "message"),
              "Deployment does not have minimum availability.");
    EXPECT_EQ(statusOf(driver.deployment(), "unavailableReplicas"), 3);

    auto pods = driver.cluster.podsOf(rs);
    markReady(driver.cluster.client, pods[0]);
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        return rolloutStatus(driver.deployment()) ==
               "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are "
               "available...";
    }));
    markReady(driver.cluster.client, pods[1]);
    markReady(driver.cluster.client, pods[2]);
    ASSERT_TRUE(driver.waitForRollout());

    json::object done = driver.deployment();
    EXPECT_EQ(statusOf(done, "replicas"), 3);
    EXPECT_EQ(statusOf(done, "updatedReplicas"), 3);
    EXPECT_EQ(statusOf(done, "readyReplicas"), 3);
    EXPECT_EQ(statusOf(done, "availableReplicas"), 3);
    EXPECT_FALSE(kube::objectAt(done, "status")->contains("unavailableReplicas"));
    EXPECT_EQ(statusOf(done, "observedGeneration"), kube::generation(done));
    available = condition(done, "Available");
    EXPECT_EQ(kube::stringAt(available, "status"), "True");
    EXPECT_EQ(kube::stringAt(available, "reason"), "MinimumReplicasAvailable");
    EXPECT_EQ(kube::stringAt(available, "message"), "Deployment has minimum availability.");
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        return kube::stringAt(condition(driver.deployment(), "Progressing"), "reason") ==
               "NewReplicaSetAvailable";
    }));
    progressing = condition(driver.deployment(), "Progressing");
    EXPECT_EQ(kube::stringAt(progressing, "status"), "True");
    EXPECT_EQ(kube::stringAt(progressing, "message"),
              fmt::format("ReplicaSet \"web-{}\" has successfully progressed.", hash));
    EXPECT_FALSE(kube::stringAt(progressing, "lastUpdateTime").empty());
    EXPECT_FALSE(kube::stringAt(progressing, "lastTransitionTime").empty());
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        auto events = driver.cluster.observer.events("web");
        return std::find(events.begin(), events.end(),
                         fmt::format("ScalingReplicaSet: Scaled up replica set web-{} from 0 to 3",
                                     hash)) != events.end();
    }));
}

TEST(DeploymentController, rollingUpdatesStayWithinMaxSurgeAndMaxUnavailable) {
    struct Case {
        int64_t replicas;
        std::string surge;
        std::string unavailable;
    };
    for (const Case& c : {Case{3, "1", "0"}, Case{4, "25%", "25%"}, Case{3, "0", "1"},
                          Case{5, "50%", "20%"}, Case{2, "10%", "10%"}}) {
        SCOPED_TRACE(fmt::format("replicas {} maxSurge {} maxUnavailable {}", c.replicas, c.surge,
                                 c.unavailable));
        DeploymentDriver driver;
        json::object d = webDeployment(c.replicas);
        d["spec"].as_object()["strategy"] = json::object{
            {"type", "RollingUpdate"},
            {"rollingUpdate", json::object{{"maxSurge", intOrString(c.surge)},
                                           {"maxUnavailable", intOrString(c.unavailable)}}}};
        json::object created = driver.cluster.create(kube::resources::Deployments, d);
        ASSERT_TRUE(driver.stepRollout());
        const int64_t surge = util::maxSurge(created);
        const int64_t unavailable = util::maxUnavailable(created);

        // From here on, every state the API goes through is checked.
        std::atomic<int64_t> maxTotal{0};
        std::atomic<int64_t> minReady{std::numeric_limits<int64_t>::max()};
        std::string uid(kube::uid(created));
        std::atomic<bool> tracking{true};
        auto subscription =
            driver.cluster.observer.onChange([&](const std::string&, const kube::ObjectPtr&) {
                if (!tracking) {
                    return;
                }
                int64_t total = 0;
                int64_t ready = 0;
                for (const json::object& rs : driver.cluster.observer.list("replicasets")) {
                    if (ownerUid(rs) != uid) {
                        continue;
                    }
                    total += specReplicasOf(rs);
                    for (const json::object& pod : driver.cluster.podsOf(rs)) {
                        ready += condition(pod, "Ready").empty() ? 0 : 1;
                    }
                }
                maxTotal = std::max(maxTotal.load(), total);
                minReady = std::min(minReady.load(), ready);
            });
        driver.setImage("nginx:1.26");
        ASSERT_TRUE(driver.stepRollout());
        tracking = false;

        EXPECT_LE(maxTotal.load(), c.replicas + surge) << "ReplicaSets never exceed maxSurge";
        EXPECT_GE(minReady.load(), c.replicas - unavailable)
            << "ready pods never drop below replicas - maxUnavailable";
        ASSERT_EQ(driver.sets().size(), 2U);
        json::object oldRS = driver.setWithRevision(1);
        json::object newRS = driver.setWithRevision(2);
        EXPECT_EQ(specReplicasOf(oldRS), 0);
        EXPECT_EQ(specReplicasOf(newRS), c.replicas);
        EXPECT_EQ(kube::annotation(driver.deployment(), "deployment.kubernetes.io/revision"), "2");
        std::string image = kube::stringAt(
            util::podTemplate(newRS)->at("spec").at("containers").at(0).as_object(), "image");
        EXPECT_EQ(image, "nginx:1.26");
        ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
            auto events = driver.cluster.observer.events("web");
            return std::find(
                       events.begin(), events.end(),
                       fmt::format("ScalingReplicaSet: Scaled down replica set {} from 1 to 0",
                                   kube::name(oldRS))) != events.end() ||
                   std::any_of(events.begin(), events.end(), [&](const std::string& e) {
                       return e.starts_with(
                                  fmt::format("ScalingReplicaSet: Scaled down replica set {} from",
                                              kube::name(oldRS))) &&
                              e.ends_with(" to 0");
                   });
        }));
    }
}

TEST(DeploymentController, undoReusesTheOldReplicaSetWithTheNextRevision) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    json::object d = webDeployment(2);
    d["metadata"].as_object()["annotations"] = json::object{{"kubernetes.io/change-cause", "v1"}};
    driver.cluster.create(kube::resources::Deployments, d);
    ASSERT_TRUE(driver.waitForRollout());
    driver.mergePatch(obj(R"({"metadata":{"annotations":{"kubernetes.io/change-cause":"v2"}},
        "spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.26"}]}}}})"));
    ASSERT_TRUE(driver.cluster.observer.waitUntil(
        [&] { return driver.sets().size() == 2 && driver.rolledOut(); }));
    json::object first = driver.setWithRevision(1);
    json::object second = driver.setWithRevision(2);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(kube::annotation(first, "kubernetes.io/change-cause"), "v1");
    EXPECT_EQ(kube::annotation(second, "kubernetes.io/change-cause"), "v2");

    // What `kubectl rollout undo` sends: revision 1's template without the hash label, and
    // the deployment's annotations with the set's change-cause.
    json::value tmpl = *util::podTemplate(first);
    tmpl.as_object()["metadata"].as_object()["labels"].as_object().erase("pod-template-hash");
    json::object annotations = *kube::annotations(driver.deployment());
    annotations["kubernetes.io/change-cause"] = "v1";
    json::array patch{
        json::object{{"op", "replace"}, {"path", "/spec/template"}, {"value", tmpl}},
        json::object{{"op", "replace"}, {"path", "/metadata/annotations"}, {"value", annotations}}};
    driver.remember(
        driver.cluster.patch(kube::resources::Deployments, "web", patch, kube::PatchType::Json));

    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        json::object current = driver.deployment();
        return driver.rolledOut() &&
               kube::annotation(current, "deployment.kubernetes.io/revision") == "3";
    }));
    std::vector<json::object> sets = driver.sets();
    ASSERT_EQ(sets.size(), 2U) << "no new ReplicaSet for an old template";
    json::object reused = driver.setWithRevision(3);
    EXPECT_EQ(kube::uid(reused), kube::uid(first));
    EXPECT_EQ(kube::annotation(reused, "deployment.kubernetes.io/revision-history"), "1");
    EXPECT_EQ(kube::annotation(reused, "kubernetes.io/change-cause"), "v1");
    EXPECT_EQ(specReplicasOf(reused), 2);
    EXPECT_EQ(specReplicasOf(driver.setWithRevision(2)), 0);
}

TEST(DeploymentController, recreateScalesTheOldSetToZeroBeforeCreatingTheNewOne) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    json::object d = webDeployment(2);
    d["spec"].as_object()["strategy"] = json::object{{"type", "Recreate"}};
    json::object created = driver.cluster.create(kube::resources::Deployments, d);
    ASSERT_TRUE(driver.waitForRollout());
    json::object oldRS = driver.sets().front();

    // When the new set first appears, what did the old one look like?
    std::mutex mutex;
    std::optional<json::object> oldWhenNewAppeared;
    auto subscription =
        driver.cluster.observer.onChange([&](const std::string& plural, const kube::ObjectPtr& o) {
            if (plural != "replicasets" || kube::uid(*o) == kube::uid(oldRS)) {
                return;
            }
            std::lock_guard lock(mutex);
            if (!oldWhenNewAppeared) {
                oldWhenNewAppeared =
                    driver.cluster.observer.get("replicasets", std::string(kube::name(oldRS)));
            }
        });
    driver.setImage("nginx:1.26");
    ASSERT_TRUE(driver.cluster.observer.waitUntil(
        [&] { return driver.sets().size() == 2 && driver.rolledOut(); }));
    std::optional<json::object> seen;
    {
        std::lock_guard lock(mutex);
        seen = oldWhenNewAppeared;
    }
    ASSERT_TRUE(seen);
    EXPECT_EQ(specReplicasOf(*seen), 0);
    EXPECT_EQ(statusOf(*seen, "replicas"), 0) << "its pods were gone already";
    json::object newRS = driver.setWithRevision(2);
    const std::string down =
        fmt::format("ScalingReplicaSet: Scaled down replica set {} from 2 to 0", kube::name(oldRS));
    const std::string up =
        fmt::format("ScalingReplicaSet: Scaled up replica set {} from 0 to 2", kube::name(newRS));
    std::vector<std::string> events;
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        events = driver.cluster.observer.events("web");
        return std::find(events.begin(), events.end(), up) != events.end();
    }));
    EXPECT_LT(std::find(events.begin(), events.end(), down),
              std::find(events.begin(), events.end(), up))
        << "scaled down first";
}

TEST(DeploymentController, aPausedDeploymentScalesButDoesNotRollOut) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    driver.cluster.create(kube::resources::Deployments, webDeployment(2));
    ASSERT_TRUE(driver.waitForRollout());

    driver.mergePatch(obj(R"({"spec":{"paused":true}})"));
    driver.setImage("nginx:1.26");
    driver.mergePatch(obj(R"({"spec":{"replicas":3}})"));
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        json::object current = driver.deployment();
        json::object progressing = condition(current, "Progressing");
        auto sets = driver.sets();
        return statusOf(current, "observedGeneration") == kube::generation(current) &&
               kube::stringAt(progressing, "reason") == "DeploymentPaused" &&
               statusOf(current, "availableReplicas") == 3 && !sets.empty() &&
               specReplicasOf(sets.front()) == 3;
    }));
    json::object progressing = condition(driver.deployment(), "Progressing");
    EXPECT_EQ(kube::stringAt(progressing, "status"), "Unknown");
    EXPECT_EQ(kube::stringAt(progressing, "message"), "Deployment is paused");
    ASSERT_EQ(driver.sets().size(), 1U) << "no rollout while paused";
    EXPECT_EQ(specReplicasOf(driver.sets().front()), 3) << "but scaling happens";
    EXPECT_EQ(rolloutStatus(driver.deployment()),
              "Waiting for deployment \"web\" rollout to finish: 0 out of 3 new replicas have been "
              "updated...");

    driver.mergePatch(obj(R"({"spec":{"paused":false}})"));
    ASSERT_TRUE(driver.cluster.observer.waitUntil(
        [&] { return driver.sets().size() == 2 && driver.rolledOut(); }));
    EXPECT_EQ(specReplicasOf(driver.setWithRevision(2)), 3);
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        return kube::stringAt(condition(driver.deployment(), "Progressing"), "reason") ==
               "NewReplicaSetAvailable";
    }));
}

TEST(DeploymentController, restartRollsOutANewReplicaSet) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    driver.cluster.create(kube::resources::Deployments, webDeployment(2));
    ASSERT_TRUE(driver.waitForRollout());
    // What `kubectl rollout restart` sends.
    driver.remember(
        driver.cluster.patch(kube::resources::Deployments, "web", obj(R"({"spec":{"template":{
        "metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-21T19:44:01Z"}}}}})")));
    ASSERT_TRUE(driver.cluster.observer.waitUntil(
        [&] { return driver.sets().size() == 2 && driver.rolledOut(); }));
    json::object newRS = driver.setWithRevision(2);
    const json::object& tmpl = util::podTemplate(newRS)->as_object();
    EXPECT_EQ(kube::annotation(tmpl, "kubectl.kubernetes.io/restartedAt"), "2026-11-21T19:44:01Z");
    for (const json::object& pod : driver.cluster.podsOf(newRS)) {
        EXPECT_EQ(kube::annotation(pod, "kubectl.kubernetes.io/restartedAt"),
                  "2026-11-21T19:44:01Z");
    }
}

TEST(DeploymentController, deletesEmptyOldReplicaSetsBeyondTheRevisionHistoryLimit) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    json::object d = webDeployment(1);
    d["spec"].as_object()["revisionHistoryLimit"] = 1;
    driver.cluster.create(kube::resources::Deployments, d);
    ASSERT_TRUE(driver.waitForRollout());
    for (const std::string image : {"nginx:1.26", "nginx:1.27", "nginx:1.28"}) {
        driver.setImage(image);
        ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
            return driver.rolledOut() && driver.sets().size() == 2;
        })) << image;
    }
    std::vector<json::object> sets = driver.sets();
    ASSERT_EQ(sets.size(), 2U);
    EXPECT_EQ(util::revision(sets[0]), 3);
    EXPECT_EQ(util::revision(sets[1]), 4);
    EXPECT_EQ(specReplicasOf(sets[0]), 0);
}

TEST(DeploymentController, reportsProgressDeadlineExceededWhenPodsNeverBecomeReady) {
    DeploymentDriver driver;
    json::object d = webDeployment(2);
    d["spec"].as_object()["progressDeadlineSeconds"] = 1;
    driver.cluster.create(kube::resources::Deployments, d);
    ASSERT_TRUE(driver.cluster.observer.waitUntil(
        [&] {
            return kube::stringAt(condition(driver.deployment(), "Progressing"), "reason") ==
                       "ProgressDeadlineExceeded" &&
                   !driver.sets().empty();
        },
        15s));
    json::object progressing = condition(driver.deployment(), "Progressing");
    EXPECT_EQ(kube::stringAt(progressing, "status"), "False");
    EXPECT_EQ(kube::stringAt(progressing, "message"),
              fmt::format("ReplicaSet \"{}\" has timed out progressing.",
                          kube::name(driver.sets().front())));
    EXPECT_EQ(rolloutStatus(driver.deployment()),
              "error: deployment \"web\" exceeded its progress deadline");
    EXPECT_EQ(kube::stringAt(condition(driver.deployment(), "Available"), "status"), "False");
}

TEST(DeploymentController, scalingAndLaterAnnotationsReachTheCurrentReplicaSet) {
    DeploymentDriver driver;
    AutoReady kubelet(driver.cluster.client, driver.cluster.observer);
    driver.cluster.create(kube::resources::Deployments, webDeployment(3));
    ASSERT_TRUE(driver.waitForRollout());
    std::string name(kube::name(driver.sets().front()));

    driver.mergePatch(obj(R"({"spec":{"replicas":5},
        "metadata":{"annotations":{"kubernetes.io/change-cause":"scaled to five"}}})"));
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        json::object current = driver.deployment();
        return driver.rolledOut() && statusOf(current, "availableReplicas") == 5 &&
               kube::annotation(driver.sets().front(), "kubernetes.io/change-cause") ==
                   "scaled to five";
    }));
    ASSERT_EQ(driver.sets().size(), 1U) << "scaling is not a rollout";
    json::object rs = driver.sets().front();
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/desired-replicas"), "5");
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/max-replicas"), "7");
    EXPECT_EQ(kube::annotation(rs, "deployment.kubernetes.io/revision"), "1");
    ASSERT_TRUE(driver.cluster.observer.waitUntil([&] {
        auto events = driver.cluster.observer.events("web");
        return std::find(events.begin(), events.end(),
                         fmt::format("ScalingReplicaSet: Scaled up replica set {} from 3 to 5",
                                     name)) != events.end();
    }));
}
