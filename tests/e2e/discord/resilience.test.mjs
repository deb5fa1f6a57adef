// The Discord connection under faults: gateway outages, rate limits, closed DMs, missing permissions,
// signed HTTP interactions, refused intents. The real maxis binary against the Discord simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { Env, waitFor, sleep, maxisBin } from './harness.mjs';

const ALICE = '1400000000000000001';
const STAFF = '1400000000000000009';

async function answeredOnceAfter(e, user, command, expectedCount) {
  await e.say(user, command);
  await waitFor(`an answer to ${command}`, async () => (await e.dms(user)).length >= expectedCount, 15000);
  await sleep(600);  // a duplicate would show up by now
  assert.equal((await e.dms(user)).length, expectedCount, `${command} answered exactly once`);
}

test('gateway outages: abrupt close, op 7 and a zombie connection end in RESUME; commands sent meanwhile are answered once', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    const stats = async () => (await e.control('GET', '/_sim/state')).gateway;

    await e.control('POST', '/_sim/faults', { kind: 'abrupt' });
    await answeredOnceAfter(e, ALICE, '!ticket_list', 1);
    assert.ok((await stats()).resumes >= 1, 'resumed after the abrupt close');

    const before = (await stats()).resumes;
    await e.control('POST', '/_sim/faults', { kind: 'reconnect' });
    await answeredOnceAfter(e, ALICE, '!ticket_list', 2);
    await waitFor('a resume after op 7', async () => (await stats()).resumes > before);

    const beforeZombie = await stats();
    await e.control('POST', '/_sim/faults', { kind: 'drop_acks' });
    await waitFor('the zombie connection to be closed with a non-1000 code',
      async () => (await stats()).closes.slice(beforeZombie.closes.length).some((c) => c !== 1000 && c !== 1001), 10000);
    await e.control('POST', '/_sim/faults', { kind: 'restore_acks' });
    await answeredOnceAfter(e, ALICE, '!ticket_list', 3);
    const after = await stats();
    assert.ok(after.resumes > beforeZombie.resumes, 'resumed after the zombie');
    assert.equal(after.identifies, 1, 'never identified again: every outage ended in RESUME');
    assert.match(e.stderr, /zombie/);

    // op 9 not resumable: a fresh IDENTIFY.
    await e.control('POST', '/_sim/faults', { kind: 'invalid_session', resumable: false });
    await waitFor('a new identify', async () => (await stats()).identifies === 2, 10000);
    await answeredOnceAfter(e, ALICE, '!ticket_list', 4);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a 429 storm on one channel loses no message', async () => {
  const e = await Env.start();
  try {
    const general = e.state.channels.general;
    await e.control('POST', '/_sim/ratelimits', { route: `POST /channels/${general}/messages`, count: 4, retry_after: 0.3 });
    await e.control('POST', '/_sim/ratelimits', { route: 'POST /channels', count: 1, retry_after: 0.2, global: true });
    for (let i = 0; i < 8; i++) await e.say(ALICE, '!ping', general);
    const replies = async () => (await e.channelMessages(general)).filter((m) => m.author.bot);
    await waitFor('eight replies', async () => (await replies()).length >= 8, 20000);
    await sleep(500);
    assert.equal((await replies()).length, 8, 'each ping answered exactly once');
    const state = await e.control('GET', '/_sim/state');
    assert.ok(state.rate_limited >= 0);
    assert.deepEqual(state.validation_errors, []);
  } finally { await e.stop(); }
});

