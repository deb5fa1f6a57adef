// A Stripe simulator for tests, on 127.0.0.1. The API side speaks Stripe's wire format: form-encoded
// bodies with bracketed keys, Bearer keys, Stripe-Version, idempotency keys (same key and body: the same
// answer; same key, other body: 400 idempotency_error), Stripe's error objects, and the objects Maxis
// uses shaped after ../shared/stripe-openapi/fixtures3.json. The webhook side signs events like Stripe
// (Stripe-Signature: t=...,v1=HMAC-SHA256(secret, "t.body")), retries on non-2xx, and can deliver
// duplicates or reorder events. A /_sim control API "pays", fails or expires sessions.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = JSON.parse(readFileSync(resolve(here, '../../../../shared/stripe-openapi/fixtures3.json'), 'utf8')).resources;
const clone = (o) => JSON.parse(JSON.stringify(o));
const id = (prefix) => `${prefix}_test_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
let clockOffset = 0;  // seconds added to the simulator's clock (/_sim/config {clockOffset})
const now = () => Math.floor(Date.now() / 1000) + clockOffset;
const MONTH = 30 * 86400;

/// Parses Stripe's form encoding into nested objects and arrays ("a[b][0][c]=1").
export function parseForm(text) {
    const root = {};
    for (const [rawKey, value] of new URLSearchParams(text)) {
        const parts = rawKey.replace(/\]/g, '').split('[');
        let node = root;
        parts.forEach((part, i) => {
            const last = i === parts.length - 1;
            const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]);
            if (last) node[part] = value;
            else node = node[part] ??= nextIsIndex ? [] : {};
        });
    }
    return root;
}

class StripeError extends Error {
    constructor(status, type, message, param, code) {
        super(message);
        Object.assign(this, { status, type, param, code });
    }
}
const invalid = (message, param) => new StripeError(400, 'invalid_request_error', message, param, 'parameter_missing');

// Stripe's documented limits (docs: Checkout Sessions API, Supported currencies): at most 100 line items in
// payment mode, amounts of at most eight digits, a minimum charge per currency, in minor units.
const MAX_LINE_ITEMS = 100;
const MAX_AMOUNT = 99999999;
const MINIMUM_CHARGE = {
    usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30, hkd: 400, huf: 17500,
    inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300, sgd: 50, thb: 1000,
};
const formatMinor = (minor, currency) => `${(minor / 100).toFixed(2)} ${currency}`;

export async function startStripeSimulator({ secretKey = 'sk_test_maxis', webhookSecret = 'whsec_test_maxis', port = 0 } = {}) {
    const state = {
        sessions: new Map(), invoices: new Map(), refunds: new Map(), customers: new Map(), coupons: new Map(), promotionCodes: new Map(),
        paymentIntents: new Map(), subscriptions: new Map(), prices: new Map(), idempotency: new Map(), requests: [], deliveries: [], events: [],
        webhookUrl: null, webhookSecret, retryDelayMs: 200, maxRetries: 5, failNext: 0, holdEvents: false, held: [], latencyMs: 0,
    };

    const server = createServer(async (req, res) => {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url, 'http://127.0.0.1');
        const send = (status, body) => {
            res.writeHead(status, { 'Content-Type': 'application/json', 'Request-Id': id('req') });
            res.end(JSON.stringify(body));
        };
        try {
            if (url.pathname.startsWith('/_sim/')) return send(200, await control(req.method, url.pathname, raw ? JSON.parse(raw) : {}));
            // A slow network: the API request is received (and timed) this much later than it was sent.
            if (state.latencyMs > 0) await new Promise((r) => setTimeout(r, state.latencyMs));
            const auth = req.headers.authorization || '';
            if (auth !== `Bearer ${secretKey}`) {
                throw new StripeError(401, 'invalid_request_error', 'Invalid API Key provided: ' + auth.slice(7, 14) + '****');
            }
            const params = req.method === 'POST' ? parseForm(raw) : Object.fromEntries(url.searchParams);
            const key = req.headers['idempotency-key'];
            state.requests.push({ method: req.method, path: url.pathname, params, idempotencyKey: key ?? null, version: req.headers['stripe-version'] ?? null });
            if (state.failNext > 0 && req.method === 'POST') {
                state.failNext--;
                throw new StripeError(500, 'api_error', 'An unknown error occurred (simulated)');
            }
            if (req.method === 'POST' && key) {
                const digest = createHash('sha256').update(url.pathname + raw).digest('hex');
                const seen = state.idempotency.get(key);
                if (seen) {
                    if (seen.digest !== digest) {
                        throw new StripeError(400, 'idempotency_error', `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`);
                    }
                    res.setHeader('Idempotent-Replayed', 'true');
                    return send(seen.status, seen.body);
                }
                const body = route(req.method, url.pathname, params);
                state.idempotency.set(key, { digest, status: 200, body });
                return send(200, body);
            }
            return send(200, route(req.method, url.pathname, params));
        } catch (e) {
            if (e instanceof StripeError) {
                return send(e.status, { error: { type: e.type, message: e.message, ...(e.param ? { param: e.param } : {}), ...(e.code ? { code: e.code } : {}) } });
            }
            return send(500, { error: { type: 'api_error', message: String(e) } });
        }
    });

    function route(method, path, p) {
        let m;
        if (method === 'POST' && path === '/v1/checkout/sessions') return createSession(p);
        if ((m = path.match(/^\/v1\/checkout\/sessions\/([^/]+)$/)) && method === 'GET') return getSession(m[1]);
        if ((m = path.match(/^\/v1\/checkout\/sessions\/([^/]+)\/expire$/)) && method === 'POST') return expireSession(m[1], true);
        if ((m = path.match(/^\/v1\/invoices\/([^/]+)$/)) && method === 'GET') {
            const invoice = state.invoices.get(m[1]);
            if (!invoice) throw new StripeError(404, 'invalid_request_error', `No such invoice: '${m[1]}'`, 'id', 'resource_missing');
            return clone(invoice);
        }
        if (method === 'POST' && path === '/v1/refunds') return createRefund(p);
        if ((m = path.match(/^\/v1\/subscriptions\/([^/]+)$/)) && method === 'GET') {
            const sub = state.subscriptions.get(m[1]);
            if (!sub) throw new StripeError(404, 'invalid_request_error', `No such subscription: '${m[1]}'`, 'id', 'resource_missing');
            return clone(sub);
        }
        if ((m = path.match(/^\/v1\/prices\/([^/]+)$/)) && method === 'GET') {
            const price = state.prices.get(m[1]);
            if (!price) throw new StripeError(404, 'invalid_request_error', `No such price: '${m[1]}'`, 'id', 'resource_missing');
            return clone(price);
        }
        if (method === 'POST' && path === '/v1/customers') return store(state.customers, { ...clone(fixtures.customer), id: id('cus'), email: p.email ?? null, name: p.name ?? null, metadata: p.metadata ?? {}, created: now() });
        if (method === 'POST' && path === '/v1/coupons') return createCoupon(p);
        if ((m = path.match(/^\/v1\/coupons\/([^/]+)$/)) && method === 'GET') {  // Retrieve a coupon
            const coupon = state.coupons.get(m[1]);
            if (!coupon) throw new StripeError(404, 'invalid_request_error', `No such coupon: '${m[1]}'`, 'id', 'resource_missing');
            return clone(coupon);
        }
        if (method === 'POST' && path === '/v1/promotion_codes') return createPromotionCode(p);
        if ((m = path.match(/^\/v1\/promotion_codes\/([^/]+)$/)) && method === 'POST') return updatePromotionCode(m[1], p);
        if (method === 'POST' && path === '/v1/billing_portal/sessions') {
            if (!p.customer) throw invalid('Missing required param: customer.', 'customer');
            if (!state.customers.has(p.customer)) throw new StripeError(400, 'invalid_request_error', `No such customer: '${p.customer}'`, 'customer', 'resource_missing');
            return { ...clone(fixtures['billing_portal.session']), id: id('bps'), customer: p.customer, return_url: p.return_url ?? null, url: `https://billing.stripe.com/p/session/${id('x')}`, created: now() };
        }
        throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`);
    }

    function store(map, object) {
        map.set(object.id, object);
        return object;
    }

    function createSession(p) {
        const mode = p.mode;
        if (!mode) throw invalid('Missing required param: mode.', 'mode');
        if (!['payment', 'subscription', 'setup'].includes(mode)) throw new StripeError(400, 'invalid_request_error', `Invalid mode: must be one of payment, setup, or subscription`, 'mode', 'parameter_invalid_string');
        if (!p.success_url) throw invalid('Missing required param: success_url.', 'success_url');
        const items = p.line_items ?? [];
        if (mode !== 'setup' && items.length === 0) throw invalid('Missing required param: line_items.', 'line_items');
        let total = 0;
        let currency = null;
        if (p.discounts && p.allow_promotion_codes) {
            throw new StripeError(400, 'invalid_request_error', 'You may only specify one of these parameters: allow_promotion_codes, discounts.', 'discounts');
        }
        let discountPercent = 0;
        for (const d of p.discounts ?? []) {
            const promo = state.promotionCodes.get(d.promotion_code ?? '');
            if (!promo) throw new StripeError(400, 'invalid_request_error', `No such promotion code: '${d.promotion_code}'`, 'discounts', 'resource_missing');
            if (!promo.active || (promo.expires_at && promo.expires_at <= now())) {
                throw new StripeError(400, 'invalid_request_error', 'This promotion code cannot be redeemed because it has expired.', 'discounts', 'promotion_code_expired');
            }
            discountPercent = promo.coupon.percent_off ?? 0;
        }
        if (p.customer && !state.customers.has(p.customer)) throw new StripeError(400, 'invalid_request_error', `No such customer: '${p.customer}'`, 'customer', 'resource_missing');
        if (mode === 'payment' && items.length > MAX_LINE_ITEMS) {
            throw new StripeError(400, 'invalid_request_error', `A Checkout Session in \`payment\` mode can have at most ${MAX_LINE_ITEMS} line items (got ${items.length}).`, 'line_items', 'parameter_invalid_array_length');
        }
        const products = [];
        items.forEach((item, i) => {
            if (!item.quantity) throw invalid(`Missing required param: line_items[${i}][quantity].`, `line_items[${i}][quantity]`);
            if (item.price) {
                const price = state.prices.get(item.price);
                if (!price) throw new StripeError(400, 'invalid_request_error', `No such price: '${item.price}'`, `line_items[${i}][price]`, 'resource_missing');
                if (mode === 'subscription' && !price.recurring) throw new StripeError(400, 'invalid_request_error', 'You must provide at least one recurring price in `subscription` mode when using prices.', `line_items[${i}][price]`);
                if (mode === 'payment' && price.recurring) throw new StripeError(400, 'invalid_request_error', 'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', `line_items[${i}][price]`);
                currency ??= price.currency;
                total += price.unit_amount * Number(item.quantity);
                products.push(price.product);
                return;
            }
            const pd = item.price_data;
            if (!pd) throw invalid(`Missing required param: line_items[${i}][price_data].`, `line_items[${i}][price_data]`);
            if (!pd.currency) throw invalid(`Missing required param: line_items[${i}][price_data][currency].`, `line_items[${i}][price_data][currency]`);
            if (pd.unit_amount === undefined || !/^\d+$/.test(pd.unit_amount)) throw invalid(`Invalid integer: line_items[${i}][price_data][unit_amount].`, `line_items[${i}][price_data][unit_amount]`);
            if (!pd.product && !(pd.product_data && pd.product_data.name)) throw invalid(`Missing required param: line_items[${i}][price_data][product_data][name].`, `line_items[${i}][price_data][product_data][name]`);
            if (Number(pd.unit_amount) > MAX_AMOUNT) {
                throw new StripeError(400, 'invalid_request_error', `This value must be less than or equal to ${MAX_AMOUNT} (it currently is '${pd.unit_amount}').`, `line_items[${i}][price_data][unit_amount]`, 'parameter_invalid_integer');
            }
            products.push(pd.product ?? id('prod'));  // product_data makes a new product
            currency ??= pd.currency;
            total += Number(pd.unit_amount) * Number(item.quantity);
        });
        if (p.expires_at !== undefined) {
            // Measured from the moment the request is received, to the second, with no allowance.
            const e = Number(p.expires_at);
            if (!Number.isInteger(e) || e < now() + 1800) throw new StripeError(400, 'invalid_request_error', 'The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at', 'parameter_invalid_integer');
            if (e > now() + 86400) throw new StripeError(400, 'invalid_request_error', 'The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at', 'parameter_invalid_integer');
        }
        for (const d of p.discounts ?? []) checkAppliesTo(state.promotionCodes.get(d.promotion_code), products, 'discounts');
        const subtotal = total;
        total = Math.round(total * (100 - discountPercent) / 100);
        if (mode === 'payment') checkAmount(total, currency);
        const s = {
            ...clone(fixtures['checkout.session']),
            id: id('cs'), object: 'checkout.session', mode, status: 'open', payment_status: 'unpaid', created: now(),
            expires_at: Number(p.expires_at ?? now() + 86400), success_url: p.success_url, cancel_url: p.cancel_url ?? null,
            client_reference_id: p.client_reference_id ?? null, metadata: p.metadata ?? {}, currency, amount_subtotal: subtotal, amount_total: total,
            // The methods the page offers: those asked for, else the account's (cards here).
            payment_method_types: p.payment_method_types ?? ['card'],
            total_details: { amount_discount: subtotal - total, amount_shipping: 0, amount_tax: 0 }, allow_promotion_codes: p.allow_promotion_codes === 'true' ? true : null,
            customer_creation: p.customer_creation ?? null,
            customer: p.customer ?? null, customer_email: p.customer_email ?? null, invoice: null, payment_intent: null, subscription: null,
            invoice_creation: { enabled: p.invoice_creation?.enabled === 'true', invoice_data: clone(fixtures['checkout.session'].invoice_creation?.invoice_data ?? {}) },
            url: null, line_items_sim: items, products_sim: products, payment_intent_metadata: p.payment_intent_data?.metadata ?? {},
            subscription_metadata: p.subscription_data?.metadata ?? {}, discounts: p.discounts ?? [],
            invoice_metadata: p.invoice_creation?.invoice_data?.metadata ?? {},
        };
        s.url = `https://checkout.stripe.com/c/pay/${s.id}`;
        state.sessions.set(s.id, s);
        return publicSession(s);
    }

    function publicSession(s) {
        const { line_items_sim, products_sim, payment_intent_metadata, subscription_metadata, invoice_metadata, ...rest } = s;
        return clone(rest);
    }

    function getSession(sid) {
        const s = state.sessions.get(sid);
        if (!s) throw new StripeError(404, 'invalid_request_error', `No such checkout.session: '${sid}'`, 'id', 'resource_missing');
        return publicSession(s);
    }

    function expireSession(sid, viaApi) {
        const s = state.sessions.get(sid);
        if (!s) throw new StripeError(404, 'invalid_request_error', `No such checkout.session: '${sid}'`, 'id', 'resource_missing');
        if (s.status !== 'open') throw new StripeError(400, 'invalid_request_error', `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`);
        s.status = 'expired';
        s.url = null;
        const event = makeEvent('checkout.session.expired', publicSession(s));
        if (viaApi) queueMicrotask(() => deliver([event]));
        return viaApi ? publicSession(s) : event;
    }

    function createRefund(p) {
        const pi = state.paymentIntents.get(p.payment_intent ?? '');
        if (!p.payment_intent && !p.charge) throw invalid('One of the following params should be provided for this request: payment_intent or charge.', 'payment_intent');
        if (!pi) throw new StripeError(400, 'invalid_request_error', `No such payment_intent: '${p.payment_intent}'`, 'payment_intent', 'resource_missing');
        const remaining = pi.amount - pi.amount_refunded;
        const amount = p.amount !== undefined ? Number(p.amount) : remaining;
        if (!(amount > 0) || amount > remaining) throw new StripeError(400, 'invalid_request_error', `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, 'amount', 'amount_too_large');
        pi.amount_refunded += amount;
        const refund = { ...clone(fixtures.refund), id: id('re'), amount, charge: pi.charge, payment_intent: pi.id, currency: pi.currency, created: now(), metadata: p.metadata ?? {}, reason: p.reason ?? null, status: 'succeeded' };
        state.refunds.set(refund.id, refund);
        const charge = chargeOf(pi);
        queueMicrotask(() => deliver([makeEvent('charge.refunded', charge), makeEvent('refund.created', refund)]));
        return refund;
    }

    /// A total the card networks take: at least the currency's minimum (a free order is fine), at most eight digits.
    function checkAmount(total, currency) {
        const min = MINIMUM_CHARGE[currency];
        if (total > 0 && min !== undefined && total < min) {
            throw new StripeError(400, 'invalid_request_error', `The Checkout Session's total amount due must add up to at least ${formatMinor(min, currency)}`, null, 'amount_too_small');
        }
        if (total > MAX_AMOUNT) {
            throw new StripeError(400, 'invalid_request_error', `The Checkout Session's total amount due must be no more than ${formatMinor(MAX_AMOUNT, currency)}`, null, 'amount_too_large');
        }
    }

    /// A coupon restricted with applies_to[products] discounts only those products: a code whose coupon
    /// covers none of the session's items is refused.
    function checkAppliesTo(promo, products, param) {
        const only = promo?.coupon?.applies_to?.products;
        if (only && !products.some((prod) => only.includes(prod))) {
            throw new StripeError(400, 'invalid_request_error', `This promotion code cannot be redeemed because the associated coupon is not valid for any of the items in this Checkout Session.`, param);
        }
    }

    /// The member types a promotion code on the hosted page (allow_promotion_codes): applied, or refused as Checkout would.
    function enterPromotionCode(sid, code) {
        const s = state.sessions.get(sid);
        if (!s) throw new StripeError(404, 'invalid_request_error', `No such checkout.session: '${sid}'`, 'id', 'resource_missing');
        if (!s.allow_promotion_codes) throw new StripeError(400, 'invalid_request_error', 'This Checkout Session does not accept promotion codes.', 'promotion_code');
        const promo = [...state.promotionCodes.values()].find((x) => x.code === code);
        if (!promo || !promo.active || (promo.expires_at && promo.expires_at <= now())) {
            throw new StripeError(400, 'invalid_request_error', 'This code is invalid.', 'promotion_code', 'resource_missing');
        }
        checkAppliesTo(promo, s.products_sim, 'promotion_code');
        s.discounts = [{ promotion_code: promo.id }];
        s.amount_total = Math.round(s.amount_subtotal * (100 - (promo.coupon.percent_off ?? 0)) / 100);
        s.total_details = { ...s.total_details, amount_discount: s.amount_subtotal - s.amount_total };
        return publicSession(s);
    }

    function createCoupon(p) {
        if (!p.percent_off && !p.amount_off) throw invalid('Must provide one of percent_off or amount_off.', 'percent_off');
        if (p.amount_off && !p.currency) throw invalid('Missing required param: currency.', 'currency');
        if (p.id && state.coupons.has(p.id)) throw new StripeError(400, 'invalid_request_error', 'Coupon already exists.', 'id', 'resource_already_exists');
        return store(state.coupons, { ...clone(fixtures.coupon), id: p.id ?? id('co'), percent_off: p.percent_off ? Number(p.percent_off) : null, amount_off: p.amount_off ? Number(p.amount_off) : null, currency: p.currency ?? null, duration: p.duration ?? 'once', redeem_by: p.redeem_by ? Number(p.redeem_by) : null, max_redemptions: p.max_redemptions ? Number(p.max_redemptions) : null, times_redeemed: 0, valid: true, metadata: p.metadata ?? {}, created: now(),
            applies_to: p.applies_to?.products ? { products: Object.values(p.applies_to.products) } : undefined });
    }

    function createPromotionCode(p) {
        const coupon = p.coupon ?? p.promotion?.coupon;
        if (!coupon) throw invalid('Missing required param: coupon.', 'coupon');
        if (!state.coupons.has(coupon)) throw new StripeError(400, 'invalid_request_error', `No such coupon: '${coupon}'`, 'coupon', 'resource_missing');
        // A code is unique among the active promotion codes (case-insensitive).
        if (p.code && [...state.promotionCodes.values()].some((c) => c.active && c.code.toUpperCase() === String(p.code).toUpperCase())) {
            throw new StripeError(400, 'invalid_request_error', 'An active promotion code with `code: ' + p.code + '` already exists.', 'code', 'resource_already_exists');
        }
        return store(state.promotionCodes, { ...clone(fixtures.promotion_code), id: id('promo'), code: p.code ?? randomBytes(4).toString('hex').toUpperCase(), coupon: state.coupons.get(coupon), active: true, expires_at: p.expires_at ? Number(p.expires_at) : null, max_redemptions: p.max_redemptions ? Number(p.max_redemptions) : null, times_redeemed: 0, metadata: p.metadata ?? {}, created: now() });
    }

    // Update a promotion code: by design only `active`, `metadata` and `restrictions` can change; a code can be
    // reactivated only while its coupon is still valid and the code otherwise redeemable.
    function updatePromotionCode(pid, p) {
        const promo = state.promotionCodes.get(pid);
        if (!promo) throw new StripeError(404, 'invalid_request_error', `No such promotion code: '${pid}'`, 'id', 'resource_missing');
        for (const key of Object.keys(p)) {
            if (!['active', 'metadata', 'restrictions', 'expand'].includes(key)) throw new StripeError(400, 'invalid_request_error', `Received unknown parameter: ${key}`, key, 'parameter_unknown');
        }
        if (p.active !== undefined) {
            if (p.active !== 'true' && p.active !== 'false') throw new StripeError(400, 'invalid_request_error', 'Invalid boolean: ' + p.active, 'active', 'parameter_invalid_boolean');
            const active = p.active === 'true';
            if (active && !promo.active && promo.expires_at && promo.expires_at <= now()) {
                throw new StripeError(400, 'invalid_request_error', 'This promotion code cannot be reactivated because it has expired.', 'active');
            }
            promo.active = active;
        }
        if (p.metadata) promo.metadata = { ...promo.metadata, ...p.metadata };
        return clone(promo);
    }

    function chargeOf(pi) {
        return { ...clone(fixtures.charge), id: pi.charge, amount: pi.amount, amount_captured: pi.amount, amount_refunded: pi.amount_refunded, refunded: pi.amount_refunded >= pi.amount, currency: pi.currency, payment_intent: pi.id, metadata: clone(pi.metadata), paid: true, captured: true, status: 'succeeded', created: now() };
    }

    function makeEvent(type, object) {
        const e = { ...clone(fixtures.event), id: id('evt'), type, created: now(), api_version: '2024-06-20', data: { object }, pending_webhooks: 1, request: { id: null, idempotency_key: null } };
        state.events.push(e);
        return e;
    }

    /// Pays (or fails, or leaves pending for an asynchronous method) an open session; returns the events.
    function pay(sid, { outcome = 'paid' } = {}) {
        const s = state.sessions.get(sid);
        if (!s) throw new Error(`no session ${sid}`);
        if (s.status !== 'open') throw new Error(`session ${sid} is ${s.status}`);
        if (!s.customer && (s.mode === 'subscription' || s.customer_creation === 'always')) {
            const customer = { ...clone(fixtures.customer), id: id('cus'), email: null, name: null, metadata: {}, created: now() };
            state.customers.set(customer.id, customer);
            s.customer = customer.id;
        }
        if (s.mode === 'subscription') return paySubscription(s);
        const pi = { id: id('pi'), charge: id('ch'), amount: s.amount_total, amount_refunded: 0, currency: s.currency, metadata: clone(s.payment_intent_metadata) };
        state.paymentIntents.set(pi.id, pi);
        s.status = 'complete';
        s.payment_intent = pi.id;
        s.url = null;
        if (s.invoice_creation.enabled) {
            // Checkout's post-payment invoice: paid, with a hosted page and a PDF.
            const inv = { ...clone(fixtures.invoice), id: id('in'), status: 'paid', paid: true, amount_due: s.amount_total, amount_paid: s.amount_total,
                amount_remaining: 0, total: s.amount_total, currency: s.currency, customer: s.customer, payment_intent: pi.id, subscription: null,
                metadata: clone(s.invoice_metadata ?? {}), created: now() };
            inv.hosted_invoice_url = `https://invoice.stripe.com/i/acct_sim/${inv.id}`;
            inv.invoice_pdf = `https://pay.stripe.com/invoice/acct_sim/${inv.id}/pdf`;
            state.invoices.set(inv.id, inv);
            s.invoice = inv.id;
        }
        const events = [];
        if (outcome === 'paid') {
            s.payment_status = 'paid';
            events.push(makeEvent('checkout.session.completed', publicSession(s)));
        } else {
            s.payment_status = 'unpaid';
            events.push(makeEvent('checkout.session.completed', publicSession(s)));
            if (outcome === 'async_succeeded') {
                s.payment_status = 'paid';
                events.push(makeEvent('checkout.session.async_payment_succeeded', publicSession(s)));
            } else if (outcome === 'async_failed') {
                events.push(makeEvent('checkout.session.async_payment_failed', publicSession(s)));
            }
        }
        return events;
    }

    /// Checkout in subscription mode: the subscription (its first period paid), its invoice, and the events
    /// Stripe sends for them.
    function paySubscription(s) {
        const item = s.line_items_sim[0];
        const price = state.prices.get(item.price);
        const start = now();
        const sub = {
            ...clone(fixtures.subscription), id: id('sub'), object: 'subscription', customer: s.customer, status: 'active', created: start, start_date: start,
            metadata: clone(s.subscription_metadata), cancel_at_period_end: false, canceled_at: null, ended_at: null, cancel_at: null, currency: s.currency,
            current_period_start: start, current_period_end: start + MONTH, latest_invoice: null, discounts: [], schedule: null, test_clock: null,
            items: { object: 'list', has_more: false, url: '/v1/subscription_items', data: [] },
        };
        setPrice(sub, price);
        state.subscriptions.set(sub.id, sub);
        s.status = 'complete';
        s.payment_status = 'paid';
        s.subscription = sub.id;
        s.url = null;
        const invoice = subscriptionInvoice(sub, s.amount_total, 'paid', 'subscription_create');
        s.invoice = invoice.id;
        return [makeEvent('customer.subscription.created', clone(sub)), makeEvent('invoice.paid', clone(invoice)),
            makeEvent('checkout.session.completed', publicSession(s))];
    }

    function setPrice(sub, price) {
        sub.items.data = [{ ...clone(fixtures.subscription.items.data[0]), id: id('si'), subscription: sub.id, quantity: 1, price: clone(price),
            current_period_start: sub.current_period_start, current_period_end: sub.current_period_end, metadata: {} }];
        sub.plan = null;
    }

    function subscriptionInvoice(sub, amount, status, reason) {
        const paid = status === 'paid';
        const inv = { ...clone(fixtures.invoice), id: id('in'), customer: sub.customer, subscription: sub.id, status, paid, billing_reason: reason,
            amount_due: amount, amount_paid: paid ? amount : 0, amount_remaining: paid ? 0 : amount, total: amount, currency: sub.currency,
            period_start: sub.current_period_start, period_end: sub.current_period_end, attempt_count: 1, created: now(), metadata: {},
            subscription_details: { metadata: clone(sub.metadata) },
            parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: sub.id, metadata: clone(sub.metadata) } },
            lines: { object: 'list', has_more: false, url: '/v1/invoices/lines', data: [{ ...clone(fixtures.invoice.lines.data[0]), amount, currency: sub.currency,
                period: { start: sub.current_period_start, end: sub.current_period_end }, subscription: sub.id }] } };
        inv.hosted_invoice_url = `https://invoice.stripe.com/i/acct_sim/${inv.id}`;
        inv.invoice_pdf = `https://pay.stripe.com/invoice/acct_sim/${inv.id}/pdf`;
        state.invoices.set(inv.id, inv);
        sub.latest_invoice = inv.id;
        return inv;
    }

    function subscription(sid) {
        const sub = state.subscriptions.get(sid);
        if (!sub) throw new Error(`no subscription ${sid}`);
        return sub;
    }

    /// The lifecycle a real subscription goes through, each returning its events.
    const lifecycle = {
        renew(sub) {  // the next period is paid
            sub.current_period_start = sub.current_period_end;
            sub.current_period_end += MONTH;
            sub.status = 'active';
            setPrice(sub, sub.items.data[0].price);
            const inv = subscriptionInvoice(sub, sub.items.data[0].price.unit_amount, 'paid', 'subscription_cycle');
            return [makeEvent('invoice.paid', clone(inv)), makeEvent('customer.subscription.updated', clone(sub))];
        },
        fail(sub) {  // the renewal's payment fails
            sub.status = 'past_due';
            const inv = subscriptionInvoice(sub, sub.items.data[0].price.unit_amount, 'open', 'subscription_cycle');
            return [makeEvent('invoice.payment_failed', clone(inv)), makeEvent('customer.subscription.updated', clone(sub))];
        },
        action(sub) {  // the renewal needs the member's authentication (3-D Secure): past due until confirmed
            sub.status = 'past_due';
            const inv = subscriptionInvoice(sub, sub.items.data[0].price.unit_amount, 'open', 'subscription_cycle');
            return [makeEvent('invoice.payment_action_required', clone(inv)), makeEvent('customer.subscription.updated', clone(sub))];
        },
        update(sub, body) {  // what the Customer Portal does: change the price, cancel at period end, or resume
            if (body.price) {
                const price = state.prices.get(body.price);
                if (!price) throw new Error(`no price ${body.price}`);
                setPrice(sub, price);
            }
            if ('cancel_at_period_end' in body) {
                sub.cancel_at_period_end = !!body.cancel_at_period_end;
                sub.cancel_at = sub.cancel_at_period_end ? sub.current_period_end : null;
                sub.canceled_at = sub.cancel_at_period_end ? now() : null;
            }
            return [makeEvent('customer.subscription.updated', clone(sub))];
        },
        delete(sub) {  // the end: at period end after a cancel, or after failed retries
            sub.status = 'canceled';
            sub.ended_at = now();
            sub.canceled_at ??= now();
            return [makeEvent('customer.subscription.deleted', clone(sub))];
        },
    };

    function sign(body, t = now(), secret = state.webhookSecret) {
        return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
    }

    /// Delivers events to the webhook URL, each retried on non-2xx (Stripe retries for days; here every
    /// retryDelayMs, maxRetries times). duplicates: extra copies of each; reorder: the list reversed.
    async function deliver(events, { duplicates = 0, reorder = false } = {}) {
        if (state.holdEvents) {
            state.held.push(...events);
            return [];
        }
        let list = reorder ? [...events].reverse() : events;
        list = list.flatMap((e) => Array(duplicates + 1).fill(e));
        const results = [];
        for (const e of list) results.push(await deliverOne(e));
        return results;
    }

    async function deliverOne(event) {
        const body = JSON.stringify(event, null, 2);
        for (let attempt = 1; ; attempt++) {
            let status = 0;
            try {
                const res = await fetch(state.webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': sign(body), 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' }, body });
                status = res.status;
                await res.text();
            } catch {
                status = 0;
            }
            state.deliveries.push({ event: event.id, type: event.type, attempt, status });
            if (status >= 200 && status < 300) return { event: event.id, status, attempts: attempt };
            if (attempt > state.maxRetries) return { event: event.id, status, attempts: attempt };
            await new Promise((r) => setTimeout(r, state.retryDelayMs));
        }
    }

    async function control(method, path, body) {
        let m;
        if (path === '/_sim/config') {
            for (const k of ['webhookUrl', 'webhookSecret', 'retryDelayMs', 'maxRetries', 'failNext', 'holdEvents', 'latencyMs']) if (k in body) state[k] = body[k];
            if ('clockOffset' in body) clockOffset = Number(body.clockOffset);
            return { ok: true };
        }
        if (path === '/_sim/prices') {  // the prices a Dashboard would hold
            const price = { ...clone(fixtures.price), id: body.id ?? id('price'), product: body.product ?? id('prod'), unit_amount: Number(body.unit_amount), currency: body.currency ?? 'eur',
                type: body.recurring ? 'recurring' : 'one_time', recurring: body.recurring ? { interval: 'month', interval_count: 1, usage_type: 'licensed', meter: null, trial_period_days: null } : null,
                active: true, metadata: {}, created: now() };
            state.prices.set(price.id, price);
            return price;
        }
        if ((m = path.match(/^\/_sim\/subscriptions\/([^/]+)\/(renew|fail|action|update|delete)$/))) {
            return deliver(lifecycle[m[2]](subscription(m[1]), body), body);
        }
        if ((m = path.match(/^\/_sim\/subscriptions\/([^/]+)$/))) return clone(subscription(m[1]));
        if ((m = path.match(/^\/_sim\/sessions\/([^/]+)\/pay$/))) return deliver(pay(m[1], body), body);
        if ((m = path.match(/^\/_sim\/sessions\/([^/]+)\/expire$/))) return deliver([expireSession(m[1], false)], body);
        if ((m = path.match(/^\/_sim\/sessions\/([^/]+)\/promotion_code$/))) return enterPromotionCode(m[1], body.code);
        if ((m = path.match(/^\/_sim\/payment_intents\/([^/]+)\/dispute$/))) {
            const pi = state.paymentIntents.get(m[1]);
            const dispute = { ...clone(fixtures.dispute), id: id('dp'), amount: pi.amount, charge: pi.charge, payment_intent: pi.id, currency: pi.currency, reason: body.reason ?? 'fraudulent', status: 'needs_response', created: now() };
            return deliver([makeEvent('charge.dispute.created', dispute)], body);
        }
        if (path === '/_sim/release') {
            const held = state.held;
            state.held = [];
            state.holdEvents = false;
            return deliver(held, body);
        }
        if (path === '/_sim/redeliver') return deliver(state.events.filter((e) => body.ids.includes(e.id)), body);
        if (path === '/_sim/sign') return { header: sign(body.body, body.t, body.secret) };
        if (path === '/_sim/sessions') return [...state.sessions.values()].map(publicSession);
        if (path === '/_sim/requests') return state.requests;
        if (path === '/_sim/deliveries') return state.deliveries;
        if (path === '/_sim/events') return state.events;
        throw new Error(`unknown control ${method} ${path}`);
    }

    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    return {
        base, state, secretKey, sign, deliver, pay,
        async control(path, body = {}) {
            const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
            return res.json();
        },
        async close() {
            server.closeAllConnections();
            await new Promise((r) => server.close(r));
        },
    };
}
