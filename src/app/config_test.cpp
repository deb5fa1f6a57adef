#include "app/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "app/maxis_app.hpp"
#include "core/errors.hpp"

namespace maxis::app {
namespace {

Environment NoEnv() {
    return [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
}

Environment Env(std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
        auto it = vars.find(k);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

std::string ErrorOf(const std::string& toml, const Environment& env = NoEnv()) {
    try {
        ParseConfig(toml, "test.toml", env);
    } catch (const core::Error& e) {
        EXPECT_EQ(e.code(), core::ErrorCode::kInvalidArgument);
        return e.what();
    }
    ADD_FAILURE() << "accepted: " << toml;
    return {};
}

TEST(Config, ExampleFileLoadsAndDocumentsExactlyTheDefaults) {
    auto example = LoadConfig(std::string(MAXIS_SOURCE_DIR) + "/config/maxis.example.toml", NoEnv());
    auto defaults = LoadConfig(std::nullopt, NoEnv());
    // Every value the example shows is the built-in default.
    EXPECT_EQ(DescribeConfig(example).substr(DescribeConfig(example).find('\n')),
              DescribeConfig(defaults).substr(DescribeConfig(defaults).find('\n')));
    EXPECT_EQ(example.outbox.tick, defaults.outbox.tick);
    EXPECT_EQ(example.scheduler.keep_finished, defaults.scheduler.keep_finished);
    EXPECT_EQ(example.server.shutdown_grace, defaults.server.shutdown_grace);
    EXPECT_EQ(example.server.write_timeout, defaults.server.write_timeout);
    EXPECT_EQ(example.database.busy_timeout, defaults.database.busy_timeout);
}

TEST(Config, ExampleFileNamesEveryKeyTheLoaderKnows) {
    std::ifstream f(std::string(MAXIS_SOURCE_DIR) + "/config/maxis.example.toml");
    std::stringstream text;
    text << f.rdbuf();
    // The keys the example shows, set or commented out, under the table they belong to.
    std::set<std::string> documented;
    std::regex table(R"(^\s*#?\s*\[([A-Za-z0-9_.]+)\]\s*$)"), key(R"(^\s*#?\s*([A-Za-z0-9_]+)\s*=)");
    std::string current, line;
    std::istringstream lines(text.str());
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_search(line, m, table)) {
            current = m[1];
        } else if (std::regex_search(line, m, key)) {
            documented.insert(current.empty() ? std::string(m[1]) : current + "." + std::string(m[1]));
        }
    }
    // Every key the loader reads, taken from the loader itself: a new key fails here until it is documented.
    auto keys = ConfigKeys();
    EXPECT_GT(keys.size(), 100U);
    for (const auto& k : keys) {
        if (k.starts_with("MAXIS_")) {
            EXPECT_NE(text.str().find(k), std::string::npos)
                << "environment variable " << k << " is not in the example file";
        } else {
            EXPECT_TRUE(documented.contains(k)) << k << " is not in the example file";
        }
    }
    // And the example names nothing the loader does not read (it loads, so no unknown key is set).
    std::set<std::string> known(keys.begin(), keys.end());
    for (const auto& d : documented) EXPECT_TRUE(known.contains(d)) << d << " is documented but not read";
}

TEST(Config, UnknownKeysAreRejectedWithFileLineAndName) {
    EXPECT_EQ(ErrorOf("[server]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n"),
              "configuration error: test.toml:3: server.lisen: unknown key");
    EXPECT_NE(ErrorOf("[serveur]\n").find("serveur: unknown key"), std::string::npos);
    EXPECT_NE(ErrorOf("toplevel = 1\n").find("toplevel: unknown key"), std::string::npos);
}

TEST(Config, BadValuesNameTheKeyAndTheReason) {
    EXPECT_NE(ErrorOf("[server]\nlisten = \"nohost\"\n").find("server.listen: must be HOST:PORT"), std::string::npos);
    EXPECT_NE(ErrorOf("[server]\nlisten = \"127.0.0.1:99999\"\n").find("server.listen"), std::string::npos);
    EXPECT_NE(ErrorOf("[server]\nio_threads = 0\n").find("server.io_threads: must be between 1 and 64 (got 0)"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[server]\nio_threads = \"two\"\n").find("server.io_threads: must be a whole number"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[server]\nread_timeout = \"soon\"\n").find("server.read_timeout: 'soon' is not a duration"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[community]\nlocale = \"de\"\n").find("community.locale: must be \"fr\" or \"en\""),
              std::string::npos);
    EXPECT_NE(ErrorOf("[community]\ntime_zone = \"Europe/Atlantis\"\n").find("community.time_zone: unknown time zone"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[database]\nurl = \"mysql://x\"\n").find("database.url"), std::string::npos);
    EXPECT_NE(ErrorOf("[database]\nurl = \"postgresql://u:pw@h/db\"\n").find("must not contain a password"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[log]\nformat = \"xml\"\n").find("log.format"), std::string::npos);
    EXPECT_NE(ErrorOf("[scheduler]\npurge_schedule = \"sometimes\"\n").find("scheduler.purge_schedule"),
              std::string::npos);
    EXPECT_NE(ErrorOf("server = 3\n").find("server: must be a table"), std::string::npos);
    EXPECT_NE(ErrorOf("[server\n").find("test.toml:1"), std::string::npos);
}

TEST(Config, SecretsComeFromTheEnvironmentAndNeverShow) {
    auto c = ParseConfig("", "t",
                         Env({{"MAXIS_DATABASE_URL", "postgresql://maxis:hunter2@db/maxis"},
                              {"MAXIS_SECRET_KEY", std::string(64, 'a')}}));
    EXPECT_EQ(c.DatabaseUrl(), "postgresql://maxis:hunter2@db/maxis");
    auto described = DescribeConfig(c);
    EXPECT_EQ(described.find("hunter2"), std::string::npos) << described;
    EXPECT_EQ(described.find(std::string(64, 'a')), std::string::npos);
    EXPECT_NE(described.find("MAXIS_SECRET_KEY = (set)"), std::string::npos);
    EXPECT_EQ(fmt::format("{}", c.secrets.secret_key), "***");
    EXPECT_NE(ErrorOf("", Env({{"MAXIS_SECRET_KEY", "short"}})).find("MAXIS_SECRET_KEY: must be 64 hexadecimal"),
              std::string::npos);
    EXPECT_NE(ErrorOf("", Env({{"MAXIS_DATABASE_URL", "oracle://x"}})).find("MAXIS_DATABASE_URL"), std::string::npos);
}

TEST(Config, ListenParsesHostsAndIpv6) {
    EXPECT_EQ(ParseListen("127.0.0.1:8080"), std::make_pair(std::string("127.0.0.1"), std::uint16_t{8080}));
    EXPECT_EQ(ParseListen("[::1]:0"), std::make_pair(std::string("::1"), std::uint16_t{0}));
    EXPECT_FALSE(ParseListen(":80"));
    EXPECT_FALSE(ParseListen("host:"));
    EXPECT_FALSE(ParseListen("host:80x"));
}

TEST(InitConfig, WritesALoadableConfigAndPrivateSecretsAndRefusesToOverwrite) {
    auto dir = std::filesystem::temp_directory_path() / ("maxis-init-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto cfg = (dir / "maxis.toml").string(), env = (dir / "maxis.env").string();
    std::ostringstream out;
    InitConfig(cfg, env, false, out);
    EXPECT_NO_THROW(LoadConfig(cfg, NoEnv()));
    auto perms = std::filesystem::status(env).permissions();
    EXPECT_EQ(perms & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::ifstream f(env);
    std::stringstream text;
    text << f.rdbuf();
    std::smatch m;
    std::string s = text.str();
    ASSERT_TRUE(std::regex_search(s, m, std::regex("MAXIS_SECRET_KEY=([0-9a-f]{64})\n")));
    std::string first_key = m[1];
    EXPECT_NO_THROW(ParseConfig("", "t", Env({{"MAXIS_SECRET_KEY", first_key}})));
    EXPECT_THROW(InitConfig(cfg, env, false, out), core::Error);
    InitConfig(cfg, env, true, out);
    std::ifstream f2(env);
    std::stringstream text2;
    text2 << f2.rdbuf();
    EXPECT_EQ(text2.str().find(first_key), std::string::npos);  // fresh secrets each time
    std::filesystem::remove_all(dir);
}

TEST(ConsoleUserId, NumericIdsAreKeptAndNamesAreStable) {
    EXPECT_EQ(ConsoleUserId("123456789012345678").value, 123456789012345678);
    EXPECT_EQ(ConsoleUserId("alice"), ConsoleUserId("alice"));
    EXPECT_NE(ConsoleUserId("alice"), ConsoleUserId("bob"));
    EXPECT_GT(ConsoleUserId("alice").value, 0);
}

TEST(ConsoleUserId, DigitsThatAreNotAValidIdAreRefusedNamingTheOption) {
    EXPECT_EQ(ConsoleUserId("9223372036854775807").value, INT64_MAX);
    for (const char* bad : {"9999999999999999999", "9223372036854775808", "0", "000"}) {
        try {
            ConsoleUserId(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::ErrorCode::kInvalidArgument);
            EXPECT_NE(std::string(e.what()).find("--as: '" + std::string(bad) + "' is not a valid user id"),
                      std::string::npos)
                << e.what();
        }
    }
}

}  // namespace
}  // namespace maxis::app

namespace maxis::app {
namespace {

TEST(Config, DiscordSettingsAreValidatedAndTheTokenNeverShows) {
    auto c = ParseConfig(R"(
[discord]
guild_id = "1200000000000000001"
staff_role_ids = ["1", "2"]
public_key = "d2532d26e26ebc047b55bb995d9b2d5f4c42a4dbae98bc948886e579ca93825e"
api_base_url = "http://127.0.0.1:9/api/v10/"
defer_after_ms = 800
)",
                         "t", Env({{"MAXIS_DISCORD_TOKEN", "MTIz.secret.token"}}));
    EXPECT_EQ(c.discord.guild_id, "1200000000000000001");
    EXPECT_EQ(c.discord.staff_role_ids.size(), 2U);
    EXPECT_EQ(c.discord.api_base_url, "http://127.0.0.1:9/api/v10") << "trailing slash removed";
    EXPECT_EQ(c.discord.defer_after.count(), 800);
    EXPECT_EQ(c.secrets.discord_token.Reveal(), "MTIz.secret.token");
    auto described = DescribeConfig(c);
    EXPECT_EQ(described.find("secret.token"), std::string::npos);
    EXPECT_NE(described.find("MAXIS_DISCORD_TOKEN = (set)"), std::string::npos);

