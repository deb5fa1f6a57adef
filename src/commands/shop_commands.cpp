#include "commands/shop_commands.hpp"

#include <algorithm>

#include "commands/coin_commands.hpp"
#include "commands/parser.hpp"
#include "core/errors.hpp"
#include "core/money.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

using namespace shop;
using core::Error;
using core::ErrorCode;

constexpr std::uint32_t kColorShop = 0x5865F2;
constexpr std::uint32_t kColorPaid = 0x57F287;
constexpr std::uint32_t kColorPending = 0xFEE75C;
constexpr std::uint32_t kColorStopped = 0x99AAB5;

/// An amount in an order's or a product's currency: money, or coins for an order paid in coins.
std::string Price(const Invocation& inv, long long minor, const std::string& currency) {
    if (currency == kCoinCurrency) return CoinAmount(inv, minor);
    return core::FormatMoney(core::Money{minor, currency}, inv.locale);
}

/// What a product costs: its euro price, its coin price, or both.
std::string ProductPrice(const Invocation& inv, const Product& p) {
    if (p.CoinsOnly()) return CoinAmount(inv, *p.coin_price);
    auto money = Price(inv, p.price_minor, p.currency);
    if (!p.coin_price) return money;
    return inv.T("shop.price_or_coins", {{"price", money}, {"coins", CoinAmount(inv, *p.coin_price)}});
}

std::string StatusText(const Invocation& inv, OrderStatus s) {
    return inv.T("shop.status." + std::string(ToString(s)));
}

std::string StockText(const Invocation& inv, const Product& p) {
    if (!p.stock) return inv.T("shop.stock_unlimited");
    if (*p.stock == 0) return inv.T("shop.stock_out");
    return inv.T("shop.stock_left", {{"count", std::to_string(*p.stock)}});
}

std::uint32_t ColorOf(OrderStatus s) {
    switch (s) {
        case OrderStatus::kPending:
            return kColorPending;
        case OrderStatus::kCancelled:
        case OrderStatus::kRefunded:
            return kColorStopped;
        default:
            return kColorPaid;
    }
}

ProductId ProductOf(const Invocation& inv) { return ProductId{inv.args.Get<std::int64_t>("product")}; }

std::vector<EnumChoice> StaffStatusChoices() {
    return {{"fulfilled", {"préparée", "prepare", "prete"}},
            {"shipped", {"expédiée", "envoyee"}},
            {"delivered", {"livrée"}},
            {"cancelled", {"annulée"}}};
}

std::vector<EnumChoice> AllStatusChoices() {
    return {{"pending", {"en_attente"}}, {"paid", {"payée"}},       {"fulfilled", {"préparée"}},
            {"shipped", {"expédiée"}},   {"delivered", {"livrée"}}, {"cancelled", {"annulée"}},
            {"refunded", {"remboursée"}}};
}

/// The cart as an embed, with what the member can do next.
/// Without payments configured, the cart says so instead of offering a checkout that cannot open.
Reply CartReply(const Invocation& inv, const std::vector<CartLine>& lines, bool payments, std::string text = {}) {
    Reply reply{.text = std::move(text), .ephemeral = true};
    if (lines.empty()) {
        if (!reply.text.empty()) reply.text += "\n";
        reply.text += inv.T("shop.cart_empty_view");
        reply.buttons.push_back(
            {.label = inv.T("shop.button.shop"), .action = "shop", .style = ButtonStyle::kSecondary});
        return reply;
    }
    Embed embed{.title = inv.T("shop.cart_title"), .color = kColorShop};
    long long total = 0;
    int count = 0;
    for (const auto& line : lines) {
        total += line.Total();
        count += line.quantity;
        embed.fields.push_back({"#" + line.product.id.ToString() + " · " + line.product.name,
                                std::to_string(line.quantity) + " × " +
                                    Price(inv, line.product.price_minor, line.product.currency) + " = " +
                                    Price(inv, line.Total(), line.product.currency)});
    }
    embed.fields.push_back({inv.T("shop.field.total"), Price(inv, total, lines.front().product.currency)});
    embed.footer = inv.T(payments ? "shop.cart_footer" : "shop.cart_footer_closed", {{"count", std::to_string(count)}});
    reply.embeds.push_back(std::move(embed));
    if (payments) {
        reply.buttons.push_back(
            {.label = inv.T("shop.button.checkout"), .action = "checkout", .style = ButtonStyle::kSuccess});
    }
    reply.buttons.push_back({.label = inv.T("shop.button.shop"), .action = "shop", .style = ButtonStyle::kSecondary});
    reply.buttons.push_back(
        {.label = inv.T("shop.button.empty"), .action = "cart_empty", .style = ButtonStyle::kDanger});
    SelectMenu menu{.placeholder = inv.T("shop.button.remove"), .action = "cart_remove"};
    for (const auto& line : lines) {
        menu.options.push_back({line.product.name, line.product.id.ToString(), std::to_string(line.quantity) + " ×"});
    }
    reply.menus.push_back(std::move(menu));
    return reply;
}

