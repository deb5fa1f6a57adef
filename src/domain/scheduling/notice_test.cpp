#include "domain/scheduling/notice.hpp"

#include <gtest/gtest.h>

#include "core/errors.hpp"

namespace maxis::scheduling {
namespace {

TEST(Notice, EveryFieldSurvivesTheOutbox) {
    auto n = Notice::ToMember(core::UserId{42}, "shop.notify.paid_invoice", "shop.evt_1");
    n.params = {{"number", "MX-2026-000007"}, {"note", "ligne « deux »\n"}};
    n.people = {{"user", core::UserId{7}}};
    n.money = {{"total", core::Money{1999, "EUR"}}};
    n.dates = {{"until", "2026-12-25"}};
    n.times = {{"release", core::FromEpochMillis(1798761600000)}};
    n.ticket = 12;
    n.order = "MX-2026-000007";
    n.action = Notice::Action{"subscription", "plans.button.manage"};
    n.link = Notice::Link{"https://invoice.example/1", "shop.button.invoice"};
    auto item = ToOutboxItem(n);
    EXPECT_EQ(item.channel, "notify.member");
    EXPECT_EQ(item.idempotency_key, "shop.evt_1");
    auto back = ParseNotice(item.channel, item.payload);
    back.idempotency_key = item.idempotency_key;
    EXPECT_EQ(back, n);
}

TEST(Notice, AStaffAnnouncementKeepsItsChannelAndNoRecipient) {
    auto n = Notice::ToStaff("plans.notify.promotion", "plans.promo.3");
    n.channel = "123456789";
    auto item = ToOutboxItem(n);
    EXPECT_EQ(item.channel, "notify.staff");
    EXPECT_EQ(item.payload.find("\"user\""), std::string::npos);
    auto back = ParseNotice(item.channel, item.payload);
    EXPECT_EQ(back.audience, Notice::Audience::kStaff);
    EXPECT_EQ(back.channel, "123456789");
}

TEST(Notice, ReadsRowsQueuedBeforeNoticesWereTyped) {
    // The payload the stores wrote by hand: ticket as a number, a staff notice without a channel.
    auto n = ParseNotice("notify.staff", R"({"ticket":5,"key":"tickets.notify.created","params":{"id":"5"}})");
    EXPECT_EQ(n.ticket, 5);
    EXPECT_EQ(n.params.at("id"), "5");
    auto m = ParseNotice("notify.member", R"({"key":"k","params":{},"user":9,"order":"MX-1"})");
    EXPECT_EQ(m.recipient, core::UserId{9});
    EXPECT_EQ(m.order, "MX-1");
}

TEST(Notice, AnythingElseIsRefusedByName) {
    EXPECT_THROW((void)ParseNotice("discord.role", R"({"key":"k"})"), core::Error);
    EXPECT_THROW((void)ParseNotice("notify.member", "not json"), core::Error);
    EXPECT_THROW((void)ParseNotice("notify.member", R"({"key":"k","params":{}})"), core::Error);  // nobody to tell
    EXPECT_THROW((void)ParseNotice("notify.staff", R"({"params":{}})"), core::Error);             // no key
    EXPECT_THROW((void)ParseNotice("notify.staff", R"({"key":"k","money":[1]})"), core::Error);
}

}  // namespace
}  // namespace maxis::scheduling
