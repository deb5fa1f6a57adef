#include "domain/preorders/preorder_service.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "domain/shop/payment_limits.hpp"

namespace maxis::preorders {

using core::Error;
using core::ErrorCode;
using core::Viewer;
using scheduling::Notice;

namespace {

constexpr int kMaxName = 100;
constexpr int kMaxDescription = 1000;
constexpr int kMaxDelivery = 2000;
constexpr int kMaxImageUrl = 500;
constexpr int kMaxMemberLimit = 1000;  // as the config and the commands take it
constexpr int kPage = 200;             // rows a sweep or a listing reads at a time

void RequireStaff(const Viewer& viewer, const char* what) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, std::string("only staff ") + what);
}

[[noreturn]] void Unknown(ItemId id) {
    throw Error(ErrorCode::kNotFound, "pre-order item not found", "preorders.unknown", {{"id", id.ToString()}});
}

[[noreturn]] void BadMove(const Item& item, const char* what) {
    auto status = std::string(ToString(item.status));
    throw Error(ErrorCode::kConflict, std::string("an item that is ") + status + " cannot be " + what,
                "preorders.bad_move", {{"status", status}});
}

[[noreturn]] void TooLong(const char* field, int max) {
    throw Error(ErrorCode::kInvalidArgument, std::string("the ") + field + " is too long", "preorders.too_long",
                {{"field", field}, {"max", std::to_string(max)}});
}

void CheckName(const std::string& name) {
    auto trimmed = core::Trim(name);
    if (trimmed.empty() || core::Utf8Length(trimmed) > static_cast<std::size_t>(kMaxName)) {
        throw Error(ErrorCode::kInvalidArgument, "the name must be 1 to 100 characters", "preorders.name",
                    {{"max", std::to_string(kMaxName)}});
    }
    core::RequireStorableText(name, "name", core::TextLines::kSingle);
}

void CheckTexts(const std::string& description, const std::string& image_url, const std::string& delivery) {
    if (core::Utf8Length(description) > static_cast<std::size_t>(kMaxDescription)) {
        TooLong("description", kMaxDescription);
    }
    if (core::Utf8Length(delivery) > static_cast<std::size_t>(kMaxDelivery)) TooLong("delivery", kMaxDelivery);
    if (image_url.size() > static_cast<std::size_t>(kMaxImageUrl)) TooLong("image", kMaxImageUrl);
    if (!image_url.empty() &&
        (!image_url.starts_with("https://") || image_url.find_first_of(" \t\r\n") != std::string::npos)) {
        throw Error(ErrorCode::kInvalidArgument, "the image URL must start with https://", "preorders.image");
    }
    core::RequireStorableText(description, "description", core::TextLines::kMulti);
    core::RequireStorableText(delivery, "delivery", core::TextLines::kMulti);
    core::RequireStorableText(image_url, "image", core::TextLines::kSingle);
}

void CheckMemberLimit(int limit) {
    if (limit < 1 || limit > kMaxMemberLimit) {
        throw Error(ErrorCode::kInvalidArgument, "the limit per member must be from 1 to 1000",
                    "preorders.member_limit", {{"max", std::to_string(kMaxMemberLimit)}});
    }
}

void CheckRelease(core::TimePoint release_at, core::TimePoint now) {
    if (release_at <= now) {
        throw Error(ErrorCode::kInvalidArgument, "the release date must be in the future", "preorders.release_past");
    }
}

/// Every tier's price must be one the provider charges: at least the currency's minimum after the tier's discount,
/// at most the most one payment takes.
void CheckPrices(const core::Money& price, const std::vector<TierSpec>& tiers) {
    auto minimum = shop::MinimumCharge(price.currency);
    if (!minimum) {
        throw Error(ErrorCode::kInvalidArgument, "the currency " + price.currency + " is not one payments take",
                    "preorders.currency", {{"currency", price.currency}});
    }
    auto min = shop::PlainAmount(*minimum, price.currency);
    auto max = shop::PlainAmount(shop::limits::kMaxAmountMinor, price.currency);
    for (const auto& tier : tiers) {
        auto charged = TierPrice(price.minor, tier.discount_percent);
        if (price.minor < 0 || charged < *minimum || price.minor > shop::limits::kMaxAmountMinor) {
            throw Error(ErrorCode::kInvalidArgument,
                        "every tier's price must be between " + min + " and " + max + " (" + tier.name + ": " +
                            shop::PlainAmount(std::max(0LL, charged), price.currency) + ")",
                        "preorders.price", {{"min", min}, {"max", max}, {"tier", tier.name}});
        }
    }
}

std::vector<TierSpec> Specs(const std::vector<Tier>& tiers) {
    std::vector<TierSpec> out;
    for (const auto& t : tiers) out.push_back(TierSpec{t.name, t.discount_percent, t.seats});
    return out;
}

std::vector<Tier> BuildTiers(ItemId item, long long price_minor, const std::vector<TierSpec>& specs) {
    std::vector<Tier> out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        Tier t;
        t.item = item;
        t.position = static_cast<int>(i);
        t.name = std::string(core::Trim(specs[i].name));
        t.discount_percent = specs[i].discount_percent;
        t.seats = specs[i].seats;
        t.price_minor = TierPrice(price_minor, specs[i].discount_percent);
        out.push_back(std::move(t));
    }
    return out;
}

Item LoadItem(PreorderStore& store, ItemId id) {
    auto item = store.FindItem(id);
    if (!item) Unknown(id);
    return *item;
}

/// A purchase and its item as one write decides on them.
struct Locked {
    Item item;
    Purchase purchase;
};

