#include "discord/messenger.hpp"

#include <boost/json.hpp>

#include "crypto/crypto.hpp"
#include "discord/render.hpp"

namespace maxis::discord {

namespace json = boost::json;

std::string MessageNonce(const std::string& key, std::size_t part) {
    // 24 hex characters of a digest: Discord allows 25.
    return crypto::HexEncode(crypto::Sha256(key + "#" + std::to_string(part))).substr(0, 24);
}

RestResponse Messenger::Send(const std::string& channel_id, const commands::Reply& reply, const std::string& nonce_key,
                             const std::string& reply_to, const std::vector<UploadFile>& files) {
    auto messages = RenderMessages(reply, sealer_);
    RestResponse last;
    bool first = true;
    for (std::size_t i = 0; i < messages.size(); ++i) {
        auto& m = messages[i];
        m.erase("flags");  // ephemeral exists only for interactions
        m["nonce"] = MessageNonce(nonce_key, i);
        m["enforce_nonce"] = true;
        if (first && !reply_to.empty()) {
            m["message_reference"] = json::object{{"message_id", reply_to}, {"fail_if_not_exists", false}};
        }
        first = false;
        const std::string path = "/channels/" + channel_id + "/messages";
        if (i + 1 == messages.size() && !files.empty()) {
            json::array attachments;
            for (std::size_t f = 0; f < files.size(); ++f) {
                attachments.push_back(json::object{{"id", std::to_string(f)}, {"filename", files[f].filename}});
            }
            m["attachments"] = std::move(attachments);
            last = rest_.PostFiles(path, m, files);
        } else {
            last = rest_.Post(path, m);
        }
        if (!last.ok()) return last;
    }
    return last;
}

RestResponse Messenger::SendDm(const std::string& user_id, const commands::Reply& reply, const std::string& nonce_key) {
    std::string channel;
    {
        std::lock_guard lock(mu_);
        if (auto it = dm_channels_.find(user_id); it != dm_channels_.end()) channel = it->second;
    }
    if (channel.empty()) {
        auto opened = rest_.Post("/users/@me/channels", json::object{{"recipient_id", user_id}});
        if (!opened.ok()) return opened;
        channel = std::string(opened.json.at("id").as_string());
        std::lock_guard lock(mu_);
        dm_channels_[user_id] = channel;
    }
    return Send(channel, reply, nonce_key);
}

}  // namespace maxis::discord
