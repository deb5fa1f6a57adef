// The official stripe npm client against the simulator: it parses the simulator's answers and errors,
// and stripe.webhooks.constructEvent accepts the simulator's signed deliveries.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import Stripe from 'stripe';
import { startStripeSimulator } from './simulator.mjs';

let sim;
let stripe;
let hook;
const received = [];

before(async () => {
    sim = await startStripeSimulator();
    const port = Number(new URL(sim.base).port);
    stripe = new Stripe(sim.secretKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, apiVersion: '2024-06-20' });
    hook = createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['stripe-signature'] });
            res.writeHead(200).end('{}');
        });
    });
    await new Promise((r) => hook.listen(0, '127.0.0.1', r));
    await sim.control('/_sim/config', { webhookUrl: `http://127.0.0.1:${hook.address().port}/stripe/webhook` });
});
after(async () => {
    hook?.close();
    await sim?.close();
});

const lineItems = [{ price_data: { currency: 'eur', unit_amount: 2500, product_data: { name: 'T-shirt' } }, quantity: 2 }];

test('checkout sessions: created, read, validated like Stripe, idempotent', async () => {
    const s = await stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', cancel_url: 'https://x/no', line_items: lineItems,
        client_reference_id: 'MX-2026-000001', metadata: { order_id: '1' }, invoice_creation: { enabled: true } }, { idempotencyKey: 'order-1' });
    assert.match(s.id, /^cs_test_/);
    assert.equal(s.amount_total, 5000);
    assert.equal(s.status, 'open');
    assert.equal(s.metadata.order_id, '1');
    assert.equal((await stripe.checkout.sessions.retrieve(s.id)).id, s.id);
    const again = await stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', cancel_url: 'https://x/no', line_items: lineItems,
        client_reference_id: 'MX-2026-000001', metadata: { order_id: '1' }, invoice_creation: { enabled: true } }, { idempotencyKey: 'order-1' });
    assert.equal(again.id, s.id, 'same key and body: the same session');
    await assert.rejects(stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', line_items: lineItems }, { idempotencyKey: 'order-1' }),
        (e) => e.type === 'StripeIdempotencyError');
    await assert.rejects(stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok' }),
        (e) => e.type === 'StripeInvalidRequestError' && e.param === 'line_items');
    await assert.rejects(stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', line_items: [{ price_data: { currency: 'eur', unit_amount: 1 }, quantity: 1 }] }),
        (e) => e.type === 'StripeInvalidRequestError' && /product_data/.test(e.param));
    await assert.rejects(new Stripe('sk_test_wrong', { host: '127.0.0.1', port: Number(new URL(sim.base).port), protocol: 'http', maxNetworkRetries: 0 })
        .checkout.sessions.retrieve(s.id), (e) => e.type === 'StripeAuthenticationError');
    await assert.rejects(stripe.checkout.sessions.retrieve('cs_missing'), (e) => e.statusCode === 404);
});

