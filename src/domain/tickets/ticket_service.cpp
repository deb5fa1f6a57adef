#include "domain/tickets/ticket_service.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::tickets {

using core::Error;
using core::ErrorCode;

namespace {

std::string Id(TicketId id) { return std::to_string(id.value); }

[[noreturn]] void NotFound(TicketId id) {
    throw Error(ErrorCode::kNotFound, "ticket " + Id(id) + " not found", "tickets.not_found", {{"id", Id(id)}});
}

/// A change to what the ticket already is: neither applied nor written in the history, and said so.
void RefuseNoOp(bool same, TicketId id, const char* key) {
    if (same) throw Error(ErrorCode::kConflict, "nothing to change", key, {{"id", std::to_string(id.value)}});
}

std::string Idem(const Ticket& t, const std::string& what, core::TimePoint now) {
    return "ticket:" + Id(t.id) + ":" + what + ":" + std::to_string(core::ToEpochMillis(now));
}

/// A notice about a ticket, with its "view" button.
scheduling::Notice TicketNotice(scheduling::Notice::Audience audience, core::UserId recipient, TicketId ticket,
                                std::string key, std::map<std::string, std::string> params,
                                std::string idempotency_key) {
    scheduling::Notice n;
    n.audience = audience;
    n.recipient = recipient;
    n.ticket = ticket.value;
    n.key = std::move(key);
    n.params = std::move(params);
    n.idempotency_key = std::move(idempotency_key);
    return n;
}

}  // namespace

TicketService::TicketService(TicketRepository& repo, const core::Clock& clock, TicketLimits limits, SlaTargets sla,
                             std::shared_ptr<const SlaPolicy> policy)
    : repo_(repo),
      clock_(clock),
      limits_(limits),
      sla_(sla),
      policy_(std::move(policy)),
      max_active_(limits.max_active_per_member),
      max_per_hour_(limits.max_created_per_hour) {}

void TicketService::SetCreationLimits(int max_active_per_member, int max_created_per_hour) {
    max_active_ = max_active_per_member;
    max_per_hour_ = max_created_per_hour;
}

void TicketService::RequireStaff(const core::Viewer& viewer) const {
    if (!viewer.IsStaff()) throw Error(ErrorCode::kForbidden, "staff only", "tickets.staff_only");
}

void TicketService::CheckMessage(const std::string& body) const {
    auto text = core::Trim(body);
    if (text.empty()) throw Error(ErrorCode::kInvalidArgument, "empty message", "tickets.message_empty");
    core::RequireStorableText(text, "message", core::TextLines::kMulti);
    if (core::Utf8Length(text) > limits_.max_message) {
        throw Error(ErrorCode::kInvalidArgument, "message too long", "tickets.message_too_long",
                    {{"max", std::to_string(limits_.max_message)}});
    }
}

Ticket TicketService::Change(const core::Viewer& viewer, TicketId id,
                             const std::function<void(TicketStore&, Ticket&, core::TimePoint)>& edit) {
    auto now = clock_.Now();
    Ticket result;
    repo_.Write(viewer, [&](TicketStore& store) {
        Ticket t = Load(store, id);
        edit(store, t, now);
        store.Update(t);
        result = t;
    });
    return result;
}

Ticket TicketService::Load(TicketStore& store, TicketId id) {
    auto t = store.Find(id);
    if (!t) NotFound(id);
    return *t;
}

void TicketService::Audit(TicketStore& store, const Ticket& t, const core::Viewer& actor, const std::string& action,
                          const std::string& before, const std::string& after, core::TimePoint now) const {
    store.AddAudit(AuditEntry{0, t.id, actor.user_id, action, before, after, now});
}

void TicketService::Transition(Ticket& t, Status to, core::TimePoint now) const {
    // Leaving "waiting on the member": the SLA clock resumes and the due times move by the pause.
    if (t.status == Status::kWaitingMember && to != Status::kWaitingMember && t.paused_since) {
        auto paused = now - *t.paused_since;
        if (!t.first_response_at) t.first_response_due += paused;
        t.resolution_due += paused;
        t.paused_since.reset();
        t.auto_close_warned_at.reset();
    }
    if (to == Status::kWaitingMember && t.status != Status::kWaitingMember) t.paused_since = now;
    if (to == Status::kResolved && !t.resolved_at) t.resolved_at = now;
    if (to == Status::kClosed) t.closed_at = now;
    if (IsActive(to)) {
        t.closed_at.reset();
        if (to != Status::kResolved) t.resolved_at.reset();
    }
    t.status = to;
    t.updated_at = now;
}

