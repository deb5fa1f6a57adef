#include "domain/shop/shop_service.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::shop {

using core::Error;
using core::ErrorCode;
using core::Viewer;

namespace {

constexpr int kMaxQuantity = 99;
/// The most a product may cost in coins: 99 of it stay within one coin movement's limit.
constexpr long long kMaxCoinPrice = 10'000'000;

[[noreturn]] void OrderNotFound(const std::string& number) {
    throw Error(ErrorCode::kNotFound, "order not found", "shop.order_not_found", {{"number", number}});
}

[[noreturn]] void ProductNotFound() {
    throw Error(ErrorCode::kNotFound, "product not found", "shop.product_not_found");
}

void RequireStaff(const Viewer& viewer, const char* what) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, std::string("only staff ") + what);
}

[[noreturn]] void PaymentsOff() {
    throw Error(ErrorCode::kUnavailable, "payments are not configured (MAXIS_STRIPE_SECRET_KEY is not set)",
                "shop.payments_off");
}

void CheckProduct(const Product& p) {
    auto bad = [](const std::string& m) { throw Error(ErrorCode::kInvalidArgument, m); };
    if (p.name.empty() || p.name.size() > 100) bad("the name must be 1 to 100 characters");
    if (p.description.size() > 1000) bad("the description must be 1000 characters at most");
    if (!p.image_url.empty() && !p.image_url.starts_with("https://")) bad("the image URL must start with https://");
    if (p.price_minor < 0 || p.price_minor > 100'000'000) bad("the price must be between 0 and 1,000,000.00");
    if (p.stock && (*p.stock < 0 || *p.stock > 1'000'000)) bad("the stock must be between 0 and 1,000,000");
    if (p.currency.size() != 3) bad("the currency must be an ISO code such as EUR");
    if (p.category.empty() || p.category.size() > 40) bad("the category must be 1 to 40 characters");
    if (p.coin_price && (*p.coin_price < 1 || *p.coin_price > kMaxCoinPrice)) {
        throw Error(ErrorCode::kInvalidArgument, "the coin price must be a whole number from 1 to 10,000,000",
                    "shop.bad_coin_price", {{"max", std::to_string(kMaxCoinPrice)}});
    }
    core::RequireStorableText(p.name, "name", core::TextLines::kSingle);
    core::RequireStorableText(p.description, "description", core::TextLines::kMulti);
    core::RequireStorableText(p.category, "category", core::TextLines::kSingle);
    CheckPayablePrice(p);
}

/// One rule for chat and panel: a price of 0 is a decision, never a slip.
/// A product with a coin price and no euro price is sold for coins only, which is not free.
void CheckFreePrice(const Product& p, bool free_confirmed) {
    if (p.price_minor == 0 && !p.coin_price && !free_confirmed) {
        throw Error(ErrorCode::kInvalidArgument,
                    "a price of 0 makes the product free: confirm it (free: true) or give a price",
                    "shop.free_unconfirmed", {{"name", p.name}});
    }
}

/// A coin price of 0 means "not for coins", as no coin price does.
Product Normalised(Product p) {
    if (p.coin_price && *p.coin_price == 0) p.coin_price.reset();
    return p;
}

/// Products sold for coins only never go in the cart (which pays in euros).
void RequireEuroPrice(const Product& p) {
    if (p.CoinsOnly()) {
        throw Error(ErrorCode::kConflict, p.name + " is sold for coins only", "shop.coins_only",
                    {{"product", p.name}, {"id", p.id.ToString()}, {"coins", std::to_string(*p.coin_price)}});
    }
}

void CheckQuantity(int quantity, int min) {
    if (quantity < min || quantity > kMaxQuantity) {
        throw Error(ErrorCode::kInvalidArgument,
                    "the quantity must be between " + std::to_string(min) + " and " + std::to_string(kMaxQuantity),
                    "shop.bad_quantity");
    }
}

/// A notice about an order, to its owner or to staff, with the "view the order" button. Amounts travel
/// as numbers and are formatted in the reader's language when delivered.
struct OrderNotice {
    const char* key;
    std::map<std::string, std::string> params;
    std::map<std::string, core::UserId> people;
    std::map<std::string, core::Money> money;
    std::string link;      // an https link shown as a button (invoice, tracking)
    std::string link_key;  // its label's catalog key
};

