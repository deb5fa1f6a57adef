#include "domain/marketing/commission_service.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::marketing {

using core::Error;
using core::ErrorCode;
using scheduling::Notice;

namespace {

constexpr int kSweepBatch = 500;
constexpr int kAllRows = 1'000'000;
constexpr int kCodeAttempts = 64;
constexpr const char* kInviteLinkPrefix = "https://discord.gg/";

const core::Viewer kSystem = core::Viewer::System();

void RequireStaff(const core::Viewer& viewer) {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "reserved for staff", "marketing.staff_only");
}

/// A marketer reads their own ledger; staff anyone's.
void RequireOwnOrStaff(const core::Viewer& viewer, core::UserId marketer) {
    if (!viewer.IsStaff() && viewer.user_id != marketer) {
        throw Error(ErrorCode::kForbidden, "a marketer sees only their own ledger", "marketing.staff_only");
    }
}

/// An amount's whole units (signless) and its two-digit cents.
std::pair<std::string, std::string> Figures(long long minor) {
    auto abs = minor < 0 ? -minor : minor;
    auto cents = std::to_string(abs % 100);
    return {std::to_string(abs / 100), (cents.size() < 2 ? "0" : "") + cents};
}

/// An amount for an error's message (logs and the API's message: "50.00 EUR").
std::string AmountText(long long minor, const std::string& currency) {
    auto [units, cents] = Figures(minor);
    return (minor < 0 ? "-" : "") + units + "." + cents + " " + core::AsciiUpper(currency);
}

/// An amount in an error's parameters, for the reader's catalog to write it in their locale ("50,00 €", "€50.00"):
/// `<name>_units` (whole units, signless), `<name>_cents` (two digits) and `symbol` (the currency's sign). An
/// error's parameters are plain text, so each catalog composes the figure in its own order.
void PutAmount(std::map<std::string, std::string>& params, const std::string& name, long long minor,
               const std::string& currency) {
    std::tie(params[name + "_units"], params[name + "_cents"]) = Figures(minor);
    auto upper = core::AsciiUpper(currency);
    params["symbol"] = upper == "EUR" ? "€" : upper == "USD" ? "$" : upper;
}

/// A generated referral code: 8 characters of Crockford's base 32 from a mix of the user id and an attempt counter.
/// Deterministic (no randomness in the domain), short, and checked unique by the caller (the counter moves on).
std::string GeneratedCode(core::UserId user, int attempt) {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    // splitmix64's finaliser: every bit of the id and the attempt reaches every bit of the code.
    auto x = static_cast<std::uint64_t>(user.value) + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(attempt + 1);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    x ^= x >> 31;
    std::string code;
    for (int i = 0; i < 8; ++i, x >>= 5) code.push_back(kAlphabet[x & 31U]);
    return code;
}

bool Counts(const Commission& c) { return c.status == CommissionStatus::kDue || c.status == CommissionStatus::kPaid; }

/// What a marketer is owed at `at` from their rows as they are now: rows due or paid whose due_at is before it
/// (clawbacks are due when made), minus payouts made before it. nullopt: now, every row.
long long DueBefore(const std::vector<Commission>& rows, const std::vector<Payout>& payouts,
                    std::optional<core::TimePoint> at) {
    long long sum = 0;
    for (const auto& c : rows) {
        if (Counts(c) && (!at || c.due_at < *at)) sum += c.amount.minor;
    }
    for (const auto& p : payouts) {
        if (!at || p.created_at < *at) sum -= p.amount.minor;
    }
    return sum;
}

/// "2026-12" -> the month's first day; nullopt when malformed.
std::optional<std::chrono::year_month> ParseMonth(std::string_view text) {
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    auto year = core::ParseInteger(text.substr(0, 4), 2000, 9999);
    auto month = core::ParseInteger(text.substr(5, 2), 1, 12);
    if (!year || !month) return std::nullopt;
    return std::chrono::year{static_cast<int>(*year)} / std::chrono::month{static_cast<unsigned>(*month)};
}

