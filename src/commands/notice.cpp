#include "commands/notice.hpp"

#include "core/money.hpp"

namespace maxis::commands {

Reply NoticeReply(const scheduling::Notice& notice, const Catalog& catalog, const std::string& locale,
                  const PersonLabel& person) {
    Params params(notice.params.begin(), notice.params.end());
    for (const auto& [k, user] : notice.people) params[k] = person ? person(user) : Mention(user);
    for (const auto& [k, money] : notice.money) params[k] = core::FormatMoney(money, locale);
    for (const auto& [k, iso] : notice.dates) {
        // "2026-12-25" as the reader writes dates: 25/12/2026 in French.
        if (iso.size() != 10) continue;
        params[k] = locale == "fr" ? iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) : iso;
    }
    for (const auto& [k, at] : notice.times) {
        // Discord shows a timestamp in each reader's own zone and keeps a countdown live; the console words both.
        auto unix = std::to_string(core::ToEpochMillis(at) / 1000);
        params[k] = "<t:" + unix + ":f>";
        params[k + "_relative"] = "<t:" + unix + ":R>";
    }
    Reply reply{.text = catalog.Text(locale, notice.key, params)};
    if (notice.ticket && *notice.ticket > 0) {
        reply.buttons.push_back({.label = catalog.Text(locale, "tickets.button.view"),
                                 .action = "ticket_view " + std::to_string(*notice.ticket),
                                 .style = ButtonStyle::kSecondary});
    }
    if (!notice.order.empty()) {
        reply.buttons.push_back({.label = catalog.Text(locale, "shop.button.order"),
                                 .action = "order " + notice.order,
                                 .style = ButtonStyle::kSecondary});
    }
    if (notice.action && !notice.action->command.empty()) {
        reply.buttons.push_back(
            {.label = catalog.Text(locale, notice.action->label_key), .action = notice.action->command});
    }
    if (notice.link && notice.link->url.starts_with("https://")) {
        reply.buttons.push_back({.label = catalog.Text(locale, notice.link->label_key),
                                 .style = ButtonStyle::kLink,
                                 .url = notice.link->url});
    }
    return reply;
}

}  // namespace maxis::commands
