#include "stripe/events.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"

namespace maxis::stripe {

namespace json = boost::json;
using payments::Metadata;

namespace {

[[noreturn]] void Malformed(const std::string& what) { throw core::Error(core::ErrorCode::kInvalidArgument, what); }

/// Reads the fields of one Stripe object, naming each by its path in errors. Absent and null fields read
/// as empty (Stripe sends null for what does not apply); a field of another type is an error.
class Reader {
public:
    Reader(const json::object& object, std::string path) : o_(object), path_(std::move(path)) {}

    [[nodiscard]] std::string Path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    /// The object's own kind ("object": "checkout.session"), which must be the one expected.
    void Expect(std::string_view kind) const {
        auto actual = Text("object");
        if (actual != kind) {
            Malformed(Path("object") + ": " + (actual.empty() ? std::string("missing") : "\"" + actual + "\"") +
                      ", expected \"" + std::string(kind) + "\"");
        }
    }

    /// The object's id: required.
    [[nodiscard]] std::string Id() const {
        auto id = Text("id");
        if (id.empty()) Malformed(Path("id") + ": missing");
        return id;
    }

    [[nodiscard]] std::string Text(std::string_view key) const {
        const auto* v = Field(key);
        if (v == nullptr) return {};
        if (!v->is_string()) Malformed(Path(key) + ": not a string");
        return std::string(v->as_string());
    }

    [[nodiscard]] long long Integer(std::string_view key) const {
        const auto* v = Field(key);
        if (v == nullptr) return 0;
        if (v->is_int64()) return v->as_int64();
        if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
            return static_cast<long long>(v->as_uint64());
        Malformed(Path(key) + ": not an integer");
    }

    [[nodiscard]] bool Flag(std::string_view key) const {
        const auto* v = Field(key);
        if (v == nullptr) return false;
        if (!v->is_bool()) Malformed(Path(key) + ": not a boolean");
        return v->as_bool();
    }

    /// An expandable reference: an id, or the object itself when expanded (its id).
    [[nodiscard]] std::string Ref(std::string_view key) const {
        const auto* v = Field(key);
        if (v == nullptr) return {};
        if (v->is_string()) return std::string(v->as_string());
        if (v->is_object()) return Reader(v->as_object(), Path(key)).Id();
        Malformed(Path(key) + ": not an id or an object");
    }

    [[nodiscard]] std::optional<Reader> Child(std::string_view key) const {
        const auto* v = Field(key);
        if (v == nullptr) return std::nullopt;
        if (!v->is_object()) Malformed(Path(key) + ": not an object");
        return Reader(v->as_object(), Path(key));
    }

    /// The elements of a list object ({"object": "list", "data": [...]}), each an object.
    [[nodiscard]] std::vector<Reader> ListData(std::string_view key) const {
        std::vector<Reader> out;
        auto list = Child(key);
        if (!list) return out;
        const auto* data = list->Field("data");
        if (data == nullptr) return out;
        auto path = list->Path("data");
        if (!data->is_array()) Malformed(path + ": not a list");
        const auto& items = data->as_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            auto at = path + "[" + std::to_string(i) + "]";
            if (!items[i].is_object()) Malformed(at + ": not an object");
            out.emplace_back(items[i].as_object(), at);
        }
        return out;
    }

    /// The elements of an array field that are objects (an array of ids, unexpanded, gives none); absent: none.
    [[nodiscard]] std::vector<Reader> Objects(std::string_view key) const {
        std::vector<Reader> out;
        const auto* v = Field(key);
        if (v == nullptr) return out;
        if (!v->is_array()) Malformed(Path(key) + ": not a list");
        const auto& items = v->as_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (items[i].is_object()) out.emplace_back(items[i].as_object(), Path(key) + "[" + std::to_string(i) + "]");
        }
        return out;
    }

    /// The first non-empty reference named `key` among `items`.
    static std::string FirstRef(const std::vector<Reader>& items, std::string_view key) {
        for (const auto& item : items) {
            if (auto ref = item.Ref(key); !ref.empty()) return ref;
        }
        return {};
    }

