// pods/eviction against PodDisruptionBudgets, as kubectl drain meets it: evictions within the
// budget go through and are recorded on the budget, others are refused with upstream's 429.
#include "handlertestutil.h"

#include <gtest/gtest.h>

#include <string>

namespace pilot::apiserver::test {
namespace {

constexpr const char* Budgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets";

class EvictionTest : public ApiHandlerTest {
protected:
    /// A Running pod labelled app=web; Ready unless told otherwise.
    void runningPod(const std::string& name, bool ready = true) {
        json::object p = pod(name, "node-1");
        p["metadata"].as_object()["labels"] = json::object{{"app", "web"}};
        json::object created = mustPost(Pods, p);
        created["status"] = json::object{
            {"phase", "Running"},
            {"conditions",
             json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
        HandlerResult r =
            send("PUT", std::string(Pods) + "/" + name + "/status", json::serialize(created));
        ASSERT_EQ(r.response.status, 200) << r.response.body;
    }

    /// A budget over app=web whose status is what the disruption controller would write.
    void budget(const std::string& name, int64_t currentHealthy, int64_t desiredHealthy,
                const std::string& unhealthyPolicy = {}, const std::string& selectorApp = "web") {
        json::object spec{
            {"minAvailable", desiredHealthy},
            {"selector", json::object{{"matchLabels", json::object{{"app", selectorApp}}}}}};
        if (!unhealthyPolicy.empty()) {
            spec["unhealthyPodEvictionPolicy"] = unhealthyPolicy;
        }
        json::object created =
            mustPost(Budgets, json::object{{"apiVersion", "policy/v1"},
                                           {"kind", "PodDisruptionBudget"},
                                           {"metadata", json::object{{"name", name}}},
                                           {"spec", std::move(spec)}});
        setStatus(created, currentHealthy, desiredHealthy);
    }

    void setStatus(json::object pdb, int64_t currentHealthy, int64_t desiredHealthy) {
        pdb["status"] = json::object{
            {"observedGeneration", pdb["metadata"].as_object()["generation"]},
            {"currentHealthy", currentHealthy},
            {"desiredHealthy", desiredHealthy},
            {"expectedPods", currentHealthy},
            {"disruptionsAllowed", std::max<int64_t>(0, currentHealthy - desiredHealthy)}};
        HandlerResult r =
            send("PUT", std::string(Budgets) + "/" + str(pdb, "metadata.name") + "/status",
                 json::serialize(pdb));
        ASSERT_EQ(r.response.status, 200) << r.response.body;
    }

    HandlerResult evict(const std::string& name, Query query = {},
                        const std::string& deleteOptions = "{}") {
        std::string body = R"({"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":")" +
                           name + R"(","namespace":"default"},"deleteOptions":)" + deleteOptions +
                           "}";
        return send("POST", std::string(Pods) + "/" + name + "/eviction", body, std::move(query));
    }

    json::object budgetNamed(const std::string& name) {
        return bodyOf(get(std::string(Budgets) + "/" + name));
    }

