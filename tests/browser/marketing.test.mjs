// The panel's Marketing page, in French and in English, against the real maxis binary and its SQLite file. Members
// apply in the chat (the console); staff, in the panel: approve an application (the holder listed under the role),
// reject another with a reason; open the marketer's statement for the month; enter a reward (the role's bounds shown;
// an amount out of them refused with the server's message, nothing recorded); record a payout larger than what is due
// (refused with the server's message, nothing changed) then a valid one, and the statement, the marketers' table and
// the CSV follow; the invite leaderboard by period; a role revoked with a reason. No axe violation, no sideways scroll
// at 390 px, no id or raw key shown, no script error. A sale attributed to a partner (their code declared by the buyer,
// paid on the Stripe simulator) shows in the partner's statement with its buyer by name, for staff.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Panel, adminPage, auditPage, press } from './harness.mjs';
import { startStripeSimulator } from '../sim/stripe/simulator.mjs';

const ZONE = 'Europe/Paris';
let panel;
let stripe;
before(async () => {
    stripe = await startStripeSimulator({ secretKey: 'sk_test_marketing', webhookSecret: 'whsec_test_marketing' });
    panel = await Panel.start({
        insecureHttp: true, require2fa: false,
        toml: `[community]\ntime_zone = "${ZONE}"\n[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n`,
        env: { MAXIS_STRIPE_SECRET_KEY: 'sk_test_marketing', MAXIS_STRIPE_WEBHOOK_SECRET: 'whsec_test_marketing' } });
    await stripe.control('/_sim/config', { webhookUrl: `${panel.origin}/stripe/webhook`, retryDelayMs: 200, maxRetries: 10 });
});
after(async () => {
    await panel?.stop();
    await stripe?.close();
});

