#pragma once
#include <atomic>
#include <boost/json/object.hpp>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "commands/engine.hpp"
#include "core/clock.hpp"
#include "discord/guild_state.hpp"
#include "discord/messenger.hpp"
#include "domain/members/member.hpp"

namespace maxis::discord {

struct BotOptions {
    std::string application_id;
    std::string default_locale = "fr";
    /// An interaction whose handler has not answered by then is deferred (type 5) and edited later,
    /// well within Discord's 3 seconds.
    core::Millis defer_after{std::chrono::milliseconds(1500)};
    int handler_threads = 4;
    /// After a new session (READY, not RESUMED), the history of the channels served recently is read back
    /// this far, so that commands typed while there was no session get their answer; at most this many
    /// messages per channel and channels in all. A zero window turns it off.
    core::Millis backfill_window{std::chrono::minutes(15)};
    int backfill_max_messages = 100;
    int backfill_max_channels = 50;
};

/// A channel Maxis served, and the newest message it processed there.
struct ChannelCursor {
    std::string channel_id;
    std::string guild_id;  // empty for a DM channel
    std::string last_message_id;
};

/// The snowflake of a message sent at `at` (milliseconds since Discord's epoch, shifted by 22 bits).
std::string SnowflakeAt(core::TimePoint at);

/// A member's message on the community's server that is not a command, with the message it replies to.
struct MemberMessageInfo {
    core::UserId author;
    std::string channel_id;
    std::string message_id;
    std::size_t length = 0;   // in characters
    core::UserId replied_to;  // the replied-to message's author (message_reference + referenced_message); 0: none
    bool replied_to_bot = false;
};

/// What the bot needs from the rest of Maxis, as plain functions (the app wires them to storage).
struct BotHooks {
    /// A member spoke to Maxis: record them (first time only) with their name and locale.
    std::function<void(core::UserId, const std::string& name, const std::string& locale)> member_seen;
    /// People seen on Discord (the guild's member list, its chunks, member events, those who talk to Maxis):
    /// for the member directory. Called on the bot's pool, never on the gateway thread.
    std::function<void(const std::vector<members::Person>&)> people_seen;
    /// Someone left the guild (for the member directory).
    std::function<void(core::UserId)> person_left;
    /// The guild is available: ask the gateway for its whole member list (op 8). Called on the gateway thread.
    std::function<void(const std::string& guild_id)> request_members;
    /// A member joined (true) or left (false) the guild.
    std::function<void(core::UserId, bool joined)> member_event;
    /// The guild's member count as the gateway reports it now (GUILD_CREATE, a join, a leave). Called on the bot's
    /// pool, so two counts may arrive out of order.
    std::function<void(long long count)> member_count;
    /// A session began (the guild arrived) or resumed: read the member count again from Discord's REST API.
    /// Called on the bot's pool.
    std::function<void()> count_members;
    /// The member's recorded locale, if any.
    std::function<std::optional<std::string>(core::UserId)> locale_of;
    /// A message was processed: the channel's cursor moves to it (persisted, for the backfill).
    std::function<void(const ChannelCursor&)> message_processed;
    /// The channels whose cursor moved since the given time, the most recent first, at most that many.
    std::function<std::vector<ChannelCursor>(core::TimePoint since, int limit)> recent_channels;
    /// A member's message on the community's server that is not a command (bots' and webhooks' messages never
    /// reach it): its author, channel, id and length in characters. Called on the bot's pool.
    std::function<void(core::UserId author, const std::string& channel_id, const std::string& message_id,
                       std::size_t length)>
        member_message;
    /// The same message with what it replies to (called after member_message, on the bot's pool).
    std::function<void(const MemberMessageInfo&)> member_message_info;
    /// A member talked to Maxis (mentioned it, or wrote to it in DM) without a command: the assistant's
    /// reply to their words and attached images.
    std::function<commands::Reply(const core::Viewer&, const std::string& locale, const std::string& text,
                                  const std::vector<std::string>& image_urls)>
        converse;
};

struct BotStats {
    long long messages = 0;      // prefix commands answered
    long long interactions = 0;  // interactions answered
    long long deferred = 0;      // of which deferred
    long long backfilled = 0;    // commands answered from the history read back after a new session
};

/// Maxis on Discord: gateway events become command-engine calls, replies are rendered and sent back.
/// Prefix commands come from MESSAGE_CREATE (bots ignored; ephemeral replies go by DM), and so do messages
/// that mention the bot or are sent to it in DM (the assistant); slash commands,
/// buttons, select menus and modals come from INTERACTION_CREATE or the HTTP endpoint, answered at once
/// or deferred and edited, never left to fail. Work runs on a pool of its own, off the gateway thread.
class Bot {
public:
    using Acknowledge = std::function<void(boost::json::object)>;

