#pragma once
// The pre-orders' store, method by method and under PreorderService, run on SQLite (preorder_store_test.cpp) and on
// PostgreSQL through the login role with row-level security (preorder_store_pgtest.cpp). Each file defines
// MakePreorderDatabase() and kBuyerThreads (how many buyers run at once in the bursts).
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "domain/preorders/preorder_service.hpp"
#include "storage/preorder_store.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::preorder_suite {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using preorders::Item;
using preorders::ItemId;
using preorders::ItemStatus;
using preorders::PreorderStore;
using preorders::Purchase;
using preorders::PurchaseId;
using preorders::PurchaseStatus;
using preorders::Tier;

std::unique_ptr<Database> MakePreorderDatabase(testing::FakeClock& clock);
extern const int kBuyerThreads;

inline const Viewer kStaff{UserId{9001}, Role::kStaff};
inline Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }

/// The provider, answering at once: a session per purchase, a refund per key. Thread-safe.
class InstantCheckout final : public preorders::PreorderCheckout {
public:
    [[nodiscard]] bool configured() const override { return true; }
    Session CreateCheckout(const Purchase& purchase, const Item&, const Tier&, core::TimePoint,
                           const std::string&) override {
        ++sessions;
        return {"cs_" + purchase.id.ToString(), "https://pay.example/cs_" + purchase.id.ToString()};
    }
    std::string Refund(const Purchase& purchase, const std::string&) override { return "re_" + purchase.id.ToString(); }
    std::atomic<int> sessions{0};
};

class PreorderSuite : public ::testing::Test {
protected:
    PreorderSuite()
        : db(MakePreorderDatabase(clock)),
          repo(*db, clock),
          zone(core::TimeZone::Load("Europe/Paris")),
          service(repo, checkout, clock, zone, preorders::PreorderOptions{}) {}

    /// An item as staff write it, with the default tiers (positions 0..3), through the store.
    Item StoreItem(ItemStatus status, const std::string& name = "Artbook") {
        Item i{.name = name,
               .description = "A book",
               .image_url = "https://img.example/a.png",
               .price = core::Money{4000, "EUR"},
               .release_at = clock.Now() + 24h * 30,
               .status = status,
               .per_member_limit = 2,
               .delivery = "Download it here",
               .created_by = kStaff.user_id,
               .created_at = clock.Now(),
               .updated_at = clock.Now()};
        repo.Write(kStaff, [&](PreorderStore& s) {
            i.id = s.InsertItem(i);
            s.ReplaceTiers(i.id, DefaultTierRows());
        });
        return i;
    }
    static std::vector<Tier> DefaultTierRows() {
        std::vector<Tier> tiers;
        for (const auto& spec : preorders::DefaultTiers()) {
            tiers.push_back({.position = static_cast<int>(tiers.size()),
                             .name = spec.name,
                             .discount_percent = spec.discount_percent,
                             .seats = spec.seats,
                             .price_minor = preorders::TierPrice(4000, spec.discount_percent)});
        }
        return tiers;
    }
    std::vector<Tier> TiersOf(ItemId id, const Viewer& who = kStaff) {
        std::vector<Tier> out;
        repo.Read(who, [&](PreorderStore& s) { out = s.Tiers(id); });
        return out;
    }
    /// A purchase of the item's first tier by `buyer`, written as Maxis writes it.
    Purchase StorePurchase(const Item& item, long long buyer, PurchaseStatus status, const std::string& session) {
        Purchase p;
        repo.Write(Viewer::System(), [&](PreorderStore& s) {
            auto tier = s.Tiers(item.id).front();
            p = Purchase{.item = item.id,
                         .tier = tier.id,
                         .buyer = UserId{buyer},
                         .status = status,
                         .price = core::Money{tier.price_minor, "EUR"},
                         .session_id = session,
                         .held_until = clock.Now() + 30min,
                         .created_at = clock.Now()};
            if (status == PurchaseStatus::kPaid) p.paid_at = clock.Now();
            p.id = s.InsertPurchase(p);
        });
        return p;
    }
    Item OpenItem() {
        auto view = service.Create(kStaff, preorders::NewItem{.name = "Artbook",
                                                              .price = core::Money{4000, "EUR"},
                                                              .release_at = clock.Now() + 24h * 30,
                                                              .delivery = "Download it here"});
        return service.Open(kStaff, view.item.id).item;
    }
    template <class F>
    std::string KeyOf(F&& f) {
        try {
            f();
        } catch (const core::Error& e) {
            return e.key();
        }
        return "(no error)";
    }
    long long Count(const std::string& sql) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << sql, soci::into(n);
            return n;
        });
    }
    /// Runs buyer(0..n-1) on kBuyerThreads threads at once, each buyer in its own transactions.
    static void RunBuyers(int n, const std::function<void(int)>& buyer) {
        std::atomic<int> next{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kBuyerThreads; ++t) {
            threads.emplace_back([&] {
                for (int i = next++; i < n; i = next++) buyer(i);
            });
        }
        for (auto& t : threads) t.join();
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlPreorderRepository repo;
    core::TimeZone zone;
    InstantCheckout checkout;
    preorders::PreorderService service;
};

