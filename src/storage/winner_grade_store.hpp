#pragma once
#include "core/clock.hpp"
#include "domain/giveaways/winner_grade.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The Winner grades in SQL (winner_grades), one transaction per call. A member's store reads only their own grades;
/// on PostgreSQL row-level security enforces the same underneath, and only Maxis writes.
class SqlWinnerGradeRepository final : public giveaways::WinnerGradeRepository {
public:
    SqlWinnerGradeRepository(Database& db, const core::Clock& clock) : db_(db), clock_(clock) {}
    void Write(const core::Viewer& viewer, const std::function<void(giveaways::WinnerGradeStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(giveaways::WinnerGradeStore&)>& work) override;

private:
    Database& db_;
    const core::Clock& clock_;
};

}  // namespace maxis::storage
