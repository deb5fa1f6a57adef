#include "commands/marketing_commands.hpp"

#include <climits>

#include "core/money.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

using namespace marketing;

constexpr std::uint32_t kColorMarketing = 0x9B59B6;
constexpr std::size_t kMaxApplicationsShown = 12;  // two buttons each, within Discord's 25
constexpr std::size_t kMaxJoinsShown = 10;
constexpr std::size_t kMaxLinesShown = 20;

std::string RoleName(const Invocation& inv, RoleKind role) {
    return inv.T("marketing.role." + std::string(ToString(role)));
}

RoleKind RoleOf(const Invocation& inv) {
    // The argument's choices are the roles' keys, so this never fails for a value the engine let through.
    return ParseRoleKind(inv.args.Get<std::string>("role")).value_or(RoleKind::kAmbassador);
}

std::string Amount(const Invocation& inv, long long minor, const std::string& currency) {
    return core::FormatMoney(core::Money{minor, currency}, inv.locale);
}

std::string Date(const Invocation& inv, const core::TimeZone& zone, core::TimePoint t) {
    return zone.Format(t, inv.locale);
}

/// The enabled roles as a choice: their key, or their French or English name, without case or accents.
std::vector<EnumChoice> RoleChoices(const Catalog& catalog, const std::vector<RoleConfig>& roles) {
    std::vector<EnumChoice> choices;
    for (const auto& role : roles) {
        if (!role.enabled) continue;
        auto key = "marketing.role." + std::string(ToString(role.kind));
        EnumChoice choice{std::string(ToString(role.kind)), {catalog.Text("fr", key)}};
        if (auto en = catalog.Text("en", key); en != choice.aliases.front()) choice.aliases.push_back(en);
        choices.push_back(std::move(choice));
    }
    return choices;
}

ArgSpec RoleArg(const Catalog& catalog, const MarketingService& roles) {
    return ArgSpec{.name = "role", .type = ArgType::kEnum, .choices = RoleChoices(catalog, roles.roles())};
}
ArgSpec MemberArg() { return ArgSpec{.name = "member", .type = ArgType::kUser}; }
ArgSpec RestArg(const std::string& name) { return ArgSpec{.name = name, .type = ArgType::kRest}; }
ArgSpec MonthArg() { return ArgSpec{.name = "month", .type = ArgType::kWord, .required = false}; }

core::UserId MemberOf(const Invocation& inv) { return inv.args.Get<core::UserId>("member"); }
std::string Text(const Invocation& inv, const std::string& name) {
    return std::string(core::Trim(inv.args.Optional<std::string>(name).value_or("")));
}
/// "-" leaves an optional text of the form empty (it lets a later one be typed on the chat line).
std::string FormText(const Invocation& inv, const std::string& name) {
    auto text = Text(inv, name);
    return text == "-" ? std::string() : text;
}

/// What the role earns, in words: "20 % de chaque achat…", "50,00 € à 200,00 € par mois", "l'offre pro".
std::string RewardText(const Invocation& inv, const RoleConfig& role, const std::string& currency) {
    std::map<std::string, std::string> params{{"percent", std::to_string(role.commission_percent)},
                                              {"min", Amount(inv, role.min_minor, currency)},
                                              {"max", Amount(inv, role.max_minor, currency)},
                                              {"plan", role.plan}};
    return inv.T("marketing.cmd.reward." + std::string(ToString(role.reward)), params);
}

std::string RequirementLine(const Invocation& inv, const Requirement& r) {
    auto line = (r.met() ? "✅ " : "⏳ ") + inv.T("marketing.requirement." + r.key,
                                                {{"have", std::to_string(r.have)}, {"need", std::to_string(r.need)}});
    if (r.verified_by_staff) line += " " + inv.T("marketing.cmd.verified_by_staff");
    return line;
}

