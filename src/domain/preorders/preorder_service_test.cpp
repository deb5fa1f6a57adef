// The pre-orders' rules on an in-memory store (milliseconds, no database): bad input refused with nothing changed,
// tiers locked after the first sale, holds and their end, the price shown is the price charged, late payments in
// their own tier or refunded, events and announcements applied once, social proof batched, the release day, a moved
// release and its cancellation, a cancelled item, statistics, the 1,000-buyer burst and the honest-urgency property.
// The same store contract on SQLite and PostgreSQL is storage's suite.
#include "domain/preorders/preorder_service.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "core/errors.hpp"
#include "domain/shop/payment_limits.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_preorder_store.hpp"

namespace maxis::preorders {
namespace {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using Audience = scheduling::Notice::Audience;

const Viewer kStaff{UserId{9001}, Role::kStaff};
Viewer Member(int n) { return Viewer{UserId{1000 + n}, Role::kMember}; }

/// The payment provider: sessions "cs_<purchase>", refunds "re_<purchase>"; records every call (and whether a
/// transaction was running then), and can be told to refuse.
class FakeCheckout final : public PreorderCheckout {
public:
    struct Created {
        Purchase purchase;
        TierId tier;
        long long tier_price = 0;
        core::TimePoint expires_at;
        bool in_transaction = false;
    };
    struct Refunded {
        PurchaseId purchase;
        std::string key;
        bool in_transaction = false;
    };
    explicit FakeCheckout(const testing::MemoryPreorderRepository& repo) : repo_(repo) {}

    [[nodiscard]] bool configured() const override { return configured_; }
    Session CreateCheckout(const Purchase& purchase, const Item&, const Tier& tier, core::TimePoint expires_at,
                           const std::string&) override {
        std::lock_guard lock(mutex_);
        if (refuse_checkout) throw core::Error(core::ErrorCode::kUnavailable, "the provider said no");
        created.push_back(Created{purchase, tier.id, tier.price_minor, expires_at, repo_.InTransaction()});
        return Session{"cs_" + purchase.id.ToString(), "https://pay.test/cs_" + purchase.id.ToString()};
    }
    std::string Refund(const Purchase& purchase, const std::string& idempotency_key) override {
        std::lock_guard lock(mutex_);
        refunds.push_back(Refunded{purchase.id, idempotency_key, repo_.InTransaction()});
        if (refuse_refund) throw core::Error(core::ErrorCode::kUnavailable, "the provider is down");
        return "re_" + purchase.id.ToString();
    }

    bool configured_ = true;
    bool refuse_checkout = false;
    bool refuse_refund = false;
    std::vector<Created> created;
    std::vector<Refunded> refunds;

private:
    const testing::MemoryPreorderRepository& repo_;
    std::mutex mutex_;
};

PreorderOptions TestOptions() {
    PreorderOptions o;
    o.per_member_limit = 1;
    o.hold = 30min;
    o.release_grace = 10min;
    o.proof_every = 10min;
    o.announce_percent = {50};
    o.announce_seats_left = {5};
    o.reminders = {24h, 1h};
    o.channel = "announcements";
    return o;
}

std::string KeyOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const core::Error& e) {
        return e.key().empty() ? std::string(core::ToString(e.code())) : e.key();
    }
    return "accepted";
}

class PreorderRules : public ::testing::Test {
protected:
    PreorderRules()
        : zone(core::TimeZone::Load("Europe/Paris")),
          checkout(repo),
          service(repo, checkout, clock, zone, TestOptions()) {}

    ItemId Make(std::vector<TierSpec> tiers = {}, long long price = 5000, bool open = true) {
        NewItem n;
        n.name = "Mug";
        n.price = core::Money{price, "EUR"};
        n.release_at = clock.Now() + std::chrono::days(30);
        n.description = "A mug.";
        n.delivery = "Show this message at the counter.";
        n.tiers = std::move(tiers);
        auto id = service.Create(kStaff, n).item.id;
        if (open) service.Open(kStaff, id);
        return id;
    }
    Purchase Hold(int member, ItemId item) {
        return *service.Buy(Member(member), item, std::nullopt, false, "fr").purchase;
    }
    Purchase Row(PurchaseId id) {
        return repo.Inspect([&](auto& s) { return s.purchases.at(id.value); });
    }
    EventOutcome Pay(const Purchase& p, const std::string& event = "") {
        return service.OnCheckoutCompleted(event.empty() ? "evt_pay_" + p.id.ToString() : event, p.session_id, true,
                                           "pi_" + p.id.ToString(), p.price.minor);
    }
    std::vector<Tier> Tiers(ItemId item) { return service.Get(kStaff, item).tiers; }
    std::vector<scheduling::Notice> Notices(const std::string& key) {
        return repo.Inspect([&](auto& s) {
            std::vector<scheduling::Notice> out;
            for (const auto& n : s.notices) {
                if (n.key == key) out.push_back(n);
            }
            return out;
        });
    }
    std::size_t NoticeCount() {
        return repo.Inspect([](auto& s) { return s.notices.size(); });
    }
    /// Everything the store holds, to prove a refused call changed nothing.
    std::string Snapshot() {
        return repo.Inspect([](auto& s) {
            std::string out;
            for (const auto& [id, i] : s.items) {
                out += i.name + "|" + std::string(ToString(i.status)) + "|" + std::to_string(i.price.minor) + "|" +
                       std::to_string(core::ToEpochMillis(i.release_at)) + "|" + std::to_string(i.release_moves) + ";";
            }
            for (const auto& [id, t] : s.tiers) {
                out += t.name + "|" + std::to_string(t.discount_percent) + "|" + std::to_string(t.seats.value_or(-1)) +
                       "|" + std::to_string(t.sold) + "|" + std::to_string(t.held) + ";";
            }
            for (const auto& [id, p] : s.purchases) out += std::string(ToString(p.status)) + ";";
            return out + std::to_string(s.notices.size()) + "/" + std::to_string(s.announced.size());
        });
    }

    testing::FakeClock clock;
    core::TimeZone zone;
    testing::MemoryPreorderRepository repo;
    FakeCheckout checkout;
    PreorderService service;
};

