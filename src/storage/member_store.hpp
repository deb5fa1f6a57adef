#pragma once
#include "core/clock.hpp"
#include "domain/members/member_store.hpp"
#include "storage/database.hpp"

namespace maxis::storage {

/// The member directory in SQL (the members table), one transaction per call. Every viewer reads it; on
/// PostgreSQL row-level security lets only non-member viewers (Maxis, staff tools) write it.
class SqlMemberRepository final : public members::MemberRepository {
public:
    explicit SqlMemberRepository(Database& db) : db_(db) {}
    void Write(const core::Viewer& viewer, const std::function<void(members::MemberStore&)>& work) override;
    void Read(const core::Viewer& viewer, const std::function<void(members::MemberStore&)>& work) override;

private:
    Database& db_;
};

}  // namespace maxis::storage
