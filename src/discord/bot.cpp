#include "discord/bot.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include "commands/catalog.hpp"
#include "core/strings.hpp"
#include "discord/json_util.hpp"
#include "discord/members.hpp"
#include "discord/render.hpp"

namespace maxis::discord {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr int kPong = 1;
constexpr int kChannelMessage = 4;
constexpr int kAttachmentOption = 11;
constexpr int kDeferredChannelMessage = 5;
constexpr int kModal = 9;
constexpr int kEphemeral = 64;
constexpr std::size_t kRememberedIds = 4096;

std::optional<core::UserId> Snowflake(const std::string& id) {
    auto v = core::ParseId(id);
    if (!v) return std::nullopt;
    return core::UserId{*v};
}

std::string DisplayName(const json::object& user) {
    auto name = Str(user, "global_name");
    return name.empty() ? Str(user, "username") : name;
}

/// The text of a slash-command option value, as the engine parses it.
std::string OptionText(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    if (v.is_double()) return json::serialize(v);
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    return {};
}

/// An attachment option's value is the attachment's id; the interaction's resolved data gives its URL.
/// An image gives its URL; anything else gives its file name, which the image argument then refuses
/// with its usual hint.
std::string AttachmentUrl(const json::object& data, const std::string& id) {
    const auto* resolved = data.if_contains("resolved");
    const json::value* found = nullptr;
    if (resolved && resolved->is_object()) {
        if (const auto* list = resolved->as_object().if_contains("attachments"); list && list->is_object()) {
            found = list->as_object().if_contains(id);
        }
    }
    if (!found || !found->is_object()) return {};
    const auto& a = found->as_object();
    if (Str(a, "content_type").starts_with("image/")) return Str(a, "url");
    auto name = Str(a, "filename");
    return name.empty() ? "?" : name;
}

}  // namespace

struct Bot::Impl {
    asio::thread_pool pool;
    asio::io_context timers;
    asio::executor_work_guard<asio::io_context::executor_type> guard{timers.get_executor()};
    std::thread timer_thread;

    explicit Impl(int threads) : pool(static_cast<std::size_t>(std::max(1, threads))) {
        timer_thread = std::thread([this] { timers.run(); });
    }
    ~Impl() {
        guard.reset();
        timers.stop();
        timer_thread.join();
    }
};

Bot::Bot(BotOptions options, const commands::Engine& engine, Messenger& messenger, GuildState& guild, BotHooks hooks,
         const core::Clock& clock)
    : options_(std::move(options)),
      engine_(engine),
      messenger_(messenger),
      guild_(guild),
      hooks_(std::move(hooks)),
      clock_(clock),
      impl_(std::make_unique<Impl>(options_.handler_threads)) {}

Bot::~Bot() { Drain(); }

void Bot::Drain() { impl_->pool.join(); }

BotStats Bot::stats() const { return BotStats{messages_, interactions_, deferred_, backfilled_}; }

void Bot::Post(std::function<void()> work) {
    asio::post(impl_->pool, [work = std::move(work)] {
        try {
            work();
        } catch (const std::exception& e) {
            spdlog::error("discord: {}", e.what());
        }
    });
}

bool Bot::FirstTime(const std::string& id) {
    std::lock_guard lock(seen_mu_);
    if (!seen_ids_.insert(id).second) return false;
    seen_order_.push_back(id);
    if (seen_order_.size() > kRememberedIds) {
        seen_ids_.erase(seen_order_.front());
        seen_order_.pop_front();
    }
    return true;
}

void Bot::NoteMember(core::UserId user, const std::string& name, const std::string& locale) {
    {
        std::lock_guard lock(seen_mu_);
        if (!known_members_.insert(user.value).second) return;
    }
    if (!hooks_.member_seen) return;
    try {
        hooks_.member_seen(user, name, locale);
    } catch (const std::exception& e) {
        // Best effort: the command still runs; the member is recorded next time.
        spdlog::warn("discord: could not record member {}: {}", user.value, e.what());
        std::lock_guard lock(seen_mu_);
        known_members_.erase(user.value);
    }
}

members::Person Bot::PersonOf(const json::object& user, const json::object* member) const {
    return discord::PersonOf(guild_, user, member);
}