TEST_F(PreorderSuite, ItemsRoundTripAndADraftIsStaffsOnly) {
    auto open = StoreItem(ItemStatus::kOpen, "Open one");
    auto draft = StoreItem(ItemStatus::kDraft, "Draft one");
    repo.Read(kStaff, [&](PreorderStore& s) {
        auto got = s.FindItem(open.id);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->name, "Open one");
        EXPECT_EQ(got->description, "A book");
        EXPECT_EQ(got->image_url, "https://img.example/a.png");
        EXPECT_EQ(got->price, (core::Money{4000, "EUR"}));
        EXPECT_EQ(got->release_at, open.release_at);
        EXPECT_EQ(got->status, ItemStatus::kOpen);
        EXPECT_EQ(got->per_member_limit, 2);
        EXPECT_EQ(got->delivery, "Download it here");
        EXPECT_EQ(got->created_by, kStaff.user_id);
        EXPECT_FALSE(got->opened_at.has_value());
        EXPECT_FALSE(got->proof_posted_at.has_value());
        EXPECT_TRUE(s.FindItem(draft.id).has_value());
        EXPECT_EQ(s.ListItems(std::nullopt, 10).size(), 2u);
        EXPECT_EQ(s.ListItems(ItemStatus::kDraft, 10).size(), 1u);
        EXPECT_FALSE(s.FindItem(ItemId{999999}).has_value());
    });
    // Every column UpdateItem writes comes back.
    auto changed = open;
    changed.name = "Renamed";
    changed.release_at = open.release_at + 24h;
    changed.status = ItemStatus::kClosed;
    changed.opened_at = clock.Now();
    changed.released_at = clock.Now() + 1h;
    changed.release_moves = 2;
    changed.proof_cursor = 41;
    changed.proof_posted_at = clock.Now() + 2h;
    changed.per_member_limit = 3;
    changed.price = core::Money{5000, "EUR"};
    repo.Write(kStaff, [&](PreorderStore& s) { s.UpdateItem(changed); });
    repo.Read(kStaff, [&](PreorderStore& s) {
        auto got = *s.FindItem(open.id);
        EXPECT_EQ(got.name, "Renamed");
        EXPECT_EQ(got.release_at, changed.release_at);
        EXPECT_EQ(got.status, ItemStatus::kClosed);
        EXPECT_EQ(got.opened_at, changed.opened_at);
        EXPECT_EQ(got.released_at, changed.released_at);
        EXPECT_EQ(got.release_moves, 2);
        EXPECT_EQ(got.proof_cursor, 41);
        EXPECT_EQ(got.proof_posted_at, changed.proof_posted_at);
        EXPECT_EQ(got.per_member_limit, 3);
        EXPECT_EQ(got.price.minor, 5000);
        EXPECT_EQ(got.created_at, open.created_at);
    });
    // A member sees the closed item and its tiers, never the draft nor its tiers.
    repo.Read(Member(1), [&](PreorderStore& s) {
        EXPECT_TRUE(s.FindItem(open.id).has_value());
        EXPECT_FALSE(s.FindItem(draft.id).has_value());
        auto all = s.ListItems(std::nullopt, 10);
        ASSERT_EQ(all.size(), 1u);
        EXPECT_EQ(all[0].id, open.id);
        EXPECT_TRUE(s.ListItems(ItemStatus::kDraft, 10).empty());
        EXPECT_EQ(s.Tiers(open.id).size(), 4u);
        EXPECT_TRUE(s.Tiers(draft.id).empty());
    });
    // The sweeps' selections: open or closed items by release date.
    repo.Read(Viewer::System(), [&](PreorderStore& s) {
        EXPECT_TRUE(s.DueForRelease(changed.release_at - 1ms, 10).empty());
        auto due = s.DueForRelease(changed.release_at, 10);
        ASSERT_EQ(due.size(), 1u);
        EXPECT_EQ(due[0], open.id);
        EXPECT_TRUE(s.ReleasingBefore(changed.release_at, 10).empty());
        EXPECT_EQ(s.ReleasingBefore(changed.release_at + 1ms, 10).size(), 1u);
    });
}

