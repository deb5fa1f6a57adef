#include "domain/marketing/marketing_service.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

#include "core/errors.hpp"
#include "support/error_key.hpp"
#include "support/fake_clock.hpp"
#include "support/memory_marketing_store.hpp"

namespace maxis::marketing {
namespace {

using core::Role;
using core::UserId;
using core::Viewer;
using testing::KeyOf;
using namespace std::chrono_literals;

/// Perks that record what they were asked; a role item's payload is "+<discord role>:<user>" or "-...". Like plans,
/// a plan grant is given once per reference (the same reference again returns the first grant).
class RecordedPerks final : public MarketingPerks {
public:
    struct Granted {
        long long member = 0;
        std::string plan;
        core::TimePoint until{};
        std::string ref;
        long long id = 0;
    };

    scheduling::NewOutboxItem RoleChange(UserId member, const std::string& discord_role, bool add, const std::string&,
                                         std::string key) override {
        return {"discord.role", (add ? "+" : "-") + discord_role + ":" + member.ToString(), std::move(key)};
    }
    long long GrantPlan(UserId member, const std::string& plan, core::TimePoint until,
                        const std::string& ref) override {
        asked.push_back(ref);
        if (fail_grant > 0) {
            --fail_grant;
            throw core::Error(core::ErrorCode::kUnavailable, "plans are down");
        }
        for (const auto& g : granted) {
            if (g.ref == ref) return g.id;
        }
        if (while_granting) std::exchange(while_granting, nullptr)();
        granted.push_back({member.value, plan, until, ref, next_grant});
        return next_grant++;
    }
    void EndPlan(UserId member, long long grant, const std::string&) override {
        ended.emplace_back(member.value, grant);
    }

    std::vector<Granted> granted;
    std::vector<std::pair<long long, long long>> ended;  // (member, grant)
    std::function<void()> while_granting;                // runs once, before the next grant is recorded
    int fail_grant = 0;                                  // the next calls that throw
    std::vector<std::string> asked;                      // every call's reference, failed ones included
    long long next_grant = 500;
};

class RecordedReferrals final : public ReferralProvider {
public:
    [[nodiscard]] bool promotions_configured() const override { return true; }
    std::string CreatePromotionCode(UserId, const std::string& code) override { return "promo_" + code; }
    void DeactivatePromotionCode(const std::string& id) override { deactivated.push_back(id); }
    std::string CreateInviteLink(UserId) override { return {}; }
    std::vector<std::string> deactivated;
};

std::vector<RoleConfig> Roles() {
    auto roles = DefaultRoles();
    for (auto& r : roles) r.discord_role = "dr-" + std::string(ToString(r.kind));
    return roles;
}

const Viewer kStaff{UserId{9}, Role::kStaff};
const Viewer kSystem = Viewer::System();
Viewer Member(long long id) { return Viewer{UserId{id}, Role::kMember}; }

class MarketingServiceTest : public ::testing::Test {
protected:
    MarketingServiceTest()
        : service(repo, perks, &referrals, clock, Roles(),
                  MarketingOptions{.help_channels = {"help-1", "help-2"},
                                   .help_min_length = 40,
                                   .help_cooldown = 2min,
                                   .plan_term = 30 * 24h}) {}

