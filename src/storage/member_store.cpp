#include "storage/member_store.hpp"

#include <soci/soci.h>

#include <algorithm>

#include "storage/sql_util.hpp"

namespace maxis::storage {

using members::Person;

namespace {

constexpr const char* kColumns = "id, username, display_name, avatar_url, role, is_bot, in_guild";

/// A row of kColumns, read into typed variables bound once to a prepared statement.
struct PersonColumns {
    long long id = 0;
    std::string username, display_name, avatar_url, role;
    int is_bot = 0, in_guild = 0;
    soci::indicator avatar_ind = soci::i_null;

    void Bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(username));
        st.exchange(soci::into(display_name));
        st.exchange(soci::into(avatar_url, avatar_ind));
        st.exchange(soci::into(role));
        st.exchange(soci::into(is_bot));
        st.exchange(soci::into(in_guild));
    }
    [[nodiscard]] Person ToPerson() const {
        Person p;
        p.id = core::UserId{id};
        p.username = username;
        p.display_name = display_name;
        if (avatar_ind != soci::i_null) p.avatar_url = avatar_url;
        p.role = core::ParseRole(role).value_or(core::Role::kMember);
        p.is_bot = is_bot != 0;
        p.in_guild = in_guild != 0;
        return p;
    }
};

/// A LIKE pattern matching what starts with text ('\' escapes the wildcards).
std::string PrefixPattern(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

class SqlMemberStore final : public members::MemberStore {
public:
    explicit SqlMemberStore(Transaction& tx) : tx_(tx) {}

    std::optional<Person> Find(core::UserId id) override {
        auto found = FindMany({id});
        if (found.empty()) return std::nullopt;
        return found.begin()->second;
    }

    std::map<core::UserId, Person> FindMany(const std::vector<core::UserId>& ids) override {
        std::map<core::UserId, Person> out;
        if (ids.empty()) return out;
        // In slices of one size, the last one padded with its last id: a single statement text, which each
        // connection prepares once, and never more parameters than the database takes.
        constexpr std::size_t kSlice = 100;
        for (std::size_t at = 0; at < ids.size(); at += kSlice) {
            DynamicQuery q;
            std::string in;
            const std::size_t last = std::min(ids.size(), at + kSlice) - 1;
            for (std::size_t i = at; i < at + kSlice; ++i) {
                in += (in.empty() ? "" : ", ") + q.Bind(static_cast<long long>(ids[std::min(i, last)].value));
            }
            q.ForEach<PersonColumns>(tx_, std::string("SELECT ") + kColumns + " FROM members WHERE id IN (" + in + ")",
                                     [&](const PersonColumns& c) { out.emplace(core::UserId{c.id}, c.ToPerson()); });
        }
        return out;
    }

    void Upsert(const Person& p, core::TimePoint observed_at) override {
        long long id = p.id.value, at = core::ToEpochMillis(observed_at);
        std::string role(core::ToString(p.role == core::Role::kSystem ? core::Role::kOperator : p.role));
        std::string username_key = members::NameKey(p.username), name_key = members::NameKey(p.display_name);
        int bot = p.is_bot ? 1 : 0, present = p.in_guild ? 1 : 0;
        soci::indicator avatar_ind = p.avatar_url.empty() ? soci::i_null : soci::i_ok;
        tx_.sql() << "INSERT INTO members (id, username, display_name, avatar_url, role, is_bot, in_guild, "
                     "username_key, name_key, updated_at) VALUES (:i, :u, :d, :a, :r, :b, :g, :uk, :nk, :t) "
                     "ON CONFLICT (id) DO UPDATE SET username = excluded.username, display_name = "
                     "excluded.display_name, avatar_url = excluded.avatar_url, role = excluded.role, is_bot = "
                     "excluded.is_bot, in_guild = excluded.in_guild, username_key = excluded.username_key, "
                     "name_key = excluded.name_key, updated_at = excluded.updated_at",
            soci::use(id), soci::use(p.username), soci::use(p.display_name), soci::use(p.avatar_url, avatar_ind),
            soci::use(role), soci::use(bot), soci::use(present), soci::use(username_key), soci::use(name_key),
            soci::use(at);
    }

    void MarkLeft(core::UserId id, core::TimePoint at) override {
        long long uid = id.value, t = core::ToEpochMillis(at);
        tx_.sql() << "UPDATE members SET in_guild = 0, updated_at = :t WHERE id = :i", soci::use(t), soci::use(uid);
    }

    std::vector<Person> Search(const std::string& key, bool staff_only, int limit) override {
        DynamicQuery q;
        std::string sql = std::string("SELECT ") + kColumns + " FROM members WHERE is_bot = 0";
        std::string order = "in_guild DESC, name_key, id";
        if (!key.empty()) {
            auto pattern = PrefixPattern(key);
            sql += " AND (username_key LIKE " + q.Bind(pattern) + " ESCAPE '\\' OR name_key LIKE " + q.Bind(pattern) +
                   " ESCAPE '\\')";
            order = "CASE WHEN username_key = " + q.Bind(key) + " OR name_key = " + q.Bind(key) +
                    " THEN 0 ELSE 1 END, " + order;
        }
        if (staff_only) sql += " AND role <> 'member'";
        sql += " ORDER BY " + order + " LIMIT " + q.Bind(static_cast<long long>(limit));
        std::vector<Person> out;
        q.ForEach<PersonColumns>(tx_, sql, [&](const PersonColumns& c) { out.push_back(c.ToPerson()); });
        return out;
    }

private:
    Transaction& tx_;
};

}  // namespace

void SqlMemberRepository::Write(const core::Viewer& viewer, const std::function<void(members::MemberStore&)>& work) {
    db_.Write(viewer, [&](Transaction& tx) {
        SqlMemberStore store(tx);
        work(store);
    });
}

void SqlMemberRepository::Read(const core::Viewer& viewer, const std::function<void(members::MemberStore&)>& work) {
    db_.Read(viewer, [&](Transaction& tx) {
        SqlMemberStore store(tx);
        work(store);
    });
}

}  // namespace maxis::storage