std::vector<members::Person> Bot::PeopleOf(const json::value* list) {
    std::vector<members::Person> out;
    if (!list || !list->is_array()) return out;
    for (const auto& m : list->as_array()) {
        if (!m.is_object()) continue;
        const auto* user = Obj(m.as_object(), "user");
        if (!user || !Snowflake(Str(*user, "id"))) continue;
        guild_.OnMember(m.as_object(), Str(*user, "id"));
        out.push_back(PersonOf(*user, &m.as_object()));
    }
    return out;
}

void Bot::SeePeople(std::vector<members::Person> people) {
    if (!hooks_.people_seen || people.empty()) return;
    Post([this, people = std::move(people)] {
        try {
            hooks_.people_seen(people);
        } catch (const std::exception& e) {
            spdlog::warn("discord: could not record {} member(s) in the directory: {}", people.size(), e.what());
        }
    });
}

void Bot::SeeNow(const members::Person& person) {
    if (!hooks_.people_seen) return;
    try {
        hooks_.people_seen({person});
    } catch (const std::exception& e) {
        // Best effort: the command still runs.
        spdlog::warn("discord: could not record member {} in the directory: {}", person.id.value, e.what());
    }
}

std::string Bot::LocaleFor(core::UserId user, const std::string& discord_locale) const {
    const auto& catalog = engine_.catalog();
    if (!discord_locale.empty()) {
        auto base = discord_locale.substr(0, discord_locale.find('-'));
        if (catalog.Resolve(base) == base) return base;
    }
    if (hooks_.locale_of) {
        if (auto l = hooks_.locale_of(user)) return catalog.Resolve(*l);
    }
    return catalog.Resolve(options_.default_locale);
}

void Bot::OnEvent(const std::string& type, const json::object& d) {
    if (type == "READY") {
        guild_.OnReady(d);
        // A new session: what was said while there was none is not replayed. Read it back once the guild
        // (its members' roles) is known.
        backfill_pending_ = options_.backfill_window.count() > 0 && hooks_.recent_channels != nullptr;
    } else if (type == "GUILD_CREATE") {
        guild_.OnGuildCreate(d);
        if (guild_.IsOurGuild(Str(d, "id"))) {
            spdlog::info("discord: guild {} available, {} members", Str(d, "id"), guild_.member_count().value_or(0));
            // The members it carries now, and the whole list in chunks (large guilds send only some here).
            SeePeople(PeopleOf(d.if_contains("members")));
            if (hooks_.request_members) hooks_.request_members(Str(d, "id"));
            ReportMemberCount();
            if (hooks_.count_members) Post([this] { hooks_.count_members(); });
            if (backfill_pending_.exchange(false)) Post([this] { Backfill(); });
        }
    } else if (type == "RESUMED") {
        // Joins and leaves missed meanwhile are replayed; Discord's count is read again all the same.
        if (hooks_.count_members) Post([this] { hooks_.count_members(); });
    } else if (type == "GUILD_ROLE_CREATE" || type == "GUILD_ROLE_UPDATE") {
        if (auto* role = Obj(d, "role"); role && guild_.IsOurGuild(Str(d, "guild_id"))) guild_.OnRole(*role);
    } else if (type == "GUILD_ROLE_DELETE") {
        if (guild_.IsOurGuild(Str(d, "guild_id"))) guild_.OnRoleDelete(Str(d, "role_id"));
    } else if (type == "CHANNEL_CREATE" || type == "CHANNEL_UPDATE") {
        if (guild_.IsOurGuild(Str(d, "guild_id"))) guild_.OnChannel(d);
    } else if (type == "CHANNEL_DELETE") {
        if (guild_.IsOurGuild(Str(d, "guild_id"))) guild_.OnChannelDelete(Str(d, "id"));
    } else if (type == "GUILD_MEMBERS_CHUNK") {
        if (guild_.IsOurGuild(Str(d, "guild_id"))) SeePeople(PeopleOf(d.if_contains("members")));
    } else if (type == "GUILD_MEMBER_ADD" || type == "GUILD_MEMBER_REMOVE" || type == "GUILD_MEMBER_UPDATE") {
        if (!guild_.IsOurGuild(Str(d, "guild_id"))) return;
        auto* user = Obj(d, "user");
        auto id = user ? Str(*user, "id") : std::string();
        auto uid = Snowflake(id);
        if (type == "GUILD_MEMBER_UPDATE") {
            guild_.OnMember(d, id);
            if (uid) SeePeople({PersonOf(*user, &d)});
            return;
        }
        bool joined = type == "GUILD_MEMBER_ADD";
        if (joined) {
            guild_.OnMemberAdd(d);
            if (uid) SeePeople({PersonOf(*user, &d)});
        } else {
            guild_.OnMemberRemove(id);
            if (uid && hooks_.person_left) {
                Post([this, u = *uid] {
                    try {
                        hooks_.person_left(u);
                    } catch (const std::exception& e) {
                        spdlog::warn("discord: could not mark member {} as gone: {}", u.value, e.what());
                    }
                });
            }
        }
        if (uid && hooks_.member_event) {
            Post([this, u = *uid, joined] { hooks_.member_event(u, joined); });
        }
        ReportMemberCount();
    } else if (type == "MESSAGE_CREATE") {
        Post([this, message = d] { HandleMessage(message); });
    } else if (type == "INTERACTION_CREATE") {
        auto id = Str(d, "id");
        auto token = Str(d, "token");
        Accept(d, [this, id, token](json::object response) {
            auto r = messenger_.rest().Post("/interactions/" + id + "/" + token + "/callback", response);
            if (!r.ok()) spdlog::warn("discord: interaction {} not acknowledged: {}", id, r.Describe());
        });
    }
}