    /// `n` joins through the inviter's invites with this status (as the invite service records them).
    void Joins(long long inviter, int n, JoinStatus status) {
        repo.Write(kSystem, [&](MarketingStore& store) {
            for (int i = 0; i < n; ++i) {
                store.InsertJoin(InviteJoin{.member = UserId{inviter * 1000 + next_invitee++},
                                            .inviter = UserId{inviter},
                                            .source = JoinSource::kInvite,
                                            .code = "inv" + std::to_string(inviter),
                                            .status = status,
                                            .joined_at = clock.Now() - 10 * 24h,
                                            .validate_at = clock.Now() - 3 * 24h});
            }
        });
    }
    /// A help message in a help channel, replying to member 77, long enough, after the cooldown.
    bool Help(long long author, const std::string& message_id) {
        clock.Advance(3min);
        return service.OnHelpMessage(UserId{author}, "help-1", message_id, UserId{77}, false, 60, clock.Now());
    }
    std::vector<std::string> Outbox() {
        return repo.Inspect([](auto& s) {
            std::vector<std::string> out;
            for (const auto& o : s.outbox) out.push_back(o.payload);
            return out;
        });
    }
    std::vector<std::string> NoticeKeys() {
        return repo.Inspect([](auto& s) {
            std::vector<std::string> out;
            for (const auto& n : s.notices) out.push_back(n.key);
            return out;
        });
    }
    std::optional<MemberRole> RoleRow(long long user, RoleKind role) {
        return repo.Inspect([&](auto& s) -> std::optional<MemberRole> {
            auto it = s.member_roles.find({user, role});
            if (it == s.member_roles.end()) return std::nullopt;
            return it->second;
        });
    }
    /// What the rows look like, to show a refused call changed nothing.
    std::string Snapshot() {
        return repo.Inspect([](auto& s) {
            return std::to_string(s.applications.size()) + "/" + std::to_string(s.member_roles.size()) + "/" +
                   std::to_string(s.activity.size()) + "/" + std::to_string(s.notices.size()) + "/" +
                   std::to_string(s.outbox.size()) + "/" + std::to_string(s.codes.size());
        });
    }

