// Plans end to end: the real maxis binary with the Discord, Stripe and LLM simulators on loopback.
// Subscriptions through their whole life (roles, grace, cancel, upgrade, Founder refunded), events
// duplicated and reordered, the role reconciler, the metered assistant and promotions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentId, sleep } from '../discord/harness.mjs';
import { startShop, waitFor } from '../shop/harness.mjs';
import { startLlmSimulator } from '../../sim/llm/simulator.mjs';

const ALICE = '1500000000000000001';
const BOB = '1500000000000000002';
const STAFF = '1500000000000000009';
const buttons = (data) => (data.components ?? []).flatMap((row) => row.components ?? []);

async function startPlans({ llm = null, extra = '' } = {}) {
  const e = await startShop({
    toml: (s) => `
[plans]
grace_period = "3s"
sweep_schedule = "every 1s"
reconcile_schedule = "every 1s"
announce_channel_id = "${s.channels.general}"
[plans.pro]
price_id = "price_pro"
role_id = "${s.roles.pro}"
[plans.ultra]
price_id = "price_ultra"
role_id = "${s.roles.ultra}"
images_per_day = 2
[plans.founder]
price_id = "price_founder"
role_id = "${s.roles.founder}"
${llm ? `[assistant]\napi_base = "${llm.apiBase}"\nmodel = "sim-model"\nper_minute = 100\n` : ''}
${extra}`,
    env: llm ? { MAXIS_LLM_API_KEY: 'sk-llm-test' } : {},
  });
  for (const [id, amount, recurring] of [['price_pro', 999, true], ['price_ultra', 1999, true], ['price_founder', 14900, false]]) {
    await e.stripe.control('/_sim/prices', { id, unit_amount: amount, currency: 'eur', recurring });
  }
  return e;
}

const rolesOf = async (e, user) => (await e.control('GET', `/_sim/members/${user}`)).roles;
const grant = (e, user) => e.sql(`SELECT plan || ':' || status FROM user_subscriptions WHERE user_id = ${user} ORDER BY id DESC LIMIT 1`);
const dmTexts = async (e, user) => (await e.dms(user)).map((m) => m.content);
const count = (e, sql) => Number(e.sql(sql));

async function subscribe(e, user, plan) {
  const plans = await e.answered((await e.interact({ type: 2, user, name: 'plans' })).id);
  const click = await e.answered((await e.interact({ type: 3, user, custom_id: componentId(plans.response.data, `Prendre ${plan}`) })).id);
  const pay = buttons(click.response.data).find((b) => b.style === 5);
  assert.ok(pay, JSON.stringify(click.response.data));
  return { reply: click.response.data, url: pay.url, session: await e.lastSession() };
}

