# One INTERFACE target carries the project's warning set; every target links it.
add_library(pilot_warnings INTERFACE)
add_library(pilot::warnings ALIAS pilot_warnings)
target_compile_options(pilot_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough -Wno-missing-field-initializers)
if(PILOT_WERROR)
    target_compile_options(pilot_warnings INTERFACE -Werror)
endif()

# Adds a library target named pilot_<name> with alias pilot::<name> from the listed sources.
function(pilot_add_library name)
    add_library(pilot_${name} ${ARGN})
    add_library(pilot::${name} ALIAS pilot_${name})
    target_link_libraries(pilot_${name} PRIVATE pilot::warnings)
    target_include_directories(pilot_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>)
endfunction()
