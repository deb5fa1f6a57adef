#include "panel/routes.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "core/errors.hpp"
#include "core/strings.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "http/server.hpp"

namespace maxis::panel {

namespace json = boost::json;
using core::Error;
using core::ErrorCode;
using storage::SessionStage;

namespace {

const std::set<std::string, std::less<>> kPages = {
    "login",    "refused",  "second-factor", "enrol", "dashboard", "users",     "orders",    "tickets",  "logs",
    "settings", "products", "promotions",    "plans", "docs",      "giveaways", "preorders", "marketing"};
const std::set<std::string, std::less<>> kOpenPages = {"login", "refused"};

[[noreturn]] void BadRequest(const std::string& message) { throw Error(ErrorCode::kInvalidArgument, message); }

json::object Body(const http::Request& req) {
    json::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object()) BadRequest("the body must be a JSON object");
    return v.as_object();
}

std::string StringField(const json::object& o, std::string_view key, std::size_t max = 200) {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) BadRequest("field '" + std::string(key) + "' must be a string");
    std::string v(it->value().as_string());
    if (v.size() > max || !core::IsValidUtf8(v))
        BadRequest("field '" + std::string(key) + "' is too long or not UTF-8");
    return v;
}

core::UserId UserParam(const http::Request& req) {
    auto id = core::ParseId(req.path_params.at("id"));
    if (!id) throw Error(ErrorCode::kNotFound, "member not found");
    return core::UserId{*id};
}

void RequireAdmin(const PanelSession& s) {
    if (!s.viewer().AtLeast(core::Role::kAdmin)) throw Error(ErrorCode::kForbidden, "only admins can do this");
}

