#include "http/api/preorders_api.hpp"

#include <boost/json.hpp>
#include <map>

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/iso8601.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using namespace preorders;

namespace {

json::value Time(const std::optional<core::TimePoint>& t) {
    return t ? json::value(core::FormatIso8601(*t)) : json::value(nullptr);
}
json::value Count(const std::optional<int>& n) { return n ? json::value(*n) : json::value(nullptr); }

json::object TierJson(const Tier& t) {
    return json::object{{"id", t.id.value},
                        {"position", t.position},
                        {"name", t.name},
                        {"discount_percent", t.discount_percent},
                        {"seats", Count(t.seats)},
                        {"sold", t.sold},
                        {"held", t.held},
                        {"open", Count(SeatsOpen(t))},
                        {"unsold", Count(SeatsUnsold(t))},
                        {"price_minor", t.price_minor}};
}

json::object ItemJson(const ItemView& v) {
    const auto& i = v.item;
    json::array tiers;
    for (const auto& t : v.tiers) tiers.push_back(TierJson(t));
    return json::object{{"id", i.id.value},
                        {"name", i.name},
                        {"description", i.description},
                        {"image_url", i.image_url},
                        {"price_minor", i.price.minor},
                        {"currency", i.price.currency},
                        {"release_at", core::FormatIso8601(i.release_at)},
                        {"status", ToString(i.status)},
                        {"per_member_limit", i.per_member_limit},
                        {"delivery", i.delivery},
                        {"release_moves", i.release_moves},
                        {"opened_at", Time(i.opened_at)},
                        {"released_at", Time(i.released_at)},
                        {"tiers", std::move(tiers)},
                        {"next_tier_id", v.next ? json::value(v.next->id.value) : json::value(nullptr)}};
}

/// The tiers' names by id, from the items a purchase list refers to.
using TierNames = std::map<TierId, std::string>;
TierNames NamesOf(const std::vector<ItemView>& views) {
    TierNames names;
    for (const auto& v : views) {
        for (const auto& t : v.tiers) names[t.id] = t.name;
    }
    return names;
}

json::object PurchaseJson(const Purchase& p, const TierNames& tiers) {
    auto tier = tiers.find(p.tier);
    return json::object{
        {"id", p.id.value},
        {"item_id", p.item.value},
        {"tier_id", p.tier.value},
        {"tier_name", tier != tiers.end() ? json::value(tier->second) : json::value(nullptr)},
        {"user", p.buyer.ToString()},
        {"status", ToString(p.status)},
        {"price_minor", p.price.minor},
        {"currency", p.price.currency},
        {"late", p.late},
        {"named", p.named},
        {"refund_reason",
         p.refund_reason == RefundReason::kNone ? json::value(nullptr) : json::value(ToString(p.refund_reason))},
        {"created_at", core::FormatIso8601(p.created_at)},
        {"paid_at", Time(p.paid_at)},
        {"fulfilled_at", Time(p.fulfilled_at)},
        {"refunded_at", Time(p.refunded_at)}};
}

json::array PurchasesJson(const std::vector<Purchase>& purchases, const TierNames& tiers) {
    json::array out;
    for (const auto& p : purchases) out.push_back(PurchaseJson(p, tiers));
    return out;
}

ItemId IdOf(const Request& req) { return ItemId{PathId(req, "pre-order")}; }

core::TimePoint TimeField(const json::object& body, std::string_view name, bool required) {
    auto text = StringField(body, name, required);
    auto t = core::ParseIso8601(text);
    if (!t)
        BadRequest("field '" + std::string(name) + "' must be an ISO 8601 time with its zone (2026-12-25T17:00:00Z)");
    return *t;
}

constexpr long long kMaxMinor = 1'000'000'000'000LL;  // beyond any price: the service says which are allowed

long long PriceField(const json::object& body) {
    auto price = IntegerField(body, "price_minor", -kMaxMinor, kMaxMinor);
    if (!price) BadRequest("field 'price_minor' is required");
    return *price;
}

/// tiers: [{name, discount_percent, seats|null}]; the tiers' own rules are the model's (preorders.tier_* keys).
std::vector<TierSpec> TiersField(const json::object& body) {
    auto it = body.find("tiers");
    if (it == body.end() || it->value().is_null()) return {};
    if (!it->value().is_array()) BadRequest("field 'tiers' must be an array of {name, discount_percent, seats}");
    std::vector<TierSpec> tiers;
    for (const auto& v : it->value().as_array()) {
        if (!v.is_object()) BadRequest("each tier must be an object {name, discount_percent, seats}");
        const auto& o = v.as_object();
        for (const auto& [key, value] : o) {
            if (key != "name" && key != "discount_percent" && key != "seats") {
                BadRequest("unknown tier field '" + std::string(key) + "'");
            }
        }
        auto discount = IntegerField(o, "discount_percent", -1000, 1000);
        if (!discount) BadRequest("each tier needs 'discount_percent'");
        auto seats = IntegerField(o, "seats", -1'000'000'000, 1'000'000'000);
        tiers.push_back(TierSpec{.name = StringField(o, "name", true),
                                 .discount_percent = static_cast<int>(*discount),
                                 .seats = seats ? std::optional<int>(static_cast<int>(*seats)) : std::nullopt});
    }
    return tiers;
}

std::optional<int> LimitField(const json::object& body) {
    auto limit = IntegerField(body, "per_member_limit", 1, 1000);
    if (!limit && body.contains("per_member_limit") && !body.at("per_member_limit").is_null()) {
        BadRequest("field 'per_member_limit' must be a number from 1 to 1000");
    }
    return limit ? std::optional<int>(static_cast<int>(*limit)) : std::nullopt;
}

std::string Iso(const std::optional<core::TimePoint>& t) { return t ? core::FormatIso8601(*t) : std::string(); }

}  // namespace

