// The row-level security audit (issue 17). Two members A and B and one staff S are seeded through Maxis
// itself; then member A's transactions, opened exactly as the product opens them through the login role,
// try to read, write and forge their way to B's and staff-only rows on every table of the schema, also
// after switching to maxis_user (what staff and Maxis itself run as). Every probe is expected to be refused
// or to reach nothing: its effect is checked afterwards through the superuser connection (which bypasses
// row-level security), so a statement that "succeeded" quietly is caught, and undone before the next
// probe. A second test tries to leave something on a pooled connection for the next transaction (a
// temporary table, a re-prepared statement); a third reads the catalog. Each test prints every probe with
// what it got, and fails listing each probe that escaped.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "domain/coins/coin_service.hpp"
#include "domain/giveaways/giveaway_service.hpp"
#include "domain/giveaways/winner_grade.hpp"
#include "domain/members/member_directory.hpp"
#include "domain/plans/assistant.hpp"
#include "domain/plans/plan_service.hpp"
#include "domain/shop/shop_service.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "storage/api_tokens.hpp"
#include "storage/coin_store.hpp"
#include "storage/database.hpp"
#include "storage/demo_catalog.hpp"
#include "storage/discord_store.hpp"
#include "storage/giveaway_store.hpp"
#include "storage/marketing_store.hpp"
#include "storage/member_store.hpp"
#include "storage/panel_store.hpp"
#include "storage/plan_store.hpp"
#include "storage/preorder_store.hpp"
#include "storage/shop_store.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "storage/users.hpp"
#include "storage/winner_grade_store.hpp"
#include "support/postgres.hpp"
#include "support/scripted_payments.hpp"

