#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>

#include "commands/reply.hpp"
#include "crypto/crypto.hpp"
#include "discord/bot.hpp"
#include "discord/doctor.hpp"
#include "discord/gateway.hpp"
#include "discord/guild_state.hpp"
#include "discord/members.hpp"
#include "discord/messenger.hpp"
#include "discord/rate_limiter.hpp"
#include "discord/render.hpp"
#include "discord/rest_client.hpp"
#include "discord/sealed_action.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "support/fake_clock.hpp"

namespace maxis::discord {
namespace {

namespace json = boost::json;
using commands::Button;
using commands::Embed;
using commands::Reply;

const ActionSealer& Sealer() {
    static ActionSealer sealer(std::string(32, 'k'));
    return sealer;
}

TEST(SealedAction, RoundTripsAndRefusesTamperingOrAnotherKey) {
    auto id = Sealer().Seal(ActionKind::kButton, "ticket_close 42");
    ASSERT_TRUE(id);
    EXPECT_LE(id->size(), 100U);
    auto opened = Sealer().Open(*id);
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->action, "ticket_close 42");
    EXPECT_EQ(opened->kind, ActionKind::kButton);
    // Another action with the same tag, another kind, another key, garbage: refused.
    auto dot = id->rfind('.');
    std::string forged = "m1b." + crypto::Base64UrlEncode("ticket_close 43") + id->substr(dot);
    EXPECT_FALSE(Sealer().Open(forged));
    std::string kind_swapped = *id;
    kind_swapped[2] = 'i';
    EXPECT_FALSE(Sealer().Open(kind_swapped));
    EXPECT_FALSE(ActionSealer(std::string(32, 'x')).Open(*id));
    for (const char* junk : {"", "m1", "m1b.", "m1b..", "xyz.abc.def", "m1b.!!!.abc"})
        EXPECT_FALSE(Sealer().Open(junk)) << junk;
    EXPECT_FALSE(Sealer().Seal(ActionKind::kButton, std::string(80, 'a'))) << "too long for 100 characters";
}

TEST(MemberDirectoryFeed, PersonOfTakesNicknameThenGlobalNameThenUsernameAndTheGuildAvatarFirst) {
    GuildState guild("500", RoleMapping{{"r-staff"}, {}, {}});
    auto user = json::parse(R"({"id":"42","username":"sam_42","global_name":"Samuel","avatar":"abc"})").as_object();
    auto member = json::parse(R"({"nick":"Sam","avatar":"a_def","roles":["r-staff"]})").as_object();
    auto sam = PersonOf(guild, user, &member);
    EXPECT_EQ(sam.id, core::UserId{42});
    EXPECT_EQ(sam.username, "sam_42");
    EXPECT_EQ(sam.display_name, "Sam");
    EXPECT_EQ(sam.avatar_url, "https://cdn.discordapp.com/guilds/500/users/42/avatars/a_def.gif");
    EXPECT_EQ(sam.role, core::Role::kStaff);
    EXPECT_FALSE(sam.is_bot);
    auto plain = json::parse(R"({"roles":[]})").as_object();
    auto without_nick = PersonOf(guild, user, &plain);
    EXPECT_EQ(without_nick.display_name, "Samuel");
    EXPECT_EQ(without_nick.avatar_url, "https://cdn.discordapp.com/avatars/42/abc.png");
    EXPECT_EQ(without_nick.role, core::Role::kMember);
    auto bare = json::parse(R"({"id":"43","username":"bot","global_name":null,"avatar":null,"bot":true})").as_object();
    auto bot = PersonOf(guild, bare, nullptr);
    EXPECT_EQ(bot.display_name, "bot");
    EXPECT_EQ(bot.avatar_url, "");
    EXPECT_TRUE(bot.is_bot);
    EXPECT_EQ(json::serialize(RequestGuildMembers("500", "n")),
              R"({"op":8,"d":{"guild_id":"500","query":"","limit":0,"nonce":"n"}})");
}

TEST(Render, SplitsLongTextOnLineBreaksWithinTheContentLimit) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "ligne numéro " + std::to_string(i) + " 🎫\n";
    auto messages = RenderMessages(Reply{.text = text}, Sealer());
    ASSERT_GT(messages.size(), 1U);
    std::string joined;
    for (const auto& m : messages) {
        auto content = std::string(m.at("content").as_string());
        EXPECT_LE(DiscordLength(content), Limits::kContent);
        joined += (joined.empty() ? "" : "\n") + content;
    }
    EXPECT_EQ(joined, text) << "nothing lost, nothing duplicated";
}