    EXPECT_NE(ErrorOf("[discord]\nguild_id = \"my server\"\n").find("discord.guild_id"), std::string::npos);
    EXPECT_NE(ErrorOf("[discord]\nstaff_role_ids = \"1\"\n").find("list of strings"), std::string::npos);
    EXPECT_NE(ErrorOf("[discord]\nstaff_role_ids = [\"x\"]\n").find("Discord id"), std::string::npos);
    EXPECT_NE(ErrorOf("[discord]\npublic_key = \"abc\"\n").find("64 hex"), std::string::npos);
    EXPECT_NE(ErrorOf("[discord]\ndefer_after_ms = 5000\n").find("between 100 and 2500"), std::string::npos);
    EXPECT_NE(ErrorOf("[discord]\napi_base_url = \"discord.com\"\n").find("http(s) URL"), std::string::npos);
}

TEST(Config, PreordersSettingsAreReadAndBadValuesNameTheKey) {
    auto c = ParseConfig(R"(
[preorders]
enabled = false
channel = "1200000000000000009"
per_member_limit = 2
hold_minutes = 45
release_grace_minutes = 0
proof_every_minutes = 5
announce_percent = [25, 75]
announce_seats_left = [10, 3]
reminder_hours = [48]
sweep_schedule = "every 30s"
)",
                         "t", NoEnv());
    const auto& p = c.preorders;
    EXPECT_FALSE(p.enabled);
    EXPECT_EQ(p.channel, "1200000000000000009");
    EXPECT_EQ(p.per_member_limit, 2);
    EXPECT_EQ(p.hold_minutes, 45);
    EXPECT_EQ(p.release_grace_minutes, 0);
    EXPECT_EQ(p.proof_every_minutes, 5);
    EXPECT_EQ(p.announce_percent, (std::vector<long long>{25, 75}));
    EXPECT_EQ(p.announce_seats_left, (std::vector<long long>{10, 3}));
    EXPECT_EQ(p.reminder_hours, std::vector<long long>{48});
    EXPECT_EQ(p.sweep_schedule, "every 30s");
    EXPECT_NE(DescribeConfig(c).find("preorders.announce_percent = [25, 75]\n"), std::string::npos);

