// The admin panel in a real browser: Discord login with PKCE against the OAuth2 simulator, TOTP
// enrolment and a second login with a code, the Tickets page against the member's own view, CSP and SRI
// on every page, frame refusal, accessibility, and a screenshot of each page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ADMIN_ROLE, Panel, artifacts, auditPage, totp } from './harness.mjs';
import { startStripeSimulator } from '../sim/stripe/simulator.mjs';
import { startLlmSimulator } from '../sim/llm/simulator.mjs';

let panel;
let stripe;
let llm;
before(async () => {
    stripe = await startStripeSimulator({ secretKey: 'sk_test_panel', webhookSecret: 'whsec_test_panel' });
    llm = await startLlmSimulator({ apiKey: 'sk-llm-panel' });
    panel = await Panel.start({
        toml: `[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n[plans.pro]\nprice_id = "price_pro"\n[plans.ultra]\nprice_id = "price_ultra"\n` +
            `[assistant]\napi_base = "${llm.apiBase}"\nmodel = "sim-model"\n`,
        env: { MAXIS_STRIPE_SECRET_KEY: 'sk_test_panel', MAXIS_STRIPE_WEBHOOK_SECRET: 'whsec_test_panel', MAXIS_LLM_API_KEY: 'sk-llm-panel' } });
    await stripe.control('/_sim/config', { webhookUrl: `${panel.origin}/stripe/webhook`, retryDelayMs: 200, maxRetries: 10 });
});
after(async () => {
    await panel?.stop();
    await stripe?.close();
    await llm?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const ADMIN = { id: '810000000000000001', username: 'camille', global_name: 'Camille', avatar: null };

async function discordLogin(page, user, roles) {
    await fetch(`${panel.oauth.base}/_sim/user`, { method: 'POST', body: JSON.stringify({ user, roles, approve: true }) });
    await page.goto(`${panel.origin}/admin-panel/login`);
    await page.click('#discord-login');
}

/** Searches the Members page for name and opens that member's card once the results show only them. */
async function openMemberCard(page, name) {
    await page.fill('#user-search', name);
    await page.click('form[role="search"] button');
    await page.waitForFunction((n) => {
        const rows = [...document.querySelectorAll('#user-results tbody tr')];
        return rows.length === 1 && rows[0].querySelector('button')?.textContent === n;
    }, name);
    await page.click('#user-results tbody button');
    await page.waitForFunction((n) => document.querySelector('#profile h2')?.textContent.endsWith('— ' + n), name);
}

let adminSecret;
let adminPage;

/** Each dashboard chart: 'drawn' (a canvas) or 'empty' (it says there is no data yet, with no axes). */
const chartStates = (page) => page.$$eval('.chart', (figures) => figures.map((f) => {
    const canvas = f.querySelectorAll('canvas').length;
    const empty = f.querySelectorAll('.chart-empty').length;
    return canvas === 1 && empty === 0 ? 'drawn' : canvas === 0 && empty === 1 ? 'empty' : 'both or neither';
}));

test('staff log in with Discord (PKCE) and enrol a second factor, then log in again with a code', async () => {
    const context = await panel.context();
    const page = await context.newPage();
    await page.goto(`${panel.origin}/admin-panel/login`);
    await auditPage(page, assert, 'login');

    await discordLogin(page, ADMIN, [ADMIN_ROLE]);
    await page.waitForURL('**/admin-panel/enrol');
    await page.waitForSelector('#secret');
    adminSecret = (await page.textContent('#secret')).trim();
    assert.match(adminSecret, /^[A-Z2-7]{32}$/);
    // The image loads after the page shows the secret: wait for it to finish, then check that it drew.
    await page.waitForFunction(() => document.getElementById('qr')?.complete);
    assert.ok(await page.evaluate(() => document.getElementById('qr').naturalWidth > 100),
        'the QR code image is served by Maxis and renders');
    await auditPage(page, assert, 'enrol');
    // A wrong code is refused with a message and changes nothing.
    await page.fill('#code', '000000');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.alert:not([hidden])');
    await page.fill('#code', totp(adminSecret, now()));
    await page.click('button[type="submit"]');
    await page.waitForSelector('#recovery-codes');
    const codes = await page.$$eval('#recovery-codes code', (els) => els.map((e) => e.textContent));
    assert.equal(codes.length, 10);
    await page.click('#continue');
    await page.waitForURL('**/admin-panel/dashboard');
    await auditPage(page, assert, 'dashboard');

    await page.click('#logout');
    await page.waitForURL('**/admin-panel/login');
    const refused = await page.goto(`${panel.origin}/admin-panel/dashboard`);
    assert.match(refused.url(), /\/admin-panel\/login$/, 'logged out: the dashboard sends back to the login');

    await discordLogin(page, ADMIN, [ADMIN_ROLE]);
    await page.waitForURL('**/admin-panel/second-factor');
    await auditPage(page, assert, 'second-factor');
    // The code of the next step: the enrolment's own code cannot be used twice.
    await page.fill('#code', totp(adminSecret, now() + 30));
    await page.click('button[type="submit"]');
    await page.waitForURL('**/admin-panel/dashboard');

    const tokenRequests = await (await fetch(`${panel.oauth.base}/_sim/requests`)).json();
    assert.equal(tokenRequests.length, 2);
    assert.ok(tokenRequests.every((r) => r.outcome === 'ok' && r.has_verifier), 'every code was exchanged with its PKCE verifier');
    // Signing in through Discord records the admin in the member directory, by name and as staff.
    const found = await page.evaluate(async () => (await fetch('/api/v1/members?q=camille')).json());
    const camille = found.items.find((m) => m.id === ADMIN.id);
    assert.ok(camille, JSON.stringify(found));
    assert.equal(camille.name, 'Camille');
    assert.equal(camille.username, 'camille');
    assert.notEqual(camille.role, 'member');
    assert.deepEqual(context.pageErrors, []);
    adminPage = page;
});

test('someone without a staff role gets a clear refusal page', async () => {
    const context = await panel.context();
    const page = await context.newPage();
    await discordLogin(page, { id: '820000000000000009', username: 'visitor', global_name: 'Visitor' }, []);
    await page.waitForURL('**/admin-panel/refused');
    await auditPage(page, assert, 'refused');
    assert.match(await page.textContent('h1'), /Accès réservé à l’équipe/);
    const me = await page.evaluate(async () => (await fetch('/admin-panel/api/me')).status);
    assert.equal(me, 401, 'no session was opened');
    await context.close();
});

test('the Tickets page: reply, internal note, assignment, priority; the member sees the reply, never the note', async () => {
    assert.ok(adminPage, 'needs the logged-in admin from the first test');
    const created = await panel.run(['console', '--as', 'alice'], '!ticket_create "Paiement refusé" facturation haute La carte est refusée\n');
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.match(/#(\d+)/)[1];

    const page = adminPage;
    await page.goto(`${panel.origin}/admin-panel/tickets`);
    await auditPage(page, assert, 'tickets');
    await page.click(`#tickets-table tr[data-id="${id}"] button`);
    await page.waitForSelector('#ticket-title');

    await page.fill('#reply-body', 'Bonjour, nous regardons votre paiement.');
    await page.click('#reply-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#messages li').length === 2);
    await page.fill('#reply-body', 'Note : carte signalée par la banque.');
    await page.check('#reply-note');
    await page.click('#reply-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#messages li.internal').length === 1);

    await page.click('#claim');
    await page.waitForFunction((user) => document.querySelector('#ticket-assignee .person')?.dataset.user === user, ADMIN.id);
    await page.selectOption('#set-priority', 'critical');
    await page.click('#apply-priority');
    await page.waitForFunction(() => document.getElementById('ticket-priority')?.textContent === 'critique');
    await page.screenshot({ path: join(artifacts, 'ticket-detail.png'), fullPage: true });

    // New activity from the member shows up without a reload.
    const followUp = await panel.run(['console', '--as', 'alice'], `!ticket_reply ${id} Merci, j’attends.\n`);
    assert.equal(followUp.code, 0, followUp.stderr);
    await page.waitForSelector('#activity:not([hidden])', { timeout: 15000 });
    await page.waitForFunction(() => document.querySelectorAll('#messages li').length === 4);

    const view = await panel.run(['console', '--as', 'alice'], `!ticket_view ${id}\n`);
    assert.match(view.stdout, /nous regardons votre paiement/);
    assert.doesNotMatch(view.stdout, /carte signalée par la banque/, 'the internal note never reaches the member');
    const bob = await panel.run(['console', '--as', 'bob'], `!ticket_view ${id}\n`);
    assert.doesNotMatch(bob.stdout, /Paiement refusé/);

    // A search for nobody finds nobody and changes nothing; then the status changes.
    await page.fill('#assign-search', 'zzz');
    await page.waitForFunction(() => document.getElementById('assign-options')?.textContent === 'Aucun résultat.');
    assert.equal(await page.$eval('#ticket-assignee .person', (e) => e.dataset.user), ADMIN.id);
    await page.selectOption('#set-status', 'resolved');
    await page.click('#apply-status');
    await page.waitForFunction(() => document.getElementById('ticket-status')?.textContent === 'résolu');
    const resolved = await panel.run(['console', '--as', 'alice'], `!ticket_view ${id}\n`);
    assert.match(resolved.stdout, /résolu/i);
});

test('every other page renders with no CSP violation, matching integrity and no accessibility issue', async () => {
    const page = adminPage;
    for (const name of ['users', 'logs', 'settings']) {
        await page.goto(`${panel.origin}/admin-panel/${name}`);
        await auditPage(page, assert, name);
    }
    // Logs record the logins; settings show secrets only as set/unset.
    await page.goto(`${panel.origin}/admin-panel/logs`);
    await page.waitForSelector('#logs-table tbody tr');
    assert.match(await page.textContent('#logs-table'), /a ouvert une session/);
    await page.goto(`${panel.origin}/admin-panel/settings`);
    await page.waitForSelector('#effective-table tbody tr');
    const effective = await page.textContent('#effective-table');
    assert.match(effective, /MAXIS_DISCORD_CLIENT_SECRET\s*\(set\)/);
    assert.doesNotMatch(effective, /test-client-secret/);
    // A runtime setting, changed and audited.
    await page.fill('#setting-tickets-max-open-per-member', '7');
    await page.click('#runtime-settings form:has(#setting-tickets-max-open-per-member) button');
    await page.waitForSelector('.notice');
    await page.goto(`${panel.origin}/admin-panel/logs`);
    await page.waitForSelector('#logs-table tbody tr');
    assert.match(await page.textContent('#logs-table'), /a modifié un réglage/);
    // Users: search and block.
    await page.goto(`${panel.origin}/admin-panel/users`);
    await openMemberCard(page, 'alice');
    await page.click('#block-toggle');
    await page.waitForFunction(() => document.getElementById('block-toggle')?.textContent === 'Débloquer');
    const blocked = await panel.run(['console', '--as', 'alice'], '!ticket_list\n');
    assert.match(blocked.stdout, /suspendu/, 'a blocked member is refused by the bot');
    await page.screenshot({ path: join(artifacts, 'user-card.png'), fullPage: true });
    // The dashboard now counts the ticket from real data.
    await page.goto(`${panel.origin}/admin-panel/dashboard`);
    await page.waitForSelector('body[data-ready="true"]');
    // The ticket was resolved in the Tickets test: no active ticket, one resolved.
    assert.equal(await page.textContent('#card-active .card-value'), '0');
    assert.deepEqual(await page.$$eval('#status-table tr', (rows) => rows.map((r) => r.querySelector('td.num').textContent)),
        ['0', '0', '0', '1', '0']);
    // Six charts: money, plans and the assistant have nothing yet, the tickets have (joins need Discord).
    assert.deepEqual((await chartStates(page)).filter((c, i) => i !== 4), ['empty', 'empty', 'drawn', 'drawn', 'empty']);
    await page.screenshot({ path: join(artifacts, 'dashboard-with-data.png'), fullPage: true });
});

test('the Orders page: a paid order moved along, tracked and refunded through Stripe; revenue on the dashboard', async () => {
    const page = adminPage;
    const product = await panel.run(['console', '--as', 'boss', '--role', 'admin'], '!product_add "Affiche" 15 10 art\n');
    assert.equal(product.code, 0, product.stderr);
    // Alice was blocked by the Members test: Chloé buys.
    const bought = await panel.run(['console', '--as', 'chloe'], '!cart_add 1 2\n!checkout\n');
    assert.equal(bought.code, 0, bought.stdout + bought.stderr);
    const number = bought.stdout.match(/MX-\d{4}-\d{6}/)[0];
    const sessions = await stripe.control('/_sim/sessions');
    const [paid] = await stripe.control(`/_sim/sessions/${sessions[sessions.length - 1].id}/pay`, {});
    assert.equal(paid.status, 200);

    await page.goto(`${panel.origin}/admin-panel/orders`);
    await auditPage(page, assert, 'orders');
    await page.click('#orders-table tbody tr:first-child button');
    await page.waitForFunction((n) => document.getElementById('order-title')?.textContent.includes(n), number);
    assert.match(await page.textContent('#order-status'), /payée/);
    assert.match(await page.textContent('#order-items'), /Affiche/);
    assert.equal(await page.textContent('#order-total'), '30,00\u00a0€');
    await auditPage(page, assert, 'order-detail');
    assert.deepEqual(page.context().pageErrors, [], 'no script error');

    await page.fill('#order-note', 'Emballée avec soin');
    await page.click('#move-form button');
    await page.waitForFunction(() => document.getElementById('order-status')?.textContent.includes('prête'));
    // A tracking link that is not https is refused with a clear message and changes nothing.
    await page.fill('#tracking-carrier', 'Colissimo');
    await page.fill('#tracking-code', '6A777');
    await page.fill('#tracking-url', 'http://tracking.example/6A777');
    await page.click('#tracking-form button');
    await page.waitForSelector('#order-detail .alert:not([hidden])');
    assert.match(await page.textContent('#order-detail .alert'), /https/);
    assert.match(await page.textContent('#order-status'), /prête/);
    await page.fill('#tracking-url', 'https://www.laposte.fr/suivi/6A777');
    await page.click('#tracking-form button');
    await page.waitForFunction(() => document.getElementById('order-status')?.textContent.includes('expédiée'));
    assert.match(await page.textContent('#order-tracking'), /Colissimo · 6A777/);

    // A refund: a bad amount is refused in the page, a partial one goes through Stripe, then the rest.
    await page.fill('#refund-amount', 'abc');
    await page.click('#refund-form button');
    await page.waitForSelector('#order-detail .alert:not([hidden])');
    assert.match(await page.textContent('#order-detail .alert'), /Montant invalide/);
    await page.fill('#refund-amount', '5,00');
    await page.click('#refund-form button');
    await page.waitForFunction(() => document.getElementById('order-refunded')?.textContent === '5,00\u00a0€', null, { timeout: 15000 });
    assert.match(await page.textContent('#order-status'), /expédiée/);
    await page.fill('#refund-amount', '');
    await page.click('#refund-form button');
    await page.waitForFunction(() => document.getElementById('order-status')?.textContent.includes('remboursée'), null, { timeout: 15000 });
    await page.screenshot({ path: join(artifacts, 'order-refunded.png'), fullPage: true });
    const member = await panel.run(['console', '--as', 'chloe'], `!order ${number}\n`);
    assert.match(member.stdout, /remboursée/);
    assert.match(member.stdout, /Colissimo · 6A777/);
    const other = await panel.run(['console', '--as', 'bob'], `!order ${number}\n`);
    assert.match(other.stdout, /introuvable/);

    // The dashboard counts the paid order and the refunds.
    await page.goto(`${panel.origin}/admin-panel/dashboard`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#card-orders .card-value'), '1');
    assert.equal(await page.textContent('#card-revenue .card-value'), '0,00\u00a0€');
    await page.screenshot({ path: join(artifacts, 'dashboard-with-revenue.png'), fullPage: true });
});

test('plans on the dashboard and the member card: subscribers, monthly revenue, payment state and the assistant\'s use', async () => {
    const page = adminPage;
    for (const [id, amount] of [['price_pro', 999], ['price_ultra', 1999]]) {
        await stripe.control('/_sim/prices', { id, unit_amount: amount, currency: 'eur', recurring: true });
    }
    // Chloé subscribes to Pro and pays; she asks the assistant twice.
    const subscribed = await panel.run(['console', '--as', 'chloe'], '!subscribe pro\n');
    assert.match(subscribed.stdout, /checkout\.stripe\.com/, subscribed.stdout + subscribed.stderr);
    const sessions = await stripe.control('/_sim/sessions');
    assert.equal((await stripe.control(`/_sim/sessions/${sessions[sessions.length - 1].id}/pay`, {}))[0].status, 200);
    const deadline = Date.now() + 15000;
    let status;
    do {
        status = await panel.run(['console', '--as', 'chloe'], '!subscription\n');
    } while (!/renouvellement le/.test(status.stdout) && Date.now() < deadline);
    assert.match(status.stdout, /Pro/);
    const asked = await panel.run(['console', '--as', 'chloe'], '!ask bonjour\n!ask et ensuite\n');
    assert.match(asked.stdout, /Réponse n°2 : et ensuite/, asked.stdout + asked.stderr);

    // Staff find Bob on the Members page and grant him Ultra for a week (a prize, nothing paid).
    await page.goto(`${panel.origin}/admin-panel/users`);
    await openMemberCard(page, 'bob');
    const bob = await page.$eval('#profile h2 .person', (e) => e.dataset.user);
    const granted = await panel.run(['console', '--as', 'boss', '--role', 'admin'], `!plan_grant <@${bob}> ultra 7d concours\n`);
    assert.equal(granted.code, 0, granted.stderr);

    await page.goto(`${panel.origin}/admin-panel/dashboard`);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.textContent('#card-mrr .card-value'), '9,99\u00a0€');
    assert.equal(await page.textContent('#card-subscribers .card-value'), '1', 'a granted plan is not a paying subscriber');
    const row = (plan) => page.$$eval(`#plans-table tr[data-plan="${plan}"] td.num`, (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(await row('pro'), ['1', '0', '0', '0', '9,99\u00a0€']);
    assert.deepEqual(await row('ultra'), ['1', '0', '0', '1', '0,00\u00a0€']);
    assert.equal((await row('founder'))[4], '–', 'a one-time plan has no monthly revenue');
    assert.deepEqual((await chartStates(page)).filter((c, i) => i !== 4), ['drawn', 'drawn', 'drawn', 'drawn', 'drawn']);
    // Subscribers by plan, each day: today Founder 0, Pro 1 (Chloé), Ultra 1 (Bob's prize).
    const today = await page.$$eval('.chart', (figures) => figures[1].querySelector('tbody tr:last-child').textContent);
    assert.match(today, /^\d\d\/\d\d011$/);
    const usageTable = await page.$$eval('.chart', (figures) => figures.at(-1).querySelector('tbody tr:last-child').textContent);
    assert.match(usageTable, /^\d\d\/\d\d201$/, 'today: 2 messages, 0 images, 1 member');
    await auditPage(page, assert, 'dashboard-plans');
    await page.screenshot({ path: join(artifacts, 'dashboard-plans.png'), fullPage: true });

    // Chloé's card: Pro, renewing, today's use; Bob's: Ultra granted until a date.
    await page.goto(`${panel.origin}/admin-panel/users`);
    await openMemberCard(page, 'chloe');
    await page.waitForSelector('#member-plan');
    assert.match(await page.textContent('#member-plan-name'), /^Pro — renouvellement le \d\d\/\d\d\/\d{4}$/);
    assert.equal(await page.textContent('#member-usage'), '2 / 500 messages');
    assert.deepEqual(await page.$$eval('#member-grants tbody td:nth-child(-n+3)', (c) => c.map((x) => x.textContent)), ['Pro', 'abonnement', 'active']);
    await auditPage(page, assert, 'user-card-plan');
    await page.screenshot({ path: join(artifacts, 'user-card-plan.png'), fullPage: true });
    await openMemberCard(page, 'bob');
    await page.waitForFunction(() => /^Ultra/.test(document.getElementById('member-plan-name')?.textContent ?? ''));
    assert.match(await page.textContent('#member-plan-name'), /^Ultra — offerte jusqu’au \d\d\/\d\d\/\d{4}$/);
    assert.equal(await page.textContent('#member-usage'), '0 messages (illimité) · 0 / 20 images');
    assert.deepEqual(page.context().pageErrors, [], 'no script error');
});

test('the panel refuses to render inside a frame', async () => {
    const context = await panel.context();
    const page = await context.newPage();
    await page.goto(`${panel.oauth.base}/_sim/framer?src=${encodeURIComponent(`${panel.origin}/admin-panel/login`)}`);
    await page.waitForTimeout(500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framed = await frame.evaluate(() => document.body?.dataset?.page ?? null).catch(() => null);
    assert.equal(framed, null, 'the login page must not load in a frame');
    await context.close();
});

test('state changes from another origin or without the CSRF header are refused', async () => {
    const page = adminPage;
    const results = await page.evaluate(async () => {
        const plain = await fetch('/admin-panel/api/logout', { method: 'POST' });
        const wrong = await fetch('/admin-panel/api/logout', { method: 'POST', headers: { 'X-CSRF-Token': 'forged' } });
        const me = await fetch('/admin-panel/api/me');
        return [plain.status, wrong.status, me.status];
    });
    assert.deepEqual(results, [403, 403, 200], 'refused, and the session is still alive');
});

test('a newcomer after make run opens the panel with a one-time login link (plain-http dev settings)', async () => {
    const dev = await Panel.start({ insecureHttp: true, require2fa: false });
    try {
        const link = await dev.run(['admin', 'login-link', '--as', 'newcomer']);
        assert.equal(link.code, 0, link.stderr);
        const url = link.stdout.trim();
        assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/admin-panel\/auth\/link\?token=[A-Za-z0-9_-]{43}$/);
        const context = await dev.context();
        const page = await context.newPage();
        await page.goto(url);
        await page.waitForURL('**/admin-panel/dashboard');
        await page.waitForSelector('body[data-ready="true"]');
        const cookies = await context.cookies();
        assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.sameSite]), [['maxis_session', true, 'Lax']]);
        // The link worked once (tried again from another browser, which has no session).
        const other = await dev.context();
        const again = await (await other.newPage()).goto(url);
        assert.match(again.url(), /login\?error=link$/);
        await context.close();
    } finally {
        await dev.stop();
    }
});
