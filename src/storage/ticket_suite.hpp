#pragma once
// The ticket service and repository suite, run on SQLite (tickets_test.cpp) and on PostgreSQL through the
// login role with row-level security (tickets_pgtest.cpp). Each file defines MakeDatabase().
#include <gtest/gtest.h>
#include <soci/soci.h>

#include "core/errors.hpp"
#include "domain/tickets/ticket_service.hpp"
#include "storage/api_tokens.hpp"
#include "storage/database.hpp"
#include "storage/migrator.hpp"
#include "storage/panel_store.hpp"
#include "storage/sql_queue_stores.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "storage/users.hpp"
#include "support/fake_clock.hpp"

namespace maxis::storage::ticket_suite {

using namespace std::chrono_literals;
using core::Role;
using core::UserId;
using core::Viewer;
using tickets::Category;
using tickets::Priority;
using tickets::Status;
using tickets::TicketId;

std::unique_ptr<Database> MakeDatabase(testing::FakeClock& clock);

inline const Viewer kAlice{UserId{1001}, Role::kMember};
inline const Viewer kBob{UserId{1002}, Role::kMember};
inline const Viewer kStaff{UserId{9001}, Role::kStaff};

class TicketSuite : public ::testing::Test {
protected:
    TicketSuite() : db(MakeDatabase(clock)), repo(*db, clock), service(repo, clock) {}

    core::ErrorCode CodeOf(const std::function<void()>& f, std::string* key = nullptr) {
        try {
            f();
        } catch (const core::Error& e) {
            if (key) *key = e.key();
            return e.code();
        }
        ADD_FAILURE() << "no error";
        return core::ErrorCode::kInternal;
    }
    long long Count(const std::string& table) {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            long long n = 0;
            tx.sql() << "SELECT COUNT(*) FROM " + table, soci::into(n);
            return n;
        });
    }
    std::vector<std::string> OutboxKeys() {
        return db->Read(Viewer::System(), [&](Transaction& tx) {
            std::vector<std::string> out;
            soci::rowset<std::string> rows = (tx.sql().prepare << "SELECT payload FROM outbox ORDER BY id");
            for (const auto& r : rows) out.push_back(r);
            return out;
        });
    }

    testing::FakeClock clock;
    std::unique_ptr<Database> db;
    SqlTicketRepository repo;
    tickets::TicketService service;
};

TEST_F(TicketSuite, MemberOpensListsViewsRepliesAndCloses) {
    auto t = service.Open(kAlice, "Paiement refusé", Category::kBilling, Priority::kHigh, "La carte est refusée");
    EXPECT_GT(t.id.value, 0);
    EXPECT_EQ(t.status, Status::kOpen);
    EXPECT_EQ(t.first_response_due, clock.Now() + 4h);
    EXPECT_EQ(t.resolution_due, clock.Now() + 24h);
    auto mine = service.List(kAlice, {});
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].subject, "Paiement refusé");
    clock.Advance(10min);
    service.Reply(kStaff, t.id, "Pouvez-vous réessayer ?");
    auto view = service.View(kAlice, t.id);
    EXPECT_EQ(view.ticket.status, Status::kWaitingMember);
    ASSERT_EQ(view.messages.size(), 2u);
    EXPECT_TRUE(view.messages[1].from_staff);
    EXPECT_EQ(view.ticket.first_response_at, clock.Now());
    service.Reply(kAlice, t.id, "Ça marche, merci");
    EXPECT_EQ(service.View(kAlice, t.id).ticket.status, Status::kWaitingStaff);
    auto closed = service.Close(kAlice, t.id, "résolu");
    EXPECT_EQ(closed.status, Status::kClosed);
    EXPECT_EQ(closed.close_reason, "résolu");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Reply(kAlice, t.id, "encore"); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.closed");
    auto audit = service.View(kStaff, t.id).audit;
    std::vector<std::string> actions;
    for (const auto& a : audit) actions.push_back(a.action);
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "reply", "reply", "close"}));
}

