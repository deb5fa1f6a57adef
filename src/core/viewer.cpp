#include "core/viewer.hpp"

namespace maxis::core {

std::string_view ToString(Role role) {
    switch (role) {
        case Role::kMember:
            return "member";
        case Role::kStaff:
            return "staff";
        case Role::kAdmin:
            return "admin";
        case Role::kOperator:
            return "operator";
        case Role::kSystem:
            return "system";
    }
    return "member";
}

std::optional<Role> ParseRole(std::string_view text) {
    for (Role r : {Role::kMember, Role::kStaff, Role::kAdmin, Role::kOperator, Role::kSystem}) {
        if (text == ToString(r)) return r;
    }
    return std::nullopt;
}

}  // namespace maxis::core
