#include "http/api/shop_api.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using namespace shop;

namespace {

json::object ProductJson(const Product& p) {
    return json::object{{"id", p.id.value},
                        {"name", p.name},
                        {"description", p.description},
                        {"image_url", p.image_url},
                        {"price_minor", p.price_minor},
                        {"currency", p.currency},
                        {"stock", p.stock ? json::value(*p.stock) : json::value(nullptr)},
                        {"category", p.category},
                        {"active", p.active},
                        // Whole coins, or null when the product is not sold for coins.
                        {"coin_price", p.coin_price ? json::value(*p.coin_price) : json::value(nullptr)}};
}

json::object OrderJson(const Order& o, const core::Viewer& viewer) {
    json::array items;
    for (const auto& i : o.items) {
        items.push_back(json::object{{"product", i.product.value},
                                     {"name", i.name},
                                     {"unit_price_minor", i.unit_price_minor},
                                     {"quantity", i.quantity}});
    }
    json::array events;
    for (const auto& e : o.events) {
        events.push_back(json::object{
            {"at", core::FormatIso8601(e.at)}, {"from", e.from}, {"to", e.to}, {"actor", e.actor}, {"note", e.note}});
    }
    json::object out{
        {"id", o.id.value},
        {"number", o.number},
        {"owner", o.owner.ToString()},
        {"status", ToString(o.status)},
        {"total_minor", o.total_minor},
        {"refunded_minor", o.refunded_minor},
        {"currency", o.currency},
        {"disputed", o.disputed},
        {"refundable", Refundable(o)},
        {"invoice_url", o.invoice_url},
        {"tracking", json::object{{"carrier", o.carrier}, {"code", o.tracking_code}, {"url", o.tracking_url}}},
        {"reserved_until",
         o.reserved_until ? json::value(core::FormatIso8601(*o.reserved_until)) : json::value(nullptr)},
        {"created_at", core::FormatIso8601(o.created_at)},
        {"updated_at", core::FormatIso8601(o.updated_at)},
        {"items", std::move(items)},
        {"events", std::move(events)}};
    if (viewer.IsStaff()) out["payment_intent"] = o.payment_intent_id;
    // The payment link is the buyer's own.
    if (o.owner == viewer.user_id && o.status == OrderStatus::kPending) out["checkout_url"] = o.checkout_url;
    return out;
}

OrderStatus StatusParam(const std::string& text, std::string_view field) {
    auto s = ParseOrderStatus(text);
    if (!s) {
        BadRequest(std::string(field) +
                   " must be one of pending, paid, fulfilled, shipped, delivered, cancelled, refunded (got '" + text +
                   "')");
    }
    return *s;
}

/// Fields of a product body applied over p; 400 for anything malformed.
void ApplyProductBody(const json::object& body, Product& p) {
    if (body.contains("name")) p.name = StringField(body, "name", true);
    if (body.contains("description")) p.description = StringField(body, "description", false);
    if (body.contains("image_url")) p.image_url = StringField(body, "image_url", false);
    if (body.contains("category")) p.category = StringField(body, "category", true);
    if (body.contains("currency")) p.currency = StringField(body, "currency", true);
    if (auto price = IntegerField(body, "price_minor", 0, 100'000'000)) p.price_minor = *price;
    if (auto it = body.find("stock"); it != body.end()) {
        if (it->value().is_null()) {
            p.stock.reset();
        } else {
            p.stock = static_cast<int>(*IntegerField(body, "stock", 0, 1'000'000));
        }
    }
    if (auto it = body.find("active"); it != body.end()) {
        if (!it->value().is_bool()) BadRequest("field 'active' must be true or false");
        p.active = it->value().as_bool();
    }
    // null or 0: not sold for coins.
    if (auto it = body.find("coin_price"); it != body.end()) {
        if (it->value().is_null()) {
            p.coin_price.reset();
        } else {
            p.coin_price = *IntegerField(body, "coin_price", 0, 10'000'000);
        }
    }
}

/// "free": true confirms a price of 0 (ShopService refuses it otherwise).
bool FreeConfirmed(const json::object& body) {
    auto it = body.find("free");
    if (it == body.end() || it->value().is_null()) return false;
    if (!it->value().is_bool()) BadRequest("field 'free' must be true or false");
    return it->value().as_bool();
}

}  // namespace