test('a subscription through its whole life keeps the right role; duplicated and reordered events change nothing more', async () => {
  const e = await startPlans();
  try {
    await e.member(ALICE);
    const s = e.state;
    const { url, session } = await subscribe(e, ALICE, 'Pro');
    assert.match(url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const request = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop();
    assert.equal(request.params.mode, 'subscription');
    assert.deepEqual(request.params.line_items, [{ price: 'price_pro', quantity: '1' }]);
    assert.deepEqual(request.params.subscription_data, { metadata: { user_id: ALICE, plan: 'pro' } });
    assert.equal(request.params.allow_promotion_codes, 'true');
    assert.match(request.params.success_url, /\/plans\/success$/);

    // Subscribe: paid, Pro role granted, welcome DM.
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`);
    await waitFor('the Pro role', async () => (await rolesOf(e, ALICE)).includes(s.roles.pro));
    assert.equal(grant(e, ALICE), 'pro:active');
    await waitFor('the welcome DM', async () => (await dmTexts(e, ALICE)).some((t) => /Votre offre Pro est active jusqu'au \d\d\/\d\d\/\d{4}/.test(t)));
    const sub = (await e.stripe.control('/_sim/sessions')).find((x) => x.id === session.id).subscription;
    const status = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'subscription' })).id);
    assert.match(JSON.stringify(status.response.data.embeds), /renouvellement le/);
    assert.match(JSON.stringify(status.response.data.embeds), /0 \/ 500/);
    assert.ok(buttons(status.response.data).some((b) => b.label === 'Gérer la facturation'));
    // The portal button opens a Customer Portal session for the member's Stripe customer.
    const portal = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: componentId(status.response.data, 'Gérer la facturation') })).id);
    assert.match(buttons(portal.response.data).find((b) => b.style === 5).url, /^https:\/\/billing\.stripe\.com\/p\/session\//);

    // Renew: the period is extended.
    const end1 = count(e, `SELECT period_end FROM user_subscriptions WHERE ref = '${sub}'`);
    await e.stripe.control(`/_sim/subscriptions/${sub}/renew`);
    await waitFor('the renewal', async () => count(e, `SELECT period_end FROM user_subscriptions WHERE ref = '${sub}'`) > end1);
    assert.equal(count(e, `SELECT period_end FROM user_subscriptions WHERE ref = '${sub}'`) - end1, 30 * 86400 * 1000);

    // Payment fails: payment pending (role kept), DM with the billing button; after the grace period, Free.
    await e.stripe.control(`/_sim/subscriptions/${sub}/fail`);
    await waitFor('payment pending', async () => grant(e, ALICE) === 'pro:past_due');
    await waitFor('the payment-failed DM', async () => (await e.dms(ALICE)).some((m) => /a échoué/.test(m.content) && buttons(m).some((b) => b.label === 'Mon abonnement')));
    assert.ok((await rolesOf(e, ALICE)).includes(s.roles.pro));
    const pending = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'subscription' })).id);
    assert.match(JSON.stringify(pending.response.data.embeds), /Paiement en attente/);
    await waitFor('the downgrade', async () => grant(e, ALICE) === 'pro:ended', 15000);
    await waitFor('the Pro role removed', async () => !(await rolesOf(e, ALICE)).includes(s.roles.pro));
    await waitFor('the ended DM', async () => (await dmTexts(e, ALICE)).some((t) => /vous repassez en Free/.test(t)));
    // A later "past due" report does not give a second grace period.
    await e.stripe.control(`/_sim/subscriptions/${sub}/update`, {});
    await sleep(500);
    assert.notEqual(grant(e, ALICE), 'pro:active');

    // The card is updated and the invoice paid: Pro again.
    await e.stripe.control(`/_sim/subscriptions/${sub}/renew`);
    await waitFor('Pro again', async () => grant(e, ALICE) === 'pro:active' && (await rolesOf(e, ALICE)).includes(s.roles.pro));

    // A renewal that needs 3-D Secure: payment pending, a DM whose button opens the invoice to confirm it; confirmed, Pro again.
    await e.stripe.control(`/_sim/subscriptions/${sub}/action`);
    await waitFor('payment pending (authentication)', async () => grant(e, ALICE) === 'pro:past_due');
    await waitFor('the confirm DM', async () => (await e.dms(ALICE)).some((m) => /Votre banque demande de confirmer/.test(m.content) &&
      buttons(m).some((b) => b.label === 'Confirmer le paiement' && /^https:\/\/invoice\.stripe\.com\//.test(b.url))));
    assert.ok((await rolesOf(e, ALICE)).includes(s.roles.pro), 'the plan is kept while the member confirms');
    await e.stripe.control(`/_sim/subscriptions/${sub}/renew`);
    await waitFor('Pro after the confirmation', async () => grant(e, ALICE) === 'pro:active');

    // Cancel at period end: access kept, the member told until when.
    await e.stripe.control(`/_sim/subscriptions/${sub}/update`, { cancel_at_period_end: true });
    await waitFor('the cancel DM', async () => (await dmTexts(e, ALICE)).some((t) => /résiliée : vous la gardez jusqu'au/.test(t)));
    assert.ok((await rolesOf(e, ALICE)).includes(s.roles.pro));
    const ends = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'subscription' })).id);
    assert.match(JSON.stringify(ends.response.data.embeds), /puis il s'arrête/);
    await e.stripe.control(`/_sim/subscriptions/${sub}/update`, { cancel_at_period_end: false });

    // Upgrade to Ultra in the portal: roles swap and the private channel is created for her and staff.
    await e.stripe.control(`/_sim/subscriptions/${sub}/update`, { price: 'price_ultra' });
    await waitFor('the Ultra role', async () => {
      const roles = await rolesOf(e, ALICE);
      return roles.includes(s.roles.ultra) && !roles.includes(s.roles.pro);
    });
    let channel;
    await waitFor('the private channel', async () => {
      channel = (await e.control('GET', '/_sim/channels')).find((c) => c.name.startsWith('ultra-'));
      return !!channel;
    });
    const ids = channel.permission_overwrites.map((o) => o.id);
    assert.ok(ids.includes(ALICE) && ids.includes(s.roles.staff));
    assert.ok(channel.permission_overwrites.some((o) => o.id === s.guild_id && o.deny !== '0'));

    // The REST API: staff see Ultra's subscriber and its monthly revenue; Alice sees her own plan, not Bob's.
    const staff = await e.apiAs(STAFF, 'staff');
    const alice = await e.apiAs(ALICE);
    const subs = (await staff('GET', '/api/v1/plans/subscribers')).body;
    const row = (plan) => subs.items.find((x) => x.plan === plan);
    assert.deepEqual([row('ultra').members, row('ultra').mrr_minor, row('pro').members, row('pro').mrr_minor], [1, 1999, 0, 0]);
    assert.deepEqual(subs.mrr, [{ currency: 'EUR', mrr_minor: 1999 }]);
    assert.deepEqual([subs.members, subs.paying], [1, 1]);
    assert.equal((await alice('GET', '/api/v1/plans/subscribers')).status, 403);
    const history = (await staff('GET', '/api/v1/plans/history?days=3')).body;
    assert.equal(history.days.length, 3);
    assert.deepEqual(history.items.map((x) => [x.plan, x.members.at(-1)]), [['founder', 0], ['pro', 0], ['ultra', 1]]);
    assert.equal((await alice('GET', '/api/v1/plans/history')).status, 403);
    const mine = (await alice('GET', '/api/v1/members/me/plan')).body;
    assert.deepEqual([mine.user, mine.plan.id, mine.grant.kind, mine.grant.status, mine.usage.messages_limit], [ALICE, 'ultra', 'subscription', 'active', null]);
    assert.equal(mine.grant.ref, undefined, 'payment references are for staff');
    assert.equal((await staff('GET', `/api/v1/members/${ALICE}/plan`)).body.grant.ref, sub);
    assert.equal((await alice('GET', `/api/v1/members/${BOB}/plan`)).status, 404);
    assert.equal((await alice('GET', '/api/v1/members/nobody/plan')).status, 400);
    assert.equal((await staff('GET', '/api/v1/members/9999999999999999999/plan')).status, 400);

    // Every event so far again, reversed, each twice: nothing more happens.
    const snapshot = () => ({
      grant: grant(e, ALICE),
      roles: count(e, "SELECT COUNT(*) FROM outbox WHERE channel = 'discord.role'"),
      notices: count(e, "SELECT COUNT(*) FROM outbox WHERE channel = 'notify.member'"),
      channels: count(e, "SELECT COUNT(*) FROM outbox WHERE channel = 'discord.channel'"),
    });
    const before = snapshot();
    const events = (await e.stripe.control('/_sim/events')).map((x) => x.id);
    const results = await e.stripe.control('/_sim/redeliver', { ids: events, reorder: true, duplicates: 1 });
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results));
    assert.deepEqual(snapshot(), before);
    assert.equal(grant(e, ALICE), 'ultra:active');

    // Deleted at the end: Free, role removed, channel archived (the member loses access).
    await e.stripe.control(`/_sim/subscriptions/${sub}/delete`);
    await waitFor('the end', async () => grant(e, ALICE) === 'ultra:ended' && !(await rolesOf(e, ALICE)).includes(s.roles.ultra));
    await waitFor('the archive', async () => {
      const c = (await e.control('GET', '/_sim/channels')).find((x) => x.id === channel.id);
      return c.name.startsWith('archive-ultra-') && !c.permission_overwrites.some((o) => o.id === ALICE);
    });
    assert.deepEqual(await e.validationErrors(), []);
  } finally {
    await e.stop();
  }
});

test('Founder is paid once, gives Pro entitlements for life, and a refund revokes it', async () => {
  const e = await startPlans();
  try {
    await e.member(BOB);
    const { session } = await subscribe(e, BOB, 'Founder');
    const request = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop();
    assert.equal(request.params.mode, 'payment');
    assert.deepEqual(request.params.payment_intent_data, { metadata: { user_id: BOB, plan: 'founder' } });
    assert.equal(request.params.customer_creation, 'always');
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`);
    await waitFor('the Founder role', async () => (await rolesOf(e, BOB)).includes(e.state.roles.founder));
    const status = await e.answered((await e.interact({ type: 2, user: BOB, name: 'subscription' })).id);
    assert.match(JSON.stringify(status.response.data.embeds), /Actif à vie/);
    assert.match(JSON.stringify(status.response.data.embeds), /0 \/ 500/);
    // Refunded from Stripe's Dashboard: revoked, role removed, the member told.
    const pi = (await e.stripe.control('/_sim/sessions')).find((x) => x.id === session.id).payment_intent;
    const refund = await fetch(`${e.stripe.base}/v1/refunds`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' }, body: `payment_intent=${pi}` });
    assert.equal(refund.status, 200);
    await waitFor('revoked', async () => grant(e, BOB) === 'founder:revoked' && !(await rolesOf(e, BOB)).includes(e.state.roles.founder));
    await waitFor('the revoked DM', async () => (await dmTexts(e, BOB)).some((t) => /a été retirée après un remboursement/.test(t)));
  } finally {
    await e.stop();
  }
});

test('the reconciler fixes a role removed and a role added by hand, and a member who rejoins gets their role back', async () => {
  const e = await startPlans();
  try {
    await e.member(ALICE);
    await e.member(BOB);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const s = e.state;
    const replies = async () => (await e.channelMessages(s.channels.general)).filter((m) => m.author.id === s.bot_id);
    // Without a reason, the staff member is shown the usage and nothing is granted.
    await e.say(STAFF, `!plan_grant <@${ALICE}> pro 7d`);
    const usage = (m) => /Utilisation : .*plan_grant.*raison/.test(m.content);
    await waitFor('the usage', async () => (await replies()).some(usage) || (await e.dms(STAFF)).some(usage));
    assert.equal(count(e, 'SELECT COUNT(*) FROM user_subscriptions'), 0);
    await e.say(STAFF, `!plan_grant <@${ALICE}> pro 7d gagnante du concours`);
    await waitFor('the granted role', async () => (await rolesOf(e, ALICE)).includes(s.roles.pro));
    // Drift both ways: Alice loses her role, Bob gets Ultra without paying.
    await e.control('PATCH', `/_sim/members/${ALICE}`, { roles: [] });
    await e.control('PATCH', `/_sim/members/${BOB}`, { roles: [s.roles.ultra] });
    await waitFor('the reconciler', async () => (await rolesOf(e, ALICE)).includes(s.roles.pro) && !(await rolesOf(e, BOB)).includes(s.roles.ultra), 15000);
    assert.match(e.stderr, /role reconciliation checked \d+ member\(s\), 1 with a plan: 1 role\(s\) to grant, 1 to revoke/);
    // Leaves and comes back: the plan role is given back at once.
    await e.control('DELETE', `/_sim/members/${ALICE}`);
    await e.member(ALICE);
    await waitFor('the role back', async () => (await rolesOf(e, ALICE)).includes(s.roles.pro));
    assert.match(e.stderr, /rejoined; 1 plan role\(s\) given back/);
  } finally {
    await e.stop();
  }
});

test('the assistant: mention, DM and /ask; 10 concurrent messages with 9 of 10 used answer exactly one; images by plan', async () => {
  const llm = await startLlmSimulator({ apiKey: 'sk-llm-test' });
  const e = await startPlans({ llm });
  try {
    await e.member(ALICE);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const bot = e.state.bot_id;
    const general = e.state.channels.general;
    const replies = async () => (await e.channelMessages(general)).filter((m) => m.author.id === bot);

    await e.say(ALICE, `<@${bot}> bonjour Maxis`);
    await waitFor('the channel answer', async () => (await replies()).some((m) => m.content === 'Réponse n°1 : bonjour Maxis'));
    const sent = (await e.control('GET', '/_sim/requests')).length;
    assert.ok(sent > 0);
    const first = llm.state.requests[0];
    assert.equal(first.path, '/v1/chat/completions');
    assert.equal(first.authorization, 'Bearer sk-llm-test');
    assert.equal(first.body.model, 'sim-model');
    assert.equal(first.body.messages[0].role, 'system');
    assert.deepEqual(first.body.messages.at(-1), { role: 'user', content: 'bonjour Maxis' });
    // A DM, with the earlier turn remembered.
    await e.control('POST', '/_sim/messages', { user: ALICE, content: 'et ensuite ?', dm: true });
    await waitFor('the DM answer', async () => (await dmTexts(e, ALICE)).includes('Réponse n°2 : et ensuite ?'));
    assert.deepEqual(llm.state.requests[1].body.messages.slice(1).map((m) => m.content), ['bonjour Maxis', 'Réponse n°1 : bonjour Maxis', 'et ensuite ?']);
    const ask = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ask', options: [{ name: 'question', type: 3, value: 'une question' }] })).id, 10000);
    assert.equal(ask.response.data.content, 'Réponse n°3 : une question');
    // A Free member's image is refused with an upgrade button; nothing counted.
    await e.control('POST', '/_sim/messages', { user: ALICE, content: `<@${bot}> regarde`, attachments: [{ url: 'https://cdn.discordapp.com/a/1.png' }] });
    await waitFor('the image refusal', async () => (await e.dms(ALICE)).some((m) => /réservé à Pro/.test(m.content) && buttons(m).some((b) => b.label === 'Prendre Pro')));
    assert.equal(llm.state.requests.length, 3);

    // 9 of 10 used today; 10 messages at once: exactly one answered, nine told the quota is used with an upgrade button.
    assert.equal(count(e, "SELECT used FROM assistant_usage WHERE kind = 'message'"), 3);
    e.sql("UPDATE assistant_usage SET used = 9 WHERE kind = 'message'");
    await llm.control('/_sim/config', { delayMs: 300 });
    const before = (await replies()).length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => e.say(ALICE, `<@${bot}> question ${i}`)));
    await waitFor('nine refusals', async () => (await e.dms(ALICE)).filter((m) => /vos 10 messages à l'assistant du jour/.test(m.content)).length === 9, 15000);
    await waitFor('one answer', async () => (await replies()).length === before + 1, 15000);
    await sleep(700);
    assert.equal((await replies()).length, before + 1);
    assert.equal(llm.state.requests.length, 4);
    assert.equal(count(e, "SELECT used FROM assistant_usage WHERE kind = 'message'"), 10);
    assert.ok((await e.dms(ALICE)).filter((m) => /vos 10 messages/.test(m.content)).every((m) => buttons(m).some((b) => b.label === 'Prendre Pro')));
    await llm.control('/_sim/config', { delayMs: 0 });

    // Pro may attach images; Ultra may /imagine within its own limit.
    await e.say(STAFF, `!plan_grant <@${ALICE}> ultra 1d essai des images`);
    await waitFor('Ultra', async () => grant(e, ALICE) === 'ultra:active');
    await e.control('POST', '/_sim/messages', { user: ALICE, content: `<@${bot}> décris`, attachments: [{ url: 'https://cdn.discordapp.com/a/2.png' }] });
    await waitFor('the image answer', async () => (await replies()).some((m) => /: décris \(1 image\)$/.test(m.content)));
    const withImage = llm.state.requests.at(-1).body.messages.at(-1);
    assert.deepEqual(withImage.content, [{ type: 'text', text: 'décris' }, { type: 'image_url', image_url: { url: 'https://cdn.discordapp.com/a/2.png' } }]);
    // /ask with an attached image (the slash command's attachment option); a file that is not an image is refused.
    const attached = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ask', options: [{ name: 'question', type: 3, value: 'et celle-ci ?' },
      { name: 'image', type: 11, attachment: { filename: 'chat.png', content_type: 'image/png', url: 'https://cdn.discordapp.com/attachments/1/2/chat.png' } }] })).id, 10000);
    assert.match(attached.response.data.content, /: et celle-ci \? \(1 image\)$/);
    assert.deepEqual(llm.state.requests.at(-1).body.messages.at(-1).content.at(-1), { type: 'image_url', image_url: { url: 'https://cdn.discordapp.com/attachments/1/2/chat.png' } });
    const sentBefore = llm.state.requests.length;
    const pdf = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ask', options: [{ name: 'question', type: 3, value: 'et ça ?' },
      { name: 'image', type: 11, attachment: { filename: 'notes.pdf', content_type: 'application/pdf', url: 'https://cdn.discordapp.com/attachments/1/3/notes.pdf' } }] })).id);
    assert.match(pdf.response.data.content, /image/i);
    assert.match(pdf.response.data.content, /notes\.pdf/);
    assert.equal(llm.state.requests.length, sentBefore, 'nothing sent to the model');
    // The prefix command with a picture attached to the message.
    await e.control('POST', '/_sim/messages', { user: ALICE, content: '!ask et en texte ?', attachments: [{ url: 'https://cdn.discordapp.com/a/4.png' }] });
    await waitFor('the prefix answer', async () => (await replies()).some((m) => /: et en texte \? \(1 image\)$/.test(m.content)));
    const slash = (await e.control('GET', '/_sim/commands')).find((c) => c.name === 'ask');
    assert.deepEqual(slash.options.map((o) => [o.name, o.type, !!o.required]), [['question', 3, true], ['image', 11, false]]);
    for (let i = 1; i <= 2; i++) {
      const img = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'imagine', options: [{ name: 'prompt', type: 3, value: 'un chat' }] })).id, 10000);
      assert.match(img.response.data.embeds[0].image.url, /^https:\/\/images\.example\.net\/sim\/\d+\.png$/);
    }
    const third = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'imagine', options: [{ name: 'prompt', type: 3, value: 'un chien' }] })).id);
    assert.match(third.response.data.content, /vos 2 images du jour/);
    assert.equal(llm.state.requests.filter((r) => r.path === '/v1/images/generations').length, 2);

    // Usage through the REST API: unlimited Ultra still counts (10 + three questions with an image), images apart.
    const staff = await e.apiAs(STAFF, 'staff');
    const mine = (await (await e.apiAs(ALICE))('GET', '/api/v1/members/me/plan')).body;
    assert.deepEqual([mine.plan.id, mine.grant.kind, mine.usage.messages, mine.usage.messages_limit, mine.usage.images, mine.usage.images_limit],
      ['ultra', 'temporary', 13, null, 2, 2]);
    const usage = (await staff('GET', '/api/v1/plans/usage?days=7')).body;
    assert.deepEqual(usage.items.map((d) => [d.day, d.messages, d.images, d.members]), [[mine.usage.day, 13, 2, 1]]);
    assert.equal((await staff('GET', '/api/v1/plans/usage?days=0')).status, 400);
    const counts = (await staff('GET', '/api/v1/plans/subscribers')).body;
    const granted = counts.items.find((x) => x.plan === 'ultra');
    assert.deepEqual([granted.members, granted.granted, granted.mrr_minor], [1, 1, 0]);
    assert.deepEqual([counts.members, counts.paying], [1, 0], 'a prize is not a payment');
  } finally {
    await e.stop();
    await llm.close();
  }
});

