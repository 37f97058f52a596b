#include "core/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

using namespace pilot;

TEST(Random, UuidIsVersion4) {
    std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    std::set<std::string> seen;
    // Many more than one block of pooled randomness, mixed with other draws.
    for (int i = 0; i < 1000; ++i) {
        std::string id = newUuid();
        EXPECT_TRUE(std::regex_match(id, pattern)) << id;
        seen.insert(id);
        (void)randomNameSuffix(static_cast<size_t>(i % 7));
    }
    EXPECT_EQ(seen.size(), 1000u);
    EXPECT_EQ(randomHex(2048).size(), 4096u) << "a draw larger than the pool";
}

TEST(Random, NameSuffixUsesKubernetesAlphabet) {
    std::string s = randomNameSuffix(5);
    ASSERT_EQ(s.size(), 5u);
    for (char c : s) {
        EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c), std::string_view::npos);
    }
}