    // Stripe's Checkout Session lives 30 minutes at least.
    EXPECT_NE(ErrorOf("[preorders]\nhold_minutes = 10\n").find("preorders.hold_minutes: must be between 30 and 1440"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nper_member_limit = 0\n").find("preorders.per_member_limit"), std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nchannel = \"announces\"\n").find("preorders.channel: must be empty or a Discord"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nannounce_percent = [100]\n").find("preorders.announce_percent"), std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nreminder_hours = [0]\n").find("preorders.reminder_hours"), std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nsweep_schedule = \"sometimes\"\n").find("preorders.sweep_schedule"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[preorders]\nhold = 30\n").find("preorders.hold: unknown key"), std::string::npos);
}

TEST(Config, MarketingSettingsAndRolesAreReadAndBadValuesNameTheKey) {
    auto defaults = ParseConfig("", "t", NoEnv()).marketing;
    EXPECT_TRUE(defaults.enabled);
    EXPECT_EQ(defaults.validate_after_days, 7);
    EXPECT_EQ(defaults.refund_window_days, 14);
    EXPECT_EQ(defaults.attribution_window_days, 30);
    EXPECT_EQ(defaults.referral_discount_percent, 5);
    EXPECT_EQ(defaults.sweep_schedule, "every 10m");
    ASSERT_EQ(defaults.roles.size(), 7u);

    auto c = ParseConfig(R"(
[marketing]
enabled = false
validate_after_days = 3
refund_window_days = 0
help_channels = ["1200000000000000010"]
referral_discount_percent = 0
invite_channel = "1200000000000000011"
invite_coins = 25
[marketing.roles.ambassador]
discord_role = "1200000000000000012"
commission_percent = 15
required_invites = 5
[marketing.roles.influencer]
min = "40"
max = "199,50"
[marketing.roles.beta_tester]
enabled = false
plan = "ultra"
)",
                         "t", NoEnv());
    const auto& m = c.marketing;
    EXPECT_FALSE(m.enabled);
    EXPECT_EQ(m.validate_after_days, 3);
    EXPECT_EQ(m.refund_window_days, 0);
    EXPECT_EQ(m.help_channels, std::vector<std::string>{"1200000000000000010"});
    EXPECT_EQ(m.referral_discount_percent, 0);
    EXPECT_EQ(m.invite_channel, "1200000000000000011");
    EXPECT_EQ(m.invite_coins, 25);
    auto role = [&](marketing::RoleKind kind) {
        for (const auto& r : m.roles)
            if (r.kind == kind) return r;
        ADD_FAILURE() << "no role";
        return marketing::RoleConfig{};
    };
    EXPECT_EQ(role(marketing::RoleKind::kAmbassador).discord_role, "1200000000000000012");
    EXPECT_EQ(role(marketing::RoleKind::kAmbassador).commission_percent, 15);
    EXPECT_EQ(role(marketing::RoleKind::kAmbassador).required_invites, 5);
    EXPECT_EQ(role(marketing::RoleKind::kInfluencer).min_minor, 4000);
    EXPECT_EQ(role(marketing::RoleKind::kInfluencer).max_minor, 19950);
    EXPECT_EQ(role(marketing::RoleKind::kInfluencer).required_followers, 1000) << "not set: the seed's";
    EXPECT_FALSE(role(marketing::RoleKind::kBetaTester).enabled);
    EXPECT_EQ(role(marketing::RoleKind::kBetaTester).plan, "ultra");
    EXPECT_EQ(role(marketing::RoleKind::kPartner).commission_percent, 30);
    EXPECT_NE(DescribeConfig(c).find("marketing.roles.influencer.max = 19950\n"), std::string::npos);

