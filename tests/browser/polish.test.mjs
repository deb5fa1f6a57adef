// The panel's polish, in French and in English: recovery codes copied and downloaded, second-factor errors in
// the panel's language, charts (legend, dd/mm days, "no data yet", a lone point drawn), logs in words and
// paged by « Plus » without duplicates, no sideways scroll at 390 px, and axe on every page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ADMIN_ROLE, GUILD, STAFF_ROLE, Panel, artifacts, auditPage, totp } from './harness.mjs';
import { startStripeSimulator } from '../sim/stripe/simulator.mjs';
import { startSimulator as startDiscordSimulator } from '../sim/discord/simulator.mjs';

let panel;
let stripe;
let discord;
before(async () => {
    stripe = await startStripeSimulator({ secretKey: 'sk_test_polish', webhookSecret: 'whsec_test_polish' });
    // Discord's guild (the same as the sign-in's) gives the member directory its names and avatars.
    discord = await startDiscordSimulator({ heartbeatInterval: 500, guildId: GUILD });
    panel = await Panel.start({
        toml: `[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n`,
        discordToml: `api_base_url = "${discord.apiBase}"`,
        env: { MAXIS_STRIPE_SECRET_KEY: 'sk_test_polish', MAXIS_STRIPE_WEBHOOK_SECRET: 'whsec_test_polish', MAXIS_DISCORD_TOKEN: discord.options.token } });
    await stripe.control('/_sim/config', { webhookUrl: `${panel.origin}/stripe/webhook`, retryDelayMs: 200, maxRetries: 10 });
});
after(async () => {
    await panel?.stop();
    await stripe?.close();
    await discord?.stop();
});

const now = () => Math.floor(Date.now() / 1000);
const ADMIN = { id: '810000000000000011', username: 'camille', global_name: 'Camille', avatar: null };
const SAM = { id: '810000000000000012', username: 'sam', global_name: 'Sam', avatar: null };
const PAGES = ['dashboard', 'users', 'orders', 'tickets', 'logs', 'settings', 'products', 'promotions', 'plans', 'giveaways', 'preorders', 'marketing'];

async function discordLogin(page, user, roles) {
    await fetch(`${panel.oauth.base}/_sim/user`, { method: 'POST', body: JSON.stringify({ user, roles, approve: true }) });
    await page.goto(`${panel.origin}/admin-panel/login`);
    await page.click('#discord-login');
}