TEST_F(PreorderRules, BadInputIsRefusedWithItsKeyAndChangesNothing) {
    auto item = Make({}, 5000, false);
    auto before = Snapshot();
    auto writes = repo.writes;
    NewItem n;
    n.name = "Poster";
    n.price = core::Money{5000, "EUR"};
    n.release_at = clock.Now() - 1min;
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.release_past");
    n.release_at = clock.Now() + 24h;
    n.price.minor = 60;  // 0.42 EUR after Early Bird's 30 %: under the provider's 0.50
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.price");
    n.price.minor = shop::limits::kMaxAmountMinor + 1;
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.price");
    n.price.minor = 5000;
    n.tiers = {{"All", 100, 5}};
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.tier_discount");
    n.tiers = {{"All", 10, 0}};
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.tier_seats");
    n.tiers = {};
    n.per_member_limit = 1001;
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.member_limit");
    n.per_member_limit = std::nullopt;
    n.image_url = "http://example.com/a.png";
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.image");
    n.image_url = "";
    n.name = " ";
    EXPECT_EQ(KeyOf([&] { service.Create(kStaff, n); }), "preorders.name");
    n.name = "Poster";
    EXPECT_EQ(KeyOf([&] { service.Create(Member(1), n); }), "forbidden");
    EXPECT_EQ(KeyOf([&] { service.Open(kStaff, ItemId{999}); }), "preorders.unknown");
    EXPECT_EQ(KeyOf([&] { service.Edit(kStaff, item, ItemChanges{.release_at = clock.Now() - 1h}); }),
              "preorders.release_past");
    EXPECT_EQ(KeyOf([&] {
                  service.Edit(kStaff, item, ItemChanges{.price = core::Money{10, "EUR"}});
              }),
              "preorders.price");
    EXPECT_EQ(KeyOf([&] { service.Close(kStaff, item); }), "preorders.bad_move") << "a draft is not on sale";
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), item, std::nullopt, false, "fr"); }), "preorders.unknown")
        << "a draft is staff's";
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), ItemId{999}, std::nullopt, false, "fr"); }), "preorders.unknown");
    EXPECT_EQ(Snapshot(), before);
    EXPECT_EQ(repo.writes, writes);

    service.Open(kStaff, item);
    EXPECT_EQ(KeyOf([&] { service.Open(kStaff, item); }), "preorders.bad_move");
    service.Close(kStaff, item);
    before = Snapshot();
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), item, std::nullopt, false, "fr"); }), "preorders.not_open");
    checkout.configured_ = false;
    service.Open(kStaff, item);
    before = Snapshot();
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), item, std::nullopt, false, "fr"); }), "preorders.payments_off");
    checkout.configured_ = true;
    Hold(1, item);
    before = Snapshot();
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), item, std::nullopt, false, "fr"); }), "preorders.limit")
        << "a held seat counts against the limit";
    EXPECT_EQ(Snapshot(), before);
    service.Cancel(kStaff, item);
    EXPECT_EQ(KeyOf([&] { service.Cancel(kStaff, item); }), "preorders.bad_move");
    EXPECT_EQ(KeyOf([&] { service.Edit(kStaff, item, ItemChanges{.name = "New"}); }), "preorders.bad_move");
}

TEST_F(PreorderRules, TiersChangeFreelyBeforeTheFirstSaleAndOnlySeatsGoUpAfter) {
    auto item = Make({}, 5000, false);
    auto view = service.SetTiers(kStaff, item, {{"Early", 50, 2}, {"Late", 0, std::nullopt}});
    ASSERT_EQ(view.tiers.size(), 2U);
    EXPECT_EQ(view.tiers[0].price_minor, 2500);
    view = service.Edit(kStaff, item, ItemChanges{.price = core::Money{6000, "EUR"}});
    EXPECT_EQ(view.tiers[0].price_minor, 3000) << "a new price reprices every tier";
    service.Open(kStaff, item);
    Hold(1, item);
    auto before = Snapshot();
    EXPECT_EQ(KeyOf([&] {
                  service.SetTiers(kStaff, item, {{"Early", 40, 2}, {"Late", 0, std::nullopt}});
              }),
              "preorders.tiers_locked");
    EXPECT_EQ(KeyOf([&] { service.SetTiers(kStaff, item, {{"Early", 50, 2}}); }), "preorders.tiers_locked");
    EXPECT_EQ(KeyOf([&] {
                  service.SetTiers(kStaff, item, {{"Early", 50, 1}, {"Late", 0, std::nullopt}});
              }),
              "preorders.seats_down");
    EXPECT_EQ(KeyOf([&] {
                  service.Edit(kStaff, item, ItemChanges{.price = core::Money{7000, "EUR"}});
              }),
              "preorders.tiers_locked");
    EXPECT_EQ(Snapshot(), before);
    view = service.SetTiers(kStaff, item, {{"Early", 50, 5}, {"Late", 0, std::nullopt}});
    EXPECT_EQ(view.tiers[0].seats, 5);
    EXPECT_EQ(view.tiers[0].held, 1) << "the seat held stays held";
}

TEST_F(PreorderRules, ABuyHoldsTheCheapestSeatAndCallsTheProviderOutsideTheTransaction) {
    auto item = Make();
    auto bought = service.Buy(Member(1), item, std::nullopt, true, "fr");
    ASSERT_TRUE(bought.purchase);
    EXPECT_FALSE(bought.price_changed);
    EXPECT_EQ(bought.tier.name, "Early Bird");
    EXPECT_EQ(bought.purchase->price.minor, 3500);
    EXPECT_EQ(bought.url, "https://pay.test/cs_" + bought.purchase->id.ToString());
    ASSERT_EQ(checkout.created.size(), 1U);
    EXPECT_FALSE(checkout.created[0].in_transaction);
    auto life = shop::SessionLife(30min);
    EXPECT_EQ(checkout.created[0].expires_at, std::chrono::floor<std::chrono::seconds>(clock.Now() + life));
    auto row = Row(bought.purchase->id);
    EXPECT_EQ(row.status, PurchaseStatus::kHeld);
    EXPECT_EQ(row.session_id, "cs_" + row.id.ToString()) << "the session is stored after the call";
    EXPECT_EQ(row.held_until, checkout.created[0].expires_at);
    EXPECT_EQ(Tiers(item)[0].held, 1);
    EXPECT_EQ(Tiers(item)[0].sold, 0);

    EXPECT_EQ(Pay(row), EventOutcome::kApplied);
    EXPECT_EQ(Row(row.id).status, PurchaseStatus::kPaid);
    EXPECT_EQ(Tiers(item)[0].held, 0);
    EXPECT_EQ(Tiers(item)[0].sold, 1);
    auto paid = Notices("preorders.notify.paid");
    ASSERT_EQ(paid.size(), 1U);
    EXPECT_EQ(paid[0].recipient, Member(1).user_id);
    EXPECT_EQ(paid[0].params.at("tier"), "Early Bird");
    EXPECT_EQ(paid[0].money.at("price").minor, 3500);
}

