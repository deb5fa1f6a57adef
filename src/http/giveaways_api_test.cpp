// The giveaways over REST on SQLite: staff start, the refusals of bad input (nothing created), the count for
// everyone, the proof only once ended (and then it verifies), staff-only moves.
#include "http/api/giveaways_api.hpp"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>

#include "http/api/api_util.hpp"
#include "storage/giveaway_store.hpp"
#include "support/api_server.hpp"

namespace maxis::http {
namespace {

namespace json = boost::json;
using core::Role;
using core::UserId;

class Everyone final : public giveaways::EntrantFactsSource {
public:
    giveaways::MemberFacts Facts(UserId) override { return {}; }
};

class GiveawaysApiTest : public testing::ApiServerTest {
protected:
    GiveawaysApiTest() {
        alice = Token(1001, Role::kMember, "alice");
        staff = Token(9001, Role::kStaff, "staff");
        AddGiveawayRoutes(router, service, Bearer());
        Serve();
    }
    long long Rows() { return Count("SELECT COUNT(*) FROM giveaways"); }

    storage::SqlGiveawayRepository repo{db, clock};
    Everyone facts;
    giveaways::GiveawayService service{repo, facts, clock, giveaways::GiveawayOptions{.max_winners = 5}};
    std::string alice, staff;
};

TEST_F(GiveawaysApiTest, StartRefuseCountAndProve) {
    for (const auto* bad : {R"({"prize":"Nitro","winners":1,"duration_seconds":0})",
                            R"({"prize":"Nitro","winners":1,"duration_seconds":-60})",
                            R"({"prize":"Nitro","winners":9,"duration_seconds":60})",
                            R"({"prize":"","winners":1,"duration_seconds":60})", R"({"prize":"Nitro"})"}) {
        EXPECT_EQ(Call("POST", "/api/v1/giveaways", staff, bad).status, 400) << bad;
    }
    EXPECT_EQ(Call("POST", "/api/v1/giveaways", alice, R"({"prize":"Nitro","winners":1,"duration_seconds":60})").status,
              403);
    EXPECT_EQ(Rows(), 0);
    auto created = Call("POST", "/api/v1/giveaways", staff, R"({"prize":"Nitro","winners":1,"duration_seconds":3600})");
    ASSERT_EQ(created.status, 201) << created.body;
    auto g = json::parse(created.body).as_object();
    EXPECT_EQ(g.at("status"), "running");
    EXPECT_EQ(g.at("seed_hash").as_string().size(), 64u);
    service.Enter(core::Viewer{UserId{1001}, Role::kMember}, giveaways::GiveawayId{1});
    auto seen = json::parse(Call("GET", "/api/v1/giveaways/1", alice).body).as_object();
    EXPECT_EQ(seen.at("entries"), 1);
    EXPECT_EQ(seen.at("entered"), true);
    EXPECT_EQ(Call("GET", "/api/v1/giveaways/1/proof", alice).status, 409);
    EXPECT_EQ(Call("GET", "/api/v1/giveaways/2", alice).status, 404);
    EXPECT_EQ(Call("POST", "/api/v1/giveaways/1/end", alice).status, 403);
    EXPECT_EQ(Call("POST", "/api/v1/giveaways/1/end", staff).status, 200);
    auto proof = Call("GET", "/api/v1/giveaways/1/proof", alice);
    ASSERT_EQ(proof.status, 200);
    std::string error;
    auto parsed = giveaways::ProofFromJson(proof.body, error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_EQ(parsed->seed_hash, g.at("seed_hash").as_string());
    EXPECT_EQ(parsed->rounds.at(0).winners, (std::vector<std::int64_t>{1001}));
    EXPECT_TRUE(giveaways::VerifyProof(*parsed).empty());
    // Nobody else to draw: a clear refusal.
    auto reroll = Call("POST", "/api/v1/giveaways/1/reroll", staff);
    EXPECT_EQ(reroll.status, 409);
    EXPECT_NE(reroll.body.find("giveaways.no_one_left"), std::string::npos) << reroll.body;
    EXPECT_EQ(Call("GET", "/api/v1/giveaways?status=nope", alice).status, 400);
    EXPECT_EQ(json::parse(Call("GET", "/api/v1/giveaways?status=ended", alice).body).at("items").as_array().size(), 1u);
}

}  // namespace
}  // namespace maxis::http