std::string MonthText(std::chrono::year_month ym) {
    auto m = static_cast<unsigned>(ym.month());
    return std::to_string(static_cast<int>(ym.year())) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

void NotifyMarketer(MarketingStore& store, const Commission& c, const std::string& key, const std::string& why,
                    long long minor) {
    auto n = Notice::ToMember(c.marketer, key, "marketing.commission." + c.id.ToString() + "." + why);
    n.money["amount"] = core::Money{minor, c.amount.currency};
    store.Notify(n);
}

/// A row read again once its marketer's decisions are serialised (another writer may have changed it meanwhile).
std::optional<Commission> Locked(MarketingStore& store, const std::optional<Commission>& found) {
    if (!found) return std::nullopt;
    store.LockMember(found->marketer);
    return store.FindCommission(found->id);
}

/// The join an invite's attribution came from, if any.
std::optional<InviteJoin> JoinBehind(MarketingStore& store, const std::optional<Attribution>& attribution) {
    if (!attribution || !attribution->join) return std::nullopt;
    for (const auto& j : store.JoinsOf(attribution->member)) {
        if (j.id == *attribution->join) return j;
    }
    return std::nullopt;
}

bool Cancelled(const InviteJoin& join) {
    return join.status == JoinStatus::kLeftEarly || join.status == JoinStatus::kFake;
}

/// The commission role the member holds now (the best percent when several), if any.
std::optional<RoleConfig> CommissionRole(MarketingStore& store, const std::vector<RoleConfig>& roles,
                                         core::UserId user) {
    std::optional<RoleConfig> best;
    for (const auto& held : store.RolesOf(user)) {
        if (!held.active()) continue;
        for (const auto& config : roles) {
            if (config.kind != held.role || !EarnsCommission(config)) continue;
            if (!best || config.commission_percent > best->commission_percent) best = config;
        }
    }
    return best;
}

/// What a paid row still stands for: its amount less the clawbacks already taken from it.
long long Standing(MarketingStore& store, const Commission& paid) {
    long long sum = paid.amount.minor;
    for (const auto& row : store.CommissionsOf(paid.marketer, std::nullopt, std::nullopt)) {
        if (row.kind == CommissionKind::kClawback && row.clawback_of == paid.id) sum += row.amount.minor;
    }
    return sum;
}

/// Takes back part of a paid row: a negative row, due now, carried into the next statement.
void Clawback(MarketingStore& store, const Commission& paid, long long minor, const std::string& reason,
              const std::string& why, core::TimePoint now) {
    Commission claw{.marketer = paid.marketer,
                    .kind = CommissionKind::kClawback,
                    .role = paid.role,
                    .status = CommissionStatus::kDue,
                    .amount = core::Money{minor, paid.amount.currency},
                    .source = paid.source,
                    .attribution = paid.attribution,
                    .note = reason,
                    .created_at = now,
                    .due_at = now,
                    .clawback_of = paid.id};
    auto id = store.InsertCommission(claw);
    if (!id) return;
    claw.id = *id;
    NotifyMarketer(store, paid, "marketing.notify.clawback." + reason, why, -minor);
}

/// A full refund, a dispute or a cancelled invite: a row not paid yet is reversed; a paid one is clawed back. Once.
void Reverse(MarketingStore& store, Commission c, const std::string& reason, core::TimePoint now) {
    if (c.status == CommissionStatus::kReversed || c.reversed_at) return;  // once
    c.reversed_at = now;
    c.note = reason;
    if (reason != kReasonInviteCancelled) c.refunded_minor = std::max(c.refunded_minor, c.sale_minor);
    if (c.status == CommissionStatus::kPaid) {
        // Paid already: it stays paid, and a clawback of what it still stands for carries it into the next statement.
        auto standing = Standing(store, c);
        store.UpdateCommission(c);
        if (standing > 0) Clawback(store, c, -standing, reason, reason, now);
        return;
    }
    c.status = CommissionStatus::kReversed;
    store.UpdateCommission(c);
    NotifyMarketer(store, c, "marketing.notify.reversed." + reason, "reversed", c.amount.minor);
}

/// Amounts staff enter are in the community's currency (or say none).
void RequireCurrency(const core::Money& amount, const std::string& currency) {
    if (!amount.currency.empty() && core::AsciiUpper(amount.currency) != core::AsciiUpper(currency)) {
        throw Error(ErrorCode::kInvalidArgument, "amounts are in " + currency, "marketing.currency",
                    {{"currency", currency}});
    }
}

/// A local month's bounds in the community's zone and its name; empty: the month of `now`.
std::tuple<core::TimePoint, core::TimePoint, std::string> MonthRange(const std::string& month,
                                                                     const core::TimeZone& zone, core::TimePoint now) {
    std::optional<std::chrono::year_month> ym;
    auto text = std::string(core::Trim(month));
    if (text.empty()) {
        ym = ParseMonth(zone.LocalDate(now).substr(0, 7));
    } else {
        ym = ParseMonth(text);
    }
    if (!ym) {
        throw Error(ErrorCode::kInvalidArgument, "a month is written YYYY-MM (2026-12)", "marketing.month_format");
    }
    auto first = std::chrono::local_days{*ym / std::chrono::day{1}};
    auto next = std::chrono::local_days{(*ym + std::chrono::months{1}) / std::chrono::day{1}};
    return {zone.FromLocal(core::LocalTime{first}), zone.FromLocal(core::LocalTime{next}), MonthText(*ym)};
}

/// A commission as a member reads it: nothing that could name the buyer (who, the payment, the attribution).
Commission ForViewer(const core::Viewer& viewer, Commission c) {
    if (viewer.IsStaff()) return c;
    c.buyer = core::UserId{0};
    c.payment_ref.clear();
    c.attribution.reset();
    return c;
}

/// One marketer's statement for [start, end), from their rows as they are now.
Statement StatementIn(MarketingStore& store, const core::Viewer& viewer, core::UserId marketer, core::TimePoint start,
                      core::TimePoint end, const std::string& currency) {
    Statement s;
    s.marketer = marketer;
    s.currency = currency;
    auto rows = store.CommissionsOf(marketer, std::nullopt, std::nullopt);
    auto payouts = store.PayoutsOf(marketer, std::nullopt, std::nullopt);
    s.opening_minor = DueBefore(rows, payouts, start);
    s.closing_minor = DueBefore(rows, payouts, end);
    for (auto c : rows) {
        if (c.created_at < end && c.kind != CommissionKind::kClawback && c.status != CommissionStatus::kReversed &&
            (c.due_at >= end || c.status == CommissionStatus::kPending)) {
            s.pending_minor += c.amount.minor;
        }
        // The balance's movements: what became due in the month (rows as they are now, as opening and closing
        // read them), so that closing = opening + earned - reversed - paid.
        if (Counts(c) && c.due_at >= start && c.due_at < end) {
            if (c.kind == CommissionKind::kClawback) {
                s.reversed_minor += -c.amount.minor;
            } else {
                s.earned_minor += c.amount.minor;
            }
        }
        if (c.created_at < start || c.created_at >= end) continue;
        if (c.status == CommissionStatus::kReversed && c.kind != CommissionKind::kClawback) {
            s.cancelled_minor += c.amount.minor;
        }
        s.lines.push_back(ForViewer(viewer, std::move(c)));
    }
    for (const auto& p : payouts) {
        if (p.created_at >= start && p.created_at < end) {
            s.paid_minor += p.amount.minor;
            s.payouts.push_back(p);
        }
    }
    return s;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Referral codes.

ReferralView CommissionService::Referral(const core::Viewer& member, const std::string& wanted) {
    auto user = member.user_id;
    auto asked = NormalizeCode(wanted);
    if (!asked.empty() && !ValidCodeShape(asked)) {
        throw Error(ErrorCode::kInvalidArgument, "a code is 4 to 16 letters and digits", "marketing.code_shape");
    }
    ReferralCode code;
    // Codes of others are checked as Maxis: a member reads only their own row.
    repo_.Write(kSystem, [&](MarketingStore& store) {
        if (!CommissionRole(store, roles_, user)) {
            throw Error(ErrorCode::kForbidden, "referral codes are for ambassadors and partners",
                        "marketing.not_marketer");
        }
        store.LockMember(user);
        if (auto existing = store.CodeOf(user)) {
            if (!asked.empty() && asked != existing->code) {
                throw Error(ErrorCode::kConflict, "the referral code is set already", "marketing.code_set",
                            {{"code", existing->code}});
            }
            code = *existing;
            if (code.active) return;
            code.active = true;  // a commission role again: the code works again
            // Its promotion code was deactivated at the provider on revocation (that cannot be undone): a new one
            // is made below.
            code.promotion_code_id.clear();
            store.SaveCode(code);
            return;
        }
        code = ReferralCode{.user = user, .created_at = clock_.Now()};
        if (!asked.empty()) {
            auto taken = store.FindCode(asked);
            if (taken) throw Error(ErrorCode::kConflict, "this code is taken", "marketing.code_taken");
            code.code = asked;
        } else {
            for (int attempt = 0; attempt < kCodeAttempts && code.code.empty(); ++attempt) {
                auto candidate = GeneratedCode(user, attempt);
                if (!store.FindCode(candidate)) code.code = candidate;
            }
            if (code.code.empty()) throw Error(ErrorCode::kConflict, "no free code was found", "marketing.code_taken");
        }
        store.SaveCode(code);
    });
    // The providers are called outside the transaction; a refusal leaves the code without it (the next call tries
    // again).
    auto made = code;
    if (made.promotion_code_id.empty() && provider_.promotions_configured()) {
        try {
            made.promotion_code_id = provider_.CreatePromotionCode(user, made.code);
        } catch (const Error&) {
        }
    }
    if (made.invite_code.empty()) {
        try {
            made.invite_code = provider_.CreateInviteLink(user);
        } catch (const Error&) {
        }
    }
    ReferralView view;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        auto row = store.CodeOf(user);
        if (!row) return;
        if (row->promotion_code_id.empty() || row->invite_code.empty()) {
            if (row->promotion_code_id.empty()) row->promotion_code_id = made.promotion_code_id;
            if (row->invite_code.empty()) row->invite_code = made.invite_code;
            store.SaveCode(*row);
        }
        view.code = row;
        std::set<long long> members;
        for (const auto& a : store.AttributionsOf(user, kAllRows)) members.insert(a.member.value);
        view.attributed = static_cast<long long>(members.size());
    });
    if (view.code && !view.code->invite_code.empty()) view.link = kInviteLinkPrefix + view.code->invite_code;
    return view;
}