http::Response Html(std::string body) {
    auto r = http::Response::Text(200, std::move(body), "text/html; charset=utf-8");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

json::object DashboardJson(PanelServices& s, int days) {
    auto now = s.clock.Now();
    auto since = now - std::chrono::hours(24 * days);
    auto rows = s.store.Dashboard(since);
    std::vector<std::string> labels;
    std::map<std::string, std::size_t> index;
    for (int i = days - 1; i >= 0; --i) {
        auto d = s.zone.LocalDate(now - std::chrono::hours(24 * i));
        if (index.contains(d)) continue;
        index[d] = labels.size();
        labels.push_back(d);
    }
    std::size_t n = labels.size();
    std::vector<long long> created(n), fr_breaches(n), res_breaches(n), joins(n), leaves(n);
    std::vector<std::vector<core::Millis>> response_times(n);
    for (const auto& t : rows.tickets) {
        auto it = index.find(s.zone.LocalDate(t.created_at));
        if (it == index.end()) continue;
        created[it->second]++;
        fr_breaches[it->second] += t.first_response_breached;
        res_breaches[it->second] += t.resolution_breached;
        if (t.first_response_at) {
            response_times[it->second].push_back(
                std::chrono::duration_cast<core::Millis>(*t.first_response_at - t.created_at));
        }
    }
    for (const auto& e : rows.member_events) {
        auto it = index.find(s.zone.LocalDate(e.at));
        if (it == index.end()) continue;
        (e.joined ? joins : leaves)[it->second]++;
    }
    auto to_array = [](const std::vector<long long>& v) {
        json::array a;
        for (auto x : v) a.push_back(x);
        return a;
    };
    // The same median as the tickets' statistics (nearest rank): one definition for one figure.
    json::array median;
    for (auto& times : response_times) {
        auto m = tickets::ComputePercentiles(std::move(times)).median;
        median.push_back(m ? json::value(static_cast<double>(m->count()) / 60000.0) : json::value(nullptr));
    }
    json::object by_status;
    long long active = 0;
    for (const auto& st : {"open", "waiting_staff", "waiting_member", "resolved", "closed"}) {
        auto it = rows.tickets_by_status.find(st);
        long long c = it == rows.tickets_by_status.end() ? 0 : it->second;
        by_status[st] = c;
        if (std::string_view(st) != "resolved" && std::string_view(st) != "closed") active += c;
    }
    json::array day_labels;
    for (const auto& l : labels) day_labels.push_back(json::string(l));
    long long guild = s.guild_members ? s.guild_members() : -1;
    return json::object{{"days", std::move(day_labels)},
                        {"tickets_by_status", std::move(by_status)},
                        {"active_tickets", active},
                        {"created", to_array(created)},
                        {"first_response_breaches", to_array(fr_breaches)},
                        {"resolution_breaches", to_array(res_breaches)},
                        {"first_response_median_minutes", std::move(median)},
                        {"joins", to_array(joins)},
                        {"leaves", to_array(leaves)},
                        {"members", json::object{{"known", rows.known_members},
                                                 {"guild", guild >= 0 ? json::value(guild) : json::value(nullptr)}}},
                        {"time_zone", s.zone.name()},
                        {"discord", s.discord_gateway ? s.discord_gateway() : json::value(nullptr)}};
}

json::object UserJson(const storage::UserRow& u) {
    // "user" repeats the id under the name every answer uses for a person, so that "people" covers it.
    return json::object{{"id", u.id.ToString()},  {"user", u.id.ToString()},
                        {"name", u.display_name}, {"locale", u.locale},
                        {"blocked", u.blocked},   {"created_at", core::FormatIso8601(u.created_at)}};
}

/// A key's section: what comes before its first dot ("tickets.max_open_per_member"); secrets, named by their
/// environment variable, are "secrets".
std::string SectionOf(std::string_view key) {
    auto dot = key.find('.');
    if (dot == std::string_view::npos) return key.starts_with("MAXIS_") ? "secrets" : "general";
    return std::string(key.substr(0, dot));
}

std::string_view UnitName(RuntimeSetting::Unit unit) {
    switch (unit) {
        case RuntimeSetting::Unit::kCount:
            return "count";
        case RuntimeSetting::Unit::kPerHour:
            return "per_hour";
        case RuntimeSetting::Unit::kCents:
            return "euros";
        case RuntimeSetting::Unit::kMinutes:
            return "minutes";
        case RuntimeSetting::Unit::kNone:
            break;
    }
    return "none";
}

json::object WordsJson(const Words& w) { return json::object{{"fr", w.fr}, {"en", w.en}}; }

json::object SettingsJson(PanelServices& s) {
    std::set<std::string, std::less<>> runtime_keys;
    for (const auto& r : s.settings) runtime_keys.insert(r.key);
    json::array effective;
    for (const auto& line : core::Split(s.describe_config(), '\n')) {
        auto eq = line.find(" = ");
        if (eq == std::string::npos) continue;
        auto key = line.substr(0, eq);
        effective.push_back(json::object{{"key", key},
                                         {"value", line.substr(eq + 3)},
                                         {"section", SectionOf(key)},
                                         {"runtime", runtime_keys.contains(key)}});
    }
    json::array runtime;
    auto stored = s.store.Settings();
    for (const auto& r : s.settings) {
        json::object o{{"key", r.key},
                       {"kind", r.kind == RuntimeSetting::Kind::kBoolean ? "boolean" : "integer"},
                       {"value", r.get()},
                       {"overridden", stored.contains(r.key)},
                       {"section", SectionOf(r.key)},
                       {"label", WordsJson(r.label)},
                       {"help", WordsJson(r.help)},
                       {"unit", UnitName(r.unit)},
                       {"unlimited", r.unlimited ? json::value(*r.unlimited) : json::value(nullptr)}};
        if (r.kind == RuntimeSetting::Kind::kInteger) {
            o["min"] = r.min;
            o["max"] = r.max;
        }
        runtime.push_back(std::move(o));
    }
    return json::object{{"effective", std::move(effective)}, {"runtime", std::move(runtime)}};
}

}  // namespace

std::string ValidateSetting(const RuntimeSetting& setting, const std::string& value) {
    if (setting.kind == RuntimeSetting::Kind::kBoolean) {
        if (value != "true" && value != "false") BadRequest(setting.key + " must be true or false");
        return value;
    }
    if (!core::ParseInteger(value, INT64_MIN, INT64_MAX)) BadRequest(setting.key + " must be a whole number");
    if (setting.unlimited && core::ParseInteger(value, INT64_MIN, INT64_MAX) == setting.unlimited)
        return std::to_string(*setting.unlimited);
    auto v = core::ParseInteger(value, setting.min, setting.max);
    if (!v)
        BadRequest(setting.key + " must be between " + std::to_string(setting.min) + " and " +
                   std::to_string(setting.max));
    return std::to_string(*v);
}

