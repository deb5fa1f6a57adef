// The member directory from Discord, end to end: the real maxis binary against the Discord simulator, read back
// through the REST API's staff picker (GET /api/v1/members) and the "people" object of a ticket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor } from './harness.mjs';

const SAM = '1400000000000000009';
const NEWBIE = '1400000000000000033';
const CROWD = 55;  // more than the large threshold (50): GUILD_CREATE omits them, the chunks carry them

async function search(e, token, q) {
  const res = await fetch(`http://127.0.0.1:${e.port}/api/v1/members?limit=100&q=${encodeURIComponent(q)}`,
    { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()).items;
}

test('the directory follows the guild: members present at start, nickname changes and newcomers', async () => {
  const e = await Env.start();
  try {
    // Maxis stops; meanwhile the guild fills up (a staff member with a nickname and avatars, and a crowd).
    e.proc.kill('SIGTERM');
    await e.exited;
    await e.control('POST', '/_sim/members', { user: SAM, username: 'sam_42', global_name: 'Samuel G', nick: 'Sam du support',
      avatar: 'abc123', member_avatar: 'a_def456', roles: [e.state.roles.staff] });
    for (let i = 0; i < CROWD; i += 1) {
      await e.control('POST', '/_sim/members', { user: String(1500000000000000000n + BigInt(i)), username: `crowd${i}`, global_name: `Foule ${i}` });
    }
    const requestsBefore = (await e.control('GET', '/_sim/state')).gateway.memberRequests;
    await e.launch();
    const token = e.staffToken();

    // At start: the guild is large, so its members arrive in GUILD_MEMBERS_CHUNK after Maxis's op 8.
    const [sam] = await waitFor('Sam in the directory', async () => { const r = await search(e, token, 'sam'); return r.length ? r : null; });
    assert.equal(sam.id, SAM);
    assert.equal(sam.name, 'Sam du support');  // the nickname first
    assert.equal(sam.username, 'sam_42');
    assert.equal(sam.role, 'staff');  // from the configured staff role
    assert.equal(sam.avatar_url, `https://cdn.discordapp.com/guilds/${e.state.guild_id}/users/${SAM}/avatars/a_def456.gif`);
    assert.ok((await e.control('GET', '/_sim/state')).gateway.memberRequests > requestsBefore, 'op 8 was sent');
    const crowd = await waitFor('the whole crowd', async () => { const r = await search(e, token, 'foule'); return r.length === CROWD ? r : null; });
    assert.equal(crowd[0].avatar_url, null);
    // By global name when there is no nickname; found by username too, without case.
    assert.equal((await search(e, token, 'CROWD7'))[0].name, 'Foule 7');

    // A nickname change (GUILD_MEMBER_UPDATE).
    await e.control('PATCH', `/_sim/members/${SAM}`, { nick: 'Sam (équipe)' });
    await waitFor('the new nickname', async () => (await search(e, token, 'sam'))[0]?.name === 'Sam (équipe)');
    assert.equal((await search(e, token, 'sam (EQUIPE')).length, 1);  // without accents or case

    // A newcomer (GUILD_MEMBER_ADD), with an avatar of their own.
    await e.control('POST', '/_sim/members', { user: NEWBIE, username: 'zoé', global_name: 'Zoé', avatar: 'fff000' });
    const [zoe] = await waitFor('the newcomer', async () => { const r = await search(e, token, 'zoe'); return r.length ? r : null; });
    assert.equal(zoe.id, NEWBIE);
    assert.equal(zoe.name, 'Zoé');
    assert.equal(zoe.role, 'member');
    assert.equal(zoe.avatar_url, `https://cdn.discordapp.com/avatars/${NEWBIE}/fff000.png`);
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