void Notify(ShopStore& store, const Order& order, bool to_staff, OrderNotice notice,
            const std::string& idempotency_key) {
    auto n = to_staff ? scheduling::Notice::ToStaff(notice.key, idempotency_key)
                      : scheduling::Notice::ToMember(order.owner, notice.key, idempotency_key);
    n.params = std::move(notice.params);
    n.params["number"] = order.number;
    n.people = std::move(notice.people);
    n.money = std::move(notice.money);
    n.order = order.number;
    if (!notice.link.empty()) n.link = scheduling::Notice::Link{notice.link, notice.link_key};
    store.Notify(n);
}

core::Money Amount(long long minor, const std::string& currency) { return core::Money{minor, currency}; }

/// What a paid order sets going, however it was paid: the member's receipt and the staff's heads-up, from
/// which staff fulfil it.
void AnnouncePaid(ShopStore& store, const Order& order, OrderNotice receipt, OrderNotice staff,
                  const std::string& idempotency_key) {
    Notify(store, order, false, std::move(receipt), idempotency_key);
    staff.people["user"] = order.owner;
    Notify(store, order, true, std::move(staff), idempotency_key + ".staff");
}

/// The next order number of the current year, taken in this transaction.
std::string NextOrderNumber(ShopStore& store, core::TimePoint now) {
    int year = static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}.year());
    return FormatOrderNumber(year, store.NextOrderSequence(year));
}

/// Takes quantity of a product's counted stock, or says how many are left.
void TakeStockOrRefuse(ShopStore& store, const Product& p, int quantity) {
    if (p.stock && !store.TakeStock(p.id, quantity)) {
        auto left = store.FindProduct(p.id);
        throw Error(ErrorCode::kConflict, "not enough stock of " + p.name, "shop.out_of_stock",
                    {{"product", p.name}, {"left", std::to_string(left && left->stock ? *left->stock : 0)}});
    }
}

std::string EpochText(core::TimePoint t) { return std::to_string(core::ToEpochMillis(t)); }

/// The order, found in this transaction; every caller has just read its id.
Order Load(ShopStore& store, OrderId id) {
    auto o = store.FindOrder(id);
    if (!o) OrderNotFound(id.ToString());
    return *o;
}

}  // namespace

bool Refundable(const Order& order) {
    switch (order.status) {
        case OrderStatus::kPaid:
        case OrderStatus::kFulfilled:
        case OrderStatus::kShipped:
        case OrderStatus::kDelivered:
            return (order.PaidInCoins() || !order.payment_intent_id.empty()) &&
                   order.refunded_minor < order.total_minor;
        default:
            return false;
    }
}

void ShopService::Move(ShopStore& store, Order& order, OrderStatus to, Mover by, const std::string& actor,
                       const std::string& note, core::TimePoint now) {
    if (!CanTransition(order.status, to, by)) {
        throw Error(
            ErrorCode::kConflict,
            "an order cannot go from " + std::string(ToString(order.status)) + " to " + std::string(ToString(to)),
            "shop.bad_transition", {{"from", std::string(ToString(order.status))}, {"to", std::string(ToString(to))}});
    }
    store.AddOrderEvent(order,
                        OrderEvent{now, std::string(ToString(order.status)), std::string(ToString(to)), actor, note});
    order.status = to;
    order.updated_at = now;
}

void ShopService::Release(ShopStore& store, Order& order) {
    for (const auto& item : order.items) store.ReturnStock(item.product, item.quantity);
    order.reserved_until.reset();
}

// The catalog.

ProductId ShopService::CreateProduct(const Viewer& staff, const Product& given, bool free_confirmed) {
    RequireStaff(staff, "manage the catalog");
    auto product = Normalised(given);
    CheckProduct(product);
    CheckFreePrice(product, free_confirmed);
    ProductId id;
    repo_.Write(staff, [&](ShopStore& store) { id = store.InsertProduct(product, clock_.Now()); });
    return id;
}

void ShopService::UpdateProduct(const Viewer& staff, const Product& given, bool free_confirmed) {
    RequireStaff(staff, "manage the catalog");
    auto product = Normalised(given);
    CheckProduct(product);
    repo_.Write(staff, [&](ShopStore& store) {
        auto stored = store.FindProduct(product.id);
        if (!stored) ProductNotFound();
        // Free already (not coins only): kept without asking again.
        CheckFreePrice(product, free_confirmed || (stored->price_minor == 0 && !stored->coin_price));
        if (!store.UpdateProduct(product)) ProductNotFound();
    });
}

