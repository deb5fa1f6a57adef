// The simulator behaves like Discord for a widely used client: discord.js's own gateway and REST packages
// connect, identify, heartbeat, resume after an abrupt close, and ride out a 429.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayIntentBits } from 'discord-api-types/v10';
import { WebSocket } from 'ws';
import { startSimulator } from './simulator.mjs';

const waitFor = async (what, fn, ms = 10000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) { const v = await fn(); if (v) return v; await new Promise((r) => setTimeout(r, 25)); }
  throw new Error(`timed out waiting for ${what}`);
};

test('@discordjs/rest: authenticated calls, Discord-shaped errors, a 429 retried', async () => {
  const sim = await startSimulator();
  try {
    const rest = new REST({ api: `${sim.url}/api`, version: '10', retries: 2 }).setToken(sim.options.token);
    const me = await rest.get('/users/@me');
    assert.equal(me.id, sim.bot.id);
    await assert.rejects(rest.get(`/channels/999`), (e) => e.code === 10003 && e.status === 404);
    sim.injected429.push({ route: `GET /guilds/${sim.guild.id}/roles`, count: 1, retry_after: 0.2, global: false });
    const limited = [];
    rest.on('response', (req, res) => limited.push(res.status));
    const roles = await rest.get(`/guilds/${sim.guild.id}/roles`);
    assert.ok(roles.find((r) => r.name === '@everyone'));
    assert.deepEqual(limited.slice(-2), [429, 200], 'the 429 was retried after retry_after');
    // Get Guild: the approximate counts only when asked for with with_counts=true.
    const plain = await rest.get(`/guilds/${sim.guild.id}`);
    assert.equal(plain.approximate_member_count, undefined);
    const counted = await rest.get(`/guilds/${sim.guild.id}`, { query: new URLSearchParams({ with_counts: 'true' }) });
    assert.equal(counted.id, sim.guild.id);
    assert.equal(counted.approximate_member_count, sim.guild.members.size);
    assert.equal(counted.approximate_presence_count, 0);
    await sim.control('POST', '/_sim/members', { user: '1500000000000000999', username: 'counted' });
    const more = await rest.get(`/guilds/${sim.guild.id}`, { query: new URLSearchParams({ with_counts: 'true' }) });
    assert.equal(more.approximate_member_count, counted.approximate_member_count + 1);
    const bad = new REST({ api: `${sim.url}/api`, version: '10' }).setToken('nope');
    await assert.rejects(bad.get('/users/@me'), (e) => e.status === 401);
  } finally { await sim.stop(); }
});

test('@discordjs/ws: identify, heartbeat, READY and GUILD_CREATE, resume after an abrupt close', async () => {
  const sim = await startSimulator({ heartbeatInterval: 300 });
  const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
  const manager = new WebSocketManager({ token: sim.options.token, rest,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent });
  const events = [];
  manager.on(WebSocketShardEvents.Dispatch, (payload) => events.push(payload.data?.t ?? payload.t));
  try {
    await manager.connect();
    await waitFor('READY and GUILD_CREATE', () => events.includes('READY') && events.includes('GUILD_CREATE'));
    await waitFor('heartbeats', () => sim.gatewayStats.heartbeats >= 2);
    sim.fault({ kind: 'abrupt' });
    await waitFor('a RESUME', () => sim.gatewayStats.resumes >= 1, 15000);
    assert.equal(sim.gatewayStats.identifies, 1);
    await waitFor('RESUMED', () => events.includes('RESUMED'));
  } finally {
    await manager.destroy();
    await sim.stop();
  }
});

