// The real maxis binary with the Discord simulator (tests/sim/discord) and the Stripe simulator
// (tests/sim/stripe) on loopback: Stripe's API calls and its signed webhooks go through real HTTP.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Env, maxisBin, waitFor } from '../discord/harness.mjs';
import { startStripeSimulator } from '../../sim/stripe/simulator.mjs';

export const STRIPE_KEY = 'sk_test_maxis';
export const WEBHOOK_SECRET = 'whsec_test_maxis';

/** toml: text, or a function of the Discord simulator's state (its role and channel ids). */
export async function startShop({ databaseToml = '', toml = '', env = {} } = {}) {
  const stripe = await startStripeSimulator({ secretKey: STRIPE_KEY, webhookSecret: WEBHOOK_SECRET });
  const e = await Env.start({
    databaseToml,
    toml: (state) => `[stripe]\napi_base = "${stripe.base}"\nmax_attempts = 2\n[log]\nlevel = "debug"\n${typeof toml === 'function' ? toml(state) : toml}`,
    env: { MAXIS_STRIPE_SECRET_KEY: STRIPE_KEY, MAXIS_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env },
  });
  e.stripe = stripe;
  await e.pointWebhooks();
  const stop = e.stop.bind(e);
  e.stop = async () => { await stop(); await stripe.close(); };
  return e;
}

Env.prototype.pointWebhooks = function pointWebhooks() {
  return this.stripe.control('/_sim/config', { webhookUrl: `http://127.0.0.1:${this.port}/stripe/webhook`, retryDelayMs: 300, maxRetries: 20 });
};

/** Runs the maxis binary with args (stdin: the lines) on this configuration; resolves with its output. */
Env.prototype.cli = function cli(args, lines = []) {
  return new Promise((resolve, reject) => {
    const p = spawn(maxisBin, args, { env: this.launchEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out, err }));
    p.stdin.end(lines.join('\n') + '\n');
  });
};

/** Runs `maxis console` as user with the lines on standard input. */
Env.prototype.console = function console(user, lines, { role = 'member', locale = 'en' } = {}) {
  return this.cli(['console', '--config', join(this.dir, 'maxis.toml'), '--as', user, '--role', role, '--locale', locale], lines);
};

/** A REST API client with a fresh bearer token for user and role. */
Env.prototype.apiAs = async function apiAs(user, role = 'member') {
  const r = await this.cli(['token', '--config', join(this.dir, 'maxis.toml'), 'create', '--as', user, '--role', role]);
  const token = r.out.trim();
  return async (method, path, body) => {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
};

/** The newest Checkout Session the simulator made. */
Env.prototype.lastSession = async function lastSession() {
  const sessions = await this.stripe.control('/_sim/sessions');
  return sessions[sessions.length - 1];
};

Env.prototype.order = function order(number) {
  const row = this.sql(`SELECT status, total_minor, COALESCE(payment_intent_id, ''), invoice_url FROM orders WHERE number = '${number}'`);
  const [status, total, pi, invoice] = row.split('|');
  return { status, total: Number(total), pi, invoice };
};

export { waitFor };
