#include <future>

#include "storage/preorder_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::preorder_suite {

namespace {
std::unique_ptr<testing::PostgresDatabase> current;  // the database MakePreorderDatabase made last
}  // namespace

// As many buyers at once as the pool has connections.
const int kBuyerThreads = 8;

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakePreorderDatabase(testing::FakeClock&) {
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), kBuyerThreads});
}

// Underneath the store's own filters: what a member's transaction reaches in raw SQL. Their own purchases, opened
// items and their tiers; no draft, nobody else's purchase, no announcement, and no write anywhere.
TEST_F(PreorderSuite, OnPostgresAMemberReadsTheirOwnPurchasesAndOpenedItemsAndWritesNothing) {
    auto open = StoreItem(ItemStatus::kOpen);
    auto draft = StoreItem(ItemStatus::kDraft, "Draft");
    StorePurchase(open, 1, PurchaseStatus::kPaid, "cs_1");
    StorePurchase(open, 2, PurchaseStatus::kHeld, "cs_2");
    repo.Write(Viewer::System(), [&](PreorderStore& s) { s.MarkAnnounced(open.id, "opened"); });
    auto rows = [&](const Viewer& who, const std::string& from) { return testing::CountRows(*db, who, from); };
    EXPECT_EQ(rows(Member(1), "preorder_purchases"), 1);
    EXPECT_EQ(rows(Member(2), "preorder_purchases"), 1);
    EXPECT_EQ(rows(Member(3), "preorder_purchases"), 0);
    EXPECT_EQ(rows(kStaff, "preorder_purchases"), 2);
    EXPECT_EQ(rows(Member(1), "preorder_items"), 1);
    EXPECT_EQ(rows(kStaff, "preorder_items"), 2);
    EXPECT_EQ(rows(Member(1), "preorder_tiers WHERE item_id = " + draft.id.ToString()), 0);
    EXPECT_EQ(rows(Member(1), "preorder_tiers WHERE item_id = " + open.id.ToString()), 4);
    EXPECT_EQ(rows(Member(1), "preorder_announcements"), testing::kDenied);
    const std::vector<std::string> writes = {
        "UPDATE preorder_tiers SET held = 0, sold = 0",
        "UPDATE preorder_purchases SET status = 'paid' WHERE user_id = 2",
        "UPDATE preorder_purchases SET price_minor = 1 WHERE user_id = 1",
        "UPDATE preorder_items SET status = 'open'",
        "INSERT INTO preorder_announcements (item_id, announcement, at) VALUES (" + open.id.ToString() + ", 'x', 0)",
        "DELETE FROM preorder_purchases",
    };
    for (const auto& sql : writes) {
        EXPECT_ANY_THROW(db->Write(Member(1), [&](Transaction& tx) { tx.sql() << sql; })) << sql;
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM preorder_purchases WHERE price_minor = 1 OR status = 'paid' AND user_id = 2"),
              0);
    EXPECT_EQ(TiersOf(open.id)[0].held, 0);
    // A member may not lock an item either: their store reads it without a lock, even in a write transaction.
    repo.Write(Member(1), [&](PreorderStore& s) { EXPECT_TRUE(s.FindItem(open.id).has_value()); });
}

// A staff change (FOR UPDATE) waits for a purchase holding the item (FOR SHARE), and then reads what it committed.
TEST_F(PreorderSuite, OnPostgresAStaffChangeWaitsForAPurchaseHoldingTheItem) {
    auto item = StoreItem(ItemStatus::kOpen);
    std::promise<void> held;
    std::thread purchase([&] {
        repo.Write(Viewer::System(), [&](PreorderStore& s) {
            ASSERT_TRUE(s.FindItem(item.id).has_value());
            held.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            ASSERT_TRUE(s.TakeHeldSeat(s.Tiers(item.id)[0].id));
        });
    });
    held.get_future().wait();
    int held_seen = -1;
    repo.Write(kStaff, [&](PreorderStore& s) {
        ASSERT_TRUE(s.FindItem(item.id).has_value());
        held_seen = s.Tiers(item.id)[0].held;
    });
    purchase.join();
    EXPECT_EQ(held_seen, 1);
}

}  // namespace maxis::storage::preorder_suite