/// THE lock order of every write: the item first (FindItem holds its row until the end), then the purchase, read
/// again so that the copy deciding is the one no other writer can change any more. A purchase found before (to learn
/// its item) only says where to look.
std::optional<Locked> LockPurchase(PreorderStore& store, ItemId item, PurchaseId id) {
    auto i = store.FindItem(item);
    if (!i) return std::nullopt;
    auto p = store.FindPurchase(id);
    if (!p || p->item != item) return std::nullopt;
    return Locked{std::move(*i), std::move(*p)};
}

/// A held purchase's seat goes back (the hold ended, or sales did).
void ReleaseHold(PreorderStore& store, Purchase& p) {
    p.status = PurchaseStatus::kReleased;
    store.ReleaseHeldSeat(p.tier);
    store.UpdatePurchase(p);
}

Tier FindTier(const std::vector<Tier>& tiers, TierId id) {
    for (const auto& t : tiers) {
        if (t.id == id) return t;
    }
    throw Error(ErrorCode::kInternal, "a purchase's tier is missing");
}

ItemView ViewOf(PreorderStore& store, const Item& item) {
    ItemView view{item, store.Tiers(item.id), std::nullopt};
    if (item.status == ItemStatus::kOpen) view.next = CheapestOpen(view.tiers);
    return view;
}

/// Every purchase of an item with one of the statuses, page after page.
std::vector<Purchase> AllPurchases(PreorderStore& store, ItemId item, const std::vector<PurchaseStatus>& statuses) {
    std::vector<Purchase> out;
    long long after = 0;
    for (;;) {
        auto page = store.ItemPurchases(item, statuses, after, kPage);
        out.insert(out.end(), page.begin(), page.end());
        if (static_cast<int>(page.size()) < kPage) return out;
        after = page.back().id.value;
    }
}

bool HasAnyPurchase(PreorderStore& store, ItemId item) { return !store.ItemPurchases(item, {}, 0, 1).empty(); }

/// A refunded purchase gives its seat back when it had one: every refund but a late payment that found none.
bool HadSeat(const Purchase& p) { return p.refund_reason != RefundReason::kLatePayment; }

std::string PurchaseKey(const Purchase& p, const std::string& what) {
    return "preorders.purchase." + p.id.ToString() + "." + what;
}

void NotifyBuyer(PreorderStore& store, const Purchase& p, const Item& item, const std::string& key,
                 const std::string& idempotency_key, Notice extra = {}) {
    auto n = Notice::ToMember(p.buyer, key, idempotency_key);
    n.params = std::move(extra.params);
    n.params["item"] = item.name;
    n.money = std::move(extra.money);
    n.money.try_emplace("price", p.price);
    n.times = std::move(extra.times);
    n.action = std::move(extra.action);
    store.Notify(n);
}

/// A refund the provider took: the purchase is refunded, its seat (if it had one) back, the buyer told.
void MarkRefunded(PreorderStore& store, const Item& item, Purchase p, const std::string& refund_id,
                  core::TimePoint now) {
    bool returns_seat = p.status == PurchaseStatus::kPaid || p.status == PurchaseStatus::kFulfilled ||
                        (p.status == PurchaseStatus::kRefunding && HadSeat(p));
    if (p.refund_reason == RefundReason::kNone) p.refund_reason = RefundReason::kProvider;
    p.status = PurchaseStatus::kRefunded;
    p.refund_id = refund_id;
    p.refunded_at = now;
    if (returns_seat) store.ReturnSoldSeat(p.tier);
    store.UpdatePurchase(p);
    Notice extra;
    extra.params["reason"] = std::string(ToString(p.refund_reason));
    NotifyBuyer(store, p, item, "preorders.notify.refunded", PurchaseKey(p, "refunded"), std::move(extra));
}

/// Asks the provider for a purchase's refund (idempotent per purchase), then records it; false when it is still owed.
bool RefundOne(PreorderRepository& repo, PreorderCheckout& checkout, const core::Clock& clock,
               const Purchase& purchase) {
    if (purchase.payment_intent.empty()) return false;
    auto key = "maxis-preorder-refund-" + purchase.id.ToString() + "-" +
               std::to_string(core::ToEpochMillis(purchase.created_at));
    std::string refund_id;
    try {
        refund_id = checkout.Refund(purchase, key);
    } catch (const std::exception&) {
        return false;  // still refunding: the next sweep asks again, with the same key
    }
    bool done = false;
    repo.Write(Viewer::System(), [&](PreorderStore& store) {
        auto locked = LockPurchase(store, purchase.item, purchase.id);
        // The provider's charge.refunded may have come first: then it is refunded already.
        if (!locked || locked->purchase.status != PurchaseStatus::kRefunding) return;
        MarkRefunded(store, locked->item, locked->purchase, refund_id, clock.Now());
        done = true;
    });
    return done;
}

}  // namespace

// Announcements.

namespace {

struct Announcer {
    PreorderStore& store;
    const PreorderOptions& options;

    /// Posts once: false (nothing posted) when the key was announced before for the item.
    bool Post(const Item& item, const std::string& announcement, Notice n) {
        if (!store.MarkAnnounced(item.id, announcement)) return false;
        n.audience = Notice::Audience::kStaff;
        n.channel = options.channel;
        n.idempotency_key = "preorders." + item.id.ToString() + "." + announcement;
        n.params["item"] = item.name;
        store.Notify(n);
        return true;
    }

