// Boost.URL is compiled into this library from its headers (Debian ships no libboost_url):
// the one translation unit that includes its sources.
#include <boost/url/src.hpp>