/** Switches the signed-in session to lang through the header's button (a no-op when it already speaks it). */
async function useLanguage(page, lang) {
    await page.waitForSelector('body[data-ready="true"]');
    if ((await page.getAttribute('html', 'lang')) === lang) return;
    await page.click(`#top button[lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l && document.body.dataset.ready === 'true', lang);
}

/** The page's refusal shown in its alert box once it appears. */
async function alertText(page) {
    await page.waitForSelector('.alert:not([hidden])');
    return (await page.textContent('.alert:not([hidden])')).trim();
}

/** axe with every rule it has (not only the WCAG tags), on the page as it is now. */
async function axeViolations(page) {
    return page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const result = await axe.run(document);
        return result.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
}

let adminPage;
let adminSecret;
let samPage;

test('enrolment: second-factor refusals in French, recovery codes copied and downloaded as a .txt', async () => {
    const context = await panel.context();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: panel.origin });
    const page = await context.newPage();
    await discordLogin(page, ADMIN, [ADMIN_ROLE]);
    await page.waitForURL('**/admin-panel/enrol');
    await page.waitForSelector('#secret');
    adminSecret = (await page.textContent('#secret')).trim();
    await page.fill('#code', '000000');
    await page.click('button[type="submit"]');
    assert.equal(await alertText(page), 'Code erroné. Vérifiez l’heure de votre téléphone et essayez le code suivant.');

    await page.fill('#code', totp(adminSecret, now()));
    await page.click('button[type="submit"]');
    await page.waitForSelector('#recovery-codes');
    const codes = await page.$$eval('#recovery-codes code', (els) => els.map((e) => e.textContent));
    assert.equal(codes.length, 10);
    assert.equal(await axeViolations(page).then((v) => v.length), 0, 'axe on the recovery codes');

    await page.click('#copy-codes');
    await page.waitForFunction(() => document.getElementById('codes-status')?.textContent !== '');
    assert.equal(await page.textContent('#codes-status'), 'Codes copiés dans le presse-papiers.');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), codes.join('\n'));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-codes')]);
    assert.equal(download.suggestedFilename(), 'maxis-recovery-codes.txt');
    const file = readFileSync(await download.path(), 'utf8');
    for (const c of codes) assert.ok(file.split('\n').includes(c), `the file holds ${c} on its own line`);
    await page.screenshot({ path: join(artifacts, 'polish-recovery-codes.png'), fullPage: true });
    await page.click('#continue');
    await page.waitForURL('**/admin-panel/dashboard');

    // The next sign-in: a wrong code, a replayed one and an unknown recovery code, each said in French.
    await page.click('#logout');
    await page.waitForURL('**/admin-panel/login');
    await discordLogin(page, ADMIN, [ADMIN_ROLE]);
    await page.waitForURL('**/admin-panel/second-factor');
    await page.fill('#code', '000000');
    await page.click('button[type="submit"]');
    assert.equal(await alertText(page), 'Code erroné. Vérifiez l’heure de votre téléphone et essayez le code suivant.');
    await page.fill('#code', 'ZZZZZ-ZZZZZ');
    await page.click('button[type="submit"]');
    await page.waitForFunction(() => /secours/.test(document.querySelector('.alert')?.textContent ?? ''));
    assert.equal(await alertText(page), 'Code de secours inconnu ou déjà utilisé.');
    await page.fill('#code', totp(adminSecret, now() + 30));
    await page.click('button[type="submit"]');
    await page.waitForURL('**/admin-panel/dashboard');
    assert.deepEqual(context.pageErrors, []);
    adminPage = page;
});

test('a staff member enrols in English: the refusal is in English, the codes can be copied', async () => {
    const context = await panel.context();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: panel.origin });
    const page = await context.newPage();
    await discordLogin(page, SAM, [STAFF_ROLE]);
    await page.waitForURL('**/admin-panel/enrol');
    await useLanguage(page, 'en');
    await page.waitForSelector('#secret');
    const secret = (await page.textContent('#secret')).trim();
    await page.fill('#code', '000000');
    await page.click('button[type="submit"]');
    assert.equal(await alertText(page), 'Wrong code. Check the time on your phone and try the next code.');
    await page.fill('#code', totp(secret, now()));
    await page.click('button[type="submit"]');
    await page.waitForSelector('#recovery-codes');
    await page.click('#copy-codes');
    await page.waitForFunction(() => document.getElementById('codes-status')?.textContent !== '');
    assert.equal(await page.textContent('#codes-status'), 'Codes copied to the clipboard.');
    assert.equal(await page.textContent('#download-codes'), 'Download (.txt)');
    await page.click('#continue');
    await page.waitForURL('**/admin-panel/dashboard');
    assert.deepEqual(context.pageErrors, []);
    samPage = page;
});

// The panel's days are the community's ([community] time_zone, Europe/Paris by default), not this machine's: near
// midnight UTC they differ.
const COMMUNITY_ZONE = 'Europe/Paris';

test('charts: nothing yet says so in words; then a legend, dd/mm days and a lone point drawn', async () => {
    const page = adminPage;
    assert.ok(page, 'needs the signed-in admin');
    await page.goto(`${panel.origin}/admin-panel/dashboard`);
    await page.waitForSelector('body[data-ready="true"]');
    const empty = await page.$$eval('.chart', (figures) => figures.map((f) => [f.querySelector('.chart-empty')?.textContent ?? null, f.querySelectorAll('canvas').length]));
    assert.equal(empty.length, 6);
    assert.deepEqual(empty, empty.map(() => ['Pas encore de données', 0]), 'a fresh install draws no empty axes');

    // A ticket opened today and answered by the team: one day of data, one median response time.
    const created = await panel.run(['console', '--as', 'alice'], '!ticket_create "Paiement refusé" facturation haute La carte est refusée\n');
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.match(/#(\d+)/)[1];
    const reply = await panel.run(['console', '--as', 'boss', '--role', 'admin'], `!ticket_reply ${id} Nous regardons.\n`);
    assert.equal(reply.code, 0, reply.stderr);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    const figure = (caption) => page.locator('figure.chart', { has: page.locator('figcaption', { hasText: caption }) });
    const created30 = figure('Tickets créés et dépassements de SLA par jour');
    assert.deepEqual(await created30.locator('.legend li').allTextContents(), ['Créés', 'SLA 1re réponse', 'SLA résolution']);
    const today = new Intl.DateTimeFormat('fr', { day: '2-digit', month: '2-digit', timeZone: COMMUNITY_ZONE }).format(new Date());
    const days = await created30.locator('tbody th').allTextContents();
    assert.equal(days.length, 30);
    assert.ok(days.every((d) => /^\d\d\/\d\d$/.test(d)), days.join(' '));
    assert.equal(days.at(-1), today);
    assert.equal(await created30.locator('canvas').count(), 1);

    // The median first response exists for today only: no line joins it to anything, so it is a dot.
    const median = figure('Délai médian de première réponse');
    await median.locator('canvas').waitFor();
    const painted = await median.locator('canvas').evaluate((canvas) => {
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - 47) < 30 && Math.abs(data[i + 1] - 63) < 30 && Math.abs(data[i + 2] - 184) < 30 && data[i + 3] > 200) n++;
        }
        return n;
    });
    assert.ok(painted >= 12, `the lone point is drawn (${painted} pixels of its colour)`);
    assert.equal(await figure('Arrivées et départs par jour').locator('.chart-empty').textContent(), 'Pas encore de données');

    await useLanguage(page, 'en');
    assert.equal(await page.locator('.chart-empty').first().textContent(), 'No data yet');
    const enDays = await page.locator('figure.chart', { has: page.locator('figcaption', { hasText: 'Tickets created' }) }).locator('tbody th').allTextContents();
    assert.equal(enDays.at(-1), new Intl.DateTimeFormat('en', { day: '2-digit', month: '2-digit', timeZone: COMMUNITY_ZONE }).format(new Date()));
    await page.screenshot({ path: join(artifacts, 'polish-dashboard-en.png'), fullPage: true });
    await useLanguage(page, 'fr');
});

test('logs: actions in words; « Plus » shows only when there is more, and adds the next rows once', async () => {
    const page = adminPage;
    await page.goto(`${panel.origin}/admin-panel/logs`);
    await page.waitForSelector('#logs-table tbody tr');
    const first = await page.$$eval('#logs-table tbody tr', (rows) => rows.length);
    assert.ok(first < 50, `few rows so far (${first})`);
    assert.equal(await page.isVisible('#logs-more'), false, '« Plus » is hidden when there is nothing more');
    const actions = await page.$$eval('#logs-table tbody td:nth-child(4)', (cells) => cells.map((c) => c.textContent));
    assert.ok(actions.includes('a ouvert une session'), actions.join(' | '));
    assert.ok(actions.includes('a activé la double authentification'), actions.join(' | '));
    assert.ok(!actions.some((a) => /^[a-z0-9_]+\.[a-z_]+$/.test(a)), 'no raw action key: ' + actions.join(' | '));

    // Each setting change writes one row.
    const change = (count) => page.evaluate(async (n) => {
        const me = await (await fetch('/admin-panel/api/me')).json();
        let ok = 0;
        for (let i = 0; i < n; i++) {
            const res = await fetch('/admin-panel/api/settings', {
                method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
                body: JSON.stringify({ key: 'tickets.max_open_per_member', value: String(3 + (i % 2)) }) });
            if (res.ok) ok++;
        }
        return ok;
    }, count);
    // Exactly one page (50 rows): nothing more, so no « Plus » that would load nothing.
    assert.equal(await change(50 - first), 50 - first);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#logs-table tbody tr').length === 50);
    assert.equal(await page.isVisible('#logs-more'), false, '« Plus » is hidden when the page is exactly full');
    // Ten more make more than a page.
    assert.equal(await change(10), 10);
    const total = 60;
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#logs-table tbody tr').length === 50);
    assert.equal(await page.isVisible('#logs-more'), true);
    assert.equal(await page.textContent('#logs-more'), 'Plus');
    await page.click('#logs-more');
    await page.waitForFunction((n) => document.querySelectorAll('#logs-table tbody tr').length >= n, total);
    await page.waitForSelector('#logs-more', { state: 'hidden' });
    const ids = await page.$$eval('#logs-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.id)));
    assert.equal(ids.length, total, 'every row once');
    assert.equal(new Set(ids).size, total, 'no row twice');
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first, the next page after the last row');
    assert.ok((await page.textContent('#logs-table')).includes('a modifié un réglage'));

    await useLanguage(page, 'en');
    await page.waitForSelector('#logs-table tbody tr');
    const en = await page.$$eval('#logs-table tbody td:nth-child(4)', (cells) => cells.map((c) => c.textContent));
    assert.equal(en[0], 'changed a setting');
    await useLanguage(page, 'fr');
});

/** Every person shown under selector: who, the name shown, the avatar, and where it leads. */
const shownPeople = (page, selector) => page.$$eval(`${selector} .person`, (els) => els.map((e) => {
    const img = e.querySelector('img');
    return {
        user: e.dataset.user, name: e.querySelector('.name').textContent, title: e.getAttribute('title'),
        img: img ? { src: img.getAttribute('src'), alt: img.getAttribute('alt'), width: img.getAttribute('width'), height: img.getAttribute('height') } : null,
        placeholder: e.querySelector('.initial') !== null, link: e.closest('a')?.getAttribute('href') ?? null, button: e.closest('button') !== null,
    };
}));

/** Checks each person shown against the people map the page's API answered: their name, their avatar (or the
 *  placeholder when they have none), a link to their card; « membre inconnu » only for whom nobody knows. */
function checkPeople(shown, people, where, lang) {
    assert.ok(shown.length > 0, `${where}: people are shown`);
    for (const p of shown) {
        assert.ok(p.link === `/admin-panel/users?id=${p.user}` || p.button, `${where}: ${p.name} leads to the member card`);
        assert.doesNotMatch(p.name, /\d{6,}/, `${where}: an id shown as a name`);
        assert.ok(people && Object.hasOwn(people, p.user), `${where}: ${p.user} is in the answer's people`);
        const known = people[p.user].name || people[p.user].username ? people[p.user] : null;
        if (!known) {
            assert.equal(p.name, lang === 'fr' ? 'membre inconnu' : 'unknown member', `${where}: ${p.user} unknown`);
            assert.equal(p.title, '…' + p.user.slice(-4));
            continue;
        }
        assert.equal(p.name, known.name || known.username, `${where}: the name of ${p.user}`);
        if (known.avatar_url) assert.deepEqual(p.img, { src: known.avatar_url, alt: '', width: '20', height: '20' }, `${where}: the avatar of ${p.name}`);
        else assert.ok(p.placeholder, `${where}: ${p.name} has no avatar, the placeholder stands in`);
    }
}

