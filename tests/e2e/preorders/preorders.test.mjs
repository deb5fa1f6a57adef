// Pre-orders end to end: the real maxis binary with the Discord and Stripe simulators (tests/e2e/shop/harness.mjs).
// Staff define and move items through the REST API; members buy through it and pay on the simulator's Checkout, whose
// signed webhooks Maxis applies; the sweep (every second here) releases ended holds, refunds, releases items and
// posts. Notices are checked by their catalog key in the outbox and by what reached Discord.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, waitFor } from '../shop/harness.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';  // the threads' variant

const ALICE = '1500000000000000001';
const BOB = '1500000000000000002';
const CAROL = '1500000000000000003';
const STAFF = '1500000000000000009';
const DAY = 86400000;

const buttons = (message) => (message.components ?? []).flatMap((row) => row.components ?? []);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function start(toml = '', env = {}) {
  const e = await startShop({ toml: `[preorders]\nsweep_schedule = "every 1s"\n${toml}`, env });
  await e.stripe.control('/_sim/config', { clockOffset: 0 });  // the simulator's clock is its module's: a test may have moved it
  for (const user of [ALICE, BOB, CAROL]) await e.member(user);
  await e.member(STAFF, { roles: [e.state.roles.staff] });
  e.staffApi = await e.apiAs(STAFF, 'staff');
  return e;
}