void Bot::ReportMemberCount() {
    auto n = guild_.member_count();
    if (n && hooks_.member_count) Post([this, count = *n] { hooks_.member_count(count); });
}

bool Bot::HandleMessage(const json::object& message) {
    auto guild_id = Str(message, "guild_id");
    if (!guild_id.empty() && !guild_.IsOurGuild(guild_id)) return false;
    bool answered = false;
    try {
        answered = AnswerMessage(message);
    } catch (const std::exception& e) {
        spdlog::error("discord: message {} failed: {}", Str(message, "id"), e.what());
    }
    // Processed (answered or not for Maxis): the backfill after a new session starts after it. Bots' messages,
    // Maxis's own replies among them, are not what it reads back for.
    const auto* author = Obj(message, "author");
    bool from_bot = author && author->contains("bot") && author->at("bot").is_bool() && author->at("bot").as_bool();
    if ((hooks_.member_message || hooks_.member_message_info) && author && !from_bot &&
        !message.contains("webhook_id") && !guild_id.empty()) {
        auto content = Str(message, "content");
        auto user = Snowflake(Str(*author, "id"));
        if (user && !content.starts_with(engine_.prefix())) {
            try {
                if (hooks_.member_message) {
                    hooks_.member_message(*user, Str(message, "channel_id"), Str(message, "id"),
                                          core::Utf8Length(content));
                }
                if (hooks_.member_message_info) {
                    MemberMessageInfo info{*user,
                                           Str(message, "channel_id"),
                                           Str(message, "id"),
                                           core::Utf8Length(content),
                                           core::UserId{},
                                           false};
                    // A reply: message_reference names the message, referenced_message carries it (null when it
                    // was deleted).
                    const auto* referenced =
                        message.contains("message_reference") ? Obj(message, "referenced_message") : nullptr;
                    if (const auto* replied = referenced ? Obj(*referenced, "author") : nullptr) {
                        if (auto id = Snowflake(Str(*replied, "id"))) info.replied_to = *id;
                        const auto* bot = replied->if_contains("bot");
                        info.replied_to_bot = bot && bot->is_bool() && bot->as_bool();
                    }
                    hooks_.member_message_info(info);
                }
            } catch (const std::exception& e) {
                spdlog::warn("discord: message {} not counted for activity: {}", Str(message, "id"), e.what());
            }
        }
    }
    if (hooks_.message_processed && author && !from_bot) {
        try {
            hooks_.message_processed(ChannelCursor{Str(message, "channel_id"), guild_id, Str(message, "id")});
        } catch (const std::exception& e) {
            spdlog::warn("discord: could not record the position in channel {}: {}", Str(message, "channel_id"),
                         e.what());
        }
    }
    return answered;
}