TEST_F(PreorderSuite, TiersAreReplacedInPositionOrderAndTheirSeatsChange) {
    auto item = StoreItem(ItemStatus::kDraft);
    auto tiers = TiersOf(item.id);
    ASSERT_EQ(tiers.size(), 4u);
    const std::vector<std::string> names{"Early Bird", "Founder", "Supporter", "Regular"};
    const std::vector<long long> prices{2800, 3200, 3600, 4000};
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        EXPECT_EQ(tiers[i].name, names[i]);
        EXPECT_EQ(tiers[i].position, static_cast<int>(i));
        EXPECT_EQ(tiers[i].price_minor, prices[i]);
        EXPECT_EQ(tiers[i].item, item.id);
        EXPECT_EQ(tiers[i].sold, 0);
        EXPECT_EQ(tiers[i].held, 0);
    }
    EXPECT_EQ(tiers[0].seats, 20);
    EXPECT_FALSE(tiers[3].seats.has_value());
    // Two tiers instead of four: the old rows go.
    repo.Write(kStaff, [&](PreorderStore& s) {
        s.ReplaceTiers(item.id,
                       {Tier{.position = 0, .name = "Launch", .discount_percent = 15, .seats = 5, .price_minor = 3400},
                        Tier{.position = 1, .name = "Regular", .price_minor = 4000}});
    });
    tiers = TiersOf(item.id);
    ASSERT_EQ(tiers.size(), 2u);
    EXPECT_EQ(tiers[0].name, "Launch");
    EXPECT_EQ(tiers[0].seats, 5);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_tiers"), 2);
    repo.Write(kStaff, [&](PreorderStore& s) {
        s.SetTierSeats(tiers[0].id, 9);
        s.SetTierSeats(tiers[1].id, 100);
    });
    tiers = TiersOf(item.id);
    EXPECT_EQ(tiers[0].seats, 9);
    EXPECT_EQ(tiers[1].seats, 100);
    repo.Write(kStaff, [&](PreorderStore& s) { s.SetTierSeats(tiers[1].id, std::nullopt); });
    EXPECT_FALSE(TiersOf(item.id)[1].seats.has_value());
}

// Take* change nothing once sold + held reached the seats; the others move their counters; none goes below zero
// (the transaction fails and nothing of it stays).
TEST_F(PreorderSuite, SeatCountersNeverPassTheSeatsNorGoBelowZero) {
    auto item = StoreItem(ItemStatus::kOpen);
    repo.Write(kStaff, [&](PreorderStore& s) { s.SetTierSeats(s.Tiers(item.id)[0].id, 3); });
    auto tier = TiersOf(item.id)[0].id;
    auto unlimited = TiersOf(item.id)[3].id;
    repo.Write(Viewer::System(), [&](PreorderStore& s) {
        EXPECT_TRUE(s.TakeHeldSeat(tier));
        EXPECT_TRUE(s.TakeHeldSeat(tier));
        EXPECT_TRUE(s.TakeSoldSeat(tier));
        EXPECT_FALSE(s.TakeHeldSeat(tier));
        EXPECT_FALSE(s.TakeSoldSeat(tier));
        s.SellHeldSeat(tier);  // held 1, sold 2
        EXPECT_FALSE(s.TakeHeldSeat(tier));
        s.ReleaseHeldSeat(tier);  // held 0, sold 2
        EXPECT_TRUE(s.TakeSoldSeat(tier));
        EXPECT_FALSE(s.TakeSoldSeat(tier));
        s.ReturnSoldSeat(tier);  // sold 2
        for (int i = 0; i < 500; ++i) ASSERT_TRUE(s.TakeHeldSeat(unlimited));
    });
    auto tiers = TiersOf(item.id);
    EXPECT_EQ(tiers[0].sold, 2);
    EXPECT_EQ(tiers[0].held, 0);
    EXPECT_EQ(tiers[3].held, 500);
    EXPECT_EQ(tiers[3].sold, 0);
    EXPECT_ANY_THROW(repo.Write(Viewer::System(), [&](PreorderStore& s) {
        EXPECT_TRUE(s.TakeSoldSeat(unlimited));
        s.ReleaseHeldSeat(tier);  // held would be -1
    }));
    EXPECT_ANY_THROW(repo.Write(Viewer::System(), [&](PreorderStore& s) { s.SellHeldSeat(tier); }));
    EXPECT_ANY_THROW(repo.Write(Viewer::System(), [&](PreorderStore& s) {
        s.ReturnSoldSeat(tier);
        s.ReturnSoldSeat(tier);
        s.ReturnSoldSeat(tier);
    }));
    tiers = TiersOf(item.id);
    EXPECT_EQ(tiers[0].sold, 2);
    EXPECT_EQ(tiers[0].held, 0);
    EXPECT_EQ(tiers[3].sold, 0);  // rolled back with the failed transaction
}

