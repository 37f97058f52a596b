// The HorizontalPodAutoscaler controller over the in-process stack: a Deployment's scale
// subresource, pod metrics served by the engine's metrics.k8s.io API from Summary documents the
// test writes (standing in for the node agents), and time moved by hand, so stabilisation
// windows and rate limits are checked as `kubectl get hpa`/`describe hpa` would show them.

#include "batchtestutil.h"
#include "workloadtestutil.h"

#include "engine/controllers/deployment/deploymentcontroller.h"
#include "engine/controllers/hpa/hpacontroller.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"
#include "engine/metricsapi/metricsapi.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace pilot::controllers::test {
namespace {

using namespace std::chrono_literals;

const kube::ApiResource HpasV1{"autoscaling", "v1", "horizontalpodautoscalers", true};

/// CPU and memory one pod's container uses, as its node agent would report them.
struct Usage {
    int64_t milliCpu = 0;
    int64_t memoryBytes = 0;
};

constexpr int64_t MiB = 1024 * 1024;

bool isRunningAndReady(const json::object& pod) {
    return !kube::hasDeletionTimestamp(pod) &&
           kube::stringAt(kube::objectAt(pod, "status"), "phase") == "Running" &&
           kube::stringAt(condition(pod, "Ready"), "status") == "True";
}

/// Stands in for the scheduler and node-1's agent: binds new pods to node-1, reports them
/// Running and Ready at the clock's time, and finishes the deletion of terminating pods.
class FakeKubelet {
public:
    FakeKubelet(kube::ApiClient& client, Observer& observer, const Clock& clock)
        : m_client(client), m_observer(observer), m_clock(clock) {
        m_thread = std::thread([this] { run(); });
    }
    ~FakeKubelet() {
        m_stop = true;
        m_observer.wake();
        m_thread.join();
    }

private:
    void run() {
        while (!m_stop) {
            std::optional<json::object> target;
            m_observer.waitUntil(
                [&] {
                    for (json::object& pod : m_observer.list("pods")) {
                        if (kube::hasDeletionTimestamp(pod) ||
                            kube::stringAt(kube::objectAt(pod, "status"), "phase") != "Running") {
                            target = std::move(pod);
                            return true;
                        }
                    }
                    return m_stop.load();
                },
                std::chrono::seconds(5));
            if (target && !m_stop) {
                act(*target);
            }
        }
    }

    void act(const json::object& pod) {
        std::string name(kube::name(pod));
        if (kube::hasDeletionTimestamp(pod)) {
            kube::DeleteOptions now;
            now.gracePeriodSeconds = 0;
            (void)m_client.remove(kube::resources::Pods, "default", name, now);
            return;
        }
        if (kube::stringAt(kube::objectAt(pod, "spec"), "nodeName").empty()) {
            kube::ApiRequest bind;
            bind.method = "POST";
            bind.path = kube::resources::Pods.objectPath("default", name, "binding");
            bind.contentType = "application/json";
            bind.body = json::serialize(
                json::object{{"apiVersion", "v1"},
                             {"kind", "Binding"},
                             {"metadata", json::object{{"name", name}}},
                             {"target", json::object{{"kind", "Node"}, {"name", "node-1"}}}});
            (void)m_client.send(bind);
            return;
        }
        std::string since = formatTime(m_clock.now());
        json::object status{
            {"phase", "Running"},
            {"startTime", since},
            {"conditions",
             json::array{json::object{
                 {"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", since}}}}};
        kube::PatchOptions options;
        options.subresource = "status";
        (void)m_client.patch(kube::resources::Pods, "default", name, kube::PatchType::Merge,
                             json::serialize(json::object{{"status", std::move(status)}}), options);
    }

