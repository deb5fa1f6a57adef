// Invite tracking end to end: the real maxis binary against the Discord simulator. Members create invites, people join
// through them (the simulator counts the use, deletes a used-up invite, then sends GUILD_MEMBER_ADD); Maxis finds the
// invite whose use count rose and records the join for its creator. Read back through the staff REST API, /invites and
// the leaderboard; the 7 days' validation is reached by moving Maxis's clock with libfaketime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { Env, waitFor } from '../discord/harness.mjs';
import '../shop/harness.mjs';  // Env.prototype.apiAs
import { snowflake } from '../../sim/discord/simulator.mjs';

const FAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1';

// Accounts made in 2026-05 (their snowflakes): old enough. A fresh account's snowflake is made now.
const ALICE = '1500000000000000001';
const BOB = '1500000000000000002';
const DAVE = '1500000000000000004';
const FRANK = '1500000000000000006';
const GRACE = '1500000000000000007';
const HENRY = '1500000000000000008';
const IVY = '1500000000000000010';
const ROBOT = '1500000000000000011';
const STAFF = '1500000000000000009';

const idOf = (person) => (person && typeof person === 'object' ? String(person.id) : String(person));

async function start(env = {}) {
  const e = await Env.start({ toml: '[marketing]\nsweep_schedule = "every 1s"\n', env });
  await e.member(STAFF, { roles: [e.state.roles.staff] });
  for (const user of [ALICE, BOB]) await e.member(user);
  e.staffApi = await e.apiAs(STAFF, 'staff');
  await waitFor('the invites read at the session', () => /invite tracking: \d+ invite\(s\) cached/.test(e.stderr), 15000);
  return e;
}

/** A member creates an invite (Discord tells Maxis with INVITE_CREATE). */
async function invite(e, inviter, options = {}) {
  const created = await e.control('POST', '/_sim/invites', { inviter, ...options });
  assert.ok(created.code, JSON.stringify(created));
  return created.code;
}

/** Someone joins through a code (or the vanity URL, or neither). */
async function join(e, user, body = {}) {
  const r = await e.control('POST', '/_sim/joins', { user, username: `u${user.slice(-4)}`, ...body });
  assert.ok(r.user, JSON.stringify(r));
}

async function invitesOf(e, inviter) {
  const r = await e.staffApi('GET', `/api/v1/marketing/invites/${inviter}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The inviter's recorded join of member, once Maxis has it. */
async function joinOf(e, inviter, member, status) {
  return waitFor(`${member}'s join for ${inviter}${status ? ` (${status})` : ''}`, async () => {
    const found = (await invitesOf(e, inviter)).recent.filter((j) => idOf(j.user) === member);
    const last = found.sort((a, b) => Number(b.id) - Number(a.id))[0];
    return last && (!status || last.status === status) ? last : null;
  }, 15000);
}

