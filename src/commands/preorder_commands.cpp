#include "commands/preorder_commands.hpp"

#include <algorithm>
#include <cctype>

#include "commands/parser.hpp"
#include "core/errors.hpp"
#include "core/money.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

using namespace preorders;
using core::Error;
using core::ErrorCode;

constexpr std::uint32_t kColorOpen = 0xF1C40F;
constexpr std::uint32_t kColorDraft = 0x99AAB5;
constexpr std::size_t kMaxItemsShown = 10;  // Discord's embeds per message
constexpr std::size_t kMaxButtons = 25;     // five rows of five
constexpr int kMaxBuyersShown = 25;

ItemId ItemOf(const Invocation& inv) { return ItemId{inv.args.Get<std::int64_t>("id")}; }
ArgSpec IdArg() { return ArgSpec{.name = "id", .type = ArgType::kInteger, .min = 1}; }

std::string Amount(const Invocation& inv, long long minor, const std::string& currency) {
    return core::FormatMoney(core::Money{minor, currency}, inv.locale);
}

std::string Unix(core::TimePoint t) { return std::to_string(core::ToEpochMillis(t) / 1000); }

/// "dans 3 jours (25/12/2026 18:00 CET)": a countdown Discord keeps live, and the date in the community's zone.
std::string Release(const Invocation& inv, const Item& item, const core::TimeZone& zone) {
    return inv.T("preorders.cmd.release", {{"relative", "<t:" + Unix(item.release_at) + ":R>"},
                                           {"date", zone.Format(item.release_at, inv.locale)}});
}

std::string StatusText(const Invocation& inv, ItemStatus s) {
    return inv.T("preorders.cmd.status." + std::string(ToString(s)));
}

std::string PurchaseStatusText(const Invocation& inv, PurchaseStatus s) {
    return inv.T("preorders.cmd.purchase_status." + std::string(ToString(s)));
}

/// A tier's seats as a buyer reads them: open seats (seats less sold and held), or none left, or no limit; and how
/// many are being paid for right now, since a held seat may come back.
std::string SeatsText(const Invocation& inv, const Tier& tier) {
    auto open = SeatsOpen(tier);
    std::string text = !open       ? inv.T("preorders.cmd.seats_unlimited")
                       : *open > 0 ? inv.T("preorders.cmd.seats_open",
                                           {{"open", std::to_string(*open)}, {"seats", std::to_string(*tier.seats)}})
                                   : inv.T("preorders.cmd.seats_none");
    if (tier.held > 0) text += " · " + inv.T("preorders.cmd.seats_held", {{"held", std::to_string(tier.held)}});
    return text;
}

std::string TierName(const Tier& tier) {
    return tier.discount_percent > 0 ? tier.name + " (-" + std::to_string(tier.discount_percent) + " %)" : tier.name;
}

std::string BuyLabel(const Invocation& inv, const Item& item, const Tier& tier) {
    return inv.T(
        "preorders.button.buy",
        {{"item", item.name}, {"tier", tier.name}, {"price", Amount(inv, tier.price_minor, item.price.currency)}});
}

std::string BuyAction(ItemId item, TierId tier) { return "preorder_buy " + item.ToString() + " " + tier.ToString(); }

/// An item as everyone sees it: its tiers with price and seats (the one a buyer gets now marked), the release as a
/// countdown, its image.
Embed ItemEmbed(const Invocation& inv, const ItemView& view, const core::TimeZone& zone) {
    const auto& item = view.item;
    Embed e{.title = item.name,
            .description = item.description.empty() ? Release(inv, item, zone)
                                                    : item.description + "\n\n" + Release(inv, item, zone),
            .image_url = item.image_url,
            .color = item.status == ItemStatus::kOpen ? kColorOpen : kColorDraft};
    for (const auto& tier : view.tiers) {
        bool next = view.next && view.next->id == tier.id;
        e.fields.push_back({(next ? "➡️ " : "") + TierName(tier),
                            Amount(inv, tier.price_minor, item.price.currency) + "\n" + SeatsText(inv, tier), true});
    }
    e.footer = "#" + item.id.ToString() + " · " + StatusText(inv, item.status);
    return e;
}

