// The admin panel end to end: the real maxis binary, the OAuth2 simulator in this process, and Debian's
// Chromium driven by playwright-core. Screenshots go to build/test-artifacts/panel.
import { spawn } from 'node:child_process';
import { createHmac, createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startOAuthSimulator } from '../sim/oauth/simulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const maxisBin = process.env.MAXIS_BIN ?? resolve(here, '../../build/bin/maxis');
export const artifacts = process.env.MAXIS_ARTIFACTS ?? resolve(dirname(maxisBin), '../test-artifacts/panel');
export const axeSource = readFileSync(resolve(here, 'node_modules/axe-core/axe.min.js'), 'utf8');

export const GUILD = '700000000000000001';
export const STAFF_ROLE = '710000000000000001';
export const ADMIN_ROLE = '710000000000000002';
export const CLIENT_ID = '720000000000000001';
const CLIENT_SECRET = 'test-client-secret-' + 'x'.repeat(16);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
    return new Promise((resolveport, reject) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => resolveport(port));
        });
        s.on('error', reject);
    });
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret at a Unix time in seconds.
export function totp(base32, unixSeconds) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
    const mac = createHmac('sha1', key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0xf;
    const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
    return String(value).padStart(6, '0');
}

export function sha384Integrity(body) {
    return 'sha384-' + createHash('sha384').update(body).digest('base64');
}