std::optional<Product> ShopService::FindProduct(ProductId id) {
    std::optional<Product> out;
    repo_.Read(Viewer::System(), [&](ShopStore& store) { out = store.FindProduct(id); });
    return out;
}

std::vector<Product> ShopService::ListProducts(const Viewer& viewer, int offset, int limit) {
    std::vector<Product> out;
    repo_.Read(Viewer::System(), [&](ShopStore& store) {
        out = store.ListProducts(viewer.IsStaff(), std::max(offset, 0), std::clamp(limit, 1, 100));
    });
    return out;
}

int ShopService::CountProducts(const Viewer& viewer) {
    int out = 0;
    repo_.Read(Viewer::System(), [&](ShopStore& store) { out = store.CountProducts(viewer.IsStaff()); });
    return out;
}

// The cart.

void ShopService::AddToCart(const Viewer& member, ProductId product, int quantity) {
    CheckQuantity(quantity, 1);
    repo_.Write(member, [&](ShopStore& store) {
        auto p = store.FindProduct(product);
        if (!p || !p->active) ProductNotFound();
        RequireEuroPrice(*p);
        auto lines = store.Cart(member.user_id);
        CheckCartRoom(lines, product);
        int current = 0;
        for (const auto& line : lines) {
            if (line.product.id == product) current = line.quantity;
        }
        if (current + quantity > kMaxQuantity) {
            throw Error(ErrorCode::kInvalidArgument, "at most 99 of one product per cart", "shop.bad_quantity");
        }
        store.PutCartLine(member.user_id, product, current + quantity, clock_.Now());
    });
}

void ShopService::SetCartQuantity(const Viewer& member, ProductId product, int quantity) {
    CheckQuantity(quantity, 0);
    repo_.Write(member, [&](ShopStore& store) {
        if (quantity == 0) {
            store.RemoveCartLine(member.user_id, product);
            return;
        }
        auto p = store.FindProduct(product);
        if (!p || !p->active) ProductNotFound();
        RequireEuroPrice(*p);
        CheckCartRoom(store.Cart(member.user_id), product);
        store.PutCartLine(member.user_id, product, quantity, clock_.Now());
    });
}

void ShopService::RemoveFromCart(const Viewer& member, ProductId product) {
    repo_.Write(member, [&](ShopStore& store) {
        auto lines = store.Cart(member.user_id);
        if (std::none_of(lines.begin(), lines.end(), [&](const CartLine& l) { return l.product.id == product; })) {
            throw Error(ErrorCode::kNotFound, "not in the cart", "shop.not_in_cart");
        }
        store.RemoveCartLine(member.user_id, product);
    });
}

std::vector<CartLine> ShopService::Cart(const Viewer& member) {
    std::vector<CartLine> out;
    repo_.Read(member, [&](ShopStore& store) { out = store.Cart(member.user_id); });
    return out;
}

void ShopService::EmptyCart(const Viewer& member) {
    repo_.Write(member, [&](ShopStore& store) { store.EmptyCart(member.user_id); });
}

// Checkout.