/// The item's summary for staff after a change: its embed, and what to do next.
Reply StaffItemReply(const Invocation& inv, const ItemView& view, const core::TimeZone& zone, const std::string& key) {
    Reply reply{.text = inv.T(key, {{"id", view.item.id.ToString()},
                                    {"name", view.item.name},
                                    {"status", StatusText(inv, view.item.status)}})};
    reply.embeds.push_back(ItemEmbed(inv, view, zone));
    return reply;
}

core::TimePoint ReleaseAt(const std::string& typed, const core::TimeZone& zone) {
    auto local = ParseLocalDateTime(typed);
    if (!local) throw Error(ErrorCode::kInvalidArgument, "not a date", "preorders.cmd.bad_date", {{"value", typed}});
    return zone.FromLocal(*local);
}

long long Price(const std::string& typed) {
    auto minor = ParseArgValue(ArgSpec{.name = "price", .type = ArgType::kMoney}, core::Trim(typed));
    if (!minor)
        throw Error(ErrorCode::kInvalidArgument, "not an amount", "preorders.cmd.bad_price", {{"value", typed}});
    return std::get<std::int64_t>(*minor);
}

/// Seats as staff type them: a whole number, or "-" (also « illimité », "unlimited") for no limit.
std::optional<int> Seats(const std::string& typed) {
    auto f = core::FoldForMatch(typed);
    if (f == "-" || f == "illimite" || f == "unlimited") return std::nullopt;
    auto n = core::ParseInteger(typed, 0, 1'000'000);
    if (!n) throw Error(ErrorCode::kInvalidArgument, "bad seats", "preorders.cmd.bad_seats", {{"value", typed}});
    return static_cast<int>(*n);
}

/// `"Early Bird" 30% 20 "Founder" 20% 50 Regular 0% -`: one name, discount and seats per tier. The checks of the
/// tiers themselves are the model's (ValidateTiers, in the service).
std::vector<TierSpec> ParseTiers(const std::string& text) {
    constexpr int kMaxTokens = 3 * 12;
    std::vector<ArgSpec> words;
    for (int i = 0; i < kMaxTokens; ++i) {
        words.push_back({.name = std::to_string(i), .type = ArgType::kString, .required = false});
    }
    auto bad = [&] {
        return Error(ErrorCode::kInvalidArgument, "bad tiers", "preorders.cmd.bad_tiers", {{"value", text}});
    };
    auto parsed = ParseArguments(words, text);
    auto* args = std::get_if<Args>(&parsed);
    if (args == nullptr) throw bad();
    std::vector<std::string> tokens;
    for (int i = 0; i < kMaxTokens && args->Has(std::to_string(i)); ++i) {
        tokens.push_back(args->Get<std::string>(std::to_string(i)));
    }
    if (tokens.empty() || tokens.size() % 3 != 0) throw bad();
    std::vector<TierSpec> tiers;
    for (std::size_t i = 0; i < tokens.size(); i += 3) {
        std::string pct = tokens[i + 1];
        if (!pct.empty() && pct.back() == '%') pct.pop_back();
        if (!pct.empty() && pct.front() == '-') pct.erase(0, 1);
        auto discount = core::ParseInteger(core::Trim(pct), 0, 100);
        if (!discount) throw bad();
        tiers.push_back(TierSpec{.name = tokens[i], .discount_percent = static_cast<int>(*discount)});
        tiers.back().seats = Seats(tokens[i + 2]);
    }
    return tiers;
}

/// "-" clears an optional text (description, image, delivery).
std::string Cleared(const std::string& value) { return value == "-" ? std::string() : value; }

std::vector<EnumChoice> EditFields() {
    return {{"name", {"nom"}},   {"description", {}},     {"image", {}},        {"delivery", {"livraison"}},
            {"price", {"prix"}}, {"release", {"sortie"}}, {"limit", {"limite"}}};
}

ItemChanges ChangesOf(const std::string& field, const std::string& value, const PreorderService& service,
                      const core::TimeZone& zone) {
    ItemChanges c;
    if (field == "name") c.name = value;
    if (field == "description") c.description = Cleared(value);
    if (field == "image") c.image_url = Cleared(value);
    if (field == "delivery") c.delivery = Cleared(value);
    if (field == "price") c.price = core::Money{Price(value), service.options().currency};
    if (field == "release") c.release_at = ReleaseAt(value, zone);
    if (field == "limit") {
        auto n = core::ParseInteger(core::Trim(value), 1, 1000);
        if (!n) throw Error(ErrorCode::kInvalidArgument, "bad limit", "preorders.cmd.bad_limit", {{"value", value}});
        c.per_member_limit = static_cast<int>(*n);
    }
    return c;
}