test('signed deliveries pass stripe.webhooks.constructEvent; refunds, coupons, promotion codes, portal', async () => {
    const s = await stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', line_items: lineItems, payment_intent_data: { metadata: { order_id: '7' } },
        invoice_creation: { enabled: true, invoice_data: { metadata: { order_number: 'MX-2026-000007' } } } });
    received.length = 0;
    await sim.control(`/_sim/sessions/${s.id}/pay`, {});
    assert.equal(received.length, 1);
    const event = stripe.webhooks.constructEvent(received[0].body, received[0].signature, 'whsec_test_maxis');
    assert.equal(event.type, 'checkout.session.completed');
    assert.equal(event.data.object.payment_status, 'paid');
    assert.throws(() => stripe.webhooks.constructEvent(received[0].body, received[0].signature, 'whsec_other'));
    const invoice = await stripe.invoices.retrieve(event.data.object.invoice);
    assert.equal(invoice.status, 'paid');
    assert.equal(invoice.amount_paid, 5000);
    assert.equal(invoice.metadata.order_number, 'MX-2026-000007');
    assert.match(invoice.hosted_invoice_url, /^https:\/\/invoice\.stripe\.com\//);
    const pi = event.data.object.payment_intent;
    received.length = 0;
    const refund = await stripe.refunds.create({ payment_intent: pi, amount: 1000 });
    assert.equal(refund.amount, 1000);
    await new Promise((r) => setTimeout(r, 100));
    const refunded = stripe.webhooks.constructEvent(received[0].body, received[0].signature, 'whsec_test_maxis');
    assert.equal(refunded.type, 'charge.refunded');
    assert.equal(refunded.data.object.amount_refunded, 1000);
    assert.equal(refunded.data.object.metadata.order_id, '7');
    await assert.rejects(stripe.refunds.create({ payment_intent: pi, amount: 999999 }), (e) => e.code === 'amount_too_large');
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'once', redeem_by: Math.floor(Date.now() / 1000) + 3600 });
    const code = await stripe.promotionCodes.create({ coupon: coupon.id, code: 'PRO20' });
    assert.equal(code.code, 'PRO20');
    const ended = await stripe.promotionCodes.update(code.id, { active: false });
    assert.equal(ended.active, false);
    await assert.rejects(stripe.promotionCodes.update(code.id, { code: 'OTHER' }), (e) => e.code === 'parameter_unknown');
    const customer = await stripe.customers.create({ email: 'a@example.com' });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://x' });
    assert.match(portal.url, /^https:\/\/billing\.stripe\.com\//);
});

test('subscriptions: Checkout in subscription mode, the subscription read back, its lifecycle as signed events', async () => {
    await sim.control('/_sim/prices', { id: 'price_fid_pro', unit_amount: 999, currency: 'eur', recurring: true });
    await sim.control('/_sim/prices', { id: 'price_fid_ultra', unit_amount: 1999, currency: 'eur', recurring: true });
    const metadata = { user_id: '1500000000000000001', plan: 'pro' };
    const s = await stripe.checkout.sessions.create({ mode: 'subscription', success_url: 'https://x/ok', cancel_url: 'https://x/no',
        line_items: [{ price: 'price_fid_pro', quantity: 1 }], subscription_data: { metadata }, allow_promotion_codes: true });
    assert.equal(s.mode, 'subscription');
    assert.equal(s.amount_total, 999);
    // Prices and modes are checked against each other, as Stripe does.
    await assert.rejects(stripe.checkout.sessions.create({ mode: 'payment', success_url: 'https://x/ok', line_items: [{ price: 'price_fid_pro', quantity: 1 }] }),
        (e) => e.type === 'StripeInvalidRequestError' && e.param === 'line_items[0][price]');

    received.length = 0;
    await sim.control(`/_sim/sessions/${s.id}/pay`, {});
    const events = received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, 'whsec_test_maxis'));
    assert.deepEqual(events.map((e) => e.type), ['customer.subscription.created', 'invoice.paid', 'checkout.session.completed']);
    const completed = events[2].data.object;
    assert.equal(completed.payment_status, 'paid');
    assert.match(completed.subscription, /^sub_/);
    assert.match(completed.customer, /^cus_/);
    assert.equal(events[1].data.object.parent.subscription_details.subscription, completed.subscription);

    const sub = await stripe.subscriptions.retrieve(completed.subscription);
    assert.equal(sub.object, 'subscription');
    assert.equal(sub.status, 'active');
    assert.deepEqual(sub.metadata, metadata);
    assert.equal(sub.items.data[0].price.id, 'price_fid_pro');
    assert.equal(sub.items.data[0].price.recurring.interval, 'month');
    assert.equal(sub.items.data[0].current_period_end - sub.items.data[0].current_period_start, 30 * 86400);
    assert.equal(sub.cancel_at_period_end, false);

    // A failed renewal, then a paid one, a cancel at the period's end, a plan change, and the end.
    const step = async (action, body = {}) => {
        received.length = 0;
        await sim.control(`/_sim/subscriptions/${sub.id}/${action}`, body);
        return received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, 'whsec_test_maxis'));
    };
    let e = await step('fail');
    assert.deepEqual(e.map((x) => x.type), ['invoice.payment_failed', 'customer.subscription.updated']);
    assert.equal(e[0].data.object.status, 'open');
    assert.equal(e[1].data.object.status, 'past_due');
    e = await step('renew');
    assert.deepEqual(e.map((x) => [x.type, x.data.object.status]), [['invoice.paid', 'paid'], ['customer.subscription.updated', 'active']]);
    e = await step('action');
    assert.deepEqual(e.map((x) => [x.type, x.data.object.status]), [['invoice.payment_action_required', 'open'], ['customer.subscription.updated', 'past_due']]);
    assert.match(e[0].data.object.hosted_invoice_url, /^https:\/\/invoice\.stripe\.com\//);
    e = await step('renew');
    e = await step('update', { cancel_at_period_end: true });
    assert.equal(e[0].data.object.cancel_at, e[0].data.object.items.data[0].current_period_end);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).cancel_at_period_end, true);
    e = await step('update', { cancel_at_period_end: false, price: 'price_fid_ultra' });
    assert.equal(e[0].data.object.items.data[0].price.unit_amount, 1999);
    e = await step('delete');
    assert.deepEqual(e.map((x) => [x.type, x.data.object.status]), [['customer.subscription.deleted', 'canceled']]);
    assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'canceled');
    await assert.rejects(stripe.subscriptions.retrieve('sub_missing'), (x) => x.statusCode === 404 && x.code === 'resource_missing');
});