    testing::FakeClock clock;
    testing::MemoryMarketingRepository repo;
    RecordedPerks perks;
    RecordedReferrals referrals;
    MarketingService service;
    int next_invitee = 1;
};

const Requirement* Find(const RoleStatus& status, const std::string& key) {
    for (const auto& r : status.requirements) {
        if (r.key == key) return &r;
    }
    return nullptr;
}

RoleStatus StatusOf(MarketingService& service, long long member, RoleKind role) {
    for (auto& s : service.Status(Member(member))) {
        if (s.role.kind == role) return s;
    }
    throw std::logic_error("role not in the status");
}

TEST_F(MarketingServiceTest, AllSevenRolesCanBeAppliedForCheckedAndApproved) {
    // Each applicant meets their role's conditions: the measured ones, then the form.
    Joins(1, 10, JoinStatus::kValidated);
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(Help(4, "m" + std::to_string(i)));
    for (const char* e : {"Quiz night", "Tournoi", "Soirée ciné"}) service.MarkEvent(kStaff, UserId{5}, e);

    std::map<RoleKind, std::pair<long long, ApplicationForm>> applicants{
        {RoleKind::kAmbassador, {1, {}}},
        {RoleKind::kInfluencer, {2, {.followers = 1500, .links = "https://twitch.tv/alice"}}},
        {RoleKind::kCreator, {3, {.portfolio = "https://alice.art/portfolio"}}},
        {RoleKind::kHelper, {4, {}}},
        {RoleKind::kEventHost, {5, {}}},
        {RoleKind::kBetaTester, {6, {.message = "I test every release on Linux and Android."}}},
        {RoleKind::kPartner, {7, {.message = "We run a 20k French gaming community."}}},
    };
    ASSERT_EQ(applicants.size(), AllRoles().size());
    for (const auto& [role, applicant] : applicants) {
        auto status = StatusOf(service, applicant.first, role);
        EXPECT_TRUE(status.eligible()) << ToString(role);
        auto a = service.Apply(Member(applicant.first), role, applicant.second);
        EXPECT_EQ(a.status, ApplicationStatus::kPending);
        EXPECT_EQ(a.user, UserId{applicant.first});
        auto pending = StatusOf(service, applicant.first, role).pending;
        ASSERT_TRUE(pending) << ToString(role);
        EXPECT_EQ(pending->id, a.id);
    }
    // Staff were told of each application, in the role's own words, with the applicant.
    auto notices = repo.Inspect([](auto& s) { return s.notices; });
    ASSERT_EQ(notices.size(), 7u);
    for (const auto& n : notices) {
        EXPECT_EQ(n.audience, scheduling::Notice::Audience::kStaff);
        EXPECT_TRUE(n.key.starts_with("marketing.notify.application_received.")) << n.key;
        EXPECT_TRUE(n.people.contains("member"));
    }
    EXPECT_EQ(notices[1].params.at("followers"), "1500");
    EXPECT_EQ(service.Applications(kStaff, ApplicationStatus::kPending).size(), 7u);

    for (const auto& [role, applicant] : applicants) {
        auto held = service.Approve(kStaff, UserId{applicant.first}, role);
        EXPECT_TRUE(held.active());
        EXPECT_EQ(held.granted_by, kStaff.user_id);
        EXPECT_TRUE(StatusOf(service, applicant.first, role).holds);
        EXPECT_FALSE(StatusOf(service, applicant.first, role).pending);
    }
    EXPECT_EQ(service.Holders(kStaff, std::nullopt).size(), 7u);
    EXPECT_EQ(service.Holders(kStaff, RoleKind::kHelper).size(), 1u);
    EXPECT_EQ(service.Applications(kStaff, ApplicationStatus::kApproved).size(), 7u);
    EXPECT_TRUE(service.Applications(kStaff, ApplicationStatus::kPending).empty());
    // Each Discord role given once, through the outbox; each member told.
    auto outbox = Outbox();
    ASSERT_EQ(outbox.size(), 7u);
    EXPECT_EQ(outbox[0], "+dr-ambassador:1");
    EXPECT_EQ(outbox[6], "+dr-partner:7");
    auto keys = NoticeKeys();
    EXPECT_EQ(keys.size(), 14u);
    EXPECT_EQ(keys[7], "marketing.notify.role_approved.ambassador");
    EXPECT_EQ(keys[13], "marketing.notify.role_approved.partner");
    // Only the beta tester got a plan.
    ASSERT_EQ(perks.granted.size(), 1u);
    EXPECT_EQ(perks.granted[0].member, 6);
    EXPECT_EQ(perks.granted[0].plan, "pro");
}

TEST_F(MarketingServiceTest, AnAmbassadorReachingTenValidatedInvitesBecomesEligibleAndApprovalGivesTheRoleOnce) {
    // Nine validated; pending, cancelled and fake joins do not count.
    Joins(1, 9, JoinStatus::kValidated);
    Joins(1, 4, JoinStatus::kPending);
    Joins(1, 2, JoinStatus::kLeftEarly);
    Joins(1, 3, JoinStatus::kFake);
    auto status = StatusOf(service, 1, RoleKind::kAmbassador);
    ASSERT_NE(Find(status, "invites"), nullptr);
    EXPECT_EQ(Find(status, "invites")->have, 9);
    EXPECT_EQ(Find(status, "invites")->need, 10);
    EXPECT_FALSE(status.eligible());

    auto before = Snapshot();
    try {
        service.Apply(Member(1), RoleKind::kAmbassador, {});
        FAIL() << "nine validated invites were accepted";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.key(), "marketing.not_eligible_invites");  // the condition not met, named
        EXPECT_EQ(e.params().at("requirement"), "invites");
        EXPECT_EQ(e.params().at("have"), "9");
        EXPECT_EQ(e.params().at("need"), "10");
    }
    EXPECT_EQ(Snapshot(), before);

    Joins(1, 1, JoinStatus::kValidated);
    status = StatusOf(service, 1, RoleKind::kAmbassador);
    EXPECT_EQ(Find(status, "invites")->have, 10);
    EXPECT_TRUE(status.eligible());
    service.Apply(Member(1), RoleKind::kAmbassador, {});
    service.Approve(kStaff, UserId{1}, RoleKind::kAmbassador);
    EXPECT_EQ(Outbox(), std::vector<std::string>{"+dr-ambassador:1"});
    auto item = repo.Inspect([](auto& s) { return s.outbox.at(0); });
    EXPECT_TRUE(item.idempotency_key.starts_with("marketing:ambassador:1:grant:")) << item.idempotency_key;