Ticket TicketService::Open(const core::Viewer& viewer, const std::string& subject, Category category, Priority priority,
                           const std::string& description) {
    auto clean_subject = std::string(core::Trim(subject));
    if (clean_subject.empty()) throw Error(ErrorCode::kInvalidArgument, "empty subject", "tickets.subject_empty");
    core::RequireStorableText(clean_subject, "subject", core::TextLines::kSingle);
    if (core::Utf8Length(clean_subject) > limits_.max_subject) {
        throw Error(ErrorCode::kInvalidArgument, "subject too long", "tickets.subject_too_long",
                    {{"max", std::to_string(limits_.max_subject)}});
    }
    CheckMessage(description);
    auto now = clock_.Now();
    // The policy may read the database (a member's plan): ask it before the write holds a connection.
    const auto targets = policy_->For(viewer.user_id, sla_);
    Ticket created;
    repo_.Write(viewer, [&](TicketStore& store) {
        const int max_active = max_active_.load(), max_per_hour = max_per_hour_.load();
        if (store.CountActiveByOwner(viewer.user_id) >= max_active) {
            throw Error(ErrorCode::kLimitReached, "too many open tickets", "tickets.too_many_open",
                        {{"max", std::to_string(max_active)}});
        }
        if (store.CountCreatedSince(viewer.user_id, now - std::chrono::hours(1)) >= max_per_hour) {
            throw Error(ErrorCode::kLimitReached, "too many tickets this hour", "tickets.too_many_recent",
                        {{"max", std::to_string(max_per_hour)}});
        }
        auto p = static_cast<std::size_t>(priority);
        Ticket t;
        t.owner = viewer.user_id;
        t.subject = clean_subject;
        t.category = category;
        t.priority = priority;
        t.status = Status::kOpen;
        t.created_at = t.updated_at = now;
        t.first_response_due = now + targets.first_response[p];
        t.resolution_due = now + targets.resolution[p];
        t.id = store.Insert(t);
        store.AddMessage(
            Message{0, t.id, viewer.user_id, viewer.IsStaff(), false, std::string(core::Trim(description)), now});
        Audit(store, t, viewer, "create", "", std::string(ToString(priority)) + "/" + std::string(ToString(category)),
              now);
        store.Notify(
            TicketNotice(scheduling::Notice::Audience::kStaff, {}, t.id, "tickets.notify.created",
                         {{"id", Id(t.id)}, {"subject", t.subject}, {"priority", std::string(ToString(priority))}},
                         Idem(t, "created", now)));
        created = t;
    });
    return created;
}

std::vector<Ticket> TicketService::List(const core::Viewer& viewer, TicketQuery query) {
    if (!viewer.IsStaff()) query.scope = ListScope::kMine;
    if (query.limit < 1 || query.limit > 100) query.limit = 25;
    std::vector<Ticket> out;
    repo_.Read(viewer, [&](TicketStore& store) { out = store.List(query); });
    return out;
}

TicketView TicketService::View(const core::Viewer& viewer, TicketId id) {
    TicketView view;
    repo_.Read(viewer, [&](TicketStore& store) {
        view.ticket = Load(store, id);
        view.messages = store.Messages(id, viewer.IsStaff());
        if (viewer.IsStaff()) view.audit = store.Audit(id);
    });
    return view;
}

Ticket TicketService::Reply(const core::Viewer& viewer, TicketId id, const std::string& body) {
    CheckMessage(body);
    return Change(viewer, id, [&](TicketStore& store, Ticket& t, core::TimePoint now) {
        if (t.status == Status::kClosed) {
            throw Error(ErrorCode::kConflict, "ticket closed", "tickets.closed", {{"id", Id(id)}});
        }
        bool staff = viewer.IsStaff() && viewer.user_id != t.owner;
        store.AddMessage(Message{0, t.id, viewer.user_id, staff, false, std::string(core::Trim(body)), now});
        auto before = std::string(ToString(t.status));
        if (staff) {
            if (!t.first_response_at) t.first_response_at = now;
            Transition(t, Status::kWaitingMember, now);
            store.Notify(TicketNotice(scheduling::Notice::Audience::kMember, t.owner, t.id,
                                      "tickets.notify.staff_replied", {{"id", Id(t.id)}, {"subject", t.subject}},
                                      Idem(t, "reply", now)));
        } else {
            Transition(t, Status::kWaitingStaff, now);
            store.Notify(TicketNotice(scheduling::Notice::Audience::kStaff, {}, t.id, "tickets.notify.member_replied",
                                      {{"id", Id(t.id)}, {"subject", t.subject}}, Idem(t, "member-reply", now)));
        }
        Audit(store, t, viewer, "reply", before, std::string(ToString(t.status)), now);
    });
}