Attribution CommissionService::UseCode(const core::Viewer& member, const std::string& code) {
    auto wanted = NormalizeCode(code);
    auto now = clock_.Now();
    Attribution attribution;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        auto row = ValidCodeShape(wanted) ? store.FindCode(wanted) : std::nullopt;
        if (!row || !row->active || !CommissionRole(store, roles_, row->user)) {
            throw Error(ErrorCode::kNotFound, "no such referral code", "marketing.code_unknown");
        }
        if (row->user == member.user_id) {
            throw Error(ErrorCode::kInvalidArgument, "your own code does not refer you", "marketing.self_referral");
        }
        if (store.LiveAttribution(member.user_id, now)) {
            throw Error(ErrorCode::kConflict, "you were referred already", "marketing.already_attributed");
        }
        attribution = Attribution{.member = member.user_id,
                                  .referrer = row->user,
                                  .source = AttributionSource::kCode,
                                  .code = row->code,
                                  .starts_at = now,
                                  .ends_at = now + options_.attribution_window};
        attribution.id = store.InsertAttribution(attribution);
    });
    return attribution;
}

// ---------------------------------------------------------------------------------------------------------------
// The payments.

std::optional<Commission> CommissionService::OnSale(const SaleFacts& sale) {
    std::optional<Commission> out;
    auto at = sale.paid_at == core::TimePoint{} ? clock_.Now() : sale.paid_at;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        if (store.SaleCommission(sale.payment_ref)) return;  // applied already
        if (sale.buyer.value != 0) {
            if (!sale.customer.empty()) store.RecordPayerIdentity(sale.buyer, "customer", sale.customer);
            if (!sale.card_fingerprint.empty()) store.RecordPayerIdentity(sale.buyer, "card", sale.card_fingerprint);
        }
        if (core::AsciiUpper(sale.amount.currency) != core::AsciiUpper(options_.currency) || sale.amount.minor <= 0) {
            return;  // another currency earns nothing
        }
        // A refund or a dispute may have come before the sale's event: a payment refunded whole or disputed earns
        // nothing, one refunded in part earns on what was kept.
        auto reversal = store.FindPaymentReversal(sale.payment_ref);
        long long refunded = reversal ? std::min<long long>(reversal->refunded_minor, sale.amount.minor) : 0;
        if (reversal && (reversal->disputed || reversal->fully_refunded || refunded >= sale.amount.minor)) return;
        // The promotion code used at checkout first, else the buyer's live attribution.
        auto promotion = sale.promotion_code.empty() ? std::nullopt : store.CodeByPromotion(sale.promotion_code);
        if (promotion && !promotion->active) promotion.reset();
        auto live = sale.buyer.value == 0 ? std::nullopt : store.LiveAttribution(sale.buyer, at);
        if (!promotion && !live) return;
        auto referrer = promotion ? promotion->user : live->referrer;
        store.LockMember(referrer);  // the referrer's decisions are serialised before their role is read
        bool self = referrer == sale.buyer ||
                    (!sale.customer.empty() && store.PayerIdentityOf(referrer, "customer", sale.customer)) ||
                    (!sale.card_fingerprint.empty() && store.PayerIdentityOf(referrer, "card", sale.card_fingerprint));
        if (self) {
            auto n = Notice::ToStaff("marketing.notify.self_referral." + sale.source,
                                     "marketing.sale." + sale.payment_ref + ".self");
            n.people["marketer"] = referrer;
            n.money["amount"] = sale.amount;
            store.Notify(n);
            return;
        }
        auto role = CommissionRole(store, roles_, referrer);  // the role held at the sale
        if (!role) return;
        auto original = CommissionOf(sale.amount.minor, role->commission_percent);
        auto amount = refunded > 0 ? ReducedCommission(original, sale.amount.minor, refunded) : original;
        if (amount <= 0) return;
        auto attribution = live;
        if (promotion) {
            // A promotion code's sale is the code's, whatever an invite said (it waits on no join). The member is
            // attributed for the window when nobody holds them; otherwise (or without a known buyer) this sale only:
            // a row that is never live, so it steals nobody's attribution.
            bool whole_window = !live && sale.buyer.value != 0;
            attribution = Attribution{.member = sale.buyer,
                                      .referrer = referrer,
                                      .source = AttributionSource::kPromotion,
                                      .code = promotion->code,
                                      .starts_at = at,
                                      .ends_at = whole_window ? at + options_.attribution_window : at};
            attribution->id = store.InsertAttribution(*attribution);
        } else {
            // An invite cancelled by an early leave earns nothing more, though its attribution lasts.
            auto join = JoinBehind(store, live);
            if (join && Cancelled(*join)) return;
        }
        Commission c{.marketer = referrer,
                     .kind = CommissionKind::kSale,
                     .role = role->kind,
                     .status = CommissionStatus::kPending,
                     .amount = core::Money{amount, options_.currency},
                     .source = sale.source,
                     .payment_ref = sale.payment_ref,
                     .buyer = sale.buyer,
                     .sale_minor = sale.amount.minor,
                     .refunded_minor = refunded,
                     .percent = role->commission_percent,
                     .attribution = attribution->id,
                     .note = refunded > 0 ? kReasonPartialRefund : "",
                     .created_at = at,
                     .due_at = at + options_.refund_window};
        auto id = store.InsertCommission(c);
        if (!id) return;
        c.id = *id;
        auto n = Notice::ToMember(referrer, "marketing.notify.commission_pending",
                                  "marketing.commission." + c.id.ToString() + ".pending");
        n.money["amount"] = c.amount;
        n.times["due_at"] = c.due_at;
        store.Notify(n);
        out = c;
    });
    return out;
}

