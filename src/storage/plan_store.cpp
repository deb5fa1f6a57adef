#include "storage/plan_store.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "domain/scheduling/notice.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"
#include "storage/stripe_events.hpp"

namespace maxis::storage {

using core::Error;
using core::ErrorCode;
using core::FromEpochMillis;
using core::ToEpochMillis;
using core::Viewer;
using plans::EventOutcome;
using plans::Grant;
using plans::GrantKind;
using plans::GrantStatus;
namespace json = boost::json;

namespace {

constexpr const char* kGrantColumns =
    "id, user_id, plan, kind, ref, status, period_end, grace_until, expires_at, "
    "cancel_at_period_end, customer_id, note, created_at, updated_at, observed_at";

long long Millis(const std::optional<core::TimePoint>& t) { return t ? ToEpochMillis(*t) : 0; }

struct Row {
    Grant grant;
    long long observed_at = 0;
};

Row GrantFrom(const soci::row& r) {
    Row out;
    auto& g = out.grant;
    g.id = RowInt(r, 0);
    g.user = core::UserId{RowInt(r, 1)};
    g.plan = RowText(r, 2);
    g.kind = plans::ParseGrantKind(RowText(r, 3)).value_or(GrantKind::kSubscription);
    g.ref = RowText(r, 4);
    g.status = plans::ParseGrantStatus(RowText(r, 5)).value_or(GrantStatus::kEnded);
    g.period_end = RowOptionalTime(r, 6);
    g.grace_until = RowOptionalTime(r, 7);
    g.expires_at = RowOptionalTime(r, 8);
    g.cancel_at_period_end = RowInt(r, 9) != 0;
    g.customer_id = RowText(r, 10);
    g.note = RowText(r, 11);
    g.created_at = FromEpochMillis(RowInt(r, 12));
    g.updated_at = FromEpochMillis(RowInt(r, 13));
    out.observed_at = RowInt(r, 14);
    return out;
}

std::vector<Grant> LoadGrants(Transaction& tx, long long user) {
    std::vector<Grant> out;
    soci::rowset<soci::row> rows =
        (tx.sql().prepare << std::string("SELECT ") + kGrantColumns +
                                 " FROM user_subscriptions WHERE user_id = :u ORDER BY id DESC",
         soci::use(user));
    for (const auto& r : rows) out.push_back(GrantFrom(r).grant);
    return out;
}

std::optional<Row> FindGrant(Transaction& tx, GrantKind kind, const std::string& ref) {
    std::string k(plans::ToString(kind));
    std::optional<Row> out;
    soci::rowset<soci::row> rows = (tx.sql().prepare << std::string("SELECT ") + kGrantColumns +
                                                            " FROM user_subscriptions WHERE kind = :k AND ref = :r",
                                    soci::use(k), soci::use(ref));
    for (const auto& r : rows) out = GrantFrom(r);
    return out;
}

/// Inserts or updates a grant (by kind and ref).
void SaveGrant(Transaction& tx, const Grant& g, long long observed_at, long long now) {
    std::string kind(plans::ToString(g.kind)), status(plans::ToString(g.status));
    long long user = g.user.value, period = Millis(g.period_end), grace = Millis(g.grace_until),
              expires = Millis(g.expires_at);
    int cancel = g.cancel_at_period_end ? 1 : 0;
    tx.sql()
        << "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, period_end, grace_until, expires_at, "
           "cancel_at_period_end, customer_id, note, observed_at, created_at, updated_at) VALUES (:u, :p, :k, :r, :s, "
           "NULLIF(CAST(:pe AS BIGINT), 0), NULLIF(CAST(:gu AS BIGINT), 0), NULLIF(CAST(:ex AS BIGINT), 0), :c, :cu, "
           ":n, "
           ":o, :t, :t2) ON CONFLICT (kind, ref) DO UPDATE SET plan = excluded.plan, status = excluded.status, "
           "period_end = excluded.period_end, grace_until = excluded.grace_until, expires_at = excluded.expires_at, "
           "cancel_at_period_end = excluded.cancel_at_period_end, customer_id = CASE WHEN excluded.customer_id = '' "
           "THEN "
           "user_subscriptions.customer_id ELSE excluded.customer_id END, observed_at = excluded.observed_at, "
           "updated_at = excluded.updated_at",
        soci::use(user), soci::use(g.plan), soci::use(kind), soci::use(g.ref), soci::use(status), soci::use(period),
        soci::use(grace), soci::use(expires), soci::use(cancel), soci::use(g.customer_id), soci::use(g.note),
        soci::use(observed_at), soci::use(now), soci::use(now);
}

void CountPromotion(Transaction& tx, std::optional<long long> promotion) {
    if (!promotion) return;
    long long id = *promotion;
    tx.sql() << "UPDATE promotions SET uses = uses + 1 WHERE id = :i", soci::use(id);
}

void Enqueue(Transaction& tx, core::TimePoint now, const char* channel, json::object payload, const std::string& key) {
    SqlOutboxStore::AddIn(tx, scheduling::NewOutboxItem{channel, json::serialize(payload), key}, now);
}

/// Every grant that may be in force (active or past due), grouped by member.
std::map<long long, std::vector<Grant>> LiveGrants(Transaction& tx) {
    std::map<long long, std::vector<Grant>> by_user;
    soci::rowset<soci::row> rows =
        (tx.sql().prepare << std::string("SELECT ") + kGrantColumns +
                                 " FROM user_subscriptions WHERE status IN ('active', 'past_due') ORDER BY "
                                 "user_id, id DESC");
    for (const auto& r : rows) {
        auto g = GrantFrom(r).grant;
        by_user[g.user.value].push_back(std::move(g));
    }
    return by_user;
}

/// A plan's name as members read it (brand names, the same in every language).
std::string Title(const std::string& id) {
    std::string out = id;
    if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
}

std::string Slug(std::string name) {
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

}  // namespace

namespace {

/// What follows from a member's standing changing from `before` to `after`, written to the outbox in the
/// caller's transaction: roles, Ultra's private channel, and a notice when the plan itself changed.
using Params = std::map<std::string, std::string>;

struct Consequences {
    Transaction& tx;
    core::TimePoint now;
    const plans::PlanCatalog& catalog;
    const core::TimeZone& zone;
    const PlanStoreOptions& options;
    std::string key;  // unique to the cause (event id, sweep row)

