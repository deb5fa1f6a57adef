// Milestone giveaways end to end: the real maxis binary against the Discord simulator. The member count comes from
// the gateway (GUILD_CREATE, joins and leaves) and from GET /guilds/{id}?with_counts=true at start; each milestone
// starts one giveaway, once: not again when the count goes back and forth, nor after a restart, nor for the
// milestones a server had passed before Maxis first saw it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Env, waitFor } from '../discord/harness.mjs';

const STAFF = '1300000000000000001'; // the guild's owner in the simulator
const member = (i) => String(1320000000000000000n + BigInt(i) * 4194304n);

/** Adds members until the guild (the bot and its owner included) has `count`. */
async function fillTo(e, count) {
  for (let i = 0; e.sim.guild.members.size < count; i += 1) await e.member(member(i));
}

const milestoneGiveaways = (e) => e.sql("SELECT milestone FROM giveaways WHERE source = 'milestone' ORDER BY milestone");
const posts = async (e, title) => (await e.channelMessages(e.state.channels.staff)).filter((m) => m.embeds?.[0]?.title === title);
const highest = (e) => e.sql('SELECT highest FROM giveaway_milestone_state');

test('a guild at 98: two joins start one giveaway for 100; leaving, rejoining and restarting start none', { timeout: 180000 }, async () => {
  const e = await Env.start({ setup: (env) => fillTo(env, 98) });
  try {
    // The first count is the baseline (GUILD_CREATE and Discord's own count agree on 98).
    await waitFor('the baseline', () => e.sql('SELECT baseline FROM giveaway_milestone_state') === '98', 20000);
    await e.member(member(1000));
    await e.member(member(1001));
    await waitFor('the milestone giveaway', () => milestoneGiveaways(e) === '100', 20000);
    const [post] = await waitFor('its post', async () => { const p = await posts(e, '🎉 Nitro (100 membres)'); return p.length ? p : null; }, 20000);
    assert.match(post.embeds[0].footer.text, /^#1 · SHA-256\(seed\) [0-9a-f]{64}$/);
    assert.ok(post.components.length > 0, 'the post has its Enter and Leave buttons');

    // Back and forth around 100: a leave to 99, a rejoin to 100. Then one more join (101), to know every count
    // before it was handled.
    await e.control('DELETE', `/_sim/members/${member(1001)}`);
    await e.member(member(1001));
    await e.member(member(1002));
    await waitFor('the count of 101', () => highest(e) === '101', 20000);
    assert.equal(milestoneGiveaways(e), '100');
    assert.equal(e.sql('SELECT COUNT(*) FROM giveaways'), '1');

    // A restart: Maxis reads the count again (GUILD_CREATE and with_counts) and starts nothing.
    e.proc.kill('SIGTERM');
    await e.exited;
    await e.launch();
    await waitFor('the count read at start', () => /Discord counts about 101 member\(s\) in the guild; the gateway (101|has not said yet)/.test(e.stderr), 20000);
    await e.control('DELETE', `/_sim/members/${member(1002)}`);
    await e.control('DELETE', `/_sim/members/${member(1001)}`); // 99
    await e.member(member(1001)); // 100 again
    await e.member(member(1003)); // 101
    await e.member(member(1004)); // 102
    await waitFor('the count of 102', () => highest(e) === '102', 20000);
    assert.equal(e.sql('SELECT COUNT(*) FROM giveaways'), '1');
    assert.equal((await posts(e, '🎉 Nitro (100 membres)')).length, 1);

    // Shellia's `!maxis giveaway 100` finds it; 250, not reached yet, starts now, once.
    const replies = async () => (await e.channelMessages(e.state.channels.general)).filter((m) => m.author.id === e.state.bot_id);
    await e.say(STAFF, '!maxis giveaway 100');
    await waitFor('the answer for 100', async () => (await replies()).some((m) => /palier de 100 membres a déjà eu son concours : #1/.test(m.content)), 20000);
    await e.say(STAFF, '!maxis giveaway 250');
    await waitFor('the answer for 250', async () => (await replies()).some((m) => /Concours #2 du palier de 250 membres lancé/.test(m.content)), 20000);
    await waitFor('the post for 250', async () => (await posts(e, '🎉 Nitro (250 membres)')).length === 1, 20000);
    await e.say(STAFF, '!maxis giveaway 250');
    await waitFor('the second answer for 250', async () => (await replies()).some((m) => /palier de 250 membres a déjà eu son concours : #2/.test(m.content)), 20000);
    // A member may not.
    await e.say(member(5), '!maxis giveaway 500');
    await waitFor('the refusal', async () => (await replies()).some((m) => /réservée au rôle/.test(m.content)) || (await e.dms(member(5))).length > 0, 20000);
    assert.equal(milestoneGiveaways(e), '100\n250');
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});

test('a guild first seen at 120 fires nothing for 50 or 100', { timeout: 120000 }, async () => {
  const e = await Env.start({ setup: (env) => fillTo(env, 120) });
  try {
    await waitFor('the baseline', () => e.sql('SELECT baseline FROM giveaway_milestone_state') === '120', 20000);
    await e.control('DELETE', `/_sim/members/${member(0)}`); // 119
    await e.member(member(0)); // 120
    await e.member(member(2000)); // 121
    await waitFor('the count of 121', () => highest(e) === '121', 20000);
    assert.equal(e.sql('SELECT COUNT(*) FROM giveaways'), '0');
    assert.equal(e.sql('SELECT baseline FROM giveaway_milestone_state'), '120');
    assert.deepEqual(await e.validationErrors(), []);
  } finally { await e.stop(); }
});
