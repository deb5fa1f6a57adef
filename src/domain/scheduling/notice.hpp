#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/money.hpp"
#include "domain/scheduling/outbox.hpp"

namespace maxis::scheduling {

/// The outbox channels notices travel on.
inline constexpr const char* kNoticeToMember = "notify.member";
inline constexpr const char* kNoticeToStaff = "notify.staff";

/// Something a person is told, as data: who it is for, a message-catalog key and its parameters, amounts
/// and dates kept as values, and the buttons that go with it. Every feature builds one in its domain
/// service; the outbox carries it (ToOutboxItem), and whoever delivers it renders it in the reader's
/// language (commands::NoticeReply). Nothing in a notice is text for a reader except what the catalog makes.
struct Notice {
    enum class Audience { kMember, kStaff };
    Audience audience = Audience::kMember;
    core::UserId recipient;  // kMember: who is told
    std::string channel;     // kStaff: an announcement's own channel; empty: the staff channel
    std::string key;         // message-catalog key
    std::map<std::string, std::string> params;
    std::map<std::string, core::UserId> people;  // shown as the reader's surface shows a person (a mention, a name)
    std::map<std::string, core::Money> money;    // formatted for the reader's locale
    std::map<std::string, std::string> dates;  // local calendar days, "2026-12-25", written as the reader writes dates
    /// Instants (a release, an end): shown as a date and time in the reader's own zone and, beside it ({key}_relative),
    /// as a countdown ("dans 3 jours") where the surface keeps it live.
    std::map<std::string, core::TimePoint> times;
    std::optional<long long> ticket;  // a ticket id: a "view the ticket" button
    std::string order;                // an order number: a "view the order" button
    struct Action {
        std::string command;    // the command line the button runs as the reader
        std::string label_key;  // its label's catalog key
        friend bool operator==(const Action&, const Action&) = default;
    };
    std::optional<Action> action;
    struct Link {
        std::string url;        // https only; anything else is not shown
        std::string label_key;  // its label's catalog key
        friend bool operator==(const Link&, const Link&) = default;
    };
    std::optional<Link> link;
    std::string idempotency_key;  // unique to the cause: the same notice is queued once

    static Notice ToMember(core::UserId user, std::string key, std::string idempotency_key) {
        Notice n;
        n.audience = Audience::kMember;
        n.recipient = user;
        n.key = std::move(key);
        n.idempotency_key = std::move(idempotency_key);
        return n;
    }
    static Notice ToStaff(std::string key, std::string idempotency_key) {
        Notice n;
        n.audience = Audience::kStaff;
        n.key = std::move(key);
        n.idempotency_key = std::move(idempotency_key);
        return n;
    }
    friend bool operator==(const Notice&, const Notice&) = default;
};

/// The one serialization of a notice: the outbox item that carries it.
NewOutboxItem ToOutboxItem(const Notice& notice);

/// A notice back from an outbox item's channel (notify.member or notify.staff) and payload; the idempotency key
/// is the item's own. Throws core::Error (kInvalidArgument) when the item is not a notice.
Notice ParseNotice(std::string_view channel, std::string_view payload);

}  // namespace maxis::scheduling
