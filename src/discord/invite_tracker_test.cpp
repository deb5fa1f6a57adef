#include "discord/invite_tracker.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>

#include "support/fake_clock.hpp"

namespace maxis::discord {
namespace {

namespace json = boost::json;

TrackedInvite Inv(std::string code, std::string inviter, int uses, int max_uses = 0) {
    return TrackedInvite{std::move(code), std::move(inviter), "900", uses, max_uses, {}, std::nullopt};
}

std::vector<TrackedJoin> Joins(std::initializer_list<long long> members) {
    std::vector<TrackedJoin> out;
    for (auto m : members) out.push_back(TrackedJoin{core::UserId{m}, false, {}, JoinVia::kUnknown, "", ""});
    return out;
}

std::vector<std::string> Codes(const std::vector<TrackedJoin>& joins) {
    std::vector<std::string> out;
    for (const auto& j : joins) out.push_back(j.via == JoinVia::kUnknown ? "?" : j.code);
    return out;
}

TEST(InviteLedger, TheInviteWhoseUsesRoseIsTheJoinsWithItsCreator) {
    InviteLedger ledger;
    ledger.Reset({{Inv("aaa", "11", 4), Inv("bbb", "12", 7)}, "", 0});
    auto joins = ledger.Attribute(Joins({501}), {{Inv("aaa", "11", 4), Inv("bbb", "12", 8)}, "", 0});
    ASSERT_EQ(joins.size(), 1u);
    EXPECT_EQ(joins[0].via, JoinVia::kInvite);
    EXPECT_EQ(joins[0].code, "bbb");
    EXPECT_EQ(joins[0].inviter_id, "12");
    EXPECT_EQ(joins[0].member.value, 501);
    // The cache moved: the same counts again attribute nothing.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({502}), {{Inv("aaa", "11", 4), Inv("bbb", "12", 8)}, "", 0})),
              std::vector<std::string>{"?"});
}

TEST(InviteLedger, KJoinsAndOneInviteRoseByKAreAllItsAndSeveralInvitesRisingForSeveralJoinsAreUnknown) {
    InviteLedger ledger;
    ledger.Reset({{Inv("aaa", "11", 0), Inv("bbb", "12", 0)}, "", 0});
    EXPECT_EQ(Codes(ledger.Attribute(Joins({1, 2, 3}), {{Inv("aaa", "11", 3), Inv("bbb", "12", 0)}, "", 0})),
              (std::vector<std::string>{"aaa", "aaa", "aaa"}));
    EXPECT_EQ(Codes(ledger.Attribute(Joins({4, 5}), {{Inv("aaa", "11", 4), Inv("bbb", "12", 1)}, "", 0})),
              (std::vector<std::string>{"?", "?"}));
    EXPECT_EQ(ledger.waiting_uses(), 0);
    EXPECT_EQ(ledger.lost_uses(), 0);
    // In step again: the next join is exact.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({6}), {{Inv("aaa", "11", 4), Inv("bbb", "12", 2)}, "", 0})),
              std::vector<std::string>{"bbb"});
}

TEST(InviteLedger, UsesOfJoinsNotArrivedYetWaitAndALostMatchMakesThoseJoinsUnknownNotWrong) {
    InviteLedger ledger;
    ledger.Reset({{Inv("aaa", "11", 0), Inv("bbb", "12", 0), Inv("ccc", "13", 0)}, "", 0});
    // Two joins arrived, three uses of aaa seen: the third is a join on its way.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({1, 2}),
                                     {{Inv("aaa", "11", 3), Inv("bbb", "12", 0), Inv("ccc", "13", 0)}, "", 0})),
              (std::vector<std::string>{"aaa", "aaa"}));
    EXPECT_EQ(ledger.waiting_uses(), 1);
    // It arrives with another join's use of bbb seen: aaa's or bbb's, that cannot be told.
    EXPECT_EQ(
        Codes(ledger.Attribute(Joins({3}), {{Inv("aaa", "11", 3), Inv("bbb", "12", 1), Inv("ccc", "13", 0)}, "", 0})),
        std::vector<std::string>{"?"});
    EXPECT_EQ(ledger.lost_uses(), 1);
    // The join that used bbb arrives with ccc's rise for a later one: it is not given to ccc.
    EXPECT_EQ(
        Codes(ledger.Attribute(Joins({4}), {{Inv("aaa", "11", 3), Inv("bbb", "12", 1), Inv("ccc", "13", 1)}, "", 0})),
        std::vector<std::string>{"?"});
    EXPECT_EQ(
        Codes(ledger.Attribute(Joins({5}), {{Inv("aaa", "11", 3), Inv("bbb", "12", 1), Inv("ccc", "13", 1)}, "", 0})),
        std::vector<std::string>{"ccc"});
}

