#include "commands/ticket_commands.hpp"

#include "core/duration.hpp"
#include "core/strings.hpp"

namespace maxis::commands {

namespace {

using namespace tickets;

constexpr std::uint32_t kColorOpen = 0x5865F2;
constexpr std::uint32_t kColorWaiting = 0xFEE75C;
constexpr std::uint32_t kColorDone = 0x57F287;

std::vector<EnumChoice> Choices(const std::vector<Name>& names) {
    std::vector<EnumChoice> out;
    for (const auto& n : names) {
        EnumChoice choice{std::string(n.value), {std::string(n.french)}};
        if (!n.former.empty()) choice.aliases.emplace_back(n.former);
        out.push_back(std::move(choice));
    }
    return out;
}

ArgSpec IdArg() { return ArgSpec{.name = "id", .type = ArgType::kInteger, .min = 1}; }

TicketId IdOf(const Invocation& inv) { return TicketId{inv.args.Get<std::int64_t>("id")}; }

/// A status as the reader sees it: "waiting on you" for the member is "waiting on the member" for staff.
std::string StatusText(const Invocation& inv, Status s) {
    std::string staff_key = "tickets.status_staff." + std::string(ToString(s));
    if (inv.viewer.IsStaff() && inv.catalog.Has(inv.locale, staff_key)) return inv.T(staff_key);
    return inv.T("tickets.status." + std::string(ToString(s)));
}
std::string PriorityText(const Invocation& inv, Priority p) {
    return inv.T("tickets.priority." + std::string(ToString(p)));
}
std::string CategoryText(const Invocation& inv, Category c) {
    return inv.T("tickets.category." + std::string(ToString(c)));
}

/// One line of a ticket's history, as a sentence: "<@sam> a passé la priorité de moyenne à critique".
std::string HistoryLine(const Invocation& inv, const AuditEntry& a) {
    std::string who = a.actor == core::Viewer::System().user_id ? inv.T("tickets.history.maxis") : Mention(a.actor);
    auto status = [&](const std::string& v) {
        auto s = ParseStatus(v);
        return s ? StatusText(inv, *s) : v;
    };
    auto priority = [&](const std::string& v) {
        auto p = ParsePriority(v);
        return p ? PriorityText(inv, *p) : v;
    };
    auto person = [](const std::string& v) {
        auto id = core::ParseId(v);
        return id ? Mention(core::UserId{*id}) : v;
    };
    Params p{{"who", who}};
    std::string key = "tickets.history." + a.action;
    if (a.action == "create") {
        auto slash = a.after.find('/');
        p["priority"] = priority(a.after.substr(0, slash));
        if (slash != std::string::npos) {
            auto c = ParseCategory(a.after.substr(slash + 1));
            p["category"] = c ? CategoryText(inv, *c) : a.after.substr(slash + 1);
        }
    } else if (a.action == "reply") {
        if (a.before == a.after) key += "_same";
        p["before"] = status(a.before);
        p["after"] = status(a.after);
    } else if (a.action == "status" || a.action == "reopen") {
        p["before"] = status(a.before);
        p["after"] = status(a.after);
    } else if (a.action == "priority") {
        p["before"] = priority(a.before);
        p["after"] = priority(a.after);
    } else if (a.action == "assign") {
        if (!a.before.empty()) key += "_again";
        p["before"] = person(a.before);
        p["after"] = person(a.after);
    } else if (a.action == "close") {
        if (!a.after.empty()) key += "_reason";
        p["reason"] = a.after == "auto_close" ? inv.T("tickets.history.auto_close_reason") : a.after;
    } else if (a.action == "sla_breach") {
        key += "." + a.after;
    }
    if (!inv.catalog.Has(inv.locale, key)) {
        p["action"] = a.action;
        p["before"] = a.before;
        p["after"] = a.after;
        key = "tickets.history.other";
    }
    return inv.T(key, p);
}

std::uint32_t ColorOf(Status s) {
    if (s == Status::kWaitingMember) return kColorWaiting;
    if (s == Status::kResolved || s == Status::kClosed) return kColorDone;
    return kColorOpen;
}

Reply Done(std::string text) { return Reply{.text = std::move(text)}; }

/// The buttons under a ticket: what the caller may do next with it.
std::vector<Button> TicketButtons(const Invocation& inv, const Ticket& t, bool with_view) {
    std::vector<Button> out;
    auto id = t.id.ToString();
    if (with_view)
        out.push_back(
            {.label = inv.T("tickets.button.view"), .action = "ticket_view " + id, .style = ButtonStyle::kSecondary});
    if (IsActive(t.status)) {
        out.push_back({.label = inv.T("tickets.button.reply"), .action = "ticket_reply " + id, .asks_input = true});
        if (inv.viewer.IsStaff()) {
            out.push_back({.label = inv.T("tickets.button.note"),
                           .action = "ticket_note " + id,
                           .style = ButtonStyle::kSecondary,
                           .asks_input = true});
            if (!t.assignee || *t.assignee != inv.viewer.user_id) {
                out.push_back({.label = inv.T("tickets.button.assign_me"),
                               .action = "ticket_assign " + id + (inv.locale == "fr" ? " moi" : " me"),
                               .style = ButtonStyle::kSecondary});
            }
        }
        out.push_back(
            {.label = inv.T("tickets.button.close"), .action = "ticket_close " + id, .style = ButtonStyle::kDanger});
    } else {
        out.push_back({.label = inv.T("tickets.button.reopen"),
                       .action = "ticket_reopen " + id,
                       .style = ButtonStyle::kSecondary});
    }
    return out;
}

std::string Duration(const Invocation& inv, const std::optional<core::Millis>& d) {
    if (!d) return inv.T("tickets.stats.none");
    return core::FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(*d));
}

std::string PercentileText(const Invocation& inv, const Percentiles& p) {
    if (p.count == 0) return inv.T("tickets.stats.none");
    return inv.T(
        "tickets.stats.percentiles",
        {{"median", Duration(inv, p.median)}, {"p90", Duration(inv, p.p90)}, {"count", std::to_string(p.count)}});
}

std::optional<core::Millis> PeriodOf(const std::string& period) {
    if (period == "7d") return std::chrono::hours(7 * 24);
    if (period == "30d") return std::chrono::hours(30 * 24);
    return std::nullopt;
}

}  // namespace

