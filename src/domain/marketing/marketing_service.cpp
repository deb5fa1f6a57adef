#include "domain/marketing/marketing_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::marketing {

using core::Error;
using core::ErrorCode;
using core::Viewer;
using scheduling::Notice;

namespace {

constexpr int kPage = 200;                  // rows a listing or the sweep reads at a time
constexpr std::size_t kMaxLinks = 500;      // characters of an influencer's links
constexpr std::size_t kMaxPortfolio = 300;  // characters of a creator's portfolio link
constexpr std::size_t kMaxMessage = 1000;   // characters of a presentation
constexpr std::size_t kMaxReason = 500;     // characters of staff's reason
constexpr std::size_t kMaxEventName = 100;  // characters of an event's name
constexpr int kMaxDiscount = 10'000;        // help messages discounted at once
constexpr long long kMaxFollowers = 1'000'000'000'000;

const Viewer kSystem = Viewer::System();

void RequireStaff(const Viewer& viewer) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "reserved for staff", "marketing.staff_only");
}

void RequireMember(const Viewer& viewer) {
    if (viewer.user_id.value == 0) throw Error(ErrorCode::kForbidden, "only a member has marketing roles");
}

std::string Key(RoleKind role) { return std::string(ToString(role)); }

/// The role's configuration, enabled or not (a role turned off in the config can still be revoked or rejected).
const RoleConfig* ConfigOf(const std::vector<RoleConfig>& roles, RoleKind kind) {
    auto it = std::find_if(roles.begin(), roles.end(), [&](const RoleConfig& r) { return r.kind == kind; });
    return it == roles.end() ? nullptr : &*it;
}

[[noreturn]] void TooLong(const char* field, std::size_t max) {
    throw Error(ErrorCode::kInvalidArgument, std::string("the ") + field + " is too long", "marketing.too_long",
                {{"field", field}, {"max", std::to_string(max)}});
}

/// Staff's words (a rejection's or revocation's reason, a discount's): required, one line of at most kMaxReason.
std::string Reason(const std::string& text) {
    std::string reason(core::Trim(text));
    if (reason.empty()) throw Error(ErrorCode::kInvalidArgument, "a reason is required", "marketing.reason_required");
    if (core::Utf8Length(reason) > kMaxReason) TooLong("reason", kMaxReason);
    core::RequireStorableText(reason, "reason", core::TextLines::kSingle);
    return reason;
}

/// An https link without spaces (a creator's portfolio).
bool HttpsLink(std::string_view text) {
    return text.size() > 8 && text.starts_with("https://") && text.find_first_of(" \t\r\n") == std::string_view::npos;
}

/// The form trimmed and checked for what the role asks: influencer followers (declared, > 0) and links, a creator's
/// https portfolio, a partner's or beta tester's presentation. Other fields are kept when given, checked alike.
ApplicationForm CheckedForm(const RoleConfig& role, const ApplicationForm& given) {
    ApplicationForm form{.followers = given.followers,
                         .links = std::string(core::Trim(given.links)),
                         .portfolio = std::string(core::Trim(given.portfolio)),
                         .message = std::string(core::Trim(given.message))};
    if (form.followers < 0 || form.followers > kMaxFollowers || (role.required_followers > 0 && form.followers <= 0)) {
        throw Error(ErrorCode::kInvalidArgument, "the number of followers is required (a whole number above 0)",
                    "marketing.followers_required");
    }
    if (role.needs_links && form.links.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "the links to the accounts are required", "marketing.links_required");
    }
    if (role.needs_portfolio && !HttpsLink(form.portfolio)) {
        throw Error(ErrorCode::kInvalidArgument, "a portfolio link starting with https:// is required",
                    "marketing.portfolio_required");
    }
    if (role.needs_description && form.message.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "a short presentation is required", "marketing.message_required");
    }
    if (core::Utf8Length(form.links) > kMaxLinks) TooLong("links", kMaxLinks);
    if (core::Utf8Length(form.portfolio) > kMaxPortfolio) TooLong("portfolio", kMaxPortfolio);
    if (core::Utf8Length(form.message) > kMaxMessage) TooLong("message", kMaxMessage);
    core::RequireStorableText(form.links, "links", core::TextLines::kMulti);
    core::RequireStorableText(form.portfolio, "portfolio", core::TextLines::kSingle);
    core::RequireStorableText(form.message, "message", core::TextLines::kMulti);
    return form;
}

