#include "storage/api_tokens.hpp"

#include <soci/soci.h>

#include "core/errors.hpp"
#include "crypto/crypto.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

namespace {
constexpr std::string_view kPrefix = "mxs_";
std::string Hash(const std::string& token) { return crypto::HexEncode(crypto::Sha256(token)); }
}  // namespace

std::string ApiTokens::Create(const core::Viewer& viewer, const std::string& label) {
    if (viewer.role == core::Role::kSystem) {
        throw core::Error(core::ErrorCode::kInvalidArgument, "tokens cannot carry the system role");
    }
    std::string token = std::string(kPrefix) + crypto::Base64UrlEncode(crypto::RandomBytes(32));
    db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        std::string hash = Hash(token), role(core::ToString(viewer.role));
        long long uid = viewer.user_id.value, now = core::ToEpochMillis(clock_.Now());
        tx.sql() << "INSERT INTO api_tokens (token_hash, user_id, role, label, created_at) VALUES (:h, :u, :r, :l, :c)",
            soci::use(hash), soci::use(uid), soci::use(role), soci::use(label), soci::use(now);
    });
    return token;
}

namespace {

/// The live token with this hash, its user's role, last use and blocked flag (a user without a users row is
/// not blocked).
struct TokenLookup final : PreparedStatement {
    static inline const std::string kSql =
        "SELECT t.user_id, t.role, t.last_used_at, CASE WHEN u.blocked THEN 1 ELSE 0 END FROM api_tokens t "
        "LEFT JOIN users u ON u.id = t.user_id WHERE t.token_hash = :h AND t.revoked_at IS NULL";
    std::string hash, role;
    long long uid = 0, last_used = 0;
    int blocked = 0;
    soci::indicator uid_ind = soci::i_null, last_ind = soci::i_null;
    soci::statement statement;
    explicit TokenLookup(soci::session& s)
        : statement((s.prepare << kSql, soci::use(hash, "h"), soci::into(uid, uid_ind), soci::into(role),
                     soci::into(last_used, last_ind), soci::into(blocked))) {}
};

/// The once-a-minute last-use stamp, prepared once per connection like the lookup.
struct TokenTouch final : PreparedStatement {
    static inline const std::string kSql = "UPDATE api_tokens SET last_used_at = :n WHERE token_hash = :h";
    std::string hash;
    long long now = 0;
    soci::statement statement;
    explicit TokenTouch(soci::session& s) : statement((s.prepare << kSql, soci::use(now, "n"), soci::use(hash, "h"))) {}
};

}  // namespace

std::optional<core::Viewer> ApiTokens::Authenticate(const std::string& token) {
    auto owner = Owner(token);
    if (!owner) return std::nullopt;
    return owner->viewer;
}

std::optional<TokenOwner> ApiTokens::Owner(const std::string& token) {
    if (token.size() != kPrefix.size() + 43 || !token.starts_with(kPrefix)) return std::nullopt;
    std::string hash = Hash(token);
    long long now = core::ToEpochMillis(clock_.Now());
    long long uid = 0, last_used = 0;
    bool blocked = false;
    std::optional<core::Role> role;
    bool found = db_.Read(core::Viewer::System(), [&](Transaction& tx) {
        auto& lookup =
            tx.Prepared<TokenLookup>(TokenLookup::kSql, [&] { return std::make_unique<TokenLookup>(tx.sql()); });
        lookup.hash = hash;
        lookup.uid_ind = lookup.last_ind = soci::i_null;
        bool got = lookup.statement.execute(true) && lookup.uid_ind != soci::i_null;
        FinishRun(tx.dialect(), lookup.statement);
        if (!got) return false;
        uid = lookup.uid;
        last_used = lookup.last_ind == soci::i_null ? 0 : lookup.last_used;
        role = core::ParseRole(lookup.role);
        blocked = lookup.blocked != 0;
        return true;
    });
    if (!found || !role) return std::nullopt;
    // A request is a read: the last-use stamp is refreshed at most once a minute, not written every time.
    if (now - last_used > 60'000) {
        db_.Write(core::Viewer::System(), [&](Transaction& tx) {
            auto& touch =
                tx.Prepared<TokenTouch>(TokenTouch::kSql, [&] { return std::make_unique<TokenTouch>(tx.sql()); });
            touch.now = now;
            touch.hash = hash;
            touch.statement.execute(true);
            FinishRun(tx.dialect(), touch.statement);
        });
    }
    return TokenOwner{core::Viewer{core::UserId{uid}, *role}, blocked};
}

std::vector<ApiTokenInfo> ApiTokens::List() {
    return db_.Read(core::Viewer::System(), [&](Transaction& tx) {
        std::vector<ApiTokenInfo> out;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << "SELECT id, user_id, role, label, created_at, last_used_at, "
                                 "revoked_at FROM api_tokens ORDER BY id");
        for (const auto& row : rows) {
            ApiTokenInfo info;
            info.id = RowInt(row, 0);
            info.viewer = core::Viewer{core::UserId{RowInt(row, 1)},
                                       core::ParseRole(RowText(row, 2)).value_or(core::Role::kMember)};
            info.label = RowText(row, 3);
            info.created_at = core::FromEpochMillis(RowInt(row, 4));
            info.last_used_at = RowOptionalTime(row, 5);
            info.revoked = row.get_indicator(6) != soci::i_null;
            out.push_back(std::move(info));
        }
        return out;
    });
}

bool ApiTokens::Revoke(long long id) {
    return db_.Write(core::Viewer::System(), [&](Transaction& tx) {
        long long now = core::ToEpochMillis(clock_.Now());
        soci::statement st =
            (tx.sql().prepare << "UPDATE api_tokens SET revoked_at = :n WHERE id = :id AND revoked_at IS NULL",
             soci::use(now), soci::use(id));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

}  // namespace maxis::storage
