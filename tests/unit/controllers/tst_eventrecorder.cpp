// The controllers' Event recorder over the in-process API: Events of one instant (a clock that
// does not move, several recorders) all get recorded, under names of the form client-go uses.

#include "engine/apiserver/inprocessclient.h"
#include "engine/controllers/common/eventrecorder.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <gtest/gtest.h>

#include <charconv>
#include <map>

using namespace pilot;
using namespace pilot::controllers;
namespace json = boost::json;

namespace {

json::object podReference() {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", "web"}, {"namespace", "default"}, {"uid", "u-1"}}}};
}

/// The hex time after `web.` in an Event's name, or -1 when the name has another form.
int64_t nameTime(std::string_view name) {
    if (!name.starts_with("web.")) {
        return -1;
    }
    name.remove_prefix(4);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), value, 16);
    return ec == std::errc() && end == name.data() + name.size() ? value : -1;
}

} // namespace

TEST(EventRecorder, eventsOfOneInstantAreAllRecordedUnderDistinctNames) {
    apiserver::test::ApiEnv env;
    env.createNamespace("default");
    apiserver::InProcessApiClient client(*env.handler, "pilothouse-controllers");
    const ManualClock frozen(apiserver::test::testEpoch());
    EventRecorder scheduler(client, "default-scheduler", &frozen);
    EventRecorder kubelet(client, "kubelet", &frozen);

    scheduler.normal(podReference(), "Scheduled", "Successfully assigned default/web to n1");
    scheduler.normal(podReference(), "Pulling", "Pulling image \"nginx:1.25\"");
    kubelet.warning(podReference(), "BackOff", "Back-off restarting failed container");
    scheduler.flush();
    kubelet.flush();
    // A repeat is still counted on the Event it repeats.
    scheduler.normal(podReference(), "Scheduled", "Successfully assigned default/web to n1");
    scheduler.flush();

    auto listed = client.list(kube::resources::Events, "default");
    ASSERT_TRUE(listed) << listed.error().message;
    std::map<std::string, json::object> byReason;
    for (const json::object& event : listed->items) {
        byReason[kube::stringAt(event, "reason")] = event;
    }
    ASSERT_EQ(listed->items.size(), 3U);
    ASSERT_EQ(byReason.size(), 3U);
    const int64_t epochNanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   apiserver::test::testEpoch().time_since_epoch())
                                   .count();
    for (const auto& [reason, event] : byReason) {
        EXPECT_GE(nameTime(kube::name(event)), epochNanos) << kube::name(event);
        EXPECT_EQ(kube::stringAt(event, "firstTimestamp"), formatTime(apiserver::test::testEpoch()))
            << reason;
    }
    EXPECT_LT(nameTime(kube::name(byReason["Scheduled"])),
              nameTime(kube::name(byReason["Pulling"])))
        << "one recorder's names follow the order of its Events";
    EXPECT_EQ(kube::integerAt(byReason["Scheduled"], "count"), 2);
    EXPECT_EQ(kube::stringAt(kube::objectAt(byReason["BackOff"], "source"), "component"),
              "kubelet");
    scheduler.stop();
    kubelet.stop();
}