TEST_F(TicketSuite, ControlCharactersAndBadUtf8AreRefusedNamingTheFieldAndNothingIsStored) {
    struct Case {
        std::string subject, body, key, message;
    };
    const std::vector<Case> cases = {
        {"\x1b[2J\x1b[Hplus rien", "ok", "text.control.subject", "subject: contains a control character (U+001B)"},
        {"sonnette\a", "ok", "text.control.subject", "subject: contains a control character (U+0007)"},
        {"deux\nlignes", "ok", "text.control.subject", "subject: contains a control character (U+000A)"},
        {"efface\b\b", "ok", "text.control.subject", "subject: contains a control character (U+0008)"},
        {"c1 \u009b2J", "ok", "text.control.subject", "subject: contains a control character (U+009B)"},
        {"mauvais \xff", "ok", "text.utf8.subject", "subject: not valid UTF-8"},
        {"Sujet", std::string("nul\0cach\u00e9", 10), "text.control.message",
         "message: contains a control character (U+0000)"},
        {"Sujet", "\x1b]0;titre\a", "text.control.message", "message: contains a control character (U+001B)"},
        {"Sujet", "retour\rchariot", "text.control.message", "message: contains a control character (U+000D)"},
        {"Sujet", "del\x7f", "text.control.message", "message: contains a control character (U+007F)"},
    };
    for (const auto& c : cases) {
        try {
            service.Open(kAlice, c.subject, Category::kGeneral, Priority::kLow, c.body);
            ADD_FAILURE() << "accepted: " << c.message;
        } catch (const core::Error& e) {
            EXPECT_EQ(e.code(), core::ErrorCode::kInvalidArgument);
            EXPECT_EQ(e.key(), c.key);
            EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find('\x1b'), std::string::npos);  // the input is never echoed raw
        }
    }
    EXPECT_EQ(Count("tickets"), 0);
    EXPECT_EQ(Count("ticket_messages"), 0);

    // Line breaks and tabs belong in messages; bidirectional marks are text (neutralised only when shown).
    auto t =
        service.Open(kAlice, "Sujet \u202Eà l'envers", Category::kGeneral, Priority::kLow, "ligne 1\r\n\tligne 2\nfin");
    EXPECT_EQ(service.View(kAlice, t.id).messages.at(0).body, "ligne 1\r\n\tligne 2\nfin");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Reply(kAlice, t.id, "bip\a"); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.message");
    EXPECT_EQ(CodeOf([&] { service.Note(kStaff, t.id, "\x1b[31mrouge"); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.message");
    EXPECT_EQ(CodeOf([&] { service.Close(kAlice, t.id, "fin\x1b[2J"); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "text.control.reason");
    EXPECT_EQ(service.View(kStaff, t.id).messages.size(), 1u);
    EXPECT_EQ(service.View(kAlice, t.id).ticket.status, Status::kOpen);
}

TEST_F(TicketSuite, AnotherMembersTicketIsExactlyLikeOneThatDoesNotExist) {
    auto t = service.Open(kAlice, "Secret", Category::kAccount, Priority::kLow, "mon mot de passe");
    std::string key_other, key_missing;
    EXPECT_EQ(CodeOf([&] { service.View(kBob, t.id); }, &key_other), core::ErrorCode::kNotFound);
    EXPECT_EQ(CodeOf([&] { service.View(kBob, TicketId{t.id.value + 1000}); }, &key_missing),
              core::ErrorCode::kNotFound);
    EXPECT_EQ(key_other, key_missing);
    EXPECT_EQ(CodeOf([&] { service.Reply(kBob, t.id, "je m'invite"); }), core::ErrorCode::kNotFound);
    EXPECT_EQ(CodeOf([&] { service.Close(kBob, t.id, ""); }), core::ErrorCode::kNotFound);
    EXPECT_TRUE(service.List(kBob, {}).empty());
    tickets::TicketQuery all;
    all.scope = tickets::ListScope::kAll;
    EXPECT_TRUE(service.List(kBob, all).empty());  // a member asking for "all" still gets only their own
    EXPECT_EQ(Count("ticket_messages"), 1);        // nothing was written by the refused calls
}

TEST_F(TicketSuite, InternalNotesNeverReachTheMember) {
    auto t = service.Open(kAlice, "Bug", Category::kBug, Priority::kMedium, "ça plante");
    service.Note(kStaff, t.id, "client difficile, voir ticket 12");
    EXPECT_EQ(service.View(kAlice, t.id).messages.size(), 1u);
    EXPECT_TRUE(service.View(kAlice, t.id).audit.empty());
    auto staff_view = service.View(kStaff, t.id);
    ASSERT_EQ(staff_view.messages.size(), 2u);
    EXPECT_TRUE(staff_view.messages[1].internal);
    EXPECT_EQ(CodeOf([&] { service.Note(kAlice, t.id, "je veux une note"); }), core::ErrorCode::kForbidden);
    for (const auto& payload : OutboxKeys()) EXPECT_EQ(payload.find("client difficile"), std::string::npos);
}

TEST_F(TicketSuite, LimitsAnswerClearlyAndWriteNothing) {
    for (int i = 0; i < 3; ++i) service.Open(kAlice, "T" + std::to_string(i), Category::kGeneral, Priority::kLow, "x");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Open(kAlice, "T4", Category::kGeneral, Priority::kLow, "x"); }, &key),
              core::ErrorCode::kLimitReached);
    EXPECT_EQ(key, "tickets.too_many_open");
    EXPECT_EQ(Count("tickets"), 3);
    EXPECT_EQ(CodeOf([&] { service.Open(kBob, std::string(101, 'a'), Category::kGeneral, Priority::kLow, "x"); }, &key),
              core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "tickets.subject_too_long");
    EXPECT_EQ(
        CodeOf([&] { service.Open(kBob, "ok", Category::kGeneral, Priority::kLow, std::string(4001, 'a')); }, &key),
        core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "tickets.message_too_long");
    // 100 characters of French text are 100 characters, not 150 bytes.
    std::string accented;
    for (int i = 0; i < 50; ++i) accented += "é";
    EXPECT_NO_THROW(service.Open(kBob, std::string(50, 'a') + accented, Category::kGeneral, Priority::kLow, "x"));
    EXPECT_EQ(Count("tickets"), 4);
}

TEST_F(TicketSuite, CreationRateIsLimitedPerHour) {
    for (int i = 0; i < 5; ++i) {
        auto t = service.Open(kAlice, "T" + std::to_string(i), Category::kGeneral, Priority::kLow, "x");
        service.Close(kAlice, t.id, "");
    }
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Open(kAlice, "T6", Category::kGeneral, Priority::kLow, "x"); }, &key),
              core::ErrorCode::kLimitReached);
    EXPECT_EQ(key, "tickets.too_many_recent");
    clock.Advance(61min);
    EXPECT_NO_THROW(service.Open(kAlice, "T6", Category::kGeneral, Priority::kLow, "x"));
}

