#include "domain/members/member_directory.hpp"

#include <algorithm>
#include <set>

#include "core/errors.hpp"

namespace maxis::members {

using core::Error;
using core::ErrorCode;

namespace {

/// Keeps only the people who pass, when some do.
void Prefer(std::vector<Person>& people, const std::function<bool(const Person&)>& pass) {
    if (std::any_of(people.begin(), people.end(), pass)) std::erase_if(people, std::not_fn(pass));
}

bool IsStaff(const Person& p) { return p.role != core::Role::kMember; }

Person Chosen(const Person& person, const std::string& text, bool staff_only) {
    if (staff_only && !IsStaff(person)) {
        throw Error(ErrorCode::kInvalidArgument, ShownName(person) + " is not staff", "members.not_staff",
                    {{"name", ShownName(person).empty() ? text : ShownName(person)}});
    }
    return person;
}

}  // namespace

void MemberDirectory::Observe(const Person& person) { Observe(std::vector<Person>{person}); }

void MemberDirectory::Observe(const std::vector<Person>& people) {
    std::vector<core::UserId> ids;
    for (const auto& p : people) {
        if (p.id.value != 0) ids.push_back(p.id);
    }
    if (ids.empty()) return;
    auto now = clock_.Now();
    repo_.Write(core::Viewer::System(), [&](MemberStore& store) {
        auto known = store.FindMany(ids);
        for (const auto& p : people) {
            if (p.id.value == 0) continue;
            auto it = known.find(p.id);
            auto merged = it == known.end() ? p : Merge(it->second, p);
            store.Upsert(merged, now);
            known[p.id] = merged;  // the same person twice in one list: the later observation wins
        }
    });
}

void MemberDirectory::Left(core::UserId id) {
    auto now = clock_.Now();
    repo_.Write(core::Viewer::System(), [&](MemberStore& store) { store.MarkLeft(id, now); });
}

std::map<core::UserId, Person> MemberDirectory::People(const std::vector<core::UserId>& ids) {
    std::set<core::UserId> seen;  // an export names the same people many times
    std::vector<core::UserId> wanted;
    for (auto id : ids) {
        if (id.value != 0 && seen.insert(id).second) wanted.push_back(id);
    }
    std::map<core::UserId, Person> out;
    if (wanted.empty()) return out;
    repo_.Read(core::Viewer::System(), [&](MemberStore& store) { out = store.FindMany(wanted); });
    std::vector<core::UserId> missing;
    for (auto id : wanted) {
        auto it = out.find(id);
        if (it == out.end() || ShownName(it->second).empty()) missing.push_back(id);
    }
    std::function<void(const std::vector<core::UserId>&)> listener;
    {
        std::lock_guard lock(mutex_);
        listener = on_missing_;
    }
    if (!missing.empty() && listener) listener(missing);
    return out;
}

std::string MemberDirectory::NameOf(core::UserId id) {
    auto people = People({id});
    auto it = people.find(id);
    return it == people.end() ? std::string() : ShownName(it->second);
}

Person MemberDirectory::Resolve(const std::string& text, bool staff_only) {
    const std::string name = NamePart(text);
    auto not_found = [&] {
        return Error(ErrorCode::kNotFound, "no member named '" + name + "'", "members.not_found", {{"name", name}});
    };
    if (auto id = MentionedId(text)) {
        std::optional<Person> found;
        repo_.Read(core::Viewer::System(), [&](MemberStore& store) { found = store.Find(*id); });
        if (!found) throw not_found();
        return Chosen(*found, name, staff_only);
    }
    const std::string key = NameKey(name);
    if (key.empty()) throw not_found();
    std::vector<Person> candidates;
    repo_.Read(core::Viewer::System(), [&](MemberStore& store) { candidates = store.Search(key, false, kMaxSearch); });
    std::vector<Person> exact;
    for (const auto& p : candidates) {
        if (MatchesExactly(p, key)) exact.push_back(p);
    }
    auto& pool = exact.empty() ? candidates : exact;
    Prefer(pool, [](const Person& p) { return p.in_guild; });
    if (staff_only) Prefer(pool, IsStaff);
    if (pool.empty()) throw not_found();
    if (pool.size() > 1) {
        std::string names;
        for (std::size_t i = 0; i < pool.size() && i < kMaxCandidates; ++i) {
            names += (i == 0 ? "" : ", ") + ShownName(pool[i]);
        }
        throw Error(ErrorCode::kConflict, "'" + name + "' names several members: " + names, "members.ambiguous",
                    {{"name", name}, {"candidates", names}});
    }
    return Chosen(pool.front(), name, staff_only);
}

std::vector<Person> MemberDirectory::Search(const std::string& text, bool staff_only, int limit) {
    limit = std::clamp(limit, 1, kMaxSearch);
    std::vector<Person> out;
    if (auto id = MentionedId(text)) {
        repo_.Read(core::Viewer::System(), [&](MemberStore& store) {
            auto found = store.Find(*id);
            if (found && !found->is_bot && (!staff_only || IsStaff(*found))) out.push_back(*found);
        });
        return out;
    }
    const std::string key = NameKey(NamePart(text));
    repo_.Read(core::Viewer::System(), [&](MemberStore& store) { out = store.Search(key, staff_only, limit); });
    return out;
}

void MemberDirectory::OnMissing(std::function<void(const std::vector<core::UserId>&)> listener) {
    std::lock_guard lock(mutex_);
    on_missing_ = std::move(listener);
}

}  // namespace maxis::members