    kube::ApiClient& m_client;
    Observer& m_observer;
    const Clock& m_clock;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

class HpaTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_metrics = std::make_shared<metricsapi::MetricsApi>(
            *cluster.env.service,
            [this](const json::object& node) -> Result<std::string> { return summary(node); },
            cluster.env.clock, 0ms);
        cluster.env.handler->setVirtualResource("metrics.k8s.io", "pods", m_metrics);
        cluster.env.handler->setVirtualResource("metrics.k8s.io", "nodes", m_metrics);
        cluster.create(kube::resources::Nodes,
                       obj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"node-1"},
                          "status":{"conditions":[{"type":"Ready","status":"True"}]}})"));
        timers.onRequest([this] { cluster.observer.wake(); });
    }

    /// Starts the controller; the pods the tests create beforehand are in its cache from the
    /// start.
    void start(std::vector<std::unique_ptr<Controller>> controllers = {}) {
        HpaController::Options options;
        options.clock = &clock;
        options.requeueAt = timers.hookFor(&m_controller);
        auto controller = std::make_unique<HpaController>(cluster.controllerClient, options);
        m_controller = controller.get();
        controllers.push_back(std::move(controller));
        cluster.start(std::move(controllers));
    }

    /// The Summary API document of node-1: every pod with a usage, sampled now.
    Result<std::string> summary(const json::object& node) {
        std::string time = formatTime(clock.now());
        json::array pods;
        std::lock_guard lock(m_usageMutex);
        std::map<std::string, Usage> usages = m_usage;
        if (m_totalLoad) {
            // A load balanced over the pods that serve: those Running and Ready.
            std::vector<std::string> serving;
            for (const json::object& pod : cluster.observer.list("pods")) {
                if (isRunningAndReady(pod)) {
                    serving.emplace_back(kube::name(pod));
                }
            }
            for (const std::string& name : serving) {
                usages[name] = Usage{*m_totalLoad / static_cast<int64_t>(serving.size()), 64 * MiB};
            }
        }
        for (const auto& [name, usage] : usages) {
            json::object container{
                {"name", "main"},
                {"cpu", json::object{{"time", time}, {"usageNanoCores", usage.milliCpu * 1000000}}},
                {"memory", json::object{{"time", time}, {"workingSetBytes", usage.memoryBytes}}}};
            pods.emplace_back(
                json::object{{"podRef", json::object{{"name", name}, {"namespace", "default"}}},
                             {"containers", json::array{std::move(container)}}});
        }
        json::object doc{
            {"node",
             json::object{{"nodeName", kube::name(node)},
                          {"cpu", json::object{{"time", time}, {"usageNanoCores", 1000000}}},
                          {"memory", json::object{{"time", time}, {"workingSetBytes", MiB}}}}},
            {"pods", std::move(pods)}};
        return json::serialize(doc);
    }

    void setUsage(const std::string& pod, int64_t milliCpu, int64_t memoryBytes = 64 * MiB) {
        std::lock_guard lock(m_usageMutex);
        m_usage[pod] = Usage{milliCpu, memoryBytes};
    }
    /// From now on the pods that serve share `milliCpu` evenly.
    void setTotalLoad(int64_t milliCpu) {
        std::lock_guard lock(m_usageMutex);
        m_totalLoad = milliCpu;
    }
    bool waitForServingPods(size_t count) {
        return cluster.observer.waitUntil([&] {
            size_t serving = 0;
            size_t all = 0;
            for (const json::object& pod : cluster.observer.list("pods")) {
                serving += isRunningAndReady(pod) ? 1 : 0;
                ++all;
            }
            return serving == count && all == count;
        });
    }

    /// A Running pod of the Deployment `web` on node-1, ready for minutes, with the given
    /// requests (none when empty).
    void runPod(const std::string& name, const std::string& cpuRequest = "500m",
                const std::string& memoryRequest = "128Mi") {
        json::object requests;
        if (!cpuRequest.empty()) {
            requests["cpu"] = cpuRequest;
        }
        if (!memoryRequest.empty()) {
            requests["memory"] = memoryRequest;
        }
        cluster.create(
            kube::resources::Pods,
            json::object{
                {"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata",
                 json::object{{"name", name}, {"labels", json::object{{"app", "web"}}}}},
                {"spec",
                 json::object{
                     {"nodeName", "node-1"},
                     {"containers", json::array{json::object{
                                        {"name", "main"},
                                        {"image", "nginx:1.25"},
                                        {"resources", json::object{{"requests", requests}}}}}}}}});
        json::object status{
            {"phase", "Running"},
            {"startTime", formatTime(clock.now() - 10min)},
            {"conditions",
             json::array{json::object{{"type", "Ready"},
                                      {"status", "True"},
                                      {"lastTransitionTime", formatTime(clock.now() - 9min)}}}}};
        cluster.patch(kube::resources::Pods, name, json::object{{"status", std::move(status)}},
                      "status");
    }

    /// The Deployment `web` with `replicas` (no controller runs it: only its scale matters).
    void deployment(int64_t replicas) {
        json::object d = apiserver::test::deployment("web", replicas);
        json::object& container = d["spec"]
                                      .as_object()["template"]
                                      .as_object()["spec"]
                                      .as_object()["containers"]
                                      .as_array()[0]
                                      .as_object();
        container["resources"] = obj(R"({"requests":{"cpu":"500m","memory":"128Mi"}})");
        cluster.create(kube::resources::Deployments, d);
    }

    /// An autoscaling/v2 HPA of the Deployment `web`.
    void autoscaler(const std::string& name, int minReplicas, int maxReplicas, json::array metrics,
                    std::optional<json::object> behavior = std::nullopt) {
        json::object spec{
            {"scaleTargetRef", obj(R"({"apiVersion":"apps/v1","kind":"Deployment","name":"web"})")},
            {"minReplicas", minReplicas},
            {"maxReplicas", maxReplicas},
            {"metrics", std::move(metrics)}};
        if (behavior) {
            spec["behavior"] = std::move(*behavior);
        }
        cluster.create(HorizontalPodAutoscalers,
                       json::object{{"apiVersion", "autoscaling/v2"},
                                    {"kind", "HorizontalPodAutoscaler"},
                                    {"metadata", json::object{{"name", name}}},
                                    {"spec", std::move(spec)}});
    }

    static json::object utilization(const std::string& resource, int percent) {
        return json::object{
            {"type", "Resource"},
            {"resource", json::object{{"name", resource},
                                      {"target", json::object{{"type", "Utilization"},
                                                              {"averageUtilization", percent}}}}}};
    }

    /// Waits until the sync of `name` at `at` finished (it asks for the next one).
    bool synced(const std::string& name, TimePoint at) {
        return cluster.observer.waitUntil(
            [&] { return timers.requested("default/" + name, at + 15s); });
    }
    /// Moves the clock to `at`, which runs the sync that was due, and waits for it.
    bool syncAt(const std::string& name, TimePoint at) {
        timers.advanceTo(at);
        return synced(name, at);
    }

    json::object hpa(const std::string& name) {
        auto got = cluster.client.get(HorizontalPodAutoscalers, "default", name);
        EXPECT_TRUE(got) << got.error().message;
        return got ? *got : json::object();
    }
    int64_t deploymentReplicas() {
        auto got = cluster.client.get(kube::resources::Deployments, "default", "web");
        EXPECT_TRUE(got) << got.error().message;
        return got ? specReplicasOf(*got) : -1;
    }
    bool waitForEvent(const std::string& name, const std::string& text) {
        return cluster.observer.waitUntil([&] {
            auto all = cluster.observer.events(name);
            return std::find(all.begin(), all.end(), text) != all.end();
        });
    }
    std::string eventsOf(const std::string& name) {
        std::string out;
        for (const std::string& e : cluster.observer.events(name)) {
            out += e + "\n";
        }
        return out;
    }

    /// `type status reason: message` of a condition, for compact assertions.
    static std::string conditionText(const json::object& hpa, std::string_view type) {
        json::object c = condition(hpa, type);
        if (c.empty()) {
            return "<none>";
        }
        return kube::stringAt(c, "status") + " " + kube::stringAt(c, "reason") + ": " +
               kube::stringAt(c, "message");
    }
    static std::string statusString(const json::object& hpa, std::string_view field) {
        return kube::stringAt(kube::objectAt(hpa, "status"), field);
    }
    static std::string metricsOf(const json::object& hpa) {
        const json::object* status = kube::objectAt(hpa, "status");
        const json::value* metrics = status ? status->if_contains("currentMetrics") : nullptr;
        return metrics ? json::serialize(*metrics) : "<none>";
    }

    // Declared before the cluster: the controller reads them until the cluster stops it.
    SteppingClock clock{apiserver::test::testEpoch()};
    ManualTimers timers{clock};
    ObservedCluster cluster{{&kube::resources::Pods, &HorizontalPodAutoscalers,
                             &kube::resources::Deployments, &kube::resources::Events,
                             &kube::resources::Nodes}};
    const TimePoint t0 = apiserver::test::testEpoch();