Ticket TicketService::Note(const core::Viewer& viewer, TicketId id, const std::string& body) {
    RequireStaff(viewer);
    CheckMessage(body);
    return Change(viewer, id, [&](TicketStore& store, Ticket& t, core::TimePoint now) {
        store.AddMessage(Message{0, t.id, viewer.user_id, true, true, std::string(core::Trim(body)), now});
        t.updated_at = now;
        Audit(store, t, viewer, "note", "", "", now);
    });
}

std::string TicketService::CheckedReason(const std::string& reason) const {
    auto clean = std::string(core::Trim(reason));
    core::RequireStorableText(clean, "reason", core::TextLines::kSingle);
    if (core::Utf8Length(clean) > limits_.max_subject * 2) {
        throw Error(ErrorCode::kInvalidArgument, "reason too long", "tickets.reason_too_long",
                    {{"max", std::to_string(limits_.max_subject * 2)}});
    }
    return clean;
}

void TicketService::ApplyClose(TicketStore& store, Ticket& t, const core::Viewer& viewer, const std::string& reason,
                               core::TimePoint now) {
    if (t.status == Status::kClosed)
        throw Error(ErrorCode::kConflict, "already closed", "tickets.already_closed", {{"id", Id(t.id)}});
    auto before = std::string(ToString(t.status));
    Transition(t, Status::kClosed, now);
    t.close_reason = reason;
    Audit(store, t, viewer, "close", before, reason, now);
    if (viewer.user_id != t.owner) {
        store.Notify(TicketNotice(scheduling::Notice::Audience::kMember, t.owner, t.id, "tickets.notify.closed",
                                  {{"id", Id(t.id)}, {"subject", t.subject}, {"reason", reason}},
                                  Idem(t, "close", now)));
    }
}

void TicketService::ApplyReopen(TicketStore& store, Ticket& t, const core::Viewer& viewer, core::TimePoint now) {
    if (t.status != Status::kClosed && t.status != Status::kResolved) {
        throw Error(ErrorCode::kConflict, "not closed", "tickets.not_closed", {{"id", Id(t.id)}});
    }
    auto ended = t.closed_at.value_or(t.resolved_at.value_or(now));
    if (!viewer.IsStaff() && now - ended > limits_.reopen_window) {
        throw Error(ErrorCode::kConflict, "reopen window over", "tickets.reopen_expired", {{"id", Id(t.id)}});
    }
    if (!viewer.IsStaff() && store.CountActiveByOwner(t.owner) >= max_active_.load()) {
        throw Error(ErrorCode::kLimitReached, "too many open tickets", "tickets.too_many_open",
                    {{"max", std::to_string(max_active_.load())}});
    }
    auto before = std::string(ToString(t.status));
    Transition(t, Status::kWaitingStaff, now);
    t.close_reason.clear();
    Audit(store, t, viewer, "reopen", before, std::string(ToString(t.status)), now);
}

void TicketService::ApplyPriority(TicketStore& store, Ticket& t, const core::Viewer& viewer, Priority priority,
                                  const SlaTargets& targets, core::TimePoint now) {
    auto before = std::string(ToString(t.priority));
    // The targets follow the new priority, counted from creation (pauses already credited stay credited).
    auto shift_fr = targets.first_response[static_cast<std::size_t>(priority)] -
                    targets.first_response[static_cast<std::size_t>(t.priority)];
    auto shift_res = targets.resolution[static_cast<std::size_t>(priority)] -
                     targets.resolution[static_cast<std::size_t>(t.priority)];
    if (!t.first_response_at) t.first_response_due += shift_fr;
    t.resolution_due += shift_res;
    t.priority = priority;
    t.updated_at = now;
    Audit(store, t, viewer, "priority", before, std::string(ToString(priority)), now);
}

