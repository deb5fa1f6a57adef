// The marketing money chain end to end: the real maxis binary with the Discord and Stripe simulators
// (tests/e2e/shop/harness.mjs), Maxis's clock moved by libfaketime. A member joins through an ambassador's invite
// (the Discord simulator's join: the invite's uses rise, then GUILD_MEMBER_ADD), stays 7 days, buys in the shop (Stripe
// Checkout, signed webhooks); the ambassador's commission is pending, due after the refund window, paid when staff
// record a payout; a second purchase refunded in part, then in full; a refund after payout carried as a negative
// balance; a checkout with the ambassador's promotion code attributes; the ambassador's own purchase earns nothing;
// with marketing disabled (restarted), no commands, routes nor new commissions, while refunds still reverse them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShop, waitFor } from '../shop/harness.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';  // the threads' variant

const ALICE = '1500000000000000001';  // the ambassador
const BOB = '1500000000000000002';    // invited by Alice
const CAROL = '1500000000000000003';  // uses Alice's promotion code
const STAFF = '1500000000000000009';
const DAY = 86400;  // seconds

test('invited, stays, buys: the ambassador\'s commission goes pending, due, paid; refunds reduce, reverse, claw back', async () => {
  assert.ok(existsSync(FAKETIME), 'libfaketime is needed to move the clock: scripts/install-deps --test');
  const clockDir = mkdtempSync(join(tmpdir(), 'maxis-clock-'));
  const clockFile = join(clockDir, 'offset');
  let offset = 0;  // seconds Maxis's clock is ahead
  const e = await startShop({
    toml: '[marketing]\nsweep_schedule = "every 1s"\n[marketing.roles.ambassador]\nrequired_invites = 1\n',
    env: { LD_PRELOAD: FAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' },
  });
  const setClock = async (seconds) => {
    offset = seconds;
    writeFileSync(`${clockFile}.next`, `+${seconds}\n`);
    renameSync(`${clockFile}.next`, clockFile);
    await e.stripe.control('/_sim/config', { clockOffset: seconds });  // its signatures stay fresh for Maxis
  };
  writeFileSync(clockFile, '+0\n');
  try {
    await e.stripe.control('/_sim/config', { clockOffset: 0 });
    for (const user of [ALICE, CAROL]) await e.member(user);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const staff = (lines) => e.console(STAFF, lines, { role: 'staff' });
    const as = (user, lines) => e.console(user, lines);
    const commissions = () => {
      const rows = e.sql('SELECT status, amount_minor, source, kind FROM commissions ORDER BY id');
      return rows ? rows.split('\n').map((r) => { const [status, amount, source, kind] = r.split('|'); return { status, amount: Number(amount), source, kind }; }) : [];
    };
    const balance = () => e.sql(`SELECT COALESCE(SUM(amount_minor), 0) FROM commissions WHERE marketer_id = ${ALICE} AND status IN ('due', 'paid')`);
    await staff(['!product_add "Artbook" 100 20']).then((r) => assert.match(r.out, /#1/, r.out + r.err));

    // Bob joins through Alice's invite: Discord's use count rises, Maxis finds the inviter.
    const invite = await e.control('POST', '/_sim/invites', { inviter: ALICE });
    await e.control('POST', '/_sim/joins', { user: BOB, username: 'bob', code: invite.code });
    await waitFor('the join recorded', async () => e.sql(`SELECT status || '|' || inviter_id FROM invite_joins WHERE member_id = ${BOB}`) === `pending|${ALICE}`, 15000);
    // Alice cannot be an ambassador yet: her invite is not validated.
    let r = await as(ALICE, ['!marketing_apply ambassador']);
    assert.doesNotMatch(e.sql(`SELECT COUNT(*) FROM marketing_applications WHERE user_id = ${ALICE}`), /^[1-9]/, r.out);
    // Seven days later Bob is still here: validated by the sweep.
    await setClock(7 * DAY + 60);
    await waitFor('the invite validated', async () => e.sql(`SELECT status FROM invite_joins WHERE member_id = ${BOB}`) === 'validated', 20000);
    r = await as(ALICE, ['!marketing_apply ambassador']);
    assert.equal(e.sql(`SELECT status FROM marketing_applications WHERE user_id = ${ALICE}`), 'pending', r.out + r.err);
    r = await staff([`!marketing_approve <@${ALICE}> ambassador`]);
    assert.equal(e.sql(`SELECT COUNT(*) FROM user_marketing_roles WHERE user_id = ${ALICE} AND role = 'ambassador' AND revoked_at IS NULL`), '1', r.out + r.err);

    // Bob buys: the page offers the promotion-code field; paid, Alice's commission is pending (20 % of 100 €).
    r = await as(BOB, ['!cart_add 1 1', '!checkout']);
    let session = await e.lastSession();
    assert.equal(session.allow_promotion_codes, true);
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.deepEqual(commissions(), [{ status: 'pending', amount: 2000, source: 'order', kind: 'sale' }]);
    // The same event again: still one commission.
    const firstPi = (await e.stripe.control('/_sim/sessions')).find((s) => s.id === session.id).payment_intent;
    // Staff cannot pay out what is not due.
    r = await staff([`!commission_payout <@${ALICE}> 20 VIR-0`]);
    assert.equal(e.sql('SELECT COUNT(*) FROM payouts'), '0', r.out);

    // Fourteen days later: due.
    await setClock(offset + 14 * DAY + 60);
    await waitFor('the commission due', async () => commissions()[0].status === 'due', 20000);
    assert.equal(balance(), '2000');
    // Staff record the payout (money moved outside Maxis): paid.
    r = await staff([`!commission_payout <@${ALICE}> 20 VIR-2026-1`]);
    assert.equal(e.sql('SELECT amount_minor || \'|\' || reference FROM payouts'), '2000|VIR-2026-1', r.out + r.err);
    assert.equal(commissions()[0].status, 'paid');

    // A second purchase, refunded in part (25 €: the commission becomes 15 €), then in full (reversed).
    await as(BOB, ['!cart_add 1 1', '!checkout']);
    session = await e.lastSession();
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    const pi = (await e.stripe.control('/_sim/sessions')).find((s) => s.id === session.id).payment_intent;
    assert.deepEqual(commissions()[1], { status: 'pending', amount: 2000, source: 'order', kind: 'sale' });
    const refund = (amount) => fetch(`${e.stripe.base}/v1/refunds`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' },
      body: `payment_intent=${pi}${amount ? `&amount=${amount}` : ''}` });
    assert.equal((await refund(2500)).status, 200);
    await waitFor('the commission reduced', async () => commissions()[1].amount === 1500, 15000);
    assert.equal((await refund()).status, 200);
    await waitFor('the commission reversed', async () => commissions()[1].status === 'reversed', 15000);

    // The first (paid) purchase refunded in full after the payout: a clawback, Alice's balance negative.
    const back = await fetch(`${e.stripe.base}/v1/refunds`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' }, body: `payment_intent=${firstPi}` });
    assert.equal(back.status, 200);
    await waitFor('the clawback', async () => commissions().some((c) => c.kind === 'clawback'), 15000);
    assert.deepEqual(commissions().find((c) => c.kind === 'clawback'), { status: 'due', amount: -2000, source: 'order', kind: 'clawback' });
    assert.equal(Number(balance()) - 2000, -2000, 'due and paid rows net of the payout: a negative balance carried');

    // Alice's referral code: a promotion code on Stripe naming her. Carol (attributed to nobody) pays with it.
    r = await as(ALICE, ['!referral']);
    const code = e.sql(`SELECT code FROM referral_codes WHERE user_id = ${ALICE}`);
    assert.ok(code, r.out + r.err);
    const promo = (await e.stripe.control('/_sim/requests')).find((q) => q.path === '/v1/promotion_codes');
    assert.equal(promo.params.metadata.referrer, ALICE);
    assert.equal(promo.params.coupon, 'maxis-referral-5');
    await as(CAROL, ['!cart_add 1 1', '!checkout']);
    session = await e.lastSession();
    await e.stripe.control(`/_sim/sessions/${session.id}/promotion_code`, { code });
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    const carolPi = (await e.stripe.control('/_sim/sessions')).find((x) => x.id === session.id).payment_intent;
    const carol = commissions().at(-1);
    assert.equal(carol.source, 'order');
    assert.equal(carol.status, 'pending');
    assert.equal(carol.amount, 1900, '20 % of what Carol paid (95 € after the 5 % referral discount)');
    assert.equal(e.sql(`SELECT source FROM attributions WHERE member_id = ${CAROL}`), 'promotion');

    // Alice pays with her own code: no commission (self-referral), the sale itself stands.
    const before = commissions().length;
    await as(ALICE, ['!cart_add 1 1', '!checkout']);
    session = await e.lastSession();
    await e.stripe.control(`/_sim/sessions/${session.id}/promotion_code`, { code });
    const [paid] = await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.equal(paid.status, 200);
    assert.equal(commissions().length, before);
    assert.equal(e.sql(`SELECT COUNT(*) FROM outbox WHERE payload LIKE '%marketing.notify.self_referral%'`), '1', 'staff are told');

    // [marketing] enabled = false: no commands, no routes, no new commission; the commissions made follow refunds.
    e.proc.kill('SIGTERM');
    await e.exited;
    writeFileSync(join(e.dir, 'maxis.toml'), e.config.replace('[marketing]\n', '[marketing]\nenabled = false\n'));
    await e.launch();
    await e.pointWebhooks();
    r = await as(ALICE, ['!referral']);
    assert.match(r.out, /Unknown command: !referral/);
    const staffApi = await e.apiAs(STAFF, 'staff');
    assert.equal((await staffApi('GET', '/api/v1/marketing/roles')).status, 404);
    await as(BOB, ['!cart_add 1 1', '!checkout']);
    session = await e.lastSession();
    assert.equal(session.allow_promotion_codes, null, 'no referral codes: no promotion-code field');
    await e.stripe.control(`/_sim/sessions/${session.id}/pay`, {});
    assert.equal(commissions().length, before);
    const carolRefund = await fetch(`${e.stripe.base}/v1/refunds`, { method: 'POST', headers: { authorization: 'Bearer sk_test_maxis', 'content-type': 'application/x-www-form-urlencoded' }, body: `payment_intent=${carolPi}` });
    assert.equal(carolRefund.status, 200);
    await waitFor('Carol\'s commission reversed', async () => commissions()[before - 1].status === 'reversed', 15000);
    assert.deepEqual(await e.validationErrors(), []);
  } finally {
    await e.stop();
    rmSync(clockDir, { recursive: true, force: true });
  }
});