test("Stripe's documented limits: expires_at window, 100 line items, minimum and maximum amounts, idempotency, coupon applies_to", async () => {
    const base = { mode: 'payment', success_url: 'https://x/ok' };
    const nowS = () => Math.floor(Date.now() / 1000);
    const invalid = (param, code) => (e) => e.type === 'StripeInvalidRequestError' && e.statusCode === 400 &&
        (param === undefined || e.param === param) && (code === undefined || e.code === code);
    // expires_at: at least 30 minutes after the session's creation, at most 24 hours, measured on receipt.
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: lineItems, expires_at: nowS() + 1799 }), invalid('expires_at'));
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: lineItems, expires_at: nowS() + 86400 + 60 }), invalid('expires_at'));
    const ok = await stripe.checkout.sessions.create({ ...base, line_items: lineItems, expires_at: nowS() + 1800 + 60 });
    assert.equal(ok.status, 'open');
    // Line items: 100 in payment mode, not 101.
    const item = (i) => ({ price_data: { currency: 'eur', unit_amount: 100, product_data: { name: `p${i}` } }, quantity: 1 });
    const hundred = await stripe.checkout.sessions.create({ ...base, line_items: Array.from({ length: 100 }, (_, i) => item(i)) });
    assert.equal(hundred.amount_total, 10000);
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: Array.from({ length: 101 }, (_, i) => item(i)) }), invalid('line_items'));
    // Amounts: unit_amount of eight digits at most; a total under the currency's minimum, or over eight digits, refused.
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'eur', unit_amount: 100000000, product_data: { name: 'x' } }, quantity: 1 }] }),
        invalid('line_items[0][price_data][unit_amount]'));
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'eur', unit_amount: 20, product_data: { name: 'x' } }, quantity: 1 }] }),
        invalid(undefined, 'amount_too_small'));
    assert.equal((await stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'gbp', unit_amount: 30, product_data: { name: 'x' } }, quantity: 1 }] })).amount_total, 30);
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: [{ price_data: { currency: 'eur', unit_amount: 99999999, product_data: { name: 'x' } }, quantity: 2 }] }),
        invalid(undefined, 'amount_too_large'));
    // The same key with other parameters (another locale) is an idempotency error; another key is fine.
    await stripe.checkout.sessions.create({ ...base, line_items: lineItems, locale: 'fr' }, { idempotencyKey: 'limits-1' });
    await assert.rejects(stripe.checkout.sessions.create({ ...base, line_items: lineItems, locale: 'en' }, { idempotencyKey: 'limits-1' }),
        (e) => e.type === 'StripeIdempotencyError');
    // A coupon restricted to one product: its code is refused on a session that sells another product.
    const pro = await sim.control('/_sim/prices', { id: 'price_lim_pro', product: 'prod_lim_pro', unit_amount: 999, currency: 'eur', recurring: true });
    await sim.control('/_sim/prices', { id: 'price_lim_ultra', product: 'prod_lim_ultra', unit_amount: 1999, currency: 'eur', recurring: true });
    assert.equal((await stripe.prices.retrieve('price_lim_pro')).product, pro.product);
    const coupon = await stripe.coupons.create({ percent_off: 20, duration: 'once', applies_to: { products: ['prod_lim_pro'] } });
    const promo = await stripe.promotionCodes.create({ coupon: coupon.id, code: 'PROONLY20' });
    const sub = { mode: 'subscription', success_url: 'https://x/ok' };
    const discounted = await stripe.checkout.sessions.create({ ...sub, line_items: [{ price: 'price_lim_pro', quantity: 1 }], discounts: [{ promotion_code: promo.id }] });
    assert.equal(discounted.amount_total, 799);
    await assert.rejects(stripe.checkout.sessions.create({ ...sub, line_items: [{ price: 'price_lim_ultra', quantity: 1 }], discounts: [{ promotion_code: promo.id }] }),
        invalid('discounts'));
    // Typed on the hosted page of an Ultra session: refused too; on a Pro one, applied.
    const ultra = await stripe.checkout.sessions.create({ ...sub, line_items: [{ price: 'price_lim_ultra', quantity: 1 }], allow_promotion_codes: true });
    const refused = await sim.control(`/_sim/sessions/${ultra.id}/promotion_code`, { code: 'PROONLY20' });
    assert.equal(refused.error?.type, 'invalid_request_error');
    assert.equal(refused.error?.param, 'promotion_code');
    const proPage = await stripe.checkout.sessions.create({ ...sub, line_items: [{ price: 'price_lim_pro', quantity: 1 }], allow_promotion_codes: true });
    assert.equal((await sim.control(`/_sim/sessions/${proPage.id}/promotion_code`, { code: 'PROONLY20' })).amount_total, 799);
});

