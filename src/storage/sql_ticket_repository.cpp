#include "storage/sql_ticket_repository.hpp"

#include <soci/soci.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_util.hpp"

namespace maxis::storage {

using core::FromEpochMillis;
using core::ToEpochMillis;
using namespace tickets;

namespace {

constexpr const char* kTicketColumns =
    "id, owner_id, subject, category, priority, status, assignee_id, created_at, updated_at, first_response_at, "
    "resolved_at, closed_at, close_reason, first_response_due, resolution_due, paused_since, first_response_breached, "
    "resolution_breached, auto_close_warned_at";

/// An enum column as stored: the database holds the canonical names only (CHECK constraints), so an exact
/// comparison finds it, without the folding of accents and case that Parse* does for what people type.
template <class E>
E StoredEnum(const std::vector<Name>& names, const std::string& text) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].value == text) return static_cast<E>(i);
    }
    throw core::Error(core::ErrorCode::kInternal, "unknown stored ticket value '" + text + "'");
}

/// The writes every ticket action makes, prepared once per connection: on PostgreSQL their row-level security
/// checks (the ticket's owner, the verified viewer) would otherwise be planned again at every statement.
struct MessageInsert final : PreparedStatement {
    static inline const std::string kSql =
        "INSERT INTO ticket_messages (ticket_id, owner_id, author_id, from_staff, internal, body, created_at) "
        "VALUES (:t, :o, :a, :s, :i, :b, :c)";
    long long ticket = 0, owner = 0, author = 0, at = 0;
    int staff = 0, internal = 0;
    std::string body;
    soci::statement statement;
    explicit MessageInsert(soci::session& s)
        : statement((s.prepare << kSql, soci::use(ticket, "t"), soci::use(owner, "o"), soci::use(author, "a"),
                     soci::use(staff, "s"), soci::use(internal, "i"), soci::use(body, "b"), soci::use(at, "c"))) {}
};

struct AuditInsert final : PreparedStatement {
    static inline const std::string kSql =
        "INSERT INTO ticket_audit_log (ticket_id, owner_id, actor_id, action, before, after, at) "
        "VALUES (:t, :o, :a, :ac, :b, :af, :at)";
    long long ticket = 0, owner = 0, actor = 0, at = 0;
    std::string action, before, after;
    soci::statement statement;
    explicit AuditInsert(soci::session& s)
        : statement((s.prepare << kSql, soci::use(ticket, "t"), soci::use(owner, "o"), soci::use(actor, "a"),
                     soci::use(action, "ac"), soci::use(before, "b"), soci::use(after, "af"), soci::use(at, "at"))) {}
};

struct OwnerLookup final : PreparedStatement {
    static inline const std::string kSql =
        "SELECT owner_id FROM tickets WHERE id = :id AND (CAST(:f AS BIGINT) = 0 OR owner_id = :f2)";
    long long ticket = 0, filter = 0, owner = 0;
    soci::indicator owner_ind = soci::i_null;
    soci::statement statement;
    explicit OwnerLookup(soci::session& s)
        : statement((s.prepare << kSql, soci::use(ticket, "id"), soci::use(filter, "f"), soci::use(filter, "f2"),
                     soci::into(owner, owner_ind))) {}
};

/// A row of kTicketColumns, read into typed variables bound once to a prepared statement.
struct TicketColumns {
    long long id = 0, owner = 0, assignee = 0, created = 0, updated = 0, first_response_at = 0, resolved_at = 0,
              closed_at = 0, first_response_due = 0, resolution_due = 0, paused_since = 0, warned_at = 0;
    std::string subject, category, priority, status, close_reason;
    int first_response_breached = 0, resolution_breached = 0;
    soci::indicator assignee_ind = soci::i_null, first_response_ind = soci::i_null, resolved_ind = soci::i_null,
                    closed_ind = soci::i_null, paused_ind = soci::i_null, warned_ind = soci::i_null;

