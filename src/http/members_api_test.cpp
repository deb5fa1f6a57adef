// The member directory over REST: the staff picker's search, and the "people" object every JSON answer naming
// persons gains (tickets here: owner, assignee, message authors, audit actors), from one directory read.
#include "http/api/members_api.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "domain/tickets/ticket_service.hpp"
#include "http/api/api_util.hpp"
#include "http/api/tickets_api.hpp"
#include "storage/member_store.hpp"
#include "storage/sql_ticket_repository.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using core::Role;
using core::UserId;

/// The SQL directory, counting its read transactions.
class CountingRepository final : public members::MemberRepository {
public:
    explicit CountingRepository(storage::Database& db) : sql_(db) {}
    void Write(const core::Viewer& v, const std::function<void(members::MemberStore&)>& work) override {
        sql_.Write(v, work);
    }
    void Read(const core::Viewer& v, const std::function<void(members::MemberStore&)>& work) override {
        ++reads;
        sql_.Read(v, work);
    }
    std::atomic<int> reads{0};

private:
    storage::SqlMemberRepository sql_;
};

class MembersApiTest : public testing::ApiServerTest {
protected:
    MembersApiTest() {
        alice = Token(1001, Role::kMember, "alice");
        staff = Token(9001, Role::kStaff, "staff");
        AddTicketRoutes(router, service, Bearer(), TicketDocuments{});
        AddMemberRoutes(router, directory, Bearer());
        directory.Observe(members::Person{.id = UserId{1001},
                                          .username = "alice_b",
                                          .display_name = "Alice",
                                          .avatar_url = "https://cdn.discordapp.com/avatars/1001/a1.png"});
        directory.Observe(
            members::Person{.id = UserId{9001}, .username = "sam_42", .display_name = "Sam", .role = Role::kStaff});
        directory.Observe(
            members::Person{.id = UserId{9002}, .username = "émilie", .display_name = "Émilie", .role = Role::kAdmin});
        Serve();
    }
    std::vector<std::string> Ids(const json::value& list) {
        std::vector<std::string> out;
        for (const auto& item : list.at("items").as_array()) out.emplace_back(item.at("id").as_string());
        return out;
    }

    storage::SqlTicketRepository repo{db, clock};
    tickets::TicketService service{repo, clock};
    CountingRepository member_repo{db};
    members::MemberDirectory directory{member_repo, clock};
    std::string alice, staff;
};

TEST(People, IdsAreTakenFromPersonFieldsAtAnyDepthOnceAndOnlyWhenTheyAreIds) {
    // An order with its timeline (actors may be "stripe" or "maxis"), panel logs (a null actor), a member's plan,
    // panel users ("user" beside "id").
    std::string_view body = R"({"owner":"11","events":[{"actor":"stripe"},{"actor":"12"},{"actor":"maxis"}],
        "items":[{"id":"99","user":"13","actor":null},{"user":"11","created_by":"14"}],
        "note":{"author":"15","subject":"12"},"people":{"x":{"owner":"16"}},"assignee":"0","user":"-3"})";
    EXPECT_EQ(PersonIds(body), (std::vector<UserId>{UserId{11}, UserId{12}, UserId{13}, UserId{14}, UserId{15}}));
    // The text is read as JSON: escapes in names and values count, a person field's array or object does not name
    // its elements, a "people" value is passed over whatever it holds and wherever it is (only the top's counts as
    // the answer's own), and what is not one JSON value names no one.
    auto scanned = ScanPeople(R"({"ow\u006eer":"1\u0037","assignee":["18",{"x":"19"}],"actor":{"id":"20"},
        "a":{"people":"21","user":"22"},"b":[{"people":[{"owner":"23"}]},{"author":"24"}],"people":null} )");
    ASSERT_TRUE(scanned.has_value());
    EXPECT_EQ(scanned->ids, (std::vector<UserId>{UserId{17}, UserId{22}, UserId{24}}));
    EXPECT_TRUE(scanned->has_people);
    EXPECT_FALSE(ScanPeople(R"({"a":{"people":{}},"owner":"5"})")->has_people);
    EXPECT_FALSE(ScanPeople(R"({"owner":"11"} {"owner":"12"})").has_value());
    EXPECT_FALSE(ScanPeople(R"({"owner":"11")").has_value());
    EXPECT_TRUE(PersonIds(R"({"owner":"11",})").empty());
    Response plain = Response::Text(200, "owner: 11");
    int calls = 0;
    auto find = [&](const std::vector<UserId>&) {
        ++calls;
        return std::map<UserId, members::Person>{};
    };
    AddPeople(plain, find);
    EXPECT_EQ(plain.body, "owner: 11");
    Response none = Response::Json(200, json::object{{"items", json::array{}}});
    AddPeople(none, find);
    EXPECT_EQ(none.body, R"({"items":[]})");
    EXPECT_EQ(calls, 0);
    Response one = Response::Json(200, json::object{{"owner", "11"}});
    AddPeople(one, find);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(one.body,
              R"({"owner":"11","people":{"11":{"name":null,"username":null,"avatar_url":null,"role":null}}})");
    // The people go inside the answer's own closing brace, whatever whitespace follows it, and the rest of the
    // answer is left byte for byte.
    Response spaced = Response::Text(200, "{\"items\": [ {\"owner\":\"11\", \"n\":1.50} ] }\r\n ", "application/json");
    AddPeople(spaced, find);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(
        spaced.body,
        R"({"items": [ {"owner":"11", "n":1.50} ] ,"people":{"11":{"name":null,"username":null,"avatar_url":null,)"
        R"("role":null}}})");
    EXPECT_EQ(json::parse(spaced.body).at("items").at(0).at("owner"), "11");
}