/// Where the member stands on the role's measured conditions: validated invites (only those count), help messages
/// counted (less staff's discounts), events staff marked successful, and the followers they declared (verified by
/// staff when they approve).
std::vector<Requirement> Measure(MarketingStore& store, const RoleConfig& role, core::UserId user,
                                 long long declared_followers) {
    std::vector<Requirement> out;
    if (role.required_invites > 0) {
        out.push_back(
            {.key = "invites", .have = store.Counts(user, std::nullopt).validated, .need = role.required_invites});
    }
    if (role.required_help_messages > 0) {
        out.push_back({.key = "help_messages",
                       .have = std::max(0LL, store.ActivityCount(user, ActivityKind::kHelpMessage)),
                       .need = role.required_help_messages});
    }
    if (role.required_events > 0) {
        out.push_back(
            {.key = "events", .have = store.ActivityCount(user, ActivityKind::kEvent), .need = role.required_events});
    }
    if (role.required_followers > 0) {
        out.push_back({.key = "followers",
                       .have = declared_followers,
                       .need = role.required_followers,
                       .verified_by_staff = true});
    }
    return out;
}

[[noreturn]] void NotEligible(const Requirement& r) {
    throw Error(ErrorCode::kForbidden,
                "not eligible yet: " + r.key + " " + std::to_string(r.have) + "/" + std::to_string(r.need),
                "marketing.not_eligible_" + r.key,
                {{"requirement", r.key}, {"have", std::to_string(r.have)}, {"need", std::to_string(r.need)}});
}

/// The member's active row for the role, if any.
std::optional<MemberRole> Held(MarketingStore& store, core::UserId user, RoleKind role) {
    auto held = store.FindMemberRole(user, role);
    if (held && held->active()) return held;
    return std::nullopt;
}

/// The Discord role given or taken back through the outbox, once per decision.
void ChangeDiscordRole(MarketingStore& store, MarketingPerks& perks, const RoleConfig* config, core::UserId user,
                       bool add, core::TimePoint at) {
    if (!config || config->discord_role.empty()) return;
    auto role = Key(config->kind);
    store.Enqueue(perks.RoleChange(user, config->discord_role, add,
                                   "Maxis: marketing role " + role + (add ? " approved" : " revoked"),
                                   "marketing:" + role + ":" + user.ToString() + ":" + (add ? "grant" : "revoke") +
                                       ":" + std::to_string(core::ToEpochMillis(at))));
}

/// A member told about one of their roles (marketing.notify.<what>.<role>: each role says it in its own words).
void TellMember(MarketingStore& store, core::UserId user, RoleKind role, const std::string& what,
                const std::string& idempotency_key, const std::string& reason = {}) {
    auto n = Notice::ToMember(user, "marketing.notify." + what + "." + Key(role), idempotency_key);
    n.params["role"] = Key(role);
    if (!reason.empty()) n.params["reason"] = reason;
    store.Notify(n);
}

/// A beta tester's plan term: the n-th grant of a holding runs until granted_at + n * term, and is renewed
/// RenewMargin before that end. The reference names the holding (its grant instant) and the term, so a retry gets the
/// same grant and a later approval of the same member another.
core::Millis RenewMargin(core::Millis term) { return std::min<core::Millis>(std::chrono::hours(24), term / 10); }

struct Term {
    long long number = 1;
    core::TimePoint until{};
    std::string ref;
};

/// A term lasts plan_term, two hours at least (a plan grant lasts an hour at least, and a term is renewed before it).
core::Millis TermLength(const MarketingOptions& options) {
    return std::max<core::Millis>(options.plan_term, std::chrono::hours(2));
}

Term NextTerm(const MemberRole& held, core::Millis length, core::TimePoint now) {
    long long n = 1;
    if (held.plan_grant && held.plan_renew_at) {
        // The term in force is the one whose end comes just after plan_renew_at (renewed RenewMargin before it).
        n = (*held.plan_renew_at - held.granted_at) / length + 2;
    }
    // Far behind (Maxis was down longer than a term): the first term still ahead by more than the margin, and by an
    // hour at least (the shortest grant plans give).
    while (held.granted_at + n * length - now <= std::max<core::Millis>(RenewMargin(length), std::chrono::hours(1))) {
        ++n;
    }
    auto until = held.granted_at + n * length;
    return Term{n, until,
                "marketing:" + Key(held.role) + ":" + held.user.ToString() + ":" +
                    std::to_string(core::ToEpochMillis(held.granted_at)) + ":" + std::to_string(n)};
}