TEST_F(TicketSuite, SlaClockPausesWhileWaitingOnTheMemberAndAlertsOncePerBreach) {
    auto t = service.Open(kAlice, "Urgent", Category::kTechnical, Priority::kCritical, "serveur down");
    clock.Advance(30min);
    service.SetStatus(kStaff, t.id, Status::kWaitingMember);  // paused with 30 min used
    clock.Advance(5h);
    EXPECT_EQ(service.Sweep(), 0);                   // paused: no breach
    service.Reply(kAlice, t.id, "des nouvelles ?");  // resumes; dues move by 5 h
    auto resumed = service.View(kStaff, t.id).ticket;
    EXPECT_EQ(resumed.first_response_due, t.first_response_due + 5h);
    clock.Advance(29min);
    EXPECT_EQ(service.Sweep(), 0);
    clock.Advance(2min);
    EXPECT_EQ(service.Sweep(), 1);  // first-response breach
    EXPECT_EQ(service.Sweep(), 0);  // alerted once
    clock.Advance(4h);
    EXPECT_EQ(service.Sweep(), 1);  // resolution breach (4 h target)
    EXPECT_EQ(service.Sweep(), 0);
    int breach_alerts = 0;
    for (const auto& p : OutboxKeys()) breach_alerts += p.find("tickets.notify.breach_") != std::string::npos;
    EXPECT_EQ(breach_alerts, 2);
    tickets::TicketQuery breached;
    breached.scope = tickets::ListScope::kBreached;
    EXPECT_EQ(service.List(kStaff, breached).size(), 1u);
}