namespace maxis::storage {
namespace {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;

const Viewer kA{UserId{5001}, Role::kMember};
const Viewer kB{UserId{5002}, Role::kMember};
const Viewer kS{UserId{9501}, Role::kStaff};
constexpr long long kFar = 9'999'999'999'999;  // a time far in the future (epoch ms)

std::string Id(const Viewer& v) { return std::to_string(v.user_id.value); }

/// What the seed left behind, with the ids the probes aim at.
struct Seeded {
    long long ticket_a = 0, ticket_b = 0, order_b = 0, product_in_cart = 0, other_product = 0;
    long long giveaway_running = 0, giveaway_ended = 0, giveaway_cancelled = 0;
    long long preorder_open = 0, preorder_draft = 0, preorder_tier = 0;
};

/// Plans' gateway for the seed: configured, so that staff can create a promotion (nothing is sold).
class SeedBilling final : public plans::BillingGateway {
public:
    [[nodiscard]] bool configured() const override { return true; }
    std::string CreatePlanCheckout(const PlanCheckout&) override { return {}; }
    std::string PortalUrl(const std::string&, const std::string&) override { return {}; }
    void CreatePromotion(plans::Promotion& p, const plans::Plan& plan) override {
        p.code = "AUDIT" + std::to_string(p.percent_off);
        p.coupon_id = "co_" + plan.id;
        p.promotion_code_id = "promo_" + plan.id;
    }
    void ExpirePromotion(const plans::Promotion&) override {}
};

/// The assistant's model for the seed: answers at once.
class SeedModel final : public plans::LanguageModel {
public:
    [[nodiscard]] bool configured() const override { return true; }
    std::string Chat(const std::vector<plans::ChatMessage>&) override { return "an answer"; }
    std::string Image(const std::string&) override { return "https://images.example/1.png"; }
};

/// Seeds every table through the product's own services and stores, on the login role like production.
Seeded SeedThroughMaxis(Database& db, testing::FakeClock& clock) {
    auto now = clock.Now();
    Seeded out;
    const std::vector<std::pair<Viewer, std::string>> people = {{kA, "alice"}, {kB, "bob"}, {kS, "sam"}};
    for (const auto& [who, name] : people) EnsureUser(db, who.user_id, name, "fr", now);
    // Tickets: one each, a staff reply to B (a notice to B in the outbox), internal notes, audit rows.
    SqlTicketRepository ticket_repo(db, clock);
    tickets::TicketService tickets(ticket_repo, clock);
    using tickets::Category, tickets::Priority;
    out.ticket_a = tickets.Open(kA, "Printer", Category::kTechnical, Priority::kMedium, "It jams").id.value;
    out.ticket_b = tickets.Open(kB, "Invoice", Category::kBilling, Priority::kHigh, "Wrong amount").id.value;
    tickets.Reply(kA, tickets::TicketId{out.ticket_a}, "More details");
    tickets.Reply(kS, tickets::TicketId{out.ticket_b}, "We are looking into it");
    tickets.Note(kS, tickets::TicketId{out.ticket_b}, "B resells our products");
    tickets.Note(kS, tickets::TicketId{out.ticket_a}, "A was warned last month");
    tickets.Assign(kS, tickets::TicketId{out.ticket_b}, kS.user_id);
    // API tokens: B's, and a staff one.
    ApiTokens tokens(db, clock);
    tokens.Create(kB, "B's script");
    tokens.Create(kS, "staff tool");
    // The panel: a staff session, a login state and link, a second factor with recovery codes, a rate
    // window, the audit log, a setting.
    PanelStore panel(db);
    panel.InsertSession(SessionRecord{.id_hash = "session-of-s",
                                      .user = kS.user_id,
                                      .stage = SessionStage::kActive,
                                      .csrf_token = "csrf",
                                      .created_at = now,
                                      .last_seen_at = now,
                                      .expires_at = now + 1h});
    panel.SaveLoginState("state-1", "session-of-s", "verifier", now, now + 10min);
    panel.SaveLoginLink("link-hash", LoginGrant{kS.user_id, Role::kStaff, "sam"}, now, now + 10min);
    panel.SavePendingTotp(kS.user_id, "sealed-seed", "k1", now);
    panel.EnableTotp(kS.user_id, 1, {"recovery-1", "recovery-2"}, now);
    panel.Hit("login:ip:127.0.0.1", 10, 60s, now);
    panel.Audit("security", kS.user_id, "login.succeeded", "", "", "127.0.0.1", now);
    panel.SaveSetting("tickets.max_active", "5", "3", kS.user_id, "127.0.0.1", now);
    // The shop: B's paid order (items, timeline, payment, counter, Stripe event), then B's cart.
    testing::ScriptedPayments payments;
    SqlShopRepository shop_repo(db, clock);
    shop::ShopService shop(shop_repo, payments, clock, shop::ShopOptions{});
    auto product = [&](const std::string& name) {
        shop::Product p;
        p.name = name;
        p.price_minor = 1200;
        p.stock = 10;
        return shop.CreateProduct(kS, p).value;
    };
    out.product_in_cart = product("Mug");
    out.other_product = product("Cap");
    shop.AddToCart(kB, shop::ProductId{out.product_in_cart}, 1);
    auto order = shop.Checkout(kB, "fr").order;
    out.order_b = order.id.value;
    shop.OnCheckoutCompleted("evt_audit", order.checkout_session_id, true, "pi_audit", order.total_minor, "eur",
                             "https://invoice.example/1");
    shop.AddToCart(kB, shop::ProductId{out.product_in_cart}, 2);
    // Plans: Ultra granted to B (role grant queued, private channel), the assistant used, a promotion.
    plans::PlanCatalog catalog({{.id = "free"},
                                {.id = "ultra",
                                 .rank = 1,
                                 .billing = plans::Billing::kMonthly,
                                 .price_id = "price_ultra",
                                 .price_minor = 1999,
                                 .role_id = "r-ultra",
                                 .entitlements = {.messages_per_day = plans::kUnlimited, .private_channel = true}}});
    auto zone = core::TimeZone::Load("Europe/Paris");
    SqlPlanRepository plan_repo(db, clock);
    SeedBilling billing;
    plans::PlanService plan_service(catalog, plan_repo, billing, clock, zone, plans::PlanOptions{});
    plan_service.GrantTemporary(kS, kB.user_id, "ultra", 24h, "prize");
    plan_service.CreatePromotion(kS, 20, "ultra", 24h);
    SeedModel model;
    plans::Assistant assistant(plan_service, plan_repo, model, zone, plans::AssistantOptions{});
    assistant.Ask(kB.user_id, "hello", {});
    // Maxis's own bookkeeping: a job, app_state (the demo catalog's mark), Discord's logs and cursors.
    SqlJobStore(db).Enqueue({"audit.kind", "{}", now, "audit-unique"}, now);
    SeedDemoCatalogOnce(db, clock);
    RecordMemberEvent(db, kB.user_id, true, now);
    SaveDiscordResource(db, "audit-channel", "channel", "123", now);
    AdvanceChannelCursor(db, ChannelCursor{"10", "1", 500}, now);
    // The directory: B and S, as Maxis records them.
    SqlMemberRepository member_repo(db);
    members::MemberDirectory directory(member_repo, clock);
    directory.Observe(members::Person{.id = kB.user_id, .username = "b", .display_name = "B"});
    directory.Observe(members::Person{.id = kS.user_id, .username = "s", .display_name = "S", .role = Role::kStaff});
    // Coins: B earned from a giveaway, chat and the daily claim, staff gave and took with a reason.
    SqlCoinRepository coin_repo(db);
    coins::CoinService coin_service(coin_repo, clock, zone, coins::CoinOptions{.activity = {.min_length = 1}});
    coin_service.Credit(kB.user_id, 50, coins::CoinReason::kGiveaway, "giveaway-1");
    coin_service.OnMessage(kB.user_id, false, "audit-channel", 20, "m-audit");
    coin_service.ClaimDaily(kB.user_id);
    coin_service.Give(kS, kB.user_id, 5, "audit");
    coin_service.Take(kS, kB.user_id, 2, "audit");
    coin_service.Credit(kA.user_id, 3, coins::CoinReason::kGiveaway, "giveaway-1");
    coin_service.OnMessage(kA.user_id, false, "audit-channel", 20, "m-audit-a");
    // Giveaways: one running (A and B entered), one ended (A and B entered, drawn), one cancelled (nobody).
    {
        struct NoFacts final : giveaways::EntrantFactsSource {
            giveaways::MemberFacts Facts(UserId) override { return {}; }
        } facts;
        SqlGiveawayRepository giveaway_repo(db, clock);
        giveaways::GiveawayService giveaway_service(giveaway_repo, facts, clock, giveaways::GiveawayOptions{});
        giveaways::StartRequest start{.duration = 1h, .winners = 1, .prize = "Nitro"};
        out.giveaway_running = giveaway_service.Start(kS, start).id.value;
        out.giveaway_ended = giveaway_service.Start(kS, start).id.value;
        for (auto id : {out.giveaway_running, out.giveaway_ended}) {
            giveaway_service.Enter(kA, giveaways::GiveawayId{id});
            giveaway_service.Enter(kB, giveaways::GiveawayId{id});
        }
        giveaway_service.EndEarly(kS, giveaways::GiveawayId{out.giveaway_ended});
        out.giveaway_cancelled = giveaway_service.Start(kS, start).id.value;
        giveaway_service.Cancel(kS, giveaways::GiveawayId{out.giveaway_cancelled});
        // Milestones: the member count's state, Maxis's own row (the first count: a baseline, nothing fires).
        giveaway_service.ObserveMemberCount(120);
    }
    // A later round's exclusions: one of the ended giveaway (public), one written on the running one (hidden).
    db.Write(kS, [&](Transaction& tx) {
        long long b = kB.user_id.value;
        for (auto id : {out.giveaway_ended, out.giveaway_running}) {
            tx.sql()
                << "INSERT INTO giveaway_round_exclusions (giveaway_id, round, user_id, reason) VALUES (:g, 1, :u, "
                   "'left')",
                soci::use(id), soci::use(b);
        }
    });
    // Winner grades: A and B each hold one, as winners of the ended giveaway (no role, no plan: rows only).
    {
        struct NoPerks final : giveaways::WinnerPerks {
            scheduling::NewOutboxItem RoleChange(UserId, const std::string&, bool, const std::string&,
                                                 std::string key) override {
                return {"discord.role", "{}", std::move(key)};
            }
            std::optional<long long> GrantPlan(UserId, giveaways::GiveawayId, core::Millis) override { return {}; }
            std::optional<long long> GivenPlan(UserId, giveaways::GiveawayId) override { return {}; }
            void EndPlan(UserId, long long, giveaways::GiveawayId) override {}
        } perks;
        SqlWinnerGradeRepository grade_repo(db, clock);
        giveaways::WinnerGradeService grades(grade_repo, perks, clock, giveaways::WinnerGradeOptions{});
        grades.Crown(giveaways::GiveawayId{out.giveaway_ended}, {kA.user_id, kB.user_id});
    }
    // Pre-orders: an open item with its tiers (A and B each paid one seat, B holds another; its opening announced)
    // and a draft (staff's only), written through the store as staff and Maxis write them.
    {
        SqlPreorderRepository preorder_repo(db, clock);
        auto item = [&](preorders::ItemStatus status) {
            preorders::Item i{.name = "Artbook",
                              .price = core::Money{4000, "EUR"},
                              .release_at = now + 24h * 30,
                              .status = status,
                              .created_by = kS.user_id,
                              .created_at = now,
                              .updated_at = now};
            long long id = 0;
            preorder_repo.Write(kS, [&](preorders::PreorderStore& s) {
                i.id = s.InsertItem(i);
                std::vector<preorders::Tier> tiers;
                for (const auto& spec : preorders::DefaultTiers()) {
                    tiers.push_back({.position = static_cast<int>(tiers.size()),
                                     .name = spec.name,
                                     .discount_percent = spec.discount_percent,
                                     .seats = spec.seats,
                                     .price_minor = preorders::TierPrice(4000, spec.discount_percent)});
                }
                s.ReplaceTiers(i.id, tiers);
                id = i.id.value;
            });
            return id;
        };
        out.preorder_open = item(preorders::ItemStatus::kOpen);
        out.preorder_draft = item(preorders::ItemStatus::kDraft);
        preorder_repo.Write(Viewer::System(), [&](preorders::PreorderStore& s) {
            preorders::ItemId id{out.preorder_open};
            auto first = s.Tiers(id).front();
            out.preorder_tier = first.id.value;
            for (const auto& [who, status] :
                 {std::pair{kA, preorders::PurchaseStatus::kPaid}, std::pair{kB, preorders::PurchaseStatus::kPaid},
                  std::pair{kB, preorders::PurchaseStatus::kHeld}}) {
                ASSERT_TRUE(s.TakeHeldSeat(first.id));
                if (status == preorders::PurchaseStatus::kPaid) s.SellHeldSeat(first.id);
                s.InsertPurchase({.item = id,
                                  .tier = first.id,
                                  .buyer = who.user_id,
                                  .status = status,
                                  .price = core::Money{first.price_minor, "EUR"},
                                  .session_id = "cs_audit_" + std::to_string(s.Tiers(id).front().held) + Id(who),
                                  .held_until = now + 30min,
                                  .created_at = now,
                                  .paid_at = status == preorders::PurchaseStatus::kPaid
                                                 ? std::optional<core::TimePoint>(now)
                                                 : std::nullopt});
            }
            ASSERT_TRUE(s.MarkAnnounced(id, "opened"));
        });
    }
    // Marketing: A and B are ambassadors, each with an application, a help message, an invite, a referral code, a
    // member they brought (5004 by A, 5003 by B) who bought (a commission each, the buyer staff's to know), B a bonus
    // and a payout, B's card seen on a payment.
    {
        SqlMarketingRepository marketing_repo(db, clock);
        namespace mk = marketing;
        marketing_repo.Write(Viewer::System(), [&](mk::MarketingStore& s) {
            for (const auto& role : mk::DefaultRoles()) s.SaveRoleConfig(role);
        });
        for (const auto& [who, brought] : {std::pair{kA, 5004LL}, std::pair{kB, 5003LL}}) {
            const std::string name = who.user_id == kA.user_id ? "A" : "B";
            marketing_repo.Write(who, [&](mk::MarketingStore& s) {
                s.InsertApplication({.user = who.user_id, .role = mk::RoleKind::kPartner, .created_at = now});
            });
            marketing_repo.Write(kS, [&](mk::MarketingStore& s) {
                s.SaveMemberRole({.user = who.user_id,
                                  .role = mk::RoleKind::kAmbassador,
                                  .granted_at = now,
                                  .granted_by = kS.user_id});
                s.SaveCode({.user = who.user_id, .code = "REF" + name, .created_at = now});
            });
            marketing_repo.Write(Viewer::System(), [&](mk::MarketingStore& s) {
                s.InsertActivity({.user = who.user_id, .ref = "help-" + name, .at = now});
                s.SaveInvite({.code = "inv-" + name, .inviter = who.user_id, .uses = 1, .created_at = now});
                mk::InviteJoin join{.member = UserId{brought},
                                    .inviter = who.user_id,
                                    .source = mk::JoinSource::kInvite,
                                    .code = "inv-" + name,
                                    .joined_at = now,
                                    .validate_at = now + 24h * 7};
                join.id = s.InsertJoin(join);
                auto attribution = s.InsertAttribution({.member = UserId{brought},
                                                        .referrer = who.user_id,
                                                        .code = "inv-" + name,
                                                        .join = join.id,
                                                        .starts_at = now,
                                                        .ends_at = now + 24h * 30});
                ASSERT_TRUE(s.InsertCommission({.marketer = who.user_id,
                                                .amount = core::Money{400, "EUR"},
                                                .source = mk::kSourceOrder,
                                                .payment_ref = "pi_marketing_" + name,
                                                .buyer = UserId{brought},
                                                .sale_minor = 2000,
                                                .percent = 20,
                                                .attribution = attribution,
                                                .created_at = now,
                                                .due_at = now + 24h * 14}));
            });
        }
        marketing_repo.Write(kS, [&](mk::MarketingStore& s) {
            s.InsertBonus({.inviter = kB.user_id, .amount = 2, .reason = "audit", .by = kS.user_id, .at = now});
            s.InsertPayout({.marketer = kB.user_id,
                            .amount = core::Money{100, "EUR"},
                            .reference = "audit",
                            .created_by = kS.user_id,
                            .created_at = now});
        });
        marketing_repo.Write(Viewer::System(), [&](mk::MarketingStore& s) {
            s.RecordPayerIdentity(kB.user_id, "card", "fp_b");
            s.RecordPaymentReversal({.payment_ref = "pi_audit_b", .refunded_minor = 500, .at = now});
        });
    }
    // Staff blocked A (A then tries to unblock themselves).
    PanelStore(db).SetBlocked(kA.user_id, true);
    return out;
}

/// What a probe must come to.
enum class Expect {
    kNoRows,    // a SELECT COUNT(*): refused, or 0
    kNoChange,  // a write: refused, or no table (nor the catalog) changed afterwards (seen by the superuser)
    kRefused,   // the statement itself fails
};

std::string_view Describe(Expect e) {
    switch (e) {
        case Expect::kNoRows:
            return "refused or 0 rows";
        case Expect::kNoChange:
            return "refused or no change";
        case Expect::kRefused:
            return "refused";
    }
    return "";
}

/// How the probe's transaction is opened.
enum class As {
    kMemberA,   // login_db.Read/Write(Viewer{A, member}): the product's own transaction set-up
    kNoViewer,  // a raw login session: no BEGIN, no viewer context at all
};

struct Probe {
    std::string name;
    Expect expect = Expect::kNoChange;
    std::string sql;                 // the probe; a SELECT COUNT(*) for kNoRows
    std::string table;               // writes: the table aimed at (every table must have its probes)
    std::vector<std::string> forge;  // run first in the same transaction (forging the context)
    As as = As::kMemberA;
    /// The superuser's SELECT COUNT(*) of the rows the probe aims at: it must find some, or the probe
    /// proves nothing. Empty: nothing to check.
    std::string aims_at;
};

/// A SELECT COUNT(*) that must be refused or count nothing, though the rows it counts exist.
Probe Reads(std::string name, const std::string& sql, std::vector<std::string> forge = {}, As as = As::kMemberA) {
    return Probe{std::move(name), Expect::kNoRows, sql, "", std::move(forge), as, sql};
}

/// A write on table that must be refused or change nothing anywhere.
Probe Writes(std::string name, std::string table, std::string sql, std::string aims_at = "",
             std::vector<std::string> forge = {}) {
    return Probe{std::move(name),  Expect::kNoChange, std::move(sql),    std::move(table),
                 std::move(forge), As::kMemberA,      std::move(aims_at)};
}

struct Outcome {
    std::string name;
    std::string expected;
    std::string got;
    bool escaped = false;
};

std::string FirstLine(const std::string& text) {
    auto line = text.substr(0, text.find('\n'));
    return line.size() > 90 ? line.substr(0, 90) + "..." : line;
}

/// Prints every outcome, and fails listing each one that escaped.
void Report(const std::string& title, const std::vector<Outcome>& outcomes) {
    std::ostringstream report, escaped;
    int escapes = 0;
    for (const auto& o : outcomes) {
        report << (o.escaped ? "ESCAPED " : "ok      ") << std::left << std::setw(66) << o.name << " expected "
               << std::setw(22) << o.expected << " got " << o.got << "\n";
        if (o.escaped) {
            ++escapes;
            escaped << "  " << o.name << ": " << o.got << "\n";
        }
    }
    std::cout << title << ": " << outcomes.size() << " probes, " << escapes << " escaped\n" << report.str();
    EXPECT_EQ(escapes, 0) << title << ": " << escapes << " of " << outcomes.size() << " probes escaped:\n"
                          << escaped.str();
}

/// One table: which rows member A must neither read nor change, and a write A must not make.
struct TableSpec {
    std::string table;
    std::string hidden;  // WHERE clause of the rows A must not read; empty: public to read
    std::string others;  // WHERE clause of the rows A must not change
    std::string insert;  // an INSERT of a row that is not A's to create
    std::string set;     // SET clause that changes the others' rows
};

/// What the catalog grants and enforces in this database: relations of public with their grants and RLS
/// flags, every policy, the functions outside the system schemas, the schemas' and the database's grants.
const std::string kCatalog = "the catalog";
constexpr std::string_view kCatalogSql =
    "concat_ws('|', "
    "(SELECT string_agg(c.relname || ':' || COALESCE(c.relacl::text, '') || ':' || c.relrowsecurity || ':' || "
    "c.relforcerowsecurity, ',' ORDER BY c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public'), "
    "(SELECT string_agg(p.polrelid::regclass::text || '.' || p.polname || ':' || p.polcmd::text || ':' || "
    "p.polroles::text || ':' || COALESCE(pg_get_expr(p.polqual, p.polrelid), '') || ':' || "
    "COALESCE(pg_get_expr(p.polwithcheck, p.polrelid), ''), ',' ORDER BY p.polrelid, p.polname) FROM pg_policy p), "
    "(SELECT string_agg(p.oid::regprocedure::text || ':' || COALESCE(p.proacl::text, '') || ':' || p.prosecdef, "
    "',' ORDER BY p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN "
    "('pg_catalog', 'information_schema')), "
    "(SELECT string_agg(nspname || ':' || COALESCE(nspacl::text, ''), ',' ORDER BY nspname) FROM pg_namespace "
    "WHERE nspname NOT LIKE 'pg_temp%' AND nspname NOT LIKE 'pg_toast_temp%'), "
    "(SELECT COALESCE(datacl::text, '') FROM pg_database WHERE datname = current_database()))";

class RlsAudit : public ::testing::Test {
protected:
    testing::PostgresDatabase pg;
    testing::FakeClock clock;

