#include "core/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

using namespace pilot;

TEST(Random, UuidIsVersion4) {
    std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        std::string id = newUuid();
        EXPECT_TRUE(std::regex_match(id, pattern)) << id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 100u);
}

TEST(Random, NameSuffixUsesKubernetesAlphabet) {
    std::string s = randomNameSuffix(5);
    ASSERT_EQ(s.size(), 5u);
    for (char c : s) {
        EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c), std::string_view::npos);
    }
}