    // Approving again finds no application: the role is not given twice.
    EXPECT_EQ(KeyOf([&] { service.Approve(kStaff, UserId{1}, RoleKind::kAmbassador); }), "marketing.no_application");
    EXPECT_EQ(Outbox().size(), 1u);
    // And a holder cannot apply again.
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(1), RoleKind::kAmbassador, {}); }), "marketing.already_holds");
}

TEST_F(MarketingServiceTest, BadInputGetsAClearKeyAndChangesNothing) {
    Joins(1, 10, JoinStatus::kValidated);
    service.Apply(Member(1), RoleKind::kAmbassador, {});
    auto before = Snapshot();
    auto writes = repo.writes;

    // Approving someone who has not applied (for this role, or at all).
    EXPECT_EQ(KeyOf([&] { service.Approve(kStaff, UserId{2}, RoleKind::kAmbassador); }), "marketing.no_application");
    EXPECT_EQ(KeyOf([&] { service.Approve(kStaff, UserId{1}, RoleKind::kPartner); }), "marketing.no_application");
    EXPECT_EQ(KeyOf([&] { service.Reject(kStaff, UserId{2}, RoleKind::kAmbassador, "no"); }),
              "marketing.no_application");
    // Applying twice.
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(1), RoleKind::kAmbassador, {}); }), "marketing.already_applied");
    // The form each role needs.
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kInfluencer, {.links = "https://x.com/a"}); }),
              "marketing.followers_required");
    EXPECT_EQ(
        KeyOf([&] { service.Apply(Member(2), RoleKind::kInfluencer, {.followers = -5, .links = "https://x.com/a"}); }),
        "marketing.followers_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kInfluencer, {.followers = 5000, .links = "  "}); }),
              "marketing.links_required");
    EXPECT_EQ(
        KeyOf([&] { service.Apply(Member(2), RoleKind::kInfluencer, {.followers = 999, .links = "https://x.com/a"}); }),
        "marketing.not_eligible_followers");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kCreator, {}); }), "marketing.portfolio_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kCreator, {.portfolio = "http://alice.art"}); }),
              "marketing.portfolio_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kCreator, {.portfolio = "https://alice.art/a b"}); }),
              "marketing.portfolio_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kPartner, {.message = " \n "}); }),
              "marketing.message_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kBetaTester, {}); }), "marketing.message_required");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kPartner, {.message = "hi\x1b[31m"}); }),
              "text.control.message");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kPartner, {.message = std::string(1001, 'a')}); }),
              "marketing.too_long");
    // Conditions measured: no help messages, no events.
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kHelper, {}); }), "marketing.not_eligible_help_messages");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(2), RoleKind::kEventHost, {}); }), "marketing.not_eligible_events");
    // Staff's decisions need a reason; a role not held cannot be revoked; members cannot decide.
    EXPECT_EQ(KeyOf([&] { service.Reject(kStaff, UserId{1}, RoleKind::kAmbassador, "  "); }),
              "marketing.reason_required");
    EXPECT_EQ(KeyOf([&] { service.Revoke(kStaff, UserId{1}, RoleKind::kAmbassador, "spam"); }), "marketing.not_holder");
    EXPECT_EQ(KeyOf([&] { service.Approve(Member(1), UserId{1}, RoleKind::kAmbassador); }), "marketing.staff_only");
    EXPECT_EQ(KeyOf([&] { service.Reject(Member(3), UserId{1}, RoleKind::kAmbassador, "no"); }),
              "marketing.staff_only");
    EXPECT_EQ(KeyOf([&] { (void)service.Applications(Member(1), std::nullopt); }), "marketing.staff_only");
    EXPECT_EQ(KeyOf([&] { service.MarkEvent(Member(1), UserId{1}, "Quiz"); }), "marketing.staff_only");
    EXPECT_EQ(Snapshot(), before);
    EXPECT_EQ(repo.writes, writes);
}