TEST_F(MembersApiTest, ThePickerSearchIsForStaffAndFiltersByNameAndRole) {
    EXPECT_EQ(Call("GET", "/api/v1/members", "").status, 401);
    EXPECT_EQ(Call("GET", "/api/v1/members", alice).status, 403);
    EXPECT_EQ(Ids(Json(Call("GET", "/api/v1/members", staff))), (std::vector<std::string>{"1001", "9002", "9001"}));
    EXPECT_EQ(Ids(Json(Call("GET", "/api/v1/members?staff=1", staff))), (std::vector<std::string>{"9002", "9001"}));
    EXPECT_EQ(Ids(Json(Call("GET", "/api/v1/members?q=%40EMI&staff=1", staff))), (std::vector<std::string>{"9002"}));
    EXPECT_EQ(Ids(Json(Call("GET", "/api/v1/members?q=ali&staff=1", staff))), std::vector<std::string>{});
    EXPECT_EQ(Ids(Json(Call("GET", "/api/v1/members?limit=1", staff))), (std::vector<std::string>{"1001"}));
    auto sam = Json(Call("GET", "/api/v1/members?q=sam", staff)).at("items").at(0);
    EXPECT_EQ(sam.at("name"), "Sam");
    EXPECT_EQ(sam.at("username"), "sam_42");
    EXPECT_EQ(sam.at("role"), "staff");
    EXPECT_TRUE(sam.at("avatar_url").is_null());
    auto bad_limit = Call("GET", "/api/v1/members?limit=0", staff);
    EXPECT_EQ(bad_limit.status, 400);
    EXPECT_NE(bad_limit.body.find("limit"), std::string::npos) << bad_limit.body;
    EXPECT_EQ(Call("GET", "/api/v1/members?staff=yes", staff).status, 400);
    EXPECT_EQ(Call("GET", "/api/v1/members?q=" + std::string(101, 'a'), staff).status, 400);
}

TEST_F(MembersApiTest, TicketAnswersNameEveryPersonTheyCarryFromOneDirectoryRead) {
    auto created = Call("POST", "/api/v1/tickets", alice,
                        R"({"subject":"Printer","category":"general","priority":"low","description":"It jams"})");
    ASSERT_EQ(created.status, 201) << created.body;
    auto id = std::to_string(Json(created).at("id").as_int64());
    ASSERT_EQ(Call("POST", "/api/v1/tickets/" + id + "/messages", staff, R"({"body":"On it"})").status, 201);
    ASSERT_EQ(Call("PATCH", "/api/v1/tickets/" + id, staff, R"({"assignee":"9002"})").status, 200);
    // A person the directory does not know: named with nulls, the id still there.
    ASSERT_EQ(
        Call("POST", "/api/v1/tickets/" + id + "/messages", Token(9555, Role::kStaff, "x"), R"({"body":"Me too"})")
            .status,
        201);

    int reads = member_repo.reads;
    auto detail = Json(Call("GET", "/api/v1/tickets/" + id, staff));
    EXPECT_EQ(member_repo.reads, reads + 1);
    // Existing fields are unchanged.
    EXPECT_EQ(detail.at("owner"), "1001");
    EXPECT_EQ(detail.at("assignee"), "9002");
    const auto& people = detail.at("people").as_object();
    EXPECT_EQ(people.size(), 4u) << json::serialize(people);
    EXPECT_EQ(people.at("1001").at("name"), "Alice");
    EXPECT_EQ(people.at("1001").at("username"), "alice_b");
    EXPECT_EQ(people.at("1001").at("avatar_url"), "https://cdn.discordapp.com/avatars/1001/a1.png");
    EXPECT_EQ(people.at("1001").at("role"), "member");
    EXPECT_EQ(people.at("9001").at("name"), "Sam");  // a message author and an audit actor
    EXPECT_EQ(people.at("9002").at("name"), "Émilie");
    EXPECT_EQ(people.at("9002").at("role"), "admin");
    EXPECT_TRUE(people.at("9555").at("name").is_null());
    // Every person id the answer carries is in people.
    for (const auto& m : detail.at("messages").as_array()) {
        EXPECT_TRUE(people.contains(m.at("author").as_string())) << m.at("author");
    }
    for (const auto& a : detail.at("audit").as_array()) {
        EXPECT_TRUE(people.contains(a.at("actor").as_string())) << a.at("actor");
    }

    reads = member_repo.reads;
    auto list = Json(Call("GET", "/api/v1/tickets", alice));
    EXPECT_EQ(member_repo.reads, reads + 1);
    EXPECT_EQ(list.at("people").at("1001").at("name"), "Alice");
    EXPECT_EQ(list.at("people").at("9002").at("name"), "Émilie");
    // An answer that names no one is left as it is.
    reads = member_repo.reads;
    EXPECT_FALSE(Json(Call("GET", "/api/v1/members?q=sam", staff)).as_object().contains("people"));
    EXPECT_EQ(member_repo.reads, reads + 1);  // the search itself
}

}  // namespace
}  // namespace maxis::http
