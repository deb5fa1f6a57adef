#include "domain/giveaways/draw.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "crypto/crypto.hpp"

namespace maxis::giveaways {

namespace json = boost::json;

namespace {

std::string SeedBytes(std::string_view seed_hex) {
    auto bytes = crypto::HexDecode(seed_hex);
    if (!bytes || bytes->size() != kSeedBytes) {
        throw core::Error(core::ErrorCode::kInvalidArgument, "a seed is 64 hex characters");
    }
    return *bytes;
}

bool IdLess(std::int64_t a, std::int64_t b) { return static_cast<std::uint64_t>(a) < static_cast<std::uint64_t>(b); }

}  // namespace

std::string NewSeed() { return crypto::RandomHex(kSeedBytes); }

std::string SeedHash(std::string_view seed_hex) { return crypto::HexEncode(crypto::Sha256(SeedBytes(seed_hex))); }

bool Unbiased(std::uint64_t x, std::uint64_t m) {
    // 2^64 mod m: the values from 2^64 - (2^64 mod m) up are drawn again (none when m divides 2^64).
    const std::uint64_t rest = (UINT64_MAX % m + 1) % m;
    return rest == 0 || x < std::uint64_t{0} - rest;
}

std::uint64_t UniformIndex(std::string_view seed_bytes, int round, int i, std::uint64_t m) {
    if (m == 0) throw core::Error(core::ErrorCode::kInternal, "nothing to draw from");
    for (long long c = 0;; ++c) {
        auto mac = crypto::HmacSha256(
            seed_bytes, "draw:" + std::to_string(round) + ":" + std::to_string(i) + ":" + std::to_string(c));
        std::uint64_t x = 0;
        for (int b = 0; b < 8; ++b) x = (x << 8) | static_cast<unsigned char>(mac[static_cast<std::size_t>(b)]);
        if (Unbiased(x, m)) return x % m;
    }
}

std::vector<std::int64_t> SortedEntrants(std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end(), IdLess);
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::vector<std::int64_t> DrawRound(std::string_view seed_hex, const std::vector<std::int64_t>& sorted, int round,
                                    int count, const std::vector<std::int64_t>& earlier) {
    auto seed = SeedBytes(seed_hex);
    std::set<std::int64_t> out(earlier.begin(), earlier.end());
    std::vector<std::int64_t> pool;
    pool.reserve(sorted.size());
    for (auto id : sorted) {
        if (!out.contains(id)) pool.push_back(id);
    }
    std::size_t k = std::min(pool.size(), static_cast<std::size_t>(std::max(count, 0)));
    for (std::size_t i = 0; i < k; ++i) {
        auto j = i + UniformIndex(seed, round, static_cast<int>(i), pool.size() - i);
        std::swap(pool[i], pool[j]);
    }
    pool.resize(k);
    return pool;
}

namespace {

json::array Ids(const std::vector<std::int64_t>& ids) {
    json::array a;
    a.reserve(ids.size());
    for (auto id : ids) a.emplace_back(std::to_string(id));
    return a;
}

bool ReadIds(const json::object& o, const char* key, std::vector<std::int64_t>& out, std::string& error) {
    const auto* v = o.if_contains(key);
    if (!v) return true;
    if (!v->is_array()) {
        error = std::string(key) + ": not an array";
        return false;
    }
    for (const auto& e : v->as_array()) {
        std::optional<std::int64_t> id;
        if (e.is_string()) id = core::ParseId(e.as_string());
        if (!id) {
            error = std::string(key) + ": every id is a string of digits";
            return false;
        }
        out.push_back(*id);
    }
    return true;
}

json::array Exclusions(const std::vector<ProofExclusion>& excluded) {
    json::array a;
    for (const auto& e : excluded) a.emplace_back(json::object{{"user", std::to_string(e.user)}, {"reason", e.reason}});
    return a;
}

bool ReadExclusions(const json::object& o, std::vector<ProofExclusion>& out, std::string& error) {
    const auto* v = o.if_contains("excluded");
    if (!v) return true;  // proofs written before rounds had exclusions
    if (!v->is_array()) {
        error = "excluded: not an array";
        return false;
    }
    for (const auto& e : v->as_array()) {
        const auto* eo = e.if_object();
        const auto* user = eo ? eo->if_contains("user") : nullptr;
        std::optional<std::int64_t> id;
        if (user && user->is_string()) id = core::ParseId(user->as_string());
        if (!id) {
            error = "excluded: each is an object whose \"user\" is a string of digits";
            return false;
        }
        const auto* reason = eo->if_contains("reason");
        out.push_back(
            ProofExclusion{*id, reason && reason->is_string() ? std::string(reason->as_string()) : std::string()});
    }
    return true;
}

std::string Text(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string ProofToJson(const Proof& p) {
    json::array rounds;
    for (const auto& r : p.rounds) {
        rounds.emplace_back(json::object{{"round", r.round},
                                         {"count", r.count},
                                         {"winners", Ids(r.winners)},
                                         {"replaces", Ids(r.replaces)},
                                         {"excluded", Exclusions(r.excluded)}});
    }
    return json::serialize(json::object{{"algorithm", kDrawAlgorithm},
                                        {"giveaway", std::to_string(p.giveaway)},
                                        {"prize", p.prize},
                                        {"winners_count", p.winners_count},
                                        {"seed", p.seed},
                                        {"seed_hash", p.seed_hash},
                                        {"entries", Ids(p.entries)},
                                        {"excluded", Exclusions(p.excluded)},
                                        {"rounds", std::move(rounds)}});
}

std::optional<Proof> ProofFromJson(std::string_view text, std::string& error) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    const auto& o = v.as_object();
    if (Text(o, "algorithm") != kDrawAlgorithm) {
        error = std::string("algorithm: expected ") + kDrawAlgorithm;
        return std::nullopt;
    }
    Proof p;
    p.giveaway = core::ParseId(Text(o, "giveaway")).value_or(0);
    p.prize = Text(o, "prize");
    if (const auto* w = o.if_contains("winners_count"); w && w->is_int64()) {
        p.winners_count = static_cast<int>(w->as_int64());
    }
    p.seed = Text(o, "seed");
    p.seed_hash = Text(o, "seed_hash");
    if (!ReadIds(o, "entries", p.entries, error) || !ReadExclusions(o, p.excluded, error)) return std::nullopt;
    const auto* rounds = o.if_contains("rounds");
    if (!rounds || !rounds->is_array()) {
        error = "rounds: not an array";
        return std::nullopt;
    }
    for (const auto& r : rounds->as_array()) {
        const auto* ro = r.if_object();
        if (!ro || !ro->contains("round") || !ro->at("round").is_int64() || !ro->contains("count") ||
            !ro->at("count").is_int64()) {
            error = "rounds: each round is an object with numbers \"round\" and \"count\"";
            return std::nullopt;
        }
        ProofRound round;
        round.round = static_cast<int>(ro->at("round").as_int64());
        round.count = static_cast<int>(std::clamp<std::int64_t>(ro->at("count").as_int64(), 0, 1'000'000));
        if (!ReadIds(r.as_object(), "winners", round.winners, error) ||
            !ReadIds(r.as_object(), "replaces", round.replaces, error) ||
            !ReadExclusions(r.as_object(), round.excluded, error)) {
            return std::nullopt;
        }
        p.rounds.push_back(std::move(round));
    }
    return p;
}

std::vector<std::string> VerifyProof(const Proof& p) {
    std::vector<std::string> problems;
    auto bytes = crypto::HexDecode(p.seed);
    if (!bytes || bytes->size() != kSeedBytes) {
        problems.push_back("the seed is not 64 hex characters");
        return problems;
    }
    if (!crypto::ConstantTimeEquals(SeedHash(p.seed), core::FoldForMatch(p.seed_hash))) {
        problems.push_back("SHA-256(seed) is not the published seed_hash");
    }
    if (SortedEntrants(p.entries) != p.entries)
        problems.push_back("the entries are not sorted ascending without repeats");
    auto sorted = SortedEntrants(p.entries);
    std::vector<std::int64_t> earlier;
    for (std::size_t n = 0; n < p.rounds.size(); ++n) {
        const auto& r = p.rounds[n];
        if (r.round != static_cast<int>(n)) {
            problems.push_back("round " + std::to_string(n) + " is numbered " + std::to_string(r.round));
            break;
        }
        int expected = n == 0 ? p.winners_count : static_cast<int>(r.replaces.size());
        if (r.count != expected) {
            problems.push_back("round " + std::to_string(r.round) + " asks for " + std::to_string(r.count) +
                               " winner(s) instead of " + std::to_string(expected));
        }
        // The round's pool: the entries without earlier winners and without those no longer eligible at it.
        auto out = earlier;
        for (const auto& e : r.excluded) {
            if (!std::binary_search(sorted.begin(), sorted.end(), e.user, IdLess)) {
                problems.push_back("round " + std::to_string(r.round) + " leaves out " + std::to_string(e.user) +
                                   ", who is not in the entries");
            }
            out.push_back(e.user);
        }
        auto drawn = DrawRound(p.seed, sorted, r.round, r.count, out);
        if (drawn != r.winners) problems.push_back("round " + std::to_string(r.round) + " does not draw these winners");
        earlier.insert(earlier.end(), r.winners.begin(), r.winners.end());
    }
    return problems;
}

}  // namespace maxis::giveaways
