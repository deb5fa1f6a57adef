#include "domain/marketing/marketing.hpp"

#include <array>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::marketing {

namespace {

template <class E, std::size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <class E, std::size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return names[0].second;
}

constexpr std::array<std::pair<RoleKind, std::string_view>, 7> kRoles{{
    {RoleKind::kAmbassador, "ambassador"},
    {RoleKind::kInfluencer, "influencer"},
    {RoleKind::kCreator, "creator"},
    {RoleKind::kHelper, "helper"},
    {RoleKind::kEventHost, "event_host"},
    {RoleKind::kBetaTester, "beta_tester"},
    {RoleKind::kPartner, "partner"},
}};

/// What people type for each role, folded (lower case, no accents), spaces and dashes as underscores.
constexpr std::array<std::pair<RoleKind, std::string_view>, 16> kRoleAliases{{
    {RoleKind::kAmbassador, "ambassadeur"},
    {RoleKind::kAmbassador, "ambassadrice"},
    {RoleKind::kInfluencer, "influenceur"},
    {RoleKind::kInfluencer, "influenceuse"},
    {RoleKind::kCreator, "createur"},
    {RoleKind::kCreator, "creatrice"},
    {RoleKind::kEventHost, "eventhost"},
    {RoleKind::kEventHost, "host"},
    {RoleKind::kEventHost, "organisateur"},
    {RoleKind::kBetaTester, "beta"},
    {RoleKind::kBetaTester, "betatester"},
    {RoleKind::kBetaTester, "testeur"},
    {RoleKind::kBetaTester, "beta_testeur"},
    {RoleKind::kPartner, "partenaire"},
    {RoleKind::kPartner, "partnership"},
    {RoleKind::kHelper, "aide"},
}};

constexpr std::array<std::pair<RewardKind, std::string_view>, 5> kRewards{{
    {RewardKind::kCommission, "commission"},
    {RewardKind::kMonthly, "monthly"},
    {RewardKind::kPerPiece, "per_piece"},
    {RewardKind::kPerEvent, "per_event"},
    {RewardKind::kFreePlan, "free_plan"},
}};

constexpr std::array<std::pair<ApplicationStatus, std::string_view>, 3> kApplicationStatuses{{
    {ApplicationStatus::kPending, "pending"},
    {ApplicationStatus::kApproved, "approved"},
    {ApplicationStatus::kRejected, "rejected"},
}};

constexpr std::array<std::pair<ActivityKind, std::string_view>, 2> kActivities{{
    {ActivityKind::kHelpMessage, "help_message"},
    {ActivityKind::kEvent, "event"},
}};

constexpr std::array<std::pair<JoinSource, std::string_view>, 3> kJoinSources{{
    {JoinSource::kInvite, "invite"},
    {JoinSource::kVanity, "vanity"},
    {JoinSource::kUnknown, "unknown"},
}};

constexpr std::array<std::pair<JoinStatus, std::string_view>, 4> kJoinStatuses{{
    {JoinStatus::kPending, "pending"},
    {JoinStatus::kValidated, "validated"},
    {JoinStatus::kLeftEarly, "left_early"},
    {JoinStatus::kFake, "fake"},
}};

constexpr std::array<std::pair<Window, std::string_view>, 3> kWindows{{
    {Window::kWeek, "7d"},
    {Window::kMonth, "30d"},
    {Window::kAll, "all"},
}};

constexpr std::array<std::pair<AttributionSource, std::string_view>, 3> kAttributionSources{{
    {AttributionSource::kInvite, "invite"},
    {AttributionSource::kCode, "code"},
    {AttributionSource::kPromotion, "promotion"},
}};

constexpr std::array<std::pair<CommissionKind, std::string_view>, 5> kCommissionKinds{{
    {CommissionKind::kSale, "sale"},
    {CommissionKind::kMonthly, "monthly"},
    {CommissionKind::kPiece, "piece"},
    {CommissionKind::kEvent, "event"},
    {CommissionKind::kClawback, "clawback"},
}};

