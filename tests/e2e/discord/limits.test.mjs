// Maxis keeps Discord's limits itself: no self-inflicted 429 against a simulator that enforces the buckets, no
// duplicate when an answer is lost after the message was created, a refused connection that leaves the rest
// serving, and commands typed while there was no gateway session answered once a new session begins.
// The real maxis binary against the Discord simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, sleep } from './harness.mjs';

const ALICE = '1400000000000000001';
const users = (n) => Array.from({ length: n }, (_, i) => `14000000000000001${String(i).padStart(2, '0')}`);

/** Replies of the bot in a channel, grouped by the message they answer. */
async function repliesByCommand(e, channel) {
  const byCommand = new Map();
  for (const m of await e.channelMessages(channel)) {
    if (!m.author.bot || !m.message_reference) continue;
    const id = m.message_reference.message_id;
    byCommand.set(id, (byCommand.get(id) ?? 0) + 1);
  }
  return byCommand;
}

async function dmChannel(e, user) {
  return (await e.control('POST', '/_sim/messages', { user, content: 'bonjour', dm: true })).channel_id;
}

test('200 replies across 10 channels and DMs: every reply arrives once, and the simulator answers no 429', async () => {
  // Eight handlers, so that several replies wait on the same channel's bucket at once.
  const e = await Env.start({ toml: 'handler_threads = 8' });
  try {
    const channels = [e.state.channels.general];
    for (let i = 1; i < 10; i++) channels.push((await e.control('POST', '/_sim/channels', { name: `salon-${i}` })).id);
    const dmUsers = users(4);
    for (const u of [ALICE, ...dmUsers]) await e.member(u);
    const dms = [];
    for (const u of dmUsers) dms.push({ user: u, channel: await dmChannel(e, u) });
    await sleep(300);
    const before = await e.control('GET', '/_sim/state');
    const started = Date.now();
    const commands = [];  // { channel, id }
    // 180 in the server's channels, in runs of six per channel (more than a bucket's five), and 20 in DMs.
    for (let i = 0; i < 180; i++) {
      const channel = channels[Math.floor(i / 6) % channels.length];
      commands.push({ channel, id: (await e.say(ALICE, '!ping', channel)).id });
    }
    for (let i = 0; i < 20; i++) {
      const { user, channel } = dms[i % dms.length];
      commands.push({ channel, id: (await e.control('POST', '/_sim/messages', { user, content: '!ping', dm: true })).id });
    }
    const all = [...new Set(commands.map((c) => c.channel))];
    const ids = new Set(commands.map((c) => c.id));
    const count = async () => {
      let n = 0;
      for (const c of all) for (const id of (await repliesByCommand(e, c)).keys()) if (ids.has(id)) n += 1;
      return n;
    };
    await waitFor('200 replies', async () => (await count()) >= 200, 120000, 250);
    const seconds = (Date.now() - started) / 1000;
    await sleep(1000);  // a duplicate would show up by now
    const replies = new Map();
    for (const c of all) for (const [id, n] of await repliesByCommand(e, c)) replies.set(id, n);
    const missing = commands.filter((c) => !replies.has(c.id)).length;
    const duplicated = commands.filter((c) => (replies.get(c.id) ?? 0) > 1).length;
    const state = await e.control('GET', '/_sim/state');
    const limited = state.rate_limited - before.rate_limited;
    console.log(`# 200 replies across ${channels.length} channels and ${dms.length} DMs: ${limited} 429s, ${duplicated} duplicated, ${missing} missing, ${seconds.toFixed(1)} s`);
    assert.equal(missing, 0, 'every command answered');
    assert.equal(duplicated, 0, 'none answered twice');
    assert.equal(limited, 0, `no self-inflicted 429: ${JSON.stringify(state.rate_limit_log)}`);
    assert.equal(state.rate_limited_by.global, 0);
    assert.deepEqual(state.validation_errors, []);
    const metrics = await (await fetch(`http://127.0.0.1:${e.port}/metrics`)).text();
    assert.match(metrics, /maxis_discord_rest_requests_total\{result="rate_limited"\} 0/);
  } finally { await e.stop(); }
});

test('a 5xx after the message was created: the retry carries the same nonce, and the message exists once', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    const general = e.state.channels.general;
    await e.control('POST', '/_sim/faults', { kind: 'create_then_5xx', code: 3 });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await e.say(ALICE, '!ping', general)).id);
    await waitFor('three answers', async () => [...(await repliesByCommand(e, general)).keys()].filter((id) => ids.includes(id)).length === 3, 20000);
    // An outbox item's post, under the same fault.
    await e.control('POST', '/_sim/faults', { kind: 'create_then_5xx', code: 1 });
    const payload = JSON.stringify({ channel: general, text: 'Annonce unique' });
    e.sql(`INSERT INTO outbox (channel, payload, idempotency_key, next_attempt_at, created_at) VALUES ('discord.post', '${payload}', 'post-nonce-1', 0, 0)`);
    await waitFor('the post delivered', async () => e.sql("SELECT status FROM outbox WHERE idempotency_key = 'post-nonce-1'") === 'delivered', 20000);
    await sleep(800);
    const replies = await repliesByCommand(e, general);
    for (const id of ids) assert.equal(replies.get(id), 1, `command ${id} answered once`);
    const posts = (await e.channelMessages(general)).filter((m) => m.content === 'Annonce unique');
    assert.equal(posts.length, 1, 'the post exists once');
    assert.ok(posts[0].nonce && posts[0].nonce.length <= 25);
    const state = await e.control('GET', '/_sim/state');
    assert.equal(state.edge_5xx, 4, 'four answers were lost at the edge');
    assert.ok(state.nonce_hits >= 4, 'and each retry was recognised by its nonce');
    assert.deepEqual(state.validation_errors, []);
  } finally { await e.stop(); }
});