TEST_F(PreorderRules, WhenTheProviderRefusesTheSeatGoesBackAndNothingCounts) {
    auto item = Make();
    checkout.refuse_checkout = true;
    EXPECT_EQ(KeyOf([&] { service.Buy(Member(1), item, std::nullopt, false, "fr"); }), "preorders.checkout_failed");
    EXPECT_EQ(Tiers(item)[0].held, 0);
    auto rows = service.Purchases(Member(1), Member(1).user_id);
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0].status, PurchaseStatus::kReleased);
    checkout.refuse_checkout = false;
    EXPECT_NO_THROW(Hold(1, item)) << "a refused page does not count against the limit";
}

TEST_F(PreorderRules, TheTierShownIsTheTierChargedOrNothingIsHeld) {
    auto item = Make({{"Early", 30, 1}, {"Founder", 20, 5}, {"Regular", 0, std::nullopt}});
    auto early = Tiers(item)[0].id;
    Hold(1, item);  // the only Early seat, held by someone else while member 2 looks at the listing
    auto before = Snapshot();
    auto result = service.Buy(Member(2), item, early, false, "fr");
    EXPECT_TRUE(result.price_changed);
    EXPECT_FALSE(result.purchase);
    EXPECT_EQ(result.tier.name, "Founder");
    EXPECT_EQ(result.tier.price_minor, 4000);
    EXPECT_EQ(Snapshot(), before) << "nothing is held when the price changed";
    auto confirmed = service.Buy(Member(2), item, result.tier.id, false, "fr");
    EXPECT_FALSE(confirmed.price_changed);
    EXPECT_EQ(confirmed.purchase->price.minor, 4000);
    EXPECT_EQ(checkout.created.back().tier_price, 4000);
}

TEST_F(PreorderRules, AnExpiredSessionOrTheSweepFreesItsSeat) {
    auto item = Make();
    auto a = Hold(1, item);
    auto b = Hold(2, item);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp_a", Row(a.id).session_id), EventOutcome::kApplied);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp_a", Row(a.id).session_id), EventOutcome::kDuplicate);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kReleased);
    EXPECT_EQ(Tiers(item)[0].held, 1);
    clock.Advance(shop::SessionLife(30min) + 9min);
    EXPECT_EQ(service.ReleaseExpiredHolds(), 0) << "the grace is waited for";
    clock.Advance(2min);
    EXPECT_EQ(service.ReleaseExpiredHolds(), 1);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kReleased);
    EXPECT_EQ(Tiers(item)[0].held, 0);
    EXPECT_EQ(service.ReleaseExpiredHolds(), 0);
}

TEST_F(PreorderRules, ALatePaymentTakesASeatInItsOwnTierOrIsRefundedNeverAnother) {
    auto item = Make({{"Early", 30, 2}, {"Regular", 0, std::nullopt}});
    auto a = Hold(1, item);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp_a", Row(a.id).session_id), EventOutcome::kApplied);
    // Honoured: Early still has a seat.
    EXPECT_EQ(Pay(Row(a.id)), EventOutcome::kApplied);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kPaid);
    EXPECT_TRUE(Row(a.id).late);
    EXPECT_EQ(Tiers(item)[0].sold, 1);
    EXPECT_EQ(Notices("preorders.notify.late_honoured").size(), 1U);

    // Refunded: member 2's hold ends, member 3 takes the last Early seat, then member 2's payment arrives.
    auto b = Hold(2, item);
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp_b", Row(b.id).session_id), EventOutcome::kApplied);
    auto c = Hold(3, item);
    EXPECT_EQ(c.tier, Tiers(item)[0].id);
    EXPECT_EQ(Pay(Row(c.id)), EventOutcome::kApplied);
    EXPECT_EQ(Pay(Row(b.id)), EventOutcome::kApplied);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kRefunding);
    EXPECT_EQ(Row(b.id).refund_reason, RefundReason::kLatePayment);
    EXPECT_EQ(Tiers(item)[0].sold, 2) << "Early Bird is never oversold";
    EXPECT_EQ(Tiers(item)[1].sold, 0) << "never another tier";
    EXPECT_EQ(Notices("preorders.notify.late_refunded").size(), 1U);

    EXPECT_EQ(service.RefundDue(), 1);
    ASSERT_EQ(checkout.refunds.size(), 1U);
    EXPECT_FALSE(checkout.refunds[0].in_transaction);
    EXPECT_EQ(checkout.refunds[0].key,
              "maxis-preorder-refund-" + b.id.ToString() + "-" + std::to_string(core::ToEpochMillis(b.created_at)));
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kRefunded);
    EXPECT_EQ(Row(b.id).refund_id, "re_" + b.id.ToString());
    EXPECT_EQ(Tiers(item)[0].sold, 2) << "a late payment that had no seat gives none back";
    EXPECT_EQ(service.RefundDue(), 0);
    // The provider's charge.refunded for the refund Maxis asked for changes nothing more.
    EXPECT_EQ(service.OnRefunded("evt_ref_b", "pi_" + b.id.ToString(), "re_" + b.id.ToString(), true),
              EventOutcome::kIgnored);
    EXPECT_EQ(Tiers(item)[0].sold, 2);
}