std::string HistorySentence(const AuditEntry& entry, const Catalog& catalog, std::string_view locale,
                            const core::Viewer& viewer) {
    return HistoryLine(Invocation{viewer, catalog.Resolve(locale), catalog, {}}, entry);
}

std::string TranscriptText(const TicketView& transcript, const Catalog& catalog, std::string_view locale,
                           const core::TimeZone& zone, const core::NameLookup& names) {
    const auto& t = transcript.ticket;
    auto text = [&](const std::string& key, const Params& params = {}) { return catalog.Text(locale, key, params); };
    std::vector<core::UserId> people;
    for (const auto& m : transcript.messages) people.push_back(m.author);
    auto known = names ? names(people) : std::map<core::UserId, std::string>{};
    std::string out = "#" + t.id.ToString() + " · " + t.subject + "\n";
    out +=
        text("tickets.transcript.facts", {{"category", text("tickets.category." + std::string(ToString(t.category)))},
                                          {"priority", text("tickets.priority." + std::string(ToString(t.priority)))},
                                          {"status", text("tickets.status." + std::string(ToString(t.status)))},
                                          {"opened", zone.Format(t.created_at, locale)}}) +
        "\n";
    if (!t.close_reason.empty()) {
        out += text("tickets.transcript.reason",
                    {{"reason",
                      t.close_reason == "auto_close" ? text("tickets.history.auto_close_reason") : t.close_reason}}) +
               "\n";
    }
    out += "\n";
    for (const auto& m : transcript.messages) {
        auto it = known.find(m.author);
        std::string who = it != known.end() ? it->second : text("tickets.transcript.unknown");
        if (m.from_staff) who = text("tickets.transcript.staff_author", {{"name", who}});
        out += "[" + zone.Format(m.created_at, locale) + "] " + who + "\n" + m.body + "\n\n";
    }
    return out;
}

