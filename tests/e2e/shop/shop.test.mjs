// The shop end to end: Discord and console purchases paid on the Stripe simulator, signed webhooks
// applied exactly once (duplicates, reordering, a crash mid-event), refunds and expiries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { componentId } from '../discord/harness.mjs';
import { startShop, waitFor, WEBHOOK_SECRET } from './harness.mjs';

const ALICE = '1400000000000000001';
const BOB = '1400000000000000002';
const STAFF = '1400000000000000009';
const NUMBER = /MX-\d{4}-\d{6}/;

const buttons = (data) => (data.components ?? []).flatMap((row) => row.components ?? []);

test('a purchase from Discord: shop, cart, checkout on Stripe, paid, receipt, shipped, delivered, refunded', async () => {
  const e = await startShop();
  try {
    await e.member(ALICE);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    await e.say(STAFF, '!product_add "Sweat Maxis" 39,90 5 merch Un sweat tout doux');
    await waitFor('the product', async () => e.sql('SELECT COUNT(*) FROM products') === '1');

    // /shop, then its "add to cart" button, run as the member who clicks it.
    const shop = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'shop' })).id);
    assert.ok(shop.ephemeral);
    assert.equal(shop.response.data.embeds[0].title, 'Sweat Maxis');
    assert.match(JSON.stringify(shop.response.data.embeds[0].fields), /39,90/);
    const added = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: componentId(shop.response.data, 'Ajouter Sweat Maxis') })).id);
    assert.match(added.response.data.content, /1 × Sweat Maxis/);
    // /cart has a select menu ("Retirer un produit…") whose choice removes that product.
    const cart = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'cart' })).id);
    const removeMenu = cart.response.data.components.flatMap((r) => r.components).find((c) => c.type === 3);
    assert.equal(removeMenu.placeholder, 'Retirer un produit…');
    assert.deepEqual(removeMenu.options.map((o) => o.value), ['1']);
    await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: removeMenu.custom_id, values: ['1'] })).id);
    assert.equal(e.sql('SELECT COUNT(*) FROM carts'), '0');
    await e.answered((await e.interact({ type: 2, user: ALICE, name: 'cart_set', options: [{ name: 'product', type: 4, value: 1 }, { name: 'quantity', type: 4, value: 2 }] })).id);

    // /checkout reserves the stock and answers with the payment link, ephemerally.
    const before = Math.floor(Date.now() / 1000);
    const checkout = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'checkout' })).id);
    assert.ok(checkout.ephemeral);
    const number = checkout.response.data.content.match(NUMBER)[0];
    const pay = buttons(checkout.response.data).find((b) => b.style === 5);
    assert.match(pay.url, /^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    assert.equal(pay.label, 'Payer 79,80 €');
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '3');
    assert.equal(e.order(number).status, 'pending');

    // What Maxis asked of Stripe.
    const request = (await e.stripe.control('/_sim/requests')).find((r) => r.path === '/v1/checkout/sessions');
    const p = request.params;
    assert.equal(p.mode, 'payment');
    assert.deepEqual(p.line_items, [{ quantity: '2', price_data: { currency: 'eur', unit_amount: '3990', product_data: { name: 'Sweat Maxis' } } }]);
    assert.equal(p.client_reference_id, number);
    assert.equal(p.metadata.user_id, ALICE);
    assert.equal(p.payment_intent_data.metadata.order_number, number);
    assert.equal(p.invoice_creation.enabled, 'true');
    // 35 minutes from the call: Stripe's 30-minute minimum with headroom for the network and retries.
    assert.ok(Number(p.expires_at) >= before + 2100 && Number(p.expires_at) <= before + 2115, `expires_at ${p.expires_at}`);
    assert.match(p.success_url, /\/shop\/success\?session_id=\{CHECKOUT_SESSION_ID\}$/);
    assert.equal(p.locale, 'fr');
    assert.match(request.idempotencyKey, new RegExp(`^maxis-checkout-${number}-\\d{13}$`));
    assert.equal(request.version, '2024-06-20');

    // The member pays: the signed webhook marks the order paid and the receipt goes out by DM.
    const session = await e.lastSession();
    const [delivery] = await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.equal(delivery.status, 200);
    const paid = e.order(number);
    assert.equal(paid.status, 'paid');
    assert.match(paid.invoice, /^https:\/\/invoice\.stripe\.com\//);
    assert.equal(e.sql(`SELECT COUNT(*) || ' ' || SUM(amount_minor) FROM payments WHERE kind = 'charge'`), '1 7980');
    const receipt = await waitFor('the receipt', async () => (await e.dms(ALICE)).find((m) => m.content.includes('Paiement reçu')));
    assert.match(receipt.content, new RegExp(`${number} : 79,80`));
    assert.equal(buttons(receipt).find((b) => b.label === 'Facture').url, paid.invoice);
    assert.ok(buttons(receipt).find((b) => b.label === 'Voir la commande'));
    await waitFor('the staff notice', async () => (await e.channelMessages(e.state.channels.staff)).find((m) => m.content.includes(`Nouvelle commande payée ${number}`)));

    // /order shows it to its owner.
    const view = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'order', options: [{ name: 'number', type: 3, value: number.toLowerCase() }] })).id);
    assert.equal(view.response.data.embeds[0].title, `Commande ${number}`);
    assert.match(JSON.stringify(view.response.data.embeds[0].fields), /payée/);
    // /orders lists it with a select menu ("Voir une commande…") that opens the chosen order.
    const orders = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'orders' })).id);
    const orderMenu = orders.response.data.components.flatMap((r) => r.components).find((c) => c.type === 3);
    assert.equal(orderMenu.placeholder, 'Voir une commande…');
    const opened = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: orderMenu.custom_id, values: [number] })).id);
    assert.equal(opened.response.data.embeds[0].title, `Commande ${number}`);

    // Staff ship it with tracking, then mark it delivered: the member hears of each step.
    await e.say(STAFF, `!order_track ${number} Colissimo 6A12345 https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345`);
    await waitFor('shipped', async () => e.order(number).status === 'shipped');
    const shipped = await waitFor('the shipping DM', async () => (await e.dms(ALICE)).find((m) => m.content.includes('Colissimo')));
    assert.match(buttons(shipped).find((b) => b.label === 'Suivre le colis').url, /laposte\.fr/);
    await e.say(STAFF, `!order_status ${number} livrée`);
    await waitFor('delivered', async () => e.order(number).status === 'delivered');
    await waitFor('the delivery DM', async () => (await e.dms(ALICE)).find((m) => m.content.includes('a été livrée')));

    // Staff refund it: Stripe refunds, its charge.refunded event makes the order refunded and restocks.
    await e.say(STAFF, `!order_refund ${number}`);
    await waitFor('refunded', async () => e.order(number).status === 'refunded');
    const refund = (await e.stripe.control('/_sim/requests')).find((r) => r.path === '/v1/refunds');
    assert.equal(refund.params.payment_intent, paid.pi);
    assert.match(refund.idempotencyKey, new RegExp(`^maxis-refund-${number}-`));
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '5');
    await waitFor('the refund DM', async () => (await e.dms(ALICE)).find((m) => m.content.includes('remboursée : 79,80')));
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a coin purchase from Discord: the shop shows the coin price, its button pays with coins at once, no Stripe; a staff refund gives the coins back', async () => {
  const e = await startShop();
  try {
    await e.member(ALICE);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    await e.say(STAFF, '!product_add "Badge Maxis" 250pièces 3 merch Un badge brodé');
    await waitFor('the product', async () => e.sql('SELECT COUNT(*) FROM products') === '1');
    assert.equal(e.sql('SELECT price_minor, price_coins FROM products'), '0|250');
    await e.say(STAFF, `!coins_give <@${ALICE}> 300 gagnante du quiz`);
    await waitFor('the coins', async () => e.sql(`SELECT COALESCE(MAX(balance), 0) FROM coin_balances WHERE user_id = ${ALICE}`) === '300');

    // /shop shows the price in coins, a "buy with coins" button and no cart button (coins only).
    const shop = await e.answered((await e.interact({ type: 2, user: ALICE, name: 'shop' })).id);
    assert.match(JSON.stringify(shop.response.data.embeds[0].fields), /250 pièces/);
    const labels = buttons(shop.response.data).map((b) => b.label);
    assert.ok(labels.includes('Acheter Badge Maxis pour 250 pièces'), labels.join(', '));
    assert.ok(!labels.includes('Ajouter Badge Maxis'), labels.join(', '));

    // The click buys at once: paid in coins, stock and balance down, no Checkout Session.
    const buyId = componentId(shop.response.data, 'Acheter Badge Maxis pour 250 pièces');
    const bought = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: buyId })).id);
    assert.ok(bought.ephemeral);
    assert.match(bought.response.data.content, /payée avec vos pièces \(250 pièces\)/);
    const number = bought.response.data.content.match(NUMBER)[0];
    assert.equal(e.sql(`SELECT status, currency, total_minor FROM orders WHERE number = '${number}'`), 'paid|COINS|250');
    assert.equal(e.sql(`SELECT balance FROM coin_balances WHERE user_id = ${ALICE}`), '50');
    assert.equal(e.sql('SELECT stock FROM products'), '2');
    assert.equal(e.sql(`SELECT amount, ref FROM coin_ledger WHERE reason = 'purchase'`), `-250|${number}`);
    assert.equal((await e.stripe.control('/_sim/requests')).filter((r) => r.path === '/v1/checkout/sessions').length, 0, 'no Stripe');
    await waitFor('the receipt', async () => (await e.dms(ALICE)).find((m) => m.content.includes(`${number} payée en pièces : 250`)));

    // Clicked again with 50 coins left: refused, nothing taken.
    const again = await e.answered((await e.interact({ type: 3, user: ALICE, custom_id: buyId })).id);
    assert.match(again.response.data.content, /pas assez de pièces/);
    assert.equal(e.sql('SELECT stock FROM products'), '2');
    assert.equal(e.sql('SELECT COUNT(*) FROM orders'), '1');
    assert.equal(e.sql(`SELECT balance FROM coin_balances WHERE user_id = ${ALICE}`), '50');

    // Staff refund it: the coins come back once, with the order as ref, and the member is told.
    await e.say(STAFF, `!order_refund ${number}`);
    await waitFor('the refund', async () => e.order(number).status === 'refunded');
    assert.equal(e.sql(`SELECT balance FROM coin_balances WHERE user_id = ${ALICE}`), '300');
    assert.equal(e.sql(`SELECT amount, ref, actor_id FROM coin_ledger WHERE reason = 'refund'`), `250|${number}|${STAFF}`);
    assert.equal(e.sql('SELECT stock FROM products'), '3');
    await waitFor('the refund DM', async () => (await e.dms(ALICE)).find((m) => m.content.includes('vos 250 pièces vous sont rendues')));
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a purchase from the console, isolation between members, and a short stock refused', async () => {
  const e = await startShop();
  try {
    let r = await e.console('boss', ['!product_add "Mug" 12,50 2 merch'], { role: 'admin' });
    assert.match(r.out, /Product #1/);
    r = await e.console('alice', ['!cart_add 1 2', '!checkout']);
    assert.equal(r.code, 0, r.out + r.err);
    const number = r.out.match(NUMBER)[0];
    assert.match(r.out, /https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    assert.match(r.out, /€25\.00/);
    await e.stripe.control(`/_sim/sessions/${(await e.lastSession()).id}/pay`, {});
    r = await e.console('alice', [`!order ${number}`, '!orders']);
    assert.match(r.out, /✅ paid/);
    // A paid order is only undone by a refund: staff are told so in their language.
    const refused = await e.console('boss', [`!order_status ${number} annulée`], { role: 'staff', locale: 'fr' });
    assert.match(refused.out, /ne peut pas passer de ✅ payée à ✖️ annulée/);
    assert.match(r.out, /2 × Mug/);
    // Bob sees nothing of Alice's order, and cannot buy what is sold out.
    r = await e.console('bob', [`!order ${number}`, '!orders', '!cart_add 1', '!checkout']);
    assert.match(r.out, new RegExp(`Order ${number} not found`));
    assert.match(r.out, /No orders yet/);
    assert.match(r.out, /Not enough stock of Mug: 0 left/);
    assert.equal(e.sql("SELECT COUNT(*) FROM orders"), '1');
  } finally { await e.stop(); }
});