TEST(Render, TruncatesFieldsAndCarriesExtraFieldsAndEmbedsOver) {
    Embed e{.title = std::string(300, 'T'), .description = "d", .color = 0x123456, .footer = "foot"};
    for (int i = 0; i < 60; ++i) e.fields.push_back({"field " + std::to_string(i), std::string(2000, 'v')});
    Reply r{.embeds = {e}, .buttons = {Button{.label = "Fermer", .action = "ticket_close 1"}}};
    auto messages = RenderMessages(r, Sealer());
    std::size_t fields = 0;
    for (const auto& m : messages) {
        std::size_t total = 0;
        const auto& embeds = m.at("embeds").as_array();
        EXPECT_LE(embeds.size(), Limits::kEmbedsPerMessage);
        for (const auto& emb : embeds) {
            const auto& o = emb.as_object();
            if (o.contains("title")) {
                EXPECT_EQ(DiscordLength(o.at("title").as_string()), Limits::kTitle);
            }
            for (const auto& f : o.at("fields").as_array()) {
                EXPECT_LE(DiscordLength(f.at("value").as_string()), Limits::kFieldValue);
                total += DiscordLength(f.at("value").as_string()) + DiscordLength(f.at("name").as_string());
                ++fields;
            }
            EXPECT_LE(o.at("fields").as_array().size(), Limits::kFields);
        }
        EXPECT_LE(total, Limits::kEmbedTotal);
        EXPECT_EQ(m.at("allowed_mentions").at("parse").as_array().size(), 1U);
    }
    EXPECT_EQ(fields, 60U) << "every field shown";
    EXPECT_TRUE(messages.back().contains("components")) << "components on the last message";
    EXPECT_FALSE(messages.front().contains("components"));
}

TEST(Render, ButtonsAndMenusStayWithinRowsAndCarrySealedActions) {
    Reply r;
    for (int i = 0; i < 30; ++i)
        r.buttons.push_back(Button{.label = std::string(100, 'b'), .action = "ticket_view " + std::to_string(i)});
    r.buttons.push_back(Button{.label = "Docs", .style = commands::ButtonStyle::kLink, .url = "https://example.org"});
    commands::SelectMenu menu{.placeholder = "Choisir", .action = "ticket_view"};
    for (int i = 0; i < 30; ++i) menu.options.push_back({"#" + std::to_string(i), std::to_string(i), ""});
    r.menus.push_back(menu);
    r.ephemeral = true;
    auto messages = RenderMessages(r, Sealer());
    ASSERT_EQ(messages.size(), 1U);
    const auto& rows = messages[0].at("components").as_array();
    EXPECT_LE(rows.size(), Limits::kRows);
    for (const auto& row : rows) {
        const auto& cs = row.at("components").as_array();
        EXPECT_LE(cs.size(), Limits::kButtonsPerRow);
        for (const auto& c : cs) {
            if (c.at("type").as_int64() == 2) {
                EXPECT_LE(DiscordLength(c.at("label").as_string()), Limits::kButtonLabel);
            }
            if (c.as_object().contains("custom_id")) {
                auto opened = Sealer().Open(c.at("custom_id").as_string());
                ASSERT_TRUE(opened);
                EXPECT_TRUE(opened->action.starts_with("ticket_view"));
            }
        }
    }
    EXPECT_EQ(messages[0].at("flags").as_int64(), 64);
    // A modal asks for one input.
    auto modal = RenderModal("Répondre au ticket", "message", "ticket_reply 7", Sealer());
    auto opened = Sealer().Open(modal.at("custom_id").as_string());
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->kind, ActionKind::kModal);
    EXPECT_EQ(opened->action, "ticket_reply 7");
}

