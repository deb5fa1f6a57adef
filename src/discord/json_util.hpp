#pragma once
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

namespace maxis::discord {

/// The field as text: a string as is, an integer in decimal (ids arrive either way in outbox payloads);
/// empty when absent or of another type.
std::string Str(const boost::json::object& o, const char* key);
/// The same on a value that should be an object; empty when it is not.
std::string Str(const boost::json::value& v, const char* key);
/// The field when it is an object, else null.
const boost::json::object* Obj(const boost::json::object& o, const char* key);
/// A list of ids (strings or integers) as strings; other elements are skipped; empty when not a list.
std::vector<std::string> Ids(const boost::json::value* list);

/// What is wrong with an interaction's shape where the bot reads it (slash-command options, an
/// attachment option's value, a modal's rows), as the field path and the problem, e.g.
/// "data.options[0]: not an object"; nullopt when it can be read. Such input is the sender's mistake.
std::optional<std::string> MalformedInteraction(const boost::json::object& interaction);

}  // namespace maxis::discord