private:
    std::shared_ptr<metricsapi::MetricsApi> m_metrics;
    std::mutex m_usageMutex;
    std::map<std::string, Usage> m_usage;
    std::optional<int64_t> m_totalLoad;
    QueueController* m_controller = nullptr;
};

TEST_F(HpaTest, ScalesUpWhenCpuIsAboveTarget) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 400);
    setUsage("web-2", 400);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));

    // 80% of the request against 50%: 1.6 x 2 pods = 3.2, rounded up.
    EXPECT_EQ(deploymentReplicas(), 4);
    json::object h = hpa("web");
    EXPECT_EQ(statusOf(h, "currentReplicas"), 2);
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 4);
    EXPECT_EQ(statusOf(h, "observedGeneration"), 1);
    EXPECT_EQ(statusString(h, "lastScaleTime"), formatTime(t0));
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":80,"averageValue":"400m"}}}])");
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True SucceededRescale: the HPA controller was able to update the target scale to 4");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "True ValidMetricFound: the HPA was able to successfully calculate a replica count "
              "from cpu resource utilization (percentage of request)");
    EXPECT_EQ(conditionText(h, "ScalingLimited"),
              "False DesiredWithinRange: the desired count is within the acceptable range");
    const json::array& conditions = h["status"].as_object()["conditions"].as_array();
    ASSERT_EQ(conditions.size(), 3u);
    EXPECT_EQ(kube::stringAt(conditions[0].as_object(), "type"), "AbleToScale");
    EXPECT_EQ(kube::stringAt(conditions[2].as_object(), "type"), "ScalingLimited");
    EXPECT_EQ(kube::stringAt(conditions[1].as_object(), "lastTransitionTime"), formatTime(t0));
    EXPECT_TRUE(waitForEvent("web", "SuccessfulRescale: New size: 4; reason: cpu resource "
                                    "utilization (percentage of request) above target"))
        << eventsOf("web");
    for (const json::object& e : cluster.observer.list("events")) {
        if (kube::stringAt(e, "reason") == "SuccessfulRescale") {
            EXPECT_EQ(kube::stringAt(kube::objectAt(e, "source"), "component"),
                      "horizontal-pod-autoscaler");
            EXPECT_EQ(kube::stringAt(kube::objectAt(e, "involvedObject"), "kind"),
                      "HorizontalPodAutoscaler");
        }
    }

    // 15 s later the new pods have not started: the same load asks for 4 again, which is
    // the current size.
    ASSERT_TRUE(syncAt("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 4);
    h = hpa("web");
    EXPECT_EQ(statusOf(h, "currentReplicas"), 4);
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 4);
    EXPECT_EQ(statusString(h, "lastScaleTime"), formatTime(t0));
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True ReadyForNewScale: recommended size matches current size");
    EXPECT_EQ(kube::stringAt(condition(h, "AbleToScale"), "lastTransitionTime"), formatTime(t0))
        << "the status stayed True";
}

