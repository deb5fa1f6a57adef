#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "discord/rest_client.hpp"

namespace maxis::discord {

struct DoctorOptions {
    std::string application_id;  // expected; empty: not compared
    std::string guild_id;
    std::vector<std::pair<std::string, std::string>> channels;  // config key, id
    std::vector<std::pair<std::string, std::string>> roles;     // config key, id
    bool invite_tracking = true;  // [marketing] enabled: the invites' permissions are needed too
};

/// Checks what Maxis needs from Discord against the REST API: the token, the privileged intents, the
/// guild, the bot's permissions there, the configured channels and roles. Prints one line per check
/// (✓ or ✗ with what to do) and returns the number of problems.
int RunDoctor(RestClient& rest, const DoctorOptions& options, std::ostream& out);

/// Permission bits Maxis needs in its guild, with their names as Discord shows them.
std::vector<std::pair<std::uint64_t, std::string>> RequiredPermissions(bool invite_tracking);

/// Interaction requests over HTTP: Ed25519 over timestamp + body with the application's public key.
bool VerifyInteractionSignature(const std::string& public_key_hex, const std::string& signature_hex,
                                const std::string& timestamp, const std::string& body);

}  // namespace maxis::discord