/** An item with Early Bird (seats) at -30 % and Regular without limit, opened. */
async function openItem(e, { name = 'Artbook', seats = 2, price = 4000, releaseAt = Date.now() + 30 * DAY } = {}) {
  const created = await e.staffApi('POST', '/api/v1/preorders', {
    name, price_minor: price, release_at: iso(releaseAt), description: 'Le livre', delivery: 'Retrait au stand B12',
    tiers: [{ name: 'Early Bird', discount_percent: 30, seats }, { name: 'Regular', discount_percent: 0, seats: null }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const opened = await e.staffApi('POST', `/api/v1/preorders/${created.body.id}/open`);
  assert.equal(opened.status, 200, JSON.stringify(opened.body));
  return opened.body;
}

/** Notices written for a catalog key (their outbox rows: status|payload). */
function notices(e, key) {
  const rows = e.sql(`SELECT status || '|' || payload FROM outbox WHERE payload LIKE '%"key":"${key}"%' ORDER BY id`);
  return rows ? rows.split('\n') : [];
}
const tier = (item, name) => item.tiers.find((t) => t.name === name);
const purchase = (e, id) => {
  const [status, price, late, reason, refund] = e.sql(`SELECT status, price_minor, late, refund_reason, refund_id FROM preorder_purchases WHERE id = ${id}`).split('|');
  return { status, price: Number(price), late: late === '1', reason, refund };
};
const sessionOf = async (e, purchaseId) => (await e.stripe.control('/_sim/sessions')).find((s) => s.metadata.preorder_purchase === String(purchaseId));

test('a purchase holds a seat, is paid through Checkout and counted; an expired session frees its seat', async () => {
  const e = await start();
  try {
    const item = await openItem(e);
    await waitFor('the opening announced', async () => notices(e, 'preorders.announce.opened')[0]?.startsWith('delivered'));
    const alice = await e.apiAs(ALICE);
    const bought = await alice('POST', `/api/v1/preorders/${item.id}/buy`, {});
    assert.equal(bought.status, 200, JSON.stringify(bought.body));
    assert.equal(bought.body.tier.name, 'Early Bird');
    assert.equal(bought.body.purchase.status, 'held');
    assert.equal(bought.body.purchase.price_minor, 2800);
    assert.match(bought.body.checkout_url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    let view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.deepEqual([tier(view, 'Early Bird').held, tier(view, 'Early Bird').sold, tier(view, 'Early Bird').open], [1, 0, 1]);

    // What Maxis asked of Stripe: one line at the purchase's price, the purchase where the webhook reads it.
    const request = (await e.stripe.control('/_sim/requests')).find((r) => r.path === '/v1/checkout/sessions');
    const p = request.params;
    const id = String(bought.body.purchase.id);
    assert.equal(p.mode, 'payment');
    assert.deepEqual(p.payment_method_types, ['card'], 'cards only: nothing that clears after the hold');
    assert.deepEqual(p.line_items, [{ quantity: '1', price_data: { currency: 'eur', unit_amount: '2800', product_data: { name: 'Artbook — Early Bird' } } }]);
    assert.deepEqual(p.metadata, { preorder_purchase: id, preorder_item: String(item.id), user_id: ALICE });
    assert.deepEqual(p.payment_intent_data.metadata, p.metadata);
    assert.match(p.success_url, /\/preorders\/success\?session_id=\{CHECKOUT_SESSION_ID\}$/);
    assert.match(request.idempotencyKey, new RegExp(`^maxis-preorder-checkout-${id}-\\d{13}$`));

    // Paid on Stripe: the signed webhook sells the held seat; the member is told.
    const session = await sessionOf(e, id);
    const [delivery] = await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.equal(delivery.status, 200);
    assert.equal(purchase(e, id).status, 'paid');
    view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.deepEqual([tier(view, 'Early Bird').held, tier(view, 'Early Bird').sold], [0, 1]);
    await waitFor('the paid DM', async () => notices(e, 'preorders.notify.paid')[0]?.startsWith('delivered'));
    assert.ok((await e.dms(ALICE)).length >= 1);
    // The same event again changes nothing.
    await e.stripe.control('/_sim/redeliver', { ids: [delivery.event] });
    assert.equal(e.sql(`SELECT COUNT(*) FROM preorder_purchases WHERE status = 'paid'`), '1');
    assert.equal(notices(e, 'preorders.notify.paid').length, 1);

    // Bob holds the last Early Bird seat, then his session expires: the seat is open again.
    const bob = await e.apiAs(BOB);
    const held = (await bob('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
    assert.equal(held.tier.name, 'Early Bird');
    view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.equal(tier(view, 'Early Bird').open, 0);
    const [expired] = await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, held.purchase.id)).id}/expire`, {});
    assert.equal(expired.status, 200);
    assert.equal(purchase(e, held.purchase.id).status, 'released');
    view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.deepEqual([tier(view, 'Early Bird').held, tier(view, 'Early Bird').open], [0, 1]);
    // Carol gets that seat.
    const carol = await e.apiAs(CAROL);
    assert.equal((await carol('POST', `/api/v1/preorders/${item.id}/buy`, {})).body.tier.name, 'Early Bird');
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a late payment: honoured in its own tier while it has a seat, refunded on Stripe when the item was cancelled', async () => {
  // Maxis's wall clock is moved by libfaketime (as in the Winner grade's suite), the Stripe simulator's by the same
  // offset, so its signatures stay fresh.
  assert.ok(existsSync(FAKETIME), 'libfaketime is needed to move the clock: scripts/install-deps --test');
  const clockDir = mkdtempSync(join(tmpdir(), 'maxis-clock-'));
  const clockFile = join(clockDir, 'offset');
  const setClock = (offset) => {
    writeFileSync(`${clockFile}.next`, `${offset}\n`);
    renameSync(`${clockFile}.next`, clockFile);
  };
  setClock('+0');
  const e = await start('', { LD_PRELOAD: FAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' });
  try {
    const item = await openItem(e, { seats: 1 });
    const alice = await e.apiAs(ALICE);
    const first = (await alice('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
    // Alice pays just in time, but Stripe's event reaches Maxis only after the hold and its grace are over (Maxis was
    // unreachable; Stripe retries): by then the sweep has given the seat back.
    await e.stripe.control('/_sim/config', { holdEvents: true });
    await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, first.purchase.id)).id}/pay`, {});
    setClock('+50m');
    await e.stripe.control('/_sim/config', { clockOffset: 50 * 60 });
    await waitFor('the hold released by the sweep', async () => purchase(e, first.purchase.id).status === 'released', 15000);
    let view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.deepEqual([tier(view, 'Early Bird').held, tier(view, 'Early Bird').open], [0, 1]);
    const [delivered] = await e.stripe.control('/_sim/release', {});
    assert.equal(delivered.status, 200);
    // Its own tier still had the seat: sold there, never in another.
    const late = purchase(e, first.purchase.id);
    assert.equal(late.status, 'paid');
    assert.ok(late.late);
    assert.equal(late.price, 2800);
    view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.deepEqual([tier(view, 'Early Bird').sold, tier(view, 'Regular').sold], [1, 0]);
    await waitFor('the late payment honoured', async () => notices(e, 'preorders.notify.late_honoured').length === 1);

    // Bob holds a Regular seat; staff cancel the item (his hold is released, Alice's payment refunded); then Bob pays.
    const bob = await e.apiAs(BOB);
    const second = (await bob('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
    assert.equal(second.tier.name, 'Regular');
    assert.equal((await e.staffApi('POST', `/api/v1/preorders/${item.id}/cancel`)).status, 200);
    assert.equal(purchase(e, second.purchase.id).status, 'released');
    await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, second.purchase.id)).id}/pay`, {});
    // Both are refunded by the sweep on Stripe, and Stripe's charge.refunded closes them.
    await waitFor('both refunded', async () => purchase(e, second.purchase.id).status === 'refunded' && purchase(e, first.purchase.id).status === 'refunded', 15000);
    assert.equal(purchase(e, second.purchase.id).reason, 'late_payment');
    assert.equal(purchase(e, first.purchase.id).reason, 'item_cancelled');
    const refunds = (await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/refunds');
    assert.equal(refunds.length, 2);
    for (const r of refunds) {
      const id = r.params.metadata.preorder_purchase;
      assert.match(r.idempotencyKey, new RegExp(`^maxis-preorder-refund-${id}-\\d{13}$`));
      assert.equal(r.params.payment_intent, e.sql(`SELECT payment_intent FROM preorder_purchases WHERE id = ${id}`));
      assert.equal(purchase(e, id).refund, e.sql(`SELECT refund_id FROM preorder_purchases WHERE id = ${id}`));
    }
    view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.equal(view.status, 'cancelled');
    assert.deepEqual([tier(view, 'Early Bird').sold, tier(view, 'Regular').sold], [0, 0]);
  } finally {
    await e.stop();
    rmSync(clockDir, { recursive: true, force: true });
  }
});

test('announcements are posted once each, even when Maxis is killed between the sale and the post', { timeout: 300000 }, async () => {
  const e = await start('announce_percent = [50]\nannounce_seats_left = [1]\n');
  try {
    const item = await openItem(e, { seats: 2 });
    await waitFor('the opening posted', async () => notices(e, 'preorders.announce.opened')[0]?.startsWith('delivered'));
    const alice = await e.apiAs(ALICE);
    const bought = (await alice('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
    // Discord creates the next posts but its answers are lost; Maxis is killed right after the sale.
    await e.control('POST', '/_sim/faults', { kind: 'create_then_5xx', code: 5 });
    const [paid] = await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, bought.purchase.id)).id}/pay`, {});
    assert.equal(paid.status, 200);
    await e.kill9();
    const percent = notices(e, 'preorders.announce.percent');
    const left = notices(e, 'preorders.announce.seats_left');
    assert.equal(percent.length, 1, 'the 50 % announcement was written with the sale');
    assert.equal(left.length, 1, 'and the one seat left');
    await e.launch();
    await e.pointWebhooks();  // the new process listens on another port
    await waitFor('the posts delivered', async () => [...notices(e, 'preorders.announce.percent'), ...notices(e, 'preorders.announce.seats_left')]
      .every((row) => row.startsWith('delivered')), 20000);
    // Sold out: once, through another restart.
    const bob = await e.apiAs(BOB);
    const second = (await bob('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
    const [sold] = await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, second.purchase.id)).id}/pay`, {});
    assert.equal(sold.status, 200);
    await e.kill9();
    await e.launch();
    await e.pointWebhooks();
    // A post the killed process had taken is retried when its lease ([outbox] lease, 2 minutes) ends.
    await waitFor('sold out delivered', async () => notices(e, 'preorders.announce.sold_out')[0]?.startsWith('delivered'), 150000, 500);
    for (const key of ['opened', 'percent', 'seats_left', 'sold_out']) assert.equal(notices(e, `preorders.announce.${key}`).length, 1, key);
    // On Discord: each announcement once, though some creations were retried after a lost answer and a crash.
    const posts = await e.channelMessages(e.state.channels.staff);
    const bodies = posts.map((m) => m.content);
    assert.equal(new Set(bodies).size, bodies.length, `a post repeated: ${bodies.join(' / ')}`);
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE channel = 'notify.staff' AND status <> 'delivered'`), '0');
    assert.equal(String(posts.length), e.sql(`SELECT COUNT(*) FROM outbox WHERE channel = 'notify.staff'`));
  } finally { await e.stop(); }
});