Reply OrderReply(const Invocation& inv, const Order& o, const core::TimeZone& zone) {
    Embed embed{.title = inv.T("shop.order_title", {{"number", o.number}}), .color = ColorOf(o.status)};
    embed.fields.push_back({inv.T("shop.field.status"), StatusText(inv, o.status), true});
    embed.fields.push_back({inv.T("shop.field.total"), Price(inv, o.total_minor, o.currency), true});
    embed.fields.push_back({inv.T("shop.field.date"), zone.Format(o.created_at, inv.locale), true});
    if (inv.viewer.IsStaff()) embed.fields.push_back({inv.T("shop.field.member"), Mention(o.owner), true});
    if (o.refunded_minor > 0)
        embed.fields.push_back({inv.T("shop.field.refunded"), Price(inv, o.refunded_minor, o.currency), true});
    if (o.disputed) embed.fields.push_back({inv.T("shop.field.dispute"), inv.T("shop.disputed"), true});
    std::string items;
    for (const auto& item : o.items) {
        items += std::to_string(item.quantity) + " × " + item.name + " (" +
                 Price(inv, item.unit_price_minor, o.currency) + ")\n";
    }
    if (!items.empty()) {
        items.pop_back();
        embed.fields.push_back({inv.T("shop.field.items"), items});
    }
    if (!o.tracking_code.empty()) {
        embed.fields.push_back({inv.T("shop.field.tracking"), o.carrier + " · " + o.tracking_code});
    }
    if (o.status == OrderStatus::kPending && o.reserved_until) {
        embed.fields.push_back({inv.T("shop.field.reserved_until"), zone.Format(*o.reserved_until, inv.locale)});
    }
    std::string timeline;
    for (const auto& e : o.events) {
        timeline += zone.Format(e.at, inv.locale) + " · " + (e.to.empty() ? e.note : inv.T("shop.status." + e.to));
        if (!e.note.empty() && !e.to.empty() && (inv.viewer.IsStaff() || e.from == e.to)) timeline += " — " + e.note;
        timeline += "\n";
    }
    if (!timeline.empty()) {
        timeline.pop_back();
        embed.fields.push_back({inv.T("shop.field.timeline"), timeline});
    }
    Reply reply{.embeds = {std::move(embed)}, .ephemeral = true};
    if (o.status == OrderStatus::kPending && !o.checkout_url.empty() && !inv.viewer.IsStaff()) {
        reply.buttons.push_back({.label = inv.T("shop.button.pay", {{"total", Price(inv, o.total_minor, o.currency)}}),
                                 .style = ButtonStyle::kLink,
                                 .url = o.checkout_url});
    }
    if (!o.tracking_url.empty()) {
        reply.buttons.push_back(
            {.label = inv.T("shop.button.track"), .style = ButtonStyle::kLink, .url = o.tracking_url});
    }
    if (!o.invoice_url.empty()) {
        reply.buttons.push_back(
            {.label = inv.T("shop.button.invoice"), .style = ButtonStyle::kLink, .url = o.invoice_url});
    }
    if (inv.viewer.IsStaff()) {
        for (auto next : NextStatuses(o.status, Mover::kStaff)) {
            if (next == OrderStatus::kShipped) continue;  // with its tracking, by order_track
            reply.buttons.push_back(
                {.label = inv.T("shop.button.mark", {{"status", StatusText(inv, next)}}),
                 .action = "order_status " + o.number + " " + std::string(ToString(next)),
                 .style = next == OrderStatus::kCancelled ? ButtonStyle::kDanger : ButtonStyle::kSecondary});
        }
        if (Refundable(o)) {
            reply.buttons.push_back({.label = inv.T("shop.button.refund"),
                                     .action = "order_refund " + o.number,
                                     .style = ButtonStyle::kDanger});
        }
    }
    return reply;
}