TEST(Render, AFormAsksForSeveralNamedInputsAndItsActionCarriesTheCommandsOptions) {
    auto action = FormAction("marketing_apply", {{"role", "influencer"}});
    auto form = RenderForm("Candidater", {FormField{"followers", "Abonnés", true}, FormField{"links", "Liens", false}},
                           action, Sealer());
    const auto& rows = form.at("components").as_array();
    ASSERT_EQ(rows.size(), 2U);
    const auto& first = rows[0].at("components").as_array()[0].as_object();
    EXPECT_EQ(first.at("custom_id").as_string(), "followers");
    EXPECT_EQ(first.at("type").as_int64(), 4);
    EXPECT_TRUE(first.at("required").as_bool());
    EXPECT_FALSE(rows[1].at("components").as_array()[0].at("required").as_bool());
    auto opened = Sealer().Open(form.at("custom_id").as_string());
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->kind, ActionKind::kModal);
    auto parsed = ParseFormAction(opened->action);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->first, "marketing_apply");
    EXPECT_EQ(parsed->second, (std::map<std::string, std::string>{{"role", "influencer"}}));
    // A one-input modal's action is a command line, not a form's.
    EXPECT_FALSE(ParseFormAction("ticket_reply 7"));
    // At most five inputs.
    std::vector<FormField> many(7, FormField{"message", "Message", true});
    EXPECT_EQ(RenderForm("t", many, action, Sealer()).at("components").as_array().size(), 5U);
}

TEST(Render, CountsLengthsAsDiscordDoes) {
    EXPECT_EQ(DiscordLength("abc"), 3U);
    EXPECT_EQ(DiscordLength("é"), 1U);
    EXPECT_EQ(DiscordLength("🎫"), 2U) << "outside the BMP: two UTF-16 units";
    auto cut = Truncate("ééééé", 3);
    EXPECT_EQ(cut, "éé…");
    EXPECT_EQ(Truncate("🎫🎫🎫", 4), "🎫…");
}

TEST(RateLimiter, RouteKeysKeepMajorParametersOnly) {
    EXPECT_EQ(RouteKey("POST", "/channels/1/messages"), "POST /channels/1/messages");
    EXPECT_EQ(RouteKey("PATCH", "/channels/1/messages/99"), "PATCH /channels/1/messages/:id");
    EXPECT_EQ(RouteKey("PUT", "/guilds/5/members/7/roles/8"), "PUT /guilds/5/members/:id/roles/:id");
    EXPECT_EQ(RouteKey("PUT", "/channels/1/messages/2/reactions/%F0%9F%91%8D/@me"),
              "PUT /channels/1/messages/:id/reactions/:emoji");
    EXPECT_EQ(RouteKey("PATCH", "/webhooks/1/tok/messages/@original"), "PATCH /webhooks/1/tok/messages/@original");
    EXPECT_EQ(LoggableRoute("PATCH /webhooks/1/tok/messages/@original"), "PATCH /webhooks/1/***/messages/@original");
    EXPECT_EQ(LoggableRoute("POST /interactions/5/secret-tok/callback"), "POST /interactions/5/***/callback");
}

RateLimitHeaders Window(int remaining, long long reset_after_ms, double reset, int limit = 5,
                        std::string bucket = "h") {
    return RateLimitHeaders{.bucket = std::move(bucket),
                            .limit = limit,
                            .remaining = remaining,
                            .reset = reset,
                            .reset_after = core::Millis(reset_after_ms)};
}

