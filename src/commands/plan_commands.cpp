#include "commands/plan_commands.hpp"

#include "commands/catalog.hpp"
#include "core/errors.hpp"
#include "core/money.hpp"

namespace maxis::commands {

namespace {

using namespace plans;

constexpr std::uint32_t kColorFree = 0x99AAB5;
constexpr std::uint32_t kColorPlan = 0xEB459E;
constexpr std::uint32_t kColorWarn = 0xFEE75C;

std::string T(const Catalog& c, const std::string& locale, std::string_view key, const Params& params = {}) {
    return c.Text(locale, key, params);
}

std::string PlanName(const Catalog& c, const std::string& locale, const std::string& plan) {
    return T(c, locale, "plans.name." + plan);
}

std::string Quota(const Catalog& c, const std::string& locale, int limit) {
    return limit == kUnlimited ? T(c, locale, "plans.unlimited") : std::to_string(limit);
}

/// What a plan gives, one line each.
std::string Perks(const Invocation& inv, const Plan& p) {
    const auto& e = p.entitlements;
    std::string out = e.messages_per_day == kUnlimited
                          ? inv.T("plans.perk.messages_unlimited")
                          : inv.T("plans.perk.messages", {{"count", std::to_string(e.messages_per_day)}});
    if (e.image_input) out += "\n" + inv.T("plans.perk.image_input");
    if (e.image_generation) {
        out += "\n" + (e.images_per_day == kUnlimited
                           ? inv.T("plans.perk.image_generation_unlimited")
                           : inv.T("plans.perk.image_generation", {{"count", std::to_string(e.images_per_day)}}));
    }
    if (e.private_channel) out += "\n" + inv.T("plans.perk.private_channel");
    if (e.priority_support) out += "\n" + inv.T("plans.perk.priority_support");
    if (p.billing == Billing::kOneTime) out += "\n" + inv.T("plans.perk.forever");
    return out;
}

std::string PriceOf(const Invocation& inv, const Plan& p) {
    if (p.billing == Billing::kFree) return inv.T("plans.price_free");
    auto money = core::FormatMoney(core::Money{p.price_minor, p.currency}, inv.locale);
    return inv.T(p.billing == Billing::kMonthly ? "plans.price_monthly" : "plans.price_once", {{"price", money}});
}

Button SubscribeButton(const Catalog& c, const std::string& locale, const std::string& plan) {
    return {.label = T(c, locale, "plans.button.subscribe", {{"plan", PlanName(c, locale, plan)}}),
            .action = "subscribe " + plan,
            .style = ButtonStyle::kSuccess};
}

Reply Refusal(std::string text) { return Reply{.text = std::move(text), .ephemeral = true, .is_error = true}; }

}  // namespace

Reply AssistantReply(const Catalog& c, const std::string& locale, Assistant& assistant, core::UserId user,
                     const std::string& text, const std::vector<std::string>& image_urls) {
    auto a = assistant.Ask(user, text, image_urls);
    switch (a.kind) {
        case AnswerKind::kAnswered:
            return Reply{.text = a.text};
        case AnswerKind::kNoProvider:
            return Refusal(T(c, locale, "plans.assistant.off"));
        case AnswerKind::kEmpty:
            return Refusal(T(c, locale, "plans.assistant.empty"));
        case AnswerKind::kTooLong:
            return Refusal(T(c, locale, "plans.assistant.too_long", {{"max", std::to_string(a.limit)}}));
        case AnswerKind::kRateLimited:
            return Refusal(T(c, locale, "plans.assistant.rate", {{"count", std::to_string(a.limit)}}));
        case AnswerKind::kFailed:
            return Refusal(T(c, locale, "plans.assistant.failed"));
        case AnswerKind::kNotInPlan: {
            auto r = Refusal(a.upgrade.empty() && static_cast<int>(image_urls.size()) > a.limit
                                 ? T(c, locale, "plans.assistant.too_many_images", {{"max", std::to_string(a.limit)}})
                                 : T(c, locale, "plans.assistant.no_images", {{"plan", PlanName(c, locale, a.plan)}}));
            if (!a.upgrade.empty()) r.buttons.push_back(SubscribeButton(c, locale, a.upgrade));
            return r;
        }
        case AnswerKind::kQuotaExhausted: {
            auto r = Refusal(T(c, locale, "plans.assistant.exhausted",
                               {{"count", std::to_string(a.limit)}, {"plan", PlanName(c, locale, a.plan)}}));
            if (!a.upgrade.empty()) {
                r.text += "\n" + T(c, locale, "plans.assistant.upgrade", {{"plan", PlanName(c, locale, a.upgrade)}});
                r.buttons.push_back(SubscribeButton(c, locale, a.upgrade));
            }
            return r;
        }
    }
    return Refusal(T(c, locale, "plans.assistant.failed"));
}

Reply ImagineReply(const Catalog& c, const std::string& locale, const Answer& a) {
    switch (a.kind) {
        case AnswerKind::kAnswered: {
            Reply r{.text = T(c, locale, "plans.imagine_done",
                              {{"used", std::to_string(a.used)}, {"limit", Quota(c, locale, a.limit)}})};
            r.embeds.push_back(Embed{.image_url = a.text, .color = kColorPlan});
            return r;
        }
        case AnswerKind::kNotInPlan: {
            auto r = Refusal(T(c, locale, "plans.imagine_not_in_plan", {{"plan", PlanName(c, locale, a.plan)}}));
            if (!a.upgrade.empty()) r.buttons.push_back(SubscribeButton(c, locale, a.upgrade));
            return r;
        }
        case AnswerKind::kQuotaExhausted:
            return Refusal(T(c, locale, "plans.imagine_exhausted", {{"count", std::to_string(a.limit)}}));
        case AnswerKind::kNoProvider:
            return Refusal(T(c, locale, "plans.imagine.off"));
        case AnswerKind::kEmpty:
            return Refusal(T(c, locale, "plans.imagine.empty"));
        case AnswerKind::kTooLong:
            return Refusal(T(c, locale, "plans.imagine.too_long", {{"max", std::to_string(a.limit)}}));
        case AnswerKind::kRateLimited:
            return Refusal(T(c, locale, "plans.assistant.rate", {{"count", std::to_string(a.limit)}}));
        case AnswerKind::kFailed:
            break;
    }
    return Refusal(T(c, locale, "plans.imagine.failed"));
}

void RegisterPlanCommands(Engine& engine, PlanService& service, Assistant& assistant, const core::TimeZone& zone) {
    std::vector<EnumChoice> for_sale;
    for (const auto& p : service.catalog().all()) {
        if (p.billing != Billing::kFree) for_sale.push_back({p.id, {}});
    }

    engine.Register(CommandSpec{
        .name = "plans",
        .handler =
            [&service, &assistant](const Invocation& inv) {
                auto standing = service.StandingOf(inv.viewer.user_id);
                auto usage = assistant.UsageOf(inv.viewer.user_id, standing);
                Reply reply{
                    .text = inv.T("plans.title", {{"plan", PlanName(inv.catalog, inv.locale, standing.plan->id)},
                                                  {"used", std::to_string(usage.messages)},
                                                  {"limit", Quota(inv.catalog, inv.locale, usage.messages_limit)}}),
                    .ephemeral = true};
                auto promotions = service.Promotions(20);
                auto now = service.clock().Now();
                for (const auto& p : service.catalog().all()) {
                    bool current = p.id == standing.plan->id;
                    Embed e{.title = PlanName(inv.catalog, inv.locale, p.id) +
                                     (current ? " · " + inv.T("plans.current") : ""),
                            .description = Perks(inv, p),
                            .color = p.billing == Billing::kFree ? kColorFree : kColorPlan};
                    e.fields.push_back({inv.T("plans.field.price"), PriceOf(inv, p), true});
                    for (const auto& promo : promotions) {
                        if (promo.plan == p.id && promo.expires_at > now) {
                            e.fields.push_back(
                                {inv.T("plans.field.promotion"),
                                 inv.T("plans.promotion_line",
                                       {{"percent", std::to_string(promo.percent_off)}, {"code", promo.code}}),
                                 true});
                            break;
                        }
                    }
                    reply.embeds.push_back(std::move(e));
                    if (p.billing != Billing::kFree && !p.price_id.empty() && !current) {
                        reply.buttons.push_back(SubscribeButton(inv.catalog, inv.locale, p.id));
                    }
                }
                reply.buttons.push_back({.label = inv.T("plans.button.manage"),
                                         .action = "subscription",
                                         .style = ButtonStyle::kSecondary});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "subscribe",
        .args = {{.name = "plan", .type = ArgType::kEnum, .choices = for_sale}},
        .handler =
            [&service](const Invocation& inv) {
                auto plan = inv.args.Get<std::string>("plan");
                auto url = service.Subscribe(inv.viewer, plan, inv.locale);
                const auto* p = service.catalog().Find(plan);
                auto promo = service.ActivePromotion(plan);
                Reply reply{.text = inv.T("plans.checkout", {{"plan", PlanName(inv.catalog, inv.locale, plan)}}),
                            .ephemeral = true};
                if (promo) {
                    reply.text +=
                        "\n" + inv.T("plans.checkout_promotion",
                                     {{"percent", std::to_string(promo->percent_off)}, {"code", promo->code}});
                }
                reply.buttons.push_back({.label = inv.T("plans.button.pay", {{"price", PriceOf(inv, *p)}}),
                                         .style = ButtonStyle::kLink,
                                         .url = url});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "subscription",
        .handler =
            [&service, &assistant, &zone](const Invocation& inv) {
                auto standing = service.StandingOf(inv.viewer.user_id);
                auto usage = assistant.UsageOf(inv.viewer.user_id, standing);
                auto now = service.clock().Now();
                auto day = [&zone](core::TimePoint t) { return zone.LocalDate(t); };
                Embed e{.title = inv.T("plans.subscription_title",
                                       {{"plan", PlanName(inv.catalog, inv.locale, standing.plan->id)}}),
                        .color = standing.plan->billing == Billing::kFree ? kColorFree : kColorPlan};
                std::string status = inv.T("plans.state.free");
                if (const auto& g = standing.main) {
                    if (g->status == GrantStatus::kPastDue && g->grace_until) {
                        status = inv.T("plans.state.payment_pending", {{"date", day(*g->grace_until)}});
                        e.color = kColorWarn;
                    } else if (g->kind == GrantKind::kOneTime) {
                        status = inv.T("plans.state.forever");
                    } else if (g->kind == GrantKind::kTemporary && g->expires_at) {
                        status = inv.T("plans.state.until", {{"date", day(*g->expires_at)}});
                    } else if (g->cancel_at_period_end && g->period_end) {
                        status = inv.T("plans.state.ends", {{"date", day(*g->period_end)}});
                    } else if (g->period_end) {
                        status = inv.T("plans.state.renews", {{"date", day(*g->period_end)}});
                    } else {
                        status = inv.T("plans.state.active");
                    }
                }
                e.fields.push_back({inv.T("plans.field.status"), status});
                e.fields.push_back(
                    {inv.T("plans.field.usage"),
                     inv.T("plans.usage", {{"used", std::to_string(usage.messages)},
                                           {"limit", Quota(inv.catalog, inv.locale, usage.messages_limit)}}),
                     true});
                if (usage.images_limit != 0) {
                    e.fields.push_back(
                        {inv.T("plans.field.images"),
                         inv.T("plans.usage", {{"used", std::to_string(usage.images)},
                                               {"limit", Quota(inv.catalog, inv.locale, usage.images_limit)}}),
                         true});
                }
                for (const auto& g : standing.grants) {
                    if (!InForce(g, now) || (standing.main && g.id == standing.main->id)) continue;
                    e.fields.push_back({inv.T("plans.field.also"), PlanName(inv.catalog, inv.locale, g.plan), true});
                }
                e.footer = inv.T("plans.reset_note", {{"zone", zone.name()}});
                Reply reply{.ephemeral = true};
                reply.embeds.push_back(std::move(e));
                if (service.CustomerOf(inv.viewer.user_id)) {
                    reply.buttons.push_back(
                        {.label = inv.T("plans.button.portal"), .action = "portal", .style = ButtonStyle::kPrimary});
                }
                reply.buttons.push_back(
                    {.label = inv.T("plans.button.plans"), .action = "plans", .style = ButtonStyle::kSecondary});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "portal",
        .handler =
            [&service](const Invocation& inv) {
                auto url = service.Portal(inv.viewer, inv.locale);
                Reply reply{.text = inv.T("plans.portal"), .ephemeral = true};
                reply.buttons.push_back(
                    {.label = inv.T("plans.button.open_portal"), .style = ButtonStyle::kLink, .url = url});
                return reply;
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "ask",
        .args = {{.name = "question", .type = ArgType::kRest},
                 {.name = "image", .type = ArgType::kImage, .required = false}},
        .handler =
            [&assistant](const Invocation& inv) {
                std::vector<std::string> images;
                if (auto image = inv.args.Optional<std::string>("image")) images.push_back(*image);
                return AssistantReply(inv.catalog, inv.locale, assistant, inv.viewer.user_id,
                                      inv.args.Get<std::string>("question"), images);
            },
    });

    engine.Register(CommandSpec{
        .name = "imagine",
        .args = {{.name = "prompt", .type = ArgType::kRest}},
        .handler =
            [&assistant](const Invocation& inv) {
                return ImagineReply(inv.catalog, inv.locale,
                                    assistant.Imagine(inv.viewer.user_id, inv.args.Get<std::string>("prompt")));
            },
    });

    engine.Register(CommandSpec{
        .name = "forget",
        .handler =
            [&assistant](const Invocation& inv) {
                assistant.Forget(inv.viewer.user_id);
                return Reply{.text = inv.T("plans.forgotten"), .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "promo",
        .args = {{.name = "percent", .type = ArgType::kPercent},
                 {.name = "plan", .type = ArgType::kEnum, .choices = for_sale},
                 {.name = "duration", .type = ArgType::kDuration}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto d = std::chrono::duration_cast<core::Millis>(inv.args.Get<std::chrono::seconds>("duration"));
                auto promo =
                    service.CreatePromotion(inv.viewer, static_cast<int>(inv.args.Get<std::int64_t>("percent")),
                                            inv.args.Get<std::string>("plan"), d);
                return Reply{
                    .text = inv.T("plans.promo_created", {{"percent", std::to_string(promo.percent_off)},
                                                          {"plan", PlanName(inv.catalog, inv.locale, promo.plan)},
                                                          {"code", promo.code},
                                                          {"date", zone.Format(promo.expires_at, inv.locale)}}),
                    .ephemeral = true};
            },
        .ephemeral = true,
    });

    engine.Register(CommandSpec{
        .name = "plan_grant",
        .args = {{.name = "member", .type = ArgType::kUser},
                 {.name = "plan", .type = ArgType::kEnum, .choices = for_sale},
                 {.name = "duration", .type = ArgType::kDuration},
                 {.name = "reason", .type = ArgType::kRest}},
        .permission = core::Role::kStaff,
        .handler =
            [&service, &zone](const Invocation& inv) {
                auto d = std::chrono::duration_cast<core::Millis>(inv.args.Get<std::chrono::seconds>("duration"));
                auto member = inv.args.Get<core::UserId>("member");
                auto g = service.GrantTemporary(inv.viewer, member, inv.args.Get<std::string>("plan"), d,
                                                inv.args.Get<std::string>("reason"));
                return Reply{.text = inv.T("plans.granted", {{"member", Mention(member)},
                                                             {"plan", PlanName(inv.catalog, inv.locale, g.plan)},
                                                             {"date", zone.Format(*g.expires_at, inv.locale)}}),
                             .ephemeral = true};
            },
        .ephemeral = true,
    });
}

}  // namespace maxis::commands