    std::string Day(core::TimePoint t) const { return zone.LocalDate(t); }

    /// A member's notice; manage_button adds the "my subscription" button, link a button to that https page.
    void Notice(core::UserId user, const char* notice_key, Params params, Params dates, bool manage_button,
                const std::string& link = {}, const char* link_key = nullptr) {
        auto n = scheduling::Notice::ToMember(user, notice_key, key + ".notice." + notice_key);
        n.params = std::move(params);
        n.dates = std::move(dates);
        if (manage_button) n.action = scheduling::Notice::Action{"subscription", "plans.button.manage"};
        if (!link.empty()) n.link = scheduling::Notice::Link{link, link_key};
        SqlOutboxStore::AddIn(tx, scheduling::ToOutboxItem(n), now);
    }

    void Roles(core::UserId user, const plans::Standing& before, const plans::Standing& after,
               const std::string& reason) {
        for (const auto& role : after.roles) {
            if (before.roles.contains(role)) continue;
            Enqueue(tx, now, "discord.role",
                    json::object{{"user", user.ToString()}, {"role", role}, {"grant", true}, {"reason", reason}},
                    key + ".role." + role + ".grant");
        }
        for (const auto& role : before.roles) {
            if (after.roles.contains(role)) continue;
            Enqueue(tx, now, "discord.role",
                    json::object{{"user", user.ToString()}, {"role", role}, {"grant", false}, {"reason", reason}},
                    key + ".role." + role + ".revoke");
        }
    }