TEST_F(HpaTest, WithinToleranceTheSizeStays) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 270); // 54%: within 10% of 50%
    setUsage("web-2", 270);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 2);
    json::object h = hpa("web");
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 2);
    EXPECT_EQ(statusString(h, "lastScaleTime"), "");
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True ReadyForNewScale: recommended size matches current size");
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":54,"averageValue":"270m"}}}])");
}

TEST_F(HpaTest, WithoutMetricsTheTargetIsUnknownUntilTheyArrive) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));

    std::string error = "failed to get cpu utilization: unable to get metrics for resource cpu: "
                        "no metrics returned from resource metrics API";
    json::object h = hpa("web");
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True SucceededGetScale: the HPA controller was able to get the target's current "
              "scale");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "False FailedGetResourceMetric: the HPA was unable to compute the replica count: " +
                  error);
    EXPECT_EQ(conditionText(h, "ScalingLimited"), "<none>");
    EXPECT_EQ(statusOf(h, "currentReplicas"), 2);
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 0);
    EXPECT_EQ(metricsOf(h), R"([{"type":""}])") << "as upstream writes an unread metric";
    EXPECT_EQ(deploymentReplicas(), 2);
    EXPECT_TRUE(waitForEvent("web", "FailedGetResourceMetric: " + error)) << eventsOf("web");
    EXPECT_TRUE(waitForEvent("web", "FailedComputeMetricsReplicas: invalid metrics (1 invalid "
                                    "out of 1), first error is: failed to get cpu resource "
                                    "metric value: " +
                                        error))
        << eventsOf("web");
    auto v1 = cluster.client.get(HpasV1, "default", "web");
    ASSERT_TRUE(v1);
    EXPECT_FALSE(kube::objectAt(*v1, "status")->contains("currentCPUUtilizationPercentage"));

    setUsage("web-1", 400);
    setUsage("web-2", 400);
    ASSERT_TRUE(syncAt("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 4);
    h = hpa("web");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "True ValidMetricFound: the HPA was able to successfully calculate a replica count "
              "from cpu resource utilization (percentage of request)");
    EXPECT_EQ(kube::stringAt(condition(h, "ScalingActive"), "lastTransitionTime"),
              formatTime(t0 + 15s));
    v1 = cluster.client.get(HpasV1, "default", "web");
    ASSERT_TRUE(v1);
    EXPECT_EQ(statusOf(*v1, "currentCPUUtilizationPercentage"), 80);
    EXPECT_EQ(statusOf(*v1, "desiredReplicas"), 4);
}