test('closed DMs: the notice becomes a mention in the fallback channel', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    await e.control('PUT', `/_sim/dms/${ALICE}/closed`, { closed: true });
    await e.answered((await e.interact({ type: 2, user: ALICE, name: 'ticket_create', options: [
      { name: 'subject', type: 3, value: 'DM fermés' }, { name: 'category', type: 3, value: 'general' },
      { name: 'priority', type: 3, value: 'low' }, { name: 'description', type: 3, value: 'x' }] })).id);
    await e.answered((await e.interact({ type: 2, user: STAFF, name: 'ticket_reply', options: [
      { name: 'id', type: 4, value: 1 }, { name: 'message', type: 3, value: 'Réponse du staff' }] })).id);
    const mention = await waitFor('the fallback mention', async () =>
      (await e.channelMessages(e.state.channels.fallback)).find((m) => m.content.startsWith(`<@${ALICE}>`)), 10000);
    assert.match(mention.content, /#1/);
    assert.equal((await e.dms(ALICE)).length, 0);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('missing Manage Roles: a clear error, the outbox retries, and the grant lands once fixed', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    // Take Manage Roles away from the bot's role.
    const viewSend = String((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n));
    await e.control('PATCH', `/_sim/roles/${e.state.roles.bot}`, { permissions: viewSend });
    await sleep(200);
    const payload = JSON.stringify({ user: ALICE, role: e.state.roles.pro, grant: true, reason: 'Pro plan' });
    e.sql(`INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES ('discord.role', '${payload}', 'role-test-1', 0, 0)`);
    await waitFor('a retried attempt', async () => Number(e.sql("SELECT attempts FROM outbox WHERE idempotency_key = 'role-test-1'")) >= 2, 15000);
    assert.equal(e.sql("SELECT status FROM outbox WHERE idempotency_key = 'role-test-1'"), 'pending');
    assert.match(e.sql("SELECT last_error FROM outbox WHERE idempotency_key = 'role-test-1'"), /Manage Roles/);
    assert.match(e.stderr, /Manage Roles/);
    // A role above the bot's is refused just as clearly.
    const payloadHigh = JSON.stringify({ user: ALICE, role: e.state.roles.high, grant: true });
    // Fix the permission: the pending grant goes through.
    await e.control('PATCH', `/_sim/roles/${e.state.roles.bot}`, { permissions: String(BigInt(viewSend) | (1n << 28n) | (1n << 4n)) });
    await waitFor('the role granted', async () => (await e.control('GET', `/_sim/members/${ALICE}`)).roles.includes(e.state.roles.pro), 15000);
    const audit = await e.control('GET', '/_sim/audit-log');
    assert.equal(audit.filter((a) => a.role === e.state.roles.pro).length, 1);
    assert.equal(audit[0].reason, 'Pro plan');
    e.sql(`INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES ('discord.role', '${payloadHigh}', 'role-test-2', 0, 0)`);
    await waitFor('the hierarchy refusal', async () => /above it|not below/.test(e.sql("SELECT COALESCE(last_error, '') FROM outbox WHERE idempotency_key = 'role-test-2'")), 15000);
    assert.ok(!(await e.control('GET', `/_sim/members/${ALICE}`)).roles.includes(e.state.roles.high));
  } finally { await e.stop(); }
});

test('private channel creation with permission overwrites, once per outbox item', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    const payload = JSON.stringify({ name: 'ultra-alice', topic: 'Salon privé', members: [ALICE], staff_roles: [e.state.roles.staff] });
    e.sql(`INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES ('discord.channel', '${payload}', 'chan-1', 0, 0)`);
    const channel = await waitFor('the channel', async () => (await e.control('GET', '/_sim/channels')).find((c) => c.name === 'ultra-alice'), 10000);
    const everyone = channel.permission_overwrites.find((o) => o.id === e.state.guild_id);
    assert.equal(BigInt(everyone.deny) & (1n << 10n), 1n << 10n, '@everyone cannot view');
    const alice = channel.permission_overwrites.find((o) => o.id === ALICE);
    assert.equal(alice.type, 1);
    assert.equal(BigInt(alice.allow) & (1n << 10n), 1n << 10n, 'the member can view');
    assert.ok(channel.permission_overwrites.find((o) => o.id === e.state.roles.staff));
    // The record is written once Discord has answered, a moment after the channel shows in the simulator.
    await waitFor('the resource record', async () => e.sql("SELECT kind FROM discord_resources WHERE idempotency_key = 'chan-1'") === 'channel', 10000);
    // A redelivery (the item claimed again) creates nothing more.
    e.sql("UPDATE outbox SET status = 'pending', next_attempt_at = 0 WHERE idempotency_key = 'chan-1'");
    await waitFor('the redelivery', async () => e.sql("SELECT status FROM outbox WHERE idempotency_key = 'chan-1'") === 'delivered', 10000);
    assert.equal((await e.control('GET', '/_sim/channels')).filter((c) => c.name === 'ultra-alice').length, 1);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('members joining and leaving are counted and logged', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    await e.member('1400000000000000003');
    await e.control('DELETE', '/_sim/members/1400000000000000003');
    await waitFor('the join log', async () => e.sql('SELECT COUNT(*) FROM member_events') === '3');
    assert.equal(e.sql("SELECT COUNT(*) FROM member_events WHERE kind = 'join'"), '2');
    const metrics = await (await fetch(`http://127.0.0.1:${e.port}/metrics`)).text();
    assert.match(metrics, /maxis_discord_guild_members 3/);  // owner, bot, alice
  } finally { await e.stop(); }
});