void RegisterTicketCommands(Engine& engine, TicketService& service, const core::TimeZone& zone,
                            core::NameLookup names) {
    engine.Register(CommandSpec{
        .name = "ticket_create",
        .args = {{.name = "subject", .type = ArgType::kString},
                 {.name = "category", .type = ArgType::kEnum, .choices = Choices(CategoryNames())},
                 {.name = "priority", .type = ArgType::kEnum, .choices = Choices(PriorityNames())},
                 {.name = "description", .type = ArgType::kRest}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto t = service.Open(inv.viewer, inv.args.Get<std::string>("subject"),
                                      *ParseCategory(inv.args.Get<std::string>("category")),
                                      *ParsePriority(inv.args.Get<std::string>("priority")),
                                      inv.args.Get<std::string>("description"));
                auto reply = Done(inv.T("tickets.created", {{"id", t.id.ToString()},
                                                            {"subject", t.subject},
                                                            {"category", CategoryText(inv, t.category)},
                                                            {"priority", PriorityText(inv, t.priority)},
                                                            {"due", zone.Format(t.first_response_due, inv.locale)}}));
                reply.buttons = TicketButtons(inv, t, true);
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_list",
        .args = {{.name = "filter", .type = ArgType::kWord, .required = false}},
        .handler =
            [&service, &zone](const Invocation& inv) {
                TicketQuery q;
                if (auto filter = inv.args.Optional<std::string>("filter")) {
                    auto f = core::FoldForMatch(*filter);
                    if (auto status = ParseStatus(*filter)) {
                        q.status = status;
                        if (inv.viewer.IsStaff()) q.scope = ListScope::kAll;
                    } else if (inv.viewer.IsStaff() && (f == "all" || f == "tous" || f == "tout")) {
                        q.scope = ListScope::kAll;
                    } else if (f == "mine" || f == "moi" || f == "mes") {
                        q.scope = inv.viewer.IsStaff() ? ListScope::kAssignedToMe : ListScope::kMine;
                    } else if (inv.viewer.IsStaff() && (f == "unassigned" || f == "non_assignes" || f == "libres")) {
                        q.scope = ListScope::kUnassigned;
                    } else if (inv.viewer.IsStaff() && (f == "breached" || f == "en_retard" || f == "retard")) {
                        q.scope = ListScope::kBreached;
                    } else {
                        return Reply{
                            .text = inv.T(inv.viewer.IsStaff() ? "tickets.list_filter_staff" : "tickets.list_filter",
                                          {{"value", *filter}}),
                            .ephemeral = true,
                            .is_error = true};
                    }
                }
                auto list = service.List(inv.viewer, q);
                Reply reply;
                reply.ephemeral = true;
                if (list.empty()) {
                    reply.text = inv.T(inv.viewer.IsStaff() ? "tickets.list_empty_staff" : "tickets.list_empty");
                    return reply;
                }
                Embed embed{.title = inv.T("tickets.list_title", {{"count", std::to_string(list.size())}}),
                            .color = kColorOpen};
                for (const auto& t : list) {
                    std::string value = StatusText(inv, t.status) + " · " + PriorityText(inv, t.priority) + " · " +
                                        CategoryText(inv, t.category) + " · " + zone.Format(t.updated_at, inv.locale);
                    if (inv.viewer.IsStaff()) {
                        value += " · " + Mention(t.owner);
                        if (t.assignee) value += " → " + Mention(*t.assignee);
                        if (t.first_response_breached || t.resolution_breached)
                            value += " · " + inv.T("tickets.breached");
                    }
                    embed.fields.push_back({"#" + t.id.ToString() + " · " + t.subject, value});
                }
                reply.embeds.push_back(std::move(embed));
                SelectMenu menu{.placeholder = inv.T("tickets.button.select"), .action = "ticket_view"};
                for (const auto& t : list) {
                    menu.options.push_back(
                        {"#" + t.id.ToString() + " · " + t.subject, t.id.ToString(), StatusText(inv, t.status)});
                }
                reply.menus.push_back(std::move(menu));
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_view",
        .args = {IdArg()},
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto view = service.View(inv.viewer, IdOf(inv));
                const auto& t = view.ticket;
                Embed embed{.title = "#" + t.id.ToString() + " · " + t.subject, .color = ColorOf(t.status)};
                embed.fields.push_back({inv.T("tickets.field.status"), StatusText(inv, t.status), true});
                embed.fields.push_back({inv.T("tickets.field.priority"), PriorityText(inv, t.priority), true});
                embed.fields.push_back({inv.T("tickets.field.category"), CategoryText(inv, t.category), true});
                if (t.assignee) embed.fields.push_back({inv.T("tickets.field.assignee"), Mention(*t.assignee), true});
                if (IsActive(t.status) && !t.first_response_at) {
                    embed.fields.push_back({inv.T("tickets.field.first_response_due"),
                                            zone.Format(t.first_response_due, inv.locale), true});
                }
                if (!t.close_reason.empty()) {
                    embed.fields.push_back(
                        {inv.T("tickets.field.close_reason"),
                         t.close_reason == "auto_close" ? inv.T("tickets.history.auto_close_reason") : t.close_reason});
                }
                for (const auto& m : view.messages) {
                    std::string who = m.internal                       ? inv.T("tickets.internal_note")
                                      : m.author == inv.viewer.user_id ? inv.T("tickets.you")
                                      : m.from_staff                   ? inv.T("tickets.staff")
                                                                       : Mention(m.author);
                    embed.fields.push_back({who + " · " + zone.Format(m.created_at, inv.locale), m.body});
                }
                if (inv.viewer.IsStaff() && !view.audit.empty()) {
                    std::string log;
                    for (const auto& a : view.audit)
                        log += zone.Format(a.at, inv.locale) + " · " + HistoryLine(inv, a) + "\n";
                    log.pop_back();
                    embed.fields.push_back({inv.T("tickets.field.history"), log});
                }
                embed.footer = inv.T("tickets.view_footer", {{"id", t.id.ToString()}});
                return Reply{.embeds = {std::move(embed)}, .buttons = TicketButtons(inv, t, false), .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_reply",
        .args = {IdArg(), {.name = "message", .type = ArgType::kRest}},
        .handler =
            [&service](const Invocation& inv) {
                auto t = service.Reply(inv.viewer, IdOf(inv), inv.args.Get<std::string>("message"));
                return Done(inv.T("tickets.replied", {{"id", t.id.ToString()}, {"status", StatusText(inv, t.status)}}));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_close",
        .args = {IdArg(), {.name = "reason", .type = ArgType::kRest, .required = false}},
        .handler =
            [&service](const Invocation& inv) {
                auto t = service.Close(inv.viewer, IdOf(inv), inv.args.Optional<std::string>("reason").value_or(""));
                return Done(inv.T("tickets.closed_ok", {{"id", t.id.ToString()}}));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_reopen",
        .args = {IdArg()},
        .handler =
            [&service](const Invocation& inv) {
                auto t = service.Reopen(inv.viewer, IdOf(inv));
                return Done(inv.T("tickets.reopened", {{"id", t.id.ToString()}}));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_assign",
        .args = {IdArg(), {.name = "staff", .type = ArgType::kUser, .staff_only = true}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto assignee = inv.args.Get<core::UserId>("staff");
                auto t = service.Assign(inv.viewer, IdOf(inv), assignee);
                return Done(inv.T("tickets.assigned", {{"id", t.id.ToString()}, {"staff", Mention(*t.assignee)}}));
            },
    });

    engine.Register(CommandSpec{
        .name = "ticket_note",
        .args = {IdArg(), {.name = "text", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto t = service.Note(inv.viewer, IdOf(inv), inv.args.Get<std::string>("text"));
                return Done(inv.T("tickets.noted", {{"id", t.id.ToString()}}));
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_priority",
        .args = {IdArg(), {.name = "priority", .type = ArgType::kEnum, .choices = Choices(PriorityNames())}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto t =
                    service.SetPriority(inv.viewer, IdOf(inv), *ParsePriority(inv.args.Get<std::string>("priority")));
                return Done(inv.T("tickets.priority_set",
                                  {{"id", t.id.ToString()}, {"priority", PriorityText(inv, t.priority)}}));
            },
    });

    engine.Register(CommandSpec{
        .name = "ticket_stats",
        .args = {{.name = "period",
                  .type = ArgType::kEnum,
                  .required = false,
                  .choices = {{"7d", {"7j"}}, {"30d", {"30j"}}, {"all", {"tout"}}}}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto period_name = inv.args.Optional<std::string>("period").value_or("7d");
                auto stats = service.Stats(inv.viewer, PeriodOf(period_name));
                Embed embed{
                    .title = inv.T("tickets.stats.title", {{"period", inv.T("tickets.stats.period_" + period_name)}}),
                    .color = kColorOpen};
                embed.fields.push_back({inv.T("tickets.stats.created"), std::to_string(stats.created), true});
                embed.fields.push_back({inv.T("tickets.stats.resolved"), std::to_string(stats.resolved), true});
                embed.fields.push_back(
                    {inv.T("tickets.stats.backlog"),
                     inv.T("tickets.stats.backlog_value", {{"active", std::to_string(stats.backlog)},
                                                           {"unassigned", std::to_string(stats.backlog_unassigned)}}),
                     true});
                embed.fields.push_back(
                    {inv.T("tickets.stats.first_response"), PercentileText(inv, stats.first_response)});
                embed.fields.push_back({inv.T("tickets.stats.resolution"), PercentileText(inv, stats.resolution)});
                embed.fields.push_back({inv.T("tickets.stats.breaches"),
                                        inv.T("tickets.stats.breaches_value",
                                              {{"first", std::to_string(stats.first_response_breaches)},
                                               {"resolution", std::to_string(stats.resolution_breaches)}})});
                std::string agents;
                for (const auto& [agent, p] : stats.first_response_by_agent) {
                    agents += (agent == "unassigned" ? inv.T("tickets.stats.unassigned") : "<@" + agent + ">") + " : " +
                              PercentileText(inv, p) + "\n";
                }
                if (!agents.empty()) {
                    agents.pop_back();
                    embed.fields.push_back({inv.T("tickets.stats.by_agent"), agents});
                }
                std::string categories;
                for (const auto& [category, p] : stats.resolution_by_category) {
                    categories += inv.T("tickets.category." + category) + " : " + PercentileText(inv, p) + "\n";
                }
                if (!categories.empty()) {
                    categories.pop_back();
                    embed.fields.push_back({inv.T("tickets.stats.by_category"), categories});
                }
                embed.footer = inv.T("tickets.stats.footer");
                return Reply{.embeds = {std::move(embed)}, .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_transcript",
        .args = {IdArg()},
        .handler =
            [&service, &zone, names](const Invocation& inv) {
                return Reply{.text = TranscriptText(service.Transcript(inv.viewer, IdOf(inv)), inv.catalog, inv.locale,
                                                    zone, names),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ticket_status",
        .args = {IdArg(), {.name = "status", .type = ArgType::kEnum, .choices = Choices(StatusNames())}},
        .permission = core::Role::kStaff,
        .handler =
            [&service](const Invocation& inv) {
                auto t = service.SetStatus(inv.viewer, IdOf(inv), *ParseStatus(inv.args.Get<std::string>("status")));
                return Done(
                    inv.T("tickets.status_set", {{"id", t.id.ToString()}, {"status", StatusText(inv, t.status)}}));
            },
    });
}

}  // namespace maxis::commands