test('people by name, in French and in English: tickets, orders, members and logs show names with avatars, linked to the card', async () => {
    const page = adminPage;
    // Sam is on the team (he signed in with Discord in an earlier test; the console, given his id, is the same
    // person, not a second Sam); Chloé buys a poster; Camille blocks and
    // unblocks Chloé from the Members page, so that the logs name a member as the target.
    const sam = await panel.run(['console', '--as', SAM.id, '--role', 'staff'], '!ticket_list\n');
    assert.equal(sam.code, 0, sam.stderr);
    // Camille joins the Discord guild with an avatar: the directory learns it from the gateway.
    await fetch(`${discord.url}/_sim/members`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: ADMIN.id, username: 'camille', global_name: 'Camille', avatar: 'abc123', roles: [ADMIN_ROLE] }) });
    const avatar = `https://cdn.discordapp.com/avatars/${ADMIN.id}/abc123.png`;
    for (let tries = 0; ; tries++) {
        const found = await page.evaluate(async () => (await (await fetch('/api/v1/members?q=camille')).json()).items);
        if (found.length === 1 && found[0].avatar_url === avatar) break;
        assert.ok(tries < 60, 'the directory learns Camille from Discord: ' + JSON.stringify(found));
        await new Promise((r) => setTimeout(r, 250));
    }
    const product = await panel.run(['console', '--as', 'boss', '--role', 'admin'], '!product_add "Affiche" 15 10 art\n');
    assert.equal(product.code, 0, product.stderr);
    const bought = await panel.run(['console', '--as', 'chloe'], '!cart_add 1 1\n!checkout\n');
    assert.match(bought.stdout, /MX-\d{4}-\d{6}/, bought.stdout + bought.stderr);
    const chloe = await page.evaluate(async () => (await (await fetch('/admin-panel/api/users?q=chloe')).json()).items[0].id);
    await page.goto(`${panel.origin}/admin-panel/users?id=${chloe}`);
    await page.waitForSelector('#block-toggle');
    await page.click('#block-toggle');
    await page.waitForFunction(() => document.getElementById('block-toggle')?.textContent === 'Débloquer');
    await page.click('#block-toggle');
    await page.waitForFunction(() => document.getElementById('block-toggle')?.textContent === 'Bloquer du bot');

    const pages = [
        ['tickets', '/api/v1/tickets?limit=50', '#tickets-table tbody', /alice/i],
        ['orders', '/api/v1/orders?limit=50', '#orders-table tbody', /chloe/i],
        ['users', '/admin-panel/api/users?q=', '#user-results tbody', /sam/i],
        ['logs', '/admin-panel/api/logs', '#logs-table tbody', /chloe/i],
    ];
    let avatars = 0;
    for (const lang of ['fr', 'en']) {
        await useLanguage(page, lang);
        for (const [name, url, selector, expected] of pages) {
            await page.goto(`${panel.origin}/admin-panel/${name}`);
            await page.waitForSelector(`${selector} .person`);
            const people = await page.evaluate(async (u) => (await (await fetch(u)).json()).people, url);
            const shown = await shownPeople(page, selector);
            checkPeople(shown, people, `${name} (${lang})`, lang);
            assert.ok(shown.some((p) => expected.test(p.name)), `${name} (${lang}) names ${expected}: ${shown.map((p) => p.name).join(', ')}`);
            avatars += shown.filter((p) => p.img && p.img.src === avatar).length;
        }
        // The ticket's detail: its member, each message's author and the history's actors.
        await page.goto(`${panel.origin}/admin-panel/tickets`);
        await page.click('#tickets-table tbody button');
        await page.waitForSelector('#ticket-title');
        const ticketId = (await page.textContent('#ticket-title')).match(/#(\d+)/)[1];
        const tk = await page.evaluate(async (id) => (await fetch('/api/v1/tickets/' + id)).json(), ticketId);
        for (const where of ['#ticket-owner', '#messages', '#ticket-history']) checkPeople(await shownPeople(page, where), tk.people, `ticket ${where} (${lang})`, lang);
        // The history says the chat's sentences, which the server writes in the page's language: each line is the
        // server's, with its people by name.
        const said = await page.evaluate(async ([id, l]) => (await fetch(`/api/v1/tickets/${id}?locale=${l}`)).json(), [ticketId, lang]);
        const lines = await page.$$eval('#ticket-history li', (items) => items.map((li) => li.textContent));
        assert.equal(lines.length, said.audit.length);
        said.audit.forEach((a, i) => {
            const who = (id) => said.people[id].name || said.people[id].username || (lang === 'fr' ? 'membre inconnu' : 'unknown member');
            const words = a.sentence.map((piece) => (piece.user ? who(piece.user) : piece.text)).join('');
            assert.ok(lines[i].endsWith(' — ' + words), `history line ${i} (${lang}): « ${lines[i]} » says « ${words} »`);
        });
        assert.match(lines[0], lang === 'fr' ? / a ouvert le ticket \(priorité \S+, \S+\)$/ : / opened the ticket \(\S+ priority, \S+\)$/);
        // The order's detail: its member.
        await page.goto(`${panel.origin}/admin-panel/orders`);
        await page.click('#orders-table tbody button');
        await page.waitForSelector('#order-title');
        const order = await page.evaluate(async (n) => (await fetch('/api/v1/orders/' + n)).json(), await page.$eval('#orders-table tbody tr', (r) => r.dataset.id));
        checkPeople(await shownPeople(page, '#order-owner'), order.people, `order (${lang})`, lang);
    }
    assert.ok(avatars >= 2, `Camille's avatar shows in the logs in both languages (${avatars})`);
    await useLanguage(page, 'fr');
    // A name leads to that member's card.
    await page.goto(`${panel.origin}/admin-panel/orders`);
    await page.waitForSelector('#orders-table tbody .person');  // the list renders after its answer arrives
    const [owner] = await shownPeople(page, '#orders-table tbody');
    await page.click('#orders-table tbody a.person-link');
    await page.waitForURL(`**/admin-panel/users?id=${owner.user}`);
    await page.waitForFunction((n) => document.querySelector('#profile h2')?.textContent.endsWith('— ' + n), owner.name);
    await page.screenshot({ path: join(artifacts, 'polish-member-card.png'), fullPage: true });
});

