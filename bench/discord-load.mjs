#!/usr/bin/env node
// Discord throughput and latency through the simulator, with the real maxis binary:
//  1. interactions answered per second (slash /ping, 64 in flight),
//  2. p50/p99 from INTERACTION_CREATE to the callback at a steady 200 interactions/s (/ticket_list,
//     which reads the database),
//  3. prefix commands per second from MESSAGE_CREATE to the reply (!ping in a channel).
// Usage: node bench/discord-load.mjs [build-dir]
import { Env, waitFor } from '../tests/e2e/discord/harness.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

const e = await Env.start({
  sim: { messageLimit: { limit: 1e9, windowMs: 1000 }, globalPerSecond: 1e9, heartbeatInterval: 41250 },
  toml: `handler_threads = 8\nglobal_rate_limit = ${process.env.GLOBAL_RATE_LIMIT ?? 50}`,
});
const sim = e.sim;
const users = Array.from({ length: 200 }, (_, i) => String(1500000000000000000n + BigInt(i)));
for (const u of users) sim.addUser({ id: u });
for (const u of users) sim.guild.members.set(u, { roles: [], joined_at: new Date().toISOString() });

async function interactions(total, inflight, name) {
  const pending = new Map();
  sim.onAcknowledge = (i) => { const r = pending.get(i.id); if (r) { pending.delete(i.id); r(); } };
  let sent = 0;
  const start = performance.now();
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      const user = users[sent % users.length];
      await new Promise((resolve) => {
        sim.createInteraction({ type: 2, user, name }).then(({ id }) => {
          if (sim.interactions.get(id).response) resolve(); else pending.set(id, resolve);
        });
      });
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return total / ((performance.now() - start) / 1000);
}

async function steady(ratePerSecond, seconds, name) {
  const ids = [];
  const interval = 1000 / ratePerSecond;
  const start = performance.now();
  for (let k = 0; k < ratePerSecond * seconds; k++) {
    const due = start + k * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    ids.push((await sim.createInteraction({ type: 2, user: users[k % users.length], name })).id);
  }
  try {
    await waitFor('every answer', () => ids.every((id) => sim.interactions.get(id).response), 30000);
  } catch (err) {
    const missing = ids.filter((id) => !sim.interactions.get(id).response);
    console.error(`${missing.length} of ${ids.length} unanswered`, e.stderr.split('\n').filter((l) => !l.includes(' info ')).slice(-10).join('\n'));
    throw err;
  }
  const lat = ids.map((id) => { const i = sim.interactions.get(id); return i.acknowledgedAt - i.createdPerf; });
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), deferred: ids.filter((id) => sim.interactions.get(id).response.type === 5).length };
}

async function prefix(total) {
  const channel = sim.general.id;
  let replies = 0;
  let done;
  const finished = new Promise((r) => { done = r; });
  sim.onBotMessage = (m) => { if (m.channel_id === channel && ++replies === total) done(); };
  const start = performance.now();
  for (let k = 0; k < total; k++) {
    const u = users[k % users.length];
    const msg = sim.messageFrom(channel, { content: '!ping' }, sim.users.get(u));
    msg.guild_id = sim.guild.id;
    msg.member = { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false };
    sim.dispatch('MESSAGE_CREATE', msg, 1 << 9);
    if (k % 200 === 199) await sleep(0);
  }
  await finished;
  return total / ((performance.now() - start) / 1000);
}

try {
  await interactions(300, 32, 'ping');  // warm-up
  const throughput = await interactions(3000, 64, 'ping');
  const lat = await steady(200, 10, 'ticket_list');
  const prefixRate = await prefix(3000);
  const state = await e.control('GET', '/_sim/state');
  console.log(JSON.stringify({ interactions_per_second: Math.round(throughput), steady_200_per_s_ms: {
    p50: +lat.p50.toFixed(2), p99: +lat.p99.toFixed(2), max: +lat.max.toFixed(2), deferred: lat.deferred },
    prefix_commands_per_second: Math.round(prefixRate), validation_errors: state.validation_errors.length }));
} finally {
  await e.stop();
}