TEST_F(PreorderSuite, PurchasesRoundTripAndAMemberReadsOnlyTheirOwn) {
    auto item = StoreItem(ItemStatus::kOpen);
    auto other = StoreItem(ItemStatus::kOpen, "Other");
    auto a = StorePurchase(item, 1, PurchaseStatus::kHeld, "cs_a");
    auto b = StorePurchase(item, 2, PurchaseStatus::kPaid, "cs_b");
    auto a2 = StorePurchase(other, 1, PurchaseStatus::kPaid, "cs_a2");
    auto gone = StorePurchase(item, 1, PurchaseStatus::kReleased, "");
    // Every column UpdatePurchase writes comes back.
    auto paid = a;
    paid.status = PurchaseStatus::kRefunding;
    paid.payment_intent = "pi_a";
    paid.named = true;
    paid.late = true;
    paid.refund_reason = preorders::RefundReason::kLatePayment;
    paid.refund_id = "re_a";
    paid.release_moves_seen = 3;
    paid.paid_at = clock.Now() + 1min;
    paid.fulfilled_at = clock.Now() + 2min;
    paid.refunded_at = clock.Now() + 3min;
    paid.held_until = clock.Now() + 4min;
    paid.price = core::Money{1234, "EUR"};
    repo.Write(Viewer::System(), [&](PreorderStore& s) { s.UpdatePurchase(paid); });
    repo.Read(kStaff, [&](PreorderStore& s) {
        auto got = s.FindPurchase(a.id);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(got->item, item.id);
        EXPECT_EQ(got->tier, a.tier);
        EXPECT_EQ(got->buyer, UserId{1});
        EXPECT_EQ(got->status, PurchaseStatus::kRefunding);
        EXPECT_EQ(got->session_id, "cs_a");
        EXPECT_EQ(got->payment_intent, "pi_a");
        EXPECT_TRUE(got->named);
        EXPECT_TRUE(got->late);
        EXPECT_EQ(got->refund_reason, preorders::RefundReason::kLatePayment);
        EXPECT_EQ(got->refund_id, "re_a");
        EXPECT_EQ(got->release_moves_seen, 3);
        EXPECT_EQ(got->paid_at, paid.paid_at);
        EXPECT_EQ(got->fulfilled_at, paid.fulfilled_at);
        EXPECT_EQ(got->refunded_at, paid.refunded_at);
        EXPECT_EQ(got->held_until, paid.held_until);
        EXPECT_EQ(got->created_at, a.created_at);
        EXPECT_EQ(got->price, (core::Money{1234, "EUR"}));
        EXPECT_EQ(s.FindPurchaseBySession("cs_a")->id, a.id);
        EXPECT_EQ(s.FindPurchaseByPaymentIntent("pi_a")->id, a.id);
        EXPECT_FALSE(s.FindPurchaseBySession("").has_value());  // a purchase without a session yet is not found
        EXPECT_FALSE(s.FindPurchaseByPaymentIntent("").has_value());
        EXPECT_FALSE(s.FindPurchaseBySession("cs_none").has_value());
        // Held, paid and fulfilled count against the limit; released and refunding do not.
        EXPECT_EQ(s.CountActivePurchases(item.id, UserId{1}), 0);
        EXPECT_EQ(s.CountActivePurchases(item.id, UserId{2}), 1);
        EXPECT_EQ(s.PurchasesOf(UserId{1}, 10).size(), 3u);
        EXPECT_EQ(s.PurchasesOf(UserId{1}, 10).front().id, gone.id);  // newest first
        auto all = s.ItemPurchases(item.id, {}, 0, 10);
        ASSERT_EQ(all.size(), 3u);
        EXPECT_EQ(all[0].id, a.id);  // id order
        auto paid_ones = s.ItemPurchases(item.id, {PurchaseStatus::kPaid, PurchaseStatus::kRefunding}, 0, 10);
        ASSERT_EQ(paid_ones.size(), 2u);
        EXPECT_EQ(s.ItemPurchases(item.id, {}, b.id.value, 10).size(), 1u);
        EXPECT_EQ(s.RefundsDue(10).size(), 1u);
        auto sales = s.Sales(item.id);
        ASSERT_EQ(sales.size(), 2u);
        EXPECT_EQ(sales[1].id, b.id);
        EXPECT_EQ(sales[1].price.minor, 2800);
        auto adopters = s.EarlyAdopters(10);
        ASSERT_EQ(adopters.size(), 2u);  // 2 (paid) and 1 (paid a2); a is refunding
        EXPECT_EQ(adopters[0].purchases, 1);
    });
    // Ended holds: held purchases whose held_until came, any item.
    repo.Read(Viewer::System(), [&](PreorderStore& s) { EXPECT_TRUE(s.HoldsEndedBy(clock.Now(), 10).empty()); });
    StorePurchase(other, 3, PurchaseStatus::kHeld, "cs_c");
    repo.Read(Viewer::System(), [&](PreorderStore& s) {
        auto ended = s.HoldsEndedBy(clock.Now() + 30min, 10);
        ASSERT_EQ(ended.size(), 1u);
        EXPECT_EQ(ended[0].buyer, UserId{3});
    });
    // A member reaches only their own purchases, whatever they ask for.
    repo.Read(Member(1), [&](PreorderStore& s) {
        EXPECT_FALSE(s.FindPurchase(b.id).has_value());
        EXPECT_FALSE(s.FindPurchaseBySession("cs_b").has_value());
        EXPECT_TRUE(s.FindPurchase(a2.id).has_value());
        EXPECT_EQ(s.PurchasesOf(UserId{2}, 10).size(), 3u);  // their own, not 2's
        for (const auto& p : s.ItemPurchases(item.id, {}, 0, 10)) EXPECT_EQ(p.buyer, UserId{1});
        EXPECT_EQ(s.CountActivePurchases(item.id, UserId{2}), 0);
        EXPECT_TRUE(s.RefundsDue(10).size() == 1u && s.RefundsDue(10)[0].buyer == UserId{1});
        for (const auto& sale : s.Sales(item.id)) EXPECT_EQ(sale.buyer, UserId{1});
        auto adopters = s.EarlyAdopters(10);
        ASSERT_EQ(adopters.size(), 1u);
        EXPECT_EQ(adopters[0].user, UserId{1});
    });
}