TEST(RateLimiter, WaitsForAnExhaustedBucketAndAGlobalLimit) {
    testing::FakeClock clock;
    RateLimiter limiter(clock, 50);
    const std::string a = "POST /channels/1/messages", b = "POST /channels/2/messages";
    auto p = limiter.Acquire(a);
    EXPECT_EQ(p.wait.count(), 0);
    limiter.Complete(p, a, Window(0, 1500, 1001.5), 200);
    EXPECT_EQ(limiter.Acquire(a).wait.count(), 1500) << "the bucket is exhausted until its reset";
    auto pb = limiter.Acquire(b);
    EXPECT_EQ(pb.wait.count(), 0) << "another channel is another bucket";
    clock.Advance(core::Millis(1500));
    auto again = limiter.Acquire(a);
    EXPECT_EQ(again.wait.count(), 0);
    limiter.Complete(again, a, Window(4, 5000, 1006.5), 200);
    limiter.OnTooManyRequests(pb, b, RateLimitHeaders{.global = true}, core::Millis(700));
    EXPECT_EQ(limiter.Acquire(a).wait.count(), 700) << "a global 429 holds every route";
    clock.Advance(core::Millis(1000));
    for (int i = 0; i < 50; ++i) {
        auto g = limiter.Acquire("GET /users/@me");
        EXPECT_EQ(g.wait.count(), 0);
        limiter.Complete(g, "GET /users/@me", RateLimitHeaders{}, 200);
    }
    EXPECT_GT(limiter.Acquire("GET /users/@me").wait.count(), 0) << "50 requests a second at most";
    EXPECT_EQ(limiter.Acquire("POST /interactions/1/tok/callback").wait.count(), 0) << "interaction answers are exempt";
}

TEST(RateLimiter, AfterAResetOnlyLimitSendersGoAndTheRestWaitForTheNextWindow) {
    testing::FakeClock clock;
    RateLimiter limiter(clock, 1000);
    const std::string route = "POST /channels/1/messages";
    auto first = limiter.Acquire(route);
    ASSERT_EQ(first.wait.count(), 0);
    limiter.Complete(first, route, Window(4, 5000, 1005), 200);
    std::vector<Permit> sent;
    for (int i = 0; i < 4; ++i) sent.push_back(limiter.Acquire(route));
    for (const auto& p : sent) EXPECT_EQ(p.wait.count(), 0);
    for (auto& p : sent) limiter.Complete(p, route, Window(0, 4900, 1005), 200);
    // Twelve senders waiting for the reset: five go, seven wait (the old limiter let all twelve go).
    clock.Advance(core::Millis(5000));
    int went = 0;
    std::vector<Permit> window;
    for (int i = 0; i < 12; ++i) {
        auto p = limiter.Acquire(route);
        if (p.wait.count() == 0) {
            ++went;
            window.push_back(p);
        }
    }
    EXPECT_EQ(went, 5);
    // The first answer of the new window tells when it ends: the others wait for that, not less.
    limiter.Complete(window[0], route, Window(0, 5000, 1010), 200);
    EXPECT_EQ(limiter.Acquire(route).wait.count(), 5000);
}

