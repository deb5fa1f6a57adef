#pragma once
#include <string>

#include "commands/engine.hpp"

namespace maxis::commands {

/// Declares !help (the list for the caller's role, or one command in detail) and !ping.
void RegisterBuiltinCommands(Engine& engine, std::string version);

}  // namespace maxis::commands
