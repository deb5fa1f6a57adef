#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/time_zone.hpp"
#include "crypto/crypto.hpp"
#include "http/router.hpp"
#include "panel/assets.hpp"
#include "panel/auth.hpp"
#include "panel/keyring.hpp"
#include "panel/qr.hpp"
#include "panel/routes.hpp"
#include "storage/migrator.hpp"
#include "support/fake_clock.hpp"
#include "support/french_voice.hpp"

namespace maxis::panel {
namespace {

using namespace std::chrono_literals;
using core::ErrorCode;
using storage::SessionStage;

const std::string kMaster = std::string(32, '\x42');

TEST(Keyring, CookiesOpenOnlyUntampered) {
    Keyring keys({kMaster});
    std::string id = crypto::RandomBytes(32);
    auto cookie = keys.SealCookie(id);
    EXPECT_TRUE(cookie.starts_with("1." + keys.current_key_id() + "."));
    EXPECT_EQ(keys.OpenCookie(cookie).value_or(""), id);
    EXPECT_NE(keys.SealCookie(id), cookie);  // a fresh nonce every time

    // Every single-character change is refused, wherever it is.
    for (std::size_t i = 0; i < cookie.size(); ++i) {
        auto tampered = cookie;
        tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(keys.OpenCookie(tampered)) << "position " << i;
    }
    EXPECT_FALSE(keys.OpenCookie(cookie.substr(0, cookie.size() - 1)));  // truncated
    EXPECT_FALSE(keys.OpenCookie(cookie.substr(0, 20)));
    EXPECT_FALSE(keys.OpenCookie(""));
    EXPECT_FALSE(keys.OpenCookie("2" + cookie.substr(1)));                // another format version is in the AAD
    EXPECT_FALSE(Keyring({std::string(32, '\x43')}).OpenCookie(cookie));  // another key
}

TEST(Keyring, ThePreviousKeyStillOpensDuringARotation) {
    Keyring old_ring({kMaster});
    auto cookie = old_ring.SealCookie("session-id");
    auto secret = old_ring.SealSecret("seed", "totp.1");
    Keyring rotated({std::string(32, '\x07'), kMaster});
    EXPECT_EQ(rotated.OpenCookie(cookie).value_or(""), "session-id");
    EXPECT_EQ(rotated.OpenSecret(secret, old_ring.current_key_id(), "totp.1").value_or(""), "seed");
    EXPECT_NE(rotated.current_key_id(), old_ring.current_key_id());
    // A sealed value copied to another row (purpose) does not open.
    EXPECT_FALSE(rotated.OpenSecret(secret, old_ring.current_key_id(), "totp.2"));
}

TEST(Qr, RendersAStandaloneSvgWithAQuietZone) {
    auto svg = QrSvg("otpauth://totp/Maxis:alice?secret=JBSWY3DPEHPK3PXP&issuer=Maxis");
    EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    // 67 bytes at level M need version 4: 33 modules + 2 × 4 quiet = 41.
    EXPECT_NE(svg.find("viewBox=\"0 0 41 41\""), std::string::npos);
    EXPECT_EQ(svg.find("<script"), std::string::npos);
    EXPECT_GT(svg.size(), 2000u);
}

class PanelAuthTest : public ::testing::Test {
protected:
    PanelAuthTest() : db(storage::DatabaseOptions{"sqlite::memory:", 1}), store(db), keys({kMaster}) {
        storage::Migrator(db, clock).Apply();
        options.insecure_http = false;
        options.public_url = "https://admin.example.org";
        options.staff_user_ids = {"500"};
        options.admin_role_ids = {"900"};
        auth = std::make_unique<PanelAuth>(options, store, clock, keys);
    }

