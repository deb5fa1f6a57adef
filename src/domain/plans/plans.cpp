#include "domain/plans/plans.hpp"

#include <algorithm>
#include <limits>

#include "core/errors.hpp"

namespace maxis::plans {

namespace {
bool IsFree(const Plan& p) { return p.billing == Billing::kFree; }
}  // namespace

PlanCatalog::PlanCatalog(std::vector<Plan> plans) : plans_(std::move(plans)) {
    // Members with nothing in force hold the free plan: a catalog without one gets the default.
    if (std::none_of(plans_.begin(), plans_.end(), IsFree)) plans_.insert(plans_.begin(), Plan{.id = "free"});
    std::stable_sort(plans_.begin(), plans_.end(), [](const Plan& a, const Plan& b) { return a.rank < b.rank; });
}

const Plan& PlanCatalog::Free() const { return *std::find_if(plans_.begin(), plans_.end(), IsFree); }

const Plan* PlanCatalog::Find(std::string_view id) const {
    for (const auto& p : plans_) {
        if (p.id == id) return &p;
    }
    return nullptr;
}

const Plan* PlanCatalog::ByPrice(std::string_view price_id) const {
    if (price_id.empty()) return nullptr;
    for (const auto& p : plans_) {
        if (p.price_id == price_id) return &p;
    }
    return nullptr;
}

std::set<std::string> PlanCatalog::ManagedRoles() const {
    std::set<std::string> out;
    for (const auto& p : plans_) {
        if (!p.role_id.empty()) out.insert(p.role_id);
    }
    return out;
}

std::string_view ToString(Billing billing) {
    switch (billing) {
        case Billing::kFree:
            return "free";
        case Billing::kMonthly:
            return "monthly";
        case Billing::kOneTime:
            return "one_time";
    }
    return "free";
}

std::string_view ToString(GrantKind kind) {
    switch (kind) {
        case GrantKind::kSubscription:
            return "subscription";
        case GrantKind::kOneTime:
            return "one_time";
        case GrantKind::kTemporary:
            return "temporary";
    }
    return "subscription";
}

std::string_view ToString(GrantStatus status) {
    switch (status) {
        case GrantStatus::kActive:
            return "active";
        case GrantStatus::kPastDue:
            return "past_due";
        case GrantStatus::kEnded:
            return "ended";
        case GrantStatus::kRevoked:
            return "revoked";
    }
    return "ended";
}

std::string_view ToString(GrantEnd end) {
    switch (end) {
        case GrantEnd::kNone:
            return "";
        case GrantEnd::kTerm:
            return "term";
        case GrantEnd::kUnpaid:
            return "unpaid";
        case GrantEnd::kRevoked:
            return "revoked";
        case GrantEnd::kRefunded:
            return "refunded";
        case GrantEnd::kDisputed:
            return "disputed";
    }
    return "";
}

std::optional<GrantEnd> ParseGrantEnd(std::string_view text) {
    for (auto e : {GrantEnd::kNone, GrantEnd::kTerm, GrantEnd::kUnpaid, GrantEnd::kRevoked, GrantEnd::kRefunded,
                   GrantEnd::kDisputed}) {
        if (ToString(e) == text) return e;
    }
    return std::nullopt;
}

namespace {

/// "<digits>" as a user id, or nullopt.
std::optional<core::UserId> IdText(std::string_view text) {
    if (text.empty() || text.size() > 20) return std::nullopt;
    long long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        if (v > (std::numeric_limits<long long>::max() - (c - '0')) / 10) return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v <= 0) return std::nullopt;
    return core::UserId{v};
}

}  // namespace