TEST_F(HpaTest, APodWithoutARequestMakesUtilizationInvalid) {
    deployment(2);
    runPod("web-1");
    runPod("web-2", "");
    setUsage("web-1", 400);
    setUsage("web-2", 400);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));
    std::string error = "failed to get cpu utilization: missing request for cpu in container "
                        "main of Pod web-2";
    EXPECT_EQ(conditionText(hpa("web"), "ScalingActive"),
              "False FailedGetResourceMetric: the HPA was unable to compute the replica count: " +
                  error);
    EXPECT_EQ(deploymentReplicas(), 2);
    EXPECT_TRUE(waitForEvent("web", "FailedGetResourceMetric: " + error)) << eventsOf("web");
}

TEST_F(HpaTest, ScalesDownOnlyAfterTheStabilisationWindow) {
    deployment(4);
    for (const char* pod : {"web-1", "web-2", "web-3", "web-4"}) {
        runPod(pod);
        setUsage(pod, 50); // 10%
    }
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 4);
    json::object h = hpa("web");
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True ScaleDownStabilized: recent recommendations were higher than current one, "
              "applying the highest recent recommendation");
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 4);

    ASSERT_TRUE(syncAt("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 4);
    ASSERT_TRUE(syncAt("web", t0 + 300s));
    EXPECT_EQ(deploymentReplicas(), 4) << "the first recommendation (4) is 300 s old";

    // The next sync is due 15 s later: the window has moved past the first recommendation.
    ASSERT_TRUE(syncAt("web", t0 + 315s));
    EXPECT_EQ(deploymentReplicas(), 1);
    h = hpa("web");
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 1);
    EXPECT_EQ(statusString(h, "lastScaleTime"), formatTime(t0 + 315s));
    EXPECT_EQ(conditionText(h, "AbleToScale"),
              "True SucceededRescale: the HPA controller was able to update the target scale to 1");
    EXPECT_TRUE(waitForEvent("web", "SuccessfulRescale: New size: 1; reason: All metrics below "
                                    "target"))
        << eventsOf("web");
}