// The paid assistant is behind the same rule as every command: a member blocked by the staff gets the
// suspension notice, and nothing of theirs reaches the provider.
test('a blocked member talking to the assistant gets the suspension notice and the provider hears nothing', async () => {
  const llm = await startLlmSimulator({ apiKey: 'sk-llm-test' });
  const e = await startPlans({ llm });
  try {
    await e.member(ALICE);
    await e.control('POST', '/_sim/messages', { user: ALICE, content: 'bonjour', dm: true });
    await waitFor('the DM answer', async () => (await dmTexts(e, ALICE)).includes('Réponse n°1 : bonjour'));
    e.sql(`UPDATE users SET blocked = 1 WHERE id = ${ALICE}`);
    await e.control('POST', '/_sim/messages', { user: ALICE, content: 'encore une question', dm: true });
    await e.say(ALICE, `<@${e.state.bot_id}> et ici ?`);
    await waitFor('two suspension notices', async () => (await e.dms(ALICE)).filter((m) => /suspendu/.test(m.content)).length +
      (await e.channelMessages(e.state.channels.general)).filter((m) => /suspendu/.test(m.content)).length >= 2);
    assert.equal(llm.state.requests.length, 1);
  } finally {
    await e.stop();
    await llm.close();
  }
});

test('with no provider the assistant says so and counts nothing', async () => {
  const e = await startPlans();
  try {
    await e.member(ALICE);
    const ask = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ask', options: [{ name: 'question', type: 3, value: 'allô ?' }] })).id);
    assert.match(ask.response.data.content, /pas encore configuré/);
    assert.ok(ask.ephemeral);
    assert.equal(count(e, 'SELECT COUNT(*) FROM assistant_usage'), 0);
  } finally {
    await e.stop();
  }
});

