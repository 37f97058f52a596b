#include "kube/client/workqueue.h"

#include "core/clock.h"
#include "kube/client/ratelimiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace pilot;
using namespace pilot::kube;
using namespace std::chrono_literals;

namespace {

TimePoint epoch() {
    return TimePoint(std::chrono::seconds(1893553445));
}

/// A queue on a manual clock whose only limiter is the per-item exponential one, so delays are
/// exact.
struct ManualQueue {
    ManualClock clock{epoch()};
    WorkQueue queue{std::make_unique<ItemExponentialRateLimiter>(5ms, 1000s), &clock};
};

TEST(WorkQueue, aKeyAddedTwiceIsHandedOutOnce) {
    WorkQueue queue;
    queue.add("default/a");
    queue.add("default/b");
    queue.add("default/a");
    EXPECT_EQ(queue.len(), 2U);
    EXPECT_EQ(queue.tryGet(), "default/a");
    EXPECT_EQ(queue.tryGet(), "default/b");
    EXPECT_EQ(queue.tryGet(), std::nullopt);
}

TEST(WorkQueue, aKeyBeingProcessedIsNotHandedToASecondWorker) {
    WorkQueue queue;
    queue.add("a");
    ASSERT_EQ(queue.tryGet(), "a");
    queue.add("a"); // changed again while a worker handles it
    queue.add("a");
    EXPECT_EQ(queue.tryGet(), std::nullopt) << "a is still being processed";
    queue.done("a");
    EXPECT_EQ(queue.tryGet(), "a") << "the change seen during processing is not lost";
    queue.done("a");
    EXPECT_EQ(queue.tryGet(), std::nullopt) << "and it is handed out only once";
}

TEST(WorkQueue, doneWithoutNewAddsDoesNotRequeue) {
    WorkQueue queue;
    queue.add("a");
    ASSERT_EQ(queue.tryGet(), "a");
    queue.done("a");
    EXPECT_EQ(queue.len(), 0U);
    EXPECT_EQ(queue.tryGet(), std::nullopt);
}

TEST(WorkQueue, keysComeOutInTheOrderTheyWereFirstAdded) {
    WorkQueue queue;
    for (const char* key : {"c", "a", "b", "a", "c"}) {
        queue.add(key);
    }
    EXPECT_EQ(queue.tryGet(), "c");
    EXPECT_EQ(queue.tryGet(), "a");
    EXPECT_EQ(queue.tryGet(), "b");
}

TEST(WorkQueue, addAfterBecomesReadyAtItsTime) {
    ManualQueue q;
    q.queue.addAfter("a", 100ms);
    EXPECT_EQ(q.queue.tryGet(), std::nullopt);
    q.clock.advance(99ms);
    EXPECT_EQ(q.queue.tryGet(), std::nullopt);
    q.clock.advance(1ms);
    EXPECT_EQ(q.queue.tryGet(), "a");
}

TEST(WorkQueue, aKeyWaitingTwiceKeepsTheEarlierTimeAndComesOnce) {
    ManualQueue q;
    q.queue.addAfter("a", 500ms);
    q.queue.addAfter("a", 100ms);
    q.queue.addAfter("a", 300ms);
    q.clock.advance(100ms);
    EXPECT_EQ(q.queue.tryGet(), "a");
    q.queue.done("a");
    q.clock.advance(1s);
    EXPECT_EQ(q.queue.tryGet(), std::nullopt) << "the later adds were merged into the first";
}

TEST(WorkQueue, aDelayedKeyAlreadyQueuedIsNotDuplicated) {
    ManualQueue q;
    q.queue.add("a");
    q.queue.addAfter("a", 10ms);
    q.clock.advance(10ms);
    EXPECT_EQ(q.queue.len(), 1U);
    EXPECT_EQ(q.queue.tryGet(), "a");
    EXPECT_EQ(q.queue.tryGet(), std::nullopt);
}

TEST(WorkQueue, retriesBackOffExponentiallyPerKeyUntilForgotten) {
    ManualQueue q;
    const std::chrono::milliseconds expected[] = {5ms, 10ms, 20ms, 40ms};
    for (std::chrono::milliseconds delay : expected) {
        q.queue.addRateLimited("a");
        q.clock.advance(delay - 1ms);
        EXPECT_EQ(q.queue.tryGet(), std::nullopt) << "before " << delay.count() << " ms";
        q.clock.advance(1ms);
        ASSERT_EQ(q.queue.tryGet(), "a") << "after " << delay.count() << " ms";
        q.queue.done("a");
    }
    EXPECT_EQ(q.queue.numRequeues("a"), 4);
    EXPECT_EQ(q.queue.numRequeues("b"), 0) << "back-off is per key";

    q.queue.forget("a");
    EXPECT_EQ(q.queue.numRequeues("a"), 0);
    q.queue.addRateLimited("a");
    q.clock.advance(5ms);
    EXPECT_EQ(q.queue.tryGet(), "a") << "after forget the back-off starts at 5 ms again";
}

TEST(RateLimiter, perItemBackOffIsCappedAt1000Seconds) {
    ItemExponentialRateLimiter limiter(5ms, 1000s);
    std::chrono::nanoseconds last{0};
    for (int i = 0; i < 40; ++i) {
        last = limiter.when("a");
    }
    EXPECT_EQ(last, std::chrono::nanoseconds(1000s));
    EXPECT_EQ(limiter.when("b"), std::chrono::nanoseconds(5ms));
}

TEST(RateLimiter, tokenBucketAllowsABurstThenTenPerSecond) {
    ManualClock clock(epoch());
    TokenBucketRateLimiter limiter(10.0, 100, clock);
    for (int i = 0; i < 100; ++i) {
        ASSERT_EQ(limiter.when("k" + std::to_string(i)), std::chrono::nanoseconds(0)) << i;
    }
    EXPECT_EQ(limiter.when("x"), std::chrono::nanoseconds(100ms));
    EXPECT_EQ(limiter.when("y"), std::chrono::nanoseconds(200ms));
    clock.advance(1s); // ten tokens refilled, two of them already promised
    for (int i = 0; i < 8; ++i) {
        EXPECT_EQ(limiter.when("z"), std::chrono::nanoseconds(0)) << i;
    }
    EXPECT_EQ(limiter.when("z"), std::chrono::nanoseconds(100ms));
}

TEST(RateLimiter, theControllerDefaultTakesTheLongerOfBothDelays) {
    ManualClock clock(epoch());
    std::unique_ptr<RateLimiter> limiter = defaultControllerRateLimiter(clock);
    EXPECT_EQ(limiter->when("a"), std::chrono::nanoseconds(5ms));
    EXPECT_EQ(limiter->when("a"), std::chrono::nanoseconds(10ms));
    for (int i = 0; i < 98; ++i) {
        (void)limiter->when("item" + std::to_string(i));
    }
    // The bucket is empty now: a fresh item waits for the bucket, not for its own 5 ms.
    EXPECT_EQ(limiter->when("fresh"), std::chrono::nanoseconds(100ms));
    EXPECT_EQ(limiter->numRequeues("a"), 2);
    limiter->forget("a");
    EXPECT_EQ(limiter->numRequeues("a"), 0);
}

TEST(WorkQueue, aBlockedGetReceivesAKeyAddedByAnotherThread) {
    WorkQueue queue;
    auto worker = std::async(std::launch::async, [&queue] { return queue.get(); });
    queue.add("default/web");
    EXPECT_EQ(worker.get(), "default/web");
}

TEST(WorkQueue, aBlockedGetWaitsForADelayedKey) {
    WorkQueue queue;
    auto started = std::chrono::system_clock::now();
    queue.addAfter("a", 30ms);
    auto worker = std::async(std::launch::async, [&queue] { return queue.get(); });
    EXPECT_EQ(worker.get(), "a");
    EXPECT_GE(std::chrono::system_clock::now() - started, 30ms);
}

TEST(WorkQueue, shutDownReleasesBlockedWorkersAndRejectsNewKeys) {
    WorkQueue queue;
    auto first = std::async(std::launch::async, [&queue] { return queue.get(); });
    auto second = std::async(std::launch::async, [&queue] { return queue.get(); });
    queue.shutDown();
    EXPECT_EQ(first.get(), std::nullopt);
    EXPECT_EQ(second.get(), std::nullopt);
    EXPECT_TRUE(queue.shuttingDown());
    queue.add("a");
    queue.addAfter("b", 1ms);
    EXPECT_EQ(queue.len(), 0U);
    EXPECT_EQ(queue.get(), std::nullopt) << "get never blocks after shutdown";
}

TEST(WorkQueue, workersTogetherProcessEveryKeyAndNeverOneKeyTwiceAtOnce) {
    WorkQueue queue;
    std::mutex mutex;
    std::condition_variable progress;
    std::set<std::string> inFlight;
    std::map<std::string, int> processed;
    bool overlap = false;
    auto worker = [&] {
        while (auto key = queue.get()) {
            {
                std::lock_guard lock(mutex);
                overlap = overlap || !inFlight.insert(*key).second;
            }
            std::this_thread::yield();
            {
                std::lock_guard lock(mutex);
                inFlight.erase(*key);
                ++processed[*key];
            }
            progress.notify_all();
            queue.done(*key);
        }
    };
    std::vector<std::thread> workers;
    for (int i = 0; i < 4; ++i) {
        workers.emplace_back(worker);
    }
    for (int round = 0; round < 200; ++round) {
        queue.add("k" + std::to_string(round % 7));
    }
    {
        std::unique_lock lock(mutex);
        EXPECT_TRUE(progress.wait_for(lock, 10s, [&] { return processed.size() == 7; }));
    }
    queue.shutDown();
    for (std::thread& t : workers) {
        t.join();
    }
    EXPECT_FALSE(overlap);
    EXPECT_EQ(processed.size(), 7U);
}

} // namespace