void CommissionService::OnRefunded(const std::string& payment_ref, long long refunded_minor, bool fully) {
    repo_.Write(kSystem, [&](MarketingStore& store) {
        // Kept by payment whether or not a commission exists yet: a sale reported later applies it.
        store.RecordPaymentReversal(PaymentReversal{
            .payment_ref = payment_ref, .refunded_minor = refunded_minor, .fully_refunded = fully, .at = clock_.Now()});
        auto c = Locked(store, store.SaleCommission(payment_ref));
        if (!c) return;
        if (fully || refunded_minor >= c->sale_minor) {
            Reverse(store, *c, kReasonRefund, clock_.Now());
            return;
        }
        if (refunded_minor <= c->refunded_minor || c->status == CommissionStatus::kReversed || c->reversed_at) return;
        auto now_worth = ReducedCommission(CommissionOf(c->sale_minor, c->percent), c->sale_minor, refunded_minor);
        c->refunded_minor = refunded_minor;
        if (c->status == CommissionStatus::kPaid) {
            // Paid already: the difference is taken back by a clawback row, due now.
            auto clawback = now_worth - Standing(store, *c);
            store.UpdateCommission(*c);
            if (clawback < 0) {
                Clawback(store, *c, clawback, kReasonPartialRefund, "refund." + std::to_string(refunded_minor),
                         clock_.Now());
            }
            return;
        }
        auto reduction = c->amount.minor - now_worth;
        c->amount.minor = now_worth;
        c->note = kReasonPartialRefund;
        store.UpdateCommission(*c);
        if (reduction > 0) {
            NotifyMarketer(store, *c, "marketing.notify.commission_reduced",
                           "reduced." + std::to_string(refunded_minor), reduction);
        }
    });
}

