// An OpenAI-compatible model for tests, on 127.0.0.1: POST /v1/chat/completions and
// POST /v1/images/generations with OpenAI's request checks, response shapes and error objects, a Bearer
// key when one is set, and a /_sim control API (delay, failures, the requests received). Answers are
// deterministic: "Réponse n°N : <the last user text>" plus the number of images the message carried.
// fidelity.test.mjs checks it against the official openai npm client.

import { createServer } from 'node:http';

export async function startLlmSimulator({ apiKey = null, port = 0 } = {}) {
    const state = { requests: [], delayMs: 0, failNext: 0, answered: 0, inFlight: 0, maxInFlight: 0 };
    const error = (status, message, type = 'invalid_request_error', param = null, code = null) => ({ status, body: { error: { message, type, param, code } } });

    function chat(body) {
        if (!body.model) return error(400, 'you must provide a model parameter', 'invalid_request_error', 'model');
        if (!Array.isArray(body.messages) || body.messages.length === 0) return error(400, "'messages' must contain at least one message", 'invalid_request_error', 'messages');
        let images = 0;
        for (const [i, m] of body.messages.entries()) {
            if (!['system', 'user', 'assistant', 'developer', 'tool'].includes(m.role)) return error(400, `Invalid value for 'messages[${i}].role'`, 'invalid_request_error', `messages[${i}].role`);
            if (typeof m.content === 'string') continue;
            if (!Array.isArray(m.content)) return error(400, `Invalid type for 'messages[${i}].content'`, 'invalid_request_error', `messages[${i}].content`);
            for (const part of m.content) {
                if (part.type === 'text' && typeof part.text === 'string') continue;
                if (part.type === 'image_url' && typeof part.image_url?.url === 'string' && m.role === 'user') { images++; continue; }
                return error(400, `Invalid content part in 'messages[${i}]'`, 'invalid_request_error', `messages[${i}].content`);
            }
        }
        if (body.max_tokens !== undefined && !(Number.isInteger(body.max_tokens) && body.max_tokens > 0)) return error(400, "Invalid 'max_tokens'", 'invalid_request_error', 'max_tokens');
        const last = [...body.messages].reverse().find((m) => m.role === 'user');
        const text = typeof last.content === 'string' ? last.content : last.content.filter((p) => p.type === 'text').map((p) => p.text).join(' ');
        state.answered += 1;
        const content = `Réponse n°${state.answered} : ${text}` + (images ? ` (${images} image${images > 1 ? 's' : ''})` : '');
        return { status: 200, body: { id: `chatcmpl-sim${state.answered}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 }, system_fingerprint: 'fp_sim' } };
    }

    function image(body) {
        if (!body.prompt) return error(400, 'you must provide a prompt parameter', 'invalid_request_error', 'prompt');
        if (body.n !== undefined && body.n !== 1) return error(400, 'n must be 1 for this model', 'invalid_request_error', 'n');
        state.answered += 1;
        return { status: 200, body: { created: Math.floor(Date.now() / 1000), data: [{ url: `https://images.example.net/sim/${state.answered}.png`, revised_prompt: body.prompt }] } };
    }

    const server = createServer(async (req, res) => {
        const chunks = [];
        for await (const c of req) chunks.push(c);
        const raw = Buffer.concat(chunks).toString('utf8');
        const send = (status, body) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
        const path = new URL(req.url, 'http://x').pathname;
        if (path.startsWith('/_sim/')) {
            const body = raw ? JSON.parse(raw) : {};
            if (path === '/_sim/config') { for (const k of ['delayMs', 'failNext']) if (k in body) state[k] = body[k]; return send(200, { ok: true }); }
            if (path === '/_sim/requests') return send(200, state.requests);
            if (path === '/_sim/stats') return send(200, { answered: state.answered, maxInFlight: state.maxInFlight });
            return send(404, { error: 'unknown control' });
        }
        let body;
        try { body = JSON.parse(raw); } catch { return send(400, error(400, 'We could not parse the JSON body of your request.').body); }
        state.requests.push({ path, body, authorization: req.headers.authorization ?? null });
        if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) return send(401, error(401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key').body);
        state.inFlight += 1;
        state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
        try {
            if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
            if (state.failNext > 0) { state.failNext -= 1; return send(503, error(503, 'The server is overloaded (simulated).', 'server_error').body); }
            let out;
            if (req.method === 'POST' && path === '/v1/chat/completions') out = chat(body);
            else if (req.method === 'POST' && path === '/v1/images/generations') out = image(body);
            else out = error(404, `Invalid URL (${req.method} ${path})`);
            return send(out.status, out.body);
        } finally {
            state.inFlight -= 1;
        }
    });
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    const base = `http://127.0.0.1:${server.address().port}`;
    return {
        base, state, apiBase: `${base}/v1`,
        async control(path, body = {}) {
            const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
            return res.json();
        },
        async close() { server.closeAllConnections(); await new Promise((r) => server.close(r)); },
    };
}