/// Gives the holder's next plan term (plans' own transaction, outside marketing's), then records it in a second write
/// unless the role was revoked meanwhile (the grant then ends at once) or another run recorded it first. True when
/// recorded.
bool GrantTerm(MarketingRepository& repo, MarketingPerks& perks, const core::Clock& clock,
               const std::vector<RoleConfig>& roles, const MarketingOptions& options, const MemberRole& held) {
    const auto* config = ConfigOf(roles, held.role);
    if (!config || config->reward != RewardKind::kFreePlan || config->plan.empty()) {
        // The role no longer gives a plan: nothing is due any more.
        repo.Write(kSystem, [&](MarketingStore& store) {
            store.LockMember(held.user);
            auto fresh = store.FindMemberRole(held.user, held.role);
            if (!fresh || !fresh->plan_renew_at) return;
            fresh->plan_renew_at.reset();
            store.SaveMemberRole(*fresh);
        });
        return false;
    }
    auto term = NextTerm(held, TermLength(options), clock.Now());
    // The reference makes a retry get the same grant.
    auto grant = perks.GrantPlan(held.user, config->plan, term.until, term.ref);
    bool recorded = false;
    bool gone = false;
    repo.Write(kSystem, [&](MarketingStore& store) {
        recorded = gone = false;
        store.LockMember(held.user);
        auto fresh = store.FindMemberRole(held.user, held.role);
        if (!fresh || !fresh->active() || fresh->granted_at != held.granted_at) {
            gone = true;  // revoked meanwhile: the grant just given ends below
            return;
        }
        if (fresh->plan_grant != held.plan_grant || fresh->plan_renew_at != held.plan_renew_at) return;  // done
        fresh->plan_grant = grant;
        fresh->plan_renew_at = term.until - RenewMargin(TermLength(options));
        store.SaveMemberRole(*fresh);
        recorded = true;
    });
    if (gone) perks.EndPlan(held.user, grant, "marketing role " + Key(held.role) + " revoked");
    return recorded;
}

}  // namespace

const RoleConfig& MarketingService::Role(RoleKind kind) const {
    const auto* config = ConfigOf(roles_, kind);
    if (!config || !config->enabled) {
        throw Error(ErrorCode::kNotFound, "the role " + Key(kind) + " is not offered", "marketing.unknown_role",
                    {{"role", Key(kind)}});
    }
    return *config;
}

void MarketingService::MirrorRoles() {
    repo_.Write(kSystem, [&](MarketingStore& store) {
        for (const auto& role : roles_) store.SaveRoleConfig(role);
    });
}

std::vector<RoleStatus> MarketingService::Status(const Viewer& member) {
    RequireMember(member);
    std::vector<RoleStatus> out;
    // Read as Maxis for this member only: invite counters are public, the rest is the member's own.
    repo_.Read(kSystem, [&](MarketingStore& store) {
        out.clear();
        for (const auto& role : roles_) {
            if (!role.enabled) continue;
            RoleStatus status{.role = role};
            status.holds = Held(store, member.user_id, role.kind).has_value();
            status.pending = store.PendingApplication(member.user_id, role.kind);
            status.requirements =
                Measure(store, role, member.user_id, status.pending ? status.pending->form.followers : 0);
            out.push_back(std::move(status));
        }
    });
    return out;
}

Application MarketingService::Apply(const Viewer& member, RoleKind role, const ApplicationForm& form) {
    RequireMember(member);
    const auto& config = Role(role);
    auto now = clock_.Now();
    Application application;
    // As Maxis after checking the member (the staff's notice is Maxis's to write), for this member only.
    repo_.Write(kSystem, [&](MarketingStore& store) {
        store.LockMember(member.user_id);
        if (Held(store, member.user_id, role)) {
            throw Error(ErrorCode::kConflict, "the member holds this role already", "marketing.already_holds",
                        {{"role", Key(role)}});
        }
        if (auto pending = store.PendingApplication(member.user_id, role)) {
            throw Error(ErrorCode::kConflict, "an application for this role is waiting for staff",
                        "marketing.already_applied", {{"role", Key(role)}, {"id", pending->id.ToString()}});
        }
        auto checked = CheckedForm(config, form);
        for (const auto& r : Measure(store, config, member.user_id, checked.followers)) {
            if (!r.met()) NotEligible(r);  // measured ones, and the followers declared below the minimum
        }
        application = Application{.user = member.user_id, .role = role, .form = checked, .created_at = now};
        application.id = store.InsertApplication(application);
        auto n = Notice::ToStaff("marketing.notify.application_received." + Key(role),
                                 "marketing.application." + application.id.ToString() + ".received");
        n.people["member"] = member.user_id;
        n.params = {{"id", application.id.ToString()},
                    {"role", Key(role)},
                    {"followers", std::to_string(checked.followers)},
                    {"links", checked.links},
                    {"portfolio", checked.portfolio},
                    {"message", checked.message}};
        store.Notify(n);
    });
    return application;
}