TEST(RateLimiter, AnswersToRequestsAlreadyInFlightNeverRaiseTheCount) {
    testing::FakeClock clock;
    RateLimiter limiter(clock, 1000);
    const std::string route = "POST /channels/1/messages";
    auto p0 = limiter.Acquire(route);
    limiter.Complete(p0, route, Window(4, 5000, 1005), 200);
    std::vector<Permit> in_flight;
    for (int i = 0; i < 4; ++i) in_flight.push_back(limiter.Acquire(route));
    EXPECT_GT(limiter.Acquire(route).wait.count(), 0) << "five sent in this window";
    // The answers come back out of order, each with what Discord had counted when it arrived.
    limiter.Complete(in_flight[3], route, Window(0, 4990, 1005), 200);
    limiter.Complete(in_flight[0], route, Window(3, 4995, 1005), 200);  // the old limiter set remaining = 3 here
    EXPECT_GT(limiter.Acquire(route).wait.count(), 0) << "an answer from earlier in the window gives nothing back";
    // A straggler from a window that is over teaches nothing either.
    clock.Advance(core::Millis(5000));
    std::vector<Permit> next;
    for (int i = 0; i < 5; ++i) {
        if (auto p = limiter.Acquire(route); p.wait.count() == 0) next.push_back(p);
    }
    EXPECT_EQ(next.size(), 3U) << "two requests still in flight may land in the new window";
    limiter.Complete(in_flight[1], route, Window(2, 0, 1005), 200);
    EXPECT_EQ(limiter.Acquire(route).wait.count(), 20) << "the new window's count stands, waiting for its end";
    limiter.Complete(next[0], route, Window(4, 5000, 1010), 200);
    EXPECT_EQ(limiter.Acquire(route).wait.count(), 5000) << "the new window's answer does not undo the local count";
}

TEST(RateLimiter, AnUnknownRouteHasOneRequestInFlightUntilItsBucketIsKnown) {
    testing::FakeClock clock;
    RateLimiter limiter(clock, 1000);
    const std::string a = "POST /channels/1/messages", b = "PATCH /channels/1/messages/:id";
    auto first = limiter.Acquire(a);
    EXPECT_EQ(first.wait.count(), 0);
    EXPECT_GT(limiter.Acquire(a).wait.count(), 0) << "no race before the bucket is known";
    limiter.Complete(first, a, Window(1, 5000, 1005, 5, "shared"), 200);
    auto second = limiter.Acquire(a);
    EXPECT_EQ(second.wait.count(), 0);
    EXPECT_GT(limiter.Acquire(a).wait.count(), 0) << "remaining 1 was used";
    // Another route answers with the same bucket hash under the same channel: it shares the count.
    auto other = limiter.Acquire(b);
    EXPECT_EQ(other.wait.count(), 0) << "its first request learns the bucket";
    limiter.Complete(other, b, Window(0, 4900, 1005, 5, "shared"), 200);
    EXPECT_GT(limiter.Acquire(b).wait.count(), 0) << "the shared bucket is exhausted";
    EXPECT_GT(limiter.Acquire(a).wait.count(), 0);
    // The same hash under another channel is another count.
    auto elsewhere = limiter.Acquire("POST /channels/2/messages");
    EXPECT_EQ(elsewhere.wait.count(), 0);
    limiter.Complete(elsewhere, "POST /channels/2/messages", Window(4, 5000, 1005, 5, "shared"), 200);
    EXPECT_EQ(limiter.Acquire("POST /channels/2/messages").wait.count(), 0);
    // A route without rate-limit headers has no per-route limit once it has answered.
    auto free = limiter.Acquire("GET /gateway/bot");
    limiter.Complete(free, "GET /gateway/bot", RateLimitHeaders{}, 200);
    EXPECT_EQ(limiter.Acquire("GET /gateway/bot").wait.count(), 0);
    EXPECT_EQ(limiter.Acquire("GET /gateway/bot").wait.count(), 0);
}

TEST(RateLimiter, ARequestWeighsOnTheGlobalBudgetUntilASecondAfterItsAnswer) {
    testing::FakeClock clock;
    RateLimiter limiter(clock, 2);
    auto a = limiter.Acquire("GET /channels/1"), b = limiter.Acquire("GET /channels/2");
    ASSERT_EQ(a.wait.count() + b.wait.count(), 0);
    clock.Advance(core::Millis(1500));
    EXPECT_GT(limiter.Acquire("GET /channels/3").wait.count(), 0)
        << "still in flight: Discord may count them any time yet";
    limiter.Complete(a, "GET /channels/1", RateLimitHeaders{}, 200);
    limiter.Complete(b, "GET /channels/2", RateLimitHeaders{}, 200);
    clock.Advance(core::Millis(999));
    EXPECT_EQ(limiter.Acquire("GET /channels/3").wait.count(), 1);
    clock.Advance(core::Millis(1));
    EXPECT_EQ(limiter.Acquire("GET /channels/3").wait.count(), 0);
}

