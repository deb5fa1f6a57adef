#include "storage/users.hpp"

#include <soci/soci.h>

namespace maxis::storage {

bool EnsureUser(Database& db, core::UserId id, const std::string& display_name, const std::string& locale,
                core::TimePoint now) {
    // As the member themself: on PostgreSQL the users policy lets a member create only their own row.
    return db.Write(core::Viewer{id, core::Role::kMember}, [&](Transaction& tx) {
        long long uid = id.value, t = core::ToEpochMillis(now);
        soci::statement st = (tx.sql().prepare << "INSERT INTO users (id, display_name, locale, created_at) "
                                                  "VALUES (:id, :n, :l, :t) ON CONFLICT DO NOTHING",
                              soci::use(uid), soci::use(display_name), soci::use(locale), soci::use(t));
        st.execute(true);
        return st.get_affected_rows() == 1;
    });
}

}  // namespace maxis::storage