std::vector<Application> MarketingService::Applications(const Viewer& staff, std::optional<ApplicationStatus> status) {
    RequireStaff(staff);
    std::vector<Application> out;
    repo_.Read(staff, [&](MarketingStore& store) { out = store.ListApplications(status, core::UserId{0}, kPage); });
    return out;
}

MemberRole MarketingService::Approve(const Viewer& staff, core::UserId member, RoleKind role) {
    RequireStaff(staff);
    const auto& config = Role(role);
    auto now = clock_.Now();
    MemberRole held;
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(member);
        auto application = store.PendingApplication(member, role);
        if (!application) {
            throw Error(ErrorCode::kNotFound, "no pending application of this member for this role",
                        "marketing.no_application", {{"role", Key(role)}});
        }
        application->status = ApplicationStatus::kApproved;
        application->decided_at = now;
        application->decided_by = staff.user_id;
        store.UpdateApplication(*application);
        if (auto active = Held(store, member, role)) {
            held = *active;  // held already (given meanwhile): nothing more to give
            return;
        }
        // One row per member and role: a revoked one comes back to life with this grant.
        held = MemberRole{.user = member, .role = role, .granted_at = now, .granted_by = staff.user_id};
        // A free plan is due at once: granted just after this commit, or by the sweep if that fails.
        if (config.reward == RewardKind::kFreePlan) held.plan_renew_at = now;
        store.SaveMemberRole(held);
        ChangeDiscordRole(store, perks_, &config, member, true, now);
        TellMember(store, member, role, "role_approved",
                   "marketing.application." + application->id.ToString() + ".approved");
    });
    if (held.plan_renew_at && !held.plan_grant) {
        try {
            GrantTerm(repo_, perks_, clock_, roles_, options_, held);
        } catch (const std::exception& e) {
            spdlog::warn("marketing: the {} plan of member {} could not be granted yet (the sweep retries): {}",
                         config.plan, member.ToString(), e.what());
        }
        repo_.Read(kSystem, [&](MarketingStore& store) {
            if (auto fresh = store.FindMemberRole(member, role)) held = *fresh;
        });
    }
    return held;
}

Application MarketingService::Reject(const Viewer& staff, core::UserId member, RoleKind role,
                                     const std::string& reason) {
    RequireStaff(staff);
    auto why = Reason(reason);
    auto now = clock_.Now();
    Application application;
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(member);
        auto pending = store.PendingApplication(member, role);
        if (!pending) {
            throw Error(ErrorCode::kNotFound, "no pending application of this member for this role",
                        "marketing.no_application", {{"role", Key(role)}});
        }
        application = *pending;
        application.status = ApplicationStatus::kRejected;
        application.decided_at = now;
        application.decided_by = staff.user_id;
        application.reason = why;
        store.UpdateApplication(application);
        TellMember(store, member, role, "role_rejected",
                   "marketing.application." + application.id.ToString() + ".rejected", why);
    });
    return application;
}

MemberRole MarketingService::Revoke(const Viewer& staff, core::UserId member, RoleKind role,
                                    const std::string& reason) {
    RequireStaff(staff);
    auto why = Reason(reason);
    auto now = clock_.Now();
    MemberRole revoked;
    std::string promotion_code;
    repo_.Write(staff, [&](MarketingStore& store) {
        promotion_code.clear();
        store.LockMember(member);
        auto held = Held(store, member, role);
        if (!held) {
            throw Error(ErrorCode::kNotFound, "the member does not hold this role", "marketing.not_holder",
                        {{"role", Key(role)}});
        }
        revoked = *held;
        revoked.revoked_at = now;
        revoked.revoked_by = staff.user_id;
        revoked.revoke_reason = why;
        store.SaveMemberRole(revoked);
        ChangeDiscordRole(store, perks_, ConfigOf(roles_, role), member, false, now);
        TellMember(
            store, member, role, "role_revoked",
            "marketing:" + Key(role) + ":" + member.ToString() + ":revoked:" + std::to_string(core::ToEpochMillis(now)),
            why);
        // The referral code lives while a commission role does.
        for (const auto& other : store.RolesOf(member)) {
            const auto* config = ConfigOf(roles_, other.role);
            if (other.active() && config && EarnsCommission(*config)) return;
        }
        auto code = store.CodeOf(member);
        if (!code || !code->active) return;
        code->active = false;
        store.SaveCode(*code);
        promotion_code = code->promotion_code_id;
    });
    // Outside the transaction: what the role gave elsewhere. Each failure is logged; the record stands.
    if (revoked.plan_grant) {
        try {
            perks_.EndPlan(member, *revoked.plan_grant, "marketing role " + Key(role) + " revoked: " + why);
        } catch (const std::exception& e) {
            spdlog::warn("marketing: the plan grant {} of member {} could not be ended (it ends with its term): {}",
                         *revoked.plan_grant, member.ToString(), e.what());
        }
    }
    if (!promotion_code.empty() && referrals_) {
        try {
            referrals_->DeactivatePromotionCode(promotion_code);
        } catch (const std::exception& e) {
            spdlog::warn("marketing: the promotion code {} of member {} could not be deactivated: {}", promotion_code,
                         member.ToString(), e.what());
        }
    }
    return revoked;
}