    /// The thresholds a sale in `tier_id` may have reached, on committed sales (SeatsUnsold): its share sold, its
    /// seats left, sold out. When the sale sells the tier out, the other thresholds it reached are marked, not said.
    void AfterSale(const Item& item, TierId tier_id) {
        auto tiers = store.Tiers(item.id);
        auto tier = FindTier(tiers, tier_id);
        if (!tier.seats) return;
        const int seats = *tier.seats;
        const int unsold = *SeatsUnsold(tier);
        const bool sold_out = unsold == 0;
        std::vector<std::pair<std::string, Notice>> reached;
        for (int percent : options.announce_percent) {
            if (percent < 1 || percent > 100 || tier.sold * 100 < percent * seats) continue;
            Notice n;
            n.key = "preorders.announce.percent";
            n.params = {{"tier", tier.name}, {"percent", std::to_string(percent)}, {"left", std::to_string(unsold)}};
            reached.emplace_back("tier-" + tier.id.ToString() + "-pct-" + std::to_string(percent), std::move(n));
        }
        for (int left : options.announce_seats_left) {
            if (left < 1 || left >= seats || unsold > left) continue;
            Notice n;
            n.key = "preorders.announce.seats_left";
            n.params = {{"tier", tier.name}, {"left", std::to_string(unsold)}};
            reached.emplace_back("tier-" + tier.id.ToString() + "-left-" + std::to_string(left), std::move(n));
        }
        for (auto& [announcement, n] : reached) {
            if (sold_out) {
                store.MarkAnnounced(item.id, announcement);
            } else {
                Post(item, announcement, std::move(n));
            }
        }
        if (!sold_out) return;
        Notice n;
        n.params = {{"tier", tier.name}};
        std::optional<Tier> next;
        for (const auto& t : tiers) {
            if (t.position > tier.position && SeatsUnsold(t).value_or(1) > 0) {
                next = t;
                break;
            }
        }
        if (next) {
            n.key = "preorders.announce.sold_out";
            n.params["next"] = next->name;
            n.money["next_price"] = core::Money{next->price_minor, item.price.currency};
        } else {
            n.key = "preorders.announce.sold_out_all";
        }
        Post(item, "tier-" + tier.id.ToString() + "-soldout", std::move(n));
    }
};

}  // namespace

// Staff: items.

ItemView PreorderService::Create(const Viewer& staff, const NewItem& spec) {
    RequireStaff(staff, "create pre-orders");
    CheckName(spec.name);
    CheckTexts(spec.description, spec.image_url, spec.delivery);
    auto limit = spec.per_member_limit.value_or(options_.per_member_limit);
    CheckMemberLimit(limit);
    auto specs = spec.tiers.empty() ? DefaultTiers() : spec.tiers;
    ValidateTiers(specs);
    CheckPrices(spec.price, specs);
    ItemView out;
    repo_.Write(staff, [&](PreorderStore& store) {
        auto now = clock_.Now();
        CheckRelease(spec.release_at, now);
        Item item;
        item.name = std::string(core::Trim(spec.name));
        item.description = spec.description;
        item.image_url = spec.image_url;
        item.price = spec.price;
        item.release_at = spec.release_at;
        item.status = ItemStatus::kDraft;
        item.per_member_limit = limit;
        item.delivery = spec.delivery;
        item.created_by = staff.user_id;
        item.created_at = item.updated_at = now;
        item.id = store.InsertItem(item);
        store.ReplaceTiers(item.id, BuildTiers(item.id, item.price.minor, specs));
        out = ViewOf(store, LoadItem(store, item.id));
    });
    return out;
}

ItemView PreorderService::Edit(const Viewer& staff, ItemId id, const ItemChanges& changes) {
    RequireStaff(staff, "edit pre-orders");
    if (changes.name) CheckName(*changes.name);
    CheckTexts(changes.description.value_or(""), changes.image_url.value_or(""), changes.delivery.value_or(""));
    if (changes.per_member_limit) CheckMemberLimit(*changes.per_member_limit);
    ItemView out;
    repo_.Write(staff, [&](PreorderStore& store) {
        auto now = clock_.Now();
        auto item = LoadItem(store, id);
        if (item.status == ItemStatus::kReleased || item.status == ItemStatus::kCancelled) BadMove(item, "edited");
        auto tiers = store.Tiers(id);
        if (changes.price && changes.price->minor != item.price.minor) {
            if (HasAnyPurchase(store, id)) {
                throw Error(ErrorCode::kConflict, "the price is fixed once the item has sold",
                            "preorders.tiers_locked");
            }
            core::Money price{changes.price->minor, item.price.currency};
            CheckPrices(price, Specs(tiers));
            item.price = price;
            for (auto& t : tiers) t.price_minor = TierPrice(price.minor, t.discount_percent);
            store.ReplaceTiers(id, BuildTiers(id, price.minor, Specs(tiers)));
        }
        bool moved = false;
        if (changes.release_at && *changes.release_at != item.release_at) {
            CheckRelease(*changes.release_at, now);
            item.release_at = *changes.release_at;
            moved = true;
        }
        if (changes.name) item.name = std::string(core::Trim(*changes.name));
        if (changes.description) item.description = *changes.description;
        if (changes.image_url) item.image_url = *changes.image_url;
        if (changes.delivery) item.delivery = *changes.delivery;
        if (changes.per_member_limit) item.per_member_limit = *changes.per_member_limit;
        std::vector<Purchase> paid;
        if (moved) paid = AllPurchases(store, id, {PurchaseStatus::kPaid});
        if (!paid.empty()) {
            // A slipped release: every buyer may now cancel, refunded in full, with one click.
            item.release_moves += 1;
            for (const auto& p : paid) {
                Notice extra;
                extra.times["release"] = item.release_at;
                extra.action = Notice::Action{"preorder_cancel " + p.id.ToString(), "preorders.button.cancel"};
                NotifyBuyer(store, p, item, "preorders.notify.release_moved",
                            PurchaseKey(p, "moved-" + std::to_string(item.release_moves)), std::move(extra));
            }
        }
        item.updated_at = now;
        store.UpdateItem(item);
        out = ViewOf(store, item);
    });
    return out;
}

