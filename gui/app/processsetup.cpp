#include "gui/app/processsetup.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pilot::gui {

void configureProcess() {
#if defined(__GLIBC__)
    // A fixed threshold also turns off glibc's dynamic adjustment, which after the first freed
    // multi-megabyte page would put every later page in the heap.
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_ARENA_MAX, 2);
#endif
}

} // namespace pilot::gui
