// The panel's Giveaways page, in French: the list (status, prize, entrants, winners by name, end), a giveaway's
// detail with its proof and its return (cost, members gained, their revenue, « so far » while the period is open)
// and the chart with one point per day of the giveaway and the 30 days after; staff set the cost (a bad amount is
// refused, nothing changed), draw again and cancel, each after a confirmation (« Non » changes nothing); the coin
// leaderboard names people. Real maxis binary and SQLite file; the member log and a payment are written as Maxis
// records them (Discord's joins and Stripe's payments are not part of this test), giveaways come from the console.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Panel, auditPage } from './harness.mjs';

let panel;
before(async () => {
    panel = await Panel.start({ insecureHttp: true, require2fa: false });
});
after(async () => {
    await panel?.stop();
});

const console_ = (as, line, role) => panel.run(['console', '--as', as, ...(role ? ['--role', role] : [])], line + '\n');
const sql = (statement) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', join(panel.dir, 'maxis.db'), statement]);
const get = (page, path) => page.evaluate(async (p) => (await fetch(p)).json(), path);
const DAY = 86400000;

async function adminPage() {
    const link = await panel.run(['admin', 'login-link', '--as', 'camille', '--role', 'admin']);
    assert.equal(link.code, 0, link.stderr);
    const page = await (await panel.context()).newPage();
    await page.goto(link.stdout.trim());
    await page.waitForURL('**/admin-panel/dashboard');
    await page.waitForSelector('body[data-ready="true"]');
    return page;
}

/** Clicks a button and waits for the message box to say something new. */
async function press(page, button, box) {
    await page.evaluate((b) => { for (const el of document.querySelectorAll(b)) el.textContent = ''; }, box);
    await page.click(button);
    await page.waitForFunction((b) => [...document.querySelectorAll(b)].some((el) => !el.hidden && el.textContent !== ''), box);
    return page.evaluate((b) => [...document.querySelectorAll(b)].filter((el) => !el.hidden && el.textContent !== '').map((el) => ({
        text: el.textContent, refused: el.classList.contains('alert') && !el.classList.contains('notice') })), box).then((r) => r[0]);
}