/** A pending order made through the console; returns its number and session. */
async function pendingOrder(e, user = 'alice') {
  if (e.sql('SELECT COUNT(*) FROM products') === '0') await e.console('boss', ['!product_add "Poster" 10 10'], { role: 'admin' });
  const r = await e.console(user, ['!cart_add 1 3', '!checkout']);
  const number = r.out.match(NUMBER)[0];
  return { number, session: await e.lastSession() };
}

test('webhooks: a bad, stale, future or foreign signature gets 400 and changes nothing', async () => {
  const e = await startShop();
  try {
    const { number, session } = await pendingOrder(e);
    const event = { id: 'evt_forged_1', object: 'event', type: 'checkout.session.completed', data: { object: { ...session, status: 'complete', payment_status: 'paid', payment_intent: 'pi_forged', metadata: session.metadata } } };
    const body = JSON.stringify(event);
    const url = `http://127.0.0.1:${e.port}/stripe/webhook`;
    const post = (headers, b = body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });
    const now = Math.floor(Date.now() / 1000);
    const cases = {
      'no header': {},
      'a bad signature': { 'stripe-signature': `t=${now},v1=${'0'.repeat(64)}` },
      'a stale timestamp': { 'stripe-signature': e.stripe.sign(body, now - 400) },
      'a future timestamp': { 'stripe-signature': e.stripe.sign(body, now + 400) },
      'a wrong secret': { 'stripe-signature': e.stripe.sign(body, now, 'whsec_someone_else') },
      'a signature of another body': { 'stripe-signature': e.stripe.sign(body + ' ', now) },
    };
    for (const [what, headers] of Object.entries(cases)) {
      const res = await post(headers);
      assert.equal(res.status, 400, what);
      assert.doesNotMatch(await res.text(), new RegExp(WEBHOOK_SECRET), what);
    }
    const malformed = '{"id":"evt_x"}';
    assert.equal((await post({ 'stripe-signature': e.stripe.sign(malformed, now) }, malformed)).status, 400, 'not an event');
    const huge = JSON.stringify({ ...event, padding: 'x'.repeat(300 * 1024) });
    assert.equal((await post({ 'stripe-signature': e.stripe.sign(huge, now) }, huge)).status, 413, 'too large');
    assert.equal(e.order(number).status, 'pending');
    assert.equal(e.sql('SELECT COUNT(*) FROM stripe_events'), '0');
    assert.equal(e.sql('SELECT COUNT(*) FROM payments'), '0');
    // Within the tolerance, either way, the same event is accepted, once.
    const ok = await post({ 'stripe-signature': e.stripe.sign(body, now - 250) });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).outcome, 'applied');
    assert.equal((await (await post({ 'stripe-signature': e.stripe.sign(body, now + 250) })).json()).outcome, 'duplicate');
    assert.equal(e.order(number).status, 'paid');
    assert.equal(e.sql('SELECT COUNT(*) FROM payments'), '1');
  } finally { await e.stop(); }
});

