#include "domain/giveaways/winner_grade.hpp"

#include <algorithm>
#include <set>

#include "core/errors.hpp"

namespace maxis::giveaways {

namespace {

const core::Viewer kSystem = core::Viewer::System();

std::optional<WinnerGrade> GradeOf(WinnerGradeStore& store, GiveawayId giveaway, core::UserId member) {
    for (auto& g : store.OfGiveaway(giveaway)) {
        if (g.member == member) return g;
    }
    return std::nullopt;
}

}  // namespace

int WinnerGradeService::Crown(GiveawayId giveaway, const std::vector<core::UserId>& winners) {
    return CrownWith(giveaway, winners);
}

int WinnerGradeService::CrownCurrent(GiveawayId giveaway) { return CrownWith(giveaway, std::nullopt); }

int WinnerGradeService::CrownWith(GiveawayId giveaway, const std::optional<std::vector<core::UserId>>& winners) {
    auto now = clock_.Now();
    std::set<core::UserId> current;
    int given = 0;
    std::vector<WinnerGrade> grades;
    repo_.Write(kSystem, [&](WinnerGradeStore& store) {
        given = 0;
        store.LockGiveaway(giveaway);
        auto list = winners ? *winners : store.CurrentWinners(giveaway);
        current = std::set<core::UserId>(list.begin(), list.end());
        std::set<core::UserId> graded;
        for (const auto& g : store.OfGiveaway(giveaway)) graded.insert(g.member);
        for (auto member : current) {
            if (graded.contains(member)) continue;
            store.LockMember(member);  // in member order: no two crownings wait on each other
            WinnerGrade g{.giveaway = giveaway, .member = member, .granted_at = now, .until = now + options_.duration};
            if (!store.Insert(g)) continue;
            ++given;
            if (!options_.role_id.empty()) {
                store.Enqueue(perks_.RoleChange(member, options_.role_id, true,
                                                "Maxis: giveaway #" + giveaway.ToString() + " winner",
                                                "giveaways.grade." + std::to_string(g.id) + ".add"));
            }
        }
        grades = store.OfGiveaway(giveaway);
    });
    // The plan is plans' own transaction: each step is recorded on the grade, so a retry resumes where it stopped.
    for (const auto& g : grades) {
        if (current.contains(g.member)) {
            // A grant lasts an hour at least: one crowned so late that less is left gets the role only.
            if (g.ended_at || g.plan_grant || g.until - now < std::chrono::hours(1)) continue;
            auto grant = perks_.GrantPlan(g.member, giveaway, std::chrono::duration_cast<core::Millis>(g.until - now));
            if (!grant) continue;
            bool ended = false;
            repo_.Write(kSystem, [&](WinnerGradeStore& store) {
                auto fresh = GradeOf(store, giveaway, g.member);
                if (!fresh || fresh->plan_grant) return;
                fresh->plan_grant = grant;
                store.Update(*fresh);
                ended = fresh->ended_at.has_value();
            });
            // Replaced meanwhile (another delivery ended the grade while this one granted): the plan ends too.
            if (ended) perks_.EndPlan(g.member, *grant, giveaway);
            continue;
        }
        if (g.ended_at && g.end_reason != kGradeReplaced) continue;  // expired: its grant ended by itself
        // Replaced: the plan first, then the grade. The grant is looked up when the grade has none recorded (given by
        // an attempt that stopped, or by another delivery at once), and a replaced grade's grant is ended again on
        // each delivery (a no-op once over), so that a crash anywhere leaves no grant behind.
        auto grant = g.plan_grant ? g.plan_grant : perks_.GivenPlan(g.member, giveaway);
        if (grant) perks_.EndPlan(g.member, *grant, giveaway);
        std::optional<long long> late;
        repo_.Write(kSystem, [&](WinnerGradeStore& store) {
            late.reset();
            auto fresh = GradeOf(store, giveaway, g.member);
            if (!fresh) return;
            if (fresh->plan_grant && fresh->plan_grant != grant) late = fresh->plan_grant;  // recorded meanwhile
            if (!fresh->plan_grant && grant) fresh->plan_grant = grant;
            if (!fresh->ended_at) {
                End(store, *fresh, kGradeReplaced, now);
            } else if (fresh->plan_grant != g.plan_grant) {
                store.Update(*fresh);
            }
        });
        if (late) perks_.EndPlan(g.member, *late, giveaway);
    }
    return given;
}

int WinnerGradeService::EndDue() {
    auto now = clock_.Now();
    std::vector<WinnerGrade> due;
    repo_.Read(kSystem, [&](WinnerGradeStore& store) { due = store.Due(now, 200); });
    int ended = 0;
    for (const auto& candidate : due) {
        // One transaction each, re-read inside it: another instance may have ended it meanwhile.
        repo_.Write(kSystem, [&](WinnerGradeStore& store) {
            auto fresh = GradeOf(store, candidate.giveaway, candidate.member);
            if (!fresh || fresh->ended_at || fresh->until > now) return;
            End(store, *fresh, kGradeExpired, now);
            ++ended;
        });
    }
    return ended;
}

int WinnerGradeService::RestoreRole(core::UserId member) {
    if (options_.role_id.empty()) return 0;
    auto now = clock_.Now();
    int queued = 0;
    repo_.Write(kSystem, [&](WinnerGradeStore& store) {
        queued = 0;
        store.LockMember(member);
        auto grades = store.OfMember(member);
        auto live = std::find_if(grades.begin(), grades.end(), [&](const auto& g) { return g.Live(now); });
        if (live == grades.end()) return;
        store.Enqueue(perks_.RoleChange(
            member, options_.role_id, true, "Maxis: giveaway #" + live->giveaway.ToString() + " winner rejoined",
            "giveaways.grade.rejoin." + member.ToString() + "." + std::to_string(core::ToEpochMillis(now))));
        queued = 1;
    });
    return queued;
}

std::vector<WinnerGrade> WinnerGradeService::GradesOf(const core::Viewer& viewer, core::UserId member) {
    if (!viewer.IsStaff() && viewer.user_id != member) {
        throw core::Error(core::ErrorCode::kForbidden, "a member sees only their own grades", "giveaways.staff_only");
    }
    std::vector<WinnerGrade> out;
    repo_.Read(viewer, [&](WinnerGradeStore& store) { out = store.OfMember(member); });
    return out;
}

void WinnerGradeService::End(WinnerGradeStore& store, WinnerGrade grade, const char* why, core::TimePoint now) {
    store.LockMember(grade.member);  // a grade given or a role restored at once waits: the decision below holds
    grade.ended_at = now;
    grade.end_reason = why;
    store.Update(grade);
    if (options_.role_id.empty()) return;
    for (const auto& other : store.OfMember(grade.member)) {
        if (other.id != grade.id && other.Live(now)) return;  // another grade still holds the role
    }
    store.Enqueue(perks_.RoleChange(grade.member, options_.role_id, false,
                                    "Maxis: giveaway #" + grade.giveaway.ToString() + " Winner grade " + why,
                                    "giveaways.grade." + std::to_string(grade.id) + ".remove"));
}

}  // namespace maxis::giveaways