test('the staff picker assigns by name; « Prendre en charge » assigns me; a refusal is said in French and changes nothing', async () => {
    const page = adminPage;
    for (const [lang, claim] of [['fr', 'Prendre en charge'], ['en', 'Claim']]) {
        await useLanguage(page, lang);
        await page.goto(`${panel.origin}/admin-panel/tickets`);
        await page.click('#tickets-table tbody button');
        await page.waitForSelector('#ticket-title');
        assert.equal(await page.textContent('#claim'), claim);
        await page.fill('#assign-search', 'sa');
        const pick = page.locator('#assign-options button', { hasText: /^sam$/i });
        await pick.waitFor();
        await pick.click();
        await page.waitForFunction(() => /^sam$/i.test(document.querySelector('#ticket-assignee .name')?.textContent ?? ''));
        assert.match(await page.textContent('#ticket-history'), lang === 'fr' ? /a attribué le ticket/ : /assigned the ticket/);
        await page.click('#claim');
        await page.waitForFunction((id) => document.querySelector('#ticket-assignee .person')?.dataset.user === id, ADMIN.id);
        assert.equal(await page.isDisabled('#claim'), true, 'claimed: the button rests');
    }
    await useLanguage(page, 'fr');
    await page.click('#tickets-table tbody button');
    await page.waitForSelector('#ticket-title');

    // Picking the person the ticket is already assigned to: the server refuses, the panel says why in French,
    // nothing changes.
    await page.fill('#assign-search', 'sa');
    await page.locator('#assign-options button', { hasText: /^sam$/i }).click();
    await page.waitForFunction(() => /^sam$/i.test(document.querySelector('#ticket-assignee .name')?.textContent ?? ''));
    const history = await page.$$eval('#ticket-history li', (items) => items.length);
    await page.fill('#assign-search', 'sam');
    await page.locator('#assign-options button', { hasText: /^sam$/i }).click();
    await page.waitForSelector('#assign-error:not([hidden])');
    assert.equal(await page.textContent('#assign-error'), 'Le ticket est déjà dans cet état : rien n’a changé.');
    assert.match(await page.textContent('#ticket-assignee .name'), /^sam$/i, 'still assigned to Sam');
    assert.equal(await page.$$eval('#ticket-history li', (items) => items.length), history, 'nothing written in the history');
    await page.screenshot({ path: join(artifacts, 'polish-refused-assignment.png'), fullPage: true });
});