CheckoutLink ShopService::Checkout(const Viewer& member, const std::string& locale) {
    if (!gateway_.configured()) PaymentsOff();
    auto life = SessionLife(options_.reservation);
    Order order;
    // Runs as Maxis itself: reserving stock changes the catalog, which members cannot write. Every row it
    // touches belongs to member.
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto now = clock_.Now();
        auto lines = store.Cart(member.user_id);
        // What the provider would refuse is said before anything is reserved.
        CheckPayableCart(lines);
        if (store.CountPending(member.user_id) >= options_.max_pending_orders) {
            throw Error(ErrorCode::kLimitReached, "too many orders waiting for payment", "shop.too_many_pending",
                        {{"max", std::to_string(options_.max_pending_orders)}});
        }
        if (lines.empty()) throw Error(ErrorCode::kInvalidArgument, "the cart is empty", "shop.cart_empty");
        // Products in id order, so that concurrent checkouts lock them in the same order.
        std::sort(lines.begin(), lines.end(),
                  [](const CartLine& a, const CartLine& b) { return a.product.id.value < b.product.id.value; });
        order.owner = member.user_id;
        order.currency = lines.front().product.currency;
        for (const auto& line : lines) {
            const auto& p = line.product;
            if (!p.active) {
                throw Error(ErrorCode::kConflict, p.name + " is no longer sold", "shop.unavailable",
                            {{"product", p.name}});
            }
            RequireEuroPrice(p);
            if (p.currency != order.currency) {
                throw Error(ErrorCode::kConflict, "the cart mixes currencies", "shop.mixed_currencies");
            }
            TakeStockOrRefuse(store, p, line.quantity);
            order.total_minor += line.Total();
            order.items.push_back(OrderItem{p.id, p.name, p.price_minor, line.quantity});
        }
        order.number = NextOrderNumber(store, now);
        order.status = OrderStatus::kPending;
        order.reserved_until = now + life;
        order.created_at = order.updated_at = now;
        order.id = store.InsertOrder(order);
        store.AddOrderEvent(order, OrderEvent{now, "", "pending", member.user_id.ToString(), "stock reserved"});
        store.EmptyCart(member.user_id);
        order = Load(store, order.id);
    });
    // The page's expiry counts from now, just before the call, in whole seconds rounded down: the provider
    // wants it at least 30 minutes after it receives the request, and the headroom in SessionLife covers
    // the network and the client's retries (which send this same value with the same key).
    auto expires_at = std::chrono::floor<std::chrono::seconds>(clock_.Now() + life);
    PaymentGateway::Session session;
    try {
        session = gateway_.CreateCheckout(order, expires_at, locale);
    } catch (const std::exception& e) {
        // Nothing is owed and nothing stays reserved when the payment page could not be made.
        AbandonCheckout(order.id, std::string("payment page refused: ") + e.what());
        const auto* domain = dynamic_cast<const Error*>(&e);
        throw Error(domain != nullptr ? domain->code() : ErrorCode::kUnavailable,
                    std::string("the payment page could not be created: ") + e.what(), "shop.checkout_failed",
                    {{"number", order.number}});
    }
    order.reserved_until = expires_at;
    order.checkout_session_id = session.id;
    order.checkout_url = session.url;
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        // Only the payment page and the reservation's end: anything else an event changed meanwhile stays.
        auto current = Load(store, order.id);
        current.checkout_session_id = session.id;
        current.checkout_url = session.url;
        if (current.status == OrderStatus::kPending) current.reserved_until = expires_at;
        store.UpdateOrder(current);
    });
    return CheckoutLink{std::move(order), session.url};
}

void ShopService::AbandonCheckout(OrderId id, const std::string& reason) {
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto o = Load(store, id);
        if (o.status != OrderStatus::kPending) return;
        auto now = clock_.Now();
        Move(store, o, OrderStatus::kCancelled, Mover::kMaxis, "maxis", reason, now);
        Release(store, o);
        store.UpdateOrder(o);
        // The member keeps their cart, to try again.
        for (const auto& item : o.items) store.PutCartLine(o.owner, item.product, item.quantity, now);
    });
}

// Orders.

std::optional<Order> ShopService::FindOrder(const Viewer& viewer, OrderId id) {
    std::optional<Order> out;
    repo_.Read(viewer, [&](ShopStore& store) { out = store.FindOrder(id); });
    // Another member's order is not found (the store filters too).
    if (out && !viewer.IsStaff() && out->owner != viewer.user_id) return std::nullopt;
    return out;
}

Order ShopService::FindForStaffOrMember(const Viewer& viewer, const std::string& number_or_id) {
    std::optional<Order> found;
    auto text = core::Trim(number_or_id);
    if (auto id = core::ParseId(text)) {
        found = FindOrder(viewer, OrderId{*id});
    } else if (auto parsed = ParseOrderNumber(text)) {
        auto number = FormatOrderNumber(parsed->first, parsed->second);
        repo_.Read(viewer, [&](ShopStore& store) { found = store.FindOrderByNumber(number); });
        if (found && !viewer.IsStaff() && found->owner != viewer.user_id) found.reset();
    }
    if (!found) OrderNotFound(std::string(text));
    return *found;
}

std::vector<Order> ShopService::ListOrders(const Viewer& viewer, OrderQuery query) {
    if (!viewer.IsStaff()) query.owner = viewer.user_id;
    query.limit = std::clamp(query.limit, 1, 100);
    std::vector<Order> out;
    repo_.Read(viewer, [&](ShopStore& store) { out = store.ListOrders(query); });
    return out;
}