    void Channel(core::UserId user, bool had, bool has) {
        if (had == has) return;
        long long uid = user.value, at = ToEpochMillis(now);
        if (has) {
            std::string name;
            soci::indicator ind = soci::i_null;
            tx.sql() << "SELECT display_name FROM users WHERE id = :u", soci::use(uid), soci::into(name, ind);
            auto slug = Slug(ind == soci::i_ok ? name : std::string());
            std::string resource = "plans.channel." + user.ToString() + "." + std::to_string(at);
            json::array staff;
            for (const auto& r : options.staff_role_ids) staff.emplace_back(r);
            json::object payload{{"name", "ultra-" + (slug.empty() ? user.ToString() : slug)},
                                 {"topic", "Ultra"},
                                 {"members", json::array{user.ToString()}},
                                 {"staff_roles", std::move(staff)}};
            if (!options.channel_parent_id.empty()) payload["parent_id"] = options.channel_parent_id;
            Enqueue(tx, now, "discord.channel", std::move(payload), resource);
            std::string open = "open";
            tx.sql()
                << "INSERT INTO member_channels (user_id, resource_key, state, updated_at) VALUES (:u, :k, :s, :t) "
                   "ON CONFLICT (user_id) DO UPDATE SET resource_key = excluded.resource_key, state = excluded.state, "
                   "updated_at = excluded.updated_at",
                soci::use(uid), soci::use(resource), soci::use(open), soci::use(at);
            return;
        }
        std::string resource;
        soci::indicator ind = soci::i_null;
        tx.sql() << "SELECT resource_key FROM member_channels WHERE user_id = :u AND state = 'open'", soci::use(uid),
            soci::into(resource, ind);
        if (ind != soci::i_ok) return;
        json::object payload{{"resource", resource}, {"member", user.ToString()}};
        if (!options.archive_parent_id.empty()) payload["parent_id"] = options.archive_parent_id;
        Enqueue(tx, now, "discord.channel_archive", std::move(payload), key + ".archive");
        tx.sql() << "UPDATE member_channels SET state = 'archived', updated_at = :t WHERE user_id = :u", soci::use(at),
            soci::use(uid);
    }

