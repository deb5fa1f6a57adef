#include "discord/sealed_action.hpp"

#include "core/errors.hpp"
#include "crypto/crypto.hpp"

namespace maxis::discord {

namespace {
constexpr std::size_t kMaxCustomId = 100;
constexpr std::size_t kTagBytes = 12;
}  // namespace

ActionSealer::ActionSealer(std::string key) : key_(std::move(key)) {
    if (key_.size() < 32) throw core::Error(core::ErrorCode::kInternal, "the component sealing key needs 32 bytes");
}

std::string ActionSealer::Tag(ActionKind kind, std::string_view action) const {
    std::string data = "discord.component.v1|";
    data += static_cast<char>(kind);
    data += '|';
    data += action;
    return crypto::Base64UrlEncode(crypto::HmacSha256(key_, data).substr(0, kTagBytes));
}

std::optional<std::string> ActionSealer::Seal(ActionKind kind, std::string_view action) const {
    std::string id = "m1";
    id += static_cast<char>(kind);
    id += '.';
    id += crypto::Base64UrlEncode(action);
    id += '.';
    id += Tag(kind, action);
    if (id.size() > kMaxCustomId) return std::nullopt;
    return id;
}

std::optional<OpenedAction> ActionSealer::Open(std::string_view custom_id) const {
    if (custom_id.size() > kMaxCustomId || custom_id.size() < 5 || custom_id.substr(0, 2) != "m1" ||
        custom_id[3] != '.') {
        return std::nullopt;
    }
    auto kind = static_cast<ActionKind>(custom_id[2]);
    if (kind != ActionKind::kButton && kind != ActionKind::kInput && kind != ActionKind::kSelect &&
        kind != ActionKind::kModal) {
        return std::nullopt;
    }
    auto rest = custom_id.substr(4);
    auto dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto action = crypto::Base64UrlDecode(rest.substr(0, dot));
    if (!action) return std::nullopt;
    if (!crypto::ConstantTimeEquals(Tag(kind, *action), rest.substr(dot + 1))) return std::nullopt;
    return OpenedAction{kind, std::move(*action)};
}

}  // namespace maxis::discord
