#include "domain/plans/plan_outbox.hpp"

#include <boost/json.hpp>

namespace maxis::plans {

namespace json = boost::json;

scheduling::NewOutboxItem RoleItem(const RoleChange& change, const std::string& reason, std::string key) {
    json::object payload{
        {"user", change.user.ToString()}, {"role", change.role}, {"grant", change.grant}, {"reason", reason}};
    return {kRoleChannel, json::serialize(payload), std::move(key)};
}

scheduling::NewOutboxItem ChannelItem(const PrivateChannel& channel, std::string key) {
    json::array staff;
    for (const auto& r : channel.staff_roles) staff.emplace_back(r);
    json::object payload{{"name", channel.name},
                         {"topic", channel.topic},
                         {"members", json::array{channel.member.ToString()}},
                         {"staff_roles", std::move(staff)}};
    if (!channel.parent_id.empty()) payload["parent_id"] = channel.parent_id;
    return {kChannelCreate, json::serialize(payload), std::move(key)};
}

scheduling::NewOutboxItem ArchiveItem(const std::string& resource, core::UserId member, const std::string& parent_id,
                                      std::string key) {
    json::object payload{{"resource", resource}, {"member", member.ToString()}};
    if (!parent_id.empty()) payload["parent_id"] = parent_id;
    return {kChannelArchive, json::serialize(payload), std::move(key)};
}

}  // namespace maxis::plans