bool Bot::AnswerMessage(const json::object& message) {
    auto* author = Obj(message, "author");
    if (!author) return false;
    if ((author->contains("bot") && author->at("bot").is_bool() && author->at("bot").as_bool()) ||
        message.contains("webhook_id")) {
        return false;
    }
    auto guild_id = Str(message, "guild_id");
    auto content = Str(message, "content");
    bool command = !content.empty() && content.starts_with(engine_.prefix());
    // The assistant: a DM, or a message that mentions the bot (its mention removed from the words).
    std::string words;
    std::vector<std::string> images;
    bool conversation = false;
    if (!command && hooks_.converse) {
        auto bot = guild_.bot_user_id();
        bool mentioned = false;
        if (auto* list = message.if_contains("mentions"); list && list->is_array()) {
            for (const auto& m : list->as_array()) {
                if (m.is_object() && !bot.empty() && Str(m.as_object(), "id") == bot) mentioned = true;
            }
        }
        conversation = guild_id.empty() || mentioned;
        if (conversation) {
            words = content;
            for (const auto& tag : {"<@" + bot + ">", "<@!" + bot + ">"}) {
                for (auto at = words.find(tag); !bot.empty() && at != std::string::npos; at = words.find(tag))
                    words.erase(at, tag.size());
            }
            words = std::string(core::Trim(words));
        }
    }
    // Images attached to the message: for the assistant, or a command's image argument ("!ask" with a picture).
    if (auto* list = message.if_contains("attachments"); (command || conversation) && list && list->is_array()) {
        for (const auto& a : list->as_array()) {
            if (a.is_object() && Str(a.as_object(), "content_type").starts_with("image/"))
                images.push_back(Str(a.as_object(), "url"));
        }
    }
    if (!command && !conversation) return false;
    auto user_id = Str(*author, "id");
    auto uid = Snowflake(user_id);
    if (!uid || !FirstTime("m" + Str(message, "id"))) return false;
    auto* member = Obj(message, "member");
    std::vector<std::string> roles;
    if (member) {
        guild_.OnMember(*member, user_id);
        roles = Ids(member->if_contains("roles"));
    }
    core::Viewer viewer{*uid, guild_.RoleOf(user_id, member ? &roles : nullptr)};
    auto locale = LocaleFor(*uid, "");
    NoteMember(*uid, DisplayName(*author), locale);
    if (!guild_id.empty()) SeeNow(PersonOf(*author, member));
    std::optional<commands::Reply> reply;
    if (command) {
        reply = engine_.HandleLine(viewer, locale, content, images);
    } else {
        reply = hooks_.converse(viewer, locale, words, images);
    }
    if (!reply) return false;
    SendReply(Str(message, "channel_id"), Str(message, "id"), *reply, user_id, !guild_id.empty());
    ++messages_;
    return true;
}