    static int64_t integer(const json::object& o, std::string_view dotted) {
        const json::value* v = at(o, dotted);
        return v && v->is_int64() ? v->get_int64() : -1;
    }
};

TEST_F(EvictionTest, evictionWithinTheBudgetDeletesThePodAndRecordsTheDisruption) {
    runningPod("web-1");
    runningPod("web-2");
    budget("web", 2, 1);

    HandlerResult r = evict("web-1");
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    json::object status = bodyOf(r);
    EXPECT_EQ(str(status, "kind"), "Status");
    EXPECT_EQ(str(status, "status"), "Success");

    // Graceful deletion: the pod is terminating and marked as a disruption target.
    json::object p = bodyOf(get(std::string(Pods) + "/web-1"));
    EXPECT_NE(str(p, "metadata.deletionTimestamp"), "");
    bool marked = false;
    for (const json::value& c : at(p, "status.conditions")->as_array()) {
        if (str(c.as_object(), "type") == "DisruptionTarget") {
            marked = str(c.as_object(), "reason") == "EvictionByEvictionAPI" &&
                     str(c.as_object(), "status") == "True";
        }
    }
    EXPECT_TRUE(marked) << json::serialize(p);

    json::object pdb = budgetNamed("web");
    EXPECT_EQ(integer(pdb, "status.disruptionsAllowed"), 0);
    EXPECT_EQ(str(pdb, "status.disruptedPods.web-1"), formatTime(env.clock.now()));
    const json::value* conditions = at(pdb, "status.conditions");
    ASSERT_TRUE(conditions && conditions->is_array());
    EXPECT_EQ(str(conditions->as_array()[0].as_object(), "type"), "DisruptionAllowed");
    EXPECT_EQ(str(conditions->as_array()[0].as_object(), "status"), "False");
    EXPECT_EQ(str(conditions->as_array()[0].as_object(), "reason"), "InsufficientPods");
}

TEST_F(EvictionTest, exhaustedBudgetAnswersTooManyRequestsWithUpstreamsStatus) {
    runningPod("web-1");
    runningPod("web-2");
    budget("web", 2, 2);

    HandlerResult r = evict("web-1");
    EXPECT_EQ(r.response.status, 429);
    EXPECT_EQ(
        r.response.body,
        R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
        R"("message":"Cannot evict pod as it would violate the pod's disruption budget.",)"
        R"("reason":"TooManyRequests","details":{"causes":[{"reason":"DisruptionBudget",)"
        R"("message":"The disruption budget web needs 2 healthy pods and has 2 currently"}]},)"
        R"("code":429})");
    EXPECT_EQ(str(bodyOf(get(std::string(Pods) + "/web-1")), "metadata.deletionTimestamp"), "");
}

TEST_F(EvictionTest, budgetNotYetObservedIsStillBeingProcessed) {
    runningPod("web-1");
    (void)mustPost(Budgets, obj(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget",)"
                                R"("metadata":{"name":"web"},"spec":{"minAvailable":0,)"
                                R"("selector":{"matchLabels":{"app":"web"}}}})"));
    HandlerResult r = evict("web-1");
    expectStatus(r, 429, "TooManyRequests");
    json::object status = bodyOf(r);
    EXPECT_EQ(str(status, "message"),
              "Cannot evict pod as it would violate the pod's disruption budget.");
    EXPECT_EQ(str(at(status, "details.causes")->as_array()[0].as_object(), "message"),
              "The disruption budget web is still being processed by the server.");
    EXPECT_EQ(integer(status, "details.retryAfterSeconds"), 10);
}

TEST_F(EvictionTest, twoBudgetsForOnePodAreAnInternalError) {
    runningPod("web-1");
    budget("a", 1, 0);
    budget("b", 1, 0);
    HandlerResult r = evict("web-1");
    EXPECT_EQ(r.response.status, 500);
    json::object status = bodyOf(r);
    EXPECT_EQ(str(status, "status"), "Failure");
    EXPECT_EQ(str(status, "message"), "This pod has more than one PodDisruptionBudget, which the "
                                      "eviction subresource does not support.");
    EXPECT_EQ(str(bodyOf(get(std::string(Pods) + "/web-1")), "metadata.deletionTimestamp"), "");
}

TEST_F(EvictionTest, podsNoBudgetSelectsAreDeleted) {
    runningPod("web-1");
    budget("other", 1, 1, {}, "other");
    EXPECT_EQ(evict("web-1").response.status, 201);
    EXPECT_NE(str(bodyOf(get(std::string(Pods) + "/web-1")), "metadata.deletionTimestamp"), "");
    EXPECT_EQ(integer(budgetNamed("other"), "status.disruptionsAllowed"), 0);
}

TEST_F(EvictionTest, unreadyPodUnderAnUnhealthyBudgetNeedsAlwaysAllow) {
    // IfHealthyBudget (the default): the application is not healthy enough (1 of 2 needed), and
    // no disruption is allowed, so even the unready pod stays.
    runningPod("web-1");
    runningPod("web-2", false);
    budget("web", 1, 2);
    HandlerResult refused = evict("web-2");
    expectStatus(refused, 429, "TooManyRequests");
    EXPECT_EQ(str(at(bodyOf(refused), "details.causes")->as_array()[0].as_object(), "message"),
              "The disruption budget web needs 2 healthy pods and has 1 currently");

    // AlwaysAllow: unready pods go whatever the budget says, without spending it.
    json::object pdb = budgetNamed("web");
    pdb["spec"].as_object()["unhealthyPodEvictionPolicy"] = "AlwaysAllow";
    HandlerResult updated = send("PUT", std::string(Budgets) + "/web", json::serialize(pdb));
    ASSERT_EQ(updated.response.status, 200) << updated.response.body;
    setStatus(bodyOf(updated), 1, 2);
    EXPECT_EQ(evict("web-2").response.status, 201);
    EXPECT_NE(str(bodyOf(get(std::string(Pods) + "/web-2")), "metadata.deletionTimestamp"), "");
    EXPECT_EQ(at(budgetNamed("web"), "status.disruptedPods"), nullptr);
    // The ready pod is still protected.
    expectStatus(evict("web-1"), 429, "TooManyRequests");
}

TEST_F(EvictionTest, unreadyPodGoesWithoutSpendingAHealthyBudget) {
    runningPod("web-1");
    runningPod("web-2");
    runningPod("web-3", false);
    budget("web", 2, 2);
    EXPECT_EQ(evict("web-3").response.status, 201);
    EXPECT_NE(str(bodyOf(get(std::string(Pods) + "/web-3")), "metadata.deletionTimestamp"), "");
    EXPECT_EQ(integer(budgetNamed("web"), "status.disruptionsAllowed"), 0);
    EXPECT_EQ(at(budgetNamed("web"), "status.disruptedPods"), nullptr);
}

TEST_F(EvictionTest, dryRunChangesNeitherThePodNorTheBudget) {
    runningPod("web-1");
    runningPod("web-2");
    budget("web", 2, 1);
    std::string before = json::serialize(budgetNamed("web"));

    EXPECT_EQ(evict("web-1", {{"dryRun", "All"}}).response.status, 201);
    EXPECT_EQ(evict("web-1", {}, R"({"dryRun":["All"]})").response.status, 201);
    EXPECT_EQ(json::serialize(budgetNamed("web")), before);
    EXPECT_EQ(str(bodyOf(get(std::string(Pods) + "/web-1")), "metadata.deletionTimestamp"), "");

    // A dry run still reports a refusal.
    budget("extra", 2, 2, {}, "none");
    setStatus(budgetNamed("web"), 2, 2);
    expectStatus(evict("web-1", {{"dryRun", "All"}}), 429, "TooManyRequests");
}

TEST_F(EvictionTest, nameMustMatchTheUrl) {
    runningPod("web-1");
    std::string body = R"({"kind":"Eviction","apiVersion":"policy/v1",)"
                       R"("metadata":{"name":"other","namespace":"default"}})";
    expectStatus(send("POST", std::string(Pods) + "/web-1/eviction", body), 400, "BadRequest");
}

} // namespace
} // namespace pilot::apiserver::test
