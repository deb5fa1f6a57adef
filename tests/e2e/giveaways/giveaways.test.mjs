// Giveaways end to end: the real maxis binary against the Discord simulator. 500 members enter by the post's
// button, one leaves, staff end it, and the draw is recomputed here from the published proof by an independent
// implementation (draw.mjs, node:crypto only), then checked by `maxis giveaway verify`. A reroll after most
// entrants left the server draws only among those still there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Env, waitFor, maxisBin, componentId } from '../discord/harness.mjs';
import { drawRound, verifyProof } from './draw.mjs';

const STAFF = '1300000000000000001';
const ENTRANTS = 500;
const entrant = (i) => String(1310000000000000000n + BigInt(i) * 4194304n * 1000n);

function staffToken(e) {
  const r = spawnSync(maxisBin, ['token', 'create', '--config', join(e.dir, 'maxis.toml'), '--as', STAFF, '--role', 'staff'],
    { env: e.launchEnv, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n')[0];
}

async function api(e, token, path, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${e.port}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.text() };
}

test('500 entrants by button, a leave honoured, and a draw anyone can recompute', { timeout: 300000 }, async () => {
  const e = await Env.start({ toml: '[giveaways]\nsweep_schedule = "every 1s"\n' });
  try {
    await e.member(STAFF, { roles: [e.state.roles.staff] });
    const started = await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_start', options: [
      { name: 'duration', type: 3, value: '2h' }, { name: 'winners', type: 4, value: 3 },
      { name: 'prize', type: 3, value: 'Nitro Classic' }] })).id);
    assert.match(started.response.data.content, /#1/);
    // The post, with its buttons and the commitment, in the staff channel (no giveaways channel configured).
    const post = await waitFor('the giveaway post', async () =>
      (await e.channelMessages(e.state.channels.staff)).find((m) => m.embeds?.[0]?.title === '🎉 Nitro Classic'));
    const commitment = post.embeds[0].footer.text.match(/SHA-256\(seed\) ([0-9a-f]{64})/)[1];
    assert.match(post.embeds[0].description, /<t:\d+:R>/);
    const enter = componentId(post, '🎉 Participer');
    const leave = componentId(post, 'Se retirer');

    for (let i = 0; i < ENTRANTS; i += 1) await e.member(entrant(i));
    for (let i = 0; i < ENTRANTS; i += 25) {
      const batch = [];
      for (let j = i; j < Math.min(ENTRANTS, i + 25); j += 1) {
        batch.push(e.interact({ type: 3, user: entrant(j), custom_id: enter }).then(({ id }) => e.answered(id, 20000)));
      }
      for (const answer of await Promise.all(batch)) assert.match(answer.response.data.content, /enregistrée/);
    }
    // Entering twice is refused, and a leave is honoured.
    const twice = await e.answered((await e.interact({ type: 3, user: entrant(7), custom_id: enter })).id);
    assert.match(twice.response.data.content, /déjà/);
    const left = await e.answered((await e.interact({ type: 3, user: entrant(42), custom_id: leave })).id);
    assert.match(left.response.data.content, /ne participez plus/);
    assert.equal(e.sql('SELECT COUNT(*) FROM giveaway_entries'), String(ENTRANTS - 1));
    // Entering earned each entrant coins once ([coins] entry_amount, 5 by default): the second click and the
    // leave changed nothing.
    assert.equal(e.sql("SELECT COUNT(*) FROM coin_ledger WHERE reason = 'giveaway' AND amount = 5 AND ref = '1'"), String(ENTRANTS));
    assert.equal(e.sql(`SELECT balance FROM coin_balances WHERE user_id = ${entrant(42)}`), '5');
    // The post shows the count (the sweep edits it in place).
    await waitFor('the count on the post', async () => {
      const m = (await e.channelMessages(e.state.channels.staff)).find((x) => x.id === post.id);
      return m.embeds[0].fields.find((f) => f.name === 'Participants')?.value === String(ENTRANTS - 1);
    }, 20000);

    // Before the end nobody gets the proof.
    const token = staffToken(e);
    assert.equal((await api(e, token, '/api/v1/giveaways/1/proof')).status, 409);
    const ended = await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_end', options: [{ name: 'id', type: 4, value: 1 }] })).id);
    assert.match(ended.response.data.content, /terminé/);

    const res = await api(e, token, '/api/v1/giveaways/1/proof');
    assert.equal(res.status, 200);
    const proof = JSON.parse(res.body);
    // The seed is the one committed to at the start, and the draw is recomputed independently.
    assert.equal(proof.seed_hash, commitment);
    assert.equal(createHash('sha256').update(Buffer.from(proof.seed, 'hex')).digest('hex'), commitment);
    assert.equal(proof.entries.length, ENTRANTS - 1);
    assert.ok(!proof.entries.includes(entrant(42)));
    const expected = [...Array(ENTRANTS).keys()].filter((i) => i !== 42).map(entrant)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    assert.deepEqual(proof.entries, expected);
    const winners = drawRound(proof.seed, expected, 0, 3, []);
    assert.deepEqual(proof.rounds[0].winners, winners);
    assert.deepEqual(verifyProof(proof), []);
    // Each winner is told by DM and named in the announcement.
    for (const w of winners) {
      await waitFor(`the DM to ${w}`, async () => (await e.dms(w)).some((m) => /gagné/.test(m.content ?? '')), 20000);
    }

    // The proof is published beside the announcement as a JSON file (multipart upload): downloaded from the
    // attachment's url, it is the API's proof byte for byte, it recomputes here, and maxis verifies it.
    const proofMessages = async () => (await e.channelMessages(e.state.channels.staff))
      .filter((m) => (m.attachments ?? []).some((a) => a.filename === 'giveaway-1-proof.json'));
    const published = await waitFor('the proof attached', async () => (await proofMessages())[0], 20000);
    assert.match(published.content, /preuve du tirage.*giveaway-1-proof\.json/);
    const attachment = published.attachments[0];
    const downloaded = await (await fetch(attachment.url)).text();
    assert.equal(attachment.size, Buffer.byteLength(downloaded));
    assert.equal(downloaded, res.body);
    const fromFile = JSON.parse(downloaded);
    assert.deepEqual(fromFile.rounds[0].winners, drawRound(fromFile.seed, fromFile.entries, 0, 3, []));
    assert.deepEqual(verifyProof(fromFile), []);
    const attached = join(e.dir, 'giveaway-1-proof.json');
    writeFileSync(attached, downloaded);
    const checked = spawnSync(maxisBin, ['giveaway', 'verify', attached], { encoding: 'utf8' });
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    // Before the reroll, all but 10 of those who did not win leave the server: the reroll checks eligibility
    // again, so it draws among those 10 only, and its round lists who sat it out.
    const stay = expected.filter((id) => !winners.includes(id)).slice(0, 10);
    const gone = expected.filter((id) => !winners.includes(id) && !stay.includes(id));
    for (const id of gone) await e.control('DELETE', `/_sim/members/${id}`);
    await waitFor('the leaves in the directory', async () =>
      e.sql(`SELECT COUNT(*) FROM members WHERE in_guild = 0 AND id IN (${gone.join(',')})`) === String(gone.length), 30000);

    // A reroll never returns an earlier winner, and the proof still verifies, here and with maxis.
    await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_reroll', options: [{ name: 'id', type: 4, value: 1 }] })).id);
    const againText = (await api(e, token, '/api/v1/giveaways/1/proof')).body;
    const again = JSON.parse(againText);
    // The new round's proof is published too, once.
    const second = await waitFor('the rerolled proof attached', async () => (await proofMessages())[1], 20000);
    // The API's answer also names the people it mentions (its "people" object, added to every JSON answer naming
    // someone: here those who sat the round out); the file is the proof itself.
    const { people: _named, ...againProof } = again;
    assert.deepEqual(JSON.parse(await (await fetch(second.attachments[0].url)).text()), againProof);
    assert.equal((await proofMessages()).length, 2);
    assert.equal(again.rounds.length, 2);
    for (const w of again.rounds[1].winners) assert.ok(!winners.includes(w));
    for (const w of again.rounds[1].winners) assert.ok(stay.includes(w), `${w} left the server and was drawn`);
    assert.deepEqual(again.rounds[1].excluded.map((x) => x.user).sort(), [...gone].sort());
    assert.ok(again.rounds[1].excluded.every((x) => x.reason === 'left'));
    assert.deepEqual(again.rounds[0].excluded, []);
    assert.deepEqual(verifyProof(again), []);
    // Without its exclusions the round does not recompute: they are part of what the proof proves.
    assert.notDeepEqual(verifyProof({ ...again, rounds: again.rounds.map((r) => ({ ...r, excluded: [] })) }), []);
    const file = join(e.dir, 'proof.json');
    writeFileSync(file, JSON.stringify(again));
    const ok = spawnSync(maxisBin, ['giveaway', 'verify', file], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /matches/);
    again.rounds[0].winners[0] = again.entries.find((x) => !again.rounds[0].winners.includes(x) && !again.rounds[1].winners.includes(x));
    writeFileSync(file, JSON.stringify(again));
    const forged = spawnSync(maxisBin, ['giveaway', 'verify', file], { encoding: 'utf8' });
    assert.equal(forged.status, 1, forged.stdout + forged.stderr);
    assert.match(forged.stdout, /does NOT match/);
    // A forged button (another giveaway) opens nothing.
    const [head, , tag] = enter.split('.');
    const fake = `${head}.${Buffer.from('giveaway_enter 2').toString('base64url')}.${tag}`;
    const refused = await e.answered((await e.interact({ type: 3, user: entrant(1), custom_id: fake })).id);
    assert.match(refused.response.data.content, /plus valide|no longer valid/);

    // A proof over Discord's upload limit (lowered here to 200 bytes) is not dropped: Discord refuses it (413,
    // 40005) and the message says where to get it instead, once.
    await e.control('PATCH', '/_sim/options', { uploadLimit: 200 });
    await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_start', options: [
      { name: 'duration', type: 3, value: '2h' }, { name: 'winners', type: 4, value: 1 },
      { name: 'prize', type: 3, value: 'Gros fichier' }] })).id);
    await e.answered((await e.interact({ type: 3, user: entrant(1), custom_id: componentId(
      await waitFor('the second post', async () => (await e.channelMessages(e.state.channels.staff)).find((m) => m.embeds?.[0]?.title === '🎉 Gros fichier')),
      '🎉 Participer') })).id);
    await e.answered((await e.interact({ type: 2, user: STAFF, name: 'giveaway_end', options: [{ name: 'id', type: 4, value: 2 }] })).id);
    const fallback = await waitFor('the proof too large to attach', async () => (await e.channelMessages(e.state.channels.staff))
      .find((m) => /Concours #2 .*dépasse la taille d'envoi/.test(m.content ?? '')), 20000);
    assert.deepEqual(fallback.attachments, []);
    assert.match(fallback.content, /\/api\/v1\/giveaways\/2\/proof/);
    assert.equal((await e.channelMessages(e.state.channels.staff)).filter((m) => /Concours #2 /.test(m.content ?? '') && /preuve/.test(m.content)).length, 1);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