    EXPECT_NE(ErrorOf("[marketing]\nvalidate_after_days = -1\n").find("marketing.validate_after_days"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[marketing]\nreferral_discount_percent = 101\n").find("marketing.referral_discount_percent"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[marketing]\nhelp_channels = [\"aide\"]\n").find("marketing.help_channels: must be Discord"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[marketing]\nsweep_schedule = \"sometimes\"\n").find("marketing.sweep_schedule"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[marketing.roles.influencer]\nmin = \"50 euros\"\n")
                  .find("marketing.roles.influencer.min: must be an amount such as"),
              std::string::npos);
    EXPECT_NE(
        ErrorOf("[marketing.roles.creator]\nmin = \"60\"\n").find("marketing.roles.creator.max: must be at least min"),
        std::string::npos);
    EXPECT_NE(ErrorOf("[marketing.roles.ambassador]\ncommission_percent = 0\n")
                  .find("marketing.roles.ambassador.commission_percent"),
              std::string::npos);
    // A field the role does not use, and a role that does not exist.
    EXPECT_NE(
        ErrorOf("[marketing.roles.ambassador]\nmin = \"5\"\n").find("marketing.roles.ambassador.min: unknown key"),
        std::string::npos);
    EXPECT_NE(ErrorOf("[marketing.roles.streamer]\nenabled = true\n").find("marketing.roles.streamer: unknown key"),
              std::string::npos);
}

TEST(Config, ShopAndStripeSettingsAreValidatedAndTheKeysNeverShow) {
    auto c = ParseConfig(R"(
[stripe]
api_base = "http://127.0.0.1:9/"
webhook_tolerance_seconds = 120
[shop]
reservation = "45m"
max_pending_orders = 5
restock_on_refund = false
)",
                         "t",
                         Env({{"MAXIS_STRIPE_SECRET_KEY", "sk_test_abcdef123456"},
                              {"MAXIS_STRIPE_WEBHOOK_SECRET", "whsec_new,whsec_old"}}));
    EXPECT_EQ(c.stripe.api_base, "http://127.0.0.1:9");
    EXPECT_EQ(c.stripe.webhook_tolerance_seconds, 120);
    EXPECT_EQ(c.shop.reservation, std::chrono::minutes(45));
    EXPECT_EQ(c.shop.max_pending_orders, 5);
    EXPECT_FALSE(c.shop.restock_on_refund);
    auto described = DescribeConfig(c);
    EXPECT_EQ(described.find("sk_test_abcdef"), std::string::npos);
    EXPECT_EQ(described.find("whsec_"), std::string::npos);
    EXPECT_NE(described.find("MAXIS_STRIPE_SECRET_KEY = (set)"), std::string::npos);
    EXPECT_NE(described.find("MAXIS_STRIPE_WEBHOOK_SECRET = (set)"), std::string::npos);