    /// Roles, channel, and the notice for a change of plan.
    void Apply(core::UserId user, const plans::Standing& before, const plans::Standing& after,
               const std::string& reason) {
        Roles(user, before, after, reason);
        Channel(user, before.entitlements.private_channel, after.entitlements.private_channel);
        if (before.plan->id == after.plan->id) return;
        if (after.plan->id == "free") {
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

EventOutcome PlanStore::SyncSubscription(const plans::PlanEvent& event, const plans::SubscriptionState& state,
                                         core::TimePoint observed_at, const plans::SyncOptions& options) {
    auto now = clock_.Now();
    return ApplyEventOnce(db_, now, event.id, event.type, [&](Transaction& tx) {
        long long observed = ToEpochMillis(observed_at), at = ToEpochMillis(now);
        auto existing = FindGrant(tx, GrantKind::kSubscription, state.id);
        CountPromotion(tx, options.promotion);
        // An older observation never undoes a newer state.
        if (existing && existing->observed_at > observed) return EventOutcome::kIgnored;
        auto status = plans::StatusFromProvider(state.status);
        if (!status && !existing) return EventOutcome::kIgnored;  // incomplete: not started
        if (catalog_.Find(state.plan) == nullptr) {
            throw Error(ErrorCode::kInvalidArgument,
                        "subscription " + state.id + " is for an unknown plan '" + state.plan + "'");
        }
        auto before = plans::StandingOf(catalog_, LoadGrants(tx, state.user.value), now);
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
        SaveGrant(tx, g, observed, at);
        auto after = plans::StandingOf(catalog_, LoadGrants(tx, state.user.value), now);
        Consequences c{tx, now, catalog_, zone_, options_, "plans." + event.id};
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

EventOutcome PlanStore::OneTimePaid(const plans::PlanEvent& event, core::UserId user, const std::string& plan,
                                    const std::string& payment_ref, const std::string& customer,
                                    std::optional<long long> promotion) {
    auto now = clock_.Now();
    return ApplyEventOnce(db_, now, event.id, event.type, [&](Transaction& tx) {
        if (catalog_.Find(plan) == nullptr)
            throw Error(ErrorCode::kInvalidArgument, "payment for an unknown plan '" + plan + "'");
        CountPromotion(tx, promotion);
        auto existing = FindGrant(tx, GrantKind::kOneTime, payment_ref);
        if (existing) return EventOutcome::kIgnored;  // revoked before it was seen paid, or paid twice
        auto before = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        Grant g{.user = user, .plan = plan, .kind = GrantKind::kOneTime, .ref = payment_ref, .customer_id = customer};
        long long at = ToEpochMillis(now);
        SaveGrant(tx, g, at, at);
        auto after = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        Consequences c{tx, now, catalog_, zone_, options_, "plans." + event.id};
        c.Apply(user, before, after, "Maxis: plan " + plan);
        if (before.plan->id == after.plan->id) {
            // Already on a better plan: the purchase still deserves its confirmation.
            c.Notice(user, "plans.notify.active_forever", Params{{"plan", Title(plan)}}, {}, false);
        }
        return EventOutcome::kApplied;
    });
}

EventOutcome PlanStore::OneTimeRevoked(const plans::PlanEvent& event, const std::string& payment_ref,
                                       const std::string& why) {
    auto now = clock_.Now();
    return ApplyEventOnce(db_, now, event.id, event.type, [&](Transaction& tx) {
        auto existing = FindGrant(tx, GrantKind::kOneTime, payment_ref);
        if (!existing) return EventOutcome::kRetryLater;  // the payment's own event has not arrived yet
        if (existing->grant.status == GrantStatus::kRevoked) return EventOutcome::kIgnored;
        auto user = existing->grant.user;
        auto before = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        Grant g = existing->grant;
        g.status = GrantStatus::kRevoked;
        g.note = why;
        long long at = ToEpochMillis(now);
        SaveGrant(tx, g, at, at);
        auto after = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        Consequences c{tx, now, catalog_, zone_, options_, "plans." + event.id};
        c.Roles(user, before, after, "Maxis: plan " + g.plan + " " + why);
        c.Channel(user, before.entitlements.private_channel, after.entitlements.private_channel);
        c.Notice(user, "plans.notify.revoked", Params{{"plan", Title(g.plan)}}, {}, false);
        return EventOutcome::kApplied;
    });
}

EventOutcome PlanStore::Unhandled(const plans::PlanEvent& event) {
    return ApplyEventOnce(db_, clock_.Now(), event.id, event.type, [](Transaction&) { return EventOutcome::kIgnored; });
}

bool PlanStore::OwnsPayment(const std::string& payment_ref) {
    return db_.Read(Viewer::System(),
                    [&](Transaction& tx) { return FindGrant(tx, GrantKind::kOneTime, payment_ref).has_value(); });
}

std::vector<Grant> PlanStore::Grants(core::UserId user) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) { return LoadGrants(tx, user.value); });
}

std::optional<std::string> PlanStore::CustomerOf(core::UserId user) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) -> std::optional<std::string> {
        long long uid = user.value;
        std::string customer;
        soci::indicator ind = soci::i_null;
        tx.sql() << "SELECT customer_id FROM user_subscriptions WHERE user_id = :u AND customer_id <> '' ORDER BY id "
                    "DESC LIMIT 1",
            soci::use(uid), soci::into(customer, ind);
        if (ind != soci::i_ok || customer.empty()) return std::nullopt;
        return customer;
    });
}

Grant PlanStore::GrantTemporary(const Viewer& by, core::UserId user, const std::string& plan, core::TimePoint until,
                                const std::string& note) {
    auto now = clock_.Now();
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto before = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        long long at = ToEpochMillis(now);
        Grant g{.user = user,
                .plan = plan,
                .kind = GrantKind::kTemporary,
                .ref = "grant-" + user.ToString() + "-" + std::to_string(at),
                .expires_at = until,
                .note = note.empty() ? "granted by " + by.user_id.ToString() : note};
        SaveGrant(tx, g, at, at);
        auto after = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        Consequences{tx, now, catalog_, zone_, options_, "plans." + g.ref}.Apply(user, before, after,
                                                                                 "Maxis: plan " + plan + " granted");
        return FindGrant(tx, GrantKind::kTemporary, g.ref)->grant;
    });
}

int PlanStore::Sweep(core::TimePoint now) {
    long long at = ToEpochMillis(now);
    // Candidates first, then one transaction per member (each re-checked inside).
    auto due = db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<std::pair<long long, long long>> out;  // grant id, user
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT id, user_id FROM user_subscriptions WHERE (status = 'past_due' AND grace_until <= :n) OR "
                    "(status = 'active' AND expires_at IS NOT NULL AND expires_at <= :n2) ORDER BY id LIMIT 500",
             soci::use(at), soci::use(at));
        for (const auto& r : rows) out.emplace_back(RowInt(r, 0), RowInt(r, 1));
        return out;
    });
    int changed = 0;
    for (auto [id, uid] : due) {
        changed += db_.Write(Viewer::System(), [&](Transaction& tx) {
            auto grants = LoadGrants(tx, uid);
            auto it = std::find_if(grants.begin(), grants.end(), [id = id](const Grant& g) { return g.id == id; });
            if (it == grants.end() || plans::InForce(*it, now) ||
                (it->status != GrantStatus::kPastDue && it->status != GrantStatus::kActive)) {
                return 0;
            }
            // The standing the member's roles reflect: this grant still in force.
            auto held = grants;
            for (auto& g : held) {
                if (g.id == id) {
                    g.grace_until.reset();
                    g.expires_at.reset();
                    g.status = GrantStatus::kActive;
                }
            }
            auto before = plans::StandingOf(catalog_, held, now);
            Grant g = *it;
            g.status = GrantStatus::kEnded;
            g.note =
                it->status == GrantStatus::kPastDue ? "payment not received within the grace period" : "term ended";
            SaveGrant(tx, g, at, at);
            auto after = plans::StandingOf(catalog_, LoadGrants(tx, uid), now);
            Consequences{tx, now, catalog_, zone_, options_, "plans.sweep." + std::to_string(id)}.Apply(
                core::UserId{uid}, before, after, "Maxis: plan " + g.plan + " ended");
            return 1;
        });
    }
    return changed;
}