Order ShopService::SetStatus(const Viewer& staff, OrderId id, OrderStatus to, const std::string& note) {
    RequireStaff(staff, "change an order's status");
    if (to == OrderStatus::kRefunded || to == OrderStatus::kPaid) {
        throw Error(ErrorCode::kInvalidArgument, "paid and refunded come from Stripe: refund the order instead",
                    "shop.status_from_stripe");
    }
    core::RequireStorableText(note, "note", core::TextLines::kMulti);
    Order result;
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto o = Load(store, id);
        auto now = clock_.Now();
        bool release = o.status == OrderStatus::kPending && to == OrderStatus::kCancelled;
        Move(store, o, to, Mover::kStaff, staff.user_id.ToString(), note, now);
        if (release) Release(store, o);
        store.UpdateOrder(o);
        Notify(store, o, false,
               {.key = to == OrderStatus::kDelivered   ? "shop.notify.status_delivered"
                       : to == OrderStatus::kCancelled ? "shop.notify.status_cancelled"
                       : to == OrderStatus::kShipped   ? "shop.notify.status_shipped"
                                                       : "shop.notify.status_fulfilled",
                .params = {{"note", note}}},
               "shop.order." + o.id.ToString() + "." + std::string(ToString(to)) + "." + EpochText(now));
        result = Load(store, id);
    });
    return result;
}

Order ShopService::SetTracking(const Viewer& staff, OrderId id, const std::string& carrier, const std::string& code,
                               const std::string& url) {
    RequireStaff(staff, "set tracking");
    if (carrier.size() > 60 || code.size() > 100 || url.size() > 500) {
        throw Error(ErrorCode::kInvalidArgument, "carrier, tracking code or URL too long");
    }
    if (!url.empty() && !url.starts_with("https://"))
        throw Error(ErrorCode::kInvalidArgument, "the tracking URL must start with https://");
    core::RequireStorableText(carrier, "carrier", core::TextLines::kSingle);
    core::RequireStorableText(code, "tracking_code", core::TextLines::kSingle);
    Order result;
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto o = Load(store, id);
        if (o.status == OrderStatus::kPending || o.status == OrderStatus::kCancelled ||
            o.status == OrderStatus::kRefunded) {
            throw Error(ErrorCode::kConflict, "only a paid order can be tracked", "shop.not_trackable");
        }
        auto now = clock_.Now();
        o.carrier = carrier;
        o.tracking_code = code;
        o.tracking_url = url;
        o.updated_at = now;
        if (o.status == OrderStatus::kPaid || o.status == OrderStatus::kFulfilled) {
            Move(store, o, OrderStatus::kShipped, Mover::kStaff, staff.user_id.ToString(), carrier + " " + code, now);
        }
        store.UpdateOrder(o);
        Notify(store, o, false,
               {.key = "shop.notify.shipped",
                .params = {{"carrier", carrier}, {"code", code}},
                .link = url,
                .link_key = "shop.button.track"},
               "shop.order." + o.id.ToString() + ".tracking." + EpochText(now));
        result = Load(store, id);
    });
    return result;
}

std::vector<RevenueDay> ShopService::Revenue(const Viewer& staff, core::TimePoint since) {
    RequireStaff(staff, "see the revenue");
    std::vector<RevenueDay> out;
    repo_.Read(staff, [&](ShopStore& store) { out = store.Revenue(since); });
    return out;
}

namespace {

[[noreturn]] void NotRefundable(const Order& order) {
    throw Error(ErrorCode::kConflict,
                "order " + order.number + " has nothing to refund (" + std::string(ToString(order.status)) + ")",
                "shop.not_refundable", {{"number", order.number}});
}

}  // namespace

