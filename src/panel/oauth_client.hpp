#pragma once
#include <string>
#include <vector>

#include "core/ids.hpp"

namespace maxis::panel {

/// Discord's OAuth2 endpoints; configurable so that tests (and self-hosted proxies) point elsewhere.
struct OAuthOptions {
    std::string client_id;
    std::string client_secret;
    std::string authorize_url = "https://discord.com/oauth2/authorize";
    std::string token_url = "https://discord.com/api/oauth2/token";
    std::string api_base_url = "https://discord.com/api/v10";
    std::string guild_id;  // when set, the member's roles in it are read (scope guilds.members.read)
    [[nodiscard]] bool configured() const { return !client_id.empty() && !client_secret.empty(); }
};

/// Who logged in, as Discord told us.
struct OAuthIdentity {
    core::UserId id;
    std::string name;        // server nickname, else global name, else username
    std::string avatar_url;  // on cdn.discordapp.com, or empty
    bool in_guild = false;
    std::vector<std::string> role_ids;  // in the configured guild
    std::string username;               // the account's unique name
};

/// The authorization-code flow with PKCE (RFC 7636, S256). The access token is used for the two reads
/// below and then dropped: Maxis keeps no Discord token for panel users.
class OAuthClient {
public:
    explicit OAuthClient(OAuthOptions options) : options_(std::move(options)) {}

    [[nodiscard]] std::string AuthorizeUrl(const std::string& state, const std::string& code_challenge,
                                           const std::string& redirect_uri) const;
    /// Exchanges the code and reads the user (and their guild roles). Throws core::Error: kUnauthenticated
    /// when Discord refuses the code, kUnavailable when Discord cannot be reached or answers oddly.
    [[nodiscard]] OAuthIdentity Exchange(const std::string& code, const std::string& verifier,
                                         const std::string& redirect_uri) const;
    [[nodiscard]] const OAuthOptions& options() const { return options_; }

private:
    OAuthOptions options_;
};

}  // namespace maxis::panel