TEST(InviteLedger, AnInviteUsedUpVanishesAndItsLastUseCountsADeletedOneDoesNot) {
    InviteLedger ledger;
    ledger.Reset({{Inv("once", "11", 0, 1), Inv("five", "12", 2, 5), Inv("open", "13", 0)}, "", 0});
    ledger.Deleted("once");  // INVITE_DELETE came before the join
    auto joins = ledger.Attribute(Joins({1}), {{Inv("five", "12", 2, 5), Inv("open", "13", 0)}, "", 0});
    EXPECT_EQ(joins[0].via, JoinVia::kInvite);
    EXPECT_EQ(joins[0].code, "once");
    EXPECT_EQ(joins[0].inviter_id, "11");
    // Staff deleted "five" (2 of 5 uses): its disappearance is no use.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({2}), {{Inv("open", "13", 0)}, "", 0})), std::vector<std::string>{"?"});
}

TEST(InviteLedger, TheVanityURLAnInviteCreatedMeanwhileAndNoRise) {
    InviteLedger ledger;
    ledger.Reset({{Inv("aaa", "11", 0)}, "maxis", 10});
    auto v = ledger.Attribute(Joins({1}), {{Inv("aaa", "11", 0)}, "maxis", 11});
    EXPECT_EQ(v[0].via, JoinVia::kVanity);
    EXPECT_EQ(v[0].code, "maxis");
    EXPECT_TRUE(v[0].inviter_id.empty());
    // An invite not in the cache (its INVITE_CREATE missed) with one use.
    ledger.Created(Inv("new", "14", 0));
    EXPECT_EQ(Codes(ledger.Attribute(Joins({2}), {{Inv("aaa", "11", 0), Inv("late", "15", 1)}, "maxis", 11})),
              std::vector<std::string>{"late"});
    // INVITE_CREATE cached it: its first use is a rise from 0.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({3}),
                                     {{Inv("aaa", "11", 0), Inv("late", "15", 1), Inv("new", "14", 1)}, "maxis", 11})),
              std::vector<std::string>{"new"});
    // No count rose (an application's join, discovery): unknown.
    EXPECT_EQ(Codes(ledger.Attribute(Joins({4}),
                                     {{Inv("aaa", "11", 0), Inv("late", "15", 1), Inv("new", "14", 1)}, "maxis", 11})),
              std::vector<std::string>{"?"});
}

TEST(InviteLedger, WithoutABaselineJoinsAreUnknownAndTheReadBecomesIt) {
    InviteLedger ledger;
    EXPECT_EQ(Codes(ledger.Attribute(Joins({1}), {{Inv("aaa", "11", 5)}, "", 0})), std::vector<std::string>{"?"});
    EXPECT_TRUE(ledger.has_baseline());
    EXPECT_EQ(Codes(ledger.Attribute(Joins({2}), {{Inv("aaa", "11", 6)}, "", 0})), std::vector<std::string>{"aaa"});
    ledger.GiveUp({});
    EXPECT_FALSE(ledger.has_baseline());
}

TEST(InviteLedger, ParsesDiscordsInviteObjectAndInviteCreate) {
    auto listed =
        json::parse(R"({"type":0,"code":"AbC1","channel":{"id":"77","name":"general","type":0},)"
                    R"("inviter":{"id":"42","username":"x"},"uses":3,"max_uses":10,"max_age":0,"temporary":false,)"
                    R"("created_at":"2026-11-30T10:00:00Z","expires_at":null})")
            .as_object();
    auto i = ParseInvite(listed);
    ASSERT_TRUE(i);
    EXPECT_EQ(i->code, "AbC1");
    EXPECT_EQ(i->inviter_id, "42");
    EXPECT_EQ(i->channel_id, "77");
    EXPECT_EQ(i->uses, 3);
    EXPECT_EQ(i->max_uses, 10);
    EXPECT_FALSE(i->expires_at);
    auto created = json::parse(R"({"channel_id":"78","code":"zz","guild_id":"1","max_uses":1,"uses":0})").as_object();
    auto c = ParseInvite(created);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->channel_id, "78");
    EXPECT_TRUE(c->inviter_id.empty());
    EXPECT_FALSE(ParseInvite(json::parse(R"({"uses":1})").as_object()));
}

// The tracker fed by gateway events, over a fake Discord whose reads the test holds and releases.
class TrackerTest : public ::testing::Test {
protected:
    std::mutex mu;
    std::condition_variable cv;
    bool hold = false;
    int reads = 0;
    bool fail = false;
    InviteSnapshot discord{{Inv("aaa", "11", 0), Inv("bbb", "12", 0)}, "", 0};
    std::vector<std::string> log;
    testing::FakeClock clock;