TEST_F(PreorderRules, AnnouncementsAreMadeOnceEvenWhenTheSameEventComesTwice) {
    auto item = Make({{"Early", 30, 4}, {"Regular", 0, std::nullopt}});
    std::vector<Purchase> held;
    for (int i = 1; i <= 4; ++i) held.push_back(Hold(i, item));
    EXPECT_EQ(Pay(Row(held[0].id)), EventOutcome::kApplied);
    EXPECT_EQ(Notices("preorders.announce.percent").size(), 0U);
    EXPECT_EQ(Pay(Row(held[1].id)), EventOutcome::kApplied);
    auto count = NoticeCount();
    EXPECT_EQ(Pay(Row(held[1].id)), EventOutcome::kDuplicate);
    // The same payment under another event id (an async success after the completion).
    EXPECT_EQ(Pay(Row(held[1].id), "evt_async_1"), EventOutcome::kIgnored);
    EXPECT_EQ(NoticeCount(), count);
    auto percent = Notices("preorders.announce.percent");
    ASSERT_EQ(percent.size(), 1U);
    EXPECT_EQ(percent[0].params.at("left"), "2") << "announced on committed sales";
    EXPECT_EQ(percent[0].channel, "announcements");
    EXPECT_EQ(percent[0].audience, Audience::kStaff);
    EXPECT_EQ(percent[0].idempotency_key,
              "preorders." + item.ToString() + ".tier-" + Tiers(item)[0].id.ToString() + "-pct-50");
    EXPECT_EQ(Notices("preorders.announce.seats_left").size(), 0U) << "5 left is not said of a 4-seat tier";
    EXPECT_EQ(Pay(Row(held[2].id)), EventOutcome::kApplied);
    EXPECT_EQ(Pay(Row(held[3].id)), EventOutcome::kApplied);
    auto sold_out = Notices("preorders.announce.sold_out");
    ASSERT_EQ(sold_out.size(), 1U);
    EXPECT_EQ(sold_out[0].params.at("next"), "Regular");
    EXPECT_EQ(sold_out[0].money.at("next_price").minor, 5000);
    // A refund gives a seat back; selling it again does not announce anything twice.
    EXPECT_EQ(service.OnRefunded("evt_ref", "pi_" + held[3].id.ToString(), "re_x", true), EventOutcome::kApplied);
    EXPECT_EQ(Tiers(item)[0].sold, 3);
    auto again = Hold(5, item);
    EXPECT_EQ(again.tier, Tiers(item)[0].id);
    EXPECT_EQ(Pay(Row(again.id)), EventOutcome::kApplied);
    EXPECT_EQ(Notices("preorders.announce.sold_out").size(), 1U);
    EXPECT_EQ(Notices("preorders.announce.percent").size(), 1U);
    // Closing and opening again is not a second opening.
    service.Close(kStaff, item);
    service.Open(kStaff, item);
    EXPECT_EQ(Notices("preorders.announce.opened").size(), 1U);
}

TEST_F(PreorderRules, SocialProofIsOnePostPerWindowSummarisingItsSales) {
    auto item = Make();
    EXPECT_EQ(service.PostSocialProof(), 0) << "nothing when no sale";
    auto named = service.Buy(Member(1), item, std::nullopt, true, "fr").purchase;
    Pay(Row(named->id));
    EXPECT_EQ(service.PostSocialProof(), 0) << "a sale paid at the post's own instant is the next post's";
    clock.Advance(1s);
    EXPECT_EQ(service.PostSocialProof(), 1);
    auto one = Notices("preorders.proof.one");
    ASSERT_EQ(one.size(), 1U);
    EXPECT_EQ(one[0].people.at("buyer"), Member(1).user_id) << "named: the buyer agreed";
    EXPECT_EQ(one[0].params.at("left"), "19");
    EXPECT_EQ(one[0].params.at("tier"), "Early Bird");
    for (int i = 2; i <= 4; ++i) Pay(Row(Hold(i, item).id));
    EXPECT_EQ(service.PostSocialProof(), 0) << "at most one post per window";
    clock.Advance(10min);
    EXPECT_EQ(service.PostSocialProof(), 1);
    auto many = Notices("preorders.proof.many");
    ASSERT_EQ(many.size(), 1U);
    EXPECT_EQ(many[0].params.at("count"), "3");
    EXPECT_EQ(many[0].params.at("left"), "16");
    EXPECT_TRUE(many[0].people.empty());
    clock.Advance(10min);
    EXPECT_EQ(service.PostSocialProof(), 0) << "nothing new: nothing said";
    Pay(Row(Hold(5, item).id));
    clock.Advance(1s);
    EXPECT_EQ(service.PostSocialProof(), 1);
    auto anonymous = Notices("preorders.proof.one_anonymous");
    ASSERT_EQ(anonymous.size(), 1U);
    EXPECT_TRUE(anonymous[0].people.empty()) << "no name unless the buyer opted in";
}

TEST_F(PreorderRules, ReleaseDayFulfilsPaidPurchasesAndSendsTheDeliveryInstructions) {
    auto item = Make();
    auto a = Hold(1, item);
    auto b = Hold(2, item);
    auto c = Hold(3, item);
    Pay(Row(a.id));
    Pay(Row(b.id));
    clock.Advance(std::chrono::days(29) + 1h);
    EXPECT_EQ(service.RemindDue(), 1);
    EXPECT_EQ(service.RemindDue(), 0);
    clock.Advance(22h + 30min);
    EXPECT_EQ(service.RemindDue(), 1);
    EXPECT_EQ(Notices("preorders.announce.reminder").size(), 2U);
    EXPECT_EQ(service.ReleaseDue(), 0) << "not yet";
    clock.Advance(30min);
    EXPECT_EQ(service.ReleaseDue(), 1);
    EXPECT_EQ(service.ReleaseDue(), 0);
    EXPECT_EQ(service.Get(kStaff, item).item.status, ItemStatus::kReleased);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kFulfilled);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kFulfilled);
    EXPECT_EQ(Row(c.id).status, PurchaseStatus::kReleased) << "an unpaid hold ends with the sales";
    auto dms = Notices("preorders.notify.released");
    ASSERT_EQ(dms.size(), 2U);
    EXPECT_EQ(dms[0].params.at("delivery"), "Show this message at the counter.");
    EXPECT_EQ(Notices("preorders.announce.released").size(), 1U);
    EXPECT_EQ(service.RemindDue(), 0);
}

