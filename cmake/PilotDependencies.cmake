# Third-party libraries, all from Debian 12's archive (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json CONFIG)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
# zstd keeps the watch cache's older object versions compressed (libzstd-dev ships a .pc file).
find_package(PkgConfig REQUIRED)
pkg_check_modules(zstd REQUIRED IMPORTED_TARGET libzstd)

# Boost.Beast/Asio are header-only; one target carries their definitions.
add_library(pilot_boost_net INTERFACE)
add_library(pilot::boost_net ALIAS pilot_boost_net)
target_link_libraries(pilot_boost_net INTERFACE Boost::headers Threads::Threads OpenSSL::SSL
    OpenSSL::Crypto)
target_compile_definitions(pilot_boost_net INTERFACE BOOST_ASIO_NO_DEPRECATED
    BOOST_BEAST_USE_STD_STRING_VIEW)