test('close code 4004: HTTP keeps serving, /readyz and /metrics say why, no reconnect loop, a reload connects again', async () => {
  const e = await Env.start();
  try {
    const base = `http://127.0.0.1:${e.port}`;
    await e.control('POST', '/_sim/faults', { kind: 'close', code: 4004 });
    const ready = await waitFor('the failure in /readyz', async () => {
      const r = await (await fetch(`${base}/readyz`)).json();
      return r.discord?.gateway === 'failed' ? r : null;
    }, 10000);
    assert.equal(ready.status, 'degraded');
    assert.equal(ready.discord.reason, 'authentication_failed');
    assert.equal(ready.discord.close_code, 4004);
    assert.match(ready.discord.explanation, /MAXIS_DISCORD_TOKEN/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/api/v1/tickets`)).status, 401, 'the REST API answers');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /maxis_discord_gateway_state\{state="failed",reason="authentication_failed"\} 1/);
    assert.match(metrics, /maxis_discord_gateway_ready 0/);
    const connections = (await e.control('GET', '/_sim/state')).gateway.connections;
    await sleep(3000);
    assert.equal((await e.control('GET', '/_sim/state')).gateway.connections, connections, 'no reconnection on its own');
    assert.equal(e.exitCode, undefined, 'still running');
    // The operator fixed it: a reload (SIGHUP) connects again.
    e.proc.kill('SIGHUP');
    await waitFor('a new session', async () => (await e.control('GET', '/_sim/state')).gateway.identifies === 2, 10000);
    await waitFor('/readyz ready', async () => (await (await fetch(`${base}/readyz`)).json()).status === 'ready', 10000);
    // /readyz is ready once the gateway is no longer failed; the gauge says ready when the new session is.
    await waitFor('the gauge back to ready', async () =>
      /maxis_discord_gateway_state\{state="ready",reason="none"\} 1/.test(await (await fetch(`${base}/metrics`)).text()), 10000);
  } finally { await e.stop(); }
});

test('commands typed while there was no session are answered once the new session begins, once, and nothing twice', async () => {
  const e = await Env.start();
  try {
    await e.member(ALICE);
    const general = e.state.channels.general;
    // Before: a command in the channel and one in DM, answered live (this also marks both channels as served).
    const earlier = (await e.say(ALICE, '!ping', general)).id;
    const dm = await e.control('POST', '/_sim/messages', { user: ALICE, content: '!ping', dm: true });
    await waitFor('the earlier answers', async () => (await repliesByCommand(e, general)).get(earlier) === 1 &&
      (await repliesByCommand(e, dm.channel_id)).get(dm.id) === 1, 10000);

    // The session ends (op 9, not resumable); Discord holds the next IDENTIFY, so Maxis has no session for a while.
    await e.control('POST', '/_sim/faults', { kind: 'hold_identify' });
    await e.control('POST', '/_sim/faults', { kind: 'invalid_session', resumable: false });
    await waitFor('the held IDENTIFY', async () => (await e.control('GET', '/_sim/state')).held_identifies === 1, 15000);
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push({ channel: general, id: (await e.say(ALICE, '!ping', general)).id });
    const dmMissed = await e.control('POST', '/_sim/messages', { user: ALICE, content: '!ping', dm: true });
    missed.push({ channel: dmMissed.channel_id, id: dmMissed.id });
    await sleep(500);
    assert.equal((await repliesByCommand(e, general)).get(missed[0].id), undefined, 'not delivered to Maxis: no session');

    await e.control('POST', '/_sim/faults', { kind: 'release_identify' });
    await waitFor('the missed commands answered', async () => {
      for (const m of missed) if (!(await repliesByCommand(e, m.channel)).get(m.id)) return false;
      return true;
    }, 15000);
    await sleep(800);
    for (const m of missed) assert.equal((await repliesByCommand(e, m.channel)).get(m.id), 1, `${m.id} answered once`);
    assert.equal((await repliesByCommand(e, general)).get(earlier), 1, 'the earlier command is not answered again');
    assert.equal((await repliesByCommand(e, dm.channel_id)).get(dm.id), 1);
    assert.match(e.stderr, /read back \d+ message\(s\) in \d+ channel\(s\), answered 4/);

    // Maxis down altogether (killed): after the restart, only what came in meanwhile is answered; what it
    // answered before (its memory of ids is gone with the process) is not, thanks to the stored position.
    await e.kill9();
    const whileDown = (await e.say(ALICE, '!ping', general)).id;
    await e.launch();
    await waitFor('the command typed while Maxis was down', async () => (await repliesByCommand(e, general)).get(whileDown) === 1, 15000);
    await sleep(800);
    const after = await repliesByCommand(e, general);
    assert.equal(after.get(whileDown), 1);
    for (const id of [earlier, ...missed.filter((m) => m.channel === general).map((m) => m.id)]) assert.equal(after.get(id), 1, `${id} still answered once`);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