    long long OwnerCount(const std::string& sql) {
        long long n = 0;
        pg.owner().WithRawSession([&](soci::session& s) { s << sql, soci::into(n); });
        return n;
    }
    std::vector<std::string> OwnerStrings(const std::string& sql) {
        std::vector<std::string> out;
        pg.owner().WithRawSession([&](soci::session& s) {
            soci::rowset<std::string> rows = (s.prepare << sql);
            for (const auto& r : rows) out.push_back(r);
        });
        return out;
    }
    /// The public tables, as the superuser lists them.
    std::vector<std::string> PublicTables() {
        return OwnerStrings("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    }

    /// Keeps a copy of every public table, as seeded, so that a probe that escaped can be undone before
    /// the next one runs (each probe meets the seeded state).
    void Snapshot() {
        tables_ = PublicTables();
        state_sql_.clear();
        for (const auto& t : tables_) {
            state_sql_ += std::string(state_sql_.empty() ? "" : " UNION ALL ") + "SELECT '" + t +
                          "', (SELECT COALESCE(md5(string_agg(t::text, '|' ORDER BY t::text)), 'empty') FROM public." +
                          t + " t)";
        }
        state_sql_ += " UNION ALL SELECT '" + kCatalog + "', md5(" + std::string(kCatalogSql) + ")";
        pg.owner().WithRawSession([&](soci::session& s) {
            s << "CREATE SCHEMA audit_snapshot";
            for (const auto& t : tables_) s << "CREATE TABLE audit_snapshot." + t + " AS TABLE public." + t;
        });
        seeded_ = State();
    }
    /// Every public table's content, as the superuser sees it, reduced to a hash per table, and the catalog's.
    std::map<std::string, std::string> State() {
        std::map<std::string, std::string> out;
        pg.owner().WithRawSession([&](soci::session& s) {
            soci::rowset<soci::row> rows = (s.prepare << state_sql_);
            for (const auto& r : rows) out[r.get<std::string>(0)] = r.get<std::string>(1);
        });
        return out;
    }
    /// The tables (or the catalog) that differ from the seeded state; then puts the seeded rows back.
    std::vector<std::string> ChangedAndRestored() {
        auto now = State();
        std::vector<std::string> changed;
        for (const auto& [table, hash] : now) {
            if (seeded_[table] != hash) changed.push_back(table);
        }
        if (changed.empty()) return changed;
        pg.owner().WithRawSession([&](soci::session& s) {
            std::string all;
            for (const auto& t : tables_) all += (all.empty() ? "public." : ", public.") + t;
            s << "BEGIN";
            s << "SET LOCAL session_replication_role = replica";  // rows go back in any order
            s << "TRUNCATE " + all;
            for (const auto& t : tables_) {
                s << "INSERT INTO public." + t + " OVERRIDING SYSTEM VALUE SELECT * FROM audit_snapshot." + t;
            }
            s << "COMMIT";
        });
        auto restored = State();
        seeded_[kCatalog] = restored[kCatalog];  // reported once; a changed catalog cannot be put back
        EXPECT_EQ(restored, seeded_) << "the seeded rows could not be restored";
        return changed;
    }

    /// Runs one probe on a connection of its own (settings a probe leaves on its session never reach the
    /// next one), and judges it. Whatever it changed, in any table or in the catalog, is an escape.
    /// inspect runs after the probe's transaction, before its changes are undone.
    Outcome Run(const Probe& p, const std::function<void()>& inspect = {}) {
        Outcome out{p.name, std::string(Describe(p.expect)), "", false};
        Database login(DatabaseOptions{pg.LoginUrl(), 1});
        long long rows = 0;
        auto work = [&](soci::session& s) {
            for (const auto& f : p.forge) s << f;
            if (p.expect == Expect::kNoRows) {
                s << p.sql, soci::into(rows);
            } else {
                soci::statement st = (s.prepare << p.sql);
                st.execute(true);
                rows = st.get_affected_rows();
            }
        };
        std::optional<std::string> refused;
        try {
            if (p.as == As::kNoViewer) {
                login.WithRawSession(work);
            } else if (p.expect == Expect::kNoRows) {
                login.Read(kA, [&](Transaction& tx) { work(tx.sql()); });
            } else {
                login.Write(kA, [&](Transaction& tx) { work(tx.sql()); });
            }
        } catch (const std::exception& e) {
            refused = FirstLine(e.what());
        }
        if (inspect) inspect();
        auto changed = ChangedAndRestored();
        if (!changed.empty()) {
            out.got = "CHANGED";
            for (const auto& t : changed) out.got += " " + t;
            if (refused) out.got += " (then: " + *refused + ")";
            out.escaped = true;
        } else if (refused) {
            out.got = "refused: " + *refused;
        } else if (p.expect == Expect::kNoRows) {
            out.got = "read " + std::to_string(rows) + " rows";
            out.escaped = rows != 0;
        } else if (p.expect == Expect::kRefused) {
            out.got = "succeeded";
            out.escaped = true;
        } else {
            out.got = rows < 0 ? "succeeded, nothing changed" : std::to_string(rows) + " rows matched, nothing changed";
        }
        return out;
    }

private:
    std::vector<std::string> tables_;
    std::string state_sql_;
    std::map<std::string, std::string> seeded_;
};

/// The probes every table gets: read, insert, update, delete and truncate what is not A's.
std::vector<Probe> TableProbes(const TableSpec& t) {
    std::vector<Probe> out;
    const std::string others = " FROM " + t.table + " WHERE " + t.others;
    if (!t.hidden.empty()) {
        const std::string hidden = "SELECT COUNT(*) FROM " + t.table + " WHERE " + t.hidden;
        out.push_back(Reads(t.table + ": read others' rows", hidden));
        out.push_back(Reads(t.table + ": read with no viewer context", hidden, {}, As::kNoViewer));
    }
    out.push_back(Writes(t.table + ": insert a row", t.table, t.insert));
    out.push_back(Writes(t.table + ": update others' rows", t.table,
                         "UPDATE " + t.table + " SET " + t.set + " WHERE " + t.others, "SELECT COUNT(*)" + others));
    out.push_back(Writes(t.table + ": delete others' rows", t.table, "DELETE" + others, "SELECT COUNT(*)" + others));
    out.push_back(Writes(t.table + ": truncate (policies do not apply)", t.table, "TRUNCATE " + t.table));
    return out;
}

std::vector<TableSpec> Tables(const Seeded& s) {
    const std::string a = Id(kA), b = Id(kB), st = Id(kS);
    const std::string tb = std::to_string(s.ticket_b);
    const std::string order = std::to_string(s.order_b), other = std::to_string(s.other_product);
    const std::string mine_b = "user_id = " + b;
    auto everything = [](std::string table, std::string insert, std::string set) {
        return TableSpec{std::move(table), "true", "true", std::move(insert), std::move(set)};
    };
    auto of_b = [&](std::string table, std::string insert, std::string set) {
        return TableSpec{std::move(table), mine_b, mine_b, std::move(insert), std::move(set)};
    };
    return {
        {"users", "id <> " + a, "id <> " + a,
         "INSERT INTO users (id, display_name, created_at) VALUES (5003, 'forged', 0)", "display_name = 'pwned'"},
        {"products", "", "true", "INSERT INTO products (name, price_minor, created_at) VALUES ('forged', 1, 0)",
         "price_minor = 1"},
        {"promotions", "", "true",
         "INSERT INTO promotions (code, percent_off, plan, expires_at, coupon_id, promotion_code_id, created_by, "
         "created_at) VALUES ('FORGED', 100, 'ultra', " +
             std::to_string(kFar) + ", 'c', 'p', " + a + ", 0)",
         "percent_off = 100"},
        {"schema_migrations", "", "true",
         "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'forged', 0)", "applied_at = 1"},
        everything("app_state", "INSERT INTO app_state (key, value) VALUES ('forged', '1')", "value = 'forged'"),
        everything("jobs", "INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ('forged', '{}', 0, 0)",
                   "payload = '{\"forged\":1}'"),
        // A queues a Discord role grant for themselves; B's notices are re-addressed to A.
        everything("outbox",
                   "INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES "
                   "('discord.role', '{\"user\":\"" +
                       a + "\",\"role\":\"r-ultra\",\"grant\":true}', 'forged-role', 0, 0)",
                   "payload = replace(payload, '" + b + "', '" + a + "')"),
        {"tickets", "owner_id = " + b, "owner_id = " + b,
         "INSERT INTO tickets (owner_id, subject, category, priority, status, created_at, updated_at, "
         "first_response_due, resolution_due) VALUES (" +
             b + ", 'forged', 'general', 'low', 'open', 0, 0, 0, 0)",
         "subject = 'pwned'"},
        {"ticket_messages", "owner_id = " + b + " OR internal = 1", "owner_id = " + b + " OR internal = 1",
         "INSERT INTO ticket_messages (ticket_id, owner_id, author_id, from_staff, internal, body, created_at) "
         "VALUES (" +
             tb + ", " + b + ", " + b + ", 0, 0, 'forged', 0)",
         "body = 'pwned'"},
        {"ticket_audit_log", "owner_id = " + b, "owner_id = " + b,
         "INSERT INTO ticket_audit_log (ticket_id, owner_id, actor_id, action, at) VALUES (" + tb + ", " + b + ", " +
             b + ", 'forged', 0)",
         "action = 'pwned'"},
        everything("api_tokens",
                   "INSERT INTO api_tokens (token_hash, user_id, role, created_at) VALUES "
                   "(encode(sha256('forged'::bytea), 'hex'), " +
                       b + ", 'admin', 0)",
                   "role = 'admin', user_id = " + a),
        // Names are public: A reads them all, and writes none (not even A's own row, nor a role).
        {"members", "", "true",
         "INSERT INTO members (id, username, display_name, role, updated_at) VALUES (" + a + ", 'a', 'A', 'admin', 0)",
         "display_name = 'pwned', role = 'admin'"},
        everything("member_events", "INSERT INTO member_events (user_id, kind, at) VALUES (" + b + ", 'leave', 0)",
                   "at = 0"),
        everything("discord_resources",
                   "INSERT INTO discord_resources (idempotency_key, kind, discord_id, created_at) VALUES "
                   "('forged', 'channel', '1', 0)",
                   "discord_id = '0'"),
        everything(
            "discord_channel_cursors",
            "INSERT INTO discord_channel_cursors (channel_id, last_message_id, updated_at) VALUES ('forged', 1, 0)",
            "last_message_id = 0"),
        everything("sessions",
                   "INSERT INTO sessions (id_hash, user_id, role, stage, csrf_token, created_at, last_seen_at, "
                   "expires_at) VALUES ('forged', " +
                       a + ", 'admin', 'active', 'x', 0, 0, " + std::to_string(kFar) + ")",
                   "user_id = " + a),
        everything("login_states",
                   "INSERT INTO login_states (state, session_hash, verifier, created_at, expires_at) VALUES "
                   "('forged', 'h', 'v', 0, " +
                       std::to_string(kFar) + ")",
                   "verifier = 'forged'"),
        everything("login_links",
                   "INSERT INTO login_links (token_hash, user_id, role, created_at, expires_at) VALUES ('forged', " +
                       a + ", 'admin', 0, " + std::to_string(kFar) + ")",
                   "user_id = " + a),
        everything("staff_totp",
                   "INSERT INTO staff_totp (user_id, secret, key_id, created_at) VALUES (" + a + ", 's', 'k', 0)",
                   "secret = 'forged'"),
        everything("recovery_codes", "INSERT INTO recovery_codes (user_id, code_hash) VALUES (" + a + ", 'forged')",
                   "used_at = 1"),
        everything("rate_limits", "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ('forged', 0, 1)",
                   "hits = 0"),
        everything("audit_log",
                   "INSERT INTO audit_log (at, kind, actor, action) VALUES (0, 'audit', " + st + ", 'forged')",
                   "action = 'pwned'"),
        everything("settings",
                   "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('forged', '1', 0, " + a + ")",
                   "value = 'forged'"),
        everything("order_counters", "INSERT INTO order_counters (year, last) VALUES (2099, 1)", "last = 0"),
        everything("stripe_events",
                   "INSERT INTO stripe_events (event_id, type, outcome, received_at) VALUES ('evt_forged', 'x', "
                   "'applied', 0)",
                   "outcome = 'forged'"),
        of_b("carts",
             "INSERT INTO carts (user_id, product_id, quantity, added_at) VALUES (" + b + ", " + other + ", 1, 0)",
             "quantity = 99"),
        of_b("orders",
             "INSERT INTO orders (number, user_id, status, total_minor, currency, created_at, updated_at) VALUES "
             "('F-1', " +
                 b + ", 'paid', 0, 'EUR', 0, 0)",
             "status = 'cancelled'"),
        of_b("order_items",
             "INSERT INTO order_items (order_id, user_id, product_id, name, unit_price_minor, quantity) VALUES (" +
                 order + ", " + b + ", " + other + ", 'forged', 0, 1)",
             "quantity = 99"),
        of_b("order_events",
             "INSERT INTO order_events (order_id, user_id, at, to_status, actor) VALUES (" + order + ", " + b +
                 ", 0, 'refunded', 'forged')",
             "note = 'forged'"),
        of_b("payments",
             "INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at) VALUES (" + order +
                 ", " + b + ", 'refund', 1, 'EUR', 'forged', 0)",
             "amount_minor = 0"),
        // A grants themselves a plan, a private channel, assistant quota.
        of_b("user_subscriptions",
             "INSERT INTO user_subscriptions (user_id, plan, kind, ref, status, observed_at, created_at, updated_at) "
             "VALUES (" +
                 a + ", 'ultra', 'temporary', 'forged', 'active', 0, 0, 0)",
             "expires_at = " + std::to_string(kFar)),
        of_b("member_channels",
             "INSERT INTO member_channels (user_id, resource_key, state, updated_at) VALUES (" + a +
                 ", 'forged', 'open', 0)",
             "resource_key = 'forged'"),
        of_b("assistant_usage",
             "INSERT INTO assistant_usage (user_id, day, kind, used) VALUES (" + a + ", '2000-01-01', 'message', 0)",
             "used = 0"),
        // A credits themselves, raises their own balance, resets their activity cap; B's coins are taken.
        of_b("coin_ledger",
             "INSERT INTO coin_ledger (user_id, amount, reason, ref, balance_after, created_at) VALUES (" + a +
                 ", 1000, 'staff_give', '', 1000, 0)",
             "amount = 1"),
        of_b("coin_balances", "INSERT INTO coin_balances (user_id, balance, updated_at) VALUES (" + a + ", 1000000, 0)",
             "balance = 0"),
        of_b("coin_activity",
             "INSERT INTO coin_activity (user_id, day, earned, last_at) VALUES (" + a + ", '2000-01-01', 0, 0)",
             "earned = 0, last_at = 0"),
        of_b("assistant_turns",
             "INSERT INTO assistant_turns (user_id, role, content, at) VALUES (" + b + ", 'user', 'forged', 0)",
             "content = 'forged'"),
        // Giveaways: public to read, written by staff and Maxis only; the seed of a running giveaway hidden; B's
        // entry in a running giveaway hidden; A forges a win.
        {"giveaways", "", "true",
         "INSERT INTO giveaways (prize, winners_count, starts_at, ends_at, status, seed_hash, created_by, created_at, "
         "updated_at) VALUES ('forged', 1, 0, 0, 'ended', 'h', " +
             a + ", 0, 0)",
         "status = 'ended'"},
        {"giveaway_seeds", "giveaway_id = " + std::to_string(s.giveaway_running), "true",
         "INSERT INTO giveaway_seeds (giveaway_id, seed) SELECT id, 'forged' FROM giveaways WHERE id NOT IN (SELECT "
         "giveaway_id FROM giveaway_seeds) LIMIT 1",
         "seed = 'forged'"},
        {"giveaway_entries", "user_id <> " + a + " AND giveaway_id = " + std::to_string(s.giveaway_running),
         "user_id <> " + a,
         "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES (" +
             std::to_string(s.giveaway_running) + ", 5003, 0)",
         "excluded = 'bot'"},
        // A later round's exclusions: public once ended, hidden before; written by staff and Maxis only.
        {"giveaway_round_exclusions", "giveaway_id = " + std::to_string(s.giveaway_running), "true",
         "INSERT INTO giveaway_round_exclusions (giveaway_id, round, user_id, reason) VALUES (" +
             std::to_string(s.giveaway_ended) + ", 9, " + a + ", 'bot')",
         "reason = 'forged'"},
        // The member count's state: staff read it, only Maxis writes it; members have nothing there.
        everything("giveaway_milestone_state",
                   "INSERT INTO giveaway_milestone_state (id, baseline, highest, created_at, updated_at) VALUES (1, 0, "
                   "0, 0, 0) ON CONFLICT (id) DO UPDATE SET highest = 99",
                   "baseline = 0, highest = 0"),
        // Winners exist only once a giveaway has ended, when they are public: nothing to hide from A.
        {"giveaway_winners", "", "true",
         "INSERT INTO giveaway_winners (giveaway_id, user_id, round, position, drawn_at) VALUES (" +
             std::to_string(s.giveaway_ended) + ", " + a + ", 9, 0, 0)",
         "user_id = " + a},
        // Pre-orders: items public once opened (a draft is staff's), and their tiers; members write neither, nor
        // their seat counters. A reads their own purchases only, and writes none, not even their own (a paid
        // status, a lower price); the announcements are Maxis's.
        {"preorder_items", "status = 'draft'", "true",
         "INSERT INTO preorder_items (name, price_minor, currency, release_at, status, per_member_limit, created_by, "
         "created_at, updated_at) VALUES ('forged', 1, 'EUR', 0, 'open', 99, " +
             a + ", 0, 0)",
         "price_minor = 1, status = 'open'"},
        {"preorder_tiers", "item_id = " + std::to_string(s.preorder_draft), "true",
         "INSERT INTO preorder_tiers (item_id, position, name, discount_percent, price_minor) VALUES (" +
             std::to_string(s.preorder_open) + ", 7, 'forged', 99, 1)",
         "sold = 0, held = 0, seats = NULL, price_minor = 1"},
        {"preorder_purchases", "user_id <> " + a, "true",
         "INSERT INTO preorder_purchases (item_id, tier_id, user_id, status, price_minor, currency, held_until, "
         "created_at, paid_at) VALUES (" +
             std::to_string(s.preorder_open) + ", " + std::to_string(s.preorder_tier) + ", " + a +
             ", 'paid', 1, 'EUR', 0, 0, 0)",
         "status = 'paid', price_minor = 1, user_id = " + a},
        everything("preorder_announcements",
                   "INSERT INTO preorder_announcements (item_id, announcement, at) VALUES (" +
                       std::to_string(s.preorder_open) + ", 'forged', 0)",
                   "announcement = 'forged'"),
        // Marketing: the roles' configuration is public; A reads their own rows (the joins they made or brought, the
        // attributions they are in) and writes nothing but their own pending application; payer identities are
        // Maxis's; nobody deletes anything.
        {"marketing_roles", "", "true",
         "INSERT INTO marketing_roles (kind, enabled, reward, commission_percent) VALUES ('partner', 1, 'commission', "
         "100) ON CONFLICT (kind) DO UPDATE SET commission_percent = 100",
         "commission_percent = 100"},
        {"user_marketing_roles", "user_id <> " + a, "true",
         "INSERT INTO user_marketing_roles (user_id, role, granted_at) VALUES (" + a + ", 'partner', 0)",
         "revoked_at = NULL, role = 'partner'"},
        {"marketing_applications", "user_id <> " + a, "true",
         "INSERT INTO marketing_applications (user_id, role, status, created_at) VALUES (" + b +
             ", 'creator', 'pending', 0)",
         "status = 'approved', decided_by = " + st},
        {"marketing_activity", "user_id <> " + a, "true",
         "INSERT INTO marketing_activity (user_id, kind, amount, at) VALUES (" + a + ", 'help_message', 1000, 0)",
         "amount = 1000"},
        {"invites", "inviter_id <> " + a, "true",
         "INSERT INTO invites (code, inviter_id, uses, created_at) VALUES ('forged', " + a + ", 1000, 0)",
         "uses = 1000, inviter_id = " + a},
        {"invite_joins", "member_id <> " + a + " AND inviter_id <> " + a, "true",
         "INSERT INTO invite_joins (member_id, inviter_id, source, status, joined_at, validate_at) VALUES (5009, " + a +
             ", 'invite', 'validated', 0, 0)",
         "status = 'validated', inviter_id = " + a},
        {"invite_bonuses", "inviter_id <> " + a, "true",
         "INSERT INTO invite_bonuses (inviter_id, amount, reason, by_user, at) VALUES (" + a + ", 1000, 'forged', " +
             st + ", 0)",
         "amount = 1000, inviter_id = " + a},
        {"referral_codes", "user_id <> " + a, "true",
         "INSERT INTO referral_codes (user_id, code, created_at) VALUES (5003, 'FORGED', 0)",
         "code = 'FORGED' || user_id, active = 1"},
        {"attributions", "member_id <> " + a + " AND referrer_id <> " + a, "true",
         "INSERT INTO attributions (member_id, referrer_id, source, starts_at, ends_at) VALUES (5003, " + a +
             ", 'code', 0, " + std::to_string(kFar) + ")",
         "referrer_id = " + a + ", ends_at = " + std::to_string(kFar)},
        everything(
            "payer_identities",
            "INSERT INTO payer_identities (user_id, kind, value, first_seen) VALUES (" + a + ", 'card', 'fp_b', 0)",
            "user_id = " + a),
        // A forges a refund of a payment (their sale earns nothing), or erases one (it earns again).
        everything("payment_reversals",
                   "INSERT INTO payment_reversals (payment_ref, refunded_minor, fully_refunded, disputed, at) VALUES "
                   "('pi_forged', 0, 1, 0, 0)",
                   "refunded_minor = 0, fully_refunded = 0, disputed = 0"),
        {"commissions", "marketer_id <> " + a, "true",
         "INSERT INTO commissions (marketer_id, kind, role, status, amount_minor, currency, created_at, due_at) VALUES "
         "(" +
             a + ", 'monthly', 'influencer', 'due', 100000, 'EUR', 0, 0)",
         "status = 'due', amount_minor = 1000000, marketer_id = " + a},
        {"payouts", "marketer_id <> " + a, "true",
         "INSERT INTO payouts (marketer_id, amount_minor, currency, reference, created_by, created_at) VALUES (" + a +
             ", 1, 'EUR', 'forged', " + st + ", 0)",
         "amount_minor = 1"},
        // Winner grades: B's hidden; A grants themselves one, or lengthens it.
        of_b("winner_grades",
             "INSERT INTO winner_grades (giveaway_id, user_id, granted_at, until) VALUES (" +
                 std::to_string(s.giveaway_running) + ", " + a + ", 0, " + std::to_string(kFar) + ")",
             "until = " + std::to_string(kFar)),
    };
}

/// What the issue found member policies allow on A's own rows, and the outbox's own cases.
std::vector<Probe> OwnRowProbes(const Seeded& s) {
    const std::string a = Id(kA), b = Id(kB), st = Id(kS);
    const std::string ta = std::to_string(s.ticket_a), tb = std::to_string(s.ticket_b);
    auto message = [&](const std::string& ticket, const std::string& author, int from_staff, int internal) {
        return "INSERT INTO ticket_messages (ticket_id, owner_id, author_id, from_staff, internal, body, created_at) "
               "VALUES (" +
               ticket + ", " + a + ", " + author + ", " + std::to_string(from_staff) + ", " + std::to_string(internal) +
               ", 'forged', 0)";
    };
    auto audit = [&](const std::string& ticket, const std::string& actor) {
        return "INSERT INTO ticket_audit_log (ticket_id, owner_id, actor_id, action, at) VALUES (" + ticket + ", " + a +
               ", " + actor + ", 'forged', 0)";
    };
    const std::string own_ticket_row = "SELECT COUNT(*) FROM tickets WHERE id = " + ta;
    auto own_ticket = [&](const std::string& what, const std::string& set) {
        return Writes("tickets: A " + what, "tickets", "UPDATE tickets SET " + set + " WHERE id = " + ta,
                      own_ticket_row);
    };
    const std::string keys = "SELECT COUNT(*) FROM maxis_private.connection_keys";
    const std::string reregister = "SELECT maxis_register_connection(decode(repeat('ab', 32), 'hex'))";
    const std::string ga = std::to_string(s.giveaway_ended), gr = std::to_string(s.giveaway_running);
    const std::string own_entry = "SELECT COUNT(*) FROM giveaway_entries WHERE user_id = " + a;
    return {
        // Giveaways: A's own entry is theirs to add or take back only while the giveaway runs, never to mark.
        Writes("giveaway_entries: A leaves an ended giveaway", "giveaway_entries",
               "DELETE FROM giveaway_entries WHERE user_id = " + a + " AND giveaway_id = " + ga, own_entry),
        Writes("giveaway_entries: A enters a cancelled giveaway", "giveaway_entries",
               "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at) VALUES (" +
                   std::to_string(s.giveaway_cancelled) + ", " + a + ", 0)"),
        Writes("giveaway_entries: A clears their own exclusion", "giveaway_entries",
               "UPDATE giveaway_entries SET excluded = '', entered_at = 1 WHERE user_id = " + a, own_entry),
        Writes("giveaway_entries: A enters with an exclusion set", "giveaway_entries",
               "INSERT INTO giveaway_entries (giveaway_id, user_id, entered_at, excluded) VALUES (" + gr + ", " + a +
                   ", 0, '')"),
        Writes("tickets: delete A's own ticket", "tickets", "DELETE FROM tickets WHERE id = " + ta, own_ticket_row),
        Writes("ticket_messages: delete A's own message", "ticket_messages",
               "DELETE FROM ticket_messages WHERE author_id = " + a,
               "SELECT COUNT(*) FROM ticket_messages WHERE author_id = " + a),
        Writes("ticket_messages: A's message into B's ticket", "ticket_messages", message(tb, a, 0, 0)),
        Writes("ticket_messages: a staff reply on A's ticket", "ticket_messages", message(ta, a, 1, 0)),
        Writes("ticket_messages: an internal note on A's ticket", "ticket_messages", message(ta, a, 0, 1)),
        Writes("ticket_messages: a message by S on A's ticket", "ticket_messages", message(ta, st, 0, 0)),
        Writes("ticket_audit_log: a row on B's ticket", "ticket_audit_log", audit(tb, a)),
        Writes("ticket_audit_log: S as the actor on A's ticket", "ticket_audit_log", audit(ta, st)),
        own_ticket("assigns their ticket to S", "assignee_id = " + st),
        own_ticket("sets their priority", "priority = 'critical'"),
        own_ticket("sets first_response_breached", "first_response_breached = 1"),
        own_ticket("sets resolution_breached", "resolution_breached = 1"),
        own_ticket("resolves their ticket", "status = 'resolved'"),
        own_ticket("gives their ticket to B", "owner_id = " + b),
        Writes("coin_balances: A raises their own balance", "coin_balances",
               "UPDATE coin_balances SET balance = 1000000 WHERE user_id = " + a,
               "SELECT COUNT(*) FROM coin_balances WHERE user_id = " + a),
        Writes("coin_ledger: A rewrites their own movement", "coin_ledger",
               "UPDATE coin_ledger SET amount = 1000, balance_after = 1000 WHERE user_id = " + a,
               "SELECT COUNT(*) FROM coin_ledger WHERE user_id = " + a),
        Writes("coin_ledger: A deletes their own movement", "coin_ledger",
               "DELETE FROM coin_ledger WHERE user_id = " + a, "SELECT COUNT(*) FROM coin_ledger WHERE user_id = " + a),
        Writes("coin_activity: A resets their own daily cap", "coin_activity",
               "UPDATE coin_activity SET earned = 0, last_at = 0 WHERE user_id = " + a,
               "SELECT COUNT(*) FROM coin_activity WHERE user_id = " + a),
        Writes("winner_grades: A lengthens their own grade", "winner_grades",
               "UPDATE winner_grades SET until = " + std::to_string(kFar) + ", ended_at = NULL WHERE user_id = " + a,
               "SELECT COUNT(*) FROM winner_grades WHERE user_id = " + a),
        Writes("winner_grades: A deletes their own grade", "winner_grades",
               "DELETE FROM winner_grades WHERE user_id = " + a,
               "SELECT COUNT(*) FROM winner_grades WHERE user_id = " + a),
        // Marketing: A never learns who bought through them, not even of their own commission; A neither decides
        // their own application, nor changes their own role, code, joins or ledger.
        Reads("commissions: A reads the buyer of their own commission",
              "SELECT COUNT(*) FROM commissions WHERE buyer_id <> 0 AND marketer_id = " + a),
        Reads("commissions: A reads every column of their own commission",
              "SELECT COUNT(*) FROM (SELECT * FROM commissions WHERE marketer_id = " + a + ") c"),
        Writes("marketing_applications: A approves their own application", "marketing_applications",
               "UPDATE marketing_applications SET status = 'approved' WHERE user_id = " + a,
               "SELECT COUNT(*) FROM marketing_applications WHERE user_id = " + a),
        Writes("marketing_applications: A applies already approved", "marketing_applications",
               "INSERT INTO marketing_applications (user_id, role, status, created_at) VALUES (" + a +
                   ", 'creator', 'approved', 0)"),
        Writes("marketing_applications: A applies with a decision", "marketing_applications",
               "INSERT INTO marketing_applications (user_id, role, status, created_at, decided_by) VALUES (" + a +
                   ", 'creator', 'pending', 0, " + st + ")"),
        Writes("marketing_applications: A withdraws their own application", "marketing_applications",
               "DELETE FROM marketing_applications WHERE user_id = " + a,
               "SELECT COUNT(*) FROM marketing_applications WHERE user_id = " + a),
        Writes("user_marketing_roles: A changes their own role", "user_marketing_roles",
               "UPDATE user_marketing_roles SET role = 'partner', plan_renew_at = " + std::to_string(kFar) +
                   " WHERE user_id = " + a,
               "SELECT COUNT(*) FROM user_marketing_roles WHERE user_id = " + a),
        Writes("referral_codes: A changes their own code", "referral_codes",
               "UPDATE referral_codes SET code = 'REFB2', promotion_code_id = 'promo_forged' WHERE user_id = " + a,
               "SELECT COUNT(*) FROM referral_codes WHERE user_id = " + a),
        Writes("invite_joins: A validates the join they brought", "invite_joins",
               "UPDATE invite_joins SET status = 'validated' WHERE inviter_id = " + a,
               "SELECT COUNT(*) FROM invite_joins WHERE inviter_id = " + a),
        Writes("commissions: A marks their own commission due and raises it", "commissions",
               "UPDATE commissions SET status = 'due', due_at = 0, amount_minor = 100000 WHERE marketer_id = " + a,
               "SELECT COUNT(*) FROM commissions WHERE marketer_id = " + a),
        Writes("commissions: A deletes their own commission", "commissions",
               "DELETE FROM commissions WHERE marketer_id = " + a,
               "SELECT COUNT(*) FROM commissions WHERE marketer_id = " + a),
        Writes("users: blocked A unblocks themselves", "users", "UPDATE users SET blocked = false WHERE id = " + a,
               "SELECT COUNT(*) FROM users WHERE blocked AND id = " + a),
        Reads("outbox: read B's notices", "SELECT COUNT(*) FROM outbox WHERE payload LIKE '%" + b + "%'"),
        Writes("outbox: a notice to B", "outbox",
               "INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES "
               "('notify.member', '{\"key\":\"tickets.notify.staff_replied\",\"params\":{},\"user\":" +
                   b + "}', 'forged-notice', 0, 0)"),
        // A notice otherwise like the one A's own ticket queues, under a key Maxis gives an item it will queue
        // later (a plan's role revocation): taking it would silently drop that item.
        Writes("outbox: A's ticket notice under another item's key", "outbox",
               "INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) "
               "SELECT 'notify.staff', json_build_object('key', 'tickets.notify.created', 'ticket', t.id::text, "
               "'params', json_build_object('id', t.id::text, 'subject', t.subject))::text, "
               "'plans.sweep.1.role.2.revoke', 0, 0 FROM tickets t WHERE t.id = " +
                   ta),
        Writes("outbox: A's ticket notice, due in a thousand years", "outbox",
               "INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) "
               "SELECT 'notify.staff', json_build_object('key', 'tickets.notify.created', 'ticket', t.id::text, "
               "'params', json_build_object('id', t.id::text, 'subject', t.subject))::text, "
               "'ticket:' || t.id || ':created:1', 9000000000000000, 0 FROM tickets t WHERE t.id = " +
                   ta),
        // Large objects have no row-level security and every member runs as one role.
        Probe{"large objects: create one", Expect::kRefused, "SELECT lo_from_bytea(0, 'from A'::bytea)"},
        Probe{"large objects: create one, as the login role",
              Expect::kRefused,
              "SELECT lo_from_bytea(0, 'from A'::bytea)",
              "",
              {"RESET ROLE"}},
        Probe{"maxis_register_connection again", Expect::kRefused, reregister},
        Probe{"maxis_register_connection again, as the login role", Expect::kRefused, reregister, "", {"RESET ROLE"}},
        // The keys exist only with the signed viewer: no rows to insist on.
        Probe{"maxis_private.connection_keys: read", Expect::kNoRows, keys},
        Probe{"no viewer: maxis_private.connection_keys", Expect::kNoRows, keys, "", {}, As::kNoViewer},
    };
}

/// A's transaction changes the schema or its grants: refused, or the catalog is unchanged.
std::vector<Probe> SchemaProbes() {
    const std::vector<std::pair<std::string, std::string>> statements = {
        {"disable RLS on tickets", "ALTER TABLE tickets DISABLE ROW LEVEL SECURITY"},
        {"stop forcing RLS on tickets", "ALTER TABLE tickets NO FORCE ROW LEVEL SECURITY"},
        {"drop the policies of tickets",
         "DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname FROM pg_policies WHERE tablename = 'tickets' "
         "LOOP EXECUTE format('DROP POLICY %I ON tickets', p.policyname); END LOOP; END $$"},
        {"create a policy open to all", "CREATE POLICY audit_open ON tickets USING (true) WITH CHECK (true)"},
        {"grant tickets to PUBLIC", "GRANT SELECT ON tickets TO PUBLIC"},
        {"create a table in public", "CREATE TABLE public.audit_probe (id INTEGER)"},
        {"create a function in public",
         "CREATE FUNCTION public.audit_probe() RETURNS INTEGER LANGUAGE sql AS 'SELECT 1'"},
    };
    std::vector<Probe> out;
    for (const auto& [what, sql] : statements) out.push_back(Writes("schema: " + what, "", sql));
    return out;
}

/// The viewer context forged every way the issue lists, each followed by reads of what A must not see.
std::vector<Probe> ForgeryProbes() {
    const std::string b = Id(kB);
    // The signed context rewritten: B's id, or the system role, in place of A's (empty on a database
    // without one: still a probe).
    auto viewer_rewritten = [](const std::string& pattern, const std::string& replacement) {
        return "SELECT set_config('maxis.viewer', regexp_replace(current_setting('maxis.viewer', true), '" + pattern +
               "', '" + replacement + "'), true)";
    };
    const std::vector<std::pair<std::string, std::vector<std::string>>> forgeries = {
        {"set_config(maxis.role, system, false)", {"SELECT set_config('maxis.role', 'system', false)"}},
        {"set_config(maxis.role, staff, true)", {"SELECT set_config('maxis.role', 'staff', true)"}},
        {"SET maxis.role = admin", {"SET maxis.role = 'admin'"}},
        {"set_config(maxis.user_id, B, false)", {"SELECT set_config('maxis.user_id', '" + b + "', false)"}},
        {"maxis.viewer with B's id", {viewer_rewritten("^[0-9]+:", b + ":")}},
        {"maxis.viewer with role system", {viewer_rewritten(":member:", ":system:")}},
        {"maxis.viewer with role system and maxis.role",
         {viewer_rewritten(":member:", ":system:"), "SELECT set_config('maxis.role', 'system', true)"}},
        {"RESET ROLE", {"RESET ROLE"}},
        {"SET ROLE maxis_user", {"SET ROLE maxis_user"}},
        {"SET ROLE maxis_owner", {"SET ROLE maxis_owner"}},
        {"SET ROLE postgres", {"SET ROLE postgres"}},
        {"SET SESSION AUTHORIZATION postgres", {"SET SESSION AUTHORIZATION postgres"}},
    };
    const std::vector<std::pair<std::string, std::string>> targets = {
        {"B's tickets", "SELECT COUNT(*) FROM tickets WHERE owner_id = " + b},
        {"internal notes", "SELECT COUNT(*) FROM ticket_messages WHERE internal = 1"},
        {"api_tokens", "SELECT COUNT(*) FROM api_tokens"},
        {"sessions", "SELECT COUNT(*) FROM sessions"},
        {"staff_totp", "SELECT COUNT(*) FROM staff_totp"},
    };
    std::vector<Probe> out;
    for (const auto& [how, statements] : forgeries) {
        for (const auto& [what, sql] : targets) {
            out.push_back(Reads("forge " + how + ", read " + what, sql, statements));
        }
    }
    return out;
}

/// The same forgeries, used to plant an admin token that the test knows (the end-to-end, at
/// storage level).
const std::string kForgedToken = "mxs_" + std::string(43, 'F');

Probe PlantAdminToken() {
    return Writes("forge system, insert an admin token", "api_tokens",
                  "INSERT INTO api_tokens (token_hash, user_id, role, label, created_at) VALUES (encode(sha256('" +
                      kForgedToken + "'::bytea), 'hex'), " + Id(kA) + ", 'admin', 'forged', 0)",
                  "",
                  {"SELECT set_config('maxis.role', 'system', true)",
                   "SELECT set_config('maxis.viewer', regexp_replace(current_setting('maxis.viewer', true), "
                   "':member:', ':system:'), true)"});
}

TEST_F(RlsAudit, MemberTransactionsReachNothingBeyondTheirOwnRows) {
    Database login(DatabaseOptions{pg.LoginUrl(), 2});
    Seeded seeded = SeedThroughMaxis(login, clock);

    std::vector<Probe> probes;
    std::set<std::string> covered;
    for (const auto& t : Tables(seeded)) {
        covered.insert(t.table);
        for (auto& p : TableProbes(t)) probes.push_back(std::move(p));
    }
    for (auto& p : OwnRowProbes(seeded)) probes.push_back(std::move(p));
    for (auto& p : SchemaProbes()) probes.push_back(std::move(p));
    for (auto& p : ForgeryProbes()) probes.push_back(std::move(p));
    // The login role may become maxis_user (what staff and Maxis itself run as): every probe again after
    // A switches to it.
    for (size_t i = 0, n = probes.size(); i < n; ++i) {
        if (probes[i].as != As::kMemberA) continue;
        Probe p = probes[i];
        p.name = "as maxis_user, " + p.name;
        p.forge.insert(p.forge.begin(), "SET ROLE maxis_user");
        probes.push_back(std::move(p));
    }

    // Every table of the schema has its probes: a new table must be added above.
    for (const auto& table : PublicTables()) {
        EXPECT_TRUE(covered.count(table)) << "table " << table << " has no probe row in the audit";
    }
    // A probe that finds or changes nothing proves nothing unless the rows it aims at exist.
    for (const auto& p : probes) {
        if (!p.aims_at.empty()) {
            EXPECT_GT(OwnerCount(p.aims_at), 0) << "probe '" << p.name << "' proves nothing: the seed left no such row";
        }
    }

    Snapshot();
    std::vector<Outcome> outcomes;
    for (const auto& p : probes) outcomes.push_back(Run(p));

    // The end-to-end at storage level: the admin token A planted, as their own role or after becoming
    // maxis_user, must not authenticate.
    for (const std::string role : {"", "SET ROLE maxis_user"}) {
        Probe plant = PlantAdminToken();
        if (!role.empty()) {
            plant.name = "as maxis_user, " + plant.name;
            plant.forge.insert(plant.forge.begin(), role);
        }
        std::optional<TokenOwner> planted;
        outcomes.push_back(Run(plant, [&] { planted = ApiTokens(login, clock).Owner(kForgedToken); }));
        outcomes.push_back({plant.name + ": the token authenticates", "not found",
                            planted ? "found: user " + std::to_string(planted->viewer.user_id.value) + " as " +
                                          std::string(core::ToString(planted->viewer.role))
                                    : "not found",
                            planted.has_value()});
    }
    Report("RLS audit", outcomes);
}

TEST_F(RlsAudit, APooledConnectionCarriesNothingOfAMembersTransactionToTheNext) {
    Database pooled(DatabaseOptions{pg.LoginUrl(), 1});
    std::vector<Outcome> outcomes;
    // A temporary table that shadows tickets, committed by A; the next transaction on the connection, a
    // staff one, must read the real table.
    std::string created = "created and committed";
    try {
        pooled.Write(kA, [](Transaction& tx) {
            tx.sql() << "CREATE TEMP TABLE tickets (id BIGINT, owner_id BIGINT, subject TEXT)";
            tx.sql() << "INSERT INTO tickets VALUES (1, 1, 'shadow')";
        });
    } catch (const std::exception& e) {
        created = "refused: " + FirstLine(e.what());
    }
    long long shadow = pooled.Read(kS, [](Transaction& tx) {
        long long n = 0;
        tx.sql() << "SELECT COUNT(*) FROM tickets WHERE subject = 'shadow'", soci::into(n);
        return n;
    });
    outcomes.push_back({"temp table shadows tickets for the next staff transaction", "staff reads the real table",
                        created + "; staff read " + std::to_string(shadow) + " shadow rows", shadow != 0});

    // The connection keeps the statements Maxis prepared on it (the API token lookup among them, run as
    // Maxis itself). A reads their names and re-prepares the lookup under the same name so that it
    // answers "admin A" for any token; the next lookup on the connection must not use it.
    ApiTokens tokens(pooled, clock);
    const std::string unknown = "mxs_" + std::string(43, 'U');
    EXPECT_FALSE(tokens.Owner(unknown));  // prepares the lookup on the connection
    std::string replaced;
    try {
        pooled.Write(kA,
                     [](Transaction& tx) {
                         soci::rowset<std::string> names =
                             (tx.sql().prepare
                              << "SELECT name FROM pg_prepared_statements WHERE statement LIKE '%FROM api_tokens%'");
                         std::vector<std::string> found(names.begin(), names.end());
                         for (const auto& name : found) {
                             tx.sql() << "DEALLOCATE " + name;
                             tx.sql() << "PREPARE " + name + "(text) AS SELECT " + Id(kA) +
                                             "::BIGINT, 'admin'::TEXT, NULL::BIGINT, 0 WHERE $1 <> ''";
                         }
                     });
        replaced = "re-prepared and committed";
    } catch (const std::exception& e) {
        replaced = "refused: " + FirstLine(e.what());
    }
    std::string looked_up = "not found";
    bool found = false;
    try {
        if (auto owner = tokens.Owner(unknown)) {
            found = true;
            looked_up = "found: user " + std::to_string(owner->viewer.user_id.value) + " as " +
                        std::string(core::ToString(owner->viewer.role));
        }
    } catch (const std::exception& e) {
        looked_up = "lookup failed: " + FirstLine(e.what());
    }
    outcomes.push_back(
        {"a re-prepared token lookup answers the next lookup", "not found", replaced + "; then " + looked_up, found});
    Report("RLS audit, pooled connection", outcomes);
}

/// One structural rule over the catalog: the offenders a query lists must be none.
struct CatalogRule {
    std::string name;
    std::string offenders_sql;  // one text column: what breaks the rule
};

TEST_F(RlsAudit, CatalogGrantsNothingThePoliciesDoNotCover) {
    // The roles a transaction runs as (maxis_member exists once the signed viewer is in).
    std::vector<std::string> roles =
        OwnerStrings("SELECT rolname::text FROM pg_roles WHERE rolname IN ('maxis_member', 'maxis_user') ORDER BY 1");
    std::string any_privilege = "false";
    for (const auto& r : roles) {
        any_privilege += " OR has_any_column_privilege('" + r + "', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')" +
                         " OR has_table_privilege('" + r + "', c.oid, 'DELETE, TRUNCATE, TRIGGER')";
    }
    const std::string user_tables =
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN "
        "('r', 'p') ";
    const std::vector<CatalogRule> rules = {
        {"every table a transaction reaches has RLS enabled and forced",
         "SELECT c.relname::text " + user_tables + "AND c.relname <> 'schema_migrations' AND (" + any_privilege +
             ") AND NOT (c.relrowsecurity AND c.relforcerowsecurity)"},
        {"schema_migrations: only maxis_login reads it",
         "SELECT c.relname::text " + user_tables + "AND c.relname = 'schema_migrations' AND (" + any_privilege + ")"},
        {"no policy granted to PUBLIC",
         "SELECT p.polname::text || ' on ' || c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
         "WHERE 0 = ANY (p.polroles)"},
        {"no SECURITY DEFINER function but the verifier and the registration",
         "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
         "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
         "AND p.proname NOT IN ('maxis_viewer', 'maxis_register_connection')"},
        {"no view without security_invoker",
         "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
         "WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND NOT EXISTS (SELECT 1 "
         "FROM unnest(COALESCE(c.reloptions, '{}')) o WHERE lower(o) IN ('security_invoker=true', "
         "'security_invoker=on', 'security_invoker=1', 'security_invoker=yes'))"},
        {"maxis_login has no TEMP on the database",
         "SELECT 'TEMP on ' || current_database() WHERE has_database_privilege('maxis_login', current_database(), "
         "'TEMP')"},
        {"maxis_login has no CREATE on schema public",
         "SELECT 'CREATE on public' WHERE has_schema_privilege('maxis_login', 'public', 'CREATE')"},
        {"maxis_login is NOINHERIT", "SELECT rolname::text FROM pg_roles WHERE rolname = 'maxis_login' AND rolinherit"},
    };
    std::vector<Outcome> outcomes;
    for (const auto& rule : rules) {
        std::string got;
        for (const auto& o : OwnerStrings(rule.offenders_sql)) got += (got.empty() ? "" : ", ") + o;
        outcomes.push_back({rule.name, "none", got.empty() ? "none" : got, !got.empty()});
    }
    Report("RLS audit, catalog", outcomes);
}

}  // namespace
}  // namespace maxis::storage