Ticket TicketService::Close(const core::Viewer& viewer, TicketId id, const std::string& reason) {
    return Update(viewer, id, TicketUpdate{.status = Status::kClosed, .close_reason = reason});
}

Ticket TicketService::Reopen(const core::Viewer& viewer, TicketId id) {
    return Change(viewer, id,
                  [&](TicketStore& store, Ticket& t, core::TimePoint now) { ApplyReopen(store, t, viewer, now); });
}

Ticket TicketService::Assign(const core::Viewer& viewer, TicketId id, core::UserId assignee) {
    return Update(viewer, id, TicketUpdate{.assignee = assignee});
}

Ticket TicketService::SetPriority(const core::Viewer& viewer, TicketId id, Priority priority) {
    return Update(viewer, id, TicketUpdate{.priority = priority});
}

Ticket TicketService::SetStatus(const core::Viewer& viewer, TicketId id, Status status) {
    RequireStaff(viewer);
    return Change(viewer, id, [&](TicketStore& store, Ticket& t, core::TimePoint now) {
        RefuseNoOp(t.status == status, t.id, "tickets.status_unchanged");
        auto before = std::string(ToString(t.status));
        Transition(t, status, now);
        Audit(store, t, viewer, "status", before, std::string(ToString(status)), now);
    });
}

Ticket TicketService::Update(const core::Viewer& viewer, TicketId id, const TicketUpdate& update) {
    if (update.empty()) {
        throw Error(ErrorCode::kInvalidArgument, "nothing to change: give status, priority or assignee");
    }
    if (update.priority || update.assignee) RequireStaff(viewer);
    if (update.status && !viewer.IsStaff() && *update.status != Status::kClosed && *update.status != Status::kOpen &&
        *update.status != Status::kWaitingStaff) {
        throw Error(ErrorCode::kForbidden, "members can only close or reopen their tickets");
    }
    auto reason = update.status == Status::kClosed ? CheckedReason(update.close_reason) : std::string();
    // The SLA policy may read the database (a member's plan): it is asked before the write holds a connection.
    // A ticket's owner never changes, so the read and the write agree on it.
    std::optional<SlaTargets> targets;
    if (update.priority) {
        core::UserId owner;
        repo_.Read(viewer, [&](TicketStore& store) { owner = Load(store, id).owner; });
        targets = policy_->For(owner, sla_);
    }
    return Change(viewer, id, [&](TicketStore& store, Ticket& t, core::TimePoint now) {
        // What the ticket already is stays as it is, unlogged; a request that changes nothing at all is refused.
        bool priority = update.priority && *update.priority != t.priority;
        bool assignee = update.assignee && t.assignee != update.assignee;
        bool status = update.status && (*update.status != t.status || !viewer.IsStaff() ||
                                        *update.status == Status::kClosed);  // already closed: said as such
        if (!priority && !assignee && !status) {
            RefuseNoOp(true, t.id,
                       update.status && !update.priority && !update.assignee   ? "tickets.status_unchanged"
                       : update.priority && !update.status && !update.assignee ? "tickets.priority_unchanged"
                                                                               : "tickets.unchanged");
        }
        if (priority) ApplyPriority(store, t, viewer, *update.priority, *targets, now);
        if (assignee) {
            // The person who asked for help does not handle their own request.
            if (*update.assignee == t.owner) {
                throw Error(ErrorCode::kInvalidArgument, "the ticket's requester cannot be assigned to it",
                            "tickets.assign_owner", {{"id", Id(t.id)}});
            }
            // Only someone the directory knows as staff handles tickets.
            auto role = *update.assignee == viewer.user_id ? viewer.role : store.DirectoryRole(*update.assignee);
            if (!role || !core::Viewer{*update.assignee, *role}.IsStaff()) {
                throw Error(ErrorCode::kInvalidArgument, "only staff can be assigned a ticket",
                            "tickets.assign_not_staff", {{"id", Id(t.id)}});
            }
            auto before = t.assignee ? t.assignee->ToString() : "";
            t.assignee = *update.assignee;
            t.updated_at = now;
            Audit(store, t, viewer, "assign", before, update.assignee->ToString(), now);
        }
        if (!status) return;
        if (update.status == Status::kClosed) {
            ApplyClose(store, t, viewer, reason, now);
        } else if (!viewer.IsStaff()) {
            ApplyReopen(store, t, viewer, now);
        } else {
            auto before = std::string(ToString(t.status));
            Transition(t, *update.status, now);
            Audit(store, t, viewer, "status", before, std::string(ToString(*update.status)), now);
        }
    });
}

