#include "domain/marketing/invite_service.hpp"

#include <exception>
#include <utility>

#include "core/errors.hpp"
#include "core/snowflake.hpp"
#include "core/strings.hpp"

namespace maxis::marketing {

using core::Error;
using core::ErrorCode;
using scheduling::Notice;

namespace {

constexpr int kSweepBatch = 500;
constexpr int kRecentJoins = 10;
constexpr int kInviteList = 200;
constexpr int kMaxBonus = 1000;
constexpr int kUpdateAttempts = 3;

const core::Viewer kSystem = core::Viewer::System();

void RequireStaff(const core::Viewer& viewer) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "reserved for staff", "marketing.staff_only");
}

/// Why a join does not count, or empty when it does. A bot first, then a self-invite, a young account, a rejoin.
std::string FakeReason(const JoinFacts& facts, core::UserId inviter, bool joined_before, core::Millis min_age) {
    if (facts.is_bot) return kFakeBot;
    if (inviter.value != 0 && inviter == facts.member) return kFakeSelf;
    if (min_age.count() > 0 && facts.at - core::AccountCreatedAt(facts.member) < min_age) return kFakeYoungAccount;
    if (joined_before) return kFakeRejoin;
    return {};
}

}  // namespace

void InviteService::SaveInvite(const Invite& invite) {
    repo_.Write(kSystem, [&](MarketingStore& store) { store.SaveInvite(invite); });
}

void InviteService::DeleteInvite(const std::string& code) {
    repo_.Write(kSystem, [&](MarketingStore& store) {
        auto invite = store.FindInvite(code);
        if (!invite || invite->deleted) return;
        invite->deleted = true;
        store.SaveInvite(*invite);
    });
}

InviteJoin InviteService::OnJoin(const JoinFacts& facts) {
    JoinFacts f = facts;
    if (f.at == core::TimePoint{}) f.at = clock_.Now();
    InviteJoin join;
    join.member = f.member;
    join.source = f.source;
    join.code = f.code;
    join.joined_at = f.at;
    join.validate_at = f.at + options_.validate_after;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        // A referral link is an invite Maxis made for a marketer: its joins are the code owner's.
        std::optional<ReferralCode> referral;
        if (f.source == JoinSource::kInvite) {
            join.inviter = f.inviter;
            if (!f.code.empty()) referral = store.CodeByInvite(f.code);
            // An inactive code's link (its owner lost the role) counts for nobody: not for the bot that made it.
            if (referral) join.inviter = referral->active ? referral->user : core::UserId{0};
        }
        bool joined_before = !store.JoinsOf(f.member).empty();
        join.fake_reason = FakeReason(f, join.inviter, joined_before, options_.min_account_age);
        join.status = join.fake_reason.empty() ? JoinStatus::kPending : JoinStatus::kFake;
        join.id = store.InsertJoin(join);
        if (join.status != JoinStatus::kPending || join.inviter.value == 0) return;
        if (store.LiveAttribution(f.member, f.at)) return;  // the first live attribution wins
        store.InsertAttribution(Attribution{.member = f.member,
                                            .referrer = join.inviter,
                                            .source = AttributionSource::kInvite,
                                            .code = f.code,
                                            .join = join.id,
                                            .starts_at = f.at,
                                            .ends_at = f.at + options_.attribution_window});
    });
    return join;
}

void InviteService::OnLeave(core::UserId member, core::TimePoint at) {
    if (at == core::TimePoint{}) at = clock_.Now();
    repo_.Write(kSystem, [&](MarketingStore& store) {
        // The newest join still in the server is the stay that ends (JoinsOf is newest first).
        // The status is written only if it is still the one read (the sweep may validate the join meanwhile): the
        // row is read again and the decision made again when it changed.
        for (int attempt = 0; attempt < kUpdateAttempts; ++attempt) {
            for (auto join : store.JoinsOf(member)) {
                if (join.left_at) continue;
                auto read = join.status;
                join.left_at = at;
                if (join.status == JoinStatus::kPending) join.status = JoinStatus::kLeftEarly;
                if (store.UpdateJoinIf(join, read)) return;
                break;
            }
        }
    });
}

