#pragma once

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string_view>

namespace pilot::kube::test {

/// Parses JSON test literals (they are trusted; a typo fails the test loudly).
inline boost::json::value J(std::string_view text) {
    boost::json::parse_options options;
    options.max_depth = 100000;
    return boost::json::parse(text, {}, options);
}

/// Compares numerically-equal JSON values as equal and prints both on failure.
#define EXPECT_JSON_EQ(actual, expected)                                                           \
    EXPECT_TRUE(::pilot::kube::jsonEqual((actual), (expected)))                                    \
        << "  actual: " << boost::json::serialize(actual)                                          \
        << "\nexpected: " << boost::json::serialize(expected)

} // namespace pilot::kube::test