/// "unlimited", "illimité", "-" or a whole number from 0.
std::optional<int> ParseStock(const std::string& text, bool& unlimited) {
    auto f = core::FoldForMatch(text);
    unlimited = f == "unlimited" || f == "illimite" || f == "infini" || f == "-";
    if (unlimited) return std::nullopt;
    auto stock = core::ParseInteger(text, 0, 9'999'999);
    if (!stock) throw Error(ErrorCode::kInvalidArgument, "bad stock", "shop.bad_stock", {{"value", text}});
    return static_cast<int>(*stock);
}

/// Takes a coin unit off a folded price (250pieces, 250coins): true when there was one.
bool StripCoinUnit(std::string& folded) {
    for (std::string_view unit : {"pieces", "piece", "coins", "coin"}) {
        if (folded.size() > unit.size() && folded.ends_with(unit)) {
            folded.resize(folded.size() - unit.size());
            return true;
        }
    }
    return false;
}

/// Whether a price typed in chat is in coins (250pièces, 250coins): the product is then sold for coins only.
bool InCoins(const std::string& text) {
    auto f = core::FoldForMatch(text);
    return StripCoinUnit(f);
}

/// A coin price in chat: a whole number of coins, with or without its unit (250, 250pièces, 250coins);
/// "-" or 0 (not for coins) gives nullopt.
std::optional<long long> ParseCoinPrice(const std::string& text) {
    auto f = core::FoldForMatch(text);
    StripCoinUnit(f);
    if (f == "-") return std::nullopt;
    auto coins = core::ParseInteger(core::Trim(f), 0, 10'000'000);
    if (!coins)
        throw Error(ErrorCode::kInvalidArgument, "bad coin price", "shop.bad_coin_price", {{"max", "10000000"}});
    if (*coins == 0) return std::nullopt;
    return *coins;
}

/// A price in chat: an amount (9,99), or « gratuit » / "free", the explicit confirmation a price of 0
/// needs (ShopService refuses a bare 0).
long long ParsePrice(const std::string& text, bool& free) {
    auto f = core::FoldForMatch(text);
    free = f == "gratuit" || f == "free";
    if (free) return 0;
    auto minor = ParseArgValue(ArgSpec{.name = "price", .type = ArgType::kMoney}, text);
    if (!minor) throw Error(ErrorCode::kInvalidArgument, "bad price", "shop.bad_price", {{"value", text}});
    return std::get<std::int64_t>(*minor);
}

}  // namespace