/// Where the member stands for one role: held, applied, or the conditions with their progress.
std::string StatusText(const Invocation& inv, const RoleStatus& s, const std::string& currency,
                       const core::TimeZone& zone) {
    std::string text = RewardText(inv, s.role, currency) + "\n";
    if (s.holds) return text + inv.T("marketing.cmd.status_holds");
    for (const auto& r : s.requirements) text += RequirementLine(inv, r) + "\n";
    if (s.pending)
        return text + inv.T("marketing.cmd.status_pending", {{"date", Date(inv, zone, s.pending->created_at)}});
    auto key = std::string(ToString(s.role.kind));
    return text +
           inv.T(s.eligible() ? "marketing.cmd.status_can_apply" : "marketing.cmd.status_not_yet", {{"role", key}});
}

std::string FormSummary(const Invocation& inv, const ApplicationForm& form) {
    std::string text;
    auto add = [&](const std::string& field, const std::string& value) {
        if (!value.empty()) text += "\n" + inv.T("marketing.field." + field) + " : " + value;
    };
    if (form.followers > 0) add("followers", std::to_string(form.followers));
    add("links", form.links);
    add("portfolio", form.portfolio);
    add("message", form.message);
    return text;
}

std::string JoinLine(const Invocation& inv, const InviteJoin& j, const core::TimeZone& zone) {
    std::string status = inv.T("marketing.cmd.join_status." + std::string(ToString(j.status)));
    if (j.status == JoinStatus::kFake) {
        status += " (" + inv.T("marketing.cmd.fake_reason." + j.fake_reason) + ")";
    }
    return Mention(j.member) + " · " + status + " · " + Date(inv, zone, j.joined_at);
}

std::string CountsText(const Invocation& inv, core::UserId inviter, const InviteCounts& c) {
    return inv.T("marketing.cmd.invite_counts", {{"member", Mention(inviter)},
                                                 {"total", std::to_string(c.total())},
                                                 {"regular", std::to_string(c.regular)},
                                                 {"left", std::to_string(c.left)},
                                                 {"fake", std::to_string(c.fake)},
                                                 {"bonus", std::to_string(c.bonus)},
                                                 {"validated", std::to_string(c.validated)},
                                                 {"pending", std::to_string(c.pending)}});
}

std::vector<EnumChoice> Windows() {
    return {{"7d", {"7j", "semaine", "week", "7"}}, {"30d", {"30j", "mois", "month", "30"}}, {"all", {"tout"}}};
}

std::vector<EnumChoice> ApplicationStatuses() {
    return {{"pending", {"attente", "en_attente", "en-attente"}},
            {"approved", {"approuvées", "approuvee", "acceptées", "acceptee"}},
            {"rejected", {"refusées", "refusee", "rejetées", "rejetee"}}};
}

/// "2026-12" as the reader says it: "décembre 2026"; anything else as given.
std::string MonthText(const Invocation& inv, const std::string& month) {
    auto parts = core::Split(month, '-');
    if (parts.size() != 2 || parts[1].size() != 2 || !core::ParseInteger(parts[1], 1, 12)) return month;
    return inv.T("marketing.cmd.month_name." + parts[1], {{"year", parts[0]}});
}

std::string CommissionLine(const Invocation& inv, const Commission& c, const core::TimeZone& zone, bool staff) {
    std::string line = Date(inv, zone, c.created_at) + " · " +
                       inv.T("marketing.cmd.kind." + std::string(ToString(c.kind))) + " · " +
                       Amount(inv, c.amount.minor, c.amount.currency) + " · " +
                       inv.T("marketing.cmd.commission_status." + std::string(ToString(c.status)));
    if (c.kind == CommissionKind::kSale) {
        line += " · " + inv.T("marketing.cmd.sale_of", {{"sale", Amount(inv, c.sale_minor, c.amount.currency)},
                                                        {"percent", std::to_string(c.percent)}});
    }
    // Who bought is staff's to know, never the marketer's (the service blanks it for them as well).
    if (staff && c.buyer.value != 0) line += " · " + inv.T("marketing.cmd.buyer", {{"buyer", Mention(c.buyer)}});
    if (!c.note.empty()) {
        bool reason = c.note == kReasonRefund || c.note == kReasonPartialRefund || c.note == kReasonDispute ||
                      c.note == kReasonInviteCancelled;
        line += " · " + (reason ? inv.T("marketing.cmd.reason." + c.note) : c.note);
    }
    return line;
}

