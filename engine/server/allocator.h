#pragma once

#include "engine/apiserver/metrics.h"

#include <string>
#include <vector>

namespace pilot::server {

/// What the process's heap holds, as its allocator counts it.
struct HeapStats {
    std::string allocator; ///< "jemalloc" or "glibc"
    std::string version;
    /// Bytes in live allocations.
    double allocatedBytes = 0;
    /// Bytes the allocator keeps resident: live allocations, its own metadata and freed pages
    /// it has not yet returned to the system.
    double residentBytes = 0;
    /// Arenas the allocator spreads threads over (0 where it does not say).
    unsigned arenas = 0;
};

/// Settles the allocator's configuration before the process starts its threads: at most two
/// arenas, so that memory one thread frees is reused by the others and the heap grows with the
/// data rather than with the thread count (jemalloc reads this from `malloc_conf`; glibc is
/// told with mallopt).
void configureAllocator();

/// Hands freed memory back to the system: glibc trims its heaps; jemalloc purges what has been
/// unused for its decay time (10 s), which it otherwise does only while allocating. Called
/// every few seconds while the engine runs.
void releaseFreeMemory();

/// The heap as the allocator the engine was linked with sees it now (see
/// cmake/PilotAllocator.cmake).
[[nodiscard]] HeapStats heapStats();

/// heapStats() as metric families: pilothouse_memory_allocator_info{allocator,version} 1,
/// pilothouse_memory_heap_allocated_bytes and pilothouse_memory_heap_resident_bytes.
[[nodiscard]] std::vector<apiserver::MetricFamily> heapMetrics();

} // namespace pilot::server
