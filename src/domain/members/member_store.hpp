#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/viewer.hpp"
#include "domain/members/member.hpp"

namespace maxis::members {

/// One transaction's view of the member directory: rows, nothing decided here. Every viewer reads the
/// directory (names are public inside the community); only Maxis and staff tools write it.
class MemberStore {
public:
    virtual ~MemberStore() = default;
    virtual std::optional<Person> Find(core::UserId id) = 0;
    /// The known ones among ids, by id (missing ids are absent).
    virtual std::map<core::UserId, Person> FindMany(const std::vector<core::UserId>& ids) = 0;
    /// Inserts or replaces the person's row (names as given: merging is the service's rule).
    virtual void Upsert(const Person& person, core::TimePoint observed_at) = 0;
    /// The person left the guild (kept, for the names in history).
    virtual void MarkLeft(core::UserId id, core::TimePoint at) = 0;
    /// People whose username or display name key starts with key (NameKey of the text; empty: everyone), staff
    /// only (role other than member) when staff_only, at most limit, bots excluded, those in the guild first,
    /// then by display name key.
    virtual std::vector<Person> Search(const std::string& key, bool staff_only, int limit) = 0;
};

/// Port: the directory's transactions. Everything one call does happens in one transaction, or not at all.
class MemberRepository {
public:
    virtual ~MemberRepository() = default;
    virtual void Write(const core::Viewer& viewer, const std::function<void(MemberStore&)>& work) = 0;
    virtual void Read(const core::Viewer& viewer, const std::function<void(MemberStore&)>& work) = 0;
};

}  // namespace maxis::members