ItemView PreorderService::SetTiers(const Viewer& staff, ItemId id, const std::vector<TierSpec>& specs) {
    RequireStaff(staff, "change tiers");
    ValidateTiers(specs);
    ItemView out;
    repo_.Write(staff, [&](PreorderStore& store) {
        auto item = LoadItem(store, id);
        if (item.status == ItemStatus::kReleased || item.status == ItemStatus::kCancelled) {
            BadMove(item, "changed");
        }
        auto tiers = store.Tiers(id);
        // Once a purchase exists (held, paid, or even released: its row names its tier), the tiers stay: only a
        // tier's seats may go up.
        if (HasAnyPurchase(store, id)) {
            if (specs.size() != tiers.size()) {
                throw Error(ErrorCode::kConflict, "the tiers are fixed after the first sale: only seats may go up",
                            "preorders.tiers_locked");
            }
            for (std::size_t i = 0; i < specs.size(); ++i) {
                const auto& t = tiers[i];
                if (std::string(core::Trim(specs[i].name)) != t.name ||
                    specs[i].discount_percent != t.discount_percent) {
                    throw Error(ErrorCode::kConflict, "the tiers are fixed after the first sale: only seats may go up",
                                "preorders.tiers_locked");
                }
                if (t.seats && specs[i].seats && *specs[i].seats < *t.seats) {
                    throw Error(ErrorCode::kInvalidArgument, "a tier's seats can only go up after the first sale",
                                "preorders.seats_down", {{"tier", t.name}, {"seats", std::to_string(*t.seats)}});
                }
                if (!t.seats && specs[i].seats) {
                    throw Error(ErrorCode::kInvalidArgument, "a tier's seats can only go up after the first sale",
                                "preorders.seats_down", {{"tier", t.name}, {"seats", "-"}});
                }
            }
            for (std::size_t i = 0; i < specs.size(); ++i) {
                if (specs[i].seats != tiers[i].seats) store.SetTierSeats(tiers[i].id, specs[i].seats);
            }
        } else {
            CheckPrices(item.price, specs);
            store.ReplaceTiers(id, BuildTiers(id, item.price.minor, specs));
        }
        item.updated_at = clock_.Now();
        store.UpdateItem(item);
        out = ViewOf(store, item);
    });
    return out;
}

ItemView PreorderService::Open(const Viewer& staff, ItemId id) {
    RequireStaff(staff, "open pre-orders");
    ItemView out;
    repo_.Write(staff, [&](PreorderStore& store) {
        auto now = clock_.Now();
        auto item = LoadItem(store, id);
        if (item.status != ItemStatus::kDraft && item.status != ItemStatus::kClosed) BadMove(item, "opened");
        CheckRelease(item.release_at, now);
        item.status = ItemStatus::kOpen;
        if (!item.opened_at) item.opened_at = now;
        item.updated_at = now;
        store.UpdateItem(item);
        Notice n;
        n.key = "preorders.announce.opened";
        n.params["description"] = item.description;
        n.money["price"] = item.price;
        n.times["release"] = item.release_at;
        Announcer{store, options_}.Post(item, "opened", std::move(n));
        out = ViewOf(store, item);
    });
    return out;
}

ItemView PreorderService::Close(const Viewer& staff, ItemId id) {
    RequireStaff(staff, "close pre-orders");
    ItemView out;
    repo_.Write(staff, [&](PreorderStore& store) {
        auto item = LoadItem(store, id);
        if (item.status != ItemStatus::kOpen) BadMove(item, "closed");
        item.status = ItemStatus::kClosed;
        item.updated_at = clock_.Now();
        store.UpdateItem(item);
        out = ViewOf(store, item);
    });
    return out;
}

ItemView PreorderService::Cancel(const Viewer& staff, ItemId id) {
    RequireStaff(staff, "cancel pre-orders");
    ItemView out;
    // As Maxis itself once staff are checked, like Buy: the purchases it writes are the members'.
    repo_.Write(Viewer::System(), [&](PreorderStore& store) {
        auto now = clock_.Now();
        auto item = LoadItem(store, id);
        if (item.status == ItemStatus::kReleased || item.status == ItemStatus::kCancelled) {
            BadMove(item, "cancelled");
        }
        item.status = ItemStatus::kCancelled;
        item.released_at = now;
        item.updated_at = now;
        store.UpdateItem(item);
        // The item is held (FindItem) and already cancelled: a payment waiting on it finds it so, then its purchase.
        for (auto p : AllPurchases(store, id, {PurchaseStatus::kHeld, PurchaseStatus::kPaid})) {
            if (p.status == PurchaseStatus::kHeld) {
                ReleaseHold(store, p);
                continue;
            }
            p.status = PurchaseStatus::kRefunding;
            p.refund_reason = RefundReason::kItemCancelled;
            store.UpdatePurchase(p);
            NotifyBuyer(store, p, item, "preorders.notify.item_cancelled", PurchaseKey(p, "item-cancelled"));
        }
        out = ViewOf(store, item);
    });
    return out;
}

// Everyone.

std::vector<ItemView> PreorderService::List(const Viewer& viewer, bool include_finished) {
    std::vector<ItemView> out;
    repo_.Read(viewer, [&](PreorderStore& store) {
        for (const auto& item : store.ListItems(std::nullopt, kPage)) {
            bool finished = item.status == ItemStatus::kReleased || item.status == ItemStatus::kCancelled;
            if (finished && !include_finished) continue;
            if (!viewer.IsStaff() &&
                (item.status == ItemStatus::kDraft || (item.status == ItemStatus::kClosed && !include_finished))) {
                continue;
            }
            out.push_back(ViewOf(store, item));
        }
    });
    return out;
}

ItemView PreorderService::Get(const Viewer& viewer, ItemId id) {
    ItemView out;
    repo_.Read(viewer, [&](PreorderStore& store) {
        auto item = LoadItem(store, id);
        if (!viewer.IsStaff() && item.status == ItemStatus::kDraft) Unknown(id);
        out = ViewOf(store, item);
    });
    return out;
}

