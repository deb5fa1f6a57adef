#include "app/giveaways_module.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <ostream>
#include <sstream>

#include "app/discord_runtime.hpp"
#include "app/plans_module.hpp"
#include "commands/engine.hpp"
#include "commands/giveaway_commands.hpp"
#include "core/strings.hpp"
#include "domain/members/member_directory.hpp"
#include "domain/scheduling/recurrence.hpp"
#include "http/api/giveaways_api.hpp"
#include "scheduler/outbox_worker.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/giveaway_roi_store.hpp"
#include "storage/giveaway_store.hpp"

namespace maxis::app {

/// Discord's default file upload size limit, for all the files of one message (10 MiB).
constexpr std::size_t kDiscordUploadLimit = 10 * 1024 * 1024;

/// The entrant facts port: the directory says who is a bot and who left; Discord's guild state when they joined.
class GiveawaysModule::EntrantFacts final : public giveaways::EntrantFactsSource {
public:
    explicit EntrantFacts(members::MemberDirectory& directory) : directory_(directory) {}
    giveaways::MemberFacts Facts(core::UserId user) override { return FactsOf({user}).at(user); }
    /// Every entrant of a draw in one directory read (People reads them in slices), not one read each.
    std::map<core::UserId, giveaways::MemberFacts> FactsOf(const std::vector<core::UserId>& users) override {
        std::map<core::UserId, giveaways::MemberFacts> out;
        auto people = directory_.People(users);
        auto* d = discord.load();
        for (auto user : users) {
            giveaways::MemberFacts f;
            if (auto it = people.find(user); it != people.end()) {
                f.is_bot = it->second.is_bot;
                f.in_guild = it->second.in_guild;
            }
            if (d != nullptr) f.joined_at = d->JoinedAt(user);
            out.emplace(user, f);
        }
        return out;
    }
    std::atomic<DiscordRuntime*> discord{nullptr};

private:
    members::MemberDirectory& directory_;
};

GiveawaysModule::GiveawaysModule(const Infrastructure& infra, members::MemberDirectory& directory) : infra_(infra) {
    const auto& gc = infra.config.giveaways;
    facts_ = std::make_unique<EntrantFacts>(directory);
    repo_ = std::make_unique<storage::SqlGiveawayRepository>(infra.db, infra.clock);
    service_ = std::make_unique<giveaways::GiveawayService>(
        *repo_, *facts_, infra.clock,
        giveaways::GiveawayOptions{
            .max_duration = gc.max_duration,
            .max_winners = gc.max_winners,
            .channel = gc.channel_id,
            .min_account_age = std::chrono::hours(24) * gc.min_account_age_days,
            .min_member_age = std::chrono::hours(24) * gc.min_member_age_days,
            .currency = infra.config.plans.currency,
            .milestones = giveaways::MilestonePlan{.enabled = gc.milestones_enabled,
                                                   .list = gc.milestones,
                                                   .every = gc.milestone_every,
                                                   .prize = gc.milestone_prize,
                                                   .duration = gc.milestone_duration,
                                                   .winners = gc.milestone_winners,
                                                   .prize_cost_cents = gc.milestone_prize_cost_cents}});
    // The return of each giveaway: the plans bought count at their catalog price.
    std::map<std::string, long long> plan_prices;
    const auto catalog = CatalogFrom(infra.config.plans);
    for (const auto& plan : catalog.all()) plan_prices[plan.id] = plan.price_minor;
    roi_ = std::make_unique<storage::SqlRoiSource>(infra.db);
    stats_ = std::make_unique<giveaways::GiveawayStatsService>(*service_, *roi_, infra.clock, std::move(plan_prices));
}

GiveawaysModule::~GiveawaysModule() = default;

void GiveawaysModule::RegisterCommands(commands::Engine& engine) {
    catalog_ = &engine.catalog();
    commands::RegisterGiveawayCommands(engine, *service_, infra_.zone);
    commands::RegisterGiveawayStatsCommands(engine, *stats_, *service_, infra_.zone);
}

void GiveawaysModule::Serve(Runtime& runtime) {
    http::AddGiveawayRoutes(runtime.router, *service_, runtime.api_viewer);
    http::AddGiveawayStatsRoutes(runtime.router, *stats_, *service_, runtime.api_viewer);
    runtime.scheduler.Register("giveaways.sweep", [this](const scheduling::Job&) {
        if (int ended = service_->EndDue(); ended > 0) spdlog::info("giveaways: {} giveaway(s) drawn", ended);
        service_->RefreshPosts();
    });
    runtime.scheduler.AddRecurring("giveaways.sweep", "giveaways.sweep",
                                   *scheduling::Recurrence::Parse(infra_.config.giveaways.sweep_schedule));
    auto* discord = runtime.discord;
    if (discord == nullptr || catalog_ == nullptr) return;
    facts_->discord = discord;
    // Milestones: every member count the gateway reports (joins, leaves, the guild's arrival, the count Discord
    // gives at start) goes to the service, which starts each milestone's giveaway once.
    discord->OnMemberCount([this](long long count) {
        try {
            for (const auto& g : service_->ObserveMemberCount(count)) {
                spdlog::info("giveaways: {} members: milestone giveaway #{} started ({})", count, g.id.value,
                             g.milestone.value_or(0));
            }
        } catch (const std::exception& e) {
            spdlog::warn("giveaways: member count {} not recorded: {}", count, e.what());
        }
    });
    // The post: created once in the giveaways' channel (else the staff channel), then edited in place.
    runtime.outbox.Register(giveaways::kPostChannel, [this, discord](const scheduling::OutboxItem& item) {
        auto payload = boost::json::parse(item.payload).as_object();
        giveaways::GiveawayId id{payload.at("giveaway").as_int64()};
        auto view = service_->Get(core::Viewer::System(), id);
        std::string channel = ChannelOf(view);
        if (channel.empty()) {
            return scheduler::DeliveryOutcome{scheduler::DeliveryStatus::kFailed,
                                              "no [giveaways] channel_id nor staff channel to post in"};
        }
        auto reply = commands::GiveawayPost(view, *catalog_, infra_.config.community.locale, infra_.zone);
        std::string message = view.giveaway.message_id ? std::to_string(*view.giveaway.message_id) : "";
        std::string created;
        auto outcome = discord->PostOrEdit(channel, message, reply, "o" + item.idempotency_key, created);
        if (outcome.status == scheduler::DeliveryStatus::kDelivered) {
            auto message_id = created.empty() ? message : created;
            if (auto parsed = core::ParseId(message_id); parsed && !channel.empty()) {
                service_->RecordPost(id, core::ChannelId{core::ParseId(channel).value_or(0)}, *parsed, view.entries);
            }
        }
        return outcome;
    });
    // The proof: the same JSON as GET /api/v1/giveaways/{id}/proof, as a file beside the announcement. Over
    // Discord's upload limit (known here, or learned from a 413), the message says where to get it instead.
    runtime.outbox.Register(giveaways::kProofChannel, [this, discord](const scheduling::OutboxItem& item) {
        auto payload = boost::json::parse(item.payload).as_object();
        giveaways::GiveawayId id{payload.at("giveaway").as_int64()};
        int round = static_cast<int>(payload.at("round").as_int64());
        auto view = service_->Get(core::Viewer::System(), id);
        std::string channel = ChannelOf(view);
        if (channel.empty()) {
            return scheduler::DeliveryOutcome{scheduler::DeliveryStatus::kFailed,
                                              "no [giveaways] channel_id nor staff channel to publish the proof in"};
        }
        auto text = giveaways::ProofToJson(service_->ProofOf(core::Viewer::System(), id));
        const std::string file = "giveaway-" + id.ToString() + "-proof.json";
        const std::string& locale = infra_.config.community.locale;
        const std::string nonce = "o" + item.idempotency_key;
        if (text.size() <= kDiscordUploadLimit) {
            bool too_large = false;
            auto reply = commands::GiveawayProofMessage(view, round, file, text.size(), true, "", *catalog_, locale);
            auto outcome = discord->PostFiles(channel, reply, {{file, "application/json", text}}, nonce, too_large);
            if (!too_large) return outcome;
        }
        spdlog::warn(
            "giveaways: the proof of giveaway #{} ({} bytes) is over Discord's upload limit; its message "
            "says where to get it",
            id.ToString(), text.size());
        const auto& base = infra_.config.panel.public_url;
        std::string route = "/api/v1/giveaways/" + id.ToString() + "/proof";
        std::string where = base.empty() ? "GET " + route : base + route;
        auto reply = commands::GiveawayProofMessage(view, round, file, text.size(), false, where, *catalog_, locale);
        std::string created;
        return discord->PostOrEdit(channel, "", reply, nonce + ":link", created);
    });
}

std::string GiveawaysModule::ChannelOf(const giveaways::GiveawayView& view) const {
    if (view.giveaway.channel) return view.giveaway.channel->ToString();
    if (!infra_.config.giveaways.channel_id.empty()) return infra_.config.giveaways.channel_id;
    return infra_.config.discord.staff_channel_id;
}

int VerifyGiveawayProof(const std::string& path, std::ostream& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        out << "cannot read " << core::EscapeForTerminal(path) << "\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    auto proof = giveaways::ProofFromJson(text.str(), error);
    if (!proof) {
        out << core::EscapeForTerminal(path) << " is not a giveaway proof: " << error << "\n";
        return 2;
    }
    auto problems = giveaways::VerifyProof(*proof);
    if (!problems.empty()) {
        out << "giveaway #" << proof->giveaway << ": the proof does NOT match\n";
        for (const auto& p : problems) out << "  - " << p << "\n";
        return 1;
    }
    out << "giveaway #" << proof->giveaway << ": the proof matches (" << proof->entries.size() << " entrant(s), "
        << proof->rounds.size() << " round(s), SHA-256(seed) = " << proof->seed_hash << ")\n";
    for (const auto& r : proof->rounds) {
        out << "  round " << r.round << ":";
        for (auto w : r.winners) out << " " << w;
        out << "\n";
    }
    return 0;
}

}  // namespace maxis::app