TEST_F(HpaTest, MinAndMaxReplicasBoundTheTarget) {
    deployment(1);
    runPod("web-1");
    runPod("web-2");        // not the Deployment's yet: nothing runs it here
    setUsage("web-1", 500); // 100% against 20%
    setUsage("web-2", 500);
    start();
    autoscaler("web", 2, 3, json::array{utilization("cpu", 20)});
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 2);
    EXPECT_EQ(metricsOf(hpa("web")), "<none>") << "no metrics are read below minReplicas";
    EXPECT_TRUE(waitForEvent("web", "SuccessfulRescale: New size: 2; reason: Current number of "
                                    "replicas below Spec.MinReplicas"))
        << eventsOf("web");

    // 5 x 2 pods wanted, 4 allowed from 2 (double, or 4 more), 3 at most.
    ASSERT_TRUE(syncAt("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 3);
    json::object h = hpa("web");
    EXPECT_EQ(conditionText(h, "ScalingLimited"),
              "True TooManyReplicas: the desired replica count is more than the maximum replica "
              "count");

    // A spec change is synced at once, without waiting for the period.
    cluster.patch(HorizontalPodAutoscalers, "web", obj(R"({"spec":{"maxReplicas":5}})"));
    ASSERT_TRUE(cluster.observer.waitUntil([&] {
        return statusOf(cluster.observer.object("horizontalpodautoscalers", "web"),
                        "observedGeneration") == 2;
    }));
    EXPECT_EQ(deploymentReplicas(), 5);
    EXPECT_EQ(conditionText(hpa("web"), "ScalingLimited"),
              "True TooManyReplicas: the desired replica count is more than the maximum replica "
              "count");
}

TEST_F(HpaTest, ZeroReplicasDisableAutoscaling) {
    deployment(0);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0));
    json::object h = hpa("web");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "False ScalingDisabled: scaling is disabled since the replica count of the target "
              "is zero");
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 0);
    EXPECT_FALSE(kube::objectAt(h, "status")->contains("currentReplicas"));
    EXPECT_EQ(deploymentReplicas(), 0);
}