    void Bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(owner));
        st.exchange(soci::into(subject));
        st.exchange(soci::into(category));
        st.exchange(soci::into(priority));
        st.exchange(soci::into(status));
        st.exchange(soci::into(assignee, assignee_ind));
        st.exchange(soci::into(created));
        st.exchange(soci::into(updated));
        st.exchange(soci::into(first_response_at, first_response_ind));
        st.exchange(soci::into(resolved_at, resolved_ind));
        st.exchange(soci::into(closed_at, closed_ind));
        st.exchange(soci::into(close_reason));
        st.exchange(soci::into(first_response_due));
        st.exchange(soci::into(resolution_due));
        st.exchange(soci::into(paused_since, paused_ind));
        st.exchange(soci::into(first_response_breached));
        st.exchange(soci::into(resolution_breached));
        st.exchange(soci::into(warned_at, warned_ind));
    }

    static std::optional<core::TimePoint> Time(long long value, soci::indicator ind) {
        if (ind == soci::i_null) return std::nullopt;
        return FromEpochMillis(value);
    }

    [[nodiscard]] Ticket ToTicket() const {
        Ticket t;
        t.id = TicketId{id};
        t.owner = core::UserId{owner};
        t.subject = subject;
        t.category = StoredEnum<Category>(CategoryNames(), category);
        t.priority = StoredEnum<Priority>(PriorityNames(), priority);
        t.status = StoredEnum<Status>(StatusNames(), status);
        if (assignee_ind != soci::i_null) t.assignee = core::UserId{assignee};
        t.created_at = FromEpochMillis(created);
        t.updated_at = FromEpochMillis(updated);
        t.first_response_at = Time(first_response_at, first_response_ind);
        t.resolved_at = Time(resolved_at, resolved_ind);
        t.closed_at = Time(closed_at, closed_ind);
        t.close_reason = close_reason;
        t.first_response_due = FromEpochMillis(first_response_due);
        t.resolution_due = FromEpochMillis(resolution_due);
        t.paused_since = Time(paused_since, paused_ind);
        t.first_response_breached = first_response_breached != 0;
        t.resolution_breached = resolution_breached != 0;
        t.auto_close_warned_at = Time(warned_at, warned_ind);
        return t;
    }
};

/// The tickets a query selects (conditions and order after "FROM tickets"), in order.
std::vector<Ticket> SelectTickets(Transaction& tx, DynamicQuery& query, const std::string& rest) {
    std::vector<Ticket> out;
    query.ForEach<TicketColumns>(tx, std::string("SELECT ") + kTicketColumns + " FROM tickets" + rest,
                                 [&](const TicketColumns& row) { out.push_back(row.ToTicket()); });
    return out;
}

// Bind helpers for nullable times and ids.
struct NullableInt {
    long long value = 0;
    soci::indicator ind = soci::i_null;
    explicit NullableInt(std::optional<core::TimePoint> t) {
        if (t) {
            value = ToEpochMillis(*t);
            ind = soci::i_ok;
        }
    }
    explicit NullableInt(std::optional<core::UserId> u) {
        if (u) {
            value = u->value;
            ind = soci::i_ok;
        }
    }
};

std::string LikePattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out + "%";
}

class SqlTicketStore final : public TicketStore {
public:
    SqlTicketStore(Transaction& tx, const core::Clock& clock) : tx_(tx), clock_(clock) {}

    // Members only ever reach their own rows; the filter is explicit here and enforced again by RLS.
    [[nodiscard]] long long OwnerFilter() const { return tx_.viewer().IsStaff() ? 0 : tx_.viewer().user_id.value; }

    std::optional<Ticket> Find(TicketId id) override {
        DynamicQuery query;
        std::string where = " WHERE id = " + query.Bind(id.value);
        if (long long owner = OwnerFilter(); owner != 0) where += " AND owner_id = " + query.Bind(owner);
        auto found = SelectTickets(tx_, query, where);
        if (found.empty()) return std::nullopt;
        return std::move(found.front());
    }

