#!/usr/bin/env node
// Runs the Discord simulator standalone: prints one JSON line with its addresses, then serves until killed.
// Usage: node cli.mjs [--port N] [--token T] [--heartbeat-ms N] [--interactions-url URL] [--no-message-content]
import { startSimulator } from './simulator.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const options = { port: Number(opt('--port', 0)) };
if (opt('--token')) options.token = opt('--token');
if (opt('--heartbeat-ms')) options.heartbeatInterval = Number(opt('--heartbeat-ms'));
if (opt('--interactions-url')) options.interactionsUrl = opt('--interactions-url');
if (args.includes('--no-message-content')) options.enabledIntents = 1 << 1;
if (args.includes('--relaxed-limits')) { options.messageLimit = { limit: 100000, windowMs: 1000 }; options.globalPerSecond = 100000; }
const sim = await startSimulator(options);
console.log(JSON.stringify({ url: sim.url, api: sim.apiBase, token: sim.options.token, public_key: sim.publicKeyHex,
  guild_id: sim.guild.id, application_id: sim.options.applicationId }));
const stop = async () => { await sim.stop(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
