#include "http/api/tickets_api.hpp"

#include <array>
#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"
#include "http/api/api_util.hpp"

namespace maxis::http {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using namespace tickets;

namespace {

json::value Time(const std::optional<core::TimePoint>& t) {
    if (!t) return nullptr;
    return json::value(core::FormatIso8601(*t));
}

// Snowflakes exceed JavaScript's safe integers: ids of people travel as strings.
json::value UserJson(const std::optional<core::UserId>& u) {
    if (!u) return nullptr;
    return json::value(u->ToString());
}

/// sp: where the object's memory comes from (a list builds all of its tickets in one arena).
json::object TicketJson(const Ticket& t, json::storage_ptr sp = {}) {
    return json::object(
        {
            {"id", t.id.value},
            {"subject", t.subject},
            {"category", ToString(t.category)},
            {"priority", ToString(t.priority)},
            {"status", ToString(t.status)},
            {"owner", t.owner.ToString()},
            {"assignee", UserJson(t.assignee)},
            {"created_at", core::FormatIso8601(t.created_at)},
            {"updated_at", core::FormatIso8601(t.updated_at)},
            {"first_response_at", Time(t.first_response_at)},
            {"resolved_at", Time(t.resolved_at)},
            {"closed_at", Time(t.closed_at)},
            {"close_reason", t.close_reason},
            {"sla",
             {{"first_response_due", core::FormatIso8601(t.first_response_due)},
              {"resolution_due", core::FormatIso8601(t.resolution_due)},
              {"paused", t.paused_since.has_value()},
              {"first_response_breached", t.first_response_breached},
              {"resolution_breached", t.resolution_breached}}},
        },
        std::move(sp));
}

template <class E>
E EnumField(const std::string& value, std::string_view name, std::optional<E> (*parse)(std::string_view),
            const std::vector<Name>& names) {
    auto parsed = parse(value);
    if (!parsed) {
        std::string allowed;
        for (const auto& n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n.value);
        BadRequest("field '" + std::string(name) + "' must be one of " + allowed + " (got '" + value + "')");
    }
    return *parsed;
}

TicketId IdParam(const Request& req) { return TicketId{PathId(req, "ticket")}; }

TicketQuery QueryFrom(const Request& req) {
    TicketQuery q;
    q.scope = ListScope::kAll;
    if (auto v = req.QueryParam("status")) q.status = EnumField<Status>(*v, "status", ParseStatus, StatusNames());
    if (auto v = req.QueryParam("category"))
        q.category = EnumField<Category>(*v, "category", ParseCategory, CategoryNames());
    if (auto v = req.QueryParam("priority"))
        q.priority = EnumField<Priority>(*v, "priority", ParsePriority, PriorityNames());
    if (auto v = req.QueryParam("assignee")) {
        if (*v == "none") {
            q.scope = ListScope::kUnassigned;
        } else if (auto id = ParseUserId(*v)) {
            q.assignee = id;
        } else {
            BadRequest("assignee must be a user id or 'none'");
        }
    }
    if (auto v = req.QueryParam("breached")) {
        if (*v != "true" && *v != "false") BadRequest("breached must be true or false");
        if (*v == "true") q.scope = ListScope::kBreached;
    }
    if (auto v = req.QueryParam("text")) {
        if (v->size() > 200 || !core::IsValidUtf8(*v)) BadRequest("text must be valid UTF-8, 200 bytes at most");
        q.text = *v;
    }
    if (auto cursor = CursorParam(req)) q.after = TicketId{*cursor};
    q.limit = LimitParam(req, q.limit);
    return q;
}

std::optional<core::Millis> PeriodParam(const Request& req, const std::string& fallback = "7d") {
    auto period = req.QueryParam("period").value_or(fallback);
    if (period == "7d") return std::chrono::hours(7 * 24);
    if (period == "30d") return std::chrono::hours(30 * 24);
    if (period == "all") return std::nullopt;
    BadRequest("period must be 7d, 30d or all");
}

/// The language asked by `?locale=fr|en`, else the community's; 400 for another value.
std::string LocaleParam(const Request& req, const TicketDocuments& documents) {
    auto v = req.QueryParam("locale");
    if (!v) return documents.default_locale;
    if (*v != "fr" && *v != "en") BadRequest("parameter 'locale' must be fr or en");
    return *v;
}

/// A sentence as JSON: {"text": words} and {"user": id} pieces, so that the answer's "people" names them.
json::array SentenceJson(const std::vector<core::TextPiece>& pieces) {
    json::array out;
    for (const auto& piece : pieces) {
        if (piece.person) {
            out.push_back(json::object{{"user", piece.person->ToString()}});
        } else {
            out.push_back(json::object{{"text", piece.text}});
        }
    }
    return out;
}

/// The ticket as its reader sees it; with documents.history, each history entry also carries its sentence in
/// locale.
json::object ViewJson(const TicketView& view, const TicketDocuments& documents, std::string_view locale,
                      const core::Viewer& reader) {
    auto out = TicketJson(view.ticket);
    json::array messages;
    for (const auto& m : view.messages) {
        messages.push_back(json::object{{"id", m.id},
                                        {"author", m.author.ToString()},
                                        {"from_staff", m.from_staff},
                                        {"internal", m.internal},
                                        {"body", m.body},
                                        {"created_at", core::FormatIso8601(m.created_at)}});
    }
    out["messages"] = std::move(messages);
    if (!view.audit.empty()) {
        json::array audit;
        for (const auto& a : view.audit) {
            json::object entry{{"actor", a.actor.ToString()},
                               {"action", a.action},
                               {"before", a.before},
                               {"after", a.after},
                               {"at", core::FormatIso8601(a.at)}};
            if (documents.history) entry["sentence"] = SentenceJson(documents.history(a, locale, reader));
            audit.push_back(std::move(entry));
        }
        out["audit"] = std::move(audit);
    }
    return out;
}

}  // namespace

std::optional<core::Viewer> BearerViewer(const Request& req,
                                         const std::function<std::optional<core::Viewer>(const std::string&)>& lookup) {
    auto header = req.Header("authorization");
    if (header.empty()) return std::nullopt;
    if (!core::StartsWith(header, "Bearer ")) {
        throw Error(ErrorCode::kUnauthenticated, "the Authorization header must be 'Bearer <token>'");
    }
    auto viewer = lookup(std::string(core::Trim(header.substr(7))));
    if (!viewer) throw Error(ErrorCode::kUnauthenticated, "invalid or revoked token");
    return viewer;
}

void AddTicketRoutes(Router& router, TicketService& service, Authenticator authenticate, TicketDocuments documents) {
    router.Add("GET", "/api/v1/tickets", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto query = QueryFrom(req);
        auto list = service.List(viewer, query);
        // One arena for the whole answer instead of an allocation per field; it grows past the buffer if needed.
        std::array<unsigned char, 16 * 1024> buffer;
        json::monotonic_resource arena(buffer.data(), buffer.size());
        json::storage_ptr sp(&arena);
        json::array items(sp);
        items.reserve(list.size());
        for (const auto& t : list) items.push_back(TicketJson(t, sp));
        json::value next(sp);
        if (static_cast<int>(list.size()) == query.limit) next = list.back().id.ToString();
        return Response::Json(200, json::object({{"items", std::move(items)}, {"next_cursor", std::move(next)}}, sp));
    });

