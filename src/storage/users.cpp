#include "storage/users.hpp"

#include <soci/soci.h>

#include <set>

#include "storage/sql_util.hpp"

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

std::map<core::UserId, std::string> DisplayNames(Database& db, const std::vector<core::UserId>& ids) {
    std::map<core::UserId, std::string> out;
    std::set<long long> wanted;
    for (auto id : ids) wanted.insert(id.value);
    if (wanted.empty()) return out;
    db.Read(core::Viewer::System(), [&](Transaction& tx) {
        // In slices, so that no statement carries an unbounded list of parameters.
        auto it = wanted.begin();
        while (it != wanted.end()) {
            DynamicQuery q;
            std::string in;
            for (int n = 0; n < 200 && it != wanted.end(); ++n, ++it) in += (in.empty() ? "" : ", ") + q.Bind(*it);
            q.ForEachRow(tx.sql(), "SELECT id, display_name FROM users WHERE display_name <> '' AND id IN (" + in + ")",
                         [&](const soci::row& row) { out[core::UserId{RowInt(row, 0)}] = RowText(row, 1); });
        }
    });
    return out;
}

}  // namespace maxis::storage
