#include "domain/giveaways/draw.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/errors.hpp"

namespace maxis::giveaways {
namespace {

const std::string kSeed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::vector<std::int64_t> Range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i <= to; ++i) out.push_back(i);
    return out;
}

// The worked example of docs/giveaway-draw.md, computed by the independent implementation in
// tests/e2e/giveaways/draw.mjs (node:crypto).
TEST(Draw, MatchesTheDocumentedVector) {
    EXPECT_EQ(SeedHash(kSeed), "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
    auto round0 = DrawRound(kSeed, Range(1, 10), 0, 3, {});
    EXPECT_EQ(round0, (std::vector<std::int64_t>{4, 3, 8}));
    EXPECT_EQ(DrawRound(kSeed, Range(1, 10), 1, 1, round0), (std::vector<std::int64_t>{2}));
    // The same round with 2 no longer eligible: left out of the pool like an earlier winner.
    EXPECT_EQ(DrawRound(kSeed, Range(1, 10), 1, 1, {4, 3, 8, 2}), (std::vector<std::int64_t>{7}));
    // Ids sort as unsigned 64-bit numbers, not as text.
    auto big = SortedEntrants(
        {1000000000000000000, 9223372036854775807, 80351110224678912, 270904126974590976, 175928847299117063});
    EXPECT_EQ(big.front(), 80351110224678912);
    EXPECT_EQ(DrawRound(kSeed, big, 0, 2, {}), (std::vector<std::int64_t>{1000000000000000000, 80351110224678912}));
}

TEST(Draw, KeepsValuesBelowTwoToThe64LessTwoToThe64ModM) {
    // As docs/giveaway-draw.md says: x < 2^64 - (2^64 mod m). When m divides 2^64 nothing is drawn again.
    EXPECT_TRUE(Unbiased(UINT64_MAX, 64));
    EXPECT_TRUE(Unbiased(UINT64_MAX, 1));
    EXPECT_TRUE(Unbiased(UINT64_MAX, std::uint64_t{1} << 63));
    // 2^64 mod 3 = 1: only 2^64 - 1 is drawn again.
    EXPECT_FALSE(Unbiased(UINT64_MAX, 3));
    EXPECT_TRUE(Unbiased(UINT64_MAX - 1, 3));
    // 2^64 mod 10 = 6: the six highest values are drawn again.
    EXPECT_FALSE(Unbiased(UINT64_MAX - 5, 10));
    EXPECT_TRUE(Unbiased(UINT64_MAX - 6, 10));
}

TEST(Draw, IsDeterministicAndDependsOnTheSeed) {
    auto ids = Range(1, 500);
    EXPECT_EQ(DrawRound(kSeed, ids, 0, 10, {}), DrawRound(kSeed, ids, 0, 10, {}));
    auto other = NewSeed();
    EXPECT_EQ(other.size(), 64u);
    EXPECT_NE(other, NewSeed());
    EXPECT_NE(DrawRound(other, ids, 0, 10, {}), DrawRound(kSeed, ids, 0, 10, {}));
    EXPECT_THROW(DrawRound("abcd", ids, 0, 1, {}), core::Error);
}

TEST(Draw, RerollsNeverReturnAnEarlierWinner) {
    auto ids = Range(1, 12);
    std::vector<std::int64_t> earlier;
    for (int round = 0; round < 6; ++round) {
        auto drawn = DrawRound(kSeed, ids, round, 2, earlier);
        ASSERT_EQ(drawn.size(), 2u) << "round " << round;
        for (auto id : drawn) {
            EXPECT_EQ(std::count(earlier.begin(), earlier.end(), id), 0) << "round " << round << " drew " << id;
        }
        earlier.insert(earlier.end(), drawn.begin(), drawn.end());
    }
    // Everyone has won: nothing is left to draw.
    EXPECT_TRUE(DrawRound(kSeed, ids, 6, 2, earlier).empty());
}

TEST(Draw, WinnersAreDistinctAndCoverThePoolEvenly) {
    // Every position is reachable: over many seeds, each of 5 entrants wins round 0 of 1 about a fifth of the time.
    std::map<std::int64_t, int> wins;
    for (int s = 0; s < 2000; ++s) wins[DrawRound(NewSeed(), Range(1, 5), 0, 1, {}).front()]++;
    for (auto id : Range(1, 5)) {
        EXPECT_GT(wins[id], 250) << id;
        EXPECT_LT(wins[id], 550) << id;
    }
    auto all = DrawRound(kSeed, Range(1, 50), 0, 50, {});
    EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), 50u);
}