    TicketId Insert(const Ticket& t) override {
        long long owner = t.owner.value, created = ToEpochMillis(t.created_at), updated = ToEpochMillis(t.updated_at),
                  fr_due = ToEpochMillis(t.first_response_due), res_due = ToEpochMillis(t.resolution_due);
        std::string category(ToString(t.category)), priority(ToString(t.priority)), status(ToString(t.status));
        long long id = 0;
        tx_.sql()
            << "INSERT INTO tickets (owner_id, subject, category, priority, status, created_at, updated_at, "
               "first_response_due, resolution_due) VALUES (:o, :s, :c, :p, :st, :ca, :ua, :frd, :rd) RETURNING id",
            soci::use(owner), soci::use(t.subject), soci::use(category), soci::use(priority), soci::use(status),
            soci::use(created), soci::use(updated), soci::use(fr_due), soci::use(res_due), soci::into(id);
        return TicketId{id};
    }

    void Update(const Ticket& t) override {
        long long tid = t.id.value, updated = ToEpochMillis(t.updated_at), fr_due = ToEpochMillis(t.first_response_due),
                  res_due = ToEpochMillis(t.resolution_due);
        std::string status(ToString(t.status));
        NullableInt resolved(t.resolved_at), closed(t.closed_at), paused(t.paused_since),
            warned(t.auto_close_warned_at);
        if (!tx_.viewer().IsStaff()) {
            // On PostgreSQL a member may write only the columns a member's action changes (migration 0009).
            tx_.sql() << "UPDATE tickets SET status = :st, updated_at = :ua, resolved_at = :ra, closed_at = :cla, "
                         "close_reason = :cr, first_response_due = :frd, resolution_due = :rd, paused_since = :ps, "
                         "auto_close_warned_at = :w WHERE id = :id",
                soci::use(status), soci::use(updated), soci::use(resolved.value, resolved.ind),
                soci::use(closed.value, closed.ind), soci::use(t.close_reason), soci::use(fr_due), soci::use(res_due),
                soci::use(paused.value, paused.ind), soci::use(warned.value, warned.ind), soci::use(tid);
            return;
        }
        int fr_breached = t.first_response_breached ? 1 : 0, res_breached = t.resolution_breached ? 1 : 0;
        std::string priority(ToString(t.priority));
        NullableInt assignee(t.assignee), fr_at(t.first_response_at);
        tx_.sql() << "UPDATE tickets SET priority = :p, status = :st, assignee_id = :a, updated_at = :ua, "
                     "first_response_at = :fra, resolved_at = :ra, closed_at = :cla, close_reason = :cr, "
                     "first_response_due = :frd, resolution_due = :rd, paused_since = :ps, "
                     "first_response_breached = :frb, resolution_breached = :rb, auto_close_warned_at = :w "
                     "WHERE id = :id",
            soci::use(priority), soci::use(status), soci::use(assignee.value, assignee.ind), soci::use(updated),
            soci::use(fr_at.value, fr_at.ind), soci::use(resolved.value, resolved.ind),
            soci::use(closed.value, closed.ind), soci::use(t.close_reason), soci::use(fr_due), soci::use(res_due),
            soci::use(paused.value, paused.ind), soci::use(fr_breached), soci::use(res_breached),
            soci::use(warned.value, warned.ind), soci::use(tid);
    }

    void AddMessage(const Message& m) override {
        long long owner = OwnerOf(m.ticket_id);
        auto& insert = tx_.Prepared<MessageInsert>(MessageInsert::kSql,
                                                   [&] { return std::make_unique<MessageInsert>(tx_.sql()); });
        insert.ticket = m.ticket_id.value;
        insert.owner = owner;
        insert.author = m.author.value;
        insert.staff = m.from_staff ? 1 : 0;
        insert.internal = m.internal ? 1 : 0;
        insert.body = m.body;
        insert.at = ToEpochMillis(m.created_at);
        insert.statement.execute(true);
        FinishRun(tx_.dialect(), insert.statement);
    }

    void AddAudit(const AuditEntry& e) override {
        long long owner = OwnerOf(e.ticket_id);
        auto& insert =
            tx_.Prepared<AuditInsert>(AuditInsert::kSql, [&] { return std::make_unique<AuditInsert>(tx_.sql()); });
        insert.ticket = e.ticket_id.value;
        insert.owner = owner;
        insert.actor = e.actor.value;
        insert.action = e.action;
        insert.before = e.before;
        insert.after = e.after;
        insert.at = ToEpochMillis(e.at);
        insert.statement.execute(true);
        FinishRun(tx_.dialect(), insert.statement);
    }