test('a moved release: buyers may cancel from the DM and are refunded on Stripe; on the release day the others get the delivery', async () => {
  const e = await start();
  try {
    const item = await openItem(e, { seats: 5 });
    const ids = {};
    for (const user of [ALICE, BOB]) {
      const api = await e.apiAs(user);
      const b = (await api('POST', `/api/v1/preorders/${item.id}/buy`, {})).body;
      await e.stripe.control(`/_sim/sessions/${(await sessionOf(e, b.purchase.id)).id}/pay`, {});
      ids[user] = b.purchase.id;
    }
    // The release moves to a few seconds from now: every buyer is told, with a button to cancel.
    const moved = await e.staffApi('PATCH', `/api/v1/preorders/${item.id}`, { release_at: iso(Date.now() + 6000) });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.release_moves, 1);
    const dm = await waitFor('the moved-release DM', async () => (await e.dms(ALICE)).find((m) => buttons(m).some((b) => b.style !== 5 && b.custom_id)));
    const cancel = buttons(dm).find((b) => b.style !== 5 && b.custom_id);
    const clicked = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: cancel.custom_id })).id);
    assert.ok(clicked.acknowledged);
    await waitFor('Alice refunded', async () => purchase(e, ids[ALICE]).status === 'refunded', 15000);
    assert.equal(purchase(e, ids[ALICE]).reason, 'member_cancelled');
    const refund = (await e.stripe.control('/_sim/requests')).find((r) => r.path === '/v1/refunds');
    assert.equal(refund.params.metadata.preorder_purchase, String(ids[ALICE]));
    // Bob's click on Alice's button cancels nothing of his.
    await e.answered((await e.interact({ type: 3, user: BOB, custom_id: cancel.custom_id })).id);
    assert.equal(purchase(e, ids[BOB]).status, 'paid');

    // The release day: the sweep fulfils Bob's purchase and DMs him the delivery; staff hear of it.
    await waitFor('released', async () => purchase(e, ids[BOB]).status === 'fulfilled', 20000);
    await waitFor('the release DM', async () => notices(e, 'preorders.notify.released')[0]?.startsWith('delivered'));
    const released = notices(e, 'preorders.notify.released');
    assert.equal(released.length, 1, 'only the buyer who kept their seat');
    assert.match(released[0], /Retrait au stand B12/);
    assert.match(released[0], new RegExp(`"user":${BOB}`));
    assert.equal(notices(e, 'preorders.announce.released').length, 1);
    const view = (await e.staffApi('GET', `/api/v1/preorders/${item.id}`)).body;
    assert.equal(view.status, 'released');
  } finally { await e.stop(); }
});