test('webhooks: duplicated and reordered events have one effect; a refund before its payment waits for it', async () => {
  const e = await startShop();
  try {
    // An asynchronous payment: completed (unpaid) and async_payment_succeeded, each three times, newest first.
    const a = await pendingOrder(e);
    const results = await e.stripe.control(`/_sim/sessions/${a.session.id}/pay`, { outcome: 'async_succeeded', duplicates: 2, reorder: true });
    assert.equal(results.length, 6);
    assert.ok(results.every((r) => r.status === 200), JSON.stringify(results));
    assert.equal(e.order(a.number).status, 'paid');
    assert.equal(e.sql('SELECT COUNT(*) FROM payments'), '1');
    assert.equal(e.sql('SELECT COUNT(*) FROM stripe_events'), '2');
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE channel = 'notify.member' AND payload LIKE '%shop.notify.paid%'`), '1');
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE payload LIKE '%shop.notify.processing%'`), '0', 'the older event did not undo the newer state');

    // The refund's event overtakes the payment's: refused with 503 until the payment is in, then applied once.
    const b = await pendingOrder(e, 'bob');
    await e.stripe.control('/_sim/config', { holdEvents: true, maxRetries: 1, retryDelayMs: 50 });
    await e.stripe.control(`/_sim/sessions/${b.session.id}/pay`, {});
    const pi = (await e.stripe.control('/_sim/sessions')).find((s) => s.id === b.session.id).payment_intent;
    const refundRes = await fetch(`${e.stripe.base}/v1/refunds`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' }, body: `payment_intent=${pi}` });
    assert.equal(refundRes.status, 200);
    const released = await e.stripe.control('/_sim/release', { reorder: true });
    const refundEvent = released.find((r) => r.status !== 200);
    assert.equal(refundEvent.status, 503, JSON.stringify(released));
    assert.equal(e.order(b.number).status, 'paid');
    const again = await e.stripe.control('/_sim/redeliver', { ids: [refundEvent.event] });
    assert.equal(again[0].status, 200);
    assert.equal(e.order(b.number).status, 'refunded');
    assert.equal(e.sql(`SELECT COUNT(*) FROM payments WHERE kind = 'refund'`), '1');
    await e.stripe.control('/_sim/redeliver', { ids: [refundEvent.event] });
    assert.equal(e.sql(`SELECT COUNT(*) FROM payments WHERE kind = 'refund'`), '1');
  } finally { await e.stop(); }
});