TEST_F(TicketSuite, AutoCloseWarnsThenClosesButNeverWhileStaffOweTheAnswer) {
    auto waiting = service.Open(kAlice, "A", Category::kGeneral, Priority::kLow, "x");
    auto owed = service.Open(kBob, "B", Category::kGeneral, Priority::kLow, "x");
    service.Reply(kStaff, waiting.id, "Avez-vous essayé ?");  // now waiting on the member
    clock.Advance(48h);
    service.Sweep();
    EXPECT_TRUE(service.View(kStaff, waiting.id).ticket.auto_close_warned_at.has_value());
    EXPECT_EQ(service.View(kStaff, waiting.id).ticket.status, Status::kWaitingMember);
    clock.Advance(71h);
    service.Sweep();
    EXPECT_EQ(service.View(kStaff, waiting.id).ticket.status, Status::kWaitingMember);
    clock.Advance(1h);
    service.Sweep();
    auto closed = service.View(kAlice, waiting.id).ticket;
    EXPECT_EQ(closed.status, Status::kClosed);
    EXPECT_EQ(closed.close_reason, "auto_close");
    EXPECT_EQ(service.View(kStaff, owed.id).ticket.status, Status::kOpen);  // staff owe this one: never closed
}

TEST_F(TicketSuite, ReopenWithinSevenDaysOnly) {
    auto t = service.Open(kAlice, "A", Category::kGeneral, Priority::kLow, "x");
    service.Close(kAlice, t.id, "");
    clock.Advance(6 * 24h);
    EXPECT_EQ(service.Reopen(kAlice, t.id).status, Status::kWaitingStaff);
    service.Close(kStaff, t.id, "fini");
    clock.Advance(7 * 24h + 1min);
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Reopen(kAlice, t.id); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.reopen_expired");
}

