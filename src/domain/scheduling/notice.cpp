#include "domain/scheduling/notice.hpp"

#include <boost/json.hpp>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::scheduling {

namespace json = boost::json;

namespace {

json::object Strings(const std::map<std::string, std::string>& values) {
    json::object out;
    for (const auto& [k, v] : values) out[k] = v;
    return out;
}

[[noreturn]] void NotANotice(const std::string& why) {
    throw core::Error(core::ErrorCode::kInvalidArgument, "not a notice: " + why);
}

/// A string, or an integer written as one (rows queued before notices were typed carry both).
std::optional<std::string> Scalar(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    return std::nullopt;
}

std::string Field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return {};
    return Scalar(*v).value_or(std::string());
}

const json::object* Object(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) NotANotice(std::string(key) + " is not an object");
    return &v->as_object();
}

}  // namespace

NewOutboxItem ToOutboxItem(const Notice& n) {
    bool member = n.audience == Notice::Audience::kMember;
    json::object payload{{"key", n.key}, {"params", Strings(n.params)}};
    if (member) payload["user"] = n.recipient.value;
    if (!member && !n.channel.empty()) payload["channel"] = n.channel;
    if (!n.people.empty()) {
        json::object people;
        for (const auto& [k, u] : n.people) people[k] = u.value;
        payload["people"] = std::move(people);
    }
    if (!n.money.empty()) {
        json::object money;
        for (const auto& [k, m] : n.money) money[k] = json::object{{"minor", m.minor}, {"currency", m.currency}};
        payload["money"] = std::move(money);
    }
    if (!n.dates.empty()) payload["dates"] = Strings(n.dates);
    if (!n.times.empty()) {
        json::object times;
        for (const auto& [k, t] : n.times) times[k] = core::ToEpochMillis(t);
        payload["times"] = std::move(times);
    }
    if (n.ticket) payload["ticket"] = *n.ticket;
    if (!n.order.empty()) payload["order"] = n.order;
    if (n.action) payload["action"] = json::object{{"command", n.action->command}, {"key", n.action->label_key}};
    if (n.link) payload["link"] = json::object{{"url", n.link->url}, {"key", n.link->label_key}};
    return NewOutboxItem{member ? kNoticeToMember : kNoticeToStaff, json::serialize(payload), n.idempotency_key};
}

Notice ParseNotice(std::string_view channel, std::string_view payload) {
    Notice n;
    if (channel == kNoticeToMember) {
        n.audience = Notice::Audience::kMember;
    } else if (channel == kNoticeToStaff) {
        n.audience = Notice::Audience::kStaff;
    } else {
        NotANotice("channel " + std::string(channel));
    }
    boost::system::error_code ec;
    auto value = json::parse(json::string_view(payload.data(), payload.size()), ec);
    if (ec || !value.is_object()) NotANotice("the payload is not a JSON object");
    const auto& o = value.as_object();
    n.key = Field(o, "key");
    if (n.key.empty()) NotANotice("no key");
    if (n.audience == Notice::Audience::kMember) {
        auto user = core::ParseId(Field(o, "user"));
        if (!user) NotANotice("no recipient");
        n.recipient = core::UserId{*user};
    } else {
        n.channel = Field(o, "channel");
    }
    if (const auto* p = Object(o, "params")) {
        for (const auto& [k, v] : *p) n.params[std::string(k)] = Scalar(v).value_or(json::serialize(v));
    }
    if (const auto* p = Object(o, "people")) {
        for (const auto& [k, v] : *p) {
            if (auto id = core::ParseId(Scalar(v).value_or(std::string())))
                n.people[std::string(k)] = core::UserId{*id};
        }
    }
    if (const auto* m = Object(o, "money")) {
        for (const auto& [k, v] : *m) {
            if (!v.is_object()) continue;
            const auto* minor = v.as_object().if_contains("minor");
            if (minor == nullptr || !minor->is_int64()) continue;
            n.money[std::string(k)] = core::Money{minor->as_int64(), Field(v.as_object(), "currency")};
        }
    }
    if (const auto* d = Object(o, "dates")) {
        for (const auto& [k, v] : *d) {
            if (v.is_string()) n.dates[std::string(k)] = std::string(v.as_string());
        }
    }
    if (const auto* t = Object(o, "times")) {
        for (const auto& [k, v] : *t) {
            if (v.is_int64()) n.times[std::string(k)] = core::FromEpochMillis(v.as_int64());
        }
    }
    if (auto ticket = core::ParseId(Field(o, "ticket"))) n.ticket = *ticket;
    n.order = Field(o, "order");
    if (const auto* a = Object(o, "action")) n.action = Notice::Action{Field(*a, "command"), Field(*a, "key")};
    if (const auto* l = Object(o, "link")) n.link = Notice::Link{Field(*l, "url"), Field(*l, "key")};
    return n;
}

}  // namespace maxis::scheduling