std::map<long long, std::set<std::string>> PlanStore::DesiredRoles(core::TimePoint now) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::map<long long, std::set<std::string>> out;
        for (auto& [user, grants] : LiveGrants(tx)) {
            auto s = plans::StandingOf(catalog_, std::move(grants), now);
            if (!s.roles.empty()) out[user] = std::move(s.roles);
        }
        return out;
    });
}

int PlanStore::RestoreRoles(core::UserId user, core::TimePoint now) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        auto standing = plans::StandingOf(catalog_, LoadGrants(tx, user.value), now);
        plans::Standing none{.plan = &catalog_.Free()};
        Consequences{tx,    now,      catalog_,
                     zone_, options_, "plans.rejoin." + user.ToString() + "." + std::to_string(ToEpochMillis(now))}
            .Roles(user, none, standing, "Maxis: member rejoined");
        return static_cast<int>(standing.roles.size());
    });
}

void PlanStore::QueueRoleChanges(const std::vector<plans::RoleChange>& changes, const std::string& key,
                                 const std::string& reason) {
    if (changes.empty()) return;
    auto now = clock_.Now();
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        for (const auto& c : changes) {
            Enqueue(tx, now, "discord.role",
                    json::object{{"user", c.user.ToString()}, {"role", c.role}, {"grant", c.grant}, {"reason", reason}},
                    key + "." + c.user.ToString() + "." + c.role + (c.grant ? ".grant" : ".revoke"));
        }
    });
}