/// A marketer's month: what was carried in, earned, taken back, paid, still pending and carried out, then its
/// rows and payouts. staff: the reader is staff (buyers named).
Reply StatementReply(const Invocation& inv, const Statement& s, const core::TimeZone& zone, bool staff) {
    auto money = [&](long long minor) { return Amount(inv, minor, s.currency); };
    Embed e{.title = inv.T("marketing.cmd.statement_title", {{"month", MonthText(inv, s.month)}}),
            .color = kColorMarketing};
    e.description = inv.T("marketing.cmd.statement_summary", {{"member", Mention(s.marketer)},
                                                              {"opening", money(s.opening_minor)},
                                                              {"earned", money(s.earned_minor)},
                                                              {"reversed", money(s.reversed_minor)},
                                                              {"paid", money(s.paid_minor)},
                                                              {"pending", money(s.pending_minor)},
                                                              {"closing", money(s.closing_minor)}});
    if (s.closing_minor < 0) e.description += "\n" + inv.T("marketing.cmd.statement_owed");
    std::string lines;
    std::size_t shown = 0;
    for (const auto& c : s.lines) {
        if (shown++ == kMaxLinesShown) break;
        lines += CommissionLine(inv, c, zone, staff) + "\n";
    }
    if (s.lines.size() > kMaxLinesShown) {
        lines += inv.T("marketing.cmd.lines_more", {{"count", std::to_string(s.lines.size() - kMaxLinesShown)}});
    }
    if (!lines.empty()) e.fields.push_back({inv.T("marketing.field.lines"), std::string(core::Trim(lines))});
    std::string payouts;
    for (const auto& p : s.payouts) {
        payouts += Date(inv, zone, p.created_at) + " · " + money(p.amount.minor) + " · " +
                   inv.T("marketing.cmd.reference", {{"reference", p.reference}}) + "\n";
    }
    if (!payouts.empty()) e.fields.push_back({inv.T("marketing.field.payouts"), std::string(core::Trim(payouts))});
    if (s.lines.empty() && s.payouts.empty()) e.footer = inv.T("marketing.cmd.statement_empty");
    return Reply{.embeds = {std::move(e)}, .ephemeral = true};
}

