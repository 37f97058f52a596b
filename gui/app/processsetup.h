#pragma once

namespace pilot::gui {

/// Process-wide settings for the console, applied first thing in main (and by benchmarks that
/// run the console in-process): with glibc, large buffers (list pages, JSON parse trees) are
/// always mmapped and returned on free instead of raising malloc's dynamic mmap threshold and
/// fragmenting the heap between long-lived records; few arenas so that freed memory is reused.
void configureProcess();

} // namespace pilot::gui