bool PlanStore::TryUse(core::UserId user, const std::string& day, const std::string& kind, int limit) {
    if (limit <= 0) return false;
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        tx.sql() << "INSERT INTO assistant_usage (user_id, day, kind, used) VALUES (:u, :d, :k, 0) ON CONFLICT "
                    "(user_id, day, kind) "
                    "DO NOTHING",
            soci::use(uid), soci::use(day), soci::use(kind);
        // One conditional increment: concurrent callers serialise on the row and never pass the limit.
        soci::statement st =
            (tx.sql().prepare << "UPDATE assistant_usage SET used = used + 1 WHERE user_id = :u AND day = :d AND "
                                 "kind = :k AND used < :l",
             soci::use(uid), soci::use(day), soci::use(kind), soci::use(limit));
        return AffectedRows(st) == 1;
    });
}

void PlanStore::GiveBack(core::UserId user, const std::string& day, const std::string& kind) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        tx.sql()
            << "UPDATE assistant_usage SET used = used - 1 WHERE user_id = :u AND day = :d AND kind = :k AND used > 0",
            soci::use(uid), soci::use(day), soci::use(kind);
    });
}

int PlanStore::Used(core::UserId user, const std::string& day, const std::string& kind) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        int used = 0;
        soci::indicator ind = soci::i_null;
        tx.sql() << "SELECT used FROM assistant_usage WHERE user_id = :u AND day = :d AND kind = :k", soci::use(uid),
            soci::use(day), soci::use(kind), soci::into(used, ind);
        return ind == soci::i_ok ? used : 0;
    });
}

void PlanStore::Remember(core::UserId user, const std::vector<plans::Turn>& turns, int keep) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        for (const auto& turn : turns) {
            long long at = ToEpochMillis(turn.at);
            tx.sql() << "INSERT INTO assistant_turns (user_id, role, content, at) VALUES (:u, :r, :c, :a)",
                soci::use(uid), soci::use(turn.role), soci::use(turn.content), soci::use(at);
        }
        long long k = std::max(keep, 0);
        tx.sql() << "DELETE FROM assistant_turns WHERE user_id = :u AND id NOT IN (SELECT id FROM assistant_turns "
                    "WHERE user_id = "
                    ":u2 ORDER BY id DESC LIMIT :k)",
            soci::use(uid), soci::use(uid), soci::use(k);
    });
}

std::vector<plans::Turn> PlanStore::Recall(core::UserId user, core::TimePoint since, int limit) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value, from = ToEpochMillis(since), l = std::max(limit, 0);
        std::vector<plans::Turn> out;
        soci::rowset<soci::row> rows = (tx.sql().prepare << "SELECT role, content, at FROM assistant_turns WHERE "
                                                            "user_id = :u AND at >= :s ORDER BY id DESC LIMIT :l",
                                        soci::use(uid), soci::use(from), soci::use(l));
        for (const auto& r : rows)
            out.push_back(plans::Turn{RowText(r, 0), RowText(r, 1), FromEpochMillis(RowInt(r, 2))});
        std::reverse(out.begin(), out.end());
        // A conversation starts with the member's words.
        while (!out.empty() && out.front().role != "user") out.erase(out.begin());
        return out;
    });
}

void PlanStore::Forget(core::UserId user) {
    db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long uid = user.value;
        tx.sql() << "DELETE FROM assistant_turns WHERE user_id = :u", soci::use(uid);
    });
}

namespace {
constexpr const char* kPromotionColumns =
    "id, code, percent_off, plan, expires_at, coupon_id, promotion_code_id, created_by, created_at, uses";

plans::Promotion PromotionFrom(const soci::row& r) {
    return plans::Promotion{.id = RowInt(r, 0),
                            .code = RowText(r, 1),
                            .percent_off = static_cast<int>(RowInt(r, 2)),
                            .plan = RowText(r, 3),
                            .expires_at = FromEpochMillis(RowInt(r, 4)),
                            .coupon_id = RowText(r, 5),
                            .promotion_code_id = RowText(r, 6),
                            .created_by = core::UserId{RowInt(r, 7)},
                            .created_at = FromEpochMillis(RowInt(r, 8)),
                            .uses = static_cast<int>(RowInt(r, 9))};
}
}  // namespace

