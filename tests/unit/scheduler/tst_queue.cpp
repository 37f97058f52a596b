// The scheduling queue: order, back-off, parking of unschedulable pods and cluster events.

#include "engine/scheduler/schedulingqueue.h"
#include "tests/unit/scheduler/schedtestutil.h"

#include <gtest/gtest.h>

namespace pilot::scheduler::test {
namespace {

using namespace std::chrono_literals;

class Queue : public ::testing::Test {
protected:
    ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1893553445))};
    SchedulingQueue queue{clock};

    std::string popName() {
        auto info = queue.tryPop();
        return info ? info->pod->name : std::string("<none>");
    }
    /// Pops `name` and reports it unschedulable because of `plugins`.
    void failUnschedulable(const std::string& name, PluginSet plugins) {
        auto info = queue.tryPop();
        ASSERT_TRUE(info);
        ASSERT_EQ(info->pod->name, name);
        info->unschedulablePlugins = plugins;
        queue.addUnschedulable(*info, queue.schedulingCycle());
    }
};

TEST_F(Queue, HigherPriorityFirstThenOlder) {
    queue.add(podInfo(TestPod("low-old").priority(1)));
    clock.advance(1ms);
    queue.add(podInfo(TestPod("high").priority(100)));
    clock.advance(1ms);
    queue.add(podInfo(TestPod("low-new").priority(1)));
    clock.advance(1ms);
    queue.add(podInfo(TestPod("mid").priority(50)));
    EXPECT_EQ(popName(), "high");
    EXPECT_EQ(popName(), "mid");
    EXPECT_EQ(popName(), "low-old");
    EXPECT_EQ(popName(), "low-new");
    EXPECT_EQ(popName(), "<none>");
}

TEST_F(Queue, UnschedulablePodWaitsForAHelpfulEvent) {
    queue.add(podInfo(TestPod("p").cpu("8")));
    failUnschedulable("p", bit(Plugin::NodeResourcesFit));
    EXPECT_TRUE(queue.isUnschedulable("default/p"));
    clock.advance(30s);
    queue.flush();
    EXPECT_EQ(popName(), "<none>"); // no event yet: parked, whatever the back-off
    // A new pod elsewhere does not free resources.
    queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodAdd);
    EXPECT_EQ(popName(), "<none>");
    // A deleted pod may.
    queue.moveAllToActiveOrBackoff(ClusterEvent::AssignedPodDelete);
    EXPECT_EQ(popName(), "p");
}

TEST_F(Queue, MovedPodWaitsOutItsBackoff) {
    queue.add(podInfo(TestPod("p")));
    failUnschedulable("p", bit(Plugin::TaintToleration));
    clock.advance(200ms);
    queue.moveAllToActiveOrBackoff(ClusterEvent::NodeAdd);
    EXPECT_EQ(popName(), "<none>"); // first back-off is 1 s
    clock.advance(799ms);
    EXPECT_EQ(popName(), "<none>");
    clock.advance(1ms);
    EXPECT_EQ(popName(), "p");
}

TEST_F(Queue, BackoffSequenceOneTwoFourEightTen) {
    queue.add(podInfo(TestPod("p")));
    std::vector<std::chrono::milliseconds> expected{1000ms, 2000ms,  4000ms,
                                                    8000ms, 10000ms, 10000ms};
    for (auto want : expected) {
        auto info = queue.tryPop();
        ASSERT_TRUE(info);
        EXPECT_EQ(queue.backoffExpiry(*info) - info->timestamp, want);
        queue.addBackoff(*info);
        clock.advance(want);
    }
}

TEST_F(Queue, EventDuringSchedulingSendsFailedPodToBackoff) {
    queue.add(podInfo(TestPod("p")));
    auto info = queue.tryPop();
    ASSERT_TRUE(info);
    int64_t cycle = queue.schedulingCycle();
    queue.moveAllToActiveOrBackoff(ClusterEvent::NodeAdd); // arrives while "p" is in flight
    info->unschedulablePlugins = bit(Plugin::NodeResourcesFit);
    queue.addUnschedulable(*info, cycle);
    EXPECT_FALSE(queue.isUnschedulable("default/p"));
    clock.advance(1s);
    EXPECT_EQ(popName(), "p");
}

TEST_F(Queue, SpecChangeOfParkedPodRetriesIt) {
    queue.add(podInfo(TestPod("p").cpu("8")));
    failUnschedulable("p", bit(Plugin::NodeResourcesFit));
    clock.advance(2s);
    queue.update(podInfo(TestPod("p").cpu("1")));
    EXPECT_EQ(popName(), "p");
}

TEST_F(Queue, DeletedPodsLeave) {
    queue.add(podInfo(TestPod("a")));
    queue.add(podInfo(TestPod("b")));
    queue.remove("default/a");
    EXPECT_EQ(popName(), "b");
    queue.done("default/b");
    // Deleted while in flight: not parked afterwards.
    queue.add(podInfo(TestPod("c")));
    auto info = queue.tryPop();
    ASSERT_TRUE(info);
    queue.remove("default/c");
    queue.addUnschedulable(*info, queue.schedulingCycle());
    EXPECT_EQ(queue.sizes().unschedulable, 0u);
    EXPECT_EQ(queue.sizes().inFlight, 0u);
}

TEST_F(Queue, GatedPodsWaitForTheirGates) {
    json::object gated = TestPod("g").spec("schedulingGates",
                                           json::array{json::object{{"name", "example.com/gate"}}});
    queue.add(podInfo(gated));
    EXPECT_EQ(popName(), "<none>");
    EXPECT_EQ(queue.sizes().gated, 1u);
    queue.update(podInfo(TestPod("g")));
    EXPECT_EQ(popName(), "g");
}

TEST_F(Queue, LeftoverUnschedulablePodsRetryAfterFiveMinutes) {
    queue.add(podInfo(TestPod("p")));
    failUnschedulable("p", bit(Plugin::NodeAffinity));
    clock.advance(299s);
    queue.flush();
    EXPECT_EQ(popName(), "<none>");
    clock.advance(31s);
    queue.flush();
    EXPECT_EQ(popName(), "p");
}

TEST_F(Queue, PopBlocksUntilAPodArrivesOrClose) {
    auto none = queue.popFor(10ms);
    EXPECT_FALSE(none);
    std::thread producer([&] { queue.add(podInfo(TestPod("late"))); });
    auto info = queue.pop();
    producer.join();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pod->name, "late");
    std::thread closer([&] { queue.close(); });
    EXPECT_FALSE(queue.pop());
    closer.join();
}

} // namespace
} // namespace pilot::scheduler::test
