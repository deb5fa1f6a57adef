#include "http/api/tickets_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/tickets/ticket_service.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;

class TicketsApiTest : public testing::ApiServerTest {
protected:
    TicketsApiTest() {
        alice = Token(1001, core::Role::kMember, "alice");
        bob = Token(1002, core::Role::kMember, "bob");
        staff = Token(9001, core::Role::kStaff, "staff");
        AddTicketRoutes(router, service, Bearer(),
                        TicketDocuments{[](const tickets::TicketView& v, std::string_view locale) {
                                            // The route hands the service's transcript and the asked language to
                                            // the writer it was given.
                                            std::string out = std::string(locale) + "|";
                                            for (const auto& m : v.messages) out += m.body + "|";
                                            return out;
                                        },
                                        [](const std::vector<core::UserId>& ids) {
                                            std::map<core::UserId, std::string> names;
                                            for (auto id : ids)
                                                if (id.value == 1001) names[id] = "Alice";
                                            return names;
                                        },
                                        "fr"});
        Serve();
    }
    long long Create(const std::string& token, const std::string& subject, const std::string& priority = "low") {
        auto r = Call("POST", "/api/v1/tickets", token,
                      R"({"subject":")" + subject + R"(","category":"general","priority":")" + priority +
                          R"(","description":"details"})");
        EXPECT_EQ(r.status, 201) << r.body;
        return Json(r).at("id").as_int64();
    }

    storage::SqlTicketRepository repo{db, clock};
    tickets::TicketService service{repo, clock};
    std::string alice, bob, staff;
};

TEST_F(TicketsApiTest, RequiresAValidLiveBearerToken) {
    auto none = Call("GET", "/api/v1/tickets", "");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.Header("www-authenticate"), "Bearer realm=\"maxis\"");
    EXPECT_EQ(Call("GET", "/api/v1/tickets", "mxs_" + std::string(43, 'A')).status, 401);
    EXPECT_EQ(Call("GET", "/api/v1/tickets", "garbage").status, 401);
    EXPECT_EQ(Call("GET", "/api/v1/tickets", alice).status, 200);
    tokens.Revoke(1);
    EXPECT_EQ(Call("GET", "/api/v1/tickets", alice).status, 401);
}

TEST_F(TicketsApiTest, MembersSeeOnlyTheirOwnAndOthersAnswerLikeMissing) {
    auto a = Create(alice, "Alice problem");
    Create(bob, "Bob problem");
    auto list = Json(Call("GET", "/api/v1/tickets", alice));
    ASSERT_EQ(list.at("items").as_array().size(), 1u);
    EXPECT_EQ(list.at("items").as_array()[0].at("subject"), "Alice problem");
    EXPECT_EQ(list.at("items").as_array()[0].at("owner"), "1001");
    auto other = Call("GET", "/api/v1/tickets/" + std::to_string(a), bob);
    auto missing = Call("GET", "/api/v1/tickets/999", bob);
    EXPECT_EQ(other.status, 404);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(Json(other).at("error").at("code"), Json(missing).at("error").at("code"));
    EXPECT_EQ(Call("GET", "/api/v1/tickets/abc", alice).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/tickets/" + std::to_string(a) + "/messages", bob, R"({"body":"hi"})").status, 404);
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets", staff)).at("items").as_array().size(), 2u);
}

TEST_F(TicketsApiTest, InternalNotesAreStaffOnlyAndInvisibleToTheMember) {
    auto id = std::to_string(Create(alice, "Question"));
    EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/messages", alice, R"({"body":"x","internal":true})").status,
              403);
    EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/messages", staff, R"({"body":"VIP","internal":true})").status,
              201);
    EXPECT_EQ(Call("POST", "/api/v1/tickets/" + id + "/messages", staff, R"({"body":"Bonjour"})").status, 201);
    auto member_view = Json(Call("GET", "/api/v1/tickets/" + id, alice));
    EXPECT_EQ(member_view.at("messages").as_array().size(), 2u);
    EXPECT_EQ(member_view.as_object().count("audit"), 0u);
    EXPECT_EQ(json::serialize(member_view).find("VIP"), std::string::npos);
    auto staff_view = Json(Call("GET", "/api/v1/tickets/" + id, staff));
    EXPECT_EQ(staff_view.at("messages").as_array().size(), 3u);
    EXPECT_EQ(staff_view.at("status"), "waiting_member");
    EXPECT_GE(staff_view.at("audit").as_array().size(), 3u);
}