void CommissionService::OnDisputed(const std::string& payment_ref) {
    repo_.Write(kSystem, [&](MarketingStore& store) {
        store.RecordPaymentReversal(PaymentReversal{.payment_ref = payment_ref, .disputed = true, .at = clock_.Now()});
        auto c = Locked(store, store.SaleCommission(payment_ref));
        if (c) Reverse(store, *c, kReasonDispute, clock_.Now());
    });
}

int CommissionService::SettleDue() {
    int changed = 0;
    repo_.Write(kSystem, [&](MarketingStore& store) {
        for (const auto& due : store.CommissionsDue(clock_.Now(), kSweepBatch)) {
            auto c = Locked(store, due);
            if (!c || c->status != CommissionStatus::kPending) continue;  // another writer settled it meanwhile
            // A commission on an invite's attribution waits for that join's validation.
            auto join = c->attribution ? JoinBehind(store, store.FindAttribution(*c->attribution)) : std::nullopt;
            if (join && Cancelled(*join)) {
                Reverse(store, *c, kReasonInviteCancelled, clock_.Now());
                ++changed;
                continue;
            }
            if (join && join->status == JoinStatus::kPending) continue;
            c->status = CommissionStatus::kDue;
            store.UpdateCommission(*c);
            NotifyMarketer(store, *c, "marketing.notify.commission_due", "due", c->amount.minor);
            ++changed;
        }
    });
    return changed;
}

