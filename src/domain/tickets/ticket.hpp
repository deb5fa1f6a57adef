#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace maxis::tickets {

using TicketId = core::Id<struct TicketIdTag>;

enum class Status { kOpen, kWaitingStaff, kWaitingMember, kResolved, kClosed };
enum class Category { kGeneral, kBilling, kTechnical, kBug, kAccount, kSuggestion };
enum class Priority { kCritical, kHigh, kMedium, kLow };

/// A canonical (English) name and its French alias, for parsing and display.
struct Name {
    std::string_view value;
    std::string_view french;
    std::string_view former = {};  // a French name used before, still understood (never shown)
};
const std::vector<Name>& StatusNames();
const std::vector<Name>& CategoryNames();
const std::vector<Name>& PriorityNames();

std::string_view ToString(Status s);
std::string_view ToString(Category c);
std::string_view ToString(Priority p);
std::optional<Status> ParseStatus(std::string_view text);
std::optional<Category> ParseCategory(std::string_view text);
std::optional<Priority> ParsePriority(std::string_view text);

/// True for statuses in which the member still expects something (everything but resolved and closed).
inline bool IsActive(Status s) { return s != Status::kResolved && s != Status::kClosed; }

struct Ticket {
    TicketId id;
    core::UserId owner;
    std::string subject;
    Category category = Category::kGeneral;
    Priority priority = Priority::kMedium;
    Status status = Status::kOpen;
    std::optional<core::UserId> assignee;
    core::TimePoint created_at;
    core::TimePoint updated_at;
    std::optional<core::TimePoint> first_response_at;
    std::optional<core::TimePoint> resolved_at;
    std::optional<core::TimePoint> closed_at;
    std::string close_reason;
    // SLA: the due times move later by the time spent waiting on the member.
    core::TimePoint first_response_due;
    core::TimePoint resolution_due;
    std::optional<core::TimePoint> paused_since;  // set while waiting on the member
    bool first_response_breached = false;         // alerted once
    bool resolution_breached = false;             // alerted once
    std::optional<core::TimePoint> auto_close_warned_at;
};

struct Message {
    long long id = 0;
    TicketId ticket_id;
    core::UserId author;
    bool from_staff = false;
    bool internal = false;  // staff-only note: never in a member's view, DM, export or transcript
    std::string body;
    core::TimePoint created_at;
};

struct AuditEntry {
    long long id = 0;
    TicketId ticket_id;
    core::UserId actor;
    std::string action;  // create, reply, note, assign, status, priority, close, reopen, auto_close, sla_breach
    std::string before;
    std::string after;
    core::TimePoint at;
};

}  // namespace maxis::tickets