TEST_F(PreorderRules, AMovedReleaseOffersACancellationThatRefundsAndGivesTheSeatBack) {
    auto item = Make();
    auto a = Hold(1, item);
    Pay(Row(a.id));
    auto moved_to = clock.Now() + std::chrono::days(60);
    EXPECT_EQ(KeyOf([&] { service.CancelPurchase(Member(1), a.id); }), "preorders.cancel_not_offered");
    service.Edit(kStaff, item, ItemChanges{.release_at = moved_to});
    service.Edit(kStaff, item, ItemChanges{.release_at = moved_to});  // the same date: no move
    EXPECT_EQ(service.Get(kStaff, item).item.release_moves, 1);
    auto notices = Notices("preorders.notify.release_moved");
    ASSERT_EQ(notices.size(), 1U);
    EXPECT_EQ(notices[0].times.at("release"), moved_to);
    ASSERT_TRUE(notices[0].action);
    EXPECT_EQ(notices[0].action->command, "preorder_cancel " + a.id.ToString());
    EXPECT_EQ(notices[0].action->label_key, "preorders.button.cancel");
    auto b = Hold(2, item);
    Pay(Row(b.id));
    EXPECT_EQ(KeyOf([&] { service.CancelPurchase(Member(2), b.id); }), "preorders.cancel_not_offered")
        << "bought after the move: nothing to offer";
    EXPECT_EQ(KeyOf([&] { service.CancelPurchase(Member(2), a.id); }), "preorders.purchase_unknown");
    auto cancelled = service.CancelPurchase(Member(1), a.id);
    EXPECT_EQ(cancelled.status, PurchaseStatus::kRefunded);
    EXPECT_EQ(cancelled.refund_reason, RefundReason::kMemberCancelled);
    ASSERT_EQ(checkout.refunds.size(), 1U);
    EXPECT_EQ(Tiers(item)[0].sold, 1) << "the seat is back";
    EXPECT_EQ(Notices("preorders.notify.refunded").size(), 1U);
    EXPECT_EQ(KeyOf([&] { service.CancelPurchase(Member(1), a.id); }), "preorders.cancel_not_offered");
}

TEST_F(PreorderRules, CancellingTheItemRefundsEveryoneAndRetriesTheProvider) {
    auto item = Make();
    auto a = Hold(1, item);
    auto b = Hold(2, item);
    auto c = Hold(3, item);
    Pay(Row(a.id));
    Pay(Row(b.id));
    service.Cancel(kStaff, item);
    EXPECT_EQ(Row(c.id).status, PurchaseStatus::kReleased);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kRefunding);
    EXPECT_EQ(Row(a.id).refund_reason, RefundReason::kItemCancelled);
    EXPECT_EQ(Notices("preorders.notify.item_cancelled").size(), 2U);
    EXPECT_EQ(Tiers(item)[0].held, 0);
    checkout.refuse_refund = true;
    EXPECT_EQ(service.RefundDue(), 0);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kRefunding) << "still owed after a provider error";
    checkout.refuse_refund = false;
    EXPECT_EQ(service.RefundDue(), 2);
    EXPECT_EQ(checkout.refunds[0].key, checkout.refunds[2].key) << "the retry uses the same idempotency key";
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kRefunded);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kRefunded);
    EXPECT_EQ(Tiers(item)[0].sold, 0);
    EXPECT_EQ(service.RefundDue(), 0);
    // A payment still to come for the cancelled item is refunded, not sold.
    EXPECT_EQ(Pay(Row(c.id)), EventOutcome::kApplied);
    EXPECT_EQ(Row(c.id).status, PurchaseStatus::kRefunding);
    EXPECT_EQ(Tiers(item)[0].sold, 0);
}

TEST_F(PreorderRules, StatisticsArePerLocalDayAndTierAndMembersSeeOnlyTheirOwn) {
    auto item = Make({{"Early", 30, 1}, {"Regular", 0, std::nullopt}});
    // 21:30 UTC is 23:30 in Paris (summer time, at the fake clock's start); an hour later is the next local day.
    clock.Set(core::FromEpochMillis(1'780'000'000'000 - 1'780'000'000'000 % 86'400'000 + 86'400'000 + 77'400'000));
    auto a = Hold(1, item);
    Pay(Row(a.id));
    clock.Advance(1h);
    auto b = Hold(2, item);
    Pay(Row(b.id));
    auto c = Hold(3, item);
    Pay(Row(c.id));
    service.OnRefunded("evt_ref_c", "pi_" + c.id.ToString(), "re_c", true);
    auto stats = service.Stats(kStaff, item);
    ASSERT_EQ(stats.days.size(), 2U);
    EXPECT_EQ(stats.days[0].seats, 1);
    EXPECT_EQ(stats.days[0].revenue_minor, 3500);
    EXPECT_EQ(stats.days[1].seats, 1) << "the refunded sale is not counted";
    EXPECT_EQ(stats.days[1].tier, Tiers(item)[1].id);
    EXPECT_NE(stats.days[0].day, stats.days[1].day);
    EXPECT_EQ(stats.revenue_minor, 8500);
    EXPECT_EQ(stats.refunded_minor, 5000);
    EXPECT_EQ(stats.buyers, 2);
    auto adopters = service.EarlyAdopters(kStaff, 10);
    ASSERT_EQ(adopters.size(), 2U);
    EXPECT_EQ(adopters[0].user, Member(1).user_id);
    EXPECT_EQ(KeyOf([&] { (void)service.Stats(Member(1), item); }), "forbidden");
    auto mine = service.Purchases(Member(1), Member(2).user_id);
    ASSERT_EQ(mine.size(), 1U) << "a member sees only their own purchases";
    EXPECT_EQ(mine[0].buyer, Member(1).user_id);
    EXPECT_EQ(service.Buyers(kStaff, item).size(), 3U);
}

TEST_F(PreorderRules, ATierWithoutALimitSaysNoFigureAndRemindersOverlappingSayOnlyTheNearest) {
    auto item = Make({{"Regular", 0, std::nullopt}});
    Pay(Row(Hold(1, item).id));
    clock.Advance(1s);  // a sale is the post's that runs after its instant
    EXPECT_EQ(service.PostSocialProof(), 1);
    auto posts = Notices("preorders.proof.one_anonymous_unlimited");
    ASSERT_EQ(posts.size(), 1U);
    EXPECT_EQ(posts[0].params.count("left"), 0U);
    // Opened with 30 minutes to go: the 24 h and 1 h reminders are both due; one post.
    NewItem late;
    late.name = "Late";
    late.price = core::Money{5000, "EUR"};
    late.release_at = clock.Now() + 30min;
    auto soon = service.Create(kStaff, late).item.id;
    service.Open(kStaff, soon);
    EXPECT_EQ(service.RemindDue(), 1);
    EXPECT_EQ(service.RemindDue(), 0);
    auto reminders = Notices("preorders.announce.reminder");
    ASSERT_EQ(reminders.size(), 1U);
    EXPECT_EQ(reminders[0].idempotency_key, "preorders." + soon.ToString() + ".remind-" +
                                                std::to_string(core::ToEpochMillis(late.release_at)) + "-60");
}

