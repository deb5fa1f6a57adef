#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

struct ApiTokenInfo {
    long long id = 0;
    core::Viewer viewer;
    std::string label;
    core::TimePoint created_at;
    std::optional<core::TimePoint> last_used_at;
    bool revoked = false;
};

/// Who a live token stands for, and whether the staff blocked that user (read with the token, in one query).
struct TokenOwner {
    core::Viewer viewer;
    bool blocked = false;
};

/// API bearer tokens ("mxs_" + 43 base64url characters). The token itself is shown once at creation;
/// only its SHA-256 is kept.
class ApiTokens {
public:
    ApiTokens(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    /// Returns the new token. Throws core::Error(kInvalidArgument) for a system role.
    std::string Create(const core::Viewer& viewer, const std::string& label);
    /// The viewer a live token stands for; nullopt for unknown, malformed or revoked tokens.
    std::optional<core::Viewer> Authenticate(const std::string& token);
    /// The same, with the user's blocked flag: one statement, prepared once per connection.
    std::optional<TokenOwner> Owner(const std::string& token);
    std::vector<ApiTokenInfo> List();
    /// False when no live token has that id.
    bool Revoke(long long id);

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