std::string TierNameOf(const ItemView& view, TierId id) {
    for (const auto& t : view.tiers) {
        if (t.id == id) return t.name;
    }
    return "#" + id.ToString();
}

}  // namespace

std::optional<core::LocalTime> ParseLocalDateTime(std::string_view text) {
    std::string t(core::Trim(text));
    std::replace(t.begin(), t.end(), 'T', ' ');
    auto space = t.find(' ');
    std::string date = t.substr(0, space);
    std::string time = space == std::string::npos ? "" : std::string(core::Trim(std::string_view(t).substr(space)));
    auto number = [](std::string_view s, int digits, int min, int max) -> std::optional<int> {
        if (s.size() != static_cast<std::size_t>(digits) && !(digits == 2 && s.size() == 1)) return std::nullopt;
        auto v = core::ParseInteger(s, min, max);
        return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
    };
    std::optional<int> y, m, d;
    if (date.size() == 10 && date[4] == '-' && date[7] == '-') {
        y = number(date.substr(0, 4), 4, 1970, 9999);
        m = number(date.substr(5, 2), 2, 1, 12);
        d = number(date.substr(8, 2), 2, 1, 31);
    } else if (auto parts = core::Split(date, '/'); parts.size() == 3) {
        d = number(parts[0], 2, 1, 31);
        m = number(parts[1], 2, 1, 12);
        y = number(parts[2], 4, 1970, 9999);
    }
    if (!y || !m || !d) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*m)),
                                    std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    int hour = 0, minute = 0;
    if (!time.empty()) {
        for (auto& c : time) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto sep = time.find_first_of(":h");
        auto h = number(time.substr(0, sep), 2, 0, 23);
        std::optional<int> min = 0;
        if (sep != std::string::npos && sep + 1 < time.size()) min = number(time.substr(sep + 1), 2, 0, 59);
        if (sep == std::string::npos && time.size() > 2) h.reset();
        if (!h || !min) return std::nullopt;
        hour = *h;
        minute = *min;
    }
    return core::LocalTime(std::chrono::local_days(ymd)) + std::chrono::hours(hour) + std::chrono::minutes(minute);
}

