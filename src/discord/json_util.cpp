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

std::string Str(const json::value& v, const char* key) {
    return v.is_object() ? Str(v.as_object(), key) : std::string();
}

const json::object* Obj(const json::object& o, const char* key) {
    auto* v = o.if_contains(key);
    return v && v->is_object() ? &v->as_object() : nullptr;
}

std::optional<std::string> MalformedInteraction(const json::object& interaction) {
    const auto* data = Obj(interaction, "data");
    if (!data) return std::nullopt;
    if (const auto* options = data->if_contains("options")) {
        if (!options->is_array()) return "data.options: not a list";
        const auto& list = options->as_array();
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto path = "data.options[" + std::to_string(i) + "]";
            if (!list[i].is_object()) return path + ": not an object";
            const auto& option = list[i].as_object();
            if (option.contains("type") && option.at("type") == 11 && !option.contains("value"))
                return path + ".value: missing";
        }
    }
    const auto* type = interaction.if_contains("type");
    if (type == nullptr || *type != 5) return std::nullopt;  // MODAL_SUBMIT: rows of components
    const auto* rows = data->if_contains("components");
    if (rows == nullptr || !rows->is_array()) return "data.components: not a list";
    for (std::size_t r = 0; r < rows->as_array().size(); ++r) {
        auto path = "data.components[" + std::to_string(r) + "]";
        const auto& row = rows->as_array()[r];
        if (!row.is_object()) return path + ": not an object";
        const auto* items = row.as_object().if_contains("components");
        if (items == nullptr || !items->is_array()) return path + ".components: not a list";
        for (std::size_t c = 0; c < items->as_array().size(); ++c) {
            if (!items->as_array()[c].is_object())
                return path + ".components[" + std::to_string(c) + "]: not an object";
        }
    }
    return std::nullopt;
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