// ---------------------------------------------------------------------------------------------------------------
// Staff.

Commission CommissionService::AddReward(const core::Viewer& staff, core::UserId marketer, RoleKind role,
                                        core::Money amount, const std::string& note) {
    RequireStaff(staff);
    auto config = std::find_if(roles_.begin(), roles_.end(), [&](const auto& r) { return r.kind == role; });
    if (config == roles_.end() || !config->enabled) {  // a role disabled in the config rewards nobody
        throw Error(ErrorCode::kInvalidArgument, "this role is not offered here", "marketing.unknown_role",
                    {{"role", std::string(ToString(role))}});
    }
    std::optional<CommissionKind> kind;
    if (config->reward == RewardKind::kMonthly) kind = CommissionKind::kMonthly;
    if (config->reward == RewardKind::kPerPiece) kind = CommissionKind::kPiece;
    if (config->reward == RewardKind::kPerEvent) kind = CommissionKind::kEvent;
    if (!kind) {
        throw Error(ErrorCode::kInvalidArgument, "this role is not rewarded by amounts staff enter",
                    "marketing.reward_kind", {{"role", std::string(ToString(role))}});
    }
    RequireCurrency(amount, options_.currency);
    if (amount.minor < config->min_minor || amount.minor > config->max_minor) {
        std::map<std::string, std::string> params{{"role", std::string(ToString(role))}};
        PutAmount(params, "min", config->min_minor, options_.currency);
        PutAmount(params, "max", config->max_minor, options_.currency);
        throw Error(ErrorCode::kInvalidArgument,
                    "the amount must be from " + AmountText(config->min_minor, options_.currency) + " to " +
                        AmountText(config->max_minor, options_.currency),
                    "marketing.reward_bounds", params);
    }
    auto words = std::string(core::Trim(note));
    core::RequireStorableText(words, "note", core::TextLines::kMulti);
    auto now = clock_.Now();
    Commission c{.marketer = marketer,
                 .kind = *kind,
                 .role = role,
                 .status = CommissionStatus::kDue,
                 .amount = core::Money{amount.minor, options_.currency},
                 .note = words,
                 .created_by = staff.user_id,
                 .created_at = now,
                 .due_at = now};
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(marketer);
        auto held = store.FindMemberRole(marketer, role);
        if (!held || !held->active()) {
            throw Error(ErrorCode::kInvalidArgument, "the member does not hold this role", "marketing.not_holder",
                        {{"role", std::string(ToString(role))}});
        }
        c.id = *store.InsertCommission(c);
        auto n = Notice::ToMember(marketer, "marketing.notify.reward", "marketing.commission." + c.id.ToString());
        n.money["amount"] = c.amount;
        n.params["role"] = std::string(ToString(role));
        n.params["note"] = words;
        store.Notify(n);
    });
    return c;
}