TEST_F(PreorderRules, MembersSeeOpenItemsOnlyAndDraftsAreStaffs) {
    auto draft = Make({}, 5000, false);
    auto open = Make();
    auto closed = Make();
    service.Close(kStaff, closed);
    std::vector<ItemId> seen;
    for (const auto& v : service.List(Member(1), false)) seen.push_back(v.item.id);
    EXPECT_EQ(seen, (std::vector<ItemId>{open}));
    EXPECT_EQ(service.List(kStaff, false).size(), 3U);
    EXPECT_EQ(KeyOf([&] { (void)service.Get(Member(1), draft); }), "preorders.unknown");
    auto view = service.Get(Member(1), open);
    ASSERT_TRUE(view.next);
    EXPECT_EQ(view.next->name, "Early Bird");
    EXPECT_FALSE(service.Get(kStaff, closed).next) << "a closed item sells nothing";
}

// The launch-day burst: 1,000 members buy and pay at once, from several threads.
TEST_F(PreorderRules, AThousandConcurrentBuyersGetExactlyTheTiersSeats) {
    auto item = Make();
    constexpr int kBuyers = 1000;
    constexpr int kThreads = 8;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = t; i < kBuyers; i += kThreads) {
                try {
                    auto p = *service.Buy(Member(i), item, std::nullopt, false, "fr").purchase;
                    if (Pay(p) != EventOutcome::kApplied) ++failures;
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto tiers = Tiers(item);
    ASSERT_EQ(tiers.size(), 4U);
    std::vector<int> sold;
    for (const auto& t : tiers) {
        sold.push_back(t.sold);
        EXPECT_EQ(t.held, 0);
    }
    EXPECT_EQ(sold, (std::vector<int>{20, 50, 100, 830}));
    std::map<long long, long long> price_of;
    for (const auto& t : tiers) price_of[t.id.value] = t.price_minor;
    std::map<long long, int> paid_per_tier;
    repo.Inspect([&](auto& s) {
        for (const auto& [id, p] : s.purchases) {
            EXPECT_EQ(p.status, PurchaseStatus::kPaid);
            EXPECT_EQ(p.price.minor, price_of.at(p.tier.value)) << "each pays its tier's price";
            ++paid_per_tier[p.tier.value];
        }
        return 0;
    });
    for (const auto& c : checkout.created) EXPECT_EQ(c.tier_price, price_of.at(c.tier.value));
    EXPECT_EQ(paid_per_tier.size(), 4U);
    EXPECT_EQ(Notices("preorders.announce.sold_out").size(), 3U);
}

// Honest urgency: whatever happens (buys, payments, expiries, sweeps, late payments, refunds, social proof), every
// figure said to be left is the tier's unsold seats, never below what a buyer could still get right after the
// transaction that wrote it; and no tier ever sells or holds past its seats.
TEST_F(PreorderRules, EveryAnnouncedFigureIsNeverBelowTheSeatsABuyerCanStillGet) {
    std::size_t checked_notices = 0;
    int figures = 0;
    std::string violations;
    repo.after_write = [&](const testing::MemoryPreorderRepository::State& s) {
        for (const auto& [id, t] : s.tiers) {
            if (t.seats && t.sold + t.held > *t.seats) violations += "\n  tier " + t.name + " past its seats";
            if (t.sold < 0 || t.held < 0) violations += "\n  tier " + t.name + " below zero";
        }
        for (; checked_notices < s.notices.size(); ++checked_notices) {
            const auto& n = s.notices[checked_notices];
            auto left = n.params.find("left");
            if (left == n.params.end()) continue;
            for (const auto& [tid, t] : s.tiers) {
                if (t.name != n.params.at("tier")) continue;
                ++figures;
                auto said = std::stoi(left->second);
                if (said < *SeatsOpen(t) || said != *SeatsUnsold(t)) {
                    violations += "\n  " + n.key + " said " + left->second + ", open " + std::to_string(*SeatsOpen(t)) +
                                  ", unsold " + std::to_string(*SeatsUnsold(t));
                }
            }
        }
    };
    auto item = Make({{"Early", 30, 40}, {"Founder", 20, 80}, {"Regular", 0, std::nullopt}});
    std::mt19937 random(20261201);
    std::vector<Purchase> purchases;
    int next_member = 0;
    for (int step = 0; step < 3000; ++step) {
        auto pick = [&]() -> std::optional<Purchase> {
            if (purchases.empty()) return std::nullopt;
            return Row(purchases[random() % purchases.size()].id);
        };
        switch (random() % 8) {
            case 0:
            case 1:
            case 2: {
                try {
                    purchases.push_back(Hold(next_member++, item));
                } catch (const core::Error&) {
                }
                break;
            }
            case 3:
            case 4: {  // a payment, on time or late
                if (auto p = pick(); p && !p->session_id.empty()) Pay(*p, "evt_pay_" + std::to_string(step));
                break;
            }
            case 5: {
                if (auto p = pick()) service.OnCheckoutExpired("evt_exp_" + std::to_string(step), p->session_id);
                break;
            }
            case 6: {
                if (auto p = pick(); p && !p->payment_intent.empty()) {
                    service.OnRefunded("evt_ref_" + std::to_string(step), p->payment_intent, "re", true);
                }
                break;
            }
            default: {
                clock.Advance(std::chrono::minutes(random() % 20));
                service.ReleaseExpiredHolds();
                service.RefundDue();
                service.PostSocialProof();
                break;
            }
        }
    }
    EXPECT_TRUE(violations.empty()) << violations;
    EXPECT_GT(figures, 30) << "the sequence said figures to check";
    std::cout << "figures checked: " << figures << "\n";
    // The sequence went through the paths it is about.
    EXPECT_GT(Notices("preorders.announce.percent").size(), 0U);
    EXPECT_GT(Notices("preorders.notify.late_honoured").size() + Notices("preorders.notify.late_refunded").size(), 0U);
    EXPECT_GT(Notices("preorders.notify.refunded").size(), 0U);
}

// Review fixes. `repo.concurrent` is another writer committing in the middle of a transaction, at the first moment
// PostgreSQL would let it (before the transaction holds the item; once it does, the other writer waits for its end).

TEST_F(PreorderRules, AnExpiryEventAndTheHoldSweepReleaseASeatOnceWhicheverComesFirst) {
    auto item = Make({{"Only", 0, 3}});
    auto a = Row(Hold(1, item).id);
    clock.Advance(shop::SessionLife(30min) + 11min);
    // The event commits after the sweep listed the hold, before it decides on it.
    repo.concurrent = [&] { EXPECT_EQ(service.OnCheckoutExpired("evt_exp_a", a.session_id), EventOutcome::kApplied); };
    EXPECT_EQ(service.ReleaseExpiredHolds(), 0) << "the event released it first";
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kReleased);
    EXPECT_EQ(Tiers(item)[0].held, 0);
    // The sweep commits after the event found the purchase by its session, before it decides on it.
    auto b = Row(Hold(2, item).id);
    clock.Advance(shop::SessionLife(30min) + 11min);
    repo.concurrent = [&] { EXPECT_EQ(service.ReleaseExpiredHolds(), 1); };
    EXPECT_EQ(service.OnCheckoutExpired("evt_exp_b", b.session_id), EventOutcome::kIgnored);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kReleased);
    EXPECT_EQ(Tiers(item)[0].held, 0) << "one seat released once";
    // The counters are right: a late payment of that session still finds its seat.
    EXPECT_EQ(Pay(b), EventOutcome::kApplied);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kPaid);
    EXPECT_EQ(Tiers(item)[0].sold, 1);
}

