#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maxis::giveaways {

/// The provably fair draw (docs/giveaway-draw.md, "maxis-draw-v1"): a pure function of the secret seed, the
/// sorted entrants, the round and the winners of earlier rounds. Anyone holding the published proof can
/// recompute every round.

inline constexpr const char* kDrawAlgorithm = "maxis-draw-v1";
inline constexpr std::size_t kSeedBytes = 32;

/// 32 random bytes from the CSPRNG, as 64 lowercase hex characters.
std::string NewSeed();
/// The commitment published at the start: lowercase hex SHA-256 of the seed's 32 raw bytes.
std::string SeedHash(std::string_view seed_hex);

/// A uniform integer in [0, m) for draw `i` of `round`: HMAC-SHA256(seed, "draw:<round>:<i>:<c>") read as a
/// big-endian 64-bit integer, with c = 0, 1... until the value is below 2^64 - (2^64 mod m) (no modulo bias).
/// m >= 1.
std::uint64_t UniformIndex(std::string_view seed_bytes, int round, int i, std::uint64_t m);
/// Whether x (a draw's 64-bit value) is kept for a range of m: x < 2^64 - (2^64 mod m), every x when m divides 2^64.
bool Unbiased(std::uint64_t x, std::uint64_t m);

/// The entrant ids in the draw's order: ascending as unsigned 64-bit numbers, duplicates removed.
std::vector<std::int64_t> SortedEntrants(std::vector<std::int64_t> ids);

/// Draws `count` winners (fewer when the pool is smaller) of round `round` from `sorted` (SortedEntrants)
/// minus `earlier` (every winner of earlier rounds): a partial Fisher–Yates shuffle over the remaining ids
/// in ascending order, position i swapped with i + UniformIndex(seed, round, i, n - i). seed_hex: 64 hex.
std::vector<std::int64_t> DrawRound(std::string_view seed_hex, const std::vector<std::int64_t>& sorted, int round,
                                    int count, const std::vector<std::int64_t>& earlier);

struct ProofExclusion {
    std::int64_t user = 0;
    std::string reason;
};

/// One round as published: who it drew, which earlier winners it replaced, and which entrants were no longer
/// eligible at that round (left out of its pool; always none in round 0, whose exclusions are Proof::excluded).
struct ProofRound {
    int round = 0;
    int count = 0;  // how many were asked for (the winners are fewer only when the pool ran out)
    std::vector<std::int64_t> winners;
    std::vector<std::int64_t> replaces;
    std::vector<ProofExclusion> excluded;
};

/// Everything needed to recompute a giveaway's draw, published once it has ended.
struct Proof {
    std::int64_t giveaway = 0;
    std::string prize;
    int winners_count = 0;
    std::string seed;                      // hex
    std::string seed_hash;                 // hex, published at the start
    std::vector<std::int64_t> entries;     // sorted: those who took part in the draw (round 0)
    std::vector<ProofExclusion> excluded;  // left out at the draw, not in `entries`
    std::vector<ProofRound> rounds;
};

/// The proof as JSON (ids as decimal strings: they exceed what a double holds).
std::string ProofToJson(const Proof& proof);
/// Reads a proof; nullopt with `error` set when the text is not one.
std::optional<Proof> ProofFromJson(std::string_view text, std::string& error);

/// Recomputes the proof: the seed's hash, the entries' order and every round. Empty when it all matches,
/// otherwise what does not (in English, for the command line).
std::vector<std::string> VerifyProof(const Proof& proof);

}  // namespace maxis::giveaways