TEST_F(HpaTest, ScaleUpPolicyLimitsTheRate) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 500); // 100% against 50%: 4 wanted
    setUsage("web-2", 500);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50)},
               obj(R"({"scaleUp":{"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}})"));
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 3);
    std::string limited = "True ScaleUpLimit: the desired replica count is increasing faster than "
                          "the maximum scale rate";
    EXPECT_EQ(conditionText(hpa("web"), "ScalingLimited"), limited);

    ASSERT_TRUE(syncAt("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 3) << "one pod per minute";
    EXPECT_EQ(conditionText(hpa("web"), "ScalingLimited"), limited);

    ASSERT_TRUE(syncAt("web", t0 + 61s));
    EXPECT_EQ(deploymentReplicas(), 4);
    EXPECT_EQ(conditionText(hpa("web"), "ScalingLimited"),
              "False DesiredWithinRange: the desired count is within the acceptable range");
}

TEST_F(HpaTest, MemoryAverageValueAndTheHighestOfSeveralMetrics) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 250, 200 * MiB); // cpu 50%: 2; memory 200Mi against 100Mi: 4
    setUsage("web-2", 250, 200 * MiB);
    start();
    autoscaler(
        "web", 1, 10,
        json::array{utilization("cpu", 50), obj(R"({"type":"Resource","resource":{"name":"memory",
                               "target":{"type":"AverageValue","averageValue":"100Mi"}}})")});
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 4);
    json::object h = hpa("web");
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":50,"averageValue":"250m"}}},)"
                            R"({"type":"Resource","resource":{"name":"memory","current":)"
                            R"({"averageValue":"209715200"}}}])");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "True ValidMetricFound: the HPA was able to successfully calculate a replica count "
              "from memory resource");
    EXPECT_TRUE(waitForEvent("web", "SuccessfulRescale: New size: 4; reason: memory resource "
                                    "above target"))
        << eventsOf("web");
}

TEST_F(HpaTest, AnInvalidMetricDoesNotBlockAScaleUp) {
    deployment(2);
    runPod("web-1", "500m", "");
    runPod("web-2", "500m", "");
    setUsage("web-1", 500);
    setUsage("web-2", 500);
    start();
    autoscaler("web", 1, 10, json::array{utilization("cpu", 50), utilization("memory", 50)});
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 4);
    json::object h = hpa("web");
    EXPECT_EQ(conditionText(h, "ScalingActive"),
              "True ValidMetricFound: the HPA was able to successfully calculate a replica count "
              "from cpu resource utilization (percentage of request)");
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":100,"averageValue":"500m"}}},{"type":""}])");
    EXPECT_TRUE(waitForEvent("web", "FailedGetResourceMetric: failed to get memory utilization: "
                                    "missing request for memory in container main of Pod web-1"))
        << eventsOf("web");
}

TEST_F(HpaTest, AMissingTargetFailsToGetTheScale) {
    start();
    cluster.create(HorizontalPodAutoscalers,
                   obj(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
                       "metadata":{"name":"web"},"spec":{"maxReplicas":3,
                       "scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment",
                                         "name":"missing"}}})"));
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(conditionText(hpa("web"), "AbleToScale"),
              "False FailedGetScale: the HPA controller was unable to get the target's current "
              "scale: deployments.apps \"missing\" not found");
    EXPECT_TRUE(waitForEvent("web", "FailedGetScale: deployments.apps \"missing\" not found"))
        << eventsOf("web");

    // A kind the API does not serve: found by discovery, or not.
    cluster.create(HorizontalPodAutoscalers,
                   obj(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
                       "metadata":{"name":"foo"},"spec":{"maxReplicas":3,
                       "scaleTargetRef":{"apiVersion":"apps/v1","kind":"Foo","name":"web"}}})"));
    ASSERT_TRUE(synced("foo", t0));
    EXPECT_EQ(conditionText(hpa("foo"), "AbleToScale"),
              "False FailedGetScale: the HPA controller was unable to get the target's current "
              "scale: no matches for kind \"Foo\" in group \"apps\"");
}

TEST_F(HpaTest, TwoAutoscalersOfTheSamePodsBothStop) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 400);
    setUsage("web-2", 400);
    start();
    autoscaler("first", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("first", t0));
    EXPECT_EQ(deploymentReplicas(), 4);
    autoscaler("second", 1, 10, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("second", t0));
    std::string ambiguous = "False AmbiguousSelector: pods by selector app=web are controlled by "
                            "multiple HPAs: [default/first default/second]";
    EXPECT_EQ(conditionText(hpa("second"), "ScalingActive"), ambiguous);
    ASSERT_TRUE(syncAt("first", t0 + 15s));
    EXPECT_EQ(conditionText(hpa("first"), "ScalingActive"), ambiguous);
}

