// Malformed interactions on the signed HTTP endpoint: the sender's mistake, answered 400 naming the
// field, logged at warn level; nothing runs. The real maxis binary against the Discord simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Env, waitFor } from './harness.mjs';

const ALICE = '1400000000000000001';

test('a signed interaction whose options are not objects answers 400 naming the field, logged as a warning', async () => {
  const e = await Env.start({ httpInteractions: true });
  try {
    const url = e.sim.options.interactionsUrl;
    const user = { id: ALICE, username: 'alice' };
    const post = async (interaction) => {
      const body = JSON.stringify({ id: '77', token: 't', application_id: '1', user, ...interaction });
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = crypto.sign(null, Buffer.from(ts + body), e.sim.privateKey).toString('hex');
      const res = await fetch(url, { method: 'POST', body,
        headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': ts } });
      return { status: res.status, body: await res.json() };
    };
    for (const [interaction, path] of [
      [{ type: 2, data: { name: 'ticket_create', options: [1, 2] } }, 'data.options[0]: not an object'],
      [{ type: 2, data: { name: 'ticket_create', options: [{ name: 'subject', type: 3, value: 'a' }, 'b'] } }, 'data.options[1]: not an object'],
      [{ type: 5, data: { custom_id: 'x', components: [[]] } }, 'data.components[0]: not an object'],
    ]) {
      const r = await post(interaction);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.deepEqual(r.body, { error: { code: 'invalid_argument', message: path } });
      const logged = new RegExp(`warn\\S*\\s+discord: malformed interaction refused: ${path.replace(/[[\]]/g, '\\$&')}`);
      await waitFor(`the warning for ${path}`, () => logged.test(e.stderr));
    }
    assert.doesNotMatch(e.stderr, /error.*not an object/);
    assert.equal(e.sql('SELECT COUNT(*) FROM tickets'), '0');
  } finally { await e.stop(); }
});