TEST(Messenger, NoncesAreShortStableAndDistinct) {
    EXPECT_LE(MessageNonce("m1234567890123456789", 0).size(), 25U);
    EXPECT_EQ(MessageNonce("m1", 0), MessageNonce("m1", 0));
    EXPECT_NE(MessageNonce("m1", 0), MessageNonce("m1", 1));
    EXPECT_NE(MessageNonce("m1", 0), MessageNonce("m2", 0));
    EXPECT_EQ(SnowflakeAt(core::FromEpochMillis(1420070400000LL + 1000)), std::to_string(1000ULL << 22U));
}

TEST(Gateway, CloseCodesAndUrls) {
    EXPECT_TRUE(AdviseOnClose(4004).fatal);
    EXPECT_NE(AdviseOnClose(4014).explanation.find("Message Content"), std::string::npos);
    for (int code : {4010, 4011, 4012, 4013}) EXPECT_TRUE(AdviseOnClose(code).fatal) << code;
    EXPECT_FALSE(AdviseOnClose(4009).fatal);
    EXPECT_FALSE(AdviseOnClose(4009).resumable);
    EXPECT_TRUE(AdviseOnClose(4000).resumable);
    EXPECT_TRUE(AdviseOnClose(1006).resumable);
    auto u = ParseUrl("wss://gateway.discord.gg");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->target, "/");
    u = ParseUrl("ws://127.0.0.1:9000/resume?v=10");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, "9000");
    EXPECT_EQ(u->target, "/resume?v=10");
    EXPECT_FALSE(ParseUrl("gateway.discord.gg"));
    EXPECT_FALSE(ParseUrl("ftp://x"));
    EXPECT_FALSE(ParseUrl("ws://host:port"));
}

TEST(GuildState, RolesFromIdsOwnerAndAdministratorPermission) {
    GuildState g("10", RoleMapping{.staff_role_ids = {"20"}, .admin_role_ids = {"21"}, .operator_user_ids = {"99"}});
    g.OnGuildCreate(json::parse(R"({"id":"10","owner_id":"1","member_count":3,
        "roles":[{"id":"10","position":0,"permissions":"1024"},{"id":"20","position":2,"permissions":"0"},
                 {"id":"21","position":3,"permissions":"0"},{"id":"22","position":4,"permissions":"8"},
                 {"id":"30","position":5,"permissions":"268435456"}],
        "members":[{"user":{"id":"5"},"roles":["30"]}],"channels":[{"id":"77"}]})")
                        .as_object());
    g.OnReady(json::parse(R"({"user":{"id":"5"}})").as_object());
    std::vector<std::string> none, staff{"20"}, admin{"21"}, admin_perm{"22"};
    EXPECT_EQ(g.RoleOf("2", &none), core::Role::kMember);
    EXPECT_EQ(g.RoleOf("2", &staff), core::Role::kStaff);
    EXPECT_EQ(g.RoleOf("2", &admin), core::Role::kAdmin);
    EXPECT_EQ(g.RoleOf("2", &admin_perm), core::Role::kAdmin);
    EXPECT_EQ(g.RoleOf("1", &none), core::Role::kAdmin) << "the owner";
    EXPECT_EQ(g.RoleOf("99", &none), core::Role::kOperator);
    EXPECT_EQ(g.BotTopPosition(), 5);
    EXPECT_NE(g.BotPermissions() & permissions::kManageRoles, 0U);
    EXPECT_EQ(g.member_count(), 3);
    g.OnMemberAdd(json::parse(R"({"user":{"id":"6"},"roles":["20"]})").as_object());
    EXPECT_EQ(g.member_count(), 4);
    EXPECT_EQ(g.RoleOf("6", nullptr), core::Role::kStaff) << "from the cache, as in DMs";
    g.OnMemberRemove("6");
    EXPECT_EQ(g.member_count(), 3);
    EXPECT_TRUE(g.HasChannel("77"));
    // When a member joined, from their member object (giveaways' minimum time in the server).
    EXPECT_FALSE(g.JoinedAt("7").has_value());
    g.OnMember(json::parse(R"({"roles":[],"joined_at":"2026-03-04T12:34:56.789000+00:00"})").as_object(), "7");
    EXPECT_EQ(g.JoinedAt("7"), 1772627696000LL);
    g.OnMember(json::parse(R"({"roles":[],"joined_at":"not a date"})").as_object(), "8");
    EXPECT_FALSE(g.JoinedAt("8").has_value());
    g.OnMemberRemove("7");
    EXPECT_FALSE(g.JoinedAt("7").has_value());
}