test('the invite whose use count rose names the inviter; self-invites, fresh accounts, bots and rejoins do not count', async () => {
  const e = await start();
  try {
    const alices = await invite(e, ALICE);
    const bobs = await invite(e, BOB, { max_uses: 1 });
    // Dave comes through Alice's invite, then Grace through Bob's single-use one (deleted by Discord as she joins:
    // its last use is read from the cache). Two joins at once through two invites would be unknown: one at a time.
    await join(e, DAVE, { code: alices });
    const dave = await joinOf(e, ALICE, DAVE);
    assert.deepEqual([dave.source, dave.code, dave.status, dave.fake_reason ?? null], ['invite', alices, 'pending', null]);
    await join(e, GRACE, { code: bobs });
    const grace = await joinOf(e, BOB, GRACE);
    assert.deepEqual([grace.source, grace.code, grace.status], ['invite', bobs, 'pending']);

    // A fresh account (its snowflake says it was made now), a bot, and Frank through his own invite.
    const fresh = snowflake();
    await join(e, fresh, { code: alices });
    assert.equal((await joinOf(e, ALICE, fresh)).fake_reason, 'young_account');
    await e.control('POST', '/_sim/joins', { user: ROBOT, username: 'robot', bot: true, code: alices });
    assert.equal((await joinOf(e, ALICE, ROBOT)).fake_reason, 'bot');
    const franks = await invite(e, FRANK);
    await join(e, FRANK, { code: franks });
    assert.equal((await joinOf(e, FRANK, FRANK)).fake_reason, 'self');

    // Dave leaves before his 7 days: cancelled. He comes back through Alice's invite: a rejoin never counts twice.
    await e.control('DELETE', `/_sim/members/${DAVE}`);
    await waitFor('the early leave', async () => (await invitesOf(e, ALICE)).recent.some((j) => idOf(j.user) === DAVE && j.status === 'left_early'), 15000);
    await join(e, DAVE, { code: alices });
    await waitFor('the rejoin recorded', async () => (await invitesOf(e, ALICE)).recent.filter((j) => idOf(j.user) === DAVE).length === 2, 15000);
    const rejoin = await joinOf(e, ALICE, DAVE);
    assert.deepEqual([rejoin.status, rejoin.fake_reason], ['fake', 'rejoin']);

    // Alice's counters: Dave once (left), three fakes; Bob: Grace.
    const alice = (await invitesOf(e, ALICE)).counts;
    assert.deepEqual([alice.regular, alice.left, alice.fake, alice.pending, alice.total], [1, 1, 3, 0, 0]);
    const bob = (await invitesOf(e, BOB)).counts;
    assert.deepEqual([bob.regular, bob.left, bob.fake, bob.pending, bob.total], [1, 0, 0, 1, 1]);

    // A join no count explains (the vanity URL is not set; no code): recorded for nobody.
    const stranger = '1500000000000000012';
    await join(e, stranger);
    await waitFor('the unknown join logged', () => e.stderr.includes(`member ${stranger} joined (unknown`), 15000);

    // The leaderboard (all time): Bob first, with his one; /invites answers Alice about her own.
    const top = await e.staffApi('GET', '/api/v1/marketing/invites/leaderboard?window=all');
    assert.equal(top.status, 200, JSON.stringify(top.body));
    assert.deepEqual(top.body.items.map((r) => [idOf(r.user), r.total]).filter(([, t]) => t > 0), [[BOB, 1]]);
    assert.equal((await e.staffApi('GET', '/api/v1/marketing/invites/leaderboard?window=year')).status, 400);
    const asked = await e.interact({ type: 2, user: BOB, name: 'invites' });
    const answer = await e.answered(asked.id);
    const shown = JSON.stringify(answer.response?.data ?? {}) + JSON.stringify(answer.original ?? {});
    assert.match(shown, /1/);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a join is validated after 7 days in the server (moved clock); a leave before then cancels it', async () => {
  assert.ok(existsSync(FAKETIME), 'libfaketime is needed to move the clock: scripts/install-deps --test');
  const clockDir = mkdtempSync(joinPath(tmpdir(), 'maxis-clock-'));
  const clockFile = joinPath(clockDir, 'offset');
  const setClock = (offset) => {
    writeFileSync(`${clockFile}.next`, `${offset}\n`);
    renameSync(`${clockFile}.next`, clockFile);
  };
  setClock('+0');
  const e = await start({ LD_PRELOAD: FAKETIME, FAKETIME_TIMESTAMP_FILE: clockFile, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' });
  try {
    const alices = await invite(e, ALICE);
    await join(e, HENRY, { code: alices });
    await join(e, IVY, { code: alices });
    await joinOf(e, ALICE, HENRY, 'pending');
    await joinOf(e, ALICE, IVY, 'pending');
    // Three days later Ivy leaves: cancelled.
    setClock('+3d');
    await e.control('DELETE', `/_sim/members/${IVY}`);
    await joinOf(e, ALICE, IVY, 'left_early');
    // Six days: Henry is still pending (the sweep runs every second).
    setClock('+6d');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await joinOf(e, ALICE, HENRY)).status, 'pending');
    // Eight days: validated, once.
    setClock('+8d');
    const henry = await joinOf(e, ALICE, HENRY, 'validated');
    assert.ok(henry.validated_at);
    const counts = (await invitesOf(e, ALICE)).counts;
    assert.deepEqual([counts.regular, counts.left, counts.validated, counts.pending, counts.total], [2, 1, 1, 0, 1]);
    // Ivy's cancelled join stays cancelled whatever the clock says.
    assert.equal((await joinOf(e, ALICE, IVY)).status, 'left_early');
  } finally {
    await e.stop();
    rmSync(clockDir, { recursive: true, force: true });
  }
});

test('/marketing_apply answers with the role\'s form in a modal, the submit applies; a reply in a help channel is counted', async () => {
  const e = await Env.start({ toml: (s) => `[marketing]\nhelp_channels = ["${s.channels.general}"]\nhelp_min_length = 20\n` });
  try {
    for (const user of [ALICE, BOB]) await e.member(user);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const staffApi = await e.apiAs(STAFF, 'staff');
    // Influencer: followers and links.
    const asked = await e.interact({ type: 2, user: ALICE, name: 'marketing_apply', options: [{ name: 'role', type: 3, value: 'influencer' }] });
    const modal = await e.answered(asked.id);
    assert.equal(modal.response_type, 9, JSON.stringify(modal.response));
    const inputs = modal.response.data.components.map((row) => row.components[0].custom_id);
    assert.deepEqual(inputs, ['followers', 'links']);
    // Creator: a portfolio; Helper: a message.
    const creator = await e.answered((await e.interact({ type: 2, user: BOB, name: 'marketing_apply', options: [{ name: 'role', type: 3, value: 'creator' }] })).id);
    assert.deepEqual(creator.response.data.components.map((row) => row.components[0].custom_id), ['portfolio']);
    const helper = await e.answered((await e.interact({ type: 2, user: BOB, name: 'marketing_apply', options: [{ name: 'role', type: 3, value: 'helper' }] })).id);
    assert.deepEqual(helper.response.data.components.map((row) => row.components[0].custom_id), ['message']);
    // Alice submits the influencer's form: her application carries what she typed.
    const submitted = await e.interact({ type: 5, user: ALICE, custom_id: modal.response.data.custom_id,
      fields: { followers: '1500', links: 'https://example.org/alice' } });
    const done = await e.answered(submitted.id);
    assert.equal(done.response_type, 4);
    const apps = await staffApi('GET', '/api/v1/marketing/applications?status=pending');
    assert.equal(apps.status, 200, JSON.stringify(apps.body));
    const mine = apps.body.items.find((a) => idOf(a.user) === ALICE);
    assert.ok(mine, JSON.stringify(apps.body));
    assert.equal(mine.role, 'influencer');
    assert.equal(Number(mine.followers), 1500);
    assert.match(JSON.stringify(mine.links), /example\.org\/alice/);

    // Bob answers Alice's question in #general (a help channel) by replying to her message: counted once for him.
    const question = await e.say(ALICE, 'Comment configurer les rôles ?');
    await e.control('POST', '/_sim/messages', { user: BOB, content: 'Allez dans Paramètres du serveur > Rôles, puis glissez le rôle.', reply_to: question.id });
    await waitFor('the help message counted', () => Number(e.sql(`SELECT count(*) FROM marketing_activity WHERE user_id = ${BOB} AND kind = 'help_message'`)) === 1, 15000);
    // A message that replies to nobody is not help.
    await e.say(BOB, 'Un message assez long pour compter, mais sans répondre à personne.');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(Number(e.sql(`SELECT count(*) FROM marketing_activity WHERE user_id = ${BOB} AND kind = 'help_message'`)), 1);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
