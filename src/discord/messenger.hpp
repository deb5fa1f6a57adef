#pragma once
#include <map>
#include <mutex>
#include <string>

#include "commands/reply.hpp"
#include "discord/rest_client.hpp"
#include "discord/sealed_action.hpp"

namespace maxis::discord {

/// Sends rendered replies to channels and DMs (opening and caching DM channels). Thread-safe.
class Messenger {
public:
    Messenger(RestClient& rest, const ActionSealer& sealer) : rest_(rest), sealer_(sealer) {}

    /// Posts every message of the rendered reply; stops at the first failure and returns it. reply_to
    /// makes the first message a reply to that message.
    RestResponse Send(const std::string& channel_id, const commands::Reply& reply, const std::string& reply_to = "");
    /// The same in the user's DMs. A 50007 (DMs closed) comes back as such for the caller to fall back.
    RestResponse SendDm(const std::string& user_id, const commands::Reply& reply);
    RestClient& rest() { return rest_; }
    const ActionSealer& sealer() const { return sealer_; }

private:
    RestClient& rest_;
    const ActionSealer& sealer_;
    std::mutex mu_;
    std::map<std::string, std::string> dm_channels_;
};

}  // namespace maxis::discord