// Events and announcements are recorded once; notices are outbox rows; all of it goes with a failed transaction.
TEST_F(PreorderSuite, EventsAnnouncementsAndNoticesAreOnceAndGoWithTheirTransaction) {
    auto item = StoreItem(ItemStatus::kOpen);
    auto notice = scheduling::Notice::ToMember(UserId{1}, "preorders.notify.paid", "preorders.test.1");
    repo.Write(Viewer::System(), [&](PreorderStore& s) {
        EXPECT_TRUE(s.RecordEvent("evt_1", "checkout.session.completed"));
        EXPECT_FALSE(s.RecordEvent("evt_1", "checkout.session.completed"));
        s.SetEventOutcome("evt_1", core::EventOutcome::kApplied);
        EXPECT_TRUE(s.MarkAnnounced(item.id, "opened"));
        EXPECT_FALSE(s.MarkAnnounced(item.id, "opened"));
        EXPECT_TRUE(s.MarkAnnounced(item.id, "tier-1-pct-50"));
        s.Notify(notice);
    });
    EXPECT_EQ(Count("SELECT COUNT(*) FROM stripe_events WHERE event_id = 'evt_1' AND outcome = 'applied'"), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_announcements"), 2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'preorders.test.1' AND channel = "
                    "'notify.member'"),
              1);
    EXPECT_THROW(repo.Write(Viewer::System(),
                            [&](PreorderStore& s) {
                                EXPECT_TRUE(s.RecordEvent("evt_2", "x"));
                                EXPECT_TRUE(s.MarkAnnounced(item.id, "tier-1-soldout"));
                                notice.idempotency_key = "preorders.test.2";
                                s.Notify(notice);
                                throw std::runtime_error("the work failed");
                            }),
                 std::runtime_error);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM stripe_events WHERE event_id = 'evt_2'"), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_announcements"), 2);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key = 'preorders.test.2'"), 0);
}

