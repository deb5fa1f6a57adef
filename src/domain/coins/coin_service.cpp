#include "domain/coins/coin_service.hpp"

#include <algorithm>
#include <utility>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::coins {

using core::Error;
using core::ErrorCode;

namespace {

/// Thrown inside a transaction to roll it back when a later step refuses what an earlier one wrote.
struct Undo {};

core::UserId Nobody() { return core::UserId{0}; }

}  // namespace

void RequireAmount(std::int64_t amount) {
    if (amount < 1 || amount > kMaxAmount) {
        throw Error(ErrorCode::kInvalidArgument, "amount: must be a whole number of coins from 1 to 1000000000",
                    "coins.amount_invalid", {{"max", std::to_string(kMaxAmount)}});
    }
}

CoinService::CoinService(CoinRepository& repo, const core::Clock& clock, const core::TimeZone& zone,
                         CoinOptions options)
    : repo_(repo), clock_(clock), zone_(zone), options_(std::move(options)) {}

void CoinService::RequireReadable(const core::Viewer& viewer, core::UserId member) const {
    if (!viewer.IsStaff() && viewer.user_id != member) {
        throw Error(ErrorCode::kNotFound, "member not found", "coins.member_unknown");
    }
}

std::int64_t CoinService::Balance(const core::Viewer& viewer, core::UserId member) {
    RequireReadable(viewer, member);
    std::int64_t out = 0;
    repo_.Read(viewer, [&](CoinStore& store) { out = store.Balance(member); });
    return out;
}

HistoryPage CoinService::History(const core::Viewer& viewer, core::UserId member, long long before, int limit) {
    RequireReadable(viewer, member);
    limit = std::clamp(limit, 1, 100);
    HistoryPage page;
    repo_.Read(viewer, [&](CoinStore& store) {
        page.balance = store.Balance(member);
        page.entries = store.History(member, before, limit + 1);
    });
    if (static_cast<int>(page.entries.size()) > limit) {
        page.entries.resize(static_cast<std::size_t>(limit));
        page.next_before = page.entries.back().id;
    }
    return page;
}

std::optional<core::TimePoint> CoinService::WindowStart(Period period, core::TimePoint now) const {
    using namespace std::chrono;
    if (period == Period::kAll) return std::nullopt;
    auto today = floor<days>(zone_.ToLocal(now));
    if (period == Period::kWeek) {
        auto since_monday = weekday(sys_days(today.time_since_epoch())) - Monday;
        return zone_.FromLocal(core::LocalTime(today - since_monday));
    }
    year_month_day ymd{sys_days(today.time_since_epoch())};
    auto first = local_days((ymd.year() / ymd.month() / 1).operator sys_days().time_since_epoch());
    return zone_.FromLocal(core::LocalTime(first));
}

std::vector<LeaderRow> CoinService::Leaderboard(Period period) {
    auto since = WindowStart(period, clock_.Now());
    int size = 10;
    {
        std::lock_guard lock(mu_);
        size = options_.leaderboard_size;
    }
    std::vector<LeaderRow> out;
    // Totals are public inside the community; a member's own transaction sees only their rows, so Maxis reads them.
    repo_.Read(core::Viewer::System(), [&](CoinStore& store) { out = store.Leaders(since, size); });
    return out;
}

MoveResult CoinService::Apply(const core::Viewer& viewer, const Movement& movement) {
    return Apply(viewer, movement, nullptr);
}

MoveResult CoinService::Apply(const core::Viewer& viewer, const Movement& movement,
                              const std::function<void(CoinStore&, const LedgerEntry&)>& then) {
    RequireAmount(movement.amount);
    MoveResult result;
    repo_.Write(viewer, [&](CoinStore& store) {
        if (!store.Known(movement.user)) {
            throw Error(ErrorCode::kNotFound, "member not found", "coins.member_unknown");
        }
        result = store.Move(movement, clock_.Now());
        if (then && result.applied == Applied::kDone) then(store, result.entry);
    });
    return result;
}

Outcome CoinService::Credit(core::UserId member, std::int64_t amount, CoinReason reason, std::string ref) {
    // Staff gifts say who and why; refunds are the shop's, in the order's own transaction.
    if (!IsCredit(reason) || reason == CoinReason::kStaffGive || reason == CoinReason::kRefund) {
        throw Error(ErrorCode::kInvalidArgument, "reason: not a reason that earns coins", "coins.reason_invalid");
    }
    core::RequireStorableText(ref, "ref", core::TextLines::kSingle);
    auto r =
        Apply(core::Viewer::System(),
              Movement{.user = member, .amount = amount, .reason = reason, .ref = std::move(ref), .actor = Nobody()});
    return Outcome{.applied = r.applied == Applied::kDone, .entry = r.entry};
}

Outcome CoinService::Spend(core::UserId member, std::int64_t amount, CoinReason reason, std::string ref) {
    if (IsCredit(reason) || reason == CoinReason::kStaffTake) {
        throw Error(ErrorCode::kInvalidArgument, "reason: not a reason that spends coins", "coins.reason_invalid");
    }
    core::RequireStorableText(ref, "ref", core::TextLines::kSingle);
    auto r =
        Apply(core::Viewer::System(),
              Movement{.user = member, .amount = amount, .reason = reason, .ref = std::move(ref), .actor = Nobody()});
    if (r.applied == Applied::kShort) {
        throw Error(ErrorCode::kConflict, "not enough coins", "coins.insufficient",
                    {{"amount", std::to_string(amount)}});
    }
    return Outcome{.applied = r.applied == Applied::kDone, .entry = r.entry};
}