void RegisterShopCommands(Engine& engine, ShopService& service, const core::TimeZone& zone, int page_size) {
    engine.Register(CommandSpec{
        .name = "shop",
        .args = {{.name = "page", .type = ArgType::kInteger, .required = false, .min = 1, .max = 1000}},
        .handler =
            [&service, page_size](const Invocation& inv) {
                int total = service.CountProducts(inv.viewer);
                int pages = std::max(1, (total + page_size - 1) / page_size);
                int page = static_cast<int>(
                    std::min<std::int64_t>(inv.args.Optional<std::int64_t>("page").value_or(1), pages));
                auto products = service.ListProducts(inv.viewer, (page - 1) * page_size, page_size);
                Reply reply{.ephemeral = true};
                if (products.empty()) {
                    reply.text = inv.T("shop.empty");
                    return reply;
                }
                reply.text = inv.T("shop.title", {{"page", std::to_string(page)}, {"pages", std::to_string(pages)}});
                for (const auto& p : products) {
                    Embed e{.title = p.name + (p.active ? "" : " · " + inv.T("shop.hidden")),
                            .description = p.description,
                            .image_url = p.image_url,
                            .color = kColorShop};
                    e.fields.push_back({inv.T("shop.field.price"), ProductPrice(inv, p), true});
                    e.fields.push_back({inv.T("shop.field.stock"), StockText(inv, p), true});
                    e.footer = "#" + p.id.ToString() + " · " + p.category;
                    reply.embeds.push_back(std::move(e));
                    const bool out = p.stock && *p.stock == 0;
                    if (p.active && !p.CoinsOnly()) {
                        reply.buttons.push_back({.label = inv.T("shop.button.add", {{"name", p.name}}),
                                                 .action = "cart_add " + p.id.ToString(),
                                                 .disabled = out});
                    }
                    if (p.active && p.coin_price) {
                        reply.buttons.push_back(
                            {.label = inv.T("shop.button.buy_coins",
                                            {{"name", p.name}, {"coins", CoinAmount(inv, *p.coin_price)}}),
                             .action = "buy_coins " + p.id.ToString(),
                             .style = ButtonStyle::kSuccess,
                             .disabled = out});
                    }
                }
                if (page > 1) {
                    reply.buttons.push_back({.label = inv.T("shop.button.previous"),
                                             .action = "shop " + std::to_string(page - 1),
                                             .style = ButtonStyle::kSecondary});
                }
                if (page < pages) {
                    reply.buttons.push_back({.label = inv.T("shop.button.next"),
                                             .action = "shop " + std::to_string(page + 1),
                                             .style = ButtonStyle::kSecondary});
                }
                reply.buttons.push_back(
                    {.label = inv.T("shop.button.cart"), .action = "cart", .style = ButtonStyle::kSecondary});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "cart",
        .handler =
            [&service](const Invocation& inv) {
                return CartReply(inv, service.Cart(inv.viewer), service.payments_configured());
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "cart_add",
        .args = {{.name = "product", .type = ArgType::kInteger, .min = 1},
                 {.name = "quantity", .type = ArgType::kInteger, .required = false, .min = 1, .max = 99}},
        .handler =
            [&service](const Invocation& inv) {
                int q = static_cast<int>(inv.args.Optional<std::int64_t>("quantity").value_or(1));
                service.AddToCart(inv.viewer, ProductOf(inv), q);
                auto p = service.FindProduct(ProductOf(inv));
                return CartReply(inv, service.Cart(inv.viewer), service.payments_configured(),
                                 inv.T("shop.added", {{"quantity", std::to_string(q)}, {"name", p ? p->name : ""}}));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "cart_set",
        .args = {{.name = "product", .type = ArgType::kInteger, .min = 1},
                 {.name = "quantity", .type = ArgType::kInteger, .min = 0, .max = 99}},
        .handler =
            [&service](const Invocation& inv) {
                service.SetCartQuantity(inv.viewer, ProductOf(inv),
                                        static_cast<int>(inv.args.Get<std::int64_t>("quantity")));
                return CartReply(inv, service.Cart(inv.viewer), service.payments_configured(),
                                 inv.T("shop.cart_updated"));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "cart_remove",
        .args = {{.name = "product", .type = ArgType::kInteger, .min = 1}},
        .handler =
            [&service](const Invocation& inv) {
                service.RemoveFromCart(inv.viewer, ProductOf(inv));
                return CartReply(inv, service.Cart(inv.viewer), service.payments_configured(),
                                 inv.T("shop.cart_updated"));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "cart_empty",
        .handler =
            [&service](const Invocation& inv) {
                service.EmptyCart(inv.viewer);
                return CartReply(inv, {}, service.payments_configured(), inv.T("shop.cart_emptied"));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "checkout",
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto link = service.Checkout(inv.viewer, inv.locale);
                const auto& o = link.order;
                Reply reply{.text = inv.T("shop.checkout_ready", {{"number", o.number},
                                                                  {"total", Price(inv, o.total_minor, o.currency)},
                                                                  {"until", zone.Format(*o.reserved_until, inv.locale)},
                                                                  {"url", link.url}}),
                            .ephemeral = true};
                reply.buttons.push_back(
                    {.label = inv.T("shop.button.pay", {{"total", Price(inv, o.total_minor, o.currency)}}),
                     .style = ButtonStyle::kLink,
                     .url = link.url});
                reply.buttons.push_back({.label = inv.T("shop.button.order"),
                                         .action = "order " + o.number,
                                         .style = ButtonStyle::kSecondary});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "buy_coins",
        .args = {{.name = "product", .type = ArgType::kInteger, .min = 1},
                 {.name = "quantity", .type = ArgType::kInteger, .required = false, .min = 1, .max = 99}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                int q = static_cast<int>(inv.args.Optional<std::int64_t>("quantity").value_or(1));
                auto o = service.BuyWithCoins(inv.viewer, ProductOf(inv), q);
                auto reply = OrderReply(inv, o, zone);
                reply.text =
                    inv.T("shop.bought_coins", {{"number", o.number}, {"coins", CoinAmount(inv, o.total_minor)}});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "orders",
        .args = {{.name = "status", .type = ArgType::kEnum, .required = false, .choices = AllStatusChoices()},
                 {.name = "member", .type = ArgType::kUser, .required = false}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                OrderQuery q;
                if (auto s = inv.args.Optional<std::string>("status")) q.status = ParseOrderStatus(*s);
                if (auto m = inv.args.Optional<core::UserId>("member"); m && inv.viewer.IsStaff()) q.owner = *m;
                q.limit = 20;
                auto list = service.ListOrders(inv.viewer, q);
                Reply reply{.ephemeral = true};
                if (list.empty()) {
                    reply.text = inv.T("shop.orders_empty");
                    return reply;
                }
                Embed embed{.title = inv.T("shop.orders_title", {{"count", std::to_string(list.size())}}),
                            .color = kColorShop};
                SelectMenu menu{.placeholder = inv.T("shop.button.select_order"), .action = "order"};
                for (const auto& o : list) {
                    std::string value = StatusText(inv, o.status) + " · " + Price(inv, o.total_minor, o.currency) +
                                        " · " + zone.Format(o.created_at, inv.locale);
                    if (inv.viewer.IsStaff()) value += " · <@" + o.owner.ToString() + ">";
                    embed.fields.push_back({o.number, value});
                    menu.options.push_back({o.number, o.number, StatusText(inv, o.status)});
                }
                reply.embeds.push_back(std::move(embed));
                reply.menus.push_back(std::move(menu));
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "order",
        .args = {{.name = "number", .type = ArgType::kWord}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                return OrderReply(inv, service.FindForStaffOrMember(inv.viewer, inv.args.Get<std::string>("number")),
                                  zone);
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "product_add",
        .args = {{.name = "name", .type = ArgType::kString},
                 {.name = "price", .type = ArgType::kWord},
                 {.name = "stock", .type = ArgType::kWord},
                 {.name = "category", .type = ArgType::kWord, .required = false},
                 {.name = "description", .type = ArgType::kRest, .required = false}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                Product p;
                p.name = inv.args.Get<std::string>("name");
                bool free = false;
                const auto& price = inv.args.Get<std::string>("price");
                if (InCoins(price)) {
                    p.coin_price = ParseCoinPrice(price);  // coins only: no euro price
                } else {
                    p.price_minor = ParsePrice(price, free);
                }
                bool unlimited = false;
                p.stock = ParseStock(inv.args.Get<std::string>("stock"), unlimited);
                p.category = inv.args.Optional<std::string>("category").value_or("general");
                p.description = inv.args.Optional<std::string>("description").value_or("");
                auto id = service.CreateProduct(inv.viewer, p, free);
                return Reply{.text = inv.T("shop.product_added", {{"id", id.ToString()}, {"name", p.name}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "product_edit",
        .args = {{.name = "product", .type = ArgType::kInteger, .min = 1},
                 {.name = "field",
                  .type = ArgType::kEnum,
                  .choices = {{"name", {"nom"}},
                              {"description", {}},
                              {"price", {"prix"}},
                              {"coins", {"pieces", "prix_pieces"}},
                              {"stock", {}},
                              {"category", {"categorie"}},
                              {"image", {}},
                              {"active", {"actif", "visible"}}}},
                 {.name = "value", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto found = service.FindProduct(ProductOf(inv));
                if (!found) throw Error(ErrorCode::kNotFound, "product not found", "shop.product_not_found");
                auto p = *found;
                const auto& field = inv.args.Get<std::string>("field");
                std::string value(core::Trim(inv.args.Get<std::string>("value")));
                if (field == "name") p.name = value;
                if (field == "description") p.description = value == "-" ? "" : value;
                if (field == "category") p.category = value;
                if (field == "image") p.image_url = value == "-" ? "" : value;
                bool free = false;
                if (field == "price") p.price_minor = ParsePrice(value, free);
                if (field == "coins") p.coin_price = ParseCoinPrice(value);
                if (field == "stock") {
                    bool unlimited = false;
                    p.stock = ParseStock(value, unlimited);
                }
                if (field == "active") {
                    auto f = core::FoldForMatch(value);
                    if (f != "yes" && f != "no" && f != "oui" && f != "non" && f != "true" && f != "false") {
                        throw Error(ErrorCode::kInvalidArgument, "bad flag", "shop.bad_flag", {{"value", value}});
                    }
                    p.active = f == "yes" || f == "oui" || f == "true";
                }
                service.UpdateProduct(inv.viewer, p, free);
                return Reply{.text = inv.T("shop.product_updated", {{"id", p.id.ToString()}, {"name", p.name}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "order_status",
        .args = {{.name = "number", .type = ArgType::kWord},
                 {.name = "status", .type = ArgType::kEnum, .choices = StaffStatusChoices()},
                 {.name = "note", .type = ArgType::kRest, .required = false}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto o = service.FindForStaffOrMember(inv.viewer, inv.args.Get<std::string>("number"));
                auto to = *ParseOrderStatus(inv.args.Get<std::string>("status"));
                Order updated;
                try {
                    updated =
                        service.SetStatus(inv.viewer, o.id, to, inv.args.Optional<std::string>("note").value_or(""));
                } catch (const Error& e) {
                    if (e.key() != "shop.bad_transition") throw;
                    // The statuses in the reader's language rather than their English names.
                    throw Error(e.code(), e.what(), e.key(),
                                {{"from", StatusText(inv, o.status)}, {"to", StatusText(inv, to)}});
                }
                auto reply = OrderReply(inv, updated, zone);
                reply.text = inv.T("shop.status_changed",
                                   {{"number", updated.number}, {"status", StatusText(inv, updated.status)}});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "order_track",
        .args = {{.name = "number", .type = ArgType::kWord},
                 {.name = "carrier", .type = ArgType::kWord},
                 {.name = "code", .type = ArgType::kWord},
                 {.name = "url", .type = ArgType::kWord, .required = false}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto o = service.FindForStaffOrMember(inv.viewer, inv.args.Get<std::string>("number"));
                auto updated = service.SetTracking(inv.viewer, o.id, inv.args.Get<std::string>("carrier"),
                                                   inv.args.Get<std::string>("code"),
                                                   inv.args.Optional<std::string>("url").value_or(""));
                auto reply = OrderReply(inv, updated, zone);
                reply.text = inv.T("shop.tracking_set", {{"number", updated.number}});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "order_refund",
        .args = {{.name = "number", .type = ArgType::kWord},
                 {.name = "amount", .type = ArgType::kMoney, .required = false}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto o = service.FindForStaffOrMember(inv.viewer, inv.args.Get<std::string>("number"));
                auto amount = inv.args.Optional<std::int64_t>("amount");
                if (o.PaidInCoins() && amount) {
                    // The amount argument is money (250 reads as 250.00): an order paid in coins takes none.
                    throw Error(ErrorCode::kInvalidArgument, "an order paid in coins is refunded whole",
                                "shop.coins_refund_whole", {{"number", o.number}});
                }
                auto refund = service.Refund(inv.viewer, o.id, amount);
                if (o.PaidInCoins()) {
                    return Reply{.text = inv.T("shop.coins_refunded", {{"number", o.number},
                                                                       {"coins", CoinAmount(inv, refund.amount_minor)},
                                                                       {"member", Mention(o.owner)}}),
                                 .ephemeral = true};
                }
                return Reply{
                    .text = inv.T("shop.refund_requested", {{"number", o.number},
                                                            {"amount", Price(inv, refund.amount_minor, o.currency)},
                                                            {"refund", refund.refund_id}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
    });
}

}  // namespace maxis::commands
