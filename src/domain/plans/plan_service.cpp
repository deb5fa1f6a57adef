#include "domain/plans/plan_service.hpp"

#include <algorithm>
#include <cctype>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "domain/plans/plan_outbox.hpp"

namespace maxis::plans {

using core::Error;
using core::ErrorCode;

namespace {

const core::Viewer kSystem = core::Viewer::System();

/// A granter's or revoker's reason: required, one line, 200 bytes at most.
std::string Reason(const std::string& text) {
    auto why = std::string(core::Trim(text));
    if (why.empty()) throw Error(ErrorCode::kInvalidArgument, "give a reason", "plans.reason_required");
    core::RequireStorableText(why, "reason", core::TextLines::kSingle);
    if (why.size() > 200)
        throw Error(ErrorCode::kInvalidArgument, "the reason is 200 bytes at most", "plans.reason_long");
    return why;
}

/// A plan's name as members read it (brand names, the same in every language).
std::string Title(const std::string& id) {
    std::string out = id;
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

/// A channel name from a display name: lower-case letters and digits, words joined by dashes, 40 at most.
std::string Slug(const std::string& name) {
    std::string out;
    for (unsigned char c : name) {
        if (std::isalnum(c)) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
        if (out.size() >= 40) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

using Params = std::map<std::string, std::string>;

/// What follows from a member's standing changing from `before` to `after`, written in the caller's
/// transaction: roles, Ultra's private channel, and a notice when the plan itself changed.
struct Consequences {
    PlanStore& store;
    core::TimePoint now;
    const PlanCatalog& catalog;
    const core::TimeZone& zone;
    const PlanOptions& options;
    std::string key;  // unique to the cause (event id, sweep row)

    [[nodiscard]] std::string Day(core::TimePoint t) const { return zone.LocalDate(t); }

    /// A member's notice; manage_button adds the "my subscription" button, link a button to that https page.
    void Notice(core::UserId user, const char* notice_key, Params params, Params dates, bool manage_button,
                const std::string& link = {}, const char* link_key = nullptr) {
        auto n = scheduling::Notice::ToMember(user, notice_key, key + ".notice." + notice_key);
        n.params = std::move(params);
        n.dates = std::move(dates);
        if (manage_button) n.action = scheduling::Notice::Action{"subscription", "plans.button.manage"};
        if (!link.empty()) n.link = scheduling::Notice::Link{link, link_key};
        store.Notify(n);
    }

    /// Grants the roles `after` adds and revokes those it drops; the others are left alone.
    void Roles(core::UserId user, const Standing& before, const Standing& after, const std::string& reason) {
        for (const auto& role : after.roles) {
            if (before.roles.contains(role)) continue;
            store.Enqueue(RoleItem({user, role, true}, reason, key + ".role." + role + ".grant"));
        }
        for (const auto& role : before.roles) {
            if (after.roles.contains(role)) continue;
            store.Enqueue(RoleItem({user, role, false}, reason, key + ".role." + role + ".revoke"));
        }
    }

    /// Creates the private channel when the member gains it, archives it when they lose it.
    void Channel(core::UserId user, bool had, bool has) {
        if (had == has) return;
        if (has) {
            auto slug = Slug(store.DisplayName(user).value_or(""));
            std::string resource = "plans.channel." + user.ToString() + "." + std::to_string(core::ToEpochMillis(now));
            store.Enqueue(ChannelItem({.name = "ultra-" + (slug.empty() ? user.ToString() : slug),
                                       .topic = "Ultra",
                                       .member = user,
                                       .staff_roles = options.staff_role_ids,
                                       .parent_id = options.channel_parent_id},
                                      resource));
            store.SaveChannel(user, resource, true, now);
            return;
        }
        auto resource = store.OpenChannel(user);
        if (!resource) return;
        store.Enqueue(ArchiveItem(*resource, user, options.archive_parent_id, key + ".archive"));
        store.SaveChannel(user, *resource, false, now);
    }

    /// Roles, channel, and the notice for a change of plan.
    void Apply(core::UserId user, const Standing& before, const Standing& after, const std::string& reason) {
        Roles(user, before, after, reason);
        Channel(user, before.entitlements.private_channel, after.entitlements.private_channel);
        if (before.plan->id == after.plan->id) return;
        if (after.plan->id == catalog.Free().id) {
            Notice(user, "plans.notify.ended", Params{{"plan", Title(before.plan->id)}}, {}, false);
            return;
        }
        Params dates;
        if (after.main && after.main->period_end) dates["until"] = Day(*after.main->period_end);
        if (after.main && after.main->expires_at) dates["until"] = Day(*after.main->expires_at);
        bool permanent = dates.empty();
        Notice(user, permanent ? "plans.notify.active_forever" : "plans.notify.active",
               Params{{"plan", Title(after.plan->id)}}, std::move(dates), false);
    }
};

}  // namespace

Standing PlanService::StandingOf(core::UserId user) {
    std::vector<Grant> grants;
    repo_.Read(kSystem, [&](PlanStore& store) { grants = store.GrantsOf(user); });
    return plans::StandingOf(catalog_, std::move(grants), clock_.Now());
}

std::optional<std::string> PlanService::CustomerOf(core::UserId user) {
    std::optional<std::string> out;
    repo_.Read(kSystem, [&](PlanStore& store) { out = store.CustomerOf(user); });
    return out;
}

namespace {

/// The plan a member may buy. When payments are not configured, that is what the member hears, not that the
/// plan is not for sale (its price is not known either).
const Plan& ForSale(const PlanCatalog& catalog, const std::string& id, bool payments_configured) {
    const Plan* plan = catalog.Find(id);
    if (plan == nullptr) throw Error(ErrorCode::kNotFound, "no plan '" + id + "'", "plans.unknown", {{"plan", id}});
    if (plan->billing != Billing::kFree && !payments_configured) {
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    }
    if (plan->billing == Billing::kFree || plan->price_id.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "plan " + id + " is not for sale", "plans.not_for_sale",
                    {{"plan", id}});
    }
    return *plan;
}

}  // namespace

std::string PlanService::Subscribe(const core::Viewer& member, const std::string& id, const std::string& locale) {
    const Plan& plan = ForSale(catalog_, id, gateway_.configured());
    auto now = clock_.Now();
    auto standing = StandingOf(member.user_id);
    for (const auto& g : standing.grants) {
        if (!InForce(g, now)) continue;
        const Plan* held = catalog_.Find(g.plan);
        if (held == nullptr) continue;
        if (g.plan == plan.id) {
            throw Error(ErrorCode::kConflict, "already holds " + plan.id, "plans.already", {{"plan", plan.id}});
        }
        // A monthly subscriber changes plan in the portal (Stripe prorates), never with a second subscription.
        if (plan.billing == Billing::kMonthly && g.kind == GrantKind::kSubscription) {
            throw Error(ErrorCode::kConflict, "already subscribed to " + g.plan, "plans.change_in_portal",
                        {{"plan", g.plan}});
        }
    }
    BillingGateway::PlanCheckout checkout{.user = member.user_id,
                                          .plan = &plan,
                                          .customer = CustomerOf(member.user_id).value_or(""),
                                          .promotion = ActivePromotion(plan.id),
                                          .locale = locale,
                                          .at = now};
    return gateway_.CreatePlanCheckout(checkout);
}

std::string PlanService::Portal(const core::Viewer& member, const std::string& locale) {
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    auto customer = CustomerOf(member.user_id);
    if (!customer) throw Error(ErrorCode::kNotFound, "no customer for this member", "plans.no_customer");
    return gateway_.PortalUrl(*customer, locale);
}

Promotion PlanService::CreatePromotion(const core::Viewer& staff, int percent, const std::string& plan,
                                       core::Millis duration) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    const Plan& p = ForSale(catalog_, plan, gateway_.configured());
    if (percent < 1 || percent > 100) {
        throw Error(ErrorCode::kInvalidArgument, "percent must be 1 to 100", "plans.promo_bad_percent");
    }
    if (duration < options_.min_promotion || duration > options_.max_promotion) {
        throw Error(ErrorCode::kInvalidArgument, "duration out of range", "plans.promo_bad_duration",
                    {{"min", std::to_string(options_.min_promotion.count() / 60'000) + " min"},
                     {"max", std::to_string(options_.max_promotion.count() / 86'400'000) + " j"}});
    }
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    auto now = clock_.Now();
    Promotion promo{.percent_off = percent,
                    .plan = p.id,
                    .expires_at = now + duration,
                    .created_by = staff.user_id,
                    .created_at = now};
    gateway_.CreatePromotion(promo, p);
    Promotion saved;
    repo_.Write(kSystem, [&](PlanStore& store) {
        saved = store.InsertPromotion(promo);
        auto n = scheduling::Notice::ToStaff("plans.notify.promotion", "plans.promo." + std::to_string(saved.id));
        n.channel = options_.announce_channel;
        n.params = {{"percent", std::to_string(saved.percent_off)}, {"plan", Title(saved.plan)}, {"code", saved.code}};
        n.dates = {{"until", zone_.LocalDate(saved.expires_at)}};
        n.action = scheduling::Notice::Action{"subscribe " + saved.plan, "plans.button.subscribe_now"};
        store.Notify(n);
    });
    return saved;
}

std::optional<Promotion> PlanService::ActivePromotion(const std::string& plan) {
    std::optional<Promotion> out;
    repo_.Read(kSystem, [&](PlanStore& store) { out = store.BestPromotion(plan, clock_.Now()); });
    return out;
}

std::vector<Promotion> PlanService::Promotions(int limit) {
    std::vector<Promotion> out;
    repo_.Read(kSystem, [&](PlanStore& store) { out = store.Promotions(limit); });
    return out;
}

Promotion PlanService::ExpirePromotion(const core::Viewer& staff, long long id) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    auto now = clock_.Now();
    std::optional<Promotion> found;
    repo_.Read(kSystem, [&](PlanStore& store) { found = store.FindPromotion(id); });
    if (!found) {
        throw Error(ErrorCode::kNotFound, "no promotion " + std::to_string(id), "plans.promo_unknown",
                    {{"id", std::to_string(id)}});
    }
    if (found->expires_at <= now) {
        throw Error(ErrorCode::kConflict, "promotion " + found->code + " is already over", "plans.promo_expired",
                    {{"code", found->code}});
    }
    if (!gateway_.configured())
        throw Error(ErrorCode::kUnavailable, "payments are not configured", "plans.payments_off");
    // The provider first: were it to refuse, the code would still be redeemable there, so nothing changes here.
    gateway_.ExpirePromotion(*found);
    repo_.Write(kSystem, [&](PlanStore& store) {
        store.SetPromotionEnd(id, now);
        found = store.FindPromotion(id);
    });
    return *found;
}

Grant PlanService::GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan,
                                  core::Millis duration, const std::string& reason) {
    return GrantTemporary(staff, user, plan, duration, reason,
                          "grant-" + user.ToString() + "-" + std::to_string(core::ToEpochMillis(clock_.Now())));
}

Grant PlanService::GrantTemporary(const core::Viewer& staff, core::UserId user, const std::string& plan,
                                  core::Millis duration, const std::string& reason, const std::string& ref) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    const Plan* p = catalog_.Find(plan);
    if (p == nullptr || p->billing == Billing::kFree) {
        throw Error(ErrorCode::kNotFound, "no plan '" + plan + "'", "plans.unknown", {{"plan", plan}});
    }
    if (duration < std::chrono::hours(1) || duration > std::chrono::hours(24 * 366)) {
        throw Error(ErrorCode::kInvalidArgument, "a grant lasts 1 hour to 1 year", "plans.grant_bad_duration");
    }
    auto why = Reason(reason);
    auto now = clock_.Now();
    Grant out;
    repo_.Write(kSystem, [&](PlanStore& store) {
        if (auto given = store.FindGrant(GrantKind::kTemporary, ref)) {
            out = given->grant;  // given under this reference already
            return;
        }
        auto before = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Grant g{.user = user,
                .plan = p->id,
                .kind = GrantKind::kTemporary,
                .ref = ref,
                .expires_at = now + duration,
                .note = why,
                .granted_by = staff.user_id};
        store.SaveGrant(g, now, now);
        auto after = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Consequences{store, now, catalog_, zone_, options_, "plans." + g.ref}.Apply(
            user, before, after, "Maxis: plan " + p->id + " granted");
        out = store.FindGrant(GrantKind::kTemporary, g.ref)->grant;
    });
    return out;
}

Grant PlanService::RevokeTemporary(const core::Viewer& staff, core::UserId user, long long grant_id,
                                   const std::string& reason) {
    if (!staff.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only");
    auto why = Reason(reason);
    auto now = clock_.Now();
    Grant out;
    repo_.Write(kSystem, [&](PlanStore& store) {
        auto grants = store.GrantsOf(user);
        auto it = std::find_if(grants.begin(), grants.end(), [&](const Grant& g) { return g.id == grant_id; });
        if (it == grants.end()) {
            throw Error(ErrorCode::kNotFound, "member " + user.ToString() + " has no grant " + std::to_string(grant_id),
                        "plans.grant_unknown");
        }
        if (it->kind != GrantKind::kTemporary) {
            throw Error(ErrorCode::kConflict,
                        "only a granted plan can be revoked here; a paid one ends with its payment",
                        "plans.grant_not_temporary");
        }
        if (!InForce(*it, now)) throw Error(ErrorCode::kConflict, "this grant is already over", "plans.grant_over");
        auto before = plans::StandingOf(catalog_, grants, now);
        Grant g = *it;
        g.status = GrantStatus::kRevoked;
        g.end = GrantEnd::kRevoked;
        g.ended_by = staff.user_id;
        g.end_note = why;
        store.SaveGrant(g, now, now);
        auto after = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Consequences c{store, now, catalog_, zone_, options_, "plans.revoke." + std::to_string(g.id)};
        c.Roles(user, before, after, "Maxis: plan " + g.plan + " revoked");
        c.Channel(user, before.entitlements.private_channel, after.entitlements.private_channel);
        c.Notice(user, "plans.notify.grant_revoked", Params{{"plan", Title(g.plan)}}, {}, false);
        out = store.FindGrant(GrantKind::kTemporary, g.ref)->grant;
    });
    return out;
}

std::vector<PlanService::Holder> PlanService::Holders(const std::string& plan) {
    auto now = clock_.Now();
    std::vector<Holder> out;
    repo_.Read(kSystem, [&](PlanStore& store) {
        for (auto& [user, grants] : store.LiveGrants()) {
            // The grant that gives this plan: the member's standing orders them (paid before granted).
            std::vector<Grant> of_plan;
            for (const auto& g : grants) {
                if (g.plan == plan && InForce(g, now)) of_plan.push_back(g);
            }
            if (of_plan.empty()) continue;
            auto standing = plans::StandingOf(catalog_, of_plan, now);
            out.push_back({standing.main ? *standing.main : of_plan.front(), store.DisplayName(user).value_or("")});
        }
    });
    return out;
}

EventOutcome PlanService::Once(const PlanEvent& event, const std::function<EventOutcome(PlanStore&)>& apply) {
    return core::ApplyEventOnce(repo_, kSystem, event.id, event.type, apply);
}

EventOutcome PlanService::OnSubscription(const PlanEvent& event, const SubscriptionState& state,
                                         core::TimePoint observed_at, SyncOptions options) {
    options.grace = options_.grace;
    auto now = clock_.Now();
    return Once(event, [&](PlanStore& store) {
        auto existing = store.FindGrant(GrantKind::kSubscription, state.id);
        if (options.promotion) store.CountPromotionUse(*options.promotion);
        // An older observation never undoes a newer state.
        if (existing && existing->observed_at > observed_at) return EventOutcome::kIgnored;
        auto status = StatusFromProvider(state.status);
        if (!status && !existing) return EventOutcome::kIgnored;  // incomplete: not started
        if (catalog_.Find(state.plan) == nullptr) {
            throw Error(ErrorCode::kInvalidArgument,
                        "subscription " + state.id + " is for an unknown plan '" + state.plan + "'");
        }
        auto before = plans::StandingOf(catalog_, store.GrantsOf(state.user), now);
        Grant g =
            existing ? existing->grant : Grant{.user = state.user, .kind = GrantKind::kSubscription, .ref = state.id};
        bool was_canceling = existing && g.cancel_at_period_end && g.status == GrantStatus::kActive;
        g.plan = state.plan;
        if (status) g.status = *status;
        g.period_end = state.period_end;
        g.cancel_at_period_end = state.cancel_at_period_end;
        g.customer_id = state.customer;
        if (g.status == GrantStatus::kPastDue) {
            // One grace period per failure: it starts when a paid plan first falls due, and a plan already
            // ended for want of payment does not get a second one from a later "past due" report.
            bool started = existing && existing->grant.grace_until && existing->grant.status != GrantStatus::kActive;
            if (!started) g.grace_until = now + options.grace;
        } else {
            g.grace_until.reset();
        }
        store.SaveGrant(g, observed_at, now);
        auto after = plans::StandingOf(catalog_, store.GrantsOf(state.user), now);
        Consequences c{store, now, catalog_, zone_, options_, "plans." + event.id};
        c.Apply(state.user, before, after, "Maxis: plan " + after.plan->id);
        if (options.payment_failed && g.status == GrantStatus::kPastDue && g.grace_until && *g.grace_until > now) {
            Params until{{"until", c.Day(*g.grace_until)}};
            if (options.confirm_url.empty()) {
                c.Notice(state.user, "plans.notify.payment_failed", Params{{"plan", Title(g.plan)}}, std::move(until),
                         true);
            } else {
                c.Notice(state.user, "plans.notify.payment_action", Params{{"plan", Title(g.plan)}}, std::move(until),
                         false, options.confirm_url, "plans.button.confirm_payment");
            }
        }
        if (!was_canceling && g.cancel_at_period_end && g.status == GrantStatus::kActive && g.period_end) {
            c.Notice(state.user, "plans.notify.canceling", Params{{"plan", Title(g.plan)}},
                     Params{{"until", c.Day(*g.period_end)}}, true);
        }
        return EventOutcome::kApplied;
    });
}

EventOutcome PlanService::OnOneTimePaid(const PlanEvent& event, core::UserId user, const std::string& plan,
                                        const std::string& payment_ref, const std::string& customer,
                                        std::optional<long long> promotion) {
    auto now = clock_.Now();
    return Once(event, [&](PlanStore& store) {
        if (catalog_.Find(plan) == nullptr)
            throw Error(ErrorCode::kInvalidArgument, "payment for an unknown plan '" + plan + "'");
        if (promotion) store.CountPromotionUse(*promotion);
        // Revoked before it was seen paid, or paid twice.
        if (store.FindGrant(GrantKind::kOneTime, payment_ref)) return EventOutcome::kIgnored;
        auto before = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Grant g{.user = user, .plan = plan, .kind = GrantKind::kOneTime, .ref = payment_ref, .customer_id = customer};
        store.SaveGrant(g, now, now);
        auto after = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Consequences c{store, now, catalog_, zone_, options_, "plans." + event.id};
        c.Apply(user, before, after, "Maxis: plan " + plan);
        if (before.plan->id == after.plan->id) {
            // Already on a better plan: the purchase still deserves its confirmation.
            c.Notice(user, "plans.notify.active_forever", Params{{"plan", Title(plan)}}, {}, false);
        }
        return EventOutcome::kApplied;
    });
}

EventOutcome PlanService::OnOneTimeRevoked(const PlanEvent& event, const std::string& payment_ref, GrantEnd why,
                                           const std::string& detail) {
    auto now = clock_.Now();
    return Once(event, [&](PlanStore& store) {
        auto existing = store.FindGrant(GrantKind::kOneTime, payment_ref);
        if (!existing) return EventOutcome::kRetryLater;  // the payment's own event has not arrived yet
        if (existing->grant.status == GrantStatus::kRevoked) return EventOutcome::kIgnored;
        auto user = existing->grant.user;
        auto before = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Grant g = existing->grant;
        g.status = GrantStatus::kRevoked;
        g.end = why;
        g.end_note = detail;
        store.SaveGrant(g, now, now);
        auto after = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Consequences c{store, now, catalog_, zone_, options_, "plans." + event.id};
        c.Roles(user, before, after, "Maxis: plan " + g.plan + " " + std::string(ToString(why)));
        c.Channel(user, before.entitlements.private_channel, after.entitlements.private_channel);
        c.Notice(user, "plans.notify.revoked", Params{{"plan", Title(g.plan)}}, {}, false);
        return EventOutcome::kApplied;
    });
}

EventOutcome PlanService::OnUnhandled(const PlanEvent& event) {
    return Once(event, [](PlanStore&) { return EventOutcome::kIgnored; });
}

bool PlanService::OwnsPayment(const std::string& payment_ref) {
    bool owns = false;
    repo_.Read(kSystem,
               [&](PlanStore& store) { owns = store.FindGrant(GrantKind::kOneTime, payment_ref).has_value(); });
    return owns;
}

int PlanService::Sweep() {
    auto now = clock_.Now();
    // Candidates first, then one transaction per grant (each re-checked inside).
    std::vector<Grant> due;
    repo_.Read(kSystem, [&](PlanStore& store) { due = store.GrantsDue(now, 500); });
    int changed = 0;
    for (const auto& candidate : due) {
        bool ended = false;
        repo_.Write(kSystem, [&](PlanStore& store) {
            ended = false;
            auto grants = store.GrantsOf(candidate.user);
            auto it = std::find_if(grants.begin(), grants.end(), [&](const Grant& g) { return g.id == candidate.id; });
            if (it == grants.end() || InForce(*it, now) ||
                (it->status != GrantStatus::kPastDue && it->status != GrantStatus::kActive)) {
                return;
            }
            // The standing the member's roles reflect: this grant still in force.
            auto held = grants;
            for (auto& g : held) {
                if (g.id != candidate.id) continue;
                g.grace_until.reset();
                g.expires_at.reset();
                g.status = GrantStatus::kActive;
            }
            auto before = plans::StandingOf(catalog_, held, now);
            Grant g = *it;
            g.status = GrantStatus::kEnded;
            g.end = it->status == GrantStatus::kPastDue ? GrantEnd::kUnpaid : GrantEnd::kTerm;
            store.SaveGrant(g, now, now);
            auto after = plans::StandingOf(catalog_, store.GrantsOf(g.user), now);
            Consequences{store, now, catalog_, zone_, options_, "plans.sweep." + std::to_string(g.id)}.Apply(
                g.user, before, after, "Maxis: plan " + g.plan + " ended");
            ended = true;
        });
        changed += ended ? 1 : 0;
    }
    return changed;
}

std::map<long long, std::set<std::string>> PlanService::DesiredRoles() {
    auto now = clock_.Now();
    GrantsByMember live;
    repo_.Read(kSystem, [&](PlanStore& store) { live = store.LiveGrants(); });
    std::map<long long, std::set<std::string>> out;
    for (auto& [member, grants] : live) {
        auto user = member.value;
        auto s = plans::StandingOf(catalog_, std::move(grants), now);
        if (!s.roles.empty()) out[user] = std::move(s.roles);
    }
    return out;
}

int PlanService::RestoreRoles(core::UserId user) {
    auto now = clock_.Now();
    int restored = 0;
    repo_.Write(kSystem, [&](PlanStore& store) {
        auto standing = plans::StandingOf(catalog_, store.GrantsOf(user), now);
        Standing none{.plan = &catalog_.Free()};
        Consequences{store,    now,
                     catalog_, zone_,
                     options_, "plans.rejoin." + user.ToString() + "." + std::to_string(core::ToEpochMillis(now))}
            .Roles(user, none, standing, "Maxis: member rejoined");
        restored = static_cast<int>(standing.roles.size());
    });
    return restored;
}

void PlanService::QueueRoleChanges(const std::vector<RoleChange>& changes, const std::string& key,
                                   const std::string& reason) {
    if (changes.empty()) return;
    repo_.Write(kSystem, [&](PlanStore& store) {
        for (const auto& c : changes) {
            store.Enqueue(
                RoleItem(c, reason, key + "." + c.user.ToString() + "." + c.role + (c.grant ? ".grant" : ".revoke")));
        }
    });
}

Subscribers PlanService::CountSubscribers(core::TimePoint now) {
    Subscribers out;
    std::map<std::string, PlanCount> counts;
    for (const auto& p : catalog_.all()) {
        if (p.billing != Billing::kFree) counts[p.id] = PlanCount{.plan = p.id, .currency = p.currency};
    }
    GrantsByMember live;
    repo_.Read(kSystem, [&](PlanStore& store) { live = store.LiveGrants(); });
    for (const auto& [member, grants] : live) {
        // One member, one count per plan: the grants in force for each plan, summed up.
        struct Held {
            bool renewing = false, past_due = false, paid = false;
        };
        std::map<std::string, Held> held;
        for (const auto& g : grants) {
            if (!InForce(g, now) || !counts.contains(g.plan)) continue;
            auto& h = held[g.plan];
            h.paid = h.paid || g.kind != GrantKind::kTemporary;
            h.past_due = h.past_due || g.status == GrantStatus::kPastDue;
            h.renewing = h.renewing || (g.kind == GrantKind::kSubscription && !g.cancel_at_period_end);
        }
        if (!held.empty()) out.members += 1;
        if (std::any_of(held.begin(), held.end(), [](const auto& h) { return h.second.paid; })) out.paying += 1;
        for (const auto& [plan, h] : held) {
            auto& c = counts[plan];
            const auto* p = catalog_.Find(plan);
            c.members += 1;
            c.past_due += h.past_due ? 1 : 0;
            c.granted += h.paid ? 0 : 1;
            if (p->billing == Billing::kMonthly && h.paid && !h.renewing) c.cancelling += 1;
            if (p->billing == Billing::kMonthly && h.renewing) c.mrr_minor += p->price_minor;
        }
    }
    for (const auto& p : catalog_.all()) {
        if (auto it = counts.find(p.id); it != counts.end()) out.plans.push_back(it->second);
    }
    return out;
}

std::map<std::string, std::vector<int>> PlanService::MembersAt(const std::vector<core::TimePoint>& moments) {
    std::map<std::string, std::vector<int>> out;
    for (const auto& p : catalog_.all()) {
        if (p.billing != Billing::kFree) out[p.id] = std::vector<int>(moments.size(), 0);
    }
    if (moments.empty()) return out;
    auto [first, last] = std::minmax_element(moments.begin(), moments.end());
    core::TimePoint from = *first, to = *last;
    GrantsByMember members;
    repo_.Read(kSystem, [&](PlanStore& store) { members = store.GrantsBetween(from, to); });
    // A member counts once per plan and moment, however many of their grants overlap.
    std::vector<std::vector<int>*> column;  // each grant's plan row, or null for a plan not sold
    std::vector<const std::vector<int>*> counted;
    for (const auto& [member, grants] : members) {
        column.clear();
        for (const auto& g : grants) {
            auto it = out.find(g.plan);
            column.push_back(it == out.end() ? nullptr : &it->second);
        }
        for (std::size_t i = 0; i < moments.size(); ++i) {
            counted.clear();
            for (std::size_t k = 0; k < grants.size(); ++k) {
                auto* row = column[k];
                if (row == nullptr || !HeldAt(grants[k], moments[i])) continue;
                if (std::find(counted.begin(), counted.end(), row) != counted.end()) continue;
                counted.push_back(row);
                (*row)[i] += 1;
            }
        }
    }
    return out;
}

std::vector<DailyUsage> PlanService::UsagePerDay(const std::string& since_day) {
    std::vector<DailyUsage> out;
    repo_.Read(kSystem, [&](PlanStore& store) { out = store.UsagePerDay(since_day); });
    return out;
}

int PlanService::Purge() {
    auto now = clock_.Now();
    auto before = now - options_.memory_kept;
    // Rate windows are UTC minutes, daily counters local days: both ISO strings, compared as text.
    std::string minute = core::FormatIso8601(before).substr(0, 16);
    std::string day = zone_.LocalDate(now - options_.usage_kept);
    int deleted = 0;
    repo_.Write(kSystem, [&](PlanStore& store) {
        deleted = store.DeleteUsage(kUsageRate, minute) + store.DeleteUsage(kUsageMessages, day) +
                  store.DeleteUsage(kUsageImages, day) + store.DeleteTurnsBefore(before);
    });
    return deleted;
}

}  // namespace maxis::plans