TEST_F(TicketsApiTest, PatchChangesStatusPriorityAssigneeWithPermissions) {
    auto id = std::to_string(Create(alice, "Slow"));
    EXPECT_EQ(Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"priority":"critical"})").status, 403);
    auto r = Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"priority":"critique","assignee":"9001"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Json(r).at("priority"), "critical");
    EXPECT_EQ(Json(r).at("assignee"), "9001");
    auto closed = Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"status":"closed","close_reason":"ok"})");
    EXPECT_EQ(Json(closed).at("status"), "closed");
    EXPECT_EQ(Json(Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"status":"open"})")).at("status"),
              "waiting_staff");
    EXPECT_EQ(Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"status":"resolved"})").status, 403);
    EXPECT_EQ(Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"status":"resolved"})").status, 200);
}

// A PATCH is one change: when one of its fields is refused, none of the others is kept.
TEST_F(TicketsApiTest, PatchIsAllOrNothing) {
    auto id = std::to_string(Create(alice, "Tout ou rien"));
    ASSERT_EQ(Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"status":"closed","close_reason":"done"})").status,
              200);
    // Closing it again is refused (409): the priority and the assignee given with it must not be applied.
    auto r =
        Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"priority":"critical","assignee":"9001","status":"closed"})");
    EXPECT_EQ(r.status, 409) << r.body;
    auto view = Json(Call("GET", "/api/v1/tickets/" + id, staff));
    EXPECT_NE(view.at("priority"), "critical") << view;
    EXPECT_TRUE(view.at("assignee").is_null()) << view;
    // A member's refused field refuses the whole request too.
    EXPECT_EQ(Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"status":"open","priority":"low"})").status, 403);
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets/" + id, staff)).at("status"), "closed");
    EXPECT_EQ(Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"close_reason":"only"})").status, 400);
}