test('referral coupons and codes: a coupon of a chosen id is retrieved, made once; a code is unique while active', async () => {
    await assert.rejects(stripe.coupons.retrieve('maxis-referral-5'), (e) => e.statusCode === 404 && e.code === 'resource_missing');
    const coupon = await stripe.coupons.create({ id: 'maxis-referral-5', percent_off: 5, duration: 'once' });
    assert.equal(coupon.id, 'maxis-referral-5');
    assert.equal((await stripe.coupons.retrieve('maxis-referral-5')).percent_off, 5);
    await assert.rejects(stripe.coupons.create({ id: 'maxis-referral-5', percent_off: 5, duration: 'once' }), (e) => e.code === 'resource_already_exists');
    const promo = await stripe.promotionCodes.create({ coupon: 'maxis-referral-5', code: 'ALICE', metadata: { referrer: '42' } });
    assert.equal(promo.metadata.referrer, '42');
    await assert.rejects(stripe.promotionCodes.create({ coupon: 'maxis-referral-5', code: 'alice' }), (e) => e.code === 'resource_already_exists');
    await stripe.promotionCodes.update(promo.id, { active: false });
    assert.equal((await stripe.promotionCodes.create({ coupon: 'maxis-referral-5', code: 'ALICE' })).active, true);
});
