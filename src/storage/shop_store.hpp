#pragma once
#include "core/clock.hpp"
#include "domain/shop/shop_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The shop's rows in SQL (catalog, carts, orders with their items and timeline, payments, the provider's
/// event ids), one transaction per Write or Read. Reads filter by the viewer (a member reaches only their
/// own cart and orders); on PostgreSQL row-level security enforces the same. Notices become outbox rows in
/// the same transaction. Every rule is shop::ShopService's.
class SqlShopRepository final : public shop::ShopRepository {
public:
    SqlShopRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(shop::ShopStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