TEST_F(PreorderRules, APaymentRacingTheItemsCancellationOrReleaseIsRefundedNotSold) {
    auto cancelled = Make({{"Only", 0, 3}});
    auto a = Row(Hold(1, cancelled).id);
    // Staff cancel after the payment event found the purchase, before it decided.
    repo.concurrent = [&] { service.Cancel(kStaff, cancelled); };
    EXPECT_EQ(Pay(a), EventOutcome::kApplied);
    auto row = Row(a.id);
    EXPECT_EQ(row.status, PurchaseStatus::kRefunding);
    EXPECT_EQ(row.refund_reason, RefundReason::kLatePayment);
    EXPECT_TRUE(row.late);
    EXPECT_EQ(Tiers(cancelled)[0].sold, 0);
    EXPECT_EQ(Tiers(cancelled)[0].held, 0);
    // The other order: the cancellation holds the item, the payment waits and finds it cancelled.
    auto other = Make({{"Only", 0, 3}});
    auto b = Row(Hold(2, other).id);
    repo.concurrent = [&] { EXPECT_EQ(Pay(b), EventOutcome::kApplied); };
    service.Cancel(kStaff, other);
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kRefunding);
    // The release day the same way.
    auto released = Make({{"Only", 0, 3}});
    auto c = Row(Hold(3, released).id);
    clock.Advance(std::chrono::days(30));
    repo.concurrent = [&] { EXPECT_EQ(service.ReleaseDue(), 1); };
    EXPECT_EQ(Pay(c), EventOutcome::kApplied);
    EXPECT_EQ(Row(c.id).status, PurchaseStatus::kRefunding) << "sales ended with the release";
    EXPECT_EQ(service.RefundDue(), 3);
    for (const auto& p : {a, b, c}) EXPECT_EQ(Row(p.id).status, PurchaseStatus::kRefunded);
    EXPECT_EQ(Notices("preorders.notify.late_refunded").size(), 3U);
    EXPECT_EQ(Notices("preorders.notify.paid").size(), 0U);
}

TEST_F(PreorderRules, AHoldEndedBeforeItsSessionIsStoredStaysEndedAndItsPaymentIsLate) {
    auto item = Make({{"Only", 0, 3}});
    // Staff cancel while Buy stores the session: the cancellation commits between Buy's read and its write.
    repo.concurrent = [&] { service.Cancel(kStaff, item); };
    auto bought = service.Buy(Member(1), item, std::nullopt, false, "fr");
    ASSERT_TRUE(bought.purchase);
    auto row = Row(bought.purchase->id);
    EXPECT_EQ(row.status, PurchaseStatus::kReleased) << "the cancellation is not undone by Buy";
    EXPECT_EQ(row.session_id, "cs_" + row.id.ToString()) << "the session is known, so its payment is found";
    EXPECT_EQ(Tiers(item)[0].held, 0);
    EXPECT_EQ(Pay(row), EventOutcome::kApplied);
    EXPECT_EQ(Row(row.id).status, PurchaseStatus::kRefunding);
    EXPECT_EQ(Tiers(item)[0].sold, 0);
}

TEST_F(PreorderRules, ALatePaymentRespectsTheMembersLimit) {
    auto item = Make({{"Only", 0, 5}});  // one per member
    auto first = Row(Hold(1, item).id);
    clock.Advance(shop::SessionLife(30min) + 11min);
    EXPECT_EQ(service.ReleaseExpiredHolds(), 1);
    auto second = Row(Hold(1, item).id);
    EXPECT_EQ(Pay(second), EventOutcome::kApplied);
    EXPECT_EQ(Pay(first), EventOutcome::kApplied) << "the first page, paid after its hold ended";
    auto row = Row(first.id);
    EXPECT_EQ(row.status, PurchaseStatus::kRefunding) << "a second seat would pass the limit";
    EXPECT_EQ(row.refund_reason, RefundReason::kLatePayment);
    EXPECT_EQ(Tiers(item)[0].sold, 1);
    EXPECT_EQ(Notices("preorders.notify.late_refunded").size(), 1U);
    // Within the limit, a late payment is honoured.
    auto other = Row(Hold(2, item).id);
    clock.Advance(shop::SessionLife(30min) + 11min);
    EXPECT_EQ(service.ReleaseExpiredHolds(), 1);
    EXPECT_EQ(Pay(other), EventOutcome::kApplied);
    EXPECT_EQ(Row(other.id).status, PurchaseStatus::kPaid);
    EXPECT_EQ(Tiers(item)[0].sold, 2);
}