Payout CommissionService::RecordPayout(const core::Viewer& staff, core::UserId marketer, core::Money amount,
                                       const std::string& reference) {
    RequireStaff(staff);
    auto ref = std::string(core::Trim(reference));
    if (ref.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "a payout needs its reference", "marketing.reference_required");
    }
    core::RequireStorableText(ref, "reference", core::TextLines::kSingle);
    RequireCurrency(amount, options_.currency);
    if (amount.minor <= 0) {
        throw Error(ErrorCode::kInvalidArgument, "a payout is more than zero", "marketing.amount_positive");
    }
    Payout payout{.marketer = marketer,
                  .amount = core::Money{amount.minor, options_.currency},
                  .reference = ref,
                  .created_by = staff.user_id,
                  .created_at = clock_.Now()};
    repo_.Write(staff, [&](MarketingStore& store) {
        store.LockMember(marketer);
        auto rows = store.CommissionsOf(marketer, std::nullopt, std::nullopt);
        auto payouts = store.PayoutsOf(marketer, std::nullopt, std::nullopt);
        auto due = DueBefore(rows, payouts, std::nullopt);
        if (amount.minor > due) {
            std::map<std::string, std::string> params;
            PutAmount(params, "amount", amount.minor, options_.currency);
            PutAmount(params, "due", due, options_.currency);
            // Nothing due, or a clawback owed (a negative balance): said as such, not as a negative figure.
            auto key = due > 0    ? "marketing.payout_exceeds"
                       : due == 0 ? "marketing.payout_nothing_due"
                                  : "marketing.payout_owed";
            throw Error(ErrorCode::kInvalidArgument,
                        "the payout is more than what is due (" + AmountText(due, options_.currency) + ")", key,
                        params);
        }
        payout.id = store.InsertPayout(payout);
        // Payouts and clawbacks both settle what was earned: positive rows (due or paid), oldest due first, are
        // covered by the payouts plus the clawbacks netted against them, each row covered whole is paid (by this
        // payout when it was still due), the first not covered stops. Clawbacks are netted by this payout (paid):
        // a payout is only possible once the rows due exceed them. A balance of 0 leaves no row due.
        long long pool = payout.amount.minor;
        for (const auto& p : payouts) pool += p.amount.minor;
        std::vector<Commission> owed;
        for (auto& c : rows) {
            if (!Counts(c)) continue;
            if (c.kind != CommissionKind::kClawback) {
                owed.push_back(c);
                continue;
            }
            pool += -c.amount.minor;
            if (c.status != CommissionStatus::kDue) continue;
            c.status = CommissionStatus::kPaid;
            c.paid_at = payout.created_at;
            c.payout = payout.id;
            store.UpdateCommission(c);
        }
        std::stable_sort(owed.begin(), owed.end(), [](const auto& a, const auto& b) {
            return std::tie(a.due_at, a.id) < std::tie(b.due_at, b.id);
        });
        long long running = 0;
        for (auto& c : owed) {
            running += c.amount.minor;
            if (running > pool) break;
            if (c.status != CommissionStatus::kDue) continue;
            c.status = CommissionStatus::kPaid;
            c.paid_at = payout.created_at;
            c.payout = payout.id;
            store.UpdateCommission(c);
        }
        auto n = Notice::ToMember(marketer, "marketing.notify.payout", "marketing.payout." + payout.id.ToString());
        n.money["amount"] = payout.amount;
        n.params["reference"] = ref;
        store.Notify(n);
    });
    return payout;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading.