test('when Stripe refuses to make the payment page, the reservation is given back and the cart kept', async () => {
  const e = await startShop();
  try {
    await e.console('boss', ['!product_add "Poster" 10 10'], { role: 'admin' });
    await e.stripe.control('/_sim/config', { failNext: 2 });
    const r = await e.console('alice', ['!cart_add 1 3', '!checkout', '!cart']);
    assert.match(r.out, /payment page could not be created, so order MX-\d{4}-\d{6} was cancelled and nothing was charged/);
    assert.match(r.out, /3 × €10\.00/, 'the cart is still there');
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '10');
    assert.equal(e.sql("SELECT status FROM orders"), 'cancelled');
    assert.match(e.stderr + r.err, /no Checkout Session for order/);
    const again = await e.console('alice', ['!checkout']);
    assert.match(again.out, /https:\/\/checkout\.stripe\.com\//);
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '7');
  } finally { await e.stop(); }
});

test("a slow network and a retry still land in Stripe's expires_at window, and the reservation lasts as long as the page", async () => {
  const e = await startShop();
  try {
    await e.console('boss', ['!product_add "Poster" 10 10'], { role: 'admin' });
    // Each request arrives 1.5 s after it was sent, and the first one fails: the retry carries the same
    // parameters (same key) and must still be at least 30 minutes ahead when Stripe receives it.
    await e.stripe.control('/_sim/config', { latencyMs: 1500, failNext: 1 });
    const r = await e.console('alice', ['!cart_add 1 3', '!checkout']);
    assert.match(r.out, /https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/, r.out);
    const posts = (await e.stripe.control('/_sim/requests')).filter((x) => x.path === '/v1/checkout/sessions');
    assert.equal(posts.length, 2);
    assert.deepEqual(posts[1].params, posts[0].params);
    assert.equal(posts[1].idempotencyKey, posts[0].idempotencyKey);
    const session = await e.lastSession();
    assert.ok(session.expires_at - session.created >= 1800, `${session.expires_at - session.created} s`);
    // The stock is held until the page expires, not less.
    assert.equal(Math.floor(Number(e.sql('SELECT reserved_until FROM orders')) / 1000), session.expires_at);
  } finally { await e.stop(); }
});