    router.Add("POST", "/api/v1/tickets", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto body = ParseBody(req, {"subject", "category", "priority", "description"});
        auto category =
            EnumField<Category>(StringField(body, "category", true), "category", ParseCategory, CategoryNames());
        auto priority =
            EnumField<Priority>(StringField(body, "priority", true), "priority", ParsePriority, PriorityNames());
        auto t = service.Open(viewer, StringField(body, "subject", true), category, priority,
                              StringField(body, "description", true));
        return Response::Json(201, TicketJson(t)).With("Location", "/api/v1/tickets/" + t.id.ToString());
    });

    // Registered before /{id}, which would otherwise take "stats" for an id.
    router.Add("GET", "/api/v1/tickets/stats", [&service, authenticate](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto stats = service.Stats(viewer, PeriodParam(req));
        auto percentiles = [](const Percentiles& p) {
            auto minutes = [](const std::optional<core::Millis>& d) -> json::value {
                if (!d) return nullptr;
                return static_cast<double>(d->count()) / 60000.0;
            };
            return json::object{
                {"count", p.count}, {"median_minutes", minutes(p.median)}, {"p90_minutes", minutes(p.p90)}};
        };
        auto group = [&](const std::map<std::string, Percentiles>& m) {
            json::object o;
            for (const auto& [k, v] : m) o[k] = percentiles(v);
            return o;
        };
        return Response::Json(
            200, json::object{
                     {"period", req.QueryParam("period").value_or("7d")},
                     {"created", stats.created},
                     {"resolved", stats.resolved},
                     {"first_response", percentiles(stats.first_response)},
                     {"resolution", percentiles(stats.resolution)},
                     {"first_response_by_agent", group(stats.first_response_by_agent)},
                     {"resolution_by_agent", group(stats.resolution_by_agent)},
                     {"first_response_by_category", group(stats.first_response_by_category)},
                     {"resolution_by_category", group(stats.resolution_by_category)},
                     {"breaches", json::object{{"first_response", stats.first_response_breaches},
                                               {"resolution", stats.resolution_breaches}}},
                     {"backlog", json::object{{"active", stats.backlog}, {"unassigned", stats.backlog_unassigned}}}});
    });

    router.Add("GET", "/api/v1/tickets/export.csv", [&service, authenticate, documents](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto period = req.QueryParam("period").value_or("all");
        return Response::Text(200, service.ExportCsv(viewer, PeriodParam(req, "all"), documents.names),
                              "text/csv; charset=utf-8")
            .With("Content-Disposition", "attachment; filename=\"tickets-" + period + ".csv\"");
    });

    if (documents.transcript)
        router.Add("GET", "/api/v1/tickets/{id}/transcript", [&service, authenticate, documents](const Request& req) {
            auto viewer = Authenticate(req, authenticate);
            auto locale = LocaleParam(req, documents);
            return Response::Text(200, documents.transcript(service.Transcript(viewer, IdParam(req)), locale));
        });

    router.Add("GET", "/api/v1/tickets/{id}", [&service, authenticate, documents](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto locale = LocaleParam(req, documents);
        return Response::Json(200, ViewJson(service.View(viewer, IdParam(req)), documents, locale, viewer));
    });

    router.Add("POST", "/api/v1/tickets/{id}/messages", [&service, authenticate, documents](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto id = IdParam(req);
        auto locale = LocaleParam(req, documents);
        auto body = ParseBody(req, {"body", "internal"});
        bool internal = false;
        if (auto it = body.find("internal"); it != body.end()) {
            if (!it->value().is_bool()) BadRequest("field 'internal' must be true or false");
            internal = it->value().as_bool();
        }
        auto text = StringField(body, "body", true);
        auto t = internal ? service.Note(viewer, id, text) : service.Reply(viewer, id, text);
        return Response::Json(201, ViewJson(service.View(viewer, t.id), documents, locale, viewer));
    });

    router.Add("PATCH", "/api/v1/tickets/{id}", [&service, authenticate, documents](const Request& req) {
        auto viewer = Authenticate(req, authenticate);
        auto id = IdParam(req);
        auto locale = LocaleParam(req, documents);
        auto body = ParseBody(req, {"status", "priority", "assignee", "close_reason"});
        // One call, one transaction: the service applies its own rules to every field, or changes nothing.
        tickets::TicketUpdate update;
        if (body.contains("priority")) {
            update.priority =
                EnumField<Priority>(StringField(body, "priority", true), "priority", ParsePriority, PriorityNames());
        }
        if (body.contains("assignee"))
            update.assignee = UserIdParam(StringField(body, "assignee", true), "field 'assignee'");
        if (body.contains("status")) {
            update.status = EnumField<Status>(StringField(body, "status", true), "status", ParseStatus, StatusNames());
            update.close_reason = StringField(body, "close_reason", false);
        }
        service.Update(viewer, id, update);
        return Response::Json(200, ViewJson(service.View(viewer, id), documents, locale, viewer));
    });
}

}  // namespace maxis::http