constexpr const char* kExcludedLeftForTest = "left";

TEST(Draw, AProofRoundTripsAndVerifies) {
    Proof p{.giveaway = 7, .prize = "Nitro", .winners_count = 3, .seed = kSeed, .seed_hash = SeedHash(kSeed)};
    p.entries = Range(1, 10);
    p.rounds.push_back(ProofRound{.round = 0, .count = 3, .winners = {4, 3, 8}});
    p.rounds.push_back(ProofRound{.round = 1, .count = 1, .winners = {2}, .replaces = {3}});
    EXPECT_TRUE(VerifyProof(p).empty());
    std::string error;
    auto back = ProofFromJson(ProofToJson(p), error);
    ASSERT_TRUE(back) << error;
    EXPECT_TRUE(VerifyProof(*back).empty());
    EXPECT_EQ(back->entries, p.entries);
    EXPECT_EQ(back->rounds[1].replaces, (std::vector<std::int64_t>{3}));

    auto forged = p;
    forged.rounds[0].winners = {4, 3, 9};
    EXPECT_EQ(VerifyProof(forged).size(), 1u);
    auto truncated = p;
    truncated.rounds[0].count = 2;
    truncated.rounds[0].winners = {4, 3};
    EXPECT_FALSE(VerifyProof(truncated).empty());
    auto other_seed = p;
    other_seed.seed_hash = SeedHash(NewSeed());
    EXPECT_FALSE(VerifyProof(other_seed).empty());
    auto unsorted = p;
    std::swap(unsorted.entries[0], unsorted.entries[1]);
    EXPECT_FALSE(VerifyProof(unsorted).empty());

    // A round's exclusions are part of its pool: published, they verify; dropped, the round no longer does.
    auto excluding = p;
    excluding.rounds[1].winners = {7};
    excluding.rounds[1].excluded = {ProofExclusion{2, kExcludedLeftForTest}};
    EXPECT_TRUE(VerifyProof(excluding).empty());
    auto again = ProofFromJson(ProofToJson(excluding), error);
    ASSERT_TRUE(again) << error;
    ASSERT_EQ(again->rounds[1].excluded.size(), 1u);
    EXPECT_EQ(again->rounds[1].excluded[0].user, 2);
    EXPECT_EQ(again->rounds[1].excluded[0].reason, kExcludedLeftForTest);
    EXPECT_TRUE(VerifyProof(*again).empty());
    auto hidden = excluding;
    hidden.rounds[1].excluded.clear();
    EXPECT_EQ(VerifyProof(hidden).size(), 1u);
    EXPECT_FALSE(
        ProofFromJson(R"({"algorithm":"maxis-draw-v1","rounds":[{"round":0,"count":1,"excluded":[{}]}]})", error));
    EXPECT_NE(error.find("excluded"), std::string::npos);

    EXPECT_FALSE(ProofFromJson("[]", error));
    EXPECT_FALSE(ProofFromJson(R"({"algorithm":"other"})", error));
    EXPECT_NE(error.find("algorithm"), std::string::npos);
    EXPECT_FALSE(ProofFromJson(R"({"algorithm":"maxis-draw-v1","entries":[1],"rounds":[]})", error));
    EXPECT_NE(error.find("entries"), std::string::npos);
}

}  // namespace
}  // namespace maxis::giveaways
