// Pre-orders bought from Discord, end to end: the real maxis binary with the Discord and Stripe simulators. A member
// lists the open items with /preorder (tiers, prices, seats and the live countdown), presses Buy and gets a private
// Stripe link at the tier shown; when that tier filled meanwhile, the answer says the new price and offers a button for
// it, nothing held; paying on the simulator's Checkout sells the seat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startShop, waitFor } from '../shop/harness.mjs';

const ALICE = '1500000000000000011';
const BOB = '1500000000000000012';
const STAFF = '1500000000000000019';
const DAY = 86400000;

const buttons = (message) => (message?.components ?? []).flatMap((row) => row.components ?? []);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const tierOf = (e, purchase) => e.sql(`SELECT t.name || '|' || p.price_minor || '|' || p.status FROM preorder_purchases p JOIN preorder_tiers t ON t.id = p.tier_id WHERE p.id = ${purchase}`);

test('from Discord: /preorder lists the tiers and the countdown, Buy answers a private link at the price shown, a filled tier says the new price', async () => {
  const e = await startShop({ toml: '[preorders]\nsweep_schedule = "every 1s"\n' });
  try {
    for (const user of [ALICE, BOB]) await e.member(user);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const staff = await e.apiAs(STAFF, 'staff');
    const releaseAt = Date.now() + 30 * DAY;
    const created = await staff('POST', '/api/v1/preorders', {
      name: 'Artbook', price_minor: 4000, release_at: iso(releaseAt), description: 'Le livre',
      tiers: [{ name: 'Early Bird', discount_percent: 30, seats: 1 }, { name: 'Regular', discount_percent: 0, seats: null }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await staff('POST', `/api/v1/preorders/${created.body.id}/open`)).status, 200);

    // The listing, seen by both members before anyone buys: Early Bird at 28,00 €, its seat, the countdown.
    const list = async (user) => (await e.answered((await e.interact({ type: 2, user, name: 'preorder' })).id, 10000)).response.data;
    const seenByBob = await list(BOB);
    const text = JSON.stringify(seenByBob.embeds);
    assert.match(text, /Artbook/);
    assert.match(text, /Early Bird/);
    assert.match(text, /28,00/);
    assert.match(text, new RegExp(`<t:${Math.floor(releaseAt / 1000)}:R>`), 'the countdown Discord keeps live');
    const bobsBuy = buttons(seenByBob).find((b) => b.custom_id && /28,00/.test(b.label));
    assert.ok(bobsBuy, `a Buy button at the Early Bird price: ${JSON.stringify(buttons(seenByBob))}`);
    const alicesBuy = buttons(await list(ALICE)).find((b) => b.custom_id && /28,00/.test(b.label));

    // Alice presses Buy: a private answer with the Stripe link, the seat held at the price shown.
    const bought = (await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: alicesBuy.custom_id })).id, 10000)).response.data;
    assert.equal(bought.flags & 64, 64, 'only the buyer sees it');
    const pay = buttons(bought).find((b) => b.style === 5);
    assert.match(pay?.url ?? '', /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const alices = e.sql(`SELECT id FROM preorder_purchases WHERE user_id = ${ALICE}`);
    assert.equal(tierOf(e, alices), 'Early Bird|2800|held');

    // Bob presses the Early Bird button he saw: the tier is full now, so nothing is held and the answer says the new
    // price, with a button for it.
    const stale = (await e.answered((await e.interact({ type: 3, user: BOB, custom_id: bobsBuy.custom_id })).id, 10000)).response.data;
    assert.match(stale.content, /40,00/);
    assert.match(stale.content, /Regular/);
    assert.equal(e.sql(`SELECT COUNT(*) FROM preorder_purchases WHERE user_id = ${BOB}`), '0', 'nothing held on a price he did not see');
    const confirm = buttons(stale).find((b) => b.custom_id && /40,00/.test(b.label));
    assert.ok(confirm, `a button at the new price: ${JSON.stringify(buttons(stale))}`);
    const bobBought = (await e.answered((await e.interact({ type: 3, user: BOB, custom_id: confirm.custom_id })).id, 10000)).response.data;
    assert.match(buttons(bobBought).find((b) => b.style === 5)?.url ?? '', /^https:\/\/checkout\.stripe\.com\//);
    const bobs = e.sql(`SELECT id FROM preorder_purchases WHERE user_id = ${BOB}`);
    assert.equal(tierOf(e, bobs), 'Regular|4000|held');

    // Alice pays on Checkout: the seat is sold, and the listing says so.
    const session = (await e.stripe.control('/_sim/sessions')).find((s) => s.metadata.preorder_purchase === alices);
    const [delivery] = await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.equal(delivery.status, 200);
    assert.equal(tierOf(e, alices), 'Early Bird|2800|paid');
    await waitFor('the paid DM', async () => (await e.dms(ALICE)).some((m) => /Paiement reçu/.test(m.content ?? '')));
  } finally {
    await e.stop();
  }
});
