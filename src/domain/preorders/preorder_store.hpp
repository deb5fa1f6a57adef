#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/viewer.hpp"
#include "domain/preorders/preorder.hpp"
#include "domain/scheduling/notice.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::preorders {

/// One paid (or fulfilled, or refunded) purchase as the statistics read it.
struct SaleRow {
    PurchaseId id;
    TierId tier;
    core::UserId buyer;
    PurchaseStatus status = PurchaseStatus::kPaid;
    core::Money price;
    core::TimePoint paid_at;
    std::optional<core::TimePoint> refunded_at;
};

/// A member who bought a pre-order (paid or fulfilled, not refunded), with their first such purchase.
struct EarlyAdopter {
    core::UserId user;
    core::TimePoint first_paid_at;
    int purchases = 0;
};

/// One transaction's view of the pre-orders, bound to a viewer: rows in and out, nothing decided here. A member's
/// store returns only their own purchases (PostgreSQL's row-level security enforces the same underneath); items and
/// tiers are public once opened, drafts are staff's. Every rule is PreorderService's.
class PreorderStore {
public:
    virtual ~PreorderStore() = default;

    // Items.
    virtual ItemId InsertItem(const Item& item) = 0;
    /// In a write transaction, whoever the viewer, holds the item's row until the end (PostgreSQL: FOR UPDATE), so
    /// every writer of one item takes turns. THE lock order of every write: the item first, then its purchases. A
    /// purchase is decided on only from a read made AFTER its item's FindItem in the same transaction (one found
    /// before, e.g. by session, only tells which item to lock, and is read again).
    virtual std::optional<Item> FindItem(ItemId id) = 0;
    /// Writes the item's own columns (everything but id, created_by, created_at).
    virtual void UpdateItem(const Item& item) = 0;
    /// Newest first; a status filters.
    virtual std::vector<Item> ListItems(std::optional<ItemStatus> status, int limit) = 0;
    /// Open or closed items whose release_at is at or before `at` (the release day's sweep).
    virtual std::vector<ItemId> DueForRelease(core::TimePoint at, int limit) = 0;
    /// Open or closed items whose release_at is before `before` (the reminders' sweep).
    virtual std::vector<Item> ReleasingBefore(core::TimePoint before, int limit) = 0;

    // Tiers, in position order.
    virtual std::vector<Tier> Tiers(ItemId item) = 0;
    /// Replaces the item's tiers (only before any sale; the service checks).
    virtual void ReplaceTiers(ItemId item, const std::vector<Tier>& tiers) = 0;
    virtual void SetTierSeats(TierId tier, std::optional<int> seats) = 0;
    /// Atomic seat counters. Take* are conditional: false (nothing changed) when the tier has no seat open
    /// (sold + held reached seats), whatever other transactions do at the same time.
    virtual bool TakeHeldSeat(TierId tier) = 0;     // held + 1
    virtual void ReleaseHeldSeat(TierId tier) = 0;  // held - 1
    virtual void SellHeldSeat(TierId tier) = 0;     // held - 1, sold + 1
    virtual bool TakeSoldSeat(TierId tier) = 0;     // sold + 1 (a late payment)
    virtual void ReturnSoldSeat(TierId tier) = 0;   // sold - 1 (a refund)

    // Purchases.
    /// Serialises one member's purchases of one item until the end of the transaction (PostgreSQL: an advisory
    /// lock; SQLite's writers take turns already), so a member racing themselves cannot pass their limit.
    virtual void LockBuyer(ItemId item, core::UserId buyer) = 0;
    virtual PurchaseId InsertPurchase(const Purchase& purchase) = 0;
    virtual std::optional<Purchase> FindPurchase(PurchaseId id) = 0;
    virtual std::optional<Purchase> FindPurchaseBySession(const std::string& session_id) = 0;
    virtual std::optional<Purchase> FindPurchaseByPaymentIntent(const std::string& payment_intent) = 0;
    /// Writes the purchase's own columns (status, session, payment, refund, dates, flags).
    virtual void UpdatePurchase(const Purchase& purchase) = 0;
    /// The member's purchases of the item whose status counts against the limit (held, paid, fulfilled).
    virtual int CountActivePurchases(ItemId item, core::UserId buyer) = 0;
    /// The viewer's own purchases (a member), or everyone's (staff), newest first.
    virtual std::vector<Purchase> PurchasesOf(core::UserId buyer, int limit) = 0;
    /// An item's purchases with one of the statuses (all when empty), in id order, after `after_id`.
    virtual std::vector<Purchase> ItemPurchases(ItemId item, const std::vector<PurchaseStatus>& statuses,
                                                long long after_id, int limit) = 0;
    /// Held purchases whose held_until is at or before `at`, any item.
    virtual std::vector<Purchase> HoldsEndedBy(core::TimePoint at, int limit) = 0;
    /// Purchases waiting for their refund, any item, oldest first.
    virtual std::vector<Purchase> RefundsDue(int limit) = 0;
    /// Paid, fulfilled and refunded purchases of the item (the statistics).
    virtual std::vector<SaleRow> Sales(ItemId item) = 0;
    /// Members with a paid or fulfilled purchase of any item, first buyers first.
    virtual std::vector<EarlyAdopter> EarlyAdopters(int limit) = 0;

    // Provider events, applied once (core::ApplyEventOnce): false when the id was recorded before.
    virtual bool RecordEvent(const std::string& event_id, const std::string& type) = 0;
    virtual void SetEventOutcome(const std::string& event_id, core::EventOutcome outcome) = 0;

    /// Announcements: false when the key was marked before for the item (nothing written), so each is made once.
    virtual bool MarkAnnounced(ItemId item, const std::string& key) = 0;

    /// Written to the outbox in this same transaction.
    virtual void Notify(const scheduling::Notice& notice) = 0;
};

/// Port: the pre-orders' transactions. Write and Read run work in one transaction bound to the viewer; an exception
/// from work rolls everything back.
class PreorderRepository {
public:
    virtual ~PreorderRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(PreorderStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(PreorderStore&)>& work) = 0;
};

}  // namespace maxis::preorders
