#include "storage/shop_store_suite.hpp"
#include "support/postgres.hpp"

namespace maxis::storage::shop_suite {

// Each test gets a fresh database, migrated by its owner and used through the login role under RLS.
std::unique_ptr<Database> MakeShopDatabase(testing::FakeClock&, int pool) {
    static std::unique_ptr<testing::PostgresDatabase> current;
    current = std::make_unique<testing::PostgresDatabase>();
    return std::make_unique<Database>(DatabaseOptions{current->LoginUrl(), pool});
}

TEST(ShopPostgres, RowLevelSecurityKeepsOrdersAndCartsPrivate) {
    testing::PostgresDatabase pg;
    testing::FakeClock clock;
    Database login(DatabaseOptions{pg.LoginUrl(), 2});
    SqlShopRepository repo(login, clock);
    testing::ScriptedPayments payments;
    shop::ShopService service(repo, payments, clock, shop::ShopOptions{});
    shop::Product p;
    p.name = "Mug";
    p.price_minor = 1200;
    auto mug = service.CreateProduct(kStaff, p);
    service.AddToCart(kAlice, mug, 1);
    service.AddToCart(kBob, mug, 2);
    service.Checkout(kAlice, "fr");
    auto count = [&](const Viewer& v, const std::string& table) { return testing::CountRows(login, v, table); };
    EXPECT_EQ(count(kAlice, "orders"), 1);
    EXPECT_EQ(count(kBob, "orders"), 0);
    EXPECT_EQ(count(kBob, "order_items"), 0);
    EXPECT_EQ(count(kBob, "carts"), 1);
    EXPECT_EQ(count(kAlice, "carts"), 0);
    EXPECT_EQ(count(kAlice, "stripe_events"), testing::kDenied);
    EXPECT_EQ(count(kStaff, "orders"), 1);
    // A member cannot write someone else's cart even by raw SQL.
    EXPECT_THROW(
        login.Write(
            kBob,
            [](Transaction& tx) {
                tx.sql() << "INSERT INTO carts (user_id, product_id, quantity, added_at) VALUES (2001, 1, 1, 0)";
            }),
        std::exception);
}

}  // namespace maxis::storage::shop_suite