Percentiles ComputePercentiles(std::vector<core::Millis> values) {
    Percentiles p;
    p.count = static_cast<int>(values.size());
    if (values.empty()) return p;
    std::sort(values.begin(), values.end());
    auto rank = [&](double q) {
        auto index = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size()))) - 1;
        return values[std::min(index, values.size() - 1)];
    };
    p.median = rank(0.5);
    p.p90 = rank(0.9);
    return p;
}

namespace {

std::optional<core::TimePoint> EndOf(const Ticket& t) { return t.resolved_at ? t.resolved_at : t.closed_at; }

std::string AgentOf(const Ticket& t) { return t.assignee ? t.assignee->ToString() : "unassigned"; }

using core::CsvCell;

std::string Minutes(std::optional<core::Millis> d) {
    if (!d) return "";
    return std::to_string(std::chrono::duration_cast<std::chrono::minutes>(*d).count());
}

}  // namespace

TicketStats TicketService::Stats(const core::Viewer& viewer, std::optional<core::Millis> period) {
    RequireStaff(viewer);
    auto now = clock_.Now();
    TicketStats stats;
    stats.period = period;
    std::vector<Ticket> list;
    repo_.Read(viewer, [&](TicketStore& store) {
        list = store.CreatedSince(period ? now - *period : core::TimePoint{});
        std::tie(stats.backlog, stats.backlog_unassigned) = store.Backlog();
    });
    std::vector<core::Millis> first, resolution;
    std::map<std::string, std::vector<core::Millis>> first_agent, res_agent, first_cat, res_cat;
    for (const auto& t : list) {
        ++stats.created;
        stats.first_response_breaches += t.first_response_breached;
        stats.resolution_breaches += t.resolution_breached;
        std::string category(ToString(t.category));
        if (t.first_response_at) {
            auto d = *t.first_response_at - t.created_at;
            first.push_back(d);
            first_agent[AgentOf(t)].push_back(d);
            first_cat[category].push_back(d);
        }
        if (auto end = EndOf(t)) {
            ++stats.resolved;
            auto d = *end - t.created_at;
            resolution.push_back(d);
            res_agent[AgentOf(t)].push_back(d);
            res_cat[category].push_back(d);
        }
    }
    stats.first_response = ComputePercentiles(std::move(first));
    stats.resolution = ComputePercentiles(std::move(resolution));
    for (auto& [k, v] : first_agent) stats.first_response_by_agent[k] = ComputePercentiles(std::move(v));
    for (auto& [k, v] : res_agent) stats.resolution_by_agent[k] = ComputePercentiles(std::move(v));
    for (auto& [k, v] : first_cat) stats.first_response_by_category[k] = ComputePercentiles(std::move(v));
    for (auto& [k, v] : res_cat) stats.resolution_by_category[k] = ComputePercentiles(std::move(v));
    return stats;
}

std::string TicketService::ExportCsv(const core::Viewer& viewer, std::optional<core::Millis> period,
                                     const core::NameLookup& names) {
    RequireStaff(viewer);
    auto now = clock_.Now();
    std::vector<Ticket> list;
    repo_.Read(viewer,
               [&](TicketStore& store) { list = store.CreatedSince(period ? now - *period : core::TimePoint{}); });
    // The names are read after the transaction: the lookup opens its own.
    std::map<core::UserId, std::string> known;
    if (names) {
        std::vector<core::UserId> people;
        for (const auto& t : list) {
            people.push_back(t.owner);
            if (t.assignee) people.push_back(*t.assignee);
        }
        known = names(people);
    }
    auto name = [&](const std::optional<core::UserId>& id) {
        auto it = id ? known.find(*id) : known.end();
        return it == known.end() ? std::string() : CsvCell(it->second);
    };
    std::string out =
        "id,created_at_ms,owner,owner_name,subject,category,priority,status,assignee,assignee_name,"
        "first_response_minutes,resolution_minutes,first_response_breached,resolution_breached,close_reason\r\n";
    for (const auto& t : list) {
        std::optional<core::Millis> first, resolution;
        if (t.first_response_at) first = *t.first_response_at - t.created_at;
        if (auto end = EndOf(t)) resolution = *end - t.created_at;
        out += std::to_string(t.id.value) + "," + std::to_string(core::ToEpochMillis(t.created_at)) + "," +
               t.owner.ToString() + "," + name(t.owner) + "," + CsvCell(t.subject) + "," +
               std::string(ToString(t.category)) + "," + std::string(ToString(t.priority)) + "," +
               std::string(ToString(t.status)) + "," + (t.assignee ? t.assignee->ToString() : "") + "," +
               name(t.assignee) + "," + Minutes(first) + "," + Minutes(resolution) + "," +
               (t.first_response_breached ? "1" : "0") + "," + (t.resolution_breached ? "1" : "0") + "," +
               CsvCell(t.close_reason) + "\r\n";
    }
    return out;
}