test('two checkouts of one plan in the same minute with other parameters (another language) both get a page', async () => {
  const e = await startPlans();
  try {
    // A slash command from an English client, then a prefix command in French: same member, plan and minute.
    const first = await e.console('alice', ['!subscribe pro'], { locale: 'en' });
    const second = await e.console('alice', ['!subscribe pro'], { locale: 'fr' });
    const posts = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions');
    assert.equal(posts.length, 2);
    assert.deepEqual(posts.map((r) => r.params.locale), ['en', 'fr']);
    assert.notEqual(posts[0].idempotencyKey, posts[1].idempotencyKey);
    for (const r of [first, second]) assert.match(r.out, /https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/, r.out);
    // The same request again (a double click) in the same minute reuses its key: no new session.
    await e.console('alice', ['!subscribe pro'], { locale: 'fr' });
    const last = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop();
    assert.equal((await e.stripe.control('/_sim/sessions')).length, last.idempotencyKey === posts[1].idempotencyKey ? 2 : 3);
  } finally {
    await e.stop();
  }
});

test('a promotion is created on Stripe, announced, applied at checkout and counted; after its expiry it is not applied', async () => {
  const e = await startPlans();
  try {
    await e.member(ALICE);
    await e.member(BOB);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    await e.say(STAFF, '!promo 0% pro 48h');
    await e.say(STAFF, '!promo 20% pro 1m');
    await e.say(STAFF, '!promo 20% pro 48h');
    await waitFor('the promotion', async () => count(e, 'SELECT COUNT(*) FROM promotions') === 1);
    const requests = await e.stripe.control('/_sim/requests');
    const coupon = requests.find((r) => r.path === '/v1/coupons').params;
    assert.equal(coupon.percent_off, '20');
    assert.equal(coupon.duration, 'once');
    const code = requests.find((r) => r.path === '/v1/promotion_codes').params;
    const expires = Number(code.expires_at);
    assert.ok(Math.abs(expires - (Date.now() / 1000 + 48 * 3600)) < 60);
    assert.equal(Number(coupon.redeem_by), expires);
    await waitFor('the announcement', async () => (await e.channelMessages(e.state.channels.general)).some((m) => /-20 % sur Pro/.test(m.content) && m.content.includes(code.code)));
    const dms = await dmTexts(e, STAFF);
    assert.ok(dms.some((t) => /entre 1 et 100/.test(t)) || (await e.channelMessages(e.state.channels.general)).some((m) => /entre 1 et 100/.test(m.content)));

    // Applied at Alice's checkout, and counted once she pays.
    const { reply, session } = await subscribe(e, ALICE, 'Pro');
    assert.match(reply.content, /-20 %/);
    const params = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop().params;
    const promo = e.sql('SELECT promotion_code_id FROM promotions');
    assert.deepEqual(params.discounts, [{ promotion_code: promo }]);
    assert.equal(params.allow_promotion_codes, undefined);
    assert.equal(session.amount_total, 799);
    // The coupon applies to Pro's product only: typed on Bob's Ultra page, the Pro code is refused.
    const proPrice = await (await fetch(`${e.stripe.base}/v1/prices/price_pro`, { headers: { authorization: 'Bearer sk_test_maxis' } })).json();
    assert.deepEqual(coupon.applies_to, { products: [proPrice.product] });
    const ultra = await subscribe(e, BOB, 'Ultra');
    assert.equal((await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop().params.allow_promotion_codes, 'true');
    const typed = await e.stripe.control(`/_sim/sessions/${ultra.session.id}/promotion_code`, { code: code.code });
    assert.equal(typed.error?.param, 'promotion_code', JSON.stringify(typed));
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`);
    await waitFor('the use counted', async () => e.sql('SELECT uses FROM promotions') === '1');

    // Two days later (both clocks moved on): Bob's checkout has no discount, and Stripe refuses the code.
    e.sql(`UPDATE promotions SET expires_at = ${Date.now() - 1000}`);
    await e.stripe.control('/_sim/config', { clockOffset: 48 * 3600 + 60 });
    await subscribe(e, BOB, 'Pro');
    const late = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').pop().params;
    assert.equal(late.discounts, undefined);
    assert.equal(late.allow_promotion_codes, 'true');
    const refused = await fetch(`${e.stripe.base}/v1/checkout/sessions`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' },
      body: `mode=subscription&line_items[0][price]=price_pro&line_items[0][quantity]=1&success_url=https://x&discounts[0][promotion_code]=${promo}` });
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).error.message, /expired/);
  } finally {
    await e.stop();
  }
});