namespace {

std::string RequireWhy(const core::Viewer& staff, const std::string& why) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "reserved for staff", "coins.staff_only");
    auto trimmed = std::string(core::Trim(why));
    if (trimmed.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "reason: say why (it is kept in the ledger)", "coins.why_required");
    }
    core::RequireStorableText(trimmed, "reason", core::TextLines::kSingle);
    if (core::Utf8Length(trimmed) > 200) {
        throw Error(ErrorCode::kInvalidArgument, "reason: 200 characters at most", "coins.why_too_long");
    }
    return trimmed;
}

/// The member's notice of a staff movement: how many coins, why, by whom, and the balance after it.
void NotifyStaffMove(CoinStore& store, const LedgerEntry& entry, const std::string& key, core::TimePoint now) {
    auto notice = scheduling::Notice::ToMember(entry.user, key, "coins:ledger:" + std::to_string(entry.id) + ":notice");
    notice.params = {{"amount", std::to_string(entry.amount < 0 ? -entry.amount : entry.amount)},
                     {"reason", entry.note},
                     {"balance", std::to_string(entry.balance_after)}};
    notice.people = {{"staff", entry.actor}};
    store.Notify(notice, now);
}

}  // namespace

LedgerEntry CoinService::Give(const core::Viewer& staff, core::UserId member, std::int64_t amount,
                              const std::string& why) {
    auto note = RequireWhy(staff, why);
    auto r = Apply(staff,
                   Movement{.user = member,
                            .amount = amount,
                            .reason = CoinReason::kStaffGive,
                            .actor = staff.user_id,
                            .note = std::move(note)},
                   [this](CoinStore& store, const LedgerEntry& e) {
                       NotifyStaffMove(store, e, "coins.notify.given", clock_.Now());
                   });
    return r.entry;
}

LedgerEntry CoinService::Take(const core::Viewer& staff, core::UserId member, std::int64_t amount,
                              const std::string& why) {
    auto note = RequireWhy(staff, why);
    auto r = Apply(staff,
                   Movement{.user = member,
                            .amount = amount,
                            .reason = CoinReason::kStaffTake,
                            .actor = staff.user_id,
                            .note = std::move(note)},
                   [this](CoinStore& store, const LedgerEntry& e) {
                       NotifyStaffMove(store, e, "coins.notify.taken", clock_.Now());
                   });
    if (r.applied == Applied::kShort) {
        throw Error(ErrorCode::kConflict, "the member holds fewer coins than that", "coins.take_insufficient",
                    {{"amount", std::to_string(amount)}});
    }
    return r.entry;
}

DailyClaim CoinService::ClaimDaily(core::UserId member) {
    auto amount = daily_amount();
    if (amount <= 0) throw Error(ErrorCode::kForbidden, "the daily claim is off", "coins.daily_off");
    auto now = clock_.Now();
    auto day = zone_.LocalDate(now);
    auto tomorrow = std::chrono::floor<std::chrono::days>(zone_.ToLocal(now)) + std::chrono::days(1);
    auto next = zone_.FromLocal(core::LocalTime(tomorrow));
    auto r = Apply(core::Viewer::System(),
                   Movement{.user = member, .amount = amount, .reason = CoinReason::kDaily, .ref = day});
    return DailyClaim{.claimed = r.applied == Applied::kDone, .entry = r.entry, .next = next};
}

std::int64_t CoinService::OnMessage(core::UserId author, bool is_bot, const std::string& channel_id, std::size_t length,
                                    const std::string& message_id) {
    if (is_bot || message_id.empty()) return 0;
    auto rules = activity();
    if (rules.per_message <= 0 || rules.per_message > rules.daily_cap) return 0;
    if (length < static_cast<std::size_t>(std::max(rules.min_length, 0))) return 0;
    if (std::find(rules.excluded_channels.begin(), rules.excluded_channels.end(), channel_id) !=
        rules.excluded_channels.end()) {
        return 0;
    }
    auto now = clock_.Now();
    auto day = zone_.LocalDate(now);
    std::int64_t earned = 0;
    try {
        repo_.Write(core::Viewer::System(), [&](CoinStore& store) {
            if (!store.TryEarn(author, day, rules.per_message, rules.daily_cap, now, now - rules.cooldown)) return;
            auto r = store.Move(
                Movement{
                    .user = author, .amount = rules.per_message, .reason = CoinReason::kActivity, .ref = message_id},
                now);
            // The same message seen twice (a redelivery, the backfill): the counter goes back with the rollback.
            if (r.applied != Applied::kDone) throw Undo{};
            earned = rules.per_message;
        });
    } catch (const Undo&) {
        return 0;
    }
    return earned;
}

std::int64_t CoinService::EarnedToday(core::UserId member) {
    std::int64_t out = 0;
    auto day = zone_.LocalDate(clock_.Now());
    repo_.Read(core::Viewer{member, core::Role::kMember}, [&](CoinStore& store) { out = store.EarnedOn(member, day); });
    return out;
}

ActivityRules CoinService::activity() const {
    std::lock_guard lock(mu_);
    return options_.activity;
}

void CoinService::SetActivity(ActivityRules rules) {
    std::lock_guard lock(mu_);
    options_.activity = std::move(rules);
}

std::int64_t CoinService::daily_amount() const {
    std::lock_guard lock(mu_);
    return options_.daily_amount;
}

void CoinService::SetDailyAmount(std::int64_t amount) {
    std::lock_guard lock(mu_);
    options_.daily_amount = amount;
}

}  // namespace maxis::coins