    http::Request Get(const std::string& target, const std::string& cookie = {}) {
        http::Request r;
        r.method = "GET";
        r.target = target;
        auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        r.remote_address = "203.0.113.9";
        r.headers["host"] = "admin.example.org";
        if (!cookie.empty()) r.headers["cookie"] = cookie;
        return r;
    }
    http::Request Post(const std::string& target, const std::string& cookie, const std::string& csrf) {
        auto r = Get(target, cookie);
        r.method = "POST";
        r.headers["x-csrf-token"] = csrf;
        r.headers["origin"] = "https://admin.example.org";
        r.headers["sec-fetch-site"] = "same-origin";
        return r;
    }
    static std::string CookieOf(const http::Response& r) {
        auto v = r.Header("Set-Cookie").value_or("");
        return v.substr(0, v.find(';'));
    }
    /// Logs alice in through a login link; returns the cookie pair.
    std::string LinkLogin(core::Role role = core::Role::kAdmin) {
        auto token = auth->CreateLoginLink(storage::LoginGrant{core::UserId{77}, role, "alice"});
        auto r = auth->UseLoginLink(Get("/admin-panel/auth/link?token=" + token));
        EXPECT_EQ(r.status, 303);
        return CookieOf(r);
    }
    ErrorCode CodeOf(const std::function<void()>& f) {
        try {
            f();
        } catch (const core::Error& e) {
            return e.code();
        }
        return ErrorCode::kInternal;
    }
    std::string CodeNow(const std::string& b32) {
        return crypto::Totp(*crypto::Base32Decode(b32), core::ToEpochMillis(clock.Now()) / 1000);
    }
    /// Enrols alice's second factor; returns the active cookie and the base32 secret.
    std::pair<std::string, std::string> Enrol(const std::string& cookie) {
        auto session = *auth->Current(Get("/", cookie));
        auto secret = std::string(auth->BeginEnrolment(session).at("secret").as_string());
        auto [codes, set_cookie] =
            auth->ConfirmEnrolment(session, CodeNow(secret), Post("/", cookie, session.record.csrf_token));
        EXPECT_EQ(codes.size(), 10u);
        recovery = codes;
        return {set_cookie.substr(0, set_cookie.find(';')), secret};
    }

