// The simulator behaves like Discord for a widely used client: discord.js's own gateway and REST packages
// connect, identify, heartbeat, resume after an abrupt close, and ride out a 429.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayIntentBits } from 'discord-api-types/v10';
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