void AddPanelRoutes(http::Router& router, PanelServices& s) {
    auto& auth = s.auth;

    router.Add("GET", "/admin-panel", [](const http::Request&) { return Redirect("/admin-panel/dashboard"); });
    router.Add("GET", "/admin-panel/", [](const http::Request&) { return Redirect("/admin-panel/dashboard"); });

    router.Add("GET", "/admin-panel/{page}", [&s, &auth](const http::Request& req) {
        const auto& page = req.path_params.at("page");
        if (!kPages.contains(page)) return http::Response::Error(404, "not_found", "no such page");
        auto session = auth.Current(req);
        auto stage = session && session->record.user ? session->record.stage : SessionStage::kAnonymous;
        auto lang = session ? session->record.locale : auth.options().default_locale;
        if (page == "login" && stage == SessionStage::kActive) return Redirect("/admin-panel/dashboard");
        if (!kOpenPages.contains(page)) {
            bool allowed = page == "second-factor" ? stage == SessionStage::kSecondFactor
                           : page == "enrol"       ? stage == SessionStage::kEnrol || stage == SessionStage::kActive
                                                   : stage == SessionStage::kActive;
            if (!allowed) return Redirect(LandingFor(stage));
        }
        auto response = Html(s.assets.Page(page, lang));
        if (page == "products") response.headers.emplace_back("Content-Security-Policy", http::kProductImagesCsp);
        return response;
    });

    router.Add(
        "GET", "/admin-panel/assets/{name}",
        [&s](const http::Request& req) {
            const auto* asset = s.assets.Find(req.path_params.at("name"));
            if (asset == nullptr) return http::Response::Error(404, "not_found", "no such asset");
            std::string etag = "\"" + asset->integrity + "\"";
            if (req.Header("if-none-match") == etag) {
                http::Response r;
                r.status = 304;
                r.headers.emplace_back("ETag", etag);
                return r;
            }
            auto r = http::Response::Text(200, std::string(asset->body), asset->content_type);
            r.headers.emplace_back("ETag", etag);
            r.headers.emplace_back("Cache-Control", "no-cache");
            return r;
        },
        http::RouteOptions{.blocking = false});

    router.Add("GET", "/admin-panel/auth/discord",
               [&auth](const http::Request& req) { return auth.StartDiscordLogin(req); });
    router.Add("GET", "/admin-panel/auth/callback",
               [&auth](const http::Request& req) { return auth.FinishDiscordLogin(req); });
    router.Add("GET", "/admin-panel/auth/link", [&auth](const http::Request& req) { return auth.UseLoginLink(req); });

    router.Add("GET", "/admin-panel/api/me", [&s, &auth](const http::Request& req) {
        auto session = auth.Require(req, false, false);
        const auto& r = session.record;
        return http::Response::Json(200,
                                    json::object{{"user", r.user->ToString()},
                                                 {"name", r.display_name},
                                                 {"avatar_url", r.avatar_url},
                                                 {"role", core::ToString(r.role)},
                                                 {"stage", storage::ToString(r.stage)},
                                                 {"locale", r.locale},
                                                 {"csrf_token", r.csrf_token},
                                                 {"expires_at", core::FormatIso8601(r.expires_at)},
                                                 {"idle_timeout_seconds", auth.options().idle_timeout.count() / 1000},
                                                 {"time_zone", s.zone.name()}})
            .With("Cache-Control", "no-store");
    });
    router.Add("POST", "/admin-panel/api/logout", [&auth](const http::Request& req) { return auth.Logout(req); });
    router.Add("POST", "/admin-panel/api/locale", [&s, &auth](const http::Request& req) {
        auto session = auth.Require(req, true, false);
        auto locale = StringField(Body(req), "locale", 5);
        if (locale != "fr" && locale != "en") BadRequest("locale must be fr or en");
        s.store.SetSessionLocale(session.record.id_hash, locale);
        return http::Response::Json(200, json::object{{"locale", locale}});
    });

    // The second factor.
    router.Add("POST", "/admin-panel/api/second-factor/setup", [&auth](const http::Request& req) {
        auto session = auth.Require(req, true, false);
        if (session.record.stage != SessionStage::kEnrol && session.record.stage != SessionStage::kActive) {
            throw Error(ErrorCode::kUnauthenticated, "sign in first", "panel.sign_in_first");
        }
        return http::Response::Json(200, auth.BeginEnrolment(session)).With("Cache-Control", "no-store");
    });
    router.Add("GET", "/admin-panel/api/second-factor/qr.svg", [&auth](const http::Request& req) {
        auto session = auth.Require(req, false, false);
        if (session.record.stage != SessionStage::kEnrol && session.record.stage != SessionStage::kActive) {
            throw Error(ErrorCode::kUnauthenticated, "sign in first", "panel.sign_in_first");
        }
        return http::Response::Text(200, auth.EnrolmentQrSvg(session), "image/svg+xml")
            .With("Cache-Control", "no-store");
    });
    router.Add("POST", "/admin-panel/api/second-factor/confirm", [&auth](const http::Request& req) {
        auto session = auth.Require(req, true, false);
        if (session.record.stage != SessionStage::kEnrol && session.record.stage != SessionStage::kActive) {
            throw Error(ErrorCode::kUnauthenticated, "sign in first", "panel.sign_in_first");
        }
        auto [codes, cookie] = auth.ConfirmEnrolment(session, StringField(Body(req), "code", 20), req);
        json::array list;
        for (const auto& c : codes) list.push_back(json::string(c));
        return http::Response::Json(200, json::object{{"recovery_codes", std::move(list)}})
            .With("Set-Cookie", cookie)
            .With("Cache-Control", "no-store");
    });
    router.Add("POST", "/admin-panel/api/second-factor/verify", [&auth](const http::Request& req) {
        auto session = auth.Require(req, true, false);
        if (session.record.stage != SessionStage::kSecondFactor)
            throw Error(ErrorCode::kConflict, "no second factor is awaited", "panel.no_second_factor_awaited");
        auto cookie = auth.VerifySecondFactor(session, StringField(Body(req), "code", 20), req);
        return http::Response::Json(200, json::object{{"ok", true}}).With("Set-Cookie", cookie);
    });

    // Data.
    router.Add("GET", "/admin-panel/api/dashboard", [&s, &auth](const http::Request& req) {
        auth.Require(req, false);
        int days = 30;
        if (auto d = req.QueryParam("days")) {
            if (*d != "7" && *d != "30" && *d != "90") BadRequest("days must be 7, 30 or 90");
            days = static_cast<int>(*core::ParseInteger(*d, 7, 90));
        }
        return http::Response::Json(200, DashboardJson(s, days));
    });
    router.Add("GET", "/admin-panel/api/users", [&s, &auth](const http::Request& req) {
        auth.Require(req, false);
        auto q = req.QueryParam("q").value_or("");
        if (q.size() > 100 || !core::IsValidUtf8(q)) BadRequest("q must be valid UTF-8, 100 bytes at most");
        json::array items;
        for (const auto& u : s.store.SearchUsers(std::string(core::Trim(q)), 50)) items.push_back(UserJson(u));
        return http::Response::Json(200, json::object{{"items", std::move(items)}});
    });
    router.Add("GET", "/admin-panel/api/users/{id}", [&s, &auth](const http::Request& req) {
        auth.Require(req, false);
        auto id = UserParam(req);
        auto user = s.store.FindUser(id);
        if (!user) throw Error(ErrorCode::kNotFound, "member not found");
        json::array tickets;
        for (const auto& t : s.store.TicketsOf(id, 50)) {
            tickets.push_back(json::object{{"id", t.id},
                                           {"subject", t.subject},
                                           {"status", t.status},
                                           {"priority", t.priority},
                                           {"created_at", core::FormatIso8601(t.created_at)}});
        }
        auto out = UserJson(*user);
        out["tickets"] = std::move(tickets);
        return http::Response::Json(200, out);
    });
    router.Add("POST", "/admin-panel/api/users/{id}/block", [&s, &auth](const http::Request& req) {
        auto session = auth.Require(req, true);
        auto id = UserParam(req);
        auto body = Body(req);
        auto it = body.find("blocked");
        if (it == body.end() || !it->value().is_bool()) BadRequest("field 'blocked' must be true or false");
        bool blocked = it->value().as_bool();
        if (!s.store.SetBlocked(id, blocked)) throw Error(ErrorCode::kNotFound, "member not found");
        auth.Audit("audit", session.record.user, blocked ? "member.blocked" : "member.unblocked", id.ToString(), "",
                   req);
        return http::Response::Json(200, UserJson(*s.store.FindUser(id)));
    });
    router.Add("GET", "/admin-panel/api/logs", [&s, &auth](const http::Request& req) {
        auth.Require(req, false);
        storage::AuditFilter f;
        if (auto k = req.QueryParam("kind"); k && !k->empty()) {
            if (*k != "security" && *k != "audit") BadRequest("kind must be security or audit");
            f.kind = *k;
        }
        if (auto a = req.QueryParam("actor"); a && !a->empty()) {
            auto actor = core::ParseId(*a);
            if (!actor) BadRequest("actor must be a user id");
            f.actor = core::UserId{*actor};
        }
        if (auto t = req.QueryParam("text")) {
            if (t->size() > 100 || !core::IsValidUtf8(*t)) BadRequest("text must be valid UTF-8, 100 bytes at most");
            f.text = std::string(core::Trim(*t));
        }
        if (auto b = req.QueryParam("before"); b && !b->empty()) {
            auto before = core::ParseId(*b);
            if (!before) BadRequest("before must be an id");
            f.before_id = *before;
        }
        // One row more than a page tells whether there is a next page at all: a page that is exactly full
        // offers no « Plus » that would load nothing.
        const int page = f.limit;
        f.limit = page + 1;
        auto rows = s.store.AuditLog(f);
        bool more = static_cast<int>(rows.size()) > page;
        if (more) rows.resize(static_cast<std::size_t>(page));
        json::array items;
        for (const auto& r : rows) {
            // A target that is a person (a member blocked, the owner of a second factor or a session) is also
            // "user", the field every answer names a person by, so that "people" says who it is.
            auto target_user = core::ParseId(r.target);
            items.push_back(json::object{{"id", r.id},
                                         {"at", core::FormatIso8601(r.at)},
                                         {"kind", r.kind},
                                         {"actor", r.actor ? json::value(r.actor->ToString()) : json::value(nullptr)},
                                         {"action", r.action},
                                         {"target", r.target},
                                         {"user", target_user ? json::value(r.target) : json::value(nullptr)},
                                         {"detail", r.detail},
                                         {"ip", r.ip}});
        }
        json::value next = nullptr;
        if (more) next = std::to_string(rows.back().id);
        return http::Response::Json(200, json::object{{"items", std::move(items)}, {"next_before", next}});
    });
    router.Add("GET", "/admin-panel/api/settings", [&s, &auth](const http::Request& req) {
        auth.Require(req, false);
        return http::Response::Json(200, SettingsJson(s));
    });
    router.Add("POST", "/admin-panel/api/settings", [&s, &auth](const http::Request& req) {
        auto session = auth.Require(req, true);
        RequireAdmin(session);
        auto body = Body(req);
        auto key = StringField(body, "key", 100);
        auto value = StringField(body, "value", 100);
        auto it =
            std::find_if(s.settings.begin(), s.settings.end(), [&](const RuntimeSetting& r) { return r.key == key; });
        if (it == s.settings.end())
            BadRequest("'" + key + "' cannot be changed while Maxis runs (change the file and restart)");
        auto normalized = ValidateSetting(*it, value);
        auto previous = it->get();
        s.store.SaveSetting(key, normalized, previous, *session.record.user, ClientIp(req), s.clock.Now());
        it->apply(normalized);
        return http::Response::Json(200, SettingsJson(s));
    });
    // The setup checklist: booleans only, never a secret or its length.
    router.Add("GET", "/admin-panel/api/setup", [&s, &auth](const http::Request& req) {
        auto session = auth.Require(req, false);
        // Connected: the token is set and the gateway is up (or off by choice: interactions over HTTP only).
        bool discord = s.setup.discord_token;
        if (discord && s.discord_gateway) {
            auto g = s.discord_gateway();
            discord = g.is_object() && g.as_object().contains("gateway") &&
                      (g.at("gateway") == "ready" || g.at("gateway") == "off");
        }
        auto totp = s.store.FindTotp(*session.record.user);
        json::array items;
        auto item = [&items](std::string_view id, bool done, std::string_view anchor) {
            items.push_back(json::object{{"id", id}, {"done", done}, {"doc", anchor}});
        };
        item("discord", discord, "setup-discord");
        item("stripe_keys", s.setup.stripe_key, "setup-stripe-keys");
        item("stripe_webhook", s.setup.stripe_webhook, "setup-stripe-webhook");
        item("llm", s.setup.llm, "setup-llm");
        item("two_factor", totp && totp->enabled, "setup-two-factor");
        return http::Response::Json(200, json::object{{"items", std::move(items)}}).With("Cache-Control", "no-store");
    });
    router.Add("GET", "/admin-panel/api/sessions", [&auth](const http::Request& req) {
        auto session = auth.Require(req, false);
        RequireAdmin(session);
        return http::Response::Json(200, json::object{{"items", auth.ListSessions(session)}});
    });
    router.Add("POST", "/admin-panel/api/sessions/{ref}/end", [&auth](const http::Request& req) {
        auto session = auth.Require(req, true);
        RequireAdmin(session);
        if (!auth.EndSessionByRef(session, req.path_params.at("ref"), req))
            throw Error(ErrorCode::kNotFound, "no such live session");
        return http::Response::Json(200, json::object{{"ok", true}});
    });
}

}  // namespace maxis::panel