TEST(Interactions, Ed25519SignatureOverTimestampAndBody) {
    auto sk = std::string(32, '\x07');
    auto pk = crypto::HexEncode(crypto::Ed25519PublicKey(sk));
    std::string body = R"({"type":1})";
    auto sig = crypto::HexEncode(crypto::Ed25519Sign(sk, "1700000000" + body));
    EXPECT_TRUE(VerifyInteractionSignature(pk, sig, "1700000000", body));
    EXPECT_FALSE(VerifyInteractionSignature(pk, sig, "1700000001", body));
    EXPECT_FALSE(VerifyInteractionSignature(pk, sig, "1700000000", body + " "));
    EXPECT_FALSE(VerifyInteractionSignature(pk, "zz", "1700000000", body));
    EXPECT_FALSE(VerifyInteractionSignature(pk, sig, "", body));
}

/// The REST client against a real HTTP server on loopback that answers like Discord.
class RestClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.Add("GET", "/api/v10/users/@me", [this](const http::Request& req) {
            std::lock_guard lock(mu_);
            seen_auth_ = req.Header("authorization");
            seen_agent_ = req.Header("user-agent");
            return http::Response::Json(200, json::object{{"id", "5"}, {"username", "Maxis"}});
        });
        router_.Add("POST", "/api/v10/channels/{id}/messages", [this](const http::Request& req) {
            int n = ++posts_;
            if (n <= limited_) {
                return http::Response::Json(429, json::object{{"message", "You are being rate limited."},
                                                              {"retry_after", 0.05},
                                                              {"global", false}})
                    .With("X-RateLimit-Bucket", "abc")
                    .With("X-RateLimit-Remaining", "0")
                    .With("X-RateLimit-Reset-After", "0.05")
                    .With("X-RateLimit-Scope", "user");
            }
            if (n <= limited_ + failures_) return http::Response::Error(502, "bad_gateway", "upstream");
            std::lock_guard lock(mu_);
            bodies_.push_back(req.body);
            return http::Response::Json(200, json::object{{"id", std::to_string(n)}})
                .With("X-RateLimit-Bucket", "abc")
                .With("X-RateLimit-Remaining", "4")
                .With("X-RateLimit-Reset-After", "5.0");
        });
        router_.Add("GET", "/api/v10/channels/{id}", [](const http::Request&) {
            return http::Response::Json(403, json::object{{"message", "Missing Permissions"}, {"code", 50013}});
        });
        http::ServerOptions options;
        options.port = 0;
        options.access_log = false;
        server_ = std::make_unique<http::Server>(options, router_);
        server_->Start();
    }
    void TearDown() override { server_->Shutdown(); }

    RestClient Client() {
        RestOptions o;
        o.base_url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/api/v10";
        o.token = "secret-token";
        o.user_agent = "DiscordBot (https://maxis.community, 1.0)";
        o.backoff_base = core::Millis(5);
        return RestClient(o, clock_);
    }

    core::SystemClock clock_;
    http::Router router_;
    std::unique_ptr<http::Server> server_;
    std::mutex mu_;
    std::string seen_auth_, seen_agent_;
    std::vector<std::string> bodies_;
    std::atomic<int> posts_{0};
    int limited_ = 0;
    int failures_ = 0;
};