RefundRequest ShopService::Refund(const Viewer& staff, OrderId id, std::optional<long long> amount_minor) {
    RequireStaff(staff, "refund orders");
    auto order = FindOrder(staff, id);
    if (!order) OrderNotFound(id.ToString());
    if (order->PaidInCoins()) return RefundCoins(staff, *order, amount_minor);
    if (!gateway_.configured()) PaymentsOff();
    if (!Refundable(*order)) NotRefundable(*order);
    long long left = order->total_minor - order->refunded_minor;
    if (amount_minor && (*amount_minor <= 0 || *amount_minor > left)) {
        throw Error(ErrorCode::kInvalidArgument, "the refund must be more than 0 and at most what is left",
                    "shop.bad_refund", {{"number", order->number}, {"left", std::to_string(left)}});
    }
    // The same request twice (a double click, a retry) gives the same key, so the provider refunds once;
    // once the first refund is recorded, a new request gets a new key.
    std::string key = "maxis-refund-" + order->number + "-" + EpochText(order->created_at) + "-" +
                      (amount_minor ? std::to_string(*amount_minor) : "rest") + "-after-" +
                      std::to_string(order->refunded_minor);
    auto refund_id = gateway_.Refund(*order, amount_minor, key);
    long long amount = amount_minor.value_or(left);
    // The order itself changes when the provider's event says so; the timeline notes the request now.
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto o = Load(store, id);
        auto status = std::string(ToString(o.status));
        store.AddOrderEvent(
            o, OrderEvent{clock_.Now(), status, status, staff.user_id.ToString(),
                          "refund of " + std::to_string(amount) + " " + o.currency + " requested (" + refund_id + ")"});
    });
    return RefundRequest{refund_id, amount};
}

// Coins.

Order ShopService::BuyWithCoins(const Viewer& member, ProductId product, int quantity) {
    CheckQuantity(quantity, 1);
    if (member.user_id.value == 0) throw Error(ErrorCode::kForbidden, "only a member buys");
    Order result;
    // As Maxis itself, like Checkout: the stock and the coin ledger are not the member's to write. Every row
    // it touches belongs to member, and it all commits together or not at all (stock, order, coins).
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        auto now = clock_.Now();
        auto p = store.FindProduct(product);
        if (!p || !p->active) ProductNotFound();
        if (!p->coin_price) {
            throw Error(ErrorCode::kConflict, p->name + " is not sold for coins", "shop.not_for_coins",
                        {{"product", p->name}});
        }
        TakeStockOrRefuse(store, *p, quantity);
        Order o;
        o.owner = member.user_id;
        o.currency = std::string(kCoinCurrency);
        o.total_minor = *p->coin_price * quantity;
        o.items.push_back(OrderItem{p->id, p->name, *p->coin_price, quantity});
        o.number = NextOrderNumber(store, now);
        o.status = OrderStatus::kPaid;
        o.created_at = o.updated_at = now;
        o.id = store.InsertOrder(o);
        auto coins = std::to_string(o.total_minor);
        if (store.SpendCoins(member.user_id, o.total_minor, o.number, now) != ShopStore::CoinMove::kDone) {
            // Short (a fresh order number is never spent twice): everything above rolls back.
            throw Error(ErrorCode::kConflict, "not enough coins for " + p->name, "shop.coins_short",
                        {{"product", p->name}, {"coins", coins}});
        }
        store.AddOrderEvent(o, OrderEvent{now, "", "paid", member.user_id.ToString(), "paid with " + coins + " coins"});
        AnnouncePaid(store, o, {.key = "shop.notify.paid_coins", .params = {{"coins", coins}}},
                     {.key = "shop.notify.new_order_coins", .params = {{"coins", coins}}},
                     "shop.order." + o.id.ToString() + ".coins");
        result = Load(store, o.id);
    });
    return result;
}

RefundRequest ShopService::RefundCoins(const Viewer& staff, const Order& order, std::optional<long long> amount_minor) {
    if (amount_minor && *amount_minor != order.total_minor) {
        throw Error(ErrorCode::kInvalidArgument, "an order paid in coins is refunded whole", "shop.coins_refund_whole",
                    {{"number", order.number}});
    }
    long long amount = order.total_minor;
    repo_.Write(Viewer::System(), [&](ShopStore& store) {
        // Read again in this transaction: a refund racing this one finds the order refunded.
        auto o = Load(store, order.id);
        if (!Refundable(o)) NotRefundable(o);
        auto now = clock_.Now();
        if (store.ReturnCoins(o.owner, amount, o.number, staff.user_id, now) != ShopStore::CoinMove::kDone) {
            NotRefundable(o);
        }
        // The coin ledger is this order's payment provider: its refund moves the order as Stripe's would.
        Move(store, o, OrderStatus::kRefunded, Mover::kProvider, staff.user_id.ToString(),
             std::to_string(amount) + " coins given back", now);
        if (options_.restock_on_refund) {
            for (const auto& item : o.items) store.ReturnStock(item.product, item.quantity);
        }
        store.UpdateOrder(o);
        Notify(store, o, false, {.key = "shop.notify.refunded_coins", .params = {{"coins", std::to_string(amount)}}},
               "shop.order." + o.id.ToString() + ".coins-refund");
    });
    return RefundRequest{order.number, amount};
}