void AddPreorderRoutes(Router& router, PreorderService& service, Authenticator authenticate, core::NameLookup names) {
    // The literal paths first: /{id} would otherwise take "purchases" or "early-adopters" for an id.
    router.Add("GET", "/api/v1/preorders/purchases", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto user = req.QueryParam("user").value_or("me");
        auto buyer = user == "me" ? viewer.user_id : UserIdParam(user, "user");
        // A member asking for someone else's purchases learns nothing, not even whether they exist.
        if (buyer != viewer.user_id && !viewer.IsStaff())
            throw core::Error(core::ErrorCode::kNotFound, "member not found");
        auto purchases = service.Purchases(viewer, buyer);
        auto tiers = NamesOf(service.List(viewer, true));
        return Response::Json(200, json::object{{"items", PurchasesJson(purchases, tiers)}});
    });
    router.Add("POST", "/api/v1/preorders/purchases/{id}/cancel", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto p = service.CancelPurchase(viewer, PurchaseId{PathId(req, "purchase")});
        return Response::Json(200, PurchaseJson(p, NamesOf({service.Get(viewer, p.item)})));
    });
    router.Add("GET", "/api/v1/preorders/early-adopters", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        json::array items;
        for (const auto& a : service.EarlyAdopters(viewer, IntParam(req, "limit", 1, 1000, 100))) {
            items.push_back(json::object{{"user", a.user.ToString()},
                                         {"first_paid_at", core::FormatIso8601(a.first_paid_at)},
                                         {"purchases", a.purchases}});
        }
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });

    router.Add("GET", "/api/v1/preorders", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto all = req.QueryParam("all").value_or("0");
        if (all != "0" && all != "1") BadRequest("all must be 0 or 1");
        json::array items;
        for (const auto& v : service.List(viewer, all == "1")) items.push_back(ItemJson(v));
        return Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("POST", "/api/v1/preorders", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"name", "price_minor", "release_at", "description", "image_url", "delivery",
                                    "per_member_limit", "tiers"});
        NewItem item{.name = StringField(body, "name", true),
                     .price = core::Money{PriceField(body), service.options().currency},
                     .release_at = TimeField(body, "release_at", true),
                     .description = StringField(body, "description", false),
                     .image_url = StringField(body, "image_url", false),
                     .delivery = StringField(body, "delivery", false),
                     .per_member_limit = LimitField(body),
                     .tiers = TiersField(body)};
        auto view = service.Create(viewer, item);
        return Response::Json(201, ItemJson(view)).With("Location", "/api/v1/preorders/" + view.item.id.ToString());
    });
    router.Add("GET", "/api/v1/preorders/{id}", [&service, authenticate](const Request& req) {
        return Response::Json(200, ItemJson(service.Get(Authenticate(req, authenticate), IdOf(req))));
    });
    router.Add("PATCH", "/api/v1/preorders/{id}", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(
            req, {"name", "description", "image_url", "delivery", "price_minor", "release_at", "per_member_limit"});
        auto given = [&body](std::string_view name) { return body.contains(name) && !body.at(name).is_null(); };
        ItemChanges changes;
        if (given("name")) changes.name = StringField(body, "name", true);
        if (given("description")) changes.description = StringField(body, "description", true);
        if (given("image_url")) changes.image_url = StringField(body, "image_url", true);
        if (given("delivery")) changes.delivery = StringField(body, "delivery", true);
        if (given("price_minor")) changes.price = core::Money{PriceField(body), service.options().currency};
        if (given("release_at")) changes.release_at = TimeField(body, "release_at", true);
        changes.per_member_limit = LimitField(body);
        return Response::Json(200, ItemJson(service.Edit(viewer, IdOf(req), changes)));
    });
    router.Add("PUT", "/api/v1/preorders/{id}/tiers", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto body = ParseBody(req, {"tiers"});
        if (!body.contains("tiers")) BadRequest("field 'tiers' is required");
        return Response::Json(200, ItemJson(service.SetTiers(viewer, IdOf(req), TiersField(body))));
    });
    auto move = [&router, &service, authenticate](const std::string& action,
                                                  ItemView (PreorderService::*call)(const core::Viewer&, ItemId)) {
        router.Add("POST", "/api/v1/preorders/{id}/" + action, [&service, authenticate, call](const Request& req) {
            auto viewer = Authenticate(req, authenticate);
            RequireStaff(viewer);
            return Response::Json(200, ItemJson((service.*call)(viewer, IdOf(req))));
        });
    };
    move("open", &PreorderService::Open);
    move("close", &PreorderService::Close);
    move("cancel", &PreorderService::Cancel);

    router.Add("POST", "/api/v1/preorders/{id}/buy", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto body = req.body.empty() ? json::object{} : ParseBody(req, {"tier_id", "named", "locale"});
        std::optional<TierId> expected;
        if (auto t = IntegerField(body, "tier_id", 1, INT64_MAX)) expected = TierId{*t};
        bool named = false;
        if (body.contains("named") && !body.at("named").is_null()) {
            if (!body.at("named").is_bool()) BadRequest("field 'named' must be true or false");
            named = body.at("named").as_bool();
        }
        auto locale = StringField(body, "locale", false);
        if (locale.empty()) locale = "fr";
        if (locale != "fr" && locale != "en") BadRequest("field 'locale' must be fr or en");
        auto result = service.Buy(viewer, IdOf(req), expected, named, locale);
        if (result.price_changed) {
            // Nothing held: the buyer is shown the tier (and price) they would get now, to confirm.
            return Response::Json(409, json::object{{"error",
                                                     {{"code", "conflict"},
                                                      {"key", "preorders.price_changed"},
                                                      {"message", "that tier has no seat open any more"}}},
                                                    {"tier", TierJson(result.tier)}});
        }
        TierNames tiers{{result.tier.id, result.tier.name}};
        return Response::Json(200, json::object{{"checkout_url", result.url},
                                                {"purchase", PurchaseJson(*result.purchase, tiers)},
                                                {"tier", TierJson(result.tier)}});
    });

    router.Add("GET", "/api/v1/preorders/{id}/stats", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto stats = service.Stats(viewer, IdOf(req));
        json::array days;
        for (const auto& d : stats.days) {
            days.push_back(json::object{
                {"day", d.day}, {"tier_id", d.tier.value}, {"seats", d.seats}, {"revenue_minor", d.revenue_minor}});
        }
        return Response::Json(200, json::object{{"item", ItemJson(stats.view)},
                                                {"days", std::move(days)},
                                                {"revenue_minor", stats.revenue_minor},
                                                {"refunded_minor", stats.refunded_minor},
                                                {"buyers", stats.buyers}});
    });
    router.Add("GET", "/api/v1/preorders/{id}/buyers", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto buyers = service.Buyers(viewer, IdOf(req));
        return Response::Json(
            200, json::object{{"items", PurchasesJson(buyers, NamesOf({service.Get(viewer, IdOf(req))}))}});
    });
    router.Add("GET", "/api/v1/preorders/{id}/buyers.csv", [&service, authenticate, names](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        RequireStaff(viewer);
        auto buyers = service.Buyers(viewer, IdOf(req));
        auto tiers = NamesOf({service.Get(viewer, IdOf(req))});
        // The names are read after the service's transactions: the lookup opens its own.
        std::map<core::UserId, std::string> known;
        if (names) {
            std::vector<core::UserId> ids;
            for (const auto& p : buyers) ids.push_back(p.buyer);
            known = names(ids);
        }
        std::string csv = "purchase,buyer_name,buyer_id,tier,price,currency,status,paid_at,refunded_at\r\n";
        for (const auto& p : buyers) {
            auto name = known.find(p.buyer);
            auto tier = tiers.find(p.tier);
            csv += p.id.ToString() + "," + (name != known.end() ? core::CsvCell(name->second) : std::string()) + "," +
                   p.buyer.ToString() + "," + core::CsvCell(tier != tiers.end() ? tier->second : "") + "," +
                   DecimalText(p.price.minor) + "," + core::CsvCell(p.price.currency) + "," +
                   std::string(ToString(p.status)) + "," + Iso(p.paid_at) + "," + Iso(p.refunded_at) + "\r\n";
        }
        return Response::Text(200, std::move(csv), "text/csv; charset=utf-8")
            .With("Content-Disposition", "attachment; filename=\"preorder-" + IdOf(req).ToString() + "-buyers.csv\"");
    });
}

}  // namespace maxis::http
