# The engine's memory allocator. jemalloc by default (Debian's libjemalloc-dev): with glibc's
# malloc the engine spent 15-25 % of its CPU in malloc and free under load (arena locks,
# malloc_consolidate); jemalloc's per-thread caches took that to a few percent. Linking it
# replaces malloc and free for the whole process, SQLite and OpenSSL included.
#
#   -DPILOT_ALLOCATOR=jemalloc (default; falls back to the system allocator with a warning
#                               where jemalloc is not installed)
#   -DPILOT_ALLOCATOR=system
#
# pilot::allocator carries the choice: link it into the executable that should use it. It
# defines PILOT_WITH_JEMALLOC when jemalloc is linked.
set(PILOT_ALLOCATOR "jemalloc" CACHE STRING "Memory allocator of pilothouse-engine (jemalloc or system)")
set_property(CACHE PILOT_ALLOCATOR PROPERTY STRINGS jemalloc system)

add_library(pilot_allocator INTERFACE)
add_library(pilot::allocator ALIAS pilot_allocator)
set(PILOT_ALLOCATOR_USED "system")
if(PILOT_ALLOCATOR STREQUAL "jemalloc")
    pkg_check_modules(jemalloc IMPORTED_TARGET jemalloc)
    if(jemalloc_FOUND)
        target_link_libraries(pilot_allocator INTERFACE PkgConfig::jemalloc)
        target_compile_definitions(pilot_allocator INTERFACE PILOT_WITH_JEMALLOC)
        set(PILOT_ALLOCATOR_USED "jemalloc")
    else()
        message(WARNING "jemalloc not found (Debian: libjemalloc-dev): pilothouse-engine uses "
                        "the system allocator")
    endif()
elseif(NOT PILOT_ALLOCATOR STREQUAL "system")
    message(FATAL_ERROR "PILOT_ALLOCATOR must be jemalloc or system, not '${PILOT_ALLOCATOR}'")
endif()
