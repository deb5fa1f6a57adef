// The panel's Pre-orders page, in French and in English: an item created through the form (a release date in the
// past refused, nothing created; the release typed in the community's time reaches the server as that instant),
// listed with its status, release and tiers; a tier edited before the first sale; sales opened; a seat bought
// through the REST API and paid on the Stripe simulator (its signed webhook) shows in the chart (cumulative seats per
// tier per day), the revenue and the buyers list by name; the CSV export downloads with the buyer's name; cancelling
// asks first and says everyone is refunded (« Non » changes nothing). No axe violation, no sideways scroll at 390 px,
// no id or raw key shown, no console or page error. Real maxis binary and SQLite file, Stripe simulator, Chromium.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Panel, adminPage, auditPage, press } from './harness.mjs';
import { startStripeSimulator } from '../sim/stripe/simulator.mjs';

const ZONE = 'Europe/Paris';
let panel;
let stripe;
before(async () => {
    stripe = await startStripeSimulator({ secretKey: 'sk_test_preorders', webhookSecret: 'whsec_test_preorders' });
    panel = await Panel.start({
        insecureHttp: true, require2fa: false,
        toml: `[community]\ntime_zone = "${ZONE}"\n[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n`,
        env: { MAXIS_STRIPE_SECRET_KEY: 'sk_test_preorders', MAXIS_STRIPE_WEBHOOK_SECRET: 'whsec_test_preorders' } });
    await stripe.control('/_sim/config', { webhookUrl: `${panel.origin}/stripe/webhook`, retryDelayMs: 200, maxRetries: 10 });
});
after(async () => {
    await panel?.stop();
    await stripe?.close();
});

const get = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

async function open(page, query = '') {
    await page.goto(`${panel.origin}/admin-panel/preorders${query}`);
    await page.waitForSelector('body[data-ready="true"]');
}

/** What an admin reads in the page's main part: never an id (15 to 20 digits), a raw key nor a value left unsaid. */
async function noIdsNorKeys(page, where) {
    const text = await page.evaluate(() => document.querySelector('main').innerText);
    assert.deepEqual(text.match(/\b(?:null|undefined|NaN)\b/g) ?? [], [], `${where}: a missing value shown`);
    assert.deepEqual(text.match(/\b\d{15,20}\b/g) ?? [], [], `${where}: ids shown`);
    assert.deepEqual(text.match(/\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\.[a-z_]+\b/g) ?? [], [], `${where}: raw keys shown`);
}

const nextYear = new Date().getUTCFullYear() + 1;