TEST_F(MarketingServiceTest, ARoleTurnedOffInTheConfigIsUnknown) {
    auto roles = Roles();
    roles[2].enabled = false;  // creator
    MarketingService off(repo, perks, &referrals, clock, roles, service.options());
    EXPECT_EQ(KeyOf([&] { (void)off.Role(RoleKind::kCreator); }), "marketing.unknown_role");
    EXPECT_EQ(KeyOf([&] { off.Apply(Member(2), RoleKind::kCreator, {.portfolio = "https://a.art"}); }),
              "marketing.unknown_role");
    EXPECT_EQ(off.Status(Member(2)).size(), 6u);
    EXPECT_EQ(Snapshot(), "0/0/0/0/0/0");
    // The mirror keeps every configured role, with its switch, for the panel.
    off.MirrorRoles();
    auto mirrored = repo.Inspect([](auto& s) { return s.role_configs; });
    ASSERT_EQ(mirrored.size(), 7u);
    EXPECT_FALSE(mirrored.at(RoleKind::kCreator).enabled);
    EXPECT_EQ(mirrored.at(RoleKind::kAmbassador).discord_role, "dr-ambassador");
}

TEST_F(MarketingServiceTest, ARejectionTellsTheReasonAndTheMemberMayApplyAgain) {
    service.Apply(Member(3), RoleKind::kCreator, {.portfolio = "https://alice.art"});
    auto rejected = service.Reject(kStaff, UserId{3}, RoleKind::kCreator, "  Portfolio trop léger pour l'instant ");
    EXPECT_EQ(rejected.status, ApplicationStatus::kRejected);
    EXPECT_EQ(rejected.reason, "Portfolio trop léger pour l'instant");
    EXPECT_EQ(rejected.decided_by, kStaff.user_id);
    auto told = repo.Inspect([](auto& s) { return s.notices.back(); });
    EXPECT_EQ(told.key, "marketing.notify.role_rejected.creator");
    EXPECT_EQ(told.recipient, UserId{3});
    EXPECT_EQ(told.params.at("reason"), "Portfolio trop léger pour l'instant");
    EXPECT_TRUE(Outbox().empty());
    EXPECT_FALSE(StatusOf(service, 3, RoleKind::kCreator).holds);
    // Not pending any more: another application is welcome, and the rejected one stays in the history.
    service.Apply(Member(3), RoleKind::kCreator, {.portfolio = "https://alice.art/v2"});
    EXPECT_EQ(service.Applications(kStaff, ApplicationStatus::kRejected).size(), 1u);
    EXPECT_EQ(service.Applications(kStaff, ApplicationStatus::kPending).size(), 1u);
}

