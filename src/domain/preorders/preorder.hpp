#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"

namespace maxis::preorders {

using ItemId = core::Id<struct PreorderItemIdTag>;
using TierId = core::Id<struct PreorderTierIdTag>;
using PurchaseId = core::Id<struct PreorderPurchaseIdTag>;

/// An item's life: staff prepare it (draft), open it to buyers, may close sales; the release day fulfils it, or staff
/// cancel it (everyone refunded). Released and cancelled are final.
enum class ItemStatus { kDraft, kOpen, kClosed, kReleased, kCancelled };
std::string_view ToString(ItemStatus status);
std::optional<ItemStatus> ParseItemStatus(std::string_view text);

/// A purchase's life:
/// - held: a seat is held in its tier while the member pays on the provider's page (until held_until);
/// - paid: the seat is sold; fulfilled: the release day came;
/// - released: the hold ended unpaid (the session expired, or the sweep found it past held_until and its grace);
/// - refunding: a refund is owed (a late payment with no seat left, a cancellation); the refund sweep asks the
///   provider for it; refunded: the provider took it.
enum class PurchaseStatus { kHeld, kPaid, kFulfilled, kReleased, kRefunding, kRefunded };
std::string_view ToString(PurchaseStatus status);
std::optional<PurchaseStatus> ParsePurchaseStatus(std::string_view text);

/// Why a purchase is refunded (kept on the row, said to the member).
enum class RefundReason { kNone, kLatePayment, kMemberCancelled, kItemCancelled, kProvider };
std::string_view ToString(RefundReason reason);
std::optional<RefundReason> ParseRefundReason(std::string_view text);

/// One price level. Tiers are sold in position order: the cheapest first, each until its seats are gone; the last may
/// have no limit. `sold` and `held` are the seats taken by payments and by checkouts still open.
struct Tier {
    TierId id;
    ItemId item;
    int position = 0;
    std::string name;          // "Early Bird", as staff named it
    int discount_percent = 0;  // off the item's price, 0 to 99
    std::optional<int> seats;  // nullopt: no limit
    int sold = 0;
    int held = 0;
    long long price_minor = 0;  // the item's price less the discount, set when the tiers are saved
};

/// The tiers' shape as staff give it (the default: Early Bird -30 % 20 seats, Founder -20 % 50, Supporter -10 % 100,
/// Regular without limit).
struct TierSpec {
    std::string name;
    int discount_percent = 0;
    std::optional<int> seats;
    friend bool operator==(const TierSpec&, const TierSpec&) = default;
};
std::vector<TierSpec> DefaultTiers();

struct Item {
    ItemId id;
    std::string name;
    std::string description;
    std::string image_url;  // https, or empty
    core::Money price;      // the full (Regular) price
    core::TimePoint release_at;
    ItemStatus status = ItemStatus::kDraft;
    int per_member_limit = 1;
    std::string delivery;  // what buyers are told on the release day (staff's words)
    core::UserId created_by;
    core::TimePoint created_at;
    core::TimePoint updated_at;
    std::optional<core::TimePoint> opened_at;
    std::optional<core::TimePoint> released_at;  // fulfilled, or cancelled
    int release_moves = 0;                       // how often the release date moved after the first sale
    /// Social proof: the instant (ms since the epoch) up to which paid sales were summarised (those paid before it),
    /// and when the last summary was posted.
    long long proof_cursor = 0;
    std::optional<core::TimePoint> proof_posted_at;
};

struct Purchase {
    PurchaseId id;
    ItemId item;
    TierId tier;
    core::UserId buyer;
    PurchaseStatus status = PurchaseStatus::kHeld;
    core::Money price;           // what the session charges: the tier's price when the seat was held
    std::string session_id;      // the provider's checkout session
    std::string payment_intent;  // once paid
    core::TimePoint held_until;  // the session's end
    bool named = false;          // the buyer agreed to be named in the social-proof posts
    bool late = false;           // paid after its hold was released
    RefundReason refund_reason = RefundReason::kNone;
    std::string refund_id;
    int release_moves_seen = 0;  // the item's release_moves when it was paid: a later move offers a cancellation
    core::TimePoint created_at;
    std::optional<core::TimePoint> paid_at;
    std::optional<core::TimePoint> fulfilled_at;
    std::optional<core::TimePoint> refunded_at;
};

/// A tier's price: the item's price less discount_percent, rounded to the nearest minor unit (half up).
long long TierPrice(long long price_minor, int discount_percent);

/// Seats a buyer can take now: seats less sold and held (nullopt: no limit).
std::optional<int> SeatsOpen(const Tier& tier);
/// Seats not sold yet: seats less sold. What announcements and social proof say is left, since a held seat may come
/// back: a figure said is never lower than the seats a buyer may still get (nullopt: no limit).
std::optional<int> SeatsUnsold(const Tier& tier);

/// The tier a buyer gets now: the first, in position order, with a seat open; nullopt when none is.
std::optional<Tier> CheapestOpen(const std::vector<Tier>& tiers);

/// Checks tiers as staff give them: 1 to 8, each named (up to 40 characters), a discount from 0 to 99 %, strictly
/// smaller from one tier to the next, seats from 1 to 100000, and only the last without a limit. Throws core::Error
/// (kInvalidArgument, preorders.* keys).
void ValidateTiers(const std::vector<TierSpec>& tiers);

/// Whether a purchase in this status holds or owns a seat (counts against the member's limit).
bool CountsAgainstLimit(PurchaseStatus status);

}  // namespace maxis::preorders