test('the Giveaways page: list, detail, return and its chart, confirmed actions, the coin leaderboard', async () => {
    for (const line of ['!giveaway_start 2h 1 Nitro Classic', '!giveaway_start 1d 1 Carte cadeau']) {
        const r = await console_('sam', line, 'staff');
        assert.equal(r.code, 0, r.stderr);
    }
    for (const who of ['alice', 'bob', 'chloe']) {
        const r = await console_(who, '!giveaway_enter 1');
        assert.match(r.stdout, /enregistrée/, r.stdout);
    }
    assert.match((await console_('sam', '!giveaway_end 1', 'staff')).stdout, /Concours #1 terminé/);

    const page = await adminPage();
    const first = await get(page, '/api/v1/giveaways/1');
    // To the millisecond, as stored; the whole script fits in its first tenth of a second, already past.
    const start = Number(String(sql('SELECT starts_at FROM giveaways WHERE id = 1')).trim());
    // Three people joined during the giveaway, one of them left; one paid 30,00 €.
    sql(`INSERT INTO member_events (user_id, kind, at) VALUES (801, 'join', ${start + 10}), (802, 'join', ${start + 20}),
         (803, 'join', ${start + 30}), (803, 'leave', ${start + 40});
         INSERT INTO orders (number, user_id, status, total_minor, currency, created_at, updated_at) VALUES ('2026-90001', 801, 'paid', 3000, 'EUR', 0, 0);
         INSERT INTO payments (order_id, user_id, kind, amount_minor, currency, stripe_id, at)
           SELECT id, 801, 'charge', 3000, 'EUR', 'pi_giveaway_page', ${start + 50} FROM orders WHERE number = '2026-90001';`);

    await page.goto(`${panel.origin}/admin-panel/giveaways`);
    await page.waitForSelector('body[data-ready="true"]');
    // The list: both giveaways, in words, the winner by name.
    const rows = await page.$$eval('#giveaways-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
    assert.equal(rows.length, 2);
    const ended = rows.find((r) => r[0] === 'Nitro Classic');
    const running = rows.find((r) => r[0] === 'Carte cadeau');
    assert.deepEqual([ended[1], ended[2]], ['terminé', '3']);
    assert.match(ended[3], /^(alice|bob|chloe)$/i, 'the winner by name: ' + ended[3]);
    assert.deepEqual([running[1], running[2], running[3]], ['en cours', '0', '–']);

    // The detail of the ended one: its proof, its return so far, and the chart over its 31 or 32 days.
    await page.click('#giveaways-table tr[data-giveaway="1"] button');
    await page.waitForSelector('#giveaway-title');
    assert.equal(await page.getAttribute('#gw-proof', 'href'), '/api/v1/giveaways/1/proof');
    const proof = await get(page, '/api/v1/giveaways/1/proof');
    assert.equal(proof.entries.length, 3);
    assert.match(await page.textContent('#gw-so-far'), /Période encore ouverte/);
    assert.equal(await page.textContent('#gw-roi-gained'), '2 (3 arrivée(s), dont 1 reparti(e)s)');
    assert.equal(await page.textContent('#gw-roi-revenue'), '30,00\u00a0€ (boutique 30,00\u00a0€, offres 0,00\u00a0€)');
    assert.equal(await page.textContent('#gw-roi-cost'), 'non renseigné');
    const end = Date.parse(first.ended_at);
    const expectedDays = Math.floor((end + 30 * DAY - 1) / DAY) - Math.floor(start / DAY) + 1;
    assert.equal(await page.locator('#gw-chart .legend li').count(), 3, 'joins, leaves and revenue');
    assert.equal(await page.locator('#gw-chart details tbody tr').count(), expectedDays, 'one point per day');
    assert.equal(await page.locator('#gw-chart canvas').count() >= 1, true, 'the chart is drawn');
    // What an admin reads: people by name, values in words; never an id nor a raw key.
    const text = await page.evaluate(() => document.querySelector('main').innerText);
    assert.deepEqual(text.match(/\b\d{15,20}\b/g) ?? [], [], 'no id on the page');
    assert.deepEqual(text.match(/\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\.[a-z_]+\b/g) ?? [], [], 'no raw key on the page');
    const firstDay = await page.$$eval('#gw-chart details tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(firstDay, ['3', '1', '30'], 'the first day: 3 joins, 1 leave, 30 €');

    // The cost: a bad amount is refused and changes nothing; a good one is saved and the ratio appears.
    await page.fill('#gw-cost', 'beaucoup');
    const bad = await press(page, '#gw-cost-form button[type="submit"]', '#giveaway .alert');
    assert.equal(bad.refused, true);
    assert.match(bad.text, /0 à 1 000 000 000,00/);
    assert.equal((await get(page, '/api/v1/giveaways/1')).prize_cost_cents, 0);
    await page.fill('#gw-cost', '25,00');
    const saved = await press(page, '#gw-cost-form button[type="submit"]', '#giveaway .notice[role="alert"], #giveaway p.notice:not(#gw-so-far)');
    assert.match(saved.text, /Coût enregistré : 25,00\u00a0€/);
    assert.equal(await page.textContent('#gw-roi-cost'), '25,00\u00a0€');
    assert.equal(await page.textContent('#gw-roi-net'), '5,00\u00a0€ · ROI 20 %');

    // Draw again, after confirming: a new winner, never the first one.
    const before = (await get(page, '/api/v1/giveaways/1')).winners.map((w) => w.user);
    await page.click('#gw-reroll');
    await page.click('#gw-reroll-no');
    assert.deepEqual((await get(page, '/api/v1/giveaways/1')).winners.map((w) => w.user), before, '« Non » changes nothing');
    await page.click('#gw-reroll');
    const rerolled = await press(page, '#gw-reroll-yes', '#giveaway p.notice:not(#gw-so-far)');
    assert.match(rerolled.text, /Nouveau tirage du concours n° 1 effectué/);
    const after_ = (await get(page, '/api/v1/giveaways/1')).winners.map((w) => w.user);
    assert.equal(after_.length, 1);
    assert.notEqual(after_[0], before[0]);

    // Cancel the running one, after confirming.
    await page.click('#giveaways-table tr[data-giveaway="2"] button');
    await page.waitForFunction(() => document.getElementById('giveaway-title')?.textContent.includes('Carte cadeau'));
    assert.equal(await page.locator('#gw-proof').count(), 0, 'no proof before the draw');
    await page.click('#gw-cancel');
    const cancelled = await press(page, '#gw-cancel-yes', '#giveaway p.notice:not(#gw-so-far)');
    assert.match(cancelled.text, /Concours n° 2 annulé/);
    assert.equal(await page.textContent('#gw-status'), 'annulé');
    assert.equal(await page.textContent('#giveaways-table tr[data-giveaway="2"] td.state'), 'annulé');

    // The coin leaderboard: the three entrants by name, each with the coins entering earned.
    const leaders = await page.$$eval('#coin-leaders tbody tr', (trs) => trs.map((tr) => tr.innerText));
    assert.equal(leaders.length, 3, leaders.join(' | '));
    for (const row of leaders) assert.doesNotMatch(row, /\d{15,}/, 'no id: ' + row);
    await auditPage(page, assert, 'giveaways');
    assert.deepEqual(page.context().pageErrors, [], 'no script error');
});
