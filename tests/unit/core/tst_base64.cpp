#include "core/base64.h"

#include <gtest/gtest.h>

using namespace pilot;

TEST(Base64, EncodesRfc4648Vectors) {
    EXPECT_EQ(base64Encode(""), "");
    EXPECT_EQ(base64Encode("f"), "Zg==");
    EXPECT_EQ(base64Encode("fo"), "Zm8=");
    EXPECT_EQ(base64Encode("foo"), "Zm9v");
    EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64Encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64Encode(std::string("\xff\x00\xfe", 3)), "/wD+");
}

TEST(Base64, DecodesWithOrWithoutPaddingAndSkipsLineBreaks) {
    EXPECT_EQ(base64Decode("Zm9vYmFy"), "foobar");
    EXPECT_EQ(base64Decode("Zm9vYg=="), "foob");
    EXPECT_EQ(base64Decode("Zm9vYg"), "foob");
    EXPECT_EQ(base64Decode("Zm9v\nYmFy\r\n"), "foobar");
    EXPECT_EQ(base64Decode("/wD+"), std::string("\xff\x00\xfe", 3));
}

TEST(Base64, RejectsWhatIsNotBase64) {
    EXPECT_FALSE(base64Decode("Zm9v!"));
    EXPECT_FALSE(base64Decode("Zg==Zg"));
    EXPECT_FALSE(base64Decode("Z"));
}

TEST(Base64, RoundTripsEveryByte) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all += static_cast<char>(i);
    }
    for (size_t len = 0; len < all.size(); len += 37) {
        std::string part = all.substr(0, len);
        EXPECT_EQ(base64Decode(base64Encode(part)), part);
    }
}
