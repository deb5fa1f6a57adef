#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "commands/reply.hpp"
#include "discord/rest_client.hpp"
#include "discord/sealed_action.hpp"

namespace maxis::discord {

/// The nonce of the part-th message sent for what `key` names (a command's message, an outbox item): at
/// most 25 characters, the same on every retry and after a restart, so that Discord, told to enforce it,
/// returns the message it already created instead of creating it twice.
std::string MessageNonce(const std::string& key, std::size_t part);

/// Sends rendered replies to channels and DMs (opening and caching DM channels). Every message carries a
/// nonce derived from nonce_key, with enforce_nonce: a retry after an answer that got lost (a 5xx from
/// Discord's edge after the message was created) never posts it twice. Thread-safe.
class Messenger {
public:
    Messenger(RestClient& rest, const ActionSealer& sealer) : rest_(rest), sealer_(sealer) {}

    /// Posts every message of the rendered reply; stops at the first failure and returns it. reply_to
    /// makes the first message a reply to that message. nonce_key names what is answered or delivered
    /// ("m<message id>", "o<outbox key>"), stable across retries and restarts. files go with the last message
    /// (multipart/form-data, each named in its `attachments`).
    RestResponse Send(const std::string& channel_id, const commands::Reply& reply, const std::string& nonce_key,
                      const std::string& reply_to = "", const std::vector<UploadFile>& files = {});
    /// The same in the user's DMs. A 50007 (DMs closed) comes back as such for the caller to fall back.
    RestResponse SendDm(const std::string& user_id, const commands::Reply& reply, const std::string& nonce_key);
    RestClient& rest() { return rest_; }
    const ActionSealer& sealer() const { return sealer_; }

private:
    RestClient& rest_;
    const ActionSealer& sealer_;
    std::mutex mu_;
    std::map<std::string, std::string> dm_channels_;
};

}  // namespace maxis::discord