std::optional<OldGrantNote> ParseOldGrantNote(std::string_view note) {
    constexpr std::string_view kSep = " · ";
    constexpr std::string_view kGranted = "granted by ";
    constexpr std::string_view kRevoked = "revoked by ";
    OldGrantNote out;
    std::string_view head = note;
    bool parsed = false;
    auto ends_with = [&](std::string_view tail) {
        return head.size() > kSep.size() + tail.size() && head.substr(head.size() - tail.size()) == tail &&
               head.substr(head.size() - tail.size() - kSep.size(), kSep.size()) == kSep;
    };
    if (ends_with("term ended")) {
        out.end = GrantEnd::kTerm;
        head = head.substr(0, head.size() - kSep.size() - std::string_view("term ended").size());
        parsed = true;
    } else if (ends_with("payment not received within the grace period")) {
        out.end = GrantEnd::kUnpaid;
        head = head.substr(
            0, head.size() - kSep.size() - std::string_view("payment not received within the grace period").size());
        parsed = true;
    } else if (auto at = head.rfind(std::string(kSep) + std::string(kRevoked)); at != std::string_view::npos) {
        auto rest = head.substr(at + kSep.size() + kRevoked.size());
        auto colon = rest.find(": ");
        if (colon != std::string_view::npos) {
            if (auto by = IdText(rest.substr(0, colon))) {
                out.end = GrantEnd::kRevoked;
                out.ended_by = by;
                out.end_note = std::string(rest.substr(colon + 2));
                head = head.substr(0, at);
                parsed = true;
            }
        }
    }
    if (head.substr(0, kGranted.size()) == kGranted) {
        if (auto by = IdText(head.substr(kGranted.size()))) {
            out.granted_by = by;
            head = {};
            parsed = true;
        }
    }
    if (!parsed) return std::nullopt;
    out.note = std::string(head);
    return out;
}

std::optional<GrantKind> ParseGrantKind(std::string_view text) {
    for (auto k : {GrantKind::kSubscription, GrantKind::kOneTime, GrantKind::kTemporary}) {
        if (ToString(k) == text) return k;
    }
    return std::nullopt;
}

std::optional<GrantStatus> ParseGrantStatus(std::string_view text) {
    for (auto s : {GrantStatus::kActive, GrantStatus::kPastDue, GrantStatus::kEnded, GrantStatus::kRevoked}) {
        if (ToString(s) == text) return s;
    }
    return std::nullopt;
}

bool InForce(const Grant& g, core::TimePoint now) {
    switch (g.status) {
        case GrantStatus::kActive:
            return !g.expires_at || *g.expires_at > now;
        case GrantStatus::kPastDue:
            return g.grace_until && *g.grace_until > now;
        default:
            return false;
    }
}

bool HeldAt(const Grant& g, core::TimePoint t) {
    if (t < g.created_at) return false;
    bool over = g.status == GrantStatus::kEnded || g.status == GrantStatus::kRevoked;
    if (over && t >= g.updated_at) return false;
    if (g.expires_at && t >= *g.expires_at) return false;
    if (g.status != GrantStatus::kActive && g.grace_until && t >= *g.grace_until) return false;
    return true;
}

Standing StandingOf(const PlanCatalog& catalog, std::vector<Grant> grants, core::TimePoint now) {
    Standing s;
    s.plan = &catalog.Free();
    for (const auto& g : grants) {
        if (!InForce(g, now)) continue;
        const Plan* p = catalog.Find(g.plan);
        if (p == nullptr) continue;
        if (!p->role_id.empty()) s.roles.insert(p->role_id);
        if (p->rank > s.plan->rank) {
            s.plan = p;
            s.main = g;
        }
    }
    s.entitlements = s.plan->entitlements;
    s.grants = std::move(grants);
    return s;
}

std::vector<RoleChange> RoleDrift(const std::map<long long, std::set<std::string>>& desired,
                                  const std::map<long long, std::set<std::string>>& actual,
                                  const std::set<std::string>& managed) {
    static const std::set<std::string> kNone;
    std::vector<RoleChange> out;
    for (const auto& [user, held] : actual) {
        auto it = desired.find(user);
        const auto& want = it == desired.end() ? kNone : it->second;
        for (const auto& role : want) {
            if (!held.contains(role)) out.push_back({core::UserId{user}, role, true});
        }
        for (const auto& role : held) {
            if (managed.contains(role) && !want.contains(role)) out.push_back({core::UserId{user}, role, false});
        }
    }
    return out;
}

std::optional<GrantStatus> StatusFromProvider(std::string_view status) {
    if (status == "active" || status == "trialing") return GrantStatus::kActive;
    if (status == "past_due" || status == "unpaid") return GrantStatus::kPastDue;
    if (status == "canceled" || status == "incomplete_expired" || status == "paused") return GrantStatus::kEnded;
    return std::nullopt;
}

}  // namespace maxis::plans