// THE BURST: 1,000 members buy at once through PreorderService::Buy (a held seat, the provider's page, the session
// stored), and each pays at once (the provider's event). Exactly 20 Early Bird, 50 Founder, 100 Supporter and 830
// Regular, each purchase at its tier's price, no tier ever past its seats, no seat left held; each announcement once.
TEST_F(PreorderSuite, TheBurstOfAThousandBuyersGivesExactTiersAtTheirPrices) {
    constexpr int kBuyers = 1000;
    auto item = OpenItem();
    std::atomic<int> failures{0};
    std::mutex m;
    std::map<long long, long long> paid_tier_price;  // purchase -> tier price the result showed
    RunBuyers(kBuyers, [&](int i) {
        try {
            auto r = service.Buy(Member(100000 + i), item.id, std::nullopt, i % 3 == 0, "fr");
            if (r.price_changed || !r.purchase || r.url.empty()) {
                ++failures;
                return;
            }
            EXPECT_EQ(r.purchase->price.minor, r.tier.price_minor);
            EXPECT_EQ(r.purchase->tier, r.tier.id);
            auto outcome = service.OnCheckoutCompleted("evt_" + std::to_string(i), r.purchase->session_id, true,
                                                       "pi_" + std::to_string(i), r.purchase->price.minor);
            EXPECT_EQ(outcome, core::EventOutcome::kApplied);
            std::lock_guard lock(m);
            paid_tier_price[r.purchase->id.value] = r.tier.price_minor;
        } catch (const std::exception& e) {
            ++failures;
            ADD_FAILURE() << "buyer " << i << ": " << e.what();
        }
    });
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(checkout.sessions.load(), kBuyers);
    auto tiers = TiersOf(item.id);
    ASSERT_EQ(tiers.size(), 4u);
    const std::vector<int> expected{20, 50, 100, 830};
    std::map<long long, int> per_tier;
    std::map<long long, long long> tier_price;
    for (std::size_t i = 0; i < tiers.size(); ++i) {
        EXPECT_EQ(tiers[i].sold, expected[i]) << tiers[i].name;
        EXPECT_EQ(tiers[i].held, 0) << tiers[i].name;
        if (tiers[i].seats) {
            EXPECT_LE(tiers[i].sold + tiers[i].held, *tiers[i].seats) << tiers[i].name;
        }
        tier_price[tiers[i].id.value] = tiers[i].price_minor;
    }
    std::vector<Purchase> purchases;
    repo.Read(kStaff, [&](PreorderStore& s) { purchases = s.ItemPurchases(item.id, {}, 0, 2 * kBuyers); });
    ASSERT_EQ(purchases.size(), static_cast<std::size_t>(kBuyers));
    std::set<long long> buyers;
    for (const auto& p : purchases) {
        EXPECT_EQ(p.status, PurchaseStatus::kPaid);
        EXPECT_EQ(p.price.minor, tier_price.at(p.tier.value)) << "purchase " << p.id.value;
        EXPECT_EQ(paid_tier_price.at(p.id.value), tier_price.at(p.tier.value));
        ++per_tier[p.tier.value];
        buyers.insert(p.buyer.value);
    }
    EXPECT_EQ(buyers.size(), static_cast<std::size_t>(kBuyers));
    for (std::size_t i = 0; i < tiers.size(); ++i) EXPECT_EQ(per_tier[tiers[i].id.value], expected[i]);
    // Each announcement once (its key marked once, its post queued once): three limited tiers sold out.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_announcements WHERE announcement LIKE '%-soldout'"), 3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'preorders.%soldout'"), 3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'preorders.%.opened'"), 1);
}