TEST_F(RestClientTest, SendsTheBotTokenAndUserAgent) {
    auto client = Client();
    auto r = client.Get("/users/@me");
    ASSERT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(r.json.at("username").as_string(), "Maxis");
    std::lock_guard lock(mu_);
    EXPECT_EQ(seen_auth_, "Bot secret-token");
    EXPECT_EQ(seen_agent_, "DiscordBot (https://maxis.community, 1.0)");
}

TEST_F(RestClientTest, RetriesA429AfterRetryAfterAndA5xxWithBackoffSendingOnce) {
    limited_ = 2;
    failures_ = 1;
    auto client = Client();
    auto r = client.Post("/channels/1/messages", json::object{{"content", "hello"}});
    ASSERT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(posts_, 4);
    EXPECT_EQ(client.rate_limited(), 2);
    std::lock_guard lock(mu_);
    ASSERT_EQ(bodies_.size(), 1U) << "delivered exactly once";
    EXPECT_EQ(json::parse(bodies_[0]).at("content").as_string(), "hello");
}

TEST_F(RestClientTest, MapsDiscordErrorCodesToClearMessages) {
    auto client = Client();
    auto r = client.Get("/channels/9");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.code, 50013);
    EXPECT_NE(r.Describe().find("missing permissions"), std::string::npos);
    EXPECT_EQ(r.Describe().find("secret-token"), std::string::npos);
    EXPECT_NE(ExplainDiscordCode(50007).find("DMs"), std::string::npos);
    EXPECT_NE(ExplainDiscordCode(10062).find("3 seconds"), std::string::npos);
}

TEST_F(RestClientTest, NetworkErrorsAreReportedNotThrown) {
    RestOptions o;
    o.base_url = "http://127.0.0.1:1/api/v10";
    o.max_attempts = 2;
    o.backoff_base = core::Millis(1);
    RestClient client(o, clock_);
    auto r = client.Get("/users/@me");
    EXPECT_EQ(r.status, 0);
    EXPECT_FALSE(r.message.empty());
}

}  // namespace
TEST(Multipart, PayloadJsonThenEachFileUnderABoundaryFoundInNoPart) {
    std::string type;
    std::vector<UploadFile> files{{"proof.json", "application/json", R"({"seed":"ab"})"},
                                  {"a\"b.txt", "text/plain", "line\r\n--not-a-boundary"}};
    auto body = MultipartBody(boost::json::object{{"content", "hi"}}, files, type);
    ASSERT_EQ(type.rfind("multipart/form-data; boundary=", 0), 0u) << type;
    auto boundary = type.substr(std::string("multipart/form-data; boundary=").size());
    EXPECT_EQ(body.find(boundary + "\r\n"), 2u);  // the body opens with "--" and the boundary
    EXPECT_NE(body.find("Content-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n"
                        "\r\n{\"content\":\"hi\"}\r\n"),
              std::string::npos);
    EXPECT_NE(body.find("name=\"files[0]\"; filename=\"proof.json\"\r\nContent-Type: application/json\r\n\r\n"
                        "{\"seed\":\"ab\"}\r\n--" +
                        boundary),
              std::string::npos);
    EXPECT_NE(body.find("name=\"files[1]\"; filename=\"a_b.txt\""), std::string::npos);  // no quote in the header
    EXPECT_EQ(body.substr(body.size() - boundary.size() - 6), "--" + boundary + "--\r\n");
    // Four delimiter lines (two parts after the JSON, one closing): the boundary occurs nowhere else.
    std::size_t count = 0;
    for (auto at = body.find(boundary); at != std::string::npos; at = body.find(boundary, at + 1)) ++count;
    EXPECT_EQ(count, 4u);
}

}  // namespace maxis::discord
