#include "engine/server/allocator.h"

#ifdef PILOT_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#else
#include <gnu/libc-version.h>
#include <malloc.h>
#endif

#include <cstdint>
#include <string>

#ifdef PILOT_WITH_JEMALLOC
// See configureAllocator(). jemalloc reads it when it initialises, before main; it is defined
// in the object the engine's metrics pull in, so that the executable always carries it.
const char* malloc_conf = "narenas:2";
#endif

namespace pilot::server {

#ifdef PILOT_WITH_JEMALLOC

namespace {

template <typename T>
T readMallctl(const char* name, T fallback) {
    T value{};
    size_t size = sizeof(value);
    return mallctl(name, &value, &size, nullptr, 0) == 0 ? value : fallback;
}

} // namespace

void configureAllocator() {}

void releaseFreeMemory() {
    static const std::string decayAll = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".decay";
    mallctl(decayAll.c_str(), nullptr, nullptr, nullptr, 0);
}

HeapStats heapStats() {
    // jemalloc's statistics are a snapshot taken when the epoch advances.
    uint64_t epoch = 1;
    size_t size = sizeof(epoch);
    mallctl("epoch", &epoch, &size, &epoch, size);
    HeapStats stats;
    stats.allocator = "jemalloc";
    stats.version = readMallctl<const char*>("version", "");
    stats.allocatedBytes = static_cast<double>(readMallctl<size_t>("stats.allocated", 0));
    stats.residentBytes = static_cast<double>(readMallctl<size_t>("stats.resident", 0));
    // The configured arenas (arenas.narenas also counts the one for huge allocations).
    stats.arenas = readMallctl<unsigned>("opt.narenas", 0);
    return stats;
}

#else

void configureAllocator() {
    mallopt(M_ARENA_MAX, 2);
}

void releaseFreeMemory() {
    malloc_trim(0);
}

HeapStats heapStats() {
    const struct mallinfo2 info = mallinfo2();
    HeapStats stats;
    stats.allocator = "glibc";
    stats.version = gnu_get_libc_version();
    stats.allocatedBytes = static_cast<double>(info.uordblks + info.hblkhd);
    // What the heaps hold from the system: the arenas and the chunks mapped on their own.
    stats.residentBytes = static_cast<double>(info.arena + info.hblkhd);
    return stats;
}

#endif

std::vector<apiserver::MetricFamily> heapMetrics() {
    const HeapStats stats = heapStats();
    std::vector<apiserver::MetricFamily> out;
    apiserver::MetricFamily info{"pilothouse_memory_allocator_info",
                                 "The memory allocator the process runs with.",
                                 apiserver::MetricType::Gauge,
                                 {"allocator", "version"},
                                 {},
                                 {}};
    info.values[{stats.allocator, stats.version}] = 1;
    out.push_back(std::move(info));
    auto gauge = [&out](std::string name, std::string help, double value) {
        apiserver::MetricFamily family{
            std::move(name), std::move(help), apiserver::MetricType::Gauge, {}, {}, {}};
        family.values[{}] = value;
        out.push_back(std::move(family));
    };
    gauge("pilothouse_memory_heap_allocated_bytes", "Bytes in live heap allocations.",
          stats.allocatedBytes);
    gauge("pilothouse_memory_heap_resident_bytes",
          "Bytes the heap allocator holds: live allocations, its metadata and freed memory not "
          "yet returned to the system.",
          stats.residentBytes);
    return out;
}

} // namespace pilot::server