for (const [lang, words] of Object.entries({
    fr: { item: 'Figurine dorée', price: '59,99', buyer: 'alice', badRelease: /date et une heure de sortie à venir/, draft: 'brouillon', open: 'en vente',
        cancelled: 'annulée', paid: 'payée', tierPrice: '41,99\u00a0€', edited: 'Lève-tôt', created: /créée en brouillon/, saved: /enregistrée/,
        sure: /tous les acheteurs seront remboursés/, seatsDown: /ne peut pas baisser/, csv: 'Exporter en CSV', refunding: /^rembours/, countdown: /^dans \d+ jours$/ },
    en: { item: 'Golden figure', price: '59.99', buyer: 'bob', badRelease: /release date and time still to come/, draft: 'draft', open: 'on sale',
        cancelled: 'cancelled', paid: 'paid', tierPrice: '€41.99', edited: 'Early riser', created: /created as a draft/, saved: /saved/,
        sure: /every buyer will be refunded/, seatsDown: /cannot go down/, csv: 'Export CSV', refunding: /refunded$/, countdown: /^in \d+ days$/ },
})) {
    test(`${lang}: create, list with tiers, edit a tier before the first sale, a paid sale in the chart and the buyers, CSV, cancel`, async () => {
        const page = await adminPage(panel, 'boss-' + lang, lang);
        await open(page);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        const before = (await get(page, '/api/v1/preorders?all=1')).items.length;

        // The form comes with the four default tiers.
        const tiers = await page.$$eval('#po-tiers-form fieldset', (sets) => sets.map((f) => [...f.querySelectorAll('input')].map((i) => i.value)));
        assert.deepEqual(tiers, [['Early Bird', '30', '20'], ['Founder', '20', '50'], ['Supporter', '10', '100'], ['Regular', '0', '']]);

        // A release date in the past is refused in the page's language, and nothing is created.
        await page.fill('#po-name', words.item);
        await page.fill('#po-price', words.price);
        await page.fill('#po-release', '2020-01-15T18:00');
        const refused = await press(page, '#po-form button[type="submit"]', '#po-message');
        assert.equal(refused.refused, true, refused.text);
        assert.match(refused.text, words.badRelease);
        assert.equal((await get(page, '/api/v1/preorders?all=1')).items.length, before, 'nothing created');

        // 18:00 on 15 January in Paris is 17:00 UTC (winter time): the server gets that instant.
        await page.fill('#po-release', `${nextYear}-01-15T18:00`);
        await page.fill('#po-description', lang === 'fr' ? 'Édition limitée, peinte à la main.' : 'Limited edition, hand painted.');
        await page.fill('#po-delivery', lang === 'fr' ? 'Retrait au local avec votre numéro.' : 'Collect it with your number.');
        await page.fill('#po-limit', '2');
        const created = await press(page, '#po-form button[type="submit"]', '#po-message');
        assert.equal(created.refused, false, created.text);
        assert.match(created.text, words.created);
        const items = (await get(page, '/api/v1/preorders?all=1')).items;
        const item = items.find((x) => x.name === words.item);
        assert.ok(item, 'created: ' + JSON.stringify(items));
        assert.equal(Date.parse(item.release_at), Date.UTC(nextYear, 0, 15, 17, 0), item.release_at);
        assert.equal(item.price_minor, 5999);
        assert.equal(item.per_member_limit, 2);
        assert.equal(item.status, 'draft');

        // Listed: its status, the release in the community's time, a countdown in words, and its tiers.
        const row = `#preorders-table tr[data-item="${item.id}"]`;
        await page.waitForSelector(row);
        assert.equal(await page.textContent(`${row} td.state`), words.draft);
        const releaseShown = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short', timeZone: ZONE }).format(new Date(item.release_at));
        assert.equal(await page.textContent(`${row} td.release`), releaseShown);
        assert.match(await page.textContent(`${row} td.countdown`), words.countdown);
        assert.deepEqual(await page.$$eval(`${row} td.tiers li`, (lis) => lis.map((li) => li.textContent)),
            ['Early Bird 0/20', 'Founder 0/50', 'Supporter 0/100', 'Regular 0']);

        // Before the first sale, a tier changes: Early Bird renamed, down to 2 seats.
        await page.click(`${row} button`);
        await page.waitForFunction((n) => document.getElementById('po-title')?.textContent === n, words.item);
        assert.equal(await page.textContent('#po-status'), words.draft);
        await page.click('#po-edit');
        assert.equal(await page.inputValue('#po-release'), `${nextYear}-01-15T18:00`, 'the release in the community\u2019s time');
        await page.fill('#po-tier-0-name', words.edited);
        await page.fill('#po-tier-0-seats', '2');
        const saved = await press(page, '#po-form button[type="submit"]', '#po-message');
        assert.equal(saved.refused, false, saved.text);
        assert.match(saved.text, words.saved);
        const edited = await get(page, `/api/v1/preorders/${item.id}`);
        assert.deepEqual(edited.tiers.map((x) => [x.name, x.discount_percent, x.seats, x.price_minor]),
            [[words.edited, 30, 2, 4199], ['Founder', 20, 50, 4799], ['Supporter', 10, 100, 5399], ['Regular', 0, null, 5999]]);
        assert.equal(edited.release_at, item.release_at, 'only the tiers were sent: the release did not move');

        // Sales open.
        await page.click('#po-open');
        await page.waitForFunction((s) => document.getElementById('po-status')?.textContent === s, words.open);
        assert.equal(await page.textContent(`${row} td.state`), words.open);
        assert.equal((await get(page, `/api/v1/preorders/${item.id}`)).status, 'open');

        // A member (known by name from the chat) buys through the API with their token, and pays on Stripe.
        const said = await panel.run(['console', '--as', words.buyer], '!preorder\n');
        assert.equal(said.code, 0, said.stderr);
        const token = await panel.run(['token', 'create', '--as', words.buyer]);
        assert.equal(token.code, 0, token.stderr);
        const bearer = { authorization: 'Bearer ' + token.stdout.split('\n')[0].trim(), 'content-type': 'application/json' };
        const bought = await fetch(`${panel.origin}/api/v1/preorders/${item.id}/buy`, { method: 'POST', headers: bearer, body: '{}' });
        const purchase = await bought.json();
        assert.equal(bought.status, 200, JSON.stringify(purchase));
        assert.equal(purchase.tier.name, words.edited);
        assert.equal(purchase.purchase.price_minor, 4199);
        const session = (await stripe.control('/_sim/sessions')).find((s) => s.url === purchase.checkout_url);
        assert.ok(session, 'the session behind ' + purchase.checkout_url);
        await stripe.control(`/_sim/sessions/${session.id}/pay`, {});
        for (let tries = 0; ; tries++) {
            const buyers = await get(page, `/api/v1/preorders/${item.id}/buyers`);
            if (buyers.items.some((p) => p.status === 'paid')) break;
            assert.ok(tries < 80, 'the payment arrives: ' + JSON.stringify(buyers));
            await new Promise((r) => setTimeout(r, 250));
        }

        // The item's page: the tier's seat sold, the revenue, the chart and the buyer by name.
        await open(page, `?id=${item.id}`);
        await page.waitForSelector('#po-buyers tbody tr');
        assert.equal(await page.textContent('#po-tiers tr[data-tier="1"] td:nth-child(4)'), '1 / 2');
        assert.equal(await page.textContent('#po-revenue'), words.tierPrice);
        assert.equal(await page.textContent('#po-buyers-count'), '1');
        assert.equal(await page.locator('#po-chart .legend li').count(), 4, 'one line per tier');
        assert.deepEqual(await page.$$eval('#po-chart .legend li', (lis) => lis.map((li) => li.textContent)), [words.edited, 'Founder', 'Supporter', 'Regular']);
        assert.ok(await page.locator('#po-chart canvas').count() >= 1, 'the chart is drawn');
        const today = new Intl.DateTimeFormat(lang, { day: '2-digit', month: '2-digit', timeZone: ZONE }).format(new Date());
        const lastDay = await page.$$eval('#po-chart details tbody tr:last-child :is(th, td)', (cells) => cells.map((c) => c.textContent));
        assert.deepEqual(lastDay, [today, '1', '0', '0', '0'], 'today: one seat in the first tier, cumulated');
        const buyer = await page.$$eval('#po-buyers tbody tr td', (tds) => tds.map((td) => td.innerText.trim()));
        assert.equal(buyer[0].toLowerCase(), words.buyer, 'the buyer by name: ' + buyer[0]);
        assert.deepEqual(buyer.slice(1, 4), [words.edited, words.tierPrice, words.paid]);
        assert.match(await page.getAttribute('#po-buyers a.person-link', 'href'), /^\/admin-panel\/users\?id=\d+$/, 'linked to the member card');
        await noIdsNorKeys(page, `preorders (${lang})`);

        // The CSV export downloads, with the buyer's name.
        assert.equal(await page.textContent('#po-csv'), words.csv);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#po-csv')]);
        const csv = readFileSync(await download.path(), 'utf8');
        assert.match(csv.split('\n')[0], /buyer/, csv);
        assert.match(csv, new RegExp(`\\b${words.buyer}\\b`, 'i'), csv);
        assert.match(csv, /41[.,]99/, csv);

        // After the sale the tiers stay: names and discounts locked, a seat count cannot go down (the server says
        // so in the page's language and changes nothing), and it can go up.
        await page.click('#po-edit');
        assert.equal(await page.isVisible('#po-locked'), true);
        assert.equal(await page.isDisabled('#po-tier-0-name'), true);
        assert.equal(await page.isDisabled('#po-tier-0-discount'), true);
        await page.fill('#po-tier-0-seats', '1');
        const down = await press(page, '#po-form button[type="submit"]', '#po-message');
        assert.equal(down.refused, true, down.text);
        assert.match(down.text, words.seatsDown);
        assert.equal((await get(page, `/api/v1/preorders/${item.id}`)).tiers[0].seats, 2, 'nothing changed');
        await page.fill('#po-tier-0-seats', '5');
        const up = await press(page, '#po-form button[type="submit"]', '#po-message');
        assert.equal(up.refused, false, up.text);
        assert.equal((await get(page, `/api/v1/preorders/${item.id}`)).tiers[0].seats, 5);
        await page.waitForFunction(() => document.querySelector('#po-tiers tr[data-tier="1"] td:nth-child(4)')?.textContent === '1 / 5');

        // Phones: nothing scrolls sideways at 390 px.
        await page.setViewportSize({ width: 390, height: 844 });
        await open(page, `?id=${item.id}`);
        await page.waitForSelector('#po-buyers tbody tr');
        assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'no sideways scroll at 390 px');
        await auditPage(page, assert, `preorders-390-${lang}`);
        await page.setViewportSize({ width: 1280, height: 900 });
        await open(page, `?id=${item.id}`);
        await page.waitForSelector('#po-buyers tbody tr');

        // Cancelling asks first and says everyone is refunded; « Non » changes nothing.
        await page.click('#po-cancel');
        assert.match(await page.textContent('#po-cancel-holder [role="status"]'), words.sure);
        await page.click('#po-cancel-no');
        assert.equal((await get(page, `/api/v1/preorders/${item.id}`)).status, 'open', '« Non » changes nothing');
        await page.click('#po-cancel');
        await page.click('#po-cancel-yes');
        await page.waitForFunction((s) => document.getElementById('po-status')?.textContent === s, words.cancelled);
        assert.equal((await get(page, `/api/v1/preorders/${item.id}`)).status, 'cancelled');
        assert.match(await page.textContent('#po-buyers tbody tr td.state'), words.refunding);
        assert.equal(await page.locator('#po-edit').count(), 0, 'a cancelled item is not edited');
        await auditPage(page, assert, `preorders-${lang}`);
        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        // The browser logs each refused request: the one refusal provoked above (a seat count down), nothing else.
        assert.deepEqual(page.context().consoleErrors, ['Failed to load resource: the server responded with a status of 400 (Bad Request)'],
            'no console error but the refusal provoked');
    });
}
