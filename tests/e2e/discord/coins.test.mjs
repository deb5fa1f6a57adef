// Coins from Discord, end to end: the real maxis binary against the Discord simulator. Members' messages earn
// by the [coins] rules (cooldown, daily cap, minimum length, excluded channel; commands never earn), read back
// through the REST API's ledger and the member's own !balance; a staff gift or take reaches the member by DM.
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

test('a staff gift or take over REST tells the member by DM: the amount, the reason, who, the balance', async () => {
  const e = await Env.start();
  try {
    const token = e.staffToken();
    await e.member(ALICE, { username: 'alice' });
    const move = (what, body) => fetch(`http://127.0.0.1:${e.port}/api/v1/coins/${ALICE}/${what}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // Once Maxis has seen her join (a refusal for an unknown member changes nothing, so it can be asked again).
    await waitFor('the gift', async () => (await move('give', { amount: 30, reason: 'quiz du vendredi' })).status === 201);
    assert.equal((await move('take', { amount: 5, reason: 'erreur de saisie' })).status, 201);
    assert.equal((await move('take', { amount: 500, reason: 'trop' })).status, 409);  // refused: nobody is told
    const dms = async () => (await e.control('GET', `/_sim/dms/${ALICE}`)).map((m) => m.content);
    await waitFor('both notices by DM', async () => (await dms()).length >= 2, 20000);
    await sleep(500);
    assert.deepEqual(await dms(), [
      '🪙 Pièces reçues : 30, de la part de <@4242> (quiz du vendredi). Votre solde : 30.',
      '🪙 Pièces retirées : 5, par <@4242> (erreur de saisie). Votre solde : 25.',
    ]);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
