// Coins from Discord, end to end: the real maxis binary against the Discord simulator. Members' messages earn
// by the [coins] rules (cooldown, daily cap, minimum length, excluded channel; commands never earn), read back
// through the REST API's ledger and the member's own !balance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor, sleep } from './harness.mjs';

const ALICE = '1400000000000000051';

async function ledger(e, token, user) {
  const res = await fetch(`http://127.0.0.1:${e.port}/api/v1/coins/${user}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return res.json();
}

test('members earn coins by chatting, within the cooldown, the daily cap, the length and the channels', async () => {
  const e = await Env.start({
    toml: (s) => `[coins]\nper_message = 2\ncooldown = "1s"\ndaily_cap = 4\nmin_length = 5\nexcluded_channel_ids = ["${s.channels.staff}"]\n`,
  });
  try {
    const token = e.staffToken();
    const say = (content, channel) => e.control('POST', '/_sim/messages', { user: ALICE, username: 'alice', content, ...(channel ? { channel } : {}) });
    await say('Bonjour à tous !');                      // earns 2
    await waitFor('the first earning', async () => (await ledger(e, token, ALICE)).balance === 2);
    await say('Et encore un message');                  // within the cooldown: nothing
    await sleep(1200);
    await say('ok');                                    // too short: nothing
    await say('!balance');                              // a command: nothing
    await say('Un message dans le salon exclu', e.state.channels.staff);
    await sleep(300);
    assert.equal((await ledger(e, token, ALICE)).balance, 2);
    await say('Après le délai, ça compte');             // earns 2: the day's cap (4) reached
    await waitFor('the second earning', async () => (await ledger(e, token, ALICE)).balance === 4);
    await sleep(1200);
    await say('Au-delà du plafond du jour');            // the cap: nothing
    await sleep(500);
    const book = await ledger(e, token, ALICE);
    assert.equal(book.balance, 4);
    assert.deepEqual(book.entries.map((x) => [x.reason, x.amount]), [['activity', 2], ['activity', 2]]);
    assert.match(book.entries[0].ref, /^\d+$/);         // the message id: a redelivered message earns once
    // The member reads it in their own language, privately (an ephemeral reply goes by DM).
    await say('!balance');
    await waitFor('the balance by DM', async () => (await e.control('GET', `/_sim/dms/${ALICE}`)).some((m) => m.content.includes('Vous avez 4 pièces.')));
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
