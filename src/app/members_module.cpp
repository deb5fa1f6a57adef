#include "app/members_module.hpp"

#include "http/api/members_api.hpp"
#include "http/router.hpp"
#include "storage/member_store.hpp"

namespace maxis::app {

MembersModule::MembersModule(const Infrastructure& infra)
    : repo_(std::make_unique<storage::SqlMemberRepository>(infra.db)),
      directory_(std::make_unique<members::MemberDirectory>(*repo_, infra.clock)) {}

MembersModule::~MembersModule() = default;

void MembersModule::Serve(Runtime& runtime) { http::AddMemberRoutes(runtime.router, *directory_, runtime.api_viewer); }

}  // namespace maxis::app
