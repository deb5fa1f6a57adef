#!/usr/bin/env node
// A join storm through invites: the real maxis binary and the Discord simulator (Discord's rate limits enforced: 50
// requests/s globally and per route). JOINS people (5,000 by default) join within SECONDS (60) through the invites of
// INVITERS members (50), each join counting its invite's use and then sending GUILD_MEMBER_ADD, as Discord does.
// Measured: each join's latency from GUILD_MEMBER_ADD to its row in invite_joins (polled every 50 ms: add up to that),
// p50/p99/max, how many were attributed exactly and how many are unknown, and that no attribution is wrong (the
// recorded invite is the one used, checked against what the simulator did).
// Usage: MAXIS_BIN=build/bin/maxis node bench/join-storm.mjs
import { spawnSync } from 'node:child_process';
import { Env, waitFor } from '../tests/e2e/discord/harness.mjs';

const JOINS = Number(process.env.JOINS ?? 5000);
const SECONDS = Number(process.env.SECONDS ?? 60);
const INVITERS = Number(process.env.INVITERS ?? 50);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };

const e = await Env.start({ sim: { heartbeatInterval: 41250 }, toml: '[marketing]\n' });
const sim = e.sim;
try {
  await waitFor('the invites read at the session', () => /invite tracking: \d+ invite\(s\) cached/.test(e.stderr), 15000);
  const inviters = Array.from({ length: INVITERS }, (_, i) => String(1500000000000000000n + BigInt(i)));
  const codes = [];
  for (const u of inviters) {
    sim.addUser({ id: u });
    sim.guild.members.set(u, { roles: [], joined_at: new Date().toISOString() });
    codes.push(sim.createInvite(sim.general.id, u, { max_age: 0, unique: true }).code);
  }
  const sql = (statement) => spawnSync('sqlite3', [e.db, statement], { encoding: 'utf8' }).stdout.trim();
  await waitFor('the invites mirrored', () => Number(sql('SELECT count(*) FROM invites')) >= INVITERS, 15000);
  const baseline = Number(sql('SELECT coalesce(max(id), 0) FROM invite_joins'));

  // The storm: joins spread evenly over SECONDS, each through a random inviter's invite.
  const sent = new Map();  // member -> { at, code }
  const seen = new Map();  // member -> latency (ms)
  let last = baseline;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const rows = sql(`SELECT id, member_id FROM invite_joins WHERE id > ${last} ORDER BY id`);
      const now = performance.now();
      for (const line of rows ? rows.split('\n') : []) {
        const [id, member] = line.split('|');
        last = Math.max(last, Number(id));
        const s = sent.get(member);
        if (s && !seen.has(member)) seen.set(member, now - s.at);
      }
      await sleep(50);
    }
  })();
  const start = performance.now();
  for (let i = 0; i < JOINS; i++) {
    const due = start + (i * SECONDS * 1000) / JOINS;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const member = String(1600000000000000000n + BigInt(i));
    const code = codes[Math.floor(Math.random() * codes.length)];
    sent.set(member, { at: performance.now(), code });
    sim.join({ user: member, username: `j${i}`, code });
  }
  const sentIn = (performance.now() - start) / 1000;
  await waitFor('every join stored', () => seen.size === JOINS, 300000, 200);
  polling = false;
  await poller;

  // What was recorded, against what happened.
  const rows = sql(`SELECT member_id, source, code FROM invite_joins WHERE id > ${baseline}`).split('\n').map((l) => l.split('|'));
  let exact = 0, unknown = 0, wrong = 0;
  for (const [member, source, code] of rows) {
    if (!sent.has(member)) continue;
    if (source === 'invite') { exact += 1; if (code !== sent.get(member).code) wrong += 1; } else unknown += 1;
  }
  const latencies = [...seen.values()];
  const reads = sim.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/invites')).length;
  const state = await e.control('GET', '/_sim/state');
  console.log(`joins: ${JOINS} in ${sentIn.toFixed(1)} s (${(JOINS / sentIn).toFixed(0)}/s) through ${INVITERS} invites`);
  console.log(`join -> stored: p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
  console.log(`attributed exactly: ${exact}, unknown: ${unknown}, wrong: ${wrong}`);
  console.log(`GET /guilds/{id}/invites: ${reads} reads (${(JOINS / Math.max(1, reads)).toFixed(1)} joins per read), 429s answered: ${state.rate_limited}`);
  if (wrong > 0) process.exitCode = 1;
} finally {
  await e.stop();
}
