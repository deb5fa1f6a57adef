#pragma once
// The member directory's store in memory, for the rules' tests: the same contract as the SQL store.
#include <algorithm>
#include <map>

#include "domain/members/member_store.hpp"

namespace maxis::testing {

class MemoryMemberRepository final : public members::MemberRepository {
public:
    std::map<core::UserId, members::Person> people;
    int writes = 0;
    int reads = 0;

    void Write(const core::Viewer&, const std::function<void(members::MemberStore&)>& work) override {
        ++writes;
        auto copy = people;  // a transaction: kept only when the work returns
        Store store(copy);
        work(store);
        people = std::move(copy);
    }
    void Read(const core::Viewer&, const std::function<void(members::MemberStore&)>& work) override {
        ++reads;
        auto copy = people;
        Store store(copy);
        work(store);
    }

private:
    class Store final : public members::MemberStore {
    public:
        explicit Store(std::map<core::UserId, members::Person>& people) : people_(people) {}
        std::optional<members::Person> Find(core::UserId id) override {
            auto it = people_.find(id);
            if (it == people_.end()) return std::nullopt;
            return it->second;
        }
        std::map<core::UserId, members::Person> FindMany(const std::vector<core::UserId>& ids) override {
            std::map<core::UserId, members::Person> out;
            for (auto id : ids) {
                if (auto p = Find(id)) out.emplace(id, *p);
            }
            return out;
        }
        void Upsert(const members::Person& person, core::TimePoint) override { people_[person.id] = person; }
        void MarkLeft(core::UserId id, core::TimePoint) override {
            auto it = people_.find(id);
            if (it != people_.end()) it->second.in_guild = false;
        }
        std::vector<members::Person> Search(const std::string& key, bool staff_only, int limit) override {
            std::vector<members::Person> out;
            for (const auto& [id, p] : people_) {
                if (p.is_bot || (staff_only && p.role == core::Role::kMember)) continue;
                if (key.empty() || members::MatchesPrefix(p, key)) out.push_back(p);
            }
            auto rank = [&](const members::Person& p) {
                return std::make_tuple(!members::MatchesExactly(p, key), !p.in_guild, members::NameKey(p.display_name),
                                       p.id.value);
            };
            std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
            if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
            return out;
        }

    private:
        std::map<core::UserId, members::Person>& people_;
    };
};

}  // namespace maxis::testing