test('what Stripe would refuse is refused first, with nothing reserved: 101 products, a 0,20 € cart, a 1 000 000,00 € price', async () => {
  const e = await startShop();
  try {
    // A price of nine digits of cents is more than Stripe's unit_amount takes.
    let r = await e.console('boss', ['!product_add "Yacht" 1000000,00 1 merch', '!product_add "Sticker" 0,20 50 merch'], { role: 'admin', locale: 'fr' });
    assert.match(r.out, /Le prix ne peut pas dépasser 999999\.99 EUR/);
    assert.equal(e.sql("SELECT COUNT(*) FROM products WHERE name = 'Yacht'"), '0');
    // A 0,20 € cart is under Stripe's 0,50 € minimum: said before any order or reservation.
    r = await e.console('alice', ['!cart_add 1 1', '!checkout'], { locale: 'fr' });
    assert.match(r.out, /Votre panier s'élève à 0\.20 EUR, sous le minimum de 0\.50 EUR/);
    assert.equal(e.sql('SELECT COUNT(*) FROM orders'), '0');
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '50');
    assert.equal((await e.stripe.control('/_sim/requests')).filter((x) => x.path === '/v1/checkout/sessions').length, 0);
    // One payment takes 100 different products: the 101st is refused when added, in the member's language.
    const now = Date.now();
    const values = Array.from({ length: 101 }, (_, i) => `('Badge ${i}', '', '', 100, 'EUR', NULL, 'merch', 1, ${now})`).join(', ');
    e.sql(`INSERT INTO products (name, description, image_url, price_minor, currency, stock, category, active, created_at) VALUES ${values}`);
    const adds = Array.from({ length: 101 }, (_, i) => `!cart_add ${i + 2} 1`);
    r = await e.console('bob', adds, { locale: 'en' });
    assert.match(r.out, /Your cart already holds 100 different products, the most one payment can take/);
    assert.equal(e.sql('SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM carts GROUP BY user_id)'), '100');
    r = await e.console('bob', ['!cart_add 2 1', '!checkout'], { locale: 'en' });
    assert.doesNotMatch(r.out, /already holds/, 'more of a product already in the cart is fine');
    assert.match(r.out, /https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/, r.out);
    const items = (await e.stripe.control('/_sim/requests')).filter((x) => x.path === '/v1/checkout/sessions').pop().params.line_items;
    assert.equal(items.length, 100);
  } finally { await e.stop(); }
});