std::vector<MemberRole> MarketingService::Holders(const Viewer& staff, std::optional<RoleKind> role) {
    RequireStaff(staff);
    std::vector<MemberRole> out;
    repo_.Read(staff, [&](MarketingStore& store) { out = store.ActiveRoles(role); });
    return out;
}

Activity MarketingService::MarkEvent(const Viewer& staff, core::UserId host, const std::string& name) {
    RequireStaff(staff);
    std::string event(core::Trim(name));
    if (event.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "the event's name is required", "marketing.event_name_required");
    }
    if (core::Utf8Length(event) > kMaxEventName) TooLong("name", kMaxEventName);
    core::RequireStorableText(event, "name", core::TextLines::kSingle);
    // The same event, however it is capitalised or accented, counts once for a host.
    Activity activity{.user = host,
                      .kind = ActivityKind::kEvent,
                      .amount = 1,
                      .ref = core::FoldForMatch(event),
                      .note = event,
                      .by = staff.user_id,
                      .at = clock_.Now()};
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(host);
        if (!store.InsertActivity(activity)) {
            throw Error(ErrorCode::kConflict, "this event was counted for this member already",
                        "marketing.event_duplicate", {{"name", event}});
        }
    });
    return activity;
}

Activity MarketingService::DiscountHelp(const Viewer& staff, core::UserId member, int amount,
                                        const std::string& reason) {
    RequireStaff(staff);
    if (amount < 1 || amount > kMaxDiscount) {
        throw Error(ErrorCode::kInvalidArgument, "the number of help messages to discount must be from 1 to 10000",
                    "marketing.discount_amount", {{"max", std::to_string(kMaxDiscount)}});
    }
    auto why = Reason(reason);
    Activity activity{.user = member,
                      .kind = ActivityKind::kHelpMessage,
                      .amount = -amount,
                      .note = why,
                      .by = staff.user_id,
                      .at = clock_.Now()};
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(member);
        auto have = store.ActivityCount(member, ActivityKind::kHelpMessage);
        if (amount > have) {
            throw Error(ErrorCode::kInvalidArgument, "more help messages discounted than counted",
                        "marketing.discount_exceeds", {{"have", std::to_string(std::max(0LL, have))}});
        }
        store.InsertActivity(activity);
    });
    return activity;
}

bool MarketingService::OnHelpMessage(core::UserId author, const std::string& channel_id, const std::string& message_id,
                                     core::UserId replied_to, bool replied_to_bot, int length_chars,
                                     core::TimePoint at) {
    const auto& channels = options_.help_channels;
    if (author.value == 0 || message_id.empty() ||
        std::find(channels.begin(), channels.end(), channel_id) == channels.end()) {
        return false;
    }
    // Help is a reply to another member: not to oneself, not to a bot, not a message without a reply.
    if (replied_to.value == 0 || replied_to == author || replied_to_bot) return false;
    if (length_chars < options_.help_min_length) return false;
    bool counted = false;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        counted = false;
        store.LockMember(author);
        auto last = store.LastActivity(author, ActivityKind::kHelpMessage);
        if (last && at - *last < options_.help_cooldown) return;
        counted = store.InsertActivity(
            Activity{.user = author, .kind = ActivityKind::kHelpMessage, .amount = 1, .ref = message_id, .at = at});
    });
    return counted;
}

int MarketingService::RenewPlans() {
    std::vector<MemberRole> due;
    repo_.Read(kSystem, [&](MarketingStore& store) { due = store.RenewalsDue(clock_.Now(), kPage); });
    int renewed = 0;
    for (const auto& held : due) {
        try {
            if (GrantTerm(repo_, perks_, clock_, roles_, options_, held)) ++renewed;
        } catch (const std::exception& e) {
            // This one stays due for the next run; the others go on.
            spdlog::warn("marketing: the plan of member {} ({}) could not be renewed: {}", held.user.ToString(),
                         Key(held.role), e.what());
        }
    }
    return renewed;
}

}  // namespace maxis::marketing