export class Panel {
    /// discordToml: more keys of the [discord] section (the Discord simulator's api_base_url, say).
    static async start({ toml = '', env = {}, insecureHttp = false, require2fa = true, discordToml = '' } = {}) {
        const p = new Panel();
        p.port = await freePort();
        p.origin = `http://127.0.0.1:${p.port}`;
        p.oauth = await startOAuthSimulator({
            clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${p.origin}/admin-panel/auth/callback`], guildId: GUILD,
        });
        p.dir = mkdtempSync(join(tmpdir(), 'maxis-panel-'));
        p.config = join(p.dir, 'maxis.toml');
        writeFileSync(p.config, `
[server]
listen = "127.0.0.1:${p.port}"
access_log = false
[database]
url = "sqlite:${join(p.dir, 'maxis.db')}"
[discord]
guild_id = "${GUILD}"
staff_role_ids = ["${STAFF_ROLE}"]
admin_role_ids = ["${ADMIN_ROLE}"]
${discordToml}
[panel]
public_url = "${p.origin}"
insecure_http = ${insecureHttp}
require_2fa = ${require2fa}
oauth_client_id = "${CLIENT_ID}"
oauth_authorize_url = "${p.oauth.base}/oauth2/authorize"
oauth_token_url = "${p.oauth.base}/api/oauth2/token"
oauth_api_base_url = "${p.oauth.base}/api/v10"
${toml}
`);
        p.env = { ...process.env, MAXIS_SECRET_KEY: 'cd'.repeat(32), MAXIS_DISCORD_CLIENT_SECRET: CLIENT_SECRET, ...env };
        p.stdout = '';
        p.stderr = '';
        p.proc = spawn(maxisBin, ['serve', '--config', p.config], { env: p.env, stdio: ['ignore', 'pipe', 'pipe'] });
        p.proc.stdout.on('data', (d) => { p.stdout += d; });
        p.proc.stderr.on('data', (d) => { p.stderr += d; });
        p.exited = new Promise((r) => p.proc.on('exit', r));
        const deadline = Date.now() + 15000;
        while (!p.stdout.includes('is running on')) {
            if (Date.now() > deadline || p.proc.exitCode !== null) throw new Error('maxis did not start:\n' + p.stderr);
            await sleep(25);
        }
        p.browser = await chromium.launch({
            executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
            args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
        });
        mkdirSync(artifacts, { recursive: true });
        return p;
    }

    /// A fresh browser context (its own cookies) with CSP violations, page errors and console errors recorded.
    async context() {
        const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
        await context.addInitScript(() => {
            window.__violations = [];
            document.addEventListener('securitypolicyviolation', (e) => {
                window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
            });
        });
        // axe is loaded before the panel's own script freezes the built-in prototypes (axe itself could
        // not load afterwards); injected by the browser, it is outside the page's CSP.
        await context.addInitScript(axeSource);
        context.pageErrors = [];
        context.consoleErrors = [];
        context.on('page', (page) => {
            page.on('pageerror', (err) => context.pageErrors.push(String(err)));
            page.on('console', (msg) => { if (msg.type() === 'error') context.consoleErrors.push(msg.text()); });
        });
        return context;
    }

    /// Runs 'maxis <args>' with the same configuration; resolves to {code, stdout, stderr}.
    run(args, input = '') {
        return new Promise((resolveRun) => {
            const child = spawn(maxisBin, [...args, '--config', this.config], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d) => { stdout += d; });
            child.stderr.on('data', (d) => { stderr += d; });
            child.on('exit', (code) => resolveRun({ code, stdout, stderr }));
            child.stdin.end(input);
        });
    }

    async stop() {
        await this.browser?.close();
        this.proc.kill('SIGTERM');
        await this.exited;
        await this.oauth.close();
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/// Checks a loaded page: no CSP violation, no script error, every script and stylesheet carrying an
/// integrity attribute that matches what the server sends, and axe finding no WCAG 2 A/AA violation.
export async function auditPage(page, assert, name) {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10000 });
    const violations = await page.evaluate(() => window.__violations);
    assert.deepEqual(violations, [], `${name}: CSP violations`);
    const resources = await page.evaluate(() => [...document.querySelectorAll('script, link[rel="stylesheet"]')].map((el) => ({
        url: el.src || el.href, integrity: el.getAttribute('integrity'), inline: !el.src && !el.href,
    })));
    assert.ok(resources.length >= 4, `${name}: expected the panel's scripts and styles`);
    for (const r of resources) {
        assert.equal(r.inline, false, `${name}: inline script or style`);
        assert.match(r.integrity ?? '', /^sha384-/, `${name}: ${r.url} has no sha384 integrity`);
        const body = Buffer.from(await (await fetch(r.url)).arrayBuffer());
        assert.equal(r.integrity, sha384Integrity(body), `${name}: ${r.url} integrity does not match`);
    }
    // The HTML as served carries no inline script, style or handler; the live DOM has no handler attribute
    // (styles set through the CSSOM, as uPlot sizes its canvas, are allowed by the CSP and show as style).
    const html = await (await fetch(page.url(), { headers: { cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).text();
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)/i, `${name}: inline code in the served HTML`);
    const inlineHandlers = await page.evaluate(() => [...document.querySelectorAll('*')].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith('on'))).map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(inlineHandlers, [], `${name}: inline handlers`);
    const axe = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    });
    assert.deepEqual(axe, [], `${name}: accessibility violations`);
    await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/// An admin's page in a browser context of its own, signed in with a one-time link, in the given language.
export async function adminPage(panel, name, lang) {
    const link = await panel.run(['admin', 'login-link', '--as', name, '--role', 'admin']);
    if (link.code !== 0) throw new Error('login-link: ' + link.stderr);
    const context = await panel.context();
    const page = await context.newPage();
    await page.goto(link.stdout.trim());
    await page.waitForURL('**/admin-panel/dashboard');
    await page.waitForSelector('body[data-ready="true"]');
    if (lang === 'en') {
        await page.evaluate(async () => {
            const me = await (await fetch('/admin-panel/api/me')).json();
            await fetch('/admin-panel/api/locale', { method: 'POST', headers: { 'X-CSRF-Token': me.csrf_token, 'Content-Type': 'application/json' }, body: '{"locale":"en"}' });
        });
    }
    return page;
}

/// Clicks a button and waits for the message box to say something new: {text, refused}.
export async function press(page, button, box) {
    await page.evaluate((b) => { const el = document.querySelector(b); if (el) el.textContent = ''; }, box);
    await page.click(button);
    await page.waitForFunction((b) => { const el = document.querySelector(b); return el && !el.hidden && el.textContent !== ''; }, box);
    return { text: await page.textContent(box), refused: await page.$eval(box, (el) => el.classList.contains('alert')) };
}
