#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_outcome.hpp"
#include "core/time_zone.hpp"
#include "core/viewer.hpp"
#include "domain/preorders/preorder.hpp"
#include "domain/preorders/preorder_store.hpp"

namespace maxis::preorders {

using core::EventOutcome;

/// Port: the payment provider's hosted checkout and refunds for pre-orders (Stripe, in payment mode, on the shop's
/// webhook path: the session and its PaymentIntent carry `preorder_purchase` in their metadata).
class PreorderCheckout {
public:
    virtual ~PreorderCheckout() = default;
    struct Session {
        std::string id;
        std::string url;
    };
    /// False when no credentials are configured: nothing is held then.
    [[nodiscard]] virtual bool configured() const = 0;
    /// A payment page charging purchase.price for one seat of tier, expiring at expires_at. Throws core::Error.
    virtual Session CreateCheckout(const Purchase& purchase, const Item& item, const Tier& tier,
                                   core::TimePoint expires_at, const std::string& locale) = 0;
    /// Refunds the whole payment; the same idempotency key never refunds twice. Returns the refund's id. Throws
    /// core::Error.
    virtual std::string Refund(const Purchase& purchase, const std::string& idempotency_key) = 0;
};

struct PreorderOptions {
    int per_member_limit = 1;                               // seats per member and item, unless the item says
    core::Millis hold = std::chrono::minutes(30);           // a seat held while the member pays (the session's life)
    core::Millis release_grace = std::chrono::minutes(10);  // the sweep waits this long after a hold ends
    core::Millis proof_every = std::chrono::minutes(10);    // at most one social-proof post per item this often
    std::vector<int> announce_percent{50};                  // a tier's share sold that is announced
    std::vector<int> announce_seats_left{5};                // a tier's seats left that are announced
    std::vector<core::Millis> reminders{std::chrono::hours(24), std::chrono::hours(1)};  // before the release
    std::string channel;  // announcements' channel (empty: the staff channel)
    std::string currency = "EUR";
};

/// What staff give to create an item. Tiers empty: DefaultTiers().
struct NewItem {
    std::string name;
    core::Money price;
    core::TimePoint release_at;
    std::string description;
    std::string image_url;
    std::string delivery;
    std::optional<int> per_member_limit;
    std::vector<TierSpec> tiers;
};

/// What staff change; nullopt leaves a field as it is.
struct ItemChanges {
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::optional<std::string> image_url;
    std::optional<std::string> delivery;
    std::optional<core::Money> price;  // before the first sale only
    std::optional<core::TimePoint> release_at;
    std::optional<int> per_member_limit;
};

/// An item and its tiers as a reader sees them.
struct ItemView {
    Item item;
    std::vector<Tier> tiers;
    /// The tier a buyer gets now (nullopt: sold out, or not open).
    std::optional<Tier> next;
};

/// What a Buy did: a payment page for a held seat, or (price_changed) nothing held because the tier the member saw
/// has no seat open any more: `tier` is the one they would get now, at its price, for them to confirm.
struct BuyResult {
    bool price_changed = false;
    Tier tier;
    std::optional<Purchase> purchase;
    std::string url;
};

/// One day's sales of one tier (the panel's chart).
struct DaySales {
    std::string day;  // local calendar day, "2026-12-25"
    TierId tier;
    int seats = 0;  // paid that day (refunded ones not counted)
    long long revenue_minor = 0;
};

struct ItemStats {
    ItemView view;
    std::vector<DaySales> days;
    long long revenue_minor = 0;  // paid, less refunded
    long long refunded_minor = 0;
    int buyers = 0;  // paid or fulfilled purchases
};

/// The pre-orders' rules, all of them: items and their tiers (staff), buying the cheapest tier with a seat open and
/// holding it while the member pays, the member's limit, the provider's events (each applied once), late payments
/// (honoured in their tier while it has a seat, refunded otherwise), the sweeps (ended holds, refunds owed, the
/// release day, reminders, social proof), a moved release (buyers may cancel and are refunded) and a cancelled item
/// (everyone refunded), and every announcement, made once. Storage only keeps the rows (PreorderRepository).
class PreorderService {
public:
    PreorderService(PreorderRepository& repo, PreorderCheckout& checkout, const core::Clock& clock,
                    const core::TimeZone& zone, PreorderOptions options)
        : repo_(repo), checkout_(checkout), clock_(clock), zone_(zone), options_(std::move(options)) {}

    [[nodiscard]] const PreorderOptions& options() const { return options_; }
    [[nodiscard]] bool payments_configured() const { return checkout_.configured(); }

