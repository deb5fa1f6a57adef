#pragma once
#include <optional>
#include <string_view>

#include "core/ids.hpp"

namespace maxis::core {

/// Who is acting. Ordered: a higher role has every permission of a lower one. kSystem is Maxis itself
/// (jobs, the outbox, webhooks) and is never a chat user's role.
enum class Role { kMember = 0, kStaff = 1, kAdmin = 2, kOperator = 3, kSystem = 4 };

std::string_view ToString(Role role);
/// Parses "member", "staff", "admin", "operator" (and "system"); nullopt otherwise.
std::optional<Role> ParseRole(std::string_view text);

/// The viewer context that travels with every transaction and command.
struct Viewer {
    UserId user_id;
    Role role = Role::kMember;

    [[nodiscard]] bool AtLeast(Role r) const { return static_cast<int>(role) >= static_cast<int>(r); }
    [[nodiscard]] bool IsStaff() const { return AtLeast(Role::kStaff); }
    static Viewer System() { return Viewer{UserId{0}, Role::kSystem}; }
};

}  // namespace maxis::core