// Buying.

BuyResult PreorderService::Buy(const Viewer& member, ItemId id, std::optional<TierId> expected, bool named,
                               const std::string& locale) {
    if (member.user_id.value == 0) throw Error(ErrorCode::kForbidden, "only a member buys");
    if (!checkout_.configured()) {
        throw Error(ErrorCode::kUnavailable, "payments are not configured (MAXIS_STRIPE_SECRET_KEY is not set)",
                    "preorders.payments_off");
    }
    const auto life = shop::SessionLife(options_.hold);
    BuyResult result;
    Item item;
    // As Maxis itself, like the shop's checkout: seat counters are not the member's to write. Every purchase row it
    // touches is the member's.
    repo_.Write(Viewer::System(), [&](PreorderStore& store) {
        auto now = clock_.Now();
        item = LoadItem(store, id);
        if (item.status == ItemStatus::kDraft) Unknown(id);
        if (item.status != ItemStatus::kOpen) {
            throw Error(ErrorCode::kConflict, item.name + " is not on sale", "preorders.not_open",
                        {{"item", item.name}, {"status", std::string(ToString(item.status))}});
        }
        if (item.release_at <= now) {
            // Released already, the release day's sweep not run yet: sales ended at the release date.
            throw Error(ErrorCode::kConflict, item.name + " is not on sale any more", "preorders.not_open",
                        {{"item", item.name}, {"status", "released"}});
        }
        store.LockBuyer(id, member.user_id);
        if (store.CountActivePurchases(id, member.user_id) >= item.per_member_limit) {
            throw Error(ErrorCode::kLimitReached,
                        "at most " + std::to_string(item.per_member_limit) + " per member for this item",
                        "preorders.limit", {{"limit", std::to_string(item.per_member_limit)}, {"item", item.name}});
        }
        auto tiers = store.Tiers(id);
        std::optional<Tier> taken;
        for (const auto& tier : tiers) {
            if (SeatsOpen(tier).value_or(1) <= 0) continue;
            if (store.TakeHeldSeat(tier.id)) {
                taken = tier;
                break;
            }
        }
        if (!taken) {
            throw Error(ErrorCode::kConflict, item.name + " is sold out", "preorders.sold_out", {{"item", item.name}});
        }
        if (expected && taken->id != *expected) {
            // The tier the member saw is not the one they would get: nothing is held, they confirm the new price.
            store.ReleaseHeldSeat(taken->id);
            result.price_changed = true;
            result.tier = FindTier(store.Tiers(id), taken->id);
            return;
        }
        Purchase p;
        p.item = id;
        p.tier = taken->id;
        p.buyer = member.user_id;
        p.status = PurchaseStatus::kHeld;
        p.price = core::Money{taken->price_minor, item.price.currency};
        p.held_until = now + life;
        p.named = named;
        p.release_moves_seen = item.release_moves;
        p.created_at = now;
        p.id = store.InsertPurchase(p);
        result.purchase = p;
        result.tier = FindTier(store.Tiers(id), taken->id);
    });
    if (result.price_changed) return result;
    auto& purchase = *result.purchase;
    // The provider is called outside the transaction. The page's expiry counts from now, in whole seconds rounded
    // down (SessionLife keeps headroom above the provider's minimum).
    auto expires_at = std::chrono::floor<std::chrono::seconds>(clock_.Now() + life);
    PreorderCheckout::Session session;
    try {
        session = checkout_.CreateCheckout(purchase, item, result.tier, expires_at, locale);
    } catch (const std::exception& e) {
        // Nothing is owed and the seat goes back when the payment page could not be made.
        repo_.Write(Viewer::System(), [&](PreorderStore& store) {
            auto locked = LockPurchase(store, purchase.item, purchase.id);
            if (!locked || locked->purchase.status != PurchaseStatus::kHeld) return;
            ReleaseHold(store, locked->purchase);
        });
        const auto* domain = dynamic_cast<const Error*>(&e);
        throw Error(domain != nullptr ? domain->code() : ErrorCode::kUnavailable,
                    std::string("the payment page could not be created: ") + e.what(), "preorders.checkout_failed",
                    {{"item", item.name}});
    }
    repo_.Write(Viewer::System(), [&](PreorderStore& store) {
        // Only the session and the hold's end, on the purchase as it is now (item first, then the purchase): a hold
        // ended meanwhile (Cancel, the release day, the sweep) stays ended. Its session is stored all the same, so
        // that a payment on the page still open is found, and taken as a late payment.
        auto locked = LockPurchase(store, purchase.item, purchase.id);
        if (!locked) return;
        auto& p = locked->purchase;
        p.session_id = session.id;
        if (p.status == PurchaseStatus::kHeld) p.held_until = expires_at;
        store.UpdatePurchase(p);
        purchase = p;
    });
    result.url = session.url;
    return result;
}

Purchase PreorderService::CancelPurchase(const Viewer& member, PurchaseId id) {
    Purchase out;
    repo_.Write(Viewer::System(), [&](PreorderStore& store) {
        auto found = store.FindPurchase(id);
        auto locked = found ? LockPurchase(store, found->item, id) : std::nullopt;
        if (!locked || (locked->purchase.buyer != member.user_id && !member.IsStaff())) {
            throw Error(ErrorCode::kNotFound, "purchase not found", "preorders.purchase_unknown",
                        {{"id", id.ToString()}});
        }
        const auto& item = locked->item;
        auto& p = locked->purchase;
        bool offered = p.status == PurchaseStatus::kPaid && item.status != ItemStatus::kReleased &&
                       item.status != ItemStatus::kCancelled && p.release_moves_seen < item.release_moves;
        if (!offered) {
            throw Error(ErrorCode::kConflict, "a cancellation is offered only after the release date moved",
                        "preorders.cancel_not_offered", {{"id", id.ToString()}, {"item", item.name}});
        }
        p.status = PurchaseStatus::kRefunding;
        p.refund_reason = RefundReason::kMemberCancelled;
        store.UpdatePurchase(p);
        out = p;
    });
    // One click refunds: asked now, and again by the refund sweep if the provider does not answer.
    if (RefundOne(repo_, checkout_, clock_, out)) {
        repo_.Read(Viewer::System(), [&](PreorderStore& store) { out = store.FindPurchase(id).value_or(out); });
    }
    return out;
}

