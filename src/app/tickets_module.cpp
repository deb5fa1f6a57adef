#include "app/tickets_module.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

#include "commands/ticket_commands.hpp"
#include "core/strings.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "panel/routes.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/sql_ticket_repository.hpp"

namespace maxis::app {

namespace {

tickets::TicketLimits LimitsFrom(const TicketsConfig& c) {
    tickets::TicketLimits l;
    l.max_active_per_member = c.max_open_per_member;
    l.max_created_per_hour = c.max_created_per_hour;
    l.max_subject = static_cast<std::size_t>(c.max_subject_length);
    l.max_message = static_cast<std::size_t>(c.max_message_length);
    l.reopen_window = c.reopen_window;
    l.auto_close_warning = c.auto_close_warning;
    l.auto_close_after = c.auto_close_after;
    return l;
}

tickets::SlaTargets SlaFrom(const TicketsConfig& c) {
    tickets::SlaTargets t;
    for (int i = 0; i < 4; ++i) {
        t.first_response[static_cast<std::size_t>(i)] = c.first_response[i];
        t.resolution[static_cast<std::size_t>(i)] = c.resolution[i];
    }
    return t;
}

}  // namespace

TicketsModule::TicketsModule(const Infrastructure& infra, std::shared_ptr<tickets::SlaPolicy> sla) : infra_(infra) {
    repo_ = std::make_unique<storage::SqlTicketRepository>(infra.db, infra.clock);
    tickets_ = std::make_unique<tickets::TicketService>(*repo_, infra.clock, LimitsFrom(infra.config.tickets),
                                                        SlaFrom(infra.config.tickets), std::move(sla));
}

TicketsModule::~TicketsModule() = default;

void TicketsModule::RegisterCommands(commands::Engine& engine) {
    commands::RegisterTicketCommands(engine, *tickets_, infra_.zone, infra_.names);
}

void TicketsModule::AddSettings(std::vector<panel::RuntimeSetting>& settings) {
    auto& tickets = *tickets_;
    auto max_open = std::make_shared<std::atomic<int>>(infra_.config.tickets.max_open_per_member);
    auto max_hour = std::make_shared<std::atomic<int>>(infra_.config.tickets.max_created_per_hour);
    settings.push_back({"tickets.max_open_per_member",
                        panel::RuntimeSetting::Kind::kInteger,
                        1,
                        100,
                        [max_open] { return std::to_string(max_open->load()); },
                        [max_open, max_hour, &tickets](const std::string& v) {
                            *max_open = static_cast<int>(*core::ParseInteger(v, 1, 100));
                            tickets.SetCreationLimits(*max_open, *max_hour);
                        },
                        {"Tickets ouverts par membre", "Open tickets per member"},
                        {"Au-delà, un membre doit attendre qu'un de ses tickets soit fermé pour en ouvrir un autre.",
                         "Beyond this, a member waits for one of their tickets to close before opening another."},
                        panel::RuntimeSetting::Unit::kCount});
    settings.push_back({"tickets.max_created_per_hour",
                        panel::RuntimeSetting::Kind::kInteger,
                        1,
                        1000,
                        [max_hour] { return std::to_string(max_hour->load()); },
                        [max_open, max_hour, &tickets](const std::string& v) {
                            *max_hour = static_cast<int>(*core::ParseInteger(v, 1, 1000));
                            tickets.SetCreationLimits(*max_open, *max_hour);
                        },
                        {"Tickets créés par heure", "Tickets created per hour"},
                        {"Combien de tickets un même membre peut créer en une heure (contre les abus).",
                         "How many tickets one member may create in an hour (against abuse)."},
                        panel::RuntimeSetting::Unit::kPerHour});
}

void TicketsModule::Serve(Runtime& runtime) {
    http::TicketDocuments documents{[this](const tickets::TicketView& transcript, std::string_view locale) {
                                        return commands::TranscriptText(transcript, commands::Catalog::Builtin(),
                                                                        locale, infra_.zone, infra_.names);
                                    },
                                    infra_.names, infra_.config.community.locale};
    documents.history = [](const tickets::AuditEntry& entry, std::string_view locale, const core::Viewer& reader) {
        return commands::SplitMentions(commands::HistorySentence(entry, commands::Catalog::Builtin(), locale, reader));
    };
    http::AddTicketRoutes(runtime.router, *tickets_, runtime.api_viewer, std::move(documents));
    runtime.scheduler.Register("tickets.sweep", [this](const scheduling::Job&) {
        if (int changed = tickets_->Sweep(); changed > 0) spdlog::info("ticket sweep changed {} ticket(s)", changed);
    });
    runtime.scheduler.AddRecurring("tickets.sweep", "tickets.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.tickets.sweep_schedule));
}

}  // namespace maxis::app
