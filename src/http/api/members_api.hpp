#pragma once
#include "domain/members/member_directory.hpp"
#include "http/api/tickets_api.hpp"
#include "http/router.hpp"

namespace maxis::http {

/// GET /api/v1/members?q=&staff=1&limit= (staff): people for a picker, from the member directory. Also sets the
/// router's answer filter that adds "people" (names, usernames, avatars, roles) to every JSON answer naming
/// persons (api_util's AddPeople), with one directory read per answer.
void AddMemberRoutes(Router& router, members::MemberDirectory& directory, Authenticator authenticate);

}  // namespace maxis::http