TicketView TicketService::Transcript(const core::Viewer& viewer, TicketId id) {
    TicketView out;
    repo_.Read(viewer, [&](TicketStore& store) {
        out.ticket = Load(store, id);
        if (IsActive(out.ticket.status)) {
            throw Error(ErrorCode::kConflict, "ticket still open", "tickets.transcript_open", {{"id", Id(id)}});
        }
        // Internal notes are left out whoever asks: a transcript is what the member was part of.
        for (auto& m : store.Messages(id, false)) {
            if (!m.internal) out.messages.push_back(std::move(m));
        }
    });
    return out;
}

int TicketService::Sweep() {
    auto now = clock_.Now();
    int changed = 0;
    core::Viewer system = core::Viewer::System();
    repo_.Write(system, [&](TicketStore& store) {
        for (Ticket t : store.SweepCandidates(now, now - limits_.auto_close_warning)) {
            bool touched = false;
            if (!t.paused_since && !t.first_response_at && !t.first_response_breached && t.first_response_due <= now) {
                t.first_response_breached = true;
                touched = true;
                Audit(store, t, system, "sla_breach", "", "first_response", now);
                store.Notify(TicketNotice(
                    scheduling::Notice::Audience::kStaff, {}, t.id, "tickets.notify.breach_first_response",
                    {{"id", Id(t.id)}, {"subject", t.subject}, {"priority", std::string(ToString(t.priority))}},
                    "ticket:" + Id(t.id) + ":breach:first_response"));
            }
            if (!t.paused_since && !t.resolution_breached && t.resolution_due <= now) {
                t.resolution_breached = true;
                touched = true;
                Audit(store, t, system, "sla_breach", "", "resolution", now);
                store.Notify(TicketNotice(
                    scheduling::Notice::Audience::kStaff, {}, t.id, "tickets.notify.breach_resolution",
                    {{"id", Id(t.id)}, {"subject", t.subject}, {"priority", std::string(ToString(t.priority))}},
                    "ticket:" + Id(t.id) + ":breach:resolution"));
            }
            if (t.status == Status::kWaitingMember && t.paused_since) {
                if (!t.auto_close_warned_at && now - *t.paused_since >= limits_.auto_close_warning) {
                    t.auto_close_warned_at = now;
                    touched = true;
                    store.Notify(TicketNotice(
                        scheduling::Notice::Audience::kMember, t.owner, t.id, "tickets.notify.auto_close_warning",
                        {{"id", Id(t.id)}, {"subject", t.subject}}, Idem(t, "auto-close-warning", *t.paused_since)));
                } else if (t.auto_close_warned_at && now - *t.auto_close_warned_at >= limits_.auto_close_after) {
                    Transition(t, Status::kClosed, now);
                    t.close_reason = "auto_close";
                    touched = true;
                    Audit(store, t, system, "auto_close", "waiting_member", "closed", now);
                    store.Notify(TicketNotice(scheduling::Notice::Audience::kMember, t.owner, t.id,
                                              "tickets.notify.auto_closed", {{"id", Id(t.id)}, {"subject", t.subject}},
                                              Idem(t, "auto-closed", now)));
                }
            }
            if (touched) {
                store.Update(t);
                ++changed;
            }
        }
    });
    return changed;
}

}  // namespace maxis::tickets
