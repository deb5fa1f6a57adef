// A Discord-compatible OAuth2 authorization server for tests, on 127.0.0.1: the authorization-code grant
// with PKCE (RFC 7636, S256 only, as Maxis uses it), single-use codes bound to client, redirect URI and
// challenge, client authentication, and the two API reads Maxis makes with the access token
// (GET /users/@me and GET /users/@me/guilds/{guild.id}/member). Node's standard library only.
//
// Control API (tests): POST /_sim/user sets who is "logged in at Discord" and whether they approve;
// GET /_sim/requests lists token requests with the outcome.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const b64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

export async function startOAuthSimulator({ clientId, clientSecret, redirectUris, guildId, port = 0 }) {
    const state = {
        user: { id: '800000000000000001', username: 'staffer', global_name: 'Staff Person', avatar: null },
        roles: [],          // the user's roles in guildId
        inGuild: true,
        approve: true,
        codes: new Map(),   // code -> {clientId, redirectUri, challenge, scope, user, roles, inGuild, expires, used}
        tokens: new Map(),  // access token -> {user, roles, inGuild, scope}
        requests: [],
    };

    const json = (res, status, body, headers = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
    };
    const readBody = (req) => new Promise((resolve, reject) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        req.on('error', reject);
    });

    const server = createServer(async (req, res) => {
        const url = new URL(req.url, 'http://127.0.0.1');
        try {
            if (req.method === 'GET' && url.pathname === '/oauth2/authorize') return authorize(url, res);
            if (req.method === 'POST' && url.pathname === '/api/oauth2/token') return token(req, res);
            if (req.method === 'GET' && url.pathname === '/api/v10/users/@me') return me(req, res);
            const member = url.pathname.match(/^\/api\/v10\/users\/@me\/guilds\/(\d+)\/member$/);
            if (req.method === 'GET' && member) return guildMember(req, res, member[1]);
            if (req.method === 'POST' && url.pathname === '/_sim/user') {
                const body = JSON.parse(await readBody(req));
                if (body.user) state.user = { id: String(body.user.id), username: String(body.user.username), global_name: body.user.global_name ?? null, avatar: body.user.avatar ?? null };
                if (Array.isArray(body.roles)) state.roles = body.roles.map(String);
                if (typeof body.inGuild === 'boolean') state.inGuild = body.inGuild;
                if (typeof body.approve === 'boolean') state.approve = body.approve;
                return json(res, 200, { ok: true });
            }
            if (req.method === 'GET' && url.pathname === '/_sim/requests') return json(res, 200, state.requests);
            if (req.method === 'GET' && url.pathname === '/_sim/framer') {
                // A page on another origin that tries to frame the URL given in ?src=.
                res.writeHead(200, { 'Content-Type': 'text/html' });
                return res.end(`<!doctype html><title>framer</title><iframe id="f" src="${encodeURI(url.searchParams.get('src') || '')}"></iframe>`);
            }
            json(res, 404, { message: '404: Not Found', code: 0 });
        } catch (e) {
            json(res, 500, { message: String(e) });
        }
    });

    function authorize(url, res) {
        const p = url.searchParams;
        const fail = (message) => {
            res.writeHead(400, { 'Content-Type': 'text/plain' });
            res.end(message);
        };
        if (p.get('client_id') !== clientId) return fail('unknown client_id');
        const redirect = p.get('redirect_uri');
        if (!redirectUris.includes(redirect)) return fail('Invalid OAuth2 redirect_uri');
        if (p.get('response_type') !== 'code') return fail('unsupported response_type');
        if (p.get('code_challenge_method') !== 'S256') return fail('PKCE: code_challenge_method must be S256');
        const challenge = p.get('code_challenge') || '';
        if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return fail('PKCE: malformed code_challenge');
        const scopes = (p.get('scope') || '').split(' ');
        if (!scopes.includes('identify')) return fail('scope must include identify');
        const target = new URL(redirect);
        if (p.get('state') !== null) target.searchParams.set('state', p.get('state'));
        if (!state.approve) {
            target.searchParams.set('error', 'access_denied');
            target.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
        } else {
            const code = b64url(randomBytes(24));
            state.codes.set(code, {
                clientId, redirectUri: redirect, challenge, scope: scopes.join(' '), user: { ...state.user }, roles: [...state.roles],
                inGuild: state.inGuild, expires: Date.now() + 10 * 60 * 1000, used: false,
            });
            target.searchParams.set('code', code);
        }
        res.writeHead(302, { Location: target.toString() });
        res.end();
    }

    async function token(req, res) {
        const type = req.headers['content-type'] || '';
        const body = new URLSearchParams(await readBody(req));
        const record = { at: Date.now(), grant_type: body.get('grant_type'), has_verifier: body.has('code_verifier') };
        state.requests.push(record);
        const refuse = (error, description, status = 400) => {
            record.outcome = error;
            json(res, status, { error, error_description: description });
        };
        if (!type.startsWith('application/x-www-form-urlencoded')) return refuse('invalid_request', 'body must be form-encoded');
        let id = body.get('client_id');
        let secret = body.get('client_secret');
        const basic = (req.headers.authorization || '').match(/^Basic (.+)$/);
        if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':');
        if (id !== clientId || secret !== clientSecret) return refuse('invalid_client', 'client authentication failed', 401);
        if (body.get('grant_type') !== 'authorization_code') return refuse('unsupported_grant_type', 'only authorization_code');
        const code = state.codes.get(body.get('code') || '');
        if (!code || code.used || code.expires < Date.now()) return refuse('invalid_grant', 'Invalid "code" in request.');
        code.used = true;  // single use, even when the rest of the request is wrong
        if (code.redirectUri !== body.get('redirect_uri')) return refuse('invalid_grant', 'Invalid "redirect_uri" in request.');
        const verifier = body.get('code_verifier') || '';
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse('invalid_grant', 'Invalid "code_verifier"');
        if (b64url(createHash('sha256').update(verifier).digest()) !== code.challenge) return refuse('invalid_grant', 'PKCE verification failed');
        const access = b64url(randomBytes(24));
        state.tokens.set(access, { user: code.user, roles: code.roles, inGuild: code.inGuild, scope: code.scope });
        record.outcome = 'ok';
        json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 604800, refresh_token: b64url(randomBytes(24)), scope: code.scope });
    }

    function bearer(req) {
        const m = (req.headers.authorization || '').match(/^Bearer (.+)$/);
        return m ? state.tokens.get(m[1]) : undefined;
    }

    function me(req, res) {
        const t = bearer(req);
        if (!t) return json(res, 401, { message: '401: Unauthorized', code: 0 });
        json(res, 200, { id: t.user.id, username: t.user.username, global_name: t.user.global_name, avatar: t.user.avatar, discriminator: '0' });
    }

    function guildMember(req, res, guild) {
        const t = bearer(req);
        if (!t) return json(res, 401, { message: '401: Unauthorized', code: 0 });
        if (!t.scope.split(' ').includes('guilds.members.read')) return json(res, 403, { message: 'Missing Access', code: 50001 });
        if (guild !== guildId || !t.inGuild) return json(res, 404, { message: 'Unknown Guild', code: 10004 });
        json(res, 200, { user: { id: t.user.id, username: t.user.username }, nick: null, roles: t.roles, joined_at: new Date().toISOString(), deaf: false, mute: false });
    }

    await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    return {
        base,
        state,
        async close() {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}