    InviteTracker::Fetch Fetch() {
        return [this](bool, std::string& error) -> std::optional<InviteSnapshot> {
            std::unique_lock lock(mu);
            cv.wait(lock, [this] { return !hold; });
            ++reads;
            if (fail) {
                error = "503";
                return std::nullopt;
            }
            return discord;
        };
    }
    InviteTracker::Listeners Listen() {
        InviteTracker::Listeners l;
        l.joined = [this](const TrackedJoin& j) {
            std::lock_guard lock(mu);
            log.push_back("join " + std::to_string(j.member.value) + " " +
                          (j.via == JoinVia::kUnknown ? std::string("?") : j.code + "/" + j.inviter_id) +
                          (j.is_bot ? " bot" : ""));
        };
        l.left = [this](core::UserId m, core::TimePoint) {
            std::lock_guard lock(mu);
            log.push_back("leave " + std::to_string(m.value));
        };
        l.invite_created = [this](const TrackedInvite& i) {
            std::lock_guard lock(mu);
            log.push_back("invite " + i.code);
        };
        l.invite_deleted = [this](const std::string& code) {
            std::lock_guard lock(mu);
            log.push_back("deleted " + code);
        };
        return l;
    }
    static json::object Member(long long id, bool bot = false) {
        return json::object{{"guild_id", "1"}, {"user", json::object{{"id", std::to_string(id)}, {"bot", bot}}}};
    }
    void Use(const std::string& code, int n = 1) {
        std::lock_guard lock(mu);
        for (auto& i : discord.invites)
            if (i.code == code) i.uses += n;
    }
};

TEST_F(TrackerTest, EventsInOrderJoinsAttributedLeavesPassedOnOtherGuildsIgnored) {
    InviteTracker tracker("1", Fetch(), Listen(), clock);
    tracker.OnEvent("GUILD_CREATE", json::object{{"id", "1"}});
    tracker.OnEvent(
        "INVITE_CREATE",
        json::object{{"guild_id", "1"}, {"code", "ccc"}, {"inviter", json::object{{"id", "13"}}}, {"uses", 0}});
    tracker.OnEvent("INVITE_CREATE", json::object{{"guild_id", "2"}, {"code", "other"}});
    tracker.Drain();
    {
        std::lock_guard lock(mu);
        discord.invites.push_back(Inv("ccc", "13", 1));
    }
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(501));
    tracker.OnEvent("GUILD_MEMBER_REMOVE", Member(501));
    tracker.OnEvent("GUILD_MEMBER_ADD", json::object{{"guild_id", "2"}, {"user", json::object{{"id", "9"}}}});
    tracker.Drain();
    Use("aaa");
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(502, true));
    tracker.OnEvent("INVITE_DELETE", json::object{{"guild_id", "1"}, {"code", "bbb"}});
    tracker.Drain();
    EXPECT_EQ(log, (std::vector<std::string>{"invite aaa", "invite bbb", "invite ccc", "join 501 ccc/13", "leave 501",
                                             "join 502 aaa/11 bot", "deleted bbb"}));
    auto s = tracker.stats();
    EXPECT_EQ(s.joins, 2);
    EXPECT_EQ(s.exact, 2);
    EXPECT_EQ(s.unknown, 0);
}

TEST_F(TrackerTest, TheGatewayNeverWaitsAStormIsAttributedInBatchesAndAFailedReadLeavesJoinsUnknown) {
    InviteTracker tracker("1", Fetch(), Listen(), clock);
    tracker.OnEvent("GUILD_CREATE", json::object{{"id", "1"}});
    tracker.Drain();
    {
        std::lock_guard lock(mu);
        hold = true;  // Discord does not answer: the worker is stuck reading
    }
    Use("aaa");
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(1000));
    for (int i = 1; i < 200; ++i) {
        Use("aaa");
        tracker.OnEvent("GUILD_MEMBER_ADD", Member(1000 + i));  // returns at once
    }
    {
        std::lock_guard lock(mu);
        hold = false;
    }
    cv.notify_all();
    tracker.Drain();
    auto s = tracker.stats();
    EXPECT_EQ(s.joins, 200);
    EXPECT_EQ(s.exact, 200);
    EXPECT_LE(reads, 3) << "the joins that queued while Discord was read are attributed with one read";
    // Discord fails: the joins meanwhile are unknown; the next read is a new baseline, then joins are exact again.
    {
        std::lock_guard lock(mu);
        fail = true;
    }
    Use("bbb");
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(2000));
    tracker.Drain();
    {
        std::lock_guard lock(mu);
        fail = false;
    }
    Use("bbb");
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(2001));
    tracker.Drain();
    Use("bbb");
    tracker.OnEvent("GUILD_MEMBER_ADD", Member(2002));
    tracker.Drain();
    std::lock_guard lock(mu);
    std::vector<std::string> joins;
    for (const auto& line : log)
        if (line.starts_with("join 200")) joins.push_back(line);
    EXPECT_EQ(joins, (std::vector<std::string>{"join 2000 ?", "join 2001 ?", "join 2002 bbb/12"}));
}

}  // namespace
}  // namespace maxis::discord