    testing::FakeClock clock;
    storage::Database db;
    storage::PanelStore store;
    Keyring keys;
    PanelOptions options;
    std::unique_ptr<PanelAuth> auth;
    std::vector<std::string> recovery;
};

TEST_F(PanelAuthTest, TheCookieIsHostOnlySecureHttpOnlyAndLax) {
    auto token = auth->CreateLoginLink(storage::LoginGrant{core::UserId{77}, core::Role::kAdmin, "alice"});
    auto r = auth->UseLoginLink(Get("/admin-panel/auth/link?token=" + token));
    auto set = r.Header("Set-Cookie").value_or("");
    EXPECT_TRUE(set.starts_with("__Host-maxis_session=1."));
    EXPECT_NE(set.find("; Path=/;"), std::string::npos);
    EXPECT_NE(set.find("; HttpOnly"), std::string::npos);
    EXPECT_NE(set.find("; Secure"), std::string::npos);
    EXPECT_NE(set.find("; SameSite=Lax"), std::string::npos);
    EXPECT_EQ(set.find("Domain="), std::string::npos);
    EXPECT_EQ(r.Header("Location").value_or(""), "/admin-panel/enrol");  // 2FA is required by default
}

TEST_F(PanelAuthTest, LoginLinksWorkOnceAndExpire) {
    auto token = auth->CreateLoginLink(storage::LoginGrant{core::UserId{77}, core::Role::kAdmin, "alice"});
    EXPECT_EQ(auth->UseLoginLink(Get("/x?token=" + token)).Header("Location").value_or(""), "/admin-panel/enrol");
    EXPECT_EQ(auth->UseLoginLink(Get("/x?token=" + token)).Header("Location").value_or(""),
              "/admin-panel/login?error=link");
    auto late = auth->CreateLoginLink(storage::LoginGrant{core::UserId{77}, core::Role::kAdmin, "alice"});
    clock.Advance(10min + 1s);
    EXPECT_EQ(auth->UseLoginLink(Get("/x?token=" + late)).Header("Location").value_or(""),
              "/admin-panel/login?error=link");
    EXPECT_EQ(CodeOf([&] {
                  auth->CreateLoginLink(storage::LoginGrant{core::UserId{77}, core::Role::kMember, "m"});
              }),
              ErrorCode::kInvalidArgument);
}

TEST_F(PanelAuthTest, SessionsEndWhenIdleAndAtTheAbsoluteLimit) {
    auth->SetRequireSecondFactor(false);
    auto cookie = LinkLogin();
    ASSERT_TRUE(auth->Current(Get("/", cookie)));
    clock.Advance(29min);
    ASSERT_TRUE(auth->Current(Get("/", cookie)));  // activity keeps it alive
    clock.Advance(29min);
    ASSERT_TRUE(auth->Current(Get("/", cookie)));
    clock.Advance(31min);
    EXPECT_FALSE(auth->Current(Get("/", cookie)));  // idle
    EXPECT_EQ(store.AuditLog({}).size(), 2u);       // link created, login

    auto second = LinkLogin();
    for (int i = 0; i < 24; ++i) {  // busy all day: every 29 minutes
        clock.Advance(29min);
        if (!auth->Current(Get("/", second))) {
            EXPECT_GE(i, 23);  // 12 h = 24 × 30 min
            return;
        }
    }
    clock.Advance(29min);
    EXPECT_FALSE(auth->Current(Get("/", second)));  // absolute limit
}

TEST_F(PanelAuthTest, ForgedTruncatedAndReplayedCookiesAreRefused) {
    auth->SetRequireSecondFactor(false);
    auto cookie = LinkLogin();
    ASSERT_TRUE(auth->Current(Get("/", cookie)));
    auto value = cookie.substr(cookie.find('=') + 1);
    EXPECT_FALSE(auth->Current(Get("/", "__Host-maxis_session=" + value.substr(0, value.size() - 2))));
    auto flipped = value;
    flipped[flipped.size() / 2] ^= 1;
    EXPECT_FALSE(auth->Current(Get("/", "__Host-maxis_session=" + flipped)));
    EXPECT_FALSE(auth->Current(Get("/", "maxis_session=" + value)));  // not the __Host- cookie
    // A well-sealed cookie for a session that does not exist.
    EXPECT_FALSE(auth->Current(Get("/", "__Host-maxis_session=" + keys.SealCookie(crypto::RandomBytes(32)))));

    // Logout ends it: the same cookie replayed afterwards opens nothing.
    auto session = *auth->Current(Get("/", cookie));
    auto out = auth->Logout(Post("/admin-panel/api/logout", cookie, session.record.csrf_token));
    EXPECT_EQ(out.status, 200);
    EXPECT_NE(out.Header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
    EXPECT_FALSE(auth->Current(Get("/", cookie)));
}

TEST_F(PanelAuthTest, TheSessionIsRotatedAtLoginAndAfterTheSecondFactor) {
    auto first = LinkLogin();
    auto before = *auth->Current(Get("/", first));
    EXPECT_EQ(before.record.stage, SessionStage::kEnrol);
    auto [active, secret] = Enrol(first);
    EXPECT_NE(active, first);
    EXPECT_FALSE(auth->Current(Get("/", first)));  // the pre-2FA cookie is dead
    auto now = *auth->Current(Get("/", active));
    EXPECT_EQ(now.record.stage, SessionStage::kActive);
    EXPECT_NE(now.record.csrf_token, before.record.csrf_token);

    // Next login: the second factor is asked, and its code works once.
    clock.Advance(1min);
    auto pending = LinkLogin();
    auto waiting = *auth->Current(Get("/", pending));
    EXPECT_EQ(waiting.record.stage, SessionStage::kSecondFactor);
    EXPECT_EQ(CodeOf([&] { auth->Require(Get("/", pending), false); }), ErrorCode::kUnauthenticated);
    auto code = CodeNow(secret);
    auto promoted = auth->VerifySecondFactor(waiting, code, Post("/", pending, waiting.record.csrf_token));
    EXPECT_TRUE(auth->Current(Get("/", promoted.substr(0, promoted.find(';')))));
    EXPECT_FALSE(auth->Current(Get("/", pending)));

    auto again = LinkLogin();
    auto waiting2 = *auth->Current(Get("/", again));
    EXPECT_EQ(CodeOf([&] { auth->VerifySecondFactor(waiting2, code, Post("/", again, waiting2.record.csrf_token)); }),
              ErrorCode::kUnauthenticated);  // replayed code
    EXPECT_EQ(store.AuditLog({.text = "2fa.replayed"}).size(), 1u);
    // A recovery code works, once.
    auto cookie = auth->VerifySecondFactor(waiting2, recovery[3], Post("/", again, waiting2.record.csrf_token));
    EXPECT_TRUE(auth->Current(Get("/", cookie.substr(0, cookie.find(';')))));
    auto third = LinkLogin();
    auto waiting3 = *auth->Current(Get("/", third));
    EXPECT_EQ(
        CodeOf([&] { auth->VerifySecondFactor(waiting3, recovery[3], Post("/", third, waiting3.record.csrf_token)); }),
        ErrorCode::kUnauthenticated);
}

TEST_F(PanelAuthTest, SecondFactorAttemptsAreRateLimitedWithRetryAfter) {
    auto first = LinkLogin();
    auto [active, secret] = Enrol(first);  // one attempt used by the enrolment
    auto pending = LinkLogin();
    auto waiting = *auth->Current(Get("/", pending));
    auto req = Post("/", pending, waiting.record.csrf_token);
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(CodeOf([&] { auth->VerifySecondFactor(waiting, "000000", req); }), ErrorCode::kUnauthenticated);
    }
    try {
        auth->VerifySecondFactor(waiting, CodeNow(secret), req);  // right, but over the limit
        FAIL() << "not limited";
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kLimitReached);
        EXPECT_GT(e.retry_after_seconds(), 0);
        EXPECT_LE(e.retry_after_seconds(), 300);
        EXPECT_EQ(http::Response::FromError(e).status, 429);
        EXPECT_TRUE(http::Response::FromError(e).Header("Retry-After"));
    }
    // A new instance on the same database (a restart) still counts them.
    PanelAuth restarted(options, store, clock, keys);
    EXPECT_EQ(CodeOf([&] { restarted.VerifySecondFactor(waiting, CodeNow(secret), req); }), ErrorCode::kLimitReached);
    clock.Advance(5min);
    EXPECT_NO_THROW(restarted.VerifySecondFactor(waiting, CodeNow(secret), req));
}

TEST_F(PanelAuthTest, StateChangesNeedTheCsrfTokenAndTheSameOrigin) {
    auth->SetRequireSecondFactor(false);
    auto cookie = LinkLogin();
    auto csrf = auth->Current(Get("/", cookie))->record.csrf_token;
    EXPECT_NO_THROW(auth->Require(Post("/", cookie, csrf), true));

    auto no_token = Post("/", cookie, "");
    EXPECT_EQ(CodeOf([&] { auth->Require(no_token, true); }), ErrorCode::kForbidden);
    auto wrong = Post("/", cookie, csrf + "x");
    EXPECT_EQ(CodeOf([&] { auth->Require(wrong, true); }), ErrorCode::kForbidden);
    auto other_origin = Post("/", cookie, csrf);
    other_origin.headers["origin"] = "https://evil.example";
    EXPECT_EQ(CodeOf([&] { auth->Require(other_origin, true); }), ErrorCode::kForbidden);
    auto cross_site = Post("/", cookie, csrf);
    cross_site.headers.erase("origin");
    cross_site.headers["sec-fetch-site"] = "cross-site";
    EXPECT_EQ(CodeOf([&] { auth->Require(cross_site, true); }), ErrorCode::kForbidden);
    auto neither = Post("/", cookie, csrf);
    neither.headers.erase("origin");
    neither.headers.erase("sec-fetch-site");
    EXPECT_EQ(CodeOf([&] { auth->Require(neither, true); }), ErrorCode::kForbidden);
    // Reads need neither.
    EXPECT_NO_THROW(auth->Require(Get("/", cookie), false));
    // The API accepts the session the same way.
    auto api_post = Post("/api/v1/tickets", cookie, "nope");
    EXPECT_EQ(CodeOf([&] { (void)auth->ApiViewer(api_post); }), ErrorCode::kForbidden);
    EXPECT_EQ(auth->ApiViewer(Get("/api/v1/tickets", cookie))->user_id.value, 77);
    EXPECT_FALSE(auth->ApiViewer(Get("/api/v1/tickets")));
}

TEST_F(PanelAuthTest, ApiRequestsAreRateLimitedPerSession) {
    options.api_per_session = RateLimit{5, 60s};
    PanelAuth limited(options, store, clock, keys);
    limited.SetRequireSecondFactor(false);
    auto token = limited.CreateLoginLink(storage::LoginGrant{core::UserId{77}, core::Role::kAdmin, "alice"});
    auto cookie = CookieOf(limited.UseLoginLink(Get("/x?token=" + token)));
    for (int i = 0; i < 5; ++i) EXPECT_NO_THROW(limited.Require(Get("/", cookie), false));
    EXPECT_EQ(CodeOf([&] { limited.Require(Get("/", cookie), false); }), ErrorCode::kLimitReached);
}

TEST_F(PanelAuthTest, RolesComeFromUserIdsOrDiscordRoles) {
    OAuthIdentity someone{core::UserId{1}, "x", "", true, {}};
    EXPECT_FALSE(auth->RoleFor(someone));
    someone.role_ids = {"900"};
    EXPECT_EQ(auth->RoleFor(someone), core::Role::kAdmin);
    OAuthIdentity listed{core::UserId{500}, "y", "", false, {}};
    EXPECT_EQ(auth->RoleFor(listed), core::Role::kStaff);
}

TEST_F(PanelAuthTest, AnAdminSeesAndEndsSessions) {
    auth->SetRequireSecondFactor(false);
    auto a = LinkLogin();
    auto b = LinkLogin();
    auto sa = *auth->Current(Get("/", a));
    auto list = auth->ListSessions(sa);
    ASSERT_EQ(list.size(), 2u);
    std::string other_ref;
    for (const auto& s : list) {
        if (!s.as_object().at("current").as_bool()) other_ref = std::string(s.as_object().at("ref").as_string());
    }
    EXPECT_TRUE(auth->EndSessionByRef(sa, other_ref, Post("/", a, sa.record.csrf_token)));
    EXPECT_FALSE(auth->Current(Get("/", b)));
    EXPECT_TRUE(auth->Current(Get("/", a)));
    EXPECT_FALSE(auth->EndSessionByRef(sa, "0000000000000000", Post("/", a, sa.record.csrf_token)));
}

// The dashboard's daily median first response is the tickets' own median (nearest rank, as in the ticket
// statistics), not a second definition: for 1, 2, 3 and 10 minutes it is 2 minutes, not 2.5.
TEST_F(PanelAuthTest, TheDashboardMedianIsTheTicketStatisticsMedian) {
    auto created = core::ToEpochMillis(clock.Now()) - 3 * 3600 * 1000;
    db.Write(core::Viewer::System(), [&](storage::Transaction& tx) {
        for (long long minutes : {1, 2, 3, 10}) {
            long long responded = created + minutes * 60000;
            tx.sql() << "INSERT INTO tickets (owner_id, subject, category, priority, status, created_at, updated_at, "
                        "first_response_at, first_response_due, resolution_due) VALUES (1, 's', 'general', 'low', "
                        "'waiting_member', :c, :c, :r, :c, :c)",
                soci::use(created, "c"), soci::use(responded, "r");
        }
    });
    auth->SetRequireSecondFactor(false);
    auto cookie = LinkLogin();
    auto zone = core::TimeZone::Load("UTC");
    Assets assets;
    PanelServices services{*auth, store, clock, zone, assets, [] { return std::string(); }, {}, nullptr, nullptr};
    http::Router router;
    AddPanelRoutes(router, services);
    auto req = Get("/admin-panel/api/dashboard?days=7", cookie);
    auto match = router.Find(req);
    ASSERT_NE(match.handler, nullptr);
    auto res = (*match.handler)(req);
    ASSERT_EQ(res.status, 200) << res.body;
    auto medians = boost::json::parse(res.body).at("first_response_median_minutes").as_array();
    std::vector<double> known;
    for (const auto& m : medians) {
        if (!m.is_null()) known.push_back(m.to_number<double>());
    }
    EXPECT_EQ(known, std::vector<double>{2.0});
}

/// The texts of each French catalog in a script (every "fr: Object.freeze({ ... })" block: the panel's TEXT and
/// ACTIONS), as {key, text}: the string values, not the keys, outside comments.
std::vector<std::pair<std::string, std::string>> FrenchTextsOf(std::string_view script) {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string_view opening = "fr: Object.freeze({";
    for (auto at = script.find(opening); at != std::string_view::npos; at = script.find(opening, at + 1)) {
        int depth = 1;
        std::string key;
        for (std::size_t i = at + opening.size(); i < script.size() && depth > 0; ++i) {
            char c = script[i];
            if (c == '/' && script.substr(i, 2) == "//") {
                i = script.find('\n', i);
                if (i == std::string_view::npos) break;
            } else if (c == '\'' || c == '"' || c == '`') {
                std::string literal;
                for (++i; i < script.size() && script[i] != c; ++i) {
                    if (script[i] == '\\') ++i;
                    literal += script[i];
                }
                auto next = script.find_first_not_of(" \n", i + 1);
                if (next != std::string_view::npos && script[next] == ':') {
                    key = literal;
                } else {
                    out.emplace_back(key, literal);
                }
            } else if (c == '{' || c == '(') {
                ++depth;
            } else if (c == '}' || c == ')') {
                --depth;
            } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                auto end =
                    script.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", i);
                key = std::string(script.substr(i, end - i));
                i = end - 1;
            }
        }
    }
    return out;
}

