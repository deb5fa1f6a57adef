#include "crypto/crypto.hpp"

#include <gtest/gtest.h>

#include <vector>

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

namespace {
std::string Hex(std::string_view hex) { return *maxis::crypto::HexDecode(hex); }
}  // namespace

// RFC 8032 §7.1, TEST 2 (one-byte message) and TEST 3 (two bytes).
TEST(Crypto, Ed25519MatchesRfc8032Vectors) {
    using namespace maxis::crypto;
    auto sk = Hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    auto pk = Hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    auto sig =
        Hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
    EXPECT_EQ(Ed25519PublicKey(sk), pk);
    EXPECT_EQ(Ed25519Sign(sk, Hex("72")), sig);
    EXPECT_TRUE(Ed25519Verify(pk, Hex("72"), sig));
    EXPECT_FALSE(Ed25519Verify(pk, Hex("73"), sig));
    auto bad = sig;
    bad[10] ^= 1;
    EXPECT_FALSE(Ed25519Verify(pk, Hex("72"), bad));
    EXPECT_FALSE(Ed25519Verify(pk.substr(1), Hex("72"), sig));
    EXPECT_FALSE(Ed25519Verify(pk, Hex("72"), sig.substr(0, 63)));

    auto sk3 = Hex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7");
    auto pk3 = Hex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025");
    auto sig3 =
        Hex("6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a");
    EXPECT_EQ(Ed25519PublicKey(sk3), pk3);
    EXPECT_TRUE(Ed25519Verify(pk3, Hex("af82"), sig3));
}

TEST(Crypto, HexAndBase64UrlRoundTripAndRefuseGarbage) {
    using namespace maxis::crypto;
    EXPECT_EQ(HexDecode("00ff10Ab"), std::string("\x00\xff\x10\xab", 4));
    EXPECT_FALSE(HexDecode("abc"));
    EXPECT_FALSE(HexDecode("zz"));
    for (const std::string& s :
         std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\x00\xfe\xff", 3)}) {
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(s)), s);
    }
    EXPECT_FALSE(Base64UrlDecode("a"));
    EXPECT_FALSE(Base64UrlDecode("ab+c"));
    EXPECT_FALSE(Base64UrlDecode("Zm9=")) << "padding is not part of the unpadded alphabet";
    EXPECT_FALSE(Base64UrlDecode("Zh")) << "non-zero trailing bits";
}

// RFC 6238 appendix B, SHA-1 rows (8 digits), and the 6-digit form apps use.
TEST(Crypto, TotpMatchesRfc6238Table) {
    using namespace maxis::crypto;
    const std::string secret = "12345678901234567890";
    const std::pair<long long, const char*> rows[] = {{59, "94287082"},         {1111111109, "07081804"},
                                                      {1111111111, "14050471"}, {1234567890, "89005924"},
                                                      {2000000000, "69279037"}, {20000000000, "65353130"}};
    for (const auto& [t, code] : rows) EXPECT_EQ(Totp(secret, t, 8), code) << t;
    EXPECT_EQ(Totp(secret, 59), "287082");
    EXPECT_EQ(Base32Encode(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    EXPECT_EQ(Base32Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"), secret);
    EXPECT_FALSE(Base32Decode("GEZ1"));
}

// RFC 7636 appendix B.
TEST(Crypto, PkceS256MatchesRfc7636AppendixB) {
    EXPECT_EQ(maxis::crypto::PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

// NIST GCM test vectors (gcmEncryptExtIV256.rsp): 96-bit IV, 128-bit tag.
TEST(Crypto, Aes256GcmMatchesNistVectorsAndRefusesTampering) {
    using namespace maxis::crypto;
    // Count 0 of [Keylen = 256, IVlen = 96, PTlen = 128, AADlen = 128, Taglen = 128].
    auto key = Hex("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b");
    auto iv = Hex("ac93a1a6145299bde902f21a");
    auto pt = Hex("2d71bcfa914e4ac045b2aa60955fad24");
    auto aad = Hex("1e0889016f67601c8ebea4943bc23ad6");
    auto sealed = Aes256GcmSealWithNonce(key, iv, pt, aad);
    EXPECT_EQ(HexEncode(sealed.substr(12, 16)), "8995ae2e6df3dbf96fac7b7137bae67f");
    EXPECT_EQ(HexEncode(sealed.substr(28)), "eca5aa77d51d4a0a14d9c51e1da474ab");
    EXPECT_EQ(Aes256GcmOpen(key, sealed, aad), pt);
    // Any change is refused: a flipped bit, other aad, another key, truncation.
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto bad = sealed;
        bad[i] ^= 1;
        EXPECT_FALSE(Aes256GcmOpen(key, bad, aad)) << i;
    }
    EXPECT_FALSE(Aes256GcmOpen(key, sealed, Hex("1e0889016f67601c8ebea4943bc23ad7")));
    EXPECT_FALSE(Aes256GcmOpen(std::string(32, 'k'), sealed, aad));
    EXPECT_FALSE(Aes256GcmOpen(key, sealed.substr(0, 27), aad));
    auto a = Aes256GcmSeal(key, "session 42", "v1");
    auto b = Aes256GcmSeal(key, "session 42", "v1");
    EXPECT_NE(a, b) << "a fresh nonce each time";
    EXPECT_EQ(Aes256GcmOpen(key, a, "v1"), "session 42");
}

namespace maxis::crypto {
TEST(Sha384, MatchesFips180VectorsAndSriForm) {
    // FIPS 180-2 appendix D.1: SHA-384("abc").
    EXPECT_EQ(HexEncode(Sha384("abc")),
              "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
    // The SRI value of an empty file, as browsers compute it.
    EXPECT_EQ("sha384-" + Base64Encode(Sha384("")),
              "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb");
    EXPECT_EQ(Base64Encode("f"), "Zg==");
    EXPECT_EQ(Base64Encode("fo"), "Zm8=");
    EXPECT_EQ(Base64Encode("foo"), "Zm9v");
    EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}
}  // namespace maxis::crypto
