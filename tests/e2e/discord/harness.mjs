// Starts the Discord simulator in this process and the real maxis binary against it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../../sim/discord/simulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const maxisBin = process.env.MAXIS_BIN ?? resolve(here, '../../../build/bin/maxis');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what, fn, timeoutMs = 10000, everyMs = 25) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class Env {
  /** setup(e): runs against the simulator before maxis first starts (e.g. a guild that already has members). */
  static async start({ sim: simOptions = {}, toml = '', databaseToml = '', env = {}, expectReady = true, secretKey = true, httpInteractions = false, setup } = {}) {
    const e = new Env();
    e.sim = await startSimulator({ heartbeatInterval: 500, ...simOptions });
    e.dir = mkdtempSync(join(tmpdir(), 'maxis-discord-'));
    e.db = join(e.dir, 'maxis.db');
    e.state = await e.control('GET', '/_sim/state');
    if (setup) await setup(e);
    const s = e.state;
    e.config = `
[server]
listen = "127.0.0.1:0"
access_log = false
[database]
url = "sqlite:${e.db}"
${databaseToml}
[outbox]
tick = "1s"
backoff_base = "1s"
backoff_max = "2s"
[discord]
api_base_url = "${e.sim.apiBase}"
guild_id = "${s.guild_id}"
staff_channel_id = "${s.channels.staff}"
fallback_channel_id = "${s.channels.fallback}"
staff_role_ids = ["${s.roles.staff}"]
${httpInteractions ? `gateway = false\npublic_key = "${e.sim.publicKeyHex}"` : ''}
${typeof toml === 'function' ? toml(s) : toml}
`;
    writeFileSync(join(e.dir, 'maxis.toml'), e.config);
    e.launchEnv = { ...process.env, MAXIS_DISCORD_TOKEN: e.sim.options.token,
      ...(secretKey ? { MAXIS_SECRET_KEY: 'ab'.repeat(32) } : {}), ...env };
    await e.launch({ expectReady, httpInteractions });
    return e;
  }

  /** Starts (or starts again, after kill9) the maxis process on the same configuration and database. */
  async launch({ expectReady = true, httpInteractions = false } = {}) {
    const e = this;
    e.stdout = '';
    e.stderr = '';
    e.exitCode = undefined;
    e.proc = spawn(maxisBin, ['serve', '--config', join(e.dir, 'maxis.toml')], { env: e.launchEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    e.exited = new Promise((r) => e.proc.on('exit', (code, signal) => { e.exitCode = code ?? signal; r(e.exitCode); }));
    e.proc.stdout.on('data', (d) => { e.stdout += d; });
    e.proc.stderr.on('data', (d) => { e.stderr += d; });
    if (expectReady) {
      e.port = Number((await waitFor('maxis to listen', () => e.stdout.match(/running on http:\/\/127\.0\.0\.1:(\d+)/)))[1]);
      if (httpInteractions) {
        e.sim.options.interactionsUrl = `http://127.0.0.1:${e.port}/discord/interactions`;
        return;
      }
      await waitFor('the gateway session', async () => (await e.control('GET', '/_sim/state')).gateway.sessions.some((x) => x.connected) && e.stderr.includes('available'));
    }
  }

  /** Kills maxis at once, as a crash would: nothing is flushed or shut down. */
  async kill9() {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async control(method, path, body) {
    const res = await fetch(`${this.sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  }

  async member(user, { roles = [], username } = {}) {
    return this.control('POST', '/_sim/members', { user, roles, username: username ?? `member${user.slice(-3)}` });
  }
  say(user, content, channel) { return this.control('POST', '/_sim/messages', { user, content, channel }); }
  dms(user) { return this.control('GET', `/_sim/dms/${user}`); }
  channelMessages(channel) { return this.control('GET', `/_sim/channels/${channel}/messages`); }
  interact(body) { return this.control('POST', '/_sim/interactions', body); }
  interaction(id) { return this.control('GET', `/_sim/interactions/${id}`); }
  async answered(id, timeoutMs = 5000) {
    return waitFor(`interaction ${id} answered`, async () => { const v = await this.interaction(id); return v.acknowledged && (v.response_type !== 5 || v.edits > 0) ? v : null; }, timeoutMs);
  }
  sql(statement) {
    const r = spawnSync('sqlite3', [this.db, statement], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  }
  /** A REST API token for a staff member (4242), made by `maxis token create` on this configuration. */
  staffToken() {
    const r = spawnSync(maxisBin, ['token', 'create', '--config', join(this.dir, 'maxis.toml'), '--as', '4242', '--role', 'staff'],
      { env: this.launchEnv, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`maxis token create failed: ${r.stderr}`);
    return r.stdout.trim().split('\n')[0];
  }
  async validationErrors() { return (await this.control('GET', '/_sim/state')).validation_errors; }

  async stop() {
    if (this.exitCode === undefined) {
      this.proc.kill('SIGTERM');
      await Promise.race([this.exited, sleep(8000)]);
      if (this.exitCode === undefined) this.proc.kill('SIGKILL');
    }
    await this.sim.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The custom_id of the first component whose label matches, in a message or interaction response. */
export function componentId(message, label) {
  for (const row of message?.components ?? []) {
    for (const c of row.components ?? []) if (c.label === label || c.placeholder === label) return c.custom_id;
  }
  throw new Error(`no component '${label}' in ${JSON.stringify(message?.components)}`);
}
