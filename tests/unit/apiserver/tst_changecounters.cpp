// The annotations the API server counts changes in: DaemonSets' template generation, kept as
// upstream's DaemonSet strategy keeps spec.templateGeneration.

#include "engine/apiserver/resourceservice.h"

#include "apitestutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

constexpr std::string_view TemplateGeneration = "deprecated.daemonset.template.generation";

json::object daemonSet(const std::string& name, const std::string& image = "fluentd:1") {
    json::object labels{{"app", name}};
    return json::object{
        {"apiVersion", "apps/v1"},
        {"kind", "DaemonSet"},
        {"metadata", json::object{{"name", name}}},
        {"spec",
         json::object{
             {"selector", json::object{{"matchLabels", labels}}},
             {"template",
              json::object{{"metadata", json::object{{"labels", labels}}},
                           {"spec", json::object{{"containers",
                                                  json::array{json::object{
                                                      {"name", "main"}, {"image", image}}}}}}}}}}};
}

class ChangeCountersTest : public ::testing::Test {
protected:
    void SetUp() override { env.createNamespace("default"); }

    ApiResult<json::object> create(json::object object) {
        return env.service->create(*daemonsets, "default", std::move(object), {});
    }
    json::object mustCreate(json::object object) {
        auto created = create(std::move(object));
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }
    json::object mustUpdate(json::object object, Part part = Part::Main) {
        WriteOptions options;
        options.part = part;
        auto updated = env.service->update(*daemonsets, "default", std::string(kube::name(object)),
                                           object, options);
        EXPECT_TRUE(updated) << updated.error().message;
        return updated ? *updated : json::object();
    }
    static std::string counter(const json::object& ds) {
        return std::string(kube::annotation(ds, TemplateGeneration).value_or("<none>"));
    }
    static json::object& specOf(json::object& ds) { return ds["spec"].as_object(); }
    static json::object& containerOf(json::object& ds) {
        return specOf(ds)["template"]
            .as_object()["spec"]
            .as_object()["containers"]
            .as_array()[0]
            .as_object();
    }

    ApiEnv env;
    kube::ResourceTypePtr daemonsets = env.type("apps", "daemonsets");
};

} // namespace

TEST_F(ChangeCountersTest, theRegistryDeclaresTheDaemonSetTemplateGeneration) {
    ASSERT_EQ(daemonsets->changeCounters.size(), 1U);
    EXPECT_EQ(daemonsets->changeCounters[0].annotation, TemplateGeneration);
    EXPECT_EQ(daemonsets->changeCounters[0].path, "spec.template");
    EXPECT_TRUE(env.type("apps", "deployments")->changeCounters.empty());
}

TEST_F(ChangeCountersTest, templateChangesCountOtherWritesKeepTheCount) {
    json::object ds = mustCreate(daemonSet("logs"));
    EXPECT_EQ(counter(ds), "1");
    EXPECT_EQ(kube::generation(ds), 1);
    // The server set it, not the client: the client's managed fields do not own it.
    EXPECT_EQ(json::serialize(ds["metadata"].as_object()["managedFields"]).find(TemplateGeneration),
              std::string::npos);

    containerOf(ds)["image"] = "fluentd:2";
    ds = mustUpdate(ds);
    EXPECT_EQ(counter(ds), "2");
    EXPECT_EQ(kube::generation(ds), 2);

    // Spec outside the template: the generation moves, the template generation does not.
    specOf(ds)["minReadySeconds"] = 5;
    ds = mustUpdate(ds);
    EXPECT_EQ(counter(ds), "2");
    EXPECT_EQ(kube::generation(ds), 3);

    // Clients cannot set or drop it on update.
    json::object edited = ds;
    edited["metadata"].as_object()["annotations"] = json::object{{TemplateGeneration, "99"}};
    EXPECT_EQ(counter(mustUpdate(edited)), "2");
    edited = ds;
    edited["metadata"].as_object().erase("annotations");
    edited["metadata"].as_object().erase("resourceVersion");
    ds = mustUpdate(edited);
    EXPECT_EQ(counter(ds), "2");

    // Nor through the status subresource.
    json::object statusWrite = ds;
    statusWrite["status"] = obj(R"({"currentNumberScheduled":0,"numberMisscheduled":0,
                                    "desiredNumberScheduled":0,"numberReady":0})");
    statusWrite["metadata"].as_object()["annotations"] = json::object{{TemplateGeneration, "7"}};
    ds = mustUpdate(statusWrite, Part::Status);
    EXPECT_EQ(counter(ds), "2");

    // Through the HTTP API as `kubectl set image` does it.
    HandlerResult patched = env.send(
        "PATCH", "/apis/apps/v1/namespaces/default/daemonsets/logs",
        R"({"spec":{"template":{"spec":{"containers":[{"name":"main","image":"fluentd:3"}]}}}})",
        {}, "application/strategic-merge-patch+json");
    ASSERT_EQ(patched.response.status, 200) << patched.response.body;
    EXPECT_EQ(counter(bodyOf(patched)), "3");
    EXPECT_EQ(kube::generation(bodyOf(patched)), 4);
}

TEST_F(ChangeCountersTest, createKeepsAPositiveValueAndRefusesANonInteger) {
    json::object given = daemonSet("given");
    given["metadata"].as_object()["annotations"] = json::object{{TemplateGeneration, "5"}};
    EXPECT_EQ(counter(mustCreate(given)), "5");

    json::object zero = daemonSet("zero");
    zero["metadata"].as_object()["annotations"] =
        json::object{{TemplateGeneration, "0"}, {"team", "infra"}};
    json::object created = mustCreate(zero);
    EXPECT_EQ(counter(created), "1");
    EXPECT_EQ(kube::annotation(created, "team"), "infra");

    json::object bad = daemonSet("bad");
    bad["metadata"].as_object()["annotations"] = json::object{{TemplateGeneration, "one"}};
    auto refused = create(bad);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 400);
    EXPECT_EQ(refused.error().message,
              "DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strconv.ParseInt: "
              "parsing \"one\": invalid syntax");
}

TEST_F(ChangeCountersTest, otherKindsGetNoCounter) {
    auto created =
        env.service->create(*env.type("apps", "deployments"), "default", deployment("web"), {});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_FALSE(kube::annotation(*created, TemplateGeneration));
}