// One French voice in the panel too: the texts it shows in French (its script's catalogs and the pages' own
// words) are held to the chat catalog's list of « tu » forms (support/french_voice.hpp).
TEST(FrenchVoice, ThePanelsFrenchTextsNeverSayTu) {
    Assets assets;
    const auto* script = assets.Find("panel.js");
    ASSERT_NE(script, nullptr);
    auto texts = FrenchTextsOf(script->body);
    // Read as intended: the catalogs' texts by their keys, and not their English halves.
    std::map<std::string, std::string> by_key(texts.begin(), texts.end());
    EXPECT_EQ(by_key["dashboard"], "Tableau de bord");
    EXPECT_EQ(by_key["e_tickets.unchanged"], "Le ticket est déjà dans cet état : rien n’a changé.");
    EXPECT_EQ(by_key["setting.changed"], "a modifié un réglage");
    EXPECT_GT(texts.size(), 300U);
    EXPECT_EQ(std::count_if(texts.begin(), texts.end(), [](const auto& t) { return t.second == "Dashboard"; }), 0);
    std::string found;
    for (const auto& [key, text] : texts) {
        for (const auto& word : testing::TuForms(text))
            found += "\n  panel.js " + key + ": « " + word + " » in " + text;
    }
    // The page around the script: its words outside the tags.
    std::string page = assets.Page("dashboard", "fr"), words;
    for (std::size_t i = 0; i < page.size(); ++i) {
        if (page[i] == '<')
            i = page.find('>', i);
        else
            words += page[i];
    }
    EXPECT_NE(words.find("Aller au contenu"), std::string::npos) << words;
    for (const auto& word : testing::TuForms(words)) found += "\n  page: « " + word + " »";
    EXPECT_TRUE(found.empty()) << found;
    // The reading itself: a « tu » in a French text is found, one in a key or a comment is not.
    auto sample = FrenchTextsOf(
        "const T = {fr: Object.freeze({ // tu\n a: 'Préviens-nous', 'tu': \"ok\", b: `x` }), "
        "en: Object.freeze({ c: 'tu' })};");
    EXPECT_EQ(sample,
              (std::vector<std::pair<std::string, std::string>>{{"a", "Préviens-nous"}, {"tu", "ok"}, {"b", "x"}}));
}

}  // namespace
}  // namespace maxis::panel
