#pragma once
#include <string>

#include "core/errors.hpp"

namespace maxis::testing {

/// What a call refused, as tests compare it: the core::Error's catalog key (its code's name when it has no key), or
/// "accepted" when the call threw nothing.
template <class F>
std::string KeyOf(F&& f) {
    try {
        f();
    } catch (const core::Error& e) {
        return e.key().empty() ? std::string(core::ToString(e.code())) : e.key();
    }
    return "accepted";
}

}  // namespace maxis::testing