    Bot(BotOptions options, const commands::Engine& engine, Messenger& messenger, GuildState& guild, BotHooks hooks,
        const core::Clock& clock);
    ~Bot();

    /// Set before the bot serves anything (the id may be read from Discord at start).
    void SetApplicationId(std::string id) { options_.application_id = std::move(id); }
    /// A gateway dispatch (called on the gateway thread; returns at once).
    void OnEvent(const std::string& type, const boost::json::object& data);
    /// Takes an interaction: arms the deferral timer at once, then runs it on the pool. acknowledge gets
    /// the initial response exactly once (from a handler thread or the timer); after runs when done.
    void Accept(boost::json::object interaction, Acknowledge acknowledge, std::function<void()> after = {});
    /// Runs an interaction on the bot's pool; the future holds the initial response (an empty object
    /// when the interaction was not one Maxis answers). For the HTTP endpoint.
    std::future<boost::json::object> Submit(boost::json::object interaction);
    /// Replaces the application's commands (guild commands when a guild is configured) with the
    /// engine's declarations. False, with the reason logged, when Discord refuses.
    bool RegisterCommands();
    /// Waits for work in progress (shutdown).
    void Drain();
    [[nodiscard]] BotStats stats() const;

private:
    /// True when the message was a command or a conversation that got an answer.
    bool HandleMessage(const boost::json::object& message);
    bool AnswerMessage(const boost::json::object& message);
    /// The guild's member count, as the gateway has it now, to hooks_.member_count on the pool.
    void ReportMemberCount();
    /// Reads back what was said in the channels served recently while there was no session, and answers it.
    void Backfill();
    void SendReply(const std::string& channel_id, const std::string& reply_to, const commands::Reply& reply,
                   const std::string& user_id, bool in_guild);
    struct Answer;
    void RunInteraction(const boost::json::object& interaction, Answer& answer);
    void Respond(Answer& answer, boost::json::object response);
    [[nodiscard]] bool EphemeralFor(const boost::json::object& interaction) const;
    void Post(std::function<void()> work);
    std::string LocaleFor(core::UserId user, const std::string& discord_locale) const;
    void NoteMember(core::UserId user, const std::string& name, const std::string& locale);
    bool FirstTime(const std::string& id);
    /// The person a user object (with their member object, if any) shows, their role from the guild's mapping.
    members::Person PersonOf(const boost::json::object& user, const boost::json::object* member) const;
    /// The people of a member list (GUILD_CREATE's members, a GUILD_MEMBERS_CHUNK), their roles noted first.
    std::vector<members::Person> PeopleOf(const boost::json::value* list);
    /// Records people on the pool (from the gateway thread), or now (already on the pool).
    void SeePeople(std::vector<members::Person> people);
    void SeeNow(const members::Person& person);

    struct Impl;
    BotOptions options_;
    const commands::Engine& engine_;
    Messenger& messenger_;
    GuildState& guild_;
    BotHooks hooks_;
    const core::Clock& clock_;
    std::unique_ptr<Impl> impl_;
    std::atomic<long long> messages_{0}, interactions_{0}, deferred_{0}, backfilled_{0};
    std::atomic<bool> backfill_pending_{false};
    std::mutex seen_mu_;
    std::set<std::string> seen_ids_;
    std::deque<std::string> seen_order_;
    std::set<long long> known_members_;
};

}  // namespace maxis::discord
