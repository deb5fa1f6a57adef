#pragma once
#include <memory>

#include "app/module.hpp"
#include "domain/members/member_directory.hpp"

namespace maxis::storage {
class SqlMemberRepository;
}

namespace maxis::app {

/// The member directory: who is who, by name. Built first, so that every other module, the console and the
/// Discord side can take directory() (Discord and the console write it; commands, the REST API and the panel
/// read it). Serves GET /api/v1/members and the "people" object of every JSON answer.
class MembersModule final : public FeatureModule {
public:
    explicit MembersModule(const Infrastructure& infra);
    ~MembersModule() override;
    [[nodiscard]] std::string_view Name() const override { return "members"; }
    void Serve(Runtime& runtime) override;

    [[nodiscard]] members::MemberDirectory& directory() { return *directory_; }

private:
    std::unique_ptr<storage::SqlMemberRepository> repo_;
    std::unique_ptr<members::MemberDirectory> directory_;
};

}  // namespace maxis::app