TEST_F(TicketsApiTest, FiltersAndCursorPagination) {
    for (int i = 0; i < 3; ++i) Create(alice, "Alice " + std::to_string(i));
    for (int i = 0; i < 3; ++i) Create(bob, "Bob " + std::to_string(i), i == 0 ? "critical" : "low");
    auto critical = Json(Call("GET", "/api/v1/tickets?priority=critique", staff));
    EXPECT_EQ(critical.at("items").as_array().size(), 1u);
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets?text=ALICE", staff)).at("items").as_array().size(), 3u);
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets?assignee=none", staff)).at("items").as_array().size(), 6u);
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets?status=open&category=general", staff)).at("items").as_array().size(),
              6u);
    clock.Advance(std::chrono::hours(2));
    EXPECT_EQ(Json(Call("GET", "/api/v1/tickets?breached=true", staff)).at("items").as_array().size(), 1u);
    std::vector<long long> seen;
    std::string cursor;
    for (int page = 0; page < 5; ++page) {
        auto r = Json(Call("GET", "/api/v1/tickets?limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor), staff));
        for (const auto& item : r.at("items").as_array()) seen.push_back(item.at("id").as_int64());
        if (r.at("next_cursor").is_null()) break;
        cursor = std::string(r.at("next_cursor").as_string());
    }
    EXPECT_EQ(seen, (std::vector<long long>{6, 5, 4, 3, 2, 1}));
}

TEST_F(TicketsApiTest, BadInputIsA400NamingTheProblemAndWritesNothing) {
    struct Case {
        std::string body;
        std::string message;
    };
    for (const auto& c : std::vector<Case>{
             {"not json", "the body must be a JSON object"},
             {"[1,2]", "the body must be a JSON object"},
             {R"({"subject":"a","category":"cuisine","priority":"low","description":"d"})",
              "field 'category' must be one of"},
             {R"({"subject":"a","category":"general","priority":"low"})", "field 'description' is required"},
             {R"({"subject":1,"category":"general","priority":"low","description":"d"})",
              "field 'subject' must be a string"},
             {R"({"subject":"a","category":"general","priority":"low","description":"d","owner":"7"})",
              "unknown field 'owner'"},
         }) {
        auto r = Call("POST", "/api/v1/tickets", alice, c.body);
        EXPECT_EQ(r.status, 400) << c.body;
        EXPECT_NE(Json(r).at("error").at("message").as_string().find(c.message), json::string::npos) << r.body;
    }
    for (const char* q : {"?status=nope", "?limit=0", "?limit=500", "?cursor=x", "?breached=maybe", "?assignee=bob"}) {
        EXPECT_EQ(Call("GET", std::string("/api/v1/tickets") + q, staff).status, 400) << q;
    }
    auto too_long = Call(
        "POST", "/api/v1/tickets", alice,
        R"({"subject":")" + std::string(101, 'a') + R"(","category":"general","priority":"low","description":"d"})");
    EXPECT_EQ(too_long.status, 400);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM ticket_messages"), 0);
}

TEST_F(TicketsApiTest, IdsBeyondSixtyFourBitsOrMalformedAreA400NamingTheFieldNeverA500) {
    auto id = Create(alice, "Facture");
    for (const char* q :
         {"9999999999999999999", "9223372036854775808", "-1", "0", "%2B5", "%205", "5%20", "", "12abc"}) {
        auto r = Call("GET", std::string("/api/v1/tickets?assignee=") + q, staff);
        EXPECT_EQ(r.status, 400) << q << " " << r.body;
        EXPECT_EQ(Json(r).at("error").at("code"), "invalid_argument") << r.body;
        EXPECT_NE(Json(r).at("error").at("message").as_string().find("assignee must be a user id"), json::string::npos)
            << r.body;
    }
    EXPECT_EQ(Call("GET", "/api/v1/tickets?cursor=9999999999999999999", staff).status, 400);
    EXPECT_EQ(Call("GET", "/api/v1/tickets?limit=99999999999999999999", staff).status, 400);
    const std::string target = "/api/v1/tickets/" + std::to_string(id);
    for (const char* who : {"9999999999999999999", "-3", "+3", " 3", "3.0", ""}) {
        auto r = Call("PATCH", target, staff, std::string(R"({"assignee":")") + who + R"("})");
        EXPECT_EQ(r.status, 400) << who << " " << r.body;
        EXPECT_NE(Json(r).at("error").at("message").as_string().find("field 'assignee' must be a user id"),
                  json::string::npos)
            << r.body;
    }
    EXPECT_EQ(Json(Call("GET", target, staff)).at("assignee"), nullptr);  // nothing changed
    EXPECT_EQ(Call("GET", "/api/v1/tickets/9999999999999999999", staff).status, 404);
    // Control characters in a subject: 400 naming the field, the JSON message escaped, nothing stored.
    auto r = Call("POST", "/api/v1/tickets", alice,
                  R"({"subject":"\u001b[2J","category":"general","priority":"low","description":"d"})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(r.body.find("subject: contains a control character (U+001B)"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find('\x1b'), std::string::npos) << r.body;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM tickets"), 1);
}

TEST_F(TicketsApiTest, StatsExportAndTranscriptForStaffOnly) {
    auto id = std::to_string(Create(alice, "Stats"));
    Call("POST", "/api/v1/tickets/" + id + "/messages", staff, R"({"body":"hello"})");
    auto stats = Call("GET", "/api/v1/tickets/stats?period=30d", staff);
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(Json(stats).at("created"), 1);
    EXPECT_EQ(Json(stats).at("first_response").at("count"), 1);
    EXPECT_EQ(Json(stats).at("backlog").at("active"), 1);
    EXPECT_EQ(Call("GET", "/api/v1/tickets/stats", alice).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/tickets/stats?period=1y", staff).status, 400);
    auto csv = Call("GET", "/api/v1/tickets/export.csv", staff);
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.Header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.Header("content-disposition"), "attachment; filename=\"tickets-all.csv\"");
    EXPECT_NE(csv.body.find(",Stats,general,low,waiting_member,"), std::string::npos) << csv.body;
    EXPECT_NE(csv.body.find(",1001,Alice,Stats,"), std::string::npos) << csv.body;  // the owner's name
    EXPECT_EQ(Call("GET", "/api/v1/tickets/export.csv", alice).status, 403);
    EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id + "/transcript", alice).status, 409);
    Call("PATCH", "/api/v1/tickets/" + id, alice, R"({"status":"closed"})");
    auto transcript = Call("GET", "/api/v1/tickets/" + id + "/transcript", alice);
    EXPECT_EQ(transcript.status, 200);
    EXPECT_NE(transcript.body.find("hello"), std::string::npos);
    EXPECT_EQ(transcript.body.rfind("fr|", 0), 0u) << transcript.body;  // the community's language by default
    EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id + "/transcript?locale=en", alice).body.rfind("en|", 0), 0u);
    EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id + "/transcript?locale=de", alice).status, 400);
    EXPECT_EQ(Call("GET", "/api/v1/tickets/" + id + "/transcript", bob).status, 404);
}

}  // namespace
}  // namespace maxis::http
