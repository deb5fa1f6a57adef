// The official openai npm client against the simulator: it parses the simulator's chat completions and
// image generations, sends its requests in the shape the simulator checks, and maps the simulator's error
// objects to its own error classes (the same the real API produces).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startLlmSimulator } from './simulator.mjs';

let sim;
let client;
before(async () => {
    sim = await startLlmSimulator({ apiKey: 'sk-fidelity' });
    client = new OpenAI({ apiKey: 'sk-fidelity', baseURL: sim.apiBase, maxRetries: 0 });
});
after(async () => {
    await sim?.close();
});

test('chat completions: text and image parts, the answer parsed by the client', async () => {
    const r = await client.chat.completions.create({ model: 'sim-model', max_tokens: 50, messages: [
        { role: 'system', content: 'Tu es Maxis.' },
        { role: 'user', content: 'bonjour' },
    ] });
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, 'sim-model');
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, `Réponse n°${sim.state.answered} : bonjour`);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.ok(r.usage.total_tokens > 0);
    const request = sim.state.requests.at(-1);
    assert.equal(request.authorization, 'Bearer sk-fidelity');
    assert.equal(request.path, '/v1/chat/completions');

    const withImage = await client.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: [
        { type: 'text', text: 'décris' }, { type: 'image_url', image_url: { url: 'https://cdn.discordapp.com/a/1.png' } }] }] });
    assert.match(withImage.choices[0].message.content, /: décris \(1 image\)$/);
});

test('image generations: one URL, parsed by the client', async () => {
    const r = await client.images.generate({ model: 'sim-image', prompt: 'un chat', n: 1, size: '1024x1024', response_format: 'url' });
    assert.equal(r.data.length, 1);
    assert.match(r.data[0].url, /^https:\/\/images\.example\.net\/sim\/\d+\.png$/);
    assert.equal(r.data[0].revised_prompt, 'un chat');
});

test('errors reach the client as the classes the real API produces', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'sim-model', messages: [] }),
        (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'messages');
    await assert.rejects(client.chat.completions.create({ messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.BadRequestError && e.param === 'model');
    await assert.rejects(client.chat.completions.create({ model: 'sim-model', messages: [{ role: 'wizard', content: 'x' }] }),
        (e) => e instanceof OpenAI.BadRequestError && /role/.test(e.param));
    await assert.rejects(client.images.generate({ model: 'sim-image', prompt: 'x', n: 2 }), (e) => e instanceof OpenAI.BadRequestError && e.param === 'n');
    const stranger = new OpenAI({ apiKey: 'sk-wrong', baseURL: sim.apiBase, maxRetries: 0 });
    await assert.rejects(stranger.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
    await sim.control('/_sim/config', { failNext: 1 });
    await assert.rejects(client.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'x' }] }),
        (e) => e instanceof OpenAI.InternalServerError && e.status === 503);
    // With retries, as the real client is used: the overload passes and the answer arrives.
    await sim.control('/_sim/config', { failNext: 1 });
    const patient = new OpenAI({ apiKey: 'sk-fidelity', baseURL: sim.apiBase, maxRetries: 1 });
    const r = await patient.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'encore' }] });
    assert.match(r.choices[0].message.content, /: encore$/);
});