test('@discordjs/ws: a large guild omits offline members, Request Guild Members (op 8) answers in chunks', async () => {
  const sim = await startSimulator({ heartbeatInterval: 300 });
  for (let i = 0; i < 60; i++) {
    await sim.control('POST', '/_sim/members', { user: String(1500000000000000000n + BigInt(i)), username: `m${i}`, nick: i === 3 ? 'Trois' : undefined });
  }
  const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
  const manager = new WebSocketManager({ token: sim.options.token, rest,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers });
  const events = [];
  manager.on(WebSocketShardEvents.Dispatch, (payload) => events.push(payload.data ?? payload));
  try {
    await manager.connect();
    const guild = await waitFor('GUILD_CREATE', () => events.find((e) => e.t === 'GUILD_CREATE'));
    assert.equal(guild.d.large, true);
    assert.deepEqual(guild.d.members.map((m) => m.user.id), [sim.bot.id]);
    await manager.send(0, { op: 8, d: { guild_id: sim.guild.id, query: '', limit: 0, nonce: 'n-1' } });
    const chunk = await waitFor('GUILD_MEMBERS_CHUNK', () => events.find((e) => e.t === 'GUILD_MEMBERS_CHUNK'));
    assert.equal(chunk.d.nonce, 'n-1');
    assert.equal(chunk.d.chunk_index, 0);
    assert.equal(chunk.d.chunk_count, 1);
    assert.equal(chunk.d.members.length, 62);  // the 60, the owner and the bot
    assert.equal(chunk.d.members.find((m) => m.user.username === 'm3').nick, 'Trois');
  } finally {
    await manager.destroy();
    await sim.stop();
  }
});

test('the gateway refuses a bad token with 4004 and a disallowed intent with 4014', async () => {
  const sim = await startSimulator({ enabledIntents: 0 });
  try {
    const { WebSocket } = await import('ws');
    const close = (identify) => new Promise((resolve) => {
      const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/gateway?v=10&encoding=json`);
      ws.on('message', (m) => { if (JSON.parse(m).op === 10) ws.send(JSON.stringify({ op: 2, d: identify })); });
      ws.on('close', (code) => resolve(code));
    });
    const props = { os: 'linux', browser: 't', device: 't' };
    assert.equal(await close({ token: 'bad', intents: 1, properties: props }), 4004);
    assert.equal(await close({ token: sim.options.token, intents: 1 << 15, properties: props }), 4014);
  } finally { await sim.stop(); }
});

test('Message Content rules: without the intent, guild message content arrives empty', async () => {
  const sim = await startSimulator();
  try {
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/gateway?v=10&encoding=json`);
    const seen = [];
    ws.on('message', (m) => {
      const p = JSON.parse(m);
      if (p.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: sim.options.token, intents: (1 << 0) | (1 << 9), properties: { os: 'linux', browser: 't', device: 't' } } }));
      if (p.t === 'MESSAGE_CREATE') seen.push(p.d);
    });
    await waitFor('READY', () => sim.gatewayStats.identifies === 1);
    await sim.control('POST', '/_sim/messages', { user: '1400000000000000001', content: '!ticket_list' });
    await waitFor('the message', () => seen.length === 1);
    assert.equal(seen[0].content, '');
    assert.equal(seen[0].author.id, '1400000000000000001');
    ws.close();
  } finally { await sim.stop(); }
});