    // Staff: items. Each throws core::Error with a preorders.* key and changes nothing on bad input: a release date
    // in the past, a price the provider refuses (after each tier's discount), bad tiers, an unknown item, a move its
    // status forbids.
    ItemView Create(const core::Viewer& staff, const NewItem& item);
    ItemView Edit(const core::Viewer& staff, ItemId id, const ItemChanges& changes);
    /// Before the first sale: any tiers. After it: only seat counts, and only up (preorders.tiers_locked).
    ItemView SetTiers(const core::Viewer& staff, ItemId id, const std::vector<TierSpec>& tiers);
    /// draft or closed -> open (the opening is announced once); open -> closed.
    ItemView Open(const core::Viewer& staff, ItemId id);
    ItemView Close(const core::Viewer& staff, ItemId id);
    /// Cancels the item: holds released, every paid purchase refunded (the refund sweep asks the provider), buyers
    /// told. Final.
    ItemView Cancel(const core::Viewer& staff, ItemId id);

    // Everyone: open items (staff also see drafts and closed ones).
    [[nodiscard]] std::vector<ItemView> List(const core::Viewer& viewer, bool include_finished);
    [[nodiscard]] ItemView Get(const core::Viewer& viewer, ItemId id);

    /// A member buys one seat: the item must be open, the member under their limit, payments configured. When
    /// `expected` names a tier that has no seat open any more, nothing is held and the result says which tier (and
    /// price) they would get now. Otherwise the cheapest tier with a seat open is held until the session's end and
    /// the payment page returned; if the provider refuses, the seat goes back. Throws core::Error: preorders.unknown,
    /// preorders.not_open, preorders.sold_out, preorders.limit, preorders.payments_off, preorders.checkout_failed.
    BuyResult Buy(const core::Viewer& member, ItemId id, std::optional<TierId> expected, bool named,
                  const std::string& locale);
    /// A member cancels a paid purchase after the release date moved since they paid (one click from the notice):
    /// refunded in full, seat given back. Throws preorders.purchase_unknown, preorders.cancel_not_offered.
    Purchase CancelPurchase(const core::Viewer& member, PurchaseId id);

    /// The viewer's own purchases (staff: anyone's with `buyer`).
    [[nodiscard]] std::vector<Purchase> Purchases(const core::Viewer& viewer, core::UserId buyer);
    /// Staff: an item's buyers (paid, fulfilled, refunding, refunded), in purchase order.
    [[nodiscard]] std::vector<Purchase> Buyers(const core::Viewer& staff, ItemId id);
    /// Staff: seats and revenue per tier and local day.
    [[nodiscard]] ItemStats Stats(const core::Viewer& staff, ItemId id);
    /// Members who bought a pre-order (the opening's thank-you).
    [[nodiscard]] std::vector<EarlyAdopter> EarlyAdopters(const core::Viewer& viewer, int limit);

    // The provider's events, each applied once (kDuplicate for an id seen before).
    /// A paid session: its held seat is sold. A session paid after its hold was released is a late payment: it takes
    /// a seat in its own tier if one is open (never another tier, never past the seats), else it is refunded.
    EventOutcome OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                     const std::string& payment_intent, long long amount_minor);
    EventOutcome OnCheckoutExpired(const std::string& event_id, const std::string& session_id);
    /// A refund the provider made (asked by Maxis, or from its dashboard): the purchase is refunded, its seat back.
    /// Whether a payment paid one of the pre-orders' purchases.
    [[nodiscard]] bool OwnsPayment(const std::string& payment_intent);
    /// A dispute of a purchase's payment: staff are told (the buyer, the item and tier, the reason) to answer it on
    /// the provider's dashboard; the purchase keeps its seat, since a dispute may be won, and a lost one arrives as
    /// a refund.
    EventOutcome OnDisputed(const std::string& event_id, const std::string& payment_intent, const std::string& reason);
    EventOutcome OnRefunded(const std::string& event_id, const std::string& payment_intent,
                            const std::string& refund_id, bool fully);

    // Sweeps (recurring jobs). Each returns how much it did.
    /// Held purchases past held_until + release_grace: released, seat back.
    int ReleaseExpiredHolds();
    /// Purchases waiting for a refund: asked of the provider (idempotent per purchase); refunded when it answers.
    int RefundDue();
    /// Items whose release_at has come: released, paid purchases fulfilled, buyers told the delivery instructions.
    int ReleaseDue();
    /// The reminders before each item's release (once per item, release date and reminder).
    int RemindDue();
    /// Social proof: one post per item at most every proof_every, summarising the sales since the last one.
    int PostSocialProof();

private:
    PreorderRepository& repo_;
    PreorderCheckout& checkout_;
    const core::Clock& clock_;
    const core::TimeZone& zone_;
    PreorderOptions options_;
};

}  // namespace maxis::preorders