// Readers.

std::vector<Purchase> PreorderService::Purchases(const Viewer& viewer, core::UserId buyer) {
    if (!viewer.IsStaff()) buyer = viewer.user_id;
    std::vector<Purchase> out;
    repo_.Read(viewer, [&](PreorderStore& store) { out = store.PurchasesOf(buyer, kPage); });
    return out;
}

std::vector<Purchase> PreorderService::Buyers(const Viewer& staff, ItemId id) {
    RequireStaff(staff, "see buyers");
    std::vector<Purchase> out;
    repo_.Read(staff, [&](PreorderStore& store) {
        LoadItem(store, id);
        out = AllPurchases(
            store, id,
            {PurchaseStatus::kPaid, PurchaseStatus::kFulfilled, PurchaseStatus::kRefunding, PurchaseStatus::kRefunded});
    });
    return out;
}

ItemStats PreorderService::Stats(const Viewer& staff, ItemId id) {
    RequireStaff(staff, "see pre-order statistics");
    ItemStats out;
    repo_.Read(staff, [&](PreorderStore& store) {
        out.view = ViewOf(store, LoadItem(store, id));
        std::map<std::pair<std::string, int>, DaySales> days;  // (day, tier position)
        std::map<long long, int> positions;
        for (const auto& t : out.view.tiers) positions[t.id.value] = t.position;
        for (const auto& sale : store.Sales(id)) {
            if (sale.status == PurchaseStatus::kRefunded) {
                out.refunded_minor += sale.price.minor;
                continue;
            }
            if (sale.status != PurchaseStatus::kPaid && sale.status != PurchaseStatus::kFulfilled) continue;
            auto day = zone_.LocalDate(sale.paid_at);
            auto& row = days[{day, positions[sale.tier.value]}];
            row.day = day;
            row.tier = sale.tier;
            row.seats += 1;
            row.revenue_minor += sale.price.minor;
            out.revenue_minor += sale.price.minor;
            out.buyers += 1;
        }
        for (auto& [key, row] : days) out.days.push_back(std::move(row));
    });
    return out;
}

std::vector<EarlyAdopter> PreorderService::EarlyAdopters(const Viewer& viewer, int limit) {
    RequireStaff(viewer, "see the early adopters");
    std::vector<EarlyAdopter> out;
    repo_.Read(viewer, [&](PreorderStore& store) { out = store.EarlyAdopters(std::clamp(limit, 1, 10000)); });
    return out;
}

// The provider's events.

EventOutcome PreorderService::OnCheckoutCompleted(const std::string& event_id, const std::string& session_id, bool paid,
                                                  const std::string& payment_intent, long long /*amount_minor*/) {
    auto type = paid ? "checkout.session.paid" : "checkout.session.completed";
    return core::ApplyEventOnce(repo_, Viewer::System(), event_id, type, [&](PreorderStore& store) {
        auto found = store.FindPurchaseBySession(session_id);
        // The session is stored just after the provider made it: an event that overtook it comes again.
        if (!found) return EventOutcome::kRetryLater;
        auto locked = LockPurchase(store, found->item, found->id);
        if (!locked) return EventOutcome::kIgnored;
        auto& item = locked->item;
        auto& p = locked->purchase;
        if (!payment_intent.empty() && p.payment_intent.empty()) p.payment_intent = payment_intent;
        if (!paid) {
            // An asynchronous method: its result comes later; the hold ends as any other meanwhile.
            store.UpdatePurchase(p);
            return EventOutcome::kIgnored;
        }
        if (p.status != PurchaseStatus::kHeld && p.status != PurchaseStatus::kReleased) {
            store.UpdatePurchase(p);
            return EventOutcome::kIgnored;  // paid already (the same payment under another event)
        }
        auto now = clock_.Now();
        auto tier = FindTier(store.Tiers(p.item), p.tier);
        p.release_moves_seen = item.release_moves;
        Announcer announcer{store, options_};
        Notice extra;
        extra.params["tier"] = tier.name;
        extra.times["release"] = item.release_at;
        if (p.status == PurchaseStatus::kHeld) {
            store.SellHeldSeat(p.tier);
            p.status = PurchaseStatus::kPaid;
            p.paid_at = now;
            store.UpdatePurchase(p);
            NotifyBuyer(store, p, item, "preorders.notify.paid", PurchaseKey(p, "paid"), std::move(extra));
            announcer.AfterSale(item, p.tier);
            return EventOutcome::kApplied;
        }
        // A late payment: its own tier's seat if one is open still and the member is within the item's limit (they
        // may have bought again after this hold ended), never another tier; refunded otherwise.
        p.late = true;
        bool selling = item.status == ItemStatus::kOpen || item.status == ItemStatus::kClosed;
        bool within_limit = false;
        if (selling) {
            store.LockBuyer(item.id, p.buyer);
            // This purchase is released: it does not count itself.
            within_limit = store.CountActivePurchases(item.id, p.buyer) < item.per_member_limit;
        }
        if (within_limit && store.TakeSoldSeat(p.tier)) {
            p.status = PurchaseStatus::kPaid;
            p.paid_at = now;  // a sale only when a seat is sold: a refunded late payment never was one
            store.UpdatePurchase(p);
            NotifyBuyer(store, p, item, "preorders.notify.late_honoured", PurchaseKey(p, "paid"), std::move(extra));
            announcer.AfterSale(item, p.tier);
            return EventOutcome::kApplied;
        }
        p.status = PurchaseStatus::kRefunding;
        p.refund_reason = RefundReason::kLatePayment;
        store.UpdatePurchase(p);
        NotifyBuyer(store, p, item, "preorders.notify.late_refunded", PurchaseKey(p, "late-refunded"),
                    std::move(extra));
        return EventOutcome::kApplied;
    });
}