TEST_F(MarketingServiceTest, ARevocationTakesTheRoleBackAndTheReferralCodeWhenNoCommissionRoleRemains) {
    Joins(1, 10, JoinStatus::kValidated);
    service.Apply(Member(1), RoleKind::kAmbassador, {});
    service.Approve(kStaff, UserId{1}, RoleKind::kAmbassador);
    service.Apply(Member(1), RoleKind::kPartner, {.message = "Our community"});
    service.Approve(kStaff, UserId{1}, RoleKind::kPartner);
    repo.Write(kSystem, [&](MarketingStore& store) {
        store.SaveCode(ReferralCode{.user = UserId{1}, .code = "ALICE", .promotion_code_id = "promo_1"});
    });

    // A partner still earns commissions: the code stays.
    auto revoked = service.Revoke(kStaff, UserId{1}, RoleKind::kAmbassador, "Invitations achetées");
    EXPECT_FALSE(revoked.active());
    EXPECT_EQ(revoked.revoke_reason, "Invitations achetées");
    EXPECT_EQ(revoked.revoked_by, kStaff.user_id);
    EXPECT_FALSE(StatusOf(service, 1, RoleKind::kAmbassador).holds);
    EXPECT_TRUE(repo.Inspect([](auto& s) { return s.codes.at(1).active; }));
    EXPECT_TRUE(referrals.deactivated.empty());
    auto told = repo.Inspect([](auto& s) { return s.notices.back(); });
    EXPECT_EQ(told.key, "marketing.notify.role_revoked.ambassador");
    EXPECT_EQ(told.params.at("reason"), "Invitations achetées");
    EXPECT_EQ(KeyOf([&] { service.Revoke(kStaff, UserId{1}, RoleKind::kAmbassador, "again"); }),
              "marketing.not_holder");

    // The last commission role: the code goes inactive and its promotion code is deactivated.
    clock.Advance(1min);
    service.Revoke(kStaff, UserId{1}, RoleKind::kPartner, "Fin du partenariat");
    EXPECT_FALSE(repo.Inspect([](auto& s) { return s.codes.at(1).active; }));
    EXPECT_EQ(referrals.deactivated, std::vector<std::string>{"promo_1"});
    EXPECT_EQ(Outbox(),
              (std::vector<std::string>{"+dr-ambassador:1", "+dr-partner:1", "-dr-ambassador:1", "-dr-partner:1"}));
    EXPECT_TRUE(service.Holders(kStaff, std::nullopt).empty());

    // Approved again after a new application: the same row comes back to life, the Discord role given again.
    clock.Advance(1min);
    service.Apply(Member(1), RoleKind::kAmbassador, {});
    auto again = service.Approve(kStaff, UserId{1}, RoleKind::kAmbassador);
    EXPECT_TRUE(again.active());
    EXPECT_TRUE(again.revoke_reason.empty());
    EXPECT_EQ(Outbox().size(), 5u);
    EXPECT_EQ(Outbox().back(), "+dr-ambassador:1");
}

TEST_F(MarketingServiceTest, HelpMessagesCountOnlyRepliesToAnotherMemberLongEnoughAndSpacedOut) {
    auto at = [&] { return clock.Now(); };
    auto count = [&] {
        return repo.Inspect([](auto& s) {
            long long n = 0;
            for (const auto& [id, a] : s.activity)
                if (a.user == UserId{4} && a.kind == ActivityKind::kHelpMessage) n += a.amount;
            return n;
        });
    };
    clock.Advance(1h);
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "general", "1", UserId{77}, false, 60, at()));  // not a help channel
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "2", UserId{0}, false, 60, at()));    // not a reply
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "3", UserId{4}, false, 60, at()));    // to themselves
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "4", UserId{88}, true, 60, at()));    // to a bot
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "5", UserId{77}, false, 39, at()));   // too short
    EXPECT_EQ(count(), 0);
    EXPECT_TRUE(service.OnHelpMessage(UserId{4}, "help-2", "6", UserId{77}, false, 40, at()));
    EXPECT_EQ(count(), 1);
    // Within the cooldown: not counted; the same message again (redelivered) never counts twice.
    clock.Advance(119s);
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "7", UserId{77}, false, 300, at()));
    clock.Advance(1s);
    EXPECT_FALSE(service.OnHelpMessage(UserId{4}, "help-1", "6", UserId{77}, false, 40, at()));
    EXPECT_TRUE(service.OnHelpMessage(UserId{4}, "help-1", "8", UserId{77}, false, 40, at()));
    EXPECT_EQ(count(), 2);
    // Another member's cooldown is their own.
    EXPECT_TRUE(service.OnHelpMessage(UserId{5}, "help-1", "9", UserId{4}, false, 40, at()));
    EXPECT_EQ(count(), 2);

    // Staff discount abuse: never more than what was counted; a reason is kept.
    EXPECT_EQ(KeyOf([&] { service.DiscountHelp(kStaff, UserId{4}, 3, "copier-coller"); }),
              "marketing.discount_exceeds");
    EXPECT_EQ(KeyOf([&] { service.DiscountHelp(kStaff, UserId{4}, 0, "copier-coller"); }), "marketing.discount_amount");
    EXPECT_EQ(KeyOf([&] { service.DiscountHelp(kStaff, UserId{4}, 1, ""); }), "marketing.reason_required");
    EXPECT_EQ(KeyOf([&] { service.DiscountHelp(Member(5), UserId{4}, 1, "x"); }), "marketing.staff_only");
    EXPECT_EQ(count(), 2);
    auto discount = service.DiscountHelp(kStaff, UserId{4}, 1, "copier-coller");
    EXPECT_EQ(discount.amount, -1);
    EXPECT_EQ(discount.note, "copier-coller");
    EXPECT_EQ(count(), 1);
    // A discount is not a counted message: the cooldown still runs from the last counted one.
    clock.Advance(2min);
    EXPECT_TRUE(service.OnHelpMessage(UserId{4}, "help-1", "10", UserId{77}, false, 40, at()));
    auto helper = StatusOf(service, 4, RoleKind::kHelper);
    EXPECT_EQ(Find(helper, "help_messages")->have, 2);
    EXPECT_EQ(Find(helper, "help_messages")->need, 100);
}