TEST_F(HpaTest, AnAutoscalingV1ObjectScalesLikeKubectlAutoscaleMakesIt) {
    deployment(2);
    runPod("web-1");
    runPod("web-2");
    setUsage("web-1", 400);
    setUsage("web-2", 400);
    start();
    // `kubectl autoscale deployment web --cpu-percent=50 --min=1 --max=5`
    cluster.create(HpasV1, obj(R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
        "metadata":{"name":"web"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1",
        "kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,
        "targetCPUUtilizationPercentage":50}})"));
    ASSERT_TRUE(synced("web", t0));
    EXPECT_EQ(deploymentReplicas(), 4);
    auto v1 = cluster.client.get(HpasV1, "default", "web");
    ASSERT_TRUE(v1);
    EXPECT_EQ(statusOf(*v1, "currentReplicas"), 2);
    EXPECT_EQ(statusOf(*v1, "desiredReplicas"), 4);
    EXPECT_EQ(statusOf(*v1, "currentCPUUtilizationPercentage"), 80);
}

// cluster.md item 11 in process: a Deployment under a CPU load scales up to carry it at 50% of
// its requests, and back down once the load is gone and the window has passed.
TEST_F(HpaTest, ScalesADeploymentUpUnderLoadAndBackDownAfter) {
    FakeKubelet kubelet(cluster.client, cluster.observer, clock);
    std::vector<std::unique_ptr<Controller>> workloads;
    workloads.push_back(std::make_unique<ReplicaSetController>(cluster.controllerClient));
    workloads.push_back(std::make_unique<DeploymentController>(cluster.controllerClient));
    start(std::move(workloads));
    setTotalLoad(1000); // 1 core: four 500m pods at 50%
    deployment(1);
    ASSERT_TRUE(waitForServingPods(1));
    timers.advanceTo(t0 + 15s); // a metrics window after the pod became ready

    autoscaler("web", 1, 5, json::array{utilization("cpu", 50)});
    ASSERT_TRUE(synced("web", t0 + 15s));
    EXPECT_EQ(deploymentReplicas(), 4) << "200% of the request: 4 pods at 50%";
    ASSERT_TRUE(waitForServingPods(4));
    ASSERT_TRUE(syncAt("web", t0 + 30s));
    EXPECT_EQ(deploymentReplicas(), 4);
    json::object h = hpa("web");
    EXPECT_EQ(statusOf(h, "currentReplicas"), 4);
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":50,"averageValue":"250m"}}}])");

    // The load stops: 5% asks for 1 pod, but not before 5 minutes of lower recommendations.
    setTotalLoad(100);
    for (TimePoint at = t0 + 45s; at <= t0 + 330s; at += 15s) {
        ASSERT_TRUE(syncAt("web", at));
        ASSERT_EQ(deploymentReplicas(), 4) << formatTime(at);
    }
    ASSERT_TRUE(syncAt("web", t0 + 345s));
    EXPECT_EQ(deploymentReplicas(), 1);
    EXPECT_TRUE(waitForEvent("web", "SuccessfulRescale: New size: 1; reason: All metrics below "
                                    "target"))
        << eventsOf("web");
    ASSERT_TRUE(waitForServingPods(1));
    ASSERT_TRUE(syncAt("web", t0 + 360s));
    h = hpa("web");
    EXPECT_EQ(statusOf(h, "currentReplicas"), 1);
    EXPECT_EQ(statusOf(h, "desiredReplicas"), 1);
    EXPECT_EQ(metricsOf(h), R"([{"type":"Resource","resource":{"name":"cpu","current":)"
                            R"({"averageUtilization":20,"averageValue":"100m"}}}])");
}

} // namespace
} // namespace pilot::controllers::test
