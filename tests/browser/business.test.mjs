// The panel runs the business, in French and in English: products (created, edited, deactivated, a bad
// price refused with nothing changed), promotions (created through the same service as !promo, ended now),
// plan grants (given and revoked with a reason), runtime settings as forms (a bad value refused), and the
// setup checklist with its links into the operations guide. Real maxis binary, Stripe and LLM simulators,
// Chromium; the chat side (the console) confirms each change.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Panel, auditPage, adminPage as signIn, press } from './harness.mjs';
import { startStripeSimulator } from '../sim/stripe/simulator.mjs';
import { startLlmSimulator } from '../sim/llm/simulator.mjs';

let panel;
let stripe;
let llm;
before(async () => {
    stripe = await startStripeSimulator({ secretKey: 'sk_test_business', webhookSecret: 'whsec_test_business' });
    llm = await startLlmSimulator({ apiKey: 'sk-llm-business' });
    for (const [id, amount] of [['price_pro', 999], ['price_ultra', 1999]]) {
        await stripe.control('/_sim/prices', { id, unit_amount: amount, currency: 'eur', recurring: true });
    }
    panel = await Panel.start({
        insecureHttp: true, require2fa: false,
        toml: `[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n[plans.pro]\nprice_id = "price_pro"\n[plans.ultra]\nprice_id = "price_ultra"\n` +
            `[assistant]\napi_base = "${llm.apiBase}"\nmodel = "sim-model"\n`,
        env: { MAXIS_STRIPE_SECRET_KEY: 'sk_test_business', MAXIS_STRIPE_WEBHOOK_SECRET: 'whsec_test_business', MAXIS_LLM_API_KEY: 'sk-llm-business' } });
});
after(async () => {
    await panel?.stop();
    await stripe?.close();
    await llm?.close();
});

/** An admin's page in a browser of its own, signed in with a one-time link, in the given language. */
const adminPage = (name, lang) => signIn(panel, name, lang);

/** GET through the page's own session. */
const get = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);
const console_ = (as, line, role) => panel.run(['console', '--as', as, ...(role ? ['--role', role] : [])], line + '\n');

async function open(page, name) {
    await page.goto(`${panel.origin}/admin-panel/${name}`);
    await page.waitForSelector('body[data-ready="true"]');
}

/** Submits a form and waits for its message box to say something new. */
const submit = (page, form, box) => press(page, `${form} button[type="submit"]`, box);

const productRow = (name) => `#products-table tr[data-name="${name}"]`;
const productsByName = async (page) => Object.fromEntries((await get(page, '/api/v1/products')).items.map((p) => [p.name, p]));

