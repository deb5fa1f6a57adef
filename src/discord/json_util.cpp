#include "discord/json_util.hpp"

namespace maxis::discord {

namespace json = boost::json;

namespace {
std::string Text(const json::value* v) {
    if (!v) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    return {};
}
}  // namespace

std::string Str(const json::object& o, const char* key) { return Text(o.if_contains(key)); }

std::string Str(const json::value& v, const char* key) { return v.is_object() ? Str(v.as_object(), key) : std::string(); }

const json::object* Obj(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->as_object() : nullptr;
}

std::vector<std::string> Ids(const json::value* list) {
    std::vector<std::string> out;
    if (!list || !list->is_array()) return out;
    for (const auto& e : list->as_array()) {
        if (auto id = Text(&e); !id.empty()) out.push_back(std::move(id));
    }
    return out;
}

}  // namespace maxis::discord