test('rate limits: @discordjs/rest reads the headers and draws no 429 on a burst; the same burst sent blindly does', async () => {
  const sim = await startSimulator({ messageLimit: { limit: 5, windowMs: 1000 } });
  try {
    const general = sim.general.id;
    const other = sim.staffChannel.id;
    const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
    const waits = [];
    rest.on('rateLimited', (info) => waits.push(info));
    const burst = [];
    for (let i = 0; i < 12; i++) burst.push(rest.post(`/channels/${general}/messages`, { body: { content: `a${i}` } }));
    for (let i = 0; i < 6; i++) burst.push(rest.post(`/channels/${other}/messages`, { body: { content: `b${i}` } }));
    const created = await Promise.all(burst);
    assert.equal(created.length, 18);
    assert.equal(sim.messages.get(general).length, 12);
    assert.equal(sim.rateLimited.route + sim.rateLimited.global, 0, 'the client saw the headers coming and waited');
    assert.ok(waits.length > 0, 'it did have to wait: the buckets are enforced');
    assert.ok(waits.every((w) => w.limit === 5), 'X-RateLimit-Limit was read');

    // The same burst, blind to the headers: Discord answers 429s, shaped as documented.
    const blind = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${sim.apiBase}/channels/${general}/messages`, {
      method: 'POST', headers: { authorization: `Bot ${sim.options.token}`, 'content-type': 'application/json', 'user-agent': 'DiscordBot (x, 1)' },
      body: JSON.stringify({ content: `c${i}` }) })));
    const limited = blind.filter((r) => r.status === 429);
    assert.ok(limited.length >= 7, `at most 5 of 12 pass (${limited.length} refused)`);
    const r = limited[0];
    const body = await r.json();
    assert.equal(typeof body.retry_after, 'number');
    assert.equal(body.global, false);
    assert.equal(typeof body.message, 'string');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    assert.equal(r.headers.get('x-ratelimit-scope'), 'user');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    const ok = blind.find((x) => x.status === 200);
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) {
      assert.ok(ok.headers.get(h), `${h} on a success`);
    }
    assert.equal(sim.rateLimited.route, limited.length, 'every 429 is counted');

    // The global limit: 60 requests in a second on 60 different routes, blind.
    const global = await Promise.all(Array.from({ length: 60 }, (_, i) => fetch(`${sim.apiBase}/channels/${9000 + i}`, {
      headers: { authorization: `Bot ${sim.options.token}`, 'user-agent': 'DiscordBot (x, 1)' } })));
    const globals = global.filter((x) => x.status === 429);
    assert.ok(globals.length >= 10);
    assert.equal((await globals[0].json()).global, true);
    assert.equal(globals[0].headers.get('x-ratelimit-global'), 'true');
  } finally { await sim.stop(); }
});

test('enforce_nonce: the same nonce returns the message created the first time; a lost answer then a retry makes one message', async () => {
  const sim = await startSimulator();
  try {
    const rest = new REST({ api: `${sim.url}/api`, version: '10', retries: 2 }).setToken(sim.options.token);
    const channel = sim.general.id;
    const a = await rest.post(`/channels/${channel}/messages`, { body: { content: 'x', nonce: 'n-1', enforce_nonce: true } });
    const b = await rest.post(`/channels/${channel}/messages`, { body: { content: 'x', nonce: 'n-1', enforce_nonce: true } });
    assert.equal(a.id, b.id);
    const c = await rest.post(`/channels/${channel}/messages`, { body: { content: 'x', nonce: 'n-1' } });
    assert.notEqual(c.id, a.id, 'without enforce_nonce, a nonce does not deduplicate');
    await assert.rejects(rest.post(`/channels/${channel}/messages`, { body: { content: 'x', nonce: 'n'.repeat(26), enforce_nonce: true } }));
    assert.ok(sim.validationErrors.some((e) => /nonce/.test(e)), 'a nonce over 25 characters breaks the API description');
    sim.validationErrors.length = 0;
    // The edge loses the answer after the message was created; the client's retry carries the same nonce.
    sim.fault({ kind: 'create_then_5xx', code: 1 });
    const before = sim.messages.get(channel).length;
    const d = await rest.post(`/channels/${channel}/messages`, { body: { content: 'y', nonce: 'n-2', enforce_nonce: true } });
    assert.equal(sim.edge5xx, 1);
    assert.equal(sim.messages.get(channel).length, before + 1, 'one message, not two');
    assert.equal(sim.messages.get(channel).at(-1).id, d.id);
  } finally { await sim.stop(); }
});

test('GET /channels/{id}/messages: after and limit, the newest first, without gateway-only fields', async () => {
  const sim = await startSimulator();
  try {
    const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await sim.control('POST', '/_sim/messages', { user: '1400000000000000001', content: `m${i}` }))[1].id);
    const page = await rest.get(`/channels/${sim.general.id}/messages`, { query: new URLSearchParams({ after: ids[0], limit: '2' }) });
    assert.deepEqual(page.map((m) => m.content), ['m2', 'm1'], 'the two right after, newest first');
    assert.ok(page.every((m) => m.guild_id === undefined && m.member === undefined));
    const newest = await rest.get(`/channels/${sim.general.id}/messages`, { query: new URLSearchParams({ limit: '1' }) });
    assert.equal(newest[0].content, 'm4');
    await assert.rejects(rest.get(`/channels/${sim.general.id}/messages`, { query: new URLSearchParams({ limit: '101' }) }), (e) => e.status === 400);
  } finally { await sim.stop(); }
});

test('Uploading Files: @discordjs/rest sends a file as multipart/form-data; the message carries it and its url serves it', async () => {
  const sim = await startSimulator();
  try {
    const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
    const text = JSON.stringify({ hello: 'proof', n: [1, 2, 3] });
    const sent = await rest.post(`/channels/${sim.general.id}/messages`, {
      body: { content: 'with a file', attachments: [{ id: '0', filename: 'proof.json' }] },
      files: [{ name: 'proof.json', data: Buffer.from(text), contentType: 'application/json' }],
    });
    assert.equal(sent.content, 'with a file');
    assert.equal(sent.attachments.length, 1);
    const [att] = sent.attachments;
    assert.equal(att.filename, 'proof.json');
    assert.equal(att.size, Buffer.byteLength(text));
    assert.match(att.id, /^\d+$/);
    const got = await fetch(att.url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), text);
    assert.equal((await fetch(att.proxy_url)).status, 200);
    // Read back through the API: the stored message has the same attachment.
    const history = await rest.get(`/channels/${sim.general.id}/messages`);
    assert.deepEqual(history.find((m) => m.id === sent.id).attachments, sent.attachments);
    // A file alone is a message; an attachment naming no file part is refused; over the upload limit is 40005.
    const alone = await rest.post(`/channels/${sim.general.id}/messages`, { files: [{ name: 'a.txt', data: Buffer.from('x') }] });
    assert.equal(alone.attachments[0].filename, 'a.txt');
    await assert.rejects(rest.post(`/channels/${sim.general.id}/messages`, {
      body: { content: 'x', attachments: [{ id: '5', filename: 'nope.json' }] },
      files: [{ name: 'proof.json', data: Buffer.from('{}') }],
    }), (e) => e.code === 50035 && e.status === 400);
    sim.options.uploadLimit = 4;
    await assert.rejects(rest.post(`/channels/${sim.general.id}/messages`, { files: [{ name: 'big.json', data: Buffer.from('12345') }] }),
      (e) => e.code === 40005 && e.status === 413);
    const state = await (await fetch(`${sim.url}/_sim/state`)).json();
    assert.deepEqual(state.validation_errors, []);
  } finally { await sim.stop(); }
});

test('invites: @discordjs/rest creates, lists and deletes them; joins through a code count its uses; INVITE_CREATE/DELETE with GUILD_INVITES only', async () => {
  const sim = await startSimulator({ heartbeatInterval: 300 });
  const rest = new REST({ api: `${sim.url}/api`, version: '10' }).setToken(sim.options.token);
  const withInvites = new WebSocketManager({ token: sim.options.token, rest,
    intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildInvites });
  const seen = [];
  const seenWithout = [];
  withInvites.on(WebSocketShardEvents.Dispatch, (p) => seen.push(p.data ?? p));
  // A second session, identified without GUILD_INVITES (a plain WebSocket client).
  const without = new WebSocket(`${sim.url.replace('http', 'ws')}/gateway`);
  without.on('message', (raw) => {
    const msg = JSON.parse(raw.toString());
    if (msg.op === 10) without.send(JSON.stringify({ op: 2, d: { token: sim.options.token, intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMembers, properties: {} } }));
    if (msg.op === 0) seenWithout.push(msg);
  });
  try {
    await withInvites.connect();
    await waitFor('the first session', () => seen.some((e) => e.t === 'GUILD_CREATE'));
    await waitFor('the second session', () => seenWithout.some((e) => e.t === 'GUILD_CREATE'));
    // Create Channel Invite: never expires, unique; the answer carries the metadata.
    const invite = await rest.post(`/channels/${sim.general.id}/invites`, { body: { max_age: 0, unique: true } });
    assert.match(invite.code, /^[A-Za-z0-9]+$/);
    assert.equal(invite.inviter.id, sim.bot.id);
    assert.equal(invite.max_age, 0);
    assert.equal(invite.expires_at, null);
    assert.equal(invite.uses, 0);
    assert.equal(invite.channel.id, sim.general.id);
    // Without unique, the same settings give the same invite back; unique makes another.
    const again = await rest.post(`/channels/${sim.general.id}/invites`, { body: { max_age: 0 } });
    assert.equal(again.code, invite.code);
    const other = await rest.post(`/channels/${sim.general.id}/invites`, { body: { max_age: 0, unique: true } });
    assert.notEqual(other.code, invite.code);
    await assert.rejects(rest.post(`/channels/${sim.general.id}/invites`, { body: { max_age: 700000 } }), (e) => e.code === 50035 && e.status === 400);
    // A member's invite with one use; joins through the codes.
    const member = '1500000000000000100';
    await sim.control('POST', '/_sim/members', { user: member, username: 'inviter' });
    const [, once] = await sim.control('POST', '/_sim/invites', { inviter: member, max_uses: 1, max_age: 3600 });
    assert.equal(once.inviter.id, member);
    assert.ok(once.expires_at, 'a max_age gives an expiry');
    await sim.control('POST', '/_sim/joins', { user: '1500000000000000101', username: 'a', code: invite.code });
    await sim.control('POST', '/_sim/joins', { user: '1500000000000000102', username: 'b', code: invite.code });
    await sim.control('POST', '/_sim/joins', { user: '1500000000000000103', username: 'c', code: once.code });
    await assert.rejects(sim.control('POST', '/_sim/joins', { user: '1500000000000000104', username: 'd', code: once.code }), (e) => e.code === 10006);
    // Get Guild Invites: the uses counted; the one-use invite is gone.
    const listed = await rest.get(`/guilds/${sim.guild.id}/invites`);
    const byCode = Object.fromEntries(listed.map((i) => [i.code, i]));
    assert.equal(byCode[invite.code].uses, 2);
    assert.equal(byCode[other.code].uses, 0);
    assert.equal(byCode[once.code], undefined);
    for (const i of listed) for (const k of ['uses', 'max_uses', 'max_age', 'temporary', 'created_at', 'inviter']) assert.ok(k in i, `${k} in the invite's metadata`);
    // Get Guild Vanity URL: none, then one whose uses count.
    assert.deepEqual(await rest.get(`/guilds/${sim.guild.id}/vanity-url`), { code: null, uses: 0 });
    await sim.control('PUT', '/_sim/vanity', { code: 'maxis' });
    await sim.control('POST', '/_sim/joins', { user: '1500000000000000105', username: 'e', vanity: true });
    assert.deepEqual(await rest.get(`/guilds/${sim.guild.id}/vanity-url`), { code: 'maxis', uses: 1 });
    // Delete Invite returns the invite; a second delete is Unknown Invite.
    const deleted = await rest.delete(`/invites/${other.code}`);
    assert.equal(deleted.code, other.code);
    await assert.rejects(rest.delete(`/invites/${other.code}`), (e) => e.code === 10006 && e.status === 404);
    // The gateway: INVITE_CREATE, INVITE_DELETE (the used-up one and the deleted one) only with GUILD_INVITES; the
    // joins as GUILD_MEMBER_ADD after the use; a leave as GUILD_MEMBER_REMOVE.
    await sim.control('DELETE', '/_sim/members/1500000000000000101');
    await waitFor('the leave', () => seen.some((e) => e.t === 'GUILD_MEMBER_REMOVE'));
    const types = seen.map((e) => e.t);
    assert.equal(types.filter((t) => t === 'INVITE_CREATE').length, 3);
    const deletes = seen.filter((e) => e.t === 'INVITE_DELETE').map((e) => e.d.code);
    assert.deepEqual(deletes, [once.code, other.code]);
    const create = seen.find((e) => e.t === 'INVITE_CREATE' && e.d.code === once.code).d;
    assert.equal(create.inviter.id, member);
    assert.equal(create.max_uses, 1);
    assert.equal(create.guild_id, sim.guild.id);
    assert.ok(types.indexOf('INVITE_DELETE') < types.lastIndexOf('GUILD_MEMBER_ADD'), 'the used-up invite goes before the join');
    assert.equal(seenWithout.filter((e) => e.t === 'INVITE_CREATE' || e.t === 'INVITE_DELETE').length, 0);
    assert.equal(seenWithout.filter((e) => e.t === 'GUILD_MEMBER_ADD').length, 5);
    assert.deepEqual(sim.validationErrors, []);
  } finally {
    await withInvites.destroy();
    without.terminate();
    await sim.stop();
  }
});