TEST_F(PreorderRules, ARefundedLatePaymentWasNeverASale) {
    auto item = Make({{"Only", 0, 3}});
    auto a = Row(Hold(1, item).id);
    service.Cancel(kStaff, item);
    EXPECT_EQ(Pay(a), EventOutcome::kApplied);
    EXPECT_EQ(service.RefundDue(), 1);
    auto row = Row(a.id);
    EXPECT_EQ(row.status, PurchaseStatus::kRefunded);
    EXPECT_FALSE(row.paid_at) << "no seat was sold";
    auto stats = service.Stats(kStaff, item);
    EXPECT_EQ(stats.revenue_minor, 0);
    EXPECT_EQ(stats.refunded_minor, 0) << "not a sale refunded";
    EXPECT_EQ(stats.buyers, 0);
    EXPECT_TRUE(stats.days.empty());
    EXPECT_TRUE(service.EarlyAdopters(kStaff, 10).empty());
}

TEST_F(PreorderRules, BuyingEndsAtTheReleaseDateEvenBeforeTheReleaseSweep) {
    auto item = Make();
    clock.Advance(std::chrono::days(30));
    auto before = Snapshot();
    EXPECT_EQ(KeyOf([&] { Hold(1, item); }), "preorders.not_open");
    EXPECT_EQ(Snapshot(), before);
    EXPECT_TRUE(checkout.created.empty());
}

TEST_F(PreorderRules, EventsForPaymentsMaxisNeverStoredAreNotRetriedForever) {
    EXPECT_EQ(service.OnCheckoutExpired("evt_x1", "cs_unknown"), EventOutcome::kIgnored);
    EXPECT_EQ(service.OnRefunded("evt_x2", "pi_unknown", "re_x", true), EventOutcome::kIgnored);
    // A payment that may have overtaken its session's storing comes again.
    EXPECT_EQ(service.OnCheckoutCompleted("evt_x3", "cs_unknown", true, "pi_x", 5000), EventOutcome::kRetryLater);
}

TEST_F(PreorderRules, ADisputeTellsStaffOnceAndLeavesTheSeatTaken) {
    auto item = Make();
    auto a = Row(Hold(1, item).id);
    EXPECT_EQ(Pay(a), EventOutcome::kApplied);
    EXPECT_TRUE(service.OwnsPayment("pi_" + a.id.ToString()));
    EXPECT_FALSE(service.OwnsPayment("pi_unknown"));
    EXPECT_FALSE(service.OwnsPayment(""));
    EXPECT_EQ(service.OnDisputed("evt_d1", "pi_" + a.id.ToString(), "fraudulent"), EventOutcome::kApplied);
    EXPECT_EQ(service.OnDisputed("evt_d1", "pi_" + a.id.ToString(), "fraudulent"), EventOutcome::kDuplicate);
    EXPECT_EQ(service.OnDisputed("evt_d2", "pi_unknown", "fraudulent"), EventOutcome::kIgnored);
    auto told = Notices("preorders.notify.disputed");
    ASSERT_EQ(told.size(), 1U);
    EXPECT_EQ(told[0].audience, scheduling::Notice::Audience::kStaff);
    EXPECT_EQ(told[0].people.at("buyer"), a.buyer);
    EXPECT_EQ(told[0].params.at("tier"), "Early Bird");
    EXPECT_EQ(told[0].params.at("reason"), "fraudulent");
    EXPECT_EQ(told[0].money.at("price"), a.price);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kPaid) << "a dispute may be won: the seat stays taken";
    EXPECT_EQ(Tiers(item)[0].sold, 1);
}

TEST_F(PreorderRules, SocialProofCountsSalesInPaidOrderNotPurchaseOrder) {
    auto item = Make();
    auto a = Row(Hold(1, item).id);
    auto b = Row(Hold(2, item).id);
    EXPECT_EQ(Pay(b), EventOutcome::kApplied);
    clock.Advance(1s);
    EXPECT_EQ(service.PostSocialProof(), 1);
    EXPECT_EQ(Pay(a), EventOutcome::kApplied) << "the older purchase, paid after the post";
    clock.Advance(10min);
    EXPECT_EQ(service.PostSocialProof(), 1) << "its sale is said too";
    EXPECT_EQ(Notices("preorders.proof.one_anonymous").size(), 2U);
    clock.Advance(10min);
    EXPECT_EQ(service.PostSocialProof(), 0) << "and only once";
}

TEST_F(PreorderRules, OneBrokenRowNeverHoldsTheSweepsBack) {
    auto broken = Make({{"Only", 0, 3}});
    auto fine = Make({{"Only", 0, 3}});
    auto a = Row(Hold(1, broken).id);
    auto b = Row(Hold(2, fine).id);
    clock.Advance(shop::SessionLife(30min) + 11min);
    // A row the store refuses to change (here: its tier's counter out of step).
    auto broken_tier = Tiers(broken)[0].id;
    repo.Inspect([&](auto& s) { return s.tiers.at(broken_tier.value).held = 0; });
    EXPECT_EQ(service.ReleaseExpiredHolds(), 1);
    EXPECT_EQ(Row(a.id).status, PurchaseStatus::kHeld) << "left for the next run";
    EXPECT_EQ(Row(b.id).status, PurchaseStatus::kReleased);
    // The refund sweep's recording the same way.
    auto broken_too = Make({{"Only", 0, 3}});
    auto fine_too = Make({{"Only", 0, 3}});
    auto c = Row(Hold(3, broken_too).id);
    auto d = Row(Hold(4, fine_too).id);
    EXPECT_EQ(Pay(c), EventOutcome::kApplied);
    EXPECT_EQ(Pay(d), EventOutcome::kApplied);
    service.Cancel(kStaff, broken_too);
    service.Cancel(kStaff, fine_too);
    auto broken_sold = Tiers(broken_too)[0].id;
    repo.Inspect([&](auto& s) { return s.tiers.at(broken_sold.value).sold = 0; });
    EXPECT_EQ(service.RefundDue(), 1);
    EXPECT_EQ(Row(c.id).status, PurchaseStatus::kRefunding) << "left for the next run";
    EXPECT_EQ(Row(d.id).status, PurchaseStatus::kRefunded);
}

}  // namespace
}  // namespace maxis::preorders