for (const [lang, words] of Object.entries({
    fr: { badPrice: /Prix invalide/, free: /gratuit/, unlimited: 'illimité', inactive: 'désactivé', price: '12,50\u00a0€', badPercent: /1 à 100/,
        badDuration: /10 minutes à 90 jours/, running: 'en cours', over: 'terminée', badMember: /Personne ne porte ce nom/, badReason: /raison/i, granted: 'offerte',
        nobody: /Personne/, badSetting: /de 1 à 100/, label: 'Tickets ouverts par membre', help: /attendre/, saved: /enregistré/,
        setupMissing: 'À faire', readOnly: /lecture seule/ },
    en: { badPrice: /Invalid price/, free: /free/, unlimited: 'unlimited', inactive: 'deactivated', price: '€12.50', badPercent: /1 to 100/,
        badDuration: /10 minutes to 90 days/, running: 'running', over: 'over', badMember: /Nobody has this name/, badReason: /reason/i, granted: 'granted',
        nobody: /Nobody/, badSetting: /from 1 to 100/, label: 'Open tickets per member', help: /wait/, saved: /saved/,
        setupMissing: 'To do', readOnly: /read-only/ },
})) {
    const poster = lang === 'fr' ? 'Affiche' : 'Poster';

    test(`${lang}: products are created with an image preview, edited, deactivated; a bad price is refused and changes nothing`, async () => {
        const page = await adminPage('boss-' + lang, lang);
        await open(page, 'products');
        await auditPage(page, assert, `products-${lang}`);
        await page.fill('#p-name', poster);
        await page.fill('#p-price', lang === 'fr' ? '9,99' : '9.99');
        await page.fill('#p-stock', '10');
        await page.fill('#p-category', 'art');
        await page.fill('#p-image', 'https://127.0.0.1:9/poster.png');
        assert.equal(await page.getAttribute('#p-preview', 'src'), 'https://127.0.0.1:9/poster.png', 'the preview shows the image URL');
        assert.equal(await page.isVisible('#p-preview'), true);
        const created = await submit(page, '#product-form', '#product-message');
        assert.equal(created.refused, false, created.text);
        await page.waitForSelector(productRow(poster));
        assert.equal((await productsByName(page))[poster].price_minor, 999);
        assert.equal(await page.getAttribute(`${productRow(poster)} img`, 'src'), 'https://127.0.0.1:9/poster.png');

        // A bad price and a forgotten price of 0 are refused in the page's language; nothing is sent.
        await page.click(`${productRow(poster)} button.edit`);
        await page.fill('#p-price', 'abc');
        let r = await submit(page, '#product-form', '#product-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badPrice);
        await page.fill('#p-price', '0');
        r = await submit(page, '#product-form', '#product-message');
        assert.ok(r.refused);
        assert.match(r.text, words.free);
        assert.equal((await productsByName(page))[poster].price_minor, 999, 'nothing changed');
        // The server keeps the same rule for anyone who skips the form.
        const direct = await page.evaluate(async () => {
            const me = await (await fetch('/admin-panel/api/me')).json();
            const res = await fetch('/api/v1/products', { method: 'POST', headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' },
                body: JSON.stringify({ name: 'Oubli', price_minor: 0 }) });
            return { status: res.status, body: await res.json() };
        });
        assert.equal(direct.status, 400);
        assert.equal(direct.body.error.key, 'shop.free_unconfirmed');

        // Edited: a new price, unlimited stock.
        await page.fill('#p-price', lang === 'fr' ? '12,50' : '12.50');
        await page.fill('#p-stock', '');
        r = await submit(page, '#product-form', '#product-message');
        assert.equal(r.refused, false, r.text);
        await page.waitForFunction(([row, price]) => document.querySelector(row)?.textContent.includes(price), [productRow(poster), words.price]);
        assert.match(await page.textContent(productRow(poster)), new RegExp(words.unlimited));
        let shop = await console_('member-' + lang, '!shop');
        assert.match(shop.stdout, new RegExp(poster), 'on sale in the chat');

        // Deactivated: no longer in the members' shop.
        await page.click(`${productRow(poster)} button.toggle`);
        await page.waitForFunction(([row, state]) => document.querySelector(row)?.textContent.includes(state), [productRow(poster), words.inactive]);
        assert.equal((await productsByName(page))[poster].active, false);
        shop = await console_('member-' + lang, '!shop');
        assert.doesNotMatch(shop.stdout, new RegExp(poster), 'deactivated: gone from the chat shop');

        // A free product, confirmed.
        const sticker = 'Sticker-' + lang;
        await page.fill('#p-name', sticker);
        await page.fill('#p-price', '0');
        await page.check('#p-free');
        r = await submit(page, '#product-form', '#product-message');
        assert.equal(r.refused, false, r.text);
        await page.waitForSelector(productRow(sticker));
        assert.equal((await productsByName(page))[sticker].price_minor, 0);
        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        await page.context().close();
    });

    test(`${lang}: a coin price is set in Products, shown in the list and the chat shop, and a member buys with coins through its button`, async () => {
        const coinWords = lang === 'fr'
            ? { coins: '250 pièces', only: 'pièces seulement', bad: /Prix en pièces invalide/ }
            : { coins: '250 coins', only: 'coins only', bad: /Invalid coin price/ };
        // The console speaks the community's language (French) whatever the panel's.
        const chat = { coins: '250 pièces', bought: /payée avec vos pièces/, left: /50 pièces/, short: /pas assez de pièces/, cartRefused: /seulement avec des pièces/ };
        const page = await adminPage('coins-boss-' + lang, lang);
        await open(page, 'products');
        const badge = 'Badge-' + lang;
        await page.fill('#p-name', badge);
        await page.fill('#p-coins', '250');
        await page.fill('#p-stock', '2');
        let r = await submit(page, '#product-form', '#product-message');
        assert.equal(r.refused, false, r.text);
        await page.waitForSelector(productRow(badge));
        const row = await page.textContent(productRow(badge));
        assert.ok(row.includes(coinWords.coins), row);
        assert.ok(row.includes(coinWords.only), row);
        const created = (await productsByName(page))[badge];
        assert.equal(created.coin_price, 250);
        assert.equal(created.price_minor, 0, 'coins only: no euro price, and not free');

        // A bad coin price is refused in the page's language; nothing is sent.
        await page.click(`${productRow(badge)} button.edit`);
        assert.equal(await page.inputValue('#p-coins'), '250');
        assert.equal(await page.inputValue('#p-price'), '');
        await page.fill('#p-coins', 'abc');
        r = await submit(page, '#product-form', '#product-message');
        assert.ok(r.refused);
        assert.match(r.text, coinWords.bad);
        assert.equal((await productsByName(page))[badge].coin_price, 250, 'nothing changed');
        await page.click('#p-cancel');

        // The chat shop shows the coin price and a "buy with coins" button, and no cart button for it.
        const member = 'coin-buyer-' + lang;
        const first = await console_(member, '!balance');
        assert.equal(first.code, 0, first.stderr);
        const shop = await console_(member, '!shop');
        assert.ok(shop.stdout.includes(chat.coins), shop.stdout);
        const button = shop.stdout.match(new RegExp(`\\[[^\\]]*${badge}[^\\]]*\\] (!buy_coins \\d+)`));
        assert.ok(button, shop.stdout);
        assert.doesNotMatch(shop.stdout, new RegExp(`!cart_add ${created.id}\\b`));
        const cart = await console_(member, `!cart_add ${created.id}`);
        assert.match(cart.stdout, chat.cartRefused);

        // Without coins: refused, nothing taken. With 300 coins from staff: bought, 50 left, one fewer in stock.
        let buy = await console_(member, button[1]);
        assert.match(buy.stdout, chat.short);
        assert.equal((await productsByName(page))[badge].stock, 2);
        const give = await console_('coins-staff-' + lang, `!coins_give ${member} 300 ${lang === 'fr' ? 'un cadeau' : 'a gift'}`, 'staff');
        assert.equal(give.code, 0, give.stderr + give.stdout);
        buy = await console_(member, button[1]);
        assert.match(buy.stdout, chat.bought);
        assert.match(buy.stdout, /MX-\d{4}-\d{6}/);
        assert.match((await console_(member, '!balance')).stdout, chat.left);
        assert.equal((await productsByName(page))[badge].stock, 1);
        const orders = await get(page, '/api/v1/orders?limit=100');
        const order = orders.items.find((o) => o.items.some((i) => i.name === badge));
        assert.equal(order.status, 'paid');
        assert.equal(order.currency, 'COINS');
        assert.equal(order.total_minor, 250);
        // !order_refund's amount is money (250 would read as 250.00): for a coin order it is refused, nothing moves.
        const partial = await console_('coins-staff-' + lang, `!order_refund ${order.number} 250`, 'staff');
        assert.match(partial.stdout, /payée en pièces : elle se rembourse en entier, sans montant/);
        assert.equal((await get(page, '/api/v1/orders/' + order.id)).status, 'paid');
        assert.match((await console_(member, '!balance')).stdout, /(^|\D)50 pièces/);
        // The Orders page and the order's detail count it in coins (COINS is no currency to format as money),
        // and its refund is whole: the coins go back at once, in words, not "asked of Stripe".
        await open(page, 'orders');
        await page.waitForSelector(`#orders-table tbody tr[data-id="${order.id}"]`);
        assert.ok((await page.textContent(`#orders-table tbody tr[data-id="${order.id}"]`)).includes(coinWords.coins));
        await page.click(`#orders-table tbody tr[data-id="${order.id}"] button`);
        await page.waitForFunction((n) => document.getElementById('order-title')?.textContent.includes(n), order.number);
        assert.equal(await page.textContent('#order-total'), coinWords.coins);
        assert.equal(await page.$('#refund-amount'), null, 'no amount for a coin refund');
        await page.click('#refund-form button');
        await page.waitForSelector('#order-detail .notice:not([hidden])');
        const refunded = await page.textContent('#order-detail .notice');
        assert.match(refunded, lang === 'fr' ? /pièces rendues au membre : 250 pièces/ : /coins given back to the member: 250 coins/);
        assert.doesNotMatch(refunded, /Stripe/);
        await page.waitForFunction((s) => document.getElementById('order-status')?.textContent.includes(s), lang === 'fr' ? 'remboursée' : 'refunded');
        assert.match((await console_(member, '!balance')).stdout, /300 pièces/);
        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        await page.context().close();
    });

    test(`${lang}: a promotion is created (the same service as !promo), listed with its uses and ended now`, async () => {
        const page = await adminPage('boss-' + lang, lang);
        await open(page, 'promotions');
        await auditPage(page, assert, `promotions-${lang}`);
        const before = (await get(page, '/api/v1/promotions')).items.length;
        await page.selectOption('#pr-plan', 'pro');
        await page.fill('#pr-percent', '150');
        let r = await submit(page, '#promo-form', '#promo-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badPercent);
        // Refused by the service (its duration rule), worded in the page's language.
        await page.fill('#pr-percent', '20');
        await page.fill('#pr-duration', '100');
        await page.selectOption('#pr-unit', 'days');
        r = await submit(page, '#promo-form', '#promo-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badDuration);
        assert.equal((await get(page, '/api/v1/promotions')).items.length, before, 'nothing created');

        await page.fill('#pr-duration', '2');
        r = await submit(page, '#promo-form', '#promo-message');
        assert.equal(r.refused, false, r.text);
        const promo = (await get(page, '/api/v1/promotions')).items[0];
        assert.equal(promo.percent_off, 20);
        assert.equal(promo.active, true);
        const row = `#promotions-table tr[data-code="${promo.code}"]`;
        await page.waitForSelector(row);
        assert.equal(await page.textContent(`${row} .state`), words.running);
        assert.equal(await page.textContent(`${row} .uses`), '0');
        // The chat's catalog offers it (the same promotions as !promo).
        assert.match((await console_('member-' + lang, '!plans')).stdout, new RegExp(promo.code));

        await page.click(`${row} button.expire`);
        await page.waitForFunction(([sel, over]) => document.querySelector(sel)?.textContent === over, [`${row} .state`, words.over]);
        assert.equal(await page.$(`${row} button.expire`), null);
        assert.equal((await get(page, '/api/v1/promotions')).items[0].active, false);
        assert.doesNotMatch((await console_('member-' + lang, '!plans')).stdout, new RegExp(promo.code), 'ended: no longer offered');
        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        await page.context().close();
    });

    test(`${lang}: a plan is granted to a member with a duration and a reason, listed with its state, then revoked`, async () => {
        const member = 'winner-' + lang;
        await console_(member, '!plans');
        const page = await adminPage('boss-' + lang, lang);
        const found = await get(page, '/admin-panel/api/users?q=' + member);
        const id = found.items.find((u) => u.name === member).id;
        await open(page, 'plans');
        await auditPage(page, assert, `plans-${lang}`);
        await page.fill('#g-member', 'abc');
        let r = await submit(page, '#grant-form', '#plan-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badMember);
        await page.fill('#g-member', member);  // by name: the directory knows the console's members
        await page.selectOption('#g-plan', 'ultra');
        await page.fill('#g-duration', '3');
        r = await submit(page, '#grant-form', '#plan-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badReason);
        assert.equal((await get(page, `/api/v1/members/${id}/plan`)).plan.id, 'free', 'nothing granted');

        await page.fill('#g-reason', 'concours');
        r = await submit(page, '#grant-form', '#plan-message');
        assert.equal(r.refused, false, r.text);
        const row = `section[data-plan="ultra"] tr[data-user="${id}"]`;
        await page.waitForSelector(row);
        assert.equal(await page.textContent(`${row} .state`), words.granted);
        assert.match(await page.textContent(`${row} .reason`), /concours/);
        assert.equal(await page.textContent(`${row} .reason .person .name`), 'boss-' + lang, 'the granter by name');
        assert.match((await console_(member, '!subscription')).stdout, /Ultra/);

        r = await press(page, `${row} form.revoke button`, '#plan-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badReason, 'a revoke needs a reason too');
        assert.equal((await get(page, `/api/v1/members/${id}/plan`)).plan.id, 'ultra', 'nothing revoked');
        await page.fill(`${row} form.revoke input`, 'erreur de tirage');
        await page.click(`${row} form.revoke button`);
        await page.waitForFunction((sel) => !document.querySelector(sel), row);
        assert.match(await page.textContent('section[data-plan="ultra"]'), words.nobody);
        const standing = await get(page, `/api/v1/members/${id}/plan`);
        assert.equal(standing.plan.id, 'free');
        assert.equal(standing.grants[0].status, 'revoked');
        assert.equal(standing.grants[0].end, 'revoked');
        assert.match(standing.grants[0].end_reason, /erreur de tirage/);
        assert.ok(standing.people[standing.grants[0].ended_by].name, 'the revoker is named');

        // The member's card: the grant's reason and end, by whom; and the coins the team gave, in words.
        const gift = await console_('boss-' + lang, `!coins_give ${member} 25 ${lang === 'fr' ? 'merci pour le tournoi' : 'thanks for the tournament'}`, 'admin');
        assert.equal(gift.code, 0, gift.stderr);
        await page.goto(`${panel.origin}/admin-panel/users?id=${id}`);
        await page.waitForSelector('#member-coin-entries');
        const why = await page.textContent('#member-grants tbody tr td.why');
        assert.match(why, /concours/);
        assert.match(why, lang === 'fr' ? /retirée par boss-fr : erreur de tirage/ : /revoked by boss-en : erreur de tirage/);
        assert.equal(await page.textContent('#member-coins'), lang === 'fr' ? '25 pièces' : '25 coins');
        assert.match(await page.textContent('#member-coin-entries tbody'), lang === 'fr' ? /\+25 pièces.*don de l’équipe.*boss-fr.*merci pour le tournoi/ : /\+25 coins.*gift from the team.*boss-en.*thanks for the tournament/);
        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        await page.context().close();
    });

    test(`${lang}: settings are forms with labels, help and units; a bad value is refused and changes nothing`, async () => {
        const page = await adminPage('boss-' + lang, lang);
        await open(page, 'settings');
        await auditPage(page, assert, `settings-${lang}`);
        const form = 'form[data-key="tickets.max_open_per_member"]';
        assert.match(await page.textContent(`fieldset[data-section="tickets"] legend`), /Tickets/);
        assert.equal(await page.textContent(`${form} label.setting-label`), words.label);
        assert.match(await page.textContent(`${form} .help`), words.help);
        const value = async () => (await get(page, '/admin-panel/api/settings')).runtime.find((s) => s.key === 'tickets.max_open_per_member').value;
        const was = await value();
        await page.fill('#setting-tickets-max-open-per-member', '500');
        let r = await submit(page, form, '#settings-message');
        assert.ok(r.refused);
        assert.match(r.text, words.badSetting);
        assert.equal(await value(), was, 'nothing changed');
        const next = was === '4' ? '5' : '4';
        await page.fill('#setting-tickets-max-open-per-member', next);
        r = await submit(page, form, '#settings-message');
        assert.equal(r.refused, false, r.text);
        assert.match(r.text, words.saved);
        assert.equal(await value(), next);
        // The others are read-only, grouped, with secrets as set/unset and a link to the guide.
        assert.match(await page.textContent('#s-effective'), words.readOnly);
        const effective = await page.textContent('#effective-table');
        assert.match(effective, /MAXIS_STRIPE_SECRET_KEY\s*\(set\)/);
        assert.doesNotMatch(effective, /sk_test_business/);
        assert.ok(await page.$('#effective-table a[href="/admin-panel/docs"]'));
        assert.equal(await page.$('#effective-table input'), null, 'read-only');
        await page.context().close();
    });

    test(`${lang}: the dashboard's setup checklist says what is missing, links to the guide and sends only booleans`, async () => {
        const page = await adminPage('boss-' + lang, lang);
        await open(page, 'dashboard');
        const setup = await get(page, '/admin-panel/api/setup');
        assert.deepEqual(Object.fromEntries(setup.items.map((i) => [i.id, i.done])),
            { discord: false, stripe_keys: true, stripe_webhook: true, llm: true, two_factor: false });
        for (const item of setup.items) assert.deepEqual(Object.keys(item).sort(), ['doc', 'done', 'id']);
        assert.doesNotMatch(JSON.stringify(setup), /sk_test|whsec|sk-llm/);
        assert.equal(await page.textContent('#setup-checklist li[data-item="discord"] .badge'), words.setupMissing);
        assert.equal(await page.$('#setup-checklist li[data-item="stripe_keys"] a'), null, 'done: no link');
        await page.click('#setup-checklist li[data-item="discord"] a');
        await page.waitForURL('**/admin-panel/docs#setup-discord');
        await page.waitForSelector('body[data-ready="true"]');
        assert.equal(await page.evaluate(() => document.activeElement?.id), 'setup-discord', 'the guide opens at its section');
        for (const item of setup.items) assert.ok(await page.$(`#doc [id="${item.doc}"]`), `the guide has a section ${item.doc}`);
        await auditPage(page, assert, `docs-${lang}`);
        await page.context().close();
    });
}