int InviteService::ValidateDue() {
    auto now = clock_.Now();
    std::vector<InviteJoin> validated;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        for (auto join : store.ValidationsDue(now, kSweepBatch)) {
            join.status = JoinStatus::kValidated;
            join.validated_at = now;
            // Only a join still pending: a leave written meanwhile stands (left_early).
            if (!store.UpdateJoinIf(join, JoinStatus::kPending)) continue;
            validated.push_back(join);
            if (join.inviter.value == 0) continue;
            auto n = Notice::ToMember(join.inviter, "marketing.notify.invite_validated",
                                      "marketing.join." + join.id.ToString() + ".validated");
            n.people["member"] = join.member;
            n.params["days"] =
                std::to_string(std::chrono::duration_cast<std::chrono::hours>(options_.validate_after).count() / 24);
            n.params["validated"] = std::to_string(store.Counts(join.inviter, std::nullopt).validated);
            store.Notify(n);
        }
    });
    // The rewards' hook runs after the commit; one failure neither undoes the validations nor stops the others'.
    std::exception_ptr failure;
    for (const auto& join : validated) {
        if (!rewards_ || join.inviter.value == 0) continue;
        try {
            rewards_->OnValidated(join.inviter, join.member);
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
    return static_cast<int>(validated.size());
}

InviteSummary InviteService::Summary(const core::Viewer& viewer, core::UserId inviter) {
    InviteSummary summary;
    // Counters are public inside the community; the people invited are shown to the inviter and to staff only.
    repo_.Read(kSystem, [&](MarketingStore& store) {
        summary.counts = store.Counts(inviter, std::nullopt);
        if (viewer.IsStaff() || viewer.user_id == inviter) summary.recent = store.JoinsInvitedBy(inviter, kRecentJoins);
    });
    return summary;
}

std::vector<InviteRank> InviteService::Leaderboard(Window window) {
    std::optional<core::TimePoint> since;
    if (window == Window::kWeek) since = clock_.Now() - std::chrono::hours(24 * 7);
    if (window == Window::kMonth) since = clock_.Now() - std::chrono::hours(24 * 30);
    std::vector<InviteRank> out;
    repo_.Read(kSystem, [&](MarketingStore& store) { out = store.Leaderboard(since, options_.leaderboard_size); });
    return out;
}

std::vector<Invite> InviteService::Invites(const core::Viewer& staff) {
    RequireStaff(staff);
    std::vector<Invite> out;
    repo_.Read(staff, [&](MarketingStore& store) { out = store.ListInvites(kInviteList); });
    return out;
}

InviteCounts InviteService::AddBonus(const core::Viewer& staff, core::UserId inviter, int amount,
                                     const std::string& reason) {
    RequireStaff(staff);
    auto why = std::string(core::Trim(reason));
    if (why.empty()) throw Error(ErrorCode::kInvalidArgument, "a reason is required", "invites.reason_required");
    core::RequireStorableText(why, "reason", core::TextLines::kSingle);
    if (amount == 0 || amount > kMaxBonus || amount < -kMaxBonus) {
        throw Error(ErrorCode::kInvalidArgument, "a bonus is from 1 to 1000 invites, added or removed",
                    "invites.bonus_range", {{"max", std::to_string(kMaxBonus)}});
    }
    if (inviter.value == 0) throw Error(ErrorCode::kInvalidArgument, "no member named", "marketing.no_member");
    InviteCounts counts;
    repo_.Write(staff, [&](MarketingStore& store) {
        store.InsertBonus(
            InviteBonus{.inviter = inviter, .amount = amount, .reason = why, .by = staff.user_id, .at = clock_.Now()});
        counts = store.Counts(inviter, std::nullopt);
    });
    return counts;
}

}  // namespace maxis::marketing