TEST_F(MarketingServiceTest, EventsStaffMarkCountOnceEachAndMakeAnEventHostEligible) {
    service.MarkEvent(kStaff, UserId{5}, "Soirée quiz");
    EXPECT_EQ(KeyOf([&] { service.MarkEvent(kStaff, UserId{5}, "  soiree QUIZ "); }), "marketing.event_duplicate");
    EXPECT_EQ(KeyOf([&] { service.MarkEvent(kStaff, UserId{5}, " "); }), "marketing.event_name_required");
    service.MarkEvent(kStaff, UserId{6}, "Soirée quiz");  // another host's event of the same name
    service.MarkEvent(kStaff, UserId{5}, "Tournoi");
    EXPECT_EQ(KeyOf([&] { service.Apply(Member(5), RoleKind::kEventHost, {}); }), "marketing.not_eligible_events");
    EXPECT_EQ(Find(StatusOf(service, 5, RoleKind::kEventHost), "events")->have, 2);
    auto third = service.MarkEvent(kStaff, UserId{5}, "Tournoi de printemps");
    EXPECT_EQ(third.note, "Tournoi de printemps");
    EXPECT_EQ(third.by, kStaff.user_id);
    EXPECT_TRUE(StatusOf(service, 5, RoleKind::kEventHost).eligible());
    service.Apply(Member(5), RoleKind::kEventHost, {});
    EXPECT_TRUE(service.Approve(kStaff, UserId{5}, RoleKind::kEventHost).active());
}

TEST_F(MarketingServiceTest, ABetaTesterGetsThePlanAndItIsRenewedWhileTheRoleLasts) {
    auto start = clock.Now();
    service.Apply(Member(6), RoleKind::kBetaTester, {.message = "Tester"});
    auto held = service.Approve(kStaff, UserId{6}, RoleKind::kBetaTester);
    ASSERT_EQ(perks.granted.size(), 1u);
    EXPECT_EQ(perks.granted[0].until, start + 30 * 24h);
    EXPECT_EQ(held.plan_grant, 500);
    ASSERT_TRUE(held.plan_renew_at);
    EXPECT_EQ(*held.plan_renew_at, start + 29 * 24h);  // a day before the term ends

    // Not yet due.
    clock.Set(start + 29 * 24h - 1min);
    EXPECT_EQ(service.RenewPlans(), 0);
    EXPECT_EQ(perks.granted.size(), 1u);
    // Due: the next term, until the end of the second month, under its own reference.
    clock.Set(start + 29 * 24h + 10min);
    EXPECT_EQ(service.RenewPlans(), 1);
    ASSERT_EQ(perks.granted.size(), 2u);
    EXPECT_EQ(perks.granted[1].until, start + 60 * 24h);
    EXPECT_NE(perks.granted[1].ref, perks.granted[0].ref);
    auto row = RoleRow(6, RoleKind::kBetaTester);
    EXPECT_EQ(row->plan_grant, 501);
    EXPECT_EQ(*row->plan_renew_at, start + 59 * 24h);
    EXPECT_EQ(service.RenewPlans(), 0);  // once per term
    // A third month.
    clock.Set(start + 59 * 24h + 1min);
    EXPECT_EQ(service.RenewPlans(), 1);
    EXPECT_EQ(perks.granted.back().until, start + 90 * 24h);

    // Revoked: the grant in force ends, and nothing is renewed any more.
    service.Revoke(kStaff, UserId{6}, RoleKind::kBetaTester, "Plus de retours depuis deux mois");
    EXPECT_EQ(perks.ended, (std::vector<std::pair<long long, long long>>{{6, 502}}));
    clock.Set(start + 200 * 24h);
    EXPECT_EQ(service.RenewPlans(), 0);
    EXPECT_EQ(perks.granted.size(), 3u);
}