void RegisterPreorderCommands(Engine& engine, PreorderService& service, const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "preorder",
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto views = service.List(inv.viewer, false);
                // Members see what they can buy; staff also see drafts and closed items, without a Buy button.
                Reply reply{.ephemeral = true};
                for (const auto& v : views) {
                    if (reply.embeds.size() == kMaxItemsShown) break;
                    bool open = v.item.status == ItemStatus::kOpen;
                    if (!open && !inv.viewer.IsStaff()) continue;
                    reply.embeds.push_back(ItemEmbed(inv, v, zone));
                    if (!open || reply.buttons.size() == kMaxButtons) continue;
                    if (v.next) {
                        reply.buttons.push_back({.label = BuyLabel(inv, v.item, *v.next),
                                                 .action = BuyAction(v.item.id, v.next->id),
                                                 .style = ButtonStyle::kSuccess});
                    } else {
                        reply.buttons.push_back({.label = inv.T("preorders.button.sold_out", {{"item", v.item.name}}),
                                                 .action = "preorder",
                                                 .style = ButtonStyle::kSecondary,
                                                 .disabled = true});
                    }
                }
                reply.text = reply.embeds.empty()
                                 ? inv.T("preorders.cmd.none_open")
                                 : inv.T("preorders.cmd.list_title", {{"count", std::to_string(reply.embeds.size())}});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "preorder_buy",
        .args = {IdArg(),
                 {.name = "tier", .type = ArgType::kInteger, .required = false, .min = 1},
                 {.name = "named",
                  .type = ArgType::kEnum,
                  .required = false,
                  .choices = {{"named", {"nommé", "nomme", "public"}}, {"anonymous", {"anonyme"}}}}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                std::optional<TierId> expected;
                if (auto t = inv.args.Optional<std::int64_t>("tier")) expected = TierId{*t};
                bool named = inv.args.Optional<std::string>("named").value_or("") == "named";
                auto result = service.Buy(inv.viewer, ItemOf(inv), expected, named, inv.locale);
                const auto& tier = result.tier;
                Reply reply{.ephemeral = true};
                if (result.price_changed) {
                    // Nothing was held: the member sees the price they would pay now before anything is charged.
                    auto view = service.Get(inv.viewer, ItemOf(inv));
                    reply.text = inv.T("preorders.cmd.price_changed",
                                       {{"seen", expected ? TierNameOf(view, *expected) : tier.name},
                                        {"tier", tier.name},
                                        {"price", Amount(inv, tier.price_minor, view.item.price.currency)}});
                    reply.buttons.push_back({.label = BuyLabel(inv, view.item, tier),
                                             .action = BuyAction(ItemOf(inv), tier.id) + (named ? " named" : ""),
                                             .style = ButtonStyle::kSuccess});
                    return reply;
                }
                const auto& p = *result.purchase;
                auto price = Amount(inv, p.price.minor, p.price.currency);
                reply.text = inv.T("preorders.cmd.checkout", {{"id", p.id.ToString()},
                                                              {"tier", tier.name},
                                                              {"price", price},
                                                              {"until", zone.Format(p.held_until, inv.locale)},
                                                              {"url", result.url}});
                reply.buttons.push_back({.label = inv.T("preorders.button.pay", {{"price", price}}),
                                         .style = ButtonStyle::kLink,
                                         .url = result.url});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "preorder_cancel",
        .args = {{.name = "purchase", .type = ArgType::kInteger, .min = 1}},
        .handler =
            [&service](const Invocation& inv) {
                auto p = service.CancelPurchase(inv.viewer, PurchaseId{inv.args.Get<std::int64_t>("purchase")});
                return Reply{
                    .text = inv.T("preorders.cmd.purchase_cancelled",
                                  {{"id", p.id.ToString()}, {"price", Amount(inv, p.price.minor, p.price.currency)}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "preorders_mine",
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto purchases = service.Purchases(inv.viewer, inv.viewer.user_id);
                Reply reply{.ephemeral = true};
                if (purchases.empty()) {
                    reply.text = inv.T("preorders.cmd.mine_empty");
                    return reply;
                }
                // The items' and tiers' names, read once for every line.
                auto views = service.List(inv.viewer, true);
                Embed e{.title = inv.T("preorders.cmd.mine_title", {{"count", std::to_string(purchases.size())}}),
                        .color = kColorOpen};
                for (const auto& p : purchases) {
                    if (e.fields.size() == 25) break;
                    auto view = std::find_if(views.begin(), views.end(),
                                             [&](const ItemView& v) { return v.item.id == p.item; });
                    std::string name = view != views.end() ? view->item.name : "#" + p.item.ToString();
                    std::string tier = view != views.end() ? TierNameOf(*view, p.tier) : "#" + p.tier.ToString();
                    std::string value = tier + " · " + Amount(inv, p.price.minor, p.price.currency) + " · " +
                                        PurchaseStatusText(inv, p.status);
                    if (p.paid_at)
                        value += "\n" + inv.T("preorders.cmd.paid_on", {{"date", zone.Format(*p.paid_at, inv.locale)}});
                    if (view != views.end() && view->item.status != ItemStatus::kReleased &&
                        view->item.status != ItemStatus::kCancelled) {
                        value += "\n" + Release(inv, view->item, zone);
                    }
                    e.fields.push_back({"#" + p.id.ToString() + " · " + name, value});
                }
                reply.embeds.push_back(std::move(e));
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "preorder_create",
        .args = {{.name = "name", .type = ArgType::kString},
                 {.name = "price", .type = ArgType::kMoney},
                 {.name = "date", .type = ArgType::kWord},
                 {.name = "time", .type = ArgType::kWord},
                 {.name = "description", .type = ArgType::kString, .required = false},
                 {.name = "image", .type = ArgType::kWord, .required = false}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                NewItem item{
                    .name = inv.args.Get<std::string>("name"),
                    .price = core::Money{inv.args.Get<std::int64_t>("price"), service.options().currency},
                    .release_at =
                        ReleaseAt(inv.args.Get<std::string>("date") + " " + inv.args.Get<std::string>("time"), zone),
                    .description = inv.args.Optional<std::string>("description").value_or(""),
                    .image_url = inv.args.Optional<std::string>("image").value_or(""),
                };
                return StaffItemReply(inv, service.Create(inv.viewer, item), zone, "preorders.cmd.created");
            },
    });

    engine.Register(CommandSpec{
        .name = "preorder_edit",
        .args = {IdArg(),
                 {.name = "field", .type = ArgType::kEnum, .choices = EditFields()},
                 {.name = "value", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto changes = ChangesOf(inv.args.Get<std::string>("field"),
                                         std::string(core::Trim(inv.args.Get<std::string>("value"))), service, zone);
                return StaffItemReply(inv, service.Edit(inv.viewer, ItemOf(inv), changes), zone,
                                      "preorders.cmd.edited");
            },
    });

    engine.Register(CommandSpec{
        .name = "preorder_tiers",
        .args = {IdArg(), {.name = "tiers", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto tiers = ParseTiers(inv.args.Get<std::string>("tiers"));
                return StaffItemReply(inv, service.SetTiers(inv.viewer, ItemOf(inv), tiers), zone,
                                      "preorders.cmd.tiers_set");
            },
    });

    engine.Register(CommandSpec{
        .name = "preorder_seats",
        .args = {IdArg(),
                 {.name = "tier", .type = ArgType::kInteger, .min = 1, .max = 8},
                 {.name = "seats", .type = ArgType::kWord}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                // The tiers as they are, with one seat count changed: the service says whether it may (after the
                // first sale, only up).
                auto view = service.Get(inv.viewer, ItemOf(inv));
                auto position = static_cast<std::size_t>(inv.args.Get<std::int64_t>("tier"));
                if (position > view.tiers.size()) {
                    throw Error(ErrorCode::kInvalidArgument, "no such tier", "preorders.cmd.bad_tier_position",
                                {{"count", std::to_string(view.tiers.size())}});
                }
                std::vector<TierSpec> tiers;
                for (const auto& t : view.tiers) tiers.push_back({t.name, t.discount_percent, t.seats});
                tiers[position - 1].seats = Seats(inv.args.Get<std::string>("seats"));
                return StaffItemReply(inv, service.SetTiers(inv.viewer, ItemOf(inv), tiers), zone,
                                      "preorders.cmd.tiers_set");
            },
    });

    auto move = [&engine, &service, &zone](const std::string& name,
                                           ItemView (PreorderService::*call)(const core::Viewer&, ItemId),
                                           const std::string& key) {
        engine.Register(CommandSpec{
            .name = name,
            .args = {IdArg()},
            .permission = core::Role::kStaff,
            .handler =
                [&service, &zone, call, key](const Invocation& inv) {
                    return StaffItemReply(inv, (service.*call)(inv.viewer, ItemOf(inv)), zone, key);
                },
        });
    };
    move("preorder_open", &PreorderService::Open, "preorders.cmd.opened");
    move("preorder_close", &PreorderService::Close, "preorders.cmd.closed");
    move("preorder_cancel_item", &PreorderService::Cancel, "preorders.cmd.item_cancelled");

    engine.Register(CommandSpec{
        .name = "preorder_buyers",
        .args = {IdArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto buyers = service.Buyers(inv.viewer, ItemOf(inv));
                auto view = service.Get(inv.viewer, ItemOf(inv));
                Reply reply{.ephemeral = true};
                if (buyers.empty()) {
                    reply.text =
                        inv.T("preorders.cmd.no_buyers", {{"id", view.item.id.ToString()}, {"name", view.item.name}});
                    return reply;
                }
                std::string lines;
                int shown = 0;
                for (const auto& p : buyers) {
                    if (shown++ == kMaxBuyersShown) break;
                    lines += "#" + p.id.ToString() + " · " + Mention(p.buyer) + " · " + TierNameOf(view, p.tier) +
                             " · " + Amount(inv, p.price.minor, p.price.currency) + " · " +
                             PurchaseStatusText(inv, p.status);
                    if (p.paid_at) lines += " · " + zone.Format(*p.paid_at, inv.locale);
                    lines += "\n";
                }
                if (static_cast<int>(buyers.size()) > kMaxBuyersShown) {
                    lines += inv.T("preorders.cmd.buyers_more",
                                   {{"count", std::to_string(buyers.size() - kMaxBuyersShown)}});
                }
                reply.embeds.push_back(
                    Embed{.title = inv.T("preorders.cmd.buyers_title", {{"id", view.item.id.ToString()},
                                                                        {"name", view.item.name},
                                                                        {"count", std::to_string(buyers.size())}}),
                          .description = lines,
                          .color = kColorOpen});
                return reply;
            },
        .ephemeral = true,
    });
}

}  // namespace maxis::commands