test('a price of 0 is refused in the chat with its reason and nothing added, unless written « gratuit » / free', async () => {
  const e = await startShop();
  try {
    let r = await e.console('boss', ['!product_add "Gratuit" 0 10'], { role: 'admin', locale: 'fr' });
    assert.match(r.out, /Un prix de 0 rendrait « Gratuit » gratuit\. Si c'est voulu, écrivez « gratuit » à la place du prix/);
    assert.equal(e.sql('SELECT COUNT(*) FROM products'), '0');
    r = await e.console('boss', ['!product_add "Gratuit" gratuit 10', '!product_add "Mug" 12,50 5'], { role: 'admin', locale: 'fr' });
    assert.equal(e.sql("SELECT price_minor FROM products WHERE name = 'Gratuit'"), '0');
    // A paid product set to 0 by mistake keeps its price; in English, "free" confirms it.
    r = await e.console('boss', ['!product_edit 2 price 0'], { role: 'admin', locale: 'en' });
    assert.match(r.out, /A price of 0 would make "Mug" free/);
    assert.equal(e.sql("SELECT price_minor FROM products WHERE name = 'Mug'"), '1250');
    await e.console('boss', ['!product_edit 2 price free'], { role: 'admin', locale: 'en' });
    assert.equal(e.sql("SELECT price_minor FROM products WHERE name = 'Mug'"), '0');
  } finally { await e.stop(); }
});

test('an expired Checkout Session gives its stock back', async () => {
  const e = await startShop();
  try {
    const { number, session } = await pendingOrder(e);
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '7');
    const [delivery] = await e.stripe.control(`/_sim/sessions/${session.id}/expire`, {});
    assert.equal(delivery.status, 200);
    assert.equal(e.order(number).status, 'cancelled');
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '10');
  } finally { await e.stop(); }
});