plans::Promotion PlanStore::SavePromotion(const plans::Promotion& p, const std::string& announce_channel) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long expires = ToEpochMillis(p.expires_at), by = p.created_by.value, at = ToEpochMillis(p.created_at);
        int percent = p.percent_off;
        tx.sql()
            << "INSERT INTO promotions (code, percent_off, plan, expires_at, coupon_id, promotion_code_id, created_by, "
               "created_at) VALUES (:c, :p, :pl, :e, :co, :pc, :b, :t)",
            soci::use(p.code), soci::use(percent), soci::use(p.plan), soci::use(expires), soci::use(p.coupon_id),
            soci::use(p.promotion_code_id), soci::use(by), soci::use(at);
        plans::Promotion saved;
        soci::rowset<soci::row> rows =
            (tx.sql().prepare << std::string("SELECT ") + kPromotionColumns + " FROM promotions WHERE code = :c",
             soci::use(p.code));
        for (const auto& r : rows) saved = PromotionFrom(r);
        Consequences c{tx, p.created_at, catalog_, zone_, options_, "plans.promo." + std::to_string(saved.id)};
        auto n = scheduling::Notice::ToStaff("plans.notify.promotion", c.key);
        n.channel = announce_channel;
        n.params = {{"percent", std::to_string(p.percent_off)}, {"plan", Title(p.plan)}, {"code", p.code}};
        n.dates = {{"until", c.Day(p.expires_at)}};
        n.action = scheduling::Notice::Action{"subscribe " + p.plan, "plans.button.subscribe_now"};
        SqlOutboxStore::AddIn(tx, scheduling::ToOutboxItem(n), p.created_at);
        return saved;
    });
}

std::optional<plans::Promotion> PlanStore::ActivePromotion(const std::string& plan, core::TimePoint now) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long at = ToEpochMillis(now);
        std::optional<plans::Promotion> out;
        soci::rowset<soci::row> rows = (tx.sql().prepare << std::string("SELECT ") + kPromotionColumns +
                                                                " FROM promotions WHERE plan = :p AND expires_at > :n "
                                                                "ORDER BY percent_off DESC, id DESC LIMIT 1",
                                        soci::use(plan), soci::use(at));
        for (const auto& r : rows) out = PromotionFrom(r);
        return out;
    });
}

std::vector<plans::Promotion> PlanStore::Promotions(int limit) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        long long l = limit;
        std::vector<plans::Promotion> out;
        soci::rowset<soci::row> rows = (tx.sql().prepare << std::string("SELECT ") + kPromotionColumns +
                                                                " FROM promotions ORDER BY id DESC LIMIT :l",
                                        soci::use(l));
        for (const auto& r : rows) out.push_back(PromotionFrom(r));
        return out;
    });
}

plans::Subscribers PlanStore::CountSubscribers(core::TimePoint now) {
    plans::Subscribers out;
    std::map<std::string, plans::PlanCount> counts;
    for (const auto& p : catalog_.all()) {
        if (p.billing != plans::Billing::kFree) counts[p.id] = plans::PlanCount{.plan = p.id, .currency = p.currency};
    }
    auto live = db_.Read(Viewer::System(), [](Transaction& tx) { return LiveGrants(tx); });
    for (const auto& [user, grants] : live) {
        // One member, one count per plan: the grants in force for each plan, summed up.
        struct Held {
            bool renewing = false, past_due = false, paid = false;
        };
        std::map<std::string, Held> held;
        for (const auto& g : grants) {
            if (!plans::InForce(g, now) || !counts.contains(g.plan)) continue;
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
            if (p->billing == plans::Billing::kMonthly && h.paid && !h.renewing) c.cancelling += 1;
            if (p->billing == plans::Billing::kMonthly && h.renewing) c.mrr_minor += p->price_minor;
        }
    }
    for (const auto& p : catalog_.all()) {
        if (auto it = counts.find(p.id); it != counts.end()) out.plans.push_back(it->second);
    }
    return out;
}

