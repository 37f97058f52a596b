// Pod status computation, env resolution and expansion, and restart back-off.
#include "nodeagent/pod/crashbackoff.h"
#include "nodeagent/pod/envresolver.h"
#include "nodeagent/pod/expansion.h"
#include "nodeagent/pod/podstatus.h"
#include "nodeagent/pod/podworker.h"

#include "core/base64.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>

using namespace pilot;
using namespace pilot::agent;
namespace json = boost::json;

namespace {

class Sources final : public VolumeSources {
public:
    std::map<std::string, json::object> configMaps;
    std::map<std::string, json::object> secrets;
    Result<json::object> configMap(const std::string& ns, const std::string& name) override {
        auto it = configMaps.find(ns + "/" + name);
        if (it == configMaps.end()) {
            return fail(ErrorCode::NotFound, "configmap \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<json::object> secret(const std::string& ns, const std::string& name) override {
        auto it = secrets.find(ns + "/" + name);
        if (it == secrets.end()) {
            return fail(ErrorCode::NotFound, "secret \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<json::object> persistentVolumeClaim(const std::string&, const std::string&) override {
        return fail(ErrorCode::NotFound, "none");
    }
    Result<json::object> persistentVolume(const std::string&) override {
        return fail(ErrorCode::NotFound, "none");
    }
    Result<IssuedToken> requestToken(const std::string&, const std::string&,
                                     const std::vector<std::string>&, int64_t, const std::string&,
                                     const std::string&) override {
        return fail(ErrorCode::NotFound, "none");
    }
};

std::string envValue(const EnvList& env, std::string_view name) {
    for (const auto& [k, v] : env) {
        if (k == name) {
            return v;
        }
    }
    return "<unset>";
}

ContainerStatus runtimeStatus(ContainerState state, int exitCode = 0) {
    ContainerStatus s;
    s.id = "abc";
    s.state = state;
    s.exitCode = exitCode;
    s.reason = exitCode == 0 ? "Completed" : "Error";
    s.startedAt = std::chrono::system_clock::now() - std::chrono::seconds(5);
    s.finishedAt = std::chrono::system_clock::now();
    return s;
}

json::object podJson(std::string_view spec, std::string_view status = "{}") {
    return json::parse(
               std::string(R"({"metadata":{"name":"p","namespace":"ns","uid":"u"},"spec":)") +
               std::string(spec) + R"(,"status":)" + std::string(status) + "}")
        .as_object();
}

const json::object& conditionOf(const json::object& status, std::string_view type) {
    for (const auto& c : status.at("conditions").as_array()) {
        if (kube::stringAt(c.as_object(), "type") == type) {
            return c.as_object();
        }
    }
    static json::object none;
    return none;
}

} // namespace

TEST(Expansion, FollowsKubernetesRules) {
    EnvList env{{"A", "alpha"}, {"B", "$(A)-beta"}};
    auto lookup = lookupIn(env);
    EXPECT_EQ(expandVariables("x$(A)y", lookup), "xalphay");
    EXPECT_EQ(expandVariables("$(MISSING)", lookup), "$(MISSING)");
    EXPECT_EQ(expandVariables("$$(A)", lookup), "$(A)");
    EXPECT_EQ(expandVariables("$$$(A)", lookup), "$alpha");
    EXPECT_EQ(expandVariables("cost: $5", lookup), "cost: $5");
    EXPECT_EQ(expandVariables("$(A", lookup), "$(A");
    EXPECT_EQ(expandVariables("end$", lookup), "end$");
    EXPECT_EQ(expandVariables("$(A)$(A)", lookup), "alphaalpha");
}

TEST(EnvResolver, ResolvesEveryKindOfSourceInOrder) {
    Sources sources;
    sources.configMaps["ns/settings"] =
        json::parse(R"({"data":{"MODE":"fast","LEVEL":"3","bad=name":"x"}})").as_object();
    sources.secrets["ns/creds"] =
        json::object{{"data", json::object{{"TOKEN", base64Encode("s3cr3t")}}}};
    json::object pod = podJson(R"({"nodeName":"n1","serviceAccountName":"sa",
        "containers":[{"name":"c","resources":{"limits":{"memory":"64Mi"}}}]})");
    json::object container = json::parse(R"JSON({"name":"c",
        "resources":{"limits":{"memory":"64Mi"}},
        "envFrom":[{"configMapRef":{"name":"settings"},"prefix":"CFG_"},
                   {"secretRef":{"name":"absent","optional":true}}],
        "env":[{"name":"GREETING","value":"hi $(CFG_MODE) $(NOPE) $$(CFG_MODE)"},
               {"name":"CFG_LEVEL","value":"override"},
               {"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"creds","key":"TOKEN"}}},
               {"name":"MODE","valueFrom":{"configMapKeyRef":{"name":"settings","key":"MODE"}}},
               {"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
               {"name":"NODE","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}},
               {"name":"IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}},
               {"name":"MEM","valueFrom":{"resourceFieldRef":{"resource":"limits.memory","divisor":"1Mi"}}},
               {"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}},
               {"name":"OPT","valueFrom":{"configMapKeyRef":{"name":"settings","key":"zzz","optional":true}}},
               {"name":"SVC","value":"$(KUBERNETES_SERVICE_HOST)"}]})JSON")
                                 .as_object();
    EnvContext context;
    context.network = {"10.0.0.5", "10.244.1.2"};
    context.nodeAllocatable = json::object{{"cpu", "4"}, {"memory", "8Gi"}};
    context.serviceEnv = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}};
    auto env = resolveEnvironment(pod, container, sources, context);
    ASSERT_TRUE(env) << env.error().message;
    EXPECT_EQ(envValue(env->vars, "CFG_MODE"), "fast");
    EXPECT_EQ(envValue(env->vars, "CFG_LEVEL"), "override");
    EXPECT_EQ(envValue(env->vars, "GREETING"), "hi fast $(NOPE) $(CFG_MODE)");
    EXPECT_EQ(envValue(env->vars, "TOKEN"), "s3cr3t");
    EXPECT_EQ(envValue(env->vars, "MODE"), "fast");
    EXPECT_EQ(envValue(env->vars, "POD"), "p");
    EXPECT_EQ(envValue(env->vars, "NODE"), "n1");
    EXPECT_EQ(envValue(env->vars, "IP"), "10.244.1.2");
    EXPECT_EQ(envValue(env->vars, "MEM"), "64");
    EXPECT_EQ(envValue(env->vars, "CPU"), "4");
    EXPECT_EQ(envValue(env->vars, "OPT"), "<unset>");
    EXPECT_EQ(envValue(env->vars, "SVC"), "10.96.0.1");
    EXPECT_EQ(envValue(env->vars, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
    ASSERT_EQ(env->skippedMessages.size(), 1u);
    EXPECT_NE(env->skippedMessages[0].find("CFG_bad=name"), std::string::npos);
    // envFrom comes first, env after, each name once.
    EXPECT_EQ(env->vars.front().first.substr(0, 4), "CFG_");

    EXPECT_EQ(expandCommand({"echo", "$(MODE)", "$$(MODE)"}, env->vars),
              (std::vector<std::string>{"echo", "fast", "$(MODE)"}));
}

TEST(EnvResolver, MissingReferencesAreConfigErrorsWithKubeletsWording) {
    Sources sources;
    sources.configMaps["ns/settings"] = json::parse(R"({"data":{"MODE":"fast"}})").as_object();
    json::object pod = podJson(R"({"containers":[]})");
    EnvContext context;
    auto missingMap = resolveEnvironment(
        pod,
        json::parse(
            R"({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"nope","key":"k"}}}]})")
            .as_object(),
        sources, context);
    ASSERT_FALSE(missingMap);
    EXPECT_EQ(missingMap.error().message, "configmap \"nope\" not found");
    auto missingKey = resolveEnvironment(
        pod,
        json::parse(
            R"({"name":"c","env":[{"name":"X","valueFrom":{"configMapKeyRef":{"name":"settings","key":"k"}}}]})")
            .as_object(),
        sources, context);
    ASSERT_FALSE(missingKey);
    EXPECT_EQ(missingKey.error().message, "couldn't find key k in ConfigMap ns/settings");
    auto missingSecret = resolveEnvironment(
        pod, json::parse(R"({"name":"c","envFrom":[{"secretRef":{"name":"creds"}}]})").as_object(),
        sources, context);
    ASSERT_FALSE(missingSecret);
    EXPECT_EQ(missingSecret.error().message, "secret \"creds\" not found");
}

TEST(CrashBackoff, FirstRestartIsImmediateThenDoublesToFiveMinutes) {
    ManualClock clock(std::chrono::system_clock::now());
    CrashBackoff backoff(clock);
    std::string key = "uid/c";
    TimePoint exit1 = clock.now();
    EXPECT_FALSE(backoff.inBackoffSince(key, exit1));
    backoff.next(key, exit1);
    EXPECT_EQ(backoff.get(key), std::chrono::seconds(10));

    TimePoint exit2 = clock.now();
    EXPECT_TRUE(backoff.inBackoffSince(key, exit2));
    EXPECT_EQ(backoff.readyAt(key, exit2), exit2 + std::chrono::seconds(10));
    clock.advance(std::chrono::seconds(10));
    EXPECT_FALSE(backoff.inBackoffSince(key, exit2));
    backoff.next(key, exit2);
    EXPECT_EQ(backoff.get(key), std::chrono::seconds(20));
    for (int i = 0; i < 10; ++i) {
        backoff.next(key, clock.now());
    }
    EXPECT_EQ(backoff.get(key), std::chrono::seconds(300));

    // A container that ran for more than 10 minutes starts over at 10 s.
    clock.advance(std::chrono::minutes(11));
    TimePoint late = clock.now();
    EXPECT_FALSE(backoff.inBackoffSince(key, late));
    backoff.next(key, late);
    EXPECT_EQ(backoff.get(key), std::chrono::seconds(10));
    EXPECT_EQ(goDuration(std::chrono::seconds(10)), "10s");
    EXPECT_EQ(goDuration(std::chrono::seconds(80)), "1m20s");
    EXPECT_EQ(goDuration(std::chrono::seconds(300)), "5m0s");
}

TEST(PodStatus, ContainerStatusEntriesAsKubeletWritesThem) {
    ContainerView running;
    running.name = "web";
    running.image = "busybox:1.36";
    running.runtimeKind = "process";
    running.current = runtimeStatus(ContainerState::Running);
    running.previous = runtimeStatus(ContainerState::Exited, 137);
    running.restartCount = 1;
    running.ready = true;
    running.started = true;
    json::object entry = containerStatusJson(running);
    EXPECT_EQ(kube::stringAt(entry, "containerID"), "process://abc");
    EXPECT_TRUE(entry.at("state").as_object().contains("running"));
    EXPECT_EQ(entry.at("lastState").at("terminated").at("exitCode").as_int64(), 137);
    EXPECT_EQ(entry.at("restartCount").as_int64(), 1);
    EXPECT_TRUE(entry.at("ready").as_bool());
    for (const char* field : {"name", "image", "imageID", "ready", "restartCount", "started"}) {
        EXPECT_TRUE(entry.contains(field)) << field;
    }

    ContainerView crashing;
    crashing.name = "c";
    crashing.runtimeKind = "process";
    crashing.current = runtimeStatus(ContainerState::Exited, 3);
    crashing.restartCount = 2;
    crashing.waitingReason = "CrashLoopBackOff";
    crashing.waitingMessage = "back-off 20s restarting failed container=c pod=p_ns(u)";
    json::object waiting = containerStatusJson(crashing);
    EXPECT_EQ(waiting.at("state").at("waiting").at("reason").as_string(), "CrashLoopBackOff");
    EXPECT_EQ(waiting.at("lastState").at("terminated").at("exitCode").as_int64(), 3);
    EXPECT_FALSE(waiting.at("ready").as_bool());
}

TEST(PodStatus, PhaseFollowsKubeletsGetPhase) {
    json::object spec = json::parse(R"({"restartPolicy":"Always","initContainers":[{"name":"i"}],
                                         "containers":[{"name":"a"},{"name":"b"}]})")
                            .as_object();
    auto status = [](std::string name, std::string state, std::string last = "") {
        json::object s = json::parse(R"({"name":")" + name + R"(","state":)" + state +
                                     R"(,"lastState":)" + (last.empty() ? "{}" : last) + "}")
                             .as_object();
        return json::value(s);
    };
    std::string running = R"({"running":{}})";
    std::string ok = R"({"terminated":{"exitCode":0}})";
    std::string bad = R"({"terminated":{"exitCode":1}})";
    std::string waiting = R"({"waiting":{"reason":"PodInitializing"}})";
    json::array initRunning{status("i", running)};
    json::array initDone{status("i", ok)};
    json::array both{status("a", waiting), status("b", waiting)};
    EXPECT_EQ(podPhase(spec, initRunning, both, false), "Pending");
    json::array runningBoth{status("a", running), status("b", running)};
    EXPECT_EQ(podPhase(spec, initDone, runningBoth, false), "Running");
    json::array crashLoop{status("a", waiting, bad), status("b", running)};
    EXPECT_EQ(podPhase(spec, initDone, crashLoop, false), "Running");
    json::array finished{status("a", ok), status("b", bad)};
    EXPECT_EQ(podPhase(spec, initDone, finished, false), "Running"); // Always restarts
    EXPECT_EQ(podPhase(spec, initDone, finished, true), "Failed");
    json::object never = spec;
    never["restartPolicy"] = "Never";
    EXPECT_EQ(podPhase(never, initDone, finished, false), "Failed");
    json::array allOk{status("a", ok), status("b", ok)};
    EXPECT_EQ(podPhase(never, initDone, allOk, false), "Succeeded");
    json::array initFailed{status("i", bad)};
    EXPECT_EQ(podPhase(never, initFailed, both, false), "Failed");
}

TEST(PodStatus, ConditionsReadyInitializedAndTransitionTimes) {
    TimePoint t0 = std::chrono::system_clock::now();
    json::object pod = podJson(
        R"({"initContainers":[{"name":"init1"},{"name":"init2"}],"containers":[{"name":"web"}]})",
        R"({"phase":"Pending","conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
    PodStatusInput input;
    input.pod = &pod;
    input.sandboxReady = true;
    input.hostIp = "10.0.0.5";
    input.podIp = "10.0.0.5";
    input.startTime = t0;
    input.now = t0;
    ContainerView init1;
    init1.name = "init1";
    init1.current = runtimeStatus(ContainerState::Running);
    ContainerView init2;
    init2.name = "init2";
    init2.waitingReason = "PodInitializing";
    ContainerView web;
    web.name = "web";
    web.waitingReason = "PodInitializing";
    input.initContainers = {init1, init2};
    input.containers = {web};
    json::object status = computePodStatus(input);
    EXPECT_EQ(kube::stringAt(status, "phase"), "Pending");
    const auto& initialized = conditionOf(status, "Initialized");
    EXPECT_EQ(kube::stringAt(initialized, "status"), "False");
    EXPECT_EQ(kube::stringAt(initialized, "reason"), "ContainersNotInitialized");
    EXPECT_EQ(kube::stringAt(initialized, "message"),
              "containers with incomplete status: [init1 init2]");
    EXPECT_EQ(kube::stringAt(conditionOf(status, "Ready"), "message"),
              "containers with unready status: [web]");
    EXPECT_EQ(kube::stringAt(conditionOf(status, "PodScheduled"), "lastTransitionTime"),
              "2026-01-01T00:00:00Z");
    EXPECT_EQ(kube::stringAt(conditionOf(status, "PodReadyToStartContainers"), "status"), "True");
    const auto& conditions = status.at("conditions").as_array();
    std::vector<std::string> order;
    for (const auto& c : conditions) {
        order.push_back(kube::stringAt(c.as_object(), "type"));
    }
    EXPECT_EQ(order, (std::vector<std::string>{"PodReadyToStartContainers", "Initialized", "Ready",
                                               "ContainersReady", "PodScheduled"}));
    EXPECT_EQ(kube::stringAt(status, "qosClass"), "BestEffort");
    EXPECT_EQ(status.at("podIPs").as_array().size(), 1u);
    EXPECT_EQ(status.at("initContainerStatuses").as_array().size(), 2u);

    // Later: everything runs and is ready; Ready turns True at the new time, PodReadyToStart-
    // Containers keeps its time.
    pod["status"] = status;
    TimePoint t1 = t0 + std::chrono::seconds(30);
    input.now = t1;
    init1.current = runtimeStatus(ContainerState::Exited, 0);
    init2.waitingReason.clear();
    init2.current = runtimeStatus(ContainerState::Exited, 0);
    web.waitingReason.clear();
    web.current = runtimeStatus(ContainerState::Running);
    web.ready = web.started = true;
    input.initContainers = {init1, init2};
    input.containers = {web};
    // Completed init containers are ready.
    input.initContainers[0].ready = input.initContainers[1].ready = true;
    json::object later = computePodStatus(input);
    EXPECT_EQ(kube::stringAt(later, "phase"), "Running");
    EXPECT_EQ(kube::stringAt(conditionOf(later, "Ready"), "status"), "True");
    EXPECT_EQ(kube::stringAt(conditionOf(later, "Ready"), "lastTransitionTime"), formatTime(t1));
    EXPECT_EQ(kube::stringAt(conditionOf(later, "PodReadyToStartContainers"), "lastTransitionTime"),
              formatTime(t0));
    EXPECT_EQ(kube::stringAt(later, "startTime"), formatTime(t0));
}

TEST(PodStatus, QosClasses) {
    EXPECT_EQ(qosClass(json::parse(R"({"containers":[{"name":"a"}]})").as_object()), "BestEffort");
    EXPECT_EQ(
        qosClass(
            json::parse(R"({"containers":[{"name":"a","resources":{"requests":{"cpu":"50m"}}}]})")
                .as_object()),
        "Burstable");
    EXPECT_EQ(qosClass(json::parse(R"({"containers":[{"name":"a","resources":{
                  "requests":{"cpu":"1","memory":"1Gi"},"limits":{"cpu":"1000m","memory":"1Gi"}}}]})")
                           .as_object()),
              "Guaranteed");
    EXPECT_EQ(qosClass(json::parse(R"({"containers":[{"name":"a","resources":{
                  "limits":{"cpu":"1","memory":"1Gi"}}}]})")
                           .as_object()),
              "Guaranteed");
}
