#include "storage/demo_catalog.hpp"

#include <soci/soci.h>

namespace maxis::storage {

namespace {

struct DemoProduct {
    const char* name;
    const char* description;
    long long price_minor;
    int stock;  // -1: unlimited
    const char* category;
};

constexpr DemoProduct kDemoProducts[] = {
    {"T-shirt Maxis", "T-shirt en coton bio, logo brodé.", 2490, 40, "merch"},
    {"Sweat à capuche", "Sweat molletonné, coupe unisexe.", 4990, 15, "merch"},
    {"Pack d'autocollants", "Dix autocollants vinyle résistants à l'eau.", 590, -1, "merch"},
    {"Session de coaching (1 h)", "Une heure en visio avec un membre de l'équipe.", 3900, 5, "services"},
    {"Carte cadeau 20 €", "À offrir, utilisable dans toute la boutique.", 2000, -1, "gift"},
};

}  // namespace

bool SeedDemoCatalogOnce(Database& db, const core::Clock& clock) {
    return db.Write(core::Viewer::System(), [&](Transaction& tx) {
        auto& sql = tx.sql();
        int seeded = 0;
        sql << "SELECT COUNT(*) FROM app_state WHERE key = 'demo_catalog_seeded'", soci::into(seeded);
        if (seeded > 0) return false;
        long long now = core::ToEpochMillis(clock.Now());
        for (const auto& p : kDemoProducts) {
            std::string name = p.name, description = p.description, category = p.category;
            long long price = p.price_minor;
            int stock = p.stock;
            soci::indicator stock_ind = p.stock < 0 ? soci::i_null : soci::i_ok;
            sql << "INSERT INTO products (name, description, price_minor, currency, stock, category, created_at) "
                   "VALUES (:n, :d, :p, 'EUR', :s, :c, :t)",
                soci::use(name), soci::use(description), soci::use(price), soci::use(stock, stock_ind),
                soci::use(category), soci::use(now);
        }
        std::string stamp = std::to_string(now);
        sql << "INSERT INTO app_state (key, value) VALUES ('demo_catalog_seeded', :v)", soci::use(stamp);
        return true;
    });
}

}  // namespace maxis::storage
