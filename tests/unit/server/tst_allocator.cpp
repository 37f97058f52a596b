#include "engine/server/allocator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

using namespace pilot;
using pilot::server::HeapStats;

namespace {

constexpr double MiB = 1024.0 * 1024.0;

/// The name heapStats() gives the allocator cmake/PilotAllocator.cmake chose.
std::string expectedAllocator() {
    const std::string chosen = PILOT_EXPECTED_ALLOCATOR;
    return chosen == "system" ? "glibc" : chosen;
}

TEST(Allocator, theEngineRunsWithTheAllocatorTheBuildChose) {
    const HeapStats stats = server::heapStats();
    EXPECT_EQ(stats.allocator, expectedAllocator());
    EXPECT_FALSE(stats.version.empty());
    if (stats.allocator == "jemalloc") {
        // malloc_conf reached jemalloc: two arenas, whatever the core count.
        EXPECT_EQ(stats.arenas, 2u);
    }
}

TEST(Allocator, heapStatisticsFollowWhatTheProcessAllocates) {
    const HeapStats before = server::heapStats();
    constexpr size_t Size = 48 * 1024 * 1024;
    auto block = std::make_unique<char[]>(Size);
    std::memset(block.get(), 1, Size); // resident, not only reserved
    const HeapStats during = server::heapStats();
    EXPECT_GE(during.allocatedBytes - before.allocatedBytes, 47 * MiB);
    EXPECT_GE(during.residentBytes, during.allocatedBytes);
    block.reset();
    const HeapStats after = server::heapStats();
    EXPECT_LE(after.allocatedBytes, during.allocatedBytes - 47 * MiB);
}

TEST(Allocator, releasingFreeMemoryKeepsLiveAllocations) {
    std::string kept(1024 * 1024, 'k');
    server::releaseFreeMemory();
    EXPECT_TRUE(std::ranges::all_of(kept, [](char c) { return c == 'k'; }));
    EXPECT_GE(server::heapStats().allocatedBytes, 1 * MiB);
}

TEST(Allocator, metricsNameTheAllocatorAndItsHeap) {
    const std::string text = apiserver::renderMetrics(server::heapMetrics());
    const HeapStats stats = server::heapStats();
    EXPECT_NE(text.find("# TYPE pilothouse_memory_allocator_info gauge"), std::string::npos)
        << text;
    EXPECT_NE(text.find("pilothouse_memory_allocator_info{allocator=\"" + expectedAllocator() +
                        "\",version=\"" + stats.version + "\"} 1"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\npilothouse_memory_heap_allocated_bytes "), std::string::npos) << text;
    EXPECT_NE(text.find("\npilothouse_memory_heap_resident_bytes "), std::string::npos) << text;
}

} // namespace