EventOutcome PreorderService::OnCheckoutExpired(const std::string& event_id, const std::string& session_id) {
    return core::ApplyEventOnce(repo_, Viewer::System(), event_id, "checkout.session.expired",
                                [&](PreorderStore& store) {
                                    // Unknown: nothing of ours was held, nothing to retry.
                                    auto found = store.FindPurchaseBySession(session_id);
                                    if (!found) return EventOutcome::kIgnored;
                                    auto locked = LockPurchase(store, found->item, found->id);
                                    // Paid meanwhile, or released by the sweep: the newer state stays.
                                    if (!locked || locked->purchase.status != PurchaseStatus::kHeld) {
                                        return EventOutcome::kIgnored;
                                    }
                                    ReleaseHold(store, locked->purchase);
                                    return EventOutcome::kApplied;
                                });
}

EventOutcome PreorderService::OnRefunded(const std::string& event_id, const std::string& payment_intent,
                                         const std::string& refund_id, bool fully) {
    return core::ApplyEventOnce(repo_, Viewer::System(), event_id, "charge.refunded", [&](PreorderStore& store) {
        // Unknown: a payment never recorded as ours owns no seat, and would be retried for days for nothing.
        auto found = store.FindPurchaseByPaymentIntent(payment_intent);
        if (!found) return EventOutcome::kIgnored;
        if (!fully) return EventOutcome::kIgnored;  // a seat is refunded whole or not at all
        auto locked = LockPurchase(store, found->item, found->id);
        if (!locked) return EventOutcome::kIgnored;
        auto status = locked->purchase.status;
        if (status != PurchaseStatus::kPaid && status != PurchaseStatus::kFulfilled &&
            status != PurchaseStatus::kRefunding) {
            return EventOutcome::kIgnored;
        }
        MarkRefunded(store, locked->item, locked->purchase, refund_id, clock_.Now());
        return EventOutcome::kApplied;
    });
}

bool PreorderService::OwnsPayment(const std::string& payment_intent) {
    if (payment_intent.empty()) return false;
    bool owned = false;
    repo_.Read(Viewer::System(),
               [&](PreorderStore& store) { owned = store.FindPurchaseByPaymentIntent(payment_intent).has_value(); });
    return owned;
}

EventOutcome PreorderService::OnDisputed(const std::string& event_id, const std::string& payment_intent,
                                         const std::string& reason) {
    return core::ApplyEventOnce(repo_, Viewer::System(), event_id, "charge.dispute", [&](PreorderStore& store) {
        auto found = store.FindPurchaseByPaymentIntent(payment_intent);
        if (!found) return EventOutcome::kIgnored;
        auto locked = LockPurchase(store, found->item, found->id);
        if (!locked) return EventOutcome::kIgnored;
        const auto& p = locked->purchase;
        auto tiers = store.Tiers(p.item);
        auto n = Notice::ToStaff("preorders.notify.disputed",
                                 "preorders.purchase." + p.id.ToString() + ".disputed." + event_id);
        n.params["item"] = locked->item.name;
        n.params["tier"] = FindTier(tiers, p.tier).name;
        n.params["reason"] = reason;
        n.people["buyer"] = p.buyer;
        n.money["price"] = p.price;
        store.Notify(n);
        return EventOutcome::kApplied;
    });
}

// Sweeps. Candidates are listed first; each is then decided in its own transaction that holds its item and reads it
// again, so that one row that fails stays for the next run without holding the others back.

int PreorderService::ReleaseExpiredHolds() {
    int released = 0;
    for (;;) {
        std::vector<Purchase> ended;
        repo_.Read(Viewer::System(), [&](PreorderStore& store) {
            ended = store.HoldsEndedBy(clock_.Now() - options_.release_grace, kPage);
        });
        int done = 0;
        for (const auto& candidate : ended) {
            try {
                repo_.Write(Viewer::System(), [&](PreorderStore& store) {
                    auto locked = LockPurchase(store, candidate.item, candidate.id);
                    if (!locked || locked->purchase.status != PurchaseStatus::kHeld ||
                        locked->purchase.held_until > clock_.Now() - options_.release_grace) {
                        return;  // paid, expired or released meanwhile, or its hold was extended
                    }
                    ReleaseHold(store, locked->purchase);
                    ++done;
                });
            } catch (const std::exception&) {
                // This row stays held for the next run; the others go on.
            }
        }
        released += done;
        if (static_cast<int>(ended.size()) < kPage || done == 0) return released;
    }
}

int PreorderService::RefundDue() {
    std::vector<Purchase> due;
    repo_.Read(Viewer::System(), [&](PreorderStore& store) { due = store.RefundsDue(kPage); });
    int refunded = 0;
    for (const auto& p : due) {
        try {
            if (RefundOne(repo_, checkout_, clock_, p)) ++refunded;
        } catch (const std::exception&) {
            // Recording this one failed: it stays refunding (the next run asks again, same key); the others go on.
        }
    }
    return refunded;
}