namespace {

constexpr long long kDiscordEpochMillis = 1420070400000LL;

/// Snowflakes compare as numbers: the longer is the larger.
bool SnowflakeLess(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

std::string SnowflakeAt(core::TimePoint at) {
    auto ms = std::max<long long>(0, core::ToEpochMillis(at) - kDiscordEpochMillis);
    return std::to_string(static_cast<unsigned long long>(ms) << 22U);
}

void Bot::Backfill() {
    auto now = clock_.Now();
    auto since = now - options_.backfill_window;
    const auto floor = SnowflakeAt(since);
    std::vector<ChannelCursor> channels;
    try {
        channels = hooks_.recent_channels(since, options_.backfill_max_channels);
    } catch (const std::exception& e) {
        spdlog::error("discord: cannot read the channels to catch up on: {}", e.what());
        return;
    }
    long long read = 0, answered = 0;
    for (const auto& channel : channels) {
        // After the last message processed there, and no older than the window.
        auto after = SnowflakeLess(channel.last_message_id, floor) ? floor : channel.last_message_id;
        for (int fetched = 0; fetched < options_.backfill_max_messages;) {
            int limit = std::min(100, options_.backfill_max_messages - fetched);
            auto r = messenger_.rest().Get("/channels/" + channel.channel_id + "/messages?after=" + after +
                                           "&limit=" + std::to_string(limit));
            if (!r.ok() || !r.json.is_array()) {
                spdlog::warn("discord: cannot read back channel {}: {}", channel.channel_id, r.Describe());
                break;
            }
            std::vector<json::object> page;
            for (auto& m : r.json.as_array()) {
                if (m.is_object()) page.push_back(std::move(m.as_object()));
            }
            // Discord gives the newest first: answer in the order they were written.
            std::sort(page.begin(), page.end(), [](const json::object& a, const json::object& b) {
                return SnowflakeLess(Str(a, "id"), Str(b, "id"));
            });
            for (auto& m : page) {
                // Messages read over REST carry no guild id; the channel's record knows it.
                if (!channel.guild_id.empty() && !m.contains("guild_id")) m["guild_id"] = channel.guild_id;
                if (HandleMessage(m)) ++answered;
                after = Str(m, "id");
            }
            read += static_cast<long long>(page.size());
            fetched += static_cast<int>(page.size());
            if (static_cast<int>(page.size()) < limit) break;
        }
    }
    backfilled_ += answered;
    spdlog::info(
        "discord: new session: read back {} message(s) in {} channel(s), answered {} sent while there was no session",
        read, channels.size(), answered);
}

void Bot::SendReply(const std::string& channel_id, const std::string& reply_to, const commands::Reply& reply,
                    const std::string& user_id, bool in_guild) {
    // A private answer asked for in a public channel goes by DM; only if DMs are closed does it stay here.
    if (reply.ephemeral && in_guild) {
        auto dm = messenger_.SendDm(user_id, reply, "m" + reply_to);
        if (dm.ok()) return;
        if (dm.code != 50007) {
            spdlog::warn("discord: reply by DM to {} failed: {}", user_id, dm.Describe());
            return;
        }
    }
    auto r = messenger_.Send(channel_id, reply, "m" + reply_to, reply_to);
    if (!r.ok()) spdlog::warn("discord: reply in channel {} failed: {}", channel_id, r.Describe());
}

/// One interaction's first answer: given once, by the handler or by the deferral timer, whichever is first.
struct Bot::Answer {
    std::mutex mu;
    bool acked = false;
    bool deferred = false;
    Acknowledge acknowledge;
    std::string webhook;  // /webhooks/{application}/{token}
};

bool Bot::EphemeralFor(const json::object& interaction) const {
    const auto* data = Obj(interaction, "data");
    if (!data) return true;
    std::string name = Str(*data, "name");
    if (name.empty()) {
        auto opened = messenger_.sealer().Open(Str(*data, "custom_id"));
        if (!opened) return true;
        name = opened->action.substr(0, opened->action.find_first_of(" \x1f"));
    }
    const auto* spec = engine_.Find(name);
    return spec == nullptr || spec->ephemeral;
}

void Bot::Accept(json::object interaction, Acknowledge acknowledge, std::function<void()> after) {
    auto answer = std::make_shared<Answer>();
    answer->acknowledge = std::move(acknowledge);
    answer->webhook = "/webhooks/" + options_.application_id + "/" + Str(interaction, "token");
    // The deadline runs from receipt: time spent waiting for a free handler counts too.
    auto timer = std::make_shared<asio::steady_timer>(impl_->timers, options_.defer_after);
    timer->async_wait([answer, timer, this, ephemeral = EphemeralFor(interaction)](boost::system::error_code ec) {
        if (ec) return;
        std::lock_guard lock(answer->mu);
        if (answer->acked) return;
        answer->acked = answer->deferred = true;
        ++deferred_;
        json::object data;
        if (ephemeral) data["flags"] = kEphemeral;
        answer->acknowledge(json::object{{"type", kDeferredChannelMessage}, {"data", std::move(data)}});
    });
    Post([this, answer, interaction = std::move(interaction), after = std::move(after)] {
        try {
            RunInteraction(interaction, *answer);
        } catch (const std::exception& e) {
            spdlog::error("discord: interaction failed: {}", e.what());
        }
        if (after) after();
    });
}

void Bot::Respond(Answer& answer, json::object response) {
    std::lock_guard lock(answer.mu);
    if (!answer.acked) {
        answer.acked = true;
        answer.acknowledge(std::move(response));
        return;
    }
    // Deferred already: the answer becomes the edit of the deferred message.
    if (response.at("type").as_int64() != kChannelMessage) {
        spdlog::warn("discord: an interaction was deferred under load before its form could be shown");
        return;
    }
    auto data = response.at("data").as_object();
    data.erase("flags");
    auto r = messenger_.rest().Patch(answer.webhook + "/messages/@original", data);
    if (!r.ok()) spdlog::warn("discord: deferred answer failed: {}", r.Describe());
}

void Bot::RunInteraction(const json::object& interaction, Answer& answer) {
    auto type =
        interaction.contains("type") && interaction.at("type").is_int64() ? interaction.at("type").as_int64() : 0;
    if (type == 1) {
        Respond(answer, json::object{{"type", kPong}});
        return;
    }
    if (auto problem = MalformedInteraction(interaction)) {
        // The sender's mistake, not Maxis's: no answer can be built from it.
        spdlog::warn("discord: malformed interaction ignored: {}", *problem);
        return;
    }
    const auto* member = Obj(interaction, "member");
    const auto* user = member ? Obj(*member, "user") : Obj(interaction, "user");
    if (!user) return;
    auto user_id = Str(*user, "id");
    auto uid = Snowflake(user_id);
    auto id = Str(interaction, "id");
    if (!uid || !FirstTime("i" + id)) return;
    std::vector<std::string> roles;
    std::uint64_t perms = 0;
    if (member) {
        guild_.OnMember(*member, user_id);
        roles = Ids(member->if_contains("roles"));
        if (auto* p = member->if_contains("permissions")) perms = ParsePermissions(*p);
    }
    core::Viewer viewer{*uid, guild_.RoleOf(user_id, member ? &roles : nullptr, perms)};
    auto locale = LocaleFor(*uid, Str(interaction, "locale"));
    const auto* data = Obj(interaction, "data");
    if (!data) return;
    const auto& catalog = engine_.catalog();
    const auto& sealer = messenger_.sealer();
    std::function<commands::Reply()> run;
    bool ephemeral = true;
    if (type == 2) {  // APPLICATION_COMMAND
        auto name = Str(*data, "name");
        std::map<std::string, std::string> options;
        if (auto* o = data->if_contains("options"); o && o->is_array()) {
            for (const auto& opt : o->as_array()) {
                const auto& oo = opt.as_object();
                if (auto* v = oo.if_contains("value")) options[Str(oo, "name")] = OptionText(*v);
                if (oo.contains("type") && oo.at("type") == kAttachmentOption)
                    options[Str(oo, "name")] = AttachmentUrl(*data, OptionText(oo.at("value")));
            }
        }
        const auto* spec = engine_.Find(name);
        if (spec) ephemeral = spec->ephemeral;
        if (spec && spec->form_args) {
            // A command that asks for more in a form first: a modal with the arguments not given yet.
            std::vector<FormField> fields;
            for (const auto& arg_name : spec->form_args(options)) {
                if (options.contains(arg_name)) continue;
                for (const auto& arg : spec->args) {
                    if (arg.name == arg_name) {
                        fields.push_back(FormField{arg.name, engine_.ArgLabel(*spec, arg, locale), arg.required});
                    }
                }
            }
            auto action = FormAction(name, options);
            if (!fields.empty() && sealer.Seal(ActionKind::kModal, action)) {
                auto title = catalog.Text(locale, "cmd." + name + ".description");
                Respond(answer, json::object{{"type", kModal}, {"data", RenderForm(title, fields, action, sealer)}});
                ++interactions_;
                return;
            }
        }
        run = [this, viewer, locale, name, options] { return engine_.HandleOptions(viewer, locale, name, options); };
    } else if (type == 3 || type == 5) {  // MESSAGE_COMPONENT, MODAL_SUBMIT
        auto opened = sealer.Open(Str(*data, "custom_id"));
        std::string line;
        if (opened && opened->kind == ActionKind::kModal && type == 5) {
            if (auto form = ParseFormAction(opened->action)) {
                // A command's form submitted: its options, and each filled input as the option it is named after.
                auto [name, options] = std::move(*form);
                for (const auto& row : data->at("components").as_array()) {
                    for (const auto& c : row.at("components").as_array()) {
                        auto value = Str(c.as_object(), "value");
                        if (!value.empty()) options[Str(c.as_object(), "custom_id")] = value;
                    }
                }
                if (const auto* spec = engine_.Find(name)) ephemeral = spec->ephemeral;
                run = [this, viewer, locale, name, options] {
                    return engine_.HandleOptions(viewer, locale, name, options);
                };
                opened.reset();
            }
        }
        if (opened) {
            auto action = opened->action.substr(0, opened->action.find('\x1f'));
            if (opened->kind == ActionKind::kInput && type == 3) {
                // Ask for the command's last argument in a modal, then run the action with it.
                auto name = action.substr(0, action.find(' '));
                const auto* spec = engine_.Find(name);
                if (!spec || spec->args.empty()) return;
                auto title = catalog.Text(locale, "cmd." + name + ".description");
                Respond(answer,
                        json::object{{"type", kModal},
                                     {"data", RenderModal(title, engine_.ArgLabel(*spec, spec->args.back(), locale),
                                                          action, sealer)}});
                ++interactions_;
                return;
            }
            std::string extra;
            if (opened->kind == ActionKind::kSelect && type == 3) {
                if (auto* values = data->if_contains("values");
                    values && values->is_array() && !values->as_array().empty()) {
                    extra = OptionText(values->as_array().front());
                }
            } else if (opened->kind == ActionKind::kModal && type == 5) {
                // components: [ { type 1, components: [ { custom_id "value", value } ] } ]
                for (const auto& row : data->at("components").as_array()) {
                    for (const auto& c : row.at("components").as_array()) {
                        if (Str(c.as_object(), "custom_id") == "value") extra = Str(c.as_object(), "value");
                    }
                }
            } else if (opened->kind != ActionKind::kButton || type != 3) {
                opened.reset();
            }
            if (opened) line = engine_.prefix() + action + (extra.empty() ? "" : " " + extra);
        }
        if (line.empty() && !run) {
            Respond(answer,
                    json::object{{"type", kChannelMessage},
                                 {"data", json::object{{"content", catalog.Text(locale, "discord.stale_component")},
                                                       {"flags", kEphemeral}}}});
            ++interactions_;
            return;
        }
        if (!run) {
            if (const auto* spec =
                    engine_.Find(line.substr(engine_.prefix().size(), line.find(' ') - engine_.prefix().size()))) {
                ephemeral = spec->ephemeral;
            }
            run = [this, viewer, locale, line] {
                auto r = engine_.HandleLine(viewer, locale, line);
                return r ? *r : commands::Reply{};
            };
        }
    } else {
        return;
    }

    // Everything that may wait on the database happens on the pool, with the deferral timer armed.
    NoteMember(*uid, DisplayName(*user), locale);
    if (member) SeeNow(PersonOf(*user, member));
    auto reply = run();
    reply.ephemeral = reply.ephemeral || ephemeral;
    auto messages = RenderMessages(reply, sealer);
    Respond(answer, json::object{{"type", kChannelMessage}, {"data", messages.front()}});
    for (std::size_t i = 1; i < messages.size(); ++i) {
        auto r = messenger_.rest().Post(answer.webhook, messages[i]);
        if (!r.ok()) spdlog::warn("discord: follow-up to interaction {} failed: {}", id, r.Describe());
    }
    ++interactions_;
}

std::future<json::object> Bot::Submit(json::object interaction) {
    struct Once {
        std::promise<json::object> promise;
        std::once_flag flag;
        void Set(json::object v) {
            std::call_once(flag, [&] { promise.set_value(std::move(v)); });
        }
    };
    auto once = std::make_shared<Once>();
    auto future = once->promise.get_future();
    Accept(
        std::move(interaction), [once](json::object response) { once->Set(std::move(response)); },
        [once] { once->Set(json::object{}); });
    return future;
}

bool Bot::RegisterCommands() {
    auto definitions = engine_.SlashDefinitions();
    std::string path = "/applications/" + options_.application_id +
                       (guild_.guild_id().empty() ? "/commands" : "/guilds/" + guild_.guild_id() + "/commands");
    auto r = messenger_.rest().Put(path, definitions);
    if (!r.ok()) {
        spdlog::error("discord: registering {} slash command(s) failed: {}", definitions.size(), r.Describe());
        return false;
    }
    spdlog::info("discord: registered {} slash command(s)", definitions.size());
    return true;
}

}  // namespace maxis::discord