test('the signed HTTP interactions endpoint: PING, a command, and 401 on a bad signature', async () => {
  const e = await Env.start({ httpInteractions: true });
  try {
    const url = e.sim.options.interactionsUrl;
    const ping = await e.interact({ type: 1, user: ALICE, mode: 'http' });
    const pong = await e.interaction(ping.id);
    assert.equal(pong.http_status, 200);
    assert.equal(pong.response_type, 1);
    await e.member(ALICE);
    const created = await e.interact({ type: 2, user: ALICE, name: 'ticket_create', mode: 'http', options: [
      { name: 'subject', type: 3, value: 'Par HTTP' }, { name: 'category', type: 3, value: 'general' },
      { name: 'priority', type: 3, value: 'low' }, { name: 'description', type: 3, value: 'x' }] });
    const view = await e.interaction(created.id);
    assert.equal(view.http_status, 200);
    assert.match(view.response.data.content, /#1/);
    // Signed by another key, a tampered body, or no signature at all: 401, nothing runs.
    const body = JSON.stringify({ type: 2, id: '1', token: 't', data: { name: 'ticket_create' } });
    const ts = String(Math.floor(Date.now() / 1000));
    const other = crypto.generateKeyPairSync('ed25519').privateKey;
    const sig = crypto.sign(null, Buffer.from(ts + body), other).toString('hex');
    for (const headers of [{ 'x-signature-ed25519': sig, 'x-signature-timestamp': ts }, {},
      { 'x-signature-ed25519': crypto.sign(null, Buffer.from(ts + body), e.sim.privateKey).toString('hex'), 'x-signature-timestamp': String(Number(ts) + 1) }]) {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      assert.equal(res.status, 401);
    }
    assert.equal(e.sql('SELECT COUNT(*) FROM tickets'), '1');
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a privileged intent not enabled: the gateway is marked failed with what to fix, the rest serves, a reload connects', async () => {
  const e = await Env.start({ sim: { enabledIntents: 1 << 1 }, expectReady: false });
  try {
    e.port = Number((await waitFor('maxis to listen', () => e.stdout.match(/running on http:\/\/127\.0\.0\.1:(\d+)/)))[1]);
    const ready = await waitFor('the failure in /readyz', async () => {
      const r = await (await fetch(`http://127.0.0.1:${e.port}/readyz`)).json();
      return r.discord?.gateway === 'failed' ? r : null;
    }, 15000);
    assert.equal(ready.status, 'degraded');
    assert.equal(ready.discord.reason, 'disallowed_intents');
    assert.equal(ready.discord.close_code, 4014);
    assert.match(ready.discord.explanation, /Message Content Intent/);
    assert.match(e.stderr, /4014/);
    assert.equal(e.exitCode, undefined, 'still running');
    // Enabled in the "Developer Portal", then a reload: connected.
    e.sim.options.enabledIntents = (1 << 1) | (1 << 15);
    e.proc.kill('SIGHUP');
    await waitFor('the gateway session', async () => (await e.control('GET', '/_sim/state')).gateway.sessions.some((x) => x.connected), 15000);
    await waitFor('/readyz ready', async () => (await (await fetch(`http://127.0.0.1:${e.port}/readyz`)).json()).status === 'ready', 10000);
  } finally { await e.stop(); }
});

test('a wrong token: Maxis keeps serving, says what to fix, and sends Discord nothing more', async () => {
  const e = await Env.start({ env: { MAXIS_DISCORD_TOKEN: 'wrong' }, expectReady: false });
  try {
    e.port = Number((await waitFor('maxis to listen', () => e.stdout.match(/running on http:\/\/127\.0\.0\.1:(\d+)/)))[1]);
    const r = await (await fetch(`http://127.0.0.1:${e.port}/readyz`)).json();
    assert.equal(r.discord.reason, 'authentication_failed');
    assert.match(e.stderr, /token/);
    assert.ok(!e.stderr.includes('wrong'), 'the token is never printed');
    const sent = (await e.control('GET', '/_sim/requests')).length;
    await sleep(1500);
    assert.equal((await e.control('GET', '/_sim/requests')).length, sent, 'no request after the 401 (each counts toward the ban)');
  } finally { await e.stop(); }
});

test('maxis doctor reports what is missing and how to fix it', async () => {
  const e = await Env.start({ sim: { enabledIntents: 1 << 1 }, expectReady: false });
  try {
    const viewOnly = String(1n << 10n);
    await e.control('PATCH', `/_sim/roles/${e.state.roles.bot}`, { permissions: viewOnly });
    // Asynchronously: the simulator answers from this very process.
    const run = () => new Promise((resolve) => execFile(maxisBin, ['doctor', '--config', `${e.dir}/maxis.toml`],
      { env: { ...process.env, MAXIS_DISCORD_TOKEN: e.sim.options.token } },
      (error, stdout) => resolve({ status: error ? error.code : 0, stdout })));
    let r = await run();
    assert.equal(r.status, 1);
    assert.match(r.stdout, /✗ the Message Content intent is not enabled/);
    assert.match(r.stdout, /✗ the bot lacks Manage Roles/);
    assert.match(r.stdout, /✓ Server Members intent enabled/);
    e.sim.options.enabledIntents = (1 << 1) | (1 << 15);
    await e.control('PATCH', `/_sim/roles/${e.state.roles.bot}`, { permissions: String((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 16n) | (1n << 28n) | (1n << 4n) | (1n << 5n) | (1n << 0n)) });
    r = await run();
    assert.equal(r.status, 0, r.stdout);
    assert.match(r.stdout, /All good/);
  } finally { await e.stop(); }
});
