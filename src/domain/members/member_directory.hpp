#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "domain/members/member_store.hpp"

namespace maxis::members {

/// The member directory: who is who, by name. Maxis writes it (as the system viewer) from what it observes on
/// Discord and from the console's `--as`; every surface reads it to show people by name, and commands resolve
/// a name typed by someone to the one person it means.
class MemberDirectory {
public:
    /// The most people one search returns.
    static constexpr int kMaxSearch = 100;
    /// How many candidates an ambiguity lists.
    static constexpr int kMaxCandidates = 5;

    MemberDirectory(MemberRepository& repo, const core::Clock& clock) : repo_(repo), clock_(clock) {}

    /// Records what was seen of a person. An update never erases a known username or display name with an empty
    /// one (a partial observation keeps them); id 0 is ignored.
    void Observe(const Person& person);
    /// The same for many people at once (a member list from Discord), in one transaction.
    void Observe(const std::vector<Person>& people);
    /// The person left the guild: kept (history still names them), marked absent.
    void Left(core::UserId id);

    /// The known people among ids, in one read; missing ids are simply absent (and reported to the missing-names
    /// listener, if any, which may look them up in the background).
    std::map<core::UserId, Person> People(const std::vector<core::UserId>& ids);
    /// The person's display name, else username. Empty when the directory does not know the person: the
    /// domain never invents a name; each adapter chooses its fallback (Discord keeps a mention, which it
    /// renders; the console and the panel show their own placeholder).
    std::string NameOf(core::UserId id);

    /// The one person a text names: `<@id>`, `<@!id>`, digits (an id), `@name` or `name`. A name is compared
    /// without case or accents with usernames and display names: an exact match first, else a unique prefix.
    /// When staff_only, staff candidates are preferred over members sharing the name, and a member is refused.
    /// Errors (core::Error): kNotFound `members.not_found` {name}; kConflict `members.ambiguous` {name,
    /// candidates: at most 5 display names, comma-joined}; kInvalidArgument `members.not_staff` {name}.
    Person Resolve(const std::string& text, bool staff_only);

    /// People for a picker: those whose username or display name starts with the text (all when empty), staff
    /// only when asked, bots excluded, at most limit (1 to kMaxSearch).
    std::vector<Person> Search(const std::string& text, bool staff_only, int limit);

    /// Who to tell about ids People() did not know (called outside any transaction, on the caller's thread:
    /// it must return at once).
    void OnMissing(std::function<void(const std::vector<core::UserId>&)> listener);

private:
    MemberRepository& repo_;
    const core::Clock& clock_;
    std::mutex mutex_;
    std::function<void(const std::vector<core::UserId>&)> on_missing_;
};

}  // namespace maxis::members