// A member racing themselves (many clicks at once) gets no more than their limit: the others are refused and hold
// nothing. Several members in turn, each racing themselves: without the buyer's lock on PostgreSQL, two clicks of
// one member pass the count together in about one race out of three.
TEST_F(PreorderSuite, AMemberRacingThemselvesGetsNoMoreThanTheirLimit) {
    auto item = OpenItem();
    constexpr int kMembers = 6, kClicks = 40;
    for (int member = 0; member < kMembers; ++member) {
        std::atomic<int> bought{0}, refused{0};
        RunBuyers(kClicks, [&](int) {
            try {
                service.Buy(Member(700 + member), item.id, std::nullopt, false, "en");
                ++bought;
            } catch (const core::Error& e) {
                EXPECT_EQ(e.key(), "preorders.limit");
                ++refused;
            }
        });
        EXPECT_EQ(bought.load(), 1) << "member " << member;
        EXPECT_EQ(refused.load(), kClicks - 1) << "member " << member;
    }
    EXPECT_EQ(TiersOf(item.id)[0].held, kMembers);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_purchases"), kMembers);
}

// The sweep ending holds and the payments of those same holds, at once: each purchase is either sold (paid in its
// hold, or late in its own tier) or released, once, and every tier's counters equal its purchases afterwards. On
// PostgreSQL every writer holds the item first and reads the purchase after; without that, a purchase both released
// and paid moved its tier's counter twice (a seat lost, or the CHECK refusing the transaction).
TEST_F(PreorderSuite, TheSweepAndPaymentsRacingOnTheSameHoldsMoveEachSeatOnce) {
    constexpr int kBuyers = 120, kRounds = 3;
    for (int round = 0; round < kRounds; ++round) {
        auto item = OpenItem();
        std::vector<Purchase> held;
        for (int i = 0; i < kBuyers; ++i) {
            held.push_back(
                *service.Buy(Member(500000 + round * 1000 + i), item.id, std::nullopt, false, "fr").purchase);
        }
        clock.Advance(24h);  // every hold ended, grace included
        std::atomic<int> failures{0};
        std::atomic<bool> swept{false};
        std::thread sweep([&] {
            try {
                service.ReleaseExpiredHolds();
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << "sweep: " << e.what();
            }
            swept = true;
        });
        // The payments start once the sweep has ended a first hold (so some are late, whatever the scheduling), from
        // the newest hold down while the sweep ends holds from the oldest up: they meet.
        while (!swept && Count("SELECT COUNT(*) FROM preorder_purchases WHERE status = 'released'") == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        RunBuyers(kBuyers, [&](int i) {
            const auto& p = held[static_cast<std::size_t>(kBuyers - 1 - i)];
            try {
                service.OnCheckoutCompleted("evt_race_" + p.id.ToString(), p.session_id, true,
                                            "pi_race_" + p.id.ToString(), p.price.minor);
            } catch (const std::exception& e) {
                ++failures;
                ADD_FAILURE() << "payment " << p.id.value << ": " << e.what();
            }
        });
        sweep.join();
        EXPECT_EQ(failures.load(), 0);
        EXPECT_GT(Count("SELECT COUNT(*) FROM preorder_purchases WHERE late = 1"), 0);  // the sweep did release some
        std::vector<Purchase> purchases;
        repo.Read(kStaff, [&](PreorderStore& s) { purchases = s.ItemPurchases(item.id, {}, 0, 2 * kBuyers); });
        std::map<long long, int> paid, holding;
        for (const auto& p : purchases) {
            if (p.status == PurchaseStatus::kPaid) ++paid[p.tier.value];
            if (p.status == PurchaseStatus::kHeld) ++holding[p.tier.value];
            EXPECT_TRUE(p.status == PurchaseStatus::kPaid || p.status == PurchaseStatus::kRefunding)
                << "purchase " << p.id.value << " " << preorders::ToString(p.status);
        }
        for (const auto& t : TiersOf(item.id)) {
            EXPECT_EQ(t.sold, paid[t.id.value]) << "round " << round << ", " << t.name;
            EXPECT_EQ(t.held, holding[t.id.value]) << "round " << round << ", " << t.name;
            if (t.seats) {
                EXPECT_LE(t.sold + t.held, *t.seats) << t.name;
            }
        }
    }
}

}  // namespace maxis::storage::preorder_suite