/** Words that look like keys but are what the admin types or configures (names of settings in maxis.toml). */
const RAW_ALLOWED = new Set([]);

test('every page, in French and in English: no sideways scroll at 390 px and no axe violation, no id and no raw key', async () => {
    const page = adminPage;
    const login = await (await panel.context()).newPage();
    for (const lang of ['fr', 'en']) {
        await useLanguage(page, lang);
        for (const width of [1280, 390]) {
            await page.setViewportSize({ width, height: 844 });
            for (const name of PAGES) {
                await page.goto(`${panel.origin}/admin-panel/${name}`);
                await page.waitForSelector('body[data-ready="true"]');
                // Open the first item of each list, so that its detail is measured too.
                const opener = { users: '#user-results tbody button', orders: '#orders-table tbody button', tickets: '#tickets-table tbody button' }[name];
                if (opener) {
                    await page.click(opener);
                    await page.waitForSelector({ users: '#profile h2', orders: '#order-title', tickets: '#ticket-title' }[name]);
                }
                if (width === 1280) {
                    // What an admin reads: people by name, values in words; never an id or a raw key.
                    // Except the read-only configuration, shown as maxis.toml spells it (keys, role ids).
                    const text = await page.evaluate(() => {
                        const file = document.getElementById('effective-table');
                        return document.querySelector('main').innerText.replace(file ? file.innerText : '', '');
                    });
                    const ids = text.match(/\b\d{15,20}\b/g) ?? [];
                    assert.deepEqual(ids, [], `${name} (${lang}) shows ids`);
                    const keys = (text.match(/\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\.[a-z_]+\b/g) ?? []).filter((k) => !RAW_ALLOWED.has(k));
                    assert.deepEqual(keys, [], `${name} (${lang}) shows raw keys`);
                }
                if (width === 390) {
                    const scroll = await page.evaluate(() => document.scrollingElement.scrollWidth);
                    assert.ok(scroll <= 390, `${name} (${lang}) scrolls sideways at 390 px: ${scroll}`);
                    await page.screenshot({ path: join(artifacts, `polish-390-${name}-${lang}.png`), fullPage: true });
                }
                assert.deepEqual(await axeViolations(page), [], `${name} (${lang}, ${width} px): axe`);
            }
        }
        await page.setViewportSize({ width: 1280, height: 900 });
        await login.setViewportSize({ width: 390, height: 844 });
        await login.goto(`${panel.origin}/admin-panel/login`);
        await login.waitForSelector('body[data-ready="true"]');
        assert.ok(await login.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'login at 390 px');
        assert.deepEqual(await axeViolations(login), [], `login (${lang}): axe`);
    }
    await useLanguage(page, 'fr');
    await auditPage(page, assert, 'polish-last');
    assert.deepEqual(page.context().pageErrors, [], 'no script error');
});