const get = (page, path) => page.evaluate(async (p) => {
    const res = await fetch(p);
    return { status: res.status, body: await res.json() };
}, path);
/** A staff request from the signed-in page (its session and CSRF token), as the panel itself sends it. */
const post = (page, path, body) => page.evaluate(async ([p, b]) => {
    const me = await (await fetch('/admin-panel/api/me')).json();
    const res = await fetch(p, { method: 'POST', headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
    return { status: res.status, body: await res.json() };
}, [path, body]);
const say = (as, line, role) => panel.run(['console', '--as', as, ...(role ? ['--role', role] : [])], line + '\n');

async function open(page, query = '') {
    await page.goto(`${panel.origin}/admin-panel/marketing${query}`);
    await page.waitForSelector('body[data-ready="true"]');
}

/** A member the chat made (the console), by name: their id. */
async function memberId(page, name) {
    const found = (await get(page, '/admin-panel/api/users?q=' + name)).body;
    const user = found.items.find((u) => u.name === name);
    assert.ok(user, `${name} is known: ${JSON.stringify(found)}`);
    return String(user.id);
}

/** Submits a form and waits for the box to say something new: {text, refused}. */
async function submit(page, form, box) {
    await page.evaluate((b) => { const el = document.querySelector(b); if (el) el.textContent = ''; }, box);
    await page.$eval(form, (f) => f.requestSubmit());
    await page.waitForFunction((b) => { const el = document.querySelector(b); return el && !el.hidden && el.textContent !== ''; }, box);
    return { text: await page.textContent(box), refused: await page.$eval(box, (el) => el.classList.contains('alert')) };
}

/** What an admin reads in the page's main part: never an id (15 to 20 digits), a raw key nor a value left unsaid. */
async function noIdsNorKeys(page, where) {
    const text = await page.evaluate(() => document.querySelector('main').innerText);
    assert.deepEqual(text.match(/\b(?:null|undefined|NaN)\b/g) ?? [], [], `${where}: a missing value shown`);
    assert.deepEqual(text.match(/\b\d{15,20}\b/g) ?? [], [], `${where}: ids shown`);
    assert.deepEqual(text.match(/\b[a-z]+(?:_[a-z]+)+\b|\b[a-z]+\.[a-z_]+\.[a-z_]+\b/g) ?? [], [], `${where}: raw keys shown`);
}

const month = () => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', timeZone: ZONE }).format(new Date()).slice(0, 7);

for (const [lang, words] of Object.entries({
    fr: { role: 'Influenceur', followers: '1\u202f500 abonnés déclarés', approved: /est désormais Influenceur/, rejected: /refusée/, bounds: 'Rémunération mensuelle : entre 50,00\u00a0€ et 200,00\u00a0€.',
        amount: (v) => v.replace('.', ','), euros: (v) => v.replace('.', ',') + '\u00a0€', monthly: 'rémunération mensuelle', due: 'due', badReason: /Indiquez une raison/,
        rewardDone: /enregistré : dû dès maintenant/, payoutDone: /Versement de 100,00\u00a0€/, nobody: /Personne ne tient ce rôle/, reasonShown: /raison : pas assez d’abonnés/,
        why: 'pas assez d’abonnés', week: '7 jours', all: 'Depuis toujours' },
    en: { role: 'Influencer', followers: '1,500 followers declared', approved: /is now Influencer/, rejected: /rejected/, bounds: 'Monthly reward: between €50.00 and €200.00.',
        amount: (v) => v, euros: (v) => '€' + v, monthly: 'monthly reward', due: 'due', badReason: /Give a reason/,
        rewardDone: /recorded: due now/, payoutDone: /Payout of €100\.00/, nobody: /Nobody holds this role/, reasonShown: /reason: too few followers/,
        why: 'too few followers', week: '7 days', all: 'All time' },
})) {
    test(`${lang}: approve and reject applications, a reward within bounds, a payout over what is due refused, a valid one, the statement and CSV follow, revoke`, async () => {
        const page = await adminPage(panel, 'boss-' + lang, lang);
        const marketer = 'ines-' + lang;
        const applicant = 'theo-' + lang;

        // Two members apply in the chat as influencers: 1,500 followers declared and their links.
        for (const who of [marketer, applicant]) {
            const applied = await say(who, `!marketing_apply influencer 1500 https://social.example/${who}`);
            assert.equal(applied.code, 0, applied.stderr);
        }
        const id = await memberId(page, marketer);
        const otherId = await memberId(page, applicant);

        // The pending applications: by name, the role in words, what they wrote.
        await open(page);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        const row = `#mk-apps-table tr[data-user="${id}"]`;
        await page.waitForSelector(row);
        const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.innerText.trim()));
        assert.equal(cells[0], marketer, 'the applicant by name');
        assert.equal(cells[1], words.role);
        assert.match(cells[2], new RegExp(words.followers));
        assert.match(cells[2], new RegExp(`https://social\\.example/${marketer}`));
        assert.match(await page.getAttribute(`${row} a.person-link`, 'href'), /^\/admin-panel\/users\?id=\d+$/, 'linked to the member card');
        await noIdsNorKeys(page, `marketing applications (${lang})`);

        // A rejection needs a reason (nothing sent without one); with one, the application leaves the pending list.
        const otherRow = `#mk-apps-table tr[data-user="${otherId}"]`;
        let r = await submit(page, `${otherRow} form`, '#mk-message');
        assert.equal(r.refused, true, r.text);
        assert.match(r.text, words.badReason);
        assert.ok(await page.$(otherRow), 'still pending');
        await page.fill(`${otherRow} form input`, words.why);
        r = await submit(page, `${otherRow} form`, '#mk-message');
        assert.equal(r.refused, false, r.text);
        assert.match(r.text, words.rejected);
        await page.waitForFunction((sel) => !document.querySelector(sel), otherRow);
        await page.selectOption('#mk-app-status', 'rejected');
        await page.waitForSelector(otherRow);
        assert.match(await page.textContent(otherRow), words.reasonShown);
        const rejected = (await get(page, '/api/v1/marketing/applications?status=rejected')).body.items.find((a) => String(a.user) === otherId);
        assert.equal(rejected?.reason, words.why);
        await page.selectOption('#mk-app-status', 'pending');
        await page.waitForSelector(row);

        // Approval: the member holds the role, listed under it.
        r = await press(page, `#mk-approve-${(await page.getAttribute(row, 'data-application'))}`, '#mk-message');
        assert.equal(r.refused, false, r.text);
        assert.match(r.text, words.approved);
        const holders = (await get(page, '/api/v1/marketing/holders')).body.items;
        assert.ok(holders.some((x) => String(x.user) === id && x.role === 'influencer'), JSON.stringify(holders));
        const holderRow = `#mk-holders section[data-role="influencer"] tr[data-user="${id}"]`;
        await page.waitForSelector(holderRow);
        assert.equal((await page.textContent(`${holderRow} td:first-child`)).trim(), marketer);

        // The marketer's statement for this month, with the reward form: the role's bounds shown.
        await open(page, `?user=${id}`);
        await page.waitForSelector('#mk-reward-form #mk-reward-bounds');
        assert.equal(await page.inputValue('#mk-month'), month());
        assert.equal(await page.textContent('#mk-reward-bounds'), words.bounds);
        assert.equal(await page.textContent('#mk-earned'), words.euros('0.00'));

        // Over the bounds: the server's own message, nothing recorded.
        const overBound = await post(page, `/api/v1/marketing/marketers/${id}/rewards`, { role: 'influencer', amount_minor: 25000, note: 'x' });
        assert.ok(overBound.status >= 400 && overBound.status < 500, JSON.stringify(overBound));
        await page.fill('#mk-reward-amount', words.amount('250.00'));
        await page.fill('#mk-reward-note', lang === 'fr' ? 'Décembre' : 'December');
        r = await submit(page, '#mk-reward-form', '#mk-form-message');
        assert.equal(r.refused, true, r.text);
        assert.equal(r.text, overBound.body.error.message, 'the API\u2019s message');
        assert.equal((await get(page, `/api/v1/marketing/marketers/${id}/statement?month=${month()}`)).body.earned_minor, 0, 'nothing recorded');

        // Within them: a due line of 120.
        await page.fill('#mk-reward-amount', words.amount('120.00'));
        r = await submit(page, '#mk-reward-form', '#mk-form-message');
        assert.equal(r.refused, false, r.text);
        assert.match(r.text, words.rewardDone);
        assert.equal(await page.textContent('#mk-earned'), words.euros('120.00'));
        assert.equal(await page.textContent('#mk-closing'), words.euros('120.00'));
        const line = await page.$$eval('#mk-lines tbody tr td', (tds) => tds.map((td) => td.innerText.trim()));
        assert.deepEqual([line[1], line[2], line[3], line[4]], [words.monthly, words.role, words.due, words.euros('120.00')]);

        // A payout larger than what is due: the server's message, nothing changed.
        const tooMuch = await post(page, `/api/v1/marketing/marketers/${id}/payouts`, { amount_minor: 15000, reference: 'VIR-TEST' });
        assert.ok(tooMuch.status >= 400 && tooMuch.status < 500, JSON.stringify(tooMuch));
        await page.fill('#mk-payout-amount', words.amount('150.00'));
        await page.fill('#mk-payout-reference', `VIR-${lang}-001`);
        r = await submit(page, '#mk-payout-form', '#mk-form-message');
        assert.equal(r.refused, true, r.text);
        assert.equal(r.text, tooMuch.body.error.message, 'the API\u2019s message');
        const unchanged = (await get(page, `/api/v1/marketing/marketers/${id}/statement?month=${month()}`)).body;
        assert.equal(unchanged.paid_minor, 0, 'nothing paid');
        assert.equal(unchanged.closing_minor, 12000, 'still due');
        assert.equal(unchanged.payouts.length, 0, 'no payout recorded');
        assert.equal(await page.textContent('#mk-paid'), words.euros('0.00'));

        // A valid payout: the statement, its payouts and the marketers' table follow.
        await page.fill('#mk-payout-amount', words.amount('100.00'));
        r = await submit(page, '#mk-payout-form', '#mk-form-message');
        assert.equal(r.refused, false, r.text);
        assert.match(r.text, words.payoutDone);
        assert.equal(await page.textContent('#mk-paid'), words.euros('100.00'));
        assert.equal(await page.textContent('#mk-closing'), words.euros('20.00'));
        const payout = await page.$$eval('#mk-payouts tbody tr td', (tds) => tds.map((td) => td.innerText.trim()));
        assert.deepEqual(payout.slice(1), [words.euros('100.00'), `VIR-${lang}-001`, 'boss-' + lang], 'amount, reference, and who entered it by name');
        const listed = `#mk-marketers-table tr[data-user="${id}"]`;
        assert.equal(await page.textContent(`${listed} td.paid`), words.euros('100.00'));
        assert.equal(await page.textContent(`${listed} td.closing`), words.euros('20.00'));
        const saved = (await get(page, `/api/v1/marketing/marketers/${id}/statement?month=${month()}`)).body;
        assert.deepEqual([saved.earned_minor, saved.paid_minor, saved.closing_minor], [12000, 10000, 2000]);
        await noIdsNorKeys(page, `marketing statement (${lang})`);

        // The month's CSV names the marketer, with the amounts.
        assert.equal(await page.getAttribute('#mk-csv', 'href'), `/api/v1/marketing/statements.csv?month=${month()}`);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click('#mk-csv')]);
        const csv = readFileSync(await download.path(), 'utf8');
        const csvLine = csv.split('\n').find((l) => l.includes(marketer));
        assert.ok(csvLine, 'the marketer by name: ' + csv);
        assert.match(csvLine, /120[.,]00/, csv);
        assert.match(csvLine, /100[.,]00/, csv);

        // The invite leaderboard by period: staff's bonus counts for its inviter.
        const bonus = await post(page, `/api/v1/marketing/invites/${id}/bonus`, { amount: 3, reason: 'salon partenaire' });
        assert.equal(bonus.status, 200, JSON.stringify(bonus));
        await open(page);
        assert.equal(await page.$eval('#mk-window option:checked', (o) => o.textContent), words.week);
        await page.selectOption('#mk-window', 'all');
        const leader = `#mk-leaders-table tr[data-user="${id}"]`;
        await page.waitForSelector(leader);
        assert.equal((await page.textContent(`${leader} td:nth-child(2)`)).trim(), marketer);
        assert.equal(await page.textContent(`${leader} td.total`), '3');

        // Phones: nothing scrolls sideways at 390 px; the page passes axe and the CSP at both widths.
        await auditPage(page, assert, `marketing-${lang}`);
        await page.setViewportSize({ width: 390, height: 844 });
        await open(page, `?user=${id}`);
        await page.waitForSelector('#mk-payouts tbody tr');
        assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390, 'no sideways scroll at 390 px');
        await auditPage(page, assert, `marketing-390-${lang}`);
        await page.setViewportSize({ width: 1280, height: 900 });

        // A revoke needs a reason; with one, the holder leaves the role.
        await open(page);
        await page.waitForSelector(holderRow);
        r = await submit(page, `${holderRow} form`, '#mk-message');
        assert.equal(r.refused, true, r.text);
        assert.match(r.text, words.badReason);
        assert.ok((await get(page, '/api/v1/marketing/holders')).body.items.some((x) => String(x.user) === id), 'nothing revoked');
        await page.fill(`${holderRow} form input`, lang === 'fr' ? 'fin du partenariat' : 'partnership over');
        await page.$eval(`${holderRow} form`, (f) => f.requestSubmit());
        await page.waitForFunction((sel) => !document.querySelector(sel), holderRow);
        assert.ok(!(await get(page, '/api/v1/marketing/holders')).body.items.some((x) => String(x.user) === id), 'revoked');

        assert.deepEqual(page.context().pageErrors, [], 'no script error');
        await page.context().close();
    });
}