// The provider's events.

EventOutcome ShopService::ApplyOnce(const std::string& event_id, const std::string& type,
                                    const std::function<EventOutcome(ShopStore&)>& effect) {
    return core::ApplyEventOnce(repo_, Viewer::System(), event_id, type, effect);
}

EventOutcome ShopService::OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                              const std::string& payment_intent, long long amount_minor,
                                              const std::string& currency, const std::string& invoice_url) {
    return ApplyOnce(event_id, paid ? "checkout.session.paid" : "checkout.session.completed", [&](ShopStore& store) {
        auto found = store.FindOrderBySession(session_id);
        if (!found) return EventOutcome::kIgnored;
        auto& o = *found;
        auto now = clock_.Now();
        if (!payment_intent.empty()) o.payment_intent_id = payment_intent;
        if (!invoice_url.empty()) o.invoice_url = invoice_url;
        if (!paid) {
            if (o.status != OrderStatus::kPending) {
                store.UpdateOrder(o);
                return EventOutcome::kIgnored;
            }
            // An asynchronous method (a bank debit): the stock stays reserved until the result comes.
            o.reserved_until = now + kAsyncPaymentHold;
            store.UpdateOrder(o);
            Notify(store, o, false, {.key = "shop.notify.processing"}, "shop." + event_id);
            return EventOutcome::kApplied;
        }
        if (o.status != OrderStatus::kPending && o.status != OrderStatus::kCancelled) {
            store.UpdateOrder(o);
            return EventOutcome::kIgnored;  // paid already (the same payment under another event)
        }
        if (o.status == OrderStatus::kCancelled) {
            // A late payment: the money is taken, so the order is owed. Its stock was given back; take it
            // again as far as it goes, and staff check the rest (or refund).
            for (const auto& item : o.items) store.TakeStockUpTo(item.product, item.quantity);
            Move(store, o, OrderStatus::kPaid, Mover::kProvider, "stripe",
                 "paid after the order was cancelled: check the stock", now);
            Notify(store, o, true, {.key = "shop.notify.late_payment"}, "shop." + event_id + ".staff-late");
        } else {
            Move(store, o, OrderStatus::kPaid, Mover::kProvider, "stripe", "", now);
        }
        o.reserved_until.reset();
        store.UpdateOrder(o);
        // Stripe writes currencies in lower case; the catalog in upper case.
        std::string paid_currency = currency.empty() ? o.currency : currency;
        std::transform(paid_currency.begin(), paid_currency.end(), paid_currency.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        store.RecordPayment(Payment{Payment::Kind::kCharge, o.id, o.owner, amount_minor, paid_currency,
                                    payment_intent.empty() ? session_id : payment_intent, now});
        // The receipt, with the invoice when Stripe made one, and the staff's heads-up.
        AnnouncePaid(store, o,
                     {.key = invoice_url.empty() ? "shop.notify.paid" : "shop.notify.paid_invoice",
                      .money = {{"total", Amount(amount_minor, o.currency)}},
                      .link = invoice_url,
                      .link_key = "shop.button.invoice"},
                     {.key = "shop.notify.new_order", .money = {{"total", Amount(amount_minor, o.currency)}}},
                     "shop." + event_id);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopService::OnCheckoutPaymentFailed(const std::string& event_id, const std::string& session_id,
                                                  const std::string& type) {
    return ApplyOnce(event_id, type, [&](ShopStore& store) {
        auto o = store.FindOrderBySession(session_id);
        if (!o || o->status != OrderStatus::kPending) return EventOutcome::kIgnored;
        Move(store, *o, OrderStatus::kCancelled, Mover::kProvider, "stripe", "payment failed", clock_.Now());
        Release(store, *o);
        store.UpdateOrder(*o);
        Notify(store, *o, false, {.key = "shop.notify.payment_failed"}, "shop." + event_id);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopService::OnCheckoutExpired(const std::string& event_id, const std::string& session_id) {
    return ApplyOnce(event_id, "checkout.session.expired", [&](ShopStore& store) {
        auto o = store.FindOrderBySession(session_id);
        // Paid meanwhile: the newer state stays.
        if (!o || o->status != OrderStatus::kPending) return EventOutcome::kIgnored;
        Move(store, *o, OrderStatus::kCancelled, Mover::kProvider, "stripe", "checkout expired", clock_.Now());
        Release(store, *o);
        store.UpdateOrder(*o);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopService::OnRefunded(const std::string& event_id, const std::string& payment_intent,
                                     const std::string& refund_id, long long amount_refunded, bool fully) {
    return ApplyOnce(event_id, "charge.refunded", [&](ShopStore& store) {
        auto found = store.FindOrderByPaymentIntent(payment_intent);
        // The payment may not be recorded yet: Stripe delivers again.
        if (!found || found->status == OrderStatus::kPending) return EventOutcome::kRetryLater;
        auto& o = *found;
        auto now = clock_.Now();
        // charge.refunded carries the charge's cumulated refunds: what is new is the difference with what is recorded.
        long long fresh = amount_refunded - o.refunded_minor;
        if (fresh <= 0 && !fully) return EventOutcome::kIgnored;
        if (fresh > 0) {
            store.RecordPayment(Payment{Payment::Kind::kRefund, o.id, o.owner, -fresh, o.currency, refund_id, now});
            Notify(store, o, false,
                   {.key = fully ? "shop.notify.refunded" : "shop.notify.partially_refunded",
                    .money = {{"amount", Amount(fresh, o.currency)}}},
                   "shop." + event_id);
        }
        if (!fully) {
            auto status = std::string(ToString(o.status));
            store.AddOrderEvent(o, OrderEvent{now, status, status, "stripe", "partial refund"});
            return EventOutcome::kApplied;
        }
        if (o.status == OrderStatus::kRefunded || o.status == OrderStatus::kCancelled) {
            return fresh > 0 ? EventOutcome::kApplied : EventOutcome::kIgnored;
        }
        const bool restock = options_.restock_on_refund;
        Move(store, o, OrderStatus::kRefunded, Mover::kProvider, "stripe", restock ? "stock returned" : "", now);
        if (restock) {
            for (const auto& item : o.items) store.ReturnStock(item.product, item.quantity);
        }
        store.UpdateOrder(o);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopService::OnDisputed(const std::string& event_id, const std::string& payment_intent,
                                     const std::string& reason) {
    return ApplyOnce(event_id, "charge.dispute.created", [&](ShopStore& store) {
        auto found = store.FindOrderByPaymentIntent(payment_intent);
        if (!found) return EventOutcome::kIgnored;  // not a shop payment
        auto& o = *found;
        auto now = clock_.Now();
        auto status = std::string(ToString(o.status));
        o.disputed = true;
        o.updated_at = now;
        store.UpdateOrder(o);
        store.AddOrderEvent(o, OrderEvent{now, status, status, "stripe", "dispute opened: " + reason});
        Notify(store, o, true,
               {.key = "shop.notify.disputed",
                .params = {{"reason", reason}},
                .people = {{"user", o.owner}},
                .money = {{"total", Amount(o.total_minor, o.currency)}}},
               "shop." + event_id);
        return EventOutcome::kApplied;
    });
}

EventOutcome ShopService::OnUnhandled(const std::string& event_id, const std::string& type) {
    return ApplyOnce(event_id, type, [](ShopStore&) { return EventOutcome::kIgnored; });
}

bool ShopService::EventRecorded(const std::string& event_id) {
    bool recorded = false;
    repo_.Read(Viewer::System(), [&](ShopStore& store) { recorded = store.EventRecorded(event_id); });
    return recorded;
}

int ShopService::ReleaseExpired() {
    auto cutoff = clock_.Now() - options_.release_grace;
    std::vector<OrderId> ids;
    repo_.Read(Viewer::System(), [&](ShopStore& store) { ids = store.PendingReservedBefore(cutoff, 500); });
    int released = 0;
    for (auto id : ids) {
        bool release = false;
        repo_.Write(Viewer::System(), [&](ShopStore& store) {
            auto o = store.FindOrder(id);
            // Checked again inside the transaction: a payment may have landed in between.
            release = o && o->status == OrderStatus::kPending && o->reserved_until && *o->reserved_until < cutoff;
            if (!release) return;
            Move(store, *o, OrderStatus::kCancelled, Mover::kMaxis, "maxis", "reservation expired", clock_.Now());
            Release(store, *o);
            store.UpdateOrder(*o);
        });
        if (release) ++released;
    }
    return released;
}

}  // namespace maxis::shop