TEST_F(TicketSuite, OnlyStaffTheDirectoryKnowsAndNeverTheRequesterAreAssigned) {
    // The directory as Discord or the console filled it: Sam is staff, Bob a member; Zoe is unknown.
    db->Write(Viewer::System(), [](Transaction& tx) {
        tx.sql() << "INSERT INTO members (id, username, display_name, role, updated_at) VALUES "
                    "(9003, 'sam', 'Sam', 'staff', 0), (1002, 'bob', 'Bob', 'member', 0), "
                    "(1001, 'alice', 'Alice', 'admin', 0)";
    });
    auto t = service.Open(kAlice, "Facture", Category::kBilling, Priority::kLow, "x");
    auto audit_before = Count("ticket_audit_log");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Assign(kStaff, t.id, kBob.user_id); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "tickets.assign_not_staff");
    EXPECT_EQ(CodeOf([&] { service.Assign(kStaff, t.id, UserId{4242}); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "tickets.assign_not_staff");
    // Alice is an admin in the directory, but this is her own request.
    EXPECT_EQ(CodeOf([&] { service.Assign(kStaff, t.id, kAlice.user_id); }, &key), core::ErrorCode::kInvalidArgument);
    EXPECT_EQ(key, "tickets.assign_owner");
    EXPECT_EQ(Count("ticket_audit_log"), audit_before);
    EXPECT_FALSE(service.View(kStaff, t.id).ticket.assignee);
    EXPECT_EQ(service.Assign(kStaff, t.id, UserId{9003}).assignee, UserId{9003});
    // Staff taking a ticket themselves need no directory entry: they are staff by the act.
    EXPECT_EQ(service.Assign(kStaff, t.id, kStaff.user_id).assignee, kStaff.user_id);
}

TEST_F(TicketSuite, StaffAssignChangePriorityAndFilter) {
    auto a = service.Open(kAlice, "Facture manquante", Category::kBilling, Priority::kLow, "x");
    auto b = service.Open(kBob, "Bug d'affichage", Category::kBug, Priority::kMedium, "x");
    EXPECT_EQ(CodeOf([&] { service.Assign(kAlice, a.id, kStaff.user_id); }), core::ErrorCode::kForbidden);
    service.Assign(kStaff, a.id, kStaff.user_id);
    auto raised = service.SetPriority(kStaff, b.id, Priority::kCritical);
    EXPECT_EQ(raised.first_response_due, b.created_at + 1h);
    tickets::TicketQuery q;
    q.scope = tickets::ListScope::kAssignedToMe;
    EXPECT_EQ(service.List(kStaff, q).size(), 1u);
    q.scope = tickets::ListScope::kUnassigned;
    ASSERT_EQ(service.List(kStaff, q).size(), 1u);
    EXPECT_EQ(service.List(kStaff, q)[0].id, b.id);
    q = {};
    q.scope = tickets::ListScope::kAll;
    q.text = "FACTURE";
    ASSERT_EQ(service.List(kStaff, q).size(), 1u);
    q.text = "100%_";
    EXPECT_TRUE(service.List(kStaff, q).empty());
    q = {};
    q.scope = tickets::ListScope::kAll;
    q.limit = 1;
    auto page1 = service.List(kStaff, q);
    ASSERT_EQ(page1.size(), 1u);
    q.after = page1[0].id;
    auto page2 = service.List(kStaff, q);
    ASSERT_EQ(page2.size(), 1u);
    EXPECT_LT(page2[0].id, page1[0].id);
}

TEST_F(TicketSuite, AChangeToWhatTheTicketAlreadyIsIsNeitherAppliedNorLogged) {
    auto t = service.Open(kAlice, "Facture", Category::kBilling, Priority::kLow, "x");
    service.SetStatus(kStaff, t.id, Status::kWaitingMember);
    clock.Advance(10min);
    const long long audit = Count("ticket_audit_log");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.SetStatus(kStaff, t.id, Status::kWaitingMember); }, &key),
              core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.status_unchanged");
    EXPECT_EQ(CodeOf([&] { service.SetPriority(kStaff, t.id, Priority::kLow); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.priority_unchanged");
    EXPECT_EQ(CodeOf(
                  [&] {
                      service.Close(kStaff, t.id, "fini");
                      service.Close(kStaff, t.id, "encore");
                  },
                  &key),
              core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.already_closed");         // closing twice still says so
    EXPECT_EQ(Count("ticket_audit_log"), audit + 1);  // the one real close
    // Several changes at once: what is already so is skipped, the rest applies and is logged once each.
    auto u = service.Open(kBob, "Bug", Category::kBug, Priority::kMedium, "x");
    const long long before = Count("ticket_audit_log");
    auto changed = service.Update(
        kStaff, u.id, tickets::TicketUpdate{.priority = Priority::kMedium, .status = Status::kWaitingMember});
    EXPECT_EQ(changed.status, Status::kWaitingMember);
    EXPECT_EQ(Count("ticket_audit_log"), before + 1);
    auto view = service.View(kStaff, u.id);
    EXPECT_EQ(view.audit.back().action, "status");
}

TEST_F(TicketSuite, NotificationsGoThroughTheOutbox) {
    auto t = service.Open(kAlice, "A", Category::kGeneral, Priority::kLow, "x");
    service.Reply(kStaff, t.id, "Bonjour");
    service.Close(kStaff, t.id, "fini");
    auto payloads = OutboxKeys();
    ASSERT_EQ(payloads.size(), 3u);
    EXPECT_NE(payloads[0].find("tickets.notify.created"), std::string::npos);
    EXPECT_NE(payloads[1].find("tickets.notify.staff_replied"), std::string::npos);
    EXPECT_NE(payloads[1].find("\"user\":1001"), std::string::npos);
    EXPECT_NE(payloads[2].find("tickets.notify.closed"), std::string::npos);
}

TEST_F(TicketSuite, StatsGiveMedianAndP90PerAgentAndCategoryWithBacklogAndBreaches) {
    const Viewer kStaff2{UserId{9002}, Role::kStaff};
    std::vector<TicketId> ids;
    for (int i = 1; i <= 10; ++i) {
        Viewer member{UserId{2000 + i}, Role::kMember};
        auto t = service.Open(member, "T" + std::to_string(i), i % 2 ? Category::kBilling : Category::kBug,
                              Priority::kLow, "x");
        service.Assign(i <= 5 ? kStaff : kStaff2, t.id, (i <= 5 ? kStaff : kStaff2).user_id);
        ids.push_back(t.id);
    }
    // Staff answer ticket i after i minutes (measured from creation, all created at the same instant).
    for (int i = 1; i <= 10; ++i) {
        clock.Advance(1min);
        service.Reply(kStaff, ids[static_cast<std::size_t>(i - 1)], "réponse");
    }
    clock.Advance(50min);
    for (int i = 1; i <= 4; ++i) service.Close(kStaff, ids[static_cast<std::size_t>(i - 1)], "ok");  // at 1 h
    auto stats = service.Stats(kStaff, std::chrono::hours(24 * 7));
    EXPECT_EQ(stats.created, 10);
    EXPECT_EQ(stats.resolved, 4);
    EXPECT_EQ(stats.first_response.count, 10);
    EXPECT_EQ(stats.first_response.median, core::Millis(5min));
    EXPECT_EQ(stats.first_response.p90, core::Millis(9min));
    EXPECT_EQ(stats.resolution.median, core::Millis(60min));
    EXPECT_EQ(stats.first_response_by_agent.at("9001").median, core::Millis(3min));
    EXPECT_EQ(stats.first_response_by_agent.at("9002").median, core::Millis(8min));
    EXPECT_EQ(stats.resolution_by_category.at("billing").count, 2);
    EXPECT_EQ(stats.backlog, 6);
    EXPECT_EQ(stats.backlog_unassigned, 0);
    EXPECT_EQ(CodeOf([&] { service.Stats(kAlice, std::nullopt); }), core::ErrorCode::kForbidden);
    clock.Advance(24h * 8);
    EXPECT_EQ(service.Stats(kStaff, std::chrono::hours(24 * 7)).created, 0);
    EXPECT_EQ(service.Stats(kStaff, std::nullopt).created, 10);
}

TEST_F(TicketSuite, CsvExportIsSafeForSpreadsheetsAndCarriesNoConversation) {
    auto t = service.Open(kAlice, "=HYPERLINK(\"http://evil\"), \"quoted\"", Category::kGeneral, Priority::kLow,
                          "secret body");
    service.Note(kStaff, t.id, "internal thing");
    service.Assign(kStaff, t.id, kStaff.user_id);
    // Names come from the lookup, beside the ids, and are as safe for a spreadsheet as the subject.
    auto csv = service.ExportCsv(kStaff, std::nullopt, [](const std::vector<core::UserId>& ids) {
        std::map<core::UserId, std::string> names;
        for (auto id : ids) names[id] = id == kAlice.user_id ? "=Alice" : "Sam, support";
        return names;
    });
    EXPECT_EQ(csv.substr(0, csv.find('\r')),
              "id,created_at_ms,owner,owner_name,subject,category,priority,status,assignee,assignee_name,"
              "first_response_minutes,resolution_minutes,first_response_breached,resolution_breached,close_reason");
    EXPECT_NE(csv.find("," + kAlice.user_id.ToString() + ",'=Alice,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("," + kStaff.user_id.ToString() + ",\"Sam, support\","), std::string::npos) << csv;
    EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://evil\"\"), \"\"quoted\"\"\","), std::string::npos) << csv;
    EXPECT_EQ(csv.find("secret body"), std::string::npos);
    EXPECT_EQ(csv.find("internal thing"), std::string::npos);
    EXPECT_EQ(CodeOf([&] { service.ExportCsv(kAlice, std::nullopt); }), core::ErrorCode::kForbidden);
}

TEST_F(TicketSuite, TranscriptOfAClosedTicketLeavesInternalNotesOut) {
    auto t = service.Open(kAlice, "Commande", Category::kBilling, Priority::kLow, "où est ma commande ?");
    service.Note(kStaff, t.id, "NOTE-INTERNE");
    service.Reply(kStaff, t.id, "Elle arrive demain.");
    std::string key;
    EXPECT_EQ(CodeOf([&] { service.Transcript(kAlice, t.id); }, &key), core::ErrorCode::kConflict);
    EXPECT_EQ(key, "tickets.transcript_open");
    service.Close(kAlice, t.id, "reçue");
    for (const auto& viewer : {kAlice, kStaff}) {
        auto transcript = service.Transcript(viewer, t.id);
        std::string text;
        for (const auto& m : transcript.messages) text += m.body + "\n";
        EXPECT_NE(text.find("où est ma commande ?"), std::string::npos);
        EXPECT_NE(text.find("Elle arrive demain."), std::string::npos);
        EXPECT_EQ(text.find("NOTE-INTERNE"), std::string::npos) << text;
        EXPECT_TRUE(transcript.audit.empty());
    }
    EXPECT_EQ(CodeOf([&] { service.Transcript(kBob, t.id); }), core::ErrorCode::kNotFound);
}

// The token's query reads its user's blocked flag too (the REST API's one read per request): it follows the
// users row as it is now, through the same prepared statement, and a revoked token stands for nobody.
TEST_F(TicketSuite, ATokensOwnerCarriesTheBlockedFlagOfItsUserAsItIsNow) {
    ApiTokens tokens(*db, clock);
    PanelStore panel(*db);
    auto alice = tokens.Create(kAlice, "a");
    auto bob = tokens.Create(kBob, "b");
    auto owner = tokens.Owner(alice);
    ASSERT_TRUE(owner.has_value());
    EXPECT_EQ(owner->viewer.user_id, kAlice.user_id);
    EXPECT_EQ(owner->viewer.role, Role::kMember);
    EXPECT_FALSE(owner->blocked);  // no users row yet: not blocked

    EnsureUser(*db, kAlice.user_id, "Alice", "fr", clock.Now());
    EnsureUser(*db, kBob.user_id, "Bob", "fr", clock.Now());
    ASSERT_TRUE(panel.SetBlocked(kAlice.user_id, true));
    ASSERT_TRUE(tokens.Owner(alice).has_value());
    EXPECT_TRUE(tokens.Owner(alice)->blocked);
    EXPECT_FALSE(tokens.Owner(bob)->blocked);  // the next run binds the next token, not the last one's answer
    EXPECT_EQ(tokens.Owner(bob)->viewer.user_id, kBob.user_id);
    ASSERT_TRUE(panel.SetBlocked(kAlice.user_id, false));
    EXPECT_FALSE(tokens.Owner(alice)->blocked);
    EXPECT_EQ(tokens.Authenticate(alice)->user_id, kAlice.user_id);

    auto listed = tokens.List();
    ASSERT_EQ(listed.size(), 2U);
    ASSERT_TRUE(tokens.Revoke(listed.front().id));
    EXPECT_FALSE(tokens.Owner(alice).has_value());
    EXPECT_FALSE(tokens.Authenticate(alice).has_value());
    EXPECT_TRUE(tokens.Owner(bob).has_value());
    EXPECT_FALSE(tokens.Owner("mxs_" + std::string(43, 'A')).has_value());  // well formed, unknown
}

// Listing and finding run on statements each connection prepares once: every run binds its own values, a
// row that no longer matches is not read from the last run, and the viewer's filter holds throughout.
TEST_F(TicketSuite, PreparedReadsBindEachRunsOwnValues) {
    auto a1 = service.Open(kAlice, "A1", Category::kBilling, Priority::kHigh, "x");
    auto a2 = service.Open(kAlice, "A2", Category::kGeneral, Priority::kLow, "x");
    auto b1 = service.Open(kBob, "B1", Category::kBilling, Priority::kLow, "y");
    service.Assign(kStaff, b1.id, kStaff.user_id);
    tickets::TicketQuery billing;
    billing.scope = tickets::ListScope::kAll;
    billing.category = Category::kBilling;
    for (int round = 0; round < 3; ++round) {
        auto mine = service.List(kAlice, {});
        ASSERT_EQ(mine.size(), 2U);
        EXPECT_EQ(mine[0].id, a2.id);
        EXPECT_EQ(mine[1].id, a1.id);
        EXPECT_FALSE(mine[0].assignee.has_value());
        auto bobs = service.List(kBob, {});
        ASSERT_EQ(bobs.size(), 1U);
        EXPECT_EQ(bobs[0].id, b1.id);
        ASSERT_TRUE(bobs[0].assignee.has_value());  // a NULL column after a non-NULL one, and back
        EXPECT_EQ(*bobs[0].assignee, kStaff.user_id);
        auto alice_billing = service.List(kAlice, billing);
        ASSERT_EQ(alice_billing.size(), 1U);
        EXPECT_EQ(alice_billing[0].subject, "A1");
        EXPECT_EQ(service.List(kStaff, billing).size(), 2U);
        EXPECT_EQ(service.View(kAlice, a1.id).ticket.subject, "A1");
        EXPECT_EQ(CodeOf([&] { service.View(kAlice, b1.id); }), core::ErrorCode::kNotFound);
        EXPECT_EQ(service.View(kStaff, b1.id).ticket.subject, "B1");
    }
}

}  // namespace maxis::storage::ticket_suite