constexpr std::array<std::pair<CommissionStatus, std::string_view>, 4> kCommissionStatuses{{
    {CommissionStatus::kPending, "pending"},
    {CommissionStatus::kDue, "due"},
    {CommissionStatus::kPaid, "paid"},
    {CommissionStatus::kReversed, "reversed"},
}};

[[noreturn]] void Bad(const RoleConfig& role, std::string_view field, std::string why) {
    auto name = std::string(ToString(role.kind));
    throw core::Error(core::ErrorCode::kInvalidArgument,
                      "marketing.roles." + name + "." + std::string(field) + ": " + std::move(why),
                      "marketing.bad_role_config", {{"role", name}, {"field", std::string(field)}});
}

/// Half up, for non-negative figures.
long long RoundedShare(long long numerator, long long denominator) {
    if (denominator <= 0) return 0;
    return (numerator * 2 + denominator) / (denominator * 2);
}

}  // namespace

std::string_view ToString(RoleKind role) { return Name(kRoles, role); }

std::optional<RoleKind> ParseRoleKind(std::string_view text) {
    std::string folded;
    for (char c : core::FoldForMatch(core::Trim(text))) folded.push_back(c == ' ' || c == '-' ? '_' : c);
    if (auto role = Parse(kRoles, folded)) return role;
    if (auto role = Parse(kRoleAliases, folded)) return role;
    std::string squeezed;
    for (char c : folded)
        if (c != '_') squeezed.push_back(c);
    if (auto role = Parse(kRoleAliases, squeezed)) return role;
    for (const auto& [value, name] : kRoles) {
        std::string n;
        for (char c : name)
            if (c != '_') n.push_back(c);
        if (n == squeezed) return value;
    }
    return std::nullopt;
}

const std::vector<RoleKind>& AllRoles() {
    static const std::vector<RoleKind> all{RoleKind::kAmbassador, RoleKind::kInfluencer, RoleKind::kCreator,
                                           RoleKind::kHelper,     RoleKind::kEventHost,  RoleKind::kBetaTester,
                                           RoleKind::kPartner};
    return all;
}

std::string_view ToString(RewardKind reward) { return Name(kRewards, reward); }

std::vector<RoleConfig> DefaultRoles() {
    std::vector<RoleConfig> roles;
    roles.push_back(RoleConfig{.kind = RoleKind::kAmbassador,
                               .reward = RewardKind::kCommission,
                               .commission_percent = 20,
                               .required_invites = 10});
    roles.push_back(RoleConfig{.kind = RoleKind::kInfluencer,
                               .reward = RewardKind::kMonthly,
                               .min_minor = 5000,
                               .max_minor = 20000,
                               .required_followers = 1000,
                               .needs_links = true});
    roles.push_back(RoleConfig{.kind = RoleKind::kCreator,
                               .reward = RewardKind::kPerPiece,
                               .min_minor = 1000,
                               .max_minor = 5000,
                               .needs_portfolio = true});
    roles.push_back(RoleConfig{.kind = RoleKind::kHelper,
                               .reward = RewardKind::kMonthly,
                               .min_minor = 2000,
                               .max_minor = 5000,
                               .required_help_messages = 100});
    roles.push_back(RoleConfig{.kind = RoleKind::kEventHost,
                               .reward = RewardKind::kPerEvent,
                               .min_minor = 5000,
                               .max_minor = 20000,
                               .required_events = 3});
    roles.push_back(RoleConfig{
        .kind = RoleKind::kBetaTester, .reward = RewardKind::kFreePlan, .plan = "pro", .needs_description = true});
    roles.push_back(RoleConfig{.kind = RoleKind::kPartner,
                               .reward = RewardKind::kCommission,
                               .commission_percent = 30,
                               .needs_description = true});
    return roles;
}

