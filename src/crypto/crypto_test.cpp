#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

namespace maxis::crypto {

TEST(Crypto, Sha256MatchesKnownVector) {
    EXPECT_EQ(HexEncode(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
    EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlHasNoPaddingAndUrlAlphabet) {
    EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
    EXPECT_EQ(Base64UrlEncode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(Base64UrlEncode("fooba"), "Zm9vYmE");
}

TEST(Crypto, RandomHexHasRequestedLengthAndVaries) {
    auto a = RandomHex(32);
    EXPECT_EQ(a.size(), 64u);
    EXPECT_NE(a, RandomHex(32));
}

TEST(Crypto, ConstantTimeEqualsComparesContentAndLength) {
    EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
    EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
    EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
    EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace maxis::crypto