TEST_F(MarketingServiceTest, AfterALongStopTheBetaTesterPlanIsRenewedForTheTermStillAhead) {
    auto start = clock.Now();
    service.Apply(Member(6), RoleKind::kBetaTester, {.message = "Tester"});
    service.Approve(kStaff, UserId{6}, RoleKind::kBetaTester);
    // Maxis was stopped from day 20 to day 75: the second term is over, the third is the one given (until day 90).
    clock.Set(start + 75 * 24h);
    EXPECT_EQ(service.RenewPlans(), 1);
    ASSERT_EQ(perks.granted.size(), 2u);
    EXPECT_EQ(perks.granted[1].until, start + 90 * 24h);
    EXPECT_TRUE(perks.granted[1].ref.ends_with(":3")) << perks.granted[1].ref;
    EXPECT_EQ(*RoleRow(6, RoleKind::kBetaTester)->plan_renew_at, start + 89 * 24h);
    // Stopped again until less than the renewal margin is left of the fourth term: the fifth is given whole.
    clock.Set(start + 120 * 24h - 30min);
    EXPECT_EQ(service.RenewPlans(), 1);
    EXPECT_EQ(perks.granted.back().until, start + 150 * 24h);
}

TEST_F(MarketingServiceTest, ABetaTesterPlanThatFailsAtApprovalIsGivenByTheSweepUnderTheSameReference) {
    perks.fail_grant = 2;
    service.Apply(Member(6), RoleKind::kBetaTester, {.message = "Tester"});
    auto held = service.Approve(kStaff, UserId{6}, RoleKind::kBetaTester);
    EXPECT_TRUE(held.active());  // the role stands; the plan is owed
    EXPECT_FALSE(held.plan_grant);
    EXPECT_EQ(Outbox(), std::vector<std::string>{"+dr-beta_tester:6"});
    EXPECT_EQ(service.RenewPlans(), 0);  // still failing: stays due
    clock.Advance(10min);
    EXPECT_EQ(service.RenewPlans(), 1);
    ASSERT_EQ(perks.granted.size(), 1u);
    ASSERT_EQ(perks.asked.size(), 3u);
    EXPECT_EQ(perks.asked[0], perks.asked[2]);  // the same term: a retry never gives a second grant
    EXPECT_EQ(perks.granted[0].ref, perks.asked[0]);
    EXPECT_EQ(RoleRow(6, RoleKind::kBetaTester)->plan_grant, 500);
    EXPECT_EQ(service.RenewPlans(), 0);
}

TEST_F(MarketingServiceTest, ABetaTesterRevokedWhileThePlanIsGivenHasItEndedAtOnce) {
    service.Apply(Member(6), RoleKind::kBetaTester, {.message = "Tester"});
    perks.while_granting = [&] { service.Revoke(kStaff, UserId{6}, RoleKind::kBetaTester, "Erreur"); };
    service.Approve(kStaff, UserId{6}, RoleKind::kBetaTester);
    ASSERT_EQ(perks.granted.size(), 1u);
    EXPECT_EQ(perks.ended, (std::vector<std::pair<long long, long long>>{{6, 500}}));
    auto row = RoleRow(6, RoleKind::kBetaTester);
    EXPECT_FALSE(row->active());
    EXPECT_FALSE(row->plan_grant);
}

}  // namespace
}  // namespace maxis::marketing