void RegisterMemberCommands(Engine& engine, MarketingService& roles, CommissionService& commissions,
                            const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "marketing",
        .handler =
            [&roles, &commissions, &zone](const Invocation& inv) {
                Embed e{.title = inv.T("marketing.cmd.status_title"), .color = kColorMarketing};
                for (const auto& s : roles.Status(inv.viewer)) {
                    e.fields.push_back({(s.holds ? "✅ " : "") + RoleName(inv, s.role.kind),
                                        StatusText(inv, s, commissions.options().currency, zone)});
                }
                if (e.fields.empty()) e.description = inv.T("marketing.cmd.status_none");
                return Reply{.embeds = {std::move(e)}, .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "marketing_apply",
        .args = {RoleArg(engine.catalog(), roles),
                 {.name = "followers", .type = ArgType::kInteger, .required = false},
                 {.name = "links", .type = ArgType::kString, .required = false},
                 {.name = "portfolio", .type = ArgType::kString, .required = false},
                 {.name = "message", .type = ArgType::kRest, .required = false}},
        .handler =
            [&roles](const Invocation& inv) {
                ApplicationForm form{.followers = inv.args.Optional<std::int64_t>("followers").value_or(0),
                                     .links = FormText(inv, "links"),
                                     .portfolio = FormText(inv, "portfolio"),
                                     .message = FormText(inv, "message")};
                auto a = roles.Apply(inv.viewer, RoleOf(inv), form);
                return Reply{
                    .text = inv.T("marketing.cmd.applied", {{"id", a.id.ToString()}, {"role", RoleName(inv, a.role)}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
        // On Discord, the role's form in a modal: followers and links for an influencer, a portfolio for a creator,
        // a message for the others.
        .form_args =
            [](const std::map<std::string, std::string>& options) {
                auto role = options.find("role");
                if (role == options.end()) return std::vector<std::string>{};
                if (role->second == "influencer") return std::vector<std::string>{"followers", "links"};
                if (role->second == "creator") return std::vector<std::string>{"portfolio"};
                return std::vector<std::string>{"message"};
            },
    });

    engine.Register(CommandSpec{
        .name = "referral",
        .args = {{.name = "code", .type = ArgType::kWord, .required = false}},
        .handler =
            [&commissions](const Invocation& inv) {
                auto view = commissions.Referral(inv.viewer, Text(inv, "code"));
                auto balance = commissions.BalanceOf(inv.viewer, inv.viewer.user_id);
                auto money = [&](long long minor) { return Amount(inv, minor, balance.currency); };
                Embed e{.title = inv.T("marketing.cmd.referral_title"), .color = kColorMarketing};
                if (view.code) {
                    e.description = inv.T(view.code->promotion_code_id.empty() ? "marketing.cmd.referral_code"
                                                                               : "marketing.cmd.referral_code_checkout",
                                          {{"code", view.code->code}});
                }
                if (!view.link.empty()) {
                    e.description += "\n" + inv.T("marketing.cmd.referral_link", {{"link", view.link}});
                }
                e.fields.push_back({inv.T("marketing.field.attributed"), std::to_string(view.attributed), true});
                e.fields.push_back({inv.T("marketing.field.due"), money(balance.due_minor), true});
                e.fields.push_back({inv.T("marketing.field.pending"), money(balance.pending_minor), true});
                e.fields.push_back({inv.T("marketing.field.paid"), money(balance.paid_minor), true});
                e.footer = inv.T("marketing.cmd.referral_footer");
                return Reply{.embeds = {std::move(e)}, .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "referral_use",
        .args = {{.name = "code", .type = ArgType::kWord}},
        .handler =
            [&commissions, &zone](const Invocation& inv) {
                auto a = commissions.UseCode(inv.viewer, Text(inv, "code"));
                return Reply{.text = inv.T("marketing.cmd.referral_used",
                                           {{"referrer", Mention(a.referrer)}, {"until", Date(inv, zone, a.ends_at)}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "commissions",
        .args = {MonthArg()},
        .handler =
            [&commissions, &zone](const Invocation& inv) {
                return StatementReply(
                    inv, commissions.MonthlyStatement(inv.viewer, inv.viewer.user_id, Text(inv, "month")), zone, false);
            },
        .ephemeral = true,
    });
}

void RegisterInviteCommands(Engine& engine, InviteService& invites, const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "invites",
        .args = {{.name = "member", .type = ArgType::kUser, .required = false}},
        .handler =
            [&invites, &zone](const Invocation& inv) {
                auto inviter = inv.args.Optional<core::UserId>("member").value_or(inv.viewer.user_id);
                auto summary = invites.Summary(inv.viewer, inviter);
                Embed e{.title = inv.T("marketing.cmd.invites_title"),
                        .description = CountsText(inv, inviter, summary.counts),
                        .color = kColorMarketing};
                std::string joins;
                std::size_t shown = 0;
                for (const auto& j : summary.recent) {
                    if (shown++ == kMaxJoinsShown) break;
                    joins += JoinLine(inv, j, zone) + "\n";
                }
                if (!joins.empty())
                    e.fields.push_back({inv.T("marketing.field.recent"), std::string(core::Trim(joins))});
                return Reply{.embeds = {std::move(e)}, .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "invites_top",
        .args = {{.name = "window", .type = ArgType::kEnum, .required = false, .choices = Windows()}},
        .handler =
            [&invites](const Invocation& inv) {
                auto name = inv.args.Optional<std::string>("window").value_or("30d");
                auto rows = invites.Leaderboard(ParseWindow(name).value_or(Window::kMonth));
                Embed e{.title = inv.T("marketing.cmd.top_title." + name), .color = kColorMarketing};
                int rank = 0;
                for (const auto& r : rows) {
                    e.description += inv.T("marketing.cmd.top_line", {{"rank", std::to_string(++rank)},
                                                                      {"member", Mention(r.inviter)},
                                                                      {"total", std::to_string(r.total)},
                                                                      {"validated", std::to_string(r.validated)}}) +
                                     "\n";
                }
                e.description =
                    rows.empty() ? inv.T("marketing.cmd.top_empty") : std::string(core::Trim(e.description));
                return Reply{.embeds = {std::move(e)}};
            },
    });

    engine.Register(CommandSpec{
        .name = "invites_bonus",
        .args = {MemberArg(),
                 {.name = "amount", .type = ArgType::kInteger, .min = INT_MIN + 1, .max = INT_MAX},
                 RestArg("reason")},
        .permission = core::Role::kStaff,
        .handler =
            [&invites](const Invocation& inv) {
                auto amount = static_cast<int>(inv.args.Get<std::int64_t>("amount"));
                auto counts = invites.AddBonus(inv.viewer, MemberOf(inv), amount, Text(inv, "reason"));
                return Reply{.text = inv.T("marketing.cmd.bonus_added",
                                           {{"amount", (amount > 0 ? "+" : "") + std::to_string(amount)},
                                            {"reason", Text(inv, "reason")}}) +
                                     "\n" + CountsText(inv, MemberOf(inv), counts),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });
}

void RegisterStaffRoleCommands(Engine& engine, MarketingService& roles, const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "marketing_applications",
        .args = {{.name = "status", .type = ArgType::kEnum, .required = false, .choices = ApplicationStatuses()}},
        .permission = core::Role::kStaff,
        .handler =
            [&roles, &zone](const Invocation& inv) {
                auto name = inv.args.Optional<std::string>("status").value_or("pending");
                auto status = ParseApplicationStatus(name).value_or(ApplicationStatus::kPending);
                auto list = roles.Applications(inv.viewer, status);
                Reply reply{.ephemeral = true};
                if (list.empty()) {
                    reply.text = inv.T("marketing.cmd.applications_none." + name);
                    return reply;
                }
                Embed e{.title =
                            inv.T("marketing.cmd.applications_title." + name, {{"count", std::to_string(list.size())}}),
                        .color = kColorMarketing};
                for (const auto& a : list) {
                    if (e.fields.size() == kMaxApplicationsShown) break;
                    auto value = Mention(a.user) + " · " + Date(inv, zone, a.created_at) + FormSummary(inv, a.form);
                    if (a.status == ApplicationStatus::kRejected && !a.reason.empty()) {
                        value += "\n" + inv.T("marketing.cmd.rejected_because", {{"reason", a.reason}});
                    }
                    e.fields.push_back({"#" + a.id.ToString() + " · " + RoleName(inv, a.role), value});
                    if (a.status != ApplicationStatus::kPending) continue;
                    auto target = a.user.ToString() + " " + std::string(ToString(a.role));
                    reply.buttons.push_back({.label = inv.T("marketing.button.approve", {{"id", a.id.ToString()}}),
                                             .action = "marketing_approve " + target,
                                             .style = ButtonStyle::kSuccess});
                    reply.buttons.push_back({.label = inv.T("marketing.button.reject", {{"id", a.id.ToString()}}),
                                             .action = "marketing_reject " + target,
                                             .style = ButtonStyle::kDanger,
                                             .asks_input = true});
                }
                if (list.size() > kMaxApplicationsShown) {
                    e.footer = inv.T("marketing.cmd.applications_more",
                                     {{"count", std::to_string(list.size() - kMaxApplicationsShown)}});
                }
                reply.embeds.push_back(std::move(e));
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "marketing_approve",
        .args = {MemberArg(), RoleArg(engine.catalog(), roles)},
        .permission = core::Role::kStaff,
        .handler =
            [&roles](const Invocation& inv) {
                auto held = roles.Approve(inv.viewer, MemberOf(inv), RoleOf(inv));
                return Reply{.text = inv.T("marketing.cmd.approved",
                                           {{"member", Mention(held.user)}, {"role", RoleName(inv, held.role)}})};
            },
    });

    engine.Register(CommandSpec{
        .name = "marketing_reject",
        .args = {MemberArg(), RoleArg(engine.catalog(), roles), RestArg("reason")},
        .permission = core::Role::kStaff,
        .handler =
            [&roles](const Invocation& inv) {
                auto a = roles.Reject(inv.viewer, MemberOf(inv), RoleOf(inv), Text(inv, "reason"));
                return Reply{
                    .text = inv.T("marketing.cmd.rejected",
                                  {{"member", Mention(a.user)}, {"role", RoleName(inv, a.role)}, {"reason", a.reason}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "marketing_revoke",
        .args = {MemberArg(), RoleArg(engine.catalog(), roles), RestArg("reason")},
        .permission = core::Role::kStaff,
        .handler =
            [&roles](const Invocation& inv) {
                auto r = roles.Revoke(inv.viewer, MemberOf(inv), RoleOf(inv), Text(inv, "reason"));
                return Reply{.text = inv.T("marketing.cmd.revoked", {{"member", Mention(r.user)},
                                                                     {"role", RoleName(inv, r.role)},
                                                                     {"reason", r.revoke_reason}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "marketing_event",
        .args = {MemberArg(), RestArg("name")},
        .permission = core::Role::kStaff,
        .handler =
            [&roles](const Invocation& inv) {
                auto a = roles.MarkEvent(inv.viewer, MemberOf(inv), Text(inv, "name"));
                return Reply{
                    .text = inv.T("marketing.cmd.event_marked", {{"member", Mention(a.user)}, {"name", a.note}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "marketing_help_discount",
        .args = {MemberArg(),
                 {.name = "amount", .type = ArgType::kInteger, .min = INT_MIN + 1, .max = INT_MAX},
                 RestArg("reason")},
        .permission = core::Role::kStaff,
        .handler =
            [&roles](const Invocation& inv) {
                auto amount = static_cast<int>(inv.args.Get<std::int64_t>("amount"));
                auto a = roles.DiscountHelp(inv.viewer, MemberOf(inv), amount, Text(inv, "reason"));
                return Reply{.text = inv.T(
                                 "marketing.cmd.help_discounted",
                                 {{"member", Mention(a.user)}, {"amount", std::to_string(amount)}, {"reason", a.note}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });
}

void RegisterLedgerCommands(Engine& engine, MarketingService& roles, CommissionService& commissions,
                            const core::TimeZone& zone) {
    engine.Register(CommandSpec{
        .name = "marketing_reward",
        .args = {MemberArg(),
                 RoleArg(engine.catalog(), roles),
                 {.name = "amount", .type = ArgType::kMoney},
                 RestArg("note")},
        .permission = core::Role::kStaff,
        .handler =
            [&commissions](const Invocation& inv) {
                auto c = commissions.AddReward(
                    inv.viewer, MemberOf(inv), RoleOf(inv),
                    core::Money{inv.args.Get<std::int64_t>("amount"), commissions.options().currency},
                    Text(inv, "note"));
                return Reply{.text = inv.T("marketing.cmd.reward_added",
                                           {{"member", Mention(c.marketer)},
                                            {"amount", Amount(inv, c.amount.minor, c.amount.currency)},
                                            {"role", RoleName(inv, c.role)},
                                            {"note", c.note}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "commission_payout",
        .args = {MemberArg(), {.name = "amount", .type = ArgType::kMoney}, RestArg("reference")},
        .permission = core::Role::kStaff,
        .handler =
            [&commissions](const Invocation& inv) {
                auto p = commissions.RecordPayout(
                    inv.viewer, MemberOf(inv),
                    core::Money{inv.args.Get<std::int64_t>("amount"), commissions.options().currency},
                    Text(inv, "reference"));
                return Reply{.text = inv.T("marketing.cmd.payout_recorded",
                                           {{"member", Mention(p.marketer)},
                                            {"amount", Amount(inv, p.amount.minor, p.amount.currency)},
                                            {"reference", p.reference}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "commissions_of",
        .args = {MemberArg(), MonthArg()},
        .permission = core::Role::kStaff,
        .handler =
            [&commissions, &zone](const Invocation& inv) {
                return StatementReply(inv, commissions.MonthlyStatement(inv.viewer, MemberOf(inv), Text(inv, "month")),
                                      zone, true);
            },
        .ephemeral = true,
    });
}

}  // namespace

void RegisterMarketingCommands(Engine& engine, MarketingService& roles, InviteService& invites,
                               CommissionService& commissions, const core::TimeZone& zone) {
    RegisterMemberCommands(engine, roles, commissions, zone);
    RegisterInviteCommands(engine, invites, zone);
    RegisterStaffRoleCommands(engine, roles, zone);
    RegisterLedgerCommands(engine, roles, commissions, zone);
}

}  // namespace maxis::commands