void ValidateRoles(const std::vector<RoleConfig>& roles) {
    std::set<RoleKind> seen;
    for (const auto& role : roles) {
        if (!seen.insert(role.kind).second) Bad(role, "kind", "the role is configured twice");
        switch (role.reward) {
            case RewardKind::kCommission:
                if (role.commission_percent < 1 || role.commission_percent > 100) {
                    Bad(role, "commission_percent", "must be from 1 to 100");
                }
                break;
            case RewardKind::kMonthly:
            case RewardKind::kPerPiece:
            case RewardKind::kPerEvent:
                if (role.min_minor <= 0 || role.max_minor < role.min_minor || role.max_minor > 99'999'999) {
                    Bad(role, "min/max", "needs 0 < min <= max (amounts in the community's currency)");
                }
                break;
            case RewardKind::kFreePlan:
                if (role.plan.empty()) Bad(role, "plan", "a free-plan role needs the plan it gives");
                break;
        }
        if (role.required_invites < 0 || role.required_followers < 0 || role.required_help_messages < 0 ||
            role.required_events < 0) {
            Bad(role, "required_*", "a requirement cannot be negative");
        }
    }
}

bool EarnsCommission(const RoleConfig& role) {
    return role.enabled && role.reward == RewardKind::kCommission && role.commission_percent > 0;
}

std::string_view ToString(ApplicationStatus status) { return Name(kApplicationStatuses, status); }
std::optional<ApplicationStatus> ParseApplicationStatus(std::string_view text) {
    return Parse(kApplicationStatuses, text);
}
std::string_view ToString(ActivityKind kind) { return Name(kActivities, kind); }
std::string_view ToString(JoinSource source) { return Name(kJoinSources, source); }
std::string_view ToString(JoinStatus status) { return Name(kJoinStatuses, status); }
std::optional<JoinStatus> ParseJoinStatus(std::string_view text) { return Parse(kJoinStatuses, text); }
std::string_view ToString(Window window) { return Name(kWindows, window); }
std::optional<Window> ParseWindow(std::string_view text) {
    auto folded = core::FoldForMatch(core::Trim(text));
    if (folded == "7" || folded == "7j" || folded == "week" || folded == "semaine") return Window::kWeek;
    if (folded == "30" || folded == "30j" || folded == "month" || folded == "mois") return Window::kMonth;
    if (folded == "tout" || folded == "total" || folded == "alltime") return Window::kAll;
    return Parse(kWindows, folded);
}
std::string_view ToString(AttributionSource source) { return Name(kAttributionSources, source); }
std::string_view ToString(CommissionKind kind) { return Name(kCommissionKinds, kind); }
std::optional<CommissionKind> ParseCommissionKind(std::string_view text) { return Parse(kCommissionKinds, text); }
std::string_view ToString(CommissionStatus status) { return Name(kCommissionStatuses, status); }
std::optional<CommissionStatus> ParseCommissionStatus(std::string_view text) {
    return Parse(kCommissionStatuses, text);
}

bool ValidCodeShape(std::string_view text) {
    if (text.size() < 4 || text.size() > 16) return false;
    for (unsigned char c : text) {
        if (!std::isalnum(c) || c > 127) return false;
    }
    return true;
}

std::string NormalizeCode(std::string_view text) {
    std::string code(core::Trim(text));
    for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return code;
}

long long CommissionOf(long long sale_minor, int percent) {
    if (sale_minor <= 0 || percent <= 0) return 0;
    return RoundedShare(sale_minor * percent, 100);
}

long long ReducedCommission(long long original_minor, long long sale_minor, long long refunded_minor) {
    if (sale_minor <= 0 || refunded_minor >= sale_minor) return 0;
    if (refunded_minor <= 0) return original_minor;
    return RoundedShare(original_minor * (sale_minor - refunded_minor), sale_minor);
}

}  // namespace maxis::marketing