    std::optional<core::Role> DirectoryRole(core::UserId person) override {
        long long id = person.value;
        std::string role;
        soci::indicator ind = soci::i_null;
        tx_.sql() << "SELECT role FROM members WHERE id = :id", soci::use(id), soci::into(role, ind);
        if (ind != soci::i_ok) return std::nullopt;
        return core::ParseRole(role);
    }

    int CountActiveByOwner(core::UserId owner) override {
        long long o = owner.value;
        int n = 0;
        tx_.sql() << "SELECT COUNT(*) FROM tickets WHERE owner_id = :o AND status NOT IN ('resolved', 'closed')",
            soci::use(o), soci::into(n);
        return n;
    }

    int CountCreatedSince(core::UserId owner, core::TimePoint since) override {
        long long o = owner.value, s = ToEpochMillis(since);
        int n = 0;
        tx_.sql() << "SELECT COUNT(*) FROM tickets WHERE owner_id = :o AND created_at >= :s", soci::use(o),
            soci::use(s), soci::into(n);
        return n;
    }

    std::vector<Ticket> List(const TicketQuery& q) override {
        DynamicQuery query;
        std::vector<std::string> where;
        long long owner = q.scope == ListScope::kMine ? tx_.viewer().user_id.value : OwnerFilter();
        if (owner != 0) where.push_back("owner_id = " + query.Bind(owner));
        if (q.scope == ListScope::kAssignedToMe)
            where.push_back("assignee_id = " + query.Bind(tx_.viewer().user_id.value));
        if (q.scope == ListScope::kUnassigned) where.push_back("assignee_id IS NULL");
        if (q.scope == ListScope::kBreached) {
            long long now = ToEpochMillis(clock_.Now());
            where.push_back(
                "(first_response_breached = 1 OR resolution_breached = 1 OR (paused_since IS NULL AND status "
                "NOT IN ('resolved', 'closed') AND ((first_response_at IS NULL AND first_response_due <= " +
                query.Bind(now) + ") OR resolution_due <= " + query.Bind(now) + ")))");
        }
        if (q.status) where.push_back("status = " + query.Bind(std::string(ToString(*q.status))));
        if (q.category) where.push_back("category = " + query.Bind(std::string(ToString(*q.category))));
        if (q.priority) where.push_back("priority = " + query.Bind(std::string(ToString(*q.priority))));
        if (q.assignee) where.push_back("assignee_id = " + query.Bind(q.assignee->value));
        if (!q.text.empty()) where.push_back("lower(subject) LIKE " + query.Bind(LikePattern(q.text)) + " ESCAPE '\\'");
        if (q.after) where.push_back("id < " + query.Bind(q.after->value));
        std::string rest;
        for (std::size_t i = 0; i < where.size(); ++i) rest += (i == 0 ? " WHERE " : " AND ") + where[i];
        rest += " ORDER BY id DESC LIMIT " + query.Bind(static_cast<long long>(q.limit));
        return SelectTickets(tx_, query, rest);
    }