test('fr: a sale attributed to a partner shows in their statement, pending, with its buyer by name for staff', async () => {
    const page = await adminPage(panel, 'boss-sale', 'fr');
    const added = await say('boss-sale', '!product_add "Artbook" 100 20', 'staff');
    assert.equal(added.code, 0, added.stderr);
    const product = /#(\d+)/.exec(added.stdout)?.[1];
    assert.ok(product, added.stdout);

    // A partner (their presentation only), approved; their referral code, declared by a buyer before paying.
    const applied = await say('paul-sale', '!marketing_apply partner 0 - - Je tiens une boutique de jeux et je parle de vous.');
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const partner = await memberId(page, 'paul-sale');
    const application = (await get(page, '/api/v1/marketing/applications?status=pending')).body.items.find((a) => String(a.user) === partner);
    assert.ok(application, 'the partner applied: ' + applied.stdout);
    assert.equal((await post(page, `/api/v1/marketing/applications/${application.id}/approve`, {})).status, 200);
    const code = await say('paul-sale', '!referral PAULJEUX');
    assert.equal(code.code, 0, code.stderr);
    assert.match(code.stdout, /PAULJEUX/, code.stdout);
    const used = await say('lea-sale', '!referral_use PAULJEUX');
    assert.equal(used.code, 0, used.stderr);
    const buyer = await memberId(page, 'lea-sale');

    // The buyer pays 100 € on Stripe: the partner's 30 % is pending.
    const bought = await say('lea-sale', `!cart_add ${product} 1\n!checkout`);
    assert.equal(bought.code, 0, bought.stderr);
    const sessions = await stripe.control('/_sim/sessions');
    const session = sessions.at(-1);
    assert.ok(session && bought.stdout.includes(session.url), 'the checkout link: ' + bought.stdout);
    await stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    for (let tries = 0; ; tries++) {
        const statement = (await get(page, `/api/v1/marketing/marketers/${partner}/statement?month=${month()}`)).body;
        if (statement.lines.some((c) => c.kind === 'sale')) break;
        assert.ok(tries < 80, 'the commission arrives: ' + JSON.stringify(statement));
        await new Promise((r) => setTimeout(r, 250));
    }

    // Staff read the line: the order, 30 % of 100 €, pending, and who bought, by name and linked to their card.
    await open(page, `?user=${partner}`);
    await page.waitForSelector('#mk-lines tr[data-kind="sale"]');
    const line = '#mk-lines tr[data-kind="sale"]';
    assert.equal(await page.textContent(`${line} td.kind`), 'commission sur vente');
    assert.equal(await page.textContent(`${line} td.state`), 'en attente');
    assert.equal(await page.textContent(`${line} td.amount`), '30,00\u00a0€');
    assert.equal((await page.textContent(`${line} td.sale`)).trim(), 'commande — 30 % de 100,00\u00a0€');
    assert.equal((await page.textContent(`${line} td.buyer`)).trim(), 'lea-sale', 'the buyer by name');
    assert.equal(await page.getAttribute(`${line} td.buyer a.person-link`, 'href'), `/admin-panel/users?id=${buyer}`);
    assert.equal(await page.textContent('#mk-pending'), '30,00\u00a0€');
    assert.equal(await page.textContent('#mk-due-now'), '0,00\u00a0€', 'nothing due during the refund window');
    await noIdsNorKeys(page, 'marketing sale line');
    assert.deepEqual(page.context().pageErrors, [], 'no script error');
    await page.context().close();
});