void AddShopRoutes(Router& router, ShopService& service, const core::Clock& clock, Authenticator authenticate) {
    router.Add("GET", "/api/v1/orders", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        OrderQuery q;
        if (auto v = req.QueryParam("status")) q.status = StatusParam(*v, "status");
        if (auto v = req.QueryParam("user")) q.owner = UserIdParam(*v, "user");
        q.before_id = CursorParam(req);
        q.limit = LimitParam(req, 25);
        auto list = service.ListOrders(viewer, q);
        json::array items;
        for (const auto& o : list) items.push_back(OrderJson(o, viewer));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == q.limit) next = list.back().id.ToString();
        return Response::Json(200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
    });

    router.Add("GET", "/api/v1/orders/{id}", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        return Response::Json(200, OrderJson(service.FindForStaffOrMember(viewer, req.path_params.at("id")), viewer));
    });

    router.Add("PATCH", "/api/v1/orders/{id}", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"status", "note", "carrier", "tracking_code", "tracking_url"});
        bool tracking = body.contains("carrier") || body.contains("tracking_code") || body.contains("tracking_url");
        if (tracking == body.contains("status")) {
            BadRequest(
                "give either status (with an optional note) or carrier and tracking_code (with an optional "
                "tracking_url)");
        }
        auto order = service.FindForStaffOrMember(viewer, req.path_params.at("id"));
        if (tracking) {
            order =
                service.SetTracking(viewer, order.id, StringField(body, "carrier", true),
                                    StringField(body, "tracking_code", true), StringField(body, "tracking_url", false));
        } else {
            order =
                service.SetStatus(viewer, order.id, StatusParam(StringField(body, "status", true), "field 'status'"),
                                  StringField(body, "note", false));
        }
        return Response::Json(200, OrderJson(order, viewer));
    });

    router.Add("POST", "/api/v1/orders/{id}/refund", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = req.body.empty() ? json::object{} : ParseBody(req, {"amount_minor"});
        auto order = service.FindForStaffOrMember(viewer, req.path_params.at("id"));
        auto refund = service.Refund(viewer, order.id, IntegerField(body, "amount_minor", 1, 100'000'000));
        return Response::Json(202, json::object{{"refund_id", refund.refund_id},
                                                {"amount_minor", refund.amount_minor},
                                                {"order", OrderJson(*service.FindOrder(viewer, order.id), viewer)}});
    });

    router.Add("GET", "/api/v1/products", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        int limit = LimitParam(req, 100);
        int offset = static_cast<int>(CursorParam(req).value_or(0));
        auto list = service.ListProducts(viewer, offset, limit);
        json::array items;
        for (const auto& p : list) items.push_back(ProductJson(p));
        json::value next = nullptr;
        if (static_cast<int>(list.size()) == limit) next = std::to_string(offset + limit);
        return Response::Json(200, json::object{{"items", std::move(items)}, {"next_cursor", next}});
    });

    router.Add("POST", "/api/v1/products", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"name", "description", "image_url", "price_minor", "currency", "stock", "category",
                                    "active", "free", "coin_price"});
        if (!body.contains("name") || (!body.contains("price_minor") && !body.contains("coin_price")))
            BadRequest(
                "fields 'name' and 'price_minor' (or 'coin_price' for a product sold for coins only) are required");
        Product p;
        ApplyProductBody(body, p);
        auto id = service.CreateProduct(viewer, p, FreeConfirmed(body));
        return Response::Json(201, ProductJson(*service.FindProduct(id)))
            .With("Location", "/api/v1/products/" + id.ToString());
    });

    router.Add("PATCH", "/api/v1/products/{id}", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"name", "description", "image_url", "price_minor", "currency", "stock", "category",
                                    "active", "free", "coin_price"});
        auto found = service.FindProduct(ProductId{PathId(req, "product")});
        if (!found) throw Error(ErrorCode::kNotFound, "product not found");
        ApplyProductBody(body, *found);
        service.UpdateProduct(viewer, *found, FreeConfirmed(body));
        return Response::Json(200, ProductJson(*service.FindProduct(found->id)));
    });

    // A member buys a coin-priced product with their coins: the order comes back paid (201), or nothing changes.
    router.Add("POST", "/api/v1/products/{id}/buy-with-coins", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto body = req.body.empty() ? json::object{} : ParseBody(req, {"quantity"});
        auto quantity = static_cast<int>(IntegerField(body, "quantity", 1, 99).value_or(1));
        auto order = service.BuyWithCoins(viewer, ProductId{PathId(req, "product")}, quantity);
        return Response::Json(201, OrderJson(order, viewer)).With("Location", "/api/v1/orders/" + order.number);
    });

    router.Add("GET", "/api/v1/shop/revenue", [&service, &clock, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        int days = IntParam(req, "days", 1, 366, 30);
        auto since = std::chrono::floor<std::chrono::days>(clock.Now()) - std::chrono::days(days - 1);
        json::array out;
        for (const auto& d : service.Revenue(viewer, since)) {
            out.push_back(json::object{{"day", d.day},
                                       {"currency", d.currency},
                                       {"gross_minor", d.gross_minor},
                                       {"refunded_minor", d.refunded_minor},
                                       {"net_minor", d.gross_minor - d.refunded_minor},
                                       {"orders", d.orders}});
        }
        return Response::Json(200, json::object{{"days", days}, {"items", std::move(out)}});
    });
}

}  // namespace maxis::http