    std::vector<Message> Messages(TicketId id, bool include_internal) override {
        long long tid = id.value, owner = OwnerFilter();
        int internal_ok = include_internal && tx_.viewer().IsStaff() ? 1 : 0;
        std::vector<Message> out;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare
                 << "SELECT id, ticket_id, author_id, from_staff, internal, body, created_at FROM "
                    "ticket_messages WHERE ticket_id = :t AND (CAST(:owner AS BIGINT) = 0 OR owner_id = :owner2) "
                    "AND (:internal_ok = 1 OR internal = 0) ORDER BY id",
             soci::use(tid, "t"), soci::use(owner, "owner"), soci::use(owner, "owner2"),
             soci::use(internal_ok, "internal_ok"));
        for (const auto& row : rows) {
            out.push_back(Message{RowInt(row, 0), TicketId{RowInt(row, 1)}, core::UserId{RowInt(row, 2)},
                                  RowInt(row, 3) != 0, RowInt(row, 4) != 0, RowText(row, 5),
                                  FromEpochMillis(RowInt(row, 6))});
        }
        return out;
    }

    std::vector<AuditEntry> Audit(TicketId id) override {
        std::vector<AuditEntry> out;
        if (!tx_.viewer().IsStaff()) return out;
        long long tid = id.value;
        soci::rowset<soci::row> rows =
            (tx_.sql().prepare << "SELECT id, ticket_id, actor_id, action, before, after, at FROM ticket_audit_log "
                                  "WHERE ticket_id = :t ORDER BY id",
             soci::use(tid));
        for (const auto& row : rows) {
            out.push_back(AuditEntry{RowInt(row, 0), TicketId{RowInt(row, 1)}, core::UserId{RowInt(row, 2)},
                                     RowText(row, 3), RowText(row, 4), RowText(row, 5),
                                     FromEpochMillis(RowInt(row, 6))});
        }
        return out;
    }

    std::vector<Ticket> SweepCandidates(core::TimePoint now, core::TimePoint waiting_since) override {
        long long n = ToEpochMillis(now), w = ToEpochMillis(waiting_since);
        DynamicQuery query;
        std::string rest =
            " WHERE status NOT IN ('resolved', 'closed') AND ("
            " (paused_since IS NULL AND first_response_at IS NULL AND first_response_breached = 0"
            "  AND first_response_due <= " +
            query.Bind(n) +
            ")"
            " OR (paused_since IS NULL AND resolution_breached = 0 AND resolution_due <= " +
            query.Bind(n) + ") OR (status = 'waiting_member' AND paused_since <= " + query.Bind(w) + ")) ORDER BY id";
        return SelectTickets(tx_, query, rest);
    }

    std::vector<Ticket> CreatedSince(core::TimePoint since) override {
        if (!tx_.viewer().IsStaff()) return {};
        DynamicQuery query;
        return SelectTickets(tx_, query, " WHERE created_at >= " + query.Bind(ToEpochMillis(since)) + " ORDER BY id");
    }

    std::pair<int, int> Backlog() override {
        int active = 0, unassigned = 0;
        long long owner = OwnerFilter();
        tx_.sql() << "SELECT COUNT(*), COALESCE(SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), 0) FROM tickets "
                     "WHERE status NOT IN ('resolved', 'closed') AND (CAST(:o AS BIGINT) = 0 OR owner_id = :o2)",
            soci::use(owner, "o"), soci::use(owner, "o2"), soci::into(active), soci::into(unassigned);
        return {active, unassigned};
    }

    void Notify(const scheduling::Notice& notice) override {
        SqlOutboxStore::AddIn(tx_, scheduling::ToOutboxItem(notice), clock_.Now());
    }

private:
    long long OwnerOf(TicketId id) {
        auto& lookup =
            tx_.Prepared<OwnerLookup>(OwnerLookup::kSql, [&] { return std::make_unique<OwnerLookup>(tx_.sql()); });
        lookup.ticket = id.value;
        lookup.filter = OwnerFilter();
        lookup.owner_ind = soci::i_null;
        bool found = lookup.statement.execute(true) && lookup.owner_ind != soci::i_null;
        FinishRun(tx_.dialect(), lookup.statement);
        if (!found) {
            throw core::Error(core::ErrorCode::kNotFound, "ticket " + std::to_string(id.value) + " not found",
                              "tickets.not_found", {{"id", std::to_string(id.value)}});
        }
        return lookup.owner;
    }

    Transaction& tx_;
    const core::Clock& clock_;
};

}  // namespace

void SqlTicketRepository::Write(const core::Viewer& viewer, const std::function<void(TicketStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlTicketStore store(tx, clock_);
        work(store);
    });
}

void SqlTicketRepository::Read(const core::Viewer& viewer, const std::function<void(TicketStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlTicketStore store(tx, clock_);
        work(store);
    });
}

}  // namespace maxis::storage
