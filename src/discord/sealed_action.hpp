#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace maxis::discord {

/// What a component does when used: run the command line, after a modal when it asks for input, with
/// the chosen value appended for a select menu.
enum class ActionKind : char { kButton = 'b', kInput = 'i', kSelect = 's', kModal = 'm' };

struct OpenedAction {
    ActionKind kind;
    std::string action;  // command line without the prefix
};

/// Seals a component's state into its custom_id: "m1<kind>.<base64url action>.<base64url tag>", the tag
/// being the first 96 bits of HMAC-SHA256 over the kind and the action. A member can read the state
/// but cannot alter it or forge another: a click on a forged or tampered component opens nothing.
class ActionSealer {
public:
    /// key: at least 32 bytes (derived from MAXIS_SECRET_KEY).
    explicit ActionSealer(std::string key);
    /// nullopt when the sealed form would exceed Discord's 100 characters (the action is too long).
    [[nodiscard]] std::optional<std::string> Seal(ActionKind kind, std::string_view action) const;
    [[nodiscard]] std::optional<OpenedAction> Open(std::string_view custom_id) const;

private:
    [[nodiscard]] std::string Tag(ActionKind kind, std::string_view action) const;
    std::string key_;
};

}  // namespace maxis::discord