    [[nodiscard]] Metadata Meta(std::string_view key = "metadata") const {
        Metadata out;
        auto m = Child(key);
        if (!m) return out;
        for (const auto& [k, v] : m->o_) {
            if (!v.is_string()) Malformed(m->Path(k) + ": not a string");
            out.emplace(std::string(k), std::string(v.as_string()));
        }
        return out;
    }

private:
    [[nodiscard]] const json::value* Field(std::string_view key) const {
        const auto* v = o_.if_contains(key);
        return v == nullptr || v->is_null() ? nullptr : v;
    }

    const json::object& o_;
    std::string path_;
};

std::optional<core::TimePoint> Seconds(long long unix) {
    if (unix <= 0) return std::nullopt;
    return core::FromEpochMillis(unix * 1000);
}

payments::CheckoutSession Session(const Reader& r) {
    r.Expect("checkout.session");
    return payments::CheckoutSession{.id = r.Id(),
                                     .mode = r.Text("mode"),
                                     .payment_status = r.Text("payment_status"),
                                     .payment_intent = r.Ref("payment_intent"),
                                     .subscription = r.Ref("subscription"),
                                     .customer = r.Ref("customer"),
                                     .invoice = r.Ref("invoice"),
                                     .amount_total = r.Integer("amount_total"),
                                     .currency = r.Text("currency"),
                                     .promotion_code = Reader::FirstRef(r.Objects("discounts"), "promotion_code"),
                                     .metadata = r.Meta()};
}

payments::Invoice InvoiceOf(const Reader& r) {
    r.Expect("invoice");
    payments::Invoice out{.id = r.Id(),
                          .customer = r.Ref("customer"),
                          .subscription = r.Ref("subscription"),
                          .status = r.Text("status"),
                          .hosted_invoice_url = r.Text("hosted_invoice_url"),
                          .amount_paid = r.Integer("amount_paid"),
                          .currency = r.Text("currency"),
                          .payment_intent = r.Ref("payment_intent"),
                          .promotion_code = {},
                          .subscription_metadata = {},
                          .metadata = r.Meta()};
    if (auto details = r.Child("subscription_details")) out.subscription_metadata = details->Meta();
    // API 2025-03-31 moved the subscription under parent.subscription_details, removed payment_intent (the invoice's
    // payments list says it, when included) and the single discount (discounts[], objects when expanded).
    if (out.subscription.empty()) {
        if (auto parent = r.Child("parent")) {
            if (auto details = parent->Child("subscription_details")) {
                out.subscription = details->Ref("subscription");
                out.subscription_metadata = details->Meta();
            }
        }
    }
    if (out.payment_intent.empty()) {
        for (const auto& payment : r.ListData("payments")) {
            if (auto inner = payment.Child("payment")) out.payment_intent = inner->Ref("payment_intent");
            if (!out.payment_intent.empty()) break;
        }
    }
    if (auto discount = r.Child("discount")) out.promotion_code = discount->Ref("promotion_code");
    if (out.promotion_code.empty()) out.promotion_code = Reader::FirstRef(r.Objects("discounts"), "promotion_code");
    return out;
}

payments::Subscription SubscriptionOf(const Reader& r) {
    r.Expect("subscription");
    payments::Subscription out{.id = r.Id(),
                               .customer = r.Ref("customer"),
                               .status = r.Text("status"),
                               .cancel_at_period_end = r.Flag("cancel_at_period_end"),
                               .current_period_end = Seconds(r.Integer("current_period_end")),
                               .price_ids = {},
                               .metadata = r.Meta()};
    auto items = r.ListData("items");
    for (const auto& item : items) {
        if (auto price = item.Ref("price"); !price.empty()) out.price_ids.push_back(price);
    }
    // API 2025-03-31 moved the period to each item.
    if (!out.current_period_end && !items.empty())
        out.current_period_end = Seconds(items.front().Integer("current_period_end"));
    return out;
}

