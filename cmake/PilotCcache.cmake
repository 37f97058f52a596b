# Use ccache when it is installed; rebuilds on CI and in development are then mostly cache hits.
find_program(PILOT_CCACHE ccache)
if(PILOT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${PILOT_CCACHE})
endif()