int PreorderService::ReleaseDue() {
    std::vector<ItemId> due;
    repo_.Read(Viewer::System(), [&](PreorderStore& store) { due = store.DueForRelease(clock_.Now(), kPage); });
    int released = 0;
    for (auto id : due) {
        repo_.Write(Viewer::System(), [&](PreorderStore& store) {
            auto now = clock_.Now();
            auto item = LoadItem(store, id);
            bool selling = item.status == ItemStatus::kOpen || item.status == ItemStatus::kClosed;
            if (!selling || item.release_at > now) return;
            item.status = ItemStatus::kReleased;
            item.released_at = now;
            item.updated_at = now;
            store.UpdateItem(item);
            // The item is held (FindItem) and already released: its purchases are read after, as they are now.
            for (auto p : AllPurchases(store, id, {PurchaseStatus::kHeld, PurchaseStatus::kPaid})) {
                if (p.status == PurchaseStatus::kHeld) {
                    // Sales end with the release: a payment still to come is late (refunded).
                    ReleaseHold(store, p);
                    continue;
                }
                p.status = PurchaseStatus::kFulfilled;
                p.fulfilled_at = now;
                store.UpdatePurchase(p);
                Notice extra;
                extra.params["delivery"] = item.delivery;
                NotifyBuyer(store, p, item, "preorders.notify.released", PurchaseKey(p, "released"), std::move(extra));
            }
            Notice n;
            n.key = "preorders.announce.released";
            n.times["release"] = item.release_at;
            Announcer{store, options_}.Post(item, "released", std::move(n));
            ++released;
        });
    }
    return released;
}

int PreorderService::RemindDue() {
    if (options_.reminders.empty()) return 0;
    auto reminders = options_.reminders;
    std::sort(reminders.begin(), reminders.end(), std::greater<>());  // the farthest first
    std::vector<Item> items;
    repo_.Read(Viewer::System(),
               [&](PreorderStore& store) { items = store.ReleasingBefore(clock_.Now() + reminders.front(), kPage); });
    int posted = 0;
    for (const auto& listed : items) {
        repo_.Write(Viewer::System(), [&](PreorderStore& store) {
            auto now = clock_.Now();
            auto item = LoadItem(store, listed.id);
            bool selling = item.status == ItemStatus::kOpen || item.status == ItemStatus::kClosed;
            if (!selling || item.release_at <= now) return;
            // Of the reminders due now, only the nearest is said: the farther ones it overtook are marked.
            std::optional<std::string> nearest;
            auto release_ms = std::to_string(core::ToEpochMillis(item.release_at));
            for (auto before : reminders) {
                if (item.release_at - before > now) continue;
                auto minutes = std::chrono::duration_cast<std::chrono::minutes>(before).count();
                auto key = "remind-" + release_ms + "-" + std::to_string(minutes);
                if (store.MarkAnnounced(item.id, key)) nearest = key;
            }
            if (!nearest) return;
            auto n = Notice::ToStaff("preorders.announce.reminder", "preorders." + item.id.ToString() + "." + *nearest);
            n.channel = options_.channel;
            n.params["item"] = item.name;
            n.times["release"] = item.release_at;
            store.Notify(n);
            ++posted;
        });
    }
    return posted;
}

int PreorderService::PostSocialProof() {
    std::vector<Item> items;
    repo_.Read(Viewer::System(), [&](PreorderStore& store) { items = store.ListItems(ItemStatus::kOpen, kPage); });
    int posted = 0;
    for (const auto& listed : items) {
        repo_.Write(Viewer::System(), [&](PreorderStore& store) {
            auto item = LoadItem(store, listed.id);
            auto now = clock_.Now();  // once the item is held: a sale paid before it is in this post
            if (item.status != ItemStatus::kOpen) return;
            if (item.proof_posted_at && *item.proof_posted_at > now - options_.proof_every) return;
            // In paid order, not purchase order (a purchase made earlier may be paid later): each post summarises
            // the sales paid from the previous post's instant (the cursor, in ms) to just before its own. A payment
            // takes its paid_at after holding the item, which this post holds: one committed after this post is
            // paid at or after its instant, so it is the next post's, never lost nor counted twice.
            const auto until = core::ToEpochMillis(now);
            std::vector<Purchase> sales;
            for (auto& p : AllPurchases(store, item.id, {PurchaseStatus::kPaid})) {
                if (!p.paid_at) continue;
                auto paid = core::ToEpochMillis(*p.paid_at);
                if (paid >= item.proof_cursor && paid < until) sales.push_back(std::move(p));
            }
            if (sales.empty()) return;
            std::sort(sales.begin(), sales.end(), [](const Purchase& a, const Purchase& b) {
                return std::make_pair(*a.paid_at, a.id.value) < std::make_pair(*b.paid_at, b.id.value);
            });
            const auto& newest = sales.back();
            auto tier = FindTier(store.Tiers(item.id), newest.tier);
            auto left = SeatsUnsold(tier);
            std::string key;
            auto n = Notice::ToStaff("", "preorders." + item.id.ToString() + ".proof." + newest.id.ToString());
            n.channel = options_.channel;
            n.params = {{"item", item.name}, {"tier", tier.name}};
            if (left) n.params["left"] = std::to_string(*left);
            if (sales.size() == 1) {
                key = newest.named ? "preorders.proof.one" : "preorders.proof.one_anonymous";
                if (newest.named) n.people["buyer"] = newest.buyer;
            } else {
                key = "preorders.proof.many";
                n.params["count"] = std::to_string(sales.size());
                n.params["minutes"] =
                    std::to_string(std::chrono::duration_cast<std::chrono::minutes>(options_.proof_every).count());
            }
            // A tier without a limit says no figure: the _unlimited texts.
            n.key = left ? key : key + "_unlimited";
            store.Notify(n);
            item.proof_cursor = until;
            item.proof_posted_at = now;
            store.UpdateItem(item);
            ++posted;
        });
    }
    return posted;
}

}  // namespace maxis::preorders