test('killed between receiving a webhook and committing it, Maxis applies the event exactly once when Stripe retries', async () => {
  const e = await startShop({ databaseToml: 'busy_timeout = "60s"' });
  try {
    const { number, session } = await pendingOrder(e);
    // Another process holds SQLite's write lock, so the event's transaction cannot commit.
    const lock = spawn('sqlite3', [e.db], { stdio: ['pipe', 'pipe', 'inherit'] });
    let lockOut = '';
    lock.stdout.on('data', (d) => { lockOut += d; });
    lock.stdin.write("BEGIN IMMEDIATE;\nSELECT 'locked';\n");
    await waitFor('the write lock', async () => lockOut.includes('locked'));
    const paying = e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    await waitFor('the event in progress', async () => /stripe: event evt_\S+ \(checkout\.session\.completed\) received/.test(e.stderr));
    await e.kill9();
    lock.stdin.end('COMMIT;\n.quit\n');
    await new Promise((r) => lock.on('exit', r));
    assert.equal(e.order(number).status, 'pending', 'nothing was committed');
    assert.equal(e.sql('SELECT COUNT(*) FROM stripe_events'), '0');

    await e.launch();
    await e.pointWebhooks();
    const [result] = await paying;
    assert.equal(result.status, 200);
    assert.ok(result.attempts >= 2, `attempts ${result.attempts}`);
    assert.equal(e.order(number).status, 'paid');
    assert.equal(e.sql('SELECT COUNT(*) FROM payments'), '1');
    assert.equal(e.sql('SELECT COUNT(*) FROM stripe_events'), '1');
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE payload LIKE '%shop.notify.paid%'`), '1');
    assert.equal(e.sql('SELECT stock FROM products WHERE id = 1'), '7');
  } finally { await e.stop(); }
});

test('the REST API: products, orders with filters and pages, staff status, tracking and refunds, members kept apart', async () => {
  const e = await startShop();
  try {
    const staff = await e.apiAs('boss', 'staff');
    const alice = await e.apiAs('alice');
    const bob = await e.apiAs('bob');
    let r = await staff('POST', '/api/v1/products', { name: 'Casquette', price_minor: 1500, stock: 4, category: 'merch' });
    assert.equal(r.status, 201);
    assert.deepEqual([r.body.id, r.body.stock, r.body.active], [1, 4, true]);
    for (const bad of [{ name: 'X', price_minor: -1 }, { name: 'X', price_minor: 100, colour: 'red' }, { name: '', price_minor: 100 }, '{"name":']) {
      r = await staff('POST', '/api/v1/products', bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.ok(r.body.error.message.length > 0);
    }
    assert.equal((await alice('POST', '/api/v1/products', { name: 'Y', price_minor: 1 })).status, 403);
    assert.equal(e.sql('SELECT COUNT(*) FROM products'), '1');
    assert.equal((await staff('PATCH', '/api/v1/products/1', { price_minor: 1500, stock: 5 })).body.stock, 5);

    // Alice buys twice (one paid, one left pending); Bob sees none of it.
    await e.console('alice', ['!cart_add 1 2', '!checkout']);
    const first = await e.lastSession();
    await e.stripe.control(`/_sim/sessions/${first.id}/pay`, {});
    await e.console('alice', ['!cart_add 1 1', '!checkout']);
    r = await alice('GET', '/api/v1/orders');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.items.map((o) => o.status), ['pending', 'paid']);
    assert.ok(r.body.items[0].checkout_url.startsWith('https://checkout.stripe.com/'), 'the buyer gets their payment link back');
    assert.equal(r.body.items[1].payment_intent, undefined, 'members do not see payment ids');
    const paid = r.body.items[1];
    assert.equal((await bob('GET', '/api/v1/orders')).body.items.length, 0);
    assert.equal((await bob('GET', `/api/v1/orders/${paid.number}`)).status, 404);
    assert.equal((await bob('GET', `/api/v1/orders/${paid.id}`)).status, 404);
    r = await alice('GET', `/api/v1/orders/${paid.number}`);
    assert.deepEqual(r.body.items, [{ product: 1, name: 'Casquette', unit_price_minor: 1500, quantity: 2 }]);
    assert.deepEqual(r.body.events.map((x) => x.to), ['pending', 'paid']);
    assert.equal((await alice('PATCH', `/api/v1/orders/${paid.id}`, { status: 'delivered' })).status, 403);
    assert.equal((await alice('POST', `/api/v1/orders/${paid.id}/refund`)).status, 403);

    // Staff: filters and pages.
    assert.equal((await staff('GET', '/api/v1/orders?status=paid')).body.items.length, 1);
    assert.equal((await staff('GET', '/api/v1/orders?status=lost')).status, 400);
    assert.equal((await staff('GET', '/api/v1/orders?limit=0')).status, 400);
    const page1 = (await staff('GET', '/api/v1/orders?limit=1')).body;
    const page2 = (await staff('GET', `/api/v1/orders?limit=1&cursor=${page1.next_cursor}`)).body;
    assert.deepEqual([page1.items[0].status, page2.items[0].status], ['pending', 'paid']);

    // Staff move it along; refused moves change nothing.
    assert.equal((await staff('PATCH', `/api/v1/orders/${paid.id}`, { status: 'paid' })).status, 400);
    assert.equal((await staff('PATCH', `/api/v1/orders/${paid.id}`, { status: 'fulfilled', carrier: 'La Poste' })).status, 400);
    assert.equal((await staff('PATCH', `/api/v1/orders/${paid.id}`, { carrier: 'La Poste', tracking_code: 'X1', tracking_url: 'http://plain' })).status, 400);
    assert.equal(e.order(paid.number).status, 'paid');
    r = await staff('PATCH', `/api/v1/orders/${paid.id}`, { status: 'fulfilled', note: 'Emballée' });
    assert.equal(r.body.status, 'fulfilled');
    r = await staff('PATCH', `/api/v1/orders/${paid.number}`, { carrier: 'La Poste', tracking_code: '6A999', tracking_url: 'https://www.laposte.fr/suivi/6A999' });
    assert.deepEqual([r.body.status, r.body.tracking.code], ['shipped', '6A999']);
    assert.equal((await staff('PATCH', `/api/v1/orders/${paid.id}`, { status: 'pending' })).status, 409);

    // A partial refund, one too large, then the rest.
    r = await staff('POST', `/api/v1/orders/${paid.id}/refund`, { amount_minor: 500 });
    assert.equal(r.status, 202);
    assert.match(r.body.refund_id, /^re_/);
    await waitFor('the partial refund', async () => (await staff('GET', `/api/v1/orders/${paid.id}`)).body.refunded_minor === 500);
    assert.equal((await staff('GET', `/api/v1/orders/${paid.id}`)).body.status, 'shipped');
    assert.equal((await staff('POST', `/api/v1/orders/${paid.id}/refund`, { amount_minor: 999999 })).status, 400);
    assert.equal((await staff('POST', `/api/v1/orders/${paid.id}/refund`)).status, 202);
    await waitFor('the full refund', async () => e.order(paid.number).status === 'refunded');
    assert.equal((await staff('POST', `/api/v1/orders/${paid.id}/refund`)).status, 409);
    r = await staff('GET', '/api/v1/shop/revenue?days=7');
    assert.deepEqual(r.body.items.map((d) => [d.gross_minor, d.refunded_minor, d.net_minor, d.orders]), [[3000, 3000, 0, 1]]);
    assert.equal((await alice('GET', '/api/v1/shop/revenue')).status, 403);
  } finally { await e.stop(); }
});
