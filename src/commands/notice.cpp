#include "commands/notice.hpp"

#include <boost/json.hpp>

#include "core/money.hpp"

namespace maxis::commands {

namespace json = boost::json;

namespace {

std::string Text(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());
    return {};
}

}  // namespace

Reply NoticeReply(const json::object& payload, const Catalog& catalog, const std::string& locale) {
    Params params;
    if (const auto* p = payload.if_contains("params"); p != nullptr && p->is_object()) {
        for (const auto& [k, v] : p->as_object())
            params[std::string(k)] = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
    }
    if (const auto* m = payload.if_contains("money"); m != nullptr && m->is_object()) {
        for (const auto& [k, v] : m->as_object()) {
            if (!v.is_object()) continue;
            const auto* minor = v.as_object().if_contains("minor");
            if (minor == nullptr || !minor->is_int64()) continue;
            params[std::string(k)] =
                core::FormatMoney(core::Money{minor->as_int64(), Text(v.as_object(), "currency")}, locale);
        }
    }
    if (const auto* d = payload.if_contains("dates"); d != nullptr && d->is_object()) {
        // "2026-12-25" as the reader writes dates: 25/12/2026 in French.
        for (const auto& [k, v] : d->as_object()) {
            if (!v.is_string() || v.as_string().size() != 10) continue;
            std::string iso(v.as_string());
            params[std::string(k)] =
                locale == "fr" ? iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) : iso;
        }
    }
    Reply reply{.text = catalog.Text(locale, Text(payload, "key"), params)};
    if (auto ticket = Text(payload, "ticket"); !ticket.empty() && ticket != "0") {
        reply.buttons.push_back({.label = catalog.Text(locale, "tickets.button.view"),
                                 .action = "ticket_view " + ticket,
                                 .style = ButtonStyle::kSecondary});
    }
    if (auto order = Text(payload, "order"); !order.empty()) {
        reply.buttons.push_back({.label = catalog.Text(locale, "shop.button.order"),
                                 .action = "order " + order,
                                 .style = ButtonStyle::kSecondary});
    }
    if (const auto* a = payload.if_contains("action"); a != nullptr && a->is_object()) {
        if (auto command = Text(a->as_object(), "command"); !command.empty()) {
            reply.buttons.push_back({.label = catalog.Text(locale, Text(a->as_object(), "key")), .action = command});
        }
    }
    if (const auto* l = payload.if_contains("link"); l != nullptr && l->is_object()) {
        auto url = Text(l->as_object(), "url");
        if (url.starts_with("https://")) {
            reply.buttons.push_back(
                {.label = catalog.Text(locale, Text(l->as_object(), "key")), .style = ButtonStyle::kLink, .url = url});
        }
    }
    return reply;
}

}  // namespace maxis::commands