CommissionService::Balance CommissionService::BalanceOf(const core::Viewer& viewer, core::UserId marketer) {
    RequireOwnOrStaff(viewer, marketer);
    Balance balance;
    balance.currency = options_.currency;
    repo_.Read(viewer, [&](MarketingStore& store) {
        auto rows = store.CommissionsOf(marketer, std::nullopt, std::nullopt);
        auto payouts = store.PayoutsOf(marketer, std::nullopt, std::nullopt);
        balance.due_minor = DueBefore(rows, payouts, std::nullopt);
        for (const auto& c : rows) {
            if (c.status == CommissionStatus::kPending) balance.pending_minor += c.amount.minor;
        }
        for (const auto& p : payouts) balance.paid_minor += p.amount.minor;
    });
    return balance;
}

Statement CommissionService::MonthlyStatement(const core::Viewer& viewer, core::UserId marketer,
                                              const std::string& month) {
    RequireOwnOrStaff(viewer, marketer);
    auto [start, end, name] = MonthRange(month, zone_, clock_.Now());
    Statement statement;
    repo_.Read(viewer, [&](MarketingStore& store) {
        statement = StatementIn(store, viewer, marketer, start, end, options_.currency);
    });
    statement.month = name;
    return statement;
}

std::vector<Statement> CommissionService::Statements(const core::Viewer& staff, const std::string& month) {
    RequireStaff(staff);
    auto [start, end, name] = MonthRange(month, zone_, clock_.Now());
    std::vector<Statement> out;
    repo_.Read(staff, [&](MarketingStore& store) {
        for (auto marketer : store.Marketers()) {
            out.push_back(StatementIn(store, staff, marketer, start, end, options_.currency));
            out.back().month = name;
        }
    });
    return out;
}

}  // namespace maxis::marketing
