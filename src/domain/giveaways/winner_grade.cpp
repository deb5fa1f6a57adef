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
    auto now = clock_.Now();
    std::set<core::UserId> current(winners.begin(), winners.end());
    int given = 0;
    std::vector<WinnerGrade> grades;
    repo_.Write(kSystem, [&](WinnerGradeStore& store) {
        given = 0;
        std::set<core::UserId> graded;
        for (const auto& g : store.OfGiveaway(giveaway)) graded.insert(g.member);
        for (auto member : current) {
            if (graded.contains(member)) continue;
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
        if (g.ended_at) continue;
        if (current.contains(g.member)) {
            // A grant lasts an hour at least: one crowned so late that less is left gets the role only.
            if (g.plan_grant || g.until - now < std::chrono::hours(1)) continue;
            auto grant = perks_.GrantPlan(g.member, giveaway, std::chrono::duration_cast<core::Millis>(g.until - now));
            if (!grant) continue;
            repo_.Write(kSystem, [&](WinnerGradeStore& store) {
                auto fresh = GradeOf(store, giveaway, g.member);
                if (!fresh || fresh->plan_grant) return;
                fresh->plan_grant = grant;
                store.Update(*fresh);
            });
            continue;
        }
        // Replaced: the plan first, then the grade, so that a crash in between ends the plan on the retry.
        if (g.plan_grant) perks_.EndPlan(g.member, *g.plan_grant, giveaway);
        repo_.Write(kSystem, [&](WinnerGradeStore& store) {
            auto fresh = GradeOf(store, giveaway, g.member);
            if (fresh && !fresh->ended_at) End(store, *fresh, kGradeReplaced, now);
        });
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