    EXPECT_NE(ErrorOf("[shop]\nreservation = \"10m\"\n").find("from 30m to 24h"), std::string::npos);
    EXPECT_NE(ErrorOf("[shop]\nsweep_schedule = \"sometimes\"\n").find("shop.sweep_schedule"), std::string::npos);
    EXPECT_NE(ErrorOf("[stripe]\napi_base = \"stripe.com\"\n").find("http(s) URL"), std::string::npos);
    EXPECT_NE(ErrorOf("[stripe]\nsuccess_url = \"ftp://x\"\n").find("stripe.success_url"), std::string::npos);
    auto bad_key = ErrorOf("", Env({{"MAXIS_STRIPE_SECRET_KEY", "pk_live_publishable"}}));
    EXPECT_NE(bad_key.find("MAXIS_STRIPE_SECRET_KEY"), std::string::npos);
    EXPECT_EQ(bad_key.find("pk_live_publishable"), std::string::npos) << "the refused value is not echoed";
    EXPECT_NE(ErrorOf("", Env({{"MAXIS_STRIPE_WEBHOOK_SECRET", "whsec_a,oops"}})).find("whsec_"), std::string::npos);
}

}  // namespace
TEST(Config, PlansAndAssistantSettingsAreValidatedAndTheKeyNeverShows) {
    auto c = ParseConfig(R"(
[plans]
grace_period = "5d"
founder_entitlements = "ultra"
[plans.pro]
price_id = "price_123"
role_id = "42"
messages_per_day = 300
[plans.ultra]
images_per_day = -1
[assistant]
api_base = "http://127.0.0.1:11434/v1/"
model = "llama3"
per_minute = 3
)",
                         "t", Env({{"MAXIS_LLM_API_KEY", "sk-llm-secret-value"}}));
    EXPECT_EQ(c.plans.grace_period, std::chrono::hours(120));
    EXPECT_EQ(c.plans.pro.price_id, "price_123");
    EXPECT_EQ(c.plans.pro.messages_per_day, 300);
    EXPECT_EQ(c.plans.ultra.images_per_day, -1);
    EXPECT_EQ(c.assistant.api_base, "http://127.0.0.1:11434/v1");
    EXPECT_EQ(c.assistant.per_minute, 3);
    auto described = DescribeConfig(c);
    EXPECT_EQ(described.find("sk-llm-secret"), std::string::npos);
    EXPECT_NE(described.find("MAXIS_LLM_API_KEY = (set)"), std::string::npos);
    EXPECT_NE(described.find("plans.pro.messages_per_day = 300"), std::string::npos);

    EXPECT_NE(ErrorOf("[plans.pro]\nprice_id = \"prod_1\"\n").find("plans.pro.price_id"), std::string::npos);
    EXPECT_NE(ErrorOf("[plans.pro]\nrole_id = \"Pro\"\n").find("plans.pro.role_id"), std::string::npos);
    EXPECT_NE(ErrorOf("[plans.free]\nprice_id = \"price_x\"\n").find("plans.free.price_id: unknown key"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[plans.founder]\nmessages_per_day = 3\n").find("plans.founder.messages_per_day: unknown key"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[plans]\nfounder_entitlements = \"gold\"\n").find("plans.founder_entitlements"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[plans]\ngrace_period = \"60d\"\n").find("30d at most"), std::string::npos);
    EXPECT_NE(ErrorOf("[plans.ultra]\nmessages_per_day = -2\n").find("plans.ultra.messages_per_day"),
              std::string::npos);
    EXPECT_NE(ErrorOf("[assistant]\napi_base = \"api.openai.com\"\n").find("assistant.api_base"), std::string::npos);
    EXPECT_NE(ErrorOf("[assistant]\ntimeout = \"0s\"\n").find("assistant.timeout"), std::string::npos);
}

}  // namespace maxis::app