payments::Charge ChargeOf(const Reader& r) {
    r.Expect("charge");
    payments::Charge out{.id = r.Id(),
                         .payment_intent = r.Ref("payment_intent"),
                         .amount = r.Integer("amount"),
                         .amount_refunded = r.Integer("amount_refunded"),
                         .refunded = r.Flag("refunded"),
                         .currency = r.Text("currency"),
                         .first_refund_id = {},
                         .customer = r.Ref("customer"),
                         .card_fingerprint = {},
                         .metadata = r.Meta()};
    if (auto details = r.Child("payment_method_details")) {
        if (auto card = details->Child("card")) out.card_fingerprint = card->Text("fingerprint");
    }
    auto refunds = r.ListData("refunds");
    if (!refunds.empty()) out.first_refund_id = refunds.front().Id();
    return out;
}

payments::Dispute DisputeOf(const Reader& r) {
    r.Expect("dispute");
    return payments::Dispute{.id = r.Id(),
                             .charge = r.Ref("charge"),
                             .payment_intent = r.Ref("payment_intent"),
                             .reason = r.Text("reason"),
                             .status = r.Text("status"),
                             .amount = r.Integer("amount")};
}

bool OneOf(std::string_view type, std::initializer_list<std::string_view> types) {
    for (auto t : types)
        if (type == t) return true;
    return false;
}

}  // namespace

payments::PaymentEvent ParseEvent(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(json::string_view(body.data(), body.size()), ec);
    if (ec) Malformed("the body is not JSON");
    if (!value.is_object()) Malformed("the body is not a JSON object");
    Reader event(value.as_object(), "");
    payments::PaymentEvent out;
    out.id = event.Id();
    out.type = event.Text("type");
    if (out.id.size() > 255) Malformed("id: longer than 255 characters");
    if (out.type.empty()) Malformed("type: missing");
    if (out.type.size() > 100) Malformed("type: longer than 100 characters");
    out.created = Seconds(event.Integer("created")).value_or(core::TimePoint{});
    auto data = event.Child("data");
    if (!data) Malformed("data: missing");
    auto object = data->Child("object");
    if (!object) Malformed("data.object: missing");
    const auto& type = out.type;
    if (type.starts_with("checkout.session.")) {
        out.object = Session(*object);
    } else if (type.starts_with("customer.subscription.")) {
        out.object = SubscriptionOf(*object);
    } else if (OneOf(type, {"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
                            "invoice.payment_action_required"})) {
        out.object = InvoiceOf(*object);
    } else if (type == "charge.refunded") {
        out.object = ChargeOf(*object);
    } else if (type == "charge.dispute.created") {
        out.object = DisputeOf(*object);
    }
    return out;
}

payments::CheckoutSession ParseCheckoutSession(const json::object& object, const std::string& path) {
    return Session(Reader(object, path));
}
payments::Invoice ParseInvoice(const json::object& object, const std::string& path) {
    return InvoiceOf(Reader(object, path));
}
payments::Subscription ParseSubscription(const json::object& object, const std::string& path) {
    return SubscriptionOf(Reader(object, path));
}
payments::Charge ParseCharge(const json::object& object, const std::string& path) {
    return ChargeOf(Reader(object, path));
}
payments::Dispute ParseDispute(const json::object& object, const std::string& path) {
    return DisputeOf(Reader(object, path));
}

namespace {

/// An API answer that is not the object asked for: Stripe is not answering as documented, so try later.
template <class Parse>
auto Read(Parse parse, const json::object& answer, const std::string& what) {
    try {
        return parse(answer, what);
    } catch (const core::Error& e) {
        throw core::Error(core::ErrorCode::kUnavailable, "Stripe answered an unreadable " + what + ": " + e.what());
    }
}

}  // namespace

payments::Subscription StripePaymentProvider::ReadSubscription(const std::string& id) {
    return Read(ParseSubscription, client_.Get("/v1/subscriptions/" + id), "subscription");
}

std::string StripePaymentProvider::HostedInvoiceUrl(const std::string& invoice_id) {
    if (!client_.configured()) return {};
    return Read(ParseInvoice, client_.Get("/v1/invoices/" + invoice_id), "invoice").hosted_invoice_url;
}

}  // namespace maxis::stripe