std::map<std::string, std::vector<int>> PlanStore::MembersAt(const std::vector<core::TimePoint>& moments) {
    std::map<std::string, std::vector<int>> out;
    for (const auto& p : catalog_.all()) {
        if (p.billing != plans::Billing::kFree) out[p.id] = std::vector<int>(moments.size(), 0);
    }
    if (moments.empty()) return out;
    auto [first, last] = std::minmax_element(moments.begin(), moments.end());
    long long from = ToEpochMillis(*first), to = ToEpochMillis(*last);
    auto grants = db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<Grant> list;
        // Every grant that may have been held in the window: started by its end, and not over before its start.
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << std::string("SELECT ") + kGrantColumns +
                        " FROM user_subscriptions WHERE created_at <= :t AND (status IN ('active', 'past_due') OR "
                        "updated_at >= :f) ORDER BY user_id",
             soci::use(to), soci::use(from));
        for (const auto& r : rows) list.push_back(GrantFrom(r).grant);
        return list;
    });
    // Grants come grouped by member: a member counts once per plan and moment, however many grants overlap.
    std::vector<std::vector<int>*> column;  // each grant's plan row, or null for a plan not sold
    for (const auto& g : grants) {
        auto it = out.find(g.plan);
        column.push_back(it == out.end() ? nullptr : &it->second);
    }
    std::vector<const std::vector<int>*> counted;
    for (std::size_t begin = 0, end = 0; begin < grants.size(); begin = end) {
        while (end < grants.size() && grants[end].user == grants[begin].user) ++end;
        for (std::size_t i = 0; i < moments.size(); ++i) {
            counted.clear();
            for (std::size_t k = begin; k < end; ++k) {
                auto* row = column[k];
                if (row == nullptr || !plans::HeldAt(grants[k], moments[i])) continue;
                if (std::find(counted.begin(), counted.end(), row) != counted.end()) continue;
                counted.push_back(row);
                (*row)[i] += 1;
            }
        }
    }
    return out;
}

std::vector<plans::DailyUsage> PlanStore::UsagePerDay(const std::string& since_day) {
    return db_.Read(Viewer::System(), [&](Transaction& tx) {
        std::vector<plans::DailyUsage> out;
        // Daily counters only: rate windows ("2026-11-25T10:42") have their own kind.
        soci::rowset<soci::row> rows =
            (tx.sql().prepare
                 << "SELECT day, SUM(CASE WHEN kind = 'message' THEN used ELSE 0 END), "
                    "SUM(CASE WHEN kind = 'image' THEN used ELSE 0 END), COUNT(DISTINCT user_id) FROM assistant_usage "
                    "WHERE kind IN ('message', 'image') AND used > 0 AND day >= :d GROUP BY day ORDER BY day",
             soci::use(since_day));
        for (const auto& r : rows) {
            out.push_back(plans::DailyUsage{.day = RowText(r, 0),
                                            .messages = RowInt(r, 1),
                                            .images = RowInt(r, 2),
                                            .members = static_cast<int>(RowInt(r, 3))});
        }
        return out;
    });
}

int PlanStore::Purge(core::TimePoint before, core::TimePoint usage_before) {
    return db_.Write(Viewer::System(), [&](Transaction& tx) {
        long long at = ToEpochMillis(before);
        // Days and minutes are ISO strings, so they compare as text.
        std::string minute = core::FormatIso8601(before).substr(0, 16);
        std::string day = zone_.LocalDate(usage_before);
        soci::statement a =
            (tx.sql().prepare << "DELETE FROM assistant_usage WHERE kind = 'rate' AND day < :m", soci::use(minute));
        soci::statement b =
            (tx.sql().prepare << "DELETE FROM assistant_usage WHERE kind <> 'rate' AND day < :d", soci::use(day));
        soci::statement c = (tx.sql().prepare << "DELETE FROM assistant_turns WHERE at < :a", soci::use(at));
        return static_cast<int>(AffectedRows(a) + AffectedRows(b) + AffectedRows(c));
    });
}

}  // namespace maxis::storage
